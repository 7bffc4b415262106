"""graphviz_grad: a PyTorch-style autograd engine on NumPy that draws what it computes.

Write ``import graphviz_grad as torch`` and the programs of the classic
"learning PyTorch with examples" tutorial run unchanged; ``vg.graph(t)``,
``vg.record()`` and ``vg.viz`` show the graph they built.

>>> import graphviz_grad as vg
>>> x, w, b = (vg.tensor(v, requires_grad=True) for v in (1.0, 2.0, 3.0))
>>> y = w * x + b
>>> y.backward()
>>> x.grad, w.grad, b.grad
(tensor(2.), tensor(1.), tensor(1.))
"""
import importlib

from ._dtype import (bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int,
                     int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from .backend import device, get_default_device, set_default_device
from .backend import (are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled,
                      use_deterministic_algorithms)
from .tensor import Size, Tensor
from . import _tensor_methods  # noqa: F401  (attaches math methods to Tensor)
from ._creation import (DoubleTensor, FloatTensor, LongTensor, arange, as_tensor, empty, empty_like, eye,
                        from_numpy, full, full_like, linspace, ones, ones_like, rand, rand_like, randint, randn,
                        randn_like, tensor, zeros, zeros_like)
from ._functions import (abs, add, all, allclose, amax, any, argmax, argmin, bitwise_and, bitwise_not, bitwise_or, bitwise_xor,
                         cat, clamp, clamp_max,
                         clamp_min, clip, clone, concat, concatenate, div, dot, eq, equal, exp, expand,
                         flatten, ge, gt, isfinite, isnan, le, log, log_softmax, logical_and, logical_not, logical_or, lt,
                         matmul,
                         max, maximum, mean, min, minimum, mm, mul, ne, neg, norm, permute, pow, relu,
                         reshape, sigmoid, softmax, sqrt, square, squeeze, stack, sub, sum, t, tanh,
                         transpose, unsqueeze, where)
from ._functions import (amin, cos, cumsum, einsum, erf, gather, index_add, index_select, log1p, logsumexp,
                         masked_fill, outer, prod, reciprocal, rsqrt, scatter, scatter_add, sin, std, tril, triu,
                         var)
from ._functions import log10
from ._functions import unflatten
from ._functions import bmm, chunk, diag, flip, roll, split, unbind  # more shapes
from ._functions import argsort, cumprod, isclose, logit, nan_to_num, nan_to_num_, sort, topk
from ._functions import (addmm, ceil, exp2, fix, floor, fmod, frac, mv, remainder, sign,  # the blitz
                         trunc)
from ._functions import _round as round
from ._functions import (bincount, broadcast_to, count_nonzero, masked_select, meshgrid, movedim, moveaxis,  # the blitz
                         narrow, nonzero, select, tile, unique)
from ._creation import logspace
from ._math_functions import (aminmax, arctan2, atan2, copysign, cummax, cummin, deg2rad, floor_divide,  # more math
                              heaviside, hypot, lerp, logaddexp, logaddexp2, logcumsumexp, median, mode, nanmean,
                              nanmedian, nanquantile, nansum, quantile, rad2deg, signbit, std_mean, var_mean, xlogy)
from ._matrix_functions import (addbmm, addmv, addr, baddbmm, block_diag, bucketize, cartesian_prod, cdist,
                                combinations, cross, det, diagonal, diff, dist, index_fill, inverse, kron, matrix_power,
                                rot90, searchsorted, take, take_along_dim, trace, tril_indices, triu_indices)
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.grad_mode import inference_mode
from .random import initial_seed, manual_seed, seed
from .random import Generator, default_generator, get_rng_state, set_rng_state
from ._creation import bernoulli, multinomial, normal, randint_like, randperm
from . import _random_methods  # noqa: F401  (attaches normal_, uniform_, random_, bernoulli_, ... to Tensor)
from . import autograd, cuda
from ._compile import compile
from ._format import get_printoptions, set_printoptions

__version__ = "0.1.0"

subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg
ger = outer

_LAZY_MODULES = {"nn", "optim", "viz", "record", "serialization", "utils"}
_LAZY_MODULES |= {"special"}
_LAZY_MODULES |= {"accelerator"}  # the blitz
_LAZY_MODULES |= {"linalg"}
_LAZY_MODULES |= {"backends"}
_LAZY_ATTRS = {
    "save": "serialization",
    "load": "serialization",
    "graph": "record",
    "Graph": "record",
    "Tape": "record",
}


def __getattr__(name):
    # nn, optim and the drawing code load on first use so that `import graphviz_grad` stays fast.
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_ATTRS:
        return getattr(importlib.import_module(f".{_LAZY_ATTRS[name]}", __name__), name)
    if name == "record":
        return importlib.import_module(".record", __name__).record
    raise AttributeError(f"module 'graphviz_grad' has no attribute '{name}'")


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(t):
    return t.numel()


def is_floating_point(t):
    return t.is_floating_point()
