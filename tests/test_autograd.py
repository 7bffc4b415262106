"""Autograd semantics against torch: custom Functions, grad, backward options, grad modes,
in-place updates and version counters, long chains, anomaly detection."""
import numpy as np
import pytest
import torch

import graphviz_grad as vg
from conftest import assert_close


def both(program):
    """Run ``program(lib)`` on torch and graphviz_grad; return (ours, torch's)."""
    return program(vg), program(torch)


def assert_same(program, rtol=1e-6):
    ours, theirs = both(program)
    ours = ours if isinstance(ours, (tuple, list)) else [ours]
    theirs = theirs if isinstance(theirs, (tuple, list)) else [theirs]
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if t is None or isinstance(t, (bool, int, tuple)):
            assert o == t, f"result {i}: {o!r} != torch's {t!r}"
        else:
            assert_close(o, t, rtol, rtol, f"result {i}")


def data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# --- autograd.Function ----------------------------------------------------------------


def my_relu_class(lib):
    """The seed's MyReLU, written against ``lib``."""

    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            grad_x = grad_output.clone()
            grad_x[x < 0] = 0
            return grad_x

    return MyReLU


def test_seed_my_relu_training_matches_torch():
    def program(lib):
        MyReLU = my_relu_class(lib)
        x, y = lib.tensor(data(16, 20)), lib.tensor(data(16, 3, seed=1))
        w1 = lib.tensor(data(20, 8, seed=2), requires_grad=True)
        w2 = lib.tensor(data(8, 3, seed=3), requires_grad=True)
        losses = []
        for _ in range(5):
            y_pred = MyReLU.apply(x.mm(w1)).mm(w2)
            loss = (y_pred - y).pow(2).sum()
            losses.append(loss.item())
            loss.backward()
            with lib.no_grad():
                w1 -= 1e-3 * w1.grad
                w2 -= 1e-3 * w2.grad
                w1.grad.zero_()
                w2.grad.zero_()
        return lib.tensor(losses), w1, w2

    assert_same(program, rtol=1e-5)


def test_my_relu_grad_fn_is_named_after_the_class():
    x = vg.tensor([-1.0, 2.0], requires_grad=True)
    y = my_relu_class(vg).apply(x)
    assert type(y.grad_fn).__name__ == "MyReLUBackward"
    assert y.grad_fn.grad_fn_name() == "MyReLUBackward"


def scale_mul_class(lib, seen):
    """f(x, k, y) = x·k·y with a non-tensor argument, a ctx attribute and needs_input_grad."""

    class ScaleMul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, y):
            ctx.k = k
            ctx.note = {"any": "attribute"}
            ctx.save_for_backward(x, y)
            return x * k * y

        @staticmethod
        def backward(ctx, grad):
            seen.append((tuple(ctx.needs_input_grad), ctx.note["any"]))
            x, y = ctx.saved_tensors
            gx = grad * ctx.k * y if ctx.needs_input_grad[0] else None
            gy = grad * ctx.k * x if ctx.needs_input_grad[2] else None
            return gx, None, gy

    return ScaleMul


@pytest.mark.parametrize("y_requires_grad", [False, True])
def test_function_ctx_attributes_non_tensor_args_and_needs_input_grad(y_requires_grad):
    seen = {vg: [], torch: []}

    def program(lib):
        x = lib.tensor(data(3), requires_grad=True)
        y = lib.tensor(data(3, seed=1), requires_grad=y_requires_grad)
        out = scale_mul_class(lib, seen[lib]).apply(x, 2.5, y)
        out.sum().backward()
        return out, x.grad, y.grad

    assert_same(program)
    assert seen[vg] == seen[torch] == [((True, False, y_requires_grad), "attribute")]


def test_function_wrong_number_of_gradients_is_torchs_error():
    class Bad(vg.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = vg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 2, got 1\)"):
        Bad.apply(x, x).sum().backward()


def test_function_saved_tensor_modified_in_place_is_an_error():
    MyReLU = my_relu_class(vg)
    x = vg.tensor([1.0, -1.0], requires_grad=True)
    h = x * 1
    y = MyReLU.apply(h)
    with vg.no_grad():
        h += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_function_inside_no_grad_builds_no_graph():
    MyReLU = my_relu_class(vg)
    x = vg.tensor([1.0, -1.0], requires_grad=True)
    with vg.no_grad():
        y = MyReLU.apply(x)
    assert not y.requires_grad and y.grad_fn is None


# --- autograd.grad ------------------------------------------------------------------------


def test_autograd_grad_values_and_no_accumulation():
    def program(lib):
        x = lib.tensor(data(3), requires_grad=True)
        w = lib.tensor(data(3, seed=1), requires_grad=True)
        gx, gw = lib.autograd.grad((x * w).exp().sum(), [x, w])
        return gx, gw, x.grad, w.grad

    assert_same(program)


def test_autograd_grad_allow_unused():
    def program(lib):
        x = lib.tensor(data(3), requires_grad=True)
        unused = lib.tensor(data(3, seed=1), requires_grad=True)
        gx, gu = lib.autograd.grad((x * 2).sum(), (x, unused), allow_unused=True)
        return gx, gu

    assert_same(program)


def test_autograd_grad_unused_without_allow_unused_raises():
    x = vg.ones(2, requires_grad=True)
    unused = vg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        vg.autograd.grad((x * 2).sum(), [x, unused])


def test_autograd_grad_with_grad_outputs_and_retain_graph():
    def program(lib):
        x = lib.tensor(data(2, 3), requires_grad=True)
        y = x * x
        g = lib.tensor(data(2, 3, seed=4))
        (first,) = lib.autograd.grad(y, x, grad_outputs=g, retain_graph=True)
        (second,) = lib.autograd.grad(y, x, grad_outputs=g)
        return first, second

    assert_same(program)


def test_autograd_grad_of_an_intermediate():
    def program(lib):
        x = lib.tensor(data(3), requires_grad=True)
        h = x.exp()
        return lib.autograd.grad((h * h).sum(), h)

    assert_same(program)


# --- backward options -------------------------------------------------------------------


def test_backward_with_gradient_on_non_scalar():
    def program(lib):
        x = lib.tensor(data(2, 3), requires_grad=True)
        y = x * x + x
        y.backward(gradient=lib.tensor(data(2, 3, seed=7)))
        return x.grad

    assert_same(program)


def test_backward_on_a_leaf_and_with_inputs():
    def program(lib):
        x = lib.tensor(data(3), requires_grad=True)
        w = lib.tensor(data(3, seed=1), requires_grad=True)
        x.backward(lib.ones(3))
        (x * w).sum().backward(inputs=[w])
        return x.grad, w.grad

    assert_same(program)


def test_autograd_backward_several_roots():
    def program(lib):
        x = lib.tensor(data(3), requires_grad=True)
        lib.autograd.backward([(x * 2).sum(), (x * x).sum()])
        return x.grad

    assert_same(program)


def test_retain_graph_allows_a_second_backward_and_grads_accumulate():
    def program(lib):
        x = lib.tensor(data(3), requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        once = x.grad.clone()
        y.backward()
        return once, x.grad

    assert_same(program)


def test_second_backward_without_retain_graph_fails_like_torch():
    for lib in (torch, vg):
        x = lib.ones(3, requires_grad=True)
        y = (x * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="retain_graph=True"):
            y.backward()


def test_retain_grad_on_a_non_leaf():
    def program(lib):
        x = lib.tensor(data(3), requires_grad=True)
        h = x * 3
        h.retain_grad()
        (h * h).sum().backward()
        return h.grad, x.grad, h.retains_grad, h.is_leaf

    assert_same(program)


def test_grad_accumulates_across_backward_calls_until_zeroed():
    def program(lib):
        x = lib.tensor(data(3), requires_grad=True)
        (x * 2).sum().backward()
        grad_tensor = x.grad
        (x * x).sum().backward()
        twice = x.grad.clone()
        x.grad.zero_()
        (x * 5).sum().backward()
        return twice, x.grad, x.grad is grad_tensor

    assert_same(program)


def test_shared_parent_gets_every_path():
    """micrograd's b = a + a; c = b + b: four paths from c back to a."""
    def program(lib):
        a = lib.tensor(-3.0, requires_grad=True)
        b = a + a
        c = b + b
        d = a * a * a
        (c + d).backward()
        return a.grad

    assert_same(program)


def test_ten_thousand_op_chain_has_no_recursion_error():
    x = vg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001 ** 10_000, rtol=1e-3)


def test_training_steps_free_their_graphs_by_reference_counting():
    # No reference cycles: each step's graph is gone as soon as its loss is, without the
    # garbage collector (tests/test_seeds.py checks the RSS of 500 tutorial steps).
    import gc
    import weakref

    x, y = vg.tensor(data(8, 5)), vg.tensor(data(8, 2, seed=1))
    w1 = vg.tensor(data(5, 4, seed=2), requires_grad=True)
    w2 = vg.tensor(data(4, 2, seed=3), requires_grad=True)
    nodes = []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(500):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
            node = loss.grad_fn
            while node is not None:  # every node of the step's graph
                nodes.append(weakref.ref(node))
                node = node.next_fns[0] if node.next_fns else None
            loss.backward()
            with vg.no_grad():
                w1 -= 1e-3 * w1.grad
                w2 -= 1e-3 * w2.grad
                w1.grad.zero_()
                w2.grad.zero_()
        del loss, node
        alive = sum(ref() is not None for ref in nodes)
    finally:
        if was_enabled:
            gc.enable()
    assert len(nodes) == 500 * 6 and alive == 0  # sum, pow, sub, mm, clamp, mm


def test_ten_thousand_op_chain_with_retain_graph_and_grad():
    x = vg.tensor(2.0, dtype=vg.float64, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y + x * 0.0
    (g,) = vg.autograd.grad(y, x)
    assert g.item() == 1.0


# --- grad modes ----------------------------------------------------------------------------


def test_no_grad_context_and_decorator():
    x = vg.ones(2, requires_grad=True)
    with vg.no_grad():
        assert not vg.is_grad_enabled()
        y = x * 2
    assert vg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @vg.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad
    assert vg.is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ValueError):
        with vg.no_grad():
            raise ValueError("boom")
    assert vg.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = vg.ones(2, requires_grad=True)
    with vg.no_grad():
        with vg.enable_grad():
            assert vg.is_grad_enabled()
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad

    @vg.enable_grad()
    def double(t):
        return t * 2

    with vg.no_grad():
        assert double(x).requires_grad


def test_set_grad_enabled_as_context_call_and_decorator():
    x = vg.ones(2, requires_grad=True)
    with vg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert vg.is_grad_enabled()
    vg.set_grad_enabled(False)
    try:
        assert not vg.is_grad_enabled()
    finally:
        vg.set_grad_enabled(True)
    assert vg.is_grad_enabled()

    @vg.set_grad_enabled(False)
    def double(t):
        return t * 2

    assert vg.is_grad_enabled()
    assert not double(x).requires_grad
    assert vg.autograd.is_grad_enabled is vg.is_grad_enabled


# --- in-place updates and version counters ------------------------------------------------


def test_inplace_updates_under_no_grad_match_torch_and_bump_version():
    def program(lib):
        w = lib.tensor(data(3), requires_grad=True)
        other = lib.tensor(data(3, seed=1))
        versions = []
        with lib.no_grad():
            for step in (lambda: w.__isub__(other), lambda: w.__iadd__(other * 2),
                         lambda: w.__imul__(3), lambda: w.sub_(other), lambda: w.add_(other, alpha=2),
                         lambda: w.mul_(other), lambda: w.copy_(other * 4), lambda: w.sub_(0.5)):
                step()
                versions.append(w._version if lib is torch else w._version[0])
            snapshot = w.clone()
            w.zero_()
            w.fill_(1.5)
        final = w._version if lib is torch else w._version[0]
        return snapshot, w, tuple(versions), final, w.requires_grad, w.is_leaf

    assert_same(program)


def test_augmented_assignment_keeps_the_same_tensor():
    w = vg.ones(3, requires_grad=True)
    before = id(w)
    with vg.no_grad():
        w -= 0.5
    assert id(w) == before and w.is_leaf and w.requires_grad


def test_zero_dim_results_and_grads_can_be_updated_in_place():
    # NumPy turns 0-d results into scalars; a tensor holding one ignored `+=` and failed zero_().
    def program(lib):
        x = lib.tensor(2.0, requires_grad=True)
        (x * 3).backward()
        grad_before = x.grad.clone()
        x.grad.zero_()
        s = lib.tensor([1.0, 2.0]).sum()
        y = lib.tensor(2.0) * 3
        with lib.no_grad():
            y += 1
            s.zero_()
            x -= 0.5
        return grad_before, x.grad, y, s, x

    assert_same(program)


def test_setitem_under_no_grad_bumps_version():
    w = vg.ones(3, requires_grad=True)
    with vg.no_grad():
        w[0] = 5.0
    assert w._version[0] == 1 and w.tolist() == [5.0, 1.0, 1.0]


@pytest.mark.parametrize("modify", [
    lambda w: w.sub_(1.0),
    lambda w: w.__isub__(1.0),
    lambda w: w.zero_(),
    lambda w: w.copy_(w * 2),
    lambda w: w.__setitem__(0, 3.0),
])
def test_modifying_a_saved_tensor_before_backward_fails_like_torch(modify):
    for lib in (torch, vg):
        w = lib.ones(3, requires_grad=True)
        loss = (w * w).exp().sum()  # mul saves w
        with lib.no_grad():
            modify(w)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


def test_detach_shares_data_and_version_counter():
    def program(lib):
        a = lib.tensor(data(3), requires_grad=True)
        b = a * 2
        c = b * b
        d = b.detach()
        d.add_(1)  # changes b too, so c's backward must refuse
        try:
            c.sum().backward()
            raised = False
        except RuntimeError:
            raised = True
        return b, raised, d.requires_grad

    assert_same(program)


def test_inplace_with_grad_on_a_non_leaf_is_recorded():
    def program(lib):
        a = lib.tensor(data(3), requires_grad=True)
        y = lib.tensor(data(3, seed=1), requires_grad=True)
        b = a * 2
        b.mul_(3)
        b.mul_(y)
        b.add_(a)
        b.sum().backward()
        return b, a.grad, y.grad, b.grad_fn is not None

    assert_same(program)


@pytest.mark.parametrize("inplace", [lambda b: b.mul_(3), lambda b: b.relu_(), lambda b: b.add_(1),
                                     lambda b: b.clamp_(min=0.5)])
def test_uses_before_an_inplace_op_keep_the_old_value_like_torch(inplace):
    # c = b + 1 ran before b changed: its gradient goes to the old b, not through the in-place op
    def program(lib):
        a = lib.tensor(data(3), requires_grad=True)
        b = a * 2
        c = b + 1
        inplace(b)
        (c * 5 + b).sum().backward()
        return a.grad, c.grad_fn.next_functions[0][0] is b.grad_fn

    assert_same(program)


@pytest.mark.parametrize("inplace", [lambda b: b.mul_(3), lambda b: b.relu_(), lambda b: b.add_(1)])
def test_inplace_with_grad_invalidates_earlier_saved_values_like_torch(inplace):
    for lib in (torch, vg):
        a = lib.ones(3, requires_grad=True)
        b = a * 2
        c = b * b  # saves b
        inplace(b)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            c.sum().backward()


def test_saved_output_of_an_inplace_op_is_watched_like_torch():
    for lib in (torch, vg):
        a = lib.ones(3, requires_grad=True)
        b = a * 2
        b.relu_()  # saves its output: b itself
        with lib.no_grad():
            b += 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


# --- anomaly detection ------------------------------------------------------------------


def test_detect_anomaly_names_log_of_zero_and_marks_the_node():
    x = vg.tensor([0.0, 1.0], requires_grad=True)
    with vg.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="'LogBackward0' \\(op 'log'\\)") as e:
            vg.log(x) * 0
    assert e.value.node.anomaly is True
    assert type(e.value.node).__name__ == "Log"


def test_detect_anomaly_names_zero_over_zero():
    x = vg.tensor([0.0, 1.0], requires_grad=True)
    with vg.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="op 'div'"):
            (x / x).sum()


def test_detect_anomaly_in_backward_names_the_op_like_torch():
    """sqrt(0) * 0 is fine forward; backward, sqrt's 0 / 0 is NaN. torch names SqrtBackward0 too."""
    for lib in (torch, vg):
        x = lib.tensor([0.0, 4.0], requires_grad=True)
        with lib.autograd.detect_anomaly():
            y = (x.sqrt() * 0).sum()
            with pytest.raises(RuntimeError, match="SqrtBackward0"):
                y.backward()


def test_detect_anomaly_leaves_clean_programs_alone_and_switches_off():
    x = vg.tensor([1.0, 2.0], requires_grad=True)
    with vg.autograd.detect_anomaly():
        (x.log() * x).sum().backward()
    assert x.grad is not None
    y = vg.log(vg.tensor([0.0]))  # outside: no error, as torch
    assert y.item() == -np.inf


def test_detect_anomaly_as_decorator():
    @vg.autograd.detect_anomaly()
    def f(t):
        return t.log()

    with pytest.raises(RuntimeError, match="log"):
        f(vg.tensor([0.0], requires_grad=True))


def test_gradient_into_a_zeroed_grad_keeps_the_grad_tensor_and_equals_torch():
    """After w.grad.zero_() the next backward may take the new gradient's array (0 + g is g):
    .grad stays the same tensor object, holds exactly torch's values, and later accumulation adds."""
    for lib in (torch, vg):
        w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        (w * w).sum().backward()
        g = w.grad
        w.grad.zero_()
        (w * 3.0).sum().backward()
        assert w.grad is g
        assert w.grad.tolist() == [3.0, 3.0, 3.0]
        (w * w).sum().backward()  # accumulates into it
        assert w.grad.tolist() == [5.0, -1.0, 9.0]


def test_zeroed_grad_buffers_stay_zero_and_graphs_keep_their_gradients():
    # zero_() on a .grad that a graph still holds switches to the zeros the previous backward replaced;
    # over several steps .grad must read zero after zero_(), and each step's graph its own gradient.
    w = vg.ones(3, requires_grad=True)
    graphs = []
    for step in range(1, 5):
        loss = (w * w * step).sum()
        loss.backward()
        np.testing.assert_array_equal(w.grad.numpy(), 2.0 * step)
        graphs.append((step, vg.graph(loss)))
        held = loss
        w.grad.zero_()
        np.testing.assert_array_equal(w.grad.numpy(), 0.0)
        assert held.grad_fn.grads_in[0] is not w.grad._data
        w.grad.add_(1.0)  # written in place into the zeros it got: the next zero_() zeroes it again
        np.testing.assert_array_equal(w.grad.numpy(), 1.0)
        w.grad.zero_()
        np.testing.assert_array_equal(w.grad.numpy(), 0.0)
    for step, G in graphs:
        leaf = [d for _, d in G.nodes(data=True) if d.get("kind") == "tensor" and d.get("is_leaf")
                and d.get("requires_grad")][0]
        assert leaf["grad"]["values"] == [2.0 * step] * 3


def _zero_after_outside_write(kind):
    """zero_() after the zeros it left were reached from outside (.detach(), .numpy(), a view) and written."""
    w = vg.ones(3, requires_grad=True)
    if kind == "view":
        flat = vg.zeros(6)
        w.grad = flat[0:3]
    (w * 2).sum().backward()
    w.grad.zero_()
    outside = {"detach": lambda: w.grad.detach(), "numpy": lambda: w.grad.numpy(), "view": lambda: flat}[kind]()
    (w * 3).sum().backward()
    if kind == "numpy":
        outside[...] = 7
    else:
        with vg.no_grad():
            outside.fill_(7)
    w.grad.zero_()
    return w.grad


@pytest.mark.parametrize("kind", ["detach", "numpy", "view"])
def test_zero_never_hands_out_zeros_that_someone_else_holds(kind):
    np.testing.assert_array_equal(_zero_after_outside_write(kind).numpy(), 0.0)


def test_copy_into_a_view_with_a_grad_source_writes_the_base():
    base = vg.zeros(2, 3)
    x = vg.ones(3, requires_grad=True)
    base[0].copy_(x * 2)
    np.testing.assert_array_equal(base.numpy(), [[2, 2, 2], [0, 0, 0]])
    assert vg.zeros(2, dtype=vg.int64).copy_(x[:2] * 1).requires_grad is False
