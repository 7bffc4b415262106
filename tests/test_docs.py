"""The documentation: its images regenerate byte for byte, its code runs, its links resolve.

(a) **Images.** ``vizgrad docs OUT`` into a temporary folder must reproduce
    ``docs/images/``: the same set of files, and every SVG, HTML and DOT file
    showing the same thing (``drawing_compare``: the same elements, labels and
    colours, numbers within a tolerance, layout geometry ignored), because
    another machine measures text with other fonts and its OpenBLAS kernel
    moves the last digits of 500 float32 training steps. Within one process
    the output is byte for byte the same. A PNG is compared through its DOT
    source, the ``.dot`` file that ``vizgrad docs`` writes beside it; the PNG
    itself must only be a PNG. When this fails, the images are stale: run
    ``vizgrad docs docs/`` from the repository root and commit ``docs/images/``.
(b) **Code.** Every fenced ``python`` block of README.md, docs/*.md and
    docs/lessons/*.md runs: each file's blocks in order, as one program, in a
    subprocess whose working folder is a fresh temporary folder. The one
    exception is marked where it stands: a block right after the comment line
    ``<!-- copy of graphviz_grad/lessons/NAME.py ... -->`` is a whole lesson
    program; it is not run here (tests/test_seeds.py and tests/test_lessons.py
    run the file) but it must equal the file exactly.
(c) **Links.** Every image and link target in those pages that is not a web
    address exists; pages under docs/ link only inside docs/ (mkdocs builds
    the site from docs/ alone).
(d) **Lessons show their own code.** Each lesson contains its program whole,
    as a copy of its one source in ``graphviz_grad/lessons/``, and the code that
    runs one step of it for its images, as ``docs_cmd.run_program`` does (at the
    tutorial's sizes and at the tiny ones).
"""
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import drawing_compare
from drawing_compare import compare, compare_plot
from graphviz_grad.cli import docs_cmd

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
IMAGES = DOCS / "images"
PAGES = sorted([ROOT / "README.md", *DOCS.glob("*.md"), *DOCS.glob("lessons/*.md"), *DOCS.glob("reference/*.md")])
RUN_PAGES = [p for p in PAGES if (p.parent.name != "reference" or p.name == "api.md")
             and "```python" in p.read_text(encoding="utf-8")]
COPY_MARK = re.compile(r"<!-- copy of ((?:examples|graphviz_grad/lessons)/[\w.-]+\.py)\b.*-->")
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
# lesson file -> (its program in docs_cmd.PROGRAMS, the lesson module it teaches)
LESSONS = {
    "01-numpy.md": ("numpy", "tutorial_numpy"),
    "02-tensor.md": ("tensor", "tutorial_tensor"),
    "03-autograd.md": ("autograd", "tutorial_autograd"),
    "04-custom-function.md": ("custom-function", "tutorial_custom_function"),
    "05-nn.md": ("nn", "tutorial_nn"),
    "06-optim.md": ("optim", "tutorial_optim"),
    "07-module.md": ("module", "tutorial_module"),
    "08-dynamic.md": ("dynamic", "tutorial_dynamic"),
    "09-scalar.md": ("scalar", "tutorial_scalar"),
    "10-linear-regression.md": ("linear-regression", "tutorial_linear_regression"),
}
# the lessons after the tutorial: page -> the lessons of graphviz_grad.lessons.LESSONS it teaches (their code is
# the lesson module, shown whole; their images are drawn by docs_cmd.LESSON_RUNS)
LESSON_PAGES = {
    "11-sin-fit.md": ["sin-numpy", "sin-tensor", "sin-autograd", "sin-custom-function", "sin-nn", "sin-optim",
                      "sin-module", "sin-dynamic"],
    "12-makemore-bigram.md": ["makemore-bigram"],
    "13-makemore-mlp.md": ["makemore-mlp"],
    "14-makemore-batchnorm.md": ["makemore-batchnorm"],
    "15-makemore-backprop.md": ["makemore-backprop"],
    "16-makemore-wavenet.md": ["makemore-wavenet"],
    "17-gpt.md": ["gpt"],
    "18-blitz-lenet.md": ["blitz-autograd", "lenet"],
    "19-blitz-cifar.md": ["cifar-cnn"],
}


def blocks(page):
    """``(language, code, line, copy_of)`` for each fenced block of ``page``, in order."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = COPY_MARK.fullmatch(before.strip())
        line = text.count("\n", 0, match.start()) + 2  # the first line of code
        found.append((match.group(1), match.group(2), line, mark.group(1) if mark else None))
    return found


def _relative(path):
    return path.relative_to(ROOT).as_posix()


# --- (a) the images --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """``vizgrad docs OUT`` run once, in a subprocess, as a user runs it."""
    out = tmp_path_factory.mktemp("docs")
    code = "import sys; from graphviz_grad.cli.app import main; sys.exit(main(['docs', sys.argv[1]]))"
    result = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True,
                            timeout=600, cwd=out)
    assert result.returncode == 0, f"vizgrad docs failed:\n{result.stdout}\n{result.stderr}"
    return out / "images"


def _files(folder):
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_every_diagram_lands_under_images():
    for diagram in docs_cmd.DIAGRAMS:
        assert diagram.path.startswith("images/"), diagram.path


def test_vizgrad_docs_writes_exactly_the_committed_images(regenerated):
    committed, produced = _files(IMAGES), _files(regenerated)
    hint = " (run `vizgrad docs docs/` from the repository root and commit docs/images/)"
    assert not produced - committed, f"not committed: {sorted(produced - committed)}{hint}"
    assert not committed - produced, f"committed but no longer drawn: {sorted(committed - produced)}{hint}"


PLOTS = {d.path.removeprefix("images/") for d in docs_cmd.DIAGRAMS if d.plot}


def test_committed_images_show_what_a_fresh_run_draws(regenerated):
    stale = []
    for name in sorted(_files(IMAGES) & _files(regenerated)):
        ours, fresh = IMAGES / name, regenerated / name
        if name.endswith(".png"):
            assert ours.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{name} is not a PNG"
            assert (IMAGES / name).with_suffix(".dot").is_file(), f"{name} has no .dot source beside it"
            continue  # compared through its .dot file
        texts = ours.read_text(encoding="utf-8"), fresh.read_text(encoding="utf-8")
        difference = compare_plot(*texts) if name in PLOTS else compare(*texts, ours.suffix)
        if difference:
            stale.append(f"{name} ({difference})")
    assert not stale, (f"these images differ from what `vizgrad docs` draws now: {stale}; "
                       "run `vizgrad docs docs/` from the repository root and commit docs/images/")


_STALE_EDITS = {
    "a label": lambda text: text.replace(">w<", ">v<", 1),
    "a node removed": lambda text: re.sub(r'<g id="n_op\d+" class="node">.*?</g>\n', "", text, count=1, flags=re.S),
    "a colour": lambda text: text.replace('fill="#fff3bf"', 'fill="#ffffff"', 1),
    "a number beyond the tolerance": lambda text: text.replace(">2.0<", ">2.1<", 1),
}


@pytest.mark.parametrize("edit", sorted(_STALE_EDITS))
def test_a_stale_image_is_still_caught(edit):
    """The tolerant comparison ignores layout and last digits, not what the picture says."""
    committed = (IMAGES / "chain-rule.svg").read_text(encoding="utf-8")
    edited = _STALE_EDITS[edit](committed)
    assert edited != committed, f"the edit {edit!r} found nothing to change in chain-rule.svg"
    assert compare(committed, edited, ".svg") is not None
    assert compare(committed, committed, ".svg") is None


def test_layout_geometry_and_last_digits_are_not_staleness():
    committed = (IMAGES / "autograd" / "forward.svg").read_text(encoding="utf-8")
    moved = re.sub(r' (points|d|x|y)="([^"]*)"', lambda m: f' {m.group(1)}="{m.group(2)}1"', committed)
    moved = moved.replace("0.04122", "0.0412")
    assert moved != committed and compare(committed, moved, ".svg") is None


def test_regeneration_is_deterministic_in_one_process(tmp_path):
    """Two builds in one process give the same bytes (no ids, dates or counters leak into the output)."""
    picks = [d for d in docs_cmd.DIAGRAMS if d.path in (
        "images/chain-rule.svg", "images/tensor/steps.html", "images/dynamic/tiny.svg")]
    for run in ("one", "two"):
        for diagram in picks:
            docs_cmd.build(diagram, tmp_path / run)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    for name in _files(tmp_path / "one"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


# --- (b) the code blocks ---------------------------------------------------------------------------

_RUNNER = textwrap.dedent("""\
    import json, sys
    namespace = {"__name__": "__main__"}
    for code, where in json.load(open(sys.argv[1], encoding="utf-8")):
        exec(compile(code, where, "exec"), namespace)
""")


@pytest.mark.parametrize("page", RUN_PAGES, ids=_relative)
def test_python_blocks_run(page, tmp_path):
    import json

    runnable = []
    for language, code, line, copy_of in blocks(page):
        if language != "python":
            continue
        if copy_of:
            assert code == (ROOT / copy_of).read_text(encoding="utf-8"), (
                f"{_relative(page)}:{line}: the block is not an exact copy of {copy_of}")
            continue
        runnable.append((code, f"{_relative(page)}, block at line {line}"))
    assert runnable, f"{_relative(page)} has only copies of examples/ to run"
    (tmp_path / "blocks.json").write_text(json.dumps(runnable), encoding="utf-8")
    (tmp_path / "run_blocks.py").write_text(_RUNNER, encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "run_blocks.py", "blocks.json"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"a Python block of {_relative(page)} failed:\n{result.stderr[-4000:]}"


def test_every_python_block_is_either_run_or_a_marked_copy():
    """A copy mark must sit right above a python block, and name an existing file."""
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        marks = len(COPY_MARK.findall(text))
        copies = [b for b in blocks(page) if b[3]]
        assert marks == len(copies), f"{_relative(page)}: a copy mark is not followed by a code block"
        for language, _, line, copy_of in copies:
            assert language == "python" and (ROOT / copy_of).is_file(), f"{_relative(page)}:{line}"


# --- (c) the links ---------------------------------------------------------------------------------

_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_LINK = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


def _targets(page):
    text = page.read_text(encoding="utf-8")
    text = FENCE.sub("", text)  # code is not a link
    text = re.sub(r"`[^`\n]*`", "", text)
    return _LINK.findall(text) + _HTML_LINK.findall(text)


@pytest.mark.parametrize("page", PAGES, ids=_relative)
def test_links_and_images_exist(page):
    missing, outside = [], []
    for target in _targets(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a web address, mailto:, or an anchor of the same page
        path = (page.parent / target.split("#", 1)[0]).resolve()
        if not path.exists():
            missing.append(target)
        elif page.is_relative_to(DOCS) and not path.is_relative_to(DOCS):
            outside.append(target)
    assert not missing, f"{_relative(page)} links to missing files: {missing}"
    assert not outside, f"{_relative(page)} links outside docs/ (mkdocs cannot follow): {outside}"


def test_every_image_is_used():
    """Each image drawn for the docs is shown or linked somewhere (a .dot is a PNG's source)."""
    used = set()
    for page in PAGES:
        for target in _targets(page):
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if path.is_relative_to(IMAGES):
                used.add(path.relative_to(IMAGES).as_posix())
    drawn = {d.path.removeprefix("images/") for d in docs_cmd.DIAGRAMS if not d.path.endswith("/")}
    unused = sorted(drawn - used)
    assert not unused, f"images drawn by vizgrad docs but shown on no page: {unused}"


def test_readme_keeps_the_setup_commands_and_the_picture():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install . && vizgrad render "y=w*x+b" x=1 w=2 b=3' in readme
    assert 'pip install ".[test]" && pytest -q' in readme
    assert "](docs/images/chain-rule.png)" in readme


# --- (d) the lessons show their own code -----------------------------------------------------------


def test_there_is_one_lesson_per_program():
    assert sorted(p.name for p in DOCS.glob("lessons/*.md")) == sorted([*LESSONS, *LESSON_PAGES])
    assert sorted(program for program, _ in LESSONS.values()) == sorted(docs_cmd.PROGRAMS)
    taught = [name for names in LESSON_PAGES.values() for name in names]
    assert sorted(taught) == sorted(docs_cmd.LESSON_RUNS)


@pytest.mark.parametrize("page", sorted(LESSON_PAGES))
def test_lesson_page_shows_its_lessons_whole_and_their_images(page):
    from graphviz_grad.lessons import LESSONS as REGISTRY

    copies = {copy_of for language, _, _, copy_of in blocks(DOCS / "lessons" / page) if copy_of}
    text = (DOCS / "lessons" / page).read_text(encoding="utf-8")
    for name in LESSON_PAGES[page]:
        assert f"graphviz_grad/lessons/{REGISTRY[name].program}.py" in copies, f"{page} does not show {name}'s code"
        for diagram in docs_cmd.DIAGRAMS:
            if name in (diagram.example, diagram.plot):
                assert f"../{diagram.path}" in text, f"{page} does not show {diagram.path}"


def _step_code(program, tiny):
    """The lines with which a seed lesson's page runs one step of its program, as docs_cmd.run_program does."""
    import inspect

    sizes = "sizes=(2, 3, 4, 2)" if tiny else ""
    if program == "scalar":
        return ["globals().update(tutorial_scalar.main())"]
    if program in ("numpy", "tensor"):
        function = docs_cmd.numpy_step_on_tensors if program == "numpy" else docs_cmd.tensor_step_on_tapes
        lines = inspect.getsource(function).split('"""')[2].splitlines()  # after the docstring
        code = [line.strip().replace(", **options)", f", {sizes})" if sizes else ")") for line in lines]
        code = [line for line in code if line and not line.startswith(("import ", "from ", "return "))]
        if program == "numpy":
            code.insert(0, f'step = LESSONS["numpy"].first_step({sizes})')
        return code
    return [f'globals().update(LESSONS["{program}"].first_step({sizes}))']


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_lesson_shows_the_code_of_its_images_and_its_program(lesson):
    page = DOCS / "lessons" / lesson
    program, module = LESSONS[lesson]
    found = blocks(page)
    assert f"graphviz_grad/lessons/{module}.py" in {copy_of for _, _, _, copy_of in found}, (
        f"{lesson} does not show its program, graphviz_grad/lessons/{module}.py")
    codes = [[line.strip() for line in code.splitlines()] for language, code, _, copy_of in found
             if language == "python" and not copy_of]
    for tiny in (False, True) if program in docs_cmd.SIZED else (False,):
        step = _step_code(program, tiny)
        assert any(all(line in code for line in step) for code in codes), (
            f"{lesson} does not show the code its {'tiny ' if tiny else ''}images are drawn from: {step}")
    text = page.read_text(encoding="utf-8")
    for image in ("forward.svg", "backward.svg", "steps.html"):
        assert f"../images/{program}/{image}" in text, f"{lesson} does not show {image}"


def test_a_stale_loss_plot_or_heatmap_is_still_caught():
    plot = (IMAGES / "gpt" / "loss.svg").read_text(encoding="utf-8")
    steps = re.search(r"<!-- vizgrad train gpt: loss \S+ → \S+ in (\d+) steps -->", plot).group(1)
    first = re.search(r"<!-- vizgrad train gpt: loss (\S+) →", plot).group(1)
    assert compare_plot(plot, plot) is None
    assert compare_plot(plot, plot.replace(f"in {steps} steps", f"in {int(steps) + 100} steps"))
    assert compare_plot(plot, plot.replace(f"loss {first} →", f"loss {float(first) * 1.5:.4g} →"))
    assert compare_plot(plot, plot.replace("<!-- step -->", "<!-- epoch -->"))
    drawn = (IMAGES / "cifar-cnn" / "forward.svg").read_text(encoding="utf-8")
    uris = re.findall(r"data:image/png;base64,[A-Za-z0-9+/=]+", drawn)
    sizes = {uri: drawing_compare._pixels(uri).shape for uri in uris}
    first, other = uris[0], next(u for u in uris if sizes[u] != sizes[uris[0]])
    assert compare(drawn, drawn.replace(first, other, 1), ".svg") is not None  # a heatmap of another shape
    assert compare(drawn, drawn.replace(first, "", 1), ".svg") is not None  # or one missing
