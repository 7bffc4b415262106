"""``vizgrad docs OUT_DIR``: regenerate every documentation image, deterministically.

Run from the repository root as ``vizgrad docs docs/``: every image the pages
under ``docs/`` and the README show is written below ``docs/images/``.

:data:`DIAGRAMS` is that list: each entry names a file (or a folder, for step
frames) under ``OUT_DIR`` and what it draws:

- ``expression``: an expression of ``vizgrad render`` with its inputs;
- ``program``: a lesson's code from :data:`PROGRAMS` (one training step of a
  tutorial program, up to ``loss.backward()``), run as written, at the
  tutorial's sizes or ``tiny``; ``draws`` names its variable to draw (its
  tensors are labelled by their variable names, as in the lesson);
- ``example``: the last step of a tutorial network or lesson of ``vizgrad train``
  (:data:`LESSON_RUNS`: the lessons of ``graphviz_grad/lessons/``, whose code
  is the lesson module itself, so it is not copied here);
- ``plot``: the loss per step of ``vizgrad train EXAMPLE`` (the figure of
  ``--plot``), as SVG.

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
TUTORIAL_SIZES = "N, D_in, H, D_out = 64, 1000, 100, 10"
TINY_SIZES = "N, D_in, H, D_out = 2, 3, 4, 2"


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
    program: str = ""  # a key of PROGRAMS: the lesson's code, run, then ``draws`` is drawn
    tiny: bool = False  # the program with TINY_SIZES instead of the tutorial's
    draws: str = "loss"  # the program's (or lesson's) variable to draw (a tensor or a tape)
    plot: str = ""  # an example of ``vizgrad train``: the plot of its loss per step
    frame: int = None  # for a .png: this frame of the step-by-step frames only


# The lessons' code (docs/lessons/*.md shows each one exactly, at both sizes where it has sizes):
# one step of each tutorial program, stopped right after loss.backward(), seeded.
PROGRAMS = {
    "numpy": '''\
import numpy as np
import graphviz_grad as torch

np.random.seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10

# The program's random data and weights, drawn by NumPy, as tensors
x = torch.from_numpy(np.random.randn(N, D_in))
y = torch.from_numpy(np.random.randn(N, D_out))
w1 = torch.from_numpy(np.random.randn(D_in, H)).requires_grad_()
w2 = torch.from_numpy(np.random.randn(H, D_out)).requires_grad_()

# The program's forward pass, line by line
h = x.mm(w1)
h_relu = h.clamp(min=0)
y_pred = h_relu.mm(w2)
loss = (y_pred - y).pow(2).sum()

# autograd runs the backward pass that the program writes by hand
loss.backward()
''',
    "tensor": '''\
import graphviz_grad as torch

torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
w1 = torch.randn(D_in, H)
w2 = torch.randn(H, D_out)
learning_rate = 1e-6

# One step of the training loop, recorded on two tapes
with torch.record(stats="eager") as forward_pass:
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    loss = (y_pred - y).pow(2).sum().item()

with torch.record(stats="eager") as backprop:
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
''',
    "autograd": '''\
import graphviz_grad as torch

torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
w1 = torch.randn(D_in, H, requires_grad=True)
w2 = torch.randn(H, D_out, requires_grad=True)

# One step of the training loop, up to loss.backward()
y_pred = x.mm(w1).clamp(min=0).mm(w2)
loss = (y_pred - y).pow(2).sum()
loss.backward()
''',
    "custom-function": '''\
import graphviz_grad as torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        grad_x = grad_output.clone()
        grad_x[x < 0] = 0
        return grad_x


torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
w1 = torch.randn(D_in, H, requires_grad=True)
w2 = torch.randn(H, D_out, requires_grad=True)

# One step of the training loop, up to loss.backward()
y_pred = MyReLU.apply(x.mm(w1)).mm(w2)
loss = (y_pred - y).pow(2).sum()
loss.backward()
''',
    "nn": '''\
import graphviz_grad as torch

torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
model = torch.nn.Sequential(
    torch.nn.Linear(D_in, H),
    torch.nn.ReLU(),
    torch.nn.Linear(H, D_out),
)
loss_fn = torch.nn.MSELoss(reduction='sum')

# One step of the training loop, up to loss.backward()
y_pred = model(x)
loss = loss_fn(y_pred, y)
model.zero_grad()
loss.backward()
''',
    "optim": '''\
import graphviz_grad as torch

torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
model = torch.nn.Sequential(
    torch.nn.Linear(D_in, H),
    torch.nn.ReLU(),
    torch.nn.Linear(H, D_out),
)
loss_fn = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

# One step of the training loop, up to loss.backward()
y_pred = model(x)
loss = loss_fn(y_pred, y)
optimizer.zero_grad()
loss.backward()
''',
    "module": '''\
import graphviz_grad as torch


class TwoLayerNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        super(TwoLayerNet, self).__init__()
        self.linear1 = torch.nn.Linear(D_in, H)
        self.linear2 = torch.nn.Linear(H, D_out)

    def forward(self, x):
        h_relu = self.linear1(x).clamp(min=0)
        y_pred = self.linear2(h_relu)
        return y_pred


torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
model = TwoLayerNet(D_in, H, D_out)
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)

# One step of the training loop, up to loss.backward()
y_pred = model(x)
loss = criterion(y_pred, y)
optimizer.zero_grad()
loss.backward()
''',
    "dynamic": '''\
import random
import graphviz_grad as torch


class DynamicNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        super(DynamicNet, self).__init__()
        self.input_linear = torch.nn.Linear(D_in, H)
        self.middle_linear = torch.nn.Linear(H, H)
        self.output_linear = torch.nn.Linear(H, D_out)

    def forward(self, x):
        h_relu = self.input_linear(x).clamp(min=0)
        for _ in range(random.randint(0, 3)):
            h_relu = self.middle_linear(h_relu).clamp(min=0)
        y_pred = self.output_linear(h_relu)
        return y_pred


random.seed(0)  # this seed makes the first forward pass use middle_linear 3 times
torch.manual_seed(0)
N, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
model = DynamicNet(D_in, H, D_out)
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)

# One step of the training loop, up to loss.backward()
y_pred = model(x)
loss = criterion(y_pred, y)
optimizer.zero_grad()
loss.backward()
''',
    "scalar": '''\
import graphviz_grad as torch

# Autograd computes the gradients for us: nothing to derive by hand
x = torch.tensor(1., requires_grad=True)
w = torch.tensor(2., requires_grad=True)
b = torch.tensor(3., requires_grad=True)

y = w*x+b  # one function: y = 2*1+3

y.backward()

print(x.grad)
print(w.grad)
print(b.grad)
''',
    "linear-regression": '''\
import numpy as np
import graphviz_grad as torch
import graphviz_grad.nn as nn

torch.manual_seed(0)
x_train = np.array([[3.3], [4.4], [5.5], [6.71], [6.93], [4.168],
                    [9.779], [6.182], [7.59], [2.167], [7.042],
                    [10.791], [5.313], [7.997], [3.1]], dtype=np.float32)
y_train = np.array([[1.7], [2.76], [2.09], [3.19], [1.694], [1.573],
                    [3.366], [2.596], [2.53], [1.221], [2.827],
                    [3.465], [1.65], [2.904], [1.3]], dtype=np.float32)

model = nn.Linear(1, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.001)

# One step of the training loop (the first epoch), up to loss.backward()
inputs = torch.from_numpy(x_train)
targets = torch.from_numpy(y_train)
outputs = model(inputs)
loss = criterion(outputs, targets)
optimizer.zero_grad()
loss.backward()
''',
}

# Lessons whose program has the tutorial's sizes line, so also a tiny copy; and which example
# of `vizgrad train` each one's loss plot comes from.
SIZED = ("numpy", "tensor", "autograd", "custom-function", "nn", "optim", "module", "dynamic")
PLOTTED = ("numpy", "tensor", "autograd", "custom-function", "nn", "optim", "module", "dynamic",
           "linear-regression")


def program_source(name, tiny=False):
    """The code of lesson ``name`` (see :data:`PROGRAMS`), with the tiny sizes when ``tiny``."""
    source = PROGRAMS[name]
    if tiny:
        if TUTORIAL_SIZES not in source:
            raise ValueError(f"program {name!r} has no sizes line to make tiny")
        source = source.replace(TUTORIAL_SIZES, TINY_SIZES)
    return source


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
    each ``t`` by it; the lesson's other tensors are named by the variables it returned."""
    from graphviz_grad import Tensor

    compare = {}
    for call in calls:
        name, hand, tensor = call["s"], call["dt"], call["t"]
        if name not in compare:
            compare[name] = hand
            if tensor.name is None:
                tensor.name = name
    for key, value in variables.items():
        if isinstance(value, Tensor) and not key.startswith("_") and value.name is None:
            value.name = key
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
    from .outputs import check_writable

    check_writable(out_dir, "folder")
    if not single_threaded():
        raise typer.Exit(_run_single_threaded(out_dir))
    written = []
    cache = {}
    for diagram in DIAGRAMS:
        written += build(diagram, out_dir, cache=cache)
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
    """Run lesson ``name``'s code; return its variables, each tensor labelled by its variable name.

    The code runs as the lesson's reader runs it (so a tape names the tensors it
    records by their variables); the drawing happens after it returned, so the
    names are given to the tensors from the variables it left.
    """
    from graphviz_grad import Tensor

    source = program_source(name, tiny)
    namespace = {"__name__": f"__lesson_{name.replace('-', '_')}__"}
    with contextlib.redirect_stdout(io.StringIO()):
        # Runs only this module's own PROGRAMS (program_source looks `name` up there; KeyError
        # otherwise): the lesson code the docs print, run as a reader would run it. No user text
        # reaches this; vizgrad render's expressions go through the ast whitelist in expr.py.
        exec(compile(source, f"<lesson {name}>", "exec"), namespace)
    for key, value in list(namespace.items()):
        if isinstance(value, Tensor) and not key.startswith("_") and value.name is None:
            value.name = key
    return namespace


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
        with calls_to(checker) if checker else contextlib.nullcontext([]) as calls:
            cache[key] = example.run(steps=diagram.steps, seed=getattr(example, "default_seed", seed))
        if checker:
            cache[("compare", diagram.example, diagram.steps)] = _compared(calls, cache[key].variables)
    result = cache[key]
    return result.loss if diagram.draws == "loss" else result.variables[diagram.draws]
