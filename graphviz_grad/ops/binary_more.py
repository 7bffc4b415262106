"""Elementwise functions of two tensors, with PyTorch's gradients at the edges: atan2, hypot, logaddexp,
logaddexp2, xlogy, copysign, lerp; heaviside and floor_divide (no derivative, as in PyTorch); and the unit
changes deg2rad, rad2deg.

>>> import numpy as np
>>> Xlogy().forward(np.array([0.0, 2.0, 0.0]), np.array([0.0, np.e, np.nan]))
array([ 0.,  2., nan])
>>> Lerp().forward(np.array([0.0, 0.0]), np.array([10.0, 10.0]), np.array([0.25, 0.75]))
array([2.5, 7.5])
"""
import math

import numpy as np

from ..autograd.function import Op
from ..backend import xp_of

_LN2 = math.log(2.0)


class _WithScalar(Op):
    """An op whose PyTorch grad_fn is named apart when one operand was a Python number (``scalar``: its
    position, 0 or 1), e.g. ``XlogyBackward1`` for ``xlogy(2, t)``."""

    grad_fn_varies = True
    scalar = None
    scalar_names = ()  # the grad_fn names for (tensor, tensor), (number, tensor), (tensor, number)

    def grad_fn_name(self):
        return self.scalar_names[0 if self.scalar is None else 1 + self.scalar]


class Atan2(Op):
    """The angle of the point ``(b, a)``; PyTorch's gradient is 0 where ``a² + b²`` is 0."""

    name = "atan2"
    derivatives = ("grad · b / (a² + b²)", "-grad · a / (a² + b²)")
    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp_of(a).arctan2(a, b)

    def backward(self, grad):
        a, b = self.a, self.b
        r = a * a + b * b
        with np.errstate(divide="ignore", over="ignore"):
            recip = xp_of(r).where(r == 0, r, 1 / r)
        with np.errstate(invalid="ignore"):
            return grad * b * recip, grad * -a * recip


class Hypot(Op):
    name = "hypot"
    derivatives = ("grad · a / out", "grad · b / out")
    saved_inputs = (0, 1)
    saves_output = True

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = xp_of(a).hypot(a, b)
        return self.out

    def backward(self, grad):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 at the origin: nan, as PyTorch
            return grad * self.a / self.out, grad * self.b / self.out


class Logaddexp(Op):
    """``log(exp(a) + exp(b))`` without overflow."""

    name = "logaddexp"
    derivatives = ("grad / (1 + exp(b - a))", "grad / (1 + exp(a - b))")
    saved_inputs = (0, 1)
    base_e = True

    def forward(self, a, b):
        self.a, self.b = a, b
        xp = xp_of(a)
        with np.errstate(invalid="ignore"):  # inf and -inf: nan, as PyTorch, without a warning
            return xp.logaddexp(a, b) if self.base_e else xp.logaddexp2(a, b)

    def backward(self, grad):
        xp = xp_of(grad)
        power = xp.exp if self.base_e else xp.exp2
        with np.errstate(over="ignore", invalid="ignore"):
            return grad / (1 + power(self.b - self.a)), grad / (1 + power(self.a - self.b))


class Logaddexp2(Logaddexp):
    """``log2(2^a + 2^b)``."""

    name = "logaddexp2"
    derivatives = ("grad / (1 + 2^(b - a))", "grad / (1 + 2^(a - b))")
    base_e = False


def xlogy(xp, a, b):
    """``a · log(b)``, 0 where ``a`` is 0 (unless ``b`` is nan), on arrays."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = a * xp.log(b)
    return xp.where((a == 0) & ~xp.isnan(b), 0, out).astype(out.dtype, copy=False)


class Xlogy(_WithScalar):
    """``a · log(b)`` with ``0 · log(0) = 0``; the gradient of ``a`` is 0 where ``a`` is 0 and ``b ≤ 0``."""

    name = "xlogy"
    derivatives = ("xlogy(grad, b), 0 where a = 0 and b ≤ 0", "grad · a / b")
    saved_inputs = (0, 1)
    scalar_names = ("XlogyBackward0", "XlogyBackward1", "XlogyBackward2")

    def forward(self, a, b):
        self.a, self.b = a, b
        return xlogy(xp_of(a), a, b)

    def backward(self, grad):
        xp = xp_of(grad)
        a, b = self.a, self.b
        ga, gb = self.needs_input_grad
        grad_a = xp.where((a == 0) & (b <= 0), 0, xlogy(xp, grad, b)).astype(grad.dtype, copy=False) if ga else None
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad_a, (grad * a / b if gb else None)


class Copysign(_WithScalar):
    """``|a|`` with the sign of ``b``; ``b`` gets a zero gradient."""

    name = "copysign"
    derivatives = ("grad · out / a (0 where a = 0)", "0")
    saved_inputs = (0,)
    saves_output = True
    scalar_names = ("CopysignBackward0", "CopysignBackward0", "CopysignBackward1")

    def forward(self, a, b):
        self.a = a
        self.out = xp_of(a).copysign(a, b)
        return self.out

    def backward(self, grad):
        xp = xp_of(grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = xp.where(self.a == 0, 0, self.out / self.a).astype(grad.dtype, copy=False)
        return grad * ratio, xp.zeros_like(grad)


class Lerp(Op):
    """``start + weight · (end - start)``, computed as PyTorch does (from ``end`` when ``|weight| ≥ 0.5``, so
    that weight 1 gives ``end`` exactly); ``number``: the weight was a Python number."""

    name = "lerp"
    derivatives = ("grad · (1 - weight)", "grad · weight", "grad · (end - start)")
    saved_inputs = (0, 1, 2)
    saved_for = ((2,), (2,), (0, 1))
    grad_fn_varies = True
    number = False

    def grad_fn_name(self):
        return "LerpBackward0" if self.number else "LerpBackward1"

    def forward(self, start, end, weight):
        self.start, self.end, self.weight = start, end, weight
        step = end - start
        xp = xp_of(step)
        return xp.where(xp.abs(weight) < 0.5, start + weight * step, end - step * (1 - weight))

    def backward(self, grad):
        gs, ge, gw = self.needs_input_grad
        w = self.weight
        return ((grad * (1 - w) if gs else None), (grad * w if ge else None),
                (grad * (self.end - self.start) if gw else None))


class _NoDerivative(Op):
    """An op PyTorch has no derivative for: its result requires grad, its backward raises PyTorch's error."""

    derivatives = ("not differentiable",)
    torch_grad_fn = "NotImplemented"

    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.name} is not implemented")


class Heaviside(_NoDerivative):
    """The step function: 0 below zero, 1 above, ``values`` at zero."""

    name = "heaviside"

    def forward(self, a, values):
        return xp_of(a).where(a == 0, values, a > 0).astype(a.dtype, copy=False)  # nan: 0, as PyTorch


class FloorDivide(_NoDerivative):
    """``a // b``, rounded down as Python's (floats divided by 0: ±inf or nan)."""

    name = "floor_divide"

    def forward(self, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp_of(a).floor_divide(a, b)


class Deg2rad(Op):
    """``a · π/180`` (the factor rounded to ``a``'s dtype, as PyTorch's scalar is)."""

    name = "deg2rad"
    torch_grad_fn = "Deg2RadBackward0"
    derivatives = ("grad · π/180",)
    factor = math.pi / 180

    def forward(self, a):
        return a * a.dtype.type(self.factor)

    def backward(self, grad):
        return (grad * grad.dtype.type(self.factor),)


class Rad2deg(Deg2rad):
    name = "rad2deg"
    torch_grad_fn = "Rad2DegBackward0"
    derivatives = ("grad · 180/π",)
    factor = 180 / math.pi
