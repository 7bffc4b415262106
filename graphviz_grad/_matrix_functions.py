"""More tensor functions: ``vg.f(t, ...)`` and, where PyTorch has the method, ``t.f(...)``: matrices (diagonal,
trace, inverse, det, cross, kron, matrix_power, the ``add*`` products), picking by index (take, index_fill, ...),
searching (searchsorted, bucketize), distances (cdist, dist), and shapes (unfold, rot90, diff, block_diag,
cartesian_prod, combinations, and in place ``t_``, ``squeeze_``, ...). As :mod:`_math_functions`, beside which
they stand.

>>> import graphviz_grad as vg
>>> a = vg.tensor([[2., 1.], [1., 1.]], requires_grad=True)
>>> a.det(), a.inverse().trace()
(tensor(1., grad_fn=<LinalgDetBackward0>), tensor(3., grad_fn=<SumBackward0>))
"""
import itertools
import warnings

import numpy as np

from . import _dtype, backend, ops
from ._functions import (_common_dtype, _index_array, _int_arg, _tensor_list, add_scaled_product, bmm, cat,
                         clamp_min, clone, expand, flatten, flip, gather, getitem, masked_fill, masked_fill_, matmul,
                         meshgrid, mul, mv, operands, outer, pow, reshape, setitem, sqrt, squeeze,
                         stack, sub, sum, transpose, unsqueeze)
from ._math_functions import _name, _tensors
from .autograd.function import broadcast_message
from .tensor import Tensor


# --- matrices -----------------------------------------------------------------------------------


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of diagonal ``offset`` (above the main one when positive) of the ``(dim1, dim2)`` planes, as the
    last dim; writes go through to ``input``.

    >>> import graphviz_grad as vg
    >>> vg.arange(9).reshape(3, 3).diagonal(1)
    tensor([1, 5])
    """
    d1, d2 = input._wrap_dim(dim1), input._wrap_dim(dim2)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return ops.Diagonal.apply(input, offset=_int_arg("diagonal", offset, "offset", 2), dim1=d1, dim2=d2)


def trace(input):
    """The sum of the main diagonal of a matrix (``diagonal`` then ``sum``).

    >>> import graphviz_grad as vg
    >>> vg.arange(9).reshape(3, 3).trace()
    tensor(12)
    """
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._data.dtype.kind == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return sum(diagonal(input))


def _square(fn, A):
    if A._data.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor A must have at least 2 dimensions.")
    rows, cols = A._data.shape[-2:]
    if rows != cols:
        raise RuntimeError(f"{fn}: A must be batches of square matrices, but they are {rows} by {cols} matrices")


def _square_float(fn, A):
    _square(fn, A)
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got {_name(A)}")


def inverse(input):
    """The inverse of a square matrix (or of each in a batch); a singular one raises ``linalg.LinAlgError``.

    >>> import graphviz_grad as vg
    >>> vg.tensor([[2., 0.], [0., 4.]]).inverse()
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    _square_float("linalg.inv", input)
    return ops.Inverse.apply(input)


def det(input):
    """The determinant of a square matrix (or of each in a batch); its gradient is 0 where it is 0, as PyTorch's.

    >>> import graphviz_grad as vg
    >>> vg.tensor([[2., 1.], [1., 3.]]).det()
    tensor(5.)
    """
    _square_float("linalg.det", input)
    return ops.Det.apply(input)


def matrix_power(input, n):
    """``input`` multiplied by itself ``n`` times (``n`` 0: the identity; negative: powers of the inverse), with
    PyTorch's order of products (squarings, by the bits of ``n``).

    >>> import graphviz_grad as vg
    >>> vg.tensor([[1, 1], [0, 1]]).matrix_power(3)
    tensor([[1, 3],
            [0, 1]])
    """
    _square("linalg.matrix_power", input)
    n = _int_arg("matrix_power", n, "n", 2)
    if n == 0:
        xp = backend.xp_of(input._data)
        eye = xp.broadcast_to(xp.eye(input._data.shape[-1], dtype=input._data.dtype), input._data.shape)
        return ops.Copy.apply(clone(input), Tensor._make(eye))  # the identity; a zero gradient, as PyTorch's
    a = input if n > 0 else inverse(input)
    n = abs(n)
    if n == 1:
        return clone(a)
    if n == 2:
        return matmul(a, a)
    if n == 3:
        return matmul(matmul(a, a), a)
    z = result = None
    while n > 0:  # the bits of n, lowest first: z runs through a, a², a⁴, ...
        bit, n = n % 2, n // 2
        z = a if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


def linalg_cross(input, other, *, dim=-1):
    """``torch.linalg.cross``: the cross product of 3-vectors along ``dim`` (the other dims broadcast).

    >>> import graphviz_grad as vg
    >>> vg.linalg.cross(vg.tensor([[0., 1., 0.]]), vg.tensor([[0., 0., 1.]]))
    tensor([[1., 0., 0.]])
    """
    _tensors("linalg_cross", input, other)
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"expected scalar type {_name(input)} but found {_name(other)}")
    d = input._wrap_dim(dim)
    n, m = input._data.shape[d], other._data.shape[d]
    if n != 3 or m != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {n} and {m}")
    mismatch = broadcast_message(tuple(input._data.shape), tuple(other._data.shape))
    if mismatch:
        raise RuntimeError(mismatch)
    return ops.Cross.apply(input, other, dim=d)


def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim``; without ``dim``, the first dim of size 3 (deprecated by
    PyTorch, with its warning: pass ``dim``, or use ``linalg.cross``).

    >>> import graphviz_grad as vg
    >>> vg.cross(vg.tensor([1., 0., 0.]), vg.tensor([0., 1., 0.]), dim=0)
    tensor([0., 0., 1.])
    """
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        dim = next((i for i, s in enumerate(input._data.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim)


def kron(input, other):
    """The Kronecker product: each element of ``input`` times the whole of ``other``, in blocks (a product of
    two reshaped tensors, as PyTorch computes it).

    >>> import graphviz_grad as vg
    >>> vg.kron(vg.tensor([1, 2]), vg.tensor([1, 10]))
    tensor([ 1, 10,  2, 20])
    """
    _tensors("kron", input, other)
    a, b = _common_dtype([input, other])  # (a 0-d tensor weighs as much as the other: it is reshaped first)
    n = max(a._data.ndim, b._data.ndim)
    sa = (1,) * (n - a._data.ndim) + a._data.shape
    sb = (1,) * (n - b._data.ndim) + b._data.shape
    spread_a = reshape(a, tuple(s for size in sa for s in (size, 1)))
    spread_b = reshape(b, tuple(s for size in sb for s in (1, size)))
    return reshape(mul(spread_a, spread_b), tuple(x * y for x, y in zip(sa, sb)))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta · input + alpha · (batch1 @ batch2)``, a batch of matrix products (``bmm``) added to ``input``.

    >>> import graphviz_grad as vg
    >>> vg.baddbmm(vg.ones(1, 2, 2), vg.ones(1, 2, 3), vg.ones(1, 3, 2), beta=0.5)
    tensor([[[3.5000, 3.5000],
             [3.5000, 3.5000]]])
    """
    return add_scaled_product(input, bmm(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta · input + alpha · Σ_b batch1[b] @ batch2[b]``: the batch of products summed into one matrix.

    >>> import graphviz_grad as vg
    >>> vg.addbmm(vg.zeros(1, 1), vg.ones(3, 1, 2), vg.ones(3, 2, 1))
    tensor([[6.]])
    """
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if batch1._data.shape[0] != batch2._data.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {batch1._data.shape[0]} and "
                           f"{batch2._data.shape[0]}")
    return add_scaled_product(input, sum(bmm(batch1, batch2), 0), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta · input + alpha · (mat @ vec)``.

    >>> import graphviz_grad as vg
    >>> vg.addmv(vg.tensor([1., 2.]), vg.ones(2, 3), vg.ones(3))
    tensor([4., 5.])
    """
    if mat._data.ndim == 2 and vec._data.ndim == 1 and input._data.ndim <= 1 and \
            input._data.size not in (1, mat._data.shape[0]):
        raise RuntimeError(f"size mismatch, got input ({input._data.size}), mat ({mat._data.shape[0]}x"
                           f"{mat._data.shape[1]}), vec ({vec._data.shape[0]})")
    return add_scaled_product(input, mv(mat, vec), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``beta · input + alpha · outer(vec1, vec2)``.

    >>> import graphviz_grad as vg
    >>> vg.addr(vg.zeros(2, 2), vg.tensor([1., 2.]), vg.tensor([1., 3.]))
    tensor([[1., 3.],
            [2., 6.]])
    """
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    if input._data.dtype.kind in "iub" and (isinstance(alpha, float) or isinstance(beta, float)):
        which = "alpha" if isinstance(alpha, float) else "beta"
        raise RuntimeError(f"For integral input tensors, argument {which} must not be a floating point number.")
    return add_scaled_product(input, outer(vec1, vec2), beta, alpha)


# --- picking by index -----------------------------------------------------------------------------


def take(input, index):
    """The elements of ``input`` read as one flat row, at ``index`` (any shape; negative counts from the end).

    >>> import graphviz_grad as vg
    >>> vg.tensor([[1, 2], [3, 4]]).take(vg.tensor([0, -1]))
    tensor([1, 4])
    """
    idx = _index_array("take", index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_name(index)}")
    n = input._data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx[(idx < -n) | (idx >= n)].reshape(-1)[0])
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return getitem(reshape(input, -1), index)


def take_along_dim(input, indices, dim=None):
    """``gather`` whose ``indices`` broadcast against ``input`` in the other dims (no ``dim``: on the flat
    tensors); with ``argsort``'s or ``argmax(keepdim=True)``'s indices it picks those elements.

    >>> import graphviz_grad as vg
    >>> x = vg.tensor([[3., 1.], [0., 2.]])
    >>> x.take_along_dim(x.argmax(1, keepdim=True), 1)
    tensor([[3.],
            [2.]])
    """
    idx = _index_array("take_along_dim", indices, "indices")
    if idx.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got {_name(indices)}")
    if dim is None:
        return gather(reshape(input, -1), 0, reshape(indices, -1))
    if input._data.ndim != idx.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input._data.ndim} dimensions for input, and {idx.ndim} dimensions for indices")
    d = input._wrap_dim(dim)
    own = list(input._data.shape)
    own[d] = idx.shape[d]
    mismatch = broadcast_message(tuple(own), idx.shape)
    if mismatch:
        raise RuntimeError(mismatch)
    shape = list(np.broadcast_shapes(tuple(own), idx.shape))
    widened = expand(indices, *shape)
    shape[d] = input._data.shape[d]
    return gather(expand(input, *shape), d, widened)


def _fill_mask(input, dim, index, value):
    """``index_fill``'s slices as a bool mask that broadcasts against ``input``, after PyTorch's checks."""
    idx = _index_array("index_fill", index)
    if idx.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    data = input._data
    d = input._wrap_dim(dim) if data.ndim else 0
    size = data.shape[d] if data.ndim else 1
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = int(idx[(idx < -size) | (idx >= size)].reshape(-1)[0])
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    xp = backend.xp_of(data)
    mask = xp.zeros(size, bool)
    mask[idx] = True
    return Tensor._make(mask.reshape((size,) + (1,) * (data.ndim - d - 1) if data.ndim else ()))


def index_fill(input, dim, index, value):
    """``input`` with ``value`` in the slices ``index`` of ``dim`` (a ``masked_fill`` with those slices).

    >>> import graphviz_grad as vg
    >>> vg.zeros(2, 3).index_fill(1, vg.tensor([0, 2]), 1.0)
    tensor([[1., 0., 1.],
            [1., 0., 1.]])
    """
    return masked_fill(input, _fill_mask(input, dim, index, value), value)


def index_fill_(input, dim, index, value):
    """:func:`index_fill` in place.

    >>> import graphviz_grad as vg
    >>> vg.zeros(3).index_fill_(0, vg.tensor([1]), 7)
    tensor([0., 7., 0.])
    """
    return masked_fill_(input, _fill_mask(input, dim, index, value), value)


def fill_diagonal_(input, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal, in place (all dims equal for more than 2; ``wrap``: a tall
    matrix's diagonal starts again every ``columns + 1`` rows).

    >>> import graphviz_grad as vg
    >>> vg.zeros(2, 3).fill_diagonal_(5.)
    tensor([[5., 0., 0.],
            [0., 5., 0.]])
    """
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    n = min(shape)
    steps = np.arange(n)
    key = (steps,) * len(shape)
    height, width = shape[:2]
    if wrap and len(shape) == 2 and height > width + 1:  # the flat positions (w + 1)·k again from row w + 1 on
        step = width + 1
        more = width * step + step * np.arange((height * width + step - 1) // step - n)
        key = (np.concatenate([steps, more // width]), np.concatenate([steps, more % width]))
    setitem(input, key, fill_value)
    return input


# --- searching ------------------------------------------------------------------


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Where each value of ``input`` would go in the sorted last dim of ``sorted_sequence`` to keep it sorted:
    before equal values, or after them (``right=True`` / ``side='right'``). No graph.

    >>> import graphviz_grad as vg
    >>> edges = vg.tensor([1., 3., 5.])
    >>> vg.searchsorted(edges, vg.tensor([3., 4.])), vg.searchsorted(edges, 3, right=True)
    (tensor([1, 2]), tensor(2))
    """
    if side not in (None, "left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while "
                           "right was True")
    side = "right" if right or side == "right" else "left"
    seq = sorted_sequence._data
    xp = backend.xp_of(seq)
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    values = input._data if isinstance(input, Tensor) else xp.asarray(input)
    if seq.ndim > 1 and seq.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got boundaries "
                           f"tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    if seq.ndim == 1:
        found = xp.searchsorted(seq, values, side)
    else:
        rows, lines = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
        found = xp.stack([xp.searchsorted(s, v, side) for s, v in zip(rows, lines)]).reshape(values.shape)
    return Tensor._make(xp.asarray(found, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value of ``input`` among the sorted 1-D ``boundaries``: ``i`` such that
    ``boundaries[i-1] < x <= boundaries[i]`` (``right=True``: ``boundaries[i-1] <= x < boundaries[i]``).

    >>> import graphviz_grad as vg
    >>> vg.bucketize(vg.tensor([0.5, 3., 9.]), vg.tensor([1., 3., 5.]))
    tensor([0, 1, 3])
    """
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def _indices(fn, row, col, offset, dtype, device, numpy_indices):
    for name, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{name} must be non-negative, got{v}")
    d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.int64
    if d.np.kind not in "iu":
        raise NotImplementedError(f"\"{fn}\" not implemented for '{_dtype._TYPE_NAMES[d.name]}'")
    from ._creation import _finish

    return _finish(np.stack(numpy_indices(row, offset, col)).astype(d.np), None, device, False)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) indices of the upper triangle (from diagonal ``offset``) of a ``row × col`` matrix, as
    a 2 × N tensor.

    >>> import graphviz_grad as vg
    >>> vg.triu_indices(2, 3)
    tensor([[0, 0, 0, 1, 1],
            [0, 1, 2, 1, 2]])
    """
    return _indices("triu_indices", row, col, offset, dtype, device, np.triu_indices)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) indices of the lower triangle (to diagonal ``offset``), as a 2 × N tensor.

    >>> import graphviz_grad as vg
    >>> vg.tril_indices(3, 3, -1)
    tensor([[1, 2, 2],
            [0, 0, 1]])
    """
    return _indices("tril_indices", row, col, offset, dtype, device, np.tril_indices)


# --- distances --------------------------------------------------------------------------------------


def _norm_order(p):
    return float(p.item() if isinstance(p, Tensor) else p)


def dist(input, other, p=2):
    """``‖input - other‖_p`` over all elements (the two broadcast); ``p`` 0 counts the differing elements,
    ``inf`` takes the largest difference.

    >>> import graphviz_grad as vg
    >>> vg.dist(vg.tensor([0., 0.]), vg.tensor([3., 4.]))
    tensor(5.)
    """
    _tensors("dist", input, other)
    a, b = operands(input, other)
    if a._data.dtype.kind != "f":
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got {_name(a)} instead.")
    return ops.Dist.apply(a, b, p=_norm_order(p))


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The ``p``-distance between every row of ``x1`` (…, P, M) and every row of ``x2`` (…, R, M): (…, P, R).

    For ``p=2`` with more than 25 rows PyTorch computes ``sqrt(|a|² + |b|² - 2 a·b)`` with one matrix product
    (``compute_mode`` says when); so do we, with its numbers.

    >>> import graphviz_grad as vg
    >>> vg.cdist(vg.tensor([[0., 0.], [1., 1.]]), vg.tensor([[3., 4.]]))
    tensor([[5.0000],
            [3.6056]])
    """
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t._data.ndim}D")
    c1, c2 = x1._data.shape[-1], x2._data.shape[-1]
    if c1 != c2:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {c1} X2: {c2}")
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_name(t)}")
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(f"expected scalar type {_name(x1)} but found {_name(x2)}")
    p = _norm_order(p)
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mismatch = broadcast_message(x1._data.shape[:-2], x2._data.shape[:-2])
    if mismatch:
        raise RuntimeError(mismatch)
    r1, r2 = x1._data.shape[-2], x2._data.shape[-2]
    if p == 2 and (compute_mode == _CDIST_MODES[1] or (compute_mode == _CDIST_MODES[0] and (r1 > 25 or r2 > 25))):
        return _euclidean_dist(x1, x2)
    return ops.Cdist.apply(x1, x2, p=p)


def _euclidean_dist(x1, x2):
    """PyTorch's ``_euclidean_dist``: one product of ``[-2·x1, |x1|², 1]`` and ``[x2, 1, |x2|²]``."""
    from ._creation import ones_like

    n1, n2 = sum(pow(x1, 2), -1, True), sum(pow(x2, 2), -1, True)
    left = cat([mul(x1, -2), n1, ones_like(n1)], -1)
    right = cat([x2, ones_like(n2), n2], -1)
    return sqrt(clamp_min(matmul(left, transpose(right, -1, -2)), 1e-30))


# --- shapes: views, in-place shape changes, and tensors built from tensors ------------------------


def unfold(input, dimension, size, step):
    """A view of every window of ``size`` elements, ``step`` apart, along ``dimension``: that dim counts the
    windows and a new last dim runs through each one. Overlapping windows add their gradients.

    >>> import graphviz_grad as vg
    >>> vg.arange(5).unfold(0, 2, 2)
    tensor([[0, 1],
            [2, 3]])
    """
    data = input._data
    d = input._wrap_dim(dimension)
    n = data.shape[d] if data.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if data.ndim == 0:
        return reshape(input, size)
    return ops.Unfold.apply(input, dim=d, size=int(size), step=int(step))


def t_(input):
    """In place: :func:`t`. The tensor itself takes the new shape (its memory does not move), and its version
    goes up, as for any in-place op; ``transpose_``, ``squeeze_`` and ``unsqueeze_`` do the same.

    >>> import graphviz_grad as vg
    >>> x = vg.zeros(2, 3)
    >>> x.t_() is x, x.shape, x.unsqueeze_(0).shape, x.squeeze_().transpose_(0, 1).shape
    (True, graphviz_grad.Size([3, 2]), graphviz_grad.Size([1, 3, 2]), graphviz_grad.Size([2, 3]))
    """
    from ._functions import t

    if input._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return input._inplace_view(t)


def transpose_(input, dim0, dim1):
    return input._inplace_view(lambda x: transpose(x, dim0, dim1))


def squeeze_(input, dim=None):
    return input._inplace_view(lambda x: squeeze(x, dim))


def unsqueeze_(input, dim):
    return input._inplace_view(lambda x: unsqueeze(x, dim))


def rot90(input, k=1, dims=(0, 1)):
    """``input`` turned by ``k`` quarter turns in the plane ``dims``, from the first dim toward the second
    (a ``flip`` and a ``transpose``, as PyTorch composes it).

    >>> import graphviz_grad as vg
    >>> vg.tensor([[1, 2], [3, 4]]).rot90()
    tensor([[2, 4],
            [1, 3]])
    """
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == nd:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    d0, d1 = input._wrap_dim(dims[0]), input._wrap_dim(dims[1])
    k %= 4
    if k == 1:
        return transpose(flip(input, [d1]), d0, d1)
    if k == 2:
        return flip(input, [d0, d1])
    if k == 3:
        return transpose(flip(input, [d0]), d0, d1)
    return clone(input)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``x[1:] - x[:-1]``, ``n`` times; bool tensors: ``!=``),
    after ``prepend`` and ``append`` are joined on.

    >>> import graphviz_grad as vg
    >>> vg.tensor([1, 4, 9, 16]).diff(), vg.tensor([1, 4, 9, 16]).diff(n=2, prepend=vg.tensor([0]))
    (tensor([3, 5, 7]), tensor([2, 2, 2]))
    """
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    n = _int_arg("diff", n, "n", 2)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = input._wrap_dim(dim)
    if n == 0:
        return clone(input)
    parts = [t_ for t_ in (prepend, input, append) if t_ is not None]
    for t_ in parts:
        if t_._data.ndim != input._data.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    x = cat(parts, d) if len(parts) > 1 else input
    before = (slice(None),) * d
    for _ in range(min(n, x._data.shape[d])):
        later, earlier = getitem(x, before + (slice(1, None),)), getitem(x, before + (slice(None, -1),))
        x = later != earlier if x._data.dtype.kind == "b" else sub(later, earlier)
    return x


def block_diag(*tensors):
    """The tensors (at most 2-D; a 0-d or 1-D one is one row) as blocks down the diagonal of one matrix.

    >>> import graphviz_grad as vg
    >>> vg.block_diag(vg.tensor([[1, 2]]), vg.tensor(3))
    tensor([[1, 2, 0],
            [0, 0, 3]])
    """
    tensors = _tensor_list("block_diag", tensors)
    for i, t_ in enumerate(tensors):
        if t_._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t_._data.ndim} dimensions")
    if not tensors:
        from ._creation import zeros

        return zeros(1, 0)
    return ops.BlockDiag.apply(*_common_dtype(tensors))


def _vectors(tensors):
    for t_ in tensors:
        if t_._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t_._data.shape)}")


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, one per row (``itertools.product``'s order).

    >>> import graphviz_grad as vg
    >>> vg.cartesian_prod(vg.tensor([1, 2]), vg.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """
    tensors = _tensor_list("cartesian_prod", tensors)
    _vectors(tensors)
    if len(tensors) == 1:
        return tensors[0]
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if len({t_._data.dtype for t_ in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    return stack([flatten(g) for g in meshgrid(*tensors, indexing="ij")], 1)


def combinations(input, r=2, with_replacement=False):
    """Every ``r``-element combination of the elements of a 1-D tensor, one per row (``itertools``'s order).

    >>> import graphviz_grad as vg
    >>> vg.combinations(vg.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    _vectors([input])
    r = _int_arg("combinations", r, "r", 2)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._make(backend.xp_of(input._data).zeros(0, input._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = np.array(list(pick(range(input._data.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return stack([getitem(input, backend.to_device(rows[:, k], input.device)) for k in range(r)], 1)
