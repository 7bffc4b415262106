"""micrograd graphs: any object with data, grad, _prev and _op draws, renders and steps (issue 17, item 7)."""
import math

import pytest

import graphviz_grad as vg
from graphviz_grad.viz.diagram import op_inputs
from graphviz_grad.viz.source import as_graph
from graphviz_grad.viz.steps import lesson


class Value:
    """The Value a learner writes in the micrograd lecture (+, *, tanh, backward)."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad = data, 0.0
        self._backward = lambda: None
        self._prev, self._op, self.label = set(_children), _op, label

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:
            v, done = stack.pop()
            if done:
                topo.append(v)
            elif v not in visited:
                visited.add(v)
                stack.append((v, True))
                stack.extend((c, False) for c in v._prev)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


def neuron():
    """The lecture's neuron: o = tanh(x1·w1 + x2·w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, n, o)}


def names(G):
    return {d["name"]: n for n, d in G.nodes(data=True) if d["kind"] == "tensor"}


def test_a_lecture_value_is_a_graph_with_its_labels_and_ops():
    o, _ = neuron()
    G = as_graph(o)
    assert {"x1", "x2", "w1", "w2", "b", "x1*w1", "x2*w2", "n", "o"} <= set(names(G))
    assert sorted(d["op"] for _, d in G.nodes(data=True) if d["kind"] == "op") == ["*", "*", "+", "+", "tanh"]
    assert G.graph["root"] == names(G)["o"] and not G.graph["backward_done"]
    assert G.nodes[names(G)["o"]]["role"] == "output" and G.nodes[names(G)["w1"]]["role"] == "leaf"
    source = vg.viz.draw(o).source
    assert "style=dashed" not in source  # no backward yet: no gradient edges


def test_after_backward_the_gradients_flow_along_the_edges():
    o, v = neuron()
    o.backward()
    G = as_graph(o)
    assert G.graph["backward_done"]
    assert G.nodes[names(G)["x1"]]["grad"]["values"] == pytest.approx(v["x1"].grad)
    mul = next(iter(G.successors(names(G)["x1"])))
    grads = {G.nodes[t]["name"]: e["grad"]["values"] for t, _, e in op_inputs(G, mul)}
    assert grads == pytest.approx({"x1": v["x1"].grad, "w1": v["w1"].grad})
    tanh = next(n for n, d in G.nodes(data=True) if d.get("op") == "tanh")
    assert G.nodes[tanh]["derivative"] == ["grad · (1 − out²)"]
    assert "style=dashed" in vg.viz.draw(o).source


def test_render_and_stepper_leave_the_values_as_they_were(tmp_path):
    o, v = neuron()
    o.backward()
    before = {k: (x.data, x.grad) for k, x in v.items()}
    svg = open(vg.viz.render(o, str(tmp_path / "o.svg")), encoding="utf-8").read()
    assert "x1*w1" in svg and "tanh" in svg
    html = open(vg.viz.stepper(o, str(tmp_path / "o.html")), encoding="utf-8").read()
    assert "step 1 / 10" in html  # 5 ops forward, 5 backward
    assert {k: (x.data, x.grad) for k, x in v.items()} == before


def test_the_stepper_goes_backward_in_reverse_topological_order():
    o, _ = neuron()
    o.backward()
    frames = lesson(o, svg=False).frames
    assert [f.phase for f in frames] == ["forward"] * 5 + ["backward"] * 5
    G = as_graph(o)
    forward = sorted((d["forward_step"], n) for n, d in G.nodes(data=True) if d["kind"] == "op")
    backward = sorted((d["backward_step"], n) for n, d in G.nodes(data=True) if d["kind"] == "op")
    assert [n for _, n in backward] == [n for _, n in forward][::-1]
    assert G.nodes[backward[0][1]]["op"] == "tanh"


def test_the_graph_is_the_same_every_time():
    first = as_graph(neuron()[0]).to_json()
    for _ in range(3):
        assert as_graph(neuron()[0]).to_json() == first


def test_unlabelled_values_and_powers_draw():
    a = Value(3.0)
    d = a * 2.0
    c = Value(d.data ** 2, (d,), "**2")  # micrograd's __pow__
    c.grad, a.grad = 1.0, 72.0
    G = as_graph(c)
    labels = [d["name"] for _, d in G.nodes(data=True) if d["kind"] == "tensor"]
    assert len(labels) == len(set(labels)) == 4
    power = next(n for n, d in G.nodes(data=True) if d.get("op") == "**2")
    assert G.nodes[power]["derivative"] == ["grad · 2·a^(2−1)"]
    assert vg.viz.draw(c).source.count("->") >= 4


def test_micrograds_own_value_draws_and_steps(tmp_path):
    engine = pytest.importorskip("micrograd.engine")
    nn = pytest.importorskip("micrograd.nn")
    import random

    random.seed(0)
    model = nn.MLP(2, [3, 1])
    x = [engine.Value(1.0), engine.Value(-2.0)]
    loss = (model(x) - engine.Value(1.0)) ** 2
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    G = as_graph(loss)
    assert G.graph["backward_done"] and G.nodes[G.graph["root"]]["role"] == "output"
    ops = {d["op"] for _, d in G.nodes(data=True) if d["kind"] == "op"}
    assert {"*", "+", "ReLU", "**2"} <= ops
    path = vg.viz.render(loss, str(tmp_path / "loss.svg"))
    assert open(path, encoding="utf-8").read().count("<svg") == 1
    html = open(vg.viz.stepper(loss, str(tmp_path / "loss.html")), encoding="utf-8").read()
    n_ops = sum(1 for _, d in G.nodes(data=True) if d["kind"] == "op")
    assert f"step 1 / {2 * n_ops}" in html
    assert [p.grad for p in model.parameters()] == grads  # read, never written
