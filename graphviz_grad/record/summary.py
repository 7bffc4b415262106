"""Summaries of arrays: what the graph model keeps instead of the data.

A small array (at most ``small`` elements) keeps its values as nested lists of
Python numbers; a larger one keeps ``min``, ``max``, ``mean`` and ``norm``.
Every summary has ``numel``. The statistics of a CuPy array are computed on the
GPU and only the four scalars are brought back.

>>> import numpy as np
>>> summarize(np.array([1.0, 2.0]))
{'numel': 2, 'values': [1.0, 2.0]}
>>> summarize(np.arange(20.0), small=16)
{'numel': 20, 'min': 0.0, 'max': 19.0, 'mean': 9.5, 'norm': 49.6991}
>>> value_text(summarize(np.float32(2.0))), value_text(summarize(np.ones((64, 100))), (64, 100))
('2.0', '[64×100]')
"""
import math

import numpy as np

_ndarray = np.ndarray


def summarize(array, small=16):
    """The summary dict of ``array`` (NumPy or CuPy); None stays None."""
    if array is None:
        return None
    n = int(array.size)
    if n <= small:
        return {"numel": n, "values": _to_host(array).tolist()}
    return _stats(array, n)


def constant_summary(shape, value, small=16):
    """The summary of an array of ``shape`` filled with ``value``, without reading it (``zero_``)."""
    n = math.prod(shape)
    if n <= small:
        return {"numel": n, "values": np.full(shape, value).tolist()}
    v = float(value)
    return {"numel": n, "min": v, "max": v, "mean": v, "norm": _round(abs(v) * math.sqrt(n))}


def _to_host(array):
    if array.__class__ is _ndarray or isinstance(array, np.generic):
        return array
    return array.get()


def _round(value):
    """Six significant digits: drawings show four, and the JSON stays short and stable."""
    return float(f"{value:.6g}")


def _stats(array, n):
    flat = array.reshape(-1)
    if flat.dtype.kind != "f":
        flat = flat.astype(np.float64)
    if flat.__class__ is _ndarray:
        # Four passes over memory that is hot in cache after the first; einsum and dot are
        # vectorized sums (add.reduce is two to three times slower on float32).
        lo, hi = _min(flat), _max(flat)
        total = _einsum("i->", flat) if n > 4096 else _sum(flat)
        sq = _dot(flat, flat)
        values = (lo, hi, total / flat.size, math.sqrt(sq) if sq >= 0 else float("nan"))
    else:  # CuPy: four reductions on the device, one transfer of four scalars
        xp = __import__("cupy")
        packed = xp.stack([flat.min(), flat.max(), flat.mean(), xp.sqrt(xp.dot(flat, flat))]).get()
        values = tuple(packed)
    lo, hi, mean, norm = values
    return {"numel": n, "min": _round(float(lo)), "max": _round(float(hi)), "mean": _round(float(mean)),
            "norm": _round(float(norm))}


_min, _max, _sum, _einsum, _dot = np.minimum.reduce, np.maximum.reduce, np.add.reduce, np.einsum, np.dot


def format_number(value):
    """A short text for one number: ``2.0``, ``0.3333``, ``1e-06``, ``True``."""
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    text = f"{value:.4g}"
    return text if any(c in text for c in ".en") else text + ".0"  # 1.00003 -> "1.0", not "1"


def value_text(summary, shape=()):
    """The values when the summary has them (``[1.0, 2.0]``), else the shape (``[64×100]``)."""
    if summary is None:
        return "?"
    values = summary.get("values")
    if values is None:
        return "[" + "×".join(str(s) for s in shape) + "]"
    return _nested_text(values)


def _nested_text(values):
    if not isinstance(values, list):
        return format_number(values)
    parts, stack = [], [(values, 0)]
    # iterative rendering of nested lists: a stack of (list, next index)
    while stack:
        lst, i = stack.pop()
        if i == 0:
            parts.append("[")
        if i < len(lst):
            if i:
                parts.append(", ")
            stack.append((lst, i + 1))
            item = lst[i]
            if isinstance(item, list):
                stack.append((item, 0))
            else:
                parts.append(format_number(item))
        else:
            parts.append("]")
    return "".join(parts)
