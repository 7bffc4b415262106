"""Drawing big programs (issue 17): names without clashes, a compact update phase, the readable
default level, the rolled view, expand, micrograd graphs.

Structure only (node kinds, labels, counts): never the digits of float32 values.
"""
import re
from unittest import mock

import numpy as np
import pytest

import graphviz_grad as vg
from graphviz_grad import nn
from graphviz_grad.lessons.tutorial_dynamic import DynamicNet
from graphviz_grad.viz.diagram import op_inputs
from graphviz_grad.viz.draw import prepare

NUMBER = re.compile(r"^-?\d+(\.\d*)?(e[-+]?\d+)?$")


def tensor_titles(diagram):
    """The first line of every tensor node drawn (constants, drawn by their value, aside)."""
    return [n.rows[0][1] for n in diagram.nodes if n.kind == "tensor" and n.rows[0][0] == "title"]


def update_nodes(diagram):
    return [n for n in diagram.nodes if n.kind == "op" and n.rows[0][1].endswith(" step")]


class Net(nn.Module):
    """Calls its result ``y`` inside forward, as the target is called outside."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        y = self.fc(x).relu()
        return y


def dynamic_step(optimizer="sgd", middle_calls=2, steps=2):
    """A DynamicNet training step (forward, backward, optimizer.step()) recorded on a tape."""
    model = DynamicNet(4, 3, 2)
    x, y = vg.randn(5, 4), vg.randn(5, 2)
    opt = (vg.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9) if optimizer == "sgd"
           else vg.optim.Adam(model.parameters(), lr=1e-3))
    loss_fn = nn.MSELoss()
    for _ in range(steps):  # the second step finds the state buffers made by the first
        with vg.record() as tape, mock.patch("random.randint", lambda a, b: middle_calls):
            y_pred = model(x)
            loss = loss_fn(y_pred, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return tape


# --- names ------------------------------------------------------------------------------------

def test_a_tensor_takes_the_name_the_outermost_code_gave_it():
    model, x, y = Net(), vg.randn(4, 3), vg.randn(4, 2)
    with vg.record() as tape:
        y_pred = model(x)
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
    names = [d["name"] for _, d in tape.graph().nodes(data=True) if d["kind"] == "tensor"]
    assert names.count("y") == 1 and names.count("y_pred") == 1  # not y twice (forward's y is y_pred)
    G = vg.graph(loss)
    assert {"y", "y_pred", "loss", "x"} <= {d.get("name") for _, d in G.nodes(data=True)}


def test_two_tensors_of_one_name_are_told_apart():
    def twice(a):
        y = a * 2
        return y

    a = vg.tensor([1.0, 2.0], requires_grad=True)
    with vg.record() as tape:
        total = (twice(a) + twice(a)).sum()
        total.backward()
    raw = [d["name"] for _, d in tape.graph().nodes(data=True) if d["kind"] == "tensor"]
    assert raw.count("y") == 2  # the model keeps what the code said ...
    titles = tensor_titles(prepare(tape)[1])
    assert len(titles) == len(set(titles))  # ... the picture tells them apart
    assert {"y", "y #2"} <= set(titles)


@pytest.mark.parametrize("level", ["tensor", "module"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("update", ["compact", "ops"])
def test_no_label_repeats_in_a_training_step(level, optimizer, update):
    diagram = prepare(dynamic_step(optimizer), level=level, update=update)[1]
    titles = tensor_titles(diagram)
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
    boxes = [n.rows[0][1] for n in diagram.nodes if n.kind == "module"]
    assert len(boxes) == len(set(boxes))
    assert not [t for t in titles if NUMBER.match(t)]  # state buffers by name, never by value


def test_versions_of_one_tensor_say_which_is_which():
    titles = set(tensor_titles(prepare(dynamic_step("sgd"))[1]))
    assert {"input_linear.weight", "input_linear.weight (updated)",
            "input_linear.weight.momentum_buffer", "input_linear.weight.momentum_buffer (updated)"} <= titles


# --- the update phase ------------------------------------------------------------------------

def test_the_graph_model_knows_each_parameters_update_and_its_state():
    G = dynamic_step("adam").graph()
    groups = {d["update"]["group"] for _, d in G.nodes(data=True) if d.get("update")}
    assert len(groups) == 6  # three Linear layers, weight and bias each
    update = next(d["update"] for _, d in G.nodes(data=True) if d.get("update"))
    assert update["optimizer"] == "Adam" and G.nodes[update["param"]]["name"] == "input_linear.weight"
    assert update["symbols"] == {"g": "grad", "m": "exp_avg", "v": "exp_avg_sq"}
    assert update["hyper"]["t"] == 2 and update["hyper"]["lr"] == 1e-3
    keys = {d.get("state_key") for _, d in G.nodes(data=True)} - {None}
    assert keys == {"exp_avg", "exp_avg_sq"}
    names = {d["name"] for _, d in G.nodes(data=True) if d["kind"] == "tensor"}
    assert {"output_linear.bias.exp_avg", "output_linear.bias.exp_avg_sq"} <= names


@pytest.mark.parametrize("level", ["tensor", "module"])
def test_one_node_per_parameter_labelled_with_the_rule(level):
    G, diagram, digraph = prepare(dynamic_step("sgd"), level=level)
    nodes = update_nodes(diagram)
    assert len(nodes) == 6
    assert all(n.cluster == "update" for n in nodes)
    texts = [t for _, t in nodes[0].rows]
    if level == "tensor":
        assert texts[:3] == ["SGD step", "m ← μ·m + g", "w ← w − lr·m"]
        assert "lr = 0.01, μ = 0.9" in texts
        assert "w = input_linear.weight, g = w.grad, m = w.momentum_buffer" in texts
    else:  # the overview: each update names its parameter, the rule is said once, in the update cluster
        assert texts == ["SGD step", "input_linear.weight"]
        note = next(n for n in diagram.nodes if n.name == "update_rule")
        assert note.cluster == "update"
        assert [t for _, t in note.rows] == ["SGD: m ← μ·m + g; w ← w − lr·m", "lr = 0.01, μ = 0.9",
                                             "g = w.grad, m = w.momentum_buffer"]
    # what the update reads and writes, and nothing between (no mul_, add_, no constant 0.9)
    ops = {G.nodes[n]["op"] for n in G if G.nodes[n]["kind"] == "op" and G.nodes[n].get("phase") == "update"}
    assert ops == {"update"}
    op = next(n for n in G if G.nodes[n].get("op") == "update")
    ins = [G.nodes[t]["name"] for t, _, _ in op_inputs(G, op)]
    outs = {G.nodes[t]["name"] for t in G.successors(op)}
    assert ins == ["input_linear.weight", "input_linear.weight.grad", "input_linear.weight.momentum_buffer"]
    assert outs == {"input_linear.weight (updated)", "input_linear.weight.momentum_buffer (updated)"}
    assert 'shape=box' in digraph.source and "SGD step" in digraph.source


def test_the_first_step_makes_the_momentum_buffer_from_the_gradient():
    tape = dynamic_step("sgd", steps=1)
    nodes = update_nodes(prepare(tape)[1])
    assert [t for _, t in nodes[0].rows][1:3] == ["m ← g", "w ← w − lr·m"]
    G = prepare(tape)[0]
    op = next(n for n in G if G.nodes[n].get("op") == "update")
    assert {G.nodes[t]["name"] for t in G.successors(op)} == {"input_linear.weight (updated)",
                                                               "input_linear.weight.momentum_buffer"}


def test_update_ops_draws_the_optimizer_op_by_op():
    tape = dynamic_step("adam")
    G = prepare(tape, update="ops")[0]
    ops = [d["op"] for _, d in G.nodes(data=True) if d["kind"] == "op" and d["phase"] == "update"]
    assert "update" not in ops and {"mul", "add", "sqrt", "div"} <= set(ops)
    assert len(update_nodes(prepare(tape, update="ops")[1])) == 0
    with pytest.raises(ValueError, match="update must be"):
        prepare(tape, update="folded")


def test_a_manual_update_is_left_op_by_op():
    w = vg.tensor([1.0, 2.0], requires_grad=True)
    with vg.record() as tape:
        (w * w).sum().backward()
        with vg.no_grad():
            w -= 0.1 * w.grad
    G = prepare(tape)[0]
    assert {d["op"] for _, d in G.nodes(data=True) if d["kind"] == "op" and d["phase"] == "update"} == {"mul", "sub"}


def test_the_callers_graph_is_left_as_it_was():
    G = dynamic_step("sgd").graph()
    before = (sorted(G.nodes), sorted(d["name"] for _, d in G.nodes(data=True) if d["kind"] == "tensor"))
    prepare(G)
    assert (sorted(G.nodes), sorted(d["name"] for _, d in G.nodes(data=True) if d["kind"] == "tensor")) == before


# --- a transformer-like stack: repeated blocks and heads ----------------------------------------

class Head(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.key = nn.Linear(d, h)
        self.value = nn.Linear(d, h)

    def forward(self, x):
        k = self.key(x).relu()
        v = self.value(x)
        return k * v


class MultiHead(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.heads = nn.ModuleList([Head(d, d // n) for _ in range(n)])
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        return self.proj(vg.cat([h(x) for h in self.heads], dim=-1))


class Block(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.sa = MultiHead(d, n)
        self.ffwd = nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))

    def forward(self, x):
        x = x + self.sa(x)
        return x + self.ffwd(x)


class TinyTransformer(nn.Module):
    def __init__(self, d=8, heads=2, blocks=2):
        super().__init__()
        self.inp = nn.Linear(4, d)
        self.blocks = nn.Sequential(*[Block(d, heads) for _ in range(blocks)])
        self.head = nn.Linear(d, 3)

    def forward(self, x):
        return self.head(self.blocks(self.inp(x)))


def transformer_step(blocks=2, heads=2):
    vg.manual_seed(0)
    model = TinyTransformer(heads=heads, blocks=blocks)
    x, y = vg.randn(5, 4), vg.randn(5, 3)
    opt = vg.optim.Adam(model.parameters(), lr=1e-3)
    with vg.record() as tape:
        logits = model(x)
        loss = ((logits - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return tape


def caption(diagram):
    return diagram.graph_attrs.get("label", "")


def box_titles(diagram):
    return [n.rows[0][1] for n in diagram.nodes if n.kind == "module"]


def cluster_titles(diagram):
    return [c.label for c in diagram.clusters.values()]


@pytest.fixture(scope="module")
def transformer():
    return transformer_step()


def test_a_small_program_stays_at_the_tensor_level_without_a_caption():
    w = vg.tensor(2.0, requires_grad=True)
    y = w * 3
    diagram = prepare(y)[1]
    assert diagram.level == "tensor" and caption(diagram) == ""
    assert "label=" not in vg.viz.draw(y).source.split("\n")[1]  # no graph label


def test_a_small_module_program_says_its_level(transformer):
    diagram = prepare(dynamic_step("sgd"))[1]
    assert diagram.level == "tensor"
    assert caption(diagram).startswith("tensor level: every tensor and op (")
    assert 'level="module"' in caption(diagram)


@pytest.mark.parametrize("roll", [True, False])
def test_the_default_picture_of_a_big_program_has_at_most_150_boxes(transformer, roll):
    big = transformer_step(blocks=4, heads=4)
    assert big.graph().number_of_nodes() > 1000
    G, diagram, digraph = prepare(big, roll=roll)
    assert len(diagram.nodes) <= 150
    if not roll:  # 4 blocks of 4 heads unrolled: too many tensors, so module boxes
        assert diagram.level == "module"
        text = caption(diagram)
        assert text.startswith("module level: one box per module call (")
        assert 'expand=["model.' in text and 'level="tensor"' in text
        assert f'label="{text}"' in digraph.source.replace("&quot;", '"').replace('\\"', '"')


def test_the_default_level_goes_shallower_until_it_fits():
    layers = []
    for _ in range(40):
        layers += [nn.Linear(3, 3), nn.Tanh()]
    model = nn.Sequential(*layers)
    x = vg.randn(2, 3)
    opt = vg.optim.SGD(model.parameters(), lr=0.1)
    with vg.record() as tape:
        loss = model(x).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    diagram = prepare(tape)[1]
    assert diagram.level == "module" and len(diagram.nodes) <= 150
    assert box_titles(diagram) == ["model"]  # 80 layers and 80 updates do not fit: the model is one box
    # 80 updates are too many to draw one by one: one node per module call holding parameters
    assert [[t for _, t in n.rows] for n in update_nodes(diagram)] == [["SGD step", "model", "80 parameters"]]


def test_a_long_chain_without_modules_stays_at_the_tensor_level():
    x = vg.tensor(1.0, requires_grad=True)
    with vg.record() as tape:
        y = x
        for _ in range(300):
            y = y * 1.001
        y.backward()
    diagram = prepare(tape)[1]
    assert diagram.level == "tensor" and len([n for n in diagram.nodes if n.kind == "op"]) == 300


# --- rolled view ---------------------------------------------------------------------------------

def test_repeated_blocks_and_heads_draw_once_with_their_count(transformer):
    diagram = prepare(transformer, level="module")[1]
    clusters = cluster_titles(diagram)
    assert "model.blocks.0 · Block ×2" in clusters
    assert "model.blocks.0.sa.heads.0 · Head ×2" in clusters
    assert not [t for t in clusters + box_titles(diagram) if ".blocks.1" in t or ".heads.1" in t]
    # the key and value projections have one structure but feed different ops: never rolled together
    assert {"model.blocks.0.sa.heads.0.key · Linear", "model.blocks.0.sa.heads.0.value · Linear"} <= set(
        box_titles(diagram))
    # inp and head (weight, bias); one block, one head: key, value, proj, ffwd.0, ffwd.2
    assert len(update_nodes(diagram)) == 14
    assert "×2" in vg.viz.draw(transformer, level="module").source


def test_roll_false_draws_every_call(transformer):
    rolled = prepare(transformer, level="module")[1]
    unrolled = prepare(transformer, level="module", roll=False)[1]
    titles = set(box_titles(unrolled))
    assert {"model.blocks.1.sa.heads.1.value · Linear", "model.blocks.0.sa.heads.1.key · Linear"} <= titles
    assert not [t for t in cluster_titles(unrolled) if "×" in t]
    assert len(unrolled.nodes) > len(rolled.nodes)
    # 32 parameters: more than 16 updates, so one update node per module call holding parameters
    groups = [[t for _, t in n.rows] for n in update_nodes(unrolled)]
    assert 1 < len(groups) <= 16 and sum(int(g[2].split()[0]) for g in groups) == 32
    assert "model.inp" in {g[1] for g in groups} and [g for g in groups if g[1].startswith("model.blocks.1.")]


def test_a_module_called_several_times_in_a_row_rolls():
    class Repeat(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(3, 3)

        def forward(self, h):
            for _ in range(4):
                h = self.layer(h)
            return h

    model, x = Repeat(), vg.randn(2, 3)
    with vg.record() as tape:
        model(x).sum().backward()
    assert box_titles(prepare(tape, level="module")[1]) == ["model.layer · Linear ×4"]
    assert box_titles(prepare(tape, level="module", roll=False)[1]) == [
        f"model.layer · Linear · call {k}" for k in range(1, 5)]


def test_dynamic_nets_reused_layer_rolls():
    tape = dynamic_step("sgd", middle_calls=3)
    titles = box_titles(prepare(tape, level="module")[1])
    assert "model.middle_linear · Linear ×3" in titles and len(titles) == 4  # input, middle ×3, output, loss
    G = prepare(tape, level="tensor")[0]
    assert G.graph["repeat"] == {"model.middle_linear": 3}
    ops = [d["op"] for _, d in G.nodes(data=True) if d["kind"] == "op" and d["phase"] == "forward"]
    assert ops.count("linear") == 3  # input, middle (once), output


def test_rolling_leaves_the_callers_graph_alone(transformer):
    G = transformer.graph()
    n = G.number_of_nodes()
    prepare(G, level="module")
    assert G.number_of_nodes() == n and "repeat" not in G.graph


# --- expand --------------------------------------------------------------------------------------

def test_expand_draws_one_modules_ops_inside_the_overview(transformer):
    closed = prepare(transformer, level="module")[1]
    opened = prepare(transformer, level="module", expand=["blocks.0.sa"])[1]
    assert [t for t in box_titles(closed) if t.startswith("model.blocks.0.sa.")]
    assert not [t for t in box_titles(opened) if t.startswith("model.blocks.0.sa.")]
    assert "model.blocks.0.ffwd.0 · Linear" in box_titles(opened)  # the rest stays boxed
    ops = [n.rows[0][1] for n in opened.nodes if n.kind == "op"]
    assert ops.count("linear") >= 3  # key, value, proj: drawn as ops now
    assert "model.blocks.0.sa.heads.0.key · Linear" in cluster_titles(opened)
    same = prepare(transformer, level="module", expand="model.blocks.0.sa")[1]
    assert box_titles(same) == box_titles(opened)


def test_expand_refuses_what_it_cannot_open(transformer):
    with pytest.raises(ValueError, match=r"expand='blocks\.9' names no module call.*model\.blocks\.0"):
        prepare(transformer, level="module", expand=["blocks.9"])
    with pytest.raises(ValueError, match="expand opens module boxes"):
        prepare(transformer, level="tensor", expand=["blocks.0"])


def test_expand_in_the_default_picture_opens_the_overview(transformer):
    diagram = prepare(transformer, expand=["blocks.0.ffwd"])[1]
    assert diagram.level == "module"
    assert not [t for t in box_titles(diagram) if t.startswith("model.blocks.0.ffwd")]


@pytest.mark.parametrize("options, rule, state", [
    ({}, ["v ← α·v + (1−α)·g²", "w ← w − lr·g / (√v + ε)"], {"square_avg"}),
    ({"momentum": 0.9, "centered": True},
     ["v ← α·v + (1−α)·g²", "ḡ ← α·ḡ + (1−α)·g", "b ← μ·b + g / (√(v − ḡ²) + ε)", "w ← w − lr·b"],
     {"square_avg", "grad_avg", "momentum_buffer"}),
])
def test_rmsprop_update_is_drawn_with_its_rule_and_named_state(options, rule, state):
    w = vg.tensor([1.0, -1.0], requires_grad=True)
    opt = vg.optim.RMSprop([w], lr=0.01, **options)
    with vg.record() as tape:
        (w * w).sum().backward()
        opt.step()
    G = tape.graph()
    update = next(d["update"] for _, d in G.nodes(data=True) if d.get("update"))
    assert update["optimizer"] == "RMSprop" and update["rule"] == rule
    assert {d.get("state_key") for _, d in G.nodes(data=True)} - {None} == state
    np.testing.assert_allclose(w.detach().numpy(), [0.8995, -0.8995] if options else [0.9, -0.9], rtol=1e-3)


def test_a_rolled_ops_gradient_says_it_is_the_first_calls():
    """Rolled calls show the first call's values; a gradient arrow into a shared weight says so."""
    from graphviz_grad.viz.frames import compute_frames

    G, diagram, digraph = prepare(dynamic_step("sgd", middle_calls=3, steps=1), level="tensor")
    labels = re.findall(r'label=" ([^"]*) "[^\]]*style=dashed', digraph.source)
    rolled = [label for label in labels if label.startswith("call 1 of 3: ")]
    assert rolled and all(not label.startswith("call") for label in set(labels) - set(rolled))
    lines = [line for frame in compute_frames(G, diagram) for line in frame.lines]
    assert "(call 1 of 3: the numbers are the first call's; the 3 calls' gradients add up)" in lines
    _, _, unrolled = prepare(dynamic_step("sgd", middle_calls=3, steps=1), level="tensor", roll=False)
    assert "call 1 of" not in unrolled.source
