"""``torch.backends``: the switches tutorials read or set (``mps``, ``cudnn``); they change nothing here.

>>> import graphviz_grad as torch
>>> "mps" if torch.backends.mps.is_available() else "cpu"
'cpu'
"""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
