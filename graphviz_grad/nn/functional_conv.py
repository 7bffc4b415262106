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


def _conv_operands(input, weight, bias, groups, transposed=False):
    """PyTorch's checks of a convolution's operands (batched input; weight (out, in / groups, *kernel), or
    (in, out / groups, *kernel) when ``transposed``); returns ``groups`` as an int."""
    x, w = input._data, weight._data
    if x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        if x.dtype != w.dtype:
            raise RuntimeError(f"expected scalar type {_type_name(input)} but found {_type_name(weight)} (convert "
                               f"the input, e.g. x.float(), or the layer, e.g. model.double())")
        raise RuntimeError(f"Input type ({_type_name(input).lower()}) and bias type ({_type_name(bias).lower()}) "
                           f"should be the same")
    if x.__class__ is not w.__class__:
        _functions._check_device(input, weight)
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.shape[0] % groups:
        shown = f"[{_size_text(w.shape)}]" if transposed else _size_text(w.shape)  # (as PyTorch prints them)
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {shown} instead")
    if transposed:
        in_ch, out_ch = w.shape[0], w.shape[1] * groups
        given = f"Given transposed=1, weight of size {_size_text(w.shape)}"
    else:
        in_ch, out_ch = w.shape[1] * groups, w.shape[0]
        given = f"Given groups={groups}, weight of size {_size_text(w.shape)}"
    if x.shape[1] != in_ch:
        raise RuntimeError(f"{given}, expected input{_size_text(x.shape)} to have {in_ch} channels, but got "
                           f"{x.shape[1]} channels instead")
    if bias is not None and tuple(bias._data.shape) != (out_ch,):
        given = given.replace(f"Given groups={groups}, w", "Given w")
        raise RuntimeError(f"{given}, expected bias to be 1-dimensional with {out_ch} elements, but got bias of "
                           f"size {_size_text(bias._data.shape)} instead")
    return groups


def _conv_input(fn, nd, input, weight):
    """PyTorch's checks of a convolution's input and weight ranks: True when the input is unbatched."""
    _require_tensor(fn, input)
    _require_tensor(fn, weight, 2, "weight")
    x, w = input._data, weight._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fn}, but got input "
                           f"of size: {_size_text(x.shape)}")
    if w.ndim != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions: expected {nd + 2}D weight for {fn}, "
                           f"got weight of size {_size_text(w.shape)}")
    return x.ndim == nd + 1


def _conv(nd, input, weight, bias, stride, padding, dilation, groups):
    if _conv_input(f"conv{nd}d", nd, input, weight):  # unbatched: PyTorch adds the batch dim and removes it again
        return _functions.squeeze(_conv(nd, _functions.unsqueeze(input, 0), weight, bias, stride, padding,
                                        dilation, groups), 0)
    groups = _conv_operands(input, weight, bias, groups)
    x, w = input._data, weight._data
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



def _conv_transpose(nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    fn = f"conv_transpose{nd}d"
    if _conv_input(fn, nd, input, weight):
        return _functions.squeeze(_conv_transpose(nd, _functions.unsqueeze(input, 0), weight, bias, stride, padding,
                                                  output_padding, groups, dilation), 0)
    groups = _conv_operands(input, weight, bias, groups, transposed=True)
    if isinstance(padding, str):
        raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str")
    stride, padding = _tuple(stride, nd, "stride"), _tuple(padding, nd, "padding")
    extra, dilation = _tuple(output_padding, nd, "output_padding"), _tuple(dilation, nd, "dilation")
    for values, what in ((stride, "non-positive stride"), (dilation, "non-positive dilation")):
        if min(values) <= 0:
            raise RuntimeError(f"{what} is not supported")
    for values, what in ((padding, "padding"), (extra, "output_padding")):
        if min(values) < 0:
            raise RuntimeError(f"negative {what} is not supported")
    if nd == 1:  # (as the 2-D convolution PyTorch runs, with a height of 1)
        stride, padding, extra, dilation = (1,) + stride, (0,) + padding, (0,) + extra, (1,) + dilation
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {extra[0]} output_padding_width: {extra[1]} stride_height: {stride[0]} "
            f"stride_width: {stride[1]} dilation_height: {dilation[0]} dilation_width: {dilation[1]}")
    sizes = ((1,) if nd == 1 else ()) + tuple(input.shape[2:])
    out = [(n - 1) * s - 2 * p + d * (k - 1) + e + 1 for n, s, p, d, k, e in
           zip(sizes, stride, padding, dilation, ((1,) if nd == 1 else ()) + tuple(weight.shape[2:]), extra)]
    if min(out) <= 0:
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, sizes))}). Calculated output size "
                           f"per channel: ({' x '.join(map(str, out))}). Output size is too small")
    attrs = dict(stride=stride, dilation=dilation, pads=tuple((q, q) for q in padding), output_padding=extra,
                 groups=groups, one_d=nd == 1)
    attrs = _shown(ops.ConvTranspose, attrs)
    return ops.ConvTranspose.apply(input, weight, *([] if bias is None else [bias]), **attrs)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution ("deconvolution") of ``input`` (N, C_in, H, W) or (C_in, H, W) with
    ``weight`` (C_in, C_out / groups, KH, KW): each input pixel spreads a copy of its kernels onto the output,
    ``stride`` apart. The output is (H - 1)·stride - 2·padding + dilation·(KH - 1) + output_padding + 1 high.

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.conv_transpose2d(vg.ones(1, 1, 2, 2), vg.ones(1, 1, 2, 2), stride=2).tolist()
    [[[[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]]]
    >>> vg.nn.functional.conv_transpose2d(vg.ones(1, 1, 2, 2), vg.ones(1, 1, 2, 2))[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]])
    """
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-D transposed convolution of ``input`` (N, C_in, L) or (C_in, L) with ``weight`` (C_in, C_out / groups, k).

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.conv_transpose1d(vg.tensor([[[1., 2.]]]), vg.tensor([[[1., 10.]]]), stride=2).tolist()
    [[[1.0, 10.0, 2.0, 20.0]]]
    """
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups, dilation)



def _window_args(kernel_size, dilation, padding, stride):
    """``unfold``/``fold``'s arguments as pairs, with PyTorch's checks."""
    kernel, dilation = _tuple(kernel_size, 2), _tuple(dilation, 2, "dilation")
    padding, stride = _tuple(padding, 2, "padding"), _tuple(stride, 2, "stride")
    for values, what, part in ((kernel, "kernel size", "kernel"), (stride, "stride", "stride"),
                               (dilation, "dilation", "dilation")):
        if min(values) <= 0:
            raise RuntimeError(f"{what} should be greater than zero, but got {part}_height: {values[0]} "
                               f"{part}_width: {values[1]}")
    if min(padding) < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} pad_width: {padding[1]}")
    return kernel, dilation, padding, stride


def _blocks(hw, kernel, dilation, padding, stride):
    """How many windows fit along each of the two dims (PyTorch's "sliding blocks")."""
    return tuple((n + 2 * p - (d * (k - 1) + 1)) // s + 1
                 for n, k, d, p, s in zip(hw, kernel, dilation, padding, stride))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every ``kernel_size`` window of the (N, C, H, W) or (C, H, W) ``input`` as a column: (N, C·KH·KW, L),
    L the number of windows (the "im2col" inside a convolution; ``conv2d`` is ``weight.view(O, -1) @ unfold``).

    >>> import graphviz_grad as vg
    >>> vg.nn.functional.unfold(vg.arange(9.).reshape(1, 1, 3, 3), 2)
    tensor([[[0., 1., 3., 4.],
             [1., 2., 4., 5.],
             [3., 4., 6., 7.],
             [4., 5., 7., 8.]]])
    """
    _require_tensor("unfold", input)
    shape = tuple(input.shape)
    if len(shape) not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {_size_text(shape)}")
    kernel, dilation, padding, stride = _window_args(kernel_size, dilation, padding, stride)
    blocks = _blocks(shape[-2:], kernel, dilation, padding, stride)
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {shape[-2:]}, kernel_size={kernel}, dilation={dilation}, "
                           f"padding={padding}, calculated shape of the array of sliding blocks as {blocks}, but its "
                           f"components must be at least one.")
    attrs = dict(kernel=kernel, stride=stride, dilation=dilation, pads=tuple((p, p) for p in padding))
    return ops.Im2Col.apply(input, **_shown(ops.Im2Col, attrs))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The reverse of :func:`unfold`: columns (N, C·KH·KW, L) or (C·KH·KW, L) summed back into an
    ``output_size`` image at their windows (overlaps add up), (N, C, H, W).

    >>> import graphviz_grad as vg
    >>> F = vg.nn.functional
    >>> F.fold(F.unfold(vg.ones(1, 1, 3, 3), 2), (3, 3), 2)  # how many windows cover each pixel
    tensor([[[[1., 2., 1.],
              [2., 4., 2.],
              [1., 2., 1.]]]])
    """
    _require_tensor("fold", input)
    shape = tuple(input.shape)
    if len(shape) not in (2, 3) or 0 in shape[-2:]:
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {_size_text(shape)}")
    size = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(size) != 2:
        raise RuntimeError(f"It is expected output_size equals to 2, but got size {len(size)}")
    size = tuple(int(n) for n in size)
    kernel, dilation, padding, stride = _window_args(kernel_size, dilation, padding, stride)
    if shape[-2] % (kernel[0] * kernel[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={shape[-2]} and kernel_size={kernel}.")
    blocks = _blocks(size, kernel, dilation, padding, stride)
    if min(blocks) < 1 or blocks[0] * blocks[1] != shape[-1]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, padding={padding}, "
                           f"stride={stride}, expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                           f"input.size(2)={shape[-1]}.")
    attrs = dict(kernel=kernel, stride=stride, dilation=dilation, pads=tuple((p, p) for p in padding))
    return ops.Col2Im.apply(input, output_size=size, **_shown(ops.Col2Im, attrs))


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



def _unpool_output_size(input, kernel, stride, padding, output_size):
    """PyTorch's: the default (H - 1)·stride + kernel - 2·padding per dim, or ``output_size`` (spatial, or
    with the batch and channel dims) if it lies within a stride of it."""
    nd = len(kernel)
    default = [(input.shape[-nd + d] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(nd)]
    if output_size is None:
        size = default
    else:
        size = list(output_size)
        if len(size) == nd + 2:
            size = size[2:]
        if len(size) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                             f"length of '{len(size)}'")
        for d in range(nd):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < size[d] < high:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {low} and {high})')
    for d in range(nd):
        if size[d] < 0:
            raise ValueError(f"max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={size[d]}")
    return [int(n) for n in size]


def _max_unpool(input, indices, output_size):
    """``max_unpool2d`` on (N, C, H, W) or (C, H, W) ``input`` with its pool's ``indices``: PyTorch's checks."""
    _require_tensor("max_unpool2d", input)
    _require_tensor("max_unpool2d", indices, 2, "indices")
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with "
                           f"{input.dim()} dimensions.")
    if indices.dtype.name != "int64":
        raise RuntimeError(f"elements in indices should be type int64 but got: {_type_name(indices)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_size_text(input.shape)}) but got indices tensor with shape: "
                           f"{_size_text(indices.shape)}")
    h, w = output_size
    at = indices._data
    outside = (at < 0) | (at >= h * w)
    if outside.any():
        bad = int(at.reshape(-1)[int(outside.reshape(-1).argmax())])  # the first, as PyTorch's loop meets it
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size {h}x{w})")
    return ops.MaxUnpool.apply(input, indices, output_size=(h, w))


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: each maximum back at the position its ``indices`` (from
    ``return_indices=True``) name, zeros elsewhere; ``output_size`` picks among the sizes that pool to ``input``.

    >>> import graphviz_grad as vg
    >>> F = vg.nn.functional
    >>> out, at = F.max_pool2d(vg.tensor([[[[1., 2.], [4., 3.]]]]), 2, return_indices=True)
    >>> F.max_unpool2d(out, at, 2)
    tensor([[[[0., 0.],
              [4., 0.]]]])
    """
    kernel = _tuple(kernel_size, 2)
    stride = kernel if stride is None else _tuple(stride, 2, "stride")
    size = _unpool_output_size(input, kernel, stride, _tuple(padding, 2, "padding"), output_size)
    return _max_unpool(input, indices, size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool1d`` (see :func:`max_unpool2d`), on (N, C, L) or (C, L) inputs.

    >>> import graphviz_grad as vg
    >>> F = vg.nn.functional
    >>> F.max_unpool1d(*F.max_pool1d(vg.tensor([[1., 3., 2., 0.]]), 2, return_indices=True), 2)
    tensor([[0., 3., 2., 0.]])
    """
    kernel = _tuple(kernel_size, 1)
    stride = kernel if stride is None else _tuple(stride, 1, "stride")
    size = _unpool_output_size(input, kernel, stride, _tuple(padding, 1, "padding"), output_size)
    out = _max_unpool(_functions.unsqueeze(input, -1), _functions.unsqueeze(indices, -1), size + [1])
    return _functions.squeeze(out, -1)


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
    k = len(pad) // 2
    if len(shape) not in (k + 1, k + 2) or len(pad) > 6:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {len(shape)}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if 0 in shape[-k - 1:]:
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {_size_text(shape)}")
    for i in range(k):
        n, lo, hi, dim = shape[-1 - i], pad[2 * i], pad[2 * i + 1], len(shape) - 1 - i
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({lo}, {hi}) at dimension {dim} of input "
                               f"{_size_text(shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    return ops.Pad.apply(input, pad=pad, mode=mode)
