"""``Op.apply``: the one place where a result tensor gets its graph node.

Built-in ops subclass :class:`Op` and work on raw arrays (NumPy or CuPy);
user code subclasses :class:`Function`, whose ``forward``/``backward`` work on
Tensors, exactly as ``torch.autograd.Function``.

An op instance *is* its graph node (PyTorch's ``grad_fn``): it keeps the input
tensors (edges of the graph, so a diagram can be drawn before or after
backward), what its backward needs, and the text of its local derivative.

>>> import graphviz_grad as vg
>>> class Double(vg.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         return x * 2
...     @staticmethod
...     def backward(ctx, grad):
...         return grad * 2
>>> x = vg.tensor(3.0, requires_grad=True)
>>> y = Double.apply(x)
>>> y.backward(); x.grad
tensor(2.)
"""
import itertools

import numpy as np

from . import grad_mode, hooks

_grad_state = grad_mode.state
_hook_state = hooks.state
_next_seq = itertools.count().__next__
_Tensor = None  # graphviz_grad.tensor.Tensor, bound when that module loads
_ndarray = np.ndarray
_new_object = object.__new__


def _as_array(value):
    """An op's result as an array: a NumPy scalar becomes a 0-d array; CuPy arrays pass."""
    if isinstance(value, np.generic):
        return np.asarray(value)
    return value


class _OpName(str):
    """An op class's ``name`` (``"mul"``): the string itself on the class; on a node (a ``grad_fn``) also
    callable, as PyTorch's ``grad_fn.name()`` (``"MulBackward0"``)."""

    def __get__(self, node, cls=None):
        return self if node is None else _NodeName(self, node)


class _NodeName(str):
    def __new__(cls, text, node):
        name = str.__new__(cls, text)
        name._node = node
        return name

    def __call__(self):
        """PyTorch's name of this ``grad_fn``: ``MulBackward0``."""
        return self._node.grad_fn_name()


class Op:
    """One differentiable operation: ``forward`` on arrays, ``backward`` on arrays.

    Class attributes a subclass sets:

    - ``name``: the op's name in the graph (``"mul"``, ``"mm"``, ...).
    - ``derivatives``: per input, the local rule as text, in terms of the input
      names ``a``, ``b`` and the output ``out``, e.g. ``("grad · b", "grad · a")``.
    - ``saved_inputs``: positions of inputs whose values backward reads; an
      in-place change to one of them before backward is an error.
    - ``saved_for``: per saved input, the inputs whose gradients read it
      (``((1,), (0,))`` for ``a * b``: ``a`` is read only for ``b``'s gradient); a
      saved input no gradient needs is not checked, as PyTorch does not save it.
      None: every gradient reads every saved input.
    - ``saves_output``: backward reads the output's value.
    - ``saves_tensors``: backward reads arrays saved in forward, so a second backward
      without ``retain_graph`` is an error; by default true when ``saved_inputs`` or
      ``saves_output`` says so. Ops that save nothing (add, sum, views) can be
      backwarded through twice, as in PyTorch.
    - ``broadcasts``: how the inputs' shapes broadcast, for PyTorch's error when they do not:
      ``"elementwise"`` (the default), ``"batch"`` (all but the last two dims, matmul) or None
      (NumPy's own message).
    - ``differentiable``: False for comparisons and other ops without a gradient.
    - ``is_view``: the output shares memory (and the version counter) with input 0.
    """

    name = "op"
    derivatives = ()
    saved_inputs = ()
    saved_for = None
    saves_output = False
    saves_tensors = False
    broadcasts = "elementwise"
    differentiable = True
    is_view = False
    inplace = None  # e.g. operator.isub: how to run this op in place on arrays under no_grad
    torch_grad_fn = None  # PyTorch's name for the grad_fn when it is not <Class>Backward0 (see grad_fn_name)
    grad_fn_varies = False  # grad_fn_name depends on the call (shapes, arguments), not only on the class
    # Set per instance by apply():
    inputs = ()
    needs_input_grad = ()
    seq = -1
    module = None
    freed = False
    output_version = None
    saved_versions = ()
    saved_output_version = None
    function = None  # the user's Function class, on the nodes of custom Functions
    next_fns = ()  # per input, its grad_fn when this op ran (None for a leaf): the edges backward follows

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name").__class__ is str:
            cls.name = _OpName(cls.name)  # (grad_fn.name() as in PyTorch)
        if "saves_tensors" not in cls.__dict__:
            cls.saves_tensors = cls.saves_tensors or bool(cls.saved_inputs) or cls.saves_output

    def forward(self, *arrays):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad):  # pragma: no cover - abstract
        """Return one array (or None) per input: the gradient that flows to it."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **attrs):
        # The hot path of every op: no per-op imports, copies or isinstance chains.
        node = _new_object(cls)
        if attrs:
            for key, value in attrs.items():  # (setattr keeps the instance's compact attribute storage;
                setattr(node, key, value)     # __dict__.update would build a real dict per node)
            node.op_attrs = attrs  # the non-tensor arguments, for labels in drawings
        n = len(inputs)
        try:
            if n == 2:
                a, b = inputs
                out = node.forward(a._data, b._data)
            elif n == 1:
                out = node.forward(inputs[0]._data)
            else:
                out = node.forward(*[t._data for t in inputs])
        except ValueError as error:
            raise _broadcast_error(error, cls, inputs) from None
        if out.__class__ is not _ndarray:
            out = _as_array(out)  # NumPy turns 0-d results into scalars, which in-place ops cannot write
        result = _new_object(_Tensor)
        result._data = out
        result.requires_grad = False
        result._grad = None
        result.grad_fn = None
        result._version = inputs[0]._version if cls.is_view else [0]
        result._name = None
        result._retains_grad = False
        if _grad_state.enabled and cls.differentiable:
            if n == 2:
                needs = (a.requires_grad, b.requires_grad)
            elif n == 1:
                needs = (inputs[0].requires_grad,)
            else:
                needs = tuple([t.requires_grad for t in inputs])
            if True in needs:
                node.inputs = inputs
                node.needs_input_grad = needs
                if n == 2:
                    node.next_fns = (a.grad_fn, b.grad_fn)
                elif n == 1:
                    node.next_fns = (inputs[0].grad_fn,)
                else:
                    node.next_fns = tuple([t.grad_fn for t in inputs])
                node.seq = _next_seq()
                node.module = _hook_state.module
                saved = cls.saved_inputs
                if saved and cls.saved_for is not None and False in needs:
                    kept = _NEEDED.get((cls, needs))
                    saved = node.saved_inputs = kept if kept is not None else _needed(cls, needs)
                if saved:
                    if n == 2 and saved == (0, 1):
                        node.saved_versions = (a._version[0], b._version[0])
                    else:
                        node.saved_versions = tuple([inputs[i]._version[0] for i in saved])
                if cls.saves_output:
                    node.output_version = result._version
                    node.saved_output_version = result._version[0]
                result.requires_grad = True
                result.grad_fn = node
        if _hook_state.recorders:
            for recorder in _hook_state.recorders:
                recorder.on_op(node, inputs, result)
        return result

    # --- used by the engine -------------------------------------------------
    def check_versions(self):
        """Raise PyTorch's error if a saved tensor was changed in place since forward."""
        if self.saved_versions:
            inputs = self.inputs
            for i, v in zip(self.saved_inputs, self.saved_versions):
                t = inputs[i]
                if t._version[0] != v:
                    _raise_modified(self, t, v)
        if self.output_version is not None and self.output_version[0] != self.saved_output_version:
            _raise_modified(self, None, self.saved_output_version)

    def release(self):
        """Free what backward needed (``retain_graph=False``); the edges stay for drawing.

        Only an op that saved tensors refuses a second backward: with nothing saved
        (add, sum, views) PyTorch runs it again and accumulates, and so do we.
        """
        if self.saves_tensors:
            self.freed = True

    def grad_fn_name(self):
        """The class name PyTorch gives this op's ``grad_fn``: ``MulBackward0``, ``AddmmBackward0``, ..."""
        return self.torch_grad_fn or type(self).__name__ + "Backward0"

    def __repr__(self):
        return f"<{self.grad_fn_name()}>"

    @property
    def next_functions(self):
        """PyTorch-style ``(node, 0)`` pairs; a leaf is shown by its AccumulateGrad stand-in."""
        out = []
        fns = self.next_fns or [t.grad_fn for t in self.inputs]
        for t, fn, need in zip(self.inputs, fns, self.needs_input_grad):
            if not need:
                out.append((None, 0))
            elif fn is not None:
                out.append((fn, 0))
            else:
                out.append((AccumulateGrad(t), 0))
        return tuple(out)

    def name_of(self):
        return self.grad_fn_name()


class AccumulateGrad:
    """Stand-in node for a leaf in ``next_functions`` (as in PyTorch)."""

    def __init__(self, variable):
        self.variable = variable

    def __repr__(self):
        return "<AccumulateGrad>"

    def name(self):
        return "torch::autograd::AccumulateGrad"


_NEEDED = {}  # (op class, needs_input_grad) -> the saved inputs those gradients read


def _needed(cls, needs):
    """The saved inputs of ``cls`` that the gradients in ``needs`` read (see ``Op.saved_for``), cached."""
    n = len(needs)
    kept = _NEEDED[(cls, needs)] = tuple(
        [i for i, users in zip(cls.saved_inputs, cls.saved_for) if any(u < n and needs[u] for u in users)])
    return kept


def _broadcast_error(error, cls, inputs):
    """PyTorch's RuntimeError for shapes that do not broadcast (see ``Op.broadcasts``); any other
    ValueError as it was."""
    if "broadcast" not in str(error):
        return error
    shapes = [tuple(t._data.shape) for t in inputs]
    if cls.broadcasts == "batch":  # matmul: the dims before the last two
        shapes = [s[:-2] for s in shapes]
    message = None
    if cls.broadcasts and len(shapes) >= 2:
        message = next(filter(None, (broadcast_message(shapes[0], s) for s in shapes[1:])), None)
    return RuntimeError(message or str(error))


def broadcast_message(a, b):
    """``The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1``,
    or None when shapes ``a`` and ``b`` broadcast.

    >>> broadcast_message((2, 3), (2, 4))
    'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'
    >>> broadcast_message((2, 3), (3,)) is None
    True
    """
    n = max(len(a), len(b))
    for i in range(n - 1, -1, -1):
        sa = a[i - n + len(a)] if i - n + len(a) >= 0 else 1
        sb = b[i - n + len(b)] if i - n + len(b) >= 0 else 1
        if sa != sb and 1 not in (sa, sb):
            return f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton dimension {i}"
    return None


def _raise_modified(node, tensor, expected):
    what = "a saved output" if tensor is None else f"an input of shape {list(tensor.shape)}"
    now = node.output_version[0] if tensor is None else tensor._version[0]
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what} of {node.grad_fn_name()} is at version {now}; expected version "
        f"{expected} instead. Hint: do the in-place update (e.g. `w -= lr * w.grad`) after "
        "backward(), or use an out-of-place op (`x = x * 2`) before it."
    )


# --- user-defined functions -------------------------------------------------


class FunctionCtx:
    """The ``ctx`` handed to a custom Function: save tensors, keep any attribute."""

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._saved_versions = tuple(None if t is None else t._version[0] for t in tensors)

    @property
    def saved_tensors(self):
        if self.freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Pass retain_graph=True to the "
                "first backward() if you need to call it twice."
            )
        saved = getattr(self, "_saved", ())
        for t, v in zip(saved, self._saved_versions):
            if t is not None and t._version[0] != v:
                _raise_modified(self, t, v)
        return saved

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self._materialize_grads = value


class CustomNode(FunctionCtx, Op):
    """Graph node of a user Function: named after the user's class."""

    function = None  # the user's Function subclass
    name = "function"

    def check_versions(self):
        pass  # saved_tensors checks on access, as PyTorch does

    def release(self):
        self.freed = bool(getattr(self, "_saved", ()))  # a second backward fails only if tensors were saved

    def grad_fn_name(self):
        return self.function.__name__ + "Backward"

    def backward(self, grad):
        grad_t = _Tensor._make(grad)
        prev = _grad_state.enabled
        _grad_state.enabled = False
        # ctx.needs_input_grad has one flag per argument of forward; the engine's has one per tensor
        engine_needs, self.needs_input_grad = self.needs_input_grad, self.arg_needs_grad
        try:
            result = self.function.backward(self, grad_t)
        finally:
            _grad_state.enabled = prev
            self.needs_input_grad = engine_needs
        if not isinstance(result, tuple):
            result = (result,)
        n_args = len(self.arg_is_tensor)
        if len(result) > n_args and all(g is None for g in result[n_args:]):
            result = result[:n_args]  # trailing Nones are allowed, as in PyTorch
        if len(result) != n_args:
            raise RuntimeError(
                f"function {self.function.__name__}Backward returned an incorrect number of "
                f"gradients (expected {n_args}, got {len(result)})"
            )
        grads = []
        for is_tensor, g in zip(self.arg_is_tensor, result):
            if not is_tensor:
                continue
            if g is not None and not isinstance(g, _Tensor):
                raise TypeError(
                    f"{self.function.__name__}.backward must return Tensors or None, got {type(g).__name__}"
                )
            grads.append(None if g is None else g._data)
        return tuple(grads)


class FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        # One node class per user Function so drawings show the user's class name.
        cls._node_class = type(name + "Backward", (CustomNode,), {"function": cls, "name": name})


class Function(metaclass=FunctionMeta):
    """Base class of user-defined differentiable functions (``torch.autograd.Function``).

    Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``
    and call ``MyFunction.apply(*args)``; the drawing names the op after the class.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement the backward function for custom autograd.Function.")

    @classmethod
    def apply(cls, *args, **kwargs):
        node = cls._node_class()
        tensors = tuple(a for a in args if isinstance(a, _Tensor))
        node.arg_is_tensor = tuple(isinstance(a, _Tensor) for a in args)
        node.needs_input_grad = node.arg_needs_grad = tuple(isinstance(a, _Tensor) and a.requires_grad for a in args)
        recorders = _hook_state.recorders
        for recorder in recorders:
            recorder.on_function_start(node, tensors)
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            out = cls.forward(node, *args, **kwargs)
        finally:
            _grad_state.enabled = prev
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        results = []
        for o in outs:
            if isinstance(o, _Tensor):
                if any(o is t for t in tensors) or o._is_view_of_any(tensors):
                    o = o.detach()  # the output must be a new node, not an input
                o = _Tensor._make(o._data, version=o._version)
            results.append(o)
        needs = tuple(t.requires_grad for t in tensors)
        if prev and True in needs:
            if sum(isinstance(o, _Tensor) for o in results) != 1:
                raise NotImplementedError(
                    "graphviz_grad supports custom Functions with exactly one Tensor output"
                )
            node.inputs = tensors
            node.needs_input_grad = needs
            node.next_fns = tuple([t.grad_fn for t in tensors])
            node.seq = _next_seq()
            node.module = _hook_state.module
            non_diff = getattr(node, "_non_differentiable", ())
            for o in results:
                if isinstance(o, _Tensor) and not any(o._data is n._data for n in non_diff):
                    o.requires_grad = True
                    o.grad_fn = node
        for recorder in recorders:
            recorder.on_function_end(node, tensors, results)
        return results[0] if single else tuple(results)


class once_differentiable:
    def __new__(cls, fn):
        return fn
