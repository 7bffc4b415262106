"""``nn.Module``: the base class of layers and models, as in PyTorch.

Assigning a :class:`Parameter` or a Module to an attribute registers it; the
walks over the module tree (``parameters()``, ``state_dict()``, ``repr``, ...)
are iterative. Calling a module runs ``forward`` with the qualified name of the
call (``"model.0"``) in ``autograd.hooks.state.module``, so that recorded ops
know which module ran them, and labels parameters by their dotted names.

>>> import graphviz_grad as vg
>>> class TwoLayerNet(vg.nn.Module):
...     def __init__(self):
...         super().__init__()
...         self.linear1 = vg.nn.Linear(3, 2)
...         self.linear2 = vg.nn.Linear(2, 1)
...     def forward(self, x):
...         return self.linear2(self.linear1(x).clamp(min=0))
>>> model = TwoLayerNet()
>>> [name for name, _ in model.named_parameters()]
['linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias']
>>> model(vg.ones(4, 3)).shape
graphviz_grad.Size([4, 1])
>>> model.linear1.weight.name
'linear1.weight'
"""
import sys
import threading
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from .. import _dtype, backend
from ..autograd.grad_mode import no_grad
from ..autograd.hooks import state as _hook_state
from ..tensor import Tensor
from ..utils.hooks import RemovableHandle
from .hooks import call_with_hooks
from .parameter import Parameter

# Bumped whenever any module (un)registers a parameter, buffer or submodule, so that
# Module.__call__ can tell with one comparison whether its labels are still current.
_structure_version = [0]


class _CallState(threading.local):
    running = None  # the Module whose forward is running (the innermost call)
    call = 0  # a number per call in progress, so a recorder tells back-to-back calls of one module apart
    calls = 0
    # ((qualified name, call number), ...) of the calls in progress, outermost first: tells apart
    # back-to-back calls of a module that runs no op itself, only sub-modules (a Sequential)
    chain = ()


_call_state = _CallState()

# A module's hooks, by handle id, as PyTorch names them; the last three hold the ids of hooks
# registered with_kwargs / always_call.
_HOOK_DICTS = ("_forward_pre_hooks", "_forward_hooks", "_backward_pre_hooks", "_backward_hooks",
               "_forward_pre_hooks_with_kwargs", "_forward_hooks_with_kwargs", "_forward_hooks_always_called")


def _submodule(module, path):
    """``module``'s submodule at the dotted ``path`` (``"heads.0"``), or None."""
    for key in path.split("."):
        module = module._modules.get(key) if module is not None else None
    return module


def _changed():
    _structure_version[0] += 1


def _typename(obj):
    """PyTorch's ``typename``: ``torch.FloatTensor``, ``list``, ``numpy.ndarray``, a class's full name."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    return cls.__qualname__ if cls.__module__ in ("builtins", "") else f"{cls.__module__}.{cls.__qualname__}"


def _init_hint(module, what):
    return (f"cannot assign {what} before Module.__init__() call: call super().__init__() first "
            f"in {type(module).__name__}.__init__")


def _walk(root, prefix="", remove_duplicate=True):
    """Pre-order ``(prefix, module)`` pairs; a child's prefix is ``prefix + name + "."``."""
    seen = set()
    stack = [(prefix, root)]
    while stack:
        prefix, module = stack.pop()
        if remove_duplicate:
            if id(module) in seen:
                continue
            seen.add(id(module))
        yield prefix, module
        children = [(prefix + name + ".", child) for name, child in module._modules.items() if child is not None]
        stack.extend(reversed(children))


def _children_first(root, descend=None):
    """Every module under ``root`` once, children before parents (PyTorch's ``apply`` order).

    ``descend(module)`` False leaves that module's children out.
    """
    # The reverse of a pre-order that visits children right to left.
    stack, order, seen = [root], [], set()
    while stack:
        module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        order.append(module)
        if descend is None or descend(module):
            stack.extend(c for c in module._modules.values() if c is not None)
    order.reverse()
    return order


def _set_label(tensor, label, keep_longer):
    """Label ``tensor`` for drawings unless the user named it; optionally keep a longer dotted label."""
    auto = getattr(tensor, "_auto_label", None)
    if tensor._name is not None and tensor._name != auto:
        return
    if keep_longer and auto is not None and auto.endswith("." + label):
        return
    tensor._name = label
    tensor._auto_label = label


def label_parameters(module, prefix="", *, keep_longer=False):
    """Label every parameter and buffer of ``module`` by its dotted name, e.g. ``linear1.weight``.

    ``prefix`` is put in front (``"model."`` gives ``model.linear1.weight``). Names a
    user gave (``name=``) are kept. With ``keep_longer`` a label that already ends in
    the new one (``model.0.weight`` versus ``weight``) is kept too.

    >>> import graphviz_grad as vg
    >>> seq = vg.nn.Sequential(vg.nn.Linear(2, 2))
    >>> label_parameters(seq, "model.")
    >>> seq[0].bias.name
    'model.0.bias'
    """
    prefix = prefix.removesuffix(".")
    for name, t in [*module.named_parameters(prefix), *module.named_buffers(prefix)]:
        _set_label(t, name, keep_longer)  # a shared tensor keeps its first name, as named_parameters()


def zero_grads(tensors, set_to_none=True):
    """Reset the ``.grad`` of each tensor: to None, or to zeros in place (``set_to_none=False``)."""
    for t in tensors:
        grad = t._grad
        if grad is None:
            continue
        if set_to_none:
            t._grad = None
        else:
            grad.grad_fn = None
            grad.requires_grad = False
            grad.zero_()


def _variable_name(obj, frame):
    """The first public name bound to ``obj`` in ``frame``'s locals, then its globals."""
    for scope in (frame.f_locals, frame.f_globals):
        for key, value in scope.items():
            if value is obj and not key.startswith("_") and key.isidentifier():
                return key
    return None


def _parse_to(args, kwargs):
    """``(device, dtype)`` from the arguments of ``Module.to``."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, _dtype.dtype) or (isinstance(a, str) and a.removeprefix("torch.") in _dtype._BY_NAME):
            dtype = a
        elif isinstance(a, int) and not isinstance(a, bool):
            device = f"cuda:{a}"
        elif a is not None:
            device = a
    dtype = _dtype.to_dtype(dtype)
    return (None if device is None else backend.device(device)), dtype


def _caster(device, dtype):
    """Array -> array: floating arrays to ``dtype``, every array to ``device`` (copies only on change)."""
    np_dtype = None if dtype is None else dtype.np

    def cast(arr):
        if device is not None and backend.device_of(arr) != device:
            arr = backend.to_device(arr, device)
        if np_dtype is not None and arr.dtype.kind == "f" and arr.dtype != np_dtype:
            arr = arr.astype(np_dtype)
        return arr

    return cast


def _addindent(text, spaces):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


class Module:
    """Base class of every layer and model: subclass it, assign layers in ``__init__``, write ``forward``."""

    _gv_name = None  # set it to name this module's calls in drawings ("model")
    _gv_call_name = None  # the caller's variable name, found on the first top-level call
    _gv_labelled_at = -1  # _structure_version when this tree's parameters were last labelled
    _gv_parent = None  # (id(parent), attribute name): where a nested call found this module
    _gv_hooked = False  # a hook was registered once: calls take the slower path of nn/hooks.py

    def __init__(self, *args, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} were given")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        for key in _HOOK_DICTS:
            d[key] = OrderedDict()  # (OrderedDicts: a hook's handle holds them by weak reference)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # --- calling ----------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        parent_path = _hook_state.module
        parent = _call_state.running
        if parent_path is None:
            path = self._gv_name or self._gv_call_name or self._remember_call_name(sys._getframe(1))
            if self._gv_labelled_at != _structure_version[0]:
                label_parameters(self, keep_longer=True)
                self.__dict__["_gv_labelled_at"] = _structure_version[0]
        else:
            path = parent_path + "." + self._name_in(parent)
        _hook_state.module = path
        _call_state.running = self
        parent_call, parent_chain = _call_state.call, _call_state.chain
        _call_state.call = _call_state.calls = call = _call_state.calls + 1
        _call_state.chain = parent_chain + ((path, call),)
        try:
            if self._gv_hooked:
                return call_with_hooks(self, args, kwargs)
            return self.forward(*args, **kwargs)
        finally:
            _hook_state.module = parent_path
            _call_state.running = parent
            _call_state.call = parent_call
            _call_state.chain = parent_chain

    def _remember_call_name(self, frame):
        name = _variable_name(self, frame) or type(self).__name__.lower()
        self.__dict__["_gv_call_name"] = name
        return name

    def _name_in(self, parent):
        """This module's attribute name in ``parent`` (the running module), else its class name.

        A module held in a container the parent never calls (``self.heads = nn.ModuleList(...)``,
        called as ``[h(x) for h in self.heads]``) is named by its path: ``heads.0``.
        """
        cached = self._gv_parent
        if cached is not None and cached[0] == id(parent) and _submodule(parent, cached[1]) is self:
            return cached[1]
        if parent is not None:
            queue = [("", parent)]  # breadth first: the shortest path
            while queue:
                prefix, module = queue.pop(0)
                for key, child in module._modules.items():
                    if child is self:
                        self.__dict__["_gv_parent"] = (id(parent), prefix + key)
                        return prefix + key
                    if child is not None and child._modules:
                        queue.append((prefix + key + ".", child))
        return type(self).__name__.lower()

    # --- registration -------------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError(_init_hint(self, "parameters"))
            self._forget(name, "_parameters")
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' (torch.nn.Parameter or None expected)"
                )
            self.register_parameter(name, None)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError(_init_hint(self, "module"))
            self._forget(name, "_modules")
            modules[name] = value
            _changed()
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module '{name}' (torch.nn.Module or None expected)"
                )
            modules[name] = None
            _changed()
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' (torch.Tensor or None expected)")
            buffers[name] = value
            _changed()
            return
        object.__setattr__(self, name, value)

    def _forget(self, name, keep):
        """Drop ``name`` from every store but ``keep``, the one it is about to be set in: keeping
        its entry there keeps its place, so parameters, state-dict keys and a Sequential's layers
        stay in order when one is replaced (as in PyTorch)."""
        d = self.__dict__
        d.pop(name, None)
        for key in ("_parameters", "_buffers", "_modules"):
            if key != keep:
                d[key].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __getattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and name in store:
                del store[name]
                d["_non_persistent_buffers_set"].discard(name)
                _changed()
                return
        object.__delattr__(self, name)

    def __dir__(self):
        extra = [*self._parameters, *self._buffers, *self._modules]
        return sorted(set(object.__dir__(self)) | {k for k in extra if not k[0].isdigit()})

    def _check_new_name(self, name, kind, store_key):
        if store_key not in self.__dict__:
            raise AttributeError(_init_hint(self, kind))
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in self.__dict__[store_key]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Add ``param`` (a Parameter or None) under ``name``; an unnamed one is labelled ``name``."""
        self._check_new_name(name, "parameter", "_parameters")
        if param is not None:
            if not isinstance(param, Parameter):
                raise TypeError(
                    f"cannot assign '{_typename(param)}' object to parameter '{name}' (torch.nn.Parameter or None required)"
                )
            if param.grad_fn is not None:
                raise ValueError(
                    f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created "
                    f"explicitly. To express '{name}' as a function of another Tensor, compute the value in "
                    "the forward() method."
                )
            if param._name is None:
                _set_label(param, name, keep_longer=False)
        self._parameters[name] = param
        _changed()

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is state but not a parameter (saved in ``state_dict`` if ``persistent``)."""
        self._check_new_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' (torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)
        _changed()

    def add_module(self, name, module):
        """Add a child module under ``name`` (what ``self.name = module`` does)."""
        if module is not None and not isinstance(module, Module):
            hint = ""
            if isinstance(module, type) and issubclass(module, Module):
                hint = f": nn.{module.__name__} is a class; create a layer with nn.{module.__name__}(...)"
            raise TypeError(f"{_typename(module)} is not a Module subclass{hint}")
        if "_modules" not in self.__dict__:
            raise AttributeError(_init_hint(self, "module"))
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module
        _changed()

    register_module = add_module

    def get_submodule(self, target):
        """The module at dotted path ``target`` (``"0"``, ``"encoder.linear1"``); ``""`` is self."""
        module = self
        for atom in target.split(".") if target else ():
            if atom not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no attribute `{atom}`")
            module = module._modules[atom]
        return module

    def get_parameter(self, target):
        """The parameter at dotted path ``target`` (``"0.weight"``), with PyTorch's errors."""
        return self._get_member(target, "_parameters", "an nn.Parameter")

    def get_buffer(self, target):
        """The buffer at dotted path ``target`` (``"bn.running_mean"``), with PyTorch's errors."""
        return self._get_member(target, "_buffers", "a buffer")

    def _get_member(self, target, store, what):
        module_path, _, name = target.rpartition(".")
        module = self._submodule_for_member(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        if name not in module.__dict__[store]:
            raise AttributeError(f"`{name}` is not {what}")
        return getattr(module, name)

    def _submodule_for_member(self, path):
        module = self
        for atom in path.split(".") if path else ():
            if not hasattr(module, atom):
                raise AttributeError(f"{module._get_name()} has no attribute `{atom}`")
            module = getattr(module, atom)
            if not isinstance(module, Module):
                raise AttributeError(f"`{atom}` is not an nn.Module")
        return module

    # --- hooks ---------------------------------------------------------------------------
    def _add_hook(self, store, hook, prepend=False, extra=()):
        """Register ``hook`` in the hook dict ``store``, its id also in the dicts ``extra``; the handle."""
        d = self.__dict__
        hooks = d[store]
        handle = RemovableHandle(hooks, extra_dict=[d[key] for key in extra])
        hooks[handle.id] = hook
        for key in extra:
            d[key][handle.id] = True
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        d["_gv_hooked"] = True
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args)`` before each ``forward``, returning None or new ``args`` (a tuple, or one
        value); ``with_kwargs``: ``hook(module, args, kwargs)`` returning None or ``(args, kwargs)``.
        Returns a handle whose ``remove()`` unregisters it.

        >>> import graphviz_grad as vg
        >>> layer = vg.nn.Identity()
        >>> handle = layer.register_forward_pre_hook(lambda module, args: args[0] * 2)
        >>> layer(vg.tensor([1., 2.]))
        tensor([2., 4.])
        """
        return self._add_hook("_forward_pre_hooks", hook, prepend,
                              ("_forward_pre_hooks_with_kwargs",) if with_kwargs else ())

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """``hook(module, args, output)`` after each ``forward``, returning None or a new output
        (``with_kwargs``: ``hook(module, args, kwargs, output)``); ``always_call``: run even when
        ``forward`` raises. Returns a handle whose ``remove()`` unregisters it.

        >>> import graphviz_grad as vg
        >>> features = {}
        >>> layer = vg.nn.Linear(3, 2)
        >>> handle = layer.register_forward_hook(lambda m, args, out: features.update(linear=out.detach()))
        >>> _ = layer(vg.ones(4, 3))
        >>> features["linear"].shape
        graphviz_grad.Size([4, 2])
        """
        extra = (("_forward_hooks_with_kwargs",) if with_kwargs else ()) + (
            ("_forward_hooks_always_called",) if always_call else ())
        return self._add_hook("_forward_hooks", hook, prepend, extra)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output)`` when the gradients of the outputs are computed, returning None or
        new ``grad_output`` (a tuple as long)."""
        return self._add_hook("_backward_pre_hooks", hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output)`` when the gradients of the inputs are computed, returning
        None or new ``grad_input`` (a tuple as long). ``grad_input`` has a gradient per tensor argument
        (zeros where none flowed) and None for other arguments; ``grad_output`` one per output (None where
        none flowed). If no input requires grad, it runs with ``grad_input`` all None, with PyTorch's warning.

        >>> import graphviz_grad as vg
        >>> layer = vg.nn.Linear(2, 1)
        >>> handle = layer.register_full_backward_hook(lambda m, grad_in, grad_out: (grad_in[0].sign(),))
        >>> x = vg.ones(1, 2, requires_grad=True)
        >>> layer(x).sum().backward()
        >>> x.grad.abs()
        tensor([[1., 1.]])
        """
        return self._add_hook("_backward_hooks", hook, prepend)

    # --- walking the tree -----------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """``(name, module)`` for this module and every descendant, self first (name ``""``)."""
        for mod_prefix, module in _walk(self, prefix + "." if prefix else "", remove_duplicate):
            if memo is not None:
                if module in memo:
                    continue
                memo.add(module)
            yield mod_prefix[:-1], module

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, store_of, prefix, recurse, remove_duplicate):
        seen = set()
        root = prefix + "." if prefix else ""
        walk = _walk(self, root, remove_duplicate) if recurse else [(root, self)]
        for mod_prefix, module in walk:
            for name, value in store_of(module):
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield mod_prefix + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """``(dotted name, parameter)`` pairs, e.g. ``("0.weight", ...)``; shared ones once."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Every parameter of this module and (with ``recurse``) its descendants, each once."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self, fn):
        """Call ``fn`` on every submodule (children first) and on self, e.g. to initialise weights."""
        for module in _children_first(self):
            fn(module)
        return self

    # --- modes and gradients --------------------------------------------------------
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default) or to zeros."""
        zero_grads(self.parameters(), set_to_none)

    # --- devices and dtypes -------------------------------------------------------------
    def _apply(self, cast):
        """Replace the arrays of all parameters, buffers and grads by ``cast(array)``, keeping the tensors."""
        for module in self.modules():
            for store in (module._parameters, module._buffers):
                for t in store.values():
                    if t is None:
                        continue
                    t._data = cast(t._data)
                    if t._grad is not None:
                        t._grad._data = cast(t._grad._data)
        return self

    def to(self, *args, **kwargs):
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``: moves/casts in place, returns self."""
        device, dtype = _parse_to(args, dict(kwargs))
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dtype}"
            )
        return self._apply(_caster(device, dtype))

    def cpu(self):
        return self._apply(_caster(backend.CPU, None))

    def cuda(self, device=None):
        dev = "cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device
        return self._apply(_caster(backend.device(dev), None))

    def float(self):
        return self._apply(_caster(None, _dtype.float32))

    def double(self):
        return self._apply(_caster(None, _dtype.float64))

    def half(self):
        return self._apply(_caster(None, _dtype.float16))

    # --- state dicts ------------------------------------------------------------------
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An OrderedDict from dotted names to parameters and persistent buffers (detached)."""
        if destination is None:
            destination = OrderedDict()
        for mod_prefix, module in _walk(self, prefix, remove_duplicate=False):
            for name, t in module._local_state().items():
                destination[mod_prefix + name] = t if keep_vars else t.detach()
        return destination

    def _local_state(self):
        state = {k: v for k, v in self._parameters.items() if v is not None}
        skip = self._non_persistent_buffers_set
        state.update((k, v) for k, v in self._buffers.items() if v is not None and k not in skip)
        return state

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict``; PyTorch's errors for missing/unexpected keys."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        state_dict = OrderedDict(state_dict)
        missing, unexpected, errors = [], [], []
        with no_grad():
            for prefix, module in _walk(self, "", remove_duplicate=False):
                module._load_from_state_dict(state_dict, prefix, assign, missing, unexpected, errors)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(type(self).__name__, "\n\t".join(errors))
            )
        return _IncompatibleKeys(missing, unexpected)

    def _load_from_state_dict(self, state_dict, prefix, assign, missing, unexpected, errors):
        local = self._local_state()
        for name, param in local.items():
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                errors.append(
                    f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like object '
                    f"from checkpoint but received {type(value)}"
                )
                continue
            if value.shape != param.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from checkpoint, "
                    f"the shape in current model is {param.shape}."
                )
                continue
            try:
                if assign:
                    if isinstance(param, Parameter):
                        value = Parameter(value, requires_grad=param.requires_grad)
                    setattr(self, name, value)
                else:
                    param.copy_(value)
            except Exception as ex:
                errors.append(
                    f'While copying the parameter named "{key}", whose dimensions in the model are {param.size()} '
                    f"and whose dimensions in the checkpoint are {value.size()}, an exception occurred : {ex.args}."
                )
        for key in state_dict:
            if key.startswith(prefix):
                head = key[len(prefix):].split(".", 1)
                if (head[0] not in self._modules) if len(head) > 1 else (head[0] not in local):
                    unexpected.append(key)

    # --- printing ---------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside this module's parentheses in ``repr`` (override it; empty by default)."""
        return ""

    def __repr__(self):
        # A child class with its own __repr__ (ModuleList) is asked for it and not entered.
        def descend(module):
            return module is self or type(module).__repr__ is Module.__repr__

        text = {}
        for module in _children_first(self, descend):
            if descend(module):
                text[id(module)] = module._own_repr(text)
            else:
                text[id(module)] = repr(module)
        return text[id(self)]

    def _own_repr(self, child_text):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({key}): " + _addindent(child_text.get(id(module), module._get_name() + "(...)") if module is not None else "None", 2)
            for key, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return self._get_name() + "(" + body + ")"
