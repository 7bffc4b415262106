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

# erf on NumPy (which has none), in a few passes over the array. In float64:
#   |x| <= 1: x · P(x²): the Taylor series of erf(x)/x economised (to Chebyshev polynomials, cut, and back),
#             its exact coefficients from n! and √π; P of degree 11;
#   1 < |x| < 6: 1 - exp(-x²) · G(x), G a Chebyshev interpolant of erfc(x)·exp(x²) (smooth on [1, 6]: an entire
#             function) at the Chebyshev points, from math.erfc, with 28 terms; its errors are scaled down by
#             exp(-x²);
#   |x| >= 6: ±1 (1 - erf(6) is 2e-17, below float64's resolution near 1).
# In float32, with no branch (masks and the gathers they cost took most of the time): x · R(x²) on x clamped to
# [-4, 4] (erf(4) = 1 - 1.5e-8 rounds to 1), R the Chebyshev interpolant of erf(x)/x in t = x²/8 - 1 (an entire
# function of x²) with 17 terms (1e-8 from erf), by Horner's rule in powers of t (all below 0.36: no
# cancellation), the last three steps in float64, where float32's rounding would cost an ulp.
# float64 results are within 2.4 ulps of math.erf; float32 ones within 2 float32 ulps of it. The coefficients
# are computed on first use, in about a millisecond.
_ERF_TERMS = {"float64": (12, 28)}  # terms of P, of G
_ERF_MIDDLE = (1.0, 6.0)
_ERF32_CLAMP, _ERF32_TERMS, _ERF32_WIDE = 4.0, 17, 3  # |x| beyond which erf is 1; terms of R; steps in float64
_ERF32_BLOCK = 32768
_erf_coefficients = {}


def _erf_tables(precision):
    tables = _erf_coefficients.get(precision)
    if tables is None:
        from numpy.polynomial import Chebyshev, Polynomial

        small_terms, n = _ERF_TERMS[precision]
        taylor = Polynomial([_TWO_OVER_SQRT_PI * (-1) ** k / (math.factorial(k) * (2 * k + 1)) for k in range(22)])
        economised = Chebyshev(taylor.convert(domain=[0, 1], kind=Chebyshev).coef[:small_terms], domain=[0, 1])
        small = economised.convert(kind=Polynomial).coef[::-1]  # highest power first, for Horner
        lo, hi = _ERF_MIDDLE
        theta = np.pi * (np.arange(n) + 0.5) / n
        nodes = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(theta)
        values = np.array([math.erfc(x) * math.exp(x * x) for x in nodes])
        middle = 2 / n * (np.cos(np.outer(np.arange(n), theta)) @ values)
        middle[0] /= 2
        tables = _erf_coefficients[precision] = (small.tolist(), middle.tolist())
    return tables


def _erf32_table():
    """R's coefficients in powers of t, lowest first (see the comment above)."""
    table = _erf_coefficients.get("float32")
    if table is None:
        from numpy.polynomial import Chebyshev

        n, top = _ERF32_TERMS, _ERF32_CLAMP ** 2
        theta = np.pi * (np.arange(n) + 0.5) / n
        s = top / 2 * (1 + np.cos(theta))  # the Chebyshev points of [0, 16], in x²
        values = np.array([math.erf(math.sqrt(v)) / math.sqrt(v) for v in s])
        coef = 2 / n * (np.cos(np.outer(np.arange(n), theta)) @ values)
        coef[0] /= 2
        table = _erf_coefficients["float32"] = Chebyshev(coef).convert(kind=np.polynomial.Polynomial).coef.tolist()
    return table


def _erf32(x, scale=1.0, cdf=False):
    """erf(``scale`` · x) of a float32 array, in float32 (see the comment above); with ``cdf``, (1 + that) / 2,
    which is Φ(x) for ``scale`` 1/√2 (GELU's): the scale and the halving cost no pass of their own.

    In blocks of ``_ERF32_BLOCK`` elements through three scratch arrays made once per call: a new array per pass
    would cost its page faults each time, and the blocks stay in the cache between passes.
    """
    k = scale * (0.5 if cdf else 1.0)  # x · R(t) times this is the result, less the 1/2 of cdf
    table = [c * k for c in _erf32_table()]
    top, steps, tail = np.float32(table[-1]), [np.float32(c) for c in table[-2:_ERF32_WIDE - 1:-1]], \
        table[_ERF32_WIDE - 1::-1]
    flat = x.reshape(-1)
    out = np.empty_like(flat)
    m = max(1, min(_ERF32_BLOCK, flat.size))
    t_, r_, w_ = np.empty(m, np.float32), np.empty(m, np.float32), np.empty(m, np.float64)
    for i in range(0, flat.size, m):
        xs = flat[i:i + m]
        t, r, w = t_[:xs.size], r_[:xs.size], w_[:xs.size]
        np.multiply(xs, xs, out=t)
        if scale != 1.0:
            t *= np.float32(scale * scale)
        np.minimum(t, np.float32(_ERF32_CLAMP ** 2), out=t)  # (inf: 16, and x · R(16) clips to ±1 below)
        t *= np.float32(2 / _ERF32_CLAMP ** 2)
        t -= np.float32(1)
        np.multiply(t, top, out=r)
        for c in steps:
            r += c
            r *= t
        np.add(r, tail[0], out=w)
        for c in tail[1:]:
            w *= t
            w += c
        w *= xs
        np.clip(w, -abs(k / scale), abs(k / scale), out=w)  # ±1, ±1/2 for cdf (nan stays nan)
        if cdf:
            w += 0.5
        out[i:i + m] = w
    return out.reshape(x.shape)


def normal_cdf(a):
    """Φ(a) = (1 + erf(a/√2)) / 2, the standard normal's distribution function, in ``a``'s dtype.

    >>> float(normal_cdf(np.array(1.0)))  # 0.8413447460685429 is Φ(1)
    0.8413447460685429
    >>> abs(float(normal_cdf(np.array(1.0, np.float32))) - 0.8413447460685429) < 6e-8  # (a float32 ulp)
    True
    """
    if a.__class__ is np.ndarray and a.dtype == np.float32:
        return _erf32(a, _INV_SQRT_2, cdf=True)
    cdf = erf(a * _INV_SQRT_2)
    cdf += 1
    cdf *= 0.5
    return cdf


def erf(a):
    """The error function of an array (NumPy or CuPy), in its dtype (float64 for integers).

    >>> float(erf(np.array(0.5)))  # math.erf(0.5) = 0.5204998778130465
    0.5204998778130465
    >>> float(erf(np.float32(0.5)))  # in float32: 0.52049988 (its nearest float32 prints as 0.5205)
    0.5204998850822449
    """
    xp = xp_of(a)
    if xp is not np:
        from cupyx.scipy.special import erf as cupy_erf

        return cupy_erf(a)
    dtype = a.dtype if a.dtype.kind == "f" else np.dtype(np.float64)
    if dtype.itemsize <= 4:
        return _erf32(np.asarray(a, dtype=np.float32)).astype(dtype, copy=False)
    precision = "float64"
    small_c, middle_c = _erf_tables(precision)
    x = np.asarray(a, dtype=precision)
    ax = np.abs(x)
    if ax.size and ax.max() <= 1.0:  # (small inputs often are all here: no masks)
        return _erf_small(x, small_c).astype(dtype, copy=False)
    out = np.sign(x, out=np.empty_like(x))  # ±1 beyond 6, 0 at 0, nan at nan (out=: 0-d stays an array)
    small = ax <= 1.0
    out[small] = _erf_small(x[small], small_c)
    lo, hi = _ERF_MIDDLE
    middle = ax < hi
    middle &= ~small
    xm = ax[middle]
    if xm.size:
        # Clenshaw's recurrence, in place (every temporary array costs an allocation)
        t = xm * (2 / (hi - lo))
        t -= (lo + hi) / (hi - lo)
        t2 = t + t
        b1, b2, tmp = np.full_like(t, middle_c[-1]), np.zeros_like(t), np.empty_like(t)
        for c in middle_c[-2:0:-1]:
            np.multiply(t2, b1, out=tmp)
            tmp -= b2
            tmp += c
            b1, b2, tmp = tmp, b1, b2
        t *= b1
        t -= b2
        t += middle_c[0]  # G(|x|)
        np.multiply(xm, xm, out=tmp)
        np.negative(tmp, out=tmp)
        np.exp(tmp, out=tmp)
        t *= tmp
        np.subtract(1, t, out=t)
        out[middle] = np.copysign(t, x[middle], out=t)
    return out.astype(dtype, copy=False)


def _erf_small(x, coefficients):
    s = x * x
    r = np.full_like(s, coefficients[0])
    for c in coefficients[1:]:
        r *= s
        r += c
    r *= x
    return r


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
        self.cdf = normal_cdf(a)
        return a * self.cdf

    def backward(self, grad):
        a = self.a
        if self.approximate == "tanh":
            t = self.t
            inner = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * a * a)
            return (grad * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * inner),)
        xp = xp_of(a)
        d = xp.multiply(a, a, out=xp.empty_like(a))  # Φ(a) + a·φ(a), in place (out=: a 0-d one stays an array)
        d *= -0.5
        xp.exp(d, out=d)
        d *= a
        d *= _INV_SQRT_2PI
        d += self.cdf
        d *= grad
        return (d,)


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
