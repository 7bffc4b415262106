"""Module calls in drawings: back-to-back calls of one module, nested or not, are told apart.

An op is tagged with the module call that ran it and with the calls around that one, so
``module_calls`` groups the ops of each call of a module that has no op of its own (a
``Sequential``, a block made only of sub-modules) apart from its next call, too.
"""
import graphviz_grad as vg
from graphviz_grad import nn
from graphviz_grad.viz.calls import module_calls
from graphviz_grad.viz.draw import prepare


class Inner(nn.Module):
    """No op of its own: a Linear, then a ReLU module."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x))


class Outer(nn.Module):
    """Calls ``inner`` twice back to back (``self.inner(self.inner(x))``); no op of its own either."""

    def __init__(self):
        super().__init__()
        self.inner = Inner()

    def forward(self, x):
        return self.inner(self.inner(x))


class Model(nn.Module):
    """Calls ``outer`` twice back to back, then one op of its own."""

    def __init__(self):
        super().__init__()
        self.outer = Outer()

    def forward(self, x):
        return self.outer(self.outer(x)).sum()


def recorded(model=None):
    vg.manual_seed(0)
    model = model or Model()
    x = vg.randn(2, 3)
    with vg.record() as tape:
        model(x).backward()
    return tape


def forward_calls(G):
    """``{name: [[op kinds of call 1, with those of its sub-calls], [call 2], ...]}``."""
    calls = module_calls(G)
    by_key, kids = calls.by_key(), calls.children()
    out = {}
    for call in calls.calls:
        ops, stack = [], [call.key]
        while stack:
            key = stack.pop()
            ops += by_key[key].ops
            stack += kids.get(key, [])
        ops.sort(key=lambda op: G.nodes[op]["forward_step"])
        out.setdefault(call.name, []).append([G.nodes[op]["op"] for op in ops])
    return out


def test_a_module_without_ops_of_its_own_called_twice_back_to_back_gives_two_calls():
    G = recorded().graph()
    calls = forward_calls(G)
    assert calls["model"] == [["linear", "relu"] * 4 + ["sum"]]
    assert calls["model.outer"] == [["linear", "relu"] * 2] * 2
    assert calls["model.outer.inner"] == [["linear", "relu"]] * 4
    assert calls["model.outer.inner.fc"] == [["linear"]] * 4


def test_each_call_is_inside_the_right_call_of_its_parent():
    G = recorded().graph()
    calls = module_calls(G)
    by_key = calls.by_key()
    outer = [c.key for c in calls.calls if c.name == "model.outer"]
    inner_parents = [c.parent for c in calls.calls if c.name == "model.outer.inner"]
    assert inner_parents == [outer[0], outer[0], outer[1], outer[1]]
    assert {by_key[k].parent for k in outer} == {next(c.key for c in calls.calls if c.name == "model")}


def test_the_graph_says_which_calls_each_op_ran_in():
    G = recorded().graph()
    linears = [d for _, d in G.nodes(data=True) if d.get("op") == "linear" and d["phase"] == "forward"]
    chains = [d["module_calls"] for d in linears]
    assert [sorted(c) for c in chains] == [["model", "model.outer", "model.outer.inner", "model.outer.inner.fc"]] * 4
    assert all(c["model.outer.inner.fc"] == d["module_call"] for c, d in zip(chains, linears))
    assert len({c["model"] for c in chains}) == 1
    assert [c["model.outer"] for c in chains][::2] != [chains[0]["model.outer"]] * 2
    assert len({c["model.outer.inner"] for c in chains}) == 4
    op = next(n for n, d in G.nodes(data=True) if d.get("op") == "linear")
    assert vg.Graph.from_json(G.to_json()).nodes[op]["module_calls"] == G.nodes[op]["module_calls"]


def test_the_module_picture_draws_every_call_unrolled_and_rolls_them():
    tape = recorded()
    G, diagram, _ = prepare(tape, level="module", roll=False)
    titles = [n.rows[0][1] for n in diagram.nodes if n.kind == "module"]
    assert titles == [f"model.outer.inner.{name} · call {k}" for k in range(1, 5)
                      for name in ("fc · Linear", "act · ReLU")]
    assert [c.label for c in diagram.clusters.values()] == [
        "model · Model", "model.outer · call 1", "model.outer.inner · call 1", "model.outer.inner · call 2",
        "model.outer · call 2", "model.outer.inner · call 3", "model.outer.inner · call 4"]
    G, diagram, _ = prepare(tape, level="module", roll=True)
    assert G.graph["repeat"] == {"model.outer": 2, "model.outer.inner": 2}
    assert [n.rows[0][1] for n in diagram.nodes if n.kind == "module"] == [
        "model.outer.inner.fc · Linear", "model.outer.inner.act · ReLU"]
    assert [c.label for c in diagram.clusters.values()] == [
        "model · Model", "model.outer ×2", "model.outer.inner ×2"]


def test_a_leaf_module_fed_its_own_output_still_gives_two_calls():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.mlp = nn.Sequential(nn.Linear(3, 3), nn.Tanh())

        def forward(self, x):
            return self.mlp(self.mlp(x)).sum()

    G = recorded(Twice()).graph()
    calls = forward_calls(G)
    assert calls["model.mlp"] == [["linear", "tanh"]] * 2
    assert calls["model.mlp.0"] == [["linear"]] * 2
