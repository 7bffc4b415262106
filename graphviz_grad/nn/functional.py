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

import math

import numpy as np

from .. import _dtype, _functions, backend, ops
from ..autograd import grad_mode as _grad_mode
from .._dtype import type_name as _type_name
from .._warnings import warn_user as _warn
from .._functions import sigmoid, tanh  # noqa: F401  (part of F's namespace)
from .._functions import require_tensor as _require_tensor
from ..autograd.function import broadcast_message
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .functional_conv import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,  # noqa: F401
                              adaptive_max_pool2d, avg_pool1d, avg_pool2d, conv1d, conv2d, linear, max_pool1d,
                              max_pool2d, pad)
# the image-model layers after the blitz CNN (autoencoders, GANs, U-Nets, super-resolution)
from .functional_conv import conv_transpose1d, conv_transpose2d, fold, max_unpool1d, max_unpool2d, unfold  # noqa: F401
from .functional_upsample import interpolate, pixel_shuffle, pixel_unshuffle  # noqa: F401
from .functional_attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: F401
from .dropout import dropout, dropout1d, dropout2d, dropout3d  # noqa: F401  (part of F's namespace)

_REDUCTIONS = ("mean", "sum", "none")


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


# activations of the lessons after the tutorial (makemore, GPT)
from .._functions import logsumexp  # noqa: E402,F401  (F.logsumexp, as torch's namespace has it)


def gelu(input, approximate="none"):
    """``x · Φ(x)`` (Φ: the normal CDF, through ``erf``), or its tanh approximation with ``approximate='tanh'``.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.gelu(vg.tensor([-1., 0., 1.]))
    tensor([-0.1587,  0.0000,  0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, not {approximate!r}")
    return ops.Gelu.apply(_functions._float_input(input), approximate=approximate)


def silu(input, inplace=False):
    """``x · sigmoid(x)`` (also called swish)."""
    if inplace:
        return input._inplace(ops.Silu)
    return ops.Silu.apply(_functions._float_input(input))


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta·x)) / beta``, and ``x`` itself where ``beta·x > threshold``."""
    return ops.Softplus.apply(_functions._float_input(input), beta=beta, threshold=threshold)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` where positive, ``negative_slope · x`` elsewhere."""
    if inplace:
        return input._inplace(ops.LeakyRelu, negative_slope=negative_slope)
    return ops.LeakyRelu.apply(input, negative_slope=negative_slope)


def _composed_inplace(input, fn):
    """``fn(input)`` written back into ``input`` (an activation composed of several ops, run in place).

    ``fn`` reads a clone, so its saved tensors are not the ones ``copy_`` overwrites.
    """
    return input.copy_(fn(input.clone()))


def _float_only(name, input, kernel=None):
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{kernel or name + '_cpu'}\" not implemented for '{_type_name(input)}'")


def _elu(input, alpha, scale=1.0, input_scale=1.0):
    """PyTorch's ``elu`` kernel, which selu and celu call: ``scale · x`` where positive, ``alpha · scale ·
    (exp(input_scale · x) - 1)`` elsewhere, as a ``where`` of the two branches."""
    _require_tensor("elu", input)
    _float_only("elu", input)
    # exp of the non-positive part only: the positive side's exp could overflow, and inf · 0 is a nan gradient
    negative = _functions.clamp_max(input, 0.0)
    if input_scale != 1.0:
        negative = negative * input_scale
    negative = (_functions.exp(negative) - 1) * (alpha * scale)
    return _functions.where(input > 0, input * scale if scale != 1.0 else input, negative)


def elu(input, alpha=1.0, inplace=False):
    """``x`` where positive, ``alpha · (exp(x) - 1)`` elsewhere: a ``where`` of the two branches.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.elu(vg.tensor([-1., 0., 2.]))
    tensor([-0.6321,  0.0000,  2.0000])
    """
    if inplace:
        _require_tensor("elu", input)
        return _composed_inplace(input, lambda x: _elu(x, alpha))
    return _elu(input, alpha)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``x`` clamped to ``[min_val, max_val]``; as PyTorch, no gradient at the bounds themselves.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.hardtanh(vg.tensor([-2., 0.5, 3.]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    _require_tensor("hardtanh", input)
    if inplace:
        return _composed_inplace(input, lambda x: hardtanh(x, min_val, max_val))
    if not input.is_floating_point():  # an integer tensor stays integer, as PyTorch's
        min_val, max_val = int(min_val), int(max_val)
    # two wheres, not clamp: clamp passes the gradient at the bounds, hardtanh does not
    return _functions.where(input <= min_val, min_val, _functions.where(input >= max_val, max_val, input))


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)``: ``hardtanh(x, 0, 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


# --- more activations (transformers, feature maps, the activation zoo) ---------------------------------------

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _activation_op(name, op, input, inplace=False, kernel=None, **attrs):
    """One activation op on a floating ``input`` (PyTorch's error for others), in place if asked."""
    _require_tensor(name, input)
    _float_only(name, input, kernel)
    if inplace:
        return input._inplace(op, **attrs)
    return op.apply(input, **attrs)


def selu(input, inplace=False):
    """``scale · elu(x, alpha)`` with SELU's constants (α ≈ 1.6733, scale ≈ 1.0507).

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.selu(vg.tensor([-1., 1.]))
    tensor([-1.1113,  1.0507])
    """
    if inplace:
        _require_tensor("selu", input)
        return _composed_inplace(input, lambda x: _elu(x, _SELU_ALPHA, _SELU_SCALE))
    return _elu(input, _SELU_ALPHA, _SELU_SCALE)


def celu(input, alpha=1.0, inplace=False):
    """``x`` where positive, ``alpha · (exp(x / alpha) - 1)`` elsewhere.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.celu(vg.tensor([-1., 1.]), alpha=2.0)
    tensor([-0.7869,  1.0000])
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    if inplace:
        _require_tensor("celu", input)
        return _composed_inplace(input, lambda x: _elu(x, alpha, 1.0, 1.0 / alpha))
    return _elu(input, alpha, 1.0, 1.0 / alpha)


def threshold(input, threshold, value, inplace=False):
    """``x`` where ``x > threshold``, else ``value`` (one op; integer tensors too).

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.threshold(vg.tensor([0.5, 1.0, 2.0]), 1.0, 20.0)
    tensor([20., 20.,  2.])
    """
    _require_tensor("threshold", input)
    if inplace:
        return input._inplace(ops.Threshold, threshold=threshold, value=value)
    return ops.Threshold.apply(input, threshold=threshold, value=value)


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, a line between."""
    return _activation_op("hardsigmoid", ops.Hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    """``x · relu6(x + 3) / 6`` (MobileNetV3's activation)."""
    return _activation_op("hardswish", ops.Hardswish, input, inplace)


def mish(input, inplace=False):
    """``x · tanh(softplus(x))``.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.mish(vg.tensor([-1., 0., 1.]))
    tensor([-0.3034,  0.0000,  0.8651])
    """
    return _activation_op("mish", ops.Mish, input, inplace)


def logsigmoid(input):
    """``log(sigmoid(x))``, computed without overflow as ``min(x, 0) - log1p(exp(-|x|))``."""
    return _activation_op("log_sigmoid", ops.LogSigmoid, input)


def softshrink(input, lambd=0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.softshrink(vg.tensor([-1., 0.2, 2.]))
    tensor([-0.5000,  0.0000,  1.5000])
    """
    _require_tensor("softshrink", input)
    _float_only("softshrink", input, "softshrink_check")
    if lambd < 0:
        top = np.finfo(input._data.dtype).max
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype {_type_name(input)}, "
                           f"but found {lambd:g}")
    return ops.Softshrink.apply(input, lambd=lambd)


def hardshrink(input, lambd=0.5):
    """``x`` where ``|x| > lambd``, 0 elsewhere."""
    return _activation_op("hardshrink", ops.Hardshrink, input, lambd=lambd)


def tanhshrink(input):
    """``x - tanh(x)``."""
    _require_tensor("tanhshrink", input)
    return input - _functions.tanh(input)


def softsign(input):
    """``x / (1 + |x|)``."""
    _require_tensor("softsign", input)
    return input / (_functions.abs(input) + 1)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x, dim)``: the smallest entries get the largest weights."""
    _implicit_dim("softmin", dim)
    return _functions.softmax(-input, dim, dtype=dtype)


def glu(input, dim=-1):
    """The gated linear unit: ``a · sigmoid(b)``, ``a`` and ``b`` the two halves of ``input`` along ``dim``.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.glu(vg.tensor([[1., 2., 0., 100.]]))
    tensor([[0.5000, 2.0000]])
    """
    _require_tensor("glu", input)
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = input._wrap_dim(dim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    _float_only("glu", input)
    return ops.Glu.apply(input, dim=d)


def prelu(input, weight):
    """``x`` where positive, ``weight · x`` elsewhere; ``weight`` has one entry, or one per channel (dim 1).

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.prelu(vg.tensor([[-2., 2.]]), vg.tensor([0.25]))
    tensor([[-0.5000,  2.0000]])
    """
    _require_tensor("prelu", input)
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}")
    channels = input.shape[1] if input.dim() >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{weight.numel()} and channel size = {channels}.")
    _float_only("prelu", input)
    return ops.Prelu.apply(input, weight)


# the in-place forms PyTorch's F has


def relu_(input):
    """``relu`` in place."""
    return relu(input, inplace=True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu_(input):
    return selu(input, inplace=True)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input, threshold_value, value):
    return threshold(input, threshold_value, value, inplace=True)


def one_hot(tensor, num_classes=-1):
    """Class indices (an int64 tensor) as one-hot rows of ``num_classes`` (-1: the largest index + 1), int64.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.one_hot(vg.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    _require_tensor("one_hot", tensor, 1, "tensor")
    data = tensor._data
    if data.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor. "
                           f"(got {tensor.dtype}; convert the indices with .long())")
    xp = backend.xp_of(data)
    if data.size and int(data.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not data.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    elif data.size and int(data.max()) >= num_classes:
        raise RuntimeError(f"Class values must be smaller than num_classes. (the largest is {int(data.max())}, "
                           f"num_classes is {num_classes})")
    return Tensor._make((data[..., None] == xp.arange(num_classes)).astype(xp.int64))


# --- layers --------------------------------------------------------------------------


# --- embedding and normalization (fused ops, see ops/layers.py) ----------------------


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows ``weight[input]``: one ``embedding`` op; repeated indices add up in ``weight.grad``.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.embedding(vg.tensor([[0, 2]]), vg.tensor([[0., 1.], [2., 3.], [4., 5.]]))
    tensor([[[0., 1.],
             [4., 5.]]])
    """
    _require_tensor("embedding", input)
    _require_tensor("embedding", weight, 2, "weight")
    if input.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got torch.{_type_name(input)}Tensor instead (while checking arguments for embedding) "
            "(the input of an embedding is row numbers: use input.long())"
        )
    if weight.dim() != 2:
        raise RuntimeError(f"'weight' must be 2-D, got a {weight.dim()}-D tensor")
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    idx = input._data
    if idx.size:
        low, high = int(idx.min()), int(idx.max())
        if low < 0 or high >= num:
            bad = low if low < 0 else high
            raise IndexError(
                f"index out of range in self: index {bad} does not name a row of the embedding table of "
                f"{num} rows (num_embeddings={num}); indices must run from 0 to {num - 1}"
            )
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
    attrs = {}  # (the label shows what differs from the defaults)
    if padding_idx is not None:
        attrs["padding_idx"] = padding_idx
    if scale_grad_by_freq:
        attrs["scale_grad_by_freq"] = True
    return ops.Embedding.apply(weight, input, **attrs)


def _embedding_renorm_(weight, idx, max_norm, norm_type):
    """PyTorch's ``embedding_renorm_``: rows looked up whose norm exceeds ``max_norm`` are scaled
    down in place to norm ``max_norm`` (not recorded in the graph)."""
    xp = backend.xp_of(weight._data)
    rows = xp.unique(idx.reshape(-1))
    arr = weight._writable()
    norms = xp.linalg.norm(arr[rows].astype(xp.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    if bool(big.any()):
        scale = (max_norm / (norms[big] + 1e-7)).astype(arr.dtype)
        arr[rows[big]] *= scale[:, None]
        weight._bump()


def _check_normalized_shape(input, normalized_shape, star="*, "):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    n = len(shape)
    if n == 0 or tuple(input.shape[input.dim() - n:]) != shape or input.dim() < n:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [{star}{', '.join(map(str, shape))}], "
            f"but got input of size{list(input.shape)}"
        )
    return shape


def _check_param_shape(what, param, shape, fn):
    if param is not None and tuple(param.shape) != tuple(shape):
        raise RuntimeError(f"{fn}: expected {what} of shape {list(shape)}, got {list(param.shape)}")


def _check_norm_dtypes(input, *params):
    """PyTorch's CPU error for a normalization whose parameters (or running statistics) are not of the
    input's dtype: a float64 input through a float32 layer."""
    data = input._data
    if data.__class__ is not np.ndarray:
        return
    for p in params:
        if p is not None and p._data.dtype != data.dtype:
            reason = ("expect parameter to have scalar type of Float" if data.dtype == np.float32
                      else "all inputs must share same datatype.")
            raise RuntimeError(f"mixed dtype (CPU): {reason} (convert the input, e.g. x.float(), or the layer, "
                               f"e.g. model.double())")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last ``len(normalized_shape)`` dims, then ``· weight + bias``: one op.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.layer_norm(vg.tensor([[1., 3.]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    _require_tensor("layer_norm", input)
    shape = _check_normalized_shape(input, normalized_shape)
    _check_param_shape("weight", weight, shape, "layer_norm")
    _check_param_shape("bias", bias, shape, "layer_norm")
    _check_norm_dtypes(input, weight, bias)
    params = [p for p in (weight, bias) if p is not None]
    op = ops.LayerNormAffine if weight is not None else ops.LayerNorm
    if eps != 1e-5:  # (only what differs from the defaults goes in the op's label)
        return op.apply(input, *params, normalized_shape=shape, eps=eps)
    return op.apply(input, *params, normalized_shape=shape)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel (dim 1) by the batch's statistics (``training``), updating
    ``running_mean``/``running_var`` in place if given, or by the running statistics: one op.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> rm, rv = vg.zeros(1), vg.ones(1)
    >>> F.batch_norm(vg.tensor([[1.], [3.]]), rm, rv, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    >>> rm, rv
    (tensor([0.2000]), tensor([1.1000]))
    """
    _require_tensor("batch_norm", input)
    if input.dim() < 2:
        raise ValueError(f"batch_norm expects an input of at least 2 dims (N, C, ...), got {input.dim()}-D")
    channels = input.shape[1]
    for what, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{what} should contain {channels} elements not {t.numel()}")
    _check_norm_dtypes(input, running_mean, running_var, weight, bias)
    if training:
        per_channel = input.numel() // channels if channels else 0
        if per_channel == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {input.shape} "
                "(batch statistics need a batch of at least 2: use a larger batch, or model.eval() to "
                "use the running statistics)"
            )
    running = None
    if running_mean is not None and running_var is not None:
        running = (running_mean, running_var)
    elif not training:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    params = [p for p in (weight, bias) if p is not None]
    op = ops.BatchNormAffine if weight is not None else ops.BatchNorm
    attrs = {"training": bool(training), "running": running}  # (the label shows what differs from the defaults)
    if training and running is not None and momentum != 0.1:
        attrs["momentum"] = momentum
    if eps != 1e-5:
        attrs["eps"] = eps
    return op.apply(input, *params, **attrs)



def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample (N, C, ...) over its own spatial dims, as PyTorch does it: a
    batch norm of the input viewed as one sample of N·C channels, the per-channel ``weight``, ``bias`` and
    running statistics repeated N times, then the running statistics averaged back over the samples.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.instance_norm(vg.tensor([[[1., 3.], [0., 4.]]]))
    tensor([[[-1.0000,  1.0000],
             [-1.0000,  1.0000]]])
    """
    _require_tensor("instance_norm", input)
    if use_input_stats:
        if input.dim() >= 2 and math.prod(input.shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    b, c = input.shape[:2]
    repeated = [None if t is None else t.repeat(b) for t in (running_mean, running_var, weight, bias)]
    out = batch_norm(input.reshape((1, b * c) + tuple(input.shape[2:])), *repeated[:2], *repeated[2:],
                     training=use_input_stats, momentum=momentum, eps=eps)
    with _grad_mode.no_grad():
        for running, per_sample in zip((running_mean, running_var), repeated[:2]):
            if running is not None:
                running.copy_(per_sample.view(b, c).mean(0))
    return out.view(input.shape)



def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize each sample's channels (dim 1) in ``num_groups`` groups, then ``· weight + bias`` per
    channel: one op.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.group_norm(vg.tensor([[1., 3., 10., 30.]]), 2)
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]])
    """
    _require_tensor("group_norm", input)
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    channels = input.shape[1]
    if channels % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != channels):
            raise RuntimeError(f"Expected {what} to be a vector of size equal to the number of channels in input, "
                               f"but got {what} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    _check_norm_dtypes(input, weight, bias)
    params = [p for p in (weight, bias) if p is not None]
    op = ops.GroupNormAffine if weight is not None else ops.GroupNorm
    if eps != 1e-5:  # (only what differs from the defaults goes in the op's label)
        return op.apply(input, *params, num_groups=num_groups, eps=eps)
    return op.apply(input, *params, num_groups=num_groups)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / √(mean(x²) + eps) · weight`` over the last ``len(normalized_shape)`` dims, composed of tensor ops
    as PyTorch composes it (``eps=None``: the dtype's machine epsilon).

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.rms_norm(vg.tensor([[3., 4.]]), (2,))
    tensor([[0.8485, 1.1314]])
    """
    _require_tensor("rms_norm", input)
    shape = _check_normalized_shape(input, normalized_shape, star="*")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {list(shape)}")
    if eps is None:
        eps = float(np.finfo(_functions._float_input(input)._data.dtype).eps)
    dims = tuple(range(input.dim() - len(shape), input.dim()))
    out = input * _functions.rsqrt(_functions.pow(input, 2).mean(dims, keepdim=True) + eps)
    return out * weight if weight is not None else out


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input`` divided by its ``p``-norm along ``dim`` (at least ``eps``): unit vectors.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.normalize(vg.tensor([[3., 4.]]))
    tensor([[0.6000, 0.8000]])
    """
    _require_tensor("normalize", input)
    denom = _functions.norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is not None:
        return _functions.div(input, denom, out=out)
    return input / denom


def _float_pair(fn, x1, x2):
    _require_tensor(fn, x1)
    _require_tensor(fn, x2, 2, "x2")
    x1, x2 = _functions._common_dtype([x1, x2])
    if not x1.is_floating_point():
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {_type_name(x1)}")
    return x1, x2


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``x1 · x2 / (‖x1‖ ‖x2‖)`` along ``dim`` (the inputs broadcast; each norm at least ``eps``).

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.cosine_similarity(vg.tensor([[1., 0.], [1., 1.]]), vg.tensor([[1., 1.]]))
    tensor([0.7071, 1.0000])
    """
    x1, x2 = _float_pair("cosine_similarity", x1, x2)
    if x1.shape != x2.shape:
        s1, s2 = tuple(x1.shape), tuple(x2.shape)
        message = broadcast_message(s1, s2)
        if message:
            raise RuntimeError(message)
        shape = np.broadcast_shapes(s1, s2)
        x1, x2 = x1.expand(shape), x2.expand(shape)
    # as PyTorch: each input divided by its norm first (the result stays in [-1, 1]); the norms clamped in
    # place without grad, so the gradient goes through them as if unclamped
    d = x1._wrap_dim(dim)
    norms = []
    for x in (x1, x2):
        n = _functions.vector_norm(x, 2, d, True).clone()
        with no_grad():
            n.clamp_min_(eps)
        norms.append(n)
    return ((x1 / norms[0]) * (x2 / norms[1])).sum(d)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``‖x1 - x2 + eps‖_p`` along the last dim (the inputs broadcast).

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.pairwise_distance(vg.tensor([[0., 0.]]), vg.tensor([[3., 4.]]))
    tensor([5.0000])
    """
    _require_tensor("pairwise_distance", x1)
    _require_tensor("pairwise_distance", x2, 2, "x2")
    innermost = max(x1.dim(), x2.dim()) - 1
    return _functions.norm(x1 - x2 + eps, p, innermost, keepdim)

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


def _pointwise_loss(op, input, target, reduction, size_average, reduce):
    input, target, reduction = _pointwise_operands(op.name, input, target, reduction, size_average, reduce)
    return op.apply(input, target, reduction=reduction)


def _pointwise_operands(name, input, target, reduction, size_average=None, reduce=None):
    """An elementwise loss's checks, as PyTorch's: the reduction, the shapes (a warning when they differ),
    float dtypes; returns ``(input, target, reduction)``."""
    reduction = _reduction(reduction, size_average, reduce)
    _require_tensor(name, input)
    _require_tensor(name, target, 2, "target")
    if target.shape != input.shape:
        mismatch = broadcast_message(tuple(input.shape), tuple(target.shape))
        if mismatch:
            raise RuntimeError(mismatch)
        _warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size."
        )
    input, target = _functions.operands(input, target)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"{name} is not implemented for '{input.dtype.name.capitalize()}' tensors; "
                                  "convert them to floats first, e.g. x.float()")
    return input, target, reduction


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean (or sum, or none) of ``(input - target)²``; warns when the shapes differ."""
    return _pointwise_loss(ops.MseLoss, input, target, reduction, size_average, reduce)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean (or sum, or none) of ``|input - target|``; warns when the shapes differ."""
    return _pointwise_loss(ops.L1Loss, input, target, reduction, size_average, reduce)


def _check_class_target(input, target):
    """PyTorch's checks of class-index targets, in its order (batch size, dims, dtype), each error with
    the shape that was expected and, for the usual slips, the ``view`` that fixes them."""
    if input.dim() == 1:
        if target.dim() != 0:
            raise RuntimeError(f"0D target tensor expected for 1D input, got {target.dim()}D target")
    else:
        batch, shape = input.shape[0], list(input.shape)
        expected = [batch, *input.shape[2:]]
        if target.dim() >= 1 and target.shape[0] != batch:
            hint = ""
            if target.numel() == batch and target.dim() > 1:
                hint = (f" (the {target.numel()} targets have shape {list(target.shape)}: "
                        "flatten them with target.view(-1))")
            elif input.dim() > 2 and input.numel() // shape[-1] == target.numel():
                hint = (f" (logits of shape {shape} take their classes in dim 1; with the classes last, "
                        f"flatten the logits with logits.view(-1, {shape[-1]}) to match the {target.numel()} targets)")
            raise ValueError(
                f"Expected input batch_size ({batch}) to match target batch_size ({target.shape[0]}).{hint}")
        if input.dim() == 2 and target.dim() != 1:
            raise RuntimeError(
                "0D or 1D target tensor expected, multi-target not supported (the input has shape "
                f"{shape}, so the target must have shape [{batch}] (class indices) or {shape} (class "
                f"probabilities); it has shape {list(target.shape)}"
                + ("" if target.is_floating_point() else ": flatten it with target.view(-1)") + ")"
            )
        if input.dim() > 2 and list(target.shape) != expected:
            hint = ""
            if input.dim() == 3 and list(target.shape) == shape[:2]:
                b, t, c = shape
                hint = (f" (cross_entropy takes the classes in dim 1, so it read logits of shape [B, T, C] = "
                        f"{shape} as {t} classes; flatten both: logits.view(B*T, C) -> [{b * t}, {c}] and "
                        f"targets.view(B*T) -> [{b * t}])")
            raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}{hint}")
    if target.dtype not in (_dtype.int64, _dtype.uint8):
        hint = "class indices must be integers: use target.long()"
        if target.is_floating_point():
            index_shape = [input.shape[0], *input.shape[2:]] if input.dim() > 1 else []
            hint = (f"class probabilities must have the input's shape {list(input.shape)}; class indices must be "
                    f"integers (target.long()) of shape {index_shape}")
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_type_name(target)} ({hint})")


def _class_dim(input):
    """The class dimension of a classification loss's input: 1, or 0 for one sample of shape (C,)."""
    return 1 if input.dim() > 1 else 0


def _class_weights(fn, weight, input):
    """Check ``weight=`` as PyTorch does: None, or a tensor with one value per class in the input's dtype."""
    if weight is None:
        return None
    _require_tensor(fn, weight, 3, "weight")
    n_classes = input.shape[_class_dim(input)]
    if tuple(weight.shape) != (n_classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes but got "
            f"weight tensor of shape: {list(weight.shape)}"
        )
    if weight.dtype != input.dtype:
        raise RuntimeError(
            f"expected scalar type {_type_name(input)} but found {_type_name(weight)} "
            "(give the weights the input's dtype, e.g. weight.to(input.dtype))"
        )
    return weight


def _check_ignore_index(fn, ignore_index):
    if not isinstance(ignore_index, int) or isinstance(ignore_index, bool):
        raise TypeError(f"{fn}(): argument 'ignore_index' must be int, not {type(ignore_index).__name__}")


def _class_index_key(classes):
    """The index that picks ``logp[n, classes[n, d...], d...]``: shape of ``classes`` (class dim 1, or 0 if 1-D)."""
    if classes.ndim == 0:
        return classes
    xp = backend.xp_of(classes)
    axes = [xp.arange(n).reshape((-1,) + (1,) * (classes.ndim - 1 - i)) for i, n in enumerate(classes.shape)]
    return (axes[0], classes, *axes[1:])


def _weighted_nll(logp, target, weight, ignore_index, reduction):
    """PyTorch's ``nll_loss`` of class indices, with class weights and ignored targets.

    Each element's loss is ``-weight[class] * logp[class]`` (weight 1 without
    ``weight``), a target equal to ``ignore_index`` counts 0, and ``'mean'``
    divides by the total weight of the counted targets (nan if there are none).
    """
    if weight is not None and weight.requires_grad:
        raise RuntimeError("nll_loss is not differentiable with respect to argument 'weight': pass weight.detach()")
    tgt = target._data
    counted = tgt != ignore_index
    classes = backend.xp_of(tgt).where(counted, tgt, 0)
    n_classes = logp.shape[_class_dim(logp)]
    bad = classes[(classes < 0) | (classes >= n_classes)]
    if bad.size:
        raise IndexError(
            f"Target {int(bad.reshape(-1)[0])} is out of bounds: class indices run from 0 to {n_classes - 1} "
            f"(targets equal to ignore_index={ignore_index} are skipped)"
        )
    picked = logp[_class_index_key(classes)]
    if weight is None:
        losses, per_target = -picked, counted
    else:
        per_target = weight._data[classes]
        losses = -(picked * Tensor._make(per_target))
        per_target = per_target * counted
    if not counted.all():
        losses = _functions.where(Tensor._make(counted), losses, 0.0)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    total = per_target.sum().item()
    if total == 0:  # nothing counted: a nan loss, as PyTorch (and no division by zero)
        return losses.sum() * float("nan")
    return losses.sum() / total


def _soft_target_loss(input, target, weight, reduction):
    """Cross-entropy against class probabilities with class weights: ``-sum_c w_c p_c log_softmax(x)_c``."""
    dim = _class_dim(input)
    w = weight.reshape((-1,) + (1,) * (input.dim() - dim - 1))
    losses = -(_functions.log_softmax(input, dim) * target * w).sum(dim)
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _label_smoothed(input, target, weight, ignore_index, reduction, eps):
    """``cross_entropy(..., label_smoothing=eps)`` as PyTorch computes it: the targets mixed with the
    uniform distribution over the C classes, ``(1 - eps) · nll + eps / C · (−Σ_c w_c log p_c)``."""
    dim = _class_dim(input)
    n_classes = input.shape[dim]
    if input.shape == target.shape:  # class probabilities: smooth them
        return cross_entropy(input, target * (1 - eps) + eps / n_classes, weight, ignore_index=ignore_index,
                             reduction=reduction)
    _check_class_target(input, target)
    logp = _functions.log_softmax(input, dim)
    nll = _weighted_nll(logp, target, weight, ignore_index, reduction)
    w = 1.0 if weight is None else weight.reshape((-1,) + (1,) * (input.dim() - dim - 1))
    counted = target != ignore_index
    smooth = _functions.where(counted, -(logp * w).sum(dim), 0.0)
    if reduction == "mean":
        kept = target[counted]
        smooth = smooth.sum() / (counted.sum() if weight is None else weight[kept].sum())
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - eps) + smooth * (eps / n_classes)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Log-softmax over dim 1 and negative log-likelihood: class indices or class probabilities.

    ``weight`` gives each class a weight; targets equal to ``ignore_index`` count
    for nothing, as in PyTorch. Without either, one fused op does the work.
    """
    reduction = _reduction(reduction, size_average, reduce)
    _require_tensor("cross_entropy", input)
    _require_tensor("cross_entropy", target, 2, "target")
    _check_ignore_index("cross_entropy", ignore_index)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if not input.is_floating_point():
        raise RuntimeError(f"cross_entropy expects floating point logits, but got {_type_name(input)}")
    weight = _class_weights("cross_entropy", weight, input)
    if label_smoothing > 0.0:
        return _label_smoothed(input, target, weight, ignore_index, reduction, label_smoothing)
    if input.shape == target.shape:
        if not target.is_floating_point():
            raise RuntimeError(
                f"Expected floating point type for target with class probabilities, got {_type_name(target)}"
            )
        if ignore_index != -100:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if weight is not None:
            return _soft_target_loss(input, target, weight, reduction)
    else:
        _check_class_target(input, target)
        if weight is not None or (target._data == ignore_index).any():
            logp = _functions.log_softmax(input, _class_dim(input))
            return _weighted_nll(logp, target, weight, ignore_index, reduction)
    return ops.CrossEntropy.apply(input, target, reduction=reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of class indices, given log-probabilities ``input`` (class dim 1, or 0 if 1-D)."""
    reduction = _reduction(reduction, size_average, reduce)
    _require_tensor("nll_loss", input)
    _require_tensor("nll_loss", target, 2, "target")
    _check_ignore_index("nll_loss", ignore_index)
    weight = _class_weights("nll_loss", weight, input)
    _check_class_target(input, target)
    return _weighted_nll(input, target, weight, ignore_index, reduction)


# --- the blitz: binary cross-entropy --------------------------------------------------------------------------


def _reduce(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _binary_target(input, target, message):
    _require_tensor("binary_cross_entropy", input)
    _require_tensor("binary_cross_entropy", target, 2, "target")
    if target.shape != input.shape:
        raise ValueError(message)
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {_type_name(target)} but expected {_type_name(input)}")


def _no_grad_argument(fn, name, value):
    if value is not None and value.requires_grad:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{name}'. "
                           "This input cannot have requires_grad True.")


def _weighted(losses, weight):
    """``losses · weight``, the weight broadcast to the losses' shape (PyTorch's error when it does not)."""
    if weight is None:
        return losses
    try:
        shape = np.broadcast_shapes(tuple(losses.shape), tuple(weight.shape))
    except ValueError:
        shape = None
    if shape != tuple(losses.shape):
        raise RuntimeError(f"Attempting to broadcast a dimension of length {weight.shape[-1]} at -1! Mismatching "
                           f"argument at index 1 had {weight.shape}; but expected shape should be broadcastable "
                           f"to {list(losses.shape)}")
    return losses * weight


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """``-w · (y · log p + (1 - y) · log(1 - p))`` for probabilities ``p`` in [0, 1] (each log at least -100).

    >>> import graphviz_grad as vg
    >>> F = vg.nn.functional
    >>> F.binary_cross_entropy(vg.tensor([0.5, 1.0]), vg.tensor([1.0, 0.0]), reduction='none')
    tensor([  0.6931, 100.0000])
    """
    _no_grad_argument("binary_cross_entropy", "weight", weight)
    reduction = _reduction(reduction, size_average, reduce)
    _binary_target(input, target, f"Using a target size ({target.shape}) that is different to the input size "
                                  f"({input.shape}) is deprecated. Please ensure they have the same size.")
    for name, t in (("input", input), ("target", target)):
        data = t._data
        if not ((data >= 0) & (data <= 1)).all():  # (nan fails both)
            raise RuntimeError(f"all elements of {name} should be between 0 and 1")
    losses = _weighted(ops.BinaryCrossEntropy.apply(input, target), weight)
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross-entropy of ``sigmoid(input)``, computed from the logits without overflow:
    ``(1 - y) · x + (1 + (pos_weight - 1) · y) · softplus(-x)``, times ``weight``.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.binary_cross_entropy_with_logits(vg.tensor([100., -100.]), vg.tensor([0., 1.]))
    tensor(100.)
    """
    _no_grad_argument("binary_cross_entropy_with_logits", "weight", weight)
    _no_grad_argument("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    reduction = _reduction(reduction, size_average, reduce)
    _binary_target(input, target, f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    log_weight = 1 if pos_weight is None else (pos_weight - 1) * target + 1
    losses = (1 - target) * input + log_weight * softplus(-input)
    return _reduce(_weighted(losses, weight), reduction)


# --- robust regression and distribution losses, composed of tensor ops ------------------------------------------


def _quadratic_then_linear(input, target, threshold):
    """``0.5 · d² / threshold`` where ``|d| < threshold``, ``|d| - 0.5 · threshold`` elsewhere (``d = input -
    target``): smooth L1's elementwise loss, which Huber's is ``threshold`` times."""
    diff = input - target
    size = _functions.abs(diff)
    return _functions.where(size < threshold, diff * diff * (0.5 / threshold), size - 0.5 * threshold)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below ``beta``, absolute error above (``beta=0``: ``l1_loss``).

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.smooth_l1_loss(vg.tensor([0.5, 3.]), vg.tensor([0., 0.]), reduction='none')
    tensor([0.1250, 2.5000])
    """
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, size_average, reduce, reduction)
    input, target, reduction = _pointwise_operands("smooth_l1_loss", input, target, reduction, size_average, reduce)
    return _reduce(_quadratic_then_linear(input, target, beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 · d²`` below ``delta``, ``delta · (|d| - 0.5 · delta)`` above; ``weight`` (the input's shape)
    weighs each element.

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.huber_loss(vg.tensor([0.5, 3.]), vg.tensor([0., 0.]), reduction='none', delta=2.)
    tensor([0.1250, 4.0000])
    """
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target, reduction = _pointwise_operands("huber_loss", input, target, reduction)
    losses = _quadratic_then_linear(input, target, delta) * delta
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        losses = losses * weight
    return _reduce(losses, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """``target · (log target - input)`` for log-probabilities ``input`` (0 where the target is 0), or
    ``exp(target) · (target - input)`` with ``log_target=True``; ``'batchmean'`` divides the sum by
    ``input.size(0)``, the KL divergence per sample (``'mean'`` divides by every element, and warns).

    >>> import graphviz_grad as vg
    >>> import graphviz_grad.nn.functional as F
    >>> F.kl_div(vg.tensor([[0.5, 0.5]]).log(), vg.tensor([[0.25, 0.75]]), reduction='batchmean')
    tensor(0.1308)
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        _warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
              "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
              "'mean' will be changed to behave the same as 'batchmean' in the next major release.")
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _require_tensor("kl_div", input)
    _require_tensor("kl_div", target, 2, "target")
    if not (input.is_floating_point() and target.is_floating_point()):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        losses = _functions.exp(target) * (target - input)
    else:
        # log of 1 where the target is 0 (not -inf): xlogy's 0 · log 0 = 0, and no nan gradient through it
        positive = target > 0
        losses = target * _functions.log(_functions.where(positive, target, 1.0)) - target * input
    if reduction == "batchmean":
        total = losses.sum()
        return total / input.shape[0] if input.dim() else total
    return _reduce(losses, reduction)
