"""``torch.linalg``: the norms ``vector_norm``, ``matrix_norm`` (Frobenius, 1, ∞) and ``norm``; ``inv``, ``det``,
``matrix_power`` and ``cross`` (the functions of ``vg.inverse``, ``vg.det``, ...), and ``LinAlgError``.

The norms are built from the tensor ops, so a drawing shows how a norm is computed and autograd
differentiates each step.

>>> import graphviz_grad as vg
>>> x = vg.tensor([[1.0, -2.0], [3.0, 0.0]])
>>> vg.linalg.norm(x), vg.linalg.vector_norm(x, 1, dim=1), vg.linalg.matrix_norm(x, 1)
(tensor(3.7417), tensor([3., 3.]), tensor(4.))
"""
import math

from . import _functions as F
from . import _matrix_functions as M
from ._dtype import type_name
from .ops.linalg_ops import LinAlgError

__all__ = ["vector_norm", "matrix_norm", "norm", "inv", "det", "matrix_power", "cross", "LinAlgError"]

inv = M.inverse
det = M.det
matrix_power = M.matrix_power
cross = M.linalg_cross

_MATRIX_ORDS = ("fro", 1, -1, math.inf, -math.inf)


def _dims(dim):
    return () if dim is None else tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``(Σ |x|^ord)^(1/ord)`` over ``dim`` (all elements when None); ``ord`` 0 counts the non-zeros,
    ``±inf`` takes the largest or smallest ``|x|``."""
    if dtype is not None:
        x = x.to(dtype)
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {type_name(x)}")
    return F.vector_norm(x, ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The norm of each matrix over ``dim``: ``"fro"``, ``1``/``-1`` (largest/smallest column sum of ``|A|``),
    ``inf``/``-inf`` (largest/smallest row sum). The spectral and nuclear norms need an SVD: not here."""
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if ord not in _MATRIX_ORDS:
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs a singular value decomposition, which "
                                  f"graphviz_grad does not have; use one of {_MATRIX_ORDS}")
    if dtype is not None:
        A = A.to(dtype)
    rows, cols = (A._wrap_dim(d) for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    summed, extreme = (rows, cols) if ord in (1, -1) else (cols, rows)  # 1: column sums; inf: row sums
    sums = F.sum(F.abs(A), summed, True)
    out = (F.amax if ord > 0 else F.amin)(sums, extreme, True)
    return out if keepdim else F.squeeze(F.squeeze(out, max(rows, cols)), min(rows, cols))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: a vector norm, or a matrix norm when ``ord`` is a matrix order (or ``dim`` names
    two dims and ``ord`` is given); no ``ord`` and no ``dim``: the 2-norm of all elements."""
    dims = _dims(dim)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if not dims:
        if A.dim() not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.dim()}D.")
        dims = tuple(range(A.dim()))
    if len(dims) == 2:
        return matrix_norm(A, ord, dims, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    return vector_norm(A, ord, dims, keepdim, dtype=dtype)
