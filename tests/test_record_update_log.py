"""A logged optimizer update (update_math.LoggedMath, record.update_log) reads back as the same events
and graph as the same update recorded op by op (TensorMath), for every optimizer and option."""
import numpy as np
import pytest

import graphviz_grad as vg
from graphviz_grad.record.tape import Tape

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "betas": (0.4, 0.3), "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
]


def _program(name, opts, steps, logged, monkeypatch):
    """Train a tiny net; record the last step's forward, backward and update. Returns (tape, weights)."""
    monkeypatch.setattr(Tape, "can_log_update", Tape.can_log_update if logged else lambda self, p: False)
    vg.manual_seed(0)
    model = vg.nn.Sequential(vg.nn.Linear(6, 5), vg.nn.Tanh(), vg.nn.Linear(5, 3))
    opt = getattr(vg.optim, name)(model.parameters(), **opts)
    x, y = vg.randn(8, 6), vg.randn(8, 3)
    tape = None
    for step in range(steps):
        recording = step == steps - 1
        if recording:
            tape = vg.record()
            tape.__enter__()
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if recording:
            tape.__exit__()
    return tape, [p.detach().numpy().copy() for p in model.parameters()]


def _events(tape):
    return tape.events


def _graph(tape):
    G = tape.graph()
    return (sorted((n, repr(sorted(d.items()))) for n, d in G.nodes(data=True)),
            sorted((u, v, k, repr(sorted(d.items()))) for u, v, k, d in G.edges(keys=True, data=True)))


@pytest.mark.parametrize("name, opts", CONFIGS, ids=[f"{n}-{'-'.join(o)}" for n, o in CONFIGS])
@pytest.mark.parametrize("steps", [1, 3])
def test_logged_update_reads_as_recorded_ops(name, opts, steps, monkeypatch):
    reference, w_ref = _program(name, opts, steps, False, monkeypatch)
    logged, w_log = _program(name, opts, steps, True, monkeypatch)
    for a, b in zip(w_ref, w_log):
        np.testing.assert_array_equal(a, b)
    assert len(logged) == len(reference)
    assert _events(logged) == _events(reference)
    assert _graph(logged) == _graph(reference)
    assert any(e["phase"] == "update" for e in logged.events)


def test_small_parameters_and_rings_record_op_by_op():
    """Where a temporary would keep its values (a small tensor) or the tape keeps a ring, the ops are
    recorded as they run; the logged path is only taken where nothing is lost."""
    from graphviz_grad.record.update_log import UpdateLog

    w = vg.tensor([1.0, 2.0], requires_grad=True)
    opt = vg.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    with vg.record() as tape:
        opt.step()
    assert not any(e.__class__ is UpdateLog for e in tape._events)
    t5 = [e for e in tape.events if e["op"] == "sub"][0]
    assert t5["output_shape"] == [2]

    big = vg.nn.Parameter(vg.randn(5, 5))
    opt = vg.optim.Adam([big], lr=0.1)
    (big * big).sum().backward()
    with vg.record(max_events=1000) as ring:
        opt.step()
    assert not any(e.__class__ is UpdateLog for e in ring._events)
    with vg.record() as tape:
        opt.step()
    assert any(e.__class__ is UpdateLog for e in tape._events)


def test_versions_count_each_write_as_pytorch():
    """AdamW writes the parameter twice (mul_ for the decay, addcdiv_): two versions, as in PyTorch."""
    import torch

    for lib in (torch, vg):
        lib.manual_seed(0)
        w = lib.nn.Parameter(lib.randn(4, 4))
        opt = lib.optim.AdamW([w])
        (w * w).sum().backward()
        version = (lambda: w._version) if lib is torch else (lambda: w._version[0])
        before = version()
        opt.step()
        if lib is torch:
            expected = version() - before
        else:
            assert version() - before == expected == 2


def test_a_logged_update_keeps_no_array_alive():
    import gc
    import weakref

    big = vg.nn.Parameter(vg.randn(40, 40))
    opt = vg.optim.SGD([big], lr=0.1, momentum=0.9)
    (big * big).sum().backward()
    with vg.record() as tape:
        opt.step()
    ref = weakref.ref(opt.state[big]["momentum_buffer"]._data)
    del opt, big
    gc.collect()
    assert ref() is None
    assert any(e["op"] == "clone" for e in tape.events)


def test_nested_tapes_both_read_the_update(monkeypatch):
    """Two tapes recording at once both get the log; a recorder that is not a tape gets every op as it runs."""
    vg.manual_seed(0)
    w = vg.nn.Parameter(vg.randn(6, 6))
    opt = vg.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    with vg.record() as outer:
        with vg.record() as inner:
            opt.step()
    assert inner.events == outer.events
    assert [e["label"] for e in inner.events][:3] == ["sub", "mul", "add_"]

    seen = []

    class Spy:
        def on_op(self, node, inputs, result):
            seen.append(type(node).__name__)

        def __getattr__(self, name):
            return lambda *a, **k: None

    from graphviz_grad.autograd import hooks

    spy = Spy()
    hooks.state.recorders = hooks.state.recorders + (spy,)
    try:
        with vg.record() as tape:
            opt.step()
    finally:
        hooks.state.recorders = tuple(r for r in hooks.state.recorders if r is not spy)
    assert seen.count("Sqrt") == 1 and len(tape) == len(inner)
