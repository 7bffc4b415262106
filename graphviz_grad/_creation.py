"""Creating tensors: ``tensor``, ``randn``, ``zeros``, ``arange``, ``from_numpy``, ...

>>> import graphviz_grad as vg
>>> vg.tensor([1, 2]).dtype, vg.tensor([1.0, 2.0]).dtype
(graphviz_grad.int64, graphviz_grad.float32)
>>> vg.zeros(2, 3).shape == vg.zeros((2, 3)).shape
True
"""
import functools
import numbers

import numpy as np

from . import _dtype, backend
from . import random as _random
from .tensor import Size, Tensor


def _sizes(sizes, size):
    """The shape given as ``f(2, 3)`` / ``f((2, 3))`` or as ``f(size=(2, 3))``, not both (``f(())`` is 0-d)."""
    if size is None:
        if not sizes:
            raise TypeError("missing the shape: give sizes such as (2, 3), or () for a 0-d tensor")
        return sizes
    if sizes:
        raise TypeError("give the shape once: as sizes (f(2, 3)) or as size=(2, 3), not both")
    return (size,)


def _shape(size):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(t.shape)`` all mean shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"size must be a sequence of ints, but got an element of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _finish(arr, dtype, device, requires_grad, name=None):
    dev = backend.default_device() if device is None else backend.device(device)
    if dtype is not None:
        arr = arr.astype(_dtype.to_dtype(dtype).np, copy=False)
    arr = backend.to_device(arr, dev)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    if name is not None:
        t.name = name
    return t


def _leaf_types(data):
    """The types of the scalars in ``data``: nested lists and tuples are opened, anything else is a leaf."""
    if data.__class__ is not list and data.__class__ is not tuple:
        return {type(data)}
    found, stack = set(), [data]
    while stack:
        seq = stack.pop()
        kinds = set(map(type, seq))  # one pass in C per innermost list
        if list in kinds or tuple in kinds:
            kinds -= _SEQUENCES
            stack += [x for x in seq if x.__class__ is list or x.__class__ is tuple]
        found |= kinds
    return found


_SEQUENCES = {list, tuple}


def _float_dtype_of(data):
    """PyTorch's dtype for data that NumPy read as floats: the default float dtype, or wider NumPy float scalars'.

    ``[1.0, 2]`` is float32 (the default), ``[np.float64(1.0)]`` float64 and
    ``[np.float16(1.0), 2]`` float16, as in PyTorch.
    """
    default = _dtype.get_default_dtype().np
    types = _leaf_types(data)
    scalar_dtypes = [np.dtype(t) for t in types if issubclass(t, np.floating)]
    if not scalar_dtypes:
        return default
    if float in types:
        scalar_dtypes.append(default)
    return functools.reduce(np.promote_types, scalar_dtypes)


def _uninferable(data):
    """PyTorch's error for data holding something that is not a number (None, a string, an object)."""
    bad = next((t for t in _leaf_types(data) if not issubclass(t, (numbers.Real, np.bool_))), type(data))
    hint = "tensor() takes numbers, bools, and (nested) lists of them"
    if issubclass(bad, str):
        raise ValueError(f"too many dimensions 'str': {hint}")
    raise RuntimeError(f"Could not infer dtype of {bad.__name__}: {hint}")


def as_array(data, dtype=None, device=None):
    """Copy ``data`` (numbers, nested lists, arrays, tensors) into a fresh array, PyTorch's dtype rules."""
    dtype = _dtype.to_dtype(dtype)
    if isinstance(data, Tensor):
        arr = backend.to_numpy(data._data).copy()
    elif isinstance(data, np.ndarray):
        arr = np.array(data)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"can't convert np.ndarray of type {arr.dtype}; the supported types are float, int and bool")
    elif hasattr(data, "__cuda_array_interface__"):
        arr = data.copy()
    else:
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        try:
            arr = np.array(data)
        except ValueError as e:
            raise ValueError(f"expected a sequence of equal-length rows: {e}") from None
        if arr.dtype.kind not in "biuf":
            _uninferable(data)
        if arr.dtype.kind == "f" and dtype is None:  # a given dtype rounds the Python floats once, as PyTorch
            arr = arr.astype(_float_dtype_of(data), copy=False)
    if dtype is not None:
        arr = arr.astype(dtype.np, copy=False)
    if device is None:
        device = backend.chosen_default_device()  # (none chosen: a CuPy array stays where it is)
    if device is not None:
        arr = backend.to_device(arr, backend.device(device))
    return arr


def tensor(data, dtype=None, device=None, requires_grad=False, name=None):
    """A new leaf tensor holding a copy of ``data``; ``name=`` labels it in drawings."""
    t = Tensor._make(as_array(data, dtype, device))
    if requires_grad:
        t.requires_grad_(True)
    if name is not None:
        t.name = name
    return t


def as_tensor(data, dtype=None, device=None):
    if device is None and isinstance(data, Tensor):
        chosen = backend.chosen_default_device()
        device = chosen if chosen is not None and chosen != data.device else None
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    if isinstance(data, Tensor):
        return data.to(*(a for a in (device, dtype) if a is not None))
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def _float_dtype(dtype):
    d = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    if not d.is_floating_point:
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{d.name.capitalize()}'; random floats need a floating dtype")
    return d


def randn(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad=False, name=None):
    """Standard-normal samples, PyTorch's numbers for the seed (see ``manual_seed``, ``Generator``).

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0); vg.randn(3)
    tensor([ 1.5410, -0.2934, -2.1788])
    """
    d = _float_dtype(dtype)
    arr = _random.normal(_random._gen(generator), _shape(_sizes(sizes, size)), d.np)
    return _finish(arr, None, device, requires_grad, name)


def rand(*sizes, size=None, generator=None, dtype=None, device=None, requires_grad=False, name=None):
    """Uniform samples in [0, 1), PyTorch's numbers for the seed.

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0); vg.rand(3)
    tensor([0.4963, 0.7682, 0.0885])
    """
    d = _float_dtype(dtype)
    arr = _random.uniform(_random._gen(generator), _shape(_sizes(sizes, size)), d.np)
    return _finish(arr, None, device, requires_grad, name)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high), int64.

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0); vg.randint(0, 10, (5,))
    tensor([4, 9, 3, 0, 3])
    """
    if size is None and isinstance(high, (tuple, list, Size)):
        low, high, size = 0, low, high  # randint(10, (3,))
    elif high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing the size: randint(low, high, size) or randint(high, size)")
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    d = _dtype.to_dtype(dtype) or _dtype.int64
    arr = _random.random_from_to(_random._gen(generator), _shape((size,)), d.np, low, high)
    return _finish(arr, None, device, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of ``0 .. n-1`` (int64), PyTorch's for the seed.

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0); vg.randperm(5)
    tensor([4, 0, 1, 3, 2])
    """
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got {n}")
    d = _dtype.to_dtype(dtype) or _dtype.int64
    arr = _random.randperm(_random._gen(generator), n).astype(d.np)
    return _finish(arr, None, device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Normal samples: ``normal(mean, std)`` with tensors (broadcast) or numbers and ``size=``.

    As PyTorch: standard normals of the broadcast shape, times ``std``, plus ``mean``.

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0); vg.normal(vg.zeros(3), 2.0)
    tensor([ 3.0820, -0.5869, -4.3576])
    """
    gen = _random._gen(generator)
    m_t, s_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not m_t and not s_t:
        if size is None:
            raise TypeError("normal(mean, std) of two numbers needs size=: normal(0.0, 1.0, size=(2, 3))")
        d = _float_dtype(dtype)
        arr = _random.normal(gen, _shape((size,)), d.np, float(mean), float(std))
        return _finish(arr, None, device, requires_grad)
    if s_t and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    ref = mean if m_t else std
    d = ref.dtype
    if not d.is_floating_point:
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{d.name.capitalize()}'")
    shape = np.broadcast_shapes(tuple(mean.shape) if m_t else (), tuple(std.shape) if s_t else ())
    xp_mean = backend.to_numpy(mean._data) if m_t else None
    if m_t and not s_t:  # normal_(0, std) then + mean
        arr = _random.normal(gen, shape, d.np, 0.0, float(std)) + xp_mean.astype(d.np)
    else:
        arr = _random.normal(gen, shape, d.np) * backend.to_numpy(std._data).astype(d.np)
        arr = arr + (xp_mean.astype(d.np) if m_t else d.np.type(mean))
    return _finish(np.asarray(arr, d.np), None, device or ref.device, requires_grad)


def bernoulli(input, p=None, *, generator=None):
    """0/1 draws: with probability ``input`` (a tensor of probabilities), or ``p`` (a number) in input's shape.

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0); vg.bernoulli(vg.full((4,), 0.5))
    tensor([1., 0., 1., 1.])
    """
    return empty_like(input).bernoulli_(input if p is None else p, generator=generator)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn from the rows of ``input`` (non-negative weights), PyTorch's for the seed.

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0); vg.multinomial(vg.tensor([0.3, 0.3, 0.4]), 6, replacement=True)
    tensor([2, 2, 1, 2, 2, 2])
    """
    if input.dim() not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, but got {input.dim()}")
    if not input.is_floating_point():
        raise RuntimeError("multinomial only supports floating-point dtypes for input")
    n_cat = input.shape[-1]
    if num_samples <= 0:
        raise RuntimeError(f"cannot sample n_sample <= 0 samples, but got {num_samples}")
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    arr = _random.multinomial(_random._gen(generator), backend.to_numpy(input._data), int(num_samples),
                              bool(replacement))
    return _finish(arr, None, input.device, False)


def _filled(size, value, dtype, device, requires_grad, name=None):
    d = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    arr = np.full(_shape(size), value, dtype=d.np)
    return _finish(arr, None, device, requires_grad, name)


def zeros(*sizes, size=None, dtype=None, device=None, requires_grad=False, name=None):
    return _filled(_sizes(sizes, size), 0, dtype, device, requires_grad, name)


def ones(*sizes, size=None, dtype=None, device=None, requires_grad=False, name=None):
    return _filled(_sizes(sizes, size), 1, dtype, device, requires_grad, name)


def empty(*sizes, size=None, dtype=None, device=None, requires_grad=False):
    return _filled(_sizes(sizes, size), 0, dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = (_dtype.bool if isinstance(fill_value, bool) else _dtype.int64
                 if isinstance(fill_value, numbers.Integral) else None)
    return _filled((size,) if not isinstance(size, int) else (size,), fill_value, dtype, device, requires_grad)


def _like(fn, t, dtype, device, requires_grad, *args):
    return fn(t.shape, *args, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def zeros_like(t, dtype=None, device=None, requires_grad=False):
    return _like(zeros, t, dtype, device, requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False):
    return _like(ones, t, dtype, device, requires_grad)


def empty_like(t, dtype=None, device=None, requires_grad=False):
    return _like(zeros, t, dtype, device, requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False):
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def randn_like(t, dtype=None, device=None, requires_grad=False, *, generator=None):
    return randn(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad,
                 generator=generator)


def rand_like(t, dtype=None, device=None, requires_grad=False, *, generator=None):
    return rand(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad,
                generator=generator)


def randint_like(t, low=0, high=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """``randint_like(t, high)`` or ``randint_like(t, low, high)``: integers in [low, high) of t's shape and dtype."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(t.shape), generator=generator, dtype=dtype or t.dtype,
                   device=device or t.device, requires_grad=requires_grad)


def arange(start=0, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """``arange(5)``, ``arange(1, 4)``, ``arange(0, 1, 0.25)``, ``arange(end=5)``: int64 for int
    arguments (numbers or integer tensors), else float."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    is_int = all(isinstance(v, numbers.Integral) for v in vals)
    d = _dtype.to_dtype(dtype) or (_dtype.int64 if is_int else _dtype.get_default_dtype())
    arr = np.arange(*vals, dtype=np.float64 if not is_int else np.int64).astype(d.np, copy=False)
    return _finish(arr, None, device, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced numbers from ``start`` to ``end``, value for value PyTorch's CPU kernel's:
    ``start + step·i`` up to halfway, ``end − step·(steps − 1 − i)`` after it, each a fused multiply-add.

    >>> linspace(-2, 2, 5)
    tensor([-2., -1.,  0.,  1.,  2.])
    """
    d = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise RuntimeError(f"number of steps must be non-negative, got {steps}")
    return _finish(_linspace(start, end, int(steps), d.np), None, device, requires_grad)


def _linspace(start, end, steps, np_dtype):
    if steps <= 1:
        return np.full(steps, start).astype(np_dtype)
    op = np_dtype if np_dtype.kind == "f" else np.dtype(np.float64)  # (integers: a float64 step, truncated)
    cast = op.type
    lo, hi = (cast(start), cast(end)) if np_dtype.kind == "f" else (cast(np_dtype.type(start)), cast(np_dtype.type(end)))
    step = (hi - lo) / cast(steps - 1)
    half = steps // 2
    first = _random._mul_add(np.arange(half).astype(op), step, lo, op)
    second = _random._mul_add(np.arange(steps - half - 1, -1, -1).astype(op), -step, hi, op)
    return np.concatenate([first, second]).astype(np_dtype)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    """``steps`` numbers from ``base ** start`` to ``base ** end``, evenly spaced in the exponent."""
    d = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    arr = np.power(float(base), np.linspace(start, end, steps))
    return _finish(np.rint(arr) if d.np.kind != "f" else arr, d, device, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    d = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    return _finish(np.eye(n, m, dtype=d.np), None, device, requires_grad)


# --- PyTorch's legacy constructors: Tensor(...), FloatTensor(...), ... --------------------------


def _is_size_arg(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


def legacy_new(args, dtype=None, device=None):
    """What PyTorch's legacy ``torch.Tensor(*args)`` (``dtype=None``) or ``torch.FloatTensor(*args)`` makes.

    No argument: an empty tensor. Sizes (ints, or one ``Size``): a tensor of that
    shape (zeros; PyTorch leaves it uninitialised). A tensor: that very tensor (of
    ``dtype``, when given). Anything else is data, copied into ``dtype`` (or the
    default float dtype: ``Tensor([1, 2])`` is float32, unlike ``tensor([1, 2])``).
    """
    if args and all(_is_size_arg(a) for a in args) or len(args) == 1 and isinstance(args[0], Size):
        size = tuple(args[0]) if isinstance(args[0], Size) else args
        return empty(*size, dtype=dtype, device=device)
    if not args:
        return empty(0, dtype=dtype, device=device)
    data = args[0]
    if len(args) > 1:
        bad = next(a for a in args if not _is_size_arg(a))
        raise TypeError(f"new(): sizes must be ints, but got {type(bad).__name__} (to copy data, pass one sequence)")
    if isinstance(data, Tensor):
        if dtype is not None and data.dtype != _dtype.to_dtype(dtype):
            raise TypeError(f"expected {_dtype.to_dtype(dtype)} (got {data.dtype}): convert it with .to() instead")
        return data
    if data is None or isinstance(data, numbers.Number):
        raise TypeError(
            f"new(): data must be a sequence (got {type(data).__name__}); for a number use torch.tensor(value)"
        )
    return tensor(data, dtype=dtype or _dtype.get_default_dtype(), device=device)


class _LegacyTensorType(type):
    """The type of ``FloatTensor``, ``DoubleTensor``, ``LongTensor``, as PyTorch's tensor types behave.

    Calling one makes an ordinary Tensor of its dtype (``legacy_new``); and
    ``isinstance(t, FloatTensor)`` asks whether ``t`` is a float32 tensor.
    """

    def __call__(cls, *args, device=None):
        return legacy_new(args, cls.dtype, device)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype


def _legacy_type(name, dtype):
    doc = f"``{name}(data)``, ``{name}(*sizes)``: PyTorch's legacy constructor of {dtype.name} tensors."
    return _LegacyTensorType(name, (), {"dtype": dtype, "__doc__": doc, "__module__": "graphviz_grad"})


FloatTensor = _legacy_type("FloatTensor", _dtype.float32)
DoubleTensor = _legacy_type("DoubleTensor", _dtype.float64)
LongTensor = _legacy_type("LongTensor", _dtype.int64)
