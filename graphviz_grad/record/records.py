"""Records: what the graph model is built from, captured from tensors and autograd nodes.

A :class:`TensorRecord` is one tensor at one version (summaries, never the
array); an :class:`OpRecord` one executed op; a :class:`BackwardStep` one step
of the engine's backward walk. Records hold no reference to tensors, arrays or
autograd nodes (only weak ones: ``ref``, set by a tape that looks a record up by
its tensor or node, and a lazy summary's), so keeping them never keeps a graph
alive. Both ``vg.graph(t)``
(from an autograd graph) and ``tape.graph()`` (from recorded events) produce
records, and :func:`graphviz_grad.record.graph.build` turns them into the model.

>>> import graphviz_grad as vg
>>> w = vg.tensor(2.0, requires_grad=True, name="w")
>>> y = w * 3
>>> op = capture_op(y.grad_fn, [capture_tensor(w), capture_tensor(y.grad_fn.inputs[1])],
...                 capture_tensor(y))
>>> op.op, op.grad_fn, op.derivative, op.inputs[0].name, op.inputs[0].data
('mul', 'MulBackward0', ('grad · b', 'grad · a'), 'w', {'numel': 1, 'values': 2.0})
"""
import re

import numpy as np

from .summary import LazyStats, capture, format_number, thumbnail, value_text

_ndarray = np.ndarray


class Ident:
    """What every version of one tensor object shares: its variable name and where it came from.

    The defaults are class attributes, so that ``object.__new__(Ident)`` (one per recorded op's output,
    on the hot path of recording) is a new identity with nothing set.
    """

    var = None  # caller variable name, found by naming.name_variables
    external = False  # first seen as an input, not made by a recorded op
    grad_of = None  # the TensorRecord whose .grad this tensor is
    depth = None  # stack depth of the frame that gave ``var`` (an outer frame's name wins)
    state_of = None  # (TensorRecord of a parameter, key): an optimizer's state buffer of it

    def __init__(self, external=False, grad_of=None):
        if external:
            self.external = external
        if grad_of is not None:
            self.grad_of = grad_of


class TensorRecord:
    """One tensor at one version: metadata and summaries of its data and gradient.

    ``data`` and ``grad`` are summaries as :func:`.summary.capture` makes them while
    recording (a large array's statistics still unrounded, as a tuple);
    :func:`.summary.as_dict` turns them into the schema's dicts when a graph or the
    events are built.
    """

    __slots__ = ("_ident", "name", "shape", "dtype", "device", "requires_grad", "is_leaf", "is_param",
                 "data", "grad", "module", "version", "array_id", "image", "grad_image", "ref")

    @property
    def ident(self):
        """The :class:`Ident` this version shares with the others of its tensor; made when first asked for
        (most recorded tensors have one version and are never named while recording)."""
        ident = self._ident
        if ident is None:
            ident = self._ident = _new(Ident)
        return ident

    @ident.setter
    def ident(self, value):
        self._ident = value

    def label(self):
        """``name=`` or parameter name, else variable name, else ``<owner>.grad``, else None."""
        rec = self
        suffix = ""
        while True:
            name = rec.name or rec.ident.var
            if name:
                return name + suffix
            if rec.ident.grad_of is not None:
                rec, suffix = rec.ident.grad_of, ".grad" + suffix
            elif rec.ident.state_of is not None:  # w.momentum_buffer, w.exp_avg
                rec, suffix = rec.ident.state_of[0], "." + rec.ident.state_of[1] + suffix
            else:
                return None

    def is_constant(self):
        """A Python number used in an op: a 0-d leaf without grad, name or variable."""
        return (self.is_leaf and not self.requires_grad and self.shape == () and self.label() is None)


class OpRecord:
    """One executed op: its name, arguments, module, local derivative and the tensors it joined."""

    __slots__ = ("op", "_label", "grad_fn", "attrs", "module", "derivative", "phase", "custom", "anomaly",
                 "inplace", "inputs", "output", "stale", "seq", "update", "module_type", "module_call",
                 "module_chain", "ref")

    @property
    def label(self):
        """``"pow 2"``, ``"clamp min=0"``: made when first asked for (most records are never drawn)."""
        label = self._label
        if label is None or label is IN_PLACE:
            text = op_label(self.op, self.attrs)
            if label is IN_PLACE:  # ``sub`` run in place: ``sub_``, with the same arguments
                text = self.op + "_" + text[len(self.op):]
            label = self._label = text
        return label

    @label.setter
    def label(self, value):
        self._label = value


IN_PLACE = object()  # OpRecord._label of an op run in place, until the label is asked for


class UpdateGroup:
    """The ops of one parameter's update in ``optimizer.step()``: the parameter (as it was before), the
    optimizer's name and its rule, as lines of text (``w ← w − lr·m``) and hyper-parameters."""

    __slots__ = ("index", "param", "optimizer", "rule", "hyper", "symbols")

    def __init__(self, index, param, optimizer, rule, hyper, symbols):
        self.index, self.param, self.optimizer, self.rule, self.hyper = index, param, optimizer, rule, hyper
        self.symbols = symbols  # letter in the rule -> what it stands for: {"m": "momentum_buffer"}


class BackwardStep:
    """One step of the backward walk: the gradient ``op`` received and the one it sent to each input."""

    __slots__ = ("op", "grad_out", "grads")

    def __init__(self, op, grad_out, grads):
        self.op = op
        self.grad_out = grad_out
        self.grads = grads


_new = object.__new__
_param_types = {}


def _is_parameter(t):
    cls = t.__class__
    known = _param_types.get(cls)
    if known is None:
        known = _param_types[cls] = any(c.__name__ == "Parameter" for c in cls.__mro__)
    return known


_dtype_names = {}
_shapes = {}


def _dtype_name(dtype):
    """``dtype.name``, cached: NumPy computes it in Python on every access."""
    name = _dtype_names.get(dtype)
    if name is None:
        name = _dtype_names[dtype] = dtype.name
    return name


def _shape(shape):
    if len(_shapes) > 4096:
        _shapes.clear()  # (shapes that vary without end must not pile up)
    shape = _shapes[shape] = tuple(shape)
    return shape


def _device_text(arr):
    if arr.__class__ is _ndarray:
        return "cpu"
    from ..backend import device_of

    return str(device_of(arr))


_MISSING = object()


def capture_tensor(t, small=16, ident=None, module=None, data=None, image=_MISSING):
    """A record of tensor ``t`` now; ``data`` (and ``image``) its summary (thumbnail) when the caller has it."""
    arr = t._data
    rec = _new(TensorRecord)
    rec._ident = ident
    rec.name = t._name
    shape = arr.shape
    known = _shapes.get(shape)  # one tuple per distinct shape, not one per record
    rec.shape = known if known is not None else _shape(shape)
    dtype = arr.dtype
    name = _dtype_names.get(dtype)
    rec.dtype = name if name is not None else _dtype_name(dtype)
    rec.device = "cpu" if arr.__class__ is _ndarray else _device_text(arr)
    rec.requires_grad = t.requires_grad is True or bool(t.requires_grad)
    rec.is_leaf = t.grad_fn is None
    cls = t.__class__
    is_param = _param_types.get(cls)
    rec.is_param = is_param if is_param is not None else _is_parameter(t)
    if data is None:
        data = capture(arr, small)
    rec.data = data
    rec.grad = rec.grad_image = None
    rec.module = module
    rec.version = t._version[0]
    rec.array_id = id(arr)
    # a 2-D or 4-D tensor drawn as a heatmap; a lazy summary's waits for a reader (graph.build)
    if image is _MISSING:
        image = None if data.__class__ is LazyStats or arr.size <= small else thumbnail(arr, small)
    rec.image = image
    return rec


_op_classes = {}


def _op_class_facts(cls, node, n_inputs):
    """What every node of one op class shares: name, custom, grad_fn name, derivative texts."""
    facts = _op_classes.get((cls, n_inputs))
    if facts is None:
        name = str.__str__(cls.name)  # (a plain str: _OpName is callable on nodes)
        facts = _op_classes[(cls, n_inputs)] = (
            name, getattr(cls, "function", None) is not None, node.grad_fn_name(),
            tuple(cls.derivatives) or (f"{name}.backward",) * n_inputs)
    return facts


def capture_op(node, inputs, output, module=None, phase="forward"):
    """A record of autograd node (or no-grad op instance) ``node`` joining ``inputs`` to ``output``."""
    rec = _new(OpRecord)
    facts = _op_classes.get((node.__class__, len(inputs)))
    if facts is None:
        facts = _op_class_facts(node.__class__, node, len(inputs))
    rec.op, rec.custom, rec.grad_fn, rec.derivative = facts
    if node.grad_fn_varies:
        rec.grad_fn = node.grad_fn_name()
    attrs = getattr(node, "op_attrs", None)  # (not node.__dict__, which would make the node a dict)
    rec.attrs = _attrs(attrs) if attrs else {}
    rec._label = None
    rec.module = module
    rec.phase = phase
    rec.anomaly = bool(getattr(node, "anomaly", False))
    rec.inplace = False
    rec.inputs = inputs if inputs.__class__ is list else list(inputs)
    rec.output = output
    rec.stale = ()
    rec.seq = node.seq
    rec.update = rec.module_type = rec.module_call = rec.module_chain = None
    return rec


def inplace_op(what, target, output, module=None, phase="forward"):
    """A record of an in-place change made without an op class (``zero_``, ``fill_``, ``copy_``, ``t[k] = v``)."""
    rec = OpRecord()
    rec.op = rec.label = what
    rec.custom = rec.anomaly = False
    rec.attrs, rec.grad_fn, rec.derivative = {}, None, ()
    rec.module, rec.phase, rec.inplace = module, phase, True
    rec.inputs = [] if target is None else [target]
    rec.output = output
    rec.stale, rec.seq = (), -1
    rec.update = rec.module_type = rec.module_call = rec.module_chain = None
    return rec


def placeholder_tensor(array, module=None):
    """A record of a tensor known only by an array of its shape (a root made before recording began)."""
    return bare_record(tuple(array.shape), _dtype_name(array.dtype), _device_text(array), {"numel": int(array.size)},
                       ident=Ident(external=True), requires_grad=True, is_leaf=False, module=module)


def bare_record(shape, dtype, device, data, ident=None, requires_grad=False, is_leaf=True, module=None):
    """A :class:`TensorRecord` made from its facts, with no tensor to read them from (every slot set)."""
    rec = _new(TensorRecord)
    rec._ident, rec.name = ident, None
    rec.shape, rec.dtype, rec.device = shape, dtype, device
    rec.requires_grad, rec.is_leaf, rec.is_param = requires_grad, is_leaf, False
    rec.data, rec.grad, rec.module = data, None, module
    rec.version, rec.array_id = 0, None
    rec.image = rec.grad_image = None
    return rec


# --- non-tensor arguments -----------------------------------------------------


_PLAIN = frozenset((int, float, bool, str, type(None)))


def _attrs(attrs):
    """``json_safe(attrs)``, with the usual case (numbers, strings, None) a plain copy."""
    for v in attrs.values():
        if v.__class__ not in _PLAIN:
            return json_safe(attrs)
    return dict(attrs)


def json_safe(value):
    """``value`` as JSON types: numbers, strings, bools, None, lists and dicts; anything else as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)) and all(
            x is None or isinstance(x, (bool, int, float, str, np.generic)) for x in value):
        return [json_safe(x) for x in value]
    return _short_text(value)


def _short_text(value):
    if isinstance(value, slice):
        parts = ["" if p is None else str(p) for p in (value.start, value.stop, value.step)]
        return ":".join(parts[:2] if value.step is None else parts)
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"array{list(value.shape)}"
    if isinstance(value, range) and value.start == 0 and value.step == 1:
        return f"range({value.stop})"  # x[range(n), ys]
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_short_text(v) for v in value) + ")"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def op_label(op, attrs):
    """``"pow 2"``, ``"clamp min=0"``, ``"sum"``: the op with the arguments that matter."""
    shown = [(k, v) for k, v in attrs.items() if v is not None and v is not False]
    if op == "pow" and len(shown) == 1 and shown[0][0] == "exponent":
        return f"pow {_arg_text(shown[0][1])}"
    if op in ("index", "setitem") and len(shown) == 1 and shown[0][0] == "key":
        return _index_label(op, str(shown[0][1]))
    return " ".join([op] + [f"{k}={_arg_text(v)}" for k, v in shown])


def _index_label(op, key):
    """``index [:, ·]`` for ``x[:, ix]`` (``·``: an index tensor, drawn as an input of the op); ``index`` for
    ``C[Xb]`` and ``probs[arange(n), ys]``, whose keys are index tensors only."""
    if key.startswith("(") and key.endswith(")"):
        key = key[1:-1]
    if all(part.strip() == "·" for part in key.split(",")):
        return op
    return f"{op} [{key}]"


def _arg_text(v):
    if isinstance(v, float):
        return format_number(v) if not v.is_integer() else str(int(v)) if abs(v) < 1e15 else str(v)
    if isinstance(v, list):
        return "(" + ", ".join(_arg_text(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    return str(v)


# --- the chain rule as text ---------------------------------------------------------

_TOKEN = re.compile(r"(?<![A-Za-z_])(grad|out|a|b|c|p|min|max)(?![A-Za-z_])")
_MATH_WORDS = re.compile(r"(?<![A-Za-z_])(ln|log|exp|sqrt|sign|softmax)(?![A-Za-z_])")
_ATTR_TOKENS = {"p": "exponent", "min": "min", "max": "max"}
_NO_BOUND = {"min": "-∞", "max": "∞"}


def chain_rule(op, position, grad_out, label_of):
    """``"w.grad += y.grad · x = 1.0 · 1.0"``: the local rule for input ``position``, with numbers.

    ``grad_out`` is the summary of the gradient the op received; ``label_of(record)``
    names a tensor. The numbers are left out when the rule is prose rather than a
    formula, or when an input was changed in place after the forward pass.
    """
    template = op.derivative[position] if position < len(op.derivative) else f"{op.op}.backward"
    inputs, out = op.inputs, op.output
    words, numbers, numeric = {}, {}, True
    for token in set(_TOKEN.findall(template)):
        if token == "grad":
            words[token], numbers[token] = f"{label_of(out)}.grad", value_text(grad_out, out.shape)
        elif token == "out":
            words[token], numbers[token] = label_of(out), value_text(out.data, out.shape)
        elif token in "abc" and "abc".index(token) < len(inputs):
            i = "abc".index(token)
            words[token], numbers[token] = label_of(inputs[i]), value_text(inputs[i].data, inputs[i].shape)
            numeric = numeric and i not in op.stale
        elif _ATTR_TOKENS.get(token) in op.attrs:
            value = op.attrs[_ATTR_TOKENS[token]]
            if value is None:  # clamp(min=0): no upper bound
                value = _NO_BOUND.get(token, "None")
            else:
                value = _arg_text(value)
            words[token] = numbers[token] = value
    symbolic = _TOKEN.sub(lambda m: words.get(m.group(1), m.group(1)), template)
    text = f"{label_of(inputs[position])}.grad += {symbolic}"
    prose = re.search(r"[A-Za-z]", _MATH_WORDS.sub("", _TOKEN.sub("", template)))
    if numeric and not prose:
        text += " = " + _TOKEN.sub(lambda m: numbers.get(m.group(1), m.group(1)), template)
    return text
