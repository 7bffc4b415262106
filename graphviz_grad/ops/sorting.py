"""Sorting along a dim: ``sort`` and ``topk``. The values are differentiable, the indices come alongside.

>>> import numpy as np
>>> sort_indices(np.array([2.0, 1.0, 2.0, np.nan]), 0, descending=True)
array([3, 0, 2, 1])
"""
from ..autograd.function import Op
from ..backend import xp_of


def sort_indices(a, dim, descending=False):
    """Positions that sort ``a`` along ``dim``, stably; NaN counts as the largest value, as in PyTorch.

    Descending: ties keep their order, so the ascending sort runs on the reversed array and is
    reversed back (negating would break unsigned and bool arrays and move NaN to the wrong end).
    """
    xp = xp_of(a)
    if not descending:
        return xp.argsort(a, axis=dim, kind="stable")
    n = a.shape[dim]
    return (n - 1) - xp.flip(xp.argsort(xp.flip(a, dim), axis=dim, kind="stable"), dim)


class Sort(Op):
    """Values sorted along ``dim``; the gradient goes back to the position each value came from."""

    name = "sort"
    derivatives = ("grad scattered back to the sorted positions",)
    saves_tensors = True  # the indices
    grad_fn_varies = True
    dim = -1
    descending = False
    stable = False

    def grad_fn_name(self):
        return "SortBackward1" if self.stable else "SortBackward0"  # (PyTorch's overload with stable=)

    def forward(self, a):
        self.shape = a.shape
        self.indices = self.positions(a)
        return xp_of(a).take_along_axis(a, self.indices, axis=self.dim)

    def positions(self, a):
        return sort_indices(a, self.dim, self.descending)

    def backward(self, grad):
        xp = xp_of(grad)
        out = xp.zeros(self.shape, dtype=grad.dtype)
        xp.put_along_axis(out, self.indices, grad, axis=self.dim)
        return (out,)


class Topk(Sort):
    """The ``k`` largest (or smallest) values along ``dim``, in order.

    Among equal values we take the earliest positions first (a stable sort); PyTorch does not promise
    which of them it picks, so only tie-free inputs can be compared index for index. ``sorted=False``
    returns them sorted too, one of the orders PyTorch allows.
    """

    name = "topk"
    derivatives = ("grad scattered back to the chosen positions",)
    torch_grad_fn = "TopkBackward0"
    grad_fn_varies = False
    k = 1
    largest = True

    def grad_fn_name(self):
        return self.torch_grad_fn

    def positions(self, a):
        return top_indices(a, self.dim, self.k, self.largest)


def top_indices(a, dim, k, largest=True):
    """Positions of the ``k`` largest (smallest) values along ``dim``, in order, earliest first among ties.

    A partition finds the k-th value ``t`` in linear time; the values beyond ``t``, then the earliest
    ones equal to it, are the chosen k, and only those k are sorted (a full sort took 20x PyTorch's time).

    >>> import numpy as np
    >>> top_indices(np.array([1.0, 5.0, 3.0, 5.0, np.nan]), 0, 3)
    array([4, 1, 3])
    """
    xp = xp_of(a)
    n = a.shape[dim]
    if k == 0 or k == n:
        return sort_indices(a, dim, largest)[(slice(None),) * (dim % a.ndim) + (slice(0, k),)]
    x = xp.moveaxis(a, dim, -1)
    t = xp.partition(x, n - k if largest else k - 1, axis=-1)[..., [n - k if largest else k - 1]]
    nan, t_nan = xp.isnan(x), xp.isnan(t)  # NaN counts as the largest value, as in sort
    beyond = ((x > t) | (nan & ~t_nan)) if largest else ((x < t) | (~nan & t_nan))
    equal = (x == t) | (nan & t_nan)
    need = k - beyond.sum(axis=-1, keepdims=True)
    chosen = beyond | (equal & (xp.cumsum(equal, axis=-1) <= need))
    picked = xp.nonzero(chosen)[-1].reshape(x.shape[:-1] + (k,))  # exactly k a line, in position order
    order = sort_indices(xp.take_along_axis(x, picked, axis=-1), -1, largest)
    return xp.moveaxis(xp.take_along_axis(picked, order, axis=-1), -1, dim)
