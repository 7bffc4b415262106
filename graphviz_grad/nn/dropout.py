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
from .module import Module


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` (when ``training``)."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input.numel() == 0:
        return input
    from .._creation import empty_like, zeros

    if p == 1:
        mask = zeros((), dtype=input.dtype, device=input.device)
    else:
        mask = empty_like(input).bernoulli_(1 - p)
        mask.div_(1 - p)
    mask.name = "dropout mask"
    return input.mul_(mask) if inplace else input * mask


class Dropout(Module):
    """``Dropout(p=0.5)``: ``F.dropout`` in training mode, the identity in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
