"""More activations, each one node as in PyTorch: hardswish, hardsigmoid, mish, logsigmoid, softshrink,
hardshrink, threshold, glu, prelu.

The forward formulas and the gradients at the kinks are PyTorch's CPU kernels' (``hardswish``'s gradient at
``a = 3`` is ``1``, at ``a = -3`` it is ``0``; ``threshold`` passes no gradient where ``a <= threshold``).

>>> import graphviz_grad as vg
>>> x = vg.tensor([-2.0, 0.0, 1.0, 4.0], requires_grad=True)
>>> vg.nn.functional.hardswish(x)
tensor([-0.3333,  0.0000,  0.6667,  4.0000], grad_fn=<HardswishBackward0>)
>>> vg.nn.functional.hardswish(x).sum().backward(); x.grad
tensor([-0.1667,  0.5000,  0.8333,  1.0000])
"""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of
from .unary import sigmoid


def _cast(out, like):
    """``out`` in ``like``'s dtype (NumPy may widen a float32 result by a Python float)."""
    return out.astype(like.dtype, copy=False)


_ONE_SIXTH = float(np.float32(1) / np.float32(6))  # PyTorch's kernels take 1/6 as a float literal, in any dtype


class Hardsigmoid(Op):
    name = "hardsigmoid"
    derivatives = ("grad / 6 where -3 < a < 3, else 0",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        xp = xp_of(a)
        return _cast(xp.minimum(xp.maximum(a + 3, 0), 6) / 6, a)

    def backward(self, grad):
        a = self.a
        return (_cast(grad * ((a > -3) & (a < 3)) * _ONE_SIXTH, grad),)


class Hardswish(Op):
    name = "hardswish"
    derivatives = ("grad · (0 if a ≤ -3, a/3 + 1/2 if a < 3, else 1)",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        xp = xp_of(a)
        return _cast(a * xp.minimum(xp.maximum(a + 3, 0), 6) / 6, a)

    def backward(self, grad):
        a = self.a
        xp = xp_of(a)
        slope = xp.where(a <= -3, 0, xp.where(a < 3, a / 3 + 0.5, 1))
        return (_cast(grad * slope, grad),)


def _softplus(xp, a):
    """log(1 + e^a) without overflow."""
    return xp.logaddexp(a.dtype.type(0), a)


class Mish(Op):
    name = "mish"
    derivatives = ("grad · (t + a · sigmoid(a) · (1 - t²)), t = tanh(softplus(a))",)
    saved_inputs = (0,)

    def forward(self, a):
        xp = xp_of(a)
        self.a = a
        self.t = xp.tanh(_softplus(xp, a))
        return a * self.t

    def backward(self, grad):
        a, t = self.a, self.t
        return (grad * (t + a * sigmoid(a) * (1 - t * t)),)


class LogSigmoid(Op):
    name = "log_sigmoid"
    torch_grad_fn = "LogSigmoidBackward0"
    derivatives = ("grad · (1 - sigmoid(a))",)
    saved_inputs = (0,)

    def forward(self, a):
        xp = xp_of(a)
        self.a = a
        return _cast(xp.minimum(a, 0) - xp.log1p(xp.exp(-xp.abs(a))), a)

    def backward(self, grad):
        a = self.a
        with np.errstate(over="ignore"):
            return (grad * sigmoid(-a),)


class Softshrink(Op):
    name = "softshrink"
    derivatives = ("grad where |a| > lambd, else 0",)
    saved_inputs = (0,)
    lambd = 0.5

    def forward(self, a):
        self.a = a
        xp = xp_of(a)
        lambd = self.lambd
        return _cast(xp.where(a > lambd, a - lambd, xp.where(a < -lambd, a + lambd, 0)), a)

    def backward(self, grad):
        a = self.a
        return (grad * ((a < -self.lambd) | (a > self.lambd)),)


class Hardshrink(Op):
    name = "hardshrink"
    derivatives = ("grad where |a| > lambd, else 0",)
    saved_inputs = (0,)
    lambd = 0.5

    def forward(self, a):
        self.a = a
        self.keep = (a < -self.lambd) | (a > self.lambd)
        return a * self.keep

    def backward(self, grad):
        return (grad * self.keep,)


class Threshold(Op):
    """``a`` where ``a > threshold``, else ``value``."""

    name = "threshold"
    derivatives = ("grad where a > threshold, else 0",)
    saved_inputs = (0,)
    threshold = 0.0
    value = 0.0

    def forward(self, a):
        xp = xp_of(a)
        self.keep = a > self.threshold
        return _cast(xp.where(self.keep, a, xp.asarray(self.value).astype(a.dtype)), a)

    def backward(self, grad):
        return (grad * self.keep,)


class Glu(Op):
    """The first half of ``a`` along ``dim`` times the sigmoid of the second half."""

    name = "glu"
    derivatives = ("grad · sigmoid(b) for the first half; grad · first · s · (1 - s) for the second",)
    saved_inputs = (0,)
    dim = -1

    def forward(self, a):
        xp = xp_of(a)
        first, second = xp.split(a, 2, axis=self.dim)
        self.first, self.s = first, sigmoid(second)
        return first * self.s

    def backward(self, grad):
        xp = xp_of(grad)
        s = self.s
        g_second = grad * self.first
        g_second *= s * (1 - s)
        return (xp.concatenate([grad * s, g_second], axis=self.dim),)


class Prelu(Op):
    """``a`` where positive, ``weight · a`` elsewhere; the weight has one entry, or one per channel (dim 1)."""

    name = "prelu"
    torch_grad_fn = "PreluKernelBackward0"
    derivatives = ("grad · (1 if a > 0 else weight)", "Σ grad · a where a ≤ 0")
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))

    def _shaped(self, weight, a):
        """The weight shaped to broadcast along ``a``'s channel dim (dim 1; a 0-d or 1-D ``a`` has one channel)."""
        return weight.reshape(()) if weight.size == 1 else weight.reshape((1, -1) + (1,) * (a.ndim - 2))

    def forward(self, a, weight):
        self.a, self.weight = a, weight
        self.positive = a > 0
        return xp_of(a).where(self.positive, a, a * self._shaped(weight, a))

    def backward(self, grad):
        xp = xp_of(grad)
        a, weight = self.a, self.weight
        needs = self.needs_input_grad
        ga = xp.where(self.positive, grad, grad * self._shaped(weight, a)) if needs[0] else None
        gw = None
        if needs[1]:
            per = xp.where(self.positive, 0, a * grad)
            if weight.size == 1:
                gw = per.sum().reshape(weight.shape)
            else:
                gw = per.sum(axis=(0, *range(2, a.ndim))).reshape(weight.shape)
            gw = _cast(gw, weight)
        return ga, gw
