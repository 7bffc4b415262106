"""The Jupyter lesson docs/notebooks/autograd-lesson.ipynb runs top to bottom in a real kernel.

The notebook is executed once per test session with nbclient, in a copy inside
a temporary folder (the files it writes, such as ``lesson.html``, stay there),
by an IPython kernel started with this very interpreter (``sys.executable``),
so it finds the same editable install of ``graphviz_grad`` with no kernel spec
installed anywhere. Then its outputs are checked: no errors, the diagrams came
back as inline SVG with the expected names, the tape printed the chain rule,
the loss fell, and the stepper page is embedded.

The committed file itself must stay clean: no outputs, no execution counts.
"""
import html
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "autograd-lesson.ipynb"
CELL_TIMEOUT = 120  # seconds per cell; the whole notebook takes a few seconds


def _kernel_manager(kernels_dir):
    """A kernel manager for a ``python3`` kernel run by ``sys.executable`` (ipykernel of this environment)."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    write_kernel_spec(path=str(kernels_dir / "python3"))
    specs = KernelSpecManager(kernel_dirs=[str(kernels_dir)], ensure_native_kernel=False)
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """``(notebook with outputs, folder it ran in)``."""
    from nbclient.exceptions import CellExecutionError

    workdir = tmp_path_factory.mktemp("notebook")
    path = workdir / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, path)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, km=_kernel_manager(tmp_path_factory.mktemp("kernels")), kernel_name="python3",
        timeout=CELL_TIMEOUT, startup_timeout=60, allow_errors=False,
        resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute()
    except CellExecutionError as exc:  # the traceback of the failing cell, not nbclient's internals
        pytest.fail(f"the notebook failed:\n{exc}", pytrace=False)
    return nb, workdir


def _code_cells(nb, fragment):
    cells = [c for c in nb.cells if c.cell_type == "code" and fragment in c.source]
    assert cells, f"no code cell contains {fragment!r}"
    return cells


def _stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def _data(cell, mime):
    found = [o.data[mime] for o in cell.outputs
             if o.output_type in ("execute_result", "display_data") and mime in o.data]
    assert found, f"cell {cell.source.splitlines()[0]!r} produced no {mime} output: {cell.outputs}"
    return found[0]


def _svg_texts(svg):
    """The text shown in an SVG diagram, entities decoded."""
    return {html.unescape(t).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}


def test_committed_notebook_is_clean():
    raw = NOTEBOOK.read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source
    ids = [cell.id for cell in nb.cells]
    assert len(set(ids)) == len(ids)
    assert raw == json.dumps(json.loads(raw), indent=1, ensure_ascii=False) + "\n", "not in nbformat's layout"


def test_no_errors(executed):
    nb, _ = executed
    for cell in nb.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"{cell.source}\n{errors}"
            assert cell.execution_count is not None


def test_draw_shows_inline_svg(executed):
    nb, _ = executed
    before, after = _code_cells(nb, "vg.viz.draw(y)")
    for cell in (before, after):
        svg = _data(cell, "image/svg+xml")
        assert "<svg" in svg and "</svg>" in svg
        assert {"w", "x", "b", "y", "mul", "add"} <= _svg_texts(svg), _svg_texts(svg)
    assert not any(t.startswith("grad") for t in _svg_texts(_data(before, "image/svg+xml")))
    assert "grad 1.0" in _svg_texts(_data(after, "image/svg+xml"))


def test_gradients_and_graph(executed):
    nb, _ = executed
    out = _stdout(_code_cells(nb, "y.backward()\nprint(")[0])
    assert "w.grad = tensor(1.)" in out and "b.grad = tensor(1.)" in out
    out = _stdout(_code_cells(nb, "G = vg.graph(y)")[0])
    assert "is a networkx.MultiDiGraph: True" in out
    assert re.search(r"tensor w +role=leaf +value=2\.0 +grad=1\.0", out), out
    assert "w.grad += t2.grad · x = 1.0 · 1.0" in _stdout(_code_cells(nb, "G.edges(data=True)")[0])


def test_tape_prints_the_chain_rule(executed):
    nb, _ = executed
    out = _stdout(_code_cells(nb, "with vg.record() as tape:")[0])
    assert re.search(r"^forward +t2 = mul\(w, x\)$", out, re.M), out
    assert re.search(r"^backward +w\.grad \+= t2\.grad · x = 1\.0 · 1\.0$", out, re.M), out
    rules = _stdout(_code_cells(nb, 'for rule in event["rules"]')[0]).splitlines()
    assert "w.grad += t2.grad · x = 1.0 · 1.0" in rules and "b.grad += y.grad · 1 = 1.0 · 1" in rules


def test_training_and_module_diagram(executed):
    nb, _ = executed
    losses = [float(v) for v in re.findall(r"^step \d+ +loss (\S+)$", _stdout(_code_cells(nb, "optimizer.step()")[0]),
                                           re.M)]
    assert len(losses) == 5 and all(a > b for a, b in zip(losses, losses[1:])), losses
    texts = _svg_texts(_data(_code_cells(nb, 'level="module"')[0], "image/svg+xml"))
    assert {"model", "model.0", "model.1", "model.2", "loss_fn", "loss", "x", "y_pred"} <= texts, texts


def test_stepper_is_embedded(executed):
    nb, workdir = executed
    page = (workdir / "lesson.html").read_text(encoding="utf-8")
    assert "step 1 / " in page
    shown = _data(_code_cells(nb, "vg.viz.stepper(")[0], "text/html")
    assert shown.startswith("<div><iframe srcdoc=")
    assert html.escape(page) in shown
    assert not (NOTEBOOK.parent / "lesson.html").exists()
