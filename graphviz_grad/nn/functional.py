"""``nn.functional`` (``import graphviz_grad.nn.functional as F``): layers and losses as functions.

The activations are the package's own functions; ``linear`` and the losses check
their arguments the way PyTorch does and then call one fused op each.

>>> import graphviz_grad as vg
>>> import graphviz_grad.nn.functional as F
>>> F.mse_loss(vg.tensor([1., 2.]), vg.tensor([1., 4.]))
tensor(2.)
>>> F.cross_entropy(vg.tensor([[0., 0.]]), vg.tensor([1]))
tensor(0.6931)
"""
import sys
import warnings

from .. import _dtype, _functions, ops
from .._creation import arange
from .._functions import sigmoid, tanh  # noqa: F401  (part of F's namespace)
from ..tensor import Tensor
from .module import _typename

_REDUCTIONS = ("mean", "sum", "none")
_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "uint8": "Byte",
               "int16": "Short", "int32": "Int", "int64": "Long", "bool": "Bool"}


def _warn(message):
    """Warn, attributed to the first caller outside graphviz_grad (the user's line)."""
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "graphviz_grad":
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def _require_tensor(fn, value, position=1, arg="input"):
    """PyTorch's TypeError for a non-tensor argument, with the usual fix."""
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{fn}(): argument '{arg}' (position {position}) must be Tensor, not {_typename(value)} "
            "(convert it first, e.g. torch.from_numpy(array) or torch.tensor(values))"
        )


def _type_name(t):
    """PyTorch's name of a tensor's element type in messages: Float, Double, Long, ..."""
    return _TYPE_NAMES[t.dtype.name]


# --- activations ---------------------------------------------------------------------


def relu(input, inplace=False):
    """max(input, 0); ``inplace=True`` overwrites ``input``."""
    return input.relu_() if inplace else _functions.relu(input)


def _implicit_dim(name, dim):
    if dim is None:
        _warn(f"Implicit dimension choice for {name} has been deprecated. "
              "Change the call to include dim=X as an argument.")


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    _implicit_dim("softmax", dim)
    return _functions.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    _implicit_dim("log_softmax", dim)
    return _functions.log_softmax(input, dim, dtype=dtype)


# --- layers --------------------------------------------------------------------------


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` as one ``linear`` op."""
    _require_tensor("linear", input)
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_type_name(input)} and {_type_name(weight)} "
            f"(convert the input, e.g. x.float(), or the layer, e.g. model.double())"
        )
    if input._data.__class__ is not weight._data.__class__:
        _functions._check_device(input, weight)
    if bias is None:
        return ops.Linear.apply(input, weight)
    return ops.Linear.apply(input, weight, bias)


# --- losses --------------------------------------------------------------------------


def _legacy_reduction(size_average, reduce):
    """PyTorch's mapping of the deprecated ``size_average``/``reduce`` flags to ``reduction``."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    _warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.")
    return reduction


def _reduction(reduction, size_average=None, reduce=None):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _check_broadcast(a, b):
    """PyTorch's error for shapes that do not broadcast (checked from the last dim)."""
    n = max(len(a), len(b))
    for i in range(n - 1, -1, -1):
        sa = a[i - n + len(a)] if i - n + len(a) >= 0 else 1
        sb = b[i - n + len(b)] if i - n + len(b) >= 0 else 1
        if sa != sb and 1 not in (sa, sb):
            raise RuntimeError(
                f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton dimension {i}"
            )


def _pointwise_loss(op, input, target, reduction, size_average, reduce):
    reduction = _reduction(reduction, size_average, reduce)
    _require_tensor(op.name, input)
    _require_tensor(op.name, target, 2, "target")
    if target.shape != input.shape:
        _check_broadcast(tuple(input.shape), tuple(target.shape))
        _warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size."
        )
    input, target = _functions.operands(input, target)
    return op.apply(input, target, reduction=reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean (or sum, or none) of ``(input - target)²``; warns when the shapes differ."""
    return _pointwise_loss(ops.MseLoss, input, target, reduction, size_average, reduce)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean (or sum, or none) of ``|input - target|``; warns when the shapes differ."""
    return _pointwise_loss(ops.L1Loss, input, target, reduction, size_average, reduce)


def _check_class_target(input, target):
    """PyTorch's checks of class-index targets: dtype, dims and batch size."""
    if target.dtype not in (_dtype.int64, _dtype.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_type_name(target)} "
            "(class indices must be integers: use target.long())"
        )
    if input.dim() == 1:
        if target.dim() != 0:
            raise RuntimeError(f"0D target tensor expected for 1D input, got {target.dim()}D target")
        return
    if target.dim() != input.dim() - 1:
        if input.dim() == 2:
            raise RuntimeError(
                "0D or 1D target tensor expected, multi-target not supported "
                f"(target has shape {list(target.shape)}; flatten it with target.view(-1))"
            )
        raise RuntimeError(f"Expected target size {[input.shape[0], *input.shape[2:]]}, got {list(target.shape)}")
    if input.shape[0] != target.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({target.shape[0]})."
        )
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {[input.shape[0], *input.shape[2:]]}, got {list(target.shape)}")


def _unsupported(what, value, default):
    if value is not default and value != default:
        raise NotImplementedError(f"{what}={value!r} is not supported by graphviz_grad yet")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Log-softmax over dim 1 and negative log-likelihood: class indices or class probabilities."""
    reduction = _reduction(reduction, size_average, reduce)
    _require_tensor("cross_entropy", input)
    _require_tensor("cross_entropy", target, 2, "target")
    _unsupported("weight", weight, None)
    _unsupported("label_smoothing", label_smoothing, 0.0)
    if not input.is_floating_point():
        raise RuntimeError(f"cross_entropy expects floating point logits, but got {_type_name(input)}")
    if input.shape == target.shape:
        if not target.is_floating_point():
            raise RuntimeError(
                f"Expected floating point type for target with class probabilities, got {_type_name(target)}"
            )
    else:
        _check_class_target(input, target)
    return ops.CrossEntropy.apply(input, target, reduction=reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of class indices, given log-probabilities ``input`` (1-D or 2-D)."""
    reduction = _reduction(reduction, size_average, reduce)
    _require_tensor("nll_loss", input)
    _require_tensor("nll_loss", target, 2, "target")
    _unsupported("weight", weight, None)
    _check_class_target(input, target)
    if input.dim() > 2:
        raise NotImplementedError("nll_loss supports 1-D and 2-D inputs in graphviz_grad")
    picked = input[target] if input.dim() == 1 else input[arange(input.shape[0]), target]
    losses = -picked
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses
