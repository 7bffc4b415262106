"""The ``vizgrad`` command line end to end (SPEC §4), in two ways:

- in-process through ``typer.testing.CliRunner`` on ``graphviz_grad.cli.app.get_app()``
  (fast; most options are checked this way), and
- through a real subprocess of the installed ``vizgrad`` script (the script
  next to this interpreter, else ``vizgrad`` on PATH, else ``python -m
  graphviz_grad.cli``): exit statuses, one-line errors, no traceback, no
  stray files, Ctrl-C.

Every test runs in its own temporary folder, so nothing is written into the
repository. Timing is never asserted; subprocess timeouts only catch hangs.
"""
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import graphviz_grad as vg
from graphviz_grad.cli import app as cli_app
from graphviz_grad.lessons import LESSONS

EXAMPLE_NAMES = ["numpy", "tensor", "autograd", "custom-function", "nn", "optim", "module", "dynamic",
                 "linear-regression"]
TIMEOUT = 120  # seconds: only to catch a hang, never a timing check
HOSTILE_TIMEOUT = 30

# Libraries may print these on stderr by themselves (a fontconfig that does not know a system
# config file, ...): they are not vizgrad's output.
NOISE = re.compile(r"^(Fontconfig (warning|error)|\(process:\d+\): )")


def _script():
    """The installed entry point: the script next to this interpreter (no pyenv/venv shim in between)."""
    here = Path(sys.executable).parent / "vizgrad"
    if here.is_file() and os.access(here, os.X_OK):
        return [str(here)]
    found = shutil.which("vizgrad")
    if found:
        return [found]
    return [sys.executable, "-m", "graphviz_grad.cli"]


VIZGRAD = _script()
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
ENV.pop("FORCE_COLOR", None)


@pytest.fixture(scope="module", autouse=True)
def _bytecode_cache(tmp_path_factory):
    """Subprocesses keep their compiled bytecode in a temporary folder, never in the repository.

    (Where PYTHONDONTWRITEBYTECODE is set, every subprocess would otherwise compile the
    package again: a good part of each run.)
    """
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = str(tmp_path_factory.mktemp("pycache"))


def vizgrad(*args, cwd, timeout=TIMEOUT, command=None):
    """Run the real ``vizgrad ARGS`` in ``cwd``; returns the CompletedProcess (text)."""
    return subprocess.run([*(command or VIZGRAD), *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def err_lines(text):
    """The lines of stderr that vizgrad wrote (library noise left out)."""
    return [line for line in text.splitlines() if line.strip() and not NOISE.match(line)]


def files_in(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """``cli(*args)`` runs the typer app in-process, in an empty temporary folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli_app.get_app(), list(args))

    return invoke


# --- file type checks -------------------------------------------------------------------------


def assert_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg"), f"{path}: root element {root.tag}"
    return root


def assert_png(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    from PIL import Image

    with Image.open(path) as img:
        assert img.format == "PNG" and img.size[0] > 50 and img.size[1] > 50


def assert_gif(path, animated=False):
    assert Path(path).read_bytes()[:6] in (b"GIF87a", b"GIF89a"), f"{path} is not a GIF"
    from PIL import Image

    with Image.open(path) as img:
        assert img.format == "GIF"
        if animated:
            assert getattr(img, "n_frames", 1) > 1, f"{path} has one frame only"


def table_rows(stdout):
    """``{input: (value, grad)}`` from the rich table printed by ``render``."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and line.startswith(" ") and re.fullmatch(r"[A-Za-z]\w*", parts[0]) \
                and parts[0] != "input":
            rows[parts[0]] = (parts[1], parts[2])
    return rows


def loss_summary(stdout, example):
    """(steps, first loss, last loss) from the line ``EXAMPLE: N steps, loss A -> B``."""
    m = re.search(rf"^{re.escape(example)}: (\d+) steps, loss (\S+) -> (\S+)$", stdout, re.M)
    assert m, f"no summary line in {stdout!r}"
    return int(m.group(1)), float(m.group(2)), float(m.group(3))


# --- render: the example of the spec ---------------------------------------------------------


def check_basic_render(stdout, folder):
    assert re.search(r"^y = 5$", stdout, re.M), stdout
    assert table_rows(stdout) == {"w": ("2", "1"), "x": ("1", "2"), "b": ("3", "1")}
    assert "∂y/∂input" in stdout
    assert "wrote y.svg" in stdout
    assert files_in(folder) == ["y.svg"]
    assert_svg(Path(folder) / "y.svg")


def test_render_spec_example_subprocess(tmp_path):
    proc = vizgrad("render", "y=w*x+b", "x=1", "w=2", "b=3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    check_basic_render(proc.stdout, tmp_path)
    assert err_lines(proc.stderr) == []
    assert "Traceback" not in proc.stderr


def test_render_spec_example_clirunner(cli, tmp_path):
    result = cli("render", "y=w*x+b", "x=1", "w=2", "b=3")
    assert result.exit_code == 0, result.stderr
    check_basic_render(result.stdout, tmp_path)


def test_python_dash_m_runs_the_same_cli(tmp_path):
    proc = vizgrad("render", "y = w*x + b", "x=1", "w=2", "b=3", cwd=tmp_path,
                   command=[sys.executable, "-m", "graphviz_grad.cli"])
    assert proc.returncode == 0, proc.stderr
    check_basic_render(proc.stdout, tmp_path)


def test_render_values_and_gradients(cli):
    result = cli("render", "h = w*x; y = relu(h) + b", "x=[1,2]", "w=[3,-1]", "b=0.5")
    assert result.exit_code == 0, result.stderr
    # y = relu([3, -2]) + 0.5 = [3.5, 0.5]; not a scalar, so backward starts from sum(y)
    assert "y = [3.5, 0.5]" in result.stdout
    assert "backward starts from sum(y)" in result.stdout
    assert "∂sum(y)/∂input" in result.stdout
    rows = re.findall(r"^ (\w+)\s+(\[[^\]]*\]|\S+)\s+(\[[^\]]*\]|\S+)\s*$", result.stdout, re.M)
    assert dict((n, (v, g)) for n, v, g in rows if n != "input") == {
        "x": ("[1, 2]", "[3, 0]"), "w": ("[3, -1]", "[1, 0]"), "b": ("0.5", "2")}


# --- render options ---------------------------------------------------------------------------


@pytest.mark.parametrize("args, path, check", [
    (["-o", "out.png"], "out.png", assert_png),
    (["--output", "graph.svg"], "graph.svg", assert_svg),
    (["--format", "png"], "y.png", assert_png),
    (["--format", "pdf"], "y.pdf", lambda p: Path(p).read_bytes().startswith(b"%PDF")),
    (["-f", "dot"], "y.dot", lambda p: Path(p).read_text().lstrip().startswith("digraph")),
    (["-f", "json"], "y.json", lambda p: json.loads(Path(p).read_text())),
    (["-f", "html"], "y.html", lambda p: "<html" in Path(p).read_text().lower()),
    (["-f", "gif"], "y.gif", assert_gif),
    (["-o", "sub/dir/g", "--format", "png"], "sub/dir/g.png", assert_png),
])
def test_render_output_and_format(cli, tmp_path, args, path, check):
    result = cli("render", "y=w*x+b", "x=1", "w=2", "b=3", *args)
    assert result.exit_code == 0, result.stderr
    assert f"wrote {path}" in result.stdout
    written = tmp_path / path
    assert written.is_file()
    assert check(written) is not False
    assert [f for f in files_in(tmp_path) if Path(tmp_path, f).is_file()] == [path]


def test_render_steps_html_gif(cli, tmp_path):
    result = cli("render", "y=w*x+b", "x=1", "w=2", "b=3", "--steps", "frames", "--html", "page.html",
                 "--gif", "anim.gif")
    assert result.exit_code == 0, result.stderr
    frames = sorted((tmp_path / "frames").iterdir())
    assert len(frames) >= 4  # two forward ops and the backward steps
    for frame in frames:
        assert_svg(frame)
    page = (tmp_path / "page.html").read_text()
    assert "<html" in page.lower() and "<svg" in page
    assert_gif(tmp_path / "anim.gif", animated=True)
    assert_svg(tmp_path / "y.svg")
    for name in ("y.svg", "frames", "page.html", "anim.gif"):
        assert f"wrote {name}" in result.stdout


def node_count(dot_text):
    return len(re.findall(r"^\s*\w+ \[label=", dot_text, re.M))


def test_render_level(cli, tmp_path):
    expr = ("y=relu(W@x)", "W=[[1,2],[3,4]]", "x=[1,-1]")
    counts = {}
    for level in ("module", "tensor", "scalar"):
        result = cli("render", *expr, "--level", level, "-o", f"{level}.dot")
        assert result.exit_code == 0, result.stderr
        counts[level] = node_count((tmp_path / f"{level}.dot").read_text())
    assert counts["scalar"] > counts["tensor"] >= counts["module"] > 0
    assert cli("render", *expr, "--level", "atoms").exit_code == 2


def test_render_level_scalar_refusal_names_cli_options(cli, tmp_path):
    w = "w=[" + ",".join(str(i) for i in range(17)) + "]"
    result = cli("render", "y=sum(w*x)", w, "x=2", "--level", "scalar", "-o", "y.svg")
    assert result.exit_code == 1
    assert "w has 17: use --level tensor" in result.stderr
    assert "small=" not in result.stderr  # the Python argument, which the CLI does not have
    assert not (tmp_path / "y.svg").exists()


def test_render_no_backward(cli, tmp_path):
    result = cli("render", "y=w*x+b", "x=1", "w=2", "b=3", "--no-backward", "-o", "fwd.dot")
    assert result.exit_code == 0, result.stderr
    assert "y = 5" in result.stdout
    assert table_rows(result.stdout) == {"w": ("2", "-"), "x": ("1", "-"), "b": ("3", "-")}
    forward = (tmp_path / "fwd.dot").read_text()
    assert cli("render", "y=w*x+b", "x=1", "w=2", "b=3", "-o", "both.dot").exit_code == 0
    both = (tmp_path / "both.dot").read_text()
    assert "dir=back" in both and ">grad " in both  # gradient edges and values
    assert "dir=back" not in forward and ">grad " not in forward


@pytest.mark.parametrize("rankdir", ["LR", "BT", "RL", "TB"])
def test_render_rankdir(cli, tmp_path, rankdir):
    result = cli("render", "y=w*x+b", "x=1", "w=2", "b=3", "--rankdir", rankdir, "-o", "g.dot")
    assert result.exit_code == 0, result.stderr
    assert re.search(rf"\brankdir={rankdir}\b", (tmp_path / "g.dot").read_text())


def test_render_rankdir_refuses_others(cli):
    result = cli("render", "y=w*x+b", "--rankdir", "diagonal")
    assert result.exit_code == 2
    assert "--rankdir" in result.stderr


def test_unset_variables_are_seeded_random_scalars(cli):
    first = cli("render", "y=w*x+b")
    assert first.exit_code == 0, first.stderr
    assert "not given, so random (seed 0): w, x, b" in first.stdout
    rows = table_rows(first.stdout)
    assert set(rows) == {"w", "x", "b"}
    w, x, b = (float(rows[n][0]) for n in "wxb")
    y = float(re.search(r"^y = (\S+)$", first.stdout, re.M).group(1))
    assert y == pytest.approx(w * x + b, abs=2e-3)  # printed with 4 significant digits
    assert float(rows["w"][1]) == pytest.approx(x, abs=1e-3)  # dy/dw = x
    assert float(rows["x"][1]) == pytest.approx(w, abs=1e-3)
    assert float(rows["b"][1]) == 1.0

    again = cli("render", "y=w*x+b", "--seed", "0", "-o", "again.svg")
    assert table_rows(again.stdout) == rows  # seeded: the same values
    other = cli("render", "y=w*x+b", "--seed", "7", "-o", "other.svg")
    assert "random (seed 7)" in other.stdout
    assert table_rows(other.stdout) != rows

    partly = cli("render", "y=w*x+b", "x=1", "b=0", "-o", "partly.svg")
    assert "not given, so random (seed 0): w;" in partly.stdout
    assert table_rows(partly.stdout)["x"][0] == "1"


def test_seed_also_drives_randn(cli):
    a = cli("render", "y=sum(W@x)", "W=randn(2,3)", "x=[1,2,3]", "--seed", "1")
    b = cli("render", "y=sum(W@x)", "W=randn(2,3)", "x=[1,2,3]", "--seed", "1")
    c = cli("render", "y=sum(W@x)", "W=randn(2,3)", "x=[1,2,3]", "--seed", "2")
    assert a.exit_code == b.exit_code == c.exit_code == 0
    assert a.stdout == b.stdout != c.stdout


def test_render_all_options_through_the_script(tmp_path):
    proc = vizgrad("render", "y = relu(w*x) + b", "x=2", "w=-1.5", "-o", "out/diagram.svg",
                   "--steps", "frames", "--html", "steps.html", "--gif", "steps.gif", "--level", "scalar",
                   "--rankdir", "LR", "--seed", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "not given, so random (seed 3): b" in proc.stdout
    assert_svg(tmp_path / "out" / "diagram.svg")
    assert all(assert_svg(f) is not None for f in (tmp_path / "frames").iterdir())
    assert "<svg" in (tmp_path / "steps.html").read_text()
    assert_gif(tmp_path / "steps.gif", animated=True)
    assert not (tmp_path / "y.svg").exists()


def test_render_no_backward_through_the_script(tmp_path):
    proc = vizgrad("render", "y=w*x+b", "x=1", "w=2", "b=3", "--no-backward", "--format", "png",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_png(tmp_path / "y.png")
    assert table_rows(proc.stdout) == {"w": ("2", "-"), "x": ("1", "-"), "b": ("3", "-")}


# --- render: refusals through the real script ------------------------------------------------

HOSTILE = [
    # (expression, VAR=VALUE arguments, what the one error line says)
    ("y = x.__class__", [], "attribute access"),
    ("y = x.__class__.__bases__[0].__subclasses__()", [], "attribute access"),
    ("y = __import__('os').system('touch pwned')", [], "not allowed"),
    ("__import__('os')", [], "unknown function '__import__'"),
    ("import os", [], "imports"),
    ("from os import system", [], "imports"),
    ("y = (lambda: 1)()", [], "not allowed"),
    ("y = [i for i in x]", [], "comprehensions"),
    ("y = sum(i for i in x)", [], "generator expressions"),
    ("y = 'abc'", [], "strings"),
    ("y = relu(*x)", [], "starred"),
    ("y = __x__", [], "starting with '_'"),
    ("__builtins__ = 1", [], "starting with '_'"),
    ("y = foo(x)", [], "unknown function 'foo'"),
    ("y = open('f', 'w')", [], "unknown function 'open'"),
    ("y = exec('1')", [], "unknown function 'exec'"),
    ("y = getattr(x, 'grad')", [], "unknown function 'getattr'"),
    ("y = [1, 2][0]", [], "only tensors can be indexed"),
    ("y = relu[0]", [], "relu is a function"),
    ("y = x[x]", [], "an index other than integers"),
    ("y = 9**9**9**9", [], "too large"),
    ("y = zeros(100000, 100000)", [], "the limit is 10,000"),
    ("y = randn(10**9)", [], "the limit is 10,000"),
    ("y = " + "x + " * 700 + "x", [], "characters long"),
    ("y = " + "(" * 300 + "x" + ")" * 300, [], "nested"),
    ("y = " + "-" * 500 + "x", [], "nested too deeply"),
    ("; ".join(f"a{i} = x" for i in range(60)), [], "statements"),
    ("y = relu((x)", [], "syntax error"),
    ("y = relu(x))", [], "syntax error"),
    ("y = relu(x, __class__=1)", [], "keyword __class__= is not allowed"),
    ("y = sum(x, **{'dim': 0})", [], "not allowed"),
    ("y = (z := x)", [], "walrus"),
    ("y = f'{x}'", [], "f-strings"),
    ("y = x if x else x", [], "conditional"),
    ("y = x < 1", [], "comparisons"),
    ("y = {1: x}", [], "dicts"),
    ("y = x // 2", [], "//"),
    ("del x", [], "del"),
    ("def f(): pass", [], "function definitions"),
    ("while 1: pass", [], "loops"),
    ("y = b'x'", [], "bytes"),
    ("y = x\x1b[31m", [], "syntax error"),
    ("", [], "empty"),
    ("y = x", ["x=__import__('os')"], "unknown function '__import__'"),
    ("y = x", ["x=open('f')"], "unknown function 'open'"),
    ("y = x", ["__class__=1"], "not a valid variable name"),
    ("y = x", ["x=1; import os"], "only the last statement"),
    ("y = x", ["x=y"], "may not use variables"),
    ("y = x", ["x"], "expected VAR=VALUE"),
    ("y = x", ["x=1", "x=2"], "given twice"),
    ("y = x", ["x=ones(100, 100, 100)"], "the limit is 10,000"),
    ("y = x", ["x=[[1, 2], [3]]"], "x=[[1, 2], [3]]: "),
    ("y = x @ w", ["x=randn(3,4)", "w=randn(5)"], "x @ w"),
]


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory):
    """Every HOSTILE case through the real script, a few at a time: {index: (proc, folder, seconds)}."""
    from concurrent.futures import ThreadPoolExecutor

    def run(index):
        expression, values, _ = HOSTILE[index]
        folder = tmp_path_factory.mktemp(f"hostile{index:02d}")
        start = time.monotonic()
        # "--" keeps expressions that start with "-" from being read as options
        proc = vizgrad("render", "--", expression, *values, cwd=folder, timeout=HOSTILE_TIMEOUT)
        return index, (proc, folder, time.monotonic() - start)

    with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
        return dict(pool.map(run, range(len(HOSTILE))))


@pytest.mark.parametrize("index", range(len(HOSTILE)),
                         ids=[f"{i:02d}-{e[:30]}" for i, (e, _, _) in enumerate(HOSTILE)])
def test_hostile_expressions_are_refused_in_one_line(hostile_runs, index):
    expression, values, message = HOSTILE[index]
    proc, folder, elapsed = hostile_runs[index]
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("vizgrad: error: ")
    assert message in lines[0], lines[0]
    assert len(lines[0]) <= 320
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout == ""
    assert files_in(folder) == [], "a refused expression left files behind"
    assert elapsed < HOSTILE_TIMEOUT  # a hang shows as a timeout; this only documents it


def test_enough_hostile_cases():
    kinds = {message for _, _, message in HOSTILE}
    assert len(HOSTILE) >= 20 and len(kinds) >= 20


@pytest.mark.parametrize("args, message", [
    (["render"], "Missing argument 'EXPR'"),
    (["render", "y=x", "--bogus"], "No such option: --bogus"),
    (["render", "y=x", "--level"], "--level"),
    (["render", "y=x", "--level", "atoms"], "--level"),
    (["render", "y=x", "--seed", "one"], "--seed"),
    (["train"], "Missing argument 'EXAMPLE'"),
    (["train", "nn", "--steps", "0"], "--steps"),
    (["train", "nn", "--steps", "many"], "--steps"),
    (["train", "nn", "--device", "tpu"], "--device"),
    (["examples", "extra"], "unexpected extra argument"),
    (["bogus"], "No such command 'bogus'"),
    (["--bogus"], "No such option: --bogus"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    proc = vizgrad(*args, cwd=tmp_path, timeout=HOSTILE_TIMEOUT)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("vizgrad: error: "), proc.stderr
    assert message in lines[0]
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("args, message", [
    (["y=x", "x=1", "--format", "bmp"], "unknown format 'bmp'"),
    (["y=x", "x=1", "-o", "y.txt"], "unknown suffix .txt"),
    (["y=x", "x=1", "-o", "y.svg", "--format", "png"], "does not match"),
    (["y=x", "x=1", "--html", "page.txt"], "should end in .html"),
    (["y=x", "x=1", "--gif", "anim.png"], "should end in .gif"),
    (["y=x", "x=1", "--steps", "y.svg"], "both name y.svg"),
    (["y=x", "x=1", "-f", "gif", "--gif", "y.gif"], "both name y.gif"),
    (["y=x", "x=1", "-o", "blocker/y.svg"], "is a file, not a folder"),
    (["y=x", "x=1", "-o", "adir"], "it is a folder"),
])
def test_render_output_errors(cli, tmp_path, args, message):
    (tmp_path / "blocker").write_text("a file")
    (tmp_path / "adir.svg").mkdir()
    before = files_in(tmp_path)
    result = cli("render", *args)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert files_in(tmp_path) == before


def test_internal_error_is_one_line_unless_debug(cli, monkeypatch):
    from graphviz_grad.cli import render

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(render, "run_backward", broken)
    result = cli("render", "y=w*x+b", "x=1", "w=2", "b=3")
    assert result.exit_code == 1
    assert result.stderr == ("vizgrad: error: internal error: RuntimeError: boom "
                             "(run with --debug for the traceback)\n")
    debug = cli("--debug", "render", "y=w*x+b", "x=1", "w=2", "b=3")
    assert debug.exit_code == 1
    assert isinstance(debug.exception, RuntimeError)  # --debug lets the traceback through
    user_error = cli("--debug", "render", "y=x.a")
    assert user_error.exit_code == 1 and user_error.stderr.count("\n") == 1  # user errors stay one line


# --- train -------------------------------------------------------------------------------------


def test_examples_registry_starts_with_the_spec_list():
    assert list(LESSONS)[:len(EXAMPLE_NAMES)] == EXAMPLE_NAMES


@pytest.fixture
def trained(monkeypatch):
    """Keeps the Result of the example that ``vizgrad train`` runs: ``trained["result"]``."""
    from graphviz_grad.cli import examples_cmd

    kept = {}
    get = examples_cmd.get

    def get_and_keep(name):
        example = get(name)

        def run(*args, **kwargs):
            kept["result"] = example.run(*args, **kwargs)
            kept["kwargs"] = kwargs
            return kept["result"]

        return types.SimpleNamespace(name=example.name, description=example.description,
                                     default_steps=example.default_steps, default_seed=example.default_seed, run=run)

    monkeypatch.setattr(examples_cmd, "get", get_and_keep)
    return kept


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_train_every_example(cli, tmp_path, trained, example):
    graph = [] if example in ("numpy", "tensor") else ["--graph", "graph.svg"]  # their loss is a number
    result = cli("train", example, "--steps", "5", "--plot", "loss.png", *graph, "--save", "model.ckpt")
    assert result.exit_code == 0, result.stderr
    assert trained["kwargs"]["steps"] == 5 and trained["kwargs"]["device"] == "cpu"
    steps, first, last = loss_summary(result.stdout, example)
    assert steps == 5
    assert last < first, f"{example}: loss did not fall ({first} -> {last})"
    losses = trained["result"].losses
    assert (first, last) == (pytest.approx(losses[0], rel=1e-5), pytest.approx(losses[-1], rel=1e-5))
    assert_png(tmp_path / "loss.png")
    if graph:
        assert_svg(tmp_path / "graph.svg")
        assert "wrote graph.svg" in result.stdout
    state = vg.load(tmp_path / "model.ckpt")
    assert state and all(isinstance(v, vg.Tensor) for v in state.values())
    expected = trained["result"].state_dict()  # the trained weights, saved and read back
    assert list(state) == list(expected)
    for name, tensor in state.items():
        np.testing.assert_allclose(tensor.detach().numpy(), expected[name].detach().numpy(), rtol=1e-6,
                                   atol=0, err_msg=name)
    assert result.stderr == ""  # no progress bar on a pipe


def test_train_graph_of_numpy_is_a_clear_error_before_training(cli, tmp_path):
    result = cli("train", "numpy", "--steps", "5", "--graph", "graph.svg", "--plot", "loss.png")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "NumPy" in result.stderr and "--graph" in result.stderr
    assert result.stdout == ""
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("args, message", [
    (["--plot", "loss.txt"], "--plot loss.txt"),
    (["--graph", "graph.txt"], "--graph graph.txt"),
    (["--plot", "same.png", "--graph", "same.png"], "both name same.png"),
])
def test_train_refuses_bad_outputs_before_training(cli, tmp_path, monkeypatch, args, message):
    monkeypatch.setattr("graphviz_grad.cli.train._run", lambda *a, **k: pytest.fail("trained anyway"))
    result = cli("train", "autograd", "--steps", "2", *args)
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert files_in(tmp_path) == []


def test_train_linear_regression_through_the_script(tmp_path):
    proc = vizgrad("train", "linear-regression", "--steps", "20", "--seed", "1", "--plot", "fit.png",
                   "--graph", "graph.svg", "--save", "model.ckpt", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    steps, first, last = loss_summary(proc.stdout, "linear-regression")
    assert steps == 20 and last < first
    assert_png(tmp_path / "fit.png")
    assert_svg(tmp_path / "graph.svg")
    state = vg.load(tmp_path / "model.ckpt")
    assert sorted(state) == ["bias", "weight"]
    assert tuple(state["weight"].shape) == (1, 1)
    assert err_lines(proc.stderr) == []


def test_train_unknown_example(tmp_path):
    proc = vizgrad("train", "resnet", cwd=tmp_path, timeout=HOSTILE_TIMEOUT)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "unknown example 'resnet'" in lines[0]
    assert all(name in lines[0] for name in EXAMPLE_NAMES)
    assert "Traceback" not in proc.stderr and files_in(tmp_path) == []


@pytest.mark.skipif(vg.cuda.is_available(), reason="a GPU is present: --device cuda would train")
def test_train_device_cuda_without_gpu(tmp_path):
    proc = vizgrad("train", "nn", "--steps", "2", "--device", "cuda", "--plot", "loss.png", cwd=tmp_path,
                   timeout=HOSTILE_TIMEOUT)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "--device cuda" in lines[0] and "GPU" in lines[0]
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert files_in(tmp_path) == []


def test_train_keyboard_interrupt_in_process(cli, tmp_path, monkeypatch):
    """Ctrl-C after 3 steps: the steps done are reported, nothing is written, exit status 130."""
    example = LESSONS["linear-regression"]

    def run(steps, seed, device, on_step, **kwargs):
        for step in range(3):
            on_step(step, 1.0 / (step + 1))
        raise KeyboardInterrupt

    monkeypatch.setattr("graphviz_grad.cli.examples_cmd.get",
                        lambda name: types.SimpleNamespace(name=example.name, default_steps=10, run=run))
    result = cli("train", "linear-regression", "--plot", "loss.png")
    assert result.exit_code == 130
    assert result.stderr == ("vizgrad: interrupted after 3 of 10 steps, last loss 0.333333; "
                             "not written: loss.png\n")
    assert files_in(tmp_path) == []


def _read_available(fd, chunks):
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: the other side of the pty is closed
        return False
    if not data:
        return False
    chunks.append(data)
    return True


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pty")
def test_ctrl_c_during_training_stops_cleanly(tmp_path):
    """SIGINT to a real ``vizgrad train`` that is training: no traceback, the steps done, status 130.

    stderr is a pty so that the progress bar shows: it tells when training has started
    (before that, Python may still be importing the engine).
    """
    master, slave = os.openpty()
    proc = subprocess.Popen([*VIZGRAD, "train", "linear-regression", "--steps", "1000000"], cwd=tmp_path,
                            env={**ENV, "TERM": "xterm", "COLUMNS": "120"}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    try:
        deadline = time.monotonic() + TIMEOUT
        while b"linear-regression" not in b"".join(chunks) and time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if select.select([master], [], [], 0.5)[0]:
                _read_available(master, chunks)
        assert proc.poll() is None, "training ended before it could be interrupted"
        assert b"linear-regression" in b"".join(chunks), "the progress bar never showed"
        time.sleep(1.0)  # let it train a while
        proc.send_signal(signal.SIGINT)
        while select.select([master], [], [], TIMEOUT)[0] and _read_available(master, chunks):
            pass
        stdout = proc.stdout.read().decode()
        code = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        os.close(master)
    stderr = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "\n", b"".join(chunks).decode(errors="replace"))
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert code == 130
    m = re.search(r"vizgrad: interrupted after (\d+) of 1000000 steps, last loss (\S+)", stderr)
    assert m, stderr[-2000:]
    assert 0 < int(m.group(1)) < 1000000
    assert stdout == ""  # no summary line: it did not finish
    assert files_in(tmp_path) == []


# --- examples, version, help -------------------------------------------------------------------


def test_examples_lists_the_nine_then_the_lessons(tmp_path):
    from graphviz_grad.lessons import LESSONS

    proc = vizgrad("examples", cwd=tmp_path)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert names[:9] == EXAMPLE_NAMES and names == list(LESSONS)
    assert {"makemore-bigram", "makemore-mlp", "gpt", "lenet", "cifar-cnn"} <= set(names)
    for line, name in zip(lines, names):
        assert line[len(name):].strip() == LESSONS[name].description
    assert err_lines(proc.stderr) == []


def test_examples_clirunner(cli):
    from graphviz_grad.lessons import LESSONS

    result = cli("examples")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == len(LESSONS)


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(tmp_path, cli, flag):
    proc = vizgrad(flag, cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == f"vizgrad {vg.__version__}\n"
    result = cli(flag)
    assert result.exit_code == 0 and result.stdout == f"vizgrad {vg.__version__}\n"


def test_main_help(tmp_path, cli):
    from graphviz_grad.cli import help_text

    for args in (["--help"], ["-h"], []):
        proc = vizgrad(*args, cwd=tmp_path)
        assert proc.returncode == 0 and proc.stderr == ""
        assert proc.stdout == help_text.main_help()
    assert all(name in proc.stdout for name in ("render", "train", "examples", "docs", "--version"))
    typer_help = cli("--help")  # the typer app prints the very same text as the fast path
    assert typer_help.exit_code == 0 and typer_help.stdout == help_text.main_help()


@pytest.mark.parametrize("command, expected", [
    ("render", ["EXPR", "VAR=VALUE", "--output", "--format", "--steps", "--html", "--gif", "--level",
                "--no-backward", "--rankdir", "--seed"]),
    ("train", ["EXAMPLE", "--steps", "--seed", "--device", "--plot", "--graph", "--save"]),
    ("examples", ["List the tutorial networks"]),
    ("docs", ["Usage: vizgrad docs"]),
])
def test_command_help(tmp_path, cli, command, expected):
    proc = vizgrad(command, "--help", cwd=tmp_path)
    assert proc.returncode == 0 and err_lines(proc.stderr) == []
    assert proc.stdout.startswith(f"Usage: vizgrad {command}")
    for text in expected:
        assert text in proc.stdout, text
    result = cli(command, "-h")
    assert result.exit_code == 0 and result.stdout.startswith(f"Usage: vizgrad {command}")
    assert files_in(tmp_path) == []


def test_fast_conversion_keeps_typer_rules(cli):
    """The subprocess converts options without pydantic (cli/coercion.py); in-process typer does: same results."""
    from graphviz_grad.cli import coercion

    command = cli_app._typer_command()
    assert coercion.install(command) == 0  # already installed by _typer_command: nothing left to do
    for args, code in ((["train", "nn", "--steps", "0"], 2), (["train", "nn", "--steps", "x"], 2),
                       (["train", "nn", "--device", "CUDA"], 2), (["render", "y=x", "--level", "Scalar"], 2)):
        assert cli_app.main(args) == code
        assert cli(*args).exit_code == code
