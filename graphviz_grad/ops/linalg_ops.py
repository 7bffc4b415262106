"""Linear algebra and distances: inverse, det, cross, cdist and dist, batched over leading dims.

>>> import numpy as np
>>> Det().forward(np.array([[2.0, 1.0], [1.0, 1.0]]))
array(1.)
>>> float(p_norm(np.array([3.0, -4.0]), 1, None)), float(p_norm(np.array([3.0, -4.0]), np.inf, None))
(7.0, 4.0)
"""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of


class LinAlgError(RuntimeError):
    """A matrix the computation cannot use (a singular matrix to invert): ``torch.linalg.LinAlgError``."""


def _mT(a):
    return a.swapaxes(-1, -2)


def zero_pivot(a):
    """1 + the column of the first zero pivot of LU with partial pivoting of the square matrix ``a`` (what
    LAPACK reports for a singular matrix), or 0 when there is none.

    >>> zero_pivot(np.array([[1.0, 2.0], [2.0, 4.0]]))
    2
    """
    u = np.array(a, dtype=np.float64)
    for k in range(u.shape[0]):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1:] -= np.outer(u[k + 1:, k] / u[k, k], u[k])
    return 0


class Inverse(Op):
    """``A⁻¹`` of each square matrix; the gradient is ``-A⁻ᵀ · grad · A⁻ᵀ``."""

    name = "inverse"
    torch_grad_fn = "LinalgInvExBackward0"
    derivatives = ("-outᵀ · grad · outᵀ",)
    saves_output = True

    def forward(self, a):
        xp = xp_of(a)
        try:
            self.out = xp.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular(a) from None
        return self.out

    def backward(self, grad):
        inv_t = _mT(self.out)
        return (-(inv_t @ (grad @ inv_t)),)


def _singular(a):
    """PyTorch's error for a singular matrix (the first one, in a batch) handed to ``inv``."""
    from ..backend import to_numpy

    mats = to_numpy(a).reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(mats):
        k = zero_pivot(m)
        if k:
            where = f"(Batch element {i}): " if a.ndim > 2 else ""
            return LinAlgError(f"linalg.inv: {where}The diagonal element {k} is zero, the inversion could not be "
                               "completed because the input matrix is singular.")
    return LinAlgError("linalg.inv: the input matrix is singular.")


class Det(Op):
    """The determinant of each square matrix; gradient ``grad · det · A⁻ᵀ``, and 0 where det is 0 (PyTorch's)."""

    name = "det"
    torch_grad_fn = "LinalgDetBackward0"
    derivatives = ("grad · out · a⁻ᵀ",)
    saved_inputs = (0,)
    saves_output = True

    def forward(self, a):
        self.a = a
        self.out = xp_of(a).asarray(xp_of(a).linalg.det(a))
        return self.out

    def backward(self, grad):
        xp = xp_of(grad)
        singular = (self.out == 0)[..., None, None]
        eye = xp.eye(self.a.shape[-1], dtype=self.a.dtype)
        inv_t = _mT(xp.linalg.inv(xp.where(singular, eye, self.a)))  # (the identity stands in where det is 0)
        scale = (grad * self.out)[..., None, None]
        return (xp.where(singular, 0, scale * inv_t).astype(grad.dtype, copy=False),)


class Cross(Op):
    """The cross product of 3-vectors along ``dim``."""

    name = "cross"
    torch_grad_fn = "LinalgCrossBackward0"
    derivatives = ("b × grad", "grad × a")
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))
    dim = -1

    def forward(self, a, b):
        self.a, self.b = a, b
        return self._cross(a, b)

    def _cross(self, a, b):
        return xp_of(a).cross(a, b, axisa=self.dim, axisb=self.dim, axisc=self.dim)

    def backward(self, grad):
        ga, gb = self.needs_input_grad
        return (self._cross(self.b, grad) if ga else None), (self._cross(grad, self.a) if gb else None)


def p_norm(x, p, axis):
    """``(Σ |x|^p)^(1/p)`` over ``axis`` (None: all); ``p`` 0 counts the non-zeros, ±inf takes the largest
    or smallest ``|x|``."""
    xp = xp_of(x)
    if p == 0:
        return (x != 0).sum(axis=axis).astype(x.dtype)
    a = xp.abs(x)
    if p == np.inf:
        return a.max(axis=axis)
    if p == -np.inf:
        return a.min(axis=axis)
    if p == 1:
        return a.sum(axis=axis)
    if p == 2:
        return xp.sqrt((x * x).sum(axis=axis))
    with np.errstate(divide="ignore"):
        return (a ** p).sum(axis=axis) ** (1 / p)


def p_norm_grad(x, norm, p, share_ties=False):
    """``d norm / d x`` for :func:`p_norm` (``norm`` broadcast against ``x``), PyTorch's way: 0 where the norm
    is 0 (and, for ``p < 1``, where ``x`` is 0); for ±inf the elements at the norm (sharing it evenly when
    ``share_ties``, as ``norm``'s gradient does; each in full, as ``cdist``'s)."""
    xp = xp_of(x)
    if p == 0:
        return xp.zeros_like(x)
    sign = xp.sign(x)
    if p in (np.inf, -np.inf):
        at = (xp.abs(x) == norm).astype(x.dtype)
        if share_ties:
            at = at / at.sum(axis=-1, keepdims=True)
        return sign * at
    if p == 1:
        return sign
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == 2:
            g = x / norm
        elif p < 2:
            g = sign * xp.abs(x) ** (p - 1) / norm ** (p - 1)
            if p < 1:
                g = xp.where(x == 0, 0, g)
        else:
            g = x * xp.abs(x) ** (p - 2) / norm ** (p - 1)
    return xp.where(norm == 0, 0, g).astype(x.dtype, copy=False)


class Dist(Op):
    """``‖a - b‖_p`` over all elements (``a``, ``b`` broadcast)."""

    name = "dist"
    derivatives = ("grad · d‖a - b‖/d(a - b)", "-(the same)")
    saved_inputs = (0, 1)
    saves_output = True
    p = 2

    def forward(self, a, b):
        self.diff = a - b
        self.out = xp_of(a).asarray(p_norm(self.diff, self.p, None), a.dtype)
        return self.out

    def backward(self, grad):
        flat = self.diff.reshape(1, -1)  # one line: ±inf's ties share over all elements
        g = grad * p_norm_grad(flat, self.out, self.p, share_ties=True).reshape(self.diff.shape)
        return g, -g


class Cdist(Op):
    """The ``p``-distance between each row of ``a`` (…, P, M) and each row of ``b`` (…, R, M): (…, P, R)."""

    name = "cdist"
    derivatives = ("Σ_r grad · d‖a_i - b_r‖/da_i", "-Σ_p (the same)")
    saved_inputs = (0, 1)
    saves_output = True
    p = 2

    def forward(self, a, b):
        self.diff = a[..., :, None, :] - b[..., None, :, :]  # (…, P, R, M)
        self.out = p_norm(self.diff, self.p, -1).astype(a.dtype, copy=False)
        return self.out

    def backward(self, grad):
        g = grad[..., None] * p_norm_grad(self.diff, self.out[..., None], self.p)
        return g.sum(axis=-2), -g.sum(axis=-3)
