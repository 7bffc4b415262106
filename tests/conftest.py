"""Shared test helpers: the ``backend`` fixture and the torch oracle ``helper_test_op``.

``helper_test_op`` follows tinygrad's helper of the same name: one lambda is
run on torch and on graphviz_grad with identical inputs built from NumPy, and
the values AND the gradients of every input are compared.

>>> helper_test_op([(3, 1), (1, 4)], lambda lib, a, b: a * b)  # doctest: +SKIP
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import graphviz_grad as vg

GPU_AVAILABLE = vg.cuda.is_available()

# (graphviz_grad dtype, torch dtype, rtol, atol) per precision
PRECISION = {
    "float32": (vg.float32, torch.float32, 1e-5, 1e-6),
    "float64": (vg.float64, torch.float64, 1e-10, 1e-10),
}
DTYPE_PAIRS = [
    (vg.float32, torch.float32), (vg.float64, torch.float64), (vg.int64, torch.int64),
    (vg.int32, torch.int32), (vg.bool, torch.bool),
]
TORCH_DTYPE = {vg_d.name: t_d for vg_d, t_d in DTYPE_PAIRS}


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not GPU_AVAILABLE, reason="needs CuPy and a CUDA GPU"))])
def backend(request):
    """The device to run on: ``"cpu"`` (NumPy) always, ``"cuda"`` (CuPy) where a GPU is present."""
    return request.param


def to_numpy(x):
    """A NumPy array (or Python value) from a torch tensor, a graphviz_grad tensor, or anything else."""
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if isinstance(x, vg.Tensor):
        return np.asarray(x.detach().cpu().numpy())
    return x


def assert_close(ours, theirs, rtol=1e-5, atol=1e-6, what="value"):
    """Same shape, same dtype kind, values within ``atol + rtol·|theirs|`` (atol scaled by magnitude)."""
    o, t = to_numpy(ours), to_numpy(theirs)
    assert np.shape(o) == np.shape(t), f"{what}: shape {np.shape(o)} != torch's {np.shape(t)}"
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, vg.Tensor), f"{what}: expected a Tensor, got {type(ours).__name__}"
        assert ours.dtype.name == str(theirs.dtype).removeprefix("torch."), (
            f"{what}: dtype {ours.dtype} != torch's {theirs.dtype}")
    t_arr = np.asarray(t)
    scale = float(np.abs(t_arr[np.isfinite(t_arr)]).max()) if t_arr.dtype.kind == "f" and np.isfinite(t_arr).any() else 1.0
    np.testing.assert_allclose(o, t, rtol=rtol, atol=atol * max(1.0, scale), err_msg=what)


def _flat_outputs(out):
    """The tensor results of an op (one tensor, a tuple, or a (values, indices) named tuple)."""
    return list(out) if isinstance(out, (tuple, list)) else [out]


def make_inputs(shapes, dtype="float32", low=-2.0, high=2.0, seed=0, vals=None):
    """NumPy arrays for ``shapes`` (or ``vals`` as given), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    if vals is not None:
        return [np.array(v, dtype=dtype) for v in vals]
    return [rng.uniform(low, high, size=s).astype(dtype) for s in shapes]


def gradcheck_case(shapes, fn, opts, device="cpu"):
    """Finite differences in float64 agree with the backward of one oracle case (``shapes``, ``fn``, ``opts``
    of a CASES entry: inputs drawn as :func:`make_inputs` draws them, seed 3)."""
    arrays = make_inputs(shapes, "float64", opts.get("low", -2.0), opts.get("high", 2.0), seed=3)
    inputs = [vg.tensor(a, device=device, requires_grad=True) for a in arrays]
    assert vg.autograd.gradcheck(lambda *xs: fn(vg, *xs), inputs)


def helper_test_op(shapes, fn, torch_fn=None, dtype="float32", device="cpu", vals=None, low=-2.0,
                   high=2.0, grad=True, rtol=None, atol=None, seed=0):
    """Run ``fn(lib, *inputs)`` on torch and graphviz_grad; compare values and every input's gradient.

    ``fn`` receives the module (``torch`` or ``graphviz_grad``) first so that one
    lambda serves both (``lambda lib, a, b: lib.mm(a, b)``); ``torch_fn`` overrides
    it for torch where the spellings differ. Gradients are taken with a random
    upstream gradient (``backward(gradient=g)``), so every element of the output
    matters. Returns (ours, torch's) outputs.
    """
    vg_dtype, t_dtype, rt, at = PRECISION[dtype]
    rtol = rt if rtol is None else rtol
    atol = at if atol is None else atol
    arrays = make_inputs(shapes, dtype, low, high, seed, vals)
    float_in = [a.dtype.kind == "f" for a in arrays]
    t_in = [torch.tensor(a, requires_grad=grad and f) for a, f in zip(arrays, float_in)]
    v_in = [vg.tensor(a, device=device, requires_grad=grad and f) for a, f in zip(arrays, float_in)]
    t_out = (torch_fn or fn)(torch, *t_in)
    v_out = fn(vg, *v_in)
    t_list, v_list = _flat_outputs(t_out), _flat_outputs(v_out)
    assert len(t_list) == len(v_list)
    for i, (o, t) in enumerate(zip(v_list, t_list)):
        if isinstance(t, torch.Tensor):
            assert o.device.type == device, f"output {i} is on {o.device}, not {device}"
        assert_close(o, t, rtol, atol, f"output {i}")
    if not grad:
        return v_out, t_out
    rng = np.random.default_rng(seed + 1)
    t_roots, v_roots, seeds = [], [], []
    for o, t in zip(v_list, t_list):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            assert o.requires_grad, "torch's output requires grad, ours does not"
            g = rng.uniform(-1, 1, size=tuple(t.shape)).astype(dtype)
            t_roots.append(t)
            v_roots.append(o)
            seeds.append(g)
    if not t_roots:
        return v_out, t_out
    torch.autograd.backward(t_roots, [torch.tensor(g) for g in seeds])
    vg.autograd.backward(v_roots, [vg.tensor(g, device=device) for g in seeds])
    for i, (o, t) in enumerate(zip(v_in, t_in)):
        if not t.requires_grad:
            continue
        if t.grad is None:
            assert o.grad is None, f"input {i}: torch has no gradient, ours is {o.grad}"
            continue
        assert o.grad is not None, f"input {i}: torch has a gradient, ours has none"
        assert o.grad.shape == o.shape, f"input {i}: grad shape {o.grad.shape} != {o.shape}"
        assert_close(o.grad, t.grad, rtol, atol, f"gradient of input {i}")
    return v_out, t_out


# --- memory: resident set size of a program run in a fresh interpreter ---------------------------

HAS_PROC_STATM = Path("/proc/self/statm").exists()
needs_proc_statm = pytest.mark.skipif(not HAS_PROC_STATM, reason="reads RSS from /proc/self/statm")

_RSS_PRELUDE = """
import os as _os
def rss():
    \"\"\"This process's resident set size, in bytes.\"\"\"
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _os.sysconf("SC_PAGE_SIZE")
"""


def run_measuring_rss(program, *args, timeout=300, env=None):
    """Run ``program`` (Python text that may call ``rss()``) in a fresh interpreter; the integers it prints.

    ``args`` become its ``sys.argv[1:]``; ``env`` adds environment variables.
    Used by the memory tests: print ``rss()`` after a warm-up and at the end, and
    compare (a leak of one step's graph per step shows as tens of megabytes).
    """
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-c", _RSS_PRELUDE + program, *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env)
    assert proc.returncode == 0, proc.stderr
    return [int(v) for v in proc.stdout.split()]
