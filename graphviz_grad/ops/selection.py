"""Reductions that pick elements: median and nanmedian, mode, the running max and min (cummax, cummin), and
the running log-sum-exp (logcumsumexp). The gradient goes to the element picked, as in PyTorch.

>>> import numpy as np
>>> int(median_place(np.array([3.0, 1.0, 2.0, 1.0])))  # the lower of the two middle values: the 1 at 3
3
>>> int(mode_place(np.array([2.0, 1.0, 2.0, 1.0])))  # 1 and 2 twice each: the smaller, at its last place
3
"""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of
from .indexing import accumulate, positions
from .reduce import Max, MaxDim
from .sorting import sort_indices


class Median(Max):
    """The lower median of all elements (NaN if there is one; ``ignore_nan``: of the others); ties and NaNs
    share the gradient evenly, as PyTorch's ``median()``."""

    name = "median"
    torch_grad_fn = "MedianBackward0"
    derivatives = ("grad · (a == out) / count",)
    ignore_nan = False

    def grad_fn_name(self):
        return "NanmedianBackward0" if self.ignore_nan else self.torch_grad_fn

    def forward(self, a):
        self.a = a
        xp = xp_of(a)
        flat = a.reshape(-1)
        if flat.size == 0:
            self.out = xp.asarray(np.nan, dtype=a.dtype)
        else:
            self.out = flat[median_place(flat, self.ignore_nan)]
        return xp.asarray(self.out)


class MedianDim(MaxDim):
    """The lower median along ``dim`` and where it is: the element at sorted place ``(n - 1) // 2``; a line
    with a NaN gives its first NaN (``ignore_nan``: the median of the other elements)."""

    name = "median"
    torch_grad_fn = "MedianBackward1"
    derivatives = ("grad at the median's position, 0 elsewhere",)
    ignore_nan = False
    grad_fn_varies = True

    def grad_fn_name(self):
        return "NanmedianBackward1" if self.ignore_nan else self.torch_grad_fn

    def pick(self, a):
        return median_place(xp_of(a).moveaxis(a, self.dim, -1), self.ignore_nan)


def median_place(x, ignore_nan=False):
    """The place, in each line along the last axis of ``x``, of its lower median (PyTorch's pick)."""
    xp = xp_of(x)
    order = sort_indices(x, -1)  # NaN last
    nan = xp.isnan(x) if x.dtype.kind == "f" else xp.zeros(x.shape, bool)
    if ignore_nan:
        place = xp.maximum(x.shape[-1] - nan.sum(axis=-1) - 1, 0) // 2
    else:
        place = xp.full(x.shape[:-1], (x.shape[-1] - 1) // 2)
    picked = xp.take_along_axis(order, place[..., None], axis=-1)[..., 0]
    if ignore_nan:
        return picked
    return xp.where(nan.any(axis=-1), nan.argmax(axis=-1), picked)


class Mode(MaxDim):
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and its last position."""

    name = "mode"
    torch_grad_fn = "ModeBackward0"
    derivatives = ("grad at the mode's position, 0 elsewhere",)

    def pick(self, a):
        return mode_place(xp_of(a).moveaxis(a, self.dim, -1))


def mode_place(x):
    """The place, in each line along the last axis of ``x``, of its mode (PyTorch's pick)."""
    xp = xp_of(x)
    order = sort_indices(x, -1)
    s = xp.take_along_axis(x, order, axis=-1)
    steps = xp.arange(x.shape[-1])
    starts = xp.ones(s.shape, bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]  # a new value begins (every NaN is its own value)
    run = steps - xp.maximum.accumulate(xp.where(starts, steps, 0), axis=-1) + 1  # its count so far
    end = xp.argmax(run == run.max(axis=-1, keepdims=True), axis=-1)  # the first longest run's last element
    return xp.take_along_axis(order, end[..., None], axis=-1)[..., 0]


class Cummax(Op):
    """The running max along ``dim``, and where it was last reached (a NaN, once met, stays)."""

    name = "cummax"
    derivatives = ("grad added at the running max's position",)
    saves_tensors = True  # the indices
    reduce = "max"

    def forward(self, a):
        xp = xp_of(a)
        d = self.dim
        running = (xp.maximum if self.reduce == "max" else xp.minimum).accumulate(a, axis=d)
        reached = a == running
        if a.dtype.kind == "f":
            reached |= xp.isnan(a)
        steps = xp.arange(a.shape[d]).reshape((-1,) + (1,) * (a.ndim - d - 1))
        self.indices = xp.maximum.accumulate(xp.where(reached, steps, 0), axis=d)
        return running

    def backward(self, grad):
        where = positions(self.indices, self.dim, grad.shape)
        return (accumulate(grad, (grad.size,), where, grad).reshape(grad.shape),)


class Cummin(Cummax):
    name = "cummin"
    derivatives = ("grad added at the running min's position",)
    reduce = "min"


class Logcumsumexp(Op):
    """``log(Σ_{i ≤ j} exp(a_i))`` along ``dim``; the gradient as PyTorch computes it (in the log domain, the
    positive and the negative parts of ``grad`` apart, so nothing overflows)."""

    name = "logcumsumexp"
    derivatives = ("Σ_{j ≥ i} grad_j · exp(a_i - out_j)",)
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a):
        self.a = a
        with np.errstate(invalid="ignore"):
            self.out = xp_of(a).logaddexp.accumulate(a, axis=self.dim)
        return self.out

    def backward(self, grad):
        xp = xp_of(grad)
        d = self.dim
        lowest = xp.asarray(np.finfo(grad.dtype).min, grad.dtype)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_abs = xp.log(xp.abs(grad))
            parts = []
            for side in (grad > 0, grad < 0):
                x = xp.where(side, log_abs, lowest) - self.out
                tail = xp.flip(xp.logaddexp.accumulate(xp.flip(x, d), axis=d), d)  # from each place to the end
                parts.append(xp.exp(tail + self.a))
        return ((parts[0] - parts[1]).astype(grad.dtype, copy=False),)
