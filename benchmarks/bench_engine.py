"""Engine speed: graphviz_grad training steps against hand-written NumPy and against PyTorch.

    python benchmarks/bench_engine.py               # all three comparisons + per-op overhead
    python benchmarks/bench_engine.py --quick       # fewer repetitions (a smoke run, noisier)
    python benchmarks/bench_engine.py --reps 31 --only 1,3 --threads 0   # NumPy's default threads
    python benchmarks/bench_engine.py --clock cpu   # CPU time: steadier on a busy machine

Each comparison times its two sides side by side in one run: after a warm-up,
every repetition times a block of steps of one side and then of the other,
alternating which goes first, so that drift and other work on the machine hit
both alike. Printed: the median time per step of each side and the median of the
per-repetition ratios (each ratio taken from two adjacent blocks).

1. The tutorial's autograd step (N=64, D_in=1000, H=100, D_out=10, float32):
   ``x.mm(w1).clamp(min=0).mm(w2)``, ``(y_pred - y).pow(2).sum()``, ``backward()``,
   ``w -= lr * w.grad`` under ``no_grad`` and ``w.grad.zero_()``, against the
   tutorial's NumPy program in float32 (forward, manual backprop, update).
   Target (issue 3): ≤ 1.25×.
2. ``nn.Sequential(Linear, ReLU, Linear)`` + ``MSELoss(reduction='sum')`` +
   ``optim.Adam``: ``zero_grad``, forward, loss, ``backward``, ``step``, against
   the same step in PyTorch on the CPU (skipped when torch is not importable).
   Target: ≤ 1.0×.
3. Step 1 at N=512, D_in=4096, H=1024, D_out=256 against NumPy: here the
   matrix products dominate and what is left is the engine's extra array work.
   Target: ≤ 1.05×.

Threads: both libraries compute with the same number of BLAS threads:
NumPy's OpenBLAS is set through threadpoolctl when it is installed, else
through ctypes, and torch through ``torch.set_num_threads``. The default is
ONE thread for both: the ratios are meant to measure the engines, not two
thread pools, and on the small shared machines this runs on (2 cores, other
jobs running) OpenBLAS's threads spin and wait for busy cores: the small step
took 68 ms with 2 threads against 1 ms with one, and the spinning threads slowed
even the per-op figures, which use no BLAS at all, 5×. ``--threads N`` picks
another count for both; ``--threads 0`` keeps NumPy's own default (one per
core) and gives torch the same number. ``--clock cpu`` times this process's
CPU time instead of elapsed time, which leaves out the time spent waiting for a
core (meaningful with one thread only: spinning BLAS threads count as CPU time).

Also printed, for reference: the Python overhead per op, from a chain of
1,000 ops on 0-d tensors (forward under autograd, forward + backward, and under
``no_grad``), next to NumPy's own time for the same ops on 0-d arrays and
PyTorch's per op.

Never a pass/fail test: the figures are printed, the tests assert correctness.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

import graphviz_grad as vg
from tutorial_steps import array_step, autograd_step

SMALL = (64, 1000, 100, 10)
LARGE = (512, 4096, 1024, 256)
LR = 1e-6


# --- timing -----------------------------------------------------------------------------------


_clock = time.perf_counter


def _time_block(fn, steps):
    start = _clock()
    for _ in range(steps):
        fn()
    return (_clock() - start) / steps


def _calibrate(fns, target_s):
    """Steps per block so that one block of the slowest side takes about ``target_s``."""
    slowest = max(_time_block(fn, 1) for fn in fns)
    return max(1, min(200, int(target_s / max(slowest, 1e-7))))


def compare(make_a, make_b, reps, block_s=0.1, warmup=3):
    """Time two programs interleaved; returns (median s/step of a, of b, median ratio a/b, steps).

    ``make_a()``/``make_b()`` build a fresh step function from the initial data: every block
    starts training over, so both sides are timed over the same first steps (at most 200, inside
    the tutorial's 500). Trained for thousands of steps the loss nears zero and the arithmetic
    slows down on tiny numbers, differently on each side, which made the ratio drift with the
    number of steps already run.
    """
    a, b = make_a(), make_b()
    for _ in range(warmup):
        a()
        b()
    steps = _calibrate((a, b), block_s)
    ta, tb, ratios = [], [], []
    for rep in range(reps):
        a, b = make_a(), make_b()
        a()  # the first step of a fresh program allocates its .grad arrays: not what is timed
        b()
        if rep % 2 == 0:
            x = _time_block(a, steps)
            y = _time_block(b, steps)
        else:
            y = _time_block(b, steps)
            x = _time_block(a, steps)
        ta.append(x)
        tb.append(y)
        ratios.append(x / y)
    return statistics.median(ta), statistics.median(tb), statistics.median(ratios), steps


def _report(title, name_a, name_b, result, target):
    ta, tb, ratio, steps = result
    print(title)
    print(f"  {name_a:<28} {ta * 1e3:9.3f} ms/step")
    print(f"  {name_b:<28} {tb * 1e3:9.3f} ms/step   ({steps} steps per block)")
    verdict = "ok" if ratio <= target else "OVER TARGET"
    print(f"  ratio {ratio:.3f}×   (target ≤ {target:.2f}×, {verdict})")
    return ratio


# --- 1 and 3: the tutorial's step --------------------------------------------------------------


def tutorial_data(shape, seed=0):
    """The tutorial's randn data; at other sizes than the tutorial's the weights are scaled by
    1/sqrt(fan-in), so that lr=1e-6 trains instead of overflowing to inf (which would time NaN
    arithmetic)."""
    n, d_in, h, d_out = shape
    rng = np.random.default_rng(seed)
    scale = shape != SMALL
    return {
        "x": rng.standard_normal((n, d_in), dtype=np.float32),
        "y": rng.standard_normal((n, d_out), dtype=np.float32),
        "w1": rng.standard_normal((d_in, h), dtype=np.float32) / np.float32(np.sqrt(d_in) if scale else 1),
        "w2": rng.standard_normal((h, d_out), dtype=np.float32) / np.float32(np.sqrt(h) if scale else 1),
    }


def vg_tutorial_step(data, lr=LR):
    x, y = vg.from_numpy(data["x"].copy()), vg.from_numpy(data["y"].copy())
    w1 = vg.from_numpy(data["w1"].copy()).requires_grad_()
    w2 = vg.from_numpy(data["w2"].copy()).requires_grad_()
    return autograd_step(vg, x, y, w1, w2, lr)


def numpy_tutorial_step(data, lr=LR):
    """The tutorial's NumPy program (seed 000), in float32."""
    return array_step(np, *(data[k].copy() for k in ("x", "y", "w1", "w2")), np.float32(lr))


def check_tutorial_agrees(shape):
    """Both sides compute the same thing: the losses of a few steps match."""
    data = tutorial_data(shape)
    a, b = vg_tutorial_step(data), numpy_tutorial_step(data)
    for _ in range(3):
        la, lb = a().item(), float(b())
        if not np.isclose(la, lb, rtol=1e-3):
            raise SystemExit(f"the two tutorial steps disagree: {la} vs {lb}")


# --- 2: Sequential + MSELoss + Adam against torch -------------------------------------------------


def vg_module_step(lib, data, lr=1e-4):
    """One step of the tutorial's nn + optim program, written once for graphviz_grad and torch."""
    n, d_in, h, d_out = SMALL
    model = lib.nn.Sequential(lib.nn.Linear(d_in, h), lib.nn.ReLU(), lib.nn.Linear(h, d_out))
    with lib.no_grad():
        for p, arr in zip(model.parameters(), data["params"]):
            p.copy_(lib.from_numpy(arr.copy()))
    loss_fn = lib.nn.MSELoss(reduction="sum")
    opt = lib.optim.Adam(model.parameters(), lr=lr)
    x, y = lib.from_numpy(data["x"].copy()), lib.from_numpy(data["y"].copy())

    def step():
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def module_data(seed=1):
    n, d_in, h, d_out = SMALL
    rng = np.random.default_rng(seed)
    b1, b2 = 1 / np.sqrt(d_in), 1 / np.sqrt(h)
    params = [rng.uniform(-b1, b1, (h, d_in)), rng.uniform(-b1, b1, h),
              rng.uniform(-b2, b2, (d_out, h)), rng.uniform(-b2, b2, d_out)]
    return {
        "x": rng.standard_normal((n, d_in), dtype=np.float32),
        "y": rng.standard_normal((n, d_out), dtype=np.float32),
        "params": [p.astype(np.float32) for p in params],
    }


# --- per-op overhead ---------------------------------------------------------------------------


def op_overhead(reps, chain=1000):
    """Median µs per op of a chain of ``x * 1.0001`` on 0-d tensors."""

    def vg_forward():
        x = vg.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(chain):
            y = y * 1.0001
        return y

    def vg_forward_backward():
        vg_forward().backward()

    def vg_no_grad():
        with vg.no_grad():
            vg_forward()

    def numpy_ops():
        y = np.asarray(1.0, dtype=np.float32)
        c = np.asarray(1.0001, dtype=np.float32)
        for _ in range(chain):
            y = y * c

    cases = [("graphviz_grad forward (grad)", vg_forward),
             ("graphviz_grad forward+backward", vg_forward_backward),
             ("graphviz_grad forward, no_grad", vg_no_grad),
             ("NumPy 0-d array ops", numpy_ops)]
    torch = _torch()
    if torch is not None:
        def torch_forward_backward():
            x = torch.tensor(1.0, requires_grad=True)
            y = x
            for _ in range(chain):
                y = y * 1.0001
            y.backward()

        cases.append(("torch forward+backward", torch_forward_backward))
    for _, fn in cases:
        fn()
    times = {name: [] for name, _ in cases}
    for rep in range(reps):
        for name, fn in (cases if rep % 2 == 0 else cases[::-1]):
            times[name].append(_time_block(fn, 1) / chain)
    print(f"per-op overhead (chain of {chain} `y = y * 1.0001` on 0-d float32 tensors)")
    for name, _ in cases:
        print(f"  {name:<32} {statistics.median(times[name]) * 1e6:7.2f} µs/op")


# --- main --------------------------------------------------------------------------------------

_TORCH = []


def _torch():
    if not _TORCH:
        try:
            import torch
        except Exception:  # not installed, or broken
            torch = None
        _TORCH.append(torch)
    return _TORCH[0]


def _openblas():
    """(get, set) of the thread count of the OpenBLAS that NumPy loaded, through ctypes; or None."""
    import ctypes

    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line})
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("scipy_openblas", ""),
                               ("openblas", "")):
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                put.argtypes = [ctypes.c_int]
                return get, put
    return None


def blas_threads(wanted=None):
    """Set NumPy's BLAS threads to ``wanted`` (if given); return (count, how it was read)."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits

        if wanted:
            threadpool_limits(wanted, user_api="blas")
        counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        if counts:
            return counts[0], "threadpoolctl"
    except ImportError:
        pass
    lib = _openblas()
    if lib is not None:
        get, put = lib
        if wanted:
            put(wanted)
        return get(), "OpenBLAS"
    if wanted:
        print("warning: could not set NumPy's BLAS threads; set OPENBLAS_NUM_THREADS before the run")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var]), var
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores, "assumed: cores available"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=21, help="interleaved repetitions per comparison")
    parser.add_argument("--quick", action="store_true", help="7 repetitions, shorter blocks")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: elapsed time; cpu: this process's CPU time (with one thread: time spent "
                             "waiting for a core is not counted)")
    parser.add_argument("--only", default="1,2,3,ops", help="comma list of 1, 2, 3, ops")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads of NumPy and torch both (default 1; 0: NumPy's own default)")
    args = parser.parse_args(argv)
    reps = 7 if args.quick else args.reps
    block_s = 0.05 if args.quick else 0.15
    which = set(args.only.split(","))

    threads, source = blas_threads(args.threads)
    global _clock
    _clock = time.perf_counter if args.clock == "wall" else time.process_time
    print(f"graphviz_grad on NumPy {np.__version__}, Python {sys.version.split()[0]}; "
          f"BLAS threads {threads} ({source}); {reps} interleaved repetitions; {args.clock} clock")
    results = {}

    if "1" in which:
        check_tutorial_agrees(SMALL)
        data = tutorial_data(SMALL)
        results[1] = _report(
            f"1. tutorial autograd step N,D_in,H,D_out={SMALL} float32 vs hand-written NumPy",
            "graphviz_grad", "NumPy", compare(lambda: vg_tutorial_step(data), lambda: numpy_tutorial_step(data), reps, block_s),
            1.25)

    if "2" in which:
        torch = _torch()
        if torch is None:
            print("2. skipped: torch is not importable")
        else:
            torch.set_num_threads(threads)
            data = module_data()
            results[2] = _report(
                f"2. Sequential(Linear, ReLU, Linear) + MSELoss(sum) + Adam, {SMALL}, "
                f"vs torch {torch.__version__} CPU ({torch.get_num_threads()} threads)",
                "graphviz_grad", "torch", compare(lambda: vg_module_step(vg, data), lambda: vg_module_step(torch, data), reps,
                                                  block_s), 1.0)

    if "3" in which:
        check_tutorial_agrees(LARGE)
        data = tutorial_data(LARGE)
        results[3] = _report(
            f"3. tutorial autograd step N,D_in,H,D_out={LARGE} float32 vs hand-written NumPy",
            "graphviz_grad", "NumPy", compare(lambda: vg_tutorial_step(data), lambda: numpy_tutorial_step(data),
                                               max(5, reps // 2) if args.quick else reps, block_s, warmup=2),
            1.05)

    if "ops" in which:
        op_overhead(reps)

    if results:
        print("summary: " + "   ".join(f"{k}. {v:.3f}×" for k, v in sorted(results.items())))


if __name__ == "__main__":
    main()
