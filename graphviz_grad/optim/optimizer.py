"""``optim.Optimizer``: parameter groups, ``zero_grad``, ``step``, state dicts (as ``torch.optim``).

A subclass gives its hyper-parameters to ``__init__`` and implements
``_update(param, grad, group, math)``, written against the math objects of
:mod:`.update_math`; :meth:`Optimizer.step` runs it under ``no_grad`` in the
``"update"`` phase, on the raw arrays, or as recorded Tensor ops when a
recorder is active.

>>> import graphviz_grad as vg
>>> w = vg.tensor([1.0, 2.0], requires_grad=True)
>>> opt = vg.optim.SGD([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.8000, 1.6000], requires_grad=True)
>>> opt.state_dict()["param_groups"][0]["params"]
[0]
"""
import copy
import types
import warnings
from collections import defaultdict

from .. import backend
from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.hooks import phase
from ..autograd.hooks import state as _hook_state
from ..nn.module import zero_grads
from ..tensor import Tensor
from .update_math import ArrayMath, LoggedMath, TensorMath


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _params_error(params):
    got = params.type() if isinstance(params, Tensor) else type(params).__name__
    hint = ""
    if isinstance(params, types.MethodType) and params.__name__ in ("parameters", "named_parameters"):
        hint = f" (did you mean model.{params.__name__}()? The parentheses are missing)"
    elif isinstance(params, Tensor):
        hint = " (put a single tensor in a list: [w])"
    return TypeError(
        f"params argument given to the optimizer should be an iterable of Tensors or dicts, but got {got}{hint}"
    )


class Optimizer:
    """Base class of optimizers: holds ``param_groups`` (list of dicts) and per-parameter ``state``."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        self._array_math = ArrayMath()
        if isinstance(params, Tensor) or not hasattr(params, "__iter__"):
            raise _params_error(params)
        param_groups = list(params)
        if not param_groups:
            hint = ""
            if isinstance(params, types.GeneratorType):
                hint = (" (a generator such as model.parameters() can be used only once: "
                        "call model.parameters() again for each optimizer)")
            raise ValueError("optimizer got an empty parameter list" + hint)
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a dict ``{"params": [...], <hyper-parameter>: value}``; missing ones take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of "
                "tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
            params = [p[1] for p in params]
        param_group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = [id(p) for p in params]
        if len(ids) != len(set(ids)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause "
                "an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if taken.intersection(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors: to None (default) or to zeros."""
        for group in self.param_groups:
            zero_grads(group["params"], set_to_none)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; ``closure`` re-evaluates the loss first."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        recorders = [r for r in _hook_state.recorders if hasattr(r, "on_param_update")]
        math = self._array_math
        if _hook_state.recorders:
            tensor_math = TensorMath()  # every op recorded as it runs
            # the fast path, with each call logged for tapes that make the ops when read (record.update_log)
            loggers = all(getattr(r, "logs_update_math", False) is True for r in _hook_state.recorders)
            logged_math = LoggedMath(self._array_math, recorders) if loggers else None
        with no_grad(), phase("update"):
            for group in self.param_groups:
                maximize = group.get("maximize", False)
                for p in group["params"]:
                    grad = p._grad
                    if grad is None:
                        continue
                    if recorders:  # a drawing shows this parameter's update as one node, with its rule
                        rule, hyper, symbols = self._rule(group, self.state[p] if p in self.state else {})
                        for r in recorders:
                            r.on_param_update(p, type(self).__name__, rule, hyper, symbols)
                    if _hook_state.recorders:
                        math = logged_math if logged_math is not None and all(
                            r.can_log_update(p) for r in recorders) else tensor_math
                    math.begin(p)
                    self._update(p, math.neg(grad) if maximize else grad, group, math)
                    math.finish(p)
                    for r in recorders:
                        r.on_param_update_end(p, self.state[p] if p in self.state else {})
        return loss

    def _rule(self, group, state):
        """``(lines, hyper-parameters, symbols)``: the update rule as a drawing shows it, e.g.
        ``(["w ← w − lr·g"], {"lr": 0.1}, {"g": "grad"})``; a symbol names the parameter's ``.grad`` or
        a key of its state (``{"m": "momentum_buffer"}``). Subclasses say their own rule."""
        return [f"w ← {type(self).__name__}(w, g)"], {"lr": group.get("lr")}, {"g": "grad"}

    def _update(self, param, grad, group, math):
        """Update one parameter from its gradient (already negated for ``maximize``)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    # --- state dicts --------------------------------------------------------------------
    def state_dict(self):
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``, PyTorch's layout."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore state saved by :meth:`state_dict` (tensors are copied to each parameter's dtype/device)."""
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(self.param_groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        id_map = {}
        for group, saved in zip(self.param_groups, saved_groups):
            id_map.update(zip(saved["params"], group["params"]))
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = {k: _cast_state(param, k, v) for k, v in value.items()}
            else:
                state[key] = value
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _cast_state(param, key, value):
    """A copy of one state value; floating tensors take the parameter's dtype, all its device ("step" stays)."""
    if not isinstance(value, Tensor):
        return value
    arr = value._data
    if key != "step":
        if param._data.dtype.kind == "f" and arr.dtype.kind == "f":
            arr = arr.astype(param._data.dtype, copy=False)
        arr = backend.to_device(arr, param.device)
    return Tensor._make(arr.copy() if arr is value._data else arr)
