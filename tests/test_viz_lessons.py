"""The pictures of the big lessons' training steps (issue 17): the GPT (2 blocks, 2 heads) and the
blitz's CIFAR network, each step recorded whole (the batch, forward, backward, the optimizer's step).

Structure only (counts, labels, what is embedded), never float digits.
"""
import re
from pathlib import Path

import pytest

import graphviz_grad as vg
from graphviz_grad.lessons import LESSONS
from graphviz_grad.viz.draw import prepare

MAX_READABLE = 150  # "at most about 150 boxes" (issue 17)
DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def _gpt_step():
    v = LESSONS["gpt"].run(steps=1, n_head=2, max_new_tokens=1).variables
    model, optimizer, get_batch = v["model"], v["optimizer"], v["get_batch"]
    with vg.record() as tape:
        xb, yb = get_batch("train")
        logits, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    tape.graph()  # read while the step's tensors live: statistics and thumbnails are taken at the first read
    return tape


def _cifar_step():
    v = LESSONS["cifar-cnn"].run(steps=1).variables
    net, criterion = v["net"], v["criterion"]  # (the page's net at its end: loaded back from the checkpoint)
    optimizer = vg.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    inputs, labels = next(iter(v["trainloader"]))
    with vg.record() as tape:
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
    tape.graph()
    return tape


STEPS = {"gpt": _gpt_step, "cifar-cnn": _cifar_step}


@pytest.fixture(scope="module", params=sorted(STEPS))
def step(request):
    return request.param, STEPS[request.param]()


def _titles(diagram):
    return [n.rows[0][1] for n in diagram.nodes if n.rows and n.rows[0][0] == "title"]


def test_the_default_picture_is_readable(step, tmp_path):
    name, tape = step
    G, diagram, digraph = prepare(tape)
    assert len(diagram.nodes) <= MAX_READABLE, f"{name}: {len(diagram.nodes)} boxes"
    caption = digraph.graph_attr.get("label", "")
    assert "level" in caption, caption  # the picture says which level it shows and how to go deeper
    if name == "gpt":
        assert diagram.level == "module" and "×2" in digraph.source  # the two blocks (and two heads), rolled
        assert any(t == "data (no gradients)" for t in _titles(diagram))  # get_batch's 60 ops, one box
    path = vg.viz.render(tape, tmp_path / f"{name}.svg")
    svg = Path(path).read_text(encoding="utf-8")
    assert "data:image/png;base64," in svg  # heatmaps embedded: the file stands alone
    assert not re.search(r'xlink:href="(?!data:|#)', svg)


def test_labels_are_distinct(step):
    name, tape = step
    _, diagram, _ = prepare(tape)
    titles = [n.rows[0][1] for n in diagram.nodes if n.kind == "tensor" and n.rows[0][0] == "title"]
    repeated = sorted({t for t in titles if titles.count(t) > 1})
    assert not repeated, f"{name}: {repeated}"


def test_update_nodes_name_their_parameters(step):
    name, tape = step
    _, diagram, _ = prepare(tape)
    updates = [n for n in diagram.nodes if n.kind == "op" and n.rows[0][1].endswith(" step")]
    assert updates, name
    optimizer = {"gpt": "AdamW", "cifar-cnn": "SGD"}[name]
    assert all(n.rows[0][1] == f"{optimizer} step" for n in updates)
    named = [t for n in updates for _, t in n.rows[1:2]]
    assert all(t and not re.fullmatch(r"[-+.\deE]+", t) for t in named), named  # a name, never a value


def test_expand_and_unroll(step):
    name, tape = step
    _, overview, _ = prepare(tape, level="module")
    box = {"gpt": "model.blocks.0.sa", "cifar-cnn": "net.conv1"}[name]
    _, opened, source = prepare(tape, expand=[box])
    assert len(opened.nodes) > len(overview.nodes) - 1
    inside = {"gpt": "softmax", "cifar-cnn": "conv"}[name]
    assert re.search(rf"<B>{inside}\b", source.source)
    _, rolled, _ = prepare(tape, level="tensor")
    _, unrolled, _ = prepare(tape, level="tensor", roll=False)
    if name == "gpt":
        assert len(unrolled.nodes) > len(rolled.nodes)


def test_no_label_repeats_within_any_docs_picture():
    """Each tensor box of every committed docs SVG has its own first line (constants, drawn by value, aside)."""
    title = re.compile(r'<g id="(n_t\w+)" class="node">.*?<text[^>]*font-weight="bold"[^>]*>([^<]*)</text>', re.S)
    clashes = {}
    for svg in sorted(DOCS_IMAGES.rglob("*.svg")):
        names = [m.group(2) for m in title.finditer(svg.read_text(encoding="utf-8"))]
        repeated = sorted({n for n in names if names.count(n) > 1 and not re.fullmatch(r"[-+.\deE]+", n)})
        if repeated:
            clashes[svg.relative_to(DOCS_IMAGES).as_posix()] = repeated
    assert not clashes, clashes
