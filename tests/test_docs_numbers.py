"""The numbers the docs narrate are the numbers their programs compute.

The random numbers follow PyTorch's CPU generator bit for bit, so a seeded
lesson draws exactly PyTorch's data and weights; when that generator (or a
lesson's program) changes, the prose must change with it. Two checks keep the
text from going stale silently:

(a) **Printed values.** In every Python block that tests/test_docs.py runs, a
    line ``print(...)  # EXPECTED`` whose comment reads like output (it starts
    with a number, a bracket, ``tensor(``, ``True``/``False``...) is run and
    what it prints is compared with the comment: the same sequence of numbers
    (within a relative 1e-3, or half a unit of the comment's last printed
    digit: float32 digits move across CPUs), booleans and ``<Name>`` tokens.
    ``# both X`` means every number printed is X; ``# a - b = X`` means X is
    what is printed; text after ``: `` is an explanation. A comment that starts
    with a plain word (``# zeros where ...``) is prose and is not compared.
(b) **Narrated values.** Key numbers of the lessons' prose (the loss at the
    bottom of a diagram, the values walked through in "The chain rule, with
    numbers") are recomputed from the program the page's images are drawn
    from (``docs_cmd.PROGRAMS``) and must be in the text.
"""
import json
import math
import os
import re
import subprocess
import sys

import pytest

from test_docs import ROOT, RUN_PAGES, _relative, blocks

PRINT_WITH_COMMENT = re.compile(r"^(?P<indent>[ \t]*)print\((?P<args>.*)\)[ \t]*#[ \t]?(?P<comment>.*)$")
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
TOKEN = re.compile(rf"(?<![\w.]){NUMBER}(?![\w])|\b(?:True|False|None)\b|<\w+>")
OUTPUT_LIKE = re.compile(rf"^(?:{NUMBER}|[\[({{'\"<]|tensor\(|Parameter\b|True\b|False\b|None\b)")
# what a tensor's repr adds that the docs' comments leave out
REPR_NOISE = re.compile(r"(?:,\s*)?\b(?:requires_grad=True|grad_fn=<\w+>|dtype=[\w.]+|device='[^']*')")

_RUNNER = """\
import json, sys
checked = []

def __expect__(line, comment, *args, sep=" ", **kwargs):
    text = sep.join(str(a) for a in args)
    print(text)
    checked.append((line, comment, text))

namespace = {"__name__": "__main__", "__expect__": __expect__}
for code, where in json.load(open(sys.argv[1], encoding="utf-8")):
    exec(compile(code, where, "exec"), namespace)
json.dump(checked, open(sys.argv[2], "w", encoding="utf-8"))
"""


def expectation(comment):
    """``(kind, tokens)`` a comment promises, or None for prose: kind is "each" for ``# both X``, else "all"."""
    comment = comment.strip()
    kind = "all"
    if comment.startswith("both "):
        kind, comment = "each", comment[len("both "):]
    elif " = " in comment:
        comment = comment.rsplit(" = ", 1)[1]
    if not OUTPUT_LIKE.match(comment):
        return None
    comment = re.split(r":\s", comment, maxsplit=1)[0] if not comment.startswith(("{", "Parameter")) else comment
    return kind, TOKEN.findall(comment)


def tokens_of_output(text, expected):
    """The value tokens of what was printed, without the repr noise the comments leave out."""
    found = TOKEN.findall(REPR_NOISE.sub("", text))
    if not any(t.startswith("<") for t in expected):
        found = [t for t in found if not t.startswith("<")]
    return found


def same(expected, got):
    """One token of a comment against one printed token: numbers within the comment's precision."""
    if expected in ("True", "False", "None") or expected.startswith("<"):
        return expected == got
    if got in ("True", "False", "None") or got.startswith("<"):
        return False
    # each side is rounded to the digits it prints: half a unit of the last digit of either is no difference
    tolerance = max(half_unit(expected), half_unit(got)) * 1.0001
    return math.isclose(float(got), float(expected), rel_tol=1e-3, abs_tol=tolerance)


def half_unit(number):
    """Half a unit of the last digit ``number`` is written with: ``0.0177`` -> 5e-05, ``2.943e+07`` -> 5e+03."""
    mantissa, _, exponent = number.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def mismatch(comment, text):
    """Why ``text`` (what a print printed) is not what ``comment`` says, or "" when it is."""
    kind, expected = expectation(comment)
    got = tokens_of_output(text, expected)
    if kind == "each":
        ok = bool(got) and all(same(expected[0], g) for g in got)
    else:
        ok = len(got) == len(expected) and all(same(e, g) for e, g in zip(expected, got))
    return "" if ok else f"the comment says {comment!r}, the line printed {text!r}"


def checked_pages():
    pages = []
    for page in RUN_PAGES:
        for language, code, _, copy_of in blocks(page):
            if language == "python" and not copy_of and any(
                    (m := PRINT_WITH_COMMENT.match(line)) and expectation(m["comment"]) for line in code.splitlines()):
                pages.append(page)
                break
    return pages


def instrumented(code, first_line):
    """The block with each checkable ``print(...)  # expected`` turned into a call that keeps what it printed."""
    lines = []
    for number, line in enumerate(code.splitlines(), first_line):
        m = PRINT_WITH_COMMENT.match(line)
        if m and expectation(m["comment"]):
            line = f"{m['indent']}__expect__({number}, {m['comment']!r}, {m['args']})"
        lines.append(line)
    return "\n".join(lines) + "\n"


# --- the checker itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("comment, printed, ok", [
    ("True True", "True True", True),
    ("True: the old gradient is still in there", "True", True),
    ("True", "False", False),
    ("False <SubBackward0>", "False <SubBackward0 object at 0x7f>", False),
    ("False <SubBackward0>", "False <SubBackward0>", True),
    ("tensor(2.) tensor(1.) tensor(1.)", "tensor(2.) tensor(1.) tensor(1.)", True),
    ("tensor([0.442, -1.653])", "tensor([ 0.4420, -1.6533])", True),
    ("tensor([0.442, -1.653])", "tensor([ 0.4420, -1.6633])", False),
    ("tensor([0.442, -1.653])", "tensor([ 0.4420, -1.6533, 0.0])", False),
    ("3 uses", "3", True),
    ("25, then 20, 10, 10", "tensor(25., grad_fn=<AddBackward0>) tensor(20.) tensor(10.) tensor(10.)", True),
    ("both -13.47", "tensor([[-13.4716]]) tensor(-13.4716)", True),
    ("both -13.47", "tensor([[-13.4716]]) tensor(-12.4716)", False),
    ("0.2739 - 0.001 · (-13.47) = 0.2874", "Parameter containing:\ntensor([[0.2874]], requires_grad=True)", True),
    ("[[ 10.2    -3.942]  [ 23.72  -18.413]]", "[[ 10.2    -3.942]\n [ 23.72  -18.413]]", True),
    ("2.943e+07", "29428664.0", True),
    ("2.943e+07", "31520000.0", False),
    ("-0.007487 - 0.001 · (-25.20) = 0.01772", "Parameter containing:\ntensor([[0.0177]], requires_grad=True)", True),
    ("0.01772", "tensor([[0.0187]])", False),
    ("True", "1.0", False),
    ("1", "True", False),
])
def test_the_checker_compares_numbers_not_bytes(comment, printed, ok):
    assert expectation(comment) is not None
    assert (mismatch(comment, printed) == "") is ok


def test_prose_comments_are_not_compared():
    for comment in ("ones where t >= 0, zeros where t < 0", "number of parameters in total", "zeros",
                    "moves by -1e-4 where the gradient is positive", "digraph G {"):
        assert expectation(comment) is None


# --- (a) the printed values ------------------------------------------------------------------------


@pytest.mark.parametrize("page", checked_pages(), ids=_relative)
def test_printed_values_match_their_comments(page, tmp_path):
    runnable, expected = [], 0
    for language, code, line, copy_of in blocks(page):
        if language == "python" and not copy_of:
            runnable.append((instrumented(code, line), f"{_relative(page)}, block at line {line}"))
            expected += instrumented(code, line).count("__expect__(")
    (tmp_path / "blocks.json").write_text(json.dumps(runnable), encoding="utf-8")
    (tmp_path / "run.py").write_text(_RUNNER, encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "run.py", "blocks.json", "checked.json"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"a Python block of {_relative(page)} failed:\n{result.stderr[-4000:]}"
    checked = json.loads((tmp_path / "checked.json").read_text(encoding="utf-8"))
    assert len(checked) == expected, f"{_relative(page)}: {expected - len(checked)} checked print(s) did not run"
    wrong = [f"{_relative(page)}:{line}: {why}" for line, comment, text in checked
             if (why := mismatch(comment, text))]
    assert not wrong, "\n".join(wrong)


# --- (b) the narrated values -----------------------------------------------------------------------

LESSONS_DIR = ROOT / "docs" / "lessons"
COUNTS = {"no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


@pytest.fixture(scope="module")
def program():
    """``docs_cmd.run_program``, each lesson program run once (they are seeded: the images' very numbers)."""
    from graphviz_grad.cli import docs_cmd

    runs = {}

    def run(name, tiny=False):
        if (name, tiny) not in runs:
            runs[name, tiny] = docs_cmd.run_program(name, tiny=tiny)
        return runs[name, tiny]
    return run


def narrated(page, pattern):
    """The text the first group of ``pattern`` matches in lesson ``page`` (one match, or the prose changed)."""
    text = re.sub(r"\s+", " ", (LESSONS_DIR / page).read_text(encoding="utf-8"))
    found = re.findall(pattern, text)
    assert len(found) == 1, f"{page}: {len(found)} matches of {pattern!r}; update this test with the prose"
    return found[0]


def assert_narrates(page, pattern, values):
    """The numbers the prose writes where ``pattern`` matches are ``values`` (to the digits the prose prints)."""
    import numpy as np

    written = re.findall(NUMBER, narrated(page, pattern))
    values = np.asarray(values.detach().numpy() if hasattr(values, "detach") else values, dtype=float).ravel()
    assert len(written) == len(values), f"{page}: the prose writes {written}, the program computes {values}"
    for text, value in zip(written, values):
        assert same(text, repr(float(value))), f"{page}: the prose writes {text}, the program computes {value}"


def test_the_tutorial_losses_are_narrated(program):
    loss = program("autograd")["loss"]
    assert_narrates("03-autograd.md", r"The loss at the bottom, ([-+.\de]+), is", loss)


def test_the_tiny_networks_are_narrated(program):
    tiny = program("autograd", tiny=True)
    x, y, w1, w2 = (tiny[k].detach() for k in ("x", "y", "w1", "w2"))
    h = x.mm(w1)
    t7 = h.clamp(min=0).mm(w2) - y
    assert_narrates("02-tensor.md", r"`t2 = y_pred - y` is `([^`]*)`", t7)
    assert_narrates("02-tensor.md", r"`grad_y_pred = 2.0 \* t2` is `([^`]*)`", 2 * t7)
    assert_narrates("03-autograd.md", r"With `t7 = ([^`]*)`", t7)
    assert_narrates("03-autograd.md", r"With `t7 = [^`]*` that is `([^`]*)`", 2 * t7)
    negative = int((h < 0).sum())
    assert COUNTS[narrated("03-autograd.md", r"`t2` has (\w+) negative entries")] == negative
    assert_narrates("03-autograd.md", r"`t2` has \w+ negative entries, .*?\(([^)]*)\)", h[h < 0])
    assert_narrates("04-custom-function.md", r"its input `t2` is `([^`]*)`", h)
    assert COUNTS[narrated("04-custom-function.md", r"its input `t2` is `[^`]*`: (\w+) negative entries")] == negative
    grad_h_relu = (2 * t7).mm(w2.t())  # the chain rule of lesson 2, by hand: what reaches MyReLU's output
    assert_narrates("04-custom-function.md", r"its output `t3` received the gradient `([^`]*)`", grad_h_relu)
    grad_h = grad_h_relu * (h >= 0)
    assert_narrates("04-custom-function.md", r"so `t2`'s gradient is `([^`]*)`", grad_h)


def test_the_layers_are_narrated(program):
    for page, name in (("05-nn.md", "nn"), ("07-module.md", "module")):
        tiny = program(name, tiny=True)
        y_pred, y = tiny["y_pred"].detach(), tiny["y"]
        if page == "05-nn.md":
            assert_narrates(page, r"With `y_pred = ([^`]*)`", y_pred)
            assert_narrates(page, r"and `y = ([^`]*)` that is", y)
            assert_narrates(page, r"and `y = [^`]*` that is `([^`]*)`", 2 * (y_pred - y))
            assert_narrates(page, r"`y_pred.grad`: `[^`]* = ([^`]*)`", (2 * (y_pred - y)).sum(0))
        else:
            assert_narrates(page, r"`y_pred.grad = 2 · \(y_pred - y\) = ([^`]*)`", 2 * (y_pred - y))
            assert_narrates(page, r"is its column sums, `([^`]*)`", (2 * (y_pred - y)).sum(0))
    weight_grad = program("optim", tiny=True)["model"][0].weight.grad
    zero_rows = int((weight_grad == 0).all(1).sum())
    assert COUNTS[narrated("06-optim.md", r"The first layer of the tiny network has (\w+) such rows?")] == zero_rows


def test_the_linear_regression_is_narrated(program):
    run = program("linear-regression")
    model, outputs, targets = run["model"], run["outputs"].detach(), run["targets"]
    assert_narrates("10-linear-regression.md", r"The model box holds `weight` \(([^)]*)\)", model.weight)
    assert_narrates("10-linear-regression.md", r"and `bias` \(([^)]*)\), the random", model.bias)
    assert_narrates("10-linear-regression.md", r"and the loss, ([\d.]+), is the first point", run["loss"])
    assert_narrates("10-linear-regression.md", r"The first point predicted ([\d.]+) for", outputs[0])
    assert_narrates("10-linear-regression.md", r"`2 · \([^`]*\) / 15 = ([-\d.]+)`", 2 * (outputs[0] - targets[0]) / 15)
