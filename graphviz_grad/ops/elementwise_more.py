"""Elementwise functions of PyTorch's 60-minute blitz and its neighbours: sign, floor, ceil, round, trunc, frac,
exp2, fmod, remainder.

The step functions (sign, floor, ceil, round, trunc) have a zero gradient, as in PyTorch: their results
require grad and backward sends zeros. Integer and bool inputs pass through them unchanged.

>>> import graphviz_grad as vg
>>> x = vg.tensor([-1.5, 0.25, 2.5], requires_grad=True)
>>> x.floor(), x.round(), x.frac()
(tensor([-2.,  0.,  2.], grad_fn=<FloorBackward0>), tensor([-2.,  0.,  2.], grad_fn=<RoundBackward0>), tensor([-0.5000,  0.2500,  0.5000], grad_fn=<FracBackward0>))
>>> vg.remainder(x.detach(), 2), vg.fmod(x.detach(), 2)
(tensor([0.5000, 0.2500, 0.5000]), tensor([-1.5000,  0.2500,  0.5000]))
"""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of

_LN2 = 0.6931471805599453  # ln(2)


class _Step(Op):
    """A piecewise-constant function: zero gradient everywhere (PyTorch's choice at the jumps too)."""

    derivatives = ("0",)

    def forward(self, a):
        if a.dtype.kind != "f":
            return a.copy()
        return self.step(xp_of(a), a)

    def backward(self, grad):
        return (xp_of(grad).zeros_like(grad),)


class Sign(_Step):
    name = "sign"

    def forward(self, a):
        if a.dtype.kind == "b":
            return a.copy()
        return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)  # 0 for nan and for -0.0, as PyTorch


class Floor(_Step):
    name = "floor"

    def step(self, xp, a):
        return xp.floor(a)


class Ceil(_Step):
    name = "ceil"

    def step(self, xp, a):
        return xp.ceil(a)


class Trunc(_Step):
    name = "trunc"

    def step(self, xp, a):
        return xp.trunc(a)


class Round(_Step):
    """Half to even, as PyTorch; ``decimals`` rounds to that many digits (negative: to tens, hundreds, ...)."""

    name = "round"
    decimals = 0
    grad_fn_varies = True

    def step(self, xp, a):
        return xp.round(a, self.decimals)

    def grad_fn_name(self):
        return "RoundBackward1" if self.decimals else "RoundBackward0"


class Frac(Op):
    name = "frac"
    derivatives = ("grad",)

    def forward(self, a):
        return a - xp_of(a).trunc(a)

    def backward(self, grad):
        return (grad,)


class Exp2(Op):
    name = "exp2"
    derivatives = ("grad · out · ln 2",)
    saves_output = True

    def forward(self, a):
        self.out = xp_of(a).exp2(a)
        return self.out

    def backward(self, grad):
        return (grad * (self.out * _LN2),)


class Fmod(Op):
    """C's fmod: the remainder takes the sign of ``a`` (``a - trunc(a / b) · b``)."""

    name = "fmod"
    torch_grad_fn = "FmodBackward1"  # (PyTorch's overload with a tensor divisor)
    derivatives = ("grad", "-grad · trunc(a / b)")
    saved_inputs = (0, 1)
    saved_for = ((1,), (1,))

    def forward(self, a, b):
        self.a, self.b = a, b
        with np.errstate(invalid="ignore", divide="ignore"):  # x fmod 0 is nan, as PyTorch, without a warning
            return xp_of(a).fmod(a, b)

    def backward(self, grad):
        if not self.needs_input_grad[1]:
            return grad, None
        return grad, -grad * xp_of(grad).trunc(self.a / self.b)


class Remainder(Op):
    """Python's %: the remainder takes the sign of ``b`` (``a - floor(a / b) · b``)."""

    name = "remainder"
    torch_grad_fn = "RemainderBackward1"
    derivatives = ("grad", "-grad · floor(a / b)")
    saved_inputs = (0, 1)
    saved_for = ((1,), (1,))

    def forward(self, a, b):
        self.a, self.b = a, b
        with np.errstate(invalid="ignore", divide="ignore"):
            return xp_of(a).remainder(a, b)

    def backward(self, grad):
        if not self.needs_input_grad[1]:
            return grad, None
        return grad, -grad * xp_of(grad).floor(self.a / self.b)


class BinaryCrossEntropy(Op):
    """``-(b · log a + (1 - b) · log(1 - a))`` per element, each log at least -100 (PyTorch's clamp), so that a
    probability of exactly 0 or 1 (a saturated float32 sigmoid) costs 100, not inf, and has a finite gradient."""

    name = "binary_cross_entropy"
    derivatives = ("grad · (a - b) / max(a · (1 - a), 1e-12)", "grad · (log(1 - a) - log a)")
    saved_inputs = (0, 1)

    def forward(self, a, b):
        xp = xp_of(a)
        self.a, self.b = a, b
        with np.errstate(divide="ignore"):
            return -(b * xp.maximum(xp.log(a), -100) + (1 - b) * xp.maximum(xp.log1p(-a), -100))

    def backward(self, grad):
        a, b = self.a, self.b
        xp = xp_of(a)
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            grad_a = grad * (a - b) / xp.maximum(a * (1 - a), _BCE_EPS)
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore"):  # unclamped, as PyTorch: ±inf where a is 0 or 1
                grad_b = grad * (xp.log1p(-a) - xp.log(a))
        return grad_a, grad_b


_BCE_EPS = float(np.float32(1e-12))  # PyTorch's EPSILON is a C float: 1e-12 rounded to float32
