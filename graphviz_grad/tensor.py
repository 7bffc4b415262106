"""The Tensor: an array (NumPy or CuPy) plus what autograd needs.

Math methods and operators are attached in :mod:`graphviz_grad._tensor_methods`
from the op classes in :mod:`graphviz_grad.ops`; this module holds the core:
construction, metadata, conversion, in-place updates and ``backward``.

>>> import graphviz_grad as vg
>>> w = vg.tensor(2.0, requires_grad=True)
>>> y = w * 3 + 1
>>> y
tensor(7., grad_fn=<AddBackward0>)
>>> y.backward(); w.grad
tensor(3.)
"""
import sys
import warnings

import numpy as np

from . import _dtype, backend
from ._format import format_tensor
from ._warnings import warn_user
from . import autograd as _autograd
from .autograd import engine, function, grad_mode
from .autograd.hooks import state as _hook_state
from ._writes import note_write, owner_of, watched as _watched
from .autograd.engine import _graph_arrays

_grad_state = grad_mode.state


_float_warned = []  # float() of a tensor that requires grad has warned (once per process, as PyTorch)


class Tensor:
    __slots__ = (
        "_data",
        "requires_grad",
        "_grad",
        "grad_fn",
        "_version",
        "_name",
        "_retains_grad",
        "_zeroed_at",  # set by zero_() (never in _make): the version it left, see engine._accumulate
        "_spare_zeros",  # set by engine._accumulate (never in _make): the zeros it replaced, for the next zero_()
        "__weakref__",
        "__dict__",  # Parameter and user code may set attributes, as on torch tensors
    )

    def __init__(self, *args, requires_grad=False, dtype=None, device=None):
        # Tensor(...) directly: PyTorch's legacy constructor (see _creation.legacy_new):
        # Tensor([1, 2]) is float32, Tensor(2, 3) a 2×3 tensor
        from ._creation import legacy_new

        self._data = legacy_new(args, dtype, device)._data
        self.requires_grad = False
        self._grad = None
        self.grad_fn = None
        self._version = [0]
        self._name = None
        self._retains_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, version=None):
        """Wrap an array without copying or checking (the hot path of every op)."""
        t = object.__new__(cls)
        t._data = data
        t.requires_grad = False
        t._grad = None
        t.grad_fn = None
        t._version = [0] if version is None else version
        t._name = None
        t._retains_grad = False
        return t

    # --- metadata -------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return backend.device_of(self._data)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def name(self):
        """The label drawings use (``name=`` at creation, a parameter name, ...), or None."""
        return self._name

    @name.setter
    def name(self, value):
        self._name = None if value is None else str(value)

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    @property
    def _version_number(self):
        return self._version[0]

    def _wrap_dim(self, dim, ndim=None):
        ndim = self._data.ndim if ndim is None else ndim
        n = max(ndim, 1)
        if not -n <= dim < n:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
            )
        return dim % n

    # --- grad bookkeeping -----------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        if requires_grad and self.grad_fn is None and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point dtype can require gradients; "
                f"this one is {self.dtype}. Create it with dtype=float32, e.g. "
                "tensor([1., 2.], requires_grad=True)"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        if self.grad_fn is None:
            return
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        self._retains_grad = True

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def grad(self):
        """The gradient accumulated by ``backward()``; None for non-leaf tensors (see ``retain_grad``)."""
        g = self._grad
        if g is None and self.grad_fn is not None:
            if not self._retains_grad:
                warnings.warn(
                    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
                    UserWarning, stacklevel=2)
            return _non_leaf_grad(self)
        return g

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: {list(value.shape)} vs the tensor's {list(self.shape)}"
                )
        self._grad = value

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph's leaves, into their ``.grad``."""
        if gradient is None and inputs is None and not create_graph and self.grad_fn is not None:
            data = self._data
            if data.size == 1 and data.__class__ is np.ndarray:  # the usual loss.backward(): straight to the engine
                engine.run_backward([self], [_one_like(data)], bool(retain_graph))
                return
        _autograd.backward([self], None if gradient is None else [gradient], retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        raise NotImplementedError("tensor hooks are not supported by graphviz_grad yet")

    # --- conversion -----------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar; "
                "item() needs exactly one element (reduce it first, e.g. loss.sum().item())"
            )
        return self._data.item()

    def tolist(self):
        return backend.to_numpy(self._data).tolist()

    def numpy(self, force=False):
        if self.device.type != "cpu":
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                "the tensor to host memory first."
            )
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy(force=True) if self.device.type == "cpu" else self.cpu()._data
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def detach(self):
        """A new leaf sharing this tensor's data (and version counter), outside any graph."""
        return Tensor._make(self._data, self._version)

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    @property
    def data(self):
        """The values as a new leaf, with a version counter of its own (unlike ``detach()``, as in
        PyTorch: changes made through ``.data`` are invisible to autograd's checks)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``; copies only if needed."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        copy = kwargs.pop("copy", False)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, Tensor):
                dtype, device = a.dtype, a.device
            elif isinstance(a, (backend.device, str)) and not (isinstance(a, str) and a in _dtype._BY_NAME):
                device = a
            else:
                dtype = a
        dtype = _dtype.to_dtype(dtype)
        device = None if device is None else backend.device(device)
        from .ops.shape import ToCopy, ToIntegral

        same_dtype = dtype is None or dtype.np == self._data.dtype
        same_device = device is None or device == self.device
        if same_dtype and same_device and not copy:
            return self
        op = ToCopy if dtype is None or dtype.is_floating_point else ToIntegral
        return op.apply(self, dtype=None if dtype is None else dtype.np, device=device)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else backend.device(device) if not isinstance(device, int) else f"cuda:{device}")

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def bool(self):
        return self.to(_dtype.bool)

    def type_as(self, other):
        return self.to(other.dtype)

    def type(self, dtype=None):
        """``t.type()`` names the tensor type ('torch.FloatTensor'); ``t.type(torch.DoubleTensor)``,
        ``t.type('torch.LongTensor')`` or ``t.type(torch.float64)`` converts."""
        if dtype is None:
            return f"torch.{_dtype.type_name(self)}Tensor"
        if isinstance(getattr(dtype, "dtype", None), _dtype.dtype):  # FloatTensor, DoubleTensor, LongTensor
            dtype = dtype.dtype
        elif isinstance(dtype, str) and dtype.endswith("Tensor"):
            names = {f"torch.{kind}Tensor": name for name, kind in _dtype._TYPE_NAMES.items()}
            if dtype not in names:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = names[dtype]
        return self.to(dtype)

    def contiguous(self, memory_format=None):
        """``self`` when its elements lie in row-major order; else a row-major copy (``CloneBackward0``),
        as PyTorch: ``x.transpose(1, 2).contiguous().view(...)`` then views the copy."""
        if self.is_contiguous():
            return self
        from . import _functions

        return _functions.clone(self)

    def is_contiguous(self):
        return bool(self._data.flags.c_contiguous)

    def _is_view_of_any(self, tensors):
        base = getattr(self._data, "base", None)
        return any(base is not None and base is t._data for t in tensors)

    # --- Python protocol ------------------------------------------------------
    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (it has {self._data.size}); "
                "use .any() or .all()"
            )
        return bool(self._data.item())

    def __float__(self):
        """``float(t)``; on a tensor that requires grad, PyTorch's warning, once per process (as its
        ``TORCH_WARN_ONCE``): the number keeps no link to the graph (``t.item()`` does not warn).

        >>> import graphviz_grad as vg
        >>> float(vg.tensor(2.5))
        2.5
        """
        if self.requires_grad and not _float_warned:
            _float_warned.append(True)
            warn_user("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                      "Consider using tensor.detach() first.")
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError(f"only one element tensors can be converted to Python scalars (this one has "
                             f"{self._data.size}); pick one with t[i] or reduce it first, e.g. t.sum()")
        return self._data.item()

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)  # a number format needs one number: TypeError, as PyTorch

    __hash__ = object.__hash__

    def __repr__(self):
        extra = []
        if self.device.type != "cpu":
            extra.append(f"device='{self.device}'")
        if self._data.dtype not in (np.float32, np.int64, np.bool_) or self._data.size == 0:
            if not (self._data.dtype == np.float32):
                extra.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extra.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return format_tensor(backend.to_numpy(self._data), extra)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        raise TypeError(
            "graphviz_grad tensors are not picklable (checkpoints never use pickle); "
            "use graphviz_grad.save(obj, path) and graphviz_grad.load(path)"
        )

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol"
            )
        new = self.__class__._make(self._data.copy())
        new.requires_grad = self.requires_grad
        new._name = self._name
        if self._grad is not None:
            new._grad = Tensor._make(self._grad._data.copy())
        new.__dict__.update(self.__dict__)
        return new

    # --- in-place updates (the optimizer's and the tutorial's `w -= lr * grad`) ---
    def _bump(self):
        self._version[0] += 1

    def _writable(self):
        """Our array, ready to be written in place: every raw write of the package goes through here.

        A fresh ``.grad`` is the very array the backward delivered, which the graph keeps
        for drawing (``engine.share_with_graph``): before the first write into that memory,
        through any alias, the graph gets a copy, so that ``w.grad.mul_(0.5)`` (gradient
        clipping) changes the gradient, and every view of it, but not what the drawing shows
        flowed into ``w``. The write is counted (:mod:`graphviz_grad._writes`) for the
        summaries that wait for a reader.
        """
        data = self._data
        if _graph_arrays and id(owner_of(data)) in _graph_arrays:
            engine.unshare(data)  # through .grad itself, a view, .data or .detach(): the same memory
        if _watched[0]:
            note_write(data)
        return data

    def _check_inplace(self):
        if _grad_state.enabled and self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation. "
                "Wrap the update in `with torch.no_grad():` (e.g. `with torch.no_grad(): w -= lr * w.grad`)."
            )

    def _inplace(self, op_class, *others, **attrs):
        """Run ``op_class`` in place: mutate our array under no_grad, else rebind to the result."""
        grad_enabled = _grad_state.enabled
        if grad_enabled and self.requires_grad and self.grad_fn is None:
            self._check_inplace()  # raises: a leaf that requires grad
        needs_graph = grad_enabled and (self.requires_grad or any([o.requires_grad for o in others]))
        recorders = _hook_state.recorders
        if recorders and not needs_graph and op_class.inplace is not None and _take_inplace_ops(recorders):
            return self._inplace_recorded(recorders, op_class, others, attrs)
        if needs_graph or recorders:
            alias = Tensor._make(self._data, self._version)
            alias.requires_grad, alias.grad_fn, alias._name = self.requires_grad, self.grad_fn, self._name
            result = op_class.apply(alias, *others, **attrs)
            if result._data.shape != self._data.shape:
                raise _inplace_shape_error(self, result._data.shape)
            if needs_graph:
                self._adopt(result)
            else:
                try:
                    self._writable()[...] = result._data
                except ValueError as error:
                    raise _inplace_write_error(error, self, others) from None
                self._bump()
            for r in _hook_state.recorders:
                r.on_inplace(self, result)
            return self
        inplace = op_class.inplace
        data = self._writable()
        try:
            if inplace is None:
                data[...] = op_class.apply(self, *others, **attrs)._data
            elif len(others) == 1:
                inplace(data, others[0]._data)
            else:
                inplace(data, *[o._data for o in others])
        except ValueError as error:
            raise _inplace_write_error(error, self, others) from None
        self._version[0] += 1
        return self

    def _inplace_recorded(self, recorders, op_class, others, attrs):
        """``_inplace`` without a graph, while recording: the array written in place, the recorders told
        before and after (no alias op, no temporary result, no copy)."""
        for r in recorders:
            r.before_inplace(self, others)
        try:
            op_class.inplace(self._writable(), *[o._data for o in others])
        except ValueError as error:
            raise _inplace_write_error(error, self, others) from None
        self._version[0] += 1
        node = object.__new__(op_class)  # what the recorders label the op by: its class and arguments
        if attrs:
            for key, value in attrs.items():
                setattr(node, key, value)
            node.op_attrs = attrs
        for r in recorders:
            r.on_inplace_op(self, node, others)
        return self

    def _adopt(self, result):
        """Become ``result`` (an in-place op recorded in the graph) while keeping this object's identity.

        The old array is not written to: the op's node keeps it, under the old
        version counter. We take a new counter one step ahead, so nodes that saved
        our old value refuse to backward (as PyTorch's do), while the op's own
        saved input does not look modified.
        """
        earlier = self.grad_fn
        old = self._version
        self._data = result._data
        self.grad_fn = result.grad_fn
        self.requires_grad = result.requires_grad
        self._version = [old[0] + 1]
        if earlier is not None and earlier.output_version is old:
            earlier.output_version = self._version  # it saved the value we just changed: its backward refuses
        node = result.grad_fn
        if node is not None and node.output_version is result._version:
            node.output_version = self._version  # its saved output is our array from now on
            node.saved_output_version = self._version[0]

    def _inplace_view(self, view):
        """``t.t_()``, ``t.squeeze_()``, ...: become ``view(self)``, the same memory in another shape.

        As for any in-place op, a leaf that requires grad refuses under grad mode and the version
        goes up (so an op that saved this tensor refuses to backward); in the graph, the view op.
        """
        if _grad_state.enabled and self.requires_grad and self.grad_fn is None:
            self._check_inplace()  # raises
        alias = Tensor._make(self._data, self._version)
        alias.requires_grad, alias.grad_fn, alias._name = self.requires_grad, self.grad_fn, self._name
        result = view(alias)
        if result.grad_fn is not None:
            self._adopt(result)
        else:
            self._data = result._data
            self._bump()
        for r in _hook_state.recorders:
            r.on_inplace(self, result)
        return self

    def zero_(self):
        if self.requires_grad:
            self._check_inplace()
        if engine.replaceable(self):
            # A fresh .grad is the very array the backward delivered, which the graph keeps for
            # drawing, and nothing else sees: take zeros in its place, so that drawing the step
            # afterwards still shows its gradients (and no pass writes zeros).
            data = self._data
            spare = getattr(self, "_spare_zeros", None)  # the zeros the last backward replaced: still zeros
            if (spare is None or spare.__class__ is not data.__class__ or spare.shape != data.shape
                    or spare.dtype != data.dtype):
                spare = backend.xp_of(data).zeros(data.shape, data.dtype)
            self._data = spare
            self._spare_zeros = None
        else:
            self._writable()[...] = 0
        self._version[0] += 1
        self._zeroed_at = self._version[0]  # the next gradient accumulated into us may simply replace us
        if _hook_state.recorders:
            self._notify_inplace("zero_")
        return self

    def fill_(self, value):
        self._check_inplace()
        self._writable()[...] = value.item() if isinstance(value, Tensor) else value
        self._bump()
        self._notify_inplace("fill_")
        return self

    def copy_(self, src, non_blocking=False):
        if (isinstance(src, Tensor) and src.requires_grad and _grad_state.enabled and self._data.dtype.kind == "f"
                and self._data.base is None):  # (a view must write into its base: the raw write below does)
            if src._data.__class__ is not self._data.__class__:
                src = src.to(self.device)
            from .ops.shape import Copy

            return self._inplace(Copy, src)  # in the graph: the gradient flows back to src
        self._check_inplace()
        arr = src._data if isinstance(src, Tensor) else np.asarray(src)
        self._writable()[...] = backend.to_device(arr, self.device)
        self._bump()
        self._notify_inplace("copy_", (src,) if isinstance(src, Tensor) else ())
        return self

    def _notify_inplace(self, what, operands=(), key=None):
        """Tell the recorders of a write made without an op (``what``: ``"copy_"``...) that read ``operands``."""
        for r in _hook_state.recorders:
            r.on_inplace(self, None, what, operands, key)


def _take_inplace_ops(recorders):
    """Every recorder handles an in-place op reported by ``before_inplace``/``on_inplace_op``."""
    for r in recorders:
        if not getattr(r, "takes_inplace_ops", False):
            return False
    return True


def _inplace_write_error(error, tensor, others):
    """PyTorch's RuntimeError for NumPy's ValueError of an in-place write; any other ValueError as it was."""
    text = str(error)
    if "read-only" in text:  # an expand()ed tensor: many elements share one memory location
        return RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    if "broadcast" not in text:
        return error
    shapes = [tensor._data.shape] + [o._data.shape for o in others]
    for other in shapes[1:]:
        mismatch = function.broadcast_message(shapes[0], other)
        if mismatch:
            return RuntimeError(mismatch)
    return _inplace_shape_error(tensor, np.broadcast_shapes(*shapes))


def _inplace_shape_error(tensor, shape):
    """PyTorch's error for an in-place op whose result would not have the tensor's shape."""
    return RuntimeError(
        f"output with shape {list(tensor._data.shape)} doesn't match the broadcast shape {list(shape)}: "
        "an in-place op cannot change a tensor's shape; write `x = x + y` to get the broadcast result"
    )


_ONES = {}  # dtype -> a 1-element array of one, copied for each loss.backward()


def _one_like(data):
    """A new array of one with ``data``'s shape (one element) and dtype: np.ones costs 5× a copy."""
    one = _ONES.get((data.dtype, data.shape))
    if one is None:
        one = _ONES[(data.dtype, data.shape)] = np.ones(data.shape, dtype=data.dtype)
    return one.copy()


class Size(tuple):
    """A tensor's shape: a tuple that prints like ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"graphviz_grad.Size({list(self)})"

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item  # shape[1:] is a Size too

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        return Size(tuple.__add__(other, self))

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


class _NonLeafGrad:
    """What ``.grad`` of a non-leaf tensor is when the classic ``w = w - lr * w.grad`` slip happened.

    It compares equal to None and is falsy, like PyTorch's None, but using it in
    arithmetic raises PyTorch's TypeError with an explanation of the mistake.
    """

    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message

    def __bool__(self):
        return False

    def __eq__(self, other):
        return other is None or isinstance(other, _NonLeafGrad)

    def __hash__(self):
        return hash(None)

    def __repr__(self):
        return "None"

    def _fail(self, *args):
        raise TypeError(self.message)

    __mul__ = __rmul__ = __add__ = __radd__ = __sub__ = __rsub__ = _fail
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __neg__ = _fail

    def __getattr__(self, name):
        raise AttributeError(self.message)


def _non_leaf_grad(t):
    """None, or the explaining stand-in when ``t`` looks like ``w = w - lr * w.grad``."""
    fn = t.grad_fn
    if t._retains_grad or fn.__class__.name not in ("sub", "add") or len(fn.inputs) != 2:
        return None
    a, b = fn.inputs
    if not (a.grad_fn is None and a.requires_grad and not b.requires_grad):
        return None
    if a._grad is None:
        return None
    name = t._name or _caller_name(t) or "w"
    return _NonLeafGrad(
        f"{name}.grad is None: {name} is no longer a leaf tensor. `{name} = {name} - lr * {name}.grad` "
        f"made a new tensor computed from the old {name} (it has grad_fn={fn!r}), and backward() only "
        f"fills .grad of leaf tensors. Update the weights in place instead: "
        f"`with torch.no_grad(): {name} -= lr * {name}.grad`, then `{name}.grad.zero_()`."
    )


def _caller_name(t):
    """The variable name bound to ``t`` in the nearest user frame, if any."""
    frame = sys._getframe(1)
    here = __name__.rpartition(".")[0]
    while frame is not None and frame.f_globals.get("__name__", "").startswith(here):
        frame = frame.f_back
    if frame is None:
        return None
    for scope in (frame.f_locals, frame.f_globals):
        for k, v in scope.items():
            if v is t and not k.startswith("_"):
                return k
    return None


function._Tensor = Tensor
