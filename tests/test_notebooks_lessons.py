"""Each docs lesson ships as a notebook, docs/notebooks/NN-name.ipynb, and runs top to bottom in a real kernel.

(a) **Fresh.** The committed notebooks are what ``vizgrad docs docs/`` writes
    now from the lesson pages (``cli/docs_notebooks.py``): one per page, equal
    byte for byte, without outputs. When this fails, run ``vizgrad docs docs/``
    from the repository root and commit docs/notebooks/.
(b) **They run.** Each notebook is executed with nbclient (kernel and helpers
    of tests/test_notebook.py), in a copy in a temporary folder, with its
    ``parameters`` cell's ``MAX_STEPS`` set to :data:`MAX_STEPS` by a cell
    inserted after it, as papermill does: the seed tutorial's scripts still
    run whole (seconds), the long lessons (GPT, CIFAR, makemore) train for a
    few steps. Then: no cell failed; every drawing of the page came out as
    inline SVG with the drawn names in it, every stepper as its iframe, every
    loss plot as an SVG plot with its title; and the first loss of each run
    is the first loss of the page's plot (same seed, same first step; but
    the classifier's data set grows with its steps). Measured: about 3
    minutes for the 19 notebooks on 2 busy cores, most of it the seed
    tutorial's whole scripts and the GPT page's own drawings.
"""
import json
import re
import shutil
from pathlib import Path

import pytest

from graphviz_grad.cli.docs_cmd import DIAGRAMS, TINY_SIZES
from graphviz_grad.cli.docs_notebooks import PARAMETERS, lesson_notebook, write_notebooks

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from test_notebook import _kernel_manager, _svg_texts  # noqa: E402  (after the skips: it needs nbformat too)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("lessons/*.md"))
MAX_STEPS = 3  # training steps of each lesson program in the tests (the notebooks' own default: the lesson's)
CELL_TIMEOUT = 300  # seconds: the seed tutorial's scripts run their 500 steps whole
FIRST_LOSS = re.compile(r"vizgrad train (\S+): loss (\S+) →")
# lessons whose first loss depends on the number of steps: the classifier trains on 2·steps generated images
DATA_FOLLOWS_STEPS = {"cifar-cnn"}


def _notebook(page):
    return DOCS / "notebooks" / f"{page.stem}.ipynb"


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


# --- (a) fresh -------------------------------------------------------------------------------------


def test_one_notebook_per_lesson_page():
    lessons = {p.stem for p in PAGES}
    notebooks = {p.stem for p in DOCS.glob("notebooks/*.ipynb")} - {"autograd-lesson"}
    assert lessons == notebooks, "run `vizgrad docs docs/` from the repository root and commit docs/notebooks/"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_committed_notebook_is_what_vizgrad_docs_writes(page):
    committed = _notebook(page).read_text(encoding="utf-8")
    assert committed == lesson_notebook(page, ROOT, DIAGRAMS, TINY_SIZES), (
        f"docs/notebooks/{page.stem}.ipynb is stale: run `vizgrad docs docs/` from the repository root and commit it")
    nb = nbformat.reads(committed, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source
    assert committed == json.dumps(json.loads(committed), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_vizgrad_docs_hook_writes_a_notebook_per_page_of_its_folder(tmp_path):
    """``write_notebooks(OUT, ...)`` (what ``vizgrad docs OUT`` calls last) reads OUT/lessons and the copies' files
    beside OUT; with no lessons it writes nothing, so ``vizgrad docs`` into an empty folder draws only images."""
    assert write_notebooks(tmp_path / "empty", DIAGRAMS, TINY_SIZES) == []
    shutil.copytree(DOCS / "lessons", tmp_path / "docs" / "lessons")
    for folder in ("examples", "graphviz_grad/lessons"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    written = write_notebooks(tmp_path / "docs", DIAGRAMS, TINY_SIZES)
    assert [p.name for p in written] == [f"{p.stem}.ipynb" for p in PAGES]
    for path in written:
        assert path.read_bytes() == (DOCS / "notebooks" / path.name).read_bytes(), path.name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_links_its_notebook(page):
    assert f"](../notebooks/{page.stem}.ipynb)" in page.read_text(encoding="utf-8")


def test_a_stale_notebook_is_caught(tmp_path):
    """An edit of the page's prose, or of a program the page copies, changes the notebook."""
    page = DOCS / "lessons" / "17-gpt.md"
    shutil.copytree(DOCS / "lessons", tmp_path / "docs" / "lessons")
    shutil.copytree(ROOT / "graphviz_grad" / "lessons", tmp_path / "graphviz_grad" / "lessons")
    fresh = lesson_notebook(tmp_path / "docs" / "lessons" / page.name, tmp_path, DIAGRAMS, TINY_SIZES)
    assert fresh == lesson_notebook(page, ROOT, DIAGRAMS, TINY_SIZES)
    copy = tmp_path / "docs" / "lessons" / page.name
    copy.write_text(copy.read_text(encoding="utf-8").replace("Shakespeare", "Marlowe", 1), encoding="utf-8")
    assert lesson_notebook(copy, tmp_path, DIAGRAMS, TINY_SIZES) != fresh
    program = tmp_path / "graphviz_grad" / "lessons" / "gpt.py"
    program.write_text(program.read_text(encoding="utf-8").replace("n_layer=2", "n_layer=3"), encoding="utf-8")
    assert "n_layer=3" in lesson_notebook(copy, tmp_path, DIAGRAMS, TINY_SIZES)


def test_the_long_programs_are_capped_visibly():
    """A lesson module runs through a visible call of its ``main``, capped by the parameters cell."""
    nb = json.loads(_notebook(DOCS / "lessons" / "17-gpt.md").read_text(encoding="utf-8"))
    sources = [_source(cell) for cell in nb["cells"]]
    assert sources.index(PARAMETERS) < 4
    assert nb["cells"][sources.index(PARAMETERS)]["metadata"] == {"tags": ["parameters"]}
    program = next(s for s in sources if s.startswith('"""Let\'s build GPT'))
    assert "if __name__" not in program and "STEPS = 500" in program
    assert any("main(steps=STEPS if MAX_STEPS is None else min(STEPS, MAX_STEPS)" in s for s in sources)


# --- (b) they run ----------------------------------------------------------------------------------


def _execute(page, workdir, kernels):
    """The notebook of ``page`` run in ``workdir`` with ``MAX_STEPS`` injected after its parameters cell."""
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(_notebook(page), as_version=4)
    at = next(i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(f"# Injected parameters\nMAX_STEPS = {MAX_STEPS}",
                                                      metadata={"tags": ["injected-parameters"]}))
    client = nbclient.NotebookClient(nb, km=_kernel_manager(kernels), kernel_name="python3", timeout=CELL_TIMEOUT,
                                     startup_timeout=60, allow_errors=False,
                                     resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        pytest.fail(f"{page.stem}.ipynb failed:\n{exc}", pytrace=False)
    return nb


def _outputs(cell, mime):
    return [o["data"][mime] for o in cell.outputs
            if o["output_type"] in ("display_data", "execute_result") and mime in o["data"]]


def _committed_first_loss(name):
    plot = (DOCS / "images" / name / "loss.svg").read_text(encoding="utf-8")
    return float(FIRST_LOSS.search(plot).group(2))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_lesson_notebook_runs_and_draws_what_the_page_shows(page, tmp_path):
    nb = _execute(page, tmp_path, tmp_path / "kernels")
    drawings = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None and not [o for o in cell.outputs if o["output_type"] == "error"]
        source = cell.source
        if "vg.viz.show(" in source and "stepper=True" in source:
            html = _outputs(cell, "text/html")
            assert html and html[0].startswith("<iframe srcdoc="), source
            assert "step 1 / " in html[0], source
            drawings += 1
        elif "vg.viz.show(" in source:
            svg = _outputs(cell, "image/svg+xml")
            assert svg and "<svg" in svg[0], source
            drawn = re.search(r"vg\.viz\.show\((\w+)", source).group(1)
            if drawn in ("loss", "y"):
                assert drawn in _svg_texts(svg[0]), (source, sorted(_svg_texts(svg[0]))[:40])
            drawings += 1
        elif "vg.viz.plot_losses(" in source:
            svg = _outputs(cell, "image/svg+xml")
            assert svg and "<svg" in svg[0], source
            name = re.search(r'plot_losses\("([\w-]+)"', source).group(1)
            title = re.search(r"vizgrad train \S+: loss (\S+) → \S+ in (\d+) steps", svg[0])
            assert title, f"{name}: no title in the plot"
            if name not in DATA_FOLLOWS_STEPS:
                first, expected = float(title.group(1)), _committed_first_loss(name)
                assert abs(first - expected) <= 1e-3 * abs(expected) + 5e-4, (name, first, expected)
            drawings += 1
    shown = len(re.findall(r"\]\(\.\./images/[\w-]+/(?:forward|backward|tiny|loss)\.svg\)|/steps\.html\)",
                           page.read_text(encoding="utf-8")))
    assert drawings >= shown > 0, f"{page.stem}: {drawings} drawings for {shown} pictures of the page"
