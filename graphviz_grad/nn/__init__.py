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
from .conv import ConvTranspose1d, ConvTranspose2d, Fold, MaxUnpool1d, MaxUnpool2d, Unfold
from .padding import (CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d,
                      ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d)
from .upsampling import PixelShuffle, PixelUnshuffle, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout, Dropout1d, Dropout2d, Dropout3d
from .linear import Identity, Linear
from .loss import CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .loss import BCELoss, BCEWithLogitsLoss  # the blitz
from .module import Module
from .parameter import Parameter
from .sparse import Embedding
from .normalization import LayerNorm
from .batchnorm import BatchNorm1d, BatchNorm2d
from .instancenorm import InstanceNorm1d, InstanceNorm2d
from . import utils
from .container import ParameterList
from .activation import ELU, Hardtanh, ReLU6
from .loss import HuberLoss, KLDivLoss, SmoothL1Loss
from .container import ParameterDict
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
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
__all__ += ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
__all__ += ["ConvTranspose1d", "ConvTranspose2d", "Fold", "Unfold", "MaxUnpool1d", "MaxUnpool2d"]
__all__ += ["ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d",
            "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d"]
__all__ += ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle"]
__all__ += ["Dropout3d"]
__all__ += ["InstanceNorm1d", "InstanceNorm2d"]
__all__ += ["Hardswish", "Hardsigmoid", "Mish", "SELU", "CELU", "PReLU", "GLU", "LogSigmoid", "Softmin", "Softsign",
            "Softshrink", "Hardshrink", "Tanhshrink", "Threshold", "Unflatten", "CosineSimilarity", "PairwiseDistance",
            "GroupNorm", "RMSNorm"]
__all__ += ["MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder", "Transformer"]
