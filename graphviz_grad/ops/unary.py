"""Elementwise functions of one tensor."""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of


class Exp(Op):
    name = "exp"
    derivatives = ("grad · out",)
    saves_output = True

    def forward(self, a):
        self.out = xp_of(a).exp(a)
        return self.out

    def backward(self, grad):
        return (grad * self.out,)


class Log(Op):
    name = "log"
    derivatives = ("grad / a",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        return xp_of(a).log(a)

    def backward(self, grad):
        return (grad / self.a,)


class Sqrt(Op):
    name = "sqrt"
    derivatives = ("grad / (2 · out)",)
    saves_output = True

    def forward(self, a):
        self.out = xp_of(a).sqrt(a)
        return self.out

    def backward(self, grad):
        return (grad / (2 * self.out),)


class Abs(Op):
    name = "abs"
    derivatives = ("grad · sign(a)",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        return xp_of(a).abs(a)

    def backward(self, grad):
        return (grad * xp_of(grad).sign(self.a),)


class Relu(Op):
    name = "relu"
    derivatives = ("grad · (out > 0)",)
    saves_output = True

    def forward(self, a):
        self.out = xp_of(a).maximum(a, 0)
        return self.out

    def backward(self, grad):
        return (grad * (self.out > 0),)


class Clamp(Op):
    """``clamp(a, min, max)``: the tutorial's ReLU is ``clamp(min=0)``."""

    name = "clamp"
    torch_grad_fn = "ClampBackward1"  # (PyTorch's overload with number bounds)
    derivatives = ("grad · (min ≤ a ≤ max)",)
    saved_inputs = (0,)
    min = None
    max = None

    def forward(self, a):
        self.a = a
        xp = xp_of(a)
        # The bounds as 0-d arrays of a's dtype: what NumPy makes of a Python number here, and
        # they are compared again in backward (a Python number costs a conversion per use).
        lo = self.lo = None if self.min is None else xp.asarray(self.min, a.dtype)
        hi = self.hi = None if self.max is None else xp.asarray(self.max, a.dtype)
        if lo is not None and hi is not None:
            return xp.minimum(xp.maximum(a, lo), hi)  # max < min gives max everywhere, as PyTorch
        if lo is not None:
            return xp.maximum(a, lo)
        if hi is not None:
            return xp.minimum(a, hi)
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")

    def backward(self, grad):
        a, lo, hi = self.a, self.lo, self.hi
        if lo is not None and hi is not None:
            mask = (a >= lo) & (a <= hi)
        elif lo is not None:
            mask = a >= lo
        else:
            mask = a <= hi
        return (grad * mask,)


def sigmoid(a):
    """1 / (1 + e^-a) on an array (also used by silu and softplus), in place on one new array.

    Where e^-a overflows (a < -88 in float32) the result is 1 / inf = 0, as PyTorch's; the relative
    error is an ulp or two everywhere else. (Splitting by sign took 13× longer on 131,072 elements.)
    """
    xp = xp_of(a)
    e = xp.negative(a, out=xp.empty_like(a))  # (an out= array: a 0-d input stays an array, not a NumPy scalar)
    with np.errstate(over="ignore"):
        xp.exp(e, out=e)
    e += 1
    xp.reciprocal(e, out=e)
    return e


class Sigmoid(Op):
    name = "sigmoid"
    derivatives = ("grad · out · (1 - out)",)
    saves_output = True

    def forward(self, a):
        self.out = sigmoid(a)
        return self.out

    def backward(self, grad):
        return (grad * (self.out * (1 - self.out)),)


class Tanh(Op):
    name = "tanh"
    derivatives = ("grad · (1 - out²)",)
    saves_output = True

    def forward(self, a):
        self.out = xp_of(a).tanh(a)
        return self.out

    def backward(self, grad):
        return (grad * (1 - self.out * self.out),)


class Log10(Op):
    """``log10(a)``: makemore tracks its losses as ``loss.log10().item()``."""

    name = "log10"
    derivatives = ("grad / (a · ln 10)",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        return xp_of(a).log10(a)

    def backward(self, grad):
        return (grad / (self.a * _LN10),)


_LN10 = 2.302585092994046  # ln(10)
