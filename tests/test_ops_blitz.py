"""The API of PyTorch's 60-minute blitz and its neighbours, against torch: ``out=``, ``new_*``, ``type(...)``,
elementwise extras, the binary cross-entropy losses, indexing helpers.

One op case = one line of ``CASES``, as in test_ops_oracle.py (whose coverage test reads these cases too).
"""
import contextlib
import io
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import graphviz_grad as vg
import graphviz_grad.nn.functional as VF
from conftest import assert_close, gradcheck_case, helper_test_op


def case(name, shapes, fn, torch_fn=None, **opts):
    return pytest.param(shapes, fn, torch_fn, opts, id=name)


def F(lib):
    return TF if lib is torch else VF


POS = {"low": 0.5, "high": 2.0}

CASES = [
    # --- step functions: zero gradient, as torch ---
    case("sign", [(3, 4)], lambda lib, a: lib.sign(a) * a),
    case("sign_method_zero_nan", [(4,)], lambda lib, a: a.sign(), vals=[[0.0, -0.0, float("nan"), -3.0]]),
    case("floor", [(3, 4)], lambda lib, a: lib.floor(a * 3) + a),
    case("ceil", [(3, 4)], lambda lib, a: a.ceil() * a),
    case("trunc", [(3, 4)], lambda lib, a: lib.trunc(a * 3)),
    case("fix", [(3, 4)], lambda lib, a: a.fix()),
    case("round", [(3, 4)], lambda lib, a: lib.round(a * 3)),
    case("round_half_even", [(6,)], lambda lib, a: a.round(), vals=[[0.5, 1.5, 2.5, -0.5, -1.5, 2.4]]),
    case("round_decimals", [(3, 4)], lambda lib, a: lib.round(a * 30, decimals=1) * a),
    case("round_decimals_negative", [(3, 4)], lambda lib, a: (a * 300).round(decimals=-1)),
    case("frac", [(3, 4)], lambda lib, a: lib.frac(a * 3)),
    case("exp2", [(3, 4)], lambda lib, a: lib.exp2(a)),
    case("exp2_method", [(3, 4)], lambda lib, a: a.exp2() * a),
    # --- remainders ---
    case("fmod_scalar", [(3, 4)], lambda lib, a: lib.fmod(a * 3, 1.5)),
    case("fmod_tensor", [(3, 4), (3, 4)], lambda lib, a, b: lib.fmod(a * 3, b), **POS),
    case("fmod_negative", [(3, 4), (4,)], lambda lib, a, b: (-a * 3).fmod(b), **POS),
    case("remainder_scalar", [(3, 4)], lambda lib, a: lib.remainder(a * 3, 1.5)),
    case("remainder_tensor_broadcast", [(3, 4), (4,)], lambda lib, a, b: lib.remainder(a * 3 - 3, b), **POS),
    case("mod_operator", [(3, 4)], lambda lib, a: (a * 3) % 2),
    case("mod_negative_divisor", [(3, 4)], lambda lib, a: (a * 3) % -2),
    # --- lerp, mv, addmm ---
    case("lerp_scalar_weight", [(3, 4), (3, 4)], lambda lib, a, b: lib.lerp(a, b, 0.3)),
    case("lerp_tensor_weight", [(3, 4), (3, 4), (4,)], lambda lib, a, b, w: a.lerp(b, w)),
    case("mv", [(3, 4), (4,)], lambda lib, m, v: lib.mv(m, v)),
    case("mv_method", [(3, 4), (4,)], lambda lib, m, v: m.mv(v)),
    case("addmm", [(3, 5), (3, 4), (4, 5)], lambda lib, i, a, b: lib.addmm(i, a, b)),
    case("addmm_bias_row", [(5,), (3, 4), (4, 5)], lambda lib, i, a, b: lib.addmm(i, a, b, beta=0.5, alpha=2.0)),
    case("addmm_method", [(3, 5), (3, 4), (4, 5)], lambda lib, i, a, b: i.addmm(a, b, alpha=-1)),
    # --- binary cross-entropy ---
    case("bce", [(4, 3), (4, 3)], lambda lib, p, y: F(lib).binary_cross_entropy(p, y), low=0.05, high=0.95),
    case("bce_of_sigmoid", [(4, 3), (4, 3)], lambda lib, x, y: F(lib).binary_cross_entropy(x.sigmoid(), y.sigmoid())),
    case("bce_weight_sum", [(4, 3), (4, 3), (3,)],
         lambda lib, p, y, w: F(lib).binary_cross_entropy(p, y, weight=w.detach(), reduction="sum"), low=0.05, high=0.95),
    case("bce_none", [(5,), (5,)], lambda lib, p, y: F(lib).binary_cross_entropy(p, y, reduction="none"),
         low=0.05, high=0.95),
    case("bce_saturated", [(4,), (4,)], lambda lib, p, y: F(lib).binary_cross_entropy(p, y, reduction="none"),
         vals=[[0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]]),
    case("bce_module", [(4, 1), (4, 1)], lambda lib, p, y: lib.nn.BCELoss()(p, y), low=0.05, high=0.95),
    case("bce_with_logits", [(4, 3), (4, 3)], lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(x, y.sigmoid())),
    case("bce_with_logits_pos_weight", [(4, 3), (4, 3), (3,)],
         lambda lib, x, y, pw: F(lib).binary_cross_entropy_with_logits(x * 5, y.sigmoid(), pos_weight=pw.detach().exp())),
    case("bce_with_logits_weight_none", [(4, 3), (4, 3), (4, 1)],
         lambda lib, x, y, w: F(lib).binary_cross_entropy_with_logits(x, y.sigmoid(), weight=w.detach(), reduction="none")),
    case("bce_with_logits_large", [(4,), (4,)],
         lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(x, y, reduction="none"),
         vals=[[100.0, -100.0, 30.0, -1e4], [0.0, 1.0, 1.0, 0.5]]),
    case("bce_with_logits_module", [(4, 3), (4, 3), (3,)],
         lambda lib, x, y, pw: lib.nn.BCEWithLogitsLoss(pos_weight=pw.detach().exp(), reduction="sum")(x, y.sigmoid())),
    # --- indexing and shape ---
    case("masked_select", [(3, 4)], lambda lib, a: lib.masked_select(a, a > 0)),
    case("masked_select_broadcast", [(3, 4), (4,)], lambda lib, a, m: a.masked_select(m > 0)),
    case("narrow", [(3, 4)], lambda lib, a: a.narrow(1, 1, 2)),
    case("narrow_negative_start", [(3, 4)], lambda lib, a: lib.narrow(a, 0, -2, 2)),
    case("select", [(3, 4)], lambda lib, a: a.select(1, -1)),
    case("select_function", [(2, 3, 4)], lambda lib, a: lib.select(a, 0, 1)),
    case("movedim", [(2, 3, 4)], lambda lib, a: lib.movedim(a, 0, -1)),
    case("movedim_tuples", [(2, 3, 4, 5)], lambda lib, a: a.movedim((0, 1), (2, 0))),
    case("moveaxis", [(2, 3, 4)], lambda lib, a: lib.moveaxis(a, 2, 0)),
    case("tile", [(2, 3)], lambda lib, a: lib.tile(a, (2, 2))),
    case("tile_short_dims", [(2, 3)], lambda lib, a: a.tile((3,))),
    case("tile_long_dims", [(3,)], lambda lib, a: lib.tile(a, (2, 1, 2))),
    case("broadcast_to", [(3, 1)], lambda lib, a: lib.broadcast_to(a, (2, 3, 4))),
    case("meshgrid_ij", [(3,), (2,)], lambda lib, a, b: lib.meshgrid(a, b, indexing="ij")),
    case("meshgrid_xy_three", [(3,), (2,), (4,)], lambda lib, a, b, c: lib.meshgrid([a, b, c], indexing="xy")),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_op_matches_torch(shapes, fn, torch_fn, opts, dtype, backend):
    helper_test_op(shapes, fn, torch_fn, dtype=dtype, device=backend, **opts)


DETACHED_INPUT = {"bce_weight_sum", "bce_with_logits_pos_weight", "bce_with_logits_weight_none",
                  "bce_with_logits_module"}  # weights torch refuses to differentiate: finite differences see them
DIFFERENTIABLE = [p for p in CASES if "vals" not in p.values[3] and p.id not in DETACHED_INPUT]


@pytest.mark.parametrize("shapes, fn, torch_fn, opts", DIFFERENTIABLE)
def test_gradcheck_op(shapes, fn, torch_fn, opts, backend):
    gradcheck_case(shapes, fn, opts, backend)


def _same(fn):
    """``fn(lib)`` under torch and graphviz_grad: the same values, dtypes and shapes (tensors, tuples, numbers)."""
    theirs, ours = fn(torch), fn(vg)
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            assert_close(o, t)
    else:
        assert_close(ours, theirs)


# --- out= -------------------------------------------------------------------------------------------------

OUT_CALLS = [
    ("add", lambda lib, o: lib.add(lib.ones(2, 2), lib.arange(2.0), out=o)),
    ("add_alpha", lambda lib, o: lib.add(lib.ones(2, 2), 3, alpha=2, out=o)),
    ("sub", lambda lib, o: lib.sub(lib.ones(2, 2), 3, out=o)),
    ("mul", lambda lib, o: lib.mul(lib.ones(2, 2), lib.full((2, 2), 3.0), out=o)),
    ("div", lambda lib, o: lib.div(lib.ones(2, 2), 3, out=o)),
    ("matmul", lambda lib, o: lib.matmul(lib.ones(2, 3), lib.ones(3, 2), out=o)),
    ("mm", lambda lib, o: lib.mm(lib.ones(2, 3), lib.ones(3, 2), out=o)),
    ("cat", lambda lib, o: lib.cat([lib.ones(1, 2), lib.zeros(1, 2)], out=o)),
]


@pytest.mark.parametrize("fn", [f for _, f in OUT_CALLS], ids=[n for n, _ in OUT_CALLS])
@pytest.mark.parametrize("out_shape, out_dtype", [((2, 2), "float32"), ((0,), "float32"), ((2, 2), "float64")])
def test_out_writes_into_and_returns_out(fn, out_shape, out_dtype):
    if out_dtype == "float64" and fn in (OUT_CALLS[5][1], OUT_CALLS[6][1]):
        pytest.skip("the matrix products want an out of the result's dtype (tested with the errors)")
    results = []
    for lib in (torch, vg):
        out = lib.full(out_shape, 7.0, dtype=getattr(lib, out_dtype))
        r = fn(lib, out)
        assert r is out
        results.append(out)
    assert_close(results[1], results[0])


def test_out_resizes_a_tensor_of_another_shape_with_torchs_warning():
    for lib in (torch, vg):
        out = lib.zeros(5)
        with pytest.warns(UserWarning, match="was resized since it had shape"):
            lib.add(lib.ones(2, 2), 1, out=out)
        assert tuple(out.shape) == (2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vg.add(vg.ones(2), 1, out=vg.empty(0))  # an empty out is resized silently


OUT_ERRORS = [
    ("grad_input", lambda lib: lib.mul(lib.ones(2, requires_grad=True), 2, out=lib.empty(2))),
    ("grad_out", lambda lib: lib.add(lib.ones(2), 1, out=lib.empty(2, requires_grad=True))),
    ("grad_in_cat_list", lambda lib: lib.cat([lib.ones(2), lib.ones(2, requires_grad=True)], out=lib.empty(4))),
    ("grad_matmul", lambda lib: lib.matmul(lib.ones(2, 2, requires_grad=True), lib.ones(2, 2), out=lib.empty(2, 2))),
    ("float_into_long", lambda lib: lib.add(lib.ones(2), 1, out=lib.empty(2, dtype=lib.int64))),
    ("int_into_bool", lambda lib: lib.add(lib.ones(2, dtype=lib.int64), 1, out=lib.empty(2, dtype=lib.bool))),
    ("mm_out_of_another_dtype", lambda lib: lib.mm(lib.ones(2, 2), lib.ones(2, 2), out=lib.empty(2, 2, dtype=lib.int64))),
    ("matmul_out_double", lambda lib: lib.matmul(lib.ones(2, 2), lib.ones(2, 2), out=lib.empty(2, 2, dtype=lib.float64))),
    ("cat_float_into_long", lambda lib: lib.cat([lib.ones(2)], out=lib.empty(2, dtype=lib.int64))),
    ("out_not_tensor", lambda lib: lib.add(lib.ones(2), 1, out=[0.0, 0.0])),
]


@pytest.mark.parametrize("fn", [f for _, f in OUT_ERRORS], ids=[n for n, _ in OUT_ERRORS])
def test_out_errors_are_torchs(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(vg)
    if not isinstance(theirs.value, ValueError) and "argument 'out'" not in str(theirs.value):
        assert str(ours.value) == str(theirs.value)


def test_out_under_no_grad_takes_inputs_that_require_grad():
    _same(lambda lib: _no_grad_mul(lib))


def _no_grad_mul(lib):
    with lib.no_grad():
        return lib.mul(lib.ones(2, requires_grad=True), 2, out=lib.empty(2))


# --- new_*, type() ------------------------------------------------------------------------------------------

NEW_CALLS = [
    ("new_ones", lambda lib, x: x.new_ones(2, 3)),
    ("new_ones_tuple", lambda lib, x: x.new_ones((2, 3))),
    ("new_zeros_dtype", lambda lib, x: x.new_zeros([2], dtype=lib.float64)),
    ("new_zeros_0d", lambda lib, x: x.new_zeros(())),
    ("new_empty_shape", lambda lib, x: x.new_empty(2, 3).shape),
    ("new_full_float_into_int", lambda lib, x: x.new_full((2,), 3.5)),
    ("new_full_dtype", lambda lib, x: x.new_full((2, 1), 3, dtype=lib.float32)),
    ("new_tensor", lambda lib, x: x.new_tensor([1.5, 2.5])),
    ("new_tensor_dtype", lambda lib, x: x.new_tensor([[1, 2]], dtype=lib.int32)),
    ("new_ones_requires_grad", lambda lib, x: x.float().new_ones(2, requires_grad=True).requires_grad),
]


@pytest.mark.parametrize("fn", [f for _, f in NEW_CALLS], ids=[n for n, _ in NEW_CALLS])
@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_new_methods_take_the_tensors_dtype(fn, dtype):
    theirs = fn(torch, torch.tensor([1, 2], dtype=getattr(torch, dtype)))
    ours = fn(vg, vg.tensor([1, 2], dtype=getattr(vg, dtype)))
    if isinstance(theirs, torch.Tensor):
        assert_close(ours, theirs)
    else:
        assert tuple(ours) == tuple(theirs) if isinstance(theirs, torch.Size) else ours == theirs


TYPE_CALLS = [
    ("DoubleTensor", lambda lib, x: x.type(lib.DoubleTensor)),
    ("LongTensor", lambda lib, x: x.type(lib.LongTensor)),
    ("FloatTensor", lambda lib, x: x.double().type(lib.FloatTensor)),
    ("string", lambda lib, x: x.type("torch.IntTensor")),
    ("dtype", lambda lib, x: x.type(lib.float16)),
    ("name", lambda lib, x: [x.type(), x.long().type(), x.to(lib.int8).type(), x.bool().type(), x.half().type()]),
]


@pytest.mark.parametrize("fn", [f for _, f in TYPE_CALLS], ids=[n for n, _ in TYPE_CALLS])
def test_type_converts_as_torch(fn):
    theirs, ours = fn(torch, torch.tensor([1.5, -2.0])), fn(vg, vg.tensor([1.5, -2.0]))
    if isinstance(theirs, list):
        assert ours == theirs
    else:
        assert_close(ours, theirs)


def test_type_of_an_unknown_name_is_a_value_error():
    for lib in (torch, vg):
        with pytest.raises(ValueError, match="invalid type"):
            lib.ones(2).type("torch.FooTensor")


# --- the blitz's "Tensors" page, as written ----------------------------------------------------------------

BLITZ_TENSORS = '''
import numpy as np

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)
print(x_data, x_np)
x_ones = torch.ones_like(x_data)  # retains the properties of x_data
print(f"Ones Tensor: \\n {x_ones} \\n")
x_rand = torch.rand_like(x_data, dtype=torch.float)  # overrides the datatype of x_data
print(f"Random Tensor: \\n {x_rand.shape} {x_rand.dtype} \\n")

shape = (2, 3,)
rand_tensor = torch.rand(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)
print(f"Random Tensor: \\n {rand_tensor.shape} \\n")
print(f"Ones Tensor: \\n {ones_tensor} \\n")
print(f"Zeros Tensor: \\n {zeros_tensor}")

tensor = torch.rand(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")
if torch.accelerator.is_available():
    tensor = tensor.to(torch.accelerator.current_accelerator())

tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
print(tensor)

t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1)

# This computes the matrix multiplication between two tensors. y1, y2, y3 will have the same value
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)
print(y1, y2, y3)

# This computes the element-wise product. z1, z2, z3 will have the same value
z1 = tensor * tensor
z2 = tensor.mul(tensor)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)
print(z1, z2, z3)

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))

print(f"{tensor} \\n")
tensor.add_(5)
print(tensor)

t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")

n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")
'''


def _printed(lib, program):
    lib.manual_seed(0)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(program, {"torch": lib, "__name__": "__blitz__"})
    return re.sub(r"\bgraphviz_grad\b", "torch", buffer.getvalue())


def test_the_blitz_tensors_page_prints_what_torch_prints():
    """The page's code as written (random values printed by shape only): the same printout, line by line."""
    ours, theirs = _printed(vg, BLITZ_TENSORS), _printed(torch, BLITZ_TENSORS)
    assert ours.splitlines() == theirs.splitlines()


# --- elementwise: dtypes and errors -------------------------------------------------------------------------

INT_CALLS = [
    ("nonzero", lambda lib: lib.tensor([[0.0, 1.5], [2.0, 0.0]]).nonzero()),
    ("nonzero_as_tuple", lambda lib: lib.nonzero(lib.tensor([[0, 1], [2, 0]]), as_tuple=True)),
    ("nonzero_0d", lambda lib: lib.nonzero(lib.tensor(3.0))),
    ("nonzero_0d_tuple", lambda lib: lib.tensor(3.0).nonzero(as_tuple=True)),
    ("nonzero_none", lambda lib: lib.zeros(2, 3).nonzero()),
    ("count_nonzero", lambda lib: lib.count_nonzero(lib.tensor([[0.0, 1.5], [2.0, 0.0]]))),
    ("count_nonzero_dim", lambda lib: lib.tensor([[0, 1], [2, 3]]).count_nonzero(dim=0)),
    ("count_nonzero_dims", lambda lib: lib.count_nonzero(lib.tensor([[[0, 1], [2, 3]]]), dim=(0, 2))),
    ("logspace", lambda lib: lib.logspace(0, 2, 3)),
    ("logspace_base", lambda lib: lib.logspace(-1, 2, 4, base=2)),
    ("logspace_dtype", lambda lib: lib.logspace(0, 2, 3, dtype=lib.float64)),
    ("logspace_int", lambda lib: lib.logspace(0, 2, 3, dtype=lib.int64)),
    ("unique", lambda lib: lib.unique(lib.tensor([3, 1, 2, 3, 1]))),
    ("unique_inverse_counts", lambda lib: lib.unique(lib.tensor([[3, 1], [2, 3]]), return_inverse=True,
                                                     return_counts=True)),
    ("unique_counts_float", lambda lib: lib.tensor([1.5, -1.0, 1.5]).unique(return_counts=True)),
    ("bincount", lambda lib: lib.bincount(lib.tensor([0, 1, 1, 3]))),
    ("bincount_weights_minlength", lambda lib: lib.tensor([0, 1, 1]).bincount(lib.tensor([0.5, 1.0, 2.0]), 4)),
    ("bincount_weights_double", lambda lib: lib.bincount(lib.tensor([2, 0]), lib.tensor([1.0, 2.0], dtype=lib.float64))),
    ("bincount_int_weights", lambda lib: lib.bincount(lib.tensor([2, 0]), lib.tensor([1, 2]))),
    ("bincount_empty", lambda lib: lib.bincount(lib.tensor([], dtype=lib.int64))),
    ("floor_int", lambda lib: lib.floor(lib.tensor([1, -2]))),
    ("ceil_int", lambda lib: lib.tensor([1, -2]).ceil()),
    ("round_int", lambda lib: lib.round(lib.tensor([1, -2]))),
    ("sign_int", lambda lib: lib.sign(lib.tensor([3, 0, -2]))),
    ("sign_bool", lambda lib: lib.sign(lib.tensor([True, False]))),
    ("exp2_int", lambda lib: lib.exp2(lib.tensor([1, 3]))),
    ("fmod_int", lambda lib: lib.fmod(lib.tensor([5, -5]), 3)),
    ("remainder_int", lambda lib: lib.remainder(lib.tensor([5, -5]), 3)),
    ("rmod_int", lambda lib: -5 % lib.tensor([3, -3])),
    ("mod_int_by_float", lambda lib: lib.tensor([1, 2]) % 1.5),
    ("fmod_by_zero_float", lambda lib: lib.fmod(lib.tensor([5.0, -5.0]), lib.tensor([0.0]))),
    ("addmm_beta_0_ignores_nan", lambda lib: lib.addmm(lib.full((2,), float("nan")), lib.ones(2, 2), lib.ones(2, 2),
                                                       beta=0)),
    ("addmm_out", lambda lib: lib.addmm(lib.ones(2), lib.ones(2, 2), lib.ones(2, 2), out=lib.empty(0))),
    ("lerp_tensor_0d_weight", lambda lib: lib.lerp(lib.ones(2), lib.zeros(2), lib.tensor(0.3))),
]


@pytest.mark.parametrize("fn", [f for _, f in INT_CALLS], ids=[n for n, _ in INT_CALLS])
def test_elementwise_values_and_dtypes_as_torch(fn):
    _same(fn)


ERROR_CASES = [
    ("bincount_negative", lambda lib: lib.bincount(lib.tensor([-1]))),
    ("bincount_float", lambda lib: lib.bincount(lib.tensor([1.0]))),
    ("bincount_2d", lambda lib: lib.bincount(lib.tensor([[1]]))),
    ("narrow_too_long", lambda lib: lib.narrow(lib.ones(2, 2), 0, 1, 5)),
    ("narrow_bad_start", lambda lib: lib.ones(2, 2).narrow(0, 3, 0)),
    ("select_out_of_range", lambda lib: lib.ones(2, 2).select(0, 5)),
    ("meshgrid_indexing", lambda lib: lib.meshgrid(lib.ones(2), lib.ones(2), indexing="foo")),
    ("tile_negative", lambda lib: lib.tile(lib.ones(2, 2), (-1,))),
    ("masked_select_shape", lambda lib: lib.masked_select(lib.ones(2, 2), lib.ones(3, dtype=lib.bool))),
    ("masked_select_float_mask", lambda lib: lib.masked_select(lib.ones(2, 2), lib.ones(2))),
    ("movedim_lengths", lambda lib: lib.movedim(lib.ones(2, 2), (0, 1), (1,))),
    ("broadcast_to_shape", lambda lib: lib.broadcast_to(lib.ones(3), (2, 2))),
    ("bce_input_above_1", lambda lib: F(lib).binary_cross_entropy(lib.tensor([1.5]), lib.tensor([1.0]))),
    ("bce_input_nan", lambda lib: F(lib).binary_cross_entropy(lib.tensor([float("nan")]), lib.tensor([1.0]))),
    ("bce_target_above_1", lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5]), lib.tensor([2.0]))),
    ("bce_target_shape", lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5, 0.5]), lib.ones(2, 1))),
    ("bce_target_long", lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5]), lib.tensor([1]))),
    ("bce_weight_shape", lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5, 0.2]), lib.tensor([1.0, 0.0]),
                                                                 weight=lib.ones(3))),
    ("bce_weight_requires_grad", lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5]), lib.tensor([1.0]),
                                                                         weight=lib.ones(1, requires_grad=True))),
    ("bce_pos_weight_requires_grad", lambda lib: F(lib).binary_cross_entropy_with_logits(
        lib.ones(1), lib.ones(1), pos_weight=lib.ones(1, requires_grad=True))),
    ("bce_reduction", lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5]), lib.tensor([1.0]), reduction="foo")),
    ("bce_logits_target_shape", lambda lib: F(lib).binary_cross_entropy_with_logits(lib.ones(2), lib.ones(2, 1))),
    ("bce_logits_target_long", lambda lib: F(lib).binary_cross_entropy_with_logits(lib.ones(1), lib.tensor([1]))),
    ("frac_int", lambda lib: lib.frac(lib.tensor([1, 2]))),
    ("round_decimals_int", lambda lib: lib.round(lib.tensor([1, 2]), decimals=1)),
    ("fmod_int_by_zero", lambda lib: lib.fmod(lib.tensor([5]), 0)),
    ("remainder_int_by_zero", lambda lib: lib.tensor([5]) % lib.tensor([0])),
    ("lerp_dtypes", lambda lib: lib.lerp(lib.ones(2), lib.ones(2, dtype=lib.float64), 0.5)),
    ("lerp_int", lambda lib: lib.lerp(lib.ones(2, dtype=lib.int64), lib.ones(2, dtype=lib.int64), 0.5)),
    ("mv_sizes", lambda lib: lib.mv(lib.ones(2, 3), lib.ones(2))),
    ("mv_matrix", lambda lib: lib.mv(lib.ones(2, 3), lib.ones(3, 1))),
    ("addmm_sizes", lambda lib: lib.addmm(lib.ones(2), lib.ones(2, 3), lib.ones(2, 3))),
    ("addmm_input_shape", lambda lib: lib.addmm(lib.ones(3), lib.ones(2, 3), lib.ones(3, 2))),
]


@pytest.mark.parametrize("fn", [f for _, f in ERROR_CASES], ids=[n for n, _ in ERROR_CASES])
def test_errors_are_torchs(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(vg)
    assert str(ours.value), "an empty message teaches nothing"
    if "bce" in str(fn.__code__.co_consts) or "binary" in fn.__code__.co_names:
        assert str(ours.value) == str(theirs.value).replace("torch.", "graphviz_grad.")


def test_meshgrid_without_indexing_warns_as_torch():
    for lib in (torch, vg):
        with pytest.warns(UserWarning, match="indexing argument"):
            lib.meshgrid(lib.ones(2), lib.ones(3))


def test_bce_modules_keep_their_weights_as_buffers():
    for lib in (torch, vg):
        assert list(lib.nn.BCELoss().state_dict()) == []
        m = lib.nn.BCEWithLogitsLoss(weight=lib.ones(2), pos_weight=lib.ones(2))
        assert list(m.state_dict()) == ["weight", "pos_weight"]


GRAD_FN_CASES = [
    ("sign", lambda lib, x: x.sign()), ("floor", lambda lib, x: x.floor()), ("round", lambda lib, x: x.round()),
    ("round_decimals", lambda lib, x: x.round(decimals=2)), ("frac", lambda lib, x: x.frac()),
    ("exp2", lambda lib, x: x.exp2()), ("fmod_tensor", lambda lib, x: lib.fmod(x, x)),
    ("remainder_tensor", lambda lib, x: lib.remainder(x, x)),
]


@pytest.mark.parametrize("fn", [f for _, f in GRAD_FN_CASES], ids=[n for n, _ in GRAD_FN_CASES])
def test_grad_fn_name_is_torchs(fn):
    theirs = fn(torch, torch.ones(2, requires_grad=True)).grad_fn
    ours = fn(vg, vg.ones(2, requires_grad=True)).grad_fn
    assert ours.grad_fn_name() == type(theirs).__name__
