"""sort, argsort, topk, cumprod, isclose, nan_to_num, logit and the in-place unary methods against torch.

One op case = one line of ``CASES`` (read by test_ops_oracle.py's coverage test too): values, indices and
gradients in float32 and float64, finite-difference gradcheck in float64, errors with torch's types.
"""
import numpy as np
import pytest
import torch

import graphviz_grad as vg
from conftest import gradcheck_case, helper_test_op
from test_ops_lessons import POS, case

NAN, INF = float("nan"), float("inf")
TIES = [[[3.0, 1.0, 2.0, 1.0, 3.0], [0.0, 5.0, 5.0, -1.0, 5.0], [2.0, 2.0, 2.0, 2.0, 2.0]]]
WITH_ZEROS = [[[2.0, 0.0, 3.0, 0.0, 4.0], [1.5, -2.0, 0.0, 4.0, 0.5], [0.0, 1.0, 2.0, 3.0, 4.0]]]
NOT_FINITE = [[[NAN, INF, -INF, 1.5], [-2.0, NAN, 0.0, INF]]]
PROB = {"low": 0.05, "high": 0.95}

CASES = [
    # --- sort / argsort / topk: values, int64 indices, the gradient scattered back ---
    case("sort", [(3, 5)], lambda lib, a: a.sort()),
    case("sort_dim0_descending", [(4, 3)], lambda lib, a: lib.sort(a, 0, True)),
    case("sort_3d_middle_dim", [(2, 4, 3)], lambda lib, a: a.sort(dim=1, descending=True)),
    case("sort_fields", [(3, 5)], lambda lib, a: (a.sort(-1).values * 2, a.sort(-1).indices)),
    case("sort_stable_ties", [(3, 5)], lambda lib, a: a.sort(stable=True), vals=TIES),
    case("sort_stable_ties_descending", [(3, 5)], lambda lib, a: a.sort(descending=True, stable=True), vals=TIES),
    case("sort_stable_ties_dim0", [(3, 5)], lambda lib, a: lib.sort(a, dim=0, stable=True), vals=TIES),
    case("sort_nan_largest", [(2, 4)], lambda lib, a: (*a.sort(stable=True), *a.sort(descending=True, stable=True)),
         vals=NOT_FINITE),
    case("sort_int", [(3, 5)], lambda lib, a: (a * 3).long().sort(stable=True)),
    case("sort_bool", [(3, 5)], lambda lib, a: (a > 0).sort(descending=True, stable=True)),
    case("sort_zero_dim", [()], lambda lib, a: a.sort()),
    case("argsort", [(3, 5)], lambda lib, a: (a.argsort(), lib.argsort(a, 0, descending=True))),
    case("argsort_stable_ties", [(3, 5)], lambda lib, a: a.argsort(dim=1, descending=True, stable=True), vals=TIES),
    case("topk", [(3, 6)], lambda lib, a: a.topk(3)),
    case("topk_smallest_dim0", [(5, 4)], lambda lib, a: lib.topk(a, 2, dim=0, largest=False)),
    case("topk_all_and_none", [(2, 4)], lambda lib, a: (*a.topk(4), *a.topk(0))),
    case("topk_unsorted_as_a_set", [(3, 6)], lambda lib, a: a.topk(3, sorted=False).values.sort().values),
    case("topk_zero_dim", [()], lambda lib, a: a.topk(1)),
    case("topk_logits_sampling", [(2, 10)], lambda lib, a: a.masked_fill(a < a.topk(3).values[:, [-1]], -INF)
         .softmax(-1)),
    # --- cumprod ---
    case("cumprod", [(3, 5)], lambda lib, a: a.cumprod(1), **POS),
    case("cumprod_dim0_signed", [(4, 3)], lambda lib, a: lib.cumprod(a, 0)),
    case("cumprod_negative_dim", [(2, 3, 4)], lambda lib, a: a.cumprod(-2)),
    case("cumprod_zeros", [(3, 5)], lambda lib, a: (a.cumprod(1), a.cumprod(0)), vals=WITH_ZEROS),
    case("cumprod_int_and_dtype", [(3, 5)], lambda lib, a: ((a * 2).long().cumprod(1), a.cumprod(1, dtype=lib.float64))),
    case("cumprod_zero_dim", [()], lambda lib, a: a.cumprod(0)),
    # --- isclose / nan_to_num / logit ---
    case("isclose", [(3, 4), (3, 4)], lambda lib, a, b: (lib.isclose(a, a + 1e-6), a.isclose(b, atol=1.0),
                                                          lib.isclose(a, b, rtol=0.5, atol=0.0))),
    case("isclose_nan_inf", [(2, 4), (2, 4)], lambda lib, a, b: (lib.isclose(a, b), lib.isclose(a, b, equal_nan=True)),
         vals=NOT_FINITE * 2),
    case("isclose_broadcast", [(3, 4), (4,)], lambda lib, a, b: lib.isclose(a, b, atol=1.0)),
    case("nan_to_num", [(3, 4)], lambda lib, a: lib.nan_to_num(a)),
    case("nan_to_num_values", [(2, 4)], lambda lib, a: (a.nan_to_num(), a.nan_to_num(1.0, 2.0, -3.0),
                                                        lib.nan_to_num(a, posinf=9.0)), vals=NOT_FINITE),
    case("nan_to_num_int", [(3, 4)], lambda lib, a: (a * 3).long().nan_to_num()),
    case("nan_to_num_inplace", [(2, 4)], lambda lib, a: (a * 1).nan_to_num_(nan=7.0) * 0.5, vals=NOT_FINITE),
    case("logit", [(3, 4)], lambda lib, a: a.logit(), **PROB),
    case("logit_eps", [(3, 4)], lambda lib, a: (lib.logit(a, eps=0.2), lib.logit(a, 0.1)), **PROB),
    case("logit_special", [(3, 4)], lambda lib, a: lib.special.logit(a), **PROB),
    case("logit_outside", [(1, 6)], lambda lib, a: (a.logit(), a.logit(eps=0.25)),
         vals=[[[-0.5, 0.0, 0.1, 0.5, 1.0, 1.5]]]),
    # --- the in-place unary methods on a non-leaf: the op's gradient, as torch ---
    case("exp_", [(3, 4)], lambda lib, a: (a * 1).exp_()),
    case("log_", [(3, 4)], lambda lib, a: (a * 1).log_(), **POS),
    case("sqrt_", [(3, 4)], lambda lib, a: (a * 1).sqrt_(), **POS),
    case("tanh_", [(3, 4)], lambda lib, a: (a * 1).tanh_()),
    case("sigmoid_", [(3, 4)], lambda lib, a: (a * 1).sigmoid_()),
    case("sin_cos_", [(3, 4)], lambda lib, a: ((a * 1).sin_(), (a * 1).cos_())),
    case("abs_neg_", [(3, 4)], lambda lib, a: (a * 1).abs_().neg_()),
    case("pow_", [(3, 4)], lambda lib, a: ((a * 1).pow_(2), (a * 1).pow_(3.0), (a * 1).pow_(a * 0 + 2)), **POS),
    case("clamp_min_max_", [(3, 4)], lambda lib, a: ((a * 1).clamp_min_(0.0), (a * 1).clamp_max_(0.5))),
    case("logit_", [(3, 4)], lambda lib, a: ((a * 1).logit_(), (a * 1).logit_(0.2)), **PROB),
    case("inplace_then_more_math", [(3, 4)], lambda lib, a: ((a * 1).tanh_() * a).sum(1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_op_matches_torch(shapes, fn, torch_fn, opts, dtype, backend):
    helper_test_op(shapes, fn, torch_fn, dtype=dtype, device=backend, **opts)


NOT_FINITE_DIFFERENCES = {"topk_logits_sampling": "the mask moves with the values", "logit_outside": "nan, kinks"}
DIFFERENTIABLE = [p for p in CASES if "vals" not in p.values[3] and p.id not in NOT_FINITE_DIFFERENCES]


@pytest.mark.parametrize("shapes, fn, torch_fn, opts", DIFFERENTIABLE)
def test_gradcheck_op(shapes, fn, torch_fn, opts, backend):
    gradcheck_case(shapes, fn, opts, backend)


def test_gradcheck_cumprod_with_zeros():
    """Finite differences agree with the first-zero rule: one zero, two zeros, a zero first or last."""
    for values in WITH_ZEROS[0] + [[0.0, 0.0, 2.0], [3.0, 2.0, 0.0], [0.0]]:
        x = vg.tensor([values], dtype=vg.float64, requires_grad=True)
        assert vg.autograd.gradcheck(lambda t: t.cumprod(1), [x])


def test_gradcheck_sort_with_ties_follows_the_stable_order():
    x = vg.tensor(TIES[0], dtype=vg.float64, requires_grad=True)
    t = torch.tensor(TIES[0], dtype=torch.float64, requires_grad=True)
    g = np.arange(15.0).reshape(3, 5)
    x.sort(descending=True, stable=True).values.backward(vg.tensor(g))
    t.sort(descending=True, stable=True).values.backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_results_are_named_tuples_that_unpack():
    x = vg.tensor([[3.0, 1.0, 2.0]])
    values, indices = x.sort()
    assert x.sort().values.tolist() == values.tolist() == [[1.0, 2.0, 3.0]]
    assert x.topk(2).indices.tolist() == [[0, 2]] and indices.dtype == vg.int64
    assert vg.argsort(x).tolist() == indices.tolist()


def test_topk_ties_take_the_earliest_positions():
    """What we promise among equal values (PyTorch promises nothing): the earliest positions, in order."""
    assert vg.tensor([1.0, 5.0, 5.0, 5.0]).topk(2).indices.tolist() == [1, 2]
    assert vg.tensor([5.0, 1.0, 1.0]).topk(2, largest=False).indices.tolist() == [1, 2]


def test_topk_partition_picks_what_a_full_stable_sort_picks():
    """The linear-time selection agrees with the first k of a stable sort: ties, NaNs, every k, every dim."""
    from graphviz_grad.ops.sorting import sort_indices, top_indices

    rng = np.random.default_rng(1)
    for _ in range(300):
        shape = tuple(rng.integers(1, 6, size=rng.integers(1, 4)))
        a = rng.integers(0, 4, size=shape).astype(float)
        a[rng.random(shape) < 0.15] = NAN
        dim = int(rng.integers(0, len(shape)))
        k, largest = int(rng.integers(0, shape[dim] + 1)), bool(rng.integers(2))
        expected = np.take(sort_indices(a, dim, largest), range(k), axis=dim)
        np.testing.assert_array_equal(top_indices(a, dim, k, largest), expected)


def test_sort_without_graph_gives_the_same_indices():
    x = vg.tensor(TIES[0], requires_grad=True)
    with vg.no_grad():
        quiet = x.sort(descending=True, stable=True)
    loud = x.sort(descending=True, stable=True)
    assert quiet.indices.tolist() == loud.indices.tolist() and loud.values.requires_grad


GRAD_FN_CASES = [
    lambda lib, x: x.sort().values, lambda lib, x: x.sort(stable=True).values, lambda lib, x: x.topk(2).values,
    lambda lib, x: x.cumprod(1), lambda lib, x: x.nan_to_num(), lambda lib, x: x.logit(),
    lambda lib, x: lib.logit(x, eps=0.1), lambda lib, x: (x * 1).exp_(), lambda lib, x: (x * 1).sqrt_(),
    lambda lib, x: (x * 1).neg_(), lambda lib, x: (x * 1).pow_(2),
]


@pytest.mark.parametrize("fn", GRAD_FN_CASES)
def test_grad_fn_name_is_torchs(fn):
    values = np.random.default_rng(0).uniform(0.1, 0.9, (3, 4))
    theirs = fn(torch, torch.tensor(values, requires_grad=True))
    ours = fn(vg, vg.tensor(values, requires_grad=True))
    assert ours.grad_fn.grad_fn_name() == type(theirs.grad_fn).__name__


INPLACE = ["exp_", "log_", "sqrt_", "tanh_", "sigmoid_", "relu_", "abs_", "neg_", "sin_", "cos_", "logit_"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_on_a_leaf_that_requires_grad_is_refused(name):
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.rand(3, requires_grad=True), name)()
    with pytest.raises(RuntimeError) as ours:
        getattr(vg.rand(3, requires_grad=True), name)()
    assert str(theirs.value) in str(ours.value)


@pytest.mark.parametrize("name", INPLACE + ["pow_", "clamp_min_", "clamp_max_"])
def test_inplace_under_no_grad_writes_the_leaf_and_bumps_its_version(name):
    args = {"pow_": (2,), "clamp_min_": (0.5,), "clamp_max_": (0.5,)}.get(name, ())
    values = np.array([0.2, 0.6, 0.9])
    t, x = torch.tensor(values, requires_grad=True), vg.tensor(values, requires_grad=True)
    with torch.no_grad():
        assert getattr(t, name)(*args) is t
    with vg.no_grad():
        assert getattr(x, name)(*args) is x
    assert x._version_number == t._version == 1
    np.testing.assert_allclose(x.detach().numpy(), t.detach().numpy())


def test_inplace_on_a_saved_tensor_fails_at_backward_as_torchs():
    for lib in (torch, vg):
        a = lib.tensor([0.5, 2.0], requires_grad=True)
        b = a * 1
        c = b * b  # saves b
        b.exp_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            c.sum().backward()


ERROR_CASES = [
    ("topk_k_too_big", lambda lib, x: x.topk(5)),
    ("topk_k_negative", lambda lib, x: x.topk(-1)),
    ("topk_dim", lambda lib, x: x.topk(1, dim=2)),
    ("sort_dim", lambda lib, x: x.sort(2)),
    ("argsort_dim", lambda lib, x: lib.argsort(x, -3)),
    ("cumprod_no_dim", lambda lib, x: x.cumprod()),
    ("cumprod_dim", lambda lib, x: x.cumprod(2)),
    ("isclose_dtypes", lambda lib, x: lib.isclose(x, x.double())),
    ("isclose_number", lambda lib, x: lib.isclose(x, 1.0)),
    ("exp__int", lambda lib, x: x.long().exp_()),
    ("sqrt__int", lambda lib, x: x.long().sqrt_()),
    ("pow__int_float", lambda lib, x: x.long().pow_(0.5)),
    ("neg__bool", lambda lib, x: (x > 0).neg_()),
]


@pytest.mark.parametrize("fn", [fn for _, fn in ERROR_CASES], ids=[name for name, _ in ERROR_CASES])
def test_errors_have_torchs_type(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch, torch.randn(3, 4))
    with pytest.raises(type(theirs.value)) as ours:
        fn(vg, vg.randn(3, 4))
    assert str(ours.value).split(" (")[0] == str(theirs.value).split(" (")[0] or "Dimension" in str(ours.value) \
        or "missing" in str(ours.value)
