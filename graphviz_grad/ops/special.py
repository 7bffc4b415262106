"""Elementwise functions of the lessons after the tutorial: sin, cos, erf, gelu, softplus, leaky_relu, silu,
log1p, rsqrt, reciprocal.

Each is one op class (forward and backward on arrays, through ``xp_of`` so that
NumPy and CuPy run the same code) and the text of its local derivative.

>>> import graphviz_grad as vg
>>> x = vg.tensor([0.0, 1.0], requires_grad=True)
>>> vg.nn.functional.gelu(x).sum().backward(); x.grad
tensor([0.5000, 1.0833])
"""
import math

import numpy as np

from ..autograd.function import Op
from ..backend import xp_of
from .unary import sigmoid

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715

# erf on NumPy (which has none), accurate to a few float64 ulps:
#   |x| <= 1: its Taylor series, 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)), 19 terms (the next is below 1e-18);
#   1 < |x| < 6: pieces of width 1/2, each a degree-16 polynomial interpolating math.erf at Chebyshev points;
#   |x| >= 6: ±1 (1 - erf(6) is 2e-17, below float64's resolution near 1).
_TAYLOR = np.array([_TWO_OVER_SQRT_PI * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(19)][::-1])
_PIECE_START, _PIECE_WIDTH, _PIECE_END, _PIECE_DEGREE = 1.0, 0.5, 6.0, 16
_pieces = None  # (number of pieces, degree + 1) Chebyshev coefficients in t ∈ [-1, 1]; built on first use


def _erf_pieces():
    global _pieces
    if _pieces is None:
        n = _PIECE_DEGREE + 1
        theta = np.pi * (np.arange(n) + 0.5) / n  # Chebyshev points of the first kind, cos(theta)
        cosines = np.cos(np.outer(np.arange(n), theta))
        rows = []
        for k in range(round((_PIECE_END - _PIECE_START) / _PIECE_WIDTH)):
            center = _PIECE_START + (k + 0.5) * _PIECE_WIDTH
            values = np.array([math.erf(center + _PIECE_WIDTH / 2 * c) for c in np.cos(theta)])
            coefficients = 2 / n * (cosines @ values)  # the interpolant's Chebyshev coefficients
            coefficients[0] /= 2
            rows.append(coefficients)
        _pieces = np.array(rows)
    return _pieces


def erf(a):
    """The error function of an array (NumPy or CuPy), in its dtype.

    >>> float(erf(np.array(0.5)))  # math.erf(0.5) = 0.5204998778130465
    0.5204998778130465
    """
    xp = xp_of(a)
    if xp is not np:
        from cupyx.scipy.special import erf as cupy_erf

        return cupy_erf(a)
    x = np.asarray(a, dtype=np.float64)
    ax = np.abs(x)
    out = np.ones_like(x)
    small = ax <= 1.0
    if small.any():
        xs = x[small]
        x2 = xs * xs
        r = np.full_like(xs, _TAYLOR[0])
        for c in _TAYLOR[1:]:
            r *= x2
            r += c
        out[small] = r * xs
    middle = ~small & (ax < _PIECE_END)
    if middle.any():
        table = _erf_pieces()
        xm = ax[middle]
        piece = np.minimum(((xm - _PIECE_START) / _PIECE_WIDTH).astype(np.intp), len(table) - 1)
        t = (xm - (_PIECE_START + (piece + 0.5) * _PIECE_WIDTH)) / (_PIECE_WIDTH / 2)
        t2 = t + t
        b1 = b2 = 0.0
        for k in range(table.shape[1] - 1, 0, -1):  # Clenshaw's recurrence (stable, unlike monomials)
            b1, b2 = table[piece, k] + t2 * b1 - b2, b1
        out[middle] = table[piece, 0] + t * b1 - b2
    out = np.where(small, out, np.copysign(out, x))  # erf is odd; the small branch kept its sign
    out[np.isnan(x)] = np.nan
    return out.astype(a.dtype, copy=False) if a.dtype.kind == "f" else out


class Sin(Op):
    name = "sin"
    derivatives = ("grad · cos(a)",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        return xp_of(a).sin(a)

    def backward(self, grad):
        return (grad * xp_of(grad).cos(self.a),)


class Cos(Op):
    name = "cos"
    derivatives = ("-grad · sin(a)",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        return xp_of(a).cos(a)

    def backward(self, grad):
        return (grad * -xp_of(grad).sin(self.a),)


class Erf(Op):
    name = "erf"
    derivatives = ("grad · 2/√π · exp(-a²)",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        return erf(a)

    def backward(self, grad):
        a = self.a
        return (grad * (_TWO_OVER_SQRT_PI * xp_of(a).exp(-a * a)),)


class Gelu(Op):
    """``a · Φ(a)`` (``approximate='none'``) or its tanh approximation (``approximate='tanh'``)."""

    name = "gelu"
    derivatives = ("grad · (Φ(a) + a · φ(a))",)
    saved_inputs = (0,)
    approximate = "none"

    def forward(self, a):
        self.a = a
        xp = xp_of(a)
        if self.approximate == "tanh":
            self.t = xp.tanh(_SQRT_2_OVER_PI * (a + _GELU_CUBIC * a * a * a))
            return 0.5 * a * (1 + self.t)
        self.cdf = 0.5 * (1 + erf(a * _INV_SQRT_2))
        return a * self.cdf

    def backward(self, grad):
        a = self.a
        if self.approximate == "tanh":
            t = self.t
            inner = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * a * a)
            return (grad * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * inner),)
        pdf = _INV_SQRT_2PI * xp_of(a).exp(-0.5 * a * a)
        return (grad * (self.cdf + a * pdf),)


class Softplus(Op):
    """``log(1 + exp(beta·a)) / beta``, and ``a`` itself where ``beta·a > threshold`` (as PyTorch)."""

    name = "softplus"
    derivatives = ("grad · sigmoid(beta · a)",)
    saved_inputs = (0,)
    beta = 1.0
    threshold = 20.0

    def forward(self, a):
        xp = xp_of(a)
        z = a * self.beta if self.beta != 1 else a
        self.z = z
        soft = (xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z))))  # log(1 + e^z) without overflow
        if self.beta != 1:
            soft = soft / self.beta
        return xp.where(z > self.threshold, a, soft).astype(a.dtype, copy=False)

    def backward(self, grad):
        z = self.z
        return (grad * xp_of(z).where(z > self.threshold, 1, sigmoid(z)).astype(grad.dtype, copy=False),)


class LeakyRelu(Op):
    name = "leaky_relu"
    derivatives = ("grad · (1 if a > 0 else negative_slope)",)
    saved_inputs = (0,)
    negative_slope = 0.01

    def forward(self, a):
        self.a = a
        return xp_of(a).where(a > 0, a, a * self.negative_slope).astype(a.dtype, copy=False)

    def backward(self, grad):
        return (xp_of(grad).where(self.a > 0, grad, grad * self.negative_slope).astype(grad.dtype, copy=False),)


class Silu(Op):
    name = "silu"
    derivatives = ("grad · s · (1 + a · (1 - s)), s = sigmoid(a)",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        self.s = sigmoid(a)
        return a * self.s

    def backward(self, grad):
        s = self.s
        return (grad * (s * (1 + self.a * (1 - s))),)


class Log1p(Op):
    name = "log1p"
    torch_grad_fn = "Log1PBackward0"
    derivatives = ("grad / (1 + a)",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        return xp_of(a).log1p(a)

    def backward(self, grad):
        return (grad / (1 + self.a),)


class Rsqrt(Op):
    name = "rsqrt"
    derivatives = ("-grad · out³ / 2",)
    saves_output = True

    def forward(self, a):
        self.out = 1 / xp_of(a).sqrt(a)
        return self.out

    def backward(self, grad):
        out = self.out
        return (grad * (-0.5 * out * out * out),)


class Reciprocal(Op):
    name = "reciprocal"
    derivatives = ("-grad · out²",)
    saves_output = True

    def forward(self, a):
        self.out = 1 / a
        return self.out

    def backward(self, grad):
        out = self.out
        return (grad * -(out * out),)
