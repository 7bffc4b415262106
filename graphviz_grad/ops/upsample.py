"""Upsampling ops: pixel shuffle (channels into pixels and back) and interpolation (nearest, linear).

>>> import numpy as np
>>> shuffle(np.arange(4.).reshape(4, 1, 1), 2)[0]
array([[0., 1.],
       [2., 3.]])
"""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of


def shuffle(x, r):
    """(*, C·r·r, H, W) → (*, C, H·r, W·r): each group of r·r channels becomes an r × r block of pixels."""
    *lead, c, h, w = x.shape
    n = len(lead)
    blocks = x.reshape(*lead, c // (r * r), r, r, h, w).transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return xp_of(x).ascontiguousarray(blocks).reshape(*lead, c // (r * r), h * r, w * r)


def unshuffle(x, r):
    """(*, C, H·r, W·r) → (*, C·r·r, H, W): the inverse of :func:`shuffle`."""
    *lead, c, hr, wr = x.shape
    n = len(lead)
    blocks = x.reshape(*lead, c, hr // r, r, wr // r, r).transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return xp_of(x).ascontiguousarray(blocks).reshape(*lead, c * r * r, hr // r, wr // r)


class PixelShuffle(Op):
    """``F.pixel_shuffle``: ``upscale_factor`` r, (*, C·r², H, W) → (*, C, H·r, W·r); backward unshuffles."""

    name = "pixel_shuffle"
    derivatives = ("pixel_unshuffle(grad)",)

    def forward(self, x):
        return shuffle(x, self.upscale_factor)

    def backward(self, grad):
        return (unshuffle(grad, self.upscale_factor),)


class PixelUnshuffle(Op):
    """``F.pixel_unshuffle``: ``downscale_factor`` r, (*, C, H·r, W·r) → (*, C·r², H, W); backward shuffles."""

    name = "pixel_unshuffle"
    derivatives = ("pixel_shuffle(grad)",)

    def forward(self, x):
        return unshuffle(x, self.downscale_factor)

    def backward(self, grad):
        return (shuffle(grad, self.downscale_factor),)


def nearest_source(xp, n_in, n_out, scale, exact, halve=False):
    """PyTorch's ``nearest_idx``/``nearest_exact_idx``: the input position each output position copies. The
    scale is a float32 (``1 / scale_factor`` when one was given, else ``n_in / n_out``), as in PyTorch. An
    output twice the input takes ``i // 2`` when no scale factor was given, or when ``halve`` (PyTorch's 2-D
    nearest kernel takes it then whatever the scale factor).

    >>> import numpy as np
    >>> nearest_source(np, 3, 7, None, False).tolist(), nearest_source(np, 3, 7, None, True).tolist()
    ([0, 0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 2, 2])
    """
    if not exact and (n_out == n_in or (n_out == 2 * n_in and (scale is None or halve))):
        return xp.arange(n_out) // (n_out // n_in)
    step = np.float32(1.0 / scale) if scale else np.float32(n_in) / np.float32(n_out)
    at = np.arange(n_out, dtype=np.float32)
    src = np.floor((at + np.float32(0.5) if exact else at) * step)
    return xp.asarray(np.minimum(src.astype(np.int64), n_in - 1))


def linear_source(xp, n_in, n_out, scale, align_corners, dtype):
    """PyTorch's ``compute_source_index_and_lambda``: per output position the two input positions it mixes
    and their weights, computed in the input's float type."""
    if n_out == n_in:
        at = xp.arange(n_out)
        return at, at, xp.ones(n_out, dtype), xp.zeros(n_out, dtype)
    t = np.dtype(dtype).type
    if align_corners:
        step = t(n_in - 1) / t(n_out - 1) if n_out > 1 else t(0)
        real = step * np.arange(n_out, dtype=dtype)
    else:
        step = t(1.0 / scale) if scale else t(n_in) / t(n_out)
        real = np.maximum(step * (np.arange(n_out, dtype=dtype) + t(0.5)) - t(0.5), t(0))
    i0 = np.minimum(np.floor(real).astype(np.int64), n_in - 1)
    l1 = np.clip(real - i0.astype(dtype), t(0), t(1)).astype(dtype)
    i1 = i0 + (i0 < n_in - 1)
    return xp.asarray(i0), xp.asarray(i1), xp.asarray(t(1) - l1), xp.asarray(l1)


class Upsample(Op):
    """``F.interpolate`` in the modes ``nearest``, ``nearest-exact``, ``linear``, ``bilinear``, ``trilinear``:
    the last 1 to 3 dims resized to ``size``, one dim at a time (the last first, as PyTorch's formula
    ``h0·(w0·x00 + w1·x01) + h1·(w0·x10 + w1·x11)`` nests them). Attributes ``mode``, ``size``, ``scales`` (the
    ``scale_factor`` per dim, or None), ``align_corners``. Backward adds each output's gradient back onto the
    input positions it read, times their weights.
    """

    name = "upsample"
    derivatives = ("grad · weight, added onto each input position read",)
    grad_fn_varies = True
    mode = "nearest"
    scales = None
    align_corners = False

    def grad_fn_name(self):
        kind = {"nearest": "Nearest", "nearest-exact": "NearestExact"}.get(self.mode, self.mode.capitalize())
        return f"Upsample{kind}{len(self.size)}DBackward0"

    def forward(self, x):
        xp = xp_of(x)
        self.in_shape = x.shape
        nd = len(self.size)
        self.reads = []
        for k in range(nd):
            axis, n_in, n_out = x.ndim - nd + k, x.shape[x.ndim - nd + k], self.size[k]
            scale = self.scales[k] if self.scales else None
            if self.mode.startswith("nearest"):
                exact = self.mode == "nearest-exact"
                at = nearest_source(xp, n_in, n_out, scale, exact, halve=nd == 2)
                # PyTorch's nearest backward halves an output twice the input whatever the scale factor, also
                # where its 1-D and 3-D forward did not (scale_factor=2.05 on 10): its gradient, not the
                # forward's adjoint, in that corner.
                back = nearest_source(xp, n_in, n_out, scale, exact, halve=True) if n_out == 2 * n_in else at
                self.reads.append((axis, (at,), None, (back,)))
            else:
                i0, i1, l0, l1 = linear_source(xp, n_in, n_out, scale, self.align_corners, x.dtype)
                self.reads.append((axis, (i0, i1), (l0, l1), (i0, i1)))
        for axis, at, weights, _ in reversed(self.reads):
            if weights is None:
                x = xp.take(x, at[0], axis=axis)
            else:
                shape = (-1,) + (1,) * (x.ndim - 1 - axis)
                x = xp.take(x, at[0], axis=axis) * weights[0].reshape(shape) + \
                    xp.take(x, at[1], axis=axis) * weights[1].reshape(shape)
        return x

    def backward(self, grad):
        from .indexing import accumulate

        xp = xp_of(grad)
        for axis, _, weights, at in self.reads:
            moved = xp.moveaxis(grad, axis, 0)
            shape = (self.in_shape[axis],) + moved.shape[1:]
            if weights is None:
                grad = accumulate(grad, shape, at[0], moved)
            else:
                w = (-1,) + (1,) * (moved.ndim - 1)
                parts = xp.concatenate([moved * weights[0].reshape(w), moved * weights[1].reshape(w)])
                grad = accumulate(grad, shape, xp.concatenate(at), parts)
            grad = xp.moveaxis(grad, 0, axis)
        return (xp.ascontiguousarray(grad),)
