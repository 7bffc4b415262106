"""``graphviz_grad.optim``: ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad`` with PyTorch's update formulas, and
``lr_scheduler``.

>>> import graphviz_grad as vg
>>> model = vg.nn.Linear(2, 1)
>>> opt = vg.optim.Adam(model.parameters(), lr=1e-3)
>>> len(opt.param_groups[0]["params"])
2
"""
from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD
from .adamw import AdamW
from .rmsprop import RMSprop
from .adagrad import Adagrad
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam"]
__all__ += ["AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
