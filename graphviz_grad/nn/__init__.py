"""``graphviz_grad.nn``: modules, parameters, layers and losses, as ``torch.nn``.

>>> import graphviz_grad as vg
>>> model = vg.nn.Sequential(vg.nn.Linear(3, 2), vg.nn.ReLU())
>>> loss = vg.nn.MSELoss(reduction='sum')(model(vg.ones(4, 3)), vg.zeros(4, 2))
>>> loss.backward()
>>> [tuple(p.grad.shape) for p in model.parameters()]
[(2, 3), (2,)]
"""
from . import functional, init
from .activation import Flatten, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .activation import GELU, LeakyReLU, SiLU, Softplus
from .conv import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d
from .conv import AvgPool1d, AvgPool2d, Conv1d, Conv2d, MaxPool1d, MaxPool2d
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout, Dropout1d, Dropout2d
from .linear import Identity, Linear
from .loss import CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .loss import BCELoss, BCEWithLogitsLoss  # the blitz
from .module import Module
from .parameter import Parameter
from .sparse import Embedding
from .normalization import LayerNorm
from .batchnorm import BatchNorm1d, BatchNorm2d
from . import utils
from .container import ParameterList
from .activation import ELU, Hardtanh, ReLU6
from .loss import HuberLoss, KLDivLoss, SmoothL1Loss
from .container import ParameterDict
from .activation import (CELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, LogSigmoid, Mish, PReLU, Softmin,
                         Softshrink, Softsign, Tanhshrink, Threshold, Unflatten)
from .distance import CosineSimilarity, PairwiseDistance
from .normalization import GroupNorm, RMSNorm
from .transformer import MultiheadAttention, Transformer, TransformerEncoder, TransformerEncoderLayer

__all__ = [
    "Module", "Parameter", "Linear", "Identity", "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
    "Flatten", "Sequential", "ModuleList", "ModuleDict", "MSELoss", "L1Loss", "CrossEntropyLoss",
    "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "functional", "init",
    "Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d",
    "Dropout",
]
__all__ += ["Embedding", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "utils", "ParameterList"]
__all__ += ["GELU", "SiLU", "LeakyReLU", "Softplus"]
__all__ += ["AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Dropout1d", "Dropout2d"]
__all__ += ["ELU", "Hardtanh", "ReLU6", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "ParameterDict"]
__all__ += ["Hardswish", "Hardsigmoid", "Mish", "SELU", "CELU", "PReLU", "GLU", "LogSigmoid", "Softmin", "Softsign",
            "Softshrink", "Hardshrink", "Tanhshrink", "Threshold", "Unflatten", "CosineSimilarity", "PairwiseDistance",
            "GroupNorm", "RMSNorm"]
__all__ += ["MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder", "Transformer"]
