"""Jupyter (issue 17 item 8): a tape and a graph show as pictures, a tensor stays text,
``vg.viz.show`` draws anything and puts the stepper in a cell, self-contained.

The first tests call the ``_repr_*_`` methods as Jupyter does; then a small notebook runs in a
real kernel with nbclient (as ``tests/test_notebook.py`` does) and its outputs are checked by
MIME type; last, the stepper's iframe is opened in headless Chromium, where it steps.
"""
import html
import re

import pytest

import graphviz_grad as vg
from graphviz_grad.viz.jupyter import Inline


def _step():
    w, x = vg.tensor([2.0, -1.0], requires_grad=True), vg.tensor([1.0, 3.0])
    with vg.record() as tape:
        loss = (w * x).relu().sum()
        loss.backward()
    return tape, loss


def _page_of(iframe):
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" [^>]*></iframe>', iframe, flags=re.S)
    assert match, iframe[:200]
    return html.unescape(match.group(1))


def test_a_tape_and_a_graph_show_as_svg_with_text_for_consoles():
    tape, loss = _step()
    for x, text in ((tape, repr(tape)), (vg.graph(loss), str(vg.graph(loss))), (tape.graph(), None)):
        bundle = x._repr_mimebundle_()
        assert bundle["text/plain"] == (text or str(x))
        svg = bundle["image/svg+xml"]
        assert svg.count("<svg") == 1 and ">loss<" in svg and ">relu<" in svg


def test_an_empty_tape_shows_as_text_only():
    assert vg.record()._repr_mimebundle_() == {"text/plain": "<Tape: 0 events>"}


def test_a_tensor_stays_text_as_in_pytorch():
    _, loss = _step()
    assert not [name for name in dir(loss) if name.startswith("_repr_") and name != "__repr__"]
    assert repr(loss).startswith("tensor(")


def test_show_outside_ipython_returns_the_drawing():
    _, loss = _step()
    shown = vg.viz.show(loss)
    assert isinstance(shown, Inline) and shown.html is None
    assert shown._repr_mimebundle_()["image/svg+xml"] == shown.svg and ">loss<" in shown.svg
    assert vg.viz.show(loss, level="tensor", images=False).svg.count("<svg") == 1  # draw's options pass through


def test_the_inline_stepper_is_one_self_contained_iframe():
    tape, _ = _step()
    shown = vg.viz.show(tape, stepper=True, title="relu step", height=500)
    bundle = shown._repr_mimebundle_()
    assert bundle["text/html"] == shown.html and 'height="500"' in shown.html
    page = _page_of(shown.html)
    assert page.startswith("<!DOCTYPE html>") and "<title>relu step</title>" in page and "step 1 / " in page
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<link" not in page  # nothing fetched


def test_show_with_an_unknown_option_is_refused():
    _, loss = _step()
    with pytest.raises(TypeError):
        vg.viz.show(loss, colour="red")


# --- a real kernel --------------------------------------------------------------------------

CELLS = [
    "import graphviz_grad as vg\n"
    "w, x = vg.tensor([2.0, -1.0], requires_grad=True), vg.tensor([1.0, 3.0])\n"
    "with vg.record() as tape:\n"
    "    loss = (w * x).relu().sum()\n"
    "    loss.backward()",
    "tape",
    "vg.graph(loss)",
    "loss",
    "vg.viz.show(loss)\nprint('after the picture')",
    "vg.viz.show(tape, stepper=True, title='in a notebook')",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from test_notebook import _kernel_manager

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    workdir = tmp_path_factory.mktemp("jupyter")
    client = nbclient.NotebookClient(nb, km=_kernel_manager(tmp_path_factory.mktemp("kernels")),
                                     kernel_name="python3", timeout=120, startup_timeout=60,
                                     resources={"metadata": {"path": str(workdir)}})
    client.execute()
    return nb.cells


def _outputs(cell):
    """``[(output type, {mime: data})]``; stream text as ``text/plain``."""
    return [(o["output_type"], o.get("data") or {"text/plain": o.get("text", "")}) for o in cell["outputs"]]


def test_in_a_kernel_a_tape_and_a_graph_show_inline_svg(executed):
    for cell in executed[1:3]:
        [(kind, data)] = _outputs(cell)
        assert kind == "execute_result" and ">loss<" in data["image/svg+xml"]


def test_in_a_kernel_a_tensor_shows_as_text(executed):
    [(kind, data)] = _outputs(executed[3])
    assert kind == "execute_result" and set(data) == {"text/plain"}
    assert data["text/plain"].startswith("tensor(")


def test_in_a_kernel_show_displays_where_it_is_called(executed):
    (kind, data), (stream, text) = _outputs(executed[4])
    assert kind == "display_data" and ">loss<" in data["image/svg+xml"]  # shown before the print below it
    assert stream == "stream" and text["text/plain"] == "after the picture\n"


def test_in_a_kernel_the_stepper_is_inline(executed):
    [(kind, data)] = _outputs(executed[5])
    assert kind == "display_data" and data["text/html"].startswith("<iframe srcdoc=")
    assert "<title>in a notebook</title>" in _page_of(data["text/html"])


# --- the iframe in a browser ----------------------------------------------------------------

@pytest.mark.browser
def test_the_inline_stepper_steps_inside_its_iframe(tmp_path):
    from selenium.webdriver.common.by import By
    from test_stepper_browser import _chrome

    tape, _ = _step()
    cell = tmp_path / "cell.html"  # a page standing in for the notebook: the cell's HTML inside it
    cell.write_text("<!DOCTYPE html><html><body><h1>notebook</h1>"
                    f"<div class=\"output\">{vg.viz.show(tape, stepper=True).html}</div></body></html>",
                    encoding="utf-8")
    driver = _chrome()
    try:
        driver.get("file://" + str(cell))
        driver.switch_to.frame(driver.find_element(By.TAG_NAME, "iframe"))
        counter = driver.find_element(By.ID, "vg-counter")
        total = counter.text.split("/ ")[1]
        driver.find_element(By.ID, "vg-next").click()
        assert counter.text == f"step 2 / {total}"
        driver.switch_to.default_content()
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        driver.quit()
