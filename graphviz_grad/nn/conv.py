"""``nn.Conv1d``/``2d``, ``nn.ConvTranspose1d``/``2d``, the pooling, unpooling and fold layers: parameters and
arguments around ``F``.

>>> import graphviz_grad as vg
>>> conv = vg.nn.Conv2d(3, 6, 5)
>>> conv
Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))
>>> conv(vg.zeros(1, 3, 32, 32)).shape
graphviz_grad.Size([1, 6, 28, 28])
>>> vg.nn.MaxPool2d(2, 2)(vg.zeros(1, 6, 28, 28)).shape
graphviz_grad.Size([1, 6, 14, 14])
"""
from .._creation import empty
from . import functional as F
from .functional_conv import _tuple
from .linear import reset_like_torch
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    _nd = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None, *, output_padding=0):
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in _tuple(stride, nd)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode != "zeros":
            if padding_mode not in ("reflect", "replicate", "circular"):
                raise ValueError(f"padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], "
                                 f"but got padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _tuple(kernel_size, nd)
        self.stride = _tuple(stride, nd, "stride")
        self.padding = padding if isinstance(padding, str) else _tuple(padding, nd, "padding")
        self.dilation = _tuple(dilation, nd, "dilation")
        self.output_padding = _tuple(output_padding, nd, "output_padding")
        self.groups = groups
        self.padding_mode = padding_mode
        shape = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(empty(shape + self.kernel_size, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's ``_ConvNd.reset_parameters``: kaiming_uniform(a=√5), then bias U(-1/√fan_in, 1/√fan_in)."""
        reset_like_torch(self.weight, self.bias)

    def forward(self, input):
        conv = F.conv2d if self._nd == 2 else F.conv1d
        if self.padding_mode != "zeros":
            if isinstance(self.padding, str):
                total = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
                pairs = [(0, 0) if self.padding == "valid" else (t // 2, t - t // 2) for t in total]
            else:
                pairs = [(p, p) for p in self.padding]
            pads = tuple(v for pair in reversed(pairs) for v in pair)
            return conv(F.pad(input, pads, mode=self.padding_mode), self.weight, self.bias, self.stride, 0,
                        self.dilation, self.groups)
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution over (N, C, H, W) or (C, H, W) inputs, PyTorch's arguments and initialisation."""

    _nd = 2


class Conv1d(_ConvNd):
    """1-D convolution over (N, C, L) or (C, L) inputs, PyTorch's arguments and initialisation."""

    _nd = 1



class _ConvTransposeNd(_ConvNd):
    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype, output_padding=output_padding)

    def _output_padding(self, input, output_size):
        """PyTorch's: the ``output_padding`` that gives ``output_size`` (spatial, or with the batch and channel
        dims), within the sizes this layer can make."""
        if output_size is None:
            return self.output_padding
        nd = self._nd
        lead = 2 if input.dim() == nd + 2 else 1
        if len(output_size) == lead + nd:
            output_size = output_size[lead:]
        if len(output_size) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.dim()}D input, output_size must have {nd} or "
                             f"{lead + nd} elements (got {len(output_size)})")
        smallest = [(input.shape[lead + d] - 1) * self.stride[d] - 2 * self.padding[d]
                    + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(nd)]
        largest = [low + s - 1 for low, s in zip(smallest, self.stride)]
        if any(not low <= size <= high for size, low, high in zip(output_size, smallest, largest)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {smallest} to "
                             f"{largest} (for an input of {input.shape[lead:]})")
        return tuple(size - low for size, low in zip(output_size, smallest))

    def forward(self, input, output_size=None):
        fn = F.conv_transpose2d if self._nd == 2 else F.conv_transpose1d
        return fn(input, self.weight, self.bias, self.stride, self.padding, self._output_padding(input, output_size),
                  self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution ("deconvolution") over (N, C, H, W) or (C, H, W) inputs, PyTorch's arguments
    and initialisation: the upsampling layer of autoencoders, GAN generators and U-Nets. ``forward`` takes
    ``output_size`` to choose among the sizes a strided layer can make.

    >>> import graphviz_grad as vg
    >>> up = vg.nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
    >>> up
    ConvTranspose2d(8, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
    >>> up(vg.zeros(1, 8, 5, 5)).shape, up.weight.shape
    (graphviz_grad.Size([1, 4, 10, 10]), graphviz_grad.Size([8, 4, 3, 3]))
    """

    _nd = 2


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C, L) or (C, L) inputs, PyTorch's arguments and initialisation.

    >>> import graphviz_grad as vg
    >>> vg.nn.ConvTranspose1d(2, 3, 4, stride=2)(vg.zeros(1, 2, 5), output_size=[13]).shape
    graphviz_grad.Size([1, 3, 13])
    """

    _nd = 1


class _MaxPoolNd(Module):
    _fn = staticmethod(F.max_pool2d)

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return self._fn(input, self.kernel_size, self.stride, self.padding, self.dilation, ceil_mode=self.ceil_mode,
                        return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """Maximum over windows of the last two dims (``stride`` defaults to ``kernel_size``)."""


class MaxPool1d(_MaxPoolNd):
    """Maximum over windows of the last dim."""

    _fn = staticmethod(F.max_pool1d)


class AvgPool2d(Module):
    """Mean over windows of the last two dims."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """Mean over windows of the last dim."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _tuple(kernel_size, 1)
        self.stride = _tuple(stride if stride is not None else kernel_size, 1)
        self.padding = _tuple(padding, 1)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool(Module):
    _fn = staticmethod(F.adaptive_avg_pool2d)

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return self._fn(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool):
    """Average into a fixed ``output_size`` grid, whatever the input's size."""


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average the last dim into ``output_size`` windows, whatever its length."""

    _fn = staticmethod(F.adaptive_avg_pool1d)


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return self._fn(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Maximum over a fixed ``output_size`` grid of windows, whatever the input's size.

    >>> import graphviz_grad as vg
    >>> vg.nn.AdaptiveMaxPool2d((None, 3))
    AdaptiveMaxPool2d(output_size=(None, 3))
    """

    _fn = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Maximum over ``output_size`` windows of the last dim."""

    _fn = staticmethod(F.adaptive_max_pool1d)


class Unfold(Module):
    """``F.unfold`` as a layer: every ``kernel_size`` window of an image as a column.

    >>> import graphviz_grad as vg
    >>> vg.nn.Unfold(kernel_size=(2, 3))(vg.zeros(2, 5, 3, 4)).shape
    graphviz_grad.Size([2, 30, 4])
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """``F.fold`` as a layer: columns summed back into an ``output_size`` image.

    >>> import graphviz_grad as vg
    >>> vg.nn.Fold(output_size=(4, 5), kernel_size=2)(vg.zeros(1, 12, 12)).shape
    graphviz_grad.Size([1, 3, 4, 5])
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class _MaxUnpoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self._nd)
        self.stride = _tuple(stride if stride is not None else kernel_size, self._nd, "stride")
        self.padding = _tuple(padding, self._nd, "padding")

    def forward(self, input, indices, output_size=None):
        fn = F.max_unpool2d if self._nd == 2 else F.max_unpool1d
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool2d(_MaxUnpoolNd):
    """``F.max_unpool2d`` as a layer: a ``MaxPool2d(..., return_indices=True)``'s maxima put back in place.

    >>> import graphviz_grad as vg
    >>> pool, unpool = vg.nn.MaxPool2d(2, return_indices=True), vg.nn.MaxUnpool2d(2)
    >>> unpool(*pool(vg.arange(16.).reshape(1, 1, 4, 4)))[0, 0]
    tensor([[ 0.,  0.,  0.,  0.],
            [ 0.,  5.,  0.,  7.],
            [ 0.,  0.,  0.,  0.],
            [ 0., 13.,  0., 15.]])
    """


class MaxUnpool1d(_MaxUnpoolNd):
    """``F.max_unpool1d`` as a layer."""

    _nd = 1
