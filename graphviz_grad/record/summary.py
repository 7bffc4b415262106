"""Summaries of arrays: what the graph model keeps instead of the data.

A small array (at most ``small`` elements) keeps its values as nested lists of
Python numbers; a larger one keeps ``min``, ``max``, ``mean`` and ``norm``.
Every summary has ``numel``. The statistics of a CuPy array are computed on the
GPU and only the four scalars are brought back.

A tape records in ``stats="lazy"`` mode by default: a large NumPy array's
statistics are a :class:`LazyStats`, computed when the summary is first read, if
the array is still alive and unchanged then (see :func:`capture_lazy`);
otherwise the summary keeps ``numel`` only.

>>> import numpy as np
>>> summarize(np.array([1.0, 2.0]))
{'numel': 2, 'values': [1.0, 2.0]}
>>> summarize(np.arange(20.0), small=16)
{'numel': 20, 'min': 0.0, 'max': 19.0, 'mean': 9.5, 'norm': 49.6991}
>>> value_text(summarize(np.float32(2.0))), value_text(summarize(np.ones((64, 100))), (64, 100))
('2.0', '[64×100]')
"""
import base64
import functools
import math
import weakref

import numpy as np

from .._writes import current as _current, written_since as _written_since

_ndarray = np.ndarray


def summarize(array, small=16):
    """The summary dict of ``array`` (NumPy or CuPy); None stays None."""
    return as_dict(capture(array, small))


def capture(array, small=16):
    """The summary of ``array`` as the recorder keeps it while recording: a dict for a small array, and
    for a large NumPy array the raw statistics ``(numel, min, max, sum, sum of squares)`` as a tuple,
    rounded into a dict only when read (:func:`as_dict`). None stays None."""
    if array is None:
        return None
    n = array.size
    if n <= small:
        return {"numel": n, "values": _to_host(array).tolist()}
    if array.__class__ is _ndarray:
        flat = array.ravel()
        if flat.dtype.kind != "f":
            flat = flat.astype(np.float64)
        # Four passes over memory that is hot in cache after the first; einsum and dot are
        # vectorized sums (add.reduce is two to three times slower on float32).
        return (n, _min(flat), _max(flat), _einsum("i->", flat) if n > 4096 else _sum(flat), _dot(flat, flat))
    return _stats(array, n)


class LazyStats(weakref.ref):
    """The statistics of a large NumPy array, computed when first read (:func:`as_dict`).

    A weak reference to the array (one object per summary: a tape makes one per
    large array it records), with a mark of the writes made so far
    (:mod:`graphviz_grad._writes`): an array freed since, or written in place
    through any tensor that shares its memory, has no statistics to give.

    >>> a = np.arange(20.0)
    >>> lazy = capture_lazy(a)
    >>> as_dict(lazy)["max"]
    19.0
    >>> del a
    >>> as_dict(lazy)["max"]  # computed once, while the array was alive: kept
    19.0
    >>> as_dict(capture_lazy(np.arange(20.0)))  # freed before anyone read it
    {'numel': 20}
    """

    __slots__ = ("mark", "numel", "stats")  # mark: None once resolved (known now, or never)

    def resolve(self):
        """The raw statistics tuple (as :func:`capture` makes it), or None when they can no longer be known."""
        stats = self.stats
        if stats is None and self.mark is not None:
            array = self()
            if array is not None and not _written_since(array, self.mark):
                stats = self.stats = capture(array, 0)
            self.mark = None  # stop watching the array
        return stats

    def watched(self):
        """The array, while it is alive, unchanged and not yet read; else None."""
        if self.mark is None:
            return None
        array = self()
        return None if array is None or _written_since(array, self.mark) else array


_LazyStats = LazyStats


def capture_lazy(array, small=16):
    """Like :func:`capture`, but a large NumPy array's statistics wait for a reader (a :class:`LazyStats`)."""
    if array is None:
        return None
    n = array.size
    if n <= small or array.__class__ is not _ndarray:
        return capture(array, small)
    lazy = _LazyStats(array)
    lazy.mark = _current()
    lazy.numel = n
    lazy.stats = None
    return lazy


# --- summaries of tensors, reused while the tensor's array and version stay the same --------------------

_known = {}  # id(array) -> (weak reference, version counter, version, maker, summary)


def _forget(ref):
    entry = _known.get(ref.key)
    if entry is not None and entry[0] is ref:
        _known.pop(ref.key, None)


def of_tensor(t, small=16, maker=None):
    """The summary (as :func:`capture` makes it) of tensor ``t``'s data now.

    The statistics of a large NumPy array are made at most once per (array,
    version): x never changes, and a weight after its update is the next step's
    input, also in the next tape and in ``vg.graph``. ``maker`` is whoever asks
    (a tape's token). A summary remembered by the same maker is trusted on the
    version counter alone, as PyTorch trusts it; one remembered by another maker
    spans code that ran unrecorded, which may have written to the array without
    counting a version (an optimizer's state buffers), so it is checked first
    against one BLAS pass (the sum of squares) instead of four.
    """
    arr = t._data
    n = arr.size
    if n <= small:
        return {"numel": n, "values": _to_host(arr).tolist()}
    if arr.__class__ is not _ndarray:
        return _stats(arr, n)
    summary = known_summary(t, maker)
    if summary is None:
        summary = capture(arr, small)
        _known[id(arr)] = (weakref.KeyedRef(arr, _forget, id(arr)), t._version, t._version[0], maker, summary)
    return summary


def known_summary(t, maker=None):
    """The remembered summary of tensor ``t``'s data at its version (see :func:`of_tensor`), or None."""
    arr = t._data
    entry = _known.get(id(arr))
    if entry is None:
        return None
    version = t._version
    if entry[1] is not version or entry[2] != version[0] or entry[0]() is not arr:
        return None
    summary = entry[4]
    if entry[3] is maker and maker is not None:
        return summary
    flat = arr.ravel()
    if flat.dtype.kind == "f" and _dot(flat, flat) == summary[4]:
        _known[id(arr)] = (entry[0], version, version[0], maker, summary)
        return summary
    return None


def remember(t, summary, maker=None):
    """``summary`` is that of tensor ``t``'s data now (made from another array with the same values)."""
    arr = t._data
    if summary.__class__ is tuple and arr.__class__ is _ndarray and summary[0] == arr.size:
        version = t._version
        entry = _known.get(id(arr))
        ref = entry[0] if entry is not None and entry[0]() is arr else weakref.KeyedRef(arr, _forget, id(arr))
        _known[id(arr)] = (ref, version, version[0], maker, summary)


def as_dict(summary):
    """The summary dict of what :func:`capture` returned (a dict passes through)."""
    cls = summary.__class__
    if cls is _LazyStats:
        stats = summary.resolve()
        if stats is None:
            return {"numel": summary.numel}
        summary = stats
    elif cls is not tuple:
        return summary
    n, lo, hi, total, sq = summary
    return {"numel": n, "min": _round(float(lo)), "max": _round(float(hi)), "mean": _round(float(total / n)),
            "norm": _round(float(math.sqrt(sq) if sq >= 0 else float("nan")))}


def is_all_zero(summary):
    """The summary is of an array of zeros (``zero_()``)."""
    if summary.__class__ is tuple:
        return summary[1] == 0 and summary[2] == 0 and summary[4] == 0
    return summary.get("norm") == 0.0 and summary.get("min") == 0.0 and summary.get("max") == 0.0


def plus_zero(summary):
    """The summary of ``0 + array`` from that of ``array``: equal, except that -0.0 becomes 0.0."""
    if summary.__class__ is tuple:
        return (summary[0],) + tuple(v + 0.0 for v in summary[1:])
    return {k: v + 0.0 if k != "numel" else v for k, v in summary.items()}


def constant_summary(shape, value, small=16):
    """The summary of an array of ``shape`` filled with ``value``, without reading it (``zero_``)."""
    n = math.prod(shape)
    if n <= small:
        return {"numel": n, "values": np.full(shape, value).tolist()}
    if value == 0:
        return (n, 0.0, 0.0, 0.0, 0.0)
    v = float(value)
    return {"numel": n, "min": v, "max": v, "mean": v, "norm": _round(abs(v) * math.sqrt(n))}



IMAGE_SIDE = 20  # a 2-D thumbnail is at most this many pixels a side
IMAGE_TILE = 10  # a 4-D one: the first sample's first IMAGE_CHANNELS channels, each this many a side
IMAGE_CHANNELS = 16


def thumbnail(array, small=16):
    """A small copy of a 2-D or 4-D NumPy array with more than ``small`` elements, for drawing it as an image.

    Every k-th row and column, so that no side is over ``IMAGE_SIDE`` (a 2-D array), or the first sample's
    first ``IMAGE_CHANNELS`` channels, each at most ``IMAGE_TILE`` a side (a 4-D one: feature maps,
    conv kernels); its values as bytes from 0 (``min``) to 255 (``max``), in base64, so a record stays
    small: ``{"shape", "min", "max", "bytes"}``. None for anything else (CuPy arrays are left alone: a
    copy to the host per op would cost a sync).

    >>> image = thumbnail(np.arange(200.0).reshape(2, 100))
    >>> image["shape"], image["min"], image["max"], len(image_values(image)[0])
    ([2, 20], 0.0, 195.0, 20)
    >>> thumbnail(np.zeros((8, 32, 5, 5)))["shape"], thumbnail(np.zeros(100))
    ([16, 5, 5], None)
    """
    if array is None or array.__class__ is not _ndarray or array.size <= small or array.ndim not in (2, 4):
        return None
    if array.ndim == 2:
        a = array[::-(-array.shape[0] // IMAGE_SIDE), ::-(-array.shape[1] // IMAGE_SIDE)]
    else:
        a = array[0, :IMAGE_CHANNELS]
        a = a[:, ::-(-a.shape[1] // IMAGE_TILE), ::-(-a.shape[2] // IMAGE_TILE)]
    a = np.nan_to_num(np.asarray(a, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = float(a.min()), float(a.max())
    q = np.zeros(a.shape, np.uint8) if hi <= lo else np.rint((a - lo) * (255.0 / (hi - lo))).astype(np.uint8)
    return {"shape": list(a.shape), "min": _round(lo), "max": _round(hi),
            "bytes": base64.b64encode(q.tobytes()).decode("ascii")}


def constant_thumbnail(shape, value, small=16):
    """The :func:`thumbnail` of an array of ``shape`` filled with ``value``, without reading one (``zero_``).

    >>> constant_thumbnail((1000, 100), 0) == thumbnail(np.zeros((1000, 100)))
    True
    """
    n = math.prod(shape)
    if n <= small or len(shape) not in (2, 4):
        return None
    if len(shape) == 2:
        sides = [-(-side // -(-side // IMAGE_SIDE)) for side in shape]
    else:
        sides = [min(shape[1], IMAGE_CHANNELS)] + [-(-side // -(-side // IMAGE_TILE)) for side in shape[2:]]
    v = _round(float(value)) if math.isfinite(value) else 0.0
    return {"shape": sides, "min": v, "max": v, "bytes": _zero_bytes(math.prod(sides))}


@functools.lru_cache(maxsize=64)
def _zero_bytes(n):
    return base64.b64encode(bytes(n)).decode("ascii")


def lazy_thumbnail(summary, small=16):
    """The :func:`thumbnail` of the array a :class:`LazyStats` watches, while it is alive and unchanged
    (a tape's images wait for a reader, as its statistics do); None otherwise. Call it before the
    summary is read (reading it stops the watch)."""
    if summary.__class__ is not LazyStats:
        return None
    array = summary.watched()
    return None if array is None else thumbnail(array, small)


def image_values(image):
    """The values of a :func:`thumbnail` (to within 1/255 of its range), as a float array of its shape."""
    q = np.frombuffer(base64.b64decode(image["bytes"]), dtype=np.uint8).astype(np.float64)
    lo, hi = float(image["min"]), float(image["max"])
    return (lo + q * ((hi - lo) / 255.0)).reshape(image["shape"])


def _to_host(array):
    if array.__class__ is _ndarray or isinstance(array, np.generic):
        return array
    return array.get()


def _round(value):
    """Six significant digits: drawings show four, and the JSON stays short and stable."""
    return float(f"{value:.6g}")


def _stats(array, n):
    """The rounded statistics of a CuPy array: four reductions on the device, one transfer of four scalars."""
    flat = array.reshape(-1)
    if flat.dtype.kind != "f":
        flat = flat.astype("float64")
    xp = __import__("cupy")
    lo, hi, mean, norm = tuple(xp.stack([flat.min(), flat.max(), flat.mean(), xp.sqrt(xp.dot(flat, flat))]).get())
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
    values = None if summary.__class__ is tuple or summary.__class__ is _LazyStats else summary.get("values")
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
