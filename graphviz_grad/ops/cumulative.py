"""``cumprod``: running product along a dim, with PyTorch's gradient where the input has zeros."""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of
from .reduce import prefix_sums


class Cumprod(Op):
    """``out_j = a_0 · … · a_j``; ``d out_j / d a_k = out_j / a_k`` for ``k ≤ j``.

    That division is safe before the first zero of a line; at the first zero ``z`` the gradient is
    ``out_{z-1} · Σ_{j≥z} grad_j · a_{z+1} · … · a_j`` (no division); after it, every term holds
    ``a_z = 0``. The same rule as PyTorch's ``cumprod_backward``.
    """

    name = "cumprod"
    derivatives = ("reversed cumsum of grad · out, / a (before the first zero)",)
    saved_inputs = (0,)
    saves_output = True
    dim = 0
    dtype = None

    def forward(self, a):
        dt = self.dtype
        if dt is None and a.dtype.kind in "biu":
            dt = "int64"
        self.a = a
        self.out = xp_of(a).cumprod(a, axis=self.dim, dtype=dt)
        return self.out

    def backward(self, grad):
        xp = xp_of(grad)
        a, out, dim = self.a, self.out, self.dim
        if a.size == 0:
            return (xp.zeros_like(grad),)
        is_zero = a == 0
        seen = xp.cumsum(is_zero, axis=dim)  # zeros met so far, this one included
        before_first = seen == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            g = xp.where(before_first, prefix_sums(grad * out, dim, reverse=True) / xp.where(before_first, a, 1), 0)
        first = is_zero & (seen == 1)
        if first.any():
            # Σ_{j≥z} grad_j · a_{z+1} · … · a_j: the running product of a with the entries up to z set to 1
            after = xp.cumprod(xp.where((seen == 0) | first, 1, a), axis=dim)
            tail = (grad * after * (seen > 0)).sum(axis=dim, keepdims=True)
            lead = xp.ones_like(out)  # out_{z-1}: the product of the elements before each one
            to, before = [slice(None)] * a.ndim, [slice(None)] * a.ndim
            to[dim], before[dim] = slice(1, None), slice(None, -1)
            lead[tuple(to)] = out[tuple(before)]
            g = xp.where(first, lead * tail, g)
        return (g.astype(grad.dtype, copy=False),)
