"""Every tutorial program draws, at the tensor and at the module level.

The programs are the seed tutorial's lessons (``graphviz_grad/lessons/tutorial_*.py``,
which ``examples/*.py`` run). Each runs one training step inside ``vg.record()``,
so the drawing has the forward pass, the backward pass and the update, with the
names the program gave its variables.
"""
import re
import xml.etree.ElementTree as ET

import pytest

import graphviz_grad as vg
from graphviz_grad.lessons import LESSONS
from graphviz_grad.viz.steps import lesson

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = {name: lesson for name, lesson in LESSONS.items() if lesson.program.startswith("tutorial_")}

# names each program's drawing must show: its variables, its parameters, its custom Function
NAMES = {
    "tensor": {"x", "y", "w1", "w2", "h", "h_relu", "y_pred", "grad_w1", "grad_h_relu"},  # its loss: .item()
    "autograd": {"x", "y", "w1", "w2", "y_pred", "loss", "w1.grad"},
    "custom-function": {"w1", "w2", "y_pred", "loss", "MyReLU"},
    "nn": {"x", "y", "0.weight", "0.bias", "2.weight", "2.bias", "loss"},
    "optim": {"x", "y", "0.weight", "2.bias", "loss"},
    "module": {"x", "h_relu", "linear1.weight", "linear2.bias", "loss"},
    "dynamic": {"x", "h_relu", "input_linear.weight", "output_linear.bias", "loss"},
    "linear-regression": {"inputs", "targets", "weight", "bias", "loss"},
}
# the module calls of each program that builds an nn.Module: (the calls, the one holding the others)
MODULES = {
    "nn": ({"model.0", "model.1", "model.2"}, "model"),
    "optim": ({"model.0", "model.1", "model.2"}, "model"),
    "module": ({"model.linear1", "model.linear2"}, "model"),
    "dynamic": ({"model.input_linear", "model.output_linear"}, "model"),
    "linear-regression": ({"model"}, None),
}


def svg_texts(svg_bytes):
    return {t.text for t in ET.fromstring(svg_bytes).iter(SVG + "text") if t.text}


def titles(source):
    """The bold first line of every node and cluster: names, module calls, ops."""
    return set(re.findall(r"<B>([^<]*)</B>", source))


@pytest.fixture(scope="module")
def tapes():
    out = {}
    for name, example in EXAMPLES.items():
        with vg.record() as tape:
            result = example.run(steps=1, seed=0)
        out[name] = (tape, result)
    return out


def test_every_program_has_its_expectations():
    assert set(NAMES) | {"numpy"} == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_program_draws_at_the_tensor_level(tapes, name, tmp_path):
    tape, _ = tapes[name]
    source = vg.viz.draw(tape).source
    assert NAMES[name] <= titles(source), NAMES[name] - titles(source)
    # autograd's backward pass draws gradient edges; the manual-backprop program computes its own
    assert ("style=dashed" in source) == (name != "tensor")
    # the update step, grouped apart (linear regression evaluates its model after the loop: the
    # updated weights feed that forward pass, so the update is drawn among it)
    assert ("label=<<B>update (no_grad)</B>>" in source) == (name != "linear-regression")
    path = vg.viz.render(tape, str(tmp_path / f"{name}.svg"))
    assert {"loss"} <= svg_texts(open(path, "rb").read()) or name == "tensor"
    if name in MODULES:
        calls, _ = MODULES[name]
        clusters = {c.split(" · ")[0] for c in re.findall(r"label=<<B>([^<]*)</B>> labeljust", source)}
        assert calls <= clusters  # each module call groups its ops ("model.0 · Linear": name · class)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_program_draws_at_the_module_level(tapes, name, tmp_path):
    tape, _ = tapes[name]
    source = vg.viz.draw(tape, level="module").source
    assert "loss" in titles(source) or name == "tensor"
    path = vg.viz.render(tape, str(tmp_path / f"{name}.svg"), level="module")
    texts = svg_texts(open(path, "rb").read())
    if name not in MODULES:
        assert source == vg.viz.draw(tape).source  # no module calls: the tensor-level drawing
        return
    calls, parent = MODULES[name]
    boxes = re.findall(r"^\t+(m_c\d+) \[label=<<TABLE[^>]*><TR><TD><B>([^<]*)</B>", source, re.M)
    assert {title for _, title in boxes} <= texts
    assert calls <= {title.split(" · ")[0] for _, title in boxes}  # one box per module call (name · class)
    clusters = [c.split(" · ")[0] for c in re.findall(r"label=<<B>([^<]*)</B>> labeljust", source)]
    if parent:
        assert parent in clusters  # the module holding the others is a cluster around their boxes
    assert ("update (no_grad)" in clusters) == (name != "linear-regression")  # grouped apart from the model


@pytest.mark.parametrize("name", sorted(NAMES))
def test_program_steps_forward_backward_and_update(tapes, name):
    tape, _ = tapes[name]
    phases = [f.phase for f in lesson(tape, svg=False).frames]
    assert phases[0] == "forward" and "update" in phases
    if name != "tensor":  # the manual-backprop program has no backward pass of autograd's
        assert "backward" in phases
        assert phases.index("backward") < phases.index("update")


@pytest.mark.parametrize("name", ["autograd", "module"])
def test_the_last_loss_draws_as_a_graph(name, tmp_path):
    """``vg.graph(result.loss)`` (what ``vizgrad train --graph`` draws) at both levels."""
    result = EXAMPLES[name].run(steps=2, seed=0)
    for level in ("tensor", "module"):
        source = vg.viz.draw(result.loss, level=level).source
        assert source.count("style=dashed") >= 3
        svg = vg.viz.render(result.loss, str(tmp_path / f"{level}.svg"), level=level)
        assert ET.parse(svg).getroot().tag == SVG + "svg"
    if name == "module":
        assert {"linear1.weight", "linear2.bias"} <= titles(vg.viz.draw(result.loss).source)


def test_the_numpy_program_records_nothing_to_draw(tapes):
    tape, result = tapes["numpy"]
    assert result.loss is None
    assert "->" not in vg.viz.draw(tape).source
    with pytest.raises(ValueError, match="nothing to step through"):
        lesson(tape, svg=False)


def test_a_program_lesson_in_the_stepper(tapes, tmp_path):
    tape, _ = tapes["module"]
    html = open(vg.viz.stepper(tape, str(tmp_path / "lesson.html"), level="module"), encoding="utf-8").read()
    assert html.count("<svg") == 1 and "model.linear1" in html and "loss" in html


def test_the_update_cluster_holds_the_update_and_nothing_the_forward_pass_reads(tapes):
    tape, _ = tapes["nn"]
    source = vg.viz.draw(tape).source
    inside = source.split("subgraph cluster_update {")[1].split("\n\t}")[0]
    names = re.findall(r"<B>([^<]*)</B>", inside)
    assert names.count("sub_") == 4 and names.count("mul") == 4  # p -= lr * p.grad, for each parameter
    assert {"0.weight.grad", "2.bias.grad"} <= set(names)
    # the updated version, told apart from the one the forward pass read (outside)
    assert names.count("0.weight (updated)") == 1 and "0.weight" not in names
    assert "linear" not in names and "loss" not in names
