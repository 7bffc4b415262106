"""Every op of SPEC §1 against torch: values and gradients, float32 and float64, numpy and cupy.

One op case = one line of ``CASES``: (shapes, lambda, options). The lambda gets the
library first (``torch`` or ``graphviz_grad``), so the same code runs on both.
"""
import numpy as np
import pytest
import torch

import graphviz_grad as vg
from conftest import DTYPE_PAIRS, TORCH_DTYPE, helper_test_op

POS = {"low": 0.5, "high": 2.0}  # inputs of log, sqrt, fractional powers, divisors
TIES = [[1.0, 3.0, 3.0], [0.0, 3.0, -1.0]]


def case(name, shapes, fn, torch_fn=None, **opts):
    return pytest.param(shapes, fn, torch_fn, opts, id=name)


def _micrograd_twice(lib, a):
    b = a + a
    return b + b


def _setitem_mask(lib, a):
    h = a.clone()
    h[h < 0] = 0
    return h


def _setitem_row(lib, a, b):
    h = a * 1
    h[1] = b
    return h


def _setitem_column(lib, a, b):
    h = a * 1
    h[:, 2] = b * 2
    return h


def _setitem_scalar_index_list(lib, a):
    h = a * 1
    h[[0, 2]] = 0.5
    return h


def _setitem_mask_tensor_value(lib, a, b):
    h = a + 0
    mask = h > 0
    h[mask] = b[mask]
    return h


CASES = [
    # --- + - * / with broadcasting, scalars, 0-dim tensors, methods and functions ---
    case("add", [(3, 4), (3, 4)], lambda lib, a, b: a + b),
    case("add_bcast_col_row", [(3, 1), (1, 4)], lambda lib, a, b: a + b),
    case("add_bcast_trailing", [(2, 3, 4), (4,)], lambda lib, a, b: a + b),
    case("add_0dim_left", [(), (3,)], lambda lib, a, b: a + b),
    case("add_0dim_both", [(), ()], lambda lib, a, b: a + b),
    case("add_scalar_right", [(3,)], lambda lib, a: a + 2),
    case("add_scalar_left", [(3,)], lambda lib, a: 2.5 + a),
    case("add_fn", [(2, 3), (3,)], lambda lib, a, b: lib.add(a, b)),
    case("add_method_alpha", [(2, 3), (2, 3)], lambda lib, a, b: a.add(b, alpha=3)),
    case("sub", [(3, 4), (3, 4)], lambda lib, a, b: a - b),
    case("sub_bcast", [(3, 1), (1, 4)], lambda lib, a, b: a - b),
    case("sub_scalar_right", [(3,)], lambda lib, a: a - 1),
    case("rsub_scalar", [(3,)], lambda lib, a: 1.5 - a),
    case("sub_fn", [(2, 3), (2, 1)], lambda lib, a, b: lib.sub(a, b)),
    case("sub_method_alpha", [(2, 3), (3,)], lambda lib, a, b: a.sub(b, alpha=2)),
    case("mul", [(3, 4), (3, 4)], lambda lib, a, b: a * b),
    case("mul_bcast", [(3, 1), (1, 4)], lambda lib, a, b: a * b),
    case("mul_bcast_3d", [(2, 3, 4), (4,)], lambda lib, a, b: a * b),
    case("mul_0dim", [(), (2, 3)], lambda lib, a, b: a * b),
    case("mul_scalar_right", [(3,)], lambda lib, a: a * 3),
    case("rmul_scalar", [(3,)], lambda lib, a: 0.5 * a),
    case("mul_fn", [(2, 3), (2, 3)], lambda lib, a, b: lib.mul(a, b)),
    case("mul_method", [(2, 3), (1, 3)], lambda lib, a, b: a.mul(b)),
    case("mul_same_tensor", [(3, 2)], lambda lib, a: a * a),
    case("micrograd_b_eq_a_plus_a", [(2,)], _micrograd_twice),
    case("div", [(3, 4), (3, 4)], lambda lib, a, b: a / b, **POS),
    case("div_bcast", [(3, 1), (1, 4)], lambda lib, a, b: a / b, **POS),
    case("div_scalar_right", [(3,)], lambda lib, a: a / 4),
    case("rdiv_scalar", [(3,)], lambda lib, a: 2 / a, **POS),
    case("div_fn", [(2, 3), (3,)], lambda lib, a, b: lib.div(a, b), **POS),
    case("div_method", [(2, 3), (2, 3)], lambda lib, a, b: a.div(b), **POS),
    case("div_same_tensor", [(3,)], lambda lib, a: a / a, **POS),
    case("neg", [(2, 3)], lambda lib, a: -a),
    case("neg_fn", [(2, 3)], lambda lib, a: lib.neg(a)),
    case("neg_method", [(2, 3)], lambda lib, a: a.neg()),
    case("pos", [(2, 3)], lambda lib, a: +a * 2),
    # --- powers ---
    case("pow_2", [(2, 3)], lambda lib, a: a ** 2),
    case("pow_3", [(2, 3)], lambda lib, a: a ** 3),
    case("pow_0", [(2, 3)], lambda lib, a: a ** 0),
    case("pow_1", [(2, 3)], lambda lib, a: a ** 1),
    case("pow_half", [(2, 3)], lambda lib, a: a ** 0.5, **POS),
    case("pow_minus_1", [(2, 3)], lambda lib, a: a ** -1, **POS),
    case("pow_float_2", [(2, 3)], lambda lib, a: a ** 2.0),
    case("pow_method", [(2, 3)], lambda lib, a: a.pow(2)),
    case("pow_fn", [(2, 3)], lambda lib, a: lib.pow(a, 3)),
    case("pow_tensor_exponent", [(2, 3), (2, 3)], lambda lib, a, b: a ** b, **POS),
    case("pow_tensor_exponent_bcast", [(2, 3), (3,)], lambda lib, a, b: lib.pow(a, b), **POS),
    case("pow_0dim_exponent", [(2, 3), ()], lambda lib, a, b: a.pow(b), **POS),
    case("rpow_int", [(2, 3)], lambda lib, a: 2 ** a),
    case("rpow_float", [(2, 3)], lambda lib, a: 1.5 ** a),
    case("pow_zero_base_tensor_exp", [(3,), (3,)], lambda lib, a, b: a ** b, vals=[[0.0, 1.0, 2.0], [2.0, 0.0, 0.5]]),
    # --- matrix products ---
    case("matmul_2d", [(3, 4), (4, 5)], lambda lib, a, b: a @ b),
    case("matmul_1d_1d", [(4,), (4,)], lambda lib, a, b: a @ b),
    case("matmul_2d_1d", [(3, 4), (4,)], lambda lib, a, b: a @ b),
    case("matmul_1d_2d", [(4,), (4, 5)], lambda lib, a, b: a @ b),
    case("matmul_batched", [(2, 3, 4), (2, 4, 5)], lambda lib, a, b: lib.matmul(a, b)),
    case("matmul_bcast_left", [(2, 3, 4), (4, 5)], lambda lib, a, b: a.matmul(b)),
    case("matmul_bcast_right", [(3, 4), (2, 4, 5)], lambda lib, a, b: a @ b),
    case("matmul_bcast_batch_dims", [(2, 1, 3, 4), (5, 4, 2)], lambda lib, a, b: a @ b),
    case("matmul_1d_batched", [(4,), (2, 4, 5)], lambda lib, a, b: a @ b),
    case("matmul_batched_1d", [(2, 3, 4), (4,)], lambda lib, a, b: a @ b),
    case("matmul_same_tensor", [(3, 3)], lambda lib, a: a @ a),
    case("mm", [(3, 4), (4, 2)], lambda lib, a, b: a.mm(b)),
    case("mm_fn", [(3, 4), (4, 2)], lambda lib, a, b: lib.mm(a, b)),
    case("mm_with_t", [(3, 4)], lambda lib, a: a.mm(a.t())),
    # --- comparisons: values only ---
    case("eq", [(3,), (3,)], lambda lib, a, b: a == b, vals=[[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    case("ne", [(3,), (3,)], lambda lib, a, b: a != b, vals=[[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    case("lt", [(3, 4), (4,)], lambda lib, a, b: a < b),
    case("le_scalar", [(3,)], lambda lib, a: a <= 2.0, vals=[[1.0, 2.0, 3.0]]),
    case("gt_scalar", [(3, 4)], lambda lib, a: a > 0),
    case("ge", [(3,), (3,)], lambda lib, a, b: a >= b, vals=[[1.0, 2.0, 3.0], [1.0, 0.0, 4.0]]),
    case("reflected_lt", [(3,)], lambda lib, a: 0 < a),
    case("eq_fn", [(3,), (3,)], lambda lib, a, b: lib.eq(a, b), vals=[[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    case("gt_fn", [(3, 4), ()], lambda lib, a, b: lib.gt(a, b)),
    case("lt_fn", [(3, 4)], lambda lib, a: lib.lt(a, 0.5)),
    case("logical_not", [(4,)], lambda lib, a: ~(a > 0)),
    case("logical_not_fn", [(4,)], lambda lib, a: lib.logical_not(a), vals=[[0.0, 1.0, -2.0, 0.0]]),
    case("le_ge_ne_fn", [(4,), (4,)], lambda lib, a, b: (lib.le(a, b), lib.ge(a, b), lib.ne(a, b))),
    case("and_masks", [(3, 4), (4,)], lambda lib, a, b: (a > 0) & (b < 0.5)),
    case("or_xor_masks", [(3, 4)], lambda lib, a: ((a > 1) | (a < -1), (a > 0) ^ True)),
    case("bitwise_logical_fn", [(4,), (4,)], lambda lib, a, b: (
        lib.bitwise_and(a > 0, b > 0), lib.bitwise_or(a > 0, b > 0), lib.bitwise_xor(a > 0, b > 0),
        lib.logical_and(a, b > 0), lib.logical_or(a > 0, b))),
    # --- shapes ---
    case("t", [(3, 4)], lambda lib, a: a.t()),
    case("t_1d", [(3,)], lambda lib, a: a.t()),
    case("t_fn", [(3, 4)], lambda lib, a: lib.t(a)),
    case("T", [(3, 4)], lambda lib, a: a.T * 1),
    case("transpose", [(2, 3, 4)], lambda lib, a: a.transpose(0, 2)),
    case("transpose_negative", [(2, 3, 4)], lambda lib, a: lib.transpose(a, -1, -2)),
    case("reshape", [(3, 4)], lambda lib, a: a.reshape(4, 3)),
    case("reshape_tuple", [(3, 4)], lambda lib, a: a.reshape((2, 6))),
    case("reshape_minus_1", [(2, 3, 4)], lambda lib, a: a.reshape(-1)),
    case("reshape_fn", [(3, 4)], lambda lib, a: lib.reshape(a, (6, -1))),
    case("view", [(3, 4)], lambda lib, a: a.view(2, -1)),
    case("view_tuple", [(3, 4)], lambda lib, a: a.view((12,))),
    case("flatten", [(2, 3, 4)], lambda lib, a: a.flatten()),
    case("flatten_start", [(2, 3, 4)], lambda lib, a: a.flatten(1)),
    case("flatten_range", [(2, 3, 4, 5)], lambda lib, a: lib.flatten(a, 1, 2)),
    case("flatten_0dim", [()], lambda lib, a: a.flatten()),
    case("unsqueeze", [(3, 4)], lambda lib, a: a.unsqueeze(0)),
    case("unsqueeze_last", [(3, 4)], lambda lib, a: a.unsqueeze(-1)),
    case("unsqueeze_fn", [(3, 4)], lambda lib, a: lib.unsqueeze(a, 1)),
    case("squeeze_all", [(3, 1, 4, 1)], lambda lib, a: a.squeeze()),
    case("squeeze_dim", [(3, 1, 4, 1)], lambda lib, a: a.squeeze(1)),
    case("squeeze_negative_dim", [(3, 1, 4, 1)], lambda lib, a: a.squeeze(-1)),
    case("squeeze_non_one_dim", [(3, 1, 4, 1)], lambda lib, a: a.squeeze(0)),
    case("squeeze_tuple", [(3, 1, 4, 1)], lambda lib, a: a.squeeze((1, 3))),
    case("squeeze_fn", [(1, 3)], lambda lib, a: lib.squeeze(a)),
    case("expand", [(3, 1)], lambda lib, a: a.expand(3, 4)),
    case("expand_new_dims", [(3, 1)], lambda lib, a: a.expand(2, -1, 4)),
    case("expand_tuple", [(1,)], lambda lib, a: a.expand((5,))),
    case("expand_as", [(3, 1), (3, 4)], lambda lib, a, b: a.expand_as(b) * b),
    case("permute", [(2, 3, 4)], lambda lib, a: a.permute(2, 0, 1)),
    # --- indexing with grad ---
    case("index_int", [(3, 4)], lambda lib, a: a[1]),
    case("index_negative_int", [(3, 4)], lambda lib, a: a[-1]),
    case("index_slice", [(3, 4)], lambda lib, a: a[:, 1:3]),
    case("index_step", [(5, 4)], lambda lib, a: a[::2, 1:]),
    case("index_none_ellipsis", [(2, 3, 4)], lambda lib, a: a[None, ..., 1]),
    case("index_ellipsis_slice", [(2, 3, 4)], lambda lib, a: a[..., :2]),
    case("index_int_list_repeats", [(3, 4)], lambda lib, a: a[[0, 2, 0]]),
    case("index_int_tensor_repeats", [(3, 4)], lambda lib, a: a[lib.tensor([2, 2, 1])]),
    case("index_pair_arrays", [(3, 4)], lambda lib, a: a[[0, 1, 0], [1, 3, 1]]),
    case("index_pair_tensors", [(3, 4)], lambda lib, a: a[lib.tensor([0, 2]), lib.tensor([3, 3])]),
    case("index_slice_then_array", [(3, 4)], lambda lib, a: a[1:, [0, 0, 2]]),
    case("index_2d_int_tensor", [(5,)], lambda lib, a: a[lib.tensor([[0, 1], [1, 4]])]),
    case("index_bool_mask", [(3, 4)], lambda lib, a: a[a > 0]),
    case("index_bool_row_mask", [(3, 4)], lambda lib, a: a[lib.tensor([True, False, True])]),
    case("index_0dim_tensor", [(3, 4)], lambda lib, a: a[lib.tensor(1)]),
    # --- __setitem__: without grad (the tutorial's grad_h[h < 0] = 0) and with grad ---
    case("setitem_mask_no_grad", [(3, 4)], _setitem_mask, grad=False),
    case("setitem_mask_with_grad", [(3, 4)], _setitem_mask),
    case("setitem_row_with_grad", [(3, 4), (4,)], _setitem_row),
    case("setitem_column_bcast_value", [(3, 4), (3,)], _setitem_column),
    case("setitem_index_list_scalar", [(3, 4)], _setitem_scalar_index_list),
    case("setitem_mask_tensor_value", [(3, 4), (3, 4)], _setitem_mask_tensor_value),
    # --- reductions ---
    case("sum", [(3, 4)], lambda lib, a: a.sum()),
    case("sum_dim", [(3, 4)], lambda lib, a: a.sum(0)),
    case("sum_negative_dim", [(2, 3, 4)], lambda lib, a: a.sum(-1)),
    case("sum_tuple_dims", [(2, 3, 4)], lambda lib, a: a.sum((0, 2))),
    case("sum_keepdim", [(2, 3, 4)], lambda lib, a: a.sum(1, keepdim=True)),
    case("sum_tuple_keepdim", [(2, 3, 4)], lambda lib, a: a.sum((-1, 0), keepdim=True)),
    case("sum_fn", [(3, 4)], lambda lib, a: lib.sum(a)),
    case("sum_fn_dim", [(3, 4)], lambda lib, a: lib.sum(a, dim=1)),
    case("sum_0dim", [()], lambda lib, a: a.sum()),
    case("mean", [(3, 4)], lambda lib, a: a.mean()),
    case("mean_dim", [(3, 4)], lambda lib, a: a.mean(1)),
    case("mean_tuple_keepdim", [(2, 3, 4)], lambda lib, a: a.mean((0, -1), keepdim=True)),
    case("mean_negative_dim", [(2, 3, 4)], lambda lib, a: a.mean(-2)),
    case("mean_fn", [(3, 4)], lambda lib, a: lib.mean(a, 0)),
    case("max_full_ties", [(2, 3)], lambda lib, a: a.max(), vals=[TIES]),
    case("min_full_ties", [(2, 3)], lambda lib, a: a.min(), vals=[[[1.0, -3.0, 2.0], [-3.0, 0.0, -3.0]]]),
    case("max_full", [(3, 4)], lambda lib, a: lib.max(a)),
    case("min_full_fn", [(3, 4)], lambda lib, a: lib.min(a)),
    case("max_dim", [(3, 4)], lambda lib, a: a.max(1)),
    case("max_dim_ties", [(2, 3)], lambda lib, a: a.max(dim=1), vals=[TIES]),
    case("max_dim_keepdim", [(3, 4)], lambda lib, a: a.max(0, keepdim=True)),
    case("max_negative_dim_fn", [(2, 3, 4)], lambda lib, a: lib.max(a, -1)),
    case("min_dim", [(3, 4)], lambda lib, a: a.min(0)),
    case("min_dim_keepdim_fn", [(3, 4)], lambda lib, a: lib.min(a, 1, keepdim=True)),
    case("max_dim_values", [(3, 4)], lambda lib, a: a.max(1).values * 2),
    case("max_binary", [(3, 4), (3, 4)], lambda lib, a, b: lib.max(a, b)),
    case("max_binary_bcast", [(3, 4), (4,)], lambda lib, a, b: a.max(b)),
    case("max_binary_ties", [(3,), (3,)], lambda lib, a, b: lib.max(a, b), vals=[[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    case("min_binary_ties", [(3,), (3,)], lambda lib, a, b: lib.min(a, b), vals=[[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    case("maximum_ties", [(3,), (3,)], lambda lib, a, b: lib.maximum(a, b), vals=[[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    case("minimum", [(3, 4), (3, 4)], lambda lib, a, b: lib.minimum(a, b)),
    # --- elementwise functions ---
    case("sqrt", [(2, 3)], lambda lib, a: a.sqrt(), **POS),
    case("sqrt_fn", [(2, 3)], lambda lib, a: lib.sqrt(a), **POS),
    case("exp", [(2, 3)], lambda lib, a: a.exp()),
    case("exp_fn", [(2, 3)], lambda lib, a: lib.exp(a)),
    case("log", [(2, 3)], lambda lib, a: a.log(), **POS),
    case("log_fn", [(2, 3)], lambda lib, a: lib.log(a), **POS),
    case("log10", [(2, 3)], lambda lib, a: a.log10() + lib.log10(a * 2), **POS),
    case("abs", [(2, 3)], lambda lib, a: a.abs()),
    case("abs_fn_zero", [(3,)], lambda lib, a: lib.abs(a), vals=[[-1.0, 0.0, 2.0]]),
    case("abs_builtin", [(2, 3)], lambda lib, a: abs(a)),
    case("relu", [(2, 3)], lambda lib, a: a.relu()),
    case("relu_fn_zero", [(3,)], lambda lib, a: lib.relu(a), vals=[[-1.0, 0.0, 2.0]]),
    case("clamp_min", [(3, 4)], lambda lib, a: a.clamp(min=0)),
    case("clamp_max", [(3, 4)], lambda lib, a: a.clamp(max=0.5)),
    case("clamp_both", [(3, 4)], lambda lib, a: a.clamp(-0.5, 0.5)),
    case("clamp_fn", [(3, 4)], lambda lib, a: lib.clamp(a, min=-1, max=1)),
    case("clamp_at_bounds", [(4,)], lambda lib, a: a.clamp(min=0.0, max=1.0), vals=[[-1.0, 0.0, 1.0, 2.0]]),
    case("clamp_min_gt_max", [(3,)], lambda lib, a: a.clamp(min=1.0, max=0.0)),
    case("sigmoid", [(2, 3)], lambda lib, a: a.sigmoid()),
    case("sigmoid_large", [(6,)], lambda lib, a: lib.sigmoid(a), vals=[[-1000.0, -100.0, -20.0, 0.0, 20.0, 100.0]]),
    case("tanh", [(2, 3)], lambda lib, a: a.tanh()),
    case("tanh_large", [(5,)], lambda lib, a: lib.tanh(a), vals=[[-100.0, -20.0, 0.0, 20.0, 100.0]]),
    case("softmax", [(3, 4)], lambda lib, a: a.softmax(1)),
    case("softmax_dim0", [(3, 4)], lambda lib, a: a.softmax(dim=0)),
    case("softmax_fn_3d", [(2, 3, 4)], lambda lib, a: lib.softmax(a, -1)),
    case("softmax_large", [(3,)], lambda lib, a: lib.softmax(a, 0), vals=[[1000.0, 0.0, -1000.0]]),
    case("log_softmax", [(3, 4)], lambda lib, a: a.log_softmax(1)),
    case("log_softmax_fn", [(2, 3, 4)], lambda lib, a: lib.log_softmax(a, dim=0)),
    # --- joining, selecting, copying ---
    case("cat", [(2, 3), (4, 3)], lambda lib, a, b: lib.cat([a, b])),
    case("cat_dim1", [(2, 3), (2, 1)], lambda lib, a, b: lib.cat((a, b), dim=1)),
    case("cat_negative_dim", [(2, 3), (2, 2)], lambda lib, a, b: lib.cat([a, b, a], -1)),
    case("cat_same_tensor", [(2,)], lambda lib, a: lib.cat([a, a])),
    case("stack", [(2, 3), (2, 3)], lambda lib, a, b: lib.stack([a, b])),
    case("stack_dim1", [(2, 3), (2, 3)], lambda lib, a, b: lib.stack((a, b), dim=1)),
    case("stack_last", [(2, 3), (2, 3)], lambda lib, a, b: lib.stack([a, b, a], dim=-1)),
    case("where", [(3, 4), (3, 4)], lambda lib, a, b: lib.where(a > 0, a, b)),
    case("where_bcast", [(3, 4), (4,)], lambda lib, a, b: lib.where(a > b, a, b)),
    case("where_scalar_other", [(3, 4)], lambda lib, a: lib.where(a > 0, a, 0.0)),
    case("where_scalar_input", [(3, 4)], lambda lib, a: lib.where(a > 0, 1.0, a)),
    case("where_method", [(3, 4), (3, 4)], lambda lib, a, b: a.where(a > 0, b)),
    case("clone", [(2, 3)], lambda lib, a: a.clone() * 2),
    case("clone_fn", [(2, 3)], lambda lib, a: lib.clone(a)),
    case("copy_", [(2, 3), (2, 3)], lambda lib, a, b: (a * 1).copy_(b) * 2),
    case("copy_bcast", [(2, 3), (3,)], lambda lib, a, b: (a * 1).copy_(b)),
    case("detach", [(2, 3)], lambda lib, a: a.detach() * a),
    case("to_float64", [(2, 3)], lambda lib, a: a.to(lib.float64) * 2),
    case("to_float32", [(2, 3)], lambda lib, a: a.to(lib.float32) * 2),
    case("to_dtype_kw", [(2, 3)], lambda lib, a: a.to(dtype=lib.float64).sum()),
    case("double_float", [(2, 3)], lambda lib, a: a.double().float() * a),
    case("to_int64_no_grad", [(2, 3)], lambda lib, a: a.to(lib.int64)),
    # --- composite chains: the tutorial's two-layer net ---
    case("two_layer_net", [(8, 5), (5, 4), (4, 3), (8, 3)],
         lambda lib, x, w1, w2, y: (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()),
    case("two_layer_net_relu_mean", [(8, 5), (5, 4), (4, 3), (8, 3)],
         lambda lib, x, w1, w2, y: ((x @ w1).relu() @ w2 - y).pow(2).mean()),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_op_matches_torch(shapes, fn, torch_fn, opts, dtype, backend):
    helper_test_op(shapes, fn, torch_fn, dtype=dtype, device=backend, **opts)


def test_every_op_class_has_a_case():
    """Each differentiable op class of graphviz_grad.ops is reached by at least one case above."""
    from graphviz_grad import ops
    from graphviz_grad.autograd import hooks

    seen = set()

    class Spy:
        def on_op(self, node, inputs, result):
            seen.add(type(node).__name__)

        def __getattr__(self, name):
            return lambda *a, **k: None

    spy = Spy()
    hooks.state.recorders = hooks.state.recorders + (spy,)
    try:
        from test_ops_lessons import CASES as LESSON_CASES  # the ops of the lessons after the tutorial
        from test_ops_shape_more import CASES as SHAPE_MORE_CASES  # unbind, split, repeat, flip, roll, bmm, diag
        from test_ops_sorting import CASES as SORTING_CASES  # sort, topk, cumprod, nan_to_num, logit, in-place unary
        from test_ops_blitz import CASES as BLITZ_CASES  # the 60-minute blitz's
        from test_conv_more import CASES as CONV_MORE_CASES  # transposed conv, fold, pads, upsampling, instance norm
        from test_nn_activations_more import CASES as ACTIVATION_CASES  # hardswish, glu, prelu, group_norm, ...
        from test_nn_attention import CASES as ATTENTION_CASES  # scaled_dot_product_attention
        from test_ops_math_more import CASES as MATH_MORE_CASES  # median, quantile, atan2, cross, inverse, cdist, ...

        for p in (CASES + LESSON_CASES + SHAPE_MORE_CASES + SORTING_CASES + BLITZ_CASES + CONV_MORE_CASES
                  + ACTIVATION_CASES + ATTENTION_CASES + MATH_MORE_CASES):
            shapes, fn, torch_fn, opts = p.values
            arrays = [vg.tensor(a, requires_grad=True) for a in _arrays(shapes, opts)]
            fn(vg, *arrays)
    finally:
        hooks.state.recorders = tuple(r for r in hooks.state.recorders if r is not spy)
    nn_only = {"Linear", "MseLoss", "L1Loss", "CrossEntropy"}  # tested in test_nn.py
    nn_only |= {"Embedding", "LayerNorm", "LayerNormAffine", "BatchNorm", "BatchNormAffine"}  # test_nn_layers.py
    nn_only |= {"Conv", "MaxPool", "AvgPool", "AdaptiveAvgPool", "AdaptiveMaxPool", "ConstantPad"}  # tested in test_conv.py
    nn_only |= {"BackwardHook"}  # a module's backward hooks: tested in test_module_hooks.py
    missing = {c.__name__ for c in ops.ALL_OPS} - seen - nn_only
    assert not missing, f"op classes without an oracle case: {sorted(missing)}"


def _arrays(shapes, opts):
    from conftest import make_inputs

    return make_inputs(shapes, "float64", opts.get("low", -2.0), opts.get("high", 2.0), 0, opts.get("vals"))


# --- dtype promotion: a matrix of operand kinds against torch ---------------------

_PY_SCALARS = {"int": 3, "float": 2.5, "bool": True}
_OPERANDS = (
    [(f"{d.name}[2]", d) for d, _ in DTYPE_PAIRS]
    + [(f"{d.name}[]", d) for d, _ in DTYPE_PAIRS]
    + [(f"py_{k}", k) for k in _PY_SCALARS]
)


def _operand(lib, spec):
    label, d = spec
    if isinstance(d, str):
        return _PY_SCALARS[d]
    shape = (2,) if label.endswith("[2]") else ()
    vals = np.ones(shape) * (1 if d.name == "bool" else 2)
    dt = d if lib is vg else TORCH_DTYPE[d.name]
    return lib.tensor(vals.tolist() if shape else vals.item(), dtype=dt)


_BINARY = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b,
    "lt": lambda a, b: a < b,
    "where": lambda a, b: (vg if isinstance(a, vg.Tensor) or isinstance(b, vg.Tensor) else torch).where(
        _cond(a, b), a, b),
}


def _cond(a, b):
    lib = vg if isinstance(a, vg.Tensor) or isinstance(b, vg.Tensor) else torch
    return lib.tensor(True)


@pytest.mark.parametrize("op", list(_BINARY))
@pytest.mark.parametrize("left", _OPERANDS, ids=[o[0] for o in _OPERANDS])
@pytest.mark.parametrize("right", _OPERANDS, ids=[o[0] for o in _OPERANDS])
def test_dtype_promotion_matches_torch(left, right, op):
    if isinstance(left[1], str) and isinstance(right[1], str):
        pytest.skip("two Python numbers are not a tensor op")
    fn = _BINARY[op]
    try:
        expected = fn(_operand(torch, left), _operand(torch, right))
    except (RuntimeError, TypeError, NotImplementedError) as e:
        with pytest.raises(type(e)):
            fn(_operand(vg, left), _operand(vg, right))
        return
    ours = fn(_operand(vg, left), _operand(vg, right))
    assert ours.dtype.name == str(expected.dtype).removeprefix("torch."), (
        f"{left[0]} {op} {right[0]}: ours {ours.dtype}, torch {expected.dtype}")
    assert tuple(ours.shape) == tuple(expected.shape)
    np.testing.assert_allclose(ours.numpy().astype(float), expected.numpy().astype(float))


@pytest.mark.parametrize("left", [o for o in _OPERANDS if not isinstance(o[1], str)], ids=lambda o: o[0])
@pytest.mark.parametrize("right", [o for o in _OPERANDS if not isinstance(o[1], str)], ids=lambda o: o[0])
def test_result_type_matches_torch(left, right):
    ours = vg.add(_operand(vg, left), _operand(vg, right)) if left[1].name != "bool" or right[1].name != "bool" \
        else vg.mul(_operand(vg, left), _operand(vg, right))
    expected = torch.result_type(_operand(torch, left), _operand(torch, right))
    assert ours.dtype.name == str(expected).removeprefix("torch.")


@pytest.mark.parametrize("fn", [
    lambda lib, t: lib.cat([t, t.to(lib.float64)]),
    lambda lib, t: lib.stack([t.to(lib.int64), t]),
    lambda lib, t: t.sum(),
    lambda lib, t: t.to(lib.int64).sum(),
    lambda lib, t: t.to(lib.bool).sum(),
    lambda lib, t: t.to(lib.int64).sqrt(),
    lambda lib, t: t.to(lib.int64).exp(),
    lambda lib, t: t.to(lib.int64) / 2,
    lambda lib, t: t.to(lib.int64) * 2.5,
    lambda lib, t: t.to(lib.int64) ** 2,
    lambda lib, t: t.to(lib.int64) ** 0.5,
    lambda lib, t: t.to(lib.int64).abs(),
    lambda lib, t: t.to(lib.int64).relu(),
    lambda lib, t: t.to(lib.int64).clamp(min=1),
    lambda lib, t: t.to(lib.int64).clamp(min=1.5),
    lambda lib, t: t.to(lib.int64).max(),
    lambda lib, t: t.to(lib.int64).sigmoid(),
    lambda lib, t: -t.to(lib.int64),
    lambda lib, t: lib.where(t > 1, t.to(lib.int64), 0.5),
    lambda lib, t: lib.where(t > 1, t, t.to(lib.float64)),
])
def test_unary_and_joining_result_dtypes(fn):
    t_out = fn(torch, torch.tensor([1.0, 2.0, 3.0]))
    ours = fn(vg, vg.tensor([1.0, 2.0, 3.0]))
    assert ours.dtype.name == str(t_out.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.numpy().astype(float), t_out.numpy().astype(float), rtol=1e-6)
