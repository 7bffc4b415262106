"""Top-level breadth as PyTorch 2.13 has it: torch.backends, torch.compile, print options, and the
ReduceLROnPlateau and OneCycleLR schedulers, each against torch."""
import subprocess
import sys

import numpy as np
import pytest
import torch

import graphviz_grad as vg


# --- torch.backends -------------------------------------------------------------------------------------------

def test_backends_mps_is_absent_and_device_pick_does_not_raise():
    assert vg.backends.mps.is_available() is False
    assert vg.backends.mps.is_built() is False
    device = "cuda" if vg.cuda.is_available() else "mps" if vg.backends.mps.is_available() else "cpu"
    assert vg.ones(2, device=device).device.type == ("cuda" if vg.cuda.is_available() else "cpu")


def test_backends_cudnn_flags_have_torch_defaults_and_are_settable():
    from graphviz_grad.backends import cudnn
    for flag in ("benchmark", "deterministic", "enabled", "allow_tf32"):
        assert getattr(cudnn, flag) == getattr(torch.backends.cudnn, flag), flag
    cudnn.benchmark, cudnn.deterministic = True, True
    try:
        assert vg.backends.cudnn.benchmark and vg.backends.cudnn.deterministic
        assert (vg.ones(2) * 2).tolist() == [2.0, 2.0]  # no effect on the engine
    finally:
        cudnn.benchmark, cudnn.deterministic = False, False
    assert cudnn.is_available() == vg.cuda.is_available()


def test_backends_loads_lazily():
    code = "import sys, graphviz_grad; print('graphviz_grad.backends' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --- torch.compile --------------------------------------------------------------------------------------------

def test_compile_returns_the_module_with_the_same_output():
    vg.manual_seed(0)
    model = vg.nn.Linear(3, 2)
    compiled = vg.compile(model)
    assert compiled is model
    x = vg.randn(4, 3)
    assert np.array_equal(compiled(x).detach().numpy(), model(x).detach().numpy())
    assert vg.compile(model, fullgraph=True, dynamic=False, backend="eager", mode="max-autotune",
                      options={}, disable=True) is model


def test_compile_as_a_decorator_with_and_without_arguments():
    @vg.compile
    def f(x):
        return (x * x).sum()

    @vg.compile(mode="reduce-overhead", fullgraph=True)
    def g(x):
        return x + 1

    @torch.compile(backend="eager")
    def tg(x):
        return x + 1

    x = vg.tensor([1.0, 2.0], requires_grad=True)
    f(x).backward()
    assert x.grad.tolist() == [2.0, 4.0]
    assert g(vg.tensor([1.0])).tolist() == tg(torch.tensor([1.0])).tolist() == [2.0]


def test_compile_refuses_what_is_not_callable_as_torch():
    with pytest.raises(AssertionError, match="A callable function is expected") as ours:
        vg.compile(3)
    with pytest.raises(AssertionError) as theirs:
        torch.compile(3)
    assert str(ours.value) == str(theirs.value)


# --- set_printoptions / get_printoptions ----------------------------------------------------------------------

@pytest.fixture
def printoptions():
    """Both libraries' print options back to the default profile after the test."""
    yield
    vg.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


PRINT_VALUES = [
    [1.12345, -2.5, 3.0],
    [[1e-5, 2.0], [3.0, 4.5]],
    [1.0, 2.0, 3.0],
    [1e6, 1.0, float("nan"), float("inf")],
    np.linspace(-3, 3, 60).tolist(),
    np.arange(24.0).reshape(2, 3, 4).tolist(),
    np.arange(2000.0).reshape(40, 50).tolist(),
    np.arange(30).tolist(),
    1.23456789,
]
PRINT_OPTIONS = [
    {"precision": 2},
    {"precision": 8},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 1},
    {"threshold": 5, "edgeitems": 0},
    {"linewidth": 40},
    {"sci_mode": True},
    {"sci_mode": False},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "short", "precision": 6, "linewidth": 120},
]


@pytest.mark.parametrize("options", PRINT_OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("values", PRINT_VALUES, ids=range(len(PRINT_VALUES)))
def test_set_printoptions_reprs_are_torch_s(printoptions, options, values):
    vg.set_printoptions(**options)
    torch.set_printoptions(**options)
    assert repr(vg.tensor(values)) == repr(torch.tensor(values))  # float32 or int64: no dtype suffix

    def values_part(text):  # "graphviz_grad.float64" is longer than "torch.float64": the suffix may wrap apart
        return text.split("dtype=")[0].rstrip(", \n")
    assert values_part(repr(vg.tensor(values, dtype=vg.float64))) == \
        values_part(repr(torch.tensor(values, dtype=torch.float64)))


def test_get_printoptions_follows_set_printoptions(printoptions):
    assert vg.get_printoptions() == torch._tensor_str.get_printoptions()
    for options in PRINT_OPTIONS:
        vg.set_printoptions(**options)
        torch.set_printoptions(**options)
        assert vg.get_printoptions() == torch._tensor_str.get_printoptions()
    vg.set_printoptions(profile="default")
    assert vg.get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
                                     "sci_mode": None}


def test_set_printoptions_ignores_an_unknown_profile_as_torch(printoptions):
    for lib in (vg, torch):
        lib.set_printoptions(precision=6, sci_mode=True)
        lib.set_printoptions(profile="long")
    assert vg.get_printoptions() == torch._tensor_str.get_printoptions()
    assert vg.get_printoptions()["precision"] == 6 and vg.get_printoptions()["sci_mode"] is None


# --- ReduceLROnPlateau, OneCycleLR ----------------------------------------------------------------------------

def _optimizer_pair(name, **kwargs):
    """The same optimizer over one weight, ours and torch's, with two param groups."""
    ours = [vg.nn.Parameter(vg.ones(2)), vg.nn.Parameter(vg.ones(3))]
    theirs = [torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True)]
    lr = kwargs.pop("lr", 0.1)
    opt = getattr(vg.optim, name)([{"params": [ours[0]]}, {"params": [ours[1]], "lr": lr / 2}], lr=lr, **kwargs)
    t_opt = getattr(torch.optim, name)([{"params": [theirs[0]]}, {"params": [theirs[1]], "lr": lr / 2}],
                                       lr=lr, **kwargs)
    return (ours, opt), (theirs, t_opt)


def _step_both(pair, t_pair, rng):
    (ours, opt), (theirs, t_opt) = pair, t_pair
    for p, tp in zip(ours, theirs):
        g = rng.standard_normal(tuple(p.shape)).astype(np.float32)
        p.grad, tp.grad = vg.tensor(g), torch.tensor(g)
    opt.step(), t_opt.step()
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-4)  # float32 over 100+ steps


PLATEAU_CONFIGS = [
    {},
    {"factor": 0.5, "patience": 2},
    {"mode": "max", "factor": 0.5, "patience": 1, "cooldown": 2},
    {"threshold": 0.1, "threshold_mode": "abs", "patience": 0, "min_lr": 1e-3},
    {"mode": "max", "threshold_mode": "abs", "patience": 3, "min_lr": [0.01, 0.002], "eps": 1e-3},
]


@pytest.mark.parametrize("kwargs", PLATEAU_CONFIGS, ids=range(len(PLATEAU_CONFIGS)))
def test_reduce_lr_on_plateau_learning_rates_equal_torchs(kwargs):
    pair, t_pair = _optimizer_pair("SGD", momentum=0.9)
    sched = vg.optim.lr_scheduler.ReduceLROnPlateau(pair[1], **kwargs)
    t_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(t_pair[1], **kwargs)
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(5, 1, 20), np.full(30, 1.0), rng.uniform(0.5, 2, 100)])
    for i, metric in enumerate(metrics):
        _step_both(pair, t_pair, rng)
        metric = vg.tensor(metric) if i % 2 else float(metric)  # a one-element tensor or a number
        sched.step(metric), t_sched.step(float(metric))
        assert sched.get_last_lr() == t_sched.get_last_lr()
        assert (sched.num_bad_epochs, sched.cooldown_counter, sched.best, sched.last_epoch) == \
            (t_sched.num_bad_epochs, t_sched.cooldown_counter, t_sched.best, t_sched.last_epoch)
    assert sched.get_last_lr() != [0.1, 0.05]  # the schedule did reduce


def test_reduce_lr_on_plateau_state_dict_resumes():
    (_, opt), _ = _optimizer_pair("SGD")
    sched = vg.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    for metric in [3, 2, 2, 2, 2]:
        sched.step(metric)
    resumed = vg.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=5)
    resumed.load_state_dict(sched.state_dict())
    assert (resumed.patience, resumed.best, resumed.num_bad_epochs) == (1, 2.0, sched.num_bad_epochs)


@pytest.mark.parametrize("kwargs", [
    {"factor": 1.0}, {"mode": "middle"}, {"threshold_mode": "both"}, {"min_lr": [0.1]},
])
def test_reduce_lr_on_plateau_errors_are_torchs(kwargs):
    (_, opt), (_, t_opt) = _optimizer_pair("SGD")
    with pytest.raises(ValueError) as ours:
        vg.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    with pytest.raises(ValueError) as theirs:
        torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **kwargs)
    assert str(ours.value) == str(theirs.value)


ONE_CYCLE_CONFIGS = [
    ("SGD", {"momentum": 0.9}, {"max_lr": 1.0, "total_steps": 100}),
    ("SGD", {"momentum": 0.9}, {"max_lr": [1.0, 0.3], "epochs": 7, "steps_per_epoch": 13, "anneal_strategy": "linear"}),
    ("SGD", {"momentum": 0.9, "nesterov": True}, {"max_lr": 0.5, "total_steps": 90, "three_phase": True,
                                                 "pct_start": 0.25, "base_momentum": [0.8, 0.7],
                                                 "max_momentum": 0.99}),
    ("SGD", {}, {"max_lr": 0.1, "total_steps": 50, "cycle_momentum": False, "div_factor": 10.0,
                 "final_div_factor": 100.0}),
    ("Adam", {}, {"max_lr": 0.01, "total_steps": 120}),
    ("AdamW", {"betas": (0.8, 0.99)}, {"max_lr": 0.01, "total_steps": 77, "three_phase": True,
                                       "anneal_strategy": "linear"}),
]


@pytest.mark.parametrize("name,opt_kwargs,kwargs", ONE_CYCLE_CONFIGS, ids=range(len(ONE_CYCLE_CONFIGS)))
def test_one_cycle_lr_learning_rates_and_momenta_equal_torchs(name, opt_kwargs, kwargs):
    pair, t_pair = _optimizer_pair(name, **opt_kwargs)
    sched = vg.optim.lr_scheduler.OneCycleLR(pair[1], **kwargs)
    t_sched = torch.optim.lr_scheduler.OneCycleLR(t_pair[1], **kwargs)
    rng = np.random.default_rng(1)
    key = "betas" if "betas" in pair[1].defaults else "momentum"
    for _ in range(t_sched.total_steps - 1):
        assert sched.get_last_lr() == t_sched.get_last_lr()
        assert [g[key] for g in pair[1].param_groups] == [g[key] for g in t_pair[1].param_groups]
        _step_both(pair, t_pair, rng)
        sched.step(), t_sched.step()
    assert sched.get_last_lr() == t_sched.get_last_lr()
    _step_both(pair, t_pair, rng)
    sched.step(), t_sched.step()  # the last step allowed
    with pytest.raises(ValueError) as ours:
        sched.step()
    with pytest.raises(ValueError) as theirs:
        t_sched.step()
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kwargs", [
    {"max_lr": 1.0},
    {"max_lr": 1.0, "total_steps": 0},
    {"max_lr": 1.0, "epochs": 0, "steps_per_epoch": 3},
    {"max_lr": 1.0, "total_steps": 10, "pct_start": 1},
    {"max_lr": 1.0, "total_steps": 10, "anneal_strategy": "exp"},
    {"max_lr": [1.0], "total_steps": 10},
])
def test_one_cycle_lr_errors_are_torchs(kwargs):
    (_, opt), (_, t_opt) = _optimizer_pair("SGD", momentum=0.9)
    with pytest.raises(ValueError) as ours:
        vg.optim.lr_scheduler.OneCycleLR(opt, **kwargs)
    with pytest.raises(ValueError) as theirs:
        torch.optim.lr_scheduler.OneCycleLR(t_opt, **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_linspace_is_pytorchs_bit_for_bit(dtype):
    """Today's tutorial fits sin on linspace(-π, π, 2000): its x are PyTorch's to the last bit."""
    import math

    import torch

    for start, end, steps in [(-math.pi, math.pi, 2000), (-2, 2, 150), (0.1, 7.3, 513), (3, -5, 99),
                              (0, 10, 100_001), (0, 1, 1), (0, 1, 0), (5, 5, 4)]:
        expected = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
        got = vg.linspace(start, end, steps, dtype=getattr(vg, dtype)).numpy()
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
