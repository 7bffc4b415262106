"""The tutorial programs as functions, for ``vizgrad train`` and the docs.

``EXAMPLES`` maps a name to an :class:`Example`; ``example.run(steps, seed,
device, dtype, on_step, init)`` trains and returns a :class:`Result` (per-step
losses, the model or weights, the last step's loss tensor for drawing).
``on_step(step, loss)`` is called after every step; raising
:class:`StopTraining` from it ends training early with the steps done so far,
any other exception propagates. ``steps=None`` runs the tutorial's own count.

The runnable scripts in the repository's ``examples/`` folder are the same
programs written out exactly as the tutorial has them.

>>> from graphviz_grad.examples import EXAMPLES
>>> list(EXAMPLES)
['numpy', 'tensor', 'autograd', 'custom-function', 'nn', 'optim', 'module', 'dynamic', 'linear-regression']
>>> result = EXAMPLES["autograd"].run(steps=5, seed=0)
>>> len(result.losses), result.last_loss_tensor.grad_fn
(5, <SumBackward0>)
"""
import sys
from dataclasses import dataclass
from typing import Callable

from ._training import Result, StopTraining
from .linear_regression import run_linear_regression
from .modules import run_dynamic, run_module, run_nn, run_optim
from .two_layer import run_autograd, run_custom_function, run_numpy, run_tensor

__all__ = ["EXAMPLES", "Example", "Result", "StopTraining"]


@dataclass(frozen=True)
class Example:
    """One tutorial program: its name, a one-line description, its step count, and ``run``."""

    name: str
    description: str
    default_steps: int
    run: Callable


def _example(name, run):
    program = sys.modules[run.__module__]
    return Example(name, run.__doc__.strip().splitlines()[0], program.STEPS, run)


EXAMPLES = {
    example.name: example
    for example in (
        _example("numpy", run_numpy),
        _example("tensor", run_tensor),
        _example("autograd", run_autograd),
        _example("custom-function", run_custom_function),
        _example("nn", run_nn),
        _example("optim", run_optim),
        _example("module", run_module),
        _example("dynamic", run_dynamic),
        _example("linear-regression", run_linear_regression),
    )
}
