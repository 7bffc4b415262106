"""Weight initialisation (``nn.init``): fill a tensor in place, PyTorch's numbers for the seed.

Every function runs under ``no_grad`` and returns its tensor; it draws from the
global generator, or ``generator=``, with the tensor samplers (``uniform_``,
``normal_``), so ``manual_seed(n)`` gives the weights PyTorch gives.

>>> import graphviz_grad as vg
>>> w = vg.empty(3, 4)
>>> _ = vg.manual_seed(0); a = uniform_(w, -1, 1).clone()
>>> _ = vg.manual_seed(0); bool((uniform_(w, -1, 1) == a).all())
True
>>> constant_(vg.empty(2), 0.5)
tensor([0.5000, 0.5000])
"""
import math

import numpy as np

from ..autograd.grad_mode import no_grad


def _fill(tensor, values):
    with no_grad():
        tensor.copy_(np.asarray(values, dtype=tensor._data.dtype))
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (PyTorch's table): relu √2, tanh 5/3, ..."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                        "conv_transpose3d", "sigmoid"):
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill ``tensor`` with draws from U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill ``tensor`` with draws from N(mean, std²)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill ``tensor`` with N(mean, std²) draws truncated to [a, b], by PyTorch 2.13's rejection sampling.

    When [a, b] holds more than 30 % of the mass: normal draws, and for those outside
    [a, b] a whole new tensor of draws, until every value lies inside. Otherwise:
    uniform candidates in [a, b], kept when ``log(u) <= log-density - log-peak``.
    """
    from .. import random as _random

    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    gen = _random._gen(generator)
    shape, dt = tuple(tensor.shape), tensor._data.dtype
    p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
    if p > 0.3:
        lo, hi = dt.type(a), dt.type(b)
        result = _random.normal(gen, shape, dt, mean, std)
        while True:
            mask = (result < lo) | (result > hi)
            if not mask.any():
                break
            result = np.where(mask, _random.normal(gen, shape, dt, mean, std), result)
        return _fill(tensor, result)
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    t = dt.type

    def log_pdf(c):
        return (((c - t(mean)) / t(std)) ** 2 * t(-0.5)) - t(log_peak)

    result = _random.uniform(gen, shape, dt, a, b)
    pending = np.log(_random.uniform(gen, shape, dt)) > log_pdf(result)
    while pending.any():
        cand = _random.uniform(gen, shape, dt, a, b)
        result = np.where(pending, cand, result)
        pending = np.where(pending, np.log(_random.uniform(gen, shape, dt)) > log_pdf(cand), pending)
    return _fill(tensor, result)


def constant_(tensor, val):
    return _fill(tensor, np.full(tuple(tensor.shape), val))


def zeros_(tensor):
    return constant_(tensor, 0)


def ones_(tensor):
    return constant_(tensor, 1)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialisation: U(-b, b) with b = gain·√(3 / fan); ``nn.Linear`` uses ``a=√5``."""
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot initialisation: U(-b, b) with b = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # PyTorch's order of operations, so the bound rounds the same
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor.shape))


def orthogonal_(tensor, gain=1, generator=None):
    """Fill with a (semi-)orthogonal matrix: QR of a normal draw, signs fixed by R's diagonal (PyTorch's method).

    The normal draw is PyTorch's; the QR is NumPy's LAPACK, so the values agree with
    PyTorch's to rounding, not bit for bit.
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    from .._creation import empty

    flat = empty(rows, cols, dtype=tensor.dtype).normal_(0, 1, generator=generator)._data
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (q * gain).reshape(tuple(tensor.shape)))
