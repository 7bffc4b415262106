"""nn.Module hooks against torch: forward pre-hooks and forward hooks (with_kwargs, prepend, always_call), full
backward hooks and backward pre-hooks (what they see, and gradients they replace), handles, get_parameter /
get_buffer; the same program run on both libraries, the same seeds."""
import warnings

import numpy as np
import pytest
import torch

import graphviz_grad as vg
from conftest import assert_close


def _both(program):
    """``program(lib)`` under torch and graphviz_grad, each from ``manual_seed(0)``: (ours, theirs)."""
    torch.manual_seed(0)
    theirs = program(torch)
    vg.manual_seed(0)
    ours = program(vg)
    return ours, theirs


def _same(ours, theirs):
    """Nested tuples/lists/dicts of tensors, numbers and None compare equal (tensors within tolerance)."""
    if isinstance(theirs, torch.Tensor):
        assert_close(ours, theirs)
    elif isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), (ours, theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
    elif isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for key in theirs:
            _same(ours[key], theirs[key])
    else:
        assert ours == theirs


# --- forward hooks ------------------------------------------------------------------------------------------


def _feature_maps(lib):
    """The feature-map lesson: capture every layer's output with forward hooks, then remove them."""
    model = lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.ReLU(), lib.nn.MaxPool2d(2), lib.nn.Flatten(),
                              lib.nn.Linear(8, 3))
    features = {}
    handles = [m.register_forward_hook(lambda m, args, out, name=name: features.__setitem__(name, out.detach()))
               for name, m in model.named_children()]
    out = model(lib.randn(2, 1, 6, 6))
    for h in handles:
        h.remove()
    model(lib.randn(2, 1, 6, 6))  # hooks removed: nothing more captured
    return out, features, [len(m._forward_hooks) for m in model]


def _pre_hook_replaces_args(lib):
    layer = lib.nn.Linear(3, 2)
    layer.register_forward_pre_hook(lambda m, args: args[0] * 2)  # one value: becomes (value,)
    layer.register_forward_pre_hook(lambda m, args: (args[0] + 1,))
    return layer(lib.ones(4, 3))


def _pre_hook_with_kwargs(lib):
    class Scale(lib.nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale

    m = Scale()
    seen = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: seen.append(sorted(kwargs)), with_kwargs=True)
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"scale": kwargs["scale"] * 10}), with_kwargs=True)
    return m(lib.ones(2), scale=3.0), seen


def _forward_hook_order(lib):
    layer = lib.nn.Identity()
    order = []
    layer.register_forward_hook(lambda m, a, o: order.append("first"))
    layer.register_forward_hook(lambda m, a, o: order.append("prepended"), prepend=True)
    layer.register_forward_hook(lambda m, a, o: o * 3)
    layer.register_forward_hook(lambda m, a, k, o: order.append(("kwargs", sorted(k))) or o + 1, with_kwargs=True)
    pre = []
    layer.register_forward_pre_hook(lambda m, a: pre.append("pre"))
    layer.register_forward_pre_hook(lambda m, a: pre.append("pre-first"), prepend=True)
    return layer(lib.ones(2)), order, pre


def _handle_as_context_manager(lib):
    layer = lib.nn.Identity()
    with layer.register_forward_hook(lambda m, a, o: o * 0):
        inside = layer(lib.ones(2))
    return inside, layer(lib.ones(2)), len(layer._forward_hooks)


def _always_call(lib):
    layer = lib.nn.Linear(3, 2)
    calls = []
    layer.register_forward_hook(lambda m, a, o: calls.append(("always", o is None)), always_call=True)
    layer.register_forward_hook(lambda m, a, o: calls.append("plain"))
    try:
        layer(lib.ones(2, 4))  # wrong width: forward raises
    except RuntimeError:
        calls.append("raised")
    layer(lib.ones(2, 3))
    return calls


def _hook_ids_and_removal(lib):
    layer = lib.nn.Linear(2, 2)
    a = layer.register_forward_hook(lambda m, a, o: None, with_kwargs=True, always_call=True)
    b = layer.register_forward_pre_hook(lambda m, a, k: None, with_kwargs=True)
    sizes = [len(layer._forward_hooks), len(layer._forward_hooks_with_kwargs), len(layer._forward_hooks_always_called),
             len(layer._forward_pre_hooks), len(layer._forward_pre_hooks_with_kwargs)]
    a.remove()
    b.remove()
    a.remove()  # twice: nothing happens
    sizes += [len(layer._forward_hooks), len(layer._forward_hooks_with_kwargs), len(layer._forward_hooks_always_called),
              len(layer._forward_pre_hooks), len(layer._forward_pre_hooks_with_kwargs)]
    return sizes, b.id == a.id + 1


FORWARD_PROGRAMS = [_feature_maps, _pre_hook_replaces_args, _pre_hook_with_kwargs, _forward_hook_order,
                    _handle_as_context_manager, _always_call, _hook_ids_and_removal]


@pytest.mark.parametrize("program", FORWARD_PROGRAMS, ids=[p.__name__.strip("_") for p in FORWARD_PROGRAMS])
def test_forward_hooks_as_torch(program):
    _same(*_both(program))


def test_forward_hook_output_keeps_the_graph():
    layer = vg.nn.Linear(3, 1)
    layer.register_forward_hook(lambda m, args, out: out * 2)
    x = vg.ones(2, 3, requires_grad=True)
    layer(x).sum().backward()
    assert_close(x.grad, torch.tensor(layer.weight.detach().numpy()).expand(2, 3) * 2)


def test_forward_pre_hook_must_return_args_and_kwargs():
    for lib in (torch, vg):
        layer = lib.nn.Identity()
        layer.register_forward_pre_hook(lambda m, a, k: 5, with_kwargs=True)
        with pytest.raises(RuntimeError, match=r"forward pre-hook must return None or a tuple of \(new_args, "
                                               r"new_kwargs\), but got 5\."):
            layer(lib.ones(1))


def test_always_call_hook_that_raises_is_silenced_with_a_warning():
    for lib in (torch, vg):
        layer = lib.nn.Linear(2, 2)

        def bad(m, args, out):
            raise ValueError("oops")

        layer.register_forward_hook(bad, always_call=True)
        with pytest.warns(UserWarning, match="module forward hook with ``always_call=True`` raised an exception that "
                                             "was silenced as another error was raised in forward: oops"):
            with pytest.raises(RuntimeError):
                layer(lib.ones(1, 3))


def test_hooks_on_nested_modules_run_inside_out():
    def program(lib):
        inner = lib.nn.Linear(2, 2)
        outer = lib.nn.Sequential(inner, lib.nn.ReLU())
        order = []
        for name, m in (("inner", inner), ("outer", outer)):
            m.register_forward_pre_hook(lambda m, a, name=name: order.append("pre " + name))
            m.register_forward_hook(lambda m, a, o, name=name: order.append("post " + name))
        outer(lib.ones(1, 2))
        return order

    _same(*_both(program))


def test_no_hook_path_is_unchanged_after_removal():
    layer = vg.nn.Linear(2, 2)
    layer.register_forward_hook(lambda m, a, o: o * 0).remove()
    assert layer(vg.ones(1, 2)).grad_fn.grad_fn_name() == "AddmmBackward0"


# --- backward hooks -----------------------------------------------------------------------------------------


def _record(log, tag):
    """A hook that appends (tag, its arguments but the module) to ``log``, detached."""
    def hook(module, *grads):
        log.append((tag, *[tuple(None if g is None else g.detach().clone() for g in gs) for gs in grads]))
    return hook


def _linear_backward_hooks(lib):
    layer = lib.nn.Linear(3, 2)
    log = []
    layer.register_full_backward_pre_hook(_record(log, "pre"))
    layer.register_full_backward_hook(_record(log, "hook"))
    x = lib.randn(4, 3, requires_grad=True)
    (layer(x) ** 2).sum().backward()
    return log, x.grad, layer.weight.grad


def _two_inputs_two_outputs(lib):
    class Two(lib.nn.Module):
        def forward(self, a, b, scale=1.0):
            return a * b * scale, a + b

    m = Two()
    log = []
    m.register_full_backward_pre_hook(_record(log, "pre"))
    m.register_full_backward_hook(_record(log, "hook"))
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 5.0])  # no grad: its gradient is zeros in the hook, as torch's
    x, y = m(a, b, 2.0)
    (x * x).sum().backward()  # y unused: its grad_output is None
    return log, a.grad


def _hook_replaces_grad_input(lib):
    layer = lib.nn.Linear(2, 2)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
    x = lib.randn(3, 2, requires_grad=True)
    layer(x).sum().backward()
    return x.grad, layer.weight.grad  # the weight's gradient is not the hook's to change


def _pre_hook_replaces_grad_output(lib):
    layer = lib.nn.Linear(2, 2)
    log = []
    layer.register_full_backward_pre_hook(lambda m, go: (go[0] * -1,))
    layer.register_full_backward_hook(_record(log, "hook"))
    x = lib.randn(3, 2, requires_grad=True)
    layer(x).sum().backward()
    return log, x.grad, layer.weight.grad, layer.bias.grad


def _first_layer_no_input_grad(lib):
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
    log = []
    for name, m in model.named_children():
        m.register_full_backward_hook(_record(log, name))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model(lib.randn(5, 3)).sum().backward()
    return log, [p.grad for p in model.parameters()]


def _backward_twice_with_retain_graph(lib):
    layer = lib.nn.Tanh()
    log = []
    layer.register_full_backward_hook(_record(log, "hook"))
    x = lib.randn(3, requires_grad=True)
    y = layer(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    return log, x.grad


def _autograd_grad_sees_the_hook(lib):
    layer = lib.nn.Sigmoid()
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0] + 1,))
    x = lib.randn(4, requires_grad=True)
    return lib.autograd.grad(layer(x).sum(), [x])


def _prepend_and_removal(lib):
    layer = lib.nn.ReLU()
    order = []
    layer.register_full_backward_hook(lambda m, gi, go: order.append("a"))
    h = layer.register_full_backward_hook(lambda m, gi, go: order.append("b"), prepend=True)
    layer.register_full_backward_pre_hook(lambda m, go: order.append("pre"))
    x = lib.randn(3, requires_grad=True)
    layer(x).sum().backward()
    h.remove()
    layer(x).sum().backward()
    return order


def _hooks_see_a_module_used_twice(lib):
    layer = lib.nn.Linear(2, 2)
    log = []
    layer.register_full_backward_hook(_record(log, "hook"))
    x = lib.randn(1, 2, requires_grad=True)
    layer(layer(x)).sum().backward()
    return log, x.grad


BACKWARD_PROGRAMS = [_linear_backward_hooks, _two_inputs_two_outputs, _hook_replaces_grad_input,
                     _pre_hook_replaces_grad_output, _first_layer_no_input_grad, _backward_twice_with_retain_graph,
                     _autograd_grad_sees_the_hook, _prepend_and_removal, _hooks_see_a_module_used_twice]


@pytest.mark.parametrize("program", BACKWARD_PROGRAMS, ids=[p.__name__.strip("_") for p in BACKWARD_PROGRAMS])
def test_backward_hooks_as_torch(program):
    _same(*_both(program))


def test_backward_hook_node_is_named_as_torch():
    for lib in (torch, vg):
        layer = lib.nn.Tanh()
        layer.register_full_backward_hook(lambda m, gi, go: None)
        out = layer(lib.ones(2, requires_grad=True))
        name = out.grad_fn.name() if lib is torch else out.grad_fn.grad_fn_name()
        assert name == "BackwardHookFunctionBackward"


def test_backward_hook_warning_when_no_input_requires_grad():
    for lib in (torch, vg):
        layer = lib.nn.Linear(2, 1)
        layer.register_full_backward_hook(lambda m, gi, go: None)
        with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are computed with respect "
                                             "to module outputs since no inputs require gradients") as caught:
            layer(lib.ones(3, 2)).sum().backward()
        assert len(caught) == 1


BACKWARD_ERRORS = [
    ("hook_length", "register_full_backward_hook", lambda m, gi, go: (gi[0], gi[0]),
     "Backward hook returned an invalid number of grad_input, got 2, but expected 1"),
    ("pre_hook_length", "register_full_backward_pre_hook", lambda m, go: (go[0], go[0]),
     "Backward pre hook returned an invalid number of grad_output, got 2, but expected 1"),
    ("hook_shape", "register_full_backward_hook", lambda m, gi, go: (gi[0][:, :1],),
     "hook 'hook' has changed the size of value"),
]


@pytest.mark.parametrize("name, register, hook, message", BACKWARD_ERRORS, ids=[e[0] for e in BACKWARD_ERRORS])
def test_backward_hook_errors_as_torch(name, register, hook, message):
    for lib in (torch, vg):
        layer = lib.nn.Linear(2, 1)
        getattr(layer, register)(hook)
        with pytest.raises(RuntimeError, match=message):
            layer(lib.ones(1, 2, requires_grad=True)).sum().backward()


def test_backward_hook_without_input_grad_must_return_none():
    for lib in (torch, vg):
        layer = lib.nn.Linear(2, 1)
        layer.register_full_backward_hook(lambda m, gi, go: (lib.ones(1, 2),))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match="Backward hook for Modules where no input requires gradient should "
                                                   "always return None or None for all gradients."):
                layer(lib.ones(1, 2)).sum().backward()


def test_no_backward_hook_node_under_no_grad():
    layer = vg.nn.Linear(2, 1)
    layer.register_full_backward_hook(lambda m, gi, go: None)
    with vg.no_grad():
        out = layer(vg.ones(1, 2, requires_grad=True))
    assert out.grad_fn is None


def test_backward_hooks_keep_the_recorded_graph_drawable():
    model = vg.nn.Sequential(vg.nn.Linear(2, 2), vg.nn.ReLU())
    model[0].register_full_backward_hook(lambda m, gi, go: None)
    x = vg.ones(1, 2, requires_grad=True)
    with vg.record() as rec:
        model(x).sum().backward()
    names = [d.get("op") for _, d in rec.graph().nodes(data=True) if d.get("kind") == "op"]
    assert "backward_hook" in names and "linear" in names


# --- get_parameter / get_buffer -----------------------------------------------------------------------------


def _model(lib):
    model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
    model.register_buffer("steps", lib.zeros(1))
    return model


LOOKUPS = [
    ("parameter", lambda m: m.get_parameter("0.weight") is m[0].weight),
    ("nested_buffer", lambda m: m.get_buffer("1.running_mean") is m[1].running_mean),
    ("own_buffer", lambda m: m.get_buffer("steps") is m.steps),
    ("missing", lambda m: m.get_parameter("0.foo")),
    ("not_a_parameter", lambda m: m.get_parameter("1.running_var")),
    ("not_a_buffer", lambda m: m.get_buffer("0.bias")),
    ("not_a_module", lambda m: m.get_parameter("0.weight.x")),
    ("no_submodule", lambda m: m.get_parameter("5.weight")),
]


@pytest.mark.parametrize("name, fn", LOOKUPS, ids=[e[0] for e in LOOKUPS])
def test_get_parameter_and_buffer_as_torch(name, fn):
    try:
        theirs = fn(_model(torch))
    except AttributeError as error:
        with pytest.raises(AttributeError) as ours:
            fn(_model(vg))
        assert str(ours.value) == str(error)
    else:
        assert fn(_model(vg)) == theirs


def test_hook_handles_hold_the_module_weakly():
    import gc
    import weakref

    layer = vg.nn.Linear(2, 2)
    handle = layer.register_forward_hook(lambda m, a, o: None)
    ref = weakref.ref(layer)
    del layer
    gc.collect()
    assert ref() is None
    handle.remove()  # the dicts are gone: nothing to do


def test_removable_handle_in_utils():
    assert vg.utils.hooks.RemovableHandle.__name__ == torch.utils.hooks.RemovableHandle.__name__
    handle = vg.nn.Identity().register_forward_hook(lambda *a: None)
    assert isinstance(handle, vg.utils.hooks.RemovableHandle)
    assert isinstance(handle.id, int)
