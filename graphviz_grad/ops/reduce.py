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


class Nansum(Sum):
    """Sum of the elements that are not NaN; the gradient is ``grad · (a is not NaN)``, a product (so an inf
    ``grad`` makes NaN there, as in PyTorch)."""

    name = "nansum"
    derivatives = ("grad · (a is not nan)",)
    saved_inputs = (0,)
    grad_fn_varies = False
    grad_fn_name = Op.grad_fn_name

    def forward(self, a):
        self.a = a
        if a.dtype.kind != "f":
            return Sum.forward(self, a)
        self.shape = a.shape
        return xp_of(a).asarray(xp_of(a).nansum(a, axis=self.axes, keepdims=self.keepdim, dtype=self.dtype))

    def backward(self, grad):
        (g,) = Sum.backward(self, grad)
        return (g * ~xp_of(grad).isnan(self.a),)


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
    """Max of all elements; ties share the gradient evenly, as PyTorch's does (a NaN result: the NaNs share it)."""

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
        return (evenly_distributed(grad, self.a, self.out),)


def evenly_distributed(grad, a, out):
    """``grad`` shared evenly by the elements of ``a`` equal to the one-element ``out`` (by its NaNs when
    ``out`` is NaN): PyTorch's ``evenly_distribute_backward``, the gradient of max, min and median.

    >>> evenly_distributed(np.array(1.0), np.array([2.0, np.nan, 2.0, np.nan]), np.array(np.nan))
    array([0. , 0.5, 0. , 0.5])
    """
    mask = xp_of(a).isnan(a) if out != out else a == out
    return mask * (grad / mask.sum()).astype(grad.dtype, copy=False)


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

    def pick(self, a):
        """The position along ``dim`` of the element each line gives (here its max; median and mode override)."""
        return a.argmax(axis=self.dim) if self.reduce == "max" else a.argmin(axis=self.dim)

    def forward(self, a):
        xp = xp_of(a)
        self.indices = xp.expand_dims(self.pick(a), self.dim)
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


class Var(Op):
    """Variance over ``axes`` (None: all) with ``correction`` (1: Bessel's, unbiased; 0: biased), one fused op.

    The deviations from the mean are kept for backward: ``grad · 2 (a - mean) / (n - correction)``.
    """

    name = "var"
    derivatives = ("grad · 2 (a - mean) / (n - correction)",)
    saved_inputs = (0,)
    axes = None
    keepdim = False
    correction = 1

    def forward(self, a):
        xp = xp_of(a)
        self.shape = a.shape
        d = self.dev = a - a.mean(axis=self.axes, keepdims=True)
        self.denom = max(_count(a.shape, self.axes) - self.correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):  # n <= correction: inf or nan, as PyTorch (with a warning)
            out = (d * d).sum(axis=self.axes, keepdims=self.keepdim) / xp.asarray(self.denom, a.dtype)
        return out.astype(a.dtype, copy=False)

    def backward(self, grad):
        g = _expand_back(grad, self.shape, self.axes, self.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return ((g * (2 / self.denom if self.denom else np.inf)) * self.dev,)


class Std(Var):
    """Standard deviation: ``sqrt(var)``, fused; where it is 0 the gradient is 0, as PyTorch's."""

    name = "std"
    derivatives = ("grad · (a - mean) / ((n - correction) · out)",)
    saves_output = True

    def forward(self, a):
        self.out = xp_of(a).sqrt(Var.forward(self, a))
        return self.out

    def backward(self, grad):
        xp = xp_of(grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            half = xp.where(self.out == 0, 0, grad / (2 * self.out)).astype(grad.dtype, copy=False)
        return Var.backward(self, half)


def _count(shape, axes):
    """How many elements each result of a reduction over ``axes`` (None: all) gathers."""
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n


class LogSumExp(Op):
    """``log(sum(exp(a)))`` over ``axes``, shifted by the max so that exp never overflows."""

    name = "logsumexp"
    torch_grad_fn = "LogsumexpBackward0"
    derivatives = ("grad · exp(a - out)",)
    saved_inputs = (0,)
    saves_output = True
    axes = None
    keepdim = False

    def forward(self, a):
        xp = xp_of(a)
        self.a, self.shape = a, a.shape
        m = a.max(axis=self.axes, keepdims=True) if a.size else xp.zeros((1,) * a.ndim, a.dtype)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or an inf): shift by 0, as PyTorch
        with np.errstate(divide="ignore"):
            out = xp.log(xp.exp(a - m).sum(axis=self.axes, keepdims=True)) + m
        self.out_kept = out
        return out if self.keepdim else out.reshape(_reduced_shape(a.shape, self.axes))

    def backward(self, grad):
        g = _expand_back(grad, self.shape, self.axes, self.keepdim)
        return (g * xp_of(grad).exp(self.a - self.out_kept),)


def _reduced_shape(shape, axes):
    return () if axes is None else tuple(s for i, s in enumerate(shape) if i not in axes)


class Prod(Op):
    """Product over one dim (or all); the gradient is the product of the *other* elements, so zeros in
    the input get PyTorch's gradients (computed with exclusive cumulative products, no division)."""

    name = "prod"
    derivatives = ("grad · ∏ of the other elements",)
    saved_inputs = (0,)
    grad_fn_varies = True
    dim = None
    keepdim = False
    dtype = None

    def grad_fn_name(self):
        return "ProdBackward0" if self.dim is None else "ProdBackward1"

    def forward(self, a):
        self.a = a
        dt = self.dtype
        if dt is None and a.dtype.kind in "biu":
            dt = "int64"
        return xp_of(a).asarray(a.prod(axis=self.dim, keepdims=self.keepdim, dtype=dt))

    def backward(self, grad):
        xp = xp_of(grad)
        a = self.a
        dim = self.dim
        flat = dim is None
        x = a.reshape(-1) if flat else a
        axis = 0 if flat else dim
        ones_shape = list(x.shape)
        ones_shape[axis] = 1
        one = xp.ones(ones_shape, x.dtype)
        cut = [slice(None)] * x.ndim
        cut[axis] = slice(None, -1)
        head = x[tuple(cut)]  # all but the last element along axis
        cut[axis] = slice(1, None)
        tail = x[tuple(cut)]  # all but the first
        # the product of the elements before each one, and of those after it: no division, so zeros are fine
        before = xp.cumprod(xp.concatenate([one, head], axis=axis), axis=axis)
        after = xp.flip(xp.cumprod(xp.flip(xp.concatenate([tail, one], axis=axis), axis), axis=axis), axis)
        others = before * after
        if flat:
            return ((grad.reshape(()) * others).reshape(a.shape),)
        g = grad if self.keepdim else xp.expand_dims(grad, dim)
        return (g * others,)


# NumPy's cumsum is a scalar loop (3 to 4 ns an element, whatever the axis). Along a short axis, the sums up
# to each position are one product with a triangle of ones instead, which BLAS runs two to three times faster
# for float32 (it costs 2·n flops an element: beyond about 128 the loop wins). OpenBLAS adds each column in
# the loop's order for most lengths (then the sums are the loop's, bit for bit), else in blocks: float32
# rounding either way (PyTorch's own loop adds in float64). A 0 · inf in the product would be nan: a
# non-finite input (its total is not finite) takes the loop.
_SCAN_BY_PRODUCT = (4096, 128)  # at least this many elements, along an axis of at most this length
_triangles = {}


def _triangle(n, reverse):
    key = (n, reverse)
    ones = _triangles.get(key)
    if ones is None:
        ones = np.tril(np.ones((n, n), np.float32)) if reverse else np.triu(np.ones((n, n), np.float32))
        ones.flags.writeable = False
        _triangles[key] = ones
    return ones


def prefix_sums(a, axis, reverse=False, dtype=None):
    """Sums of ``a`` along ``axis`` up to each position (``reverse``: from each position to the end).

    >>> prefix_sums(np.array([1.0, 2.0, 3.0]), 0), prefix_sums(np.array([1.0, 2.0, 3.0]), 0, reverse=True)
    (array([1., 3., 6.]), array([6., 5., 3.]))
    """
    xp = xp_of(a)
    n = a.shape[axis] if a.ndim else 1
    if (a.__class__ is _ndarray and a.dtype == np.float32 and dtype is None and a.size >= _SCAN_BY_PRODUCT[0]
            and 2 <= n <= _SCAN_BY_PRODUCT[1] and np.isfinite(_add_reduce(a, axis=None))):
        if axis in (-1, a.ndim - 1):
            return a @ _triangle(n, reverse)
        return np.ascontiguousarray(np.moveaxis(np.moveaxis(a, axis, -1) @ _triangle(n, reverse), -1, axis))
    if reverse:
        return xp.flip(xp.cumsum(xp.flip(a, axis), axis=axis, dtype=dtype), axis)
    return xp.cumsum(a, axis=axis, dtype=dtype)


class Cumsum(Op):
    name = "cumsum"
    derivatives = ("reversed cumsum of grad",)
    dim = 0
    dtype = None

    def forward(self, a):
        dt = self.dtype
        if dt is None and a.dtype.kind in "biu":
            dt = "int64"
        return prefix_sums(a, self.dim, dtype=dt)

    def backward(self, grad):
        return (prefix_sums(grad, self.dim, reverse=True),)


class Amax(Op):
    """Max over ``axes`` (None: all); ties share the gradient evenly, as PyTorch's ``amax``."""

    name = "amax"
    derivatives = ("grad · (a == out) / count",)
    saved_inputs = (0,)
    saves_output = True
    axes = None
    keepdim = False
    reduce = "max"

    def forward(self, a):
        self.a = a
        kept = self.kept = a.max(axis=self.axes, keepdims=True) if self.reduce == "max" else \
            a.min(axis=self.axes, keepdims=True)
        return kept if self.keepdim else kept.reshape(_reduced_shape(a.shape, self.axes))

    def backward(self, grad):
        mask = self.a == self.kept
        g = _expand_back(grad, self.a.shape, self.axes, self.keepdim)
        return ((mask * (g / mask.sum(axis=self.axes, keepdims=True))).astype(grad.dtype, copy=False),)


class Amin(Amax):
    name = "amin"
    derivatives = ("grad · (a == out) / count",)
    reduce = "min"


class VectorNorm(Op):
    """``(Σ |a|^ord)^(1/ord)`` over ``axes`` (None: all), for ``ord`` other than 0 and ±inf: PyTorch's
    ``linalg_vector_norm``, whose gradient is 0 where the norm is 0 (a zero row of ``F.normalize``).

    >>> import graphviz_grad as vg
    >>> x = vg.zeros(3, requires_grad=True)
    >>> x.norm().backward(); x.grad, x.norm().grad_fn
    (tensor([0., 0., 0.]), <LinalgVectorNormBackward0>)
    """

    name = "norm"
    torch_grad_fn = "LinalgVectorNormBackward0"
    derivatives = ("grad · a·|a|^(ord−2) / out^(ord−1) (0 where out = 0)",)
    saved_inputs = (0,)
    saves_output = True
    ord = 2
    axes = None
    keepdim = False

    def forward(self, a):
        xp = xp_of(a)
        self.a = a
        p = self.ord
        with np.errstate(divide="ignore"):  # (a negative ord of a zero: inf, then 0, as PyTorch)
            out = self._norm(xp, a, p)
        self.out = out = xp.asarray(out, dtype=a.dtype)
        return out

    def _norm(self, xp, a, p):
        if p == 2:
            out = xp.sqrt((a * a).sum(axis=self.axes, keepdims=self.keepdim))
        elif p == 1:
            out = xp.abs(a).sum(axis=self.axes, keepdims=self.keepdim)
        else:
            out = (xp.abs(a) ** p).sum(axis=self.axes, keepdims=self.keepdim) ** (1.0 / p)
        if self.keepdim and self.axes is None:
            out = xp.reshape(out, (1,) * a.ndim)
        return out

    def backward(self, grad):
        # PyTorch's norm_backward (FunctionsManual.cpp), case by case
        xp, a, p = xp_of(grad), self.a, self.ord
        norm = _expand_back(self.out, a.shape, self.axes, self.keepdim)
        grad = _expand_back(grad, a.shape, self.axes, self.keepdim)
        zero = norm == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 1:
                return (xp.sign(a) * grad,)
            if p == 2:
                return (a * xp.where(zero, 0, grad / norm),)
            if p < 1:
                scaled = xp.where(a == 0, 0, xp.sign(a) * xp.abs(a) ** (p - 1))
                return (scaled * grad * norm ** (1 - p),)
            scaled = xp.sign(a) * xp.abs(a) ** (p - 1) if p < 2 else a * xp.abs(a) ** (p - 2)
            return (scaled * xp.where(zero, 0, grad / norm ** (p - 1)),)
