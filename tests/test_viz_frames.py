"""Step by step: frames in order, chain-rule text, and nodes that never move."""
import importlib
import json
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

import graphviz_grad as vg
from graphviz_grad.viz.animate import restyled_renders
from graphviz_grad.viz.steps import lesson
from test_viz_graphs import chain_graph, ywxb_graph

SVG = "{http://www.w3.org/2000/svg}"
SHAPES = ("polygon", "ellipse", "path", "text")


def geometry(svg_text):
    """Every node's and edge's drawn coordinates, by element id: what must not move between frames."""
    root = ET.fromstring(svg_text)
    found = {}
    for g in root.iter(SVG + "g"):
        if g.get("class") not in ("node", "edge"):
            continue
        coords = []
        for el in g.iter():
            tag = el.tag.replace(SVG, "")
            if tag in SHAPES:
                coords.append((tag, el.get("points"), el.get("d"), el.get("cx"), el.get("cy"), el.get("x"),
                               el.get("y")))
        found[g.get("id")] = coords
    return found


def test_one_frame_per_forward_op_then_per_backward_step(tmp_path):
    paths = vg.viz.steps(ywxb_graph(), str(tmp_path))
    assert [p.rsplit("/", 1)[1] for p in paths] == [f"frame_00{i}.svg" for i in range(4)]
    frames = lesson(ywxb_graph(), svg=False).frames
    assert [f.title for f in frames] == ["forward 1/2 · mul", "forward 2/2 · add",
                                         "backward 1/2 · add", "backward 2/2 · mul"]
    assert frames[0].lines == ["t2 = mul(w, x) = 2.0"]
    assert frames[2].lines == ["start: y.grad = 1.0", "t2.grad += y.grad · 1 = 1.0 · 1", "b.grad += y.grad · 1 = 1.0 · 1"]
    assert frames[3].lines == ["w.grad += t2.grad · x = 1.0 · 1.0", "x.grad += t2.grad · w = 1.0 · 2.0"]


def test_backward_frames_highlight_the_op_and_write_the_chain_rule(tmp_path):
    paths = vg.viz.steps(ywxb_graph(), str(tmp_path))
    last = open(paths[3], encoding="utf-8").read()
    style = re.search(r"<style>(.*?)</style>", last, re.S).group(1)
    assert re.search(r"#n_op0 polygon,#n_op0 ellipse,#n_op0 path\{stroke:#ff8c00", style)
    texts = [t.text for t in ET.fromstring(last).iter(SVG + "text")]
    assert "w.grad += t2.grad · x = 1.0 · 1.0" in texts and "backward 2/2 · mul" in texts
    first = open(paths[0], encoding="utf-8").read()
    # forward frames: later ops faded, every gradient hidden
    assert re.search(r"#n_op1,#n_t4\{opacity", first) and "#g6,#g7,#g8,#g9{visibility:hidden}" in first


def test_node_positions_equal_in_every_svg_frame(tmp_path):
    paths = vg.viz.steps(ywxb_graph(module="lin"), str(tmp_path), legend=True)
    shapes = [geometry(open(p, encoding="utf-8").read()) for p in paths]
    assert len(shapes[0]) == 7 + 10 + 1  # nodes (legend included) and edges
    assert all(s == shapes[0] for s in shapes[1:])


def test_node_positions_equal_in_every_raster_frame():
    renders = [r.decode("utf-8") for r in restyled_renders(lesson(ywxb_graph(), svg=False), "svg")]
    assert len(renders) == 4
    # nodes and edge routes stay put; only arrowheads follow a thicker pen
    positions = [{k: [c for c in v if k.startswith("n_") or c[0] == "path"] for k, v in geometry(r).items()}
                 for r in renders]
    assert len(positions[0]) == 7 + 6 and len(positions[3]) == 7 + 10  # gradient edges appear in backward
    for p in positions[1:]:
        assert all(p[k] == v for k, v in positions[0].items())
    assert all(positions[3][k] == v for k, v in positions[2].items())
    assert renders[0] != renders[3]  # restyled, not the same picture


def test_stepper_is_one_self_contained_page_whose_frames_only_restyle(tmp_path):
    path = vg.viz.stepper(ywxb_graph(), str(tmp_path / "lesson.html"))
    html = open(path, encoding="utf-8").read()
    assert html.count("<svg") == 1 and "<script src" not in html and "<link" not in html
    frames = json.loads(re.search(r'id="vg-frames">(.*?)</script>', html, re.S).group(1))
    assert [f["phase"] for f in frames] == ["forward", "forward", "backward", "backward"]
    assert frames[3]["lines"][0] == "w.grad += t2.grad · x = 1.0 · 1.0"
    for frame in frames:  # CSS only: no geometry, no transform, no position can change
        assert not re.search(r"(transform|translate|points|\bx:|\by:|d:)", frame["css"])
    for needle in ('id="vg-prev"', 'id="vg-next"', 'id="vg-play"', "step 1 / 4", "ArrowRight"):
        assert needle in html


def test_stepper_positions_equal_across_frames_via_steps(tmp_path):
    html = open(vg.viz.stepper(ywxb_graph(), str(tmp_path / "l.html")), encoding="utf-8").read()
    inline = re.search(r"(<svg.*</svg>)", html, re.S).group(1)
    frames = vg.viz.steps(ywxb_graph(), str(tmp_path / "frames"), legend=True)
    for p in frames:
        assert geometry(open(p, encoding="utf-8").read()) == geometry(inline)


def test_gif_has_one_frame_per_step(tmp_path):
    path = vg.viz.animate(ywxb_graph(), str(tmp_path / "pass.gif"), duration=500)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4


def test_png_steps(tmp_path):
    paths = vg.viz.steps(ywxb_graph(), str(tmp_path), format="png")
    sizes = {Image.open(p).size for p in paths}
    assert len(paths) == 4 and len(sizes) == 1


def test_a_graph_without_backward_steps_forward_only(tmp_path):
    frames = lesson(ywxb_graph(backward=False), svg=False).frames
    assert [f.phase for f in frames] == ["forward", "forward"]
    with pytest.raises(ValueError, match="steps writes svg or png"):
        vg.viz.steps(ywxb_graph(), str(tmp_path), format="bmp")


def test_module_level_frames_step_box_by_box():
    from test_viz_render import _two_layer_graph

    frames = lesson(_two_layer_graph(), level="module", svg=False).frames
    assert [f.title for f in frames][:4] == ["forward 1/4 · linear", "forward 2/4 · relu", "forward 3/4 · linear",
                                             "forward 4/4 · mse_loss"]
    assert frames[4].nodes["op3"] == "active" and frames[-1].nodes["m_c1"] == "active"
    # a box shows its parameters' gradients from its own backward step on, not before
    backward = frames[4:]
    assert [("m_c3" in f.grads, "m_c1" in f.grads) for f in backward] == [
        (False, False), (True, False), (True, False), (True, True)]


def test_scalar_level_frames_show_each_gradient_once_its_step_ran():
    x = vg.tensor([1.0, 2.0])
    w = vg.tensor([[0.5, -1.0]], requires_grad=True)
    y = (w @ x).sum()
    y.backward()
    result = lesson(y, level="scalar", svg=False)
    values = [n for n in result.diagram.nodes if n.kind == "tensor"]
    last = result.frames[-1]
    assert all(n.name in last.grads for n in values if any(k == "grad" for k, _ in n.rows))


def test_scalar_level_frames():
    frames = lesson(ywxb_graph(), level="scalar", svg=False).frames
    assert len(frames) == 4 and frames[3].lines[0].startswith("w.grad +=")


def test_fifty_frames_share_one_layout(tmp_path, monkeypatch):
    steps_module = importlib.import_module("graphviz_grad.viz.steps")  # the module, not the function
    calls = []
    real = steps_module.render_bytes
    monkeypatch.setattr(steps_module, "render_bytes", lambda *a, **k: calls.append(a) or real(*a, **k))
    paths = vg.viz.steps(chain_graph(25), str(tmp_path))
    assert len(paths) == 50 and len(calls) == 1
