"""Cost of drawing: ``vg.viz.render`` vs raw pygraphviz, and a 50-frame stepper vs one render.

    python benchmarks/bench_viz.py [--reps 3] [--nodes 2000] [--layered 500] [--frames 50]
    python benchmarks/bench_viz.py --curve [--reps 3]
    python benchmarks/bench_viz.py --browser

Both comparisons are timed side by side in one run (alternating which goes
first in each repetition) and reported as ratios of medians:

1. ``vg.viz.render(G, "x.svg")`` of a graph of about ``--nodes`` drawn nodes
   (model → diagram → DOT → layout → SVG → file) against pygraphviz laying out
   and drawing the very same DOT text to SVG (``AGraph(string=dot).draw(format="svg",
   prog="dot")``), the least any renderer must do. Target (issue 5): ≤ 1.2×.
   Two graphs: a chain of the size the issue names, and a smaller layered
   graph with module clusters, parameters and crossings, the shape of a real
   network (``--layered 0`` skips it; at 2,000 nodes its layout alone takes
   tens of seconds).
2. ``vg.viz.stepper(G, "x.html")`` over a graph with ``--frames`` steps (one
   layout, every frame a restyling) against one ``vg.viz.render`` of the same
   graph to SVG. Target (issue 5): ≤ 2×.

``--browser`` instead opens steppers of the transformer-like training step in
headless Chromium (selenium; skipped where it is missing) and prints, per page,
its size, the time to load it (navigation start to the load event), a frame
change (a click on ``next``: the new frame's style and layout, forced; and
until the next frame is painted, which includes waiting for the display's
60 Hz tick, up to 17 ms), and
opening a module box (unpacking its picture, swapping it in). Targets (issue
17): load ≤ 2 s, frame change ≤ 50 ms.

``--curve`` instead prints Graphviz's layout time (DOT → SVG, in-process)
against the number of drawn nodes, for chains and layered nets of growing
size (drawn in full: ``level="tensor"``, ``roll=False``), then the default
picture (no options) of a recorded training step of a transformer-like stack
(``tests/test_viz_big.py``: blocks of attention heads, Adam), rolled and
unrolled, from the tape to the SVG file. Target (issue 17): the default
picture of a lesson's step under 2 s.

The graphs are built by hand in the documented schema (a chain of ``neg`` ops
after backward, and a layered net of ``mul``/``add`` ops), so only drawing is timed.
Timings are printed, never asserted. Graphviz's layout of 2,000 nodes takes
seconds, so the whole run takes minutes.
"""
import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time

import networkx as nx

import graphviz_grad as vg
from graphviz_grad.viz.draw import prepare


def _summary(value, numel=1):
    return {"values": value, "numel": numel}


def _tensor(G, node_id, name, value, role, grad):
    G.add_node(node_id, kind="tensor", name=name, shape=[], dtype="float32", device="cpu",
               requires_grad=True, is_leaf=role in ("leaf", "parameter"), role=role,
               data=_summary(value), grad=_summary(grad), module=None)


def _op(G, node_id, op, step, back, n_inputs, module=None):
    G.add_node(node_id, kind="op", op=op, label=op, grad_fn=op.capitalize() + "Backward0", attrs={},
               forward_step=step, backward_step=back, module=module,
               derivative=["grad"] * n_inputs, phase="forward", custom=False, anomaly=False)


def wide_graph(n_nodes, width=8):
    """A layered net after backward: ``width`` parallel lanes, each step ``h = h * w + c``, joined at the end.

    Every lane step adds a parameter, two ops and two tensors, with modules as
    clusters (one per layer), so the layout has real crossings and ranks to solve.
    About ``n_nodes`` nodes in all.
    """
    G = nx.MultiDiGraph(schema=1, backward_done=True)
    ids = iter(range(10 ** 9))
    step = 0
    lanes = []
    for lane in range(width):
        t = f"t{next(ids)}"
        _tensor(G, t, f"x{lane}", 0.5 + lane, "leaf", 1.0)
        lanes.append(t)
    per_layer = width * 5  # w, mul, tmp, add, h (c shared per layer)
    layers = max(1, (n_nodes - width) // (per_layer + 1))
    ops = []
    for layer in range(layers):
        c = f"t{next(ids)}"
        _tensor(G, c, f"layer{layer}.c", 0.1, "parameter", 1.0)
        for lane in range(width):
            w, tmp, h = (f"t{next(ids)}" for _ in range(3))
            mul, add = f"op{next(ids)}", f"op{next(ids)}"
            _tensor(G, w, f"layer{layer}.w{lane}", 1.01, "parameter", 0.5)
            _op(G, mul, "mul", step, None, 2, f"layer{layer}")
            _tensor(G, tmp, tmp, 1.0, "intermediate", 1.0)
            _op(G, add, "add", step + 1, None, 2, f"layer{layer}")
            _tensor(G, h, h, 1.1, "intermediate", 1.0)
            step += 2
            src = lanes[(lane + layer) % width] if layer % 2 else lanes[lane]
            for pos, t in enumerate((src, w)):
                G.add_edge(t, mul, kind="input", position=pos, grad=_summary(1.0), rule=None)
            G.add_edge(mul, tmp, kind="output", position=0)
            for pos, t in enumerate((tmp, c)):
                G.add_edge(t, add, kind="input", position=pos, grad=_summary(1.0), rule=None)
            G.add_edge(add, h, kind="output", position=0)
            ops += [mul, add]
            lanes[lane] = h
    for back, op in enumerate(reversed(ops)):
        G.nodes[op]["backward_step"] = back
    last = lanes[-1]
    G.nodes[last]["role"] = "output"
    G.graph["root"] = last
    return G


def chain_graph(n_ops):
    """``x → neg → neg → ...`` after backward: ``2·n_ops + 1`` nodes, ``n_ops`` forward and backward frames."""
    G = nx.MultiDiGraph(schema=1, root=f"t{n_ops}", backward_done=True)
    _tensor(G, "t0", "x", 1.0, "leaf", 1.0)
    for i in range(n_ops):
        _op(G, f"op{i}", "neg", i, n_ops - 1 - i, 1)
        role = "output" if i == n_ops - 1 else "intermediate"
        _tensor(G, f"t{i + 1}", f"t{i + 1}", (-1.0) ** (i + 1), role, 1.0)
        G.add_edge(f"t{i}", f"op{i}", kind="input", position=0, grad=_summary(1.0), rule=None)
        G.add_edge(f"op{i}", f"t{i + 1}", kind="output", position=0)
    return G


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def side_by_side(a, b, reps):
    """Median seconds of ``a`` and of ``b``, run alternately (``a`` first on even repetitions)."""
    ta, tb = [], []
    for rep in range(reps):
        if rep % 2 == 0:
            ta.append(timed(a))
            tb.append(timed(b))
        else:
            tb.append(timed(b))
            ta.append(timed(a))
    return statistics.median(ta), statistics.median(tb)


FULL = {"level": "tensor", "roll": False}  # every node drawn: the layered net's layers would roll


def curve(reps):
    """Layout time against drawn nodes: chains, layered nets, and the default picture of a training step."""
    import sys

    from graphviz_grad.viz.layout import render_bytes

    print("layout time (DOT -> SVG, in-process Graphviz) against size; medians of", reps)
    print(f"{'graph':<34}{'drawn nodes':>12}{'edges':>8}{'layout s':>10}")
    for what, make, sizes in (("chain", lambda n: chain_graph((n - 1) // 2), (101, 251, 501, 1001, 1999)),
                              ("layered net, clusters", lambda n: wide_graph(n, width=4), (100, 250, 500, 1000))):
        for size in sizes:
            _, diagram, digraph = prepare(make(size), **FULL)
            source = digraph.source
            t = statistics.median(timed(lambda: render_bytes(source, "svg")) for _ in range(reps))
            print(f"{what:<34}{len(diagram.nodes):>12}{len(diagram.edges):>8}{t:>10.3f}")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
    from test_viz_big import transformer_step

    out = tempfile.mkdtemp(prefix="bench-viz-")
    for blocks, heads in ((2, 2), (4, 4)):
        tape = transformer_step(blocks=blocks, heads=heads)
        for roll in (True, False):
            what = f"step {blocks} blocks x {heads} heads" + ("" if roll else " unrolled")
            diagram = prepare(tape, roll=roll)[1]
            path = os.path.join(out, "step.svg")
            vg.viz.render(tape, path, roll=roll)  # warm up
            t = statistics.median(timed(lambda: vg.viz.render(tape, path, roll=roll)) for _ in range(reps))
            print(f"{what:<34}{len(diagram.nodes):>12}{len(diagram.edges):>8}{t:>10.3f}"
                  f"   default picture ({diagram.level} level), tape -> file; target < 2 s")


_FRAME_TIMES = """
const done = arguments[arguments.length - 1], next = document.getElementById('vg-next'),
      prev = document.getElementById('vg-prev'), forced = [], painted = [];
for (let i = 0; i < 40; i++) {
    const t = performance.now();
    (i % 2 ? prev : next).click();
    document.body.getBoundingClientRect();
    forced.push(performance.now() - t);
}
let i = 0;
function one() {
    const t = performance.now();
    (i % 2 ? prev : next).click();
    requestAnimationFrame(() => setTimeout(() => {  // runs once the frame after the click is painted
        painted.push(performance.now() - t);
        if (++i < 20) { one(); } else { done([forced, painted]); }
    }, 0));
}
one();
"""


def browser_times():
    """Load, frame change and box opening of steppers in headless Chromium (see the module docstring)."""
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
    from test_stepper_browser import _chrome
    from test_viz_big import transformer_step

    out = tempfile.mkdtemp(prefix="bench-viz-")
    driver = _chrome()
    try:
        print(f"{'stepper page':<40}{'boxes':>6}{'frames':>7}{'kB':>7}{'write s':>8}{'load ms':>9}"
              f"{'frame ms':>9}{'paint ms':>9}{'open ms':>8}")
        for blocks, heads, level, roll in ((2, 2, None, True), (2, 2, None, False), (2, 2, "module", True),
                                           (4, 4, "module", True), (4, 4, None, False)):
            tape = transformer_step(blocks=blocks, heads=heads)
            path = os.path.join(out, f"step-{blocks}-{heads}-{level}-{roll}.html")
            t_write = timed(lambda: vg.viz.stepper(tape, path, level=level, roll=roll))
            loads = []
            for _ in range(3):
                driver.get("file://" + path)
                loads.append(driver.execute_script(
                    "return performance.getEntriesByType('navigation')[0].loadEventEnd"))
            info = driver.execute_script("""return {boxes: document.querySelectorAll('#vg-diagram g.node').length,
                frames: document.getElementById('vg-list').children.length,
                openable: document.querySelector('#vg-diagram g.vg-openable') &&
                          document.querySelector('#vg-diagram g.vg-openable').id}""")
            driver.set_script_timeout(30)
            forced, painted = driver.execute_async_script(_FRAME_TIMES)
            opened = ""
            if info["openable"]:
                opened = driver.execute_async_script("""
                    const done = arguments[arguments.length - 1], root = document.getElementById('vg-stepper');
                    const t = performance.now();
                    document.getElementById(arguments[0]).dispatchEvent(new MouseEvent('click', {bubbles: true}));
                    (function wait() {
                        if (root.dataset.view !== '0' && root.dataset.view !== 'loading') {
                            requestAnimationFrame(() => done(performance.now() - t));
                        } else { setTimeout(wait, 1); }
                    })();""", info["openable"])
                opened = f"{opened:8.0f}"
            what = (f"{blocks} blocks x {heads} heads, " + (f"level={level}" if level else "default")
                    + ("" if roll else ", unrolled"))
            print(f"{what:<40}{info['boxes']:>6}{info['frames']:>7}{os.path.getsize(path) / 1e3:>7.0f}"
                  f"{t_write:>8.2f}{statistics.median(loads):>9.0f}{statistics.median(forced):>9.1f}"
                  f"{statistics.median(painted):>9.1f}{opened:>8}")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        print("console errors:", errors or "none", "· targets: load <= 2000 ms, frame change <= 50 ms")
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curve", action="store_true", help="layout time against graph size (see above)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--layered", type=int, default=500, help="nodes of the layered graph (0: skip it)")
    parser.add_argument("--frames", type=int, default=50)
    parser.add_argument("--browser", action="store_true", help="stepper load and frame times in Chromium")
    args = parser.parse_args()
    if args.browser:
        browser_times()
        return
    if args.curve:
        curve(args.reps)
        return

    import pygraphviz

    out = tempfile.mkdtemp(prefix="bench-viz-")
    print(f"pygraphviz {pygraphviz.__version__}, Graphviz in-process; {args.reps} repetitions, medians")

    graphs = [("chain", chain_graph((args.nodes - 1) // 2))]
    if args.layered:
        graphs.append(("layered, clusters", wide_graph(args.layered, width=4)))
    for what, G in graphs:
        drawn = len(prepare(G, **FULL)[1].nodes)
        source = vg.viz.draw(G, **FULL).source
        ours_path, raw_path = os.path.join(out, "ours.svg"), os.path.join(out, "raw.svg")

        def ours():
            vg.viz.render(G, ours_path, **FULL)

        def raw():
            with contextlib.redirect_stderr(io.StringIO()):  # pygraphviz's "layout may take a long time"
                data = pygraphviz.AGraph(string=source).draw(format="svg", prog="dot")
            with open(raw_path, "wb") as f:
                f.write(data)

        ours()  # warm up: imports, fonts
        t_ours, t_raw = side_by_side(ours, raw, args.reps)
        print(f"render {drawn:5d} nodes ({what}) to SVG: vg.viz.render {t_ours * 1000:8.1f} ms   "
              f"raw pygraphviz {t_raw * 1000:8.1f} ms   ratio {t_ours / t_raw:.2f}x  (target <= 1.2x)")

    lesson_graph = chain_graph(args.frames // 2)
    frames = len(vg.viz.steps(lesson_graph, os.path.join(out, "frames"), **FULL))

    def stepper():
        vg.viz.stepper(lesson_graph, os.path.join(out, "lesson.html"), **FULL)

    def single():
        vg.viz.render(lesson_graph, os.path.join(out, "single.svg"), **FULL)

    t_step, t_one = side_by_side(stepper, single, args.reps)
    print(f"stepper of {frames} frames vs one render: vg.viz.stepper {t_step * 1000:7.1f} ms   "
          f"vg.viz.render {t_one * 1000:7.1f} ms   ratio {t_step / t_one:.2f}x  (target <= 2x)")


if __name__ == "__main__":
    main()
