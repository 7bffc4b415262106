"""What a lesson's run leaves (:class:`Result`), and how ``on_step`` ends one early (:class:`StopTraining`).

>>> result = Result(losses=[3.0, 2.0])
>>> result.loss is None, result.state_dict()
(True, {})
"""
from dataclasses import dataclass, field


class StopTraining(Exception):
    """Raise from ``on_step`` to end training early; ``run`` then returns the steps done so far."""


@dataclass
class Result:
    """What a run leaves: per-step losses, the trained model or weights, the last step's loss."""

    losses: list = field(default_factory=list)
    model: object = None  # the nn.Module, for the programs that build one
    tensors: dict = field(default_factory=dict)  # trained weights by name, for those that do not
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
