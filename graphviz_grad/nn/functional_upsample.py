"""``F.interpolate`` and ``F.pixel_shuffle``/``pixel_unshuffle``: PyTorch's argument checks, then one op each.

Re-exported by :mod:`graphviz_grad.nn.functional`.

>>> import graphviz_grad as vg
>>> import graphviz_grad.nn.functional as F
>>> F.interpolate(vg.tensor([[[1., 2.]]]), scale_factor=2)
tensor([[[1., 1., 2., 2.]]])
>>> F.interpolate(vg.tensor([[[1., 2.]]]), size=4, mode="linear")
tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
>>> F.interpolate(vg.tensor([[[1., 2.]]]), size=4, mode="linear", align_corners=True)
tensor([[[1.0000, 1.3333, 1.6667, 2.0000]]])
"""
import math

from .. import ops
from .._dtype import type_name as _type_name
from .._functions import require_tensor as _require_tensor

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}  # the interpolating modes and their dims


def _is_integer(value):
    return isinstance(value, int) or (hasattr(value, "dtype") and not value.dtype.is_floating_point)


def _output_sizes(input, size, scale_factor, recompute_scale_factor, dim):
    """PyTorch's reading of ``size``/``scale_factor``: (output sizes, the scale factors the kernels see)."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = list(input.shape[2:])
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    f"Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {spatial} and output size of {size}. Please provide input tensor in (N, C, d1, "
                    f"d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(n) for n in size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, "
                                f"int], but got size with types {[type(n) for n in size]}")
            out = [int(n) for n in size]
        else:
            out = [int(size)] * dim
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return out, None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            raise ValueError(
                f"Input and scale_factor must have the same number of spatial dimensions, but got input with spatial "
                f"dimensions of {spatial} and scale_factor of shape {scale_factor}. Please provide input tensor in "
                f"(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * dim
    out = [math.floor(n * s) for n, s in zip(spatial, scales)]  # (PyTorch truncates the product of doubles)
    return out, (None if recompute_scale_factor else scales)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    """Resize the spatial dims (all after the first two) of ``input`` to ``size``, or by ``scale_factor``.

    ``mode``: ``"nearest"`` (copy the nearest pixel, PyTorch's rounding down), ``"nearest-exact"`` (the pixel
    whose centre is nearest), ``"linear"`` (3-D input), ``"bilinear"`` (4-D), ``"trilinear"`` (5-D) — with
    ``align_corners`` as PyTorch's: True maps the corner pixels onto each other, False (the default) the pixel
    edges — and ``"area"`` (an adaptive average pool). Bicubic and anti-aliased resizing are not here.

    >>> import graphviz_grad as vg
    >>> x = vg.tensor([[[[1., 2.], [3., 4.]]]])
    >>> vg.nn.functional.interpolate(x, scale_factor=2, mode="bilinear")[0, 0]
    tensor([[1.0000, 1.2500, 1.7500, 2.0000],
            [1.5000, 1.7500, 2.2500, 2.5000],
            [2.5000, 2.7500, 3.2500, 3.5000],
            [3.0000, 3.2500, 3.7500, 4.0000]])
    """
    _require_tensor("interpolate", input)
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                             "bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    out, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor, dim)
    if mode == "area" and size is None:
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D "
                         "tensor as input")
    known = mode in ("nearest", "nearest-exact", "area", "bicubic", "lanczos") or mode in _LINEAR
    if not known or not 1 <= dim <= 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  f"nearest-exact (got {mode})")
    if mode in _LINEAR and _LINEAR[mode] != dim:
        needs = {1: "3D", 2: "4D", 3: "5D"}[_LINEAR[mode]]
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {needs} input")
    if mode in ("bicubic", "lanczos") or antialias or (mode == "area" and dim == 3):
        raise NotImplementedError(f"interpolate(mode={mode!r}{', antialias=True' if antialias else ''}) on "
                                  f"{input.dim()}D input is not implemented in graphviz_grad")
    spatial = list(input.shape[2:])
    if min(spatial + out) <= 0:
        names = "DHW"[3 - dim:]
        given = ", ".join(f"{k}: {n}" for k, n in zip(names, spatial))
        made = ", ".join(f"{k}: {n}" for k, n in zip(names, out))
        joint = " and output" if dim == 1 else " output"
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({given}){joint} ({made})")
    if mode == "area":
        from .functional_conv import adaptive_avg_pool1d, adaptive_avg_pool2d

        return (adaptive_avg_pool1d if dim == 1 else adaptive_avg_pool2d)(input, out)
    if not input.dtype.is_floating_point:
        kind = {"nearest": "nearest", "nearest-exact": "nearest_exact"}.get(mode, mode)
        raise NotImplementedError(f'"upsample_{kind}{dim}d" not implemented for \'{_type_name(input)}\'')
    attrs = dict(mode=mode, size=tuple(out))
    if mode in _LINEAR:
        attrs["align_corners"] = bool(align_corners)
    if scales is not None:
        attrs["scales"] = tuple(scales)
    return ops.Upsample.apply(input, **attrs)


def _check_shuffle(fn, input, factor, what):
    _require_tensor(fn, input)
    if input.dim() < 3:
        raise RuntimeError(f"{fn} expects input to have at least 3 dimensions, but got input with {input.dim()} "
                           f"dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{fn} expects a positive {what}, but got {factor}")


def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) → (*, C, H·r, W·r) for r = ``upscale_factor``: each r² channels of a pixel become an
    r × r block of pixels (sub-pixel convolution, the super-resolution upsampler).

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.pixel_shuffle(vg.arange(8.).reshape(1, 8, 1, 1), 2)
    tensor([[[[0., 1.],
              [2., 3.]],
    <BLANKLINE>
             [[4., 5.],
              [6., 7.]]]])
    """
    r = int(upscale_factor)
    _check_shuffle("pixel_shuffle", input, r, "upscale_factor")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return ops.PixelShuffle.apply(input, upscale_factor=r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H·r, W·r) → (*, C·r², H, W) for r = ``downscale_factor``: the reverse of :func:`pixel_shuffle`.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.pixel_unshuffle(vg.arange(4.).reshape(1, 1, 2, 2), 2).flatten().tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    r = int(downscale_factor)
    _check_shuffle("pixel_unshuffle", input, r, "downscale_factor")
    for name, k in (("height", -2), ("width", -1)):
        if input.shape[k] % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({k})={input.shape[k]} is not divisible by {r}")
    return ops.PixelUnshuffle.apply(input, downscale_factor=r)
