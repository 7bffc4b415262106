"""AdamW, RMSprop, Adagrad, the lr schedulers and gradient clipping against torch: same parameters, same gradients,
same numbers (over 100 steps), on the fast array path and on the recorded one."""
import math

import numpy as np
import pytest
import torch

import graphviz_grad as vg
import test_optim
from test_optim import assert_close, param_pair

CONFIGS = [
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "betas": (0.8, 0.99)}),
    ("AdamW", {"lr": 0.01, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.01, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.05, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6, "maximize": True}),
]
IDS = [f"{n}-{'-'.join(k) or 'default'}" for n, k in CONFIGS]
# float64: relative 1e-6 after 100 steps is the contract (we get ~1e-13); float32 within a few ulps per step.
DTYPES = [(vg.float32, torch.float32, 2e-5), (vg.float64, torch.float64, 1e-10)]


def _run_pair(name, kwargs, vg_dtype, torch_dtype, steps, seed=1):
    ours, theirs = param_pair(vg_dtype, torch_dtype)
    opt = getattr(vg.optim, name)(ours, **kwargs)
    t_opt = getattr(torch.optim, name)(theirs, **kwargs)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        for p, tp in zip(ours, theirs):
            g = rng.standard_normal(p.shape)
            p.grad, tp.grad = vg.tensor(g, dtype=vg_dtype), torch.tensor(g, dtype=torch_dtype)
        opt.step()
        t_opt.step()
    return ours, theirs, opt, t_opt


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
@pytest.mark.parametrize("vg_dtype,torch_dtype,rtol", DTYPES, ids=["float32", "float64"])
def test_hundred_updates_match_torch(name, kwargs, vg_dtype, torch_dtype, rtol):
    ours, theirs, opt, t_opt = _run_pair(name, kwargs, vg_dtype, torch_dtype, 100)
    for p, tp in zip(ours, theirs):
        assert p.dtype == vg_dtype and p.is_leaf and p.requires_grad
        assert_close(p, tp, rtol)
    state, t_state = opt.state_dict(), t_opt.state_dict()
    assert state["param_groups"] == t_state["param_groups"]
    for i, t_entry in t_state["state"].items():
        assert list(state["state"][i]) == list(t_entry)
        for key, value in t_entry.items():
            assert_close(state["state"][i][key], value, rtol)


def test_adamw_defaults_are_torchs():
    opt = vg.optim.AdamW([vg.ones(2, requires_grad=True)])
    t_opt = torch.optim.AdamW([torch.ones(2, requires_grad=True)])
    assert repr(opt) == repr(t_opt)
    assert opt.defaults["weight_decay"] == 1e-2


def test_rmsprop_repr_and_errors_match_torch():
    assert repr(vg.optim.RMSprop([vg.ones(1, requires_grad=True)], lr=0.1, momentum=0.9)) == repr(
        torch.optim.RMSprop([torch.ones(1, requires_grad=True)], lr=0.1, momentum=0.9))
    for kwargs in ({"lr": -1}, {"alpha": -0.5}, {"momentum": -1}, {"eps": -1}, {"weight_decay": -1}):
        with pytest.raises(ValueError) as theirs:
            torch.optim.RMSprop([torch.ones(1, requires_grad=True)], **kwargs)
        with pytest.raises(ValueError) as ours:
            vg.optim.RMSprop([vg.ones(1, requires_grad=True)], **kwargs)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
def test_recorded_update_equals_the_fast_path(name, kwargs):
    """Recorded (op by op) and fast updates agree bit for bit, as test_optim.py checks SGD and Adam."""
    test_optim.test_recorded_update_is_tagged_and_bitwise_equal_to_the_fast_path(name, kwargs)


def test_rmsprop_trains_a_model_like_torch():
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
    model = vg.nn.Sequential(vg.nn.Linear(6, 8), vg.nn.Tanh(), vg.nn.Linear(8, 2)).double()
    model.load_state_dict({k: vg.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    rng = np.random.default_rng(0)
    x_np, y_np = rng.standard_normal((10, 6)), rng.standard_normal((10, 2))
    opt = vg.optim.RMSprop(model.parameters(), lr=1e-3, centered=True, momentum=0.9)
    t_opt = torch.optim.RMSprop(t_model.parameters(), lr=1e-3, centered=True, momentum=0.9)
    for _ in range(30):
        loss = vg.nn.functional.mse_loss(model(vg.tensor(x_np)), vg.tensor(y_np))
        t_loss = torch.nn.functional.mse_loss(t_model(torch.tensor(x_np)), torch.tensor(y_np))
        opt.zero_grad(), t_opt.zero_grad()
        loss.backward(), t_loss.backward()
        opt.step(), t_opt.step()
        np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-10)


# --- lr schedulers ---------------------------------------------------------------------------------

SCHEDULERS = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95 ** epoch}),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_scheduler_learning_rates_equal_torchs(name, kwargs):
    opt = vg.optim.SGD([vg.zeros(2, requires_grad=True)], lr=0.1)
    t_opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
    opt.add_param_group({"params": [vg.zeros(1, requires_grad=True)], "lr": 0.02})
    t_opt.add_param_group({"params": [torch.zeros(1, requires_grad=True)], "lr": 0.02})
    sched = getattr(vg.optim.lr_scheduler, name)(opt, **kwargs)
    t_sched = getattr(torch.optim.lr_scheduler, name)(t_opt, **kwargs)
    for _ in range(20):
        assert sched.get_last_lr() == t_sched.get_last_lr()  # the same floats, not just close
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in t_opt.param_groups]
        opt.step(), t_opt.step()
        sched.step(), t_sched.step()
    state, t_state = sched.state_dict(), t_sched.state_dict()
    t_state.pop("_get_lr_called_within_step", None)
    assert {k: v for k, v in state.items() if k in t_state} == t_state
    resumed = getattr(vg.optim.lr_scheduler, name)(
        vg.optim.SGD([vg.zeros(2, requires_grad=True)], lr=0.1), **kwargs)
    resumed.load_state_dict(state)
    assert resumed.last_epoch == 20 and resumed.get_last_lr() == sched.get_last_lr()


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        vg.optim.lr_scheduler.StepLR([vg.zeros(1)], step_size=1)


def test_step_lr_changes_the_updates():
    w = vg.tensor([1.0], requires_grad=True)
    opt = vg.optim.SGD([w], lr=1.0)
    sched = vg.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        w.grad = vg.ones(1)
        opt.step()
        sched.step()
    assert w.item() == 1.0 - 1.0 - 0.5 - 0.25


# --- gradient clipping -----------------------------------------------------------------------------


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
@pytest.mark.parametrize("vg_dtype,torch_dtype,rtol", [(vg.float32, torch.float32, 1e-6),
                                                      (vg.float64, torch.float64, 1e-12)], ids=["float32", "float64"])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, vg_dtype, torch_dtype, rtol):
    ours, theirs = param_pair(vg_dtype, torch_dtype)
    rng = np.random.default_rng(5)
    for p, tp in zip(ours, theirs):
        g = rng.standard_normal(p.shape)
        p.grad, tp.grad = vg.tensor(g, dtype=vg_dtype), torch.tensor(g, dtype=torch_dtype)
    total = vg.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, vg.Tensor) and total.dim() == 0 and total.dtype == vg_dtype
    np.testing.assert_allclose(total.item(), t_total.item(), rtol=rtol)
    for p, tp in zip(ours, theirs):
        assert_close(p.grad, tp.grad, rtol)


def test_clip_grad_norm_skips_missing_grads_and_accepts_a_tensor():
    a, b = vg.tensor([3.0, 4.0], requires_grad=True), vg.tensor([1.0], requires_grad=True)
    a.grad = vg.tensor([3.0, 4.0])
    assert vg.nn.utils.clip_grad_norm_([a, b], 1.0).item() == pytest.approx(5.0)
    assert b.grad is None
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.8], rtol=1e-6)
    assert vg.nn.utils.clip_grad_norm_(a, 10.0).item() == pytest.approx(1.0, rel=1e-5)
    assert vg.nn.utils.clip_grad_norm_([b], 1.0).item() == 0.0


def test_clip_grad_norm_error_if_nonfinite_like_torch():
    w, tw = vg.tensor([1.0], requires_grad=True), torch.tensor([1.0], requires_grad=True)
    w.grad, tw.grad = vg.tensor([float("inf")]), torch.tensor([float("inf")])
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_([tw], 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ours:
        vg.nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)


def test_clip_grad_value_matches_torch():
    ours, theirs = param_pair(vg.float32, torch.float32)
    for p, tp in zip(ours, theirs):
        g = np.linspace(-3, 3, p.numel()).reshape(p.shape).astype(np.float32)
        p.grad, tp.grad = vg.tensor(g), torch.tensor(g)
    vg.nn.utils.clip_grad_value_(ours, 1.5)
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for p, tp in zip(ours, theirs):
        assert_close(p.grad, tp.grad, 0)


def test_clipping_writes_the_grad_tensor_in_place():
    """The same .grad tensor, scaled, with its version counted (as torch's in-place mul_)."""
    w = vg.tensor([3.0, 4.0], requires_grad=True)
    (w * w).sum().backward()
    delivered = w.grad
    vg.nn.utils.clip_grad_norm_([w], 1.0)
    assert w.grad is delivered
    np.testing.assert_allclose(w.grad.numpy(), [0.6, 0.8], rtol=1e-6)
    assert w.grad._version[0] >= 1


def test_scheduler_stepped_before_the_optimizer_warns_like_torch():
    import warnings as _warnings

    for lib in (vg, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=1)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
            sched.step()
        opt2 = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        sched2 = lib.optim.lr_scheduler.StepLR(opt2, step_size=1)
        opt2.step()
        with _warnings.catch_warnings():
            _warnings.simplefilter("error")
            sched2.step()


def test_adagrad_state_exists_from_the_start_and_errors_are_torchs():
    ours, theirs = vg.optim.Adagrad([vg.ones(2, requires_grad=True)], initial_accumulator_value=0.25), \
        torch.optim.Adagrad([torch.ones(2, requires_grad=True)], initial_accumulator_value=0.25)
    assert repr(ours) == repr(theirs)
    state, t_state = ours.state_dict()["state"], theirs.state_dict()["state"]
    assert list(state[0]) == list(t_state[0]) and state[0]["sum"].tolist() == t_state[0]["sum"].tolist()
    for kwargs in ({"lr": -1}, {"lr_decay": -1}, {"weight_decay": -1}, {"initial_accumulator_value": -1},
                   {"eps": -1}):
        with pytest.raises(ValueError) as t_err:
            torch.optim.Adagrad([torch.ones(1, requires_grad=True)], **kwargs)
        with pytest.raises(ValueError) as err:
            vg.optim.Adagrad([vg.ones(1, requires_grad=True)], **kwargs)
        assert str(err.value) == str(t_err.value)
