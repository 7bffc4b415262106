"""A module call with hooks: PyTorch's ``Module._call_impl`` past its no-hook shortcut.

Forward pre-hooks may replace the positional arguments (or, ``with_kwargs``, both ``args`` and
``kwargs``), forward hooks the output; ``always_call`` hooks run even when ``forward`` raises. Full
backward hooks and backward pre-hooks pass each input and output tensor through a
:class:`~graphviz_grad.ops.module_hooks.BackwardHook` node; in backward the pre-hooks see (and may
replace) the gradients of the outputs, then the hooks see those and the gradients of the inputs (and
may replace the latter), each once per backward.

>>> import graphviz_grad as vg
>>> relu = vg.nn.ReLU()
>>> seen = []
>>> handle = relu.register_forward_hook(lambda module, args, output: seen.append(output.shape))
>>> _ = relu(vg.ones(2, 3))
>>> seen
[graphviz_grad.Size([2, 3])]
"""
from .._warnings import warn_user
from ..autograd import engine, grad_mode
from ..backend import xp_of
from ..tensor import Tensor


def call_with_hooks(module, args, kwargs):
    """``module(*args, **kwargs)`` with its forward and backward hooks (see the module docstring)."""
    result = None
    called = set()  # the always_call hooks that ran
    try:
        d = module.__dict__
        for hook_id, hook in list(d["_forward_pre_hooks"].items()):
            if hook_id in d["_forward_pre_hooks_with_kwargs"]:
                new = hook(module, args, kwargs)
                if new is not None:
                    if isinstance(new, tuple) and len(new) == 2:
                        args, kwargs = new
                    else:
                        raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {new}.")
            else:
                new = hook(module, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
        group = None
        if d["_backward_hooks"] or d["_backward_pre_hooks"]:
            group = _HookGroup(module, list(d["_backward_hooks"].values()), list(d["_backward_pre_hooks"].values()))
            args = group.wrap_inputs(args)
        result = module.forward(*args, **kwargs)
        for hook_id, hook in list(d["_forward_hooks"].items()):
            if hook_id in d["_forward_hooks_always_called"]:
                called.add(hook_id)
            if hook_id in d["_forward_hooks_with_kwargs"]:
                new = hook(module, args, kwargs, result)
            else:
                new = hook(module, args, result)
            if new is not None:
                result = new
        if group is not None:
            if not isinstance(result, (Tensor, tuple)):
                warn_user("For backward hooks to be called, module output should be a Tensor or a tuple of Tensors "
                          f"but received {type(result)}")
            result = group.wrap_outputs(result)
        return result
    except Exception:
        d = module.__dict__
        always = d["_forward_hooks_always_called"]
        for hook_id, hook in list(d["_forward_hooks"].items()):
            if hook_id in always and hook_id not in called:
                try:
                    if hook_id in d["_forward_hooks_with_kwargs"]:
                        new = hook(module, args, kwargs, result)
                    else:
                        new = hook(module, args, result)
                    if new is not None:
                        result = new
                except Exception as error:
                    warn_user("module forward hook with ``always_call=True`` raised an exception that was silenced "
                              f"as another error was raised in forward: {error}")
        raise


def _wrap(args, side):
    """``args`` with each tensor passed through a BackwardHook node of ``side``, or None when no tensor
    of them requires grad (or grad is off): then there is nothing to hook."""
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    if not (grad_mode.state.enabled and any(args[i].requires_grad for i in positions)):
        return None
    from ..ops.module_hooks import BackwardHook

    new = list(args)
    for index, i in enumerate(positions):
        out = BackwardHook.apply(args[i])
        node = out.grad_fn
        if node is not None:
            node.side, node.index = side, index
        new[i] = out
    side.positions = positions
    side.specs = [(a.shape, a.dtype, xp_of(a)) for a in (args[i]._data for i in positions)]
    side.count = len(args)
    return tuple(new) if type(args) is tuple else type(args)(*new)


class _HookSide:
    """The tensors of one side (inputs or outputs) of a hooked call; ``on_grads(grads)`` is run once per
    backward, by the first of their nodes to run, with every tensor's gradient array (or None)."""

    def __init__(self, on_grads):
        self.on_grads = on_grads
        self.positions, self.specs, self.count = [], [], 0  # specs: (shape, dtype, array module) per tensor
        self.run = None  # the backward that last ran on_grads (its gradient buffers), and its results
        self.results = None

    def grad_for(self, node, grad):
        pending = engine.pending_grads()
        if self.run is not pending:
            # the first node of this side to run in this backward: its siblings' gradients are all in
            self.run = pending
            grads = [None] * len(self.positions)
            grads[node.index] = grad
            for sibling, g in pending.items():
                if getattr(sibling, "side", None) is self:
                    grads[sibling.index] = g
            self.results = self.on_grads(grads)
        return self.results[node.index]


def _tensors(values, what, specs):
    """Arrays of the tensors a hook returned (None stays None), PyTorch's error for a changed shape."""
    out = []
    for value, (shape, _, _) in zip(values, specs):
        if value is None:
            out.append(None)
            continue
        if not isinstance(value, Tensor):
            raise TypeError(f"expected a Tensor or None as a {what} from a backward hook, got {type(value).__name__}")
        if tuple(value.shape) != tuple(shape):
            raise RuntimeError("hook 'hook' has changed the size of value")
        out.append(value._data)
    return out


class _HookGroup:
    """The backward hooks of one call (PyTorch's ``utils.hooks.BackwardHook``)."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.inputs = self.outputs = None
        self.n_inputs = 0
        self.grad_outputs = None

    def wrap_inputs(self, args):
        self.n_inputs = len(args)
        side = _HookSide(self._input_grads)
        new = _wrap(args, side)
        if new is None:
            return args
        self.inputs = side
        return new

    def wrap_outputs(self, result):
        single = not isinstance(result, tuple)
        side = _HookSide(self._output_grads)
        new = _wrap((result,) if single else result, side)
        if new is None:
            return result
        self.outputs = side
        return new[0] if single else new

    def _pack(self, side, grads):
        packed = [None] * side.count
        for i, g in zip(side.positions, grads):
            packed[i] = None if g is None else Tensor._make(g)
        return tuple(packed)

    def _output_grads(self, grads):
        side = self.outputs
        grad_outputs = self._pack(side, grads)
        for hook in self.pre_hooks:
            new = hook(self.module, grad_outputs)
            if new is None:
                continue
            if len(new) != len(grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(new)}, but expected {len(grad_outputs)}")
            grad_outputs = new
        if self.inputs is None:  # no input requires grad: the hooks run now, with no input gradients
            warn_user("Full backward hook is firing when gradients are computed with respect to module outputs "
                      "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                      "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                res = hook(self.module, grad_inputs, grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        else:
            self.grad_outputs = grad_outputs
        return _tensors([grad_outputs[i] for i in side.positions], "grad_output", side.specs)

    def _input_grads(self, grads):
        side = self.inputs
        if self.grad_outputs is None:  # the gradient reached the inputs without passing the outputs
            return grads
        for k, g in enumerate(grads):
            if g is None:  # PyTorch's hook node materializes the gradients nothing sent: zeros
                shape, dtype, xp = side.specs[k]
                grads[k] = xp.zeros(shape, dtype=dtype)
        res = self._pack(side, grads)
        for hook in self.hooks:
            new = hook(self.module, res, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(res):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(new)}, but "
                                   f"expected {len(res)}")
            res = new
        self.grad_outputs = None
        return _tensors([res[i] for i in side.positions], "grad_input", side.specs)
