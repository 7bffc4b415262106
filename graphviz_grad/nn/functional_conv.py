"""``F.linear``, ``F.conv1d``/``conv2d``, the pools and ``F.pad``: PyTorch's argument checks, then one op each.

Re-exported by :mod:`graphviz_grad.nn.functional`.

>>> import graphviz_grad as vg
>>> import graphviz_grad.nn.functional as F
>>> x = vg.arange(16.).reshape(1, 1, 4, 4)
>>> F.conv2d(x, vg.ones(1, 1, 2, 2), stride=2)
tensor([[[[10., 18.],
          [42., 50.]]]])
>>> F.max_pool2d(x, 2)
tensor([[[[ 5.,  7.],
          [13., 15.]]]])
>>> F.pad(vg.ones(2), (1, 2))
tensor([0., 1., 1., 0., 0.])
"""
from .. import _functions, ops
from .._dtype import type_name as _type_name
from .._functions import require_tensor as _require_tensor
from ..tensor import Tensor


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
    if weight._data.ndim == 1:  # one output feature, without its axis (as PyTorch, which takes no bias then)
        if bias is not None:
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor: a 1-D weight takes no bias")
        return _functions.matmul(input, weight)
    if bias is None:
        return ops.Linear.apply(input, weight)
    return ops.Linear.apply(input, weight, bias)


def _tuple(value, n, name="kernel_size"):
    """An int or a sequence as an n-tuple of ints (PyTorch's ``_pair``/``_single``)."""
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            return tuple(int(value[0]) for _ in range(n))
        if len(value) != n:
            raise RuntimeError(f"{name} must be an int or a tuple of {n} ints, but got {tuple(value)}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _size_text(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def _conv(nd, input, weight, bias, stride, padding, dilation, groups):
    fn = f"conv{nd}d"
    _require_tensor(fn, input)
    _require_tensor(fn, weight, 2, "weight")
    x, w = input._data, weight._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fn}, but got input "
                           f"of size: {_size_text(x.shape)}")
    if w.ndim != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions: expected {nd + 2}D weight for {fn}, "
                           f"got weight of size {_size_text(w.shape)}")
    if x.ndim == nd + 1:  # unbatched: PyTorch adds the batch dim and removes it again
        return _functions.squeeze(_conv(nd, _functions.unsqueeze(input, 0), weight, bias, stride, padding,
                                        dilation, groups), 0)
    if x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        if x.dtype != w.dtype:
            raise RuntimeError(f"expected scalar type {_type_name(input)} but found {_type_name(weight)} (convert "
                               f"the input, e.g. x.float(), or the layer, e.g. model.double())")
        raise RuntimeError(f"Input type ({_type_name(input).lower()}) and bias type ({_type_name(bias).lower()}) "
                           f"should be the same")
    if x.__class__ is not w.__class__:
        _functions._check_device(input, weight)
    groups = int(groups)
    out_ch, cg = w.shape[:2]
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if out_ch % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {_size_text(w.shape)} instead")
    if x.shape[1] != cg * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_size_text(w.shape)}, expected "
                           f"input{_size_text(x.shape)} to have {cg * groups} channels, but got {x.shape[1]} "
                           f"channels instead")
    if bias is not None and tuple(bias._data.shape) != (out_ch,):
        raise RuntimeError(f"Given weight of size {_size_text(w.shape)}, expected bias to be 1-dimensional with "
                           f"{out_ch} elements, but got bias of size {_size_text(bias._data.shape)} instead")
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    kernel = w.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            pads = tuple((t // 2, t - t // 2) for t in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in _tuple(padding, nd, "padding"))
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for pair in pads for p in pair):
        raise RuntimeError("negative padding is not supported")
    padded = [n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads)]
    span = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(s > p for s, p in zip(span, padded)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, span))}). Kernel size can't be greater than "
                           f"actual input size")
    if nd == 1:
        attrs = dict(stride=(1,) + stride, dilation=(1,) + dilation, pads=((0, 0),) + pads, one_d=True)
    else:
        attrs = dict(stride=stride, dilation=dilation, pads=pads)
    attrs["groups"] = groups
    attrs = _shown(ops.Conv, attrs)
    if bias is None:
        return ops.Conv.apply(input, weight, **attrs)
    return ops.Conv.apply(input, weight, bias, **attrs)


def _shown(op_cls, attrs):
    """``attrs`` less those equal to the op class's own defaults (which it falls back to): a drawing's
    label then reads ``conv stride=(2, 2)``, not every default of the call.

    >>> from graphviz_grad import ops
    >>> _shown(ops.Conv, {"stride": (2, 2), "dilation": (1, 1), "groups": 1})
    {'stride': (2, 2)}
    """
    missing = object()
    return {k: v for k, v in attrs.items() if getattr(op_cls, k, missing) != v}


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as PyTorch) of ``input`` (N, C, H, W) or (C, H, W).

    ``padding`` is a number, a pair, ``"valid"`` or ``"same"``; ``groups`` splits the channels.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.conv2d(vg.ones(1, 2, 3, 3), vg.ones(4, 2, 3, 3), padding="same").shape
    graphviz_grad.Size([1, 4, 3, 3])
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of ``input`` (N, C, L) or (C, L) with ``weight`` (out, C/groups, k).

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.conv1d(vg.ones(1, 2, 5), vg.ones(3, 2, 2)).shape
    graphviz_grad.Size([1, 3, 4])
    """
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


# --- pooling -------------------------------------------------------------------------


def _pool_args(nd, fn, input, kernel_size, stride, padding, dilation):
    _require_tensor(fn, input)
    x = input._data
    if x.ndim not in (nd + 1, nd + 2) or x.size == 0:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    kernel = _tuple(kernel_size, nd)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) else _tuple(
        stride, nd, "stride")
    padding, dilation = _tuple(padding, nd, "padding"), _tuple(dilation, nd, "dilation")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel_size must be greater than zero, but got {kernel}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"stride must be greater than zero, but got {stride}")
    for p, k, d in zip(padding, kernel, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    if nd == 1:
        return (1,) + kernel, (1,) + stride, (0,) + padding, (1,) + dilation
    return kernel, stride, padding, dilation


def _check_out(op_cls, input, attrs, nd):
    """PyTorch's error when the windows leave nothing: a kernel larger than the padded input."""
    from ..ops.pool import pool_out_size

    shape = input._data.shape
    sizes = shape[-nd:] if nd == 2 else (1,) + shape[-1:]
    out = [pool_out_size(n, k, s, p, d, attrs.get("ceil_mode", False)) for n, k, s, p, d in
           zip(sizes, attrs["kernel"], attrs["stride"], attrs["padding"], attrs.get("dilation", (1, 1)))]
    if min(out) <= 0:
        planes = shape[-nd - 1] if len(shape) > nd else 1
        given = "x".join(map(str, (planes,) + tuple(shape[-nd:])))
        calc = "x".join(map(str, (planes,) + tuple(out[-nd:])))
        raise RuntimeError(f"Given input size: ({given}). Calculated output size: ({calc}). Output size is too small")
    return op_cls.apply(input, **_shown(op_cls, attrs))


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    kernel, stride, padding, dilation = _pool_args(nd, f"max_pool{nd}d", input, kernel_size, stride, padding,
                                                   dilation)
    attrs = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=bool(ceil_mode), nd=nd)
    if not return_indices:
        return _check_out(ops.MaxPool, input, attrs, nd)
    return _check_out(ops.MaxPool, input, attrs, nd), _indices(ops.MaxPool, input, attrs)


def _indices(op_cls, input, attrs):
    """The ``return_indices`` of a max pool: no part of the graph, so a second, unrecorded pass."""
    finder = object.__new__(op_cls)
    for key, value in attrs.items():
        setattr(finder, key, value)
    finder.forward(input._data)
    return Tensor._make(finder.indices())


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over ``kernel_size`` windows of the last two dims; ``stride`` defaults to ``kernel_size``.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.max_pool2d(vg.arange(16.).reshape(1, 4, 4), (2, 2)).tolist()
    [[[5.0, 7.0], [13.0, 15.0]]]
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over ``kernel_size`` windows of the last dim.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.max_pool1d(vg.tensor([[1., 3., 2., 0.]]), 2).tolist()
    [[3.0, 2.0]]
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_pool(nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override=None):
    kernel, stride, padding, _ = _pool_args(nd, f"avg_pool{nd}d", input, kernel_size, stride, padding, 1)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    attrs = dict(kernel=kernel, stride=stride, padding=padding, ceil_mode=bool(ceil_mode), nd=nd,
                 count_include_pad=bool(count_include_pad), divisor_override=divisor_override)
    return _check_out(ops.AvgPool, input, attrs, nd)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over ``kernel_size`` windows of the last two dims.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.avg_pool2d(vg.arange(16.).reshape(1, 4, 4), 2).tolist()
    [[[2.5, 4.5], [10.5, 12.5]]]
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over ``kernel_size`` windows of the last dim.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.avg_pool1d(vg.tensor([[1., 3., 2., 0.]]), 2).tolist()
    [[2.0, 1.0]]
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool2d(input, output_size):
    """Average into an ``output_size`` grid (``None`` keeps that dim), with PyTorch's window bounds.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.adaptive_avg_pool2d(vg.arange(16.).reshape(1, 4, 4), 1).tolist()
    [[[7.5]]]
    """
    _require_tensor("adaptive_avg_pool2d", input)
    x = input._data
    if x.ndim not in (3, 4) or x.size == 0:
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {_size_text(x.shape)}")
    size = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    size = tuple(x.shape[-2 + i] if s is None else int(s) for i, s in enumerate(size))
    return ops.AdaptiveAvgPool.apply(input, output_size=size, nd=2)


def adaptive_avg_pool1d(input, output_size):
    """Average the last dim into ``output_size`` windows."""
    _require_tensor("adaptive_avg_pool1d", input)
    size = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    return ops.AdaptiveAvgPool.apply(input, output_size=(1, int(size)), nd=1)


def _adaptive_max(nd, input, size, return_indices):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"adaptive_max_pool2d\" not implemented for '{_type_name(input)}'")
    shape = input._data.shape
    if min(size) < 0:
        out = list(shape[:-2] if nd == 2 else shape[:-1]) + list(size)
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {out}")
    empty = [i for i in range(1, len(shape)) if shape[i] == 0]
    if empty:
        raise RuntimeError(f"adaptive_max_pool{nd}d(): Expected input to have non-zero size for non-batch "
                           f"dimensions, but input has sizes {list(shape)} with dimension {empty[0]} being empty")
    out = ops.AdaptiveMaxPool.apply(input, output_size=size, nd=nd)
    return (out, _indices(ops.AdaptiveMaxPool, input, dict(output_size=size, nd=nd))) if return_indices else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Maximum over an ``output_size`` grid of windows (``None`` keeps that dim), PyTorch's window bounds.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.adaptive_max_pool2d(vg.arange(16.).reshape(1, 4, 4), (1, 2)).tolist()
    [[[13.0, 15.0]]]
    """
    _require_tensor("adaptive_max_pool2d", input)
    x = input._data
    if x.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {list(x.shape)}")
    size = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(size) > 2 and x.ndim <= len(size):
        raise ValueError(f"Input dimension should be at least {len(size) + 1}")
    if len(size) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    size = tuple(x.shape[-2 + i] if s is None else int(s) for i, s in enumerate(size))
    return _adaptive_max(2, input, size, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Maximum over ``output_size`` windows of the last dim.

    >>> import graphviz_grad as vg
    >>> out, at = vg.nn.functional.adaptive_max_pool1d(vg.tensor([[1., 3., 2., 5., 4.]]), 2, return_indices=True)
    >>> out.tolist(), at.tolist()
    ([[3.0, 5.0]], [[1, 3]])
    """
    _require_tensor("adaptive_max_pool1d", input)
    x = input._data
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for adaptive_max_pool1d)")
    size = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    return _adaptive_max(1, input, (1, int(size)), return_indices)


# --- padding -------------------------------------------------------------------------


def _pad_index(n, lo, hi, mode, xp):
    """Source positions along one dim for reflect/replicate/circular padding."""
    i = xp.arange(-lo, n + hi)
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    if lo >= n or hi >= n:
        raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                           f"but got: padding ({lo}, {hi}) at dimension of input {n}")
    i = xp.abs(i)
    return xp.where(i > n - 1, 2 * (n - 1) - i, i)


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)``, last dim first.

    ``mode="constant"`` fills with ``value`` (0) and takes negative pads (they crop);
    ``"reflect"``, ``"replicate"`` and ``"circular"`` repeat the input's own values.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.pad(vg.tensor([1., 2., 3.]), (2, -1), mode="constant", value=9).tolist()
    [9.0, 9.0, 1.0, 2.0]
    >>> vg.nn.functional.pad(vg.tensor([[1., 2., 3.]]), (2, 1), mode="reflect").tolist()
    [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]
    """
    _require_tensor("pad", input)
    pad = tuple(int(p) for p in pad)
    shape = input._data.shape
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > len(shape):
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {len(shape)}")
    if mode == "constant":
        for k in range(len(pad) // 2):
            n = shape[len(shape) - 1 - k]
            if n + pad[2 * k] + pad[2 * k + 1] < 0:
                raise RuntimeError(f"The input size {n}, plus negative padding {pad[2 * k]} and {pad[2 * k + 1]} "
                                   f"resulted in a negative output size, which is invalid. Check dimension "
                                   f"{len(shape) - 1 - k} of your input.")
        return ops.ConstantPad.apply(input, pad=pad, value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(shape) not in (len(pad) // 2 + 1, len(pad) // 2 + 2) or len(pad) > 6:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {len(shape)}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    from ..backend import xp_of

    xp = xp_of(input._data)
    out = input
    for k in range(len(pad) // 2):
        d = len(shape) - 1 - k
        idx = _pad_index(shape[d], pad[2 * k], pad[2 * k + 1], mode, xp)
        out = out[(slice(None),) * d + (Tensor._make(idx),)]
    return out
