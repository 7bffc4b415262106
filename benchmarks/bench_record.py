"""Cost of recording: one training step of the autograd tutorial with ``vg.record()`` on vs off.

    python benchmarks/bench_record.py [--reps 30] [--steps 20] [--device cpu|cuda]

The step is the tutorial's two-layer net (N=64, D_in=1000, H=100, D_out=10):
forward, ``loss.backward()``, the manual SGD update under ``no_grad`` and
``zero_()`` of the gradients. Off and on are timed side by side in one run:
each repetition times ``--steps`` steps without recording, then ``--steps``
steps each inside its own ``with vg.record():``, alternating which goes first; the medians are compared. Also printed:
one tape around all steps with a bounded ring (``max_events``),
``record(stats="eager")`` (every large array's min/max/mean/norm computed as
it is recorded; the default ``"lazy"`` computes them when the tape is read),
``vg.graph(loss)`` after backward, a recorder that does nothing (what the
engine's hooks cost by themselves), and a minimal log: one tuple per event
with weak references, no records (the floor under any recorder that sees
every event from Python). Target (issue 4): on/off ≤ 1.15×.

``--program gpt`` times the GPT lesson's training step instead (get_batch,
forward, backward, AdamW: about 1,040 events per step, 60% of them the
optimizer's update, which the tape logs per call of the update rule and turns
into op records only when read, see graphviz_grad/record/update_log.py);
target (issue 17) ≤ 1.5×. The "hooks only" and "minimal log" recorders take
every update op as it runs (they do not log the update), so they are floors
of the op-by-op recording, not of the logged one.

What the tape does at once and what it leaves for the first read (neither
program here reads its tape, so the figures are the cost of recording alone):
per event it keeps a record of each new tensor version (name, shape, dtype,
small values; a large array only as a weak reference with a write mark) and of
the op, and it finds the user's frame (once per library module call; per event
elsewhere). Statistics, thumbnails, op labels, the identities that names attach
to and the graph are made lazily, when the tape is first read.

Wall-clock medians are the figure; CPU time (``process_time``, all threads) is
printed beside them because it is steadier on a shared machine. A multi-threaded
BLAS that spins while waiting inflates both; ``OPENBLAS_NUM_THREADS=1`` gives
the steadiest figures on small machines.
"""
import argparse
import statistics
import time
import weakref

import graphviz_grad as vg
from graphviz_grad.autograd import hooks
from tutorial_steps import autograd_step

N, D_IN, H, D_OUT = 64, 1000, 100, 10


class NullRecorder:
    """A recorder that records nothing: the engine still calls it for every op and backward step."""

    def on_op(self, *args):
        pass

    on_function_start = on_function_end = on_backward_start = on_backward = on_inplace = on_op
    before_inplace = on_inplace_op = on_op
    takes_inplace_ops = True

    def __enter__(self):
        hooks.state.recorders = (self,) + hooks.state.recorders
        return self

    def __exit__(self, *exc):
        hooks.state.recorders = tuple(r for r in hooks.state.recorders if r is not self)
        return False


class MinimalLog(NullRecorder):
    """The least any recorder does: one tuple per event, tensors held weakly. Not a usable tape (no records,
    no names, no summaries): the floor under what recording every event can cost in Python."""

    def __init__(self):
        self.log = []

    def on_op(self, node, inputs, result):
        self.log.append((node.__class__, [_ref(t) for t in inputs], _ref(result), result._data.shape))

    def on_backward(self, node, grad, delivered):
        self.log.append((_ref(node), grad.shape, [None if g is None else g.shape for g in delivered]))

    def on_inplace(self, tensor, result, what=None, operands=(), key=None):
        self.log.append((_ref(tensor), what))

    def on_inplace_op(self, tensor, node, others):
        self.log.append((_ref(tensor), node.__class__))

    def before_inplace(self, tensor, others):
        pass

    def on_backward_start(self, node, grad):
        pass


_ref = weakref.ref


def time_steps(fn, steps):
    """(wall, CPU) seconds per step; CPU time (all threads) is steadier on a busy machine."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps, (time.process_time() - cpu) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--program", choices=("tutorial", "gpt"), default="tutorial",
                        help="gpt: the GPT lesson's training step (get_batch, forward, backward, AdamW); "
                             "target (issue 17) ≤ 1.5×")
    args = parser.parse_args()
    if args.program == "gpt":
        return compare_gpt(args)

    vg.manual_seed(0)
    dev = vg.device(args.device)
    x, y = vg.randn(N, D_IN, device=dev), vg.randn(N, D_OUT, device=dev)
    w1 = vg.randn(D_IN, H, device=dev, requires_grad=True)
    w2 = vg.randn(H, D_OUT, device=dev, requires_grad=True)
    step = autograd_step(vg, x, y, w1, w2, 1e-6)
    sync = vg.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    def off():
        step()
        sync()

    def on():
        with vg.record():
            step()
        sync()

    ring = vg.record(max_events=1000)

    def in_ring():
        with ring:
            step()
        sync()

    def graph_after_backward():
        loss = step()
        vg.graph(loss)
        sync()

    def null_recorder():
        with NullRecorder():
            step()
        sync()

    def minimal_log():
        with MinimalLog():
            step()
        sync()

    def eager():
        with vg.record(stats="eager"):
            step()
        sync()

    variants = {"off": off, "record() per step": on, "one ring tape": in_ring,
                "record(stats='eager')": eager, "step + vg.graph(loss)": graph_after_backward,
                "hooks only (null rec.)": null_recorder, "minimal log (floor)": minimal_log}
    for fn in variants.values():  # warm-up
        time_steps(fn, 3)
    times = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    names = list(variants)
    for rep in range(args.reps):
        order = names if rep % 2 == 0 else names[::-1]
        for name in order:
            wall, used = time_steps(variants[name], args.steps)
            times[name].append(wall)
            cpu[name].append(used)
    base = statistics.median(times["off"])
    cpu_base = statistics.median(cpu["off"])
    print(f"tutorial step N={N} D_in={D_IN} H={H} D_out={D_OUT} on {dev}, {args.reps} reps × {args.steps} steps")
    for name in names:
        med, cpu_med = statistics.median(times[name]), statistics.median(cpu[name])
        print(f"  {name:<24} {med * 1e3:8.3f} ms/step   ratio to off {med / base:5.3f}×"
              f"   (CPU {cpu_med * 1e3:8.3f} ms/step, {cpu_med / cpu_base:5.3f}×)")
    ratio = statistics.median(times["record() per step"]) / base
    cpu_ratio = statistics.median(cpu["record() per step"]) / cpu_base
    print(f"recording on/off: {ratio:.3f}× (CPU time {cpu_ratio:.3f}×; target ≤ 1.15×)")


def gpt_step():
    """One training step of the GPT lesson (its own model, optimizer and batches), as a function."""
    from graphviz_grad.lessons import LESSONS

    v = LESSONS["gpt"].run(steps=1, max_new_tokens=1).variables
    model, optimizer, get_batch = v["model"], v["optimizer"], v["get_batch"]

    def step():
        xb, yb = get_batch("train")
        logits, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss
    return step


def compare_gpt(args):
    step = gpt_step()

    def on():
        with vg.record():
            step()

    def null_recorder():
        with NullRecorder():
            step()

    def minimal_log():
        with MinimalLog():
            step()

    variants = {"off": step, "record() per step": on, "hooks only (null rec.)": null_recorder,
                "minimal log (floor)": minimal_log}
    for fn in variants.values():
        time_steps(fn, 2)
    times = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    names = list(variants)
    for rep in range(args.reps):
        for name in (names if rep % 2 == 0 else names[::-1]):
            wall, used = time_steps(variants[name], args.steps)
            times[name].append(wall)
            cpu[name].append(used)
    base, cpu_base = statistics.median(times["off"]), statistics.median(cpu["off"])
    print(f"GPT lesson step (n_embd 64, 4 heads, 2 blocks, block 32, batch 16, AdamW), {args.reps} reps × {args.steps} steps")
    for name in names:
        med, cpu_med = statistics.median(times[name]), statistics.median(cpu[name])
        print(f"  {name:<24} {med * 1e3:8.3f} ms/step   ratio to off {med / base:5.3f}×"
              f"   (CPU {cpu_med * 1e3:8.3f} ms/step, {cpu_med / cpu_base:5.3f}×)")
    print(f"recording on/off: {statistics.median(times['record() per step']) / base:.3f}× "
          f"(CPU time {statistics.median(cpu['record() per step']) / cpu_base:.3f}×; target ≤ 1.5×)")


if __name__ == "__main__":
    main()
