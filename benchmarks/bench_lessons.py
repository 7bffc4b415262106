"""The lessons' training steps against PyTorch: the same program, only its imports changed.

    python benchmarks/bench_lessons.py                     # makemore-mlp, gpt, cifar-cnn
    python benchmarks/bench_lessons.py --only gpt --reps 5

Each lesson module of ``graphviz_grad.lessons`` is run twice per repetition,
as it is written (graphviz_grad) and as ``Lesson.torch_source()`` (PyTorch on
the CPU), alternating which goes first. A step's time is the interval between
two consecutive ``on_step`` calls of the lesson's training loop, so data
preparation and sampling before and after the loop are left out; the median
interval of a run is its step time (the GPT's loss estimate every 100 steps is
an outlier the median ignores). Printed: each side's median step time and the
median of the per-repetition ratios. One BLAS thread for both (the machines
are small and shared; see bench_engine.py).

Targets (issues 15 and 16):
- makemore MLP step (27 letters, 10-d embedding, 200 hidden, batch 32): ≤ 1.0×;
- GPT step (n_embd 64, 4 heads, 2 blocks, block size 32, batch 16, AdamW): ≤ 1.5×;
- the blitz's CIFAR network at its own batch of 4 (the batch-64 figure is
  bench_conv.py's): printed for reference.

Never a pass/fail test: the figures are printed, the tests assert correctness.
"""
import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from graphviz_grad.lessons import LESSONS  # noqa: E402

TARGETS = {"makemore-mlp": 1.0, "gpt": 1.5, "cifar-cnn": None}
STEPS = {"makemore-mlp": 400, "gpt": 60, "cifar-cnn": 300}


def _main_under_torch(lesson):
    namespace = {"__name__": f"torch_{lesson.program}"}
    exec(compile(lesson.torch_source(), f"<{lesson.name} under torch>", "exec"), namespace)
    return namespace["main"]


def step_time(main, steps, folder):
    """The median interval between the training loop's consecutive ``on_step`` calls."""
    stamps = []
    options = {"PATH": os.path.join(folder, "net.pth")} if "PATH" in main.__code__.co_varnames else {}
    with contextlib.redirect_stdout(io.StringIO()):
        main(steps=steps, on_step=lambda step, loss: stamps.append(time.perf_counter()), **options)
    return statistics.median(b - a for a, b in zip(stamps, stamps[1:]))


def bench(name, reps):
    import torch

    torch.set_num_threads(1)
    lesson = LESSONS[name]
    sides = {"graphviz_grad": lesson.load().main, "torch": _main_under_torch(lesson)}
    times = {side: [] for side in sides}
    ratios = []
    with tempfile.TemporaryDirectory() as folder:
        for rep in range(reps):
            order = list(sides) if rep % 2 == 0 else list(sides)[::-1]
            got = {side: step_time(sides[side], STEPS[name], folder) for side in order}
            for side, t in got.items():
                times[side].append(t)
            ratios.append(got["graphviz_grad"] / got["torch"])
    ours, theirs = statistics.median(times["graphviz_grad"]), statistics.median(times["torch"])
    ratio = statistics.median(ratios)
    target = TARGETS[name]
    verdict = "" if target is None else (" (target ≤ %.2f×%s)" % (target, "" if ratio <= target else ", OVER"))
    print(f"{name:14s} graphviz_grad {ours * 1e3:8.3f} ms/step   torch {theirs * 1e3:8.3f} ms/step   "
          f"ratio {ratio:.2f}×{verdict}   [{min(ratios):.2f}–{max(ratios):.2f} over {reps} runs]")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--only", default=",".join(TARGETS), help="comma-separated lesson names")
    args = parser.parse_args(argv)
    for name in args.only.split(","):
        bench(name, args.reps)


if __name__ == "__main__":
    sys.exit(main())
