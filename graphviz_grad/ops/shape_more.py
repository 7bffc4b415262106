"""More ops that move data around: the pieces of ``unbind``/``split``/``chunk``, ``repeat``, ``flip``, ``roll``,
``bmm`` and ``diag``.

``unbind``, ``split`` and ``chunk`` return several tensors; an op here has one output, so each piece is its own
node: a view of one slice (an :class:`~.shape.Index` under the name the learner typed), whose gradient goes back
into that slice of the input.
"""
from ..autograd.function import Op
from ..backend import xp_of
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
