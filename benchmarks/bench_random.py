"""Random numbers: graphviz_grad's PyTorch-identical generator against PyTorch's CPU, side by side.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_random.py            # rand and randn, 1000 x 1000
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_random.py --reps 21 --size 1000

Both sides draw the same numbers (checked first, bit for bit). After a warm-up,
each repetition times one call of each side, alternating which goes first, so
that drift and other work on the machine hit both alike; printed are the median
times and the median of the per-repetition ratios. PyTorch runs on one thread
(``torch.set_num_threads(1)``). Target (issue 14): ratio ≤ 2.5× for ``randn``
and ``rand`` of 1000 × 1000.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import graphviz_grad as vg  # noqa: E402


def compare(name, ours, theirs, reps):
    import torch

    vg.manual_seed(0)
    torch.manual_seed(0)
    a, b = ours().numpy(), theirs().numpy()
    same = np.array_equal(a.view(np.uint32), b.view(np.uint32))
    for _ in range(3):
        ours(), theirs()
    t_ours, t_theirs, ratios = [], [], []
    for rep in range(reps):
        pair = []
        for fn in ((ours, theirs) if rep % 2 == 0 else (theirs, ours)):
            t0 = time.perf_counter()
            fn()
            pair.append((fn, time.perf_counter() - t0))
        d = dict(pair)
        t_ours.append(d[ours])
        t_theirs.append(d[theirs])
        ratios.append(d[ours] / d[theirs])
    print(f"{name:<22} ours {statistics.median(t_ours) * 1e3:7.2f} ms   torch {statistics.median(t_theirs) * 1e3:7.2f} ms"
          f"   ratio {statistics.median(ratios):5.2f}x   same bits: {same}")
    return statistics.median(ratios)


def main():
    import torch

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--size", type=int, default=1000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    n = args.size
    print(f"torch {torch.__version__}, numpy {np.__version__}, normal_ kernel: {vg.random.cpu_capability()}")
    worst = 0.0
    for name, ours, theirs in (
        (f"randn({n}, {n})", lambda: vg.randn(n, n), lambda: torch.randn(n, n)),
        (f"rand({n}, {n})", lambda: vg.rand(n, n), lambda: torch.rand(n, n)),
    ):
        worst = max(worst, compare(name, ours, theirs, args.reps))
    print(f"worst ratio {worst:.2f}x (target <= 2.5x)")


if __name__ == "__main__":
    main()
