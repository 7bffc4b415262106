"""Activation layers: ``ReLU``, ``Tanh``, ``Sigmoid``, ``Softmax``, ``LogSoftmax``, ``Flatten``, ``GELU``,
``SiLU``, ``LeakyReLU``, ``Softplus``, ``ELU``, ``Hardtanh``, ``ReLU6``; ``Hardswish``, ``Hardsigmoid``, ``Mish``,
``SELU``, ``CELU``, ``PReLU`` (learnable), ``GLU``, ``LogSigmoid``, ``Softmin``, ``Softsign``, ``Softshrink``,
``Hardshrink``, ``Tanhshrink``, ``Threshold``.

>>> import graphviz_grad as vg
>>> vg.nn.ReLU()(vg.tensor([-1., 2.]))
tensor([0., 2.])
>>> vg.nn.Softmax(dim=1)
Softmax(dim=1)
"""
from .. import _functions
from . import functional as F
from .module import Module


class ReLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    def forward(self, input):
        return _functions.tanh(input)


class Sigmoid(Module):
    def forward(self, input):
        return _functions.sigmoid(input)


class Softmax(Module):
    """Softmax along ``dim`` (give it: the implicit choice is deprecated, as in PyTorch)."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, input):
        return F.log_softmax(input, self.dim)


class Flatten(Module):
    """Flatten dims ``start_dim..end_dim`` into one (by default all but the batch dim)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return _functions.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Dim ``dim`` split into ``unflattened_size`` (``Tensor.unflatten``): the inverse of ``Flatten``.

    >>> import graphviz_grad as vg
    >>> vg.nn.Unflatten(1, (2, 3))(vg.zeros(4, 6)).shape
    graphviz_grad.Size([4, 2, 3])
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"unflattened_size must be tuple of ints, but found type {type(unflattened_size).__name__}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):
        return _functions.unflatten(input, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


# the lessons after the tutorial (makemore, GPT)


class GELU(Module):
    """``F.gelu``: ``approximate='none'`` (exact, through erf) or ``'tanh'``.

    >>> import graphviz_grad as vg
    >>> vg.nn.GELU(approximate='tanh')
    GELU(approximate='tanh')
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class ELU(Module):
    """``F.elu``: ``x`` where positive, ``alpha · (exp(x) - 1)`` elsewhere.

    >>> import graphviz_grad as vg
    >>> vg.nn.ELU(alpha=0.5, inplace=True)
    ELU(alpha=0.5, inplace=True)
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Hardtanh(Module):
    """``F.hardtanh``: ``x`` clamped to ``[min_val, max_val]``.

    >>> import graphviz_grad as vg
    >>> vg.nn.Hardtanh(-2, 3)
    Hardtanh(min_val=-2, max_val=3)
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if max_val <= min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """``F.relu6``: ``Hardtanh(0, 6)``."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


# more activations (transformers, feature maps, the activation zoo)


class _Inplace(Module):
    """An activation with only an ``inplace`` flag: ``_fn(input, inplace)``."""

    _fn = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Hardswish(_Inplace):
    """``F.hardswish``: ``x · relu6(x + 3) / 6``."""

    _fn = staticmethod(F.hardswish)

    def extra_repr(self):
        return ""


class Hardsigmoid(Hardswish):
    """``F.hardsigmoid``: ``relu6(x + 3) / 6``."""

    _fn = staticmethod(F.hardsigmoid)


class Mish(Hardswish):
    """``F.mish``: ``x · tanh(softplus(x))``."""

    _fn = staticmethod(F.mish)


class SELU(_Inplace):
    """``F.selu``: ``scale · elu(x, alpha)`` with SELU's constants.

    >>> import graphviz_grad as vg
    >>> vg.nn.SELU(inplace=True)
    SELU(inplace=True)
    """

    _fn = staticmethod(F.selu)


class CELU(Module):
    """``F.celu``: ``x`` where positive, ``alpha · (exp(x / alpha) - 1)`` elsewhere."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Threshold(Module):
    """``F.threshold``: ``x`` where ``x > threshold``, else ``value``.

    >>> import graphviz_grad as vg
    >>> vg.nn.Threshold(0.1, 20)
    Threshold(threshold=0.1, value=20)
    """

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """``F.prelu`` with a learnable slope: ``num_parameters`` of them (1, or one per channel), all ``init``.

    >>> import graphviz_grad as vg
    >>> act = vg.nn.PReLU()
    >>> act, act.weight
    (PReLU(num_parameters=1), Parameter containing:
    tensor([0.2500], requires_grad=True))
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        from .._creation import empty
        from .init import constant_
        from .parameter import Parameter

        self.num_parameters = num_parameters  # (before Module.__init__, as PyTorch's)
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, dtype=dtype, device=device))
        constant_(self.weight, init)

    def reset_parameters(self):
        from .init import constant_

        constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """``F.glu``: the first half along ``dim`` times the sigmoid of the second."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(Softmax):
    """``F.softmin``: ``softmax(-x, dim)``."""

    def forward(self, input):
        return F.softmin(input, self.dim)


class Softshrink(Module):
    """``F.softshrink``: shrink towards 0 by ``lambd``, 0 within it.

    >>> import graphviz_grad as vg
    >>> vg.nn.Softshrink()
    Softshrink(0.5)
    """

    _fn = staticmethod(F.softshrink)

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return type(self)._fn(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(Softshrink):
    """``F.hardshrink``: ``x`` where ``|x| > lambd``, 0 elsewhere."""

    _fn = staticmethod(F.hardshrink)


class _Plain(Module):
    """An activation without arguments: ``_fn(input)``."""

    _fn = None

    def forward(self, input):
        return type(self)._fn(input)


class LogSigmoid(_Plain):
    """``F.logsigmoid``: ``log(sigmoid(x))``."""

    _fn = staticmethod(F.logsigmoid)


class Softsign(_Plain):
    """``F.softsign``: ``x / (1 + |x|)``."""

    _fn = staticmethod(F.softsign)


class Tanhshrink(_Plain):
    """``F.tanhshrink``: ``x - tanh(x)``."""

    _fn = staticmethod(F.tanhshrink)
