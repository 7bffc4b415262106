"""Speed of the layers with state against PyTorch: Embedding, LayerNorm, BatchNorm1d, AdamW, and the
makemore MLP step that uses them, side by side in one run (one BLAS thread for both by default).

    python benchmarks/bench_layers.py            # every case
    python benchmarks/bench_layers.py --quick    # fewer repetitions (a smoke run, noisier)
    python benchmarks/bench_layers.py --only mlp,adamw --clock cpu

Cases (float32, torch 2.x CPU on the other side, the same program written once for both):

- ``embedding``: ``nn.Embedding(65, 64)`` looked up by a (16, 32) batch, forward and backward
  (the GPT's token table; duplicates summed into the weight gradient);
- ``layernorm``: ``nn.LayerNorm(64)`` on (16, 32, 64), forward and backward;
- ``batchnorm``: ``nn.BatchNorm1d(200)`` on (32, 200) in train mode, forward and backward (and
  the running statistics);
- ``adamw``: ``optim.AdamW.step()`` over the parameter shapes of the GPT of issue 15 (n_embd 64,
  4 heads, 2 blocks, vocabulary 65, block 32: 31 tensors, 0.1 M numbers);
- ``mlp``: the makemore MLP step (27 letters, 10-d embedding, block 3, 200 hidden, batch 32):
  ``Embedding``, ``view``, ``Linear(bias=False)``, ``BatchNorm1d``, ``Tanh``, ``Linear``,
  ``cross_entropy``, ``zero_grad``, ``backward``, SGD step. Target (issue 15): ≤ 1.0×;
- ``mlp2``: the same network as makemore part 2 writes it by hand: ``C[X]``, ``@``, ``tanh``,
  ``cross_entropy``, ``p.grad = None``, ``p.data += -0.1 * p.grad``. Target: ≤ 1.0×;
- ``lm``: a GPT-shaped step without attention (token + position embeddings, two residual
  LayerNorm + MLP blocks, final LayerNorm, head, cross_entropy on (B*T, C), AdamW): the parts of
  the GPT step that are not attention;
- ``gpt``: the whole GPT step of the lesson (4 heads of causal self-attention per block, batched
  ``@``, ``transpose(-2, -1)``, softmax), its causal mask added as a 0/-inf constant instead of
  ``masked_fill`` (same arithmetic), no dropout. Target (issue 15): ≤ 1.5×.

Printed per case: the median time per step of each side and the median ratio, as bench_engine.py
(whose interleaved timing this reuses). Never a pass/fail test.
"""
import argparse
import sys
import time

import numpy as np

import bench_engine
from bench_engine import _report, blas_threads, compare

import graphviz_grad as vg


def _torch():
    import torch
    return torch


# --- the programs, written once; ``lib`` is graphviz_grad or torch ------------------------------------


def embedding_step(lib):
    lib.manual_seed(0)
    table = lib.nn.Embedding(65, 64)
    idx = lib.tensor(np.random.default_rng(0).integers(0, 65, (16, 32)))
    grad = lib.tensor(np.random.default_rng(1).standard_normal((16, 32, 64)).astype(np.float32))

    def step():
        table.weight.grad = None
        table(idx).backward(grad)
    return step


def layernorm_step(lib):
    ln = lib.nn.LayerNorm(64)
    x = lib.tensor(np.random.default_rng(0).standard_normal((16, 32, 64)).astype(np.float32), requires_grad=True)
    grad = lib.tensor(np.random.default_rng(1).standard_normal((16, 32, 64)).astype(np.float32))

    def step():
        ln.zero_grad()
        x.grad = None
        ln(x).backward(grad)
    return step


def batchnorm_step(lib):
    bn = lib.nn.BatchNorm1d(200)
    x = lib.tensor(np.random.default_rng(0).standard_normal((32, 200)).astype(np.float32), requires_grad=True)
    grad = lib.tensor(np.random.default_rng(1).standard_normal((32, 200)).astype(np.float32))

    def step():
        bn.zero_grad()
        x.grad = None
        bn(x).backward(grad)
    return step


def gpt_param_shapes(n_embd=64, n_head=4, n_layer=2, vocab=65, block=32):
    head = n_embd // n_head
    shapes = [(vocab, n_embd), (block, n_embd)]
    for _ in range(n_layer):
        shapes += [(head, n_embd)] * (3 * n_head) + [(n_embd, n_embd), (n_embd,)]
        shapes += [(4 * n_embd, n_embd), (4 * n_embd,), (n_embd, 4 * n_embd), (n_embd,)]
        shapes += [(n_embd,)] * 4
    return shapes + [(n_embd,), (n_embd,), (vocab, n_embd), (vocab,)]


def adamw_step(lib):
    rng = np.random.default_rng(0)
    params = [lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in gpt_param_shapes()]
    for p in params:
        p.grad = lib.tensor(rng.standard_normal(p.shape).astype(np.float32))
    opt = lib.optim.AdamW(params, lr=1e-3)
    return opt.step


def mlp_data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 27, (32, 3)), rng.integers(0, 27, 32)


def mlp_step(lib, data):
    lib.manual_seed(42)
    X, Y = (lib.tensor(a) for a in data)
    C = lib.nn.Embedding(27, 10)
    layers = [lib.nn.Linear(30, 200, bias=False), lib.nn.BatchNorm1d(200), lib.nn.Tanh(), lib.nn.Linear(200, 27)]
    params = [C.weight] + [p for layer in layers for p in layer.parameters()]
    opt = lib.optim.SGD(params, lr=0.1)
    F = lib.nn.functional

    def step():
        emb = C(X)
        x = emb.view(emb.shape[0], -1)
        for layer in layers:
            x = layer(x)
        loss = F.cross_entropy(x, Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    return step


def mlp_by_hand_step(lib, data):
    """makemore part 2 as the lesson writes it: ``C[X]``, tensors as parameters, ``p.data += -lr * p.grad``."""
    rng = np.random.default_rng(2147483647)
    X, Y = (lib.tensor(a) for a in data)
    C, W1, b1, W2, b2 = (lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
                         for s in ((27, 10), (30, 200), (200,), (200, 27), (27,)))
    parameters = [C, W1, b1, W2, b2]
    F = lib.nn.functional

    def step():
        emb = C[X]
        h = lib.tanh(emb.view(-1, 30) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Y)
        for p in parameters:
            p.grad = None
        loss.backward()
        for p in parameters:
            p.data += -0.1 * p.grad
        return loss
    return step


def lm_step(lib, B=16, T=32, n_embd=64, vocab=65, n_layer=2):
    lib.manual_seed(0)
    rng = np.random.default_rng(0)
    idx = lib.tensor(rng.integers(0, vocab, (B, T)))
    targets = lib.tensor(rng.integers(0, vocab, (B, T)))
    pos = lib.tensor(np.arange(T))
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln = nn.LayerNorm(n_embd)
            self.ffwd = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(), nn.Linear(4 * n_embd, n_embd))

        def forward(self, x):
            return x + self.ffwd(self.ln(x))

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, n_embd)
            self.pos = nn.Embedding(T, n_embd)
            self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.head = nn.Linear(n_embd, vocab)

        def forward(self, idx, targets):
            x = self.tok(idx) + self.pos(pos)
            logits = self.head(self.ln_f(self.blocks(x)))
            return nn.functional.cross_entropy(logits.view(B * T, vocab), targets.view(B * T))

    model = LM()
    opt = lib.optim.AdamW(model.parameters(), lr=1e-3)

    def step():
        loss = model(idx, targets)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss
    return step


def gpt_model(lib, B=16, T=32, n_embd=64, n_head=4, n_layer=2, vocab=65):
    """``(model, idx, targets)``: the GPT of "let's build GPT" (no dropout), its causal mask ADDED as a
    constant of 0 and -inf (the lesson's ``tril``/``masked_fill`` are another engineer's ops; the
    arithmetic is the same); ``model(idx, targets)`` is the loss."""
    lib.manual_seed(0)
    rng = np.random.default_rng(0)
    idx = lib.tensor(rng.integers(0, vocab, (B, T)))
    targets = lib.tensor(rng.integers(0, vocab, (B, T)))
    pos = lib.tensor(np.arange(T))
    mask = lib.tensor(np.triu(np.full((T, T), -np.inf, dtype=np.float32), 1))
    nn, F = lib.nn, lib.nn.functional
    head_size = n_embd // n_head

    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.key = nn.Linear(n_embd, head_size, bias=False)
            self.query = nn.Linear(n_embd, head_size, bias=False)
            self.value = nn.Linear(n_embd, head_size, bias=False)
            self.register_buffer("mask", mask)

        def forward(self, x):
            k, q = self.key(x), self.query(x)
            wei = q @ k.transpose(-2, -1) * head_size ** -0.5 + self.mask
            return F.softmax(wei, dim=-1) @ self.value(x)

    class MultiHeadAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleList([Head() for _ in range(n_head)])
            self.proj = nn.Linear(n_embd, n_embd)

        def forward(self, x):
            return self.proj(lib.cat([h(x) for h in self.heads], dim=-1))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.sa = MultiHeadAttention()
            self.ffwd = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(), nn.Linear(4 * n_embd, n_embd))
            self.ln1, self.ln2 = nn.LayerNorm(n_embd), nn.LayerNorm(n_embd)

        def forward(self, x):
            x = x + self.sa(self.ln1(x))
            return x + self.ffwd(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, n_embd)
            self.pos = nn.Embedding(T, n_embd)
            self.blocks = nn.Sequential(*[Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.head = nn.Linear(n_embd, vocab)

        def forward(self, idx, targets):
            x = self.tok(idx) + self.pos(pos)
            logits = self.head(self.ln_f(self.blocks(x)))
            return F.cross_entropy(logits.view(B * T, vocab), targets.view(B * T))

    return GPT(), idx, targets


def gpt_step(lib):
    model, idx, targets = gpt_model(lib)
    opt = lib.optim.AdamW(model.parameters(), lr=1e-3)

    def step():
        loss = model(idx, targets)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss
    return step


CASES = {
    "embedding": ("nn.Embedding(65, 64) on (16, 32): forward + backward", embedding_step, None),
    "layernorm": ("nn.LayerNorm(64) on (16, 32, 64): forward + backward", layernorm_step, None),
    "batchnorm": ("nn.BatchNorm1d(200) on (32, 200), train: forward + backward", batchnorm_step, None),
    "adamw": ("optim.AdamW.step() over the GPT's 31 parameter tensors", adamw_step, None),
    "mlp": ("makemore MLP step (27, emb 10, hidden 200, batch 32, BatchNorm1d, SGD)", None, 1.0),
    "mlp2": ("makemore part 2 by hand (C[X], tanh, cross_entropy, p.data += -lr * p.grad)", None, 1.0),
    "lm": ("GPT-shaped step without attention (B 16, T 32, n_embd 64, 2 blocks, AdamW)", lm_step, 1.5),
    "gpt": ("the GPT step (B 16, T 32, n_embd 64, 4 heads, 2 blocks, AdamW; mask added)", gpt_step, 1.5),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="5 repetitions, shorter blocks")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads of NumPy and torch both")
    args = parser.parse_args(argv)
    reps = 5 if args.quick else args.reps
    block_s = 0.05 if args.quick else 0.15
    torch = _torch()
    threads, source = blas_threads(args.threads)
    torch.set_num_threads(threads)
    bench_engine._clock = time.perf_counter if args.clock == "wall" else time.process_time
    print(f"graphviz_grad on NumPy {np.__version__} vs torch {torch.__version__} CPU, Python "
          f"{sys.version.split()[0]}; BLAS threads {threads} ({source}); {reps} interleaved repetitions")
    results = {}
    for key in args.only.split(","):
        title, make, target = CASES[key]
        if key in ("mlp", "mlp2"):
            data, program = mlp_data(), mlp_step if key == "mlp" else mlp_by_hand_step
            make_ours, make_theirs = (lambda: program(vg, data)), (lambda: program(torch, data))
        else:
            make_ours, make_theirs = (lambda: make(vg)), (lambda: make(torch))
        result = compare(make_ours, make_theirs, reps, block_s)
        if target is None:  # a part of a step: no target of its own
            ta, tb, ratio, steps = result
            print(f"{key}: {title}\n  graphviz_grad {ta * 1e3:9.3f} ms/step   torch {tb * 1e3:9.3f} ms/step   "
                  f"ratio {ratio:.3f}×")
            results[key] = ratio
        else:
            results[key] = _report(f"{key}: {title}", "graphviz_grad", "torch", result, target)
    print("summary: " + "   ".join(f"{k} {v:.3f}×" for k, v in results.items()))


if __name__ == "__main__":
    main()
