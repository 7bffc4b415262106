"""Every lesson program, written once: ``vizgrad train``, ``vizgrad docs``, ``examples/`` and the tests read these.

Each module of this package is one lesson as its author wrote it, with only
the import line changed (``import graphviz_grad as torch``): the seed tutorial
of 2017 ("Learning PyTorch with Examples": ``tutorial_*``), makemore 1–5, the
GPT, the 60-minute blitz's pages, today's "Learning PyTorch with Examples". Its
code sits in ``main(steps, seed, on_step, ...)``, which returns the program's
variables (``locals()``); ``python -m graphviz_grad.lessons.NAME`` runs it.

:data:`LESSONS` maps a name to a :class:`Lesson`, with ``name``,
``description``, ``default_steps`` and ``run(steps, seed, device, dtype,
on_step)``, which returns a :class:`Result` (per-step losses, the model, the
last loss tensor, what the program printed, with the last lines — sampled
names, generated text, accuracy — in ``report``).

>>> from graphviz_grad.lessons import LESSONS
>>> lesson = LESSONS["sin-numpy"]
>>> lesson.module, lesson.default_steps
('graphviz_grad.lessons.polynomial_numpy', 2000)
>>> result = lesson.run(steps=300)
>>> len(result.losses), result.losses[-1] < result.losses[0], result.report[0].startswith("Result: y = ")
(300, True, True)
>>> LESSONS["autograd"].run(steps=5).loss.grad_fn
<SumBackward0>
"""
import ast
import contextlib
import functools
import importlib
import importlib.util
import inspect
import io
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import backend
from ._result import Result, StopTraining

__all__ = ["LESSONS", "Lesson", "Result", "StopTraining"]


@dataclass(frozen=True)
class Lesson:
    """One lesson program: ``graphviz_grad.lessons.<program>``, run through its ``main``."""

    name: str
    program: str  # the module's name in this package
    named: bool = False  # its tensors are labelled by the program's variable names (the seed tutorial's drawings)

    @property
    def module(self):
        """The lesson's module name, e.g. ``graphviz_grad.lessons.gpt``."""
        return f"{__name__}.{self.program}"

    def load(self):
        """The lesson's module (imported on first use: importing a lesson trains nothing)."""
        return importlib.import_module(self.module)

    def source(self):
        """The lesson's code, as it is printed in the docs and run under PyTorch by the tests."""
        return _path(self.module).read_text(encoding="utf-8")

    def torch_source(self):
        """The same program for PyTorch: :meth:`source` with only its import lines changed back.

        >>> [line for line in LESSONS["gpt"].torch_source().splitlines() if line.startswith("import ")][:2]
        ['import torch', 'import torch.nn as nn']
        """
        return as_torch(self.source())

    @property
    def description(self):
        """The first line of the lesson's docstring (read from its file: listing lessons imports none)."""
        return _constants(self.module)["__doc__"].strip().splitlines()[0].replace("``", "")

    @property
    def default_steps(self):
        """The lesson's ``STEPS``: what ``vizgrad train NAME`` runs without ``--steps``."""
        return _constants(self.module)["STEPS"]

    @property
    def default_seed(self):
        """The seed the lesson's author used (``main``'s default)."""
        return _constants(self.module)["seed"]

    def run(self, steps=None, seed=None, device="cpu", dtype=None, on_step=None, **options):
        """Run the lesson's ``main`` for ``steps`` steps; returns a :class:`Result`.

        ``seed=None`` is the author's seed. What the program prints is kept in
        ``result.output``, not printed. ``options`` go to ``main`` (for example
        the GPT's sizes); a ``PATH`` the lesson saves to (the classifier's
        checkpoint) is a temporary file unless given. ``on_step(step, loss)``
        may raise :class:`StopTraining` to stop early: the losses so far are kept.
        """
        module = self.load()
        parameters = inspect.signature(module.main).parameters
        if dtype is not None and str(dtype).rsplit(".", 1)[-1] not in ("float32", "float"):
            raise ValueError(f"lesson {self.name!r} runs in float32, as its author wrote it; not in {dtype}")
        where = contextlib.nullcontext()
        if str(device) != "cpu":
            if "device" in parameters:  # the program has its own ``device = torch.device(...)`` line
                options["device"] = device
            elif "cuda" in getattr(module, "DEVICES", ()):  # its tensors are made where PyTorch's would be
                where = backend.device(device)
            else:
                raise ValueError(f"lesson {self.name!r} runs on the CPU only; use --device cpu")
        losses = []

        def record(step, loss):
            value = float(loss.detach() if hasattr(loss, "detach") else loss)  # (float() of a grad tensor warns)
            losses.append(value)
            if on_step is not None:
                on_step(step, value)

        output = io.StringIO()
        variables = {}
        try:
            with contextlib.redirect_stdout(output), tempfile.TemporaryDirectory() as folder, where:
                for name in ("PATH", "FIGURE"):  # a file the lesson saves (and loads back), a figure it draws
                    if name in parameters and name not in options:
                        options[name] = str(Path(folder) / Path(parameters[name].default).name)
                variables = module.main(steps=module.STEPS if steps is None else steps,
                                        seed=parameters["seed"].default if seed is None else seed,
                                        on_step=record, **options)
        except StopTraining:
            pass
        if self.named:
            name_tensors(variables)
        return _result(losses, variables, output.getvalue(), module.REPORT_LINES, getattr(module, "WEIGHTS", ()))

    def first_step(self, seed=None, **options):
        """The program's variables at its first ``on_step`` call, where it stops: a step, drawn in the docs.

        A seed tutorial program reports its loss right after ``loss.backward()``
        (the NumPy and tensor ones, which have none, right after printing the
        loss): the variables are those of one step up to there, the update not
        yet made. ``options`` go to ``main`` (``sizes=(2, 3, 4, 2)``, a tiny
        copy); what the program prints is dropped.

        >>> step = LESSONS["autograd"].first_step(sizes=(2, 3, 4, 2))
        >>> tuple(step["w1"].grad.shape), step["loss"].name
        ((3, 4), 'loss')
        """
        module = self.load()
        caught = {}

        def stop(step, loss):
            caught.update(sys._getframe(1).f_locals)  # main's variables, before it goes on to the update
            raise StopTraining

        with contextlib.redirect_stdout(io.StringIO()):
            try:
                module.main(steps=1, seed=self.default_seed if seed is None else seed, on_step=stop, **options)
            except StopTraining:
                pass
        if not caught:
            raise ValueError(f"lesson {self.name!r} made no step")
        if self.named:
            name_tensors(caught)
        return caught


_IMPORT = re.compile(r"^(\s*)(import|from) graphviz_grad(?!\.datasets)(\.[\w.]+)?\b(.*)$")


def as_torch(source):
    """``source`` with only its ``graphviz_grad`` import lines pointing at PyTorch (built-in data stays)."""
    lines = []
    for line in source.splitlines(keepends=True):
        match = _IMPORT.match(line.rstrip("\n"))
        if match:
            indent, keyword, submodule, rest = match.groups()
            line = f"{indent}{keyword} torch{submodule or ''}{rest}\n".replace("import torch as torch", "import torch")
        lines.append(line)
    return "".join(lines)


def name_tensors(variables):
    """Label each unnamed tensor of ``variables`` (a program's ``locals()``) by its variable name."""
    from ..tensor import Tensor

    for key, value in variables.items():
        if isinstance(value, Tensor) and not key.startswith("_") and value.name is None:
            value.name = key
    return variables


def _path(module):
    """The file of a lesson module, found without importing it."""
    return Path(importlib.util.find_spec(module).origin)


@functools.cache
def _constants(module):
    """A lesson module's docstring, ``STEPS`` and ``main``'s default ``seed``, read without importing it."""
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    found = {"__doc__": ast.get_docstring(tree)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["STEPS"]:
            found["STEPS"] = ast.literal_eval(node.value)
        elif isinstance(node, ast.FunctionDef) and node.name == "main":
            names = [a.arg for a in node.args.args]
            defaults = dict(zip(names[len(names) - len(node.args.defaults):], node.args.defaults))
            found["seed"] = ast.literal_eval(defaults["seed"])
    return found


def _result(losses, variables, output, report_lines, weight_names=()):
    """A :class:`Result`; ``weight_names``: the variables holding the weights, where they do not require grad."""
    from .._creation import as_tensor
    from ..tensor import Tensor

    loss = variables.get("loss")
    model = next((variables[name] for name in ("model", "net") if hasattr(variables.get(name), "state_dict")), None)
    if weight_names and variables:
        weights = {name: as_tensor(variables[name]) for name in weight_names}
    else:
        weights = {name: value for name, value in variables.items()
                   if isinstance(value, Tensor) and value.requires_grad and value.grad_fn is None}
    lines = output.rstrip("\n").splitlines()
    return Result(losses=losses, model=model, tensors=weights,
                  last_loss_tensor=loss if getattr(loss, "grad_fn", None) is not None else None,
                  variables=variables, output=output,
                  report=lines[len(lines) - report_lines:] if report_lines and variables else [])


_LESSONS = (
    Lesson("numpy", "tutorial_numpy", named=True),
    Lesson("tensor", "tutorial_tensor", named=True),
    Lesson("autograd", "tutorial_autograd", named=True),
    Lesson("custom-function", "tutorial_custom_function", named=True),
    Lesson("nn", "tutorial_nn", named=True),
    Lesson("optim", "tutorial_optim", named=True),
    Lesson("module", "tutorial_module", named=True),
    Lesson("dynamic", "tutorial_dynamic", named=True),
    Lesson("linear-regression", "tutorial_linear_regression", named=True),
    Lesson("sin-numpy", "polynomial_numpy"),
    Lesson("sin-tensor", "polynomial_tensor"),
    Lesson("sin-autograd", "polynomial_autograd"),
    Lesson("sin-custom-function", "polynomial_custom_function"),
    Lesson("sin-nn", "polynomial_nn"),
    Lesson("sin-optim", "polynomial_optim"),
    Lesson("sin-module", "polynomial_module"),
    Lesson("sin-dynamic", "dynamic_net"),
    Lesson("makemore-bigram", "makemore_bigram"),
    Lesson("makemore-mlp", "makemore_mlp"),
    Lesson("makemore-batchnorm", "makemore_batchnorm"),
    Lesson("makemore-backprop", "makemore_backprop"),
    Lesson("makemore-wavenet", "makemore_wavenet"),
    Lesson("gpt", "gpt"),
    Lesson("blitz-autograd", "blitz_autograd"),
    Lesson("lenet", "blitz_lenet"),
    Lesson("cifar-cnn", "blitz_cifar"),
)

LESSONS = {lesson.name: lesson for lesson in _LESSONS}
"""Every program that ``vizgrad train`` runs: the seed tutorial's nine, then the lessons."""
