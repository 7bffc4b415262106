"""Convolution speed against PyTorch on the CPU, side by side in one run, one BLAS thread.

    python benchmarks/bench_conv.py            # both rows
    python benchmarks/bench_conv.py --quick    # fewer repetitions (noisier)
    python benchmarks/bench_conv.py --only b --threads 2

a. ``F.conv2d`` forward + backward alone (64×3×32×32 input, 6×3×5×5 kernels, all three gradients),
   and the same for the second layer (64×6×14×14 input, 16×6×5×5): for reference.
b. The 60-minute blitz's CIFAR network (conv 3→6 k5, max-pool 2, conv 6→16 k5, max-pool 2, flatten,
   fc 400→120→84→10, ReLUs) on a batch of 64×3×32×32: ``zero_grad``, forward, ``cross_entropy``,
   ``backward``, SGD step with momentum 0.9. The input is data (no gradient), as in training.
   Target (issue 16): ≤ 1.5×.

Timing as ``bench_engine.py`` (whose helpers this reuses): interleaved blocks of each side, the
median time per step and the median of the per-repetition ratios. Never a pass/fail test.
"""
import argparse
import sys
import time

import numpy as np

import bench_engine
import graphviz_grad as vg
from bench_engine import _report, blas_threads, compare


def conv_step(lib, x, w, b):
    """conv2d forward and backward with every input needing a gradient."""
    tensors = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
    F = lib.nn.functional

    def step():
        for t in tensors:
            t.grad = None
        F.conv2d(*tensors).sum().backward()
    return step


def cifar_net(lib):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)
    return Net()


def cifar_step(lib, weights, x, y):
    """A fresh network with ``weights``; returns one training step of the blitz's loop."""
    net = cifar_net(lib)
    with lib.no_grad():
        for p, w in zip(net.parameters(), weights):
            p.copy_(lib.tensor(w))
    opt = lib.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    criterion = lib.nn.CrossEntropyLoss()
    inputs, labels = lib.tensor(x), lib.tensor(y)

    def step():
        opt.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        opt.step()
    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="a,b")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    import torch

    reps = 5 if args.quick else args.reps
    block_s = 0.1 if args.quick else 0.25
    threads, source = blas_threads(args.threads)
    torch.set_num_threads(args.threads or threads)
    bench_engine._clock = time.perf_counter
    print(f"graphviz_grad on NumPy {np.__version__}, torch {torch.__version__} CPU, Python {sys.version.split()[0]}; "
          f"BLAS threads {threads} ({source}), torch threads {torch.get_num_threads()}; {reps} repetitions")
    rng = np.random.default_rng(0)
    which = set(args.only.split(","))
    results = {}
    if "a" in which:
        for name, xs, ws in (("a. conv2d 64x3x32x32 * 6x3x5x5", (64, 3, 32, 32), (6, 3, 5, 5)),
                             ("a. conv2d 64x6x14x14 * 16x6x5x5", (64, 6, 14, 14), (16, 6, 5, 5))):
            x = rng.standard_normal(xs).astype(np.float32)
            w = rng.standard_normal(ws).astype(np.float32) * 0.1
            b = rng.standard_normal(ws[0]).astype(np.float32)
            results[name] = _report(f"{name}, forward + backward (input, weight, bias)", "graphviz_grad", "torch",
                                    compare(lambda: conv_step(vg, x, w, b), lambda: conv_step(torch, x, w, b), reps,
                                            block_s), 1.5)
    if "b" in which:
        weights = [p.detach().numpy().copy() for p in cifar_net(torch).parameters()]
        x = rng.standard_normal((64, 3, 32, 32)).astype(np.float32)
        y = rng.integers(0, 10, 64)
        results["b. CIFAR net"] = _report(
            "b. blitz CIFAR net, batch 64x3x32x32: forward, cross_entropy, backward, SGD(momentum=0.9) step",
            "graphviz_grad", "torch",
            compare(lambda: cifar_step(vg, weights, x, y), lambda: cifar_step(torch, weights, x, y), reps, block_s),
            1.5)
    print("summary: " + "   ".join(f"{k.split(',')[0]}: {v:.2f}×" for k, v in results.items()))


if __name__ == "__main__":
    main()
