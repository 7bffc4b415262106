"""The two-layer net on raw weights ``w1``, ``w2``: NumPy, tensors by hand, autograd, MyReLU.

The net of the tutorial: ``y_pred = relu(x @ w1) @ w2``, loss the summed
squared error, plain gradient descent with learning rate 1e-6.

>>> result = run_autograd(steps=3, dtype="float64")
>>> len(result.losses), result.losses[2] < result.losses[0]
(3, True)
"""
from .. import _dtype, backend
from .._creation import from_numpy
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ._training import Setup

N, D_IN, H, D_OUT = 64, 1000, 100, 10
LEARNING_RATE = 1e-6
STEPS = 500


def _weights(setup, requires_grad):
    x = setup.randn("x", N, D_IN)
    y = setup.randn("y", N, D_OUT)
    w1 = setup.randn("w1", D_IN, H, requires_grad=requires_grad)
    w2 = setup.randn("w2", H, D_OUT, requires_grad=requires_grad)
    return x, y, w1, w2


def run_numpy(steps=None, seed=0, device="cpu", dtype=_dtype.float32, on_step=None, init=None):
    """Two-layer net in plain NumPy (CuPy on cuda), backprop written by hand."""
    setup = Setup(seed, device, dtype, init)
    xp = backend.xp_for(setup.device)
    x, y, w1, w2 = (t._data for t in _weights(setup, requires_grad=False))

    def step(t):
        h = x.dot(w1)
        h_relu = xp.maximum(h, 0)
        y_pred = h_relu.dot(w2)
        loss = xp.square(y_pred - y).sum()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T.dot(grad_y_pred)
        grad_h_relu = grad_y_pred.dot(w2.T)
        grad_h = grad_h_relu.copy()
        grad_h[h < 0] = 0
        grad_w1 = x.T.dot(grad_h)
        w1[...] -= LEARNING_RATE * grad_w1
        w2[...] -= LEARNING_RATE * grad_w2
        return loss

    result = setup.train(steps or STEPS, step, on_step)
    host = {name: from_numpy(backend.to_numpy(arr)) for name, arr in (("w1", w1), ("w2", w2), ("x", x), ("y", y))}
    result.tensors = {"w1": host["w1"], "w2": host["w2"]}
    result.data = {"x": host["x"], "y": host["y"]}
    return result


def run_tensor(steps=None, seed=0, device="cpu", dtype=_dtype.float32, on_step=None, init=None):
    """Two-layer net on tensors, backprop still written by hand."""
    setup = Setup(seed, device, dtype, init)
    x, y, w1, w2 = _weights(setup, requires_grad=False)

    def step(t):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        loss = (y_pred - y).pow(2).sum()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)
        w1.sub_(LEARNING_RATE * grad_w1)
        w2.sub_(LEARNING_RATE * grad_w2)
        return loss

    return setup.train(steps or STEPS, step, on_step, tensors={"w1": w1, "w2": w2}, data={"x": x, "y": y})


class MyReLU(Function):
    """The tutorial's custom autograd Function: ReLU with a hand-written backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        grad_x = grad_output.clone()
        grad_x[x < 0] = 0
        return grad_x


def _clamp_relu(h):
    return h.clamp(min=0)


def _run_with_autograd(relu, steps, seed, device, dtype, on_step, init):
    setup = Setup(seed, device, dtype, init)
    x, y, w1, w2 = _weights(setup, requires_grad=True)

    def step(t):
        y_pred = relu(x.mm(w1)).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with no_grad():
            w1.sub_(LEARNING_RATE * w1.grad)
            w2.sub_(LEARNING_RATE * w2.grad)
            w1.grad.zero_()
            w2.grad.zero_()
        return loss

    return setup.train(steps or STEPS, step, on_step, tensors={"w1": w1, "w2": w2}, data={"x": x, "y": y})


def run_autograd(steps=None, seed=0, device="cpu", dtype=_dtype.float32, on_step=None, init=None):
    """Two-layer net with autograd: loss.backward(), manual update under no_grad."""
    return _run_with_autograd(_clamp_relu, steps, seed, device, dtype, on_step, init)


def run_custom_function(steps=None, seed=0, device="cpu", dtype=_dtype.float32, on_step=None, init=None):
    """Two-layer net whose ReLU is a custom autograd.Function (MyReLU)."""
    return _run_with_autograd(MyReLU.apply, steps, seed, device, dtype, on_step, init)
