"""``torch.special``: the special functions the lessons use.

>>> import graphviz_grad as vg
>>> vg.special.erf(vg.tensor([0.0, 0.5]))
tensor([0.0000, 0.5205])
"""
from ._functions import erf, log1p, logit, logsumexp, sigmoid as expit  # noqa: F401

__all__ = ["erf", "expit", "log1p", "logit", "logsumexp"]
