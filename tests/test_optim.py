"""graphviz_grad.optim against torch.optim: the same parameters and gradients give the same updates."""
import re

import numpy as np
import pytest
import torch

import graphviz_grad as vg
from graphviz_grad.autograd import hooks

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "betas": (0.3, 0.9), "amsgrad": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
]
DTYPES = [(vg.float32, torch.float32, 1e-6), (vg.float64, torch.float64, 1e-12)]
SHAPES = [(6, 5), (6,), (3, 6)]


def assert_close(ours, theirs, rtol):
    """Equal within ``rtol`` relative to each element and to the tensor's scale (1-ulp FMA differences)."""
    theirs = theirs.detach().numpy()
    scale = np.abs(theirs).max()
    np.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=rtol, atol=rtol * scale)


def param_pair(vg_dtype, torch_dtype, seed=0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in SHAPES]
    ours = [vg.nn.Parameter(vg.tensor(a, dtype=vg_dtype)) for a in init]
    theirs = [torch.tensor(a, dtype=torch_dtype, requires_grad=True) for a in init]
    return ours, theirs


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{'-'.join(k)}" for n, k in CONFIGS])
@pytest.mark.parametrize("vg_dtype,torch_dtype,rtol", DTYPES, ids=["float32", "float64"])
def test_twenty_updates_match_torch(name, kwargs, vg_dtype, torch_dtype, rtol):
    ours, theirs = param_pair(vg_dtype, torch_dtype)
    opt = getattr(vg.optim, name)(ours, **kwargs)
    t_opt = getattr(torch.optim, name)(theirs, **kwargs)
    rng = np.random.default_rng(1)
    for _ in range(20):
        for p, tp in zip(ours, theirs):
            g = rng.standard_normal(p.shape)
            p.grad, tp.grad = vg.tensor(g, dtype=vg_dtype), torch.tensor(g, dtype=torch_dtype)
        opt.step()
        t_opt.step()
        for p, tp in zip(ours, theirs):
            assert_close(p, tp, rtol)
            assert p.dtype == vg_dtype and p.is_leaf and p.requires_grad
    for key, value in t_opt.state_dict()["state"].get(0, {}).items():
        assert_close(opt.state_dict()["state"][0][key], value, rtol)


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
                                         ("Adam", {"lr": 1e-2, "amsgrad": True})], ids=["SGD-nesterov", "Adam-amsgrad"])
@pytest.mark.parametrize("vg_dtype,torch_dtype,rtol", [(vg.float32, torch.float32, 1e-5),
                                                      (vg.float64, torch.float64, 1e-10)], ids=["float32", "float64"])
def test_training_the_tutorial_network_matches_torch(name, kwargs, vg_dtype, torch_dtype, rtol):
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(torch.nn.Linear(20, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).to(torch_dtype)
    model = vg.nn.Sequential(vg.nn.Linear(20, 8), vg.nn.ReLU(), vg.nn.Linear(8, 3)).to(vg_dtype)
    model.load_state_dict({k: vg.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    rng = np.random.default_rng(2)
    x_np, y_np = rng.standard_normal((16, 20)), rng.standard_normal((16, 3))
    tx, ty = torch.tensor(x_np, dtype=torch_dtype), torch.tensor(y_np, dtype=torch_dtype)
    x, y = vg.tensor(x_np, dtype=vg_dtype), vg.tensor(y_np, dtype=vg_dtype)
    opt = getattr(vg.optim, name)(model.parameters(), **kwargs)
    t_opt = getattr(torch.optim, name)(t_model.parameters(), **kwargs)
    first_loss = vg.nn.functional.mse_loss(model(x), y, reduction="sum").item()
    for _ in range(20):
        t_loss = torch.nn.functional.mse_loss(t_model(tx), ty, reduction="sum")
        loss = vg.nn.functional.mse_loss(model(x), y, reduction="sum")
        np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=rtol)
        opt.zero_grad()
        t_opt.zero_grad()
        loss.backward()
        t_loss.backward()
        opt.step()
        t_opt.step()
    assert loss.item() < 0.9 * first_loss  # it trains
    for p, tp in zip(model.parameters(), t_model.parameters()):
        assert_close(p, tp, rtol)


# --- the update path: no graph, versions, phase, recording -------------------------------------------


class PhaseRecorder:
    """A stand-in recorder: notes the phase of every op it is shown."""

    def __init__(self):
        self.phases = []

    def on_op(self, node, inputs, result):
        self.phases.append((type(node).__name__, hooks.current_phase()))

    def on_inplace(self, tensor, result, what=None, operands=(), key=None):
        self.phases.append(("inplace", hooks.current_phase()))

    takes_inplace_ops = True  # in-place arithmetic without a graph comes as on_inplace_op, no alias op

    def on_inplace_op(self, tensor, node, others):
        self.phases.append(("inplace", hooks.current_phase()))

    def __getattr__(self, name):  # on_backward_start, on_backward, on_function_*: ignored
        return lambda *args: None


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{'-'.join(k)}" for n, k in CONFIGS])
def test_recorded_update_is_tagged_and_bitwise_equal_to_the_fast_path(name, kwargs):
    fast, _ = param_pair(vg.float32, torch.float32)
    slow, _ = param_pair(vg.float32, torch.float32)
    opt_fast, opt_slow = getattr(vg.optim, name)(fast, **kwargs), getattr(vg.optim, name)(slow, **kwargs)
    recorder = PhaseRecorder()
    rng = np.random.default_rng(3)
    for _ in range(3):
        for a, b in zip(fast, slow):
            g = rng.standard_normal(a.shape).astype(np.float32)
            a.grad, b.grad = vg.tensor(g), vg.tensor(g)
        opt_fast.step()
        hooks.state.recorders = (recorder,)
        try:
            opt_slow.step()
        finally:
            hooks.state.recorders = ()
        for a, b in zip(fast, slow):
            np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert recorder.phases and {phase for _, phase in recorder.phases} == {"update"}
    assert any(kind == "inplace" for kind, _ in recorder.phases)


def test_step_builds_no_graph_and_bumps_versions():
    w = vg.nn.Parameter(vg.ones(3))
    opt = vg.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    version = w._version_number
    assert vg.is_grad_enabled()
    opt.step()
    assert w.is_leaf and w.grad_fn is None and w.requires_grad
    assert w._version_number == version + 1
    assert vg.is_grad_enabled() and hooks.state.phase is None


def test_in_place_update_after_forward_is_caught_by_backward():
    w = vg.nn.Parameter(vg.ones(3))
    opt = vg.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    loss = (w * w).sum()
    opt.step()  # w changed after it was saved for this backward
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_parameters_without_grad_are_skipped():
    a, b = vg.nn.Parameter(vg.ones(2)), vg.nn.Parameter(vg.ones(2))
    opt = vg.optim.Adam([a, b], lr=0.1)
    (a * 2).sum().backward()
    opt.step()
    assert b.tolist() == [1.0, 1.0] and a.tolist() != [1.0, 1.0]
    assert len(opt.state) == 1


def test_zero_grad_and_closure():
    w = vg.nn.Parameter(vg.tensor([3.0]))
    opt = vg.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with vg.no_grad():
        loss = opt.step(closure)  # the closure runs with grad enabled
    assert loss.item() == 9.0 and w.item() == pytest.approx(2.4)
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0]
    opt.zero_grad()
    assert w.grad is None


def test_param_groups():
    a, b = vg.nn.Parameter(vg.ones(2)), vg.nn.Parameter(vg.ones(2))
    opt = vg.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9
    (a.sum() + b.sum()).backward()
    opt.step()
    assert a.tolist() == pytest.approx([0.9, 0.9]) and b.tolist() == pytest.approx([0.5, 0.5])
    c = vg.nn.Parameter(vg.ones(1))
    opt.add_param_group({"params": [c], "lr": 1.0})
    assert opt.param_groups[2]["params"] == [c] and opt.param_groups[2]["dampening"] == 0
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    opt.param_groups[0]["lr"] = 0.0  # a scheduler's edit takes effect at the next step
    a.grad = vg.ones(2)
    opt.step()
    assert a.tolist() == pytest.approx([0.9, 0.9])


def test_named_parameters_are_accepted():
    model = vg.nn.Linear(2, 1)
    opt = vg.optim.SGD(model.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"] == [model.weight, model.bias]


def _torch_error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return info.value


@pytest.mark.parametrize("make", [
    lambda lib, params: lib.optim.SGD([], lr=0.1),
    lambda lib, params: lib.optim.SGD(params[0], lr=0.1),
    lambda lib, params: lib.optim.SGD(params, lr=-1),
    lambda lib, params: lib.optim.SGD(params, lr=0.1, momentum=-1),
    lambda lib, params: lib.optim.SGD(params, lr=0.1, weight_decay=-1),
    lambda lib, params: lib.optim.SGD(params, lr=0.1, nesterov=True),
    lambda lib, params: lib.optim.Adam(params, betas=(1.0, 0.9)),
    lambda lib, params: lib.optim.Adam(params, eps=-1),
    lambda lib, params: lib.optim.Adam([{"params": params}, {"params": params}]),
    lambda lib, params: lib.optim.Adam([{"params": set(params)}]),
    lambda lib, params: lib.optim.Adam([params[0] * 2]),
    lambda lib, params: lib.optim.Adam([1.0]),
])
def test_constructor_errors_match_torch(make):
    t_params = [torch.ones(2, requires_grad=True)]
    expected = _torch_error(lambda: make(torch, t_params))
    with pytest.raises(type(expected)) as got:
        make(vg, [vg.ones(2, requires_grad=True)])
    assert str(got.value).startswith(str(expected))


def test_forgetting_the_call_to_parameters_is_explained():
    model = vg.nn.Linear(2, 1)
    with pytest.raises(TypeError, match=re.escape(
            "params argument given to the optimizer should be an iterable of Tensors or dicts, but got method "
            "(did you mean model.parameters()? The parentheses are missing)")):
        vg.optim.SGD(model.parameters, lr=0.1)
    params = model.parameters()
    vg.optim.SGD(params, lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list .*can be used only once"):
        vg.optim.Adam(params)


def test_repr_equals_torch():
    for name, kwargs in (("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 1e-4})):
        ours = getattr(vg.optim, name)([vg.ones(1, requires_grad=True)], **kwargs)
        theirs = getattr(torch.optim, name)([torch.ones(1, requires_grad=True)], **kwargs)
        assert repr(ours) == repr(theirs)


# --- state dicts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,kwargs", [CONFIGS[1], CONFIGS[7]], ids=["SGD-momentum", "Adam-amsgrad"])
def test_state_dict_layout_matches_torch(name, kwargs):
    ours, theirs = param_pair(vg.float32, torch.float32)
    opt, t_opt = getattr(vg.optim, name)(ours, **kwargs), getattr(torch.optim, name)(theirs, **kwargs)
    for p, tp in zip(ours, theirs):
        p.grad, tp.grad = vg.ones(*p.shape), torch.ones(tp.shape)
    opt.step()
    t_opt.step()
    state, t_state = opt.state_dict(), t_opt.state_dict()
    assert state["param_groups"] == t_state["param_groups"]
    assert list(state["state"]) == list(t_state["state"])
    for i in state["state"]:
        assert list(state["state"][i]) == list(t_state["state"][i])
        for key, value in t_state["state"][i].items():
            assert state["state"][i][key].dtype.name == str(value.dtype).removeprefix("torch.")
            assert_close(state["state"][i][key], value, 1e-6)


@pytest.mark.parametrize("name,kwargs", [CONFIGS[3], CONFIGS[8]], ids=["SGD-momentum", "Adam-amsgrad"])
def test_load_state_dict_resumes_exactly(name, kwargs):
    rng = np.random.default_rng(4)
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(6)]

    def run(params, opt, steps):
        for step_grads in steps:
            for p, g in zip(params, step_grads):
                p.grad = vg.tensor(g)
            opt.step()

    straight, _ = param_pair(vg.float32, torch.float32)
    opt = getattr(vg.optim, name)(straight, **kwargs)
    run(straight, opt, grads)

    first, _ = param_pair(vg.float32, torch.float32)
    opt1 = getattr(vg.optim, name)(first, **kwargs)
    run(first, opt1, grads[:3])
    resumed = [vg.nn.Parameter(p.detach().clone()) for p in first]
    opt2 = getattr(vg.optim, name)(resumed, lr=123.0)  # the saved hyper-parameters win
    opt2.load_state_dict(opt1.state_dict())
    assert opt2.param_groups[0]["lr"] == kwargs["lr"] and opt2.param_groups[0]["params"] == resumed
    run(resumed, opt2, grads[3:])
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    # the loaded state is a copy: stepping one optimizer leaves the other's state alone
    assert opt2.state[resumed[0]] is not opt1.state[first[0]]
    key = "momentum_buffer" if name == "SGD" else "exp_avg"
    assert opt2.state[resumed[0]][key]._data is not opt1.state[first[0]][key]._data


def test_load_state_dict_checks_groups_like_torch():
    opt = vg.optim.SGD([vg.ones(1, requires_grad=True)], lr=0.1)
    other = vg.optim.SGD([vg.ones(1, requires_grad=True), vg.ones(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(other.state_dict())
    two = vg.optim.SGD([{"params": [vg.ones(1, requires_grad=True)]}, {"params": [vg.ones(1, requires_grad=True)]}],
                       lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(two.state_dict())


def test_adam_state_follows_the_parameter_dtype_on_load():
    w64 = vg.nn.Parameter(vg.ones(2, dtype=vg.float64))
    w32 = vg.nn.Parameter(vg.ones(2))
    opt32 = vg.optim.Adam([w32])
    w32.grad = vg.ones(2)
    opt32.step()
    opt64 = vg.optim.Adam([w64])
    opt64.load_state_dict(opt32.state_dict())
    state = opt64.state[w64]
    assert state["exp_avg"].dtype == vg.float64 and state["step"].dtype == vg.float32
