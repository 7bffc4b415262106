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
