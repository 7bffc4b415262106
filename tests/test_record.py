"""Recording (SPEC §2): the graph model, the tape of events, names, exports, summaries and memory.

Everything goes through the public API a user has: ``vg.graph(t)``, ``with
vg.record() as tape:``, ``tape.events``, ``tape.graph()``, ``Graph.to_json`` /
``to_graphml`` / ``to_dot``, ``vg.record.load``. The node and edge schema checked
here is docs/reference/graph-schema.md.
"""
import contextlib
import gc
import io
import json
import math
import random
import re
import runpy
import subprocess
import sys
import threading
import weakref
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from conftest import needs_proc_statm, run_measuring_rss

import graphviz_grad as vg
from graphviz_grad.lessons import LESSONS, Lesson

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = ROOT / "examples"
# the seed tutorial's programs (graphviz_grad/lessons/tutorial_*.py), as vizgrad train runs them
EXAMPLES = {name: lesson for name, lesson in LESSONS.items() if lesson.program.startswith("tutorial_")}

TENSOR_KEYS = {"kind", "name", "shape", "dtype", "device", "requires_grad", "is_leaf", "role", "data", "grad",
               "module"}
OP_KEYS = {"kind", "op", "label", "grad_fn", "attrs", "forward_step", "backward_step", "module", "derivative",
           "phase", "custom", "anomaly"}
EDGE_KEYS = {"kind", "position", "grad", "rule"}
ROLES = {"input", "parameter", "leaf", "intermediate", "output", "constant", "gradient"}
PHASES = ("forward", "backward", "update")
STATS = {"numel", "min", "max", "mean", "norm"}


# --- schema checks ---------------------------------------------------------------------------------


def assert_json_types(value, where="graph"):
    """Only JSON types: the model keeps summaries, never arrays, tensors or autograd nodes."""
    stack = [(value, where)]
    while stack:
        v, path = stack.pop()
        if isinstance(v, dict):
            for k, item in v.items():
                assert isinstance(k, str), f"{path}: key {k!r} is not a string"
                stack.append((item, f"{path}.{k}"))
        elif isinstance(v, list):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(v))
        else:
            assert v is None or type(v) in (str, int, float, bool), f"{path}: {type(v).__name__} {v!r}"


def assert_summary(summary, shape, small=16, where="summary", full=True):
    """A summary of an array of ``shape``: values when small, else min/max/mean/norm; numel always.

    ``full=False``: a large array may have ``numel`` alone (a lazy tape's statistics of an array freed
    or changed before the tape was read)."""
    assert isinstance(summary, dict), f"{where}: {summary!r}"
    numel = math.prod(shape)
    assert summary["numel"] == numel, (where, summary, shape)
    if not full and numel > small and set(summary) == {"numel"}:
        return
    if numel <= small:
        assert set(summary) == {"numel", "values"}, (where, summary)
        assert np.shape(summary["values"]) == tuple(shape), (where, summary, shape)
    else:
        assert set(summary) == STATS, (where, summary)
        lo, hi, mean, norm = (summary[k] for k in ("min", "max", "mean", "norm"))
        assert all(isinstance(v, float) for v in (lo, hi, mean, norm)), (where, summary)
        if not any(math.isnan(v) for v in (lo, hi, mean, norm)):
            assert lo <= hi and norm >= 0, (where, summary)
            assert lo - 1e-4 * abs(lo) <= mean <= hi + 1e-4 * abs(hi), (where, summary)


def tensor_nodes(G):
    return [n for n, d in G.nodes(data=True) if d["kind"] == "tensor"]


def names(G):
    return {G.nodes[n]["name"] for n in tensor_nodes(G)}


def assert_schema(G, small=16, full=True):
    """Every node, edge and graph attribute of ``G`` as the schema document says (``full``: see assert_summary)."""
    assert isinstance(G, vg.Graph) and isinstance(G, nx.MultiDiGraph)
    assert G.nx is G
    assert G.graph["schema"] == 1
    assert isinstance(G.graph["backward_done"], bool)
    if "root" in G.graph:
        assert G.nodes[G.graph["root"]]["kind"] == "tensor"
    assert_json_types(dict(G.graph), "graph")
    ops = []
    for n, d in G.nodes(data=True):
        assert_json_types(d, n)
        assert d["kind"] in ("tensor", "op"), (n, d)
        if d["kind"] == "tensor":
            assert re.fullmatch(r"t\d+", n), n
            assert TENSOR_KEYS <= set(d), (n, TENSOR_KEYS - set(d))
            assert isinstance(d["name"], str) and d["name"], (n, d)
            assert isinstance(d["shape"], list) and all(type(s) is int and s >= 0 for s in d["shape"]), (n, d)
            assert isinstance(d["dtype"], str) and d["dtype"] in {"float32", "float64", "int64", "int32", "bool"}
            assert d["device"] == "cpu", (n, d)
            assert type(d["requires_grad"]) is bool and type(d["is_leaf"]) is bool, (n, d)
            assert d["role"] in ROLES, (n, d)
            assert d["module"] is None or isinstance(d["module"], str), (n, d)
            assert_summary(d["data"], d["shape"], small, f"{n}.data", full)
            if d["grad"] is not None:
                assert_summary(d["grad"], d["shape"], small, f"{n}.grad", full)
            if d["role"] == "parameter":
                assert d["is_leaf"] and d["requires_grad"], (n, d)
            if d["role"] == "constant":
                assert d["shape"] == [] and not d["requires_grad"], (n, d)
        else:
            assert re.fullmatch(r"op\d+", n), n
            assert OP_KEYS <= set(d), (n, OP_KEYS - set(d))
            assert isinstance(d["op"], str) and d["op"], (n, d)
            assert isinstance(d["label"], str) and d["label"].startswith(d["op"]), (n, d)
            assert d["grad_fn"] is None or re.fullmatch(r"\w+Backward\d?|CopySlices|CopyBackwards", d["grad_fn"]), (n, d)
            assert isinstance(d["attrs"], dict), (n, d)
            assert type(d["forward_step"]) is int and d["forward_step"] == int(n[2:]), (n, d)
            assert d["backward_step"] is None or type(d["backward_step"]) is int, (n, d)
            assert d["module"] is None or isinstance(d["module"], str), (n, d)
            assert isinstance(d["derivative"], list) and all(isinstance(t, str) for t in d["derivative"]), (n, d)
            assert d["phase"] in PHASES, (n, d)
            assert type(d["custom"]) is bool and type(d["anomaly"]) is bool, (n, d)
            ops.append(n)
            ins = sorted(G.in_edges(n, keys=True, data=True), key=lambda e: e[2])
            outs = list(G.out_edges(n, keys=True, data=True))
            assert [k for _, _, k, _ in ins] == list(range(len(ins))), (n, ins)
            assert [e["position"] for _, _, _, e in ins] == list(range(len(ins))), (n, ins)
            assert len(outs) == 1 and outs[0][2] == 0 and outs[0][3]["kind"] == "output", (n, outs)
            if d["derivative"]:
                assert len(d["derivative"]) == len(ins), (n, d, ins)
    assert sorted(G.nodes[n]["forward_step"] for n in ops) == list(range(len(ops)))
    assert G.ops() == sorted(ops, key=lambda n: int(n[2:]))
    steps = [G.nodes[n]["backward_step"] for n in ops if G.nodes[n]["backward_step"] is not None]
    assert len(steps) == len(set(steps)), steps
    for u, v, k, e in G.edges(keys=True, data=True):
        assert EDGE_KEYS <= set(e), (u, v, e)
        assert_json_types(e, f"{u}->{v}")
        kinds = (G.nodes[u]["kind"], G.nodes[v]["kind"])
        assert kinds in (("tensor", "op"), ("op", "tensor")), (u, v, kinds)
        assert e["kind"] == ("input" if kinds[0] == "tensor" else "output"), (u, v, e)
        tensor = G.nodes[u] if kinds[0] == "tensor" else G.nodes[v]
        if e["grad"] is not None:
            assert_summary(e["grad"], tensor["shape"], small, f"{u}->{v}.grad", full)
        if e["rule"] is not None:
            assert e["kind"] == "input" and e["grad"] is not None, (u, v, e)
            assert e["rule"].startswith(f"{tensor['name']}.grad += "), (u, v, e["rule"], tensor["name"])
    json.loads(G.to_json())


def assert_events(events, G, full=True):
    """``tape.events`` agree with ``tape.graph()``: ids, steps, phases, and the rule texts on edges."""
    assert_json_types(events, "events")
    forward = [e for e in events if "forward_step" in e]
    backward = [e for e in events if e["phase"] == "backward"]
    assert len(forward) + len(backward) == len(events)
    assert [e["forward_step"] for e in forward] == list(range(len(forward)))
    assert [e["backward_step"] for e in backward] == list(range(len(backward)))
    for e in events:
        assert e["phase"] in PHASES
        node = G.nodes[e["op_id"]]
        assert node["kind"] == "op" and node["op"] == e["op"] and node["label"] == e["label"], (e, node)
        assert node["module"] == e["module"]
        assert [u for u, _, _ in sorted(G.in_edges(e["op_id"], keys=True), key=lambda x: x[2])] == e["inputs"]
        assert list(G.successors(e["op_id"])) == [e["output"]]
        if "forward_step" in e:
            assert node["forward_step"] == e["forward_step"] and node["phase"] == e["phase"]
            assert e["text"].startswith(f"{G.nodes[e['output']]['name']} = {e['label']}(")
        else:
            assert node["grad_fn"] == e["grad_fn"]
            assert len(e["grads"]) == len(e["inputs"]) == len(e["rules"])
            assert_summary(e["grad_out"], G.nodes[e["output"]]["shape"], full=full)
            for src, g, rule in zip(e["inputs"], e["grads"], e["rules"]):
                assert (g is None) == (rule is None), e
                if g is not None:
                    assert_summary(g, G.nodes[src]["shape"], full=full)
                    assert rule.startswith(f"{G.nodes[src]['name']}.grad += ")
    for n in G.ops():
        # the graph's backward_step is the op's last backward event
        mine = [e["backward_step"] for e in backward if e["op_id"] == n]
        assert G.nodes[n]["backward_step"] == (mine[-1] if mine else None), n


def strip_grads(G):
    """(nodes, edges) of ``G`` without what backward adds: the forward structure."""
    nodes = {n: {k: v for k, v in d.items() if k not in ("grad", "backward_step")} for n, d in G.nodes(data=True)}
    edges = {(u, v, k): {x: y for x, y in d.items() if x not in ("grad", "rule")}
             for u, v, k, d in G.edges(keys=True, data=True)}
    return nodes, edges


def small_two_layer(seed=0, n=4, d_in=3, h=5, d_out=2, dtype=vg.float64):
    vg.manual_seed(seed)
    x = vg.randn(n, d_in, dtype=dtype)
    y = vg.randn(n, d_out, dtype=dtype)
    w1 = vg.randn(d_in, h, dtype=dtype, requires_grad=True)
    w2 = vg.randn(h, d_out, dtype=dtype, requires_grad=True)
    return x, y, w1, w2


def summary_of(array, small=16):
    """What a summary of ``array`` must say, computed independently with NumPy in float64."""
    a = np.asarray(array, dtype=np.float64)
    if a.size <= small:
        return {"numel": a.size, "values": np.asarray(array).tolist()}
    return {"numel": a.size, "min": a.min(), "max": a.max(), "mean": a.mean(), "norm": np.sqrt((a * a).sum())}


def assert_summary_of(summary, array, small=16, rtol=1e-5, what="summary"):
    want = summary_of(array, small)
    assert summary["numel"] == want["numel"], what
    if "values" in want:
        np.testing.assert_allclose(np.asarray(summary["values"], dtype=np.float64),
                                   np.asarray(want["values"], dtype=np.float64), rtol=rtol, atol=1e-12,
                                   err_msg=what)
    else:
        scale = max(abs(want["min"]), abs(want["max"]), 1e-30)
        for k in ("min", "max", "norm"):
            assert summary[k] == pytest.approx(want[k], rel=1e-5, abs=1e-12), (what, k, summary, want)
        assert summary["mean"] == pytest.approx(want["mean"], rel=1e-4, abs=1e-5 * scale), (what, summary, want)


# --- the seed programs: one step of each, recorded -----------------------------------------------------

FORWARD_OPS = {
    "autograd": ["mm", "clamp", "mm", "sub", "pow", "sum"],
    "custom-function": ["mm", "MyReLU", "mm", "sub", "pow", "sum"],
    "nn": ["linear", "relu", "linear", "mse_loss"],
    "optim": ["linear", "relu", "linear", "mse_loss"],
    "module": ["linear", "clamp", "linear", "mse_loss"],
    "linear-regression": ["linear", "mse_loss"],
}
MODULES = {
    "nn": ["model.0", "model.1", "model.2", "loss_fn"],
    "optim": ["model.0", "model.1", "model.2", "loss_fn"],
    "module": ["model.linear1", "model", "model.linear2", "criterion"],
    "linear-regression": ["model", "criterion"],
}
PARAMETERS = {
    "nn": {"0.weight", "0.bias", "2.weight", "2.bias"},
    "optim": {"0.weight", "0.bias", "2.weight", "2.bias"},
    "module": {"linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"},
    "dynamic": {"input_linear.weight", "middle_linear.weight", "output_linear.bias"},
    "linear-regression": {"weight", "bias"},
}


@pytest.fixture(scope="module")
def seed_runs():
    """Each tutorial program run for two steps inside one tape (a lazy one)."""
    runs = {}
    for name, example in EXAMPLES.items():
        with vg.record() as tape:
            result = example.run(steps=2, seed=0)
        runs[name] = (tape, result)
    return runs


@pytest.mark.parametrize("stats", ["lazy", "eager"])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_seed_program_tape_graph_follows_the_schema(seed_runs, name, stats):
    if stats == "lazy":
        tape, result = seed_runs[name]
    else:
        with vg.record(stats="eager") as tape:
            result = EXAMPLES[name].run(steps=2, seed=0)
    G = tape.graph()
    events = tape.events
    assert_schema(G, full=stats == "eager")  # eager: every large tensor keeps its statistics
    assert_events(events, G, full=stats == "eager")
    if name == "numpy":
        assert events == [] and G.number_of_nodes() == 0  # NumPy arrays: nothing of graphviz_grad ran
        return
    assert len(tape) == len(events) > 0
    phases = [e["phase"] for e in events]
    fit = name == "linear-regression"  # after its loop it runs the model once more, to plot the fitted line
    if name in FORWARD_OPS:
        # two steps: forward ops, then (for autograd programs) one backward event per forward op, in reverse
        ops = FORWARD_OPS[name]
        forward = [e["op"] for e in events if e["phase"] == "forward"]
        backward = [e["op"] for e in events if e["phase"] == "backward"]
        assert forward == ops * 2 + (["linear"] if fit else []), forward
        assert backward == ops[::-1] * 2, backward
        assert "update" in phases
        first_update = phases.index("update", phases.index("backward"))
        assert set(phases[phases.index("backward"):first_update]) == {"backward"}
    if name in MODULES:
        modules = [e["module"] for e in events if e["phase"] == "forward"]
        assert modules == MODULES[name] * 2 + (["model"] if fit else []), modules
        assert [e["module"] for e in events if e["phase"] == "backward"] == MODULES[name][::-1] * 2
    if name in PARAMETERS:
        params = {G.nodes[n]["name"] for n in tensor_nodes(G) if G.nodes[n]["role"] == "parameter"}
        assert PARAMETERS[name] <= params, params
    # every backward event of a program's loss.backward() names gradients and rules for its inputs
    for e in events:
        if e["phase"] == "backward":
            assert any(g is not None for g in e["grads"]) and e["text"], e


@pytest.mark.parametrize("name", [n for n in EXAMPLES if n not in ("numpy", "tensor")])
def test_seed_program_loss_graph_before_and_after_backward(seed_runs, name):
    _, result = seed_runs[name]
    loss = result.loss
    G = vg.graph(loss)
    assert_schema(G)
    assert G.graph["backward_done"] is True
    assert G.nodes[G.graph["root"]]["role"] == "output"
    ops = [G.nodes[n]["op"] for n in G.ops()]
    if name in FORWARD_OPS:
        assert ops == FORWARD_OPS[name]
    if name in MODULES:
        assert [G.nodes[n]["module"] for n in G.ops()] == MODULES[name]
    # every op ran backward once, most recent first
    assert [G.nodes[n]["backward_step"] for n in G.ops()] == list(range(len(ops)))[::-1]
    if name == "custom-function":
        relu = G.nodes[G.ops()[1]]
        assert relu["custom"] is True and relu["grad_fn"] == "MyReLUBackward"
    # gradients on every edge into an op that needed one, and the same structure as before backward
    for u, v, e in G.edges(data=True):
        if e["kind"] == "input" and G.nodes[u]["requires_grad"]:
            assert e["grad"] is not None and e["rule"], (u, v, e)
    if name in PARAMETERS:
        assert PARAMETERS[name] & names(G)


def test_seed_program_recording_changes_nothing_it_computes():
    plain = EXAMPLES["optim"].run(steps=3, seed=1)
    with vg.record():
        recorded = EXAMPLES["optim"].run(steps=3, seed=1)
    ring = vg.record(max_events=10)
    with ring:
        in_ring = EXAMPLES["optim"].run(steps=3, seed=1)
    assert plain.losses == recorded.losses == in_ring.losses
    for key, value in plain.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), recorded.state_dict()[key].numpy(), err_msg=key)
        np.testing.assert_array_equal(value.numpy(), in_ring.state_dict()[key].numpy(), err_msg=key)


def run_example_script(script, tmp_path, steps=1, root="loss"):
    """Run a seed program as a script, its loop cut to ``steps``, inside a tape; (tape, graph of ``root``).

    A lesson's source (``script`` a name of LESSONS, or "scalar") runs as a script
    whose ``main`` is called; ``vg.graph(root)`` is taken where it reports its
    loss, inside ``main``, whose variables name the tensors (None for the scalar
    program, which reports none). examples/11_nonleaf_mistake.py runs as it is,
    ``vg.graph(root)`` at its end.
    """
    graphs = []
    if script.endswith(".py"):
        text = (EXAMPLES_DIR / script).read_text().replace("range(500)", f"range({steps})")
        text += f"\n_graph = torch.graph({root}) if isinstance({root}, torch.Tensor) else None\n"
    else:
        text = LESSONS.get(script, Lesson(script, "tutorial_scalar")).source()
    copy = tmp_path / (script if script.endswith(".py") else "program.py")
    copy.write_text(text)

    def on_step(step, loss):
        tensor = sys._getframe(1).f_locals[root]
        if isinstance(tensor, vg.Tensor):  # (the tensor program's loss is a number: .item())
            graphs.append(vg.graph(tensor))

    random.seed(0)
    with contextlib.redirect_stdout(io.StringIO()), vg.record() as tape:
        namespace = runpy.run_path(str(copy), run_name="__main__" if script.endswith(".py") else "program")
        if script.endswith(".py"):
            graphs.append(namespace["_graph"])
        elif script == "scalar":
            namespace["main"]()
        else:
            namespace["main"](steps=steps, on_step=on_step)
    return tape, graphs[0] if graphs else None


SCRIPT_NAMES = {
    # program: (names in tape.graph(), names in vg.graph(loss) taken where the program reports its loss)
    "tensor": ({"x", "y", "w1", "w2", "h", "h_relu", "y_pred", "grad_y_pred", "grad_w1", "grad_w2"}, None),
    "autograd": ({"x", "y", "w1", "w2", "y_pred", "loss", "w1.grad", "w2.grad"},
                 {"x", "y", "w1", "w2", "y_pred", "loss"}),
    "custom-function": ({"w1", "w2", "y_pred", "loss"}, {"w1", "w2", "y_pred", "loss"}),
    "nn": ({"x", "y", "y_pred", "loss", "0.weight", "0.bias", "2.weight", "2.bias", "0.weight.grad"},
           {"x", "y", "y_pred", "loss", "0.weight", "0.bias", "2.weight", "2.bias"}),
    "optim": ({"x", "y", "y_pred", "loss", "0.weight", "2.bias", "2.bias.grad"},
              {"x", "y", "y_pred", "loss", "0.weight", "2.bias"}),
    "module": ({"x", "y", "h_relu", "y_pred", "loss", "linear1.weight", "linear2.bias"},
               {"x", "y", "y_pred", "loss", "linear1.weight", "linear2.bias"}),
    "dynamic": ({"x", "y", "h_relu", "y_pred", "loss", "input_linear.weight", "output_linear.bias"},
                {"x", "y", "y_pred", "loss", "input_linear.weight", "output_linear.bias"}),
    "scalar": ({"x", "w", "b", "y"}, None),
    "11_nonleaf_mistake.py": ({"x", "y", "w1", "w2", "y_pred", "loss"}, {"x", "y", "y_pred", "loss"}),
}


@pytest.mark.parametrize("script", list(SCRIPT_NAMES))
def test_example_scripts_are_labelled_by_their_variable_names(script, tmp_path):
    tape, Gl = run_example_script(script, tmp_path)
    in_tape, in_graph = SCRIPT_NAMES[script]
    G = tape.graph()
    assert_schema(G, full=False)
    assert_events(tape.events, G, full=False)
    assert in_tape <= names(G), in_tape - names(G)
    if in_graph is not None:
        assert_schema(Gl)
        assert in_graph <= names(Gl), in_graph - names(Gl)
        assert Gl.nodes[Gl.graph["root"]]["name"] == "loss"
    if script == "module":
        # the clamp inside TwoLayerNet.forward ran in "model"; the Linear layers in model.linear1/2
        assert [G.nodes[n]["module"] for n in G.ops() if G.nodes[n]["phase"] == "forward"] == [
            "model.linear1", "model", "model.linear2", "criterion"]
    if script in ("nn", "optim"):
        linear = [n for n in G.ops() if G.nodes[n]["op"] == "linear"]
        assert [G.nodes[n]["module"] for n in linear] == ["model.0", "model.2"]
        assert input_names(G, linear[0]) == ["x", "0.weight", "0.bias"]
        assert input_names(G, linear[1])[1:] == ["2.weight", "2.bias"]


def input_names(G, op):
    """The names of ``op``'s arguments, in argument order."""
    return [G.nodes[u]["name"] for u, _, _ in sorted(G.in_edges(op, keys=True), key=lambda e: e[2])]


# --- events: order, phases and the rules of y = w*x + b ---------------------------------------------


def test_y_equals_w_x_plus_b_events_in_order():
    w = vg.tensor(2.0, requires_grad=True)
    x = vg.tensor(3.0)
    b = vg.tensor(1.0, requires_grad=True)
    with vg.record() as tape:
        y = w * x + b
        y.backward()
    events = tape.events
    assert [(e["phase"], e["op"]) for e in events] == [
        ("forward", "mul"), ("forward", "add"), ("backward", "add"), ("backward", "mul")]
    mul, add, add_back, mul_back = events
    G = tape.graph()
    assert_schema(G)
    assert_events(events, G)
    assert (mul["forward_step"], add["forward_step"]) == (0, 1)
    assert (add_back["backward_step"], mul_back["backward_step"]) == (0, 1)
    assert mul["op_id"] == mul_back["op_id"] and add["op_id"] == add_back["op_id"]
    assert mul["text"] == "t2 = mul(w, x)" and add["text"] == "y = add(t2, b)"
    assert mul["output"] == add["inputs"][0]
    # backward of add: received y.grad = 1, passed 1 to both inputs
    assert add_back["grad_fn"] == "AddBackward0"
    assert add_back["grad_out"] == {"numel": 1, "values": 1.0}
    assert add_back["grads"] == [{"numel": 1, "values": 1.0}] * 2
    assert add_back["rules"] == ["t2.grad += y.grad · 1 = 1.0 · 1", "b.grad += y.grad · 1 = 1.0 · 1"]
    # backward of mul: w gets grad · x = 1 · 3, x (no grad) gets nothing
    assert mul_back["grad_fn"] == "MulBackward0"
    assert mul_back["grad_out"] == {"numel": 1, "values": 1.0}
    assert mul_back["grads"] == [{"numel": 1, "values": 3.0}, None]
    assert mul_back["rules"] == ["w.grad += t2.grad · x = 1.0 · 3.0", None]
    assert mul_back["text"] == "w.grad += t2.grad · x = 1.0 · 3.0"
    assert (w.grad.item(), b.grad.item(), x.grad) == (3.0, 1.0, None)


def test_rule_text_with_numbers_names_the_product_of_the_chain_rule():
    w = vg.tensor(1.0, requires_grad=True)
    x = vg.tensor(1.0)
    with vg.record() as tape:
        y = w * x
        y.backward()
    assert tape.events[-1]["rules"][0] == "w.grad += y.grad · x = 1.0 · 1.0"
    G = vg.graph(y)
    assert G.edges[G.find("w"), G.ops()[0], 0]["rule"] == "w.grad += y.grad · x = 1.0 · 1.0"
    assert tape.graph().edges["t0", "op0", 0]["rule"] == "w.grad += y.grad · x = 1.0 · 1.0"


@pytest.mark.parametrize("fn, rule", [
    (lambda a: a * 3.0, "a.grad += out.grad · 3.0 = 1.0 · 3.0"),
    (lambda a: a.pow(2), "a.grad += out.grad · 2 · a^(2-1) = 1.0 · 2 · 2.0^(2-1)"),
    (lambda a: a.clamp(min=0), "a.grad += out.grad · (0 ≤ a ≤ ∞) = 1.0 · (0 ≤ 2.0 ≤ ∞)"),
    (lambda a: a.clamp(max=1.0), "a.grad += out.grad · (-∞ ≤ a ≤ 1) = 1.0 · (-∞ ≤ 2.0 ≤ 1)"),
    (lambda a: a.exp(), "a.grad += out.grad · out = 1.0 · 7.389"),
    (lambda a: -a, "a.grad += -out.grad = -1.0"),
])
def test_rules_substitute_names_and_numbers(fn, rule):
    a = vg.tensor(2.0, requires_grad=True)
    with vg.record() as tape:
        out = fn(a)
        out.backward()
    backward = [e for e in tape.events if e["phase"] == "backward"]
    assert backward[-1]["rules"][0] == rule
    assert vg.graph(out).edges["t0", "op0", 0]["rule"] == rule


def test_adam_step_events_forward_backward_then_update():
    vg.manual_seed(0)
    model = vg.nn.Sequential(vg.nn.Linear(3, 4), vg.nn.ReLU(), vg.nn.Linear(4, 2))
    optimizer = vg.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = vg.nn.MSELoss(reduction="sum")
    x, y = vg.randn(5, 3), vg.randn(5, 2)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with vg.record() as tape:
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    events = tape.events
    G = tape.graph()
    assert_schema(G)
    assert_events(events, G)
    phases = [e["phase"] for e in events]
    # forward, then backward, then update: never interleaved
    assert phases == sorted(phases, key=PHASES.index)
    assert [(e["op"], e["module"]) for e in events if e["phase"] == "forward"] == [
        ("linear", "model.0"), ("relu", "model.1"), ("linear", "model.2"), ("mse_loss", "loss_fn")]
    assert [(e["op"], e["module"]) for e in events if e["phase"] == "backward"] == [
        ("mse_loss", "loss_fn"), ("linear", "model.2"), ("relu", "model.1"), ("linear", "model.0")]
    update = [e for e in events if e["phase"] == "update"]
    assert len(update) > 4 * 5  # Adam's moments, bias correction, sqrt, division per parameter
    assert all(e["module"] is None for e in update)
    assert {"sqrt", "div", "mul", "add"} <= {e["op"] for e in update}
    # the last in-place op on each parameter writes it, in the optimizer's order
    written = [G.nodes[e["output"]]["name"] for e in update
               if e["inplace"] and G.nodes[e["output"]]["role"] == "parameter"]
    assert written == ["0.weight", "0.bias", "2.weight", "2.bias"]
    # the gradients the update reads are the parameters' .grad, named after them
    reads = {G.nodes[i]["name"] for e in update for i in e["inputs"]}
    assert {"0.weight.grad", "0.bias.grad", "2.weight.grad", "2.bias.grad"} <= reads
    # the recorded new values are the parameters' values after the step (and they changed)
    params = dict(model.named_parameters())
    for e in update:
        out = G.nodes[e["output"]]
        if e["inplace"] and out["role"] == "parameter":
            assert_summary_of(out["data"], params[out["name"]].detach().numpy(), what=out["name"])
            assert not np.array_equal(before[out["name"]], params[out["name"]].detach().numpy())
    # backward events carry the received gradient and one per input
    for e in events:
        if e["phase"] == "backward":
            assert len(e["grads"]) == len(e["inputs"])
    lin0 = [e for e in events if e["phase"] == "backward" and e["module"] == "model.0"][0]
    assert lin0["grads"][0] is None  # x needs no gradient
    assert_summary_of(lin0["grads"][1], params["0.weight"].grad.numpy(), what="0.weight grad")
    assert_summary_of(lin0["grads"][2], params["0.bias"].grad.numpy(), what="0.bias grad")
    assert lin0["rules"][1].startswith("0.weight.grad += ")


def test_manual_update_and_zero_grad_are_update_events():
    x, y, w1, w2 = small_two_layer()
    lr = 0.01
    with vg.record() as tape:
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with vg.no_grad():
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    events = tape.events
    G = tape.graph()
    assert_schema(G)
    assert [(e["phase"], e["label"]) for e in events] == [
        ("forward", "mm"), ("forward", "clamp min=0"), ("forward", "mm"), ("forward", "sub"),
        ("forward", "pow 2"), ("forward", "sum"),
        ("backward", "sum"), ("backward", "pow 2"), ("backward", "sub"), ("backward", "mm"),
        ("backward", "clamp min=0"), ("backward", "mm"),
        ("update", "mul"), ("update", "sub_"), ("update", "mul"), ("update", "sub_"),
        ("update", "zero_"), ("update", "zero_")]
    sub1 = events[13]
    assert [G.nodes[i]["name"] for i in sub1["inputs"]] == ["w1", events[12]["output"]]
    assert G.nodes[sub1["output"]]["name"] == "w1"
    np.testing.assert_allclose(G.nodes[sub1["output"]]["data"]["values"], w1.tolist())
    zero = events[16]
    assert G.nodes[zero["output"]]["name"] == "w1.grad"
    assert G.nodes[zero["output"]]["data"]["values"] == np.zeros((3, 5)).tolist()
    assert G.nodes[zero["output"]]["role"] == "gradient"
    # the version before the update keeps its values: two records of w1
    w1_nodes = [n for n in tensor_nodes(G) if G.nodes[n]["name"] == "w1"]
    assert len(w1_nodes) == 2 and G.nodes[w1_nodes[0]]["data"] != G.nodes[w1_nodes[1]]["data"]


def test_ops_under_no_grad_are_recorded():
    x, y, w1, w2 = small_two_layer()
    with vg.record() as tape, vg.no_grad():
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        grad_h = h_relu.clone()
        grad_h[h < 0] = 0
    assert [e["op"] for e in tape.events] == ["mm", "clamp", "clone", "lt", "setitem"]
    G = tape.graph()
    assert_schema(G, full=False)  # the clone before `grad_h[h < 0] = 0` changed it: statistics not kept
    assert {"h", "h_relu", "grad_h"} <= names(G)
    assert all(G.nodes[n]["backward_step"] is None for n in G.ops())


def test_custom_function_is_one_op_forward_and_backward():
    class Square(vg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, grad):
            a, = ctx.saved_tensors
            return grad * 2 * a

    a = vg.tensor([1.0, 3.0], requires_grad=True)
    with vg.record() as tape:
        s = Square.apply(a)
        total = s.sum()
        total.backward()
    assert [(e["phase"], e["op"]) for e in tape.events] == [
        ("forward", "Square"), ("forward", "sum"), ("backward", "sum"), ("backward", "Square")]
    G = tape.graph()
    assert_schema(G)
    op = G.nodes[tape.events[0]["op_id"]]
    assert op["custom"] is True and op["grad_fn"] == "SquareBackward"
    assert tape.events[-1]["grads"] == [{"numel": 2, "values": [2.0, 6.0]}]
    assert tape.events[-1]["rules"] == ["a.grad += Square.backward"]  # the user's backward, not a formula


def test_detect_anomaly_marks_the_op_in_the_tape():
    x = vg.tensor([-1.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError), np.errstate(invalid="ignore"):
        with vg.autograd.detect_anomaly(), vg.record() as tape:
            x.log()
    G = tape.graph()
    assert [(G.nodes[n]["op"], G.nodes[n]["anomaly"]) for n in G.ops()] == [("log", True)]


# --- gradients on edges -----------------------------------------------------------------------------------


def test_gradients_on_edges_equal_the_tensors_grad():
    x, y, w1, w2 = small_two_layer(n=3)  # every tensor at most 16 elements: summaries keep the values
    with vg.record() as tape:
        h = x.mm(w1)
        h.retain_grad()
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
    for G in (vg.graph(loss), tape.graph()):
        assert_schema(G)
        for tensor, name in ((w1, "w1"), (w2, "w2"), (h, "h")):
            node = G.find(name)
            edges = [e for _, _, e in G.out_edges(node, data=True)]
            assert len(edges) == 1 and edges[0]["grad"] is not None, name
            assert edges[0]["grad"]["values"] == tensor.grad.tolist(), name
            assert G.nodes[node]["grad"]["values"] == tensor.grad.tolist(), name
        # the gradient an op received is on its output edge and on the output tensor
        for op in G.ops():
            (out, edge), = [(v, e) for _, v, e in G.out_edges(op, data=True)]
            assert edge["grad"] == G.nodes[out]["grad"], op
        assert G.nodes[G.find("x")]["grad"] is None
        assert all(e["grad"] is None for _, _, e in G.out_edges(G.find("x"), data=True))


def test_gradients_of_a_tensor_used_twice_sum_to_its_grad():
    a = vg.tensor([1.0, 2.0], requires_grad=True, name="a")
    c = vg.tensor([1.0, 2.0], requires_grad=True, name="c")
    with vg.record() as tape:
        b = a * a  # one op, two edges from a
        d = c * 3.0 + c * 4.0  # two ops, one edge each
        (b.sum() + d.sum()).backward()
    assert a.grad.tolist() == [2.0, 4.0] and c.grad.tolist() == [7.0, 7.0]
    for G in (tape.graph(), vg.graph(b), vg.graph(d)):
        assert_schema(G)
        for name, tensor in (("a", a), ("c", c)):
            node = G.find(name)
            if node is None:
                continue
            flows = [e["grad"]["values"] for _, _, e in G.out_edges(node, data=True)]
            assert len(flows) == 2, (name, flows)
            np.testing.assert_allclose(np.sum(flows, axis=0), tensor.grad.numpy(), err_msg=name)
            assert G.nodes[node]["grad"]["values"] == tensor.grad.tolist()
    G = vg.graph(b)
    assert [e["grad"]["values"] for _, _, e in G.out_edges("t0", data=True)] == [[1.0, 2.0], [1.0, 2.0]]
    G = vg.graph(d)
    assert sorted(e["grad"]["values"] for _, _, e in G.out_edges(G.find("c"), data=True)) == [
        [3.0, 3.0], [4.0, 4.0]]


@pytest.mark.parametrize("before", ["zeroed", "accumulating", "none"])
def test_grad_node_summaries_equal_the_grad_however_it_was_accumulated(before):
    vg.manual_seed(0)
    w = vg.randn(30, 20, requires_grad=True)
    c = vg.randn(30, 20)
    if before != "none":
        (w * c).sum().backward()  # before the tape: .grad exists
        if before == "zeroed":
            w.grad.zero_()
    with vg.record() as tape:
        loss = (w * c * c).sum()
        loss.backward()
        mid = tape.graph()  # read while recording
        assert mid.nodes[mid.find("w")]["grad"] == vg.graph(loss).nodes["t0"]["grad"]
        assert_summary_of(mid.nodes[mid.find("w")]["grad"], w.grad.numpy())
        loss2 = (w * w).sum()
        loss2.backward()
    G = tape.graph()
    assert_schema(G)
    grads = [G.nodes[n]["grad"] for n in tensor_nodes(G) if G.nodes[n]["name"] == "w.grad"]
    assert grads == [], "w.grad was never read by an op: no node of its own"
    # the leaf's node shows .grad after the last backward, exactly as vg.graph summarises it
    assert G.nodes[G.find("w")]["grad"] == vg.graph(loss2).nodes["t0"]["grad"]
    assert_summary_of(G.nodes[G.find("w")]["grad"], w.grad.numpy())
    # each backward event delivered what flowed: c·c, then 2·w split over the two slots of w * w
    first, second = [e for e in tape.events if e["phase"] == "backward" and e["op"] == "mul"][1:3]
    assert_summary_of(first["grads"][0], (c * c).numpy(), what="c·c")
    assert_summary_of(second["grads"][0], w.detach().numpy(), what="w")
    assert_summary_of(second["grads"][1], w.detach().numpy(), what="w")


def test_graph_works_before_and_after_backward():
    x, y, w1, w2 = small_two_layer()
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    before = vg.graph(loss)
    assert_schema(before)
    assert before.graph["backward_done"] is False
    assert all(before.nodes[n]["backward_step"] is None for n in before.ops())
    assert all(e["grad"] is None and e["rule"] is None for _, _, e in before.edges(data=True))
    assert all(before.nodes[n]["grad"] is None for n in tensor_nodes(before))
    loss.backward()
    after = vg.graph(loss)
    assert_schema(after)
    assert after.graph["backward_done"] is True
    assert strip_grads(before) == strip_grads(after)
    assert sorted(after.nodes[n]["backward_step"] for n in after.ops()) == list(range(len(after.ops())))
    assert after.nodes[after.find("w1")]["grad"]["values"] == w1.grad.tolist()
    assert after.nodes[after.graph["root"]]["grad"] == {"numel": 1, "values": 1.0}


def test_graph_of_a_leaf_and_of_a_non_tensor():
    w = vg.tensor([1.0, 2.0], requires_grad=True, name="w")
    G = vg.graph(w)
    assert_schema(G)
    assert list(G.nodes) == ["t0"] and G.nodes["t0"]["name"] == "w" and G.graph["root"] == "t0"
    with pytest.raises(TypeError, match="expects a Tensor"):
        vg.graph(np.ones(2))


# --- recording scope: nesting, threads, off ------------------------------------------------------


def test_tapes_nest_and_each_sees_only_its_own_span():
    a = vg.tensor(2.0, requires_grad=True)
    with vg.record() as outer:
        b = a * 3
        with vg.record() as inner:
            c = b + 1
            c.backward()
        d = c * 2
    assert [(e["phase"], e["op"]) for e in outer.events] == [
        ("forward", "mul"), ("forward", "add"), ("backward", "add"), ("backward", "mul"), ("forward", "mul")]
    assert [(e["phase"], e["op"]) for e in inner.events] == [
        ("forward", "add"), ("backward", "add"), ("backward", "mul")]
    assert_schema(outer.graph())
    assert_schema(inner.graph())
    # the inner tape never saw the mul run: it still shows it, from the backward pass, with its input
    G = inner.graph()
    assert [G.nodes[n]["op"] for n in G.ops()] == ["mul", "add"]
    assert {"a", "b", "c"} <= names(G)
    assert d.item() == 14.0


def test_a_tape_cannot_be_entered_twice_but_can_be_reused():
    tape = vg.record()
    with tape:
        with pytest.raises(RuntimeError, match="already recording"):
            tape.__enter__()
        vg.tensor(1.0) + 1
    with tape:
        vg.tensor(1.0) * 2
    assert [e["op"] for e in tape.events] == ["add", "mul"]


def test_recording_off_records_nothing():
    tape = vg.record()
    a = vg.tensor(1.0, requires_grad=True)
    (a * 2).backward()  # not entered yet
    with tape:
        pass
    (a * 3).backward()  # after exit
    assert tape.events == [] and len(tape) == 0
    assert tape.graph().number_of_nodes() == 0
    with tape:
        b = a + 1
    b.backward()
    assert [e["op"] for e in tape.events] == ["add"]


def test_recording_is_thread_local():
    barrier = threading.Barrier(2, timeout=30)
    seen = {}

    def worker():
        with vg.record() as mine:
            barrier.wait()  # both tapes are recording now
            z = vg.tensor([1.0, 2.0], requires_grad=True)
            for _ in range(20):
                z = z.exp().log()
            barrier.wait()
        seen["worker"] = mine

    thread = threading.Thread(target=worker)
    with vg.record() as main:
        thread.start()
        barrier.wait()
        a = vg.tensor(1.0, requires_grad=True)
        b = a * 2
        barrier.wait()
    thread.join()
    assert [e["op"] for e in main.events] == ["mul"]
    assert [e["op"] for e in seen["worker"].events] == ["exp", "log"] * 20
    assert b.item() == 2.0


def test_ring_keeps_only_the_newest_events():
    def program():
        a = vg.tensor([1.0, 2.0], requires_grad=True)
        for _ in range(5):
            loss = (a * 2).sum()
            loss.backward()
            with vg.no_grad():
                a -= 0.1 * a.grad
                a.grad.zero_()

    with vg.record() as full:
        program()
    with vg.record(max_events=7) as ring:
        program()
    assert len(ring) == 7 and len(full) == 5 * 7
    assert [(e["phase"], e["label"]) for e in ring.events] == [(e["phase"], e["label"]) for e in full.events[-7:]]
    G = ring.graph()
    assert_schema(G)
    assert_events(ring.events, G)
    for bad in (0, -1, 2.5, "3"):
        with pytest.raises(ValueError, match="max_events"):
            vg.record(max_events=bad)


# --- naming -----------------------------------------------------------------------------------------------------


def test_names_from_name_argument_variables_and_short_ids():
    weight = vg.tensor([1.0, 2.0], requires_grad=True, name="my weight")
    x = vg.tensor([3.0, 4.0])
    z = (weight * x).sum()
    G = vg.graph(z)
    assert [G.nodes[n]["name"] for n in tensor_nodes(G)] == ["my weight", "x", "t2", "z"]
    # a Python number is labelled by its value, roles tell leaves, inputs, constants, outputs apart
    y = weight * 2.5
    G = vg.graph(y)
    assert [(G.nodes[n]["name"], G.nodes[n]["role"]) for n in tensor_nodes(G)] == [
        ("my weight", "leaf"), ("2.5", "constant"), ("y", "output")]


def test_parameter_names_and_module_paths():
    from graphviz_grad.lessons.tutorial_module import TwoLayerNet

    vg.manual_seed(0)
    model = TwoLayerNet(3, 4, 2)
    seq = vg.nn.Sequential(vg.nn.Linear(2, 2), vg.nn.Tanh())
    x = vg.randn(5, 3)
    with vg.record() as tape:
        out = seq(model(x))
    G = vg.graph(out)
    assert_schema(G)
    params = [G.nodes[n]["name"] for n in tensor_nodes(G) if G.nodes[n]["role"] == "parameter"]
    assert params == ["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "0.weight", "0.bias"]
    assert [(G.nodes[n]["op"], G.nodes[n]["module"]) for n in G.ops()] == [
        ("linear", "model.linear1"), ("clamp", "model"), ("linear", "model.linear2"), ("linear", "seq.0"),
        ("tanh", "seq.1")]
    T = tape.graph()
    assert [(T.nodes[n]["op"], T.nodes[n]["module"]) for n in T.ops()] == [
        (G.nodes[n]["op"], G.nodes[n]["module"]) for n in G.ops()]
    # an op's output tensor belongs to the module that made it
    assert [T.nodes[list(T.successors(n))[0]]["module"] for n in T.ops()] == [
        "model.linear1", "model", "model.linear2", "seq.0", "seq.1"]


def test_parameters_named_after_the_tape_first_saw_them():
    # Parameters are labelled "0.weight" on the first call of the model: a tape that saw them
    # earlier (initialised, moved with .to()) must show the final names in the forward ops too.
    with vg.record() as tape:
        model = vg.nn.Sequential(vg.nn.Linear(3, 2))
        with vg.no_grad():
            for p in model.parameters():
                p.mul_(0.5)
        out = model(vg.randn(4, 3))
    G = tape.graph()
    linear = G.ops()[-1]
    assert G.nodes[linear]["op"] == "linear"
    assert input_names(G, linear)[1:] == ["0.weight", "0.bias"]
    assert out.shape == (4, 2)


def test_names_found_in_the_callers_of_functions():
    def forward(x, w1):
        h_relu = x.mm(w1).clamp(min=0)
        return h_relu.sum()

    x, _, w1, _ = small_two_layer()
    with vg.record() as tape:
        loss = forward(x, w1)
        loss.backward()
    assert {"x", "w1", "h_relu", "loss"} <= names(tape.graph())


def test_node_ids_and_json_are_identical_for_the_same_program():
    def program():
        with vg.record() as tape:
            result = EXAMPLES["optim"].run(steps=2, seed=3)
        return tape.graph().to_json(), vg.graph(result.loss).to_json(), json.dumps(tape.events)

    first, second = program(), program()
    assert first == second
    G = vg.Graph.from_json(first[0])
    assert list(G.nodes) == [n for n in G.nodes if n.startswith(("t", "op"))]
    assert G.ops()[0] == "op0"


STABLE_PROGRAM = """
import json, sys
import graphviz_grad as vg
from graphviz_grad.lessons import LESSONS
with vg.record() as tape:
    result = LESSONS["custom-function"].run(steps=1, seed=5)
print(json.dumps([tape.graph().to_json(), vg.graph(result.loss).to_json(), tape.events]))
"""


def test_node_ids_and_json_are_identical_across_processes():
    outputs = []
    for hash_seed in ("1", "2"):
        env = {"PYTHONHASHSEED": hash_seed, "OPENBLAS_NUM_THREADS": "1"}
        proc = subprocess.run([sys.executable, "-c", STABLE_PROGRAM], capture_output=True, text=True, timeout=120,
                              env={**__import__("os").environ, **env})
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    tape_json, graph_json, events = json.loads(outputs[0])
    assert "MyReLU" in tape_json and len(events) == 18


# --- exports ------------------------------------------------------------------------------------------------


@pytest.fixture
def trained_graphs():
    x, y, w1, w2 = small_two_layer()
    hostile = vg.tensor([0.5], requires_grad=True, name='s "q" <b>{c}\n\\N é')
    with vg.record() as tape:
        y_pred = x.mm(w1).clamp(min=0).mm(w2) * hostile
        loss = (y_pred - y).pow(2).mean()
        loss.backward()
        with vg.no_grad():
            w1 -= 0.1 * w1.grad
    return [vg.graph(loss), tape.graph()]


def graphs_equal(G, H):
    return (G.graph == H.graph and list(G.nodes(data=True)) == list(H.nodes(data=True))
            and list(G.edges(keys=True, data=True)) == list(H.edges(keys=True, data=True)))


def test_json_round_trip_gives_an_equal_graph(trained_graphs, tmp_path):
    for i, G in enumerate(trained_graphs):
        assert_schema(G)
        text = G.to_json()
        doc = json.loads(text)
        assert doc["directed"] is True and doc["multigraph"] is True
        assert len(doc["nodes"]) == G.number_of_nodes() and len(doc["edges"]) == G.number_of_edges()
        back = vg.Graph.from_json(text)
        assert isinstance(back, vg.Graph)
        assert graphs_equal(back, G)
        assert back.to_json() == text
        path = tmp_path / f"g{i}.json"
        path.write_text(G.to_json(indent=2), encoding="utf-8")
        loaded = vg.record.load(path)
        assert graphs_equal(loaded, G)
        # networkx reads the same document
        nxg = nx.node_link_graph(doc, edges="edges")
        assert set(nxg.nodes) == set(G.nodes) and nxg.number_of_edges() == G.number_of_edges()
    with pytest.raises(ValueError, match="not a graph"):
        vg.Graph.from_json('{"nodes": 3}')


def test_graphml_has_only_legal_types_and_loads_back(trained_graphs, tmp_path):
    for i, G in enumerate(trained_graphs):
        path = tmp_path / f"g{i}.graphml"
        G.to_graphml(path)
        H = nx.read_graphml(path, force_multigraph=True)
        assert set(H.nodes) == set(G.nodes) and H.number_of_edges() == G.number_of_edges()
        graph_attrs = {k: v for k, v in H.graph.items() if k not in ("node_default", "edge_default")}
        assert graph_attrs == {k: v for k, v in G.graph.items() if v is not None}
        for _, d in list(H.nodes(data=True)) + [(None, d) for _, _, d in H.edges(data=True)]:
            assert all(type(v) in (str, int, float, bool) for v in d.values()), d
        for n, d in G.nodes(data=True):
            assert H.nodes[n]["kind"] == d["kind"]
            if d["kind"] == "tensor":
                assert H.nodes[n]["name"] == d["name"] and json.loads(H.nodes[n]["shape"]) == d["shape"]
                assert H.nodes[n]["requires_grad"] is d["requires_grad"]
            else:
                assert H.nodes[n]["forward_step"] == d["forward_step"]
        loaded = vg.record.load(path)
        assert isinstance(loaded, vg.Graph)
        for n, d in G.nodes(data=True):
            assert loaded.nodes[n] == {k: v for k, v in d.items() if v is not None}, n
        for u, v, k, d in G.edges(keys=True, data=True):
            assert loaded.edges[u, v, k] == {x: y for x, y in d.items() if y is not None}, (u, v, k)


def test_dot_export_lists_every_node_and_edge_and_parses(trained_graphs):
    pygraphviz = pytest.importorskip("pygraphviz")
    for G in trained_graphs:
        text = G.to_dot()
        assert text.startswith("digraph G {") and text.endswith("}")
        assert "0x" not in text  # no memory addresses
        A = pygraphviz.AGraph(string=text)
        assert set(A.nodes()) == set(G.nodes)
        assert A.number_of_edges() == G.number_of_edges()
        for n, d in G.nodes(data=True):
            want = d["name"] if d["kind"] == "tensor" else d["label"]
            # DOT keeps backslash escapes for the label: \\ for a backslash, \n for a newline
            assert A.get_node(n).attr["label"] == want.replace("\\", "\\\\").replace("\n", "\\n"), n
            assert A.get_node(n).attr["shape"] == ("ellipse" if d["kind"] == "tensor" else "box")


# --- summaries, not copies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stats", ["lazy", "eager"])
def test_small_tensors_keep_values_large_ones_statistics(stats):
    rng = np.random.default_rng(0)
    arrays = {"s16": rng.standard_normal((4, 4)), "s17": rng.standard_normal(17), "big": rng.standard_normal((30, 40)),
              "ints": np.arange(20), "flags": np.arange(20) % 3 == 0, "scalar": np.array(2.5)}
    for small in (16, 4, 100):
        tensors = {k: vg.tensor(v, name=k) for k, v in arrays.items()}
        with vg.record(small=small, stats=stats) as tape:
            outs = [t * 1 for t in tensors.values()]
        # (lazy: `flags * 1` converts the flags to int64 first, a temporary freed before the tape is read)
        for G, full in ((tape.graph(), stats == "eager"), (vg.graph(outs[0], small=small), True)):
            assert_schema(G, small=small, full=full)
        G = tape.graph()
        for name, arr in arrays.items():
            data = G.nodes[G.find(name)]["data"]
            assert_summary_of(data, arr, small=small, what=(small, name))
            if arr.size <= small:
                assert data["values"] == np.asarray(vg.tensor(arr).numpy()).tolist()
            else:
                assert "values" not in data
    big = vg.tensor(np.linspace(-3.0, 5.0, 1000), dtype=vg.float64, name="big")
    G = vg.graph(big)
    assert G.nodes["t0"]["data"] == {"numel": 1000, "min": -3.0, "max": 5.0, "mean": 1.0,
                                     "norm": pytest.approx(math.sqrt((np.linspace(-3, 5, 1000) ** 2).sum()))}


def test_summaries_of_nan_and_inf():
    t = vg.tensor([float("nan")] + [1.0] * 20, name="t")
    G = vg.graph(t)
    assert G.nodes["t0"]["data"]["numel"] == 21 and math.isnan(G.nodes["t0"]["data"]["max"])
    u = vg.tensor([float("inf"), 1.0], name="u")
    G = vg.graph(u)
    assert G.nodes["t0"]["data"] == {"numel": 2, "values": [float("inf"), 1.0]}
    assert json.loads(G.to_json())["nodes"][0]["data"]["values"][0] == float("inf")


def _recorded_tutorial_step(stats):
    """One step of the autograd tutorial on a tape (every array larger than 16 elements); the step's tensors."""
    vg.manual_seed(0)
    x, y = vg.randn(8, 30), vg.randn(8, 5)
    w1, w2 = vg.randn(30, 20, requires_grad=True), vg.randn(20, 5, requires_grad=True)
    with vg.record(stats=stats) as tape:
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with vg.no_grad():
            w1 -= 1e-3 * w1.grad
            w2 -= 1e-3 * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return tape, (x, y, w1, w2, h, h_relu, y_pred, loss)


def _summaries(G):
    """Every summary in ``G``: (where, summary) for node data and grad and edge gradients."""
    out = []
    for n, d in G.nodes(data=True):
        if d["kind"] == "tensor":
            out += [((n, "data"), d["data"]), ((n, "grad"), d["grad"])]
    out += [((u, v, k), d["grad"]) for u, v, k, d in G.edges(keys=True, data=True)]
    return out


def test_lazy_statistics_are_the_eager_ones_where_kept():
    lazy_tape, kept = _recorded_tutorial_step("lazy")
    eager_tape, kept_too = _recorded_tutorial_step("eager")
    L, E = lazy_tape.graph(), eager_tape.graph()
    assert_schema(E)
    assert_schema(L, full=False)
    # the same graph, ids, names, events and texts: only statistics may be missing
    assert strip_grads(L)[1] == strip_grads(E)[1]
    lazy_only = ("data", "grad", "image", "grad_image")  # what a lazy tape keeps only of what is still there
    assert ({n: {k: v for k, v in d.items() if k not in lazy_only} for n, d in L.nodes(data=True)}
            == {n: {k: v for k, v in d.items() if k not in lazy_only} for n, d in E.nodes(data=True)})
    for n, d in L.nodes(data=True):  # a lazy tape's images, where kept, are the eager ones
        for key in ("image", "grad_image"):
            assert d.get(key) is None or d[key] == E.nodes[n][key], (n, key)
    assert [e["text"] for e in lazy_tape.events] == [e["text"] for e in eager_tape.events]
    dropped = []
    for (where, a), (where_e, b) in zip(_summaries(L), _summaries(E)):
        assert where == where_e
        if a is not None and set(a) == {"numel"} and b is not None and "min" in b:
            dropped.append(where)
        else:
            assert a == b, (where, a, b)  # computed from the same, unchanged array: exactly equal
    names = {n: d["name"] for n, d in L.nodes(data=True) if d["kind"] == "tensor"}
    dropped_data = sorted(names[w[0]] for w in dropped if len(w) == 2 and w[1] == "data")
    # what was gone or overwritten before the read: the weights before their update, the lr * grad temporaries
    assert dropped_data == ["t12", "t16", "w1", "w2"], dropped_data
    assert all(len(w) == 2 for w in dropped), dropped  # every gradient is kept: the graph holds those arrays
    for n in ("h", "h_relu", "y_pred", "x", "y"):
        assert set(L.nodes[L.find(n)]["data"]) == STATS
    after = [n for n in L.nodes if L.nodes[n]["kind"] == "tensor" and L.nodes[n]["name"] == "w1"]
    assert set(L.nodes[after[-1]]["data"]) == STATS  # w1 after its update is alive: kept
    # read once, kept: freeing the step afterwards changes nothing
    events = lazy_tape.events
    del kept
    gc.collect()
    assert lazy_tape.graph().to_json() == L.to_json()
    assert lazy_tape.events == events


def test_lazy_statistics_of_arrays_freed_or_changed_before_the_read():
    a = vg.randn(50, requires_grad=False)
    with vg.record() as tape:
        b = a * 2
        c = b + 1
        b.mul_(3)  # b's first version is gone
        d = c.exp()
        del d  # freed before the read
    G = tape.graph()
    versions = [G.nodes[n] for n in G.nodes if G.nodes[n].get("name") == "b"]
    assert [set(v["data"]) for v in versions] == [{"numel"}, STATS]
    assert set(G.nodes[G.find("c")]["data"]) == STATS
    assert G.nodes[G.find("c")]["data"]["max"] == pytest.approx(float((a.numpy() * 2 + 1).max()), rel=1e-5)
    exp_out = [n for n in G.nodes if G.nodes[n]["kind"] == "tensor" and G.nodes[n]["name"] not in ("a", "b", "c")]
    assert any(G.nodes[n]["data"] == {"numel": 50} for n in exp_out)


def _tensor_summaries(G, name):
    return [d["data"] for _, d in G.nodes(data=True) if d["kind"] == "tensor" and d["name"] == name]


@pytest.mark.parametrize("write", ["view", "detach", "index", "data", "setitem"])
def test_lazy_statistics_see_writes_through_every_alias(write):
    # A write through any tensor that shares the memory makes the recorded statistics unknowable,
    # never stale (the versions of .data, x[0] and views are not the recorded tensor's).
    vg.manual_seed(0)
    x = vg.randn(4, 20, name="x")
    with vg.record() as tape:
        y = x * 2
    alias = {"view": lambda: x.view(-1), "detach": lambda: x.detach(), "index": lambda: x[0],
             "data": lambda: x.data, "setitem": lambda: x}[write]()
    with vg.no_grad():
        if write == "setitem":
            alias[0] = 100.0
        else:
            alias.mul_(0.0)
    G = tape.graph()
    assert _tensor_summaries(G, "x") == [{"numel": 80}]
    assert set(_tensor_summaries(G, "y")[0]) == STATS  # y's own memory was not written


def test_lazy_statistics_of_optimizer_state_written_after_the_tape():
    vg.manual_seed(0)
    model = vg.nn.Linear(10, 8)
    x = vg.randn(4, 10)
    opt = vg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def step():
        opt.zero_grad()
        model(x).pow(2).sum().backward()
        opt.step()

    with vg.record() as tape:
        step()
    buffer = opt.state[model.weight]["momentum_buffer"]
    version = buffer._version_number
    step()  # unrecorded: the fast update writes the buffer in place
    assert buffer._version_number > version  # counted, as PyTorch's in-place updates are
    G = tape.graph()
    states = [d["data"] for _, d in G.nodes(data=True)
              if d["kind"] == "tensor" and d["shape"] == [8, 10] and d["role"] == "intermediate"]
    assert states and all(s == {"numel": 80} for s in states)


def test_backward_gradients_written_through_a_view_of_grad_are_not_read_stale():
    vg.manual_seed(0)
    x, w = vg.randn(4, 5), vg.randn(5, 6, requires_grad=True)
    with vg.record() as tape:
        x.mm(w).pow(2).sum().backward()
    kept = tape.events[-1]["grads"][1]
    w.grad.view(-1).mul_(0.5)
    fresh = vg.record()
    assert tape.events[-1]["grads"][1] == kept  # read once before the write: kept as it was
    with fresh:
        x.mm(w).pow(2).sum().backward()
    before = w.grad.max().item()
    w.grad.view(-1).mul_(0.5)
    assert fresh.events[-1]["grads"][1] == {"numel": 30}  # unread, then written: not kept
    assert before == pytest.approx(2 * w.grad.max().item())


@pytest.mark.parametrize("program", ["x.add_(x)", "x.mul_(x)", "x.add_(x.detach())", "x.sub_(x.data)"])
def test_in_place_op_with_itself_as_operand_records_the_operand_before_the_write(program):
    x = vg.arange(20.0)
    with vg.record(stats="eager") as tape:
        eval(program, {"x": x})  # noqa: S307 - the parametrized test programs above
    (event,) = tape.events
    G = tape.graph()
    operand = event["inputs"][1]
    assert G.nodes[operand]["data"]["max"] == 19.0, G.nodes[operand]  # the values it had when read
    if program in ("x.add_(x)", "x.mul_(x)"):
        assert event["inputs"] == [event["inputs"][0]] * 2  # one tensor, two argument slots


def test_inputs_named_in_the_caller_of_the_recording_function():
    def record_forward(model, batch):
        with vg.record() as tape:
            model(batch[0]).sum().backward()
        return tape

    model, inputs = vg.nn.Linear(5, 3), vg.randn(4, 5)
    G = record_forward(model, (inputs, None)).graph()
    assert [d["name"] for _, d in G.nodes(data=True) if d.get("role") == "input"] == ["inputs"]


def test_naming_leaves_namespaces_and_kept_locals_alone():
    # Reading a function's variables must not empty what locals() returned, an exec namespace or a class body.
    def record_forward(model, batch):
        with vg.record() as tape:
            model(batch[0]).sum().backward()
        return tape

    def train(lr=0.1):
        config = locals()
        model, inputs = vg.nn.Linear(5, 3), vg.randn(4, 5)
        tape = record_forward(model, (inputs, None))
        return config, tape

    config, tape = train()
    assert config["lr"] == 0.1
    assert "inputs" in names(tape.graph())
    namespace = {}
    exec("model = vg.nn.Linear(5, 3)\nx = vg.randn(4, 5)\nkeep = 123\n"  # noqa: S102 - test code
         "with vg.record() as tape:\n    (model(x) * 2).sum().backward()\n", {"vg": vg}, namespace)
    assert {"model", "x", "keep", "tape"} <= set(namespace)
    assert "x" in names(namespace["tape"].graph())

    class Lesson:
        a = vg.randn(4, 5, requires_grad=True)
        with vg.record() as tape:
            b = (a * 2).sum()
            b.backward()

    assert {"a", "b", "tape"} <= set(vars(Lesson)) and {"a", "b"} <= names(Lesson.tape.graph())


def test_loop_inside_one_tape_names_every_step():
    vg.manual_seed(0)
    model = vg.nn.Linear(5, 1)
    opt = vg.optim.SGD(model.parameters(), lr=0.1)
    batches = [(vg.randn(4, 5), vg.randn(4, 1)) for _ in range(3)]
    with vg.record() as tape:
        for xb, yb in batches:
            opt.zero_grad()
            loss = ((model(xb) - yb) ** 2).mean()
            loss.backward()
            opt.step()
            loss = loss.item()  # rebound after backward: named before that
    G = tape.graph()
    assert [d["name"] for _, d in G.nodes(data=True) if d.get("role") == "input"] == ["xb", "yb"] * 3
    assert names(G) >= {"loss"}
    assert sum(d.get("name") == "loss" for _, d in G.nodes(data=True)) == 3


def test_record_refuses_an_unknown_stats_mode():
    with pytest.raises(ValueError, match="stats must be 'lazy' or 'eager'"):
        vg.record(stats="exact")


def test_large_tensors_stay_small_in_the_record():
    a = vg.randn(500, 400, requires_grad=True)
    with vg.record() as tape:
        loss = (a * a).sum()
        loss.backward()
    assert len(tape.graph().to_json()) < 5000
    assert len(json.dumps(tape.events)) < 5000
    assert len(vg.graph(loss).to_json()) < 5000


def _alive(refs):
    gc.collect()
    return [r for r in refs if r() is not None]


@pytest.mark.parametrize("write", ["mul_", "div_", "fill_", "setitem", "copy_", "sub_recorded"])
def test_writing_a_fresh_grad_in_place_leaves_the_drawn_gradient_as_it_flowed(write):
    # A fresh .grad is the array backward delivered, which the graph keeps for its edges: clipping or
    # rescaling the gradient afterwards must not change what the drawing says flowed into w.
    w = vg.tensor([1.0, 2.0], requires_grad=True, name="w")
    loss = (w * 3).sum()
    loss.backward()
    with vg.no_grad():
        if write == "mul_":
            w.grad.mul_(0.5)
        elif write == "div_":
            w.grad /= 4
        elif write == "fill_":
            w.grad.fill_(7.0)
        elif write == "setitem":
            w.grad[0] = 9.0
        elif write == "copy_":
            w.grad.copy_(vg.tensor([5.0, 6.0]))
        else:
            with vg.record():
                w.grad -= 1.0
    changed = w.grad.tolist()
    assert changed != [3.0, 3.0]
    G = vg.graph(loss)
    into_w = [d for u, _, d in G.edges(data=True) if u == G.find("w")]
    assert [d["grad"] for d in into_w] == [{"numel": 2, "values": [3.0, 3.0]}]
    assert w.grad.tolist() == changed  # and the write itself landed


def test_graph_model_keeps_no_tensor_array_or_node_alive():
    x, y, w1, w2 = small_two_layer(n=50, d_in=40, h=30)
    h = x.mm(w1)
    loss = (h.clamp(min=0).mm(w2) - y).pow(2).sum()
    loss.backward()
    refs = [weakref.ref(o) for o in (loss, loss.grad_fn, h, h._data, w1.grad, w1.grad._data)]
    G = vg.graph(loss)
    H = vg.graph(loss)
    del loss, h
    w1.grad = None
    assert _alive(refs) == []
    assert_schema(G)
    assert G.number_of_nodes() == H.number_of_nodes() == 16


@pytest.mark.parametrize("stats", ["lazy", "eager"])
def test_tape_keeps_no_tensor_array_or_node_alive(stats):
    x, y, w1, w2 = small_two_layer(n=50, d_in=40, h=30)
    refs = []
    with vg.record(stats=stats) as tape:
        for step in range(3):
            h = x.mm(w1)
            loss = (h.clamp(min=0).mm(w2) - y).pow(2).sum()
            loss.backward()
            with vg.no_grad():
                w1 -= 1e-3 * w1.grad
                w1.grad.zero_()
            if step == 0:
                refs = [weakref.ref(o) for o in (loss, loss.grad_fn, h, h._data)]
            del h, loss
            # earlier steps are freed while the tape is still recording
            assert _alive(refs) == []
    G = tape.graph()  # built from records alone, after everything it describes was freed
    assert_schema(G, full=stats == "eager")  # lazy: the statistics of what was freed are not kept
    assert len([e for e in tape.events if e["phase"] == "backward"]) == 3 * 6
    with vg.record(stats=stats) as tape2:
        z = vg.randn(100, 100, requires_grad=True)
        (z * 2).sum().backward()
    refs = [weakref.ref(z), weakref.ref(z._data), weakref.ref(z.grad)]
    del z
    assert _alive(refs) == []
    assert len(tape2.events) == 4
    del tape, tape2
    gc.collect()


# --- memory over 500 steps of the tutorial ---------------------------------------------------------------------

RSS_RECORD_PROGRAM = """
import sys
import graphviz_grad as vg
mode = sys.argv[1]
N, D_in, H, D_out = 64, 1000, 100, 10
vg.manual_seed(0)
x = vg.randn(N, D_in)
y = vg.randn(N, D_out)
w1 = vg.randn(D_in, H, requires_grad=True)
w2 = vg.randn(H, D_out, requires_grad=True)
learning_rate = 1e-6
ring = vg.record(max_events=1000) if mode == "ring" else None
if ring is not None:
    ring.__enter__()
sizes = set()
for t in range(500):
    tape = vg.record() if mode == "per-step" else None
    if tape is not None:
        tape.__enter__()
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    loss.backward()
    with vg.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
    if tape is not None:
        tape.__exit__(None, None, None)
        sizes.add(len(tape))
    if t == 100:
        warm = rss()
print(warm, rss(), len(ring) if ring is not None else max(sizes), int(loss.item() > 0))
"""


@needs_proc_statm
@pytest.mark.parametrize("mode", ["per-step", "ring"])
def test_500_recorded_steps_do_not_grow_rss(mode):
    warm, end, events, positive = run_measuring_rss(RSS_RECORD_PROGRAM, mode, env={"OPENBLAS_NUM_THREADS": "1"})
    assert events == (18 if mode == "per-step" else 1000) and positive == 1
    # One step's graph holds ~0.9 MB of arrays: 400 leaked steps would be hundreds of MB.
    assert end - warm < 20 * 2**20, (mode, warm, end)


@pytest.mark.parametrize("reset", ["zero_", "zero_grad"])
def test_a_step_drawn_after_its_update_still_shows_its_gradients(reset):
    """`vizgrad train --graph` draws the last step after `w.grad.zero_()`/`zero_grad()`: the
    gradients of that backward must still be on the leaves and their edges, not zeros or nothing."""
    w = vg.tensor([1.0, 2.0], requires_grad=True)
    x = vg.tensor([3.0, 4.0])
    loss = (w * x).sum() + (w * 2).sum()  # two deliveries into w: [3, 4] and [2, 2]
    loss.backward()
    grad_tensor = w.grad
    with vg.no_grad():
        w -= 0.1 * w.grad
    if reset == "zero_":
        w.grad.zero_()
        assert w.grad is grad_tensor and w.grad.tolist() == [0.0, 0.0]  # zeroed in place, same tensor
    else:
        vg.optim.SGD([w], lr=0.1).zero_grad()
        assert w.grad is None
    G = vg.graph(loss)
    leaf = G.find("w")
    assert G.nodes[leaf]["grad"]["values"] == [5.0, 6.0]
    assert sorted(e["grad"]["values"] for _, _, e in G.out_edges(leaf, data=True)) == [[2.0, 2.0], [3.0, 4.0]]
    # and the next backward accumulates into the reset gradient as usual
    ((w * x).sum()).backward()
    assert w.grad.tolist() == [3.0, 4.0]


def test_graph_follows_the_edges_backward_follows_after_an_in_place_op():
    """b = a*2; c = b+1; b.mul_(3): c used b *before* mul_, so its edge comes from a*2, not from mul_."""
    a = vg.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    c = b + 1
    b.mul_(3)
    d = (c + b).sum()
    d.backward()
    assert a.grad.tolist() == [8.0, 8.0]  # torch's: 2 through c, 6 through b
    G = vg.graph(d)
    ops = {n: G.nodes[n]["op"] for n in G.ops()}
    first_mul = next(n for n, op in ops.items() if op == "mul")
    product = next(iter(G.successors(first_mul)))
    consumers = sorted(ops[n] for n in G.successors(product))
    assert consumers == ["add", "mul"], "a*2 feeds both c = b + 1 and the in-place b.mul_(3)"
    assert sum(1 for op in ops.values() if op == "mul") == 2


def test_zero_grad_of_a_drawn_gradient_swaps_in_zeros_without_copying():
    # The common training step: nothing but .grad and the graph holds the gradient, so zero_() takes
    # zeros in its place (no pass over the array, no copy for the graph).
    w = vg.randn(30, 20, requires_grad=True)
    loss = (vg.randn(8, 30).mm(w) ** 2).sum()
    loss.backward()
    mm = loss.grad_fn.next_functions[0][0].next_functions[0][0]
    delivered = weakref.ref(mm.grads_in[1])  # (weakly: a strong reference would be an alias)
    assert w.grad._data is delivered()
    w.grad.zero_()
    assert w.grad._data is not delivered() and not w.grad._data.any()
    assert mm.grads_in[1] is delivered() and delivered().any()  # the graph keeps it, not a copy


def test_recording_defers_the_cyclic_collector_and_gives_its_setting_back():
    """While a tape records, the collector's first generation waits for RECORDING_GC_THRESHOLD new
    objects (see record/tape.py for why); the user's setting is back after the block, after an error,
    after nested tapes, and a setting the block chose itself is left alone."""
    from graphviz_grad.record.tape import RECORDING_GC_THRESHOLD

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with vg.record():
            assert gc.get_threshold() == (RECORDING_GC_THRESHOLD, 10, 10)
            with vg.record():
                assert gc.get_threshold()[0] == RECORDING_GC_THRESHOLD
            assert gc.get_threshold()[0] == RECORDING_GC_THRESHOLD
        assert gc.get_threshold() == (700, 10, 10)
        with pytest.raises(ZeroDivisionError), vg.record():
            1 / 0
        assert gc.get_threshold() == (700, 10, 10)
        with vg.record():
            gc.set_threshold(1234, 5, 5)
        assert gc.get_threshold() == (1234, 5, 5)
        gc.set_threshold(0, 10, 10)  # the collector switched off stays off
        with vg.record():
            assert gc.get_threshold()[0] == 0
        # A block that leaves many young objects (its records): they are not swept at the next allocation;
        # the first generation counts 700 from there, and 700 is back after the collector's next run, ...
        gc.set_threshold(700, 10, 10)
        w = vg.randn(8, 8, requires_grad=True)
        with vg.record() as tape:
            for _ in range(200):
                (w * 2).sum().backward()
        assert gc.get_threshold()[0] > 700 and gc.get_threshold()[1:] == (10, 10)
        gc.collect()
        assert gc.get_threshold() == (700, 10, 10)
        # ... or when the tape is freed, or when the next tape starts
        with vg.record() as tape:
            for _ in range(200):
                (w * 2).sum().backward()
        assert gc.get_threshold()[0] > 700
        del tape
        assert gc.get_threshold() == (700, 10, 10)
        with vg.record() as tape:
            for _ in range(200):
                (w * 2).sum().backward()
        with vg.record():
            assert gc.get_threshold() == (RECORDING_GC_THRESHOLD, 10, 10)
    finally:
        gc.set_threshold(*before)
