"""nn breadth against torch: ELU, Hardtanh, ReLU6, SmoothL1Loss, HuberLoss, KLDivLoss (functional and module
forms; values and gradients in float32 and float64, finite differences in float64, reprs and errors),
ParameterDict, and nn.utils.parameters_to_vector / vector_to_parameters."""
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import graphviz_grad as vg
import graphviz_grad.nn.functional as F
from conftest import assert_close, gradcheck_case, helper_test_op

DTYPES = ["float32", "float64"]
EDGES = [[-3.0, -1.0, -0.0, 0.0, 0.5, 1.0, 2.0, 6.0, 7.0, 30.0, 800.0]]  # the bounds, and exp's overflow


def case(name, shapes, fn, **opts):
    return pytest.param(shapes, fn, opts, id=name)


ACTIVATION_CASES = [
    case("elu", [(3, 4)], lambda lib, x: lib.nn.functional.elu(x)),
    case("elu_alpha", [(3, 4)], lambda lib, x: lib.nn.functional.elu(x, alpha=0.5)),
    case("ELU_module", [(3, 4)], lambda lib, x: lib.nn.ELU(1.5)(x)),
    case("hardtanh", [(3, 4)], lambda lib, x: lib.nn.functional.hardtanh(x)),
    case("hardtanh_bounds", [(3, 4)], lambda lib, x: lib.nn.functional.hardtanh(x, -0.5, 1.5)),
    case("Hardtanh_module", [(3, 4)], lambda lib, x: lib.nn.Hardtanh(-2.0, 0.5)(x)),
    case("relu6", [(3, 4)], lambda lib, x: lib.nn.functional.relu6(x * 4)),
    case("ReLU6_module", [(3, 4)], lambda lib, x: lib.nn.ReLU6()(x * 4)),
]


def _kl(reduction, log_target=False):
    def fn(lib, x, y):
        return lib.nn.functional.kl_div(lib.log_softmax(x, 1), lib.log_softmax(y, 1) if log_target else
                                        lib.softmax(y, 1), reduction=reduction, log_target=log_target)
    return fn


LOSS_CASES = [
    case("smooth_l1", [(4, 5), (4, 5)], lambda lib, x, y: lib.nn.functional.smooth_l1_loss(x, y)),
    case("smooth_l1_beta_sum", [(4, 5), (4, 5)],
         lambda lib, x, y: lib.nn.functional.smooth_l1_loss(x, y, reduction="sum", beta=0.3)),
    case("smooth_l1_beta0", [(4, 5), (4, 5)], lambda lib, x, y: lib.nn.functional.smooth_l1_loss(x, y, beta=0.0)),
    case("SmoothL1Loss_none", [(4, 5), (4, 5)],
         lambda lib, x, y: lib.nn.SmoothL1Loss(reduction="none", beta=2.0)(x, y)),
    case("huber", [(4, 5), (4, 5)], lambda lib, x, y: lib.nn.functional.huber_loss(x, y)),
    case("huber_delta_none", [(4, 5), (4, 5)],
         lambda lib, x, y: lib.nn.functional.huber_loss(x, y, reduction="none", delta=0.7)),
    case("huber_weight", [(4, 5), (4, 5)], lambda lib, x, y: lib.nn.functional.huber_loss(
        x, y, delta=2.0, weight=lib.linspace(0.5, 2.0, 20, dtype=x.dtype, device=x.device).reshape(4, 5))),
    case("HuberLoss_sum", [(4, 5), (4, 5)], lambda lib, x, y: lib.nn.HuberLoss(reduction="sum", delta=1.5)(x, y)),
    case("kl_batchmean", [(4, 5), (4, 5)], _kl("batchmean")),
    case("kl_sum", [(4, 5), (4, 5)], _kl("sum")),
    case("kl_none", [(4, 5), (4, 5)], _kl("none")),
    case("kl_log_target", [(4, 5), (4, 5)], _kl("batchmean", log_target=True)),
    case("KLDivLoss", [(4, 5), (4, 5)],
         lambda lib, x, y: lib.nn.KLDivLoss(reduction="sum")(lib.log_softmax(x, 1), lib.softmax(y, 1))),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes, fn, opts", ACTIVATION_CASES + LOSS_CASES)
def test_against_torch(shapes, fn, opts, dtype, backend):
    helper_test_op(shapes, fn, dtype=dtype, device=backend, **opts)


@pytest.mark.parametrize("shapes, fn, opts", ACTIVATION_CASES + LOSS_CASES)
def test_gradcheck(shapes, fn, opts, backend):
    gradcheck_case(shapes, fn, opts, backend)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["elu", "hardtanh", "relu6"])
def test_activation_edges(name, dtype):
    """At the bounds (and at 0) the gradients are PyTorch's; exp's overflow beyond 88 makes no nan."""
    helper_test_op(None, lambda lib, x: getattr(lib.nn.functional, name)(x), dtype=dtype, vals=EDGES)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["smooth_l1_loss", "huber_loss"])
def test_loss_at_the_threshold_and_zero(name, dtype):
    vals = [[0.0, 1.0, -1.0, 2.5, 0.3], [0.0, 0.0, 0.0, 1.0, 0.3]]
    helper_test_op(None, lambda lib, x, y: getattr(lib.nn.functional, name)(x, y, reduction="none"), dtype=dtype,
                   vals=vals)


def test_kl_div_zero_target_counts_zero():
    x, y = np.log([[0.2, 0.3, 0.5]]), np.array([[0.0, 0.4, 0.6]])
    ours = F.kl_div(vg.tensor(x, requires_grad=True), vg.tensor(y), reduction="none")
    assert_close(ours, torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(y), reduction="none"))


def test_kl_div_mean_warns_and_batchmean_does_not():
    x, y = vg.log_softmax(vg.randn(3, 4), 1), vg.softmax(vg.randn(3, 4), 1)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size") as caught:
        F.kl_div(x, y)
    assert caught[0].filename == __file__  # pointed at the caller, as PyTorch's
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(x, y, reduction="batchmean")
        vg.nn.KLDivLoss(reduction="sum")(x, y)
    assert_close(F.kl_div(x[0], y[0], reduction="batchmean"), F.kl_div(x[0], y[0], reduction="sum") / 4)


def test_loss_shape_warning_as_torch():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.smooth_l1_loss(vg.ones(3, 1), vg.ones(3))
    with pytest.warns(UserWarning, match="Using a target size"):
        F.huber_loss(vg.ones(3, 1), vg.ones(3))


def _raises_like_torch(ours, theirs):
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(type(expected.value)) as got:
        ours()
    assert str(got.value).startswith(str(expected.value).split(" (")[0][:40]), (got.value, expected.value)


ERRORS = [
    ("elu_long", lambda lib: lib.nn.functional.elu(lib.tensor([1, 2]))),
    ("hardtanh_bounds", lambda lib: lib.nn.functional.hardtanh(lib.ones(2), 2.0, 1.0)),
    ("Hardtanh_bounds", lambda lib: lib.nn.Hardtanh(1.0, 1.0)),
    ("smooth_l1_beta", lambda lib: lib.nn.functional.smooth_l1_loss(lib.ones(2), lib.ones(2), beta=-1.0)),
    ("huber_delta", lambda lib: lib.nn.functional.huber_loss(lib.ones(2), lib.ones(2), delta=0.0)),
    ("huber_weight_shape", lambda lib: lib.nn.functional.huber_loss(lib.ones(2), lib.ones(2), weight=lib.ones(3))),
    ("smooth_l1_reduction", lambda lib: lib.nn.functional.smooth_l1_loss(lib.ones(2), lib.ones(2), reduction="x")),
    ("kl_reduction", lambda lib: lib.nn.functional.kl_div(lib.ones(2), lib.ones(2), reduction="x")),
    ("kl_long", lambda lib: lib.nn.functional.kl_div(lib.tensor([1]), lib.tensor([1]), reduction="sum")),
    ("smooth_l1_shapes", lambda lib: lib.nn.functional.smooth_l1_loss(lib.ones(2), lib.ones(3))),
]


@pytest.mark.parametrize("name, fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_as_torch(name, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises_like_torch(lambda: fn(vg), lambda: fn(torch))


def test_integer_hardtanh_and_relu6_stay_integer():
    for name in ("hardtanh", "relu6"):
        ours = getattr(F, name)(vg.tensor([-3, 0, 1, 9]))
        assert_close(ours, getattr(torch.nn.functional, name)(torch.tensor([-3, 0, 1, 9])))


@pytest.mark.parametrize("name", ["elu", "hardtanh", "relu6"])
def test_inplace(name):
    data = np.array([-2.0, -0.5, 0.5, 7.0], dtype=np.float32)
    x, t = vg.tensor(data), torch.tensor(data)
    assert getattr(F, name)(x, inplace=True) is x
    getattr(torch.nn.functional, name)(t, inplace=True)
    assert_close(x, t)
    # on a non-leaf, the gradient goes through, as PyTorch's
    w, tw = vg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = w * 2, tw * 2
    getattr(F, name)(y, inplace=True).sum().backward()
    getattr(torch.nn.functional, name)(ty, inplace=True).sum().backward()
    assert_close(w.grad, tw.grad)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        getattr(F, name)(vg.tensor(data, requires_grad=True), inplace=True)


REPRS = [
    lambda nn: nn.ELU(), lambda nn: nn.ELU(0.5, True), lambda nn: nn.Hardtanh(), lambda nn: nn.Hardtanh(-2, 3, True),
    lambda nn: nn.ReLU6(), lambda nn: nn.ReLU6(inplace=True), lambda nn: nn.SmoothL1Loss(beta=0.5),
    lambda nn: nn.HuberLoss(delta=2.0), lambda nn: nn.KLDivLoss(log_target=True),
    lambda nn: nn.Sequential(nn.Linear(2, 2), nn.ELU(), nn.Hardtanh(), nn.ReLU6()),
]


@pytest.mark.parametrize("make", REPRS)
def test_reprs_and_attributes(make):
    ours, theirs = make(vg.nn), make(torch.nn)
    assert repr(ours) == repr(theirs).replace("torch", "graphviz_grad")
    for attr in ("alpha", "inplace", "min_val", "max_val", "beta", "delta", "log_target", "reduction"):
        assert getattr(ours, attr, None) == getattr(theirs, attr, None), attr


# --- ParameterDict ---------------------------------------------------------------------------------------------


def _pdict(lib):
    return lib.nn.ParameterDict({"w": lib.nn.Parameter(lib.ones(2, 3)), "b": lib.zeros(2)})


def _same_repr(ours, theirs):
    assert repr(ours) == repr(theirs).replace("torch.FloatTensor", "graphviz_grad.float32")


def test_parameter_dict_registers_in_sorted_order_as_torch():
    ours, theirs = _pdict(vg), _pdict(torch)
    _same_repr(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["b", "w"]
    assert isinstance(ours["b"], vg.nn.Parameter) and ours["b"].requires_grad
    model, tmodel = vg.nn.Module(), torch.nn.Module()
    model.params, tmodel.params = ours, theirs
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in tmodel.named_parameters()]
    _same_repr(model, tmodel)
    assert_close(vg.nn.utils.parameters_to_vector(model.parameters()),
                 torch.nn.utils.parameters_to_vector(tmodel.parameters()))


def test_parameter_dict_dict_methods():
    for lib in (vg, torch):
        p = lib.nn.ParameterDict(OrderedDict([("z", lib.ones(1)), ("a", lib.ones(2))]))
        assert list(p) == ["z", "a"] and len(p) == 2 and "a" in p and list(reversed(p)) == ["a", "z"]
        p["n"] = 1.5
        assert p["n"] == 1.5 and p.get("q", 7) == 7 and p.setdefault("n") == 1.5
        assert "Object of type: float" in repr(p)
        key, value = p.popitem()
        assert key == "n" and value == 1.5
        assert p.pop("z").shape == (1,) and list(p.keys()) == ["a"]
        merged = p | lib.nn.ParameterDict({"c": lib.ones(3)})
        assert list(merged) == ["a", "c"] and list(p) == ["a"]
        p |= [("d", lib.ones(1))]
        assert list(p) == ["a", "d"] and [k for k, _ in p.named_parameters()] == ["a", "d"]
        assert list(p.fromkeys(["x", "y"])) == ["x", "y"]
        copied = p.copy()
        assert copied["a"] is p["a"]
        del p["a"]
        p.clear()
        assert len(p) == 0 and not list(p.parameters())


PDICT_ERRORS = [
    ("call", lambda lib: lib.nn.ParameterDict()(1)),
    ("int_key", lambda lib: lib.nn.ParameterDict().__setitem__(1, lib.ones(1))),
    ("missing", lambda lib: lib.nn.ParameterDict()["x"]),
    ("update_not_iterable", lambda lib: lib.nn.ParameterDict().update(3)),
    ("update_pair_length", lambda lib: lib.nn.ParameterDict().update([("a", 1, 2)])),
    ("update_not_pair", lambda lib: lib.nn.ParameterDict().update([3])),
]


@pytest.mark.parametrize("name, fn", PDICT_ERRORS, ids=[e[0] for e in PDICT_ERRORS])
def test_parameter_dict_errors_as_torch(name, fn):
    _raises_like_torch(lambda: fn(vg), lambda: fn(torch))


def test_parameter_dict_trains():
    params = vg.nn.ParameterDict({"w": vg.ones(3)})
    opt = vg.optim.SGD(params.parameters(), lr=0.5)
    (params["w"] * 2).sum().backward()
    opt.step()
    assert_close(params["w"], torch.zeros(3))


# --- parameters_to_vector / vector_to_parameters ----------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_parameters_vector_round_trip(dtype):
    vg.manual_seed(0)
    torch.manual_seed(0)
    model = vg.nn.Sequential(vg.nn.Linear(3, 4), vg.nn.ReLU(), vg.nn.Linear(4, 2)).to(getattr(vg, dtype))
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).to(
        getattr(torch, dtype))
    vec, tvec = vg.nn.utils.parameters_to_vector(model.parameters()), torch.nn.utils.parameters_to_vector(
        tmodel.parameters())
    assert_close(vec, tvec)
    (vec * vec).sum().backward()  # in the graph: gradients reach the parameters
    (tvec * tvec).sum().backward()
    for p, tp in zip(model.parameters(), tmodel.parameters()):
        assert_close(p.grad, tp.grad)
    new = vg.arange(vec.numel(), dtype=getattr(vg, dtype))
    assert vg.nn.utils.vector_to_parameters(new, model.parameters()) is None
    torch.nn.utils.vector_to_parameters(torch.arange(tvec.numel(), dtype=getattr(torch, dtype)), tmodel.parameters())
    for p, tp in zip(model.parameters(), tmodel.parameters()):
        assert_close(p, tp)
        assert isinstance(p, vg.nn.Parameter) and p.requires_grad
    new[0] = 100.0  # the parameters view the vector, as PyTorch's
    assert float(model[0].weight[0, 0]) == 100.0


def test_vector_to_parameters_errors_as_torch():
    _raises_like_torch(lambda: vg.nn.utils.vector_to_parameters([1.0], []),
                       lambda: torch.nn.utils.vector_to_parameters([1.0], []))
    _raises_like_torch(lambda: vg.nn.utils.vector_to_parameters(np.zeros(2), []),
                       lambda: torch.nn.utils.vector_to_parameters(np.zeros(2), []))
