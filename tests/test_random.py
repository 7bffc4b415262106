"""PyTorch's CPU random numbers, bit for bit (issue 14, SPEC §7), against torch 2.13 as the oracle.

float32 results must have the same bits; float64 ones the same bits or 1 ulp apart;
integers the same values. Every comparison also checks the next draw, so the stream
positions stay in step.
"""
import math
import os
import random as pyrandom
import subprocess
import sys

import numpy as np
import pytest

import graphviz_grad as vg

torch = pytest.importorskip("torch")

SEEDS = (0, 1, 42, 2147483647, 2**32 + 5, 2**63 - 1)
SHAPES = ((), (1,), (15,), (16,), (17,), (37,), (1000,), (4, 17), (0,))
FLOATS = ("float32", "float64")


def same_bits(a, b, ulps=1):
    """float32: identical bits; float64: identical or ``ulps`` apart; anything else: identical values.

    A float64 normal is within 1 ulp of PyTorch's (the C library's log/cos differ from NumPy's in
    the last bit of a few values); scaled by ``std`` and shifted, that can become 2-3 ulps.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype == np.float32:
        return np.array_equal(a.view(np.uint32), b.view(np.uint32))
    if a.dtype == np.float64:
        ia, ib = a.view(np.int64), b.view(np.int64)
        return bool(np.all(np.abs(ia - ib) <= ulps) and np.array_equal(np.isnan(a), np.isnan(b)))
    return np.array_equal(a, b)


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _g(M, gen):
    return {} if gen is None else {"generator": gen}


def _dt(M, name):
    return getattr(M, name)


# Each sampler: (name, dtypes, fn(M, shape, dtype, gen) -> tensor). M is torch or graphviz_grad.
P_FIXED = np.random.RandomState(7).rand(1000).astype(np.float32)


def _probs(M, shape, dtype):
    n = math.prod(shape)
    return M.tensor(P_FIXED[:n].reshape(shape), dtype=_dt(M, dtype))


SAMPLERS = [
    ("rand", FLOATS, lambda M, s, d, g: M.rand(s, dtype=_dt(M, d), **_g(M, g))),
    ("randn", FLOATS, lambda M, s, d, g: M.randn(s, dtype=_dt(M, d), **_g(M, g))),
    ("randint small", ("int64", "float32"), lambda M, s, d, g: M.randint(-3, 7, s, dtype=_dt(M, d), **_g(M, g))),
    ("randint 2**30", ("int64",), lambda M, s, d, g: M.randint(5, 2**30 + 5, s, **_g(M, g))),
    ("randint 2**40", ("int64",), lambda M, s, d, g: M.randint(-(2**40), 2**40, s, **_g(M, g))),
    ("randperm", ("int64",), lambda M, s, d, g: M.randperm(math.prod(s), **_g(M, g))),
    ("rand_like", FLOATS, lambda M, s, d, g: M.rand_like(M.zeros(s, dtype=_dt(M, d)))),
    ("randn_like", FLOATS, lambda M, s, d, g: M.randn_like(M.zeros(s, dtype=_dt(M, d)))),
    ("randint_like", ("int64", "float64"), lambda M, s, d, g: M.randint_like(M.zeros(s, dtype=_dt(M, d)), 2, 9)),
    ("normal_", FLOATS, lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).normal_(0.3, 2.5, **_g(M, g))),
    ("uniform_", FLOATS, lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).uniform_(-3.7, 5.1, **_g(M, g))),
    ("random_()", ("int64", "int32", "float32", "float64"),
     lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).random_(**_g(M, g))),
    ("random_(to)", ("int64", "float32"), lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).random_(10, **_g(M, g))),
    ("random_(from, to)", ("int64", "float64"),
     lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).random_(-5, 2**29, **_g(M, g))),
    ("random_(from, None)", ("int64", "float32"),
     lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).random_(3, None, **_g(M, g))),
    ("random_(int64 min, None)", ("int64",),
     lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).random_(-(2**63), None, **_g(M, g))),
    ("bernoulli_(p)", FLOATS, lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).bernoulli_(0.3, **_g(M, g))),
    ("bernoulli_(tensor p)", FLOATS,
     lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).bernoulli_(_probs(M, s, d), **_g(M, g))),
    ("bernoulli", FLOATS, lambda M, s, d, g: M.bernoulli(_probs(M, s, d), **_g(M, g))),
    ("exponential_", FLOATS, lambda M, s, d, g: M.empty(s, dtype=_dt(M, d)).exponential_(1.7, **_g(M, g))),
    ("normal(T, T)", FLOATS, lambda M, s, d, g: M.normal(_probs(M, s, d), _probs(M, s, d) + 1, **_g(M, g))),
    ("normal(T, f)", FLOATS, lambda M, s, d, g: M.normal(_probs(M, s, d), 0.7, **_g(M, g))),
    ("normal(f, T)", FLOATS, lambda M, s, d, g: M.normal(0.7, _probs(M, s, d) + 1, **_g(M, g))),
    ("normal(f, f, size)", FLOATS, lambda M, s, d, g: M.normal(-1.0, 3.0, size=s, dtype=_dt(M, d), **_g(M, g))),
]


def _multinomial(replacement):
    def fn(M, s, d, g):
        n = max(math.prod(s), 2)
        probs = M.tensor(P_FIXED[:n], dtype=_dt(M, d))
        k = 5 if replacement else min(n, 5)
        return M.multinomial(probs, k, replacement=replacement, **_g(M, g))
    return fn


SAMPLERS += [
    ("multinomial with replacement", FLOATS, _multinomial(True)),
    ("multinomial without replacement", FLOATS, _multinomial(False)),
]


def _ulps(name):
    return 4 if name.startswith("normal") else 1


def _generators(kind, seed):
    if kind == "global":
        torch.manual_seed(seed)
        vg.manual_seed(seed)
        return None, None
    return torch.Generator().manual_seed(seed), vg.Generator().manual_seed(seed)


def _check_next(tg, vg_g, where):
    a = torch.rand(3, **_g(torch, tg)).numpy()
    b = vg.rand(3, **_g(vg, vg_g)).numpy()
    assert same_bits(a, b), f"stream out of step after {where}"


@pytest.mark.parametrize("kind", ["global", "Generator"])
@pytest.mark.parametrize("name,dtypes,fn", SAMPLERS, ids=[s[0] for s in SAMPLERS])
def test_sampler_matches_torch(name, dtypes, fn, kind):
    for seed in SEEDS:
        for shape in SHAPES:
            if name.startswith("multinomial") and len(shape) != 1:
                continue
            for dtype in dtypes:
                tg, g = _generators(kind, seed)
                expected = _np(fn(torch, shape, dtype, tg))
                got = _np(fn(vg, shape, dtype, g))
                assert same_bits(expected, got, _ulps(name)), f"{name} seed={seed} shape={shape} {dtype}: {expected} vs {got}"
                _check_next(tg, g, f"{name} seed={seed} shape={shape} {dtype}")


@pytest.mark.parametrize("kind", ["global", "Generator"])
@pytest.mark.parametrize("order_seed", [0, 1, 2])
def test_interleaved_draws_stay_in_step(kind, order_seed):
    chooser = pyrandom.Random(order_seed)
    tg, g = _generators(kind, SEEDS[order_seed])
    for step in range(40):
        name, dtypes, fn = chooser.choice(SAMPLERS)
        shape = chooser.choice([s for s in SHAPES if len(s) == 1] if name.startswith("multinomial") else SHAPES)
        dtype = chooser.choice(dtypes)
        expected, got = _np(fn(torch, shape, dtype, tg)), _np(fn(vg, shape, dtype, g))
        assert same_bits(expected, got, _ulps(name)), f"step {step}: {name} {shape} {dtype}"
    _check_next(tg, g, "the interleaved draws")


def test_rng_state_bytes_and_round_trip():
    for seed in (0, 2**63 - 1):
        for k in (0, 1, 3, 700):
            torch.manual_seed(seed)
            vg.manual_seed(seed)
            torch.randn(k)
            vg.randn(k)  # k = 1, 3 leave a cached normal in the state
            assert np.array_equal(torch.get_rng_state().numpy(), vg.get_rng_state().numpy())
    vg.manual_seed(3)
    vg.randn(3)
    state = vg.get_rng_state()
    a = vg.randn(5)
    vg.set_rng_state(state)
    assert vg.equal(vg.randn(5), a)
    torch.manual_seed(5)
    torch.randn(3)
    vg.set_rng_state(vg.tensor(torch.get_rng_state().numpy()))  # PyTorch's bytes work here too
    assert same_bits(torch.randn(5).numpy(), vg.randn(5).numpy())
    with pytest.raises(RuntimeError, match="wrong size"):
        vg.set_rng_state(vg.zeros(10, dtype=vg.uint8))


def test_generator_api():
    g = vg.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert g.manual_seed(7) is g and g.initial_seed() == 7
    assert vg.manual_seed(9) is vg.default_generator and vg.initial_seed() == 9
    assert vg.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    s = vg.seed()
    assert vg.initial_seed() == s
    g2 = vg.Generator().set_state(g.get_state())
    assert vg.equal(vg.randn(20, generator=g), vg.randn(20, generator=g2))
    assert vg.random.manual_seed is vg.manual_seed and vg.random.get_rng_state is vg.get_rng_state
    t = torch.Generator().manual_seed(7)
    g.manual_seed(7)
    vg.rand(5)  # the global generator does not move g
    assert same_bits(torch.rand(4, generator=t).numpy(), vg.rand(4, generator=g).numpy())


INITS = [
    ("uniform_", lambda M, w, g: M.nn.init.uniform_(w, -0.3, 0.8, generator=g)),
    ("normal_", lambda M, w, g: M.nn.init.normal_(w, 0.1, 0.02, generator=g)),
    ("kaiming_uniform_", lambda M, w, g: M.nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=g)),
    ("kaiming_uniform_ relu fan_out", lambda M, w, g: M.nn.init.kaiming_uniform_(w, mode="fan_out",
                                                                                  nonlinearity="relu", generator=g)),
    ("kaiming_normal_", lambda M, w, g: M.nn.init.kaiming_normal_(w, generator=g)),
    ("xavier_uniform_", lambda M, w, g: M.nn.init.xavier_uniform_(w, gain=1.3, generator=g)),
    ("xavier_normal_", lambda M, w, g: M.nn.init.xavier_normal_(w, generator=g)),
    ("trunc_normal_", lambda M, w, g: M.nn.init.trunc_normal_(w, 0.0, 1.0, -2.0, 2.0, generator=g)),
    ("trunc_normal_ narrow", lambda M, w, g: M.nn.init.trunc_normal_(w, 0.0, 1.0, 1.5, 3.0, generator=g)),
    ("zeros_", lambda M, w, g: M.nn.init.zeros_(w)),
    ("ones_", lambda M, w, g: M.nn.init.ones_(w)),
    ("constant_", lambda M, w, g: M.nn.init.constant_(w, 0.25)),
    ("eye_", lambda M, w, g: M.nn.init.eye_(w)),
]


@pytest.mark.parametrize("name,fn", INITS, ids=[i[0] for i in INITS])
@pytest.mark.parametrize("dtype", FLOATS)
def test_nn_init_matches_torch(name, fn, dtype):
    for shape in ((3, 5), (17, 4), (64, 33)):
        for seed in (0, 42):
            w_t, w_v = torch.empty(shape, dtype=_dt(torch, dtype)), vg.empty(shape, dtype=_dt(vg, dtype))
            fn(torch, w_t, torch.Generator().manual_seed(seed))
            fn(vg, w_v, vg.Generator().manual_seed(seed))
            assert same_bits(w_t.numpy(), w_v.numpy(), 4), f"{name} {shape} seed {seed}"


def test_orthogonal_close_to_torch():
    for shape in ((3, 5), (6, 4)):
        w_t, w_v = torch.empty(shape), vg.empty(shape)
        torch.nn.init.orthogonal_(w_t, generator=torch.Generator().manual_seed(1))
        vg.nn.init.orthogonal_(w_v, generator=vg.Generator().manual_seed(1))
        np.testing.assert_allclose(w_v.numpy(), w_t.numpy(), rtol=1e-5, atol=1e-5)


def test_linear_default_init_and_dropout_masks():
    for seed in SEEDS:
        torch.manual_seed(seed)
        vg.manual_seed(seed)
        for shape in ((3, 1), (10, 7), (100, 33)):
            lt, lv = torch.nn.Linear(*shape), vg.nn.Linear(*shape)
            assert same_bits(lt.weight.detach().numpy(), lv.weight.detach().numpy())
            assert same_bits(lt.bias.detach().numpy(), lv.bias.detach().numpy())
        for p in (0.1, 0.5, 0.9):
            xt = torch.ones(37, 5, requires_grad=True)
            xv = vg.ones(37, 5, requires_grad=True)
            yt, yv = torch.nn.Dropout(p)(xt), vg.nn.Dropout(p)(xv)
            assert same_bits(yt.detach().numpy(), yv.detach().numpy())
            (yt * 3).sum().backward()
            (yv * 3).sum().backward()
            assert same_bits(xt.grad.numpy(), xv.grad.numpy())
            assert same_bits(torch.nn.functional.dropout(torch.ones(20), p).numpy(),
                             vg.nn.functional.dropout(vg.ones(20), p).numpy())
        d = vg.nn.Dropout(0.5).eval()
        x = vg.ones(4)
        assert d(x) is x
        _check_next(None, None, "Linear and Dropout")


def test_tutorial_nn_program_prints_torchs_losses():
    """Today's tutorial's nn example: manual_seed(0), Linear(3, 1) + Flatten(0, 1) fitting sin."""
    def run(M):
        M.manual_seed(0)
        x = M.linspace(-math.pi, math.pi, 2000)
        y = M.tensor(np.sin(x.numpy().astype(np.float64)).astype(np.float32))
        xx = x.unsqueeze(-1).pow(M.tensor([1, 2, 3]))
        model = M.nn.Sequential(M.nn.Linear(3, 1), M.nn.Flatten(0, 1))
        loss_fn = M.nn.MSELoss(reduction="sum")
        losses = []
        for _ in range(2000):
            loss = loss_fn(model(xx), y)
            losses.append(loss.item())
            model.zero_grad()
            loss.backward()
            with M.no_grad():
                for param in model.parameters():
                    param -= 1e-6 * param.grad
        return np.array(losses)

    expected, got = run(torch), run(vg)
    np.testing.assert_allclose(got[:50], expected[:50], rtol=1e-4)
    np.testing.assert_allclose(got, expected, rtol=1e-3)


_CAPABILITY_SCRIPT = """
import sys, numpy as np
import torch, graphviz_grad as vg
out = []
for M in (torch, vg):
    M.manual_seed(3)
    out.append(np.concatenate([M.randn(1003).numpy(), M.empty(37).normal_(0.3, 2.5).numpy(),
                               M.empty(100).uniform_(-3.7, 5.1).numpy()]))
assert vg.random.cpu_capability() == "default", vg.random.cpu_capability()
assert np.array_equal(out[0].view(np.uint32), out[1].view(np.uint32)), np.sum(out[0] != out[1])
print("ok")
"""


def test_aten_cpu_capability_default_path():
    """With ATEN_CPU_CAPABILITY=default, PyTorch runs its scalar kernels; so do we, with the same bits."""
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.path.dirname(os.path.dirname(vg.__file__)),
                                                    env.get("PYTHONPATH")) if p)
    r = subprocess.run([sys.executable, "-c", _CAPABILITY_SCRIPT], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def test_errors_match_torch_types():
    with pytest.raises(RuntimeError):
        vg.randint(5, 5, (3,))
    with pytest.raises(RuntimeError):
        vg.empty(3).uniform_(2, 1)
    with pytest.raises(RuntimeError):
        vg.multinomial(vg.tensor([0.2, 0.8]), 3)
    with pytest.raises(RuntimeError):
        vg.empty(3).bernoulli_(1.5)
    with pytest.raises(ValueError):
        vg.nn.Dropout(1.5)
    with pytest.raises(TypeError):
        vg.randn(3, generator=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        vg.zeros(3, requires_grad=True).normal_()


@pytest.mark.skipif(not vg.cuda.is_available(), reason="no CUDA GPU")
def test_cuda_tensors_get_the_cpu_generators_numbers():
    vg.manual_seed(0)
    a = vg.randn(100, device="cuda")
    vg.manual_seed(0)
    b = vg.randn(100)
    assert a.device.type == "cuda" and np.array_equal(a.cpu().numpy(), b.numpy())


def test_views_are_filled_in_memory_order():
    """A transposed or permuted view gets its numbers in its base's memory order, as PyTorch's kernels fill it."""
    out = []
    for M in (torch, vg):
        M.manual_seed(0)
        w, v, u = M.empty(3, 20), M.empty(20, 3), M.empty(4, 5, 6)
        w.t().uniform_()
        v.t().normal_()
        u.permute(2, 0, 1).exponential_()
        out.append([w.numpy().copy(), v.numpy().copy(), u.numpy().copy(), M.rand(3).numpy()])
    for a, b in zip(*out):
        assert same_bits(a, b)


@pytest.mark.parametrize("seed", [0, 2147483647])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_million_normals_are_torchs(seed, dtype):
    """The vectorised Box-Muller over 2**20 + 5 numbers: about a million uniforms through the emulated
    AVX2 log/sin/cos (float32) or the C library's log, sin and cos (float64), every output bit
    compared (float64 too: no ulp of slack), and the tail of 5."""
    for M in (torch, vg):
        M.manual_seed(seed)
    theirs = torch.randn(2**20 + 5, dtype=getattr(torch, dtype))
    ours = vg.randn(2**20 + 5, dtype=getattr(vg, dtype))
    assert same_bits(ours, theirs, ulps=0)
    assert same_bits(vg.rand(3), torch.rand(3))  # and the stream is still in step
