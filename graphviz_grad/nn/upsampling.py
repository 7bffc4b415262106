"""``nn.Upsample`` (and ``UpsamplingNearest2d``, ``UpsamplingBilinear2d``), ``nn.PixelShuffle`` and
``nn.PixelUnshuffle``: the resizing layers of decoders, U-Nets and super-resolution nets, around ``F``.

>>> import graphviz_grad as vg
>>> up = vg.nn.Upsample(scale_factor=2, mode="bilinear")
>>> up
Upsample(scale_factor=2.0, mode='bilinear')
>>> up(vg.zeros(1, 3, 4, 5)).shape
graphviz_grad.Size([1, 3, 8, 10])
>>> vg.nn.PixelShuffle(3)(vg.zeros(1, 18, 4, 4)).shape
graphviz_grad.Size([1, 2, 12, 12])
"""
from . import functional as F
from .module import Module


class Upsample(Module):
    """``F.interpolate`` with a fixed ``size`` or ``scale_factor``, ``mode`` and ``align_corners``."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode='nearest')`` for images."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode='bilinear', align_corners=True)`` for images."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """``F.pixel_shuffle``: (*, C·r², H, W) → (*, C, H·r, W·r), r = ``upscale_factor``."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """``F.pixel_unshuffle``: (*, C, H·r, W·r) → (*, C·r², H, W), r = ``downscale_factor``."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"
