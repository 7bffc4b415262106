"""Tensor math as functions: each one is both ``vg.f(t, ...)`` and the method ``t.f(...)``.

They check and normalise arguments the way PyTorch does, then call exactly one
op class's ``apply``. Python numbers are turned into constant tensors here,
with PyTorch's type-promotion rules.

>>> import graphviz_grad as vg
>>> x = vg.tensor([[1., -2.], [3., 4.]], requires_grad=True)
>>> vg.clamp(x, min=0).sum()
tensor(8., grad_fn=<SumBackward0>)
>>> x.mm(x).shape
graphviz_grad.Size([2, 2])
"""
import collections
import numbers
import operator

import warnings

import numpy as np

from . import _dtype, backend, ops
from .ops.shape import SLOT
from .autograd.function import broadcast_message
from .autograd.grad_mode import state as _grad_state
from .tensor import Tensor

_ndarray = np.ndarray
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


# --- operands and type promotion -----------------------------------------------


def _scalar_dtype(value, like):
    """The dtype a Python number takes next to an array of dtype ``like`` (PyTorch's rules)."""
    kind = like.kind
    if isinstance(value, (bool, np.bool_)):
        return like
    if isinstance(value, numbers.Integral):
        return _INT64 if kind == "b" else like
    if isinstance(value, numbers.Real):
        return like if kind == "f" else _dtype.get_default_dtype().np
    raise TypeError(f"unsupported operand type: {type(value).__name__}")


_INT64 = np.dtype(np.int64)


def constant(value, like):
    """A constant (no grad) tensor for a Python number used next to tensor ``like``."""
    data = like._data
    like_dtype = data.dtype
    cls = value.__class__
    if cls is float:  # the common cases first, without the numbers ABCs
        dt = like_dtype if like_dtype.kind == "f" else _dtype.get_default_dtype().np
    elif cls is int:
        dt = _INT64 if like_dtype.kind == "b" else like_dtype
    else:
        dt = _scalar_dtype(value, like_dtype)
    if data.__class__ is _ndarray or backend.device_of(data).type == "cpu":
        return Tensor._make(np.asarray(value, dtype=dt))
    return Tensor._make(backend.xp_of(data).asarray(value, dtype=dt))


def _promote_dtypes(da, db):
    """PyTorch's result dtype for two tensors of equal standing: the higher category (bool < int < float) wins."""
    ca, cb = _CATEGORY[da.kind], _CATEGORY[db.kind]
    if ca == cb:
        return np.promote_types(da, db)
    return da if ca > cb else db


def _promote(a, b):
    """PyTorch's result dtype for two tensors (0-dim tensors weigh less than dimensioned ones)."""
    da, db = a._data.dtype, b._data.dtype
    a0, b0 = a._data.ndim == 0, b._data.ndim == 0
    if a0 == b0:
        return _promote_dtypes(da, db)
    ca, cb = _CATEGORY[da.kind], _CATEGORY[db.kind]
    dim_d, dim_c, zero_d, zero_c = (db, cb, da, ca) if a0 else (da, ca, db, cb)
    return dim_d if zero_c <= dim_c else zero_d


def require_tensor(fn, value, position=1, arg="input"):
    """PyTorch's TypeError for a non-tensor argument, with the usual fix."""
    if not isinstance(value, Tensor):
        from .nn.module import _typename  # only on this error path: nn loads lazily

        raise TypeError(
            f"{fn}(): argument '{arg}' (position {position}) must be Tensor, not {_typename(value)} "
            "(convert it first, e.g. torch.from_numpy(array) or torch.tensor(values))"
        )


def _check_device(a, b):
    if backend.device_of(a._data) != backend.device_of(b._data):
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{backend.device_of(a._data)} and {backend.device_of(b._data)}! Move them with .to(device) first."
        )


def operands(a, b):
    """Turn ``(a, b)`` (tensors or numbers) into two tensors of one dtype and device."""
    if not isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            raise TypeError("expected at least one Tensor argument")
        a = constant(a, b)
    elif not isinstance(b, Tensor):
        if b.__class__ in _PY_NUMBERS or isinstance(b, (numbers.Number, np.generic)):
            b = constant(b, a)
        elif isinstance(b, _ndarray):
            b = Tensor._make(b)
        else:
            raise TypeError(
                f"unsupported operand type(s): 'Tensor' and '{type(b).__name__}'"
            )
    da, db = a._data, b._data
    if da.__class__ is not db.__class__:
        _check_device(a, b)
    da, db = da.dtype, db.dtype
    if da is not db and da != db:
        dt = _promote(a, b)
        if da != dt:
            a = a.to(_dtype.from_numpy_dtype(dt))
        if db != dt:
            b = b.to(_dtype.from_numpy_dtype(dt))
    return a, b


_PY_NUMBERS = (float, int, bool)


def _float_operands(a, b):
    """Operands of true division: integers are promoted to the default float dtype."""
    a, b = operands(a, b)
    if a._data.dtype.kind != "f":
        d = _dtype.get_default_dtype()
        a, b = a.to(d), b.to(d)
    return a, b


def _float_input(t):
    return t if t._data.dtype.kind == "f" else t.to(_dtype.get_default_dtype())


def _dims(t, dim):
    """Normalise ``dim`` (int, tuple, list or None) to a sorted tuple of axes, or None."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        dims = tuple(sorted(t._wrap_dim(d) for d in dim)) if dim else None
    else:
        dims = (t._wrap_dim(dim),)
    return None if t._data.ndim == 0 else dims  # a 0-d tensor takes dim 0 or -1: all of it


# --- arithmetic -------------------------------------------------------------------


def add(input, other, alpha=1, *, out=None):
    if out is not None:
        return write_out("add", out, add, input, other, alpha)
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return ops.Add.apply(*operands(input, other))


def _is_bool(x):
    return isinstance(x, (bool, np.bool_)) or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


def sub(input, other, alpha=1, *, out=None):
    if out is not None:
        return write_out("sub", out, sub, input, other, alpha)
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return ops.Sub.apply(*operands(input, other))


def mul(input, other, *, out=None):
    if out is not None:
        return write_out("mul", out, mul, input, other)
    return ops.Mul.apply(*operands(input, other))


def div(input, other, rounding_mode=None, *, out=None):
    if out is not None:
        return write_out("div", out, div, input, other, rounding_mode)
    if rounding_mode is not None:
        raise NotImplementedError("div(rounding_mode=...) is not supported; use true division")
    return ops.Div.apply(*_float_operands(input, other))


def neg(input):
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return ops.Neg.apply(input)


def pow(input, exponent):
    cls = exponent.__class__
    if (cls is int or cls is float) and isinstance(input, Tensor):
        if cls is float and input._data.dtype.kind != "f":
            input = _float_input(input)
        return ops.Pow.apply(input, exponent=exponent)
    if isinstance(input, Tensor) and isinstance(exponent, numbers.Number) and not isinstance(exponent, bool):
        if input._data.dtype.kind != "f" and isinstance(exponent, float):
            input = _float_input(input)
        return ops.Pow.apply(input, exponent=exponent)
    if _is_bool(input) and isinstance(exponent, Tensor) and _is_bool(exponent):
        raise NotImplementedError("\"pow\" not implemented for 'Bool': convert the tensors with .float() or .long()")
    return ops.PowTensor.apply(*operands(input, exponent))


def sqrt(input):
    return ops.Sqrt.apply(_float_input(input))


def exp(input):
    return ops.Exp.apply(_float_input(input))


def log(input):
    return ops.Log.apply(_float_input(input))


def log10(input):
    """The base-10 logarithm, elementwise: ``torch.log10(torch.tensor([1., 100.]))`` is ``tensor([0., 2.])``."""
    return ops.Log10.apply(_float_input(input))


def abs(input):
    return ops.Abs.apply(input)


def relu(input):
    return ops.Relu.apply(input)


def sigmoid(input):
    return ops.Sigmoid.apply(_float_input(input))


def tanh(input):
    return ops.Tanh.apply(_float_input(input))


def _bound(v):
    """A clamp bound as a number (``clamp_`` takes one-element tensors too)."""
    if isinstance(v, Tensor):
        return v.item()
    return v


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if min is None or max is None or (isinstance(min, Tensor) and isinstance(max, Tensor)):
            return _clamp_to_tensors(input, min, max)
        if (min if isinstance(min, Tensor) else max).dim():
            raise TypeError("clamp(): min and max must both be tensors or both numbers (a 0-d tensor counts as "
                            "a number): convert the number with torch.tensor(value)")
        min, max = _bound(min), _bound(max)  # a number and a 0-d tensor: two numbers, as in PyTorch
    if input._data.dtype.kind != "f" and (isinstance(min, float) or isinstance(max, float)):
        input = _float_input(input)  # an integer tensor clamped to floats becomes float
    return ops.Clamp.apply(input, min=min, max=max)


def _clamp_to_tensors(input, min, max):
    """``clamp`` with elementwise (broadcast) tensor bounds, as ``where``s.

    As in PyTorch, the gradient goes to the input where ``min <= x <= max``, to
    ``min`` where it was below, to ``max`` where the result is ``max``; where the
    input or a bound is nan, the result is nan and nothing gets a gradient.
    """
    bounds = [(b if isinstance(b, Tensor) else constant(b, input), beyond)
              for b, beyond in ((min, operator.lt), (max, operator.gt)) if b is not None]
    out = input
    for bound, beyond in bounds:
        out = where(Tensor._make(beyond(out._data, bound._data)), bound, out)
    if out._data.dtype.kind == "f":
        xp = backend.xp_of(out._data)
        nan = xp.isnan(input._data)
        for bound, _ in bounds:
            nan = nan | xp.isnan(bound._data)
        if nan.any():
            out = where(Tensor._make(nan), float("nan"), out)
    return out


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def square(input):
    return pow(input, 2)


# --- matrix products ------------------------------------------------------------


def mm(input, mat2, *, out=None):
    if out is not None:
        return write_out("mm", out, mm, input, mat2, exact=True)
    if not (isinstance(input, Tensor) and isinstance(mat2, Tensor)):  # (one check on the hot path)
        require_tensor("mm", input, 1, "input")
        require_tensor("mm", mat2, 2, "mat2")
    if input._data.__class__ is not mat2._data.__class__:
        _check_device(input, mat2)
    return ops.Mm.apply(input, mat2)


def matmul(input, other, *, out=None):
    if out is not None:
        return write_out("matmul", out, matmul, input, other, exact=True)
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {input.dtype} != {other.dtype}"
        )
    if input._data.__class__ is not other._data.__class__:
        _check_device(input, other)
    return ops.Matmul.apply(input, other)


def dot(input, other):
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors")
    return matmul(input, other)


# --- reductions -----------------------------------------------------------------


def sum(input, dim=None, keepdim=False, dtype=None, *, keepdims=None):
    if keepdims is not None:  # NumPy's spelling, which PyTorch accepts too
        keepdim = keepdims
    d = None if dtype is None else _dtype.to_dtype(dtype).np
    return ops.Sum.apply(input, axes=_dims(input, dim), keepdim=keepdim, dtype=d)


def mean(input, dim=None, keepdim=False, dtype=None, *, keepdims=None):
    if keepdims is not None:
        keepdim = keepdims
    if dtype is not None:
        input = input.to(dtype)
    return ops.Mean.apply(input, axes=_dims(input, dim), keepdim=keepdim)


return_types = collections.namedtuple("return_types", ["values", "indices"])


def _max_min(full_op, dim_op, input, dim, keepdim, other):
    if isinstance(dim, Tensor) and other is None:
        other, dim = dim, None
    if other is not None:
        binary_op = ops.Maximum if full_op is ops.Max else ops.Minimum
        return binary_op.apply(*operands(input, other))
    if dim is None:
        return full_op.apply(input)
    return picked_along(dim_op, input, dim, keepdim)


def picked_along(op_class, input, dim, keepdim, **attrs):
    """Run ``op_class``, a reduction that picks one element of each line along ``dim`` (max, min, median,
    mode: a :class:`~.ops.reduce.MaxDim`), and return PyTorch's ``(values, indices)``: the values in the
    graph, the int64 positions alongside."""
    d = input._wrap_dim(dim)
    if input._data.ndim == 0:
        return return_types(input.clone(), Tensor._make(np.asarray(0)))
    values = op_class.apply(input, dim=d, keepdim=keepdim, **attrs)
    indices = getattr(values.grad_fn, "indices", None)
    if indices is None:  # no graph was built: find the positions again
        node = op_class.__new__(op_class)
        for key, value in dict(attrs, dim=d).items():
            setattr(node, key, value)
        indices = backend.xp_of(input._data).expand_dims(node.pick(input._data), d)
    idx = indices if keepdim else indices.squeeze(d)
    return return_types(values, Tensor._make(idx.astype(np.int64, copy=False)))


def max(input, dim=None, keepdim=False, *, other=None, keepdims=None):
    if keepdims is not None:
        keepdim = keepdims
    return _max_min(ops.Max, ops.MaxDim, input, dim, keepdim, other)


def min(input, dim=None, keepdim=False, *, other=None, keepdims=None):
    if keepdims is not None:
        keepdim = keepdims
    return _max_min(ops.Min, ops.MinDim, input, dim, keepdim, other)


def maximum(input, other):
    return max(input, other=other)


def minimum(input, other):
    return min(input, other=other)


def _arg(fn, input, dim, keepdim):
    data = input._data
    xp = backend.xp_of(data)
    if dim is None:
        index = xp.asarray(getattr(data, fn)(), dtype=np.int64)
        return Tensor._make(index.reshape((1,) * data.ndim) if keepdim else index)
    d = input._wrap_dim(dim)
    if data.ndim == 0:
        return Tensor._make(xp.zeros((), np.int64))
    return Tensor._make(getattr(data, fn)(axis=d, keepdims=bool(keepdim)).astype(np.int64, copy=False))


def argmax(input, dim=None, keepdim=False, *, keepdims=None):
    """Index of the largest element (of all, or along ``dim``): no graph, as in PyTorch.

    >>> import graphviz_grad as vg
    >>> vg.tensor([[1., 5.], [7., 2.]]).argmax(1)
    tensor([1, 0])
    """
    return _arg("argmax", input, dim, keepdim if keepdims is None else keepdims)


def argmin(input, dim=None, keepdim=False, *, keepdims=None):
    return _arg("argmin", input, dim, keepdim if keepdims is None else keepdims)


def amax(input, dim=(), keepdim=False, *, keepdims=None):
    """Largest element over ``dim`` (an int, a tuple, or ``()``: all); ties share the gradient evenly.

    >>> import graphviz_grad as vg
    >>> vg.tensor([[1., 5.], [7., 2.]]).amax(0)
    tensor([7., 5.])
    """
    return ops.Amax.apply(input, axes=_dims(input, None if dim == () else dim),
                          keepdim=keepdim if keepdims is None else keepdims)


def amin(input, dim=(), keepdim=False, *, keepdims=None):
    return ops.Amin.apply(input, axes=_dims(input, None if dim == () else dim),
                          keepdim=keepdim if keepdims is None else keepdims)


def softmax(input, dim=None, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return ops.Softmax.apply(_float_input(input), dim=_softmax_dim(input, dim))


def log_softmax(input, dim=None, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    return ops.LogSoftmax.apply(_float_input(input), dim=_softmax_dim(input, dim))


def _softmax_dim(t, dim):
    if dim is None:  # PyTorch's legacy implicit choice
        dim = 0 if t.dim() in (0, 1, 3) else 1
    return t._wrap_dim(dim)


# --- shapes ---------------------------------------------------------------------


def _size_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def reshape(input, *shape):
    return ops.Reshape.apply(input, shape=_size_args(shape))


def view(input, *shape):
    """``reshape`` that refuses, as PyTorch's ``view``, when the new shape needs a copy (a transposed tensor)."""
    data = input._data
    if data.__class__ is _ndarray and not data.flags.c_contiguous and data.size > 1:
        try:
            reshaped = data.reshape(_size_args(shape))
        except ValueError:
            reshaped = None  # a wrong size: reshape's own error, below
        if reshaped is not None and not np.may_share_memory(reshaped, data):  # NumPy had to copy: no view exists
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension "
                "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return reshape(input, *shape)


def view_as(input, other):
    return reshape(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return ops.Flatten.apply(input, shape=(1,))
    s, e = input._wrap_dim(start_dim), input._wrap_dim(end_dim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return ops.Flatten.apply(input, shape=shape[:s] + (n,) + shape[e + 1:])



def unflatten(input, dim, sizes):
    """Dim ``dim`` split into ``sizes`` (one of them may be -1): the inverse of ``flatten``, a view.

    >>> import graphviz_grad as vg
    >>> vg.zeros(2, 6).unflatten(1, (3, -1)).shape
    graphviz_grad.Size([2, 3, 2])
    """
    sizes = tuple(int(n) for n in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten: only one dimension can be inferred")
    d = input._wrap_dim(dim)
    shape = tuple(input._data.shape)
    n = 1
    for size in sizes:
        n *= size
    if (n != shape[d]) if -1 not in sizes else (n == 0 or shape[d] % -n):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
                           f"({shape[d]}) in the input tensor")
    return reshape(input, shape[:d] + sizes + shape[d + 1:])

def transpose(input, dim0, dim1):
    return ops.Transpose.apply(input, dim0=input._wrap_dim(dim0), dim1=input._wrap_dim(dim1))


swapaxes = transpose


def t(input):
    if input.dim() > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input.dim()}D; use transpose(dim0, dim1)"
        )
    return ops.Transpose.apply(input, dim0=0, dim1=1 if input.dim() == 2 else 0)


def permute(input, *dims):
    dims = tuple(input._wrap_dim(d) for d in _size_args(dims))
    if sorted(dims) != list(range(input.dim())):
        raise RuntimeError(f"permute(): dims {list(dims)} are not a permutation of the tensor's {input.dim()} dims")
    return ops.Permute.apply(input, dims=dims)


def expand(input, *sizes):
    sizes = _size_args(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)})"
        )
    offset = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if s == -1:
            if i < offset:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing dimension")
            s = shape[i - offset]
        elif i >= offset and shape[i - offset] not in (1, s):
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({shape[i - offset]}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}"
            )
        target.append(s)
    return ops.Expand.apply(input, shape=tuple(target))


def expand_as(input, other):
    return expand(input, other.shape)


def squeeze(input, dim=None):
    if dim is None:
        return ops.Squeeze.apply(input)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return ops.Squeeze.apply(input, dim=tuple(input._wrap_dim(d) for d in dims))


def unsqueeze(input, dim):
    return ops.Unsqueeze.apply(input, dim=input._wrap_dim(dim, input._data.ndim + 1))


def clone(input, memory_format=None):
    return ops.Clone.apply(input)


def _tensor_list(fn, tensors):
    """``tensors`` (a list, tuple or other iterable of tensors) as a list, with PyTorch's TypeErrors."""
    if isinstance(tensors, Tensor) or not hasattr(tensors, "__iter__"):
        raise TypeError(
            f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__} "
            f"(pass the tensors in one list: {fn}([a, b]))"
        )
    tensors = list(tensors)
    for i, t_ in enumerate(tensors):
        if not isinstance(t_, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t_).__name__} "
                "(convert it first, e.g. torch.tensor(value))"
            )
    return tensors


def cat(tensors, dim=0, *, out=None):
    if out is not None:
        return write_out("cat", out, cat, tensors, dim)
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    first = tensors[0]
    nd = first.dim()
    d = first._wrap_dim(dim)
    for t_ in tensors[1:]:
        if t_.dim() != nd:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {nd} and {t_.dim()}"
            )
        for ax in range(nd):
            if ax != d and t_.shape[ax] != first.shape[ax]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{first.shape[ax]} but got size {t_.shape[ax]} for a tensor in the list."
                )
    tensors = _common_dtype(tensors)
    return ops.Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0].shape
    for i, t_ in enumerate(tensors[1:], 1):
        if t_.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                f"{list(t_.shape)} at entry {i}"
            )
    tensors = _common_dtype(tensors)
    return ops.Stack.apply(*tensors, dim=tensors[0]._wrap_dim(dim, tensors[0].dim() + 1))


def _common_dtype(tensors):
    dt = tensors[0]._data.dtype
    for t_ in tensors[1:]:
        if t_._data.dtype != dt:
            dt = _promote_dtypes(dt, t_._data.dtype)
    if not [t_ for t_ in tensors if t_._data.dtype != dt]:  # (builtin all is shadowed by vg.all here)
        return tensors
    d = _dtype.from_numpy_dtype(dt)
    return [t_.to(d) for t_ in tensors]


def where(condition, input=None, other=None):
    if input is None and other is None:
        return tuple(Tensor._make(i) for i in backend.xp_of(condition._data).nonzero(condition._data))
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = Tensor._make(np.asarray(input, dtype=_scalar_dtype(input, _dtype.get_default_dtype().np)))
    a, b = operands(input, other)
    return ops.Where.apply(condition, a, b)


# --- comparisons (no grad) -------------------------------------------------------


def eq(input, other):
    return ops.Eq.apply(*operands(input, other))


def ne(input, other):
    return ops.Ne.apply(*operands(input, other))


_OPERAND_TYPES = (Tensor, numbers.Number, np.generic, _ndarray)


def _operator(fn):
    """``fn`` as the operator ``t == x`` / ``t != x``: NotImplemented for an ``x`` no op takes, as PyTorch.

    Python then compares identities, so ``t == None`` is False and ``t != None``
    True, while ``vg.eq(t, None)`` still raises the TypeError.
    """
    def method(self, other):
        if not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        return fn(self, other)

    method.__name__ = f"__{fn.__name__}__"
    method.__doc__ = fn.__doc__
    return method


eq_operator, ne_operator = _operator(eq), _operator(ne)


def lt(input, other):
    return ops.Lt.apply(*operands(input, other))


def le(input, other):
    return ops.Le.apply(*operands(input, other))


def gt(input, other):
    return ops.Gt.apply(*operands(input, other))


def ge(input, other):
    return ops.Ge.apply(*operands(input, other))


def logical_not(input):
    return ops.LogicalNot.apply(input)


def _bitwise(op_class, input, other):
    a, b = operands(input, other)
    if a._data.dtype.kind == "f":
        raise NotImplementedError(f"\"{op_class.name}_cpu\" not implemented for '{a.dtype.name.capitalize()}': "
                           "&, | and ^ take bool tensors (masks such as (x > 0) & (x < 1)) or integer ones")
    return op_class.apply(a, b)


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{input.dtype.name.capitalize()}': "
                                  "~ takes a bool tensor (a mask such as ~(x > 0)) or an integer one")
    return ops.BitwiseNot.apply(input)


def invert(input):
    """``~t``: :func:`bitwise_not`, with the TypeError PyTorch's operator raises for floats."""
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors: "
                        "for a mask, compare first, e.g. ~(x > 0)")
    return ops.BitwiseNot.apply(input)


def bitwise_and(input, other):
    return _bitwise(ops.BitwiseAnd, input, other)


def bitwise_or(input, other):
    return _bitwise(ops.BitwiseOr, input, other)


def bitwise_xor(input, other):
    return _bitwise(ops.BitwiseXor, input, other)


def logical_and(input, other):
    return bitwise_and(input != 0, other != 0)


def logical_or(input, other):
    return bitwise_or(input != 0, other != 0)


def equal(input, other):
    return input.shape == other.shape and bool((input._data == other._data).all())


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(backend.to_numpy(input._data), backend.to_numpy(other._data), rtol, atol, equal_nan))


def isnan(input):
    return Tensor._make(backend.xp_of(input._data).isnan(input._data))


def isfinite(input):
    return Tensor._make(backend.xp_of(input._data).isfinite(input._data))


def _any_all(fn, input, dim, keepdim):
    data = input._data
    xp = backend.xp_of(data)
    if dim is None:
        return Tensor._make(xp.asarray(getattr(data, fn)()))
    axes = _dims(input, dim)
    return Tensor._make(xp.asarray(getattr(data, fn)(axis=axes, keepdims=bool(keepdim))))


def any(input, dim=None, keepdim=False, *, keepdims=None):
    return _any_all("any", input, dim, keepdim if keepdims is None else keepdims)


def all(input, dim=None, keepdim=False, *, keepdims=None):
    return _any_all("all", input, dim, keepdim if keepdims is None else keepdims)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None, *, keepdims=None):
    if keepdims is not None:
        keepdim = keepdims
    if dtype is not None:
        input = input.to(dtype)
    return vector_norm(input, 2 if p == "fro" else p, dim, keepdim)


def vector_norm(input, ord, dim, keepdim):
    """``(Σ |x|^ord)^(1/ord)`` over ``dim`` (a dim, a tuple, or None: all); ``ord`` 0 counts the non-zeros
    (with a zero gradient), ``±inf`` takes the largest or smallest ``|x|``. Behind ``t.norm`` and
    ``vg.linalg``'s norms."""
    dims = () if dim is None else tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    over = dims or None
    if ord == 0:
        return sum(sign(abs(input)), over, keepdim)
    if ord in (float("inf"), float("-inf")):
        return (amax if ord > 0 else amin)(abs(input), dims, keepdim)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_dtype.type_name(input._data)}")
    axes = _dims(input, dims) if dims else None
    attrs = {"ord": ord} if ord != 2 else {}
    if axes is not None or keepdim:
        attrs.update(axes=axes, keepdim=keepdim)
    return ops.VectorNorm.apply(input, **attrs)


# --- indexing -------------------------------------------------------------------


def index_key(key):
    """Replace tensors inside an index by their arrays (bool masks and int indices); lists and ``range``s
    become arrays too (``x[range(5), ys]``)."""
    if isinstance(key, Tensor):
        return key._data
    if isinstance(key, tuple):
        return tuple(k._data if isinstance(k, Tensor) else np.asarray(k) if isinstance(k, (list, range)) else k
                     for k in key)
    if isinstance(key, (list, range)):
        return np.asarray(key)
    return key


def getitem(input, key):
    """``input[key]``; the tensors in ``key`` (``C[Xb]``, ``probs[arange(n), ys]``) are inputs of the op,
    saved as PyTorch saves them (changed in place before backward, or backward twice: its errors)."""
    tensors, template = _key_tensors(key)
    if not tensors:
        return ops.Index.apply(input, key=template)
    out = ops.Index.apply(input, *tensors, key=template)
    node = out.grad_fn
    if node is not None:
        node.saved_inputs = tuple(range(1, len(tensors) + 1))
        node.saved_versions = tuple(t._version[0] for t in tensors)
        node.saves_tensors = True
    return out


def _key_tensors(key):
    """``(the tensors in an index key, the key with SLOT in their places)``; lists become arrays, ranges
    stay ranges (drawn as ``range(0, 5)``)."""
    if isinstance(key, Tensor):
        return [key], SLOT
    if not isinstance(key, tuple):
        return [], index_key(key)
    tensors = [k for k in key if isinstance(k, Tensor)]
    return tensors, tuple(SLOT if isinstance(k, Tensor) else k if isinstance(k, range) else c
                          for k, c in zip(key, index_key(key)))


def setitem(input, key, value):
    """``t[key] = value``: in place on the array, or through the graph when grad is on."""
    from .autograd import grad_mode

    tensors, template = _key_tensors(key)
    key = index_key(key)
    if not isinstance(value, Tensor):
        value = constant(value, input)
    needs_graph = grad_mode.state.enabled and (input.requires_grad or value.requires_grad)
    if needs_graph:
        if value._data.dtype != input._data.dtype:
            value = value.to(input.dtype)
        input._inplace(ops.SetItem, value, *tensors, key=template)
        return
    input._check_inplace()
    input._writable()[key] = value._data
    input._bump()
    input._notify_inplace("setitem", (*tensors, value), template)


# --- the lessons after the tutorial (makemore, GPT): statistics, indexing, math -----------------


def _correction(fn, unbiased, correction):
    if unbiased is not None and correction is not None:
        raise TypeError(f"{fn}(): give either unbiased= or correction=, not both (unbiased=False is correction=0)")
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _statistic(op_class, fn, input, dim, unbiased, keepdim, correction, keepdims):
    if isinstance(dim, bool):  # the overload var(input, unbiased)
        dim, unbiased = None, dim
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"std and var only support floating point and complex dtypes: convert the tensor "
                           f"first, e.g. x.float().{fn}()")
    return op_class.apply(input, axes=_dims(input, dim), keepdim=keepdim if keepdims is None else keepdims,
                          correction=_correction(fn, unbiased, correction))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, keepdims=None):
    """Variance over ``dim`` (int, tuple, or all), with Bessel's correction unless ``unbiased=False``
    (or ``correction=0``); one fused op.

    >>> import graphviz_grad as vg
    >>> vg.tensor([1., 2., 3., 4.]).var()
    tensor(1.6667)
    >>> vg.tensor([1., 2., 3., 4.]).var(unbiased=False)
    tensor(1.2500)
    """
    return _statistic(ops.Var, "var", input, dim, unbiased, keepdim, correction, keepdims)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, keepdims=None):
    """Standard deviation: ``var``'s arguments, one fused op (makemore's batch norm: ``hpreact.std(0, keepdim=True)``).

    >>> import graphviz_grad as vg
    >>> vg.tensor([[1., 2.], [3., 6.]]).std(0, keepdim=True)
    tensor([[1.4142, 2.8284]])
    """
    return _statistic(ops.Std, "std", input, dim, unbiased, keepdim, correction, keepdims)


def logsumexp(input, dim, keepdim=False, *, keepdims=None):
    """``log(sum(exp(input), dim))``, computed without overflow.

    >>> import graphviz_grad as vg
    >>> round(vg.logsumexp(vg.tensor([1000., 1000.]), 0).item(), 3)  # exp(1000) alone overflows
    1000.693
    """
    return ops.LogSumExp.apply(_float_input(input), axes=_dims(input, dim),
                               keepdim=keepdim if keepdims is None else keepdims)


def prod(input, dim=None, keepdim=False, *, dtype=None, keepdims=None):
    """Product of all elements, or along one ``dim``; zeros get PyTorch's gradients.

    >>> import graphviz_grad as vg
    >>> x = vg.tensor([2., 0., 3.], requires_grad=True)
    >>> x.prod().backward(); x.grad
    tensor([0., 6., 0.])
    """
    if isinstance(dim, (tuple, list)):
        raise TypeError("prod(): argument 'dim' must be int, not tuple (reduce one dim at a time: "
                        "x.prod(0).prod(0))")
    d = None if dtype is None else _dtype.to_dtype(dtype).np
    axis = None if dim is None or input._data.ndim == 0 else input._wrap_dim(dim)
    return ops.Prod.apply(input, dim=axis, keepdim=bool(keepdim if keepdims is None else keepdims) and axis is not None,
                          dtype=d)


def cumsum(input, dim, *, dtype=None):
    """Running sum along ``dim``.

    >>> import graphviz_grad as vg
    >>> vg.tensor([1, 2, 3]).cumsum(0)
    tensor([1, 3, 6])
    """
    d = None if dtype is None else _dtype.to_dtype(dtype).np
    if input._data.ndim == 0:
        return ops.Cumsum.apply(reshape(input, 1), dim=0, dtype=d).reshape(())
    return ops.Cumsum.apply(input, dim=input._wrap_dim(dim), dtype=d)


def sin(input):
    return ops.Sin.apply(_float_input(input))


def cos(input):
    return ops.Cos.apply(_float_input(input))


def erf(input):
    """The error function, ``2/√π ∫₀ˣ exp(-t²) dt`` (what ``gelu`` is built on).

    >>> import graphviz_grad as vg
    >>> vg.erf(vg.tensor([0., 1.]))
    tensor([0.0000, 0.8427])
    """
    return ops.Erf.apply(_float_input(input))


def log1p(input):
    return ops.Log1p.apply(_float_input(input))


def rsqrt(input):
    return ops.Rsqrt.apply(_float_input(input))


def reciprocal(input):
    return ops.Reciprocal.apply(_float_input(input))


def outer(input, vec2):
    """Outer product of two vectors, ``input[:, None] * vec2`` (as PyTorch computes it).

    >>> import graphviz_grad as vg
    >>> vg.outer(vg.tensor([1., 2.]), vg.tensor([3., 4., 5.]))
    tensor([[ 3.,  4.,  5.],
            [ 6.,  8., 10.]])
    """
    for name, v in (("self", input), ("vec2", vec2)):
        require_tensor("outer", v, 1 if name == "self" else 2, name)
        if v.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.dim()}-D")
    return mul(reshape(input, -1, 1), vec2)


def einsum(equation, *operands):
    """Einstein summation over ``operands`` (``'ij,jk->ik'``, ``'bhqd,bhkd->bhqk'``, ``'ii->i'``, implicit
    outputs, ``...`` broadcast between operands as in PyTorch); the gradient of each operand is an einsum of the
    others.

    >>> import graphviz_grad as vg
    >>> vg.einsum('i,j->ij', vg.tensor([1., 2.]), vg.tensor([3., 4.]))
    tensor([[3., 4.],
            [6., 8.]])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not {type(equation).__name__}")
    return ops.Einsum.apply(*_common_dtype(_tensor_list("einsum", operands)), equation=equation)


def _index_array(fn, index, what="index"):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fn}(): argument '{what}' must be Tensor, not {type(index).__name__} "
                        "(e.g. torch.tensor([0, 2]))")
    return index._data


def gather(input, dim, index, *, sparse_grad=False):
    """The elements of ``input`` that ``index`` names along ``dim`` (``out[i][j] = input[i][index[i][j]]`` for dim 1).

    >>> import graphviz_grad as vg
    >>> vg.tensor([[1., 2.], [3., 4.]]).gather(1, vg.tensor([[1], [0]]))
    tensor([[2.],
            [3.]])
    """
    from .ops.indexing import check_index

    idx = _index_array("gather", index)
    d = input._wrap_dim(dim) if input._data.ndim else 0
    check_index("gather", input._data, idx, d)
    return ops.Gather.apply(input, dim=d, index=idx)


def index_select(input, dim, index):
    """The slices ``index`` (a vector of ints) of ``input`` along ``dim``.

    >>> import graphviz_grad as vg
    >>> vg.tensor([[1., 2.], [3., 4.], [5., 6.]]).index_select(0, vg.tensor([2, 0]))
    tensor([[5., 6.],
            [1., 2.]])
    """
    idx = _index_array("index_select", index)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"index_select(): Expected dtype int32/int64 for index, got {index.dtype}")
    d = input._wrap_dim(dim) if input._data.ndim else 0
    size = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = int(idx[(idx < -size) | (idx >= size)].reshape(-1)[0])
        raise IndexError(f"index_select(): index {bad} is out of bounds for dimension {d} with size {size}")
    return ops.IndexSelect.apply(input, dim=d, index=idx.reshape(-1) if idx.ndim == 0 and input._data.ndim else idx)


def _triangle(op_class, input, diagonal):
    if input._data.ndim < 2:
        raise RuntimeError(f"{op_class.name}: input tensor must have at least 2 dimensions, but it has "
                           f"{input._data.ndim}; build a matrix first, e.g. torch.tril(torch.ones(T, T))")
    return op_class.apply(input, diagonal=int(diagonal))


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (the GPT's causal mask: ``torch.tril(torch.ones(T, T))``).

    >>> import graphviz_grad as vg
    >>> vg.tril(vg.ones(3, 3))
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    return _triangle(ops.Tril, input, diagonal)


def triu(input, diagonal=0):
    return _triangle(ops.Triu, input, diagonal)


def _fill_value(fn, value, input):
    """A masked_fill value as a number, or a 0-d tensor that requires grad (kept, for its gradient)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"{fn} only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        return value if value.requires_grad else value.item()
    return value


def _check_mask(fn, input, mask, inplace):
    require_tensor(fn, mask, 2, "mask")
    if mask._data.dtype.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype.name}: "
                           "compare first, e.g. x.masked_fill(tril == 0, float('-inf'))")
    from .autograd.function import broadcast_message

    a, m = tuple(input._data.shape), tuple(mask._data.shape)
    message = broadcast_message(a, m)
    if message is None and inplace and np.broadcast_shapes(a, m) != a:  # in place, only the mask may broadcast
        message = f"output with shape {list(a)} doesn't match the broadcast shape {list(np.broadcast_shapes(a, m))}"
    if message is not None:
        raise RuntimeError(f"{message} ({fn}: input of shape {list(a)}, mask of shape {list(m)}; the mask must "
                           "broadcast to the input's shape)")


def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True (the GPT's ``wei.masked_fill(tril == 0, float('-inf'))``).

    >>> import graphviz_grad as vg
    >>> vg.tensor([1., 2., 3.]).masked_fill(vg.tensor([True, False, True]), 0.)
    tensor([0., 2., 0.])
    """
    _check_mask("masked_fill", input, mask, False)
    value = _fill_value("masked_fill_", value, input)
    if isinstance(value, Tensor):
        return where(mask, value.to(input.dtype), input)
    return ops.MaskedFill.apply(input, mask=mask._data, value=value)


def masked_fill_(input, mask, value):
    _check_mask("masked_fill_", input, mask, True)
    value = _fill_value("masked_fill_", value, input)
    if isinstance(value, Tensor):
        value = value.item()
    return input._inplace(ops.MaskedFill, mask=mask._data, value=value)


def tril_(input, diagonal=0):
    _triangle(ops.Tril, input, diagonal)  # (the checks)
    return input._inplace(ops.Tril, diagonal=int(diagonal))


def triu_(input, diagonal=0):
    _triangle(ops.Triu, input, diagonal)
    return input._inplace(ops.Triu, diagonal=int(diagonal))


def _index_add_args(input, dim, index, source, alpha):
    idx = _index_array("index_add", index)
    if idx.ndim > 1:
        raise IndexError("index_add_(): Index is supposed to be a vector")
    d = input._wrap_dim(dim) if input._data.ndim else 0
    if not isinstance(source, Tensor):
        source = constant(source, input)
    a, s = input._data.shape, source._data.shape
    if tuple(s) != a[:d] + (idx.size,) + a[d + 1:]:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(a)} source.shape = {list(s)}")
    if source._data.dtype != input._data.dtype:
        source = source.to(input.dtype)
    return source, dict(dim=d, index=idx.reshape(-1), alpha=alpha)


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha · source`` added at the rows ``index`` along ``dim``; repeated rows add up.

    >>> import graphviz_grad as vg
    >>> vg.zeros(3).index_add(0, vg.tensor([0, 0, 2]), vg.tensor([1., 2., 5.]))
    tensor([3., 0., 5.])
    """
    source, attrs = _index_add_args(input, dim, index, source, alpha)
    return ops.IndexAdd.apply(input, source, **attrs)


def index_add_(input, dim, index, source, *, alpha=1):
    source, attrs = _index_add_args(input, dim, index, source, alpha)
    return input._inplace(ops.IndexAdd, source, **attrs)


def _scatter_args(fn, input, dim, index, src):
    from .ops.indexing import check_index

    idx = _index_array(fn, index)
    d = input._wrap_dim(dim) if input._data.ndim else 0
    check_index(fn, input._data, idx, d)
    if isinstance(src, Tensor):
        if src._data.ndim != idx.ndim or True in [n > m for n, m in zip(idx.shape, src._data.shape)]:
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than src {list(src._data.shape)} "
                               f"in every dimension")
        if src._data.dtype != input._data.dtype:
            src = src.to(input.dtype)
    return idx, d, src


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """``input`` with ``src`` (a tensor, or one number) written at ``index`` along ``dim``.

    >>> import graphviz_grad as vg
    >>> vg.zeros(2, 3).scatter(1, vg.tensor([[2], [0]]), 1.0)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported; use scatter_add for reduce='add'")
    if src is None:
        src = value
    idx, d, src = _scatter_args("scatter", input, dim, index, src)
    if isinstance(src, Tensor):
        return ops.Scatter.apply(input, src, dim=d, index=idx)
    return ops.ScatterValue.apply(input, dim=d, index=idx, value=src)


def scatter_(input, dim, index, src=None, value=None, *, reduce=None):
    if reduce is not None:
        raise NotImplementedError("scatter_(reduce=...) is not supported; use scatter_add_ for reduce='add'")
    if src is None:
        src = value
    idx, d, src = _scatter_args("scatter_", input, dim, index, src)
    if isinstance(src, Tensor):
        return input._inplace(ops.Scatter, src, dim=d, index=idx)
    return input._inplace(ops.ScatterValue, dim=d, index=idx, value=src)


def scatter_add(input, dim, index, src):
    """``input`` with ``src`` added at ``index`` along ``dim``; repeated positions add up."""
    idx, d, src = _scatter_args("scatter_add", input, dim, index, src)
    return ops.ScatterAdd.apply(input, src, dim=d, index=idx)


def scatter_add_(input, dim, index, src):
    idx, d, src = _scatter_args("scatter_add_", input, dim, index, src)
    return input._inplace(ops.ScatterAdd, src, dim=d, index=idx)


# --- more shapes: unbind, split, chunk, repeat, flip, roll, bmm, diag ---------------------------


def _int_arg(fn, value, arg, position):
    """``value`` as an int, with PyTorch's TypeError for a float or other non-integer."""
    if isinstance(value, Tensor) and value._data.ndim == 0 and value._data.dtype.kind in "iu":
        return int(value._data)
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be int, not {type(value).__name__}")
    return int(value)


def _split_dim(fn, input, dim):
    if input._data.ndim == 0:
        raise RuntimeError(f"{fn} expects at least a 1-dimensional tensor")
    return input._wrap_dim(dim)


def _pieces(input, d, bounds, op_class):
    """One view per ``(start, stop)`` in ``bounds`` along dim ``d``, each its own node in the graph."""
    return tuple(op_class.apply(input, dim=d, start=start, stop=stop) for start, stop in bounds)


def _bounds(sizes):
    start = 0
    for s in sizes:
        yield start, start + s
        start += s


def unbind(input, dim=0):
    """The slices of ``input`` along ``dim``, as a tuple of views (each one ``input.select(dim, i)``).

    >>> import graphviz_grad as vg
    >>> vg.unbind(vg.tensor([[1., 2.], [3., 4.]]), 1)
    (tensor([1., 3.]), tensor([2., 4.]))
    """
    if input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = input._wrap_dim(dim)
    return tuple(ops.Unbind.apply(input, dim=d, index=i) for i in range(input._data.shape[d]))


def split(tensor, split_size_or_sections, dim=0):
    """``tensor`` cut along ``dim`` into views of ``split_size_or_sections`` elements (the last may be smaller),
    or of the sizes in a list.

    >>> import graphviz_grad as vg
    >>> vg.arange(5).split(2)
    (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    >>> [p.tolist() for p in vg.arange(5).split([1, 4])]
    [[0], [1, 2, 3, 4]]
    """
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [_int_arg("split_with_sizes", s, "split_sizes", 1) for s in split_size_or_sections]
        d = _split_dim("split_with_sizes", tensor, dim)
        n = tensor._data.shape[d]
        if [s for s in sizes if s < 0]:
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                               f"split_sizes={sizes}")
        if int(np.sum(sizes, dtype=np.int64)) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {d}), but got split_sizes={sizes}")
        return _pieces(tensor, d, _bounds(sizes), ops.SplitWithSizes)
    size = _int_arg("split", split_size_or_sections, "split_size", 1)
    d = _split_dim("split", tensor, dim)
    n = tensor._data.shape[d]
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    count = (-(-n // size) or 1) if size else 1
    return _pieces(tensor, d, [(i * size, (i + 1) * size if i < count - 1 else n) for i in range(count)], ops.Split)


def chunk(input, chunks, dim=0):
    """At most ``chunks`` views of ``input`` along ``dim``, each ``ceil(size / chunks)`` long but the last.

    >>> import graphviz_grad as vg
    >>> [p.tolist() for p in vg.arange(6).chunk(4)]
    [[0, 1], [2, 3], [4, 5]]
    """
    chunks = _int_arg("chunk", chunks, "chunks", 1)
    d = _split_dim("chunk", input, dim)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[d]
    if n == 0:  # every chunk is empty, as PyTorch's
        return _pieces(input, d, [(0, 0)] * chunks, ops.SplitWithSizes)
    return split(input, -(-n // chunks), d)


def repeat(input, *sizes):
    """``input`` tiled ``sizes[i]`` times along dim ``i`` (a copy); extra leading sizes add dims.

    >>> import graphviz_grad as vg
    >>> vg.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    sizes = _size_args(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    shape = (1,) * (len(sizes) - input._data.ndim) + input._data.shape
    target = [r * n for r, n in zip(sizes, shape)]
    bad = next((s for s in target if s < 0), None)
    if bad is not None:
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {target}")
    sizes = tuple(s if s >= 0 else 0 for s in sizes)  # a negative count of an empty dim: empty, as PyTorch's
    return ops.Repeat.apply(input, sizes=sizes)


def _dim_list(fn, input, dims, arg="dims"):
    """``dims`` (an int or a sequence of ints) as wrapped axes."""
    items = dims if isinstance(dims, (tuple, list)) else (dims,)
    return tuple(input._wrap_dim(_int_arg(fn, d, arg, 2)) for d in items)


def flip(input, dims):
    """``input`` with the order of its elements reversed along ``dims`` (a copy).

    >>> import graphviz_grad as vg
    >>> vg.flip(vg.tensor([[1, 2], [3, 4]]), [1])
    tensor([[2, 1],
            [4, 3]])
    """
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"flip(): argument 'dims' (position 2) must be tuple of ints, not {type(dims).__name__}")
    axes = _dim_list("flip", input, dims)
    for i, d in enumerate(axes):
        if d in axes[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return ops.Flip.apply(input, dims=axes)


def roll(input, shifts, dims=None):
    """``input`` shifted cyclically by ``shifts`` along ``dims`` (``dims=None``: over the flattened tensor).

    >>> import graphviz_grad as vg
    >>> vg.arange(4).roll(1)
    tensor([3, 0, 1, 2])
    """
    many = isinstance(shifts, (tuple, list))
    shift_list = [_int_arg("roll", s, "shifts", 2) for s in (shifts if many else (shifts,))]
    dim_list = () if dims is None else _dim_list("roll", input, dims)
    if dims is None:
        if len(shift_list) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift_list)}, dims:0")
        return ops.Roll.apply(input, shifts=shift_list[0], dims=None)
    if len(shift_list) != len(dim_list):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift_list)}, dims:{len(dim_list)}")
    return ops.Roll.apply(input, shifts=tuple(shift_list), dims=dim_list)


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors, ``(b, n, m) @ (b, m, p) -> (b, n, p)``; no broadcasting.

    >>> import graphviz_grad as vg
    >>> vg.bmm(vg.ones(2, 1, 3), vg.ones(2, 3, 2)).shape
    graphviz_grad.Size([2, 1, 2])
    """
    require_tensor("bmm", input, 1, "input")
    require_tensor("bmm", mat2, 2, "mat2")
    if input._data.dtype != mat2._data.dtype and input._data.ndim == 3 and mat2._data.ndim == 3:
        raise RuntimeError(f"expected scalar type {_dtype.type_name(input)} but found {_dtype.type_name(mat2)}")
    if input._data.__class__ is not mat2._data.__class__:
        _check_device(input, mat2)
    return ops.Bmm.apply(input, mat2)


def diag(input, diagonal=0):
    """A vector placed on diagonal ``diagonal`` of a square matrix, or diagonal ``diagonal`` of a matrix as a
    vector (a copy).

    >>> import graphviz_grad as vg
    >>> vg.diag(vg.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    >>> vg.diag(vg.tensor([[1, 2], [3, 4]]), 1)
    tensor([2])
    """
    k = _int_arg("diag", diagonal, "diagonal", 2)
    if input._data.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input._data.ndim}D")
    return ops.Diag.apply(input, diagonal=k)


# --- sorting, running products, numeric clean-ups (sort, argsort, topk, cumprod, isclose, nan_to_num, logit) ---


def _along(input, dim):
    """``input`` with at least one dim, and ``dim`` wrapped: a 0-d tensor is sorted as one element."""
    d = input._wrap_dim(dim)
    return (reshape(input, 1), 0) if input._data.ndim == 0 else (input, d)


def _with_indices(op_class, input, dim, **attrs):
    """Run a sorting op; return its values and its int64 indices, as PyTorch's ``(values, indices)``."""
    x, d = _along(input, dim)
    values = op_class.apply(x, dim=d, **attrs)
    node = values.grad_fn
    if node is None:  # no graph kept the op: find the positions again
        node = op_class.__new__(op_class)
        for key, value in dict(attrs, dim=d).items():
            setattr(node, key, value)
        idx = node.positions(x._data)
    else:
        idx = node.indices
    indices = Tensor._make(idx.astype(np.int64, copy=False))
    if input._data.ndim == 0:
        return return_types(values.reshape(()), indices.reshape(()))
    return return_types(values, indices)


def sort(input, dim=-1, descending=False, *, stable=False):
    """Values sorted along ``dim`` and where they came from; ties keep their order, NaN sorts as the largest.

    >>> import graphviz_grad as vg
    >>> x = vg.tensor([3., 1., 2.], requires_grad=True)
    >>> values, indices = x.sort(descending=True)
    >>> values, indices
    (tensor([3., 2., 1.], grad_fn=<SortBackward0>), tensor([0, 2, 1]))
    >>> (values * vg.tensor([1., 10., 100.])).sum().backward(); x.grad
    tensor([  1., 100.,  10.])
    """
    return _with_indices(ops.Sort, input, dim, descending=bool(descending), stable=bool(stable))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices of :func:`sort` (no graph).

    >>> import graphviz_grad as vg
    >>> vg.tensor([[3, 1, 2]]).argsort(dim=1)
    tensor([[1, 2, 0]])
    """
    return sort(input, dim, descending, stable=stable).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (``largest=False``: smallest) values along ``dim``, and their indices.

    Equal values are taken earliest position first (PyTorch does not promise an order among ties);
    ``sorted=False`` gives them sorted too.

    >>> import graphviz_grad as vg
    >>> vg.tensor([1., 5., 3., 4.]).topk(2)
    return_types(values=tensor([5., 4.]), indices=tensor([1, 3]))
    """
    n = input._data.shape[input._wrap_dim(dim)] if input._data.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k={k}, but dim {dim} has {n} elements)")
    return _with_indices(ops.Topk, input, dim, k=int(k), largest=bool(largest))


def cumprod(input, dim, *, dtype=None):
    """Running product along ``dim``; zeros in the input get PyTorch's gradients.

    >>> import graphviz_grad as vg
    >>> x = vg.tensor([2., 0., 3.], requires_grad=True)
    >>> x.cumprod(0)
    tensor([2., 0., 0.], grad_fn=<CumprodBackward0>)
    >>> x.cumprod(0).sum().backward(); x.grad
    tensor([1., 8., 0.])
    """
    d = None if dtype is None else _dtype.to_dtype(dtype).np
    x, axis = _along(input, dim)
    out = ops.Cumprod.apply(x, dim=axis, dtype=d)
    return out.reshape(()) if input._data.ndim == 0 else out


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol · |other|`` (a bool tensor, no graph).

    >>> import graphviz_grad as vg
    >>> vg.isclose(vg.tensor([1.0, 2.0]), vg.tensor([1.0 + 1e-7, 2.1]))
    tensor([ True, False])
    """
    require_tensor("isclose", input, 1)
    require_tensor("isclose", other, 2, "other")
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_dtype.type_name(input)} did not match {_dtype.type_name(other)} "
                           "(convert one of them first, e.g. other.to(input.dtype))")
    _check_device(input, other)
    xp = backend.xp_of(a)
    if a.dtype.kind == "b":
        return Tensor._make(xp.asarray(a == b))
    return Tensor._make(xp.asarray(xp.isclose(a, b, rtol, atol, equal_nan)))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced: by ``nan`` and by the dtype's largest and smallest values unless given.

    >>> import graphviz_grad as vg
    >>> vg.tensor([float("nan"), float("inf"), -1.0]).nan_to_num(posinf=9.0)
    tensor([ 0.,  9., -1.])
    """
    return ops.NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


def nan_to_num_(input, nan=0.0, posinf=None, neginf=None):
    return input._inplace(ops.NanToNum, nan=nan, posinf=posinf, neginf=neginf)


def logit(input, eps=None):
    """``log(p / (1 - p))``, the inverse of sigmoid; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``.

    >>> import graphviz_grad as vg
    >>> vg.logit(vg.tensor([0.5, 0.75]))
    tensor([0.0000, 1.0986])
    """
    return ops.Logit.apply(_float_input(input), eps=eps)


# --- the blitz (PyTorch's 60-minute blitz, "Tensors" page and after): out=, elementwise extras, indexing ---


def _requires_grad_in(args):
    for a in args:
        if isinstance(a, Tensor) and a.requires_grad:
            return True
        if isinstance(a, (list, tuple)) and _requires_grad_in(a):
            return True
    return False


def write_out(fn, out, compute, *args, exact=False):
    """``fn(*args, out=out)``: the result written into ``out`` (resized when its shape differs), ``out`` returned.

    ``out`` may have a dtype the result casts to safely (float32 into float64, not float into int); with
    ``exact`` (the matrix products) it must be the result's dtype.

    >>> import graphviz_grad as vg
    >>> o = vg.empty(2)
    >>> vg.add(vg.ones(2), 1, out=o) is o, o
    (True, tensor([2., 2.]))
    """
    require_tensor(fn, out, arg="out")
    if _grad_state.enabled and _requires_grad_in(args + (out,)):
        raise RuntimeError(f"{fn}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    result = compute(*args)
    if exact and result._data.dtype != out._data.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {_C_TYPE_NAMES[result.dtype.name]}, but got "
                           f"{_C_TYPE_NAMES[out.dtype.name]} instead")
    if fn == "cat" and not _can_cast(result, out):
        raise TypeError(f"torch.cat(): input types can't be cast to the desired output type {_dtype.type_name(out)}")
    check_cast(result, out)
    if out._data.shape != result._data.shape:
        if out._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(out.shape)}, "
                          f"which does not match the required output shape {list(result.shape)}. This behavior is "
                          "deprecated, and in a future PyTorch release outputs will not be resized unless they have "
                          "zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                          "elements with t.resize_(0).", UserWarning, stacklevel=3)
        out._data = backend.xp_of(out._data).empty(result._data.shape, out._data.dtype)
    return out.copy_(result)


_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
                 "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _can_cast(result, into):
    kind, into_kind = result._data.dtype.kind, into._data.dtype.kind
    return not ((into_kind != "f" and kind == "f") or (into_kind == "b" and kind != "b"))


def check_cast(result, into):
    """PyTorch's error when tensor ``result`` cannot be written into tensor ``into`` (a float into an int, ...)."""
    if not _can_cast(result, into):
        raise RuntimeError(f"result type {_dtype.type_name(result)} can't be cast to the desired output "
                           f"type {_dtype.type_name(into)}")


def sign(input):
    """-1, 0 or 1 by the sign of each element (0 for nan); its gradient is zero, as PyTorch's."""
    return ops.Sign.apply(input)


def floor(input):
    return ops.Floor.apply(input)


def ceil(input):
    return ops.Ceil.apply(input)


def trunc(input):
    return ops.Trunc.apply(input)


fix = trunc


def _round(input, *, decimals=0):
    """``vg.round``: half to even, as PyTorch: ``vg.round(vg.tensor([0.5, 1.5, 1.25]), decimals=1)`` is
    ``[0.5, 1.5, 1.2]``. (Named so here that this module's doctests keep Python's round.)"""
    if decimals and input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{_dtype.type_name(input)}'")
    return ops.Round.apply(input, decimals=decimals) if decimals else ops.Round.apply(input)


def frac(input):
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_dtype.type_name(input)}'")
    return ops.Frac.apply(input)


def exp2(input):
    return ops.Exp2.apply(_float_input(input))


def _modulo(op_class, input, other):
    a, b = operands(input, other)
    if a._data.dtype.kind != "f" and not b._data.all():
        raise RuntimeError("ZeroDivisionError")
    return op_class.apply(a, b)


def fmod(input, other):
    """The remainder of ``input / other`` with the sign of ``input`` (C's fmod)."""
    return _modulo(ops.Fmod, input, other)


def remainder(input, other):
    """The remainder of ``input / other`` with the sign of ``other`` (Python's %)."""
    return _modulo(ops.Remainder, input, other)


def mv(input, vec):
    """The matrix-vector product: ``vg.mv(vg.ones(2, 3), vg.ones(3))`` is ``tensor([3., 3.])``."""
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.dim()}, {vec.dim()}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
                           f"vec ({vec.shape[0]})")
    return matmul(input, vec)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta · input + alpha · (mat1 @ mat2)``; with ``beta=0`` ``input`` is ignored (its nans too), as PyTorch."""
    if out is not None:
        return write_out("addmm", out, lambda *args: addmm(*args, beta=beta, alpha=alpha), input, mat1, mat2)
    return add_scaled_product(input, mm(mat1, mat2), beta, alpha)


def add_scaled_product(input, product, beta=1, alpha=1):
    """``beta · input + alpha · product``: the ``addmm`` family (addmm, baddbmm, addbmm, addmv, addr). With
    ``beta=0`` ``input`` is ignored (its nans too) but must still broadcast, as in PyTorch."""
    if alpha != 1:
        product = mul(product, alpha)
    if input._data.shape != product._data.shape:
        expand(input, *product.shape)  # (PyTorch's error when input does not broadcast)
    if beta == 0:
        input = expand(input, *product.shape)
        if not input.requires_grad:
            return product
        return where(Tensor._make(backend.xp_of(product._data).ones(product.shape, bool)), product, input)  # 0 to input
    return add(mul(input, beta) if beta != 1 else input, product)


# indexing and shape (composed from indexing, expand, permute and reshape, whose gradients they take)


def nonzero(input, *, as_tuple=False):
    """The indices of the nonzero elements: one row per element (int64), or one index tensor per dim."""
    data = input._data
    xp = backend.xp_of(data)
    index = xp.nonzero(data.reshape(1) if data.ndim == 0 else data)
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64, copy=False)) for i in index)
    return Tensor._make(xp.stack(index, axis=1).astype(np.int64, copy=False)[:, :data.ndim])


def count_nonzero(input, dim=None):
    """How many elements are nonzero, in all (int64) or along ``dim`` (an int or a tuple)."""
    dims = _dims(input, dim)
    return Tensor._make(backend.xp_of(input._data).asarray(
        backend.xp_of(input._data).count_nonzero(input._data, axis=dims), dtype=np.int64))


def masked_select(input, mask):
    """The elements of ``input`` where the (broadcast) bool ``mask`` is True, as a 1-D tensor."""
    if mask._data.dtype.kind != "b":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = tuple(input.shape)
    if mask.shape != input.shape:
        mismatch = broadcast_message(shape, tuple(mask.shape))
        if mismatch:
            raise RuntimeError(mismatch)
        shape = np.broadcast_shapes(shape, tuple(mask.shape))
    return getitem(expand(input, *shape), expand(mask, *shape))


def narrow(input, dim, start, length):
    """``length`` elements of ``dim`` from ``start`` (a view): ``x.narrow(1, 0, 2)`` is ``x[:, 0:2]``."""
    d = input._wrap_dim(dim)
    size = input.shape[d]
    if isinstance(start, Tensor):
        start = start.item()
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    start = start + size if start < 0 else start
    if start + length > size or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def select(input, dim, index):
    """The slice at ``index`` of ``dim``, without that dim: ``x.select(1, 0)`` is ``x[:, 0]``."""
    d = input._wrap_dim(dim)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} "
                         f"at dimension {dim}")
    return getitem(input, (slice(None),) * d + (index,))


def movedim(input, source, destination):
    """``input`` with the dims ``source`` moved to the positions ``destination`` (ints or tuples of ints)."""
    source = [input._wrap_dim(d) for d in (source if isinstance(source, (tuple, list)) else (source,))]
    destination = [input._wrap_dim(d) for d in (destination if isinstance(destination, (tuple, list))
                                                else (destination,))]
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({source} dims) should contain "
                           f"the same number of dims as destination ({destination} dims)")
    order = [d for d in range(input.dim()) if d not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return permute(input, *order)


moveaxis = movedim


def broadcast_to(input, size):
    return expand(input, *size)


def tile(input, dims):
    """``input`` repeated ``dims[i]`` times along each dim (``dims`` padded with ones on the left, or the
    tensor's shape with ones when ``dims`` is longer): ``vg.tile(vg.tensor([1, 2]), (2,))`` is ``[1, 2, 1, 2]``."""
    dims = tuple(dims)
    n = len(dims) if len(dims) > input.dim() else input.dim()  # (max is vg.max here)
    reps = (1,) * (n - len(dims)) + dims
    shape = (1,) * (n - input.dim()) + tuple(input.shape)
    for r in reps:
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {r}: {list(reps)}")
    spread = reshape(input, *[s for size in shape for s in (1, size)])
    tiled = expand(spread, *[s for r, size in zip(reps, shape) for s in (r, size)])
    return reshape(tiled, *[r * size for r, size in zip(reps, shape)])


def meshgrid(*tensors, indexing=None):
    """Coordinate grids of 1-D tensors; ``indexing='ij'`` (matrix) or ``'xy'`` (Cartesian: the first two
    dims swapped). Without ``indexing``, 'ij' with PyTorch's warning."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    axes = list(range(len(tensors)))  # the axis each tensor runs along
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t_, axis in zip(tensors, axes):
        shape[axis] = t_.numel()
    grids = []
    for t_, axis in zip(tensors, axes):
        view_shape = [1] * len(tensors)
        view_shape[axis] = -1
        grids.append(expand(reshape(t_, *view_shape), *shape))
    return tuple(grids)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values of ``input`` (sorted: always, as PyTorch's CPU code), optionally with the index of
    each element's value and how often each value occurs."""
    if dim is not None:
        raise NotImplementedError("unique(dim=...) is not supported; flatten the tensor or use dim=None")
    xp = backend.xp_of(input._data)
    values, inverse, counts = xp.unique(input._data, return_inverse=True, return_counts=True)
    out = [Tensor._make(values)]
    if return_inverse:
        out.append(Tensor._make(inverse.reshape(input._data.shape).astype(np.int64, copy=False)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, ..., max occurs in a 1-D non-negative integer tensor (the sum of ``weights``
    at those places, when given)."""
    data = input._data
    if data.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_dtype.type_name(input)}'")
    if data.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    xp = backend.xp_of(data)
    if weights is None:
        return Tensor._make(xp.bincount(data, minlength=minlength).astype(np.int64, copy=False))
    counts = xp.bincount(data, weights=weights._data, minlength=minlength)
    return Tensor._make(counts.astype(weights._data.dtype if weights._data.dtype.kind == "f" else np.float64))
