"""The activations and normalizations learners of transformers and feature maps reach for, against torch:
Hardswish, Hardsigmoid, Mish, SELU, CELU, PReLU, GLU, LogSigmoid, Softmin, Softsign, Softshrink, Hardshrink,
Tanhshrink, Threshold (functional and module forms, in-place forms), RMSNorm / rms_norm, GroupNorm / group_norm,
normalize, cosine_similarity / CosineSimilarity, pairwise_distance / PairwiseDistance, Unflatten / unflatten.

Values and gradients in float32 and float64, finite differences in float64, the gradients at the kinks, reprs,
attributes, errors and grad_fn names.

One op case = one line of ``CASES``, as in test_ops_oracle.py (whose coverage test reads these cases too).
"""
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


CASES = [
    # --- activations, functional ---
    case("hardswish", [(3, 4)], lambda lib, x: F(lib).hardswish(x * 2)),
    case("hardsigmoid", [(3, 4)], lambda lib, x: F(lib).hardsigmoid(x * 2)),
    case("mish", [(3, 4)], lambda lib, x: F(lib).mish(x * 3)),
    case("selu", [(3, 4)], lambda lib, x: F(lib).selu(x)),
    case("celu", [(3, 4)], lambda lib, x: F(lib).celu(x)),
    case("celu_alpha", [(3, 4)], lambda lib, x: F(lib).celu(x, alpha=0.5)),
    case("logsigmoid", [(3, 4)], lambda lib, x: F(lib).logsigmoid(x * 4)),
    case("softmin", [(3, 4)], lambda lib, x: F(lib).softmin(x, dim=1)),
    case("softmin_dtype", [(3, 4)], lambda lib, x: F(lib).softmin(x, 0, dtype=lib.float64)),
    case("softsign", [(3, 4)], lambda lib, x: F(lib).softsign(x)),
    case("softshrink", [(3, 4)], lambda lib, x: F(lib).softshrink(x)),
    case("softshrink_lambd", [(3, 4)], lambda lib, x: F(lib).softshrink(x, 1.3)),
    case("hardshrink", [(3, 4)], lambda lib, x: F(lib).hardshrink(x)),
    case("hardshrink_lambd", [(3, 4)], lambda lib, x: F(lib).hardshrink(x, lambd=1.1)),
    case("tanhshrink", [(3, 4)], lambda lib, x: F(lib).tanhshrink(x)),
    case("threshold", [(3, 4)], lambda lib, x: F(lib).threshold(x, 0.3, -5.0)),
    case("glu", [(3, 4)], lambda lib, x: F(lib).glu(x)),
    case("glu_dim0", [(4, 3)], lambda lib, x: F(lib).glu(x, 0)),
    case("prelu_one", [(2, 3, 4), (1,)], lambda lib, x, w: F(lib).prelu(x, w)),
    case("prelu_channels", [(2, 3, 4), (3,)], lambda lib, x, w: F(lib).prelu(x, w)),
    case("prelu_1d_input", [(5,), (1,)], lambda lib, x, w: F(lib).prelu(x, w)),
    case("prelu_scalar_weight", [(2, 3), ()], lambda lib, x, w: F(lib).prelu(x, w)),
    # --- activations, modules ---
    case("Hardswish", [(3, 4)], lambda lib, x: lib.nn.Hardswish()(x * 2)),
    case("Hardsigmoid", [(3, 4)], lambda lib, x: lib.nn.Hardsigmoid()(x * 2)),
    case("Mish", [(3, 4)], lambda lib, x: lib.nn.Mish()(x)),
    case("SELU", [(3, 4)], lambda lib, x: lib.nn.SELU()(x)),
    case("CELU", [(3, 4)], lambda lib, x: lib.nn.CELU(2.0)(x)),
    case("PReLU_module", [(2, 3, 4)], lambda lib, x: lib.nn.PReLU(3, init=0.1).to(x.dtype)(x)),
    case("GLU", [(2, 6)], lambda lib, x: lib.nn.GLU()(x)),
    case("LogSigmoid", [(3, 4)], lambda lib, x: lib.nn.LogSigmoid()(x)),
    case("Softmin", [(3, 4)], lambda lib, x: lib.nn.Softmin(dim=-1)(x)),
    case("Softsign", [(3, 4)], lambda lib, x: lib.nn.Softsign()(x)),
    case("Softshrink", [(3, 4)], lambda lib, x: lib.nn.Softshrink(0.2)(x)),
    case("Hardshrink", [(3, 4)], lambda lib, x: lib.nn.Hardshrink(0.2)(x)),
    case("Tanhshrink", [(3, 4)], lambda lib, x: lib.nn.Tanhshrink()(x)),
    case("Threshold", [(3, 4)], lambda lib, x: lib.nn.Threshold(0.1, 20.0)(x)),
    # --- normalizations ---
    case("rms_norm", [(2, 3, 4)], lambda lib, x: F(lib).rms_norm(x, (4,))),
    case("rms_norm_weight_eps", [(2, 3, 4), (3, 4)], lambda lib, x, w: F(lib).rms_norm(x, (3, 4), w, eps=1e-3)),
    case("RMSNorm", [(2, 3, 4)], lambda lib, x: lib.nn.RMSNorm(4).to(x.dtype)(x)),
    case("RMSNorm_no_affine", [(2, 3, 4)], lambda lib, x: lib.nn.RMSNorm([3, 4], 1e-2, False)(x)),
    case("group_norm", [(2, 6, 3)], lambda lib, x: F(lib).group_norm(x, 3)),
    case("group_norm_affine", [(2, 6, 3, 2), (6,), (6,)], lambda lib, x, w, b: F(lib).group_norm(x, 2, w, b)),
    case("group_norm_weight_eps", [(3, 4), (4,)], lambda lib, x, w: F(lib).group_norm(x, 2, w, eps=1e-2)),
    case("GroupNorm", [(2, 4, 3, 3)], lambda lib, x: lib.nn.GroupNorm(2, 4).to(x.dtype)(x)),
    case("GroupNorm_no_affine", [(2, 4, 5)], lambda lib, x: lib.nn.GroupNorm(4, 4, affine=False)(x)),
    case("normalize", [(3, 4)], lambda lib, x: F(lib).normalize(x)),
    case("normalize_p1_dim", [(2, 3, 4)], lambda lib, x: F(lib).normalize(x, p=1, dim=-1)),
    case("normalize_zero_row_eps", [(2, 3)], lambda lib, x: F(lib).normalize(x * 1e-13, eps=1e-12)),
    case("cosine_similarity", [(3, 4), (3, 4)], lambda lib, a, b: F(lib).cosine_similarity(a, b)),
    case("cosine_similarity_broadcast", [(2, 3, 4), (3, 1)],
         lambda lib, a, b: F(lib).cosine_similarity(a, b, dim=-1)),
    case("cosine_similarity_eps", [(3, 4), (3, 4)], lambda lib, a, b: F(lib).cosine_similarity(a * 1e-3, b, 0, 0.1)),
    case("CosineSimilarity", [(5, 3), (5, 3)], lambda lib, a, b: lib.nn.CosineSimilarity(dim=1)(a, b)),
    case("pairwise_distance", [(3, 4), (3, 4)], lambda lib, a, b: F(lib).pairwise_distance(a, b)),
    case("pairwise_distance_p1_keepdim", [(3, 4), (4,)],
         lambda lib, a, b: F(lib).pairwise_distance(a, b, p=1.0, keepdim=True)),
    case("PairwiseDistance", [(4,), (3, 4)], lambda lib, a, b: lib.nn.PairwiseDistance(p=3.0)(a, b)),
    # --- shapes ---
    case("unflatten", [(2, 6)], lambda lib, x: x.unflatten(1, (3, 2)) * 2),
    case("unflatten_infer", [(2, 6, 2)], lambda lib, x: lib.unflatten(x, -2, (-1, 3)).sum(2)),
    case("Unflatten", [(2, 12)], lambda lib, x: lib.nn.Unflatten(1, (2, 3, 2))(x).permute(0, 3, 2, 1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_op_matches_torch(shapes, fn, torch_fn, opts, dtype, backend):
    helper_test_op(shapes, fn, torch_fn, dtype=dtype, device=backend, **opts)


CLAMPED = {"cosine_similarity_eps"}  # norms clamped without grad, as torch: finite differences see the clamp
DIFFERENTIABLE = [p for p in CASES if "vals" not in p.values[3] and p.id not in CLAMPED]


@pytest.mark.parametrize("shapes, fn, torch_fn, opts", DIFFERENTIABLE)
def test_gradcheck_op(shapes, fn, torch_fn, opts, backend):
    gradcheck_case(shapes, fn, opts, backend)


# --- the kinks and the tails --------------------------------------------------------------------------------

EDGES = [[-30.0, -4.0, -3.0, -2.0, -1.0, -0.5, -0.0, 0.0, 0.3, 0.5, 1.0, 3.0, 4.0, 30.0, 100.0]]
KINKS = {
    "hardswish": lambda lib, x: F(lib).hardswish(x),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x),
    "mish": lambda lib, x: F(lib).mish(x),
    "selu": lambda lib, x: F(lib).selu(x),
    "celu": lambda lib, x: F(lib).celu(x, 0.5),
    "logsigmoid": lambda lib, x: F(lib).logsigmoid(x),
    "softshrink": lambda lib, x: F(lib).softshrink(x),
    "hardshrink": lambda lib, x: F(lib).hardshrink(x),
    "threshold": lambda lib, x: F(lib).threshold(x, 0.3, 7.0),
    "softsign": lambda lib, x: F(lib).softsign(x),
    "tanhshrink": lambda lib, x: F(lib).tanhshrink(x),
    "prelu": lambda lib, x: F(lib).prelu(x, lib.tensor([0.25], dtype=x.dtype)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(KINKS))
def test_gradients_at_the_kinks_are_torchs(name, dtype):
    helper_test_op(None, KINKS[name], dtype=dtype, vals=EDGES)


# --- grad_fn names ------------------------------------------------------------------------------------------

GRAD_FNS = {
    "hardswish": lambda lib, x: F(lib).hardswish(x), "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x),
    "mish": lambda lib, x: F(lib).mish(x), "logsigmoid": lambda lib, x: F(lib).logsigmoid(x),
    "softshrink": lambda lib, x: F(lib).softshrink(x), "hardshrink": lambda lib, x: F(lib).hardshrink(x),
    "threshold": lambda lib, x: F(lib).threshold(x, 0.1, 2.0), "glu": lambda lib, x: F(lib).glu(x),
    "prelu": lambda lib, x: F(lib).prelu(x, lib.tensor([0.25])), "softmin": lambda lib, x: F(lib).softmin(x, 0),
    "softsign": lambda lib, x: F(lib).softsign(x), "tanhshrink": lambda lib, x: F(lib).tanhshrink(x),
    "group_norm": lambda lib, x: F(lib).group_norm(x.reshape(2, 2), 1),
    "rms_norm": lambda lib, x: F(lib).rms_norm(x, (4,)), "normalize": lambda lib, x: F(lib).normalize(x, dim=0),
    "cosine_similarity": lambda lib, x: F(lib).cosine_similarity(x, x * 2, dim=0),
    "unflatten": lambda lib, x: x.unflatten(0, (2, 2)),
}


@pytest.mark.parametrize("name", list(GRAD_FNS))
def test_grad_fn_names_are_torchs(name):
    fn = GRAD_FNS[name]
    theirs = fn(torch, torch.ones(4, requires_grad=True)).grad_fn.name()
    ours = fn(vg, vg.ones(4, requires_grad=True)).grad_fn.grad_fn_name()
    assert ours == theirs


# --- in place -----------------------------------------------------------------------------------------------

INPLACE = {
    "relu_": lambda lib, x: F(lib).relu_(x),
    "elu_": lambda lib, x: F(lib).elu_(x, 0.5),
    "selu_": lambda lib, x: F(lib).selu_(x),
    "celu_": lambda lib, x: F(lib).celu_(x, 2.0),
    "leaky_relu_": lambda lib, x: F(lib).leaky_relu_(x, 0.2),
    "hardtanh_": lambda lib, x: F(lib).hardtanh_(x, -0.5, 0.5),
    "threshold_": lambda lib, x: F(lib).threshold_(x, 0.1, 3.0),
    "selu_inplace": lambda lib, x: F(lib).selu(x, inplace=True),
    "celu_inplace": lambda lib, x: F(lib).celu(x, inplace=True),
    "hardswish_inplace": lambda lib, x: F(lib).hardswish(x, inplace=True),
    "hardsigmoid_inplace": lambda lib, x: F(lib).hardsigmoid(x, inplace=True),
    "mish_inplace": lambda lib, x: F(lib).mish(x, inplace=True),
    "threshold_inplace": lambda lib, x: F(lib).threshold(x, 0.1, 3.0, inplace=True),
    "SELU_module": lambda lib, x: lib.nn.SELU(inplace=True)(x),
    "Threshold_module": lambda lib, x: lib.nn.Threshold(0.0, -1.0, inplace=True)(x),
    "Hardswish_module": lambda lib, x: lib.nn.Hardswish(inplace=True)(x),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_as_torch(name):
    fn = INPLACE[name]
    data = np.array([-4.0, -2.0, -0.5, 0.05, 0.5, 3.5], dtype=np.float32)
    x, t = vg.tensor(data), torch.tensor(data)
    assert fn(vg, x) is x
    fn(torch, t)
    assert_close(x, t)
    # on a non-leaf, the gradient goes through, as PyTorch's
    w, tw = vg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = w * 2, tw * 2
    out, tout = fn(vg, y), fn(torch, ty)
    assert out is y
    (out * vg.arange(6.0)).sum().backward()
    (tout * torch.arange(6.0)).sum().backward()
    assert_close(w.grad, tw.grad)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        fn(vg, vg.tensor(data, requires_grad=True))


# --- modules: reprs, attributes, parameters -----------------------------------------------------------------

MODULES = [
    lambda nn: nn.Hardswish(), lambda nn: nn.Hardswish(inplace=True), lambda nn: nn.Hardsigmoid(True),
    lambda nn: nn.Mish(), lambda nn: nn.SELU(), lambda nn: nn.SELU(True), lambda nn: nn.CELU(),
    lambda nn: nn.CELU(0.5, True), lambda nn: nn.PReLU(), lambda nn: nn.PReLU(3, 0.1), lambda nn: nn.GLU(),
    lambda nn: nn.GLU(1), lambda nn: nn.LogSigmoid(), lambda nn: nn.Softmin(), lambda nn: nn.Softmin(1),
    lambda nn: nn.Softsign(), lambda nn: nn.Softshrink(), lambda nn: nn.Softshrink(0.3), lambda nn: nn.Hardshrink(),
    lambda nn: nn.Hardshrink(0.2), lambda nn: nn.Tanhshrink(), lambda nn: nn.Threshold(0.1, 20),
    lambda nn: nn.Threshold(0.1, 20, True), lambda nn: nn.RMSNorm(4), lambda nn: nn.RMSNorm([2, 3], 1e-3, False),
    lambda nn: nn.GroupNorm(2, 4), lambda nn: nn.GroupNorm(1, 3, eps=1e-3, affine=False),
    lambda nn: nn.GroupNorm(2, 4, bias=False), lambda nn: nn.CosineSimilarity(),
    lambda nn: nn.CosineSimilarity(2, 1e-3),
    lambda nn: nn.PairwiseDistance(), lambda nn: nn.PairwiseDistance(1, 1e-3, True), lambda nn: nn.Unflatten(1, (2, 3)),
    lambda nn: nn.Unflatten(-1, [2, -1]),
    lambda nn: nn.Sequential(nn.Conv2d(1, 4, 3), nn.GroupNorm(2, 4), nn.Mish(), nn.Flatten(), nn.Unflatten(1, (4, -1))),
]


def _attributes(module):
    return {k: v for k, v in vars(module).items() if not k.startswith("_") and k != "training"}


@pytest.mark.parametrize("make", MODULES)
def test_module_reprs_attributes_and_parameters(make):
    torch.manual_seed(0)
    theirs = make(torch.nn)
    vg.manual_seed(0)
    ours = make(vg.nn)
    assert repr(ours) == repr(theirs)
    assert _attributes(ours) == _attributes(theirs)
    ours_p, theirs_p = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert list(ours_p) == list(theirs_p)
    for name, p in theirs_p.items():
        assert_close(ours_p[name], p.detach(), rtol=0, atol=0, what=name)  # the same initial values, bit for bit


def test_prelu_learns_its_slope():
    def train(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.PReLU(), lib.nn.Linear(4, 1))
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        x, y = lib.randn(16, 3), lib.randn(16, 1)
        losses = []
        for _ in range(20):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, model[1].weight.detach()

    ours, theirs = train(vg), train(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    assert_close(ours[1], theirs[1])
    assert float(ours[1]) != 0.25


# --- errors -------------------------------------------------------------------------------------------------


def _raises_like_torch(ours, theirs):
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(type(expected.value)) as got:
        ours()
    assert str(got.value) == str(expected.value), (got.value, expected.value)


X = (2, 3, 4)
ERRORS = [
    ("softshrink_negative", lambda lib: F(lib).softshrink(lib.ones(*X), -1.0)),
    ("softshrink_negative_double", lambda lib: F(lib).softshrink(lib.ones(2, dtype=lib.float64), -0.5)),
    ("glu_scalar", lambda lib: F(lib).glu(lib.tensor(1.0))),
    ("glu_odd", lambda lib: F(lib).glu(lib.ones(*X), 1)),
    ("glu_odd_last", lambda lib: F(lib).glu(lib.ones(2, 3))),
    ("prelu_mismatch", lambda lib: F(lib).prelu(lib.ones(*X), lib.ones(2))),
    ("prelu_1d_input", lambda lib: F(lib).prelu(lib.ones(3), lib.ones(3))),
    ("prelu_2d_weight", lambda lib: F(lib).prelu(lib.ones(*X), lib.ones(1, 3))),
    ("prelu_float_weight", lambda lib: F(lib).prelu(lib.ones(*X), 0.25)),
    ("hardswish_long", lambda lib: F(lib).hardswish(lib.tensor([1, 2]))),
    ("hardsigmoid_long", lambda lib: F(lib).hardsigmoid(lib.tensor([1, 2]))),
    ("mish_long", lambda lib: F(lib).mish(lib.tensor([1, 2]))),
    ("selu_long", lambda lib: F(lib).selu(lib.tensor([1, 2]))),
    ("logsigmoid_long", lambda lib: F(lib).logsigmoid(lib.tensor([1, 2]))),
    ("softshrink_long", lambda lib: F(lib).softshrink(lib.tensor([1, 2]))),
    ("hardshrink_long", lambda lib: F(lib).hardshrink(lib.tensor([1, 2]))),
    ("glu_long", lambda lib: F(lib).glu(lib.tensor([1, 2]))),
    ("celu_zero_alpha", lambda lib: F(lib).celu(lib.ones(2), 0.0)),
    ("GroupNorm_groups", lambda lib: lib.nn.GroupNorm(3, 4)),
    ("group_norm_groups", lambda lib: F(lib).group_norm(lib.ones(*X), 2)),
    ("group_norm_1d", lambda lib: F(lib).group_norm(lib.ones(3), 1)),
    ("group_norm_weight", lambda lib: F(lib).group_norm(lib.ones(*X), 3, lib.ones(2))),
    ("rms_norm_shape", lambda lib: F(lib).rms_norm(lib.ones(*X), (3,))),
    ("rms_norm_shape_2d", lambda lib: F(lib).rms_norm(lib.ones(*X), (2, 4))),
    ("rms_norm_weight", lambda lib: F(lib).rms_norm(lib.ones(*X), (4,), lib.ones(3))),
    ("cosine_long", lambda lib: F(lib).cosine_similarity(lib.tensor([1, 2]), lib.tensor([1, 2]), dim=0)),
    ("cosine_shapes", lambda lib: F(lib).cosine_similarity(lib.ones(*X), lib.ones(2, 3))),
    ("unflatten_sizes", lambda lib: lib.ones(*X).unflatten(1, (2, 2))),
    ("unflatten_negative_dim", lambda lib: lib.ones(*X).unflatten(-1, (3, 2))),
    ("unflatten_infer", lambda lib: lib.ones(*X).unflatten(1, (2, -1))),
    ("unflatten_empty", lambda lib: lib.ones(*X).unflatten(1, ())),
]


@pytest.mark.parametrize("name, fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_as_torch(name, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises_like_torch(lambda: fn(vg), lambda: fn(torch))


def test_softmin_without_dim_warns_as_torch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin has been deprecated"):
        out = VF.softmin(vg.ones(2, 3))
    assert_close(out, TF.softmin(torch.ones(2, 3), 1))


def test_threshold_and_pairwise_distance_on_integers_as_torch():
    x = [-2, 0, 1, 5]
    assert_close(VF.threshold(vg.tensor(x), 1, 9), TF.threshold(torch.tensor(x), 1, 9))
    assert_close(VF.pairwise_distance(vg.tensor([[1, 2]]), vg.tensor([[4, 6]])),
                 TF.pairwise_distance(torch.tensor([[1, 2]]), torch.tensor([[4, 6]])))


def test_rms_norm_default_eps_is_the_dtypes_epsilon():
    for dtype in ("float32", "float64"):
        x = np.full((2, 3), 1e-5, dtype=dtype)
        assert_close(VF.rms_norm(vg.tensor(x), (3,)), TF.rms_norm(torch.tensor(x), (3,)), rtol=1e-6)


def test_cosine_similarity_of_tiny_vectors_clamps_the_norms_as_torch():
    """The norms are clamped to eps without grad: the gradient goes through them as if they were not."""
    vals = [[[1e-9, 2e-9, 0.0]], [[1.0, 0.5, -2.0]]]
    helper_test_op(None, lambda lib, a, b: F(lib).cosine_similarity(a, b, dim=-1, eps=1e-6), dtype="float64",
                   vals=vals)
