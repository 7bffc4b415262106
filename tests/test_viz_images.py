"""Tensors drawn as images (issue 17, item 6): 2-D and 4-D tensors as heatmaps inside their nodes."""
import io
import re

import numpy as np
import pytest

import graphviz_grad as vg
from graphviz_grad.record.summary import IMAGE_CHANNELS, image_values, thumbnail
from graphviz_grad.viz import images


KEPT = []  # the tensors of the last step(): a tape's images, like its statistics, wait for a reader


def step(stats="lazy"):
    vg.manual_seed(0)
    w = vg.randn(10, 30, requires_grad=True)
    k = vg.randn(2, 20, 6, 6, requires_grad=True)  # a batch of feature maps
    x = vg.randn(4, 10)
    with vg.record(stats=stats) as tape:
        h = (x @ w).tanh()
        loss = h.sum() + (k * k).sum()
        loss.backward()
    KEPT[:] = [w, k, x, h]
    return tape


def test_a_thumbnail_is_every_kth_element_within_a_255th_of_its_range():
    a = np.random.default_rng(0).standard_normal((64, 1000))
    image = thumbnail(a)
    assert image["shape"] == [16, 20]  # every 4th row, every 50th column: no side over 20
    source = a[::4, ::50]
    assert image_values(image) == pytest.approx(source, abs=(source.max() - source.min()) / 255 + 1e-9)
    assert thumbnail(a[:4, :4]) is None  # 16 elements: its values are written out instead
    assert thumbnail(np.zeros(100)) is None and thumbnail(np.zeros((2, 3, 50))) is None


def test_a_4d_tensor_is_its_first_samples_channels():
    a = np.arange(2 * 20 * 6 * 6, dtype=np.float64).reshape(2, 20, 6, 6)
    image = thumbnail(a)
    assert image["shape"] == [IMAGE_CHANNELS, 6, 6]
    assert image_values(image) == pytest.approx(a[0, :IMAGE_CHANNELS], abs=np.ptp(a[0, :16]) / 255 + 1e-9)


def test_the_graph_model_carries_images_and_gradient_images():
    G = step().graph()
    by_name = {d["name"]: d for _, d in G.nodes(data=True) if d["kind"] == "tensor"}
    assert by_name["w"]["image"]["shape"] == [10, 15] and by_name["w"]["grad_image"]["shape"] == [10, 15]
    assert by_name["k"]["image"]["shape"] == [16, 6, 6]
    assert "image" not in by_name["loss"]


def test_the_svg_embeds_its_heatmaps(tmp_path):
    tape = step()
    svg = open(vg.viz.render(tape, str(tmp_path / "s.svg")), encoding="utf-8").read()
    uris = re.findall(r'xlink:href="data:image/png;base64,[A-Za-z0-9+/=]+"', svg)
    assert len(uris) >= 5  # x, w, w.grad, h, k, k.grad, ...
    assert not re.findall(r'href="(?!data:)[^"]*\.png"', svg)  # no file left to find
    off = open(vg.viz.render(tape, str(tmp_path / "off.svg"), images=False), encoding="utf-8").read()
    assert "data:image" not in off
    html = open(vg.viz.stepper(tape, str(tmp_path / "s.html")), encoding="utf-8").read()
    assert html.count("data:image/png;base64") == len(uris)
    png = open(vg.viz.render(tape, str(tmp_path / "s.png")), "rb").read()
    assert png[:4] == b"\x89PNG"


def test_the_dot_stays_deterministic():
    first = vg.viz.draw(step()).source
    assert "<IMG SRC=" in first and first == vg.viz.draw(step()).source
    assert "/" not in re.findall(r'<IMG SRC="([^"]*)"', first)[0]  # a name, never a path of this machine


def test_gradients_use_a_diverging_map_centred_at_zero():
    from PIL import Image

    image = thumbnail(np.array([[-2.0, 0.0, 2.0]] * 6))
    pixels = np.asarray(Image.open(io.BytesIO(images.png_bytes(image, diverging=True))).convert("RGB"))
    middle = pixels[0, pixels.shape[1] // 2]
    assert abs(int(middle[0]) - 247) <= 3 and abs(int(middle[2]) - 247) <= 3  # zero is (nearly) white
    assert pixels[0, 0][2] > pixels[0, 0][0] and pixels[0, -1][0] > pixels[0, -1][2]  # blue below, red above


def test_a_lazy_tape_has_images_of_what_is_still_alive_and_an_eager_one_of_everything():
    tape = step()
    KEPT.clear()  # w, k, x and h freed before the tape is read: no image (as no statistics)
    names = {d["name"] for _, d in tape.graph().nodes(data=True) if d.get("image")}
    assert "w" not in names and "h" not in names
    tape = step(stats="eager")
    KEPT.clear()
    names = {d["name"] for _, d in tape.graph().nodes(data=True) if d.get("image")}
    assert {"w", "k", "x", "h"} <= names


def test_vg_graph_has_images():
    w = vg.randn(10, 30, requires_grad=True)
    loss = (vg.randn(4, 10) @ w).sum()
    loss.backward()
    G = vg.graph(loss)
    node = G.nodes[G.find("w")]
    assert node["image"]["shape"] == [10, 15] and node["grad_image"]["shape"] == [10, 15]


def test_a_gradients_heatmap_waits_for_backward_in_the_stepper():
    """Like the red gradient text, a gradient's heatmap is hidden in the frames before it flows."""
    from graphviz_grad.viz.draw import prepare
    from graphviz_grad.viz.frames import compute_frames, frame_css

    w = vg.randn(4, 5, requires_grad=True, name="w")
    y = (w @ vg.randn(5, 3)).sum()
    y.backward()
    G, diagram, digraph = prepare(y)
    frames = compute_frames(G, diagram)
    node = next(n.name for n in diagram.nodes if n.kind == "tensor" and n.rows[0][1] == "w")
    hidden = [f"image.{images.GRAD_IMAGE_CLASS}" in css and f"{node} image.{images.GRAD_IMAGE_CLASS}" in css
              for css in (frame_css(f, diagram) for f in frames)]
    assert hidden[0] and not hidden[-1]  # hidden while forward runs, shown once w.grad has arrived
    svg = images.embed(digraph.pipe(format="svg").decode())
    assert svg.count(f'class="{images.GRAD_IMAGE_CLASS}"') == 1  # w's gradient (the data's has none)
