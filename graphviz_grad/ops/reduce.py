"""Reductions: sum, mean, max and min, over everything or along dims."""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of

_ndarray = np.ndarray
_add_reduce = np.add.reduce


def _spread(value, shape):
    """A read-only view that repeats the one element of ``value`` over ``shape`` (no copy).

    What ``broadcast_to`` returns, built directly for NumPy arrays (broadcast_to
    is Python code that costs more than the rest of a small backward step).
    """
    if value.__class__ is _ndarray and value.size == 1:
        view = _ndarray(shape, value.dtype, value, 0, (0,) * len(shape))
        view.flags.writeable = False
        return view
    return xp_of(value).broadcast_to(value, shape)


def _expand_back(grad, shape, axes, keepdim):
    """Reshape a reduced gradient so that it broadcasts against the input ``shape``."""
    if axes is None:
        return grad.reshape((1,) * len(shape)) if len(shape) else grad
    if not keepdim:
        new = list(shape)
        for ax in axes:
            new[ax] = 1
        grad = grad.reshape(new)
    return grad


class Sum(Op):
    name = "sum"
    derivatives = ("grad (broadcast to a's shape)",)
    grad_fn_varies = True
    axes = None

    def grad_fn_name(self):
        return "SumBackward0" if self.axes is None else "SumBackward1"  # (PyTorch's two overloads)

    keepdim = False
    dtype = None

    def forward(self, a):
        self.shape = a.shape
        dt = self.dtype
        if dt is None and a.dtype.kind in "biu":
            dt = "int64"
        if a.__class__ is _ndarray:  # what ndarray.sum calls, without its Python-level detour
            return _add_reduce(a, self.axes, dt, None, self.keepdim)
        return a.sum(axis=self.axes, keepdims=self.keepdim, dtype=dt)

    def backward(self, grad):
        if self.axes is None:
            return (_spread(grad, self.shape),)
        g = _expand_back(grad, self.shape, self.axes, self.keepdim)
        return (xp_of(g).broadcast_to(g, self.shape),)


class Mean(Op):
    name = "mean"
    derivatives = ("grad / n (broadcast to a's shape)",)
    grad_fn_varies = True
    axes = None

    def grad_fn_name(self):
        return "MeanBackward0" if self.axes is None else "MeanBackward1"
    keepdim = False

    def forward(self, a):
        if a.dtype.kind != "f":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {a.dtype.name.capitalize()}"
            )
        self.shape = a.shape
        out = a.mean(axis=self.axes, keepdims=self.keepdim)
        self.count = a.size // max(out.size, 1) if a.size else 0
        return out

    def backward(self, grad):
        g = _expand_back(grad, self.shape, self.axes, self.keepdim) / self.count
        return (xp_of(g).broadcast_to(g, self.shape).astype(grad.dtype, copy=False),)


class Max(Op):
    """Max of all elements; ties share the gradient evenly, as PyTorch's does."""

    name = "max"
    torch_grad_fn = "MaxBackward1"  # (PyTorch's overload without a dim)
    derivatives = ("grad · (a == out) / count",)
    saved_inputs = (0,)
    saves_output = True
    reduce = "max"

    def forward(self, a):
        if a.size == 0:
            raise RuntimeError(
                f"{self.reduce}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        self.a = a
        self.out = a.max() if self.reduce == "max" else a.min()
        return xp_of(a).asarray(self.out)

    def backward(self, grad):
        mask = self.a == self.out
        return (mask * (grad / mask.sum()).astype(grad.dtype, copy=False),)


class Min(Max):
    name = "min"
    torch_grad_fn = "MinBackward1"
    reduce = "min"


class MaxDim(Op):
    """Max along one dim: values (differentiable); the indices are computed alongside."""

    name = "max"
    torch_grad_fn = "MaxBackward0"
    derivatives = ("grad at the argmax, 0 elsewhere",)
    reduce = "max"
    saves_tensors = True  # the indices
    keepdim = False

    def forward(self, a):
        xp = xp_of(a)
        arg = a.argmax(axis=self.dim) if self.reduce == "max" else a.argmin(axis=self.dim)
        self.indices = xp.expand_dims(arg, self.dim)
        self.shape = a.shape
        values = xp.take_along_axis(a, self.indices, axis=self.dim)
        return values if self.keepdim else values.squeeze(self.dim)

    def backward(self, grad):
        xp = xp_of(grad)
        g = grad if self.keepdim else xp.expand_dims(grad, self.dim)
        out = xp.zeros(self.shape, dtype=grad.dtype)
        xp.put_along_axis(out, self.indices, g, axis=self.dim)
        return (out,)


class MinDim(MaxDim):
    name = "min"
    torch_grad_fn = "MinBackward0"
    reduce = "min"
    derivatives = ("grad at the argmin, 0 elsewhere",)
