"""``vizgrad docs OUT_DIR``: regenerate every documentation image, deterministically.

Run from the repository root as ``vizgrad docs docs/``: every image the pages
under ``docs/`` and the README show is written below ``docs/images/``.

:data:`DIAGRAMS` is that list: each entry names a file (or a folder, for step
frames) under ``OUT_DIR`` and what it draws:

- ``expression``: an expression of ``vizgrad render`` with its inputs;
- ``program``: one of the seed tutorial's programs (:data:`PROGRAMS`, their
  code in ``graphviz_grad/lessons/tutorial_*.py``), run by :func:`run_program`
  for one step up to ``loss.backward()``, at the tutorial's sizes or ``tiny``;
  ``draws`` names its variable to draw (its tensors are labelled by their
  variable names, as in the lesson);
- ``example``: the last step of a tutorial network or lesson of ``vizgrad train``
  (:data:`LESSON_RUNS`: the lessons of ``graphviz_grad/lessons/``, whose code
  is the lesson module itself, so it is not copied here);
- ``plot``: the loss per step of ``vizgrad train EXAMPLE`` (the figure of
  ``--plot``), as SVG.

Then each lesson page under ``OUT_DIR/lessons/`` is written as a notebook under
``OUT_DIR/notebooks/`` (:mod:`.docs_notebooks`), which draws these images live.

Same entries and seed, same bytes: the DOT is deterministic, Graphviz runs
in-process, and matplotlib's SVG gets a fixed hash salt and date. The numbers
themselves are computed with single-threaded BLAS (the command runs itself
again in a child Python with ``OPENBLAS_NUM_THREADS=1`` and the like, unless
they are set already): float32 sums are rounded differently when a matrix
product is split over another number of threads, and the loss of a 500-step
training, drawn in the plots, would follow the machine's core count. A ``.png``
gets a ``.dot`` file beside it holding its DOT source (for a step frame, the
diagram's DOT and the frame's number), which is what tests compare: PNG bytes
depend on the fonts and the rasterizer of the machine.
"""
import contextlib
import dataclasses
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import typer

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
TINY_SIZES = (2, 3, 4, 2)  # N, D_in, H, D_out of the tiny copy that the steppers draw


@dataclasses.dataclass(frozen=True)
class Diagram:
    """One documentation image: ``path`` under OUT_DIR, drawn from an expression, a program, an example or a plot."""

    path: str  # a file name (format by suffix), or a folder name ending in "/" for step frames
    expression: str = ""
    values: tuple = ()  # ("x=1", "w=2", ...)
    example: str = ""  # a tutorial network or lesson: its last training step is drawn
    steps: int = 2  # training steps for an example
    options: tuple = ()  # (("level", "scalar"), ("rankdir", "LR"), ...)
    backward: bool = True
    program: str = ""  # one of PROGRAMS: its first step is run, then ``draws`` is drawn
    tiny: bool = False  # the program at TINY_SIZES instead of the tutorial's
    draws: str = "loss"  # the program's (or lesson's) variable to draw (a tensor or a tape)
    plot: str = ""  # an example of ``vizgrad train``: the plot of its loss per step
    frame: int = None  # for a .png: this frame of the step-by-step frames only


# The seed tutorial's programs, drawn from one step each (docs/lessons/01-* to 10-*): the lessons of
# vizgrad train, and the scalar program, which has no training loop.
PROGRAMS = ("numpy", "tensor", "autograd", "custom-function", "nn", "optim", "module", "dynamic", "scalar",
            "linear-regression")
# Those whose main takes sizes, so also a tiny copy; and which of them have a loss plot.
SIZED = ("numpy", "tensor", "autograd", "custom-function", "nn", "optim", "module", "dynamic")
PLOTTED = ("numpy", "tensor", "autograd", "custom-function", "nn", "optim", "module", "dynamic",
           "linear-regression")


def _lesson_images(name):
    """A lesson's images: forward and backward of one step, the stepper and tiny copy, the loss plot."""
    tape = name == "tensor"  # the hand-written backprop records no graph: its tapes are drawn
    draws = "y" if name == "scalar" else "loss"
    forward = dict(program=name, draws="forward_pass" if tape else draws, backward=False)
    backward = dict(program=name, draws="backprop" if tape else draws)
    images = [Diagram(f"images/{name}/forward.svg", **forward),
              Diagram(f"images/{name}/backward.svg", **backward)]
    if name in SIZED:
        images += [Diagram(f"images/{name}/tiny.svg", tiny=True, **backward),
                   Diagram(f"images/{name}/steps.html", tiny=True, **backward)]
    else:
        images.append(Diagram(f"images/{name}/steps.html", **backward))
    if name in PLOTTED:
        images.append(Diagram(f"images/{name}/loss.svg", plot=name))
    return images


# The lessons after the seed tutorial (graphviz_grad/lessons/, docs/lessons/11-* onward): their code is
# the lesson module itself, so their diagrams come from one short run of it through LESSONS, like an
# ``example``: lesson -> (steps of that run, the variable drawn; None: the loss is a number, only its plot).
LESSON_RUNS = {
    "sin-numpy": None,
    "sin-tensor": None,
    "sin-autograd": (1, "loss"),
    "sin-custom-function": (1, "loss"),
    "sin-nn": (1, "loss"),
    "sin-optim": (1, "loss"),
    "sin-module": (1, "loss"),
    "sin-dynamic": (1, "loss"),
    "makemore-bigram": (1, "loss"),
    "makemore-mlp": (1, "loss"),
    "makemore-batchnorm": (1, "loss"),
    "makemore-backprop": (0, "loss"),  # no training step: exercise 1's loss, every intermediate kept
    "makemore-wavenet": (1, "loss"),
    "gpt": (1, "loss"),
    "blitz-autograd": (1, "Q"),
    "lenet": (1, "loss"),
    "cifar-cnn": (1, "loss"),
}


# Lessons that check gradients written by hand with a function of their own (makemore 4's
# ``cmp(name, dt, t)``): their backward pictures and stepper draw each ``dt`` beside ``t.grad``.
COMPARED = {"makemore-backprop": "cmp"}


@contextlib.contextmanager
def calls_to(function_name):
    """Collect the arguments of every call of a function named ``function_name`` made inside (a dict per call).

    The lesson's ``cmp(s, dt, t)`` pairs each hand-written gradient with its tensor, and its tensors are
    the first exercise's: ``main`` rebinds their names before it returns its variables.
    """
    calls, previous = [], sys.getprofile()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_name == function_name:
            calls.append(dict(frame.f_locals))

    sys.setprofile(profile)
    try:
        yield calls
    finally:
        sys.setprofile(previous)


def _compared(calls, variables):
    """``{name: hand-written gradient}`` from ``cmp(name, dt, t)`` calls (the first call per name), naming
    each ``t`` by it (the lesson's other tensors are named by the variables it returned, later)."""
    compare = {}
    for call in calls:
        name, hand, tensor = call["s"], call["dt"], call["t"]
        if name not in compare:
            compare[name] = hand
            if tensor.name is None:
                tensor.name = name
    return compare


def _lesson_run_images(name):
    """A lesson's images: forward and backward of one step and its stepper (when it has a graph), the loss plot."""
    images = []
    if LESSON_RUNS[name] is not None:
        steps, draws = LESSON_RUNS[name]
        images += [Diagram(f"images/{name}/forward.svg", example=name, steps=steps, draws=draws, backward=False),
                   Diagram(f"images/{name}/backward.svg", example=name, steps=steps, draws=draws),
                   Diagram(f"images/{name}/steps.html", example=name, steps=steps, draws=draws)]
    if name != "blitz-autograd":  # one step, nothing to plot
        images.append(Diagram(f"images/{name}/loss.svg", plot=name))
    return images


_CHAIN_RULE = ("y = w*x + b", ("x=1", "w=2", "b=3"))
_NEURON = ("h = w @ x + b; y = tanh(h)", ("w=[[0.5, -1.0]]", "x=[[2.0], [1.0]]", "b=[[0.25]]"))

DIAGRAMS = (
    # `vizgrad render "y=w*x+b" x=1 w=2 b=3`: the README's picture and the quickstart's
    Diagram("images/chain-rule.png", *_CHAIN_RULE),
    Diagram("images/chain-rule.svg", *_CHAIN_RULE),
    Diagram("images/chain-rule-forward.svg", *_CHAIN_RULE, backward=False),
    Diagram("images/chain-rule-steps/", *_CHAIN_RULE),
    Diagram("images/chain-rule.html", *_CHAIN_RULE),
    # the API reference: levels of detail, repeated inputs, more ops
    Diagram("images/neuron.svg", *_NEURON),
    Diagram("images/neuron-scalar.svg", *_NEURON, options=(("level", "scalar"),)),
    Diagram("images/repeated-input.svg", "b = a + a; c = b + b", ("a=3",)),
    Diagram("images/two-layer.svg", "h = relu(x @ w1); loss = sum((h @ w2 - y) ** 2)",
            ("x=randn(4, 3)", "w1=randn(3, 5)", "w2=randn(5, 2)", "y=randn(4, 2)")),
    Diagram("images/softmax.svg", "p = softmax(z, 0); loss = -log(p[1])", ("z=[1.0, 2.0, 0.5]",)),
    Diagram("images/clamp-relu.svg", "y = sum(clamp(x, min=0) * 2)", ("x=[-1.0, 0.5, 2.0]",)),
    Diagram("images/nn-module.svg", program="nn", options=(("level", "module"),)),
    # a backward frame of the tutorial net's stepper, as a picture (docs/index.md)
    Diagram("images/autograd/backward-frame.png", program="autograd", frame=9),
    *(image for name in PROGRAMS for image in _lesson_images(name)),
    *(image for name in LESSON_RUNS for image in _lesson_run_images(name)),
)


def docs(out_dir: Path = typer.Argument(..., metavar="OUT_DIR",
                                        help="Folder to write into: docs/ (the images go to docs/images/).")):
    """Regenerate every documentation image (vizgrad docs docs/)."""
    from .docs_notebooks import write_notebooks
    from .outputs import check_writable

    check_writable(out_dir, "folder")
    if not single_threaded():
        raise typer.Exit(_run_single_threaded(out_dir))
    written = []
    cache = {}
    for diagram in DIAGRAMS:
        written += build(diagram, out_dir, cache=cache)
    written += write_notebooks(out_dir, DIAGRAMS, TINY_SIZES)  # the lessons under OUT_DIR/lessons/, as notebooks (cli/docs_notebooks.py)
    for path in written:
        print(f"wrote {path}")


def single_threaded():
    """True when this process started with every BLAS library pinned to one thread."""
    return all(os.environ.get(name) == "1" for name in THREAD_VARIABLES)


def _run_single_threaded(out_dir):
    """``vizgrad docs OUT_DIR`` in a child Python whose BLAS uses one thread; its exit status.

    The variables must be set before NumPy loads its BLAS, and importing this
    command has loaded it already.
    """
    env = dict(os.environ, **{name: "1" for name in THREAD_VARIABLES})
    code = "import sys; from graphviz_grad.cli.app import main; sys.exit(main(['docs', sys.argv[1]]))"
    return subprocess.call([sys.executable, "-c", code, str(out_dir)], env=env)


def build(diagram, out_dir, seed=0, cache=None):
    """Draw one :class:`Diagram` under ``out_dir``; returns the paths written.

    ``cache`` (a dict) lets entries that draw the same program share one run of it.
    """
    from . import drawing
    from .outputs import Outputs

    target = Path(out_dir) / diagram.path
    if diagram.plot:
        with Outputs() as out:
            plot_losses(diagram.plot, out.file(target), seed)
        return out.written
    cache = {} if cache is None else cache
    tensor = _source(diagram, seed, cache)
    options = dict(diagram.options, backward=diagram.backward)
    compare = cache.get(("compare", diagram.example, diagram.steps)) if diagram.backward else None
    if compare:
        options["compare_grads"] = compare
    if diagram.path.endswith("/"):
        return drawing.draw(tensor, steps=target)
    if target.suffix == ".html":
        return drawing.draw(tensor, html=target, compare_grads=compare)
    if target.suffix == ".gif":
        return drawing.draw(tensor, gif=target)
    if target.suffix == ".png":
        return _png(tensor, target, diagram.frame, options)
    return drawing.draw(tensor, target, **options)


def _source(diagram, seed, cache):
    if diagram.program:
        key = (diagram.program, diagram.tiny)
        if key not in cache:
            cache[key] = run_program(diagram.program, diagram.tiny)
        return cache[key][diagram.draws]
    if diagram.example:
        return _example_loss(diagram, seed, cache)
    return _expression_root(diagram, seed)


def run_program(name, tiny=False):
    """One step of the seed tutorial's program ``name``, up to ``loss.backward()``: its variables.

    Each tensor is labelled by its variable name. The NumPy program records
    nothing, so its step is redone on tensors (:func:`numpy_step_on_tensors`);
    the tensor program's step is recorded on two tapes, ``forward_pass`` and
    ``backprop`` (:func:`tensor_step_on_tapes`).
    """
    from graphviz_grad.lessons import LESSONS, name_tensors, tutorial_scalar

    options = {"sizes": TINY_SIZES} if tiny else {}
    if name == "scalar":
        with contextlib.redirect_stdout(io.StringIO()):
            return name_tensors(tutorial_scalar.main())
    if name == "numpy":
        return numpy_step_on_tensors(LESSONS["numpy"].first_step(**options))
    if name == "tensor":
        with contextlib.redirect_stdout(io.StringIO()):
            return tensor_step_on_tapes(**options)
    return LESSONS[name].first_step(**options)


def numpy_step_on_tensors(step):
    """The NumPy program's forward pass on its first step's arrays, as tensors, and autograd's backward pass.

    docs/lessons/01-numpy.md shows these lines: they draw what the program computes by hand.
    """
    import graphviz_grad as torch
    from graphviz_grad.lessons import name_tensors

    # The program's random data and weights, drawn by NumPy, as tensors
    x = torch.from_numpy(step["x"])
    y = torch.from_numpy(step["y"])
    w1 = torch.from_numpy(step["w1"]).requires_grad_()
    w2 = torch.from_numpy(step["w2"]).requires_grad_()

    # The program's forward pass, line by line
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    loss = (y_pred - y).pow(2).sum()

    # autograd runs the backward pass that the program writes by hand
    loss.backward()
    return name_tensors(locals())


def tensor_step_on_tapes(**options):
    """The tensor program's first step, its forward pass on the tape ``forward_pass``, its backprop on ``backprop``.

    docs/lessons/02-tensor.md shows these lines.
    """
    import graphviz_grad as torch
    from graphviz_grad.lessons import tutorial_tensor

    forward_pass = torch.record(stats="eager")
    backprop = torch.record(stats="eager")

    def between(t, loss):  # main calls on_step once the loss is printed: the backprop goes on the second tape
        forward_pass.__exit__()
        backprop.__enter__()

    forward_pass.__enter__()
    step = tutorial_tensor.main(steps=1, on_step=between, **options)
    backprop.__exit__()
    return dict(step, forward_pass=forward_pass, backprop=backprop)


def _png(tensor, target, frame, options):
    """A PNG (the whole diagram, or one step frame) and its DOT source beside it, as ``<name>.dot``."""
    from . import drawing
    from .outputs import Outputs

    source = drawing.call("draw", tensor, **options).source
    with Outputs() as out:
        png = out.file(target)
        if frame is None:
            drawing.call("render", tensor, png, **options)
            dot = source
        else:
            with tempfile.TemporaryDirectory() as folder:
                frames = drawing.call("steps", tensor, folder, format="png")
                if not 0 <= frame < len(frames):
                    raise ValueError(f"{target}: frame {frame} of {len(frames)}")
                Path(png).write_bytes(Path(frames[frame]).read_bytes())
            dot = (f"// frame {frame} (0-based) of {len(frames)} of vg.viz.steps(..., format=\"png\"), "
                   f"drawn over this diagram\n{source}")
        out.file(target.with_suffix(".dot")).write_text(dot, encoding="utf-8")
    return out.written


def plot_losses(name, path, seed=0):
    """``vizgrad train NAME --plot PATH``'s figure (cli/plot.py), with fixed SVG ids and date."""
    import matplotlib

    from . import examples_cmd
    from .plot import plot_training

    matplotlib.use("Agg")
    example = examples_cmd.get(name)
    result = example.run(seed=getattr(example, "default_seed", seed))  # a lesson: its author's seed
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "0"  # matplotlib writes this date into SVG and PDF metadata
    try:
        with matplotlib.rc_context({"svg.hashsalt": f"graphviz_grad docs {name}"}):
            plot_training(name, result.losses, result, path)
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return path


def _expression_root(diagram, seed):
    from . import expr, render

    evaluation = expr.evaluate(diagram.expression, render.given_values(diagram.values), seed=seed)
    root, _ = render.run_backward(evaluation, diagram.backward)
    return root


def _example_loss(diagram, seed, cache):
    """The loss (or ``draws``) of a short run of an example; entries drawing the same run share it."""
    from . import examples_cmd

    key = ("example", diagram.example, diagram.steps)
    if key not in cache:
        example = examples_cmd.get(diagram.example)
        checker = COMPARED.get(diagram.example)
        step = {}  # the program's variables at its last step (the loop's emb, h, logits; rebound after it)

        def keep_step(number, loss):
            step.clear()
            step.update(sys._getframe(2).f_locals)  # (1: Lesson.run's own callback; 2: the program's main)

        with calls_to(checker) if checker else contextlib.nullcontext([]) as calls:
            cache[key] = example.run(steps=diagram.steps, seed=getattr(example, "default_seed", seed),
                                     on_step=keep_step)
        if checker:
            cache[("compare", diagram.example, diagram.steps)] = _compared(calls, cache[key].variables)
        from graphviz_grad.lessons import name_tensors

        name_tensors(step)  # drawn with the lesson's own names (C, emb, h), not t0, t1
        name_tensors(cache[key].variables)
    result = cache[key]
    return result.loss if diagram.draws == "loss" else result.variables[diagram.draws]
