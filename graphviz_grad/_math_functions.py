"""More tensor math as functions: ``vg.f(t, ...)`` and, where PyTorch has the method, ``t.f(...)``: statistics
that pick elements (median, mode, quantile, cummax, ...) and elementwise functions of two tensors (atan2, hypot,
xlogy, ...). Matrices, indexing, distances and shapes are in :mod:`_matrix_functions`.

Like :mod:`_functions` (kept apart so that no file grows into a thousand-line monolith), each function
checks its arguments as PyTorch does, then runs one op class or composes the functions there.

>>> import graphviz_grad as vg
>>> x = vg.tensor([[1., 4., 2.], [3., 0., 5.]], requires_grad=True)
>>> x.median(1)
return_types(values=tensor([2., 3.], grad_fn=<MedianBackward1>), indices=tensor([2, 0]))
>>> vg.quantile(x, 0.5, dim=1)
tensor([2., 3.], grad_fn=<SqueezeBackward1>)
"""
import collections
import numbers

import numpy as np

from . import _dtype, backend, ops
from ._functions import (_along, _float_input, _float_operands, _modulo, amax, amin, constant, flatten, gather, isnan,
                         logical_not, mean, movedim, mul, operands, picked_along, require_tensor, reshape, return_types,
                         sort, squeeze, std, sub, sum, var, where)
from .tensor import Tensor

aminmax_types = collections.namedtuple("aminmax", ["min", "max"])


def _name(t):
    return _dtype.type_name(t)


def _require_float(fn, t):
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{fn}_cpu\" not implemented for '{_name(t)}'")


# --- statistics that pick elements ---------------------------------------------------------------


def _median(fn, input, dim, keepdim, ignore_nan):
    if input._data.dtype.kind == "b":
        raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
    if dim is None:
        return ops.Median.apply(input, ignore_nan=ignore_nan)
    d = input._wrap_dim(dim)
    if input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"{fn}(): Expected reduction dim {d} to have non-zero size.")
    return picked_along(ops.MedianDim, input, d, keepdim, ignore_nan=ignore_nan)


def median(input, dim=None, keepdim=False):
    """The lower median: of all elements (a tensor; ties share the gradient), or along ``dim`` (values and
    indices; the gradient goes to the index). With an even count it is the smaller middle value, not their
    mean; a NaN makes the result NaN.

    >>> import graphviz_grad as vg
    >>> vg.tensor([4., 1., 3., 2.]).median()
    tensor(2.)
    """
    return _median("median", input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False):
    """:func:`median` of the elements that are not NaN (NaN when all are).

    >>> import graphviz_grad as vg
    >>> vg.tensor([4., float('nan'), 1.]).nanmedian()
    tensor(1.)
    """
    return _median("nanmedian", input, dim, keepdim, True)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and its last index (the
    index PyTorch gives on lines of up to 16 elements; on longer ones its sort decides which of the equal values).

    >>> import graphviz_grad as vg
    >>> vg.tensor([[2., 1., 2., 3.]]).mode()
    return_types(values=tensor([2.]), indices=tensor([2]))
    """
    d = input._wrap_dim(dim)
    if input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    return picked_along(ops.Mode, input, d, keepdim)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(fn, input, q, dim, keepdim, interpolation, ignore_nan):
    """PyTorch's quantile: sort, find the rank ``q · (n - 1)`` (a NaN in a line: its last rank; ``ignore_nan``:
    ``n`` counts the others), take the values at the ranks below and above, interpolate with ``lerp``."""
    data = input._data
    if data.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{fn}() input tensor must be either float or double dtype")
    xp = backend.xp_of(data)
    if isinstance(q, Tensor):
        if q._data.dtype != data.dtype:
            raise RuntimeError(f"{fn}() q tensor must be same dtype as the input tensor")
        if q._data.ndim > 1:
            raise RuntimeError(f"{fn}() q must be a scalar or 1D tensor")
        qs = q._data
        if ((qs < 0) | (qs > 1)).any():
            raise RuntimeError(f"{fn}() q values must be in the range [0, 1]")
    elif isinstance(q, numbers.Real) and not isinstance(q, bool):
        if not 0 <= q <= 1:
            raise RuntimeError(f"{fn}() q must be in the range [0, 1] but got {q}")
        qs = xp.asarray(q, dtype=data.dtype)
    else:
        raise TypeError(f"{fn}(): argument 'q' must be a float or a Tensor, not {type(q).__name__}")
    if data.size == 0:
        raise RuntimeError(f"{fn}() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{fn}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if dim is None or data.ndim == 0:
        if dim is not None:
            input._wrap_dim(dim)
        x, kept = flatten(input), (1,) * data.ndim if keepdim else ()
    else:
        d = input._wrap_dim(dim)
        x = movedim(input, d, -1)
        kept = data.shape[:d] + ((1,) if keepdim else ()) + data.shape[d + 1:]
    ordered = sort(x, -1).values  # (…, n)
    s, n = ordered._data, ordered._data.shape[-1]
    dt = s.dtype.type
    if ignore_nan:
        count = (~xp.isnan(s)).sum(axis=-1, keepdims=True)
        ranks = qs.reshape(-1) * (count - 1).astype(s.dtype)
        ranks = xp.where(ranks < 0, dt(0), ranks)
    else:
        ranks = xp.where(xp.isnan(s).any(axis=-1, keepdims=True), dt(n - 1), qs.reshape(-1) * dt(n - 1))
    ranks = {"lower": xp.floor, "higher": xp.ceil, "nearest": xp.round}.get(interpolation, lambda r: r)(ranks)
    below = ranks.astype(np.int64)
    values = gather(ordered, -1, Tensor._make(below))
    if interpolation in ("linear", "midpoint"):
        weights = xp.full(ranks.shape, 0.5, s.dtype) if interpolation == "midpoint" else ranks - below
        weights = Tensor._make(weights.astype(s.dtype, copy=False))
        if interpolation == "linear" and isinstance(q, Tensor) and q.requires_grad:
            weights = _rank_weights(q, s, n, below, ignore_nan)  # the same numbers, in the graph: q gets a gradient
        above = gather(ordered, -1, Tensor._make(xp.ceil(ranks).astype(np.int64)))
        values = ops.Lerp.apply(values, above, weights)
    values = squeeze(values, -1) if qs.ndim == 0 else movedim(values, -1, 0)
    shape = tuple(kept) if qs.ndim == 0 else (qs.shape[0],) + tuple(kept)
    return values if tuple(values.shape) == shape else reshape(values, shape)


def _rank_weights(q, s, n, below, ignore_nan):
    """``ranks - below`` of :func:`_quantile` computed from the tensor ``q`` with tensor ops, as PyTorch does."""
    xp = backend.xp_of(s)
    q = reshape(q, -1)
    if ignore_nan:
        ranks = mul(q, Tensor._make((~xp.isnan(s)).sum(axis=-1, keepdims=True).astype(s.dtype) - 1))
        ranks = where(Tensor._make(ranks._data < 0), 0.0, ranks)
    else:
        ranks = where(Tensor._make(xp.isnan(s).any(axis=-1, keepdims=True)), float(n - 1), mul(q, float(n - 1)))
    return sub(ranks, Tensor._make(below.astype(s.dtype)))


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-quantile(s) (``q`` a number, or a 1-D tensor of them: one result per ``q``, first dim) of all
    elements or along ``dim``, as PyTorch computes them: the values at rank ``q · (n - 1)`` of the sorted line,
    ``linear``-ly interpolated (or ``lower``, ``higher``, ``nearest``, ``midpoint``); NaN if a NaN is there.

    >>> import graphviz_grad as vg
    >>> x = vg.tensor([1., 2., 4., 8.])
    >>> x.quantile(0.5), x.quantile(vg.tensor([0.25, 0.5]), interpolation='lower')
    (tensor(3.), tensor([1., 2.]))
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """:func:`quantile` of the elements that are not NaN.

    >>> import graphviz_grad as vg
    >>> vg.tensor([1., float('nan'), 3.]).nanquantile(0.5)
    tensor(2.)
    """
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the elements that are not NaN: their sum over their count (PyTorch's composition).

    >>> import graphviz_grad as vg
    >>> vg.tensor([1., float('nan'), 3.]).nanmean()
    tensor(2.)
    """
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got {_name(input)}")
    return nansum(input, dim, keepdim) / sum(logical_not(isnan(input)), dim, keepdim)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum of the elements that are not NaN, over ``dim`` (an int, a tuple, or all).

    >>> import graphviz_grad as vg
    >>> vg.tensor([1., float('nan'), 3.]).nansum()
    tensor(4.)
    """
    from ._functions import _dims

    d = None if dtype is None else _dtype.to_dtype(dtype).np
    return ops.Nansum.apply(input, axes=_dims(input, dim), keepdim=keepdim, dtype=d)


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` of all elements or along one ``dim``: :func:`amin` and :func:`amax` (ties share the gradient).

    >>> import graphviz_grad as vg
    >>> vg.tensor([[3., 1.], [2., 5.]]).aminmax(dim=0)
    aminmax(min=tensor([2., 1.]), max=tensor([3., 5.]))
    """
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, (numbers.Integral, np.integer))):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    data = input._data
    d = None if dim is None else input._wrap_dim(dim)
    if data.size == 0 and (d is None or data.ndim == 0 or data.shape[d] == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    dims = () if d is None or data.ndim == 0 else d
    return aminmax_types(amin(input, dims, keepdim), amax(input, dims, keepdim))


def _statistic_mean(fn, statistic, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # the overload (input, unbiased)
        dim, unbiased = None, dim
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{fn} only support floating point and complex dtypes")
    return statistic(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``, in one call (``std``'s arguments).

    >>> import graphviz_grad as vg
    >>> vg.std_mean(vg.tensor([1., 2., 3.]))
    (tensor(1.), tensor(2.))
    """
    return _statistic_mean("std_mean", std, input, dim, unbiased, keepdim, correction)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``, in one call (``var``'s arguments).

    >>> import graphviz_grad as vg
    >>> vg.var_mean(vg.tensor([[1., 3.], [2., 6.]]), 1, unbiased=False)
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    return _statistic_mean("var_mean", var, input, dim, unbiased, keepdim, correction)


# --- running max, min and log-sum-exp ------------------------------------------------------------


def _running_pick(op_class, input, dim):
    """``cummax``/``cummin``: the running values and the int64 index each came from."""
    x, d = _along(input, dim)
    values = op_class.apply(x, dim=d)
    node = values.grad_fn
    if node is None:  # no graph kept the op: find the indices again
        node = op_class.__new__(op_class)
        node.dim = d
        node.forward(x._data)
    indices = Tensor._make(node.indices.astype(np.int64, copy=False))
    if input._data.ndim == 0:
        return return_types(values.reshape(()), indices.reshape(()))
    return return_types(values, indices)


def cummax(input, dim):
    """The running max along ``dim`` and the index of the element it last came from (ties: the later one).

    >>> import graphviz_grad as vg
    >>> vg.tensor([1., 3., 2., 3.]).cummax(0)
    return_types(values=tensor([1., 3., 3., 3.]), indices=tensor([0, 1, 1, 3]))
    """
    return _running_pick(ops.Cummax, input, dim)


def cummin(input, dim):
    """The running min along ``dim`` and the index it came from (ties: the later one).

    >>> import graphviz_grad as vg
    >>> vg.tensor([2., 1., 3., 1.]).cummin(0).indices
    tensor([0, 1, 1, 3])
    """
    return _running_pick(ops.Cummin, input, dim)


def logcumsumexp(input, dim):
    """``log(cumsum(exp(input)))`` along ``dim``, without overflow.

    >>> import graphviz_grad as vg
    >>> vg.tensor([0., 0., 100.]).logcumsumexp(0)
    tensor([  0.0000,   0.6931, 100.0000])
    """
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{_name(input)}'")
    x, d = _along(input, dim)
    out = ops.Logcumsumexp.apply(x, dim=d)
    return out.reshape(()) if input._data.ndim == 0 else out


# --- two tensors, elementwise ----------------------------------------------------------------------


def _tensors(fn, input, other, arg="other"):
    require_tensor(fn, input, 1)
    require_tensor(fn, other, 2, arg)


def atan2(input, other):
    """The angle of the point ``(other, input)`` in radians, in ``(-π, π]`` (``atan(input / other)`` with the
    quadrant); integers give floats.

    >>> import graphviz_grad as vg
    >>> vg.atan2(vg.tensor([1., -1.]), vg.tensor([-1., -1.]))
    tensor([ 2.3562, -2.3562])
    """
    _tensors("atan2", input, other)
    return ops.Atan2.apply(*_float_operands(input, other))


arctan2 = atan2


def _float_only(fn, op_class, input, other):
    _tensors(fn, input, other)
    a, b = operands(input, other)
    _require_float(fn, a)
    return op_class.apply(a, b)


def hypot(input, other):
    """``sqrt(input² + other²)`` without overflow.

    >>> import graphviz_grad as vg
    >>> vg.hypot(vg.tensor([3.]), vg.tensor([4.]))
    tensor([5.])
    """
    return _float_only("hypot", ops.Hypot, input, other)


def logaddexp(input, other):
    """``log(exp(input) + exp(other))`` without overflow.

    >>> import graphviz_grad as vg
    >>> vg.logaddexp(vg.tensor([1000., -1.]), vg.tensor([-1000., -1.]))
    tensor([ 1.0000e+03, -3.0685e-01])
    """
    return _float_only("logaddexp", ops.Logaddexp, input, other)


def logaddexp2(input, other):
    """``log2(2^input + 2^other)`` without overflow.

    >>> import graphviz_grad as vg
    >>> vg.logaddexp2(vg.tensor([1., 3.]), vg.tensor([1., 3.]))
    tensor([2., 4.])
    """
    return _float_only("logaddexp2", ops.Logaddexp2, input, other)


def _number_at(input, other):
    """Which operand is a Python number (0 or 1), or None: PyTorch names the grad_fn by it."""
    return 0 if not isinstance(input, Tensor) else 1 if not isinstance(other, Tensor) else None


def _with_number(op_class, input, other):
    at = _number_at(input, other)
    a, b = _float_operands(input, other)
    return op_class.apply(a, b) if at is None else op_class.apply(a, b, scalar=at)


def xlogy(input, other):
    """``input · log(other)``, and 0 where ``input`` is 0 (even where ``other`` is 0): the term of an entropy.

    >>> import graphviz_grad as vg
    >>> vg.xlogy(vg.tensor([0., 2.]), vg.tensor([0., 1.]))
    tensor([0., 0.])
    """
    return _with_number(ops.Xlogy, input, other)


def copysign(input, other):
    """``|input|`` with the sign of ``other`` (a tensor or a number; ``-0.0`` counts as negative).

    >>> import graphviz_grad as vg
    >>> vg.tensor([1., -2.]).copysign(-0.0)
    tensor([-1., -2.])
    """
    return _with_number(ops.Copysign, input, other)


def heaviside(input, values):
    """The step function: 0 where ``input < 0``, 1 where ``input > 0``, ``values`` where it is 0. PyTorch has
    no derivative for it: backward through it raises.

    >>> import graphviz_grad as vg
    >>> vg.heaviside(vg.tensor([-2., 0., 3.]), vg.tensor(0.5))
    tensor([0.0000, 0.5000, 1.0000])
    """
    _tensors("heaviside", input, values, "values")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return ops.Heaviside.apply(input, values)


def floor_divide(input, other):
    """``input // other``, rounded toward minus infinity (as Python's ``//``); PyTorch has no derivative for it.

    >>> import graphviz_grad as vg
    >>> vg.tensor([7, -7]) // 2
    tensor([ 3, -4])
    """
    if _is_bool_tensor(input) and (_is_bool_tensor(other) or isinstance(other, bool)):
        raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
    return _modulo(ops.FloorDivide, input, other)


def _is_bool_tensor(t):
    return isinstance(t, Tensor) and t._data.dtype.kind == "b"


def deg2rad(input):
    """Degrees to radians: ``input · π/180``.

    >>> import graphviz_grad as vg
    >>> vg.tensor([180.]).deg2rad()
    tensor([3.1416])
    """
    return ops.Deg2rad.apply(_float_input(input))


def rad2deg(input):
    """Radians to degrees: ``input · 180/π``.

    >>> import graphviz_grad as vg
    >>> vg.rad2deg(vg.tensor([3.14159265]))
    tensor([180.])
    """
    return ops.Rad2deg.apply(_float_input(input))


def signbit(input):
    """True where the sign bit is set: negative numbers and ``-0.0`` (no graph).

    >>> import graphviz_grad as vg
    >>> vg.tensor([-1., -0., 0., 2.]).signbit()
    tensor([ True,  True, False, False])
    """
    data = input._data
    xp = backend.xp_of(data)
    if data.dtype.kind == "b":
        return Tensor._make(xp.zeros(data.shape, bool))
    return Tensor._make(xp.asarray(xp.signbit(data)))


def lerp(input, end, weight):
    """``input + weight · (end - input)``, computed as PyTorch does (from ``end`` when ``|weight| ≥ 0.5``).

    >>> import graphviz_grad as vg
    >>> vg.lerp(vg.tensor([0., 0.]), vg.tensor([10., 10.]), vg.tensor([0.25, 1.]))
    tensor([ 2.5000, 10.0000])
    """
    from ._functions import _C_TYPE_NAMES

    if input._data.dtype != end._data.dtype:
        raise RuntimeError(f"expected dtype {_C_TYPE_NAMES[input.dtype.name]} for `end` but got dtype "
                           f"{_C_TYPE_NAMES[end.dtype.name]}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{_name(input)}'")
    if isinstance(weight, Tensor):
        return ops.Lerp.apply(input, end, weight if weight.dtype == input.dtype else weight.to(input.dtype))
    return ops.Lerp.apply(input, end, constant(weight, input), number=True)
