"""Gradient clipping, in place on ``.grad`` (as ``torch.nn.utils``), between ``backward()`` and ``step()``.

>>> import graphviz_grad as vg
>>> w = vg.tensor([3.0, 4.0], requires_grad=True)
>>> (w * w).sum().backward()           # grad [6, 8], norm 10
>>> clip_grad_norm_([w], max_norm=1.0)
tensor(10.)
>>> w.grad
tensor([0.6000, 0.8000])
"""
import math

from ... import _creation
from ...backend import xp_of
from ...tensor import Tensor


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p for p in parameters if p._grad is not None]


def _vector_norm(xp, arr, p):
    """The ``p``-norm of ``arr`` flattened, in its dtype (0-d array)."""
    flat = arr.reshape(-1)
    if p == 2.0:
        return xp.sqrt(xp.dot(flat, flat)) if flat.dtype.kind == "f" else xp.sqrt((flat * flat).sum())
    if math.isinf(p):
        if flat.size == 0:
            return xp.zeros((), dtype=flat.dtype)
        return xp.abs(flat).max() if p > 0 else xp.abs(flat).min()
    if p == 0.0:
        return (flat != 0).sum().astype(flat.dtype)
    if p == 1.0:
        return xp.abs(flat).sum()
    return (xp.abs(flat) ** p).sum() ** (1.0 / p)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` as if concatenated into one vector (a 0-d tensor)."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _creation.tensor(0.0)
    first = tensors[0]._data
    xp = xp_of(first)
    norms = xp.stack([_vector_norm(xp, t._data, norm_type).astype(first.dtype, copy=False) for t in tensors])
    total = _vector_norm(xp, norms, norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor._make(xp.asarray(total))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients by ``min(1, max_norm / (total_norm + 1e-6))``; returns the total norm before.

    ``norm_type`` is the p of the norm (``float('inf')``: the largest absolute value).
    """
    params = _grads(parameters)
    total = get_total_norm([p._grad for p in params], norm_type, error_if_nonfinite)
    if not params:
        return total
    coef = float(max_norm) / (float(total._data) + 1e-6)
    if coef < 1.0 or math.isnan(coef):
        for p in params:
            arr = p._grad._writable()
            arr *= arr.dtype.type(coef) if not math.isnan(coef) else arr.dtype.type("nan")
            p._grad._bump()
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to ``[-clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    for p in _grads(parameters):
        arr = p._grad._writable()
        xp_of(arr).clip(arr, -clip_value, clip_value, out=arr)
        p._grad._bump()
