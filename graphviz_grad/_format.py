"""PyTorch's printing of tensors, rule for rule (``torch/_tensor_str.py``).

One ``_Formatter`` looks at all the values once and picks, for the whole
tensor, a notation and a common width that every element is right-aligned to:

* integer and bool dtypes print ``str(value)``;
* floats whose finite values are all integers print ``1.``, ``-20.`` (int mode);
* scientific ``1.0000e+06`` when the nonzero finite magnitudes span more than
  1000x, or reach above 1e8, or go below 1e-4;
* otherwise fixed ``2.5000`` with 4 decimals.

Rows wrap at 80 columns, and a tensor of more than 1000 elements is shown by
its first and last 3 items of each dimension around ``...``: PyTorch's defaults,
which ``set_printoptions`` changes (``torch.set_printoptions``) and
``get_printoptions`` reads.

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

PREFIX = "tensor("
_PROFILES = {  # precision, threshold, edgeitems, linewidth
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}
# precision: decimals of fixed and scientific notation; threshold: more elements than this are summarized;
# edgeitems: items kept at each end of a summarized dimension; linewidth: rows and suffixes wrap at this width;
# sci_mode: None lets the values choose the notation, True/False forces it.
PRINT_OPTS = dict(zip(("precision", "threshold", "edgeitems", "linewidth"), _PROFILES["default"]), sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Change how tensors print, as ``torch.set_printoptions``: ``profile`` (``"default"``, ``"short"``,
    ``"full"``; any other is ignored, as PyTorch does) first, then each option given; ``sci_mode`` is always
    set (None: chosen by the values).

    >>> import graphviz_grad as vg
    >>> vg.set_printoptions(precision=2)
    >>> vg.tensor([1.12345])
    tensor([1.12])
    >>> vg.set_printoptions(threshold=5)
    >>> vg.arange(10)
    tensor([0, 1, 2,  ..., 7, 8, 9])
    >>> vg.set_printoptions(profile="default")
    >>> vg.tensor([1.12345])
    tensor([1.1235])
    """
    if profile in _PROFILES:  # PyTorch ignores any other profile
        PRINT_OPTS.update(zip(("precision", "threshold", "edgeitems", "linewidth"), _PROFILES[profile]))
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth)
    PRINT_OPTS.update({key: value for key, value in given.items() if value is not None})
    PRINT_OPTS["sci_mode"] = sci_mode


def get_printoptions():
    """The current print options, a dict that ``set_printoptions(**...)`` accepts (PyTorch 2.13 has it as
    ``torch._tensor_str.get_printoptions``).

    >>> get_printoptions()
    {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return dict(PRINT_OPTS)


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
        self.sci_mode = PRINT_OPTS["sci_mode"]
        if self.sci_mode is None:
            self.sci_mode = bool(vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4)
        precision = PRINT_OPTS["precision"]
        if self.sci_mode:
            spec, extra = f".{precision}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1  # room for the "." appended to each value
        else:
            spec, extra = f".{precision}f", 0
        self.max_width = max(len(format(v, spec)) + extra for v in vals.tolist())

    def format(self, value):
        """``value`` (a Python number) in the chosen notation, padded on the left."""
        precision = PRINT_OPTS["precision"]
        if not self.floating:
            ret = str(value)
        elif self.sci_mode:
            ret = f"{value:{self.max_width}.{precision}e}"
        elif self.int_mode:
            ret = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            ret = f"{value:.{precision}f}"
        return ret.rjust(self.max_width)


def _rows(n, summarize):
    """Indices of a dimension of size ``n`` to print; ``None`` stands where ``...`` goes.

    >>> _rows(8, True), _rows(3, True)
    ([0, 1, 2, None, 5, 6, 7], [0, 1, 2])
    """
    edge = PRINT_OPTS["edgeitems"]
    if summarize and n > 2 * edge:
        return list(range(edge)) + [None] + list(range(n - edge, n))
    return list(range(n))


def _summarized(arr):
    """The elements a summarized print shows (the formatter looks at these only).

    >>> _summarized(np.arange(10)).tolist()
    [0, 1, 2, 7, 8, 9]
    """
    if arr.ndim == 0:
        return arr
    if arr.ndim > 1 and not PRINT_OPTS["edgeitems"]:
        return arr[:0]
    rows = [i for i in _rows(arr.shape[0], True) if i is not None]
    if arr.ndim == 1:
        return arr[rows]
    return np.stack([_summarized(arr[i]) for i in rows])


def _vector_str(arr, indent, summarize, fmt):
    per_line = max(1, math.floor((PRINT_OPTS["linewidth"] - indent) / (fmt.max_width + 2)))
    if summarize and not PRINT_OPTS["edgeitems"]:
        data = ["..."]
    else:
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
    summarize = arr.size > PRINT_OPTS["threshold"]
    fmt = _Formatter(_summarized(arr) if summarize else arr)
    return _tensor_str(arr, indent, summarize, fmt)


def _add_suffixes(text, suffixes, indent):
    # torch's own arithmetic: without a newline the first line counts 2 more than its length
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def format_tensor(arr, extra=()):
    """``tensor(...)`` for the NumPy array ``arr``, with the ``extra`` suffixes (``"requires_grad=True"``...).

    An empty array that is not 1-D, or any array while ``edgeitems`` is 0, gets ``size=`` after any
    ``device=`` suffix, as in PyTorch.

    >>> format_tensor(np.zeros((0, 2), dtype=np.int64), ["dtype=graphviz_grad.int64"])
    'tensor([], size=(0, 2), dtype=graphviz_grad.int64)'
    >>> print(format_tensor(np.arange(2000.)))
    tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
            1.9990e+03])
    """
    arr = np.asarray(arr)
    suffixes = list(extra)
    if (arr.size == 0 and arr.ndim != 1) or (arr.size and not PRINT_OPTS["edgeitems"]):
        at = sum(1 for s in suffixes if s.startswith("device="))
        suffixes.insert(at, f"size={tuple(arr.shape)}")
    return _add_suffixes(PREFIX + format_values(arr), suffixes, len(PREFIX))
