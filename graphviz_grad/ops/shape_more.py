"""More ops that move data around: the pieces of ``unbind``/``split``/``chunk``, ``repeat``, ``flip``, ``roll``,
``bmm``, ``diag``, and the views ``diagonal`` and ``unfold``, and ``block_diag``.

``unbind``, ``split`` and ``chunk`` return several tensors; an op here has one output, so each piece is its own
node: a view of one slice (an :class:`~.shape.Index` under the name the learner typed), whose gradient goes back
into that slice of the input.
"""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of
from .conv import strided
from .matmul import Matmul
from .shape import Index


class Unbind(Index):
    """Piece ``index`` of ``unbind(dim)``: ``a.select(dim, index)``, a view."""

    name = "unbind"
    derivatives = ("grad placed into slice index along dim",)
    is_view = True
    grad_fn_varies = False
    grad_fn_name = Op.grad_fn_name

    @property
    def key(self):
        return (slice(None),) * self.dim + (self.index,)


class Split(Index):
    """One piece ``start:stop`` along ``dim`` of ``split(int)`` or ``chunk``: a view."""

    name = "split"
    derivatives = ("grad placed into start:stop along dim",)
    is_view = True
    grad_fn_varies = False
    grad_fn_name = Op.grad_fn_name

    @property
    def key(self):
        return (slice(None),) * self.dim + (slice(self.start, self.stop),)


class SplitWithSizes(Split):
    """One piece of ``split([sizes])`` (PyTorch names its node apart)."""


class Repeat(Op):
    """``a.repeat(*sizes)``: ``a`` tiled ``sizes[i]`` times along dim ``i`` (a copy)."""

    name = "repeat"
    derivatives = ("grad summed over the copies",)

    def forward(self, a):
        self.in_shape = a.shape
        lead = len(self.sizes) - a.ndim
        return xp_of(a).tile(a.reshape((1,) * lead + a.shape), self.sizes)

    def backward(self, grad):
        # grad has shape (r0*n0, r1*n1, ...): split each dim into (copy, element) and sum the copies
        lead = len(self.sizes) - len(self.in_shape)
        shape = (1,) * lead + self.in_shape
        split = []
        for r, n in zip(self.sizes, shape):
            split += [r, n]
        return (grad.reshape(split).sum(axis=tuple(range(0, len(split), 2))).reshape(self.in_shape),)


class Flip(Op):
    """``a.flip(dims)``: the order reversed along ``dims`` (a copy, as in PyTorch)."""

    name = "flip"
    derivatives = ("grad flipped back",)

    def forward(self, a):
        return xp_of(a).flip(a, self.dims).copy() if self.dims else a.copy()

    def backward(self, grad):
        return (xp_of(grad).flip(grad, self.dims) if self.dims else grad,)


class Roll(Op):
    """``a.roll(shifts, dims)``: elements shifted cyclically (``dims=None``: over the flattened tensor)."""

    name = "roll"
    derivatives = ("grad rolled back by -shifts",)

    def forward(self, a):
        return xp_of(a).roll(a, self.shifts, self.dims)

    def backward(self, grad):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return (xp_of(grad).roll(grad, back, self.dims),)


class Bmm(Matmul):
    """``bmm(a, b)``: a batch of matrix products, both 3-D with the same batch size (no broadcasting)."""

    name = "bmm"
    broadcasts = None
    grad_fn_varies = False
    grad_fn_name = Op.grad_fn_name

    def forward(self, a, b):
        for what, t in (("batch1", a), ("batch2", b)):
            if t.ndim != 3:
                raise RuntimeError(f"{what} must be a 3D tensor")
        if b.shape[:2] != (a.shape[0], a.shape[2]):
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
        return super().forward(a, b)


class Diag(Op):
    """``diag(a, diagonal)``: a vector onto a diagonal of a square matrix, or a matrix's diagonal as a vector."""

    name = "diag"
    derivatives = ("the diagonal of grad (a vector) or grad placed on the diagonal (a matrix)",)
    grad_fn_varies = True

    def grad_fn_name(self):
        return "DiagEmbedBackward0" if len(self.in_shape) == 1 else "DiagonalBackward0_copy"

    def forward(self, a):
        self.in_shape = a.shape
        xp = xp_of(a)
        return xp.diag(a, self.diagonal) if a.ndim == 1 else xp.diagonal(a, self.diagonal).copy()

    def backward(self, grad):
        xp = xp_of(grad)
        k = self.diagonal
        if len(self.in_shape) == 1:
            return (xp.diagonal(grad, k).copy(),)
        out = xp.zeros(self.in_shape, dtype=grad.dtype)
        steps = xp.arange(grad.shape[0])
        out[steps + max(-k, 0), steps + max(k, 0)] = grad
        return (out,)


class Diagonal(Op):
    """``a.diagonal(offset, dim1, dim2)``: a view of one diagonal of the (dim1, dim2) planes, as the last dim."""

    name = "diagonal"
    derivatives = ("grad placed on the diagonal",)
    is_view = True

    def forward(self, a):
        self.in_shape = a.shape
        out = _diagonal(a, self.offset, self.dim1, self.dim2)
        if out.__class__ is np.ndarray and a.flags.writeable:
            out.flags.writeable = True  # (NumPy hands it out read-only; PyTorch's writes through)
        return out

    def backward(self, grad):
        out = xp_of(grad).zeros(self.in_shape, grad.dtype)
        view = _diagonal(out, self.offset, self.dim1, self.dim2)
        if view.__class__ is np.ndarray:
            view.flags.writeable = True
        view[...] = grad
        return (out,)


def _diagonal(a, offset, dim1, dim2):
    return xp_of(a).diagonal(a, offset, dim1, dim2)


class Unfold(Op):
    """``a.unfold(dim, size, step)``: a view of every window of ``size`` elements ``step`` apart along ``dim``,
    the window as a new last dim; overlapping windows add their gradients."""

    name = "unfold"
    derivatives = ("grad of each window added back in place",)
    is_view = True

    def forward(self, a):
        self.in_shape = a.shape
        d, size, step = self.dim, self.size, self.step
        count = (a.shape[d] - size) // step + 1
        strides = a.strides
        return strided(a, a.shape[:d] + (count,) + a.shape[d + 1:] + (size,),
                       strides[:d] + (strides[d] * step,) + strides[d + 1:] + (strides[d],), writeable=True)

    def backward(self, grad):
        xp = xp_of(grad)
        d, step = self.dim, self.step
        count = grad.shape[d]
        out = xp.zeros(self.in_shape, grad.dtype)
        lead = (slice(None),) * d
        for j in range(self.size):  # one strided add per place in the window
            out[lead + (slice(j, j + step * (count - 1) + 1, step),)] += grad[..., j]
        return (out,)


class BlockDiag(Op):
    """``block_diag(*tensors)``: the (at most 2-D) inputs down the diagonal of one matrix, zeros elsewhere."""

    name = "block_diag"
    derivatives = ("each input's block of grad",)

    def forward(self, *arrays):
        xp = xp_of(arrays[0])
        blocks = [a.reshape((1,) * (2 - a.ndim) + a.shape) for a in arrays]
        out = xp.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)), arrays[0].dtype)
        self.places = []
        row = col = 0
        for a, b in zip(arrays, blocks):
            out[row:row + b.shape[0], col:col + b.shape[1]] = b
            self.places.append((row, col, b.shape, a.shape))
            row, col = row + b.shape[0], col + b.shape[1]
        return out

    def backward(self, grad):
        return tuple(grad[r:r + h, c:c + w].reshape(shape) for r, c, (h, w), shape in self.places)
