"""Ops that move data around: views, indexing, joining, copies, ``where``."""
import numpy as np

from ..autograd.function import Op
from ..backend import to_device, xp_of
from .indexing import accumulate


class Reshape(Op):
    name = "reshape"
    derivatives = ("grad reshaped to a's shape",)
    is_view = True
    grad_fn_varies = True

    def grad_fn_name(self):
        return "ViewBackward0" if self.viewed else "UnsafeViewBackward0"  # (a copy when not contiguous)

    def forward(self, a):
        self.in_shape = a.shape
        try:
            out = a.reshape(self.shape)
        except ValueError:
            raise RuntimeError(
                f"shape '{list(self.shape)}' is invalid for input of size {a.size}"
            ) from None
        base = out.base
        self.viewed = base is not None and (base is a or base is a.base)  # (NumPy copies what it cannot view)
        return out

    def backward(self, grad):
        return (grad.reshape(self.in_shape),)


class Flatten(Reshape):
    name = "flatten"


class Transpose(Op):
    name = "transpose"
    derivatives = ("gradᵀ",)
    is_view = True

    def forward(self, a):
        return a.swapaxes(self.dim0, self.dim1) if a.ndim > 1 else a

    def backward(self, grad):
        return (grad.swapaxes(self.dim0, self.dim1) if grad.ndim > 1 else grad,)


class Permute(Op):
    name = "permute"
    derivatives = ("grad permuted back",)
    is_view = True

    def forward(self, a):
        return a.transpose(self.dims)

    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return (grad.transpose(inverse),)


class Expand(Op):
    name = "expand"
    derivatives = ("grad summed over the expanded dims",)
    is_view = True

    def forward(self, a):
        return xp_of(a).broadcast_to(a, self.shape)

    def backward(self, grad):
        return (grad,)  # the engine sums it back to a's shape


class Squeeze(Op):
    name = "squeeze"
    derivatives = ("grad reshaped to a's shape",)
    is_view = True
    dim = None

    grad_fn_varies = True

    def grad_fn_name(self):
        return "SqueezeBackward0" if self.dim is None else "SqueezeBackward1" if len(self.dim) == 1 else "SqueezeBackward2"

    def forward(self, a):
        self.in_shape = a.shape
        if self.dim is None:
            return a.squeeze()
        dims = tuple(d for d in self.dim if a.shape[d] == 1) if a.ndim else ()
        return a.squeeze(dims) if dims else a

    def backward(self, grad):
        return (grad.reshape(self.in_shape),)


class Unsqueeze(Op):
    name = "unsqueeze"
    derivatives = ("grad reshaped to a's shape",)
    is_view = True

    def forward(self, a):
        self.in_shape = a.shape
        return xp_of(a).expand_dims(a, self.dim)

    def backward(self, grad):
        return (grad.reshape(self.in_shape),)


def is_basic_index(key):
    """True for ints, slices, None and Ellipsis only (NumPy returns a view, no repeats)."""
    items = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in items)


class _Slot:
    """Where a tensor stands in an index key (``C[Xb]``, ``x[:, ix]``): the tensor is an input of the op
    (drawn as one, as in PyTorch's ``index(self, indices)``), its array put in the slot by forward."""

    __slots__ = ()

    def __repr__(self):
        return "·"


SLOT = _Slot()


def fill_key(key, arrays):
    """``key`` with each :data:`SLOT` replaced by the next of ``arrays`` (a 0-d integer one as an int: a
    view, as PyTorch's ``x[torch.tensor(1)]``) and each ``range`` by its array; ``key`` itself when it has
    neither."""
    if not arrays and not (key.__class__ is tuple and range in map(type, key)):
        return key
    if key is SLOT:
        return _index_array(arrays[0])
    it = iter(arrays)
    return tuple(_index_array(next(it)) if k is SLOT else np.arange(k.start, k.stop, k.step) if k.__class__ is range
                 else k for k in key)


def _index_array(a):
    return int(a) if a.ndim == 0 and a.dtype.kind in "iu" else a


class Index(Op):
    """``a[key]``: basic slicing, integer-array and boolean-mask indexing; index tensors are inputs after ``a``.

    >>> import graphviz_grad as vg
    >>> C, Xb = vg.ones(5, 2, requires_grad=True), vg.tensor([[0, 1], [1, 1]])
    >>> C[Xb].grad_fn.inputs[1] is Xb, C[:, Xb[0]].shape
    (True, graphviz_grad.Size([5, 2]))
    """

    name = "index"
    derivatives = ("grad scattered back into a's shape",)
    broadcasts = None  # (index arrays that do not broadcast: NumPy's IndexError says so)

    grad_fn_varies = True

    def grad_fn_name(self):
        """PyTorch's: the last of select (an int), slice or unsqueeze (None) it applies, else index."""
        key = self.key if isinstance(self.key, tuple) else (self.key,)
        last = "SliceBackward0"  # x[:]
        for k in key:
            if k is Ellipsis or (isinstance(k, slice) and k == slice(None)):
                continue
            if isinstance(k, (int, np.integer)) or (getattr(k, "ndim", None) == 0 and k.dtype.kind in "iu"):
                last = "SelectBackward0"  # (x[torch.tensor(1)] too)
            elif isinstance(k, slice):
                last = "SliceBackward0"
            elif k is None:
                last = "UnsqueezeBackward0"
            else:
                return "IndexBackward0"
        return last

    @property
    def next_functions(self):
        """The indexed tensor's only: the index tensors take no gradient (as PyTorch's ``IndexBackward0``)."""
        return super().next_functions[:1]

    def forward(self, a, *index_arrays):
        self.shape, self.dtype = a.shape, a.dtype
        given = self.key
        key = fill_key(given, index_arrays)
        if key is not given:  # (subclasses such as Unbind compute their key: nothing to fill there)
            self.key = key
        try:
            out = a[self.key]
            if out.__class__ is not a.__class__ and is_basic_index(self.key):
                # one element (x[0] of a vector): NumPy gives a scalar; PyTorch a 0-d view, written through
                key = self.key if isinstance(self.key, tuple) else (self.key,)
                out = a[key + (Ellipsis,)]
            return out
        except IndexError as e:
            raise IndexError(f"{e} (tensor of shape {list(a.shape)})") from None

    def backward(self, grad):
        xp = xp_of(grad)
        key = self.key
        if not is_basic_index(key):
            rows = _integer_rows(key, self.shape)
            if rows is not None:  # C[X], logits[arange(n), Y]: repeated rows add up, by bincount
                lead = len(key) if isinstance(key, tuple) else 1
                n = 1
                for s in self.shape[:lead]:
                    n *= s
                return (accumulate(grad, (n,) + self.shape[lead:], rows, grad).reshape(self.shape),) + \
                    (None,) * (len(self.inputs) - 1)
        out = xp.zeros(self.shape, dtype=grad.dtype)
        if is_basic_index(key):
            out[key] = grad
        else:
            xp.add.at(out, key, grad)  # repeated indices accumulate
        return (out,) + (None,) * (len(self.inputs) - 1)


def _integer_rows(key, shape):
    """For a key of integer arrays only (``X``, or ``(rows, cols)``) on the leading dims: the flat row each
    picked element comes from, in the array of those dims; else None."""
    keys = key if isinstance(key, tuple) else (key,)
    if not keys or len(keys) > len(shape):
        return None
    for k in keys:
        if getattr(k, "dtype", None) is None or k.dtype.kind not in "iu" or not hasattr(k, "shape"):
            return None
    xp = xp_of(keys[0])
    if len(keys) == 1:
        k = keys[0]
        return k if k.size == 0 or k.min() >= 0 else k % shape[0]
    return xp.ravel_multi_index(xp.broadcast_arrays(*keys), shape[:len(keys)], mode="wrap")


class SetItem(Op):
    """``a[key] = v`` with autograd: the result is a copy of ``a`` with the slot replaced."""

    name = "setitem"
    torch_grad_fn = "CopySlices"
    broadcasts = None  # the value against the indexed region: NumPy's message says which
    derivatives = ("grad with the slot zeroed", "grad[key]")

    def forward(self, a, v, *index_arrays):
        given = self.key
        key = fill_key(given, index_arrays)  # (the key's tensors are inputs after v, as for Index)
        if key is not given:
            self.key = key
        out = a.copy()
        out[self.key] = v
        return out

    def backward(self, grad):
        na, nv = self.needs_input_grad[:2]
        ga = gv = None
        if na:
            ga = grad.copy()
            ga[self.key] = 0
        if nv:
            gv = grad[self.key]
        return (ga, gv) + (None,) * (len(self.inputs) - 2)

    @property
    def next_functions(self):
        return super().next_functions[:2]


class Cat(Op):
    name = "cat"
    derivatives = ("grad split along dim",)

    def forward(self, *arrays):
        self.sizes = [a.shape[self.dim] for a in arrays]
        return xp_of(arrays[0]).concatenate(arrays, axis=self.dim)

    def backward(self, grad):
        xp = xp_of(grad)
        bounds = list(_cumsum(self.sizes))[:-1]
        return tuple(xp.split(grad, bounds, axis=self.dim))


class Stack(Op):
    name = "stack"
    derivatives = ("grad unstacked along dim",)

    def forward(self, *arrays):
        return xp_of(arrays[0]).stack(arrays, axis=self.dim)

    def backward(self, grad):
        xp = xp_of(grad)
        return tuple(xp.take(grad, i, axis=self.dim) for i in range(grad.shape[self.dim]))


def _cumsum(sizes):
    total = 0
    for s in sizes:
        total += s
        yield total


class Clone(Op):
    name = "clone"
    derivatives = ("grad",)

    def forward(self, a):
        return a.copy()

    def backward(self, grad):
        return (grad,)


class Copy(Op):
    """``a.copy_(b)`` with a graph: ``b``'s values, broadcast to ``a``'s shape and cast to its dtype.

    ``a``'s old values are overwritten, so its gradient is zero (as in PyTorch).
    """

    name = "copy"
    torch_grad_fn = "CopyBackwards"
    derivatives = ("0", "grad")

    def forward(self, a, b):
        out = xp_of(a).empty_like(a)
        out[...] = b
        return out

    def backward(self, grad):
        na, _ = self.needs_input_grad
        return (xp_of(grad).zeros_like(grad) if na else None), grad


class ToCopy(Op):
    """Change of dtype and/or device; the gradient goes back to the input's."""

    name = "to"
    derivatives = ("grad (cast back)",)
    dtype = None
    device = None

    def forward(self, a):
        self.in_dtype = a.dtype
        out = a if self.device is None else to_device(a, self.device)
        self.in_device = None if self.device is None else _device_of(a)
        if self.dtype is not None:
            out = out.astype(self.dtype)
        elif out is a:
            out = a.copy()
        return out

    def backward(self, grad):
        g = grad if self.in_device is None else to_device(grad, self.in_device)
        return (g.astype(self.in_dtype, copy=False),)


class ToIntegral(ToCopy):
    """A cast to an integer or bool dtype: like PyTorch, its result never requires grad."""

    differentiable = False


def _device_of(a):
    from ..backend import device_of

    return device_of(a)


class Where(Op):
    """``where(cond, a, b)``: ``cond`` is input 0 and gets no gradient."""

    name = "where"
    derivatives = ("—", "grad where cond", "grad where not cond")
    saves_tensors = True  # the condition

    def forward(self, cond, a, b):
        self.cond = cond.astype(bool, copy=False)
        return xp_of(a).where(self.cond, a, b)

    def backward(self, grad):
        _, na, nb = self.needs_input_grad
        zero = grad.dtype.type(0)
        xp = xp_of(grad)
        return None, (xp.where(self.cond, grad, zero) if na else None), (
            xp.where(self.cond, zero, grad) if nb else None)
