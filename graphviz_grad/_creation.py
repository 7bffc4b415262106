"""Creating tensors: ``tensor``, ``randn``, ``zeros``, ``arange``, ``from_numpy``, ...

>>> import graphviz_grad as vg
>>> vg.tensor([1, 2]).dtype, vg.tensor([1.0, 2.0]).dtype
(graphviz_grad.int64, graphviz_grad.float32)
>>> vg.zeros(2, 3).shape == vg.zeros((2, 3)).shape
True
"""
import numbers

import numpy as np

from . import _dtype, backend
from . import random as _random
from .tensor import Tensor


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
    dev = backend.CPU if device is None else backend.device(device)
    if dtype is not None:
        arr = arr.astype(_dtype.to_dtype(dtype).np, copy=False)
    arr = backend.to_device(arr, dev)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    if name is not None:
        t.name = name
    return t


def _has_float(data):
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, float):
            return True
    return False


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
        if isinstance(data, (str, bytes)) or data is None:
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        try:
            arr = np.array(data)
        except ValueError as e:
            raise ValueError(f"expected a sequence of equal-length rows: {e}") from None
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise TypeError(
                f"Could not infer dtype of {type(data).__name__}: tensor() takes numbers, bools, and "
                "(nested) lists of them"
            )
        if arr.dtype.kind == "f" or (arr.size == 0 and not _has_float(data) and arr.dtype == np.float64):
            arr = arr.astype(_dtype.get_default_dtype().np)
    if dtype is not None:
        arr = arr.astype(dtype.np, copy=False)
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
        raise RuntimeError(f"\"normal_kernel_cpu\" not implemented for '{d.name.capitalize()}'; random floats need a floating dtype")
    return d


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None, name=None):
    """Standard-normal samples from the global generator (see ``manual_seed``)."""
    d = _float_dtype(dtype)
    gen = generator or _random.generator()
    arr = gen.standard_normal(_shape(size), dtype=np.float64).astype(d.np, copy=False)
    return _finish(arr, None, device, requires_grad, name)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None, name=None):
    d = _float_dtype(dtype)
    gen = generator or _random.generator()
    arr = gen.random(_shape(size), dtype=np.float64).astype(d.np, copy=False)
    return _finish(arr, None, device, requires_grad, name)


def randint(low, high=None, size=None, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    arr = _random.generator().integers(low, high, size=_shape((size,)) if size is not None else ())
    return _finish(arr.astype(np.int64), dtype, device, requires_grad)


def _filled(size, value, dtype, device, requires_grad, name=None):
    d = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    arr = np.full(_shape(size), value, dtype=d.np)
    return _finish(arr, None, device, requires_grad, name)


def zeros(*size, dtype=None, device=None, requires_grad=False, name=None):
    return _filled(size, 0, dtype, device, requires_grad, name)


def ones(*size, dtype=None, device=None, requires_grad=False, name=None):
    return _filled(size, 1, dtype, device, requires_grad, name)


def empty(*size, dtype=None, device=None, requires_grad=False):
    return _filled(size, 0, dtype, device, requires_grad)


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


def randn_like(t, dtype=None, device=None, requires_grad=False):
    return _like(randn, t, dtype, device, requires_grad)


def rand_like(t, dtype=None, device=None, requires_grad=False):
    return _like(rand, t, dtype, device, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """``arange(5)``, ``arange(1, 4)``, ``arange(0, 1, 0.25)``: int64 for int arguments, else float."""
    if end is None:
        start, end = 0, start
    vals = [float(v) if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    is_int = all(isinstance(v, numbers.Integral) for v in vals)
    d = _dtype.to_dtype(dtype) or (_dtype.int64 if is_int else _dtype.get_default_dtype())
    arr = np.arange(*vals, dtype=np.float64 if not is_int else np.int64).astype(d.np, copy=False)
    return _finish(arr, None, device, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    d = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    return _finish(np.linspace(start, end, steps).astype(d.np), None, device, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    d = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
    return _finish(np.eye(n, m, dtype=d.np), None, device, requires_grad)
