"""The ops of the lessons after the tutorial (makemore, GPT) against torch: values and gradients, float32 and
float64, numpy and cupy; finite-difference gradcheck in float64; the errors, with torch's exception types.

One op case = one line of ``CASES``, as in test_ops_oracle.py (whose coverage test reads these cases too).
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import graphviz_grad as vg
import graphviz_grad.nn.functional as VF
from conftest import assert_close, gradcheck_case, helper_test_op

POS = {"low": 0.5, "high": 2.0}


def case(name, shapes, fn, torch_fn=None, **opts):
    return pytest.param(shapes, fn, torch_fn, opts, id=name)


def F(lib):
    """The library's ``nn.functional``."""
    return TF if lib is torch else VF


def _idx(lib, values):
    return lib.tensor(values, dtype=lib.int64)


def _embedding_lookup(lib, c):
    X = _idx(lib, [[0, 1, 2], [2, 2, 0], [4, 0, 4], [1, 1, 1]])  # makemore's C[X]: repeated rows
    return c[X]


def _logits_pick(lib, logits):
    Y = _idx(lib, [2, 0, 2, 1, 1])
    return logits[lib.arange(5), Y]


def _range_pick(lib, logits):
    return logits[range(5), [0, 1, 2, 0, 0]]


def _causal_attention(lib, q, k, v):
    """The GPT head: batched @ on 3-D, transpose(-2, -1), masked_fill with the tril buffer, softmax."""
    T = q.shape[1]
    tril = lib.tril(lib.ones(T, T))
    wei = q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5
    wei = wei.masked_fill(tril[:T, :T] == 0, float("-inf"))
    return wei.softmax(-1) @ v


def _batchnorm_by_hand(lib, h):
    """makemore 3: (h - mean) / std, over the batch dim, with keepdims (NumPy's spelling)."""
    return (h - h.mean(0, keepdims=True)) / h.std(0, keepdims=True)


def _bigram_counts_normalised(lib, p):
    return p / p.sum(1, keepdims=True)


CASES = [
    # --- reductions ---
    case("sum_keepdims_alias", [(3, 4)], lambda lib, a: a.sum(1, keepdims=True)),
    case("mean_keepdims_alias", [(2, 3, 4)], lambda lib, a: a.mean((0, 2), keepdims=True)),
    case("max_dim_keepdims_alias", [(3, 4)], lambda lib, a: a.max(1, keepdims=True)),
    case("keepdims_everywhere", [(2, 3, 4)], lambda lib, a: (
        a.prod(1, keepdims=True), a.amax(2, keepdims=True), a.amin((0, 1), keepdims=True), a.norm(dim=0, keepdim=True),
        a.var(1, keepdims=True), lib.logsumexp(a, 2, keepdims=True), a.min(0, keepdims=True).values)),
    case("bigram_normalise", [(4, 4)], _bigram_counts_normalised, **POS),
    case("var", [(3, 4)], lambda lib, a: a.var()),
    case("var_dim", [(3, 4)], lambda lib, a: a.var(0)),
    case("var_dim_biased", [(3, 4)], lambda lib, a: a.var(1, unbiased=False)),
    case("var_tuple_keepdim", [(2, 3, 4)], lambda lib, a: a.var((0, 2), keepdim=True)),
    case("var_correction_0", [(3, 4)], lambda lib, a: lib.var(a, dim=-1, correction=0)),
    case("var_correction_2", [(5, 4)], lambda lib, a: a.var(0, correction=2)),
    case("var_unbiased_positional", [(3, 4)], lambda lib, a: a.var(1, False, True)),
    case("std", [(3, 4)], lambda lib, a: a.std()),
    case("std_dim_keepdim", [(5, 4)], lambda lib, a: a.std(0, keepdim=True)),
    case("std_biased_fn", [(5, 4)], lambda lib, a: lib.std(a, 1, unbiased=False)),
    case("std_bool_overload", [(5, 4)], lambda lib, a: a.std(False)),
    case("std_tuple_correction", [(2, 3, 4)], lambda lib, a: a.std((0, 1), correction=0)),
    case("std_constant_column_zero_grad", [(3, 2)], lambda lib, a: a.std(0), vals=[[[1.0, 2.0], [1.0, 3.0], [1.0, 4.0]]]),
    case("batchnorm_by_hand", [(8, 5)], _batchnorm_by_hand),
    case("logsumexp", [(3, 4)], lambda lib, a: a.logsumexp(1)),
    case("logsumexp_fn_keepdim", [(2, 3, 4)], lambda lib, a: lib.logsumexp(a, 0, keepdim=True)),
    case("logsumexp_tuple", [(2, 3, 4)], lambda lib, a: lib.logsumexp(a, (0, 2))),
    case("logsumexp_large", [(2, 3)], lambda lib, a: a.logsumexp(-1),
         vals=[[[1000.0, 1000.0, -5.0], [-1000.0, 0.0, 3.0]]]),
    case("logsumexp_F", [(3, 4)], lambda lib, a: lib.logsumexp(a, dim=-1, keepdims=True)),
    case("prod_all", [(3, 4)], lambda lib, a: a.prod()),
    case("prod_dim", [(3, 4)], lambda lib, a: a.prod(1)),
    case("prod_dim_keepdim_fn", [(3, 4)], lambda lib, a: lib.prod(a, 0, keepdim=True)),
    case("prod_one_zero", [(2, 3)], lambda lib, a: a.prod(1), vals=[[[2.0, 0.0, 3.0], [1.5, -2.0, 4.0]]]),
    case("prod_two_zeros", [(2, 3)], lambda lib, a: a.prod(1), vals=[[[0.0, 0.0, 3.0], [1.5, 0.0, 4.0]]]),
    case("prod_all_one_zero", [(2, 2)], lambda lib, a: a.prod(), vals=[[[2.0, 0.0], [3.0, -1.0]]]),
    case("cumsum", [(3, 4)], lambda lib, a: a.cumsum(1)),
    case("cumsum_dim0_fn", [(3, 4)], lambda lib, a: lib.cumsum(a, dim=0)),
    case("cumsum_negative_dim", [(2, 3, 4)], lambda lib, a: a.cumsum(-2)),
    case("amax_dim", [(3, 4)], lambda lib, a: a.amax(1)),
    case("amax_tuple_keepdim", [(2, 3, 4)], lambda lib, a: lib.amax(a, (0, 2), keepdim=True)),
    case("amax_ties", [(2, 3)], lambda lib, a: a.amax(1), vals=[[[1.0, 3.0, 3.0], [0.0, 3.0, -1.0]]]),
    case("amin_all", [(3, 4)], lambda lib, a: a.amin()),
    case("amin_dim", [(3, 4)], lambda lib, a: lib.amin(a, 0)),
    case("norm_dim", [(3, 4)], lambda lib, a: a.norm(dim=1)),
    case("norm_inf", [(3, 4)], lambda lib, a: (a.norm(float("inf")), a.norm(float("-inf"), dim=1))),
    case("norm_keepdim", [(3, 4)], lambda lib, a: lib.norm(a, 2, 0, True)),
    # --- indexing and creation ---
    case("embedding_C_of_X", [(5, 3)], _embedding_lookup),
    case("logits_arange_Y", [(5, 3)], _logits_pick),
    case("range_and_list_index", [(5, 3)], _range_pick),
    case("range_index_alone", [(5, 3)], lambda lib, a: a[range(1, 4)]),
    case("gather", [(3, 4)], lambda lib, a: a.gather(1, _idx(lib, [[0, 3], [1, 1], [2, 0]]))),
    case("gather_dim0_fn", [(3, 4)], lambda lib, a: lib.gather(a, 0, _idx(lib, [[2, 0, 1, 2], [2, 2, 2, 2]]))),
    case("gather_smaller_index", [(3, 4)], lambda lib, a: a.gather(1, _idx(lib, [[3], [0]]))),
    case("gather_negative_dim_3d", [(2, 3, 4)], lambda lib, a: a.gather(-1, _idx(lib, [[[0], [3], [1]], [[2], [2], [0]]]))),
    case("index_select", [(4, 3)], lambda lib, a: a.index_select(0, _idx(lib, [3, 0, 3]))),
    case("index_select_dim1_fn", [(2, 4, 3)], lambda lib, a: lib.index_select(a, 1, _idx(lib, [1, 1, 0]))),
    case("tril", [(4, 4)], lambda lib, a: a.tril()),
    case("tril_fn_diagonal", [(3, 5)], lambda lib, a: lib.tril(a, diagonal=1)),
    case("tril_batched", [(2, 3, 3)], lambda lib, a: lib.tril(a, -1)),
    case("triu", [(4, 4)], lambda lib, a: a.triu()),
    case("triu_fn_diagonal", [(4, 3)], lambda lib, a: lib.triu(a, diagonal=-1)),
    case("masked_fill", [(3, 4)], lambda lib, a: a.masked_fill(a > 0, 0.0)),
    case("masked_fill_bcast_mask", [(2, 4, 4)], lambda lib, a: a.masked_fill(lib.tril(lib.ones(4, 4)) == 0, -1e9)),
    case("masked_fill_fn_tensor_value", [(3, 4)], lambda lib, a: lib.masked_fill(a, a < 0, lib.tensor(2.0))),
    case("masked_fill_mask_grows", [(3, 4)], lambda lib, a: a.masked_fill(lib.ones(2, 3, 4) > 0.5, 1.0) * 2),
    case("masked_fill_value_grad", [(3, 4), ()], lambda lib, a, v: a.masked_fill(a > 0, v)),
    case("causal_attention", [(2, 4, 3), (2, 4, 3), (2, 4, 3)], _causal_attention),
    case("index_add", [(4, 3), (3, 3)], lambda lib, a, s: a.index_add(0, _idx(lib, [0, 2, 0]), s)),
    case("index_add_alpha_dim1", [(2, 4), (2, 2)], lambda lib, a, s: lib.index_add(a, 1, _idx(lib, [3, 3]), s, alpha=2)),
    case("scatter_add", [(3, 4), (3, 2)], lambda lib, a, s: a.scatter_add(1, _idx(lib, [[0, 0], [3, 1], [2, 2]]), s)),
    case("scatter_add_fn_dim0", [(3, 4), (2, 4)], lambda lib, a, s: lib.scatter_add(a, 0, _idx(lib, [[0, 1, 2, 0], [1, 1, 0, 2]]), s)),
    case("scatter_src", [(3, 4), (3, 1)], lambda lib, a, s: a.scatter(1, _idx(lib, [[1], [3], [0]]), s)),
    case("scatter_value", [(3, 4)], lambda lib, a: lib.scatter(a, 1, _idx(lib, [[1, 2], [3, 0], [0, 0]]), 0.5)),
    # --- math ---
    case("sin", [(3, 4)], lambda lib, a: a.sin()),
    case("cos_fn", [(3, 4)], lambda lib, a: lib.cos(a)),
    case("erf", [(3, 4)], lambda lib, a: a.erf(), low=-4.0, high=4.0),
    case("erf_fn_wide", [(200,)], lambda lib, a: lib.erf(a), low=-7.0, high=7.0),
    case("erf_special", [(3, 4)], lambda lib, a: lib.special.erf(a)),
    case("gelu", [(3, 4)], lambda lib, a: F(lib).gelu(a), low=-4.0, high=4.0),
    case("gelu_tanh", [(3, 4)], lambda lib, a: F(lib).gelu(a, approximate="tanh"), low=-4.0, high=4.0),
    case("gelu_module", [(3, 4)], lambda lib, a: lib.nn.GELU()(a)),
    case("gelu_module_tanh", [(3, 4)], lambda lib, a: lib.nn.GELU(approximate="tanh")(a)),
    case("softplus", [(3, 4)], lambda lib, a: F(lib).softplus(a), low=-30.0, high=30.0),
    case("softplus_beta_threshold", [(3, 4)], lambda lib, a: F(lib).softplus(a, beta=2.0, threshold=3.0), low=-4.0, high=4.0),
    case("softplus_module", [(3, 4)], lambda lib, a: lib.nn.Softplus(beta=0.5)(a)),
    case("leaky_relu", [(3, 4)], lambda lib, a: F(lib).leaky_relu(a)),
    case("leaky_relu_slope", [(3, 4)], lambda lib, a: F(lib).leaky_relu(a, negative_slope=0.2)),
    case("leaky_relu_module", [(3, 4)], lambda lib, a: lib.nn.LeakyReLU(0.1)(a)),
    case("silu", [(3, 4)], lambda lib, a: F(lib).silu(a), low=-50.0, high=50.0),
    case("silu_module", [(3, 4)], lambda lib, a: lib.nn.SiLU()(a)),
    case("log1p", [(3, 4)], lambda lib, a: a.log1p(), low=-0.5, high=2.0),
    case("log1p_fn", [(3, 4)], lambda lib, a: lib.log1p(a), low=-0.5, high=2.0),
    case("rsqrt", [(3, 4)], lambda lib, a: a.rsqrt(), **POS),
    case("rsqrt_fn", [(3, 4)], lambda lib, a: lib.rsqrt(a), **POS),
    case("reciprocal", [(3, 4)], lambda lib, a: a.reciprocal(), **POS),
    case("reciprocal_fn", [(3, 4)], lambda lib, a: lib.reciprocal(a), **POS),
    case("zero_dim_math", [(), (), ()], lambda lib, a, b, c: (
        lib.erf(a), F(lib).gelu(b), F(lib).gelu(c, approximate="tanh"), F(lib).silu(a), F(lib).softplus(b),
        F(lib).leaky_relu(c), a.sin(), b.cos(), a.cumsum(0), b.prod(), lib.logsumexp(c, 0), a.amax(), lib.sigmoid(b)),
         low=-7.0, high=7.0),
    case("outer", [(3,), (4,)], lambda lib, a, b: lib.outer(a, b)),
    case("outer_method", [(3,), (2,)], lambda lib, a, b: a.outer(b)),
    case("einsum_mm", [(3, 4), (4, 5)], lambda lib, a, b: lib.einsum("ij,jk->ik", a, b)),
    case("einsum_bmm", [(2, 3, 4), (2, 4, 5)], lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b)),
    case("einsum_attention", [(2, 3, 4, 5), (2, 3, 6, 5)], lambda lib, a, b: lib.einsum("bhqd,bhkd->bhqk", a, b)),
    case("einsum_outer", [(3,), (4,)], lambda lib, a, b: lib.einsum("i,j->ij", a, b)),
    case("einsum_diagonal", [(3, 3)], lambda lib, a: lib.einsum("ii->i", a)),
    case("einsum_trace", [(3, 3)], lambda lib, a: lib.einsum("ii", a)),
    case("einsum_implicit", [(3, 4), (4, 5)], lambda lib, a, b: lib.einsum("ij,jk", a, b)),
    case("einsum_transpose", [(3, 4)], lambda lib, a: lib.einsum("ij->ji", a)),
    case("einsum_sum_one_operand_only", [(3, 4), (4,)], lambda lib, a, b: lib.einsum("ij,k->i", a, b)),
    case("einsum_list_operands", [(3, 4), (3, 4)], lambda lib, a, b: lib.einsum("ij,ij->i", [a, b])),
    case("einsum_same_tensor", [(3, 4)], lambda lib, a: lib.einsum("ij,kj->ik", a, a)),
    case("einsum_ellipsis", [(2, 3, 4), (4, 5)], lambda lib, a, b: lib.einsum("...ij,jk->...ik", a, b)),
    # ``...`` as PyTorch reads it: broadcast between operands (size 1 against n), implicit output, summed away
    case("einsum_ellipsis_broadcast", [(2, 1, 3, 4), (5, 4, 6)], lambda lib, a, b: lib.einsum("...ij,...jk->...ik", a, b)),
    case("einsum_ellipsis_implicit", [(2, 1, 3, 4), (5, 4, 6)], lambda lib, a, b: lib.einsum("...ij,...jk", a, b)),
    case("einsum_ellipsis_both_size_one", [(3, 1), (1, 4)], lambda lib, a, b: lib.einsum("...,...->...", a, b)),
    case("einsum_ellipsis_middle", [(2, 3, 1), (2, 1, 4)], lambda lib, a, b: lib.einsum("b...,b...->b", a, b)),
    case("einsum_ellipsis_summed", [(2, 3, 4), (2, 4, 5)], lambda lib, a, b: lib.einsum("...ij,...jk->ik", a, b)),
    case("einsum_ellipsis_right", [(2, 3, 1), (3, 4, 5)], lambda lib, a, b: lib.einsum("ij...,jk...->ik...", a, b)),
    case("einsum_ellipsis_diagonal", [(2, 3, 3)], lambda lib, a: lib.einsum("...ii->...i", a)),
    case("einsum_ellipsis_fewer_dims", [(3,), (2, 3)], lambda lib, a, b: lib.einsum("...i,...i", a, b)),
    case("einsum_ellipsis_three", [(2, 1, 3, 4), (1, 5, 4, 6), (6,)],
         lambda lib, a, b, c: lib.einsum("...ij,...jk,...k->...i", a, b, c)),
    case("einsum_ellipsis_spaces", [(2, 3, 4), (4, 5)], lambda lib, a, b: lib.einsum(" ... i j , j k -> ... i k ", a, b)),
    case("einsum_letter_broadcast", [(3, 1), (1, 4)], lambda lib, a, b: lib.einsum("ij,ij->ij", a, b)),
    case("einsum_broadcast_contracted", [(3, 1), (4, 5)], lambda lib, a, b: lib.einsum("ij,jk->ik", a, b)),
    case("einsum_broadcast_diagonal", [(1, 1), (3,)], lambda lib, a, b: lib.einsum("ii,i->i", a, b)),
    case("einsum_contract_first_dims_output_transposed", [(3, 4), (3, 5)], lambda lib, a, b: lib.einsum("ij,ik->kj", a, b)),
    case("einsum_batch_one_side", [(2, 3, 4), (4, 5)], lambda lib, a, b: lib.einsum("bij,jk->bik", a, b)),
    case("einsum_heads_merge", [(2, 4, 3, 5), (4, 5, 6)], lambda lib, a, b: lib.einsum("bhtd,hde->bte", a, b)),
    case("einsum_three_operands", [(2, 3), (3, 4), (4,)], lambda lib, a, b, c: lib.einsum("ij,jk,k->i", a, b, c)),
    case("matmul_3d_bcast_batch", [(2, 1, 3, 4), (3, 4, 2)], lambda lib, a, b: a @ b),
    case("matmul_4d", [(2, 3, 4, 5), (2, 3, 5, 4)], lambda lib, a, b: lib.matmul(a, b)),
    case("matmul_4d_bcast_head", [(2, 3, 4, 5), (1, 3, 5, 2)], lambda lib, a, b: a @ b),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_op_matches_torch(shapes, fn, torch_fn, opts, dtype, backend):
    helper_test_op(shapes, fn, torch_fn, dtype=dtype, device=backend, **opts)


NOT_FINITE_DIFFERENCES = {"logsumexp_large": "exp of 1000 differences", "amax_ties": "a tie is a kink"}
DIFFERENTIABLE = [p for p in CASES if "vals" not in p.values[3] and p.id not in NOT_FINITE_DIFFERENCES]


@pytest.mark.parametrize("shapes, fn, torch_fn, opts", DIFFERENTIABLE)
def test_gradcheck_op(shapes, fn, torch_fn, opts, backend):
    gradcheck_case(shapes, fn, opts, backend)


def test_gradcheck_prod_with_zeros():
    """Finite differences agree with the product-of-the-others rule at one zero and at two zeros in a row."""
    for values in ([[2.0, 0.0, 3.0], [1.5, -2.0, 4.0]], [[0.0, 0.0, 3.0], [1.5, 0.0, 4.0]]):
        x = vg.tensor(values, dtype=vg.float64, requires_grad=True)
        assert vg.autograd.gradcheck(lambda t: t.prod(1), [x])
        assert vg.autograd.gradcheck(lambda t: t.prod(), [x])


# --- grad_fn names, as PyTorch's --------------------------------------------------------------

GRAD_FN_CASES = [
    lambda lib, x: x.sin(), lambda lib, x: x.cos(), lambda lib, x: x.erf(), lambda lib, x: F(lib).gelu(x),
    lambda lib, x: F(lib).softplus(x), lambda lib, x: F(lib).leaky_relu(x), lambda lib, x: F(lib).silu(x),
    lambda lib, x: x.log1p(), lambda lib, x: x.rsqrt(), lambda lib, x: x.reciprocal(),
    lambda lib, x: x.std(0), lambda lib, x: x.var(), lambda lib, x: x.logsumexp(1), lambda lib, x: x.prod(),
    lambda lib, x: x.prod(1), lambda lib, x: x.cumsum(0), lambda lib, x: x.gather(1, _idx(lib, [[0], [1], [2]])),
    lambda lib, x: x.index_select(0, _idx(lib, [0, 2])), lambda lib, x: x.tril(), lambda lib, x: x.triu(1),
    lambda lib, x: x.masked_fill(x > 0, 0.0), lambda lib, x: x.amax(1), lambda lib, x: x.amin(0),
    lambda lib, x: x.index_add(0, _idx(lib, [0, 0]), x[:2] * 1),
    lambda lib, x: x.scatter(1, _idx(lib, [[0], [1], [2]]), 1.0),
    lambda lib, x: x.scatter_add(1, _idx(lib, [[0], [1], [2]]), x[:, :1] * 1),
    lambda lib, x: x.pow(x * 0 + 2), lambda lib, x: lib.outer(x[0], x[1]),
    lambda lib, x: lib.einsum("ij,kj->ik", x, x), lambda lib, x: lib.einsum("ij->", x),
    lambda lib, x: lib.einsum("ij->ji", x), lambda lib, x: lib.einsum("i,j->ij", x[0], x[1]),
]


@pytest.mark.parametrize("fn", GRAD_FN_CASES)
def test_grad_fn_name_is_torchs(fn):
    values = np.random.default_rng(0).uniform(0.5, 2.0, (3, 4))
    theirs = fn(torch, torch.tensor(values, requires_grad=True))
    ours = fn(vg, vg.tensor(values, requires_grad=True))
    assert type(ours.grad_fn).__name__ != "NoneType"
    assert ours.grad_fn.grad_fn_name() == type(theirs.grad_fn).__name__


# --- results without a graph: indices, one-hot, counts ----------------------------------------


def test_max_dim_named_tuple_unpacks_as_torchs():
    values = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    _, predicted = vg.max(vg.tensor(values), 1)
    _, expected = torch.max(torch.tensor(values), 1)
    assert predicted.dtype == vg.int64 and predicted.tolist() == expected.tolist()
    out = vg.tensor(values).max(dim=0, keepdims=True)
    assert out.values.shape == (1, 3) and out.indices.tolist() == torch.tensor(values).max(0, keepdim=True).indices.tolist()


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.argmax(), lambda lib, x: x.argmax(1), lambda lib, x: x.argmin(0, keepdims=True),
    lambda lib, x: lib.argmax(x, dim=-1, keepdim=True), lambda lib, x: x.argmax(keepdim=True),
    lambda lib, x: (x > 0).any(1), lambda lib, x: (x > 0).all(0, keepdims=True), lambda lib, x: lib.any(x > 1),
    lambda lib, x: x.all(), lambda lib, x: (x > 0).any(dim=(0, 1)),
])
def test_index_and_truth_reductions(fn):
    values = np.random.default_rng(2).normal(size=(4, 3))
    ours, theirs = fn(vg, vg.tensor(values)), fn(torch, torch.tensor(values))
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    assert ours.shape == tuple(theirs.shape) and ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("num_classes", [27, -1])
def test_one_hot_is_int64_like_torchs(num_classes):
    xs = [0, 5, 13, 13, 1, 26][: 6 if num_classes == 27 else 5]
    ours = VF.one_hot(vg.tensor(xs), num_classes)
    theirs = TF.one_hot(torch.tensor(xs), num_classes)
    assert ours.dtype == vg.int64 and ours.shape == tuple(theirs.shape) and ours.tolist() == theirs.tolist()
    assert VF.one_hot(vg.tensor([[0, 2]])).shape == (1, 2, 3)


def test_one_hot_neural_bigram_step_matches_torch():
    """makemore 1's neural bigram: one_hot(...).float() @ W, softmax by hand, loss with W**2, W.data += -50 * W.grad."""
    rng = np.random.default_rng(3)
    W0 = rng.normal(size=(27, 27)).astype(np.float32)
    xs, ys = rng.integers(0, 27, 40), rng.integers(0, 27, 40)
    losses = []
    for lib, F_ in ((torch, TF), (vg, VF)):
        W = lib.tensor(W0, requires_grad=True)
        run = []
        for _ in range(3):
            xenc = F_.one_hot(lib.tensor(xs), num_classes=27).float()
            logits = xenc @ W
            counts = logits.exp()
            probs = counts / counts.sum(1, keepdims=True)
            loss = -probs[lib.arange(40), lib.tensor(ys)].log().mean() + 0.01 * (W ** 2).mean()
            W.grad = None
            loss.backward()
            W.data += -50 * W.grad
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)


def test_count_matrix_with_integer_index_increment_under_no_grad():
    """makemore 1: N[ix1, ix2] += 1 with int and int-tensor indices; a repeated pair in one tensor index counts
    once, as in torch (index_put without accumulate)."""
    results = []
    for lib in (torch, vg):
        N = lib.zeros((4, 4), dtype=lib.int32)
        for a, b in [(0, 1), (1, 2), (0, 1), (3, 3)]:
            N[a, b] += 1
        with lib.no_grad():
            N[lib.tensor([0, 0, 2]), lib.tensor([1, 1, 3])] += 1
        P = (N + 1).float()
        P /= P.sum(1, keepdims=True)
        results.append((N.tolist(), P.numpy().copy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-6)


def test_nelement_and_in_place_index_ops_under_no_grad():
    for lib in (torch, vg):
        x = lib.zeros(4, 3)
        assert x.nelement() == 12
    ours, theirs = vg.zeros(4, 3), torch.zeros(4, 3)
    src = np.arange(9, dtype=np.float32).reshape(3, 3)
    with vg.no_grad(), torch.no_grad():
        assert ours.index_add_(0, vg.tensor([0, 3, 0]), vg.tensor(src)) is ours
        theirs.index_add_(0, torch.tensor([0, 3, 0]), torch.tensor(src))
        ours.masked_fill_(vg.tensor([True, False, True]), -1.0)
        theirs.masked_fill_(torch.tensor([True, False, True]), -1.0)
        ours.tril_(1), theirs.tril_(1)
        ours.scatter_(1, vg.tensor([[0], [1], [2], [0]]), 7.0)
        theirs.scatter_(1, torch.tensor([[0], [1], [2], [0]]), 7.0)
        ours.scatter_add_(0, vg.tensor([[1, 1, 1]]), vg.ones(1, 3))
        theirs.scatter_add_(0, torch.tensor([[1, 1, 1]]), torch.ones(1, 3))
    assert_close(ours, theirs)


def test_masked_fill_in_place_keeps_the_graph():
    rng = np.random.default_rng(4)
    values = rng.normal(size=(3, 4))
    grads = []
    for lib in (torch, vg):
        x = lib.tensor(values, requires_grad=True)
        y = x * 2
        y.masked_fill_(y > 0, 0.5)
        (y * y).sum().backward()
        grads.append(x.grad)
    assert_close(grads[1], grads[0], 1e-12, 1e-12)


def test_float32_stays_float32():
    x = vg.randn(3, 4)
    for y in (x.std(0), x.var(), x.logsumexp(1), vg.erf(x), VF.gelu(x), VF.gelu(x, approximate="tanh"),
              VF.softplus(x), VF.silu(x), VF.leaky_relu(x), x.prod(), x.cumsum(0), vg.einsum("ij->j", x)):
        assert y.dtype == vg.float32


def test_integer_inputs_take_torchs_dtypes():
    for fn in (lambda lib, t: t.sin(), lambda lib, t: t.erf(), lambda lib, t: t.rsqrt(), lambda lib, t: t.cumsum(0),
               lambda lib, t: t.prod(), lambda lib, t: lib.logsumexp(t, 0), lambda lib, t: t.reciprocal()):
        ours, theirs = fn(vg, vg.tensor([1, 2, 3])), fn(torch, torch.tensor([1, 2, 3]))
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, fn", [
    ("erf", lambda lib, a: lib.erf(a)),
    ("gelu", lambda lib, a: F(lib).gelu(a)),
    ("cumsum_last", lambda lib, a: a.cumsum(1)),  # float32: one product with a triangle of ones
    ("cumsum_first", lambda lib, a: a.reshape(70, 320).cumsum(0)),
    ("cumsum_3d", lambda lib, a: a.reshape(8, 40, 70).cumsum(1)),
    ("cumsum_long_axis", lambda lib, a: a.reshape(-1).cumsum(0)),  # too long for the product: NumPy's loop
])
def test_large_tensors_match_torch_with_the_tails(name, fn, dtype, backend):
    """Tensors of 22400 elements: erf and gelu in float32 run in blocks, cumsum along a short axis as a product;
    inputs from -8 to 8 reach erf's tails (1 to float32 beyond 4)."""
    helper_test_op([(320, 70)], fn, dtype=dtype, device=backend, low=-8.0, high=8.0)


def test_cumsum_with_inf_or_nan_takes_the_loop():
    a = np.random.default_rng(0).normal(size=(100, 70)).astype(np.float32)
    a[3, 5], a[7, 1], a[9, 60] = np.inf, np.nan, -np.inf  # 0 · inf would be nan in a product: torch gives inf
    ours, theirs = vg.tensor(a).cumsum(1).numpy(), torch.tensor(a).cumsum(1).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert np.isinf(ours[3, 5:]).all() and np.isfinite(ours[3, :5]).all()


def test_erf_is_accurate_in_float64_and_float32():
    import math

    x = np.concatenate([np.linspace(-7, 7, 20001), np.geomspace(1e-300, 1.0, 200), [0.0, 6.0, -6.5]])
    expected = np.array([math.erf(v) for v in x])
    ours = vg.erf(vg.tensor(x)).numpy()
    np.testing.assert_allclose(ours, expected, rtol=4e-15, atol=0)
    x32 = x[np.abs(x) > 1e-37].astype(np.float32)  # computed in float32 (its last steps in float64): within
                                                    # 2 ulps (of normal numbers: denormals have fewer digits)
    expected32 = np.array([math.erf(float(v)) for v in x32])
    ours32 = vg.erf(vg.tensor(x32)).numpy()
    assert ours32.dtype == np.float32
    np.testing.assert_allclose(ours32, expected32, rtol=2.4e-7, atol=0)
    assert np.isnan(vg.erf(vg.tensor([float("nan")])).item())
    assert vg.erf(vg.tensor([float("inf"), -float("inf")])).tolist() == [1.0, -1.0]


# --- errors: torch's exception types, with both shapes or the fix --------------------------------

ERROR_CASES = [
    ("masked_fill_bad_mask", lambda lib, x: x.masked_fill(lib.ones(4, 3) > 0, 0.0)),
    ("masked_fill_float_mask", lambda lib, x: x.masked_fill(lib.ones(3, 4), 0.0)),
    ("masked_fill_vector_value", lambda lib, x: x.masked_fill(x > 0, lib.ones(2))),
    ("masked_fill_inplace_mask_grows", lambda lib, x: x.masked_fill_(lib.ones(2, 3, 4) > 0, 0.0)),
    ("gather_dims", lambda lib, x: x.gather(1, _idx(lib, [0, 1]))),
    ("gather_out_of_bounds", lambda lib, x: x.gather(1, _idx(lib, [[5]]))),
    ("gather_index_too_big", lambda lib, x: x.gather(1, _idx(lib, [[0]] * 5))),
    ("gather_float_index", lambda lib, x: x.gather(1, lib.tensor([[0.0]]))),
    ("index_select_matrix", lambda lib, x: x.index_select(1, _idx(lib, [[0]]))),
    ("tril_vector", lambda lib, x: lib.tril(x[0])),
    ("one_hot_too_big", lambda lib, x: F(lib).one_hot(_idx(lib, [0, 3]), 3)),
    ("one_hot_negative", lambda lib, x: F(lib).one_hot(_idx(lib, [0, -1]), 3)),
    ("one_hot_float", lambda lib, x: F(lib).one_hot(lib.tensor([0.0, 1.0]), 3)),
    ("prod_tuple", lambda lib, x: x.prod((0, 1))),
    ("std_int", lambda lib, x: x.long().std()),
    ("std_unbiased_and_correction", lambda lib, x: lib.std(x, 0, True, correction=1)),
    ("einsum_sizes", lambda lib, x: lib.einsum("ij,jk->ik", x, x)),
    ("einsum_too_few", lambda lib, x: lib.einsum("ij,jk", x)),
    ("gelu_approximate", lambda lib, x: F(lib).gelu(x, approximate="foo")),
    ("outer_matrix", lambda lib, x: lib.outer(x, x)),
    ("index_add_shape", lambda lib, x: x.index_add(0, _idx(lib, [0]), lib.ones(1, 3))),
    ("cumsum_no_dim", lambda lib, x: x.cumsum()),
    ("logsumexp_no_dim", lambda lib, x: x.logsumexp()),
]


@pytest.mark.parametrize("fn", [fn for _, fn in ERROR_CASES], ids=[name for name, _ in ERROR_CASES])
def test_errors_have_torchs_type(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch, torch.randn(3, 4))
    with pytest.raises(type(theirs.value)) as ours:
        fn(vg, vg.randn(3, 4))
    assert str(ours.value), "an empty message teaches nothing"


EINSUM_ERRORS = [
    ("....ij", [(2, 3)]), ("..ij", [(2, 3)]), ("...i...", [(2, 3)]), ("i.j", [(2, 3)]),
    ("...ij->...i...", [(2, 3)]), ("ij->i.", [(2, 3)]), ("ij -> j . k", [(2, 3)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (5, 4, 6)]),  # ellipsis dims that do not broadcast
    ("ij,ij->ij", [(3, 2), (3, 4)]), ("ii", [(2, 3)]), ("ij->ii", [(2, 3)]), ("ij->k", [(2, 3)]),
    ("...ij", [(3,)]), ("i", [(2, 3)]), ("ij->j->i", [(2, 3)]), ("i j , j? k", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3)]), ("ij", [(2, 3), (3, 4)]), ("...i->", [()]),
]


@pytest.mark.parametrize("equation, shapes", EINSUM_ERRORS, ids=[e for e, _ in EINSUM_ERRORS])
def test_einsum_bad_equations_raise_torchs_error(equation, shapes):
    with pytest.raises(Exception) as theirs:
        torch.einsum(equation, *[torch.ones(s) for s in shapes])
    with pytest.raises(type(theirs.value)) as ours:
        vg.einsum(equation, *[vg.ones(s) for s in shapes])
    assert str(ours.value) == str(theirs.value).split("\n")[0]


def test_masked_fill_error_shows_both_shapes():
    with pytest.raises(RuntimeError, match=r"\[3, 4\].*\[4, 3\]"):
        vg.randn(3, 4).masked_fill(vg.ones(4, 3) > 0, 0.0)


def test_batched_matmul_shape_error_names_both_shapes():
    with pytest.raises(RuntimeError, match="2x3x4 and 2x5x6"):
        vg.randn(2, 3, 4) @ vg.randn(2, 5, 6)
