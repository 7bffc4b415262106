"""GPU speed: the tutorial's two-layer net on CuPy, graphviz_grad vs hand-written CuPy vs torch CUDA.

Run on a machine with an NVIDIA GPU and `pip install graphviz-grad[gpu]`:

    python benchmarks/bench_gpu.py [--steps 50]

Prints per-step times (median of interleaved repetitions, after warm-up and with device
synchronisation), the ratios to torch CUDA autograd and to hand-written CuPy, and the
achieved TFLOP/s (forward + backward of the two matmuls: 3 × 2 matmuls of 2·N·D_in·H and
2·N·H·D_out flops). Targets (issue 7): ≤ 1.05× torch at 4096 size, ≤ 1.3× at tutorial size.
"""
import argparse
import statistics
import sys
import time

from tutorial_steps import array_step, autograd_step

SIZES = {"tutorial": (64, 1000, 100, 10), "large": (4096, 4096, 4096, 1024)}


def flops_per_step(n, d_in, h, d_out):
    return 3 * (2 * n * d_in * h + 2 * n * h * d_out)


def timed(step, sync, reps):
    sync()
    t0 = time.perf_counter()
    for _ in range(reps):
        step()
    sync()
    return (time.perf_counter() - t0) / reps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="steps per timed repetition")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved repetitions")
    args = parser.parse_args(argv)
    try:
        import cupy as cp
    except ImportError:
        print("CuPy is not installed: nothing to measure (pip install graphviz-grad[gpu])")
        return 0
    import numpy as np

    import graphviz_grad as vg

    if not vg.cuda.is_available():
        print("no CUDA GPU visible: nothing to measure")
        return 0
    try:
        import torch
        has_torch = torch.cuda.is_available()
    except ImportError:
        torch, has_torch = None, False
    sync = cp.cuda.Device().synchronize
    print(f"GPU: {cp.cuda.runtime.getDeviceProperties(0)['name'].decode()}")
    for label, (n, d_in, h, d_out) in SIZES.items():
        rng = np.random.default_rng(0)
        data = [rng.standard_normal(s).astype(np.float32) for s in ((n, d_in), (n, d_out), (d_in, h), (h, d_out))]
        lr = 1e-6 if label == "tutorial" else 1e-9
        xs = [vg.tensor(a, device="cuda") for a in data]
        for w in xs[2:]:
            w.requires_grad_()
        steps = {"graphviz_grad": autograd_step(vg, *xs, lr),
                 "cupy by hand": array_step(cp, *[cp.asarray(a) for a in data], lr)}
        if has_torch:
            ts = [torch.tensor(a, device="cuda") for a in data]
            for w in ts[2:]:
                w.requires_grad_()
            tsync = torch.cuda.synchronize
            steps["torch CUDA"] = autograd_step(torch, *ts, lr)
        times = {k: [] for k in steps}
        for k, s in steps.items():  # warm-up: kernels compiled, memory pools filled
            timed(s, sync if k != "torch CUDA" else tsync, 3)
        for _ in range(args.rounds):
            for k, s in steps.items():
                times[k].append(timed(s, sync if k != "torch CUDA" else tsync, args.steps))
        med = {k: statistics.median(v) for k, v in times.items()}
        f = flops_per_step(n, d_in, h, d_out)
        print(f"\n{label} N={n} D_in={d_in} H={h} D_out={d_out} float32")
        for k, v in med.items():
            print(f"  {k:14s} {v * 1e3:8.3f} ms/step  {f / v / 1e12:7.2f} TFLOP/s")
        base = "torch CUDA" if has_torch else "cupy by hand"
        print(f"  ratio graphviz_grad / {base}: {med['graphviz_grad'] / med[base]:.3f}x")
        print(f"  ratio graphviz_grad / cupy by hand: {med['graphviz_grad'] / med['cupy by hand']:.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
