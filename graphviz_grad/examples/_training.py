"""What every tutorial program shares when run as a function: setup, the step loop, the result.

A program is written as ``run(steps, seed, device, dtype, on_step, init)``: it
asks a :class:`Setup` for its data and weights (random as the tutorial draws
them, or the arrays given in ``init``), then hands one training step to
:meth:`Setup.train`, which runs it ``steps`` times and collects the losses.

>>> import graphviz_grad as vg
>>> setup = Setup(seed=0, device="cpu", dtype="float64", init={"w": [[2.0]]})
>>> w = setup.randn("w", 1, 1, requires_grad=True)
>>> w
tensor([[2.]], dtype=graphviz_grad.float64, requires_grad=True)
>>> result = setup.train(3, lambda t: (w * 1.0).sum(), on_step=None, tensors={"w": w})
>>> result.losses
[2.0, 2.0, 2.0]
"""
from dataclasses import dataclass, field

import numpy as np

from .. import _dtype, backend
from .._creation import randn, tensor
from ..autograd.grad_mode import no_grad
from ..random import manual_seed


class StopTraining(Exception):
    """Raise from ``on_step`` to end training early; ``run`` then returns the steps done so far."""


@dataclass
class Result:
    """What a run leaves: per-step losses, the trained model or weights, the last step's loss."""

    losses: list = field(default_factory=list)
    model: object = None  # the nn.Module, for the programs that build one
    tensors: dict = field(default_factory=dict)  # trained weights by name, for those that do not
    data: dict = field(default_factory=dict)  # the inputs and targets (x, y)
    last_loss_tensor: object = None  # the last step's loss, whose graph can be drawn
    variables: dict = field(default_factory=dict)  # a lesson program's variables when it returned
    output: str = ""  # what a lesson program printed
    report: list = field(default_factory=list)  # its last lines, shown after training (samples, accuracy)

    @property
    def loss(self):
        """The last step's loss tensor (alias of ``last_loss_tensor``)."""
        return self.last_loss_tensor

    def state_dict(self):
        """The trained weights by name: the model's ``state_dict()``, else :attr:`tensors`."""
        return self.model.state_dict() if self.model is not None else dict(self.tensors)


class Setup:
    """Seeds the generator and makes a program's tensors in the dtype and on the device asked for.

    ``init`` maps names (``"x"``, ``"w1"``, or a model's parameter names such
    as ``"0.weight"``) to arrays that replace the random draws: the tests start
    graphviz_grad and PyTorch from the same numbers this way.
    """

    def __init__(self, seed=0, device="cpu", dtype=_dtype.float32, init=None):
        manual_seed(seed)
        self.seed = seed
        self.device = backend.device(device)
        self.dtype = _dtype.to_dtype(dtype) or _dtype.get_default_dtype()
        self.init = dict(init or {})
        self._used = set()

    def randn(self, name, *shape, requires_grad=False):
        """``randn(*shape)`` as the tutorial writes it, unless ``init`` gives ``name``."""
        if name in self.init:
            self._used.add(name)
            arr = np.asarray(self.init[name])
            if arr.shape != shape:
                raise ValueError(f"init[{name!r}] has shape {arr.shape}, the program needs {shape}")
            return tensor(arr, dtype=self.dtype, device=self.device, requires_grad=requires_grad, name=name)
        # named, so that drawing the result's loss after run() returns still says x, w1, ...
        return randn(*shape, dtype=self.dtype, device=self.device, requires_grad=requires_grad, name=name)

    def model(self, module):
        """``module`` moved to the dtype and device, its parameters overwritten from ``init``."""
        module.to(device=self.device, dtype=self.dtype)
        with no_grad():
            for name, param in module.named_parameters():
                if name in self.init:
                    self._used.add(name)
                    param.copy_(tensor(self.init[name], dtype=self.dtype, device=self.device))
        return module

    def check_init_used(self):
        unknown = set(self.init) - self._used
        if unknown:
            raise KeyError(f"init names {sorted(unknown)} are not tensors of this program")

    def train(self, steps, step, on_step, **result_fields):
        """Run ``step(t)`` (returns the loss, a tensor or a number) ``steps`` times."""
        self.check_init_used()
        result = Result(**result_fields)
        try:
            for t in range(steps):
                loss = step(t)
                value = float(loss.item()) if hasattr(loss, "item") else float(loss)
                result.losses.append(value)
                if hasattr(loss, "grad_fn"):
                    if loss.name is None:
                        loss.name = "loss"
                    result.last_loss_tensor = loss
                else:
                    result.last_loss_tensor = None
                if on_step is not None:
                    on_step(t, value)
        except StopTraining:
            pass
        return result
