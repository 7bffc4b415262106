"""Dropout (``F.dropout``, ``nn.Dropout``): PyTorch's CPU masks, bit for bit.

In training, each element is zeroed with probability ``p`` and the survivors are
scaled by ``1 / (1 - p)``; as PyTorch's CPU code (``aten/src/ATen/native/Dropout.cpp``)
the mask is ``empty_like(x).bernoulli_(1 - p)`` divided by ``1 - p``, and the
output is ``x * mask``, so the gradient is ``grad * mask``. In eval mode, or
with ``p = 0``, the input comes back unchanged and nothing is drawn.

>>> import graphviz_grad as vg
>>> _ = vg.manual_seed(0)
>>> vg.nn.Dropout(0.5)(vg.ones(6))
tensor([0., 0., 2., 0., 0., 0.])
"""
from .._warnings import warn_user as _warn
from .module import Module


def _check_p(p):
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _memory_order(array):
    """The dims of ``array`` from the slowest-varying in memory to the fastest (a transposed view's are not
    0, 1, ...), or None when that is the logical order."""
    if array.ndim < 2 or array.flags.c_contiguous:
        return None
    order = sorted(range(array.ndim), key=lambda i: -abs(array.strides[i]))
    return None if order == list(range(array.ndim)) else order


def _dropout(input, p, training, inplace, noise_shape):
    """``input * mask``, the mask ``empty(noise_shape).bernoulli_(1 - p) / (1 - p)`` (broadcast over the rest).

    A mask of the input's shape is drawn in the input's memory order, as PyTorch's ``empty_like`` keeps a
    transposed input's layout and ``bernoulli_`` fills memory in order: a transposed input gets the mask of
    its contiguous original, transposed.
    """
    if not training or p == 0 or input.numel() == 0:
        return input
    from .._creation import empty, zeros

    if p == 1:
        mask = zeros((), dtype=input.dtype, device=input.device)
    else:
        order = _memory_order(input._data) if tuple(noise_shape) == tuple(input.shape) else None
        if order is None:
            mask = empty(noise_shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)
        else:
            mask = empty(tuple(noise_shape[i] for i in order), dtype=input.dtype, device=input.device)
            mask = mask.bernoulli_(1 - p).permute(*sorted(range(len(order)), key=order.__getitem__))
        mask.div_(1 - p)
    mask.name = "dropout mask"
    return input.mul_(mask) if inplace else input * mask


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` (when ``training``)."""
    _check_p(p)
    return _dropout(input, p, training, inplace, tuple(input.shape))


def _feature_dropout(input, p, training, inplace):
    """Whole channels: one draw per (sample, channel), as PyTorch's ``feature_dropout``."""
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _dropout(input, p, training, inplace, tuple(input.shape[:2]) + (1,) * (input.dim() - 2))


def _maybe_batched_dropout(input, p, training, inplace, batched):
    """Channel dropout of a batched input, or of an unbatched one as PyTorch's: with a batch dim added and
    removed again (in place: one draw per channel too, the input's own elements scaled)."""
    if batched:
        return _feature_dropout(input, p, training, inplace)
    if inplace:
        return _dropout(input, p, training, True, (input.shape[0],) + (1,) * (input.dim() - 1))
    return _feature_dropout(input.unsqueeze(0), p, training, False).squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability ``p`` (PyTorch's masks).

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0)
    >>> vg.nn.functional.dropout1d(vg.ones(3, 2), 0.5).tolist()
    [[0.0, 0.0], [0.0, 0.0], [2.0, 2.0]]
    """
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs).")
    return _maybe_batched_dropout(input, p, training, inplace, input.dim() == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (feature maps) of (N, C, H, W) inputs with probability ``p`` (PyTorch's masks).

    A 3-D input is taken as (N, C, L), with PyTorch's warning; other sizes are warned about as in PyTorch.
    """
    _check_p(p)
    if input.dim() not in (3, 4):
        _warn(f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is deprecated and will result in an "
              "error in a future release. To retain the behavior and silence this warning, please use dropout instead. "
              "Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a "
              "channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).")
    if input.dim() == 3:
        _warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
              "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
              "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
              "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.")
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (volumes) of (N, C, D, H, W) or (C, D, H, W) inputs with probability ``p``
    (PyTorch's masks); other sizes are warned about as in PyTorch.

    >>> import graphviz_grad as vg
    >>> _ = vg.manual_seed(0)
    >>> vg.nn.functional.dropout3d(vg.ones(3, 1, 1, 2), 0.5).flatten().tolist()
    [0.0, 0.0, 0.0, 0.0, 2.0, 2.0]
    """
    _check_p(p)
    if input.dim() not in (4, 5):
        _warn(f"dropout3d: Received a {input.dim()}-D input to dropout3d, which is deprecated and will result in an "
              "error in a future release. To retain the behavior and silence this warning, please use dropout instead. "
              "Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a "
              "channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).")
    return _maybe_batched_dropout(input, p, training, inplace, input.dim() == 5)


class Dropout(Module):
    """``Dropout(p=0.5)``: ``F.dropout`` in training mode, the identity in eval mode."""

    _fn = staticmethod(dropout)

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        _check_p(p)
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return self._fn(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """``Dropout1d(p=0.5)``: whole channels of (N, C, L) inputs, in training mode."""

    _fn = staticmethod(dropout1d)


class Dropout2d(Dropout):
    """``Dropout2d(p=0.5)``: whole feature maps of (N, C, H, W) inputs, in training mode."""

    _fn = staticmethod(dropout2d)


class Dropout3d(Dropout):
    """``Dropout3d(p=0.5)``: whole channels of (N, C, D, H, W) inputs, in training mode."""

    _fn = staticmethod(dropout3d)
