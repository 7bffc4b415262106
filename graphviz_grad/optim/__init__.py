"""``graphviz_grad.optim``: ``SGD`` and ``Adam`` with PyTorch's update formulas.

>>> import graphviz_grad as vg
>>> model = vg.nn.Linear(2, 1)
>>> opt = vg.optim.Adam(model.parameters(), lr=1e-3)
>>> len(opt.param_groups[0]["params"])
2
"""
from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam"]
