"""``nn.LayerNorm``: normalize each sample over its last dims, then scale and shift; ``nn.RMSNorm`` (divide by
the root mean square, then scale) and ``nn.GroupNorm`` (normalize groups of channels).

>>> import graphviz_grad as vg
>>> ln = vg.nn.LayerNorm(64)
>>> ln
LayerNorm((64,), eps=1e-05, elementwise_affine=True, bias=True)
>>> ln(vg.randn(2, 5, 64)).shape
graphviz_grad.Size([2, 5, 64])
"""
from .._creation import empty
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def _add_affine(module, affine, bias, shape, dtype, device):
    """``module.weight`` and ``module.bias`` (``bias=None``: no bias at all, as RMSNorm) of ``shape`` when
    ``affine``, else registered as None, as PyTorch's normalization layers do."""
    wanted = {"weight": affine} if bias is None else {"weight": affine, "bias": affine and bias}
    for name, made in wanted.items():
        if made:
            setattr(module, name, Parameter(empty(shape, dtype=dtype, device=device)))
        else:
            module.register_parameter(name, None)


def _reset_affine(module):
    """The weight to ones, the bias (if any) to zeros."""
    if module.weight is not None:
        init.ones_(module.weight)
    if getattr(module, "bias", None) is not None:
        init.zeros_(module.bias)


class LayerNorm(Module):
    """``(x - mean) / √(var + eps) · weight + bias`` over the last ``len(normalized_shape)`` dims;
    weight starts at ones and bias at zeros."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _add_affine(self, elementwise_affine, bias, self.normalized_shape, dtype, device)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """``x / √(mean(x²) + eps) · weight`` over the last ``len(normalized_shape)`` dims (``F.rms_norm``); the
    weight starts at ones, ``eps=None`` is the dtype's machine epsilon.

    >>> import graphviz_grad as vg
    >>> vg.nn.RMSNorm(64)
    RMSNorm((64,), eps=None, elementwise_affine=True)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _add_affine(self, elementwise_affine, None, self.normalized_shape, dtype, device)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Normalize each sample's ``num_channels`` channels in ``num_groups`` groups, then scale and shift per
    channel (``F.group_norm``); weight starts at ones and bias at zeros.

    >>> import graphviz_grad as vg
    >>> vg.nn.GroupNorm(2, 4)
    GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _add_affine(self, affine, bias, (num_channels,), dtype, device)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
