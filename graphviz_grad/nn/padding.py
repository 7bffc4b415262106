"""The padding layers (``nn.ZeroPad2d``, ``ConstantPad2d``, ``ReflectionPad2d``, ``ReplicationPad2d``,
``CircularPad2d`` and their 1-D forms): ``F.pad`` with a fixed ``padding``, as PyTorch's.

``padding`` is one int for every side, or a tuple ``(left, right)`` (1-D) or
``(left, right, top, bottom)`` (2-D).

>>> import graphviz_grad as vg
>>> vg.nn.ReflectionPad1d(2)
ReflectionPad1d((2, 2))
>>> vg.nn.ReflectionPad1d(2)(vg.tensor([[1., 2., 3.]]))
tensor([[3., 2., 1., 2., 3., 2., 1.]])
>>> vg.nn.ConstantPad2d((1, 0, 0, 1), 9.)(vg.ones(1, 1, 1))
tensor([[[9., 1.],
         [9., 9.]]])
"""
from . import functional as F
from .module import Module


class _PadNd(Module):
    _mode = "constant"
    _nd = 2

    def __init__(self, padding):
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * self._nd)

    def _check_input_dim(self, input):
        pass

    def forward(self, input):
        self._check_input_dim(input)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``."""

    _nd = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with ``value``."""


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros.

    >>> import graphviz_grad as vg
    >>> vg.nn.ZeroPad2d((1, 1, 2, 0))(vg.zeros(1, 3, 3)).shape
    graphviz_grad.Size([1, 5, 5])
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pad the last dim with its own values mirrored at the edge (the edge not repeated)."""

    _mode, _nd = "reflect", 1


class ReflectionPad2d(_PadNd):
    """Pad the last two dims with their own values mirrored at the edges (the edges not repeated)."""

    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating its edge values."""

    _mode, _nd = "replicate", 1


class ReplicationPad2d(_PadNd):
    """Pad the last two dims by repeating their edge values."""

    _mode = "replicate"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def _check_input_dim(self, input):
        if input.dim() not in (self._nd + 1, self._nd + 2):
            raise ValueError(f"expected {self._nd + 1}D or {self._nd + 2}D input (got {input.dim()}D input)")


class CircularPad1d(_CircularPadNd):
    """Pad the last dim by wrapping around: the left padding is the end of the row, the right its start."""

    _nd = 1


class CircularPad2d(_CircularPadNd):
    """Pad the last two dims by wrapping around (a torus)."""
