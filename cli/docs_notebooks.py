"""The docs lessons as Jupyter notebooks: ``docs/notebooks/NN-name.ipynb``, written from ``docs/lessons/NN-name.md``.

``vizgrad docs docs/`` calls :func:`write_notebooks` after drawing the images,
so a notebook is never a hand-kept copy: it is its lesson page, turned into
cells. The page's prose becomes Markdown cells (a cell per section); each of
its Python blocks becomes a code cell, and a block marked ``<!-- copy of
PATH -->`` is read from ``PATH`` itself, the program's one source (a lesson
module loses only its ``if __name__ == "__main__": main()`` lines, replaced by
a visible cell that calls ``main``). Where the page shows one of the images
of ``vizgrad docs`` (its ``DIAGRAMS``, passed in), the
notebook draws it live, with what drew the image: ``vg.viz.show`` (with
``stepper=True`` where the page links the stepper) on the tensor or tape left
by the page's own code, and ``vg.viz.plot_losses`` for the loss per step. A
drawing whose code comes later on the page (the stepper of the tiny copy)
follows that code. Other images stay Markdown images; links to other lessons
point to their notebooks.

Two cells come first. **Parameters** (tagged ``parameters``, as papermill
expects): ``MAX_STEPS = None`` trains every program for its lesson's own
steps, as on the page; a number caps them, which is how the tests run the long
lessons in seconds. **Setup**: imports, and a scratch folder as the working
folder for the files the page's code writes.

The notebooks are written without outputs, with fixed cell ids and nbformat's
layout (sorted keys, one-space indent), so the same pages give the same bytes.

>>> import json, tempfile
>>> root = Path(tempfile.mkdtemp()); (root / "docs" / "lessons").mkdir(parents=True)
>>> page = root / "docs" / "lessons" / "01-one.md"
>>> _ = page.write_text("# One\\n\\nProse.\\n\\n## Code\\n\\n```python\\ny = 1 + 1\\n```\\n\\n[Next](02-two.md)\\n")
>>> _ = page.with_name("02-two.md").write_text("# Two\\n")
>>> for cell in json.loads(lesson_notebook(page, root, diagrams=()))["cells"]:
...     print(cell["cell_type"], "|", cell["source"][0].rstrip()[:40])
markdown | # One
markdown | *This notebook is the lesson page `docs/
code | # Parameters (papermill-style: a tool ma
code | import os
markdown | ## Code
code | y = 1 + 1
markdown | [Next](02-two.ipynb)
"""
import json
import re
from pathlib import Path

FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*\n?", re.S | re.M)
COPY_MARK = re.compile(r"<!-- copy of ([\w./-]+\.py)\b.*-->")
COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
IMAGE = re.compile(r"^!\[([^\]]*)\]\(\.\./(images/[^)\s]+)\)$")
STEPPER_LINK = re.compile(r"\[([^\]]*)\]\(\.\./(images/[\w-]+/steps\.html)\)")
LESSON_LINK = re.compile(r"\]\((\d\d-[\w-]+)\.md(?:#[^)\s]*)?\)")
MAIN_GUARD = '\n\nif __name__ == "__main__":\n    main()\n'

PARAMETERS = """\
# Parameters (papermill-style: a tool may set them in a cell inserted right after this one)
MAX_STEPS = None  # None: every program trains for its lesson's own number of steps, as on the page; a number caps it"""

SETUP = """\
import os
import tempfile

import graphviz_grad as vg
from graphviz_grad.lessons import LESSONS

# The files this lesson's code writes (pictures, pages, checkpoints) go to a scratch folder, not beside the notebook
os.chdir(tempfile.mkdtemp(prefix="vizgrad-lesson-"))"""

RUN_MAIN = """\
# Run it as `python -m {module}` does, keeping each step's loss for the plot:
# for its STEPS steps, or MAX_STEPS (the parameters cell) when that is set and fewer
losses = []
variables = main(steps=STEPS if MAX_STEPS is None else min(STEPS, MAX_STEPS),
                 on_step=lambda step, loss: losses.append(loss))"""


def write_notebooks(docs_dir, diagrams, tiny_sizes=None):
    """Write ``notebooks/NN-name.ipynb`` under ``docs_dir`` for each ``lessons/NN-name.md`` there; the paths written.

    ``diagrams``: the images ``vizgrad docs`` draws (its ``DIAGRAMS``), which the notebooks draw live;
    ``tiny_sizes``: the sizes of the tiny copies among them (its ``TINY_SIZES``).

    Nothing is written when ``docs_dir`` has no lessons (``vizgrad docs`` into an empty folder draws only the
    images). The pages' copy marks name files relative to ``docs_dir``'s parent, the repository root.
    """
    docs_dir = Path(docs_dir)
    written = []
    for page in sorted((docs_dir / "lessons").glob("*.md")):
        path = docs_dir / "notebooks" / f"{page.stem}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(lesson_notebook(page, docs_dir.resolve().parent, diagrams, tiny_sizes), encoding="utf-8")
        written.append(path)
    return written


def lesson_notebook(page, root, diagrams, tiny_sizes=None):
    """The notebook of lesson page ``page`` (a Path), as the text of an ``.ipynb`` file; ``root``: the repository;
    ``diagrams`` and ``tiny_sizes`` as :func:`write_notebooks`'s."""
    return _Builder(Path(page), Path(root), diagrams, tiny_sizes).notebook()


class _Builder:
    """Walks one page, block by block, appending cells; a drawing whose code comes later waits for that block."""

    def __init__(self, page, root, diagrams, tiny_sizes):
        self.page, self.root = page, root
        self.diagrams = {d.path: d for d in diagrams}
        self.tiny_sizes = tiny_sizes
        self.text = page.read_text(encoding="utf-8")
        self.blocks = _blocks(self.text)
        self.lessons = {p.stem for p in page.parent.glob("*.md")}
        self.cells, self.markdown, self.waiting = [], [], {}
        self.position = 0  # the index of the next block: the blocks before it have their cells
        self.ran = None  # the lesson whose `main` the last run cell called (the `losses` of the notebook)

    def notebook(self):
        start = 0
        for self.position, (begin, end, language, code, copy_of) in enumerate(self.blocks):
            self._prose(self.text[start:begin])
            if language == "python":
                self._code_block(code, copy_of)
            else:
                self.markdown.append(self.text[begin:end].rstrip("\n"))
            for cell in self.waiting.pop(self.position, []):
                self._cell("code", cell)
            start = end
        self.position = len(self.blocks)
        self._prose(self.text[start:])
        self._flush()
        first = 1 if self.cells and self.cells[0][0] == "markdown" else 0  # after the title and introduction
        self.cells[first:first] = [("markdown", _intro(self.page)), ("code", PARAMETERS), ("code", SETUP)]
        return _dumps(self.cells)

    # --- prose -----------------------------------------------------------------------------------------

    def _prose(self, text):
        own = f"../notebooks/{self.page.stem}.ipynb"
        for paragraph in re.split(r"\n[ \t]*\n", COMMENT.sub("", text)):
            paragraph = paragraph.strip("\n")
            if not paragraph.strip() or own in paragraph:
                continue  # the page's link to this notebook
            if paragraph.startswith("#"):
                self._flush()  # a cell per section
            image = IMAGE.match(paragraph.strip())
            drawing = image and self._drawing(image.group(2), image.group(1))
            if drawing:
                self._flush()
                self._place(*drawing)
                continue
            self.markdown.append(LESSON_LINK.sub(self._lesson_link, paragraph))
            steppers = [self._drawing(path, _stepper_caption(label)) for label, path in STEPPER_LINK.findall(paragraph)]
            if any(steppers):
                self._flush()
                for stepper in filter(None, steppers):
                    self._place(*stepper)

    def _lesson_link(self, match):
        name = match.group(1)
        return f"]({name}.ipynb)" if name in self.lessons else match.group(0)

    def _flush(self):
        if self.markdown:
            self._cell("markdown", "\n\n".join(self.markdown))
            self.markdown = []

    # --- code ------------------------------------------------------------------------------------------

    def _code_block(self, code, copy_of):
        self._flush()
        if not copy_of:
            self._cell("code", code.rstrip("\n"))
            return
        source = (self.root / copy_of).read_text(encoding="utf-8")
        if source.endswith(MAIN_GUARD) and re.search(r"^STEPS = ", source, re.M):
            module = copy_of.removesuffix(".py").replace("/", ".")
            self._cell("code", source[:-len(MAIN_GUARD)])
            self._cell("code", RUN_MAIN.format(module=module))
            self.ran = _lesson_of(module)
        else:
            self._cell("code", source.rstrip("\n"))

    def _drawing(self, path, caption):
        """``(cell source, index of the block it needs)`` for the image ``path`` of ``vizgrad docs``, or None."""
        diagram = self.diagrams.get(path)
        if diagram is None or not path.endswith((".svg", ".html")):
            return None  # not drawn from a lesson's code: the image stays
        comment = f"# {caption.rstrip('.')} (the page's {path}, drawn live)"
        if diagram.plot:
            if diagram.plot == self.ran:
                return f'{comment}\nvg.viz.plot_losses("{diagram.plot}", losses)', -1
            return (f"{comment}: the run of `vizgrad train {diagram.plot} --plot loss.svg`\n"
                    f'result = LESSONS["{diagram.plot}"].run(steps=MAX_STEPS)\n'
                    f'vg.viz.plot_losses("{diagram.plot}", result.losses, result)'), -1
        shown, needs, before = self._shown(diagram)
        options = "".join(f", {key}={value!r}" for key, value in diagram.options)
        if path.endswith(".html"):
            options += ", stepper=True"
            comment += "\n# prev/next, or the arrow keys, walk through it one operation at a time"
        elif not diagram.backward:
            options += ", backward=False"
        return f"{comment}\n{before}vg.viz.show({shown}{options})", needs

    def _shown(self, diagram):
        """``(expression drawn, index of the block that makes it, code to run first)`` for a diagram's tensor."""
        if diagram.program:
            needs = next((i for i, b in enumerate(self.blocks) if _runs_step(b, diagram, self.tiny_sizes)), None)
            if needs is None:
                raise ValueError(f"{self.page.name} shows {diagram.path} but not the code that draws it")
            return diagram.draws, needs, ""
        call = re.compile(rf'^(\w+) = LESSONS\["{re.escape(diagram.example)}"\]\.run\(steps={diagram.steps}\)', re.M)
        for index, block in enumerate(self.blocks):
            found = call.search(block[3])
            if found:
                name = found.group(1)
                break
        else:  # the page does not run it: the cell does
            index, name = -1, diagram.example.replace("-", "_")
        before = "" if index >= 0 else f'{name} = LESSONS["{diagram.example}"].run(steps={diagram.steps})\n'
        shown = f"{name}.loss" if diagram.draws == "loss" else f'{name}.variables["{diagram.draws}"]'
        return shown, index, before

    def _place(self, cell, needs):
        """Append a drawing now, or after block ``needs`` when that block's cell is still to come."""
        if needs >= self.position:
            self.waiting.setdefault(needs, []).append(cell)
        else:
            self._cell("code", cell)

    def _cell(self, kind, source):
        self.cells.append((kind, source))


def _runs_step(block, diagram, tiny_sizes):
    """Whether a page's block runs the step of ``diagram.program`` that the picture draws (the tiny copy
    is the block that passes the tiny sizes): ``LESSONS[name].first_step(...)`` or the lesson module's main."""
    from graphviz_grad.lessons import LESSONS

    code = block[3]
    lesson = LESSONS.get(diagram.program)
    module = lesson.program if lesson else "tutorial_" + diagram.program.replace("-", "_")  # (scalar: no training)
    named = f'LESSONS["{diagram.program}"]' in code or re.search(rf"\b{module}\.main\(", code)
    return not block[4] and bool(named) and (f"sizes={tiny_sizes}" in code) == diagram.tiny


def _blocks(text):
    """``(start, end, language, code, copy_of)`` for each fenced block of a page, in order."""
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = COPY_MARK.fullmatch(before.strip())
        found.append((match.start(), match.end(), match.group(1), match.group(2), mark.group(1) if mark else None))
    return found


def _lesson_of(module):
    """The name (in ``graphviz_grad.lessons.LESSONS``) of the lesson whose module is ``module``, or None."""
    from graphviz_grad.lessons import LESSONS

    return next((name for name, lesson in LESSONS.items() if getattr(lesson, "module", None) == module), None)


def _stepper_caption(label):
    """``The stepper``, or ``The stepper of NAME`` on a page of several (the link's text is the lesson's name)."""
    label = label.strip("*")
    of = "" if "stepper" in label.lower() else f" of {label}"
    return f"The stepper{of}"


def _intro(page):
    return (f"*This notebook is the lesson page `docs/lessons/{page.name}`, written as cells by `vizgrad docs docs/` "
            "(edit the page, not the notebook). Run the cells from top to bottom: the page's pictures are drawn "
            "live, by `vg.viz.show` and `vg.viz.plot_losses`. The next cell caps the training steps; the one after "
            "it imports graphviz_grad and moves to a scratch folder for the files the code writes.*")


def _dumps(cells):
    """The notebook's text in nbformat's layout: no outputs, ids ``cell-NNN``, the ``parameters`` cell tagged."""
    notebook = {
        "cells": [_cell_json(index, kind, source) for index, (kind, source) in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _cell_json(index, kind, source):
    cell = {"cell_type": kind, "id": f"cell-{index:03d}", "metadata": {}, "source": source.splitlines(keepends=True)}
    if source == PARAMETERS:
        cell["metadata"] = {"tags": ["parameters"]}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell
