"""``nn.Linear`` (and ``nn.Identity``): ``y = x @ weight.T + bias`` as one op.

>>> import graphviz_grad as vg
>>> layer = vg.nn.Linear(1000, 100)
>>> layer
Linear(in_features=1000, out_features=100, bias=True)
>>> bound = 1 / 1000 ** 0.5
>>> bool(layer.weight.abs().max() <= bound) and bool(layer.bias.abs().max() <= bound)
True
"""
import math

from .._creation import empty
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def reset_like_torch(weight, bias):
    """PyTorch's default for ``Linear`` and ``_ConvNd``, in its call order: kaiming_uniform(a=√5) on the
    weight, then the bias from U(-1/√fan_in, 1/√fan_in)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """A fully connected layer with PyTorch's default initialisation, U(-1/√in, 1/√in)."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new weights from the global generator: kaiming_uniform(a=√5), bias U(-1/√in, 1/√in)."""
        reset_like_torch(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
