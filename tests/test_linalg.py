"""``vg.linalg``'s norms against ``torch.linalg``: values, shapes and gradients, float32 and float64, and errors."""
import math

import numpy as np
import pytest

import graphviz_grad as vg

torch = pytest.importorskip("torch")

CASES = [("norm", (), {}), ("norm", ("fro",), {}), ("norm", (1,), {}), ("norm", (math.inf,), {}), ("norm", (-1,), {}),
         ("norm", (3,), {"dim": 1}), ("norm", (None,), {"dim": (0, 1), "keepdim": True}),
         ("vector_norm", (0,), {}), ("vector_norm", (1,), {"dim": 1}), ("vector_norm", (2,), {"dim": (0, 1)}),
         ("vector_norm", (math.inf,), {"dim": 0}), ("vector_norm", (-math.inf,), {}),
         ("vector_norm", (0.5,), {"dim": -1, "keepdim": True}),
         ("matrix_norm", (), {}), ("matrix_norm", (1,), {}), ("matrix_norm", (-1,), {}),
         ("matrix_norm", (math.inf,), {"keepdim": True}), ("matrix_norm", (-math.inf,), {})]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[f"{n}{a}{k}" for n, a, k in CASES])
def test_norm_matches_torch(name, args, kwargs, dtype):
    a = np.random.default_rng(0).standard_normal((3, 4))
    results = []
    for lib in (vg, torch):
        x = lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
        out = getattr(lib.linalg, name)(x, *args, **kwargs)
        weights = lib.arange(1.0, out.numel() + 1).reshape(out.shape).to(out.dtype)
        (out * weights).sum().backward()
        grad = None if x.grad is None else np.asarray(x.grad)
        results.append((np.asarray(out.detach()), tuple(out.shape), grad))
    (ours, shape, grad), (theirs, t_shape, t_grad) = results
    assert shape == t_shape and ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    if t_grad is None:  # (ord 0: PyTorch passes no gradient; ours is zero)
        assert not np.any(grad)
    else:
        np.testing.assert_allclose(grad, t_grad, rtol=1e-4, atol=1e-6)


def test_gradcheck_of_the_norms():
    x = vg.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    for fn in (lambda t: vg.linalg.norm(t), lambda t: vg.linalg.vector_norm(t, 3, dim=0),
               lambda t: vg.linalg.matrix_norm(t, 1), lambda t: vg.linalg.matrix_norm(t, "fro")):
        assert vg.autograd.gradcheck(fn, [x])


@pytest.mark.parametrize("call", [
    lambda L: L.linalg.matrix_norm(L.ones(3)),
    lambda L: L.linalg.vector_norm(L.ones(3, dtype=L.long)),
    lambda L: L.linalg.norm(L.ones(2, 2, 2), "fro"),
    lambda L: L.linalg.norm(L.ones(3), "fro"),
])
def test_errors_are_torchs(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError) as ours:
        call(vg)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("ord", [2, 1, 3, 1.5, 0.5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_norm_of_a_zero_row_has_pytorchs_gradient(ord, dtype):
    """A zero row's norm is 0 and its gradient 0 (not NaN): F.normalize of an all-zero feature vector."""
    import torch

    data = [[0.0, 0.0, 0.0], [3.0, -4.0, 0.5]]
    results = []
    for L in (torch, vg):
        x = L.tensor(data, dtype=getattr(L, dtype), requires_grad=True)
        y = L.linalg.vector_norm(x, ord=ord, dim=1)
        y.backward(L.tensor([0.7, -1.3], dtype=getattr(L, dtype)))
        results.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-5)


@pytest.mark.parametrize("ord", [2, 1, 3, 1.5])
def test_vector_norm_gradcheck(ord):
    x = vg.tensor(np.random.default_rng(int(ord * 10)).standard_normal((3, 4)), dtype=vg.float64, requires_grad=True)
    assert vg.autograd.gradcheck(lambda t: vg.linalg.vector_norm(t, ord=ord, dim=1), [x])
    assert vg.autograd.gradcheck(lambda t: t.norm(p=ord), [x])
