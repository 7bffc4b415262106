"""PyTorch-like printing of tensors: ``tensor([1., 2.], requires_grad=True)``."""
import numpy as np


def _float_formatter(arr):
    finite = arr[np.isfinite(arr)] if arr.size else arr
    if finite.size == 0:
        return lambda v: f"{v:.4f}"
    amax = float(np.abs(finite).max())
    nonzero = np.abs(finite[finite != 0])
    amin = float(nonzero.min()) if nonzero.size else 0.0
    if np.all(finite == np.round(finite)) and amax < 1e8:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    if amax >= 1e8 or (amin and amin < 1e-4) or (amin and amax / amin > 1000 and amax > 1e4):
        return lambda v: f"{v:.4e}"
    return lambda v: f"{v:.4f}"


def format_values(arr, max_items=1000):
    """The bracketed values part of a tensor's repr, e.g. ``[[1., 2.]]``."""
    arr = np.asarray(arr)
    opts = {"separator": ", ", "threshold": max_items, "edgeitems": 3, "max_line_width": 80}
    if arr.dtype.kind == "f":
        fmt = _float_formatter(arr.astype(np.float64))
        opts["formatter"] = {"float_kind": fmt}
    elif arr.dtype.kind == "b":
        opts["formatter"] = {"bool": lambda v: "True" if v else "False"}
    return np.array2string(arr, prefix="tensor(", **opts)


def format_tensor(arr, extra=()):
    body = format_values(arr)
    if arr.size == 0:
        body = "[]" if arr.ndim == 1 else f"[], size={tuple(arr.shape)}"
    suffix = "".join(", " + e for e in extra)
    return f"tensor({body}{suffix})"
