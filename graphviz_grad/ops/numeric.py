"""Numeric clean-ups of one tensor: ``nan_to_num`` and ``logit``."""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of


class NanToNum(Op):
    """NaN, +inf and -inf replaced by numbers (by default 0 and the dtype's largest and smallest finite values)."""

    name = "nan_to_num"
    derivatives = ("grad where a is finite, 0 elsewhere",)
    saved_inputs = (0,)
    nan = 0.0
    posinf = None
    neginf = None

    def forward(self, a):
        self.a = a
        if a.dtype.kind != "f":
            return a.copy()
        return xp_of(a).nan_to_num(a, nan=self.nan, posinf=self.posinf, neginf=self.neginf)

    def backward(self, grad):
        return (grad * xp_of(grad).isfinite(self.a),)


class Logit(Op):
    """``log(a / (1 - a))``, with ``a`` first clamped to ``[eps, 1 - eps]`` when ``eps`` is given.

    Outside the clamp the gradient is 0; without ``eps``, outside ``[0, 1]`` it is NaN, as PyTorch's.
    """

    name = "logit"
    derivatives = ("grad / (a · (1 - a))",)
    saved_inputs = (0,)
    eps = None

    def forward(self, a):
        xp = xp_of(a)
        self.a = a
        x = a if self.eps is None else xp.clip(a, self.eps, 1 - self.eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.log(x / (1 - x))

    def backward(self, grad):
        xp = xp_of(grad)
        a = self.a
        with np.errstate(divide="ignore", invalid="ignore"):
            g = grad / (a * (1 - a))
            if self.eps is None:
                return (xp.where((a < 0) | (a > 1), np.nan, g).astype(grad.dtype, copy=False),)
            return (xp.where((a < self.eps) | (a > 1 - self.eps), 0, g).astype(grad.dtype, copy=False),)
