"""Speed of the tensor ops the lessons after the tutorial use (issue 15), against PyTorch on the CPU.

    python benchmarks/bench_lesson_ops.py            # the makemore MLP step by hand + each op
    python benchmarks/bench_lesson_ops.py --quick    # fewer repetitions (a smoke run, noisier)
    python benchmarks/bench_lesson_ops.py --ops gelu erf cumsum   # only these ops

1. makemore 2's MLP step written by hand, as in the lesson (27 letters, 10-d embedding, block 3,
   200 hidden, batch 32, float32): ``emb = C[X[ix]]``, ``tanh(emb.view(-1, 30) @ W1 + b1)``,
   ``@ W2 + b2``, ``F.cross_entropy``, ``p.grad = None``, ``backward()``, ``p.data += -lr * p.grad``.
   Timed with bench_engine's interleaved blocks, one BLAS thread each. Target (issue 15): ≤ 1.0×.
2. Each op of issue 15 on sizes from makemore and the GPT (batch 16, block 32, n_embd 64, 4 heads):
   forward and backward (upstream gradient of ones), best of 5 runs of 30 calls, ours / torch's.
   ``--ops gelu cumsum`` times only the ops whose names contain those words.

Never a pass/fail test: the figures are printed, the tests assert correctness.
"""
import argparse
import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import graphviz_grad as vg  # noqa: E402
from bench_engine import _report, _torch, blas_threads, compare  # noqa: E402

B, T, N_EMBD, HEADS = 16, 32, 64, 4


def mlp_step(lib, seed=0):
    """A fresh makemore MLP step function (parameters and 64 batches drawn from ``seed``)."""
    rng = np.random.default_rng(seed)
    X, Y = rng.integers(0, 27, (20000, 3)), rng.integers(0, 27, 20000)
    batches = [lib.tensor(rng.integers(0, 20000, 32)) for _ in range(64)]
    params = [lib.tensor(rng.normal(size=s).astype(np.float32), requires_grad=True)
              for s in [(27, 10), (30, 200), (200,), (200, 27), (27,)]]
    Xt, Yt = lib.tensor(X), lib.tensor(Y)
    F = lib.nn.functional
    count = [0]

    def step():
        C, W1, b1, W2, b2 = params
        ix = batches[count[0] % 64]
        count[0] += 1
        emb = C[Xt[ix]]
        h = lib.tanh(emb.view(-1, 30) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yt[ix])
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data += -0.1 * p.grad

    return step


def _ops(rng):
    """(name, input shapes, fn(lib, *tensors)) of each op, on the lessons' sizes."""
    X = rng.integers(0, 65, (B, T))
    Xm = rng.integers(0, 27, (32, 3))
    Y = rng.integers(0, 65, B * T)
    index = rng.integers(0, 65, (B * T, 1))
    return [
        ("C[X] GPT embedding (65x64, 16x32)", [(65, N_EMBD)], lambda lib, c: c[lib.tensor(X)]),
        ("C[X] makemore (27x10, 32x3)", [(27, 10)], lambda lib, c: c[lib.tensor(Xm)]),
        ("logits[arange(n), Y] (512x65)", [(B * T, 65)], lambda lib, a: a[lib.arange(B * T), lib.tensor(Y)]),
        ("masked_fill(tril == 0) + softmax", [(B, T, T)],
         lambda lib, a: a.masked_fill(lib.tril(lib.ones(T, T)) == 0, float("-inf")).softmax(-1)),
        ("q @ k.transpose(-2, -1) (16,4,32,16)", [(B, HEADS, T, 16)] * 2, lambda lib, q, k: q @ k.transpose(-2, -1)),
        ("einsum bhqd,bhkd->bhqk", [(B, HEADS, T, 16)] * 2, lambda lib, q, k: lib.einsum("bhqd,bhkd->bhqk", q, k)),
        ("std(0, keepdim) (32x200)", [(32, 200)], lambda lib, a: a.std(0, keepdim=True)),
        ("var(-1, unbiased=False) (512x64)", [(B * T, N_EMBD)], lambda lib, a: a.var(-1, keepdim=True, unbiased=False)),
        ("logsumexp(1) (512x65)", [(B * T, 65)], lambda lib, a: lib.logsumexp(a, 1)),
        ("gather(1) (512x65)", [(B * T, 65)], lambda lib, a: a.gather(1, lib.tensor(index))),
        ("cumsum(1) (512x65)", [(B * T, 65)], lambda lib, a: a.cumsum(1)),
        ("cumsum(0) (64x512)", [(64, B * T)], lambda lib, a: a.cumsum(0)),
        ("cumsum(1) long rows (8x4096)", [(8, 4096)], lambda lib, a: a.cumsum(1)),
        ("prod(1) (64x8)", [(64, 8)], lambda lib, a: a.prod(1)),
        ("erf (512x256)", [(B * T, 4 * N_EMBD)], lambda lib, a: lib.erf(a)),
        ("gelu (512x256)", [(B * T, 4 * N_EMBD)], lambda lib, a: lib.nn.functional.gelu(a)),
        ("gelu tanh (512x256)", [(B * T, 4 * N_EMBD)], lambda lib, a: lib.nn.functional.gelu(a, approximate="tanh")),
        ("silu (512x256)", [(B * T, 4 * N_EMBD)], lambda lib, a: lib.nn.functional.silu(a)),
    ]


def op_times(torch, repeat, only=None):
    rng = np.random.default_rng(0)
    print("Each op, forward + backward (µs per call, best of runs of 30):")
    for name, shapes, fn in _ops(rng):
        if only and not any(word in name for word in only):
            continue
        arrays = [rng.normal(size=s).astype(np.float32) for s in shapes]
        times = []
        for lib in (vg, torch):
            inputs = [lib.tensor(a, requires_grad=True) for a in arrays]

            def call():
                out = fn(lib, *inputs)
                out.backward(lib.ones_like(out))

            call()
            times.append(min(timeit.repeat(call, number=30, repeat=repeat)) / 30)
        print(f"  {name:<38} ours {times[0] * 1e6:8.1f}   torch {times[1] * 1e6:8.1f}   ratio {times[0] / times[1]:5.2f}×")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--ops", nargs="+", metavar="WORD",
                        help="only the ops whose names contain one of these words (e.g. gelu cumsum); no MLP step")
    args = parser.parse_args(argv)
    torch = _torch()
    if torch is None:
        print("torch is not importable: nothing to compare against")
        return
    blas_threads(1)
    torch.set_num_threads(1)
    if args.ops:
        op_times(torch, 3 if args.quick else 5, args.ops)
        return
    result = compare(lambda: mlp_step(vg), lambda: mlp_step(torch), reps=7 if args.quick else 21,
                     block_s=0.05 if args.quick else 0.15)
    _report("1. makemore MLP step by hand (float32, batch 32)", "graphviz_grad", "torch", result, 1.0)
    op_times(torch, 3 if args.quick else 5)


if __name__ == "__main__":
    main()
