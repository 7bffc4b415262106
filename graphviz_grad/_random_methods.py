"""The in-place samplers of a tensor: ``normal_``, ``uniform_``, ``random_``, ``bernoulli_``, ``exponential_``.

They draw PyTorch's numbers from the global generator or ``generator=`` (see
:mod:`graphviz_grad.random`) and write them into the tensor as any in-place op
does (a leaf that requires grad needs ``no_grad``).

>>> import graphviz_grad as vg
>>> _ = vg.manual_seed(0)
>>> vg.empty(3).uniform_(-1, 1)
tensor([-0.0075,  0.5364, -0.8230])
>>> vg.empty(4, dtype=vg.int64).random_(0, 10)
tensor([0, 3, 9, 7])
"""
import numpy as np

from . import backend
from . import random as _random
from .tensor import Tensor


def _write(t, arr, what):
    """Write the drawn ``arr`` into ``t`` in place, as every in-place op of the package does.

    ``arr`` holds the values in the order they were drawn. PyTorch's kernels fill a tensor in the
    order of its memory (its TensorIterator puts the smallest stride innermost), so a transposed
    view gets its values in its base's order, as here.
    """
    data = t._data
    if arr.ndim > 1 and not data.flags.c_contiguous:
        axes = sorted(range(arr.ndim), key=lambda a: -abs(data.strides[a]))
        arr = arr.reshape([arr.shape[a] for a in axes]).transpose(np.argsort(axes))
    t._check_inplace()
    t._writable()[...] = backend.to_device(arr, t.device)
    t._bump()
    t._notify_inplace(what)
    return t


def _shape_dtype(t):
    return tuple(t.shape), t._data.dtype


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with N(mean, std²) draws, PyTorch's for the seed."""
    if not self.is_floating_point():
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{self.dtype.name.capitalize()}'")
    shape, d = _shape_dtype(self)
    arr = _random.normal(_random._gen(generator), shape, d, float(mean), float(std), self.is_contiguous())
    return _write(self, arr, "normal_")


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    """Fill with U(from, to) draws (``uniform_(a, b)``), PyTorch's for the seed."""
    from_ = kw.pop("from", from_)
    if kw:
        raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kw))}'")
    if not self.is_floating_point():
        raise NotImplementedError(f"\"uniform_kernel_cpu\" not implemented for '{self.dtype.name.capitalize()}'")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}")
    shape, d = _shape_dtype(self)
    return _write(self, _random.uniform(_random._gen(generator), shape, d, float(from_), float(to)), "uniform_")


_UNSET = object()


def random_(self, from_=_UNSET, to=_UNSET, *, generator=None, **kw):
    """``random_()``: integers over the dtype's range; ``random_(to)``: [0, to); ``random_(from, to)``.

    ``random_(from, None)`` runs up to the dtype's largest value (all of int64 from -2**63).
    """
    if "from" in kw:
        from_ = kw.pop("from")
    if kw:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kw))}'")
    gen = _random._gen(generator)
    shape, d = _shape_dtype(self)
    if from_ is _UNSET and to is _UNSET:
        return _write(self, _random.random_full(gen, shape, d), "random_")
    if to is _UNSET:  # random_(to)
        from_, to = 0, from_
    elif from_ is _UNSET:
        from_ = 0
    low = int(from_)
    if to is None:  # random_(from, None): up to the dtype's largest value
        if low == -(2**63) and d in (np.int64, np.float32, np.float64):
            return _write(self, _random.random_full_64(gen, shape, d), "random_")
        to_inc = 1 if d == np.bool_ else (2 ** _random._DIGITS[d] if d.kind == "f" else int(np.iinfo(d).max))
        if low > to_inc:
            raise RuntimeError(f"random_ expects 'from' to be less than or equal to the dtype's largest value, "
                               f"but got from={low} > to_inc={to_inc}")
        return _write(self, _random.random_from_to(gen, shape, d, low, to_inc + 1), "random_")
    high = int(to)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _write(self, _random.random_from_to(gen, shape, d, low, high), "random_")


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 draws, 1 with probability ``p`` (a number, or a tensor broadcast to this shape)."""
    gen = _random._gen(generator)
    shape, d = _shape_dtype(self)
    if isinstance(p, Tensor):
        pa = np.broadcast_to(backend.to_numpy(p._data), shape)
        if not p.is_floating_point():
            pa = pa.astype(np.float32)
        return _write(self, _random.bernoulli_tensor(gen, d, np.ascontiguousarray(pa)), "bernoulli_")
    return _write(self, _random.bernoulli_scalar(gen, shape, d, float(p)), "bernoulli_")


def bernoulli(self, p=None, *, generator=None):
    """0/1 draws with this tensor's probabilities (or ``p``): ``torch.bernoulli(self)``."""
    from ._creation import bernoulli as _bernoulli

    return _bernoulli(self, p, generator=generator)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with Exp(lambd) draws, PyTorch's for the seed."""
    if not self.is_floating_point():
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {self.dtype.name.capitalize()}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    shape, d = _shape_dtype(self)
    return _write(self, _random.exponential(_random._gen(generator), shape, d, float(lambd)), "exponential_")


def multinomial(self, num_samples, replacement=False, *, generator=None):
    from ._creation import multinomial as _multinomial

    return _multinomial(self, num_samples, replacement, generator=generator)


for _f in (normal_, uniform_, random_, bernoulli_, bernoulli, exponential_, multinomial):
    setattr(Tensor, _f.__name__, _f)
