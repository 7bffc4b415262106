"""Every lesson program (graphviz_grad/lessons/) against PyTorch, from its one source (SPEC §6).

Each lesson's source is run twice at a small step count:

- under **real PyTorch**: the module's code with only its import lines swapped
  (``import graphviz_grad as torch`` -> ``import torch``, ``graphviz_grad.nn``
  -> ``torch.nn``, ...; the built-in data stay ``graphviz_grad.datasets``).
  That it runs at all shows the program is PyTorch code as its author wrote it,
  and it gives the oracle's per-step losses;
- under **graphviz_grad**, through ``LESSONS[name].run`` (what ``vizgrad
  train`` runs).

The per-step losses agree within SPEC §1 (float32: relative 1e-4 for the first
50 steps): both sides draw the same seeded random numbers (SPEC §7), so they
start from the same weights and batches. The lessons' own checks are held too:
makemore 4's hand-written gradients all agree with autograd's, the bigram
counts sample the same names, the blitz's gradient checks print True.
"""
import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import needs_proc_statm, run_measuring_rss
from graphviz_grad.lessons import LESSONS, Lesson

torch = pytest.importorskip("torch")

# lesson -> (steps, options to main) small enough that both runs together take a second or two
RUNS = {
    "numpy": (5, {}),
    "tensor": (5, {}),
    "autograd": (5, {}),
    "custom-function": (5, {}),
    "nn": (5, {}),
    "optim": (5, {}),
    "module": (5, {}),
    "dynamic": (5, {}),
    "linear-regression": (20, {}),
    "sin-numpy": (30, {}),
    "sin-tensor": (30, {}),
    "sin-autograd": (30, {}),
    "sin-custom-function": (30, {}),
    "sin-nn": (30, {}),
    "sin-optim": (30, {}),
    "sin-module": (30, {}),
    "sin-dynamic": (30, {}),
    "makemore-bigram": (10, {}),
    "makemore-mlp": (20, {}),
    "makemore-batchnorm": (10, {}),
    "makemore-backprop": (10, {}),
    "makemore-wavenet": (5, {}),
    "gpt": (3, {"max_new_tokens": 20}),
    "blitz-autograd": (1, {}),
    "lenet": (5, {}),
    "cifar-cnn": (10, {}),
}
NAMES = [name for name, lesson in LESSONS.items() if isinstance(lesson, Lesson)]
NUMPY_ONLY = ("numpy", "sin-numpy")  # pure NumPy programs: no import to change
RTOL = 1e-4  # SPEC §1, float32, the first 50 steps
_TORCH_RUNS = {}


def torch_run(name, tmp_path_factory):
    """:func:`run_under_torch` at the step count of :data:`RUNS`, once per session."""
    if name not in _TORCH_RUNS:
        steps, options = RUNS[name]
        _TORCH_RUNS[name] = run_under_torch(name, steps, options, tmp_path_factory.mktemp("torch"))
    return _TORCH_RUNS[name]


def run_under_torch(name, steps, options, tmp_path):
    """``main`` of the lesson's source run on PyTorch: (losses, printed output, variables)."""
    namespace = {"__name__": f"torch_lesson_{name.replace('-', '_')}"}
    exec(compile(LESSONS[name].torch_source(), f"<{name} under torch>", "exec"), namespace)
    losses = []
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        variables = namespace["main"](steps=steps, on_step=lambda step, loss: losses.append(float(loss)),
                                      **_with_path(name, options, tmp_path / "torch"))
    return losses, output.getvalue(), variables


def _with_path(name, options, folder):
    """``options`` with the files the lesson writes (``PATH``, ``FIGURE``) put in ``folder``."""
    import inspect

    parameters = inspect.signature(LESSONS[name].load().main).parameters
    files = {key: str(folder / Path(parameters[key].default).name) for key in ("PATH", "FIGURE") if key in parameters}
    if files:
        folder.mkdir(parents=True, exist_ok=True)
    return dict(options, **files)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the numbers of one BLAS thread; and the machine is shared
    yield
    torch.set_num_threads(threads)


def test_every_lesson_is_run_here():
    assert sorted(RUNS) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_source_is_the_authors_with_only_the_import_changed(name):
    source = LESSONS[name].source()
    imports = [line.strip() for line in source.splitlines() if re.match(r"\s*(import|from) ", line)]
    ours = [line for line in imports if "graphviz_grad" in line]
    assert ours or name in NUMPY_ONLY, f"{name} does not import graphviz_grad"
    for line in ours:
        assert (line.startswith(("import graphviz_grad", "from graphviz_grad"))
                and (" as torch" in line or ".nn" in line or ".optim" in line or ".utils.data" in line
                     or ".datasets" in line)), f"{name}: unexpected import line {line!r}"
    swapped = LESSONS[name].torch_source()
    assert [line for line in swapped.splitlines() if "graphviz_grad" in line and " import " in line] == [
        line for line in source.splitlines() if "graphviz_grad.datasets" in line], name
    assert "import torch" in swapped or name in NUMPY_ONLY


@pytest.mark.parametrize("name", NAMES)
def test_runs_under_torch_with_only_the_import_changed(name, tmp_path_factory):
    steps, _ = RUNS[name]
    losses, output, variables = torch_run(name, tmp_path_factory)
    assert len(losses) == steps, f"{name} under torch made {len(losses)} steps, not {steps}"
    assert np.isfinite(losses).all() and output, name


@pytest.mark.parametrize("name", NAMES)
def test_losses_equal_torch(name, tmp_path, tmp_path_factory):
    steps, options = RUNS[name]
    theirs, their_output, _ = torch_run(name, tmp_path_factory)
    ours = LESSONS[name].run(steps=steps, **_with_path(name, options, tmp_path / "ours"))
    assert len(ours.losses) == steps
    np.testing.assert_allclose(ours.losses, theirs, rtol=RTOL, atol=0,
                               err_msg=f"{name}: per-step losses differ from torch's")
    if name in ("makemore-bigram", "blitz-autograd"):
        # the counts model's samples (exact multinomial draws) and the gradient checks print alike
        assert ours.output.splitlines()[:5] == their_output.splitlines()[:5]


def test_backprop_by_hand_agrees_with_autograd_for_every_intermediate():
    result = LESSONS["makemore-backprop"].run(steps=1)
    checks = [line for line in result.output.splitlines() if "| approximate:" in line]
    names = [line.split("|")[0].strip() for line in checks]
    assert names[:26] == ["logprobs", "probs", "counts_sum_inv", "counts_sum", "counts", "norm_logits",
                          "logit_maxes", "logits", "h", "W2", "b2", "hpreact", "bngain", "bnbias", "bnraw",
                          "bnvar_inv", "bnvar", "bndiff2", "bndiff", "bnmeani", "hprebn", "embcat", "W1",
                          "b1", "emb", "C"]
    assert names[26:] == ["logits", "hprebn"]  # the fused cross-entropy and batch-norm backward
    for line in checks:
        assert "approximate: True" in line, line


def test_blitz_autograd_gradients_are_right():
    result = LESSONS["blitz-autograd"].run()
    assert result.output.splitlines() == ["tensor([True, True])", "tensor([True, True])",
                                          "Does `a` require gradients?: False",
                                          "Does `b` require gradients?: True"]


def test_a_lesson_reports_its_last_lines_and_keeps_its_variables():
    result = LESSONS["sin-numpy"].run(steps=100)
    assert result.report == [result.output.splitlines()[-1]]
    assert result.report[0].startswith("Result: y = ")
    assert result.variables["t"] == 99 and result.last_loss_tensor is None


def test_stop_training_keeps_the_steps_done():
    from graphviz_grad.lessons import StopTraining

    def stop(step, loss):
        if step == 4:
            raise StopTraining

    result = LESSONS["sin-numpy"].run(steps=50, on_step=stop)
    assert len(result.losses) == 5 and result.report == []


def test_lessons_refuse_what_they_cannot_do():
    with pytest.raises(TypeError, match="init"):  # a lesson draws its own weights, seeded as PyTorch's
        LESSONS["sin-nn"].run(steps=1, init={"0.weight": [[1.0, 2.0, 3.0]]})
    with pytest.raises(ValueError, match="CPU only"):
        LESSONS["sin-nn"].run(steps=1, device="cuda")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["lenet", "cifar-cnn"])
def test_image_lessons_learn_in_their_default_steps(name, tmp_path):
    result = LESSONS[name].run(**_with_path(name, {}, tmp_path))
    accuracy = int(re.search(r"Accuracy of the network on the \d+ [\w-]+ images: (\d+) %", result.output).group(1))
    assert accuracy >= 50, f"{name}: accuracy {accuracy} % (chance is 10 %)"


# --- vizgrad train NAME: the lessons on the built-in data --------------------------------------------

TRAIN = {  # lesson -> (steps, a pattern every report line matches, whether it has a graph to draw)
    "sin-numpy": (50, r"^Result: y = ", False),
    "makemore-bigram": (5, r"^[a-z]*\.$", True),
    "makemore-mlp": (20, r"^[a-z]*\.$", True),
    "gpt": (3, r"", True),
    "lenet": (5, r"^Accuracy of the network on the 500 held-out images: \d+ %$", True),
    "cifar-cnn": (10, r"^Accuracy (of the network on the 1000 test images: \d+ %|for class: .* is [\d.]+ %)$",
                  True),
}


@pytest.mark.parametrize("name", sorted(TRAIN))
def test_vizgrad_train_runs_the_lesson_and_prints_its_samples(name, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from graphviz_grad.cli import app as cli_app

    steps, pattern, has_graph = TRAIN[name]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    graph = ["--graph", "graph.svg"] if has_graph else []
    result = CliRunner().invoke(cli_app.get_app(), ["train", name, "--steps", str(steps), "--plot", "loss.png",
                                                    *graph])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.fullmatch(rf"{re.escape(name)}: {steps} steps, loss \S+ -> \S+", lines[0]), lines[0]
    report = [line for line in lines[1:] if not line.startswith("wrote ")]
    assert 1 <= len(report) <= LESSONS[name].load().REPORT_LINES
    for line in report:
        assert re.search(pattern, line), f"{name}: {line!r}"
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if has_graph:
        assert (tmp_path / "graph.svg").read_text().lstrip().startswith(("<?xml", "<svg"))


# The GPT lesson's own main(), 500 steps as its author runs them (estimate_loss every 100 steps, the
# text generated at the end): RSS sampled by on_step after a 50-step warm-up and at the last step.
RSS_GPT_PROGRAM = """
from graphviz_grad.lessons import LESSONS
WARM, STEPS = 50, 500
samples = []
def on_step(step, loss):
    if step in (WARM - 1, STEPS - 1):
        samples.append(rss())
result = LESSONS["gpt"].run(steps=STEPS, on_step=on_step)
print(*samples, len(result.losses), int(result.losses[-1] < result.losses[0] - 1.5))
"""


@needs_proc_statm
def test_500_steps_of_the_gpt_lesson_keep_rss_flat():
    """Embeddings, attention, LayerNorm, cross_entropy on (B*T, C) and AdamW: the lesson's 500 steps (about
    15 s) leave nothing behind. One step's graph is about 2 MB: a leak of it per step would be a gigabyte."""
    warm, end, steps, trained = run_measuring_rss(RSS_GPT_PROGRAM, env={"OPENBLAS_NUM_THREADS": "1"})
    assert steps == 500 and trained == 1  # it learns: the loss falls from 4.1 to about 1.8
    assert end - warm < 20 * 2**20, (warm, end)  # measured: under 1 MB
