"""PyTorch's printing of tensors, rule for rule (``torch/_tensor_str.py``).

One ``_Formatter`` looks at all the values once and picks, for the whole
tensor, a notation and a common width that every element is right-aligned to:

* integer and bool dtypes print ``str(value)``;
* floats whose finite values are all integers print ``1.``, ``-20.`` (int mode);
* scientific ``1.0000e+06`` when the nonzero finite magnitudes span more than
  1000x, or reach above 1e8, or go below 1e-4;
* otherwise fixed ``2.5000`` with 4 decimals.

Rows wrap at 80 columns, and a tensor of more than 1000 elements is shown by
its first and last 3 items of each dimension around ``...``.

>>> import numpy as np
>>> print(format_tensor(np.array([1., 2.5, -3.], dtype=np.float32)))
tensor([ 1.0000,  2.5000, -3.0000])
>>> print(format_tensor(np.array([1e6, 1.]), ["dtype=graphviz_grad.float64"]))
tensor([1.0000e+06, 1.0000e+00], dtype=graphviz_grad.float64)
>>> print(format_tensor(np.array([[True, False]])))
tensor([[ True, False]])
"""
import math

import numpy as np

PRECISION = 4  # decimals of fixed and scientific notation
THRESHOLD = 1000  # more elements than this are summarized
EDGEITEMS = 3  # items kept at each end of a summarized dimension
LINEWIDTH = 80  # rows of elements and suffixes wrap at this width
PREFIX = "tensor("


class _Formatter:
    """Notation and common width for the values of ``arr`` (torch's ``_Formatter``).

    >>> f = _Formatter(np.array([1., -20., float("nan")]))
    >>> [f.format(v) for v in (1., -20., float("nan"))]
    ['  1.', '-20.', ' nan']
    >>> _Formatter(np.array([0.5, 2e-5])).format(0.5)
    '5.0000e-01'
    """

    def __init__(self, arr):
        self.floating = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = arr.reshape(-1)
        if not self.floating:
            self.max_width = max([1] + [len(str(v)) for v in flat.tolist()])
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        mags = np.abs(vals).astype(np.float64)
        vmin, vmax = mags.min(), mags.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        self.sci_mode = bool(vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4)
        if self.sci_mode:
            spec, extra = f".{PRECISION}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1  # room for the "." appended to each value
        else:
            spec, extra = f".{PRECISION}f", 0
        self.max_width = max(len(format(v, spec)) + extra for v in vals.tolist())

    def format(self, value):
        """``value`` (a Python number) in the chosen notation, padded on the left."""
        if not self.floating:
            ret = str(value)
        elif self.sci_mode:
            ret = f"{value:{self.max_width}.{PRECISION}e}"
        elif self.int_mode:
            ret = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            ret = f"{value:.{PRECISION}f}"
        return ret.rjust(self.max_width)


def _rows(n, summarize):
    """Indices of a dimension of size ``n`` to print; ``None`` stands where ``...`` goes.

    >>> _rows(8, True), _rows(3, True)
    ([0, 1, 2, None, 5, 6, 7], [0, 1, 2])
    """
    if summarize and n > 2 * EDGEITEMS:
        return list(range(EDGEITEMS)) + [None] + list(range(n - EDGEITEMS, n))
    return list(range(n))


def _summarized(arr):
    """The elements a summarized print shows (the formatter looks at these only).

    >>> _summarized(np.arange(10)).tolist()
    [0, 1, 2, 7, 8, 9]
    """
    if arr.ndim == 0:
        return arr
    rows = [i for i in _rows(arr.shape[0], True) if i is not None]
    if arr.ndim == 1:
        return arr[rows]
    return np.stack([_summarized(arr[i]) for i in rows])


def _vector_str(arr, indent, summarize, fmt):
    per_line = max(1, (LINEWIDTH - indent) // (fmt.max_width + 2))
    data = [" ..." if i is None else fmt.format(arr[i].item()) for i in _rows(arr.shape[0], summarize)]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(arr, indent, summarize, fmt):
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt)
    slices = ["..." if i is None else _tensor_str(arr[i], indent + 1, summarize, fmt)
              for i in _rows(arr.shape[0], summarize)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def format_values(arr, indent=len(PREFIX)):
    """The bracketed values of a tensor's repr, laid out as if ``indent`` columns precede them.

    >>> print(format_values(np.arange(12.).reshape(2, 2, 3), indent=0))
    [[[ 0.,  1.,  2.],
      [ 3.,  4.,  5.]],
    <BLANKLINE>
     [[ 6.,  7.,  8.],
      [ 9., 10., 11.]]]
    """
    arr = np.asarray(arr)
    if arr.size == 0:
        return "[]"
    summarize = arr.size > THRESHOLD
    fmt = _Formatter(_summarized(arr) if summarize else arr)
    return _tensor_str(arr, indent, summarize, fmt)


def _add_suffixes(text, suffixes, indent):
    # torch's own arithmetic: without a newline the first line counts 2 more than its length
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def format_tensor(arr, extra=()):
    """``tensor(...)`` for the NumPy array ``arr``, with the ``extra`` suffixes (``"requires_grad=True"``...).

    An empty array that is not 1-D gets ``size=`` after any ``device=`` suffix, as in PyTorch.

    >>> format_tensor(np.zeros((0, 2), dtype=np.int64), ["dtype=graphviz_grad.int64"])
    'tensor([], size=(0, 2), dtype=graphviz_grad.int64)'
    >>> print(format_tensor(np.arange(2000.)))
    tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
            1.9990e+03])
    """
    arr = np.asarray(arr)
    suffixes = list(extra)
    if arr.size == 0 and arr.ndim != 1:
        at = sum(1 for s in suffixes if s.startswith("device="))
        suffixes.insert(at, f"size={tuple(arr.shape)}")
    return _add_suffixes(PREFIX + format_values(arr), suffixes, len(PREFIX))
