"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``, ``ParameterDict``.

>>> import graphviz_grad as vg
>>> model = vg.nn.Sequential(vg.nn.Linear(1000, 100), vg.nn.ReLU(), vg.nn.Linear(100, 10))
>>> model
Sequential(
  (0): Linear(in_features=1000, out_features=100, bias=True)
  (1): ReLU()
  (2): Linear(in_features=100, out_features=10, bias=True)
)
>>> len(model), model[-1].out_features
(3, 10)
"""
import operator
from collections import OrderedDict
from collections.abc import Mapping

from ..tensor import Tensor
from .module import Module, _addindent, _changed
from .parameter import Parameter


def _abs_index(idx, n):
    """``idx`` (negative allowed) as a position in ``range(n)``, or PyTorch's IndexError."""
    idx = operator.index(idx)
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range")
    return idx % n


def _renumber(container, modules=None):
    """Keys ``"0", "1", ...`` for ``modules`` (default: the current ones, after a deletion)."""
    modules = container._modules.values() if modules is None else modules
    container.__dict__["_modules"] = {str(i): m for i, m in enumerate(modules)}
    _changed()


class _Numbered(Module):
    """What Sequential and ModuleList share: list indexing over the children, in order."""

    def _from_slice(self, items):
        raise NotImplementedError

    def __getitem__(self, idx):
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return self._from_slice(items[idx])
        return items[_abs_index(idx, len(items))][1]

    def __setitem__(self, idx, module):
        key = list(self._modules)[_abs_index(idx, len(self._modules))]
        setattr(self, key, module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        for key in keys[idx] if isinstance(idx, slice) else [keys[_abs_index(idx, len(keys))]]:
            delattr(self, key)
        _renumber(self)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Put ``module`` before position ``index`` (the children are numbered again)."""
        if not isinstance(module, Module):
            raise TypeError(f"module should be of type nn.Module, got {type(module).__name__}")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        items = list(self._modules.values())
        items.insert(index + n if index < 0 else index, module)
        _renumber(self, items)
        return self

    def pop(self, key):
        module = self[key]
        del self[key]
        return module


class Sequential(_Numbered):
    """Modules applied one after the other: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Also ``Sequential(OrderedDict(name=module, ...))`` to name the steps.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
            return
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            raise TypeError(
                f"{type(args[0]).__name__} is not a Module subclass: pass the layers as separate "
                "arguments, nn.Sequential(*layers)"
            )
        for idx, module in enumerate(args):
            self.add_module(str(idx), module)

    def _from_slice(self, items):
        return self.__class__(OrderedDict(items))

    def __add__(self, other):
        """``a + b``: a new Sequential of a's layers then b's (the same module objects)."""
        if not isinstance(other, Sequential):
            return NotImplemented
        return Sequential(*self, *other)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input


class ModuleList(_Numbered):
    """A list of modules whose parameters belong to the parent (it has no ``forward``)."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _from_slice(self, items):
        return self.__class__([module for _, module in items])

    def __iadd__(self, modules):
        return self.extend(modules)

    def extend(self, modules):
        if isinstance(modules, Module) and not isinstance(modules, _Numbered):
            raise TypeError(f"ModuleList.extend should be called with an iterable, but got {type(modules).__name__}")
        return super().extend(modules)

    def __repr__(self):
        # PyTorch's compact form: runs of identical children print once, as "(0-2): 3 x Linear(...)".
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        runs = []  # [start, end, text]
        for i, text in enumerate(reprs):
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        lines = []
        for start, end, text in runs:
            label = f"({start}): " if start == end else f"({start}-{end}): {end - start + 1} x "
            lines.append(_addindent(label + text, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules whose parameters belong to the parent (it has no ``forward``)."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]
        _changed()

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self):
        self._modules.clear()
        _changed()

    def pop(self, key):
        module = self[key]
        del self[key]
        return module

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules):
        pairs = modules.items() if isinstance(modules, (Mapping, ModuleDict)) else modules
        for key, module in pairs:
            self[key] = module


class ParameterList(Module):
    """A list of parameters that belong to the module holding it (named ``"0"``, ``"1"``, ...);
    tensors appended become Parameters.

    >>> import graphviz_grad as vg
    >>> params = vg.nn.ParameterList([vg.nn.Parameter(vg.ones(3, 4)), vg.zeros(2)])
    >>> params
    ParameterList(
        (0): Parameter containing: [graphviz_grad.float32 of size 3x4]
        (1): Parameter containing: [graphviz_grad.float32 of size 2]
    )
    >>> [name for name, _ in params.named_parameters()], params[-1].requires_grad
    (['0', '1'], True)
    """

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def _as_parameter(self, value):
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            return Parameter(value)
        return value

    def __getitem__(self, idx):
        items = list(self._parameters.values())
        if isinstance(idx, slice):
            return self.__class__(items[idx])
        return items[_abs_index(idx, len(items))]

    def __setitem__(self, idx, value):
        key = list(self._parameters)[_abs_index(idx, len(self._parameters))]
        setattr(self, key, self._as_parameter(value))

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __iadd__(self, values):
        return self.extend(values)

    def __dir__(self):
        return [k for k in super().__dir__() if not k.isdigit()]

    def append(self, value):
        """Add ``value`` (a Parameter, or a tensor made one) at the end."""
        self.register_parameter(str(len(self)), self._as_parameter(value))
        return self

    def extend(self, values):
        if isinstance(values, Tensor) or not hasattr(values, "__iter__"):
            raise TypeError("ParameterList.extend should be called with an iterable, but got " + type(values).__name__)
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        return _entry_lines(self._parameters.items())


def _entry_lines(items):
    """PyTorch's lines for a parameter container's ``(key, value)`` pairs: a tensor's dtype and size, or
    another object's type."""
    lines = []
    for key, p in items:
        if isinstance(p, Tensor):
            size = "x".join(str(n) for n in p.shape)
            device = f" ({p.device})" if p.device.type == "cuda" else ""
            kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
            lines.append(f"  ({key}): {kind} containing: [{p.dtype} of size {size}{device}]")
        else:
            lines.append(f"  ({key}): Object of type: {type(p).__name__}")
    return "\n".join(lines)


class ParameterDict(Module):
    """A dict of parameters that belong to the module holding it, under their keys; tensors put in become
    Parameters, other values are kept as they are (as attributes).

    A plain ``dict`` is added in sorted key order, an ``OrderedDict`` or a ParameterDict in its own (as PyTorch).

    >>> import graphviz_grad as vg
    >>> params = vg.nn.ParameterDict({'w': vg.ones(2, 3), 'b': vg.nn.Parameter(vg.zeros(2))})
    >>> params
    ParameterDict(
        (b): Parameter containing: [graphviz_grad.float32 of size 2]
        (w): Parameter containing: [graphviz_grad.float32 of size 2x3]
    )
    >>> list(params.state_dict()), params['w'].requires_grad
    (['b', 'w'], True)
    """

    def __init__(self, parameters=None):
        super().__init__()
        self.__dict__["_keys"] = {}
        if parameters is not None:
            self.update(parameters)

    def _check_key(self, key):
        if not isinstance(key, str):
            raise TypeError("Index given to ParameterDict cannot be used as a key as it is not a string "
                            f"(type is '{type(key).__name__}'). Open an issue on github if you need non-string keys.")
        return key

    def __getitem__(self, key):
        return getattr(self, self._check_key(key))

    def __setitem__(self, key, value):
        self._keys[key] = None
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)
        setattr(self, self._check_key(key), value)

    def __delitem__(self, key):
        del self._keys[key]
        delattr(self, self._check_key(key))

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __reversed__(self):
        return reversed(self._keys)

    def __contains__(self, key):
        return key in self._keys

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterDict should not be called.")

    def copy(self):
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self):
        for key in list(self._keys):
            del self[key]

    def pop(self, key):
        value = self[key]
        del self[key]
        return value

    def popitem(self):
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def fromkeys(self, keys, default=None):
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        return self._keys.keys()

    def items(self):
        return ((k, self[k]) for k in self._keys)

    def values(self):
        return (self[k] for k in self._keys)

    def update(self, parameters):
        if not hasattr(parameters, "__iter__"):
            raise TypeError("ParametersDict.update should be called with an iterable of key/value pairs, but got "
                            + type(parameters).__name__)
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = parameters.items()
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = list(parameters)
            for j, pair in enumerate(pairs):
                if not hasattr(pair, "__iter__"):
                    raise TypeError(f"ParameterDict update sequence element #{j} should be Iterable; is"
                                    + type(pair).__name__)
                if len(pair) != 2:
                    raise ValueError(f"ParameterDict update sequence element #{j} has length {len(pair)}; "
                                     "2 is required")
        for key, value in pairs:
            self[key] = value

    def __or__(self, other):
        result = self.copy()
        result.update(other)
        return result

    def __ror__(self, other):
        result = other.copy()
        result.update(self)
        return result

    def __ior__(self, other):
        self.update(other)
        return self

    def extra_repr(self):
        return _entry_lines(self.items())
