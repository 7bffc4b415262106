"""Short text for tensor values in the terminal: ``5``, ``[1, 2.5]``, or a summary for large tensors.

>>> import graphviz_grad as vg
>>> format_tensor(vg.tensor(5.0)), format_tensor(vg.tensor([1.0, 2.5]))
('5', '[1, 2.5]')
>>> format_tensor(vg.tensor([-0.0, 3.0]))
'[0, 3]'
>>> format_tensor(vg.ones(20, 30))
'shape [20, 30], mean 1, min 1, max 1'
"""
import numpy as np

SMALL = 16  # tensors with at most this many elements are printed in full


def _number(value):
    return f"{value:.4g}"


def format_tensor(tensor):
    """The values of ``tensor`` (4 significant digits), or its shape and statistics when large."""
    arr = np.asarray(tensor.detach().cpu().numpy(), dtype=np.float64) + 0.0  # + 0.0: no "-0"
    if arr.size == 1:
        return _number(arr.item()) if arr.ndim == 0 else np.array2string(
            arr, separator=", ", formatter={"float_kind": _number})
    if arr.size == 0:
        return f"empty, shape {list(arr.shape)}"
    if arr.size <= SMALL:
        return np.array2string(arr, separator=", ", formatter={"float_kind": _number}, max_line_width=10_000)
    return (f"shape {list(arr.shape)}, mean {_number(arr.mean())}, "
            f"min {_number(arr.min())}, max {_number(arr.max())}")
