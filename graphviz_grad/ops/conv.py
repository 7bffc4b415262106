"""Convolution and its relatives as ops: ``conv1d``/``conv2d``, the transposed convolution, ``unfold``, ``fold``.

The windows are a strided view of the padded input (no copy, no loop over pixels),
copied once into columns (:func:`im2col`, which is ``F.unfold``); one BLAS product per
group turns them into the output. Backward multiplies the same windows with the gradient
for the kernels' gradient, and computes the input's gradient (the transposed convolution:
``kernel_h · kernel_w`` strided adds, :func:`col2im`, which is ``F.fold``) only when the
input needs one: the first layer's input is data, and PyTorch skips it there too.
``conv_transpose`` runs the same two pieces the other way round: its forward is conv's
input gradient and its input's gradient is a convolution.

>>> import numpy as np
>>> x = np.arange(16.).reshape(1, 1, 4, 4); w = np.ones((1, 1, 2, 2))
>>> Conv().forward(x, w)[0, 0]
array([[10., 14., 18.],
       [26., 30., 34.],
       [42., 46., 50.]])
"""
import numpy as np

from ..autograd.function import Op
from ..backend import xp_of


def strided(x, shape, strides, writeable=False):
    """A strided view of ``x`` (NumPy or CuPy); read-only unless ``writeable`` (and ``x`` is)."""
    if x.__class__ is np.ndarray:
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=writeable and x.flags.writeable)
    return xp_of(x).lib.stride_tricks.as_strided(x, shape, strides)  # (CuPy's takes no writeable flag)


def out_size(size, k, s, d):
    """How many windows of ``k`` taps ``d`` apart fit in ``size`` at stride ``s``."""
    return (size - d * (k - 1) - 1) // s + 1


def windows(x, kernel, stride, dilation):
    """A view of ``x`` (N, C, H, W) shaped (N, C, OH, OW, KH, KW): every window the kernel visits.

    >>> import numpy as np
    >>> windows(np.arange(9.).reshape(1, 1, 3, 3), (2, 2), (1, 1), (1, 1))[0, 0, 1, 1]
    array([[4., 5.],
           [7., 8.]])
    """
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    s0, s1, s2, s3 = x.strides
    return strided(x, (n, c, out_size(h, kh, sh, dh), out_size(w, kw, sw, dw), kh, kw),
                   (s0, s1, s2 * sh, s3 * sw, s2 * dh, s3 * dw))


def add_windows(target, parts, out_hw, stride, dilation, axis=2):
    """col2im: add ``parts(i, j)``, the gradient at kernel position (i, j) shaped as ``target`` with
    (OH, OW) for its (H, W) dims at ``axis``, ``axis + 1``, into the windows of ``target`` that position
    visited. One strided add per kernel position, none per pixel.
    """
    oh, ow = out_hw
    (sh, sw), (dh, dw) = stride, dilation
    lead = (slice(None),) * axis
    for i, j, part in parts:
        h0, w0 = i * dh, j * dw
        target[lead + (slice(h0, h0 + sh * (oh - 1) + 1, sh), slice(w0, w0 + sw * (ow - 1) + 1, sw))] += part
    return target


def pad_array(x, pads, value=0):
    """``x`` (N, C, H, W) padded by ``pads`` = ((top, bottom), (left, right)); no copy when all are 0."""
    if not any(pads[0]) and not any(pads[1]):
        return x
    return xp_of(x).pad(x, ((0, 0), (0, 0)) + tuple(pads), constant_values=value)


def im2col(xpad, kernel, stride, dilation, out_hw):
    """The windows of ``xpad`` (N, C, H, W) copied once as (N, C·KH·KW, OH·OW): ``F.unfold``'s layout.

    Laid out (N, C, KH, KW, OH, OW) before the copy, so rows of OW run along the image's rows and the
    copy streams.

    >>> import numpy as np
    >>> im2col(np.arange(9.).reshape(1, 1, 3, 3), (2, 2), (1, 1), (1, 1), (2, 2))[0]
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    n, c = xpad.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    s0, s1, s2, s3 = xpad.strides
    win = strided(xpad, (n, c, kh, kw, oh, ow), (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw))
    return xp_of(xpad).ascontiguousarray(win).reshape(n, c * kh * kw, oh * ow)


def col2im(cols, hw, pads, stride, dilation):
    """The adjoint of :func:`im2col` (``F.fold``): ``cols`` (C, KH, KW, OH, OW, N) added into the windows
    they came from, the padding dropped: (N, C, H, W) for ``hw`` = (H, W).

    The sums run in (C, H, W, N) order: each strided add then moves rows of N·OW contiguous numbers
    instead of rows of OW (measured 2× faster), and one copy turns the result back.
    """
    xp = xp_of(cols)
    c, kh, kw, oh, ow, n = cols.shape
    (t, b), (left, r) = pads
    h, w = hw
    gpad = xp.zeros((c, h + t + b, w + left + r, n), dtype=cols.dtype)
    add_windows(gpad, ((i, j, cols[:, i, j]) for i in range(kh) for j in range(kw)), (oh, ow), stride, dilation,
                axis=1)
    return xp.ascontiguousarray(gpad[:, t:t + h, left:left + w].transpose(3, 0, 1, 2))


def conv_product(cols, w, groups):
    """Convolution from the windows: ``cols`` (N, G·Cg·KH·KW, OH·OW) times ``w`` (O, Cg, KH, KW) per group,
    as (N, O, OH·OW). One small BLAS product per sample and group stays in cache (measured 3× faster than
    one tall product here) and gives (N, C, H, W) order without a transpose."""
    n, o = cols.shape[0], w.shape[0]
    ck = cols.shape[1] // groups
    return xp_of(cols).matmul(w.reshape(groups, o // groups, ck), cols.reshape(n, groups, ck, -1)).reshape(n, o, -1)


def transposed_conv(y, w, groups, hw, pads, stride, dilation):
    """The adjoint of a convolution with kernels ``w`` (O, Cg, KH, KW): ``y`` (N, O, OH, OW) spread back
    through the kernels onto (N, G·Cg, H, W) for ``hw`` = (H, W): conv's input gradient, and the forward
    of the transposed convolution."""
    xp = xp_of(y)
    n, o, oh, ow = y.shape
    cg, kh, kw = w.shape[1:]
    yt = xp.ascontiguousarray(y.transpose(1, 2, 3, 0)).reshape(groups, o // groups, oh * ow * n)
    cols = xp.matmul(w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1), yt)  # (G, Cg·KH·KW, OH·OW·N)
    return col2im(cols.reshape(groups * cg, kh, kw, oh, ow, n), hw, pads, stride, dilation)


def kernel_grad(y, cols, w_shape, groups):
    """The kernels' gradient of a convolution whose output's gradient is ``y`` (N, O, OH, OW) and whose
    input's windows are ``cols`` (:func:`im2col`)."""
    n, o = y.shape[:2]
    xp = xp_of(y)
    y4 = y.reshape(n, groups, o // groups, -1)
    c4 = cols.reshape(n, groups, cols.shape[1] // groups, -1)
    return xp.matmul(y4, c4.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w_shape)


class Conv(Op):
    """``conv2d`` on (N, C, H, W) arrays (``conv1d`` runs it with H = 1).

    Attributes: ``stride``, ``dilation`` (pairs), ``pads`` (((top, bottom), (left, right))),
    ``groups``. Inputs: x, weight[, bias].
    """

    name = "conv"
    derivatives = ("grad ⋆ weight (transposed convolution)", "windows(x) · grad", "grad summed over N, H, W")
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))  # the windows of x for the weight's gradient, the weight for x's
    torch_grad_fn = "ConvolutionBackward0"
    stride = (1, 1)
    dilation = (1, 1)
    pads = ((0, 0), (0, 0))
    groups = 1
    one_d = False

    def forward(self, x, w, b=None):
        if self.one_d:
            x, w = x[:, :, None, :], w[:, :, None, :]
        self.x_hw = x.shape[2:]
        xpad = pad_array(x, self.pads)
        kernel = w.shape[2:]
        oh, ow = (out_size(n, k, s, d) for n, k, s, d in zip(xpad.shape[2:], kernel, self.stride, self.dilation))
        self.cols, self.w = im2col(xpad, kernel, self.stride, self.dilation, (oh, ow)), w
        out = conv_product(self.cols, w, self.groups).reshape(x.shape[0], w.shape[0], oh, ow)
        if b is not None:
            out += b.reshape(1, -1, 1, 1)
        return out[:, :, 0, :] if self.one_d else out

    def backward(self, grad):
        needs = self.needs_input_grad
        if self.one_d:
            grad = grad[:, :, None, :]
        gx = gw = gb = None
        if needs[0]:
            gx = transposed_conv(grad, self.w, self.groups, self.x_hw, self.pads, self.stride, self.dilation)
            if self.one_d:
                gx = gx[:, :, 0, :]
        if needs[1]:
            gw = kernel_grad(grad, self.cols, self.w.shape, self.groups)
            if self.one_d:
                gw = gw[:, :, 0, :]
        if len(needs) > 2 and needs[2]:
            gb = grad.sum(axis=(0, 2, 3))
        return (gx, gw, gb)[: len(needs)]


class ConvTranspose(Op):
    """``conv_transpose2d`` (``conv_transpose1d`` with H = 1): the adjoint of :class:`Conv`, so its forward is
    conv's input gradient (:func:`transposed_conv`) and its input's gradient is a convolution.

    Attributes as :class:`Conv`, plus ``output_padding`` (a pair: rows and columns added at the bottom and
    right of the output). Inputs: x (N, C_in, H, W), weight (C_in, C_out / groups, KH, KW)[, bias].
    """

    name = "conv_transpose"
    derivatives = ("grad ⋆ weight (convolution)", "windows(grad) · x", "grad summed over N, H, W")
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))  # x for the weight's gradient, the weight for x's
    torch_grad_fn = "ConvolutionBackward0"
    stride = (1, 1)
    dilation = (1, 1)
    pads = ((0, 0), (0, 0))
    output_padding = (0, 0)
    groups = 1
    one_d = False

    def forward(self, x, w, b=None):
        if self.one_d:
            x, w = x[:, :, None, :], w[:, :, None, :]
        hw = tuple((n - 1) * s - lo - hi + d * (k - 1) + extra + 1 for n, s, (lo, hi), d, k, extra in
                   zip(x.shape[2:], self.stride, self.pads, self.dilation, w.shape[2:], self.output_padding))
        self.x, self.w = x, w
        out = transposed_conv(x, w, self.groups, hw, self.pads, self.stride, self.dilation)
        if b is not None:
            out += b.reshape(1, -1, 1, 1)
        return out[:, :, 0, :] if self.one_d else out

    def backward(self, grad):
        needs = self.needs_input_grad
        if self.one_d:
            grad = grad[:, :, None, :]
        gx = gw = gb = None
        if needs[0] or needs[1]:
            cols = im2col(pad_array(grad, self.pads), self.w.shape[2:], self.stride, self.dilation, self.x.shape[2:])
            if needs[0]:
                gx = conv_product(cols, self.w, self.groups).reshape(self.x.shape)
                if self.one_d:
                    gx = gx[:, :, 0, :]
            if needs[1]:
                gw = kernel_grad(self.x, cols, self.w.shape, self.groups)
                if self.one_d:
                    gw = gw[:, :, 0, :]
        if len(needs) > 2 and needs[2]:
            gb = grad.sum(axis=(0, 2, 3))
        return (gx, gw, gb)[: len(needs)]


class Im2Col(Op):
    """``F.unfold``: every window of (N, C, H, W) as a column, (N, C·KH·KW, L). Attributes ``kernel``,
    ``stride``, ``dilation`` (pairs), ``pads`` as :class:`Conv`'s."""

    name = "unfold"
    derivatives = ("fold(grad): each window's gradient added back where it came from",)
    torch_grad_fn = "Im2ColBackward0"
    stride = (1, 1)
    dilation = (1, 1)
    pads = ((0, 0), (0, 0))

    def forward(self, x):
        self.in_shape = x.shape  # (an unbatched (C, H, W) image gives unbatched columns)
        x = x.reshape((-1,) + x.shape[-3:])
        xpad = pad_array(x, self.pads)
        self.out_hw = tuple(out_size(n, k, s, d) for n, k, s, d in
                            zip(xpad.shape[2:], self.kernel, self.stride, self.dilation))
        cols = im2col(xpad, self.kernel, self.stride, self.dilation, self.out_hw)
        return cols if len(self.in_shape) == 4 else cols[0]

    def backward(self, grad):
        n, c = (self.in_shape[0] if len(self.in_shape) == 4 else 1), self.in_shape[-3]
        cols = grad.reshape((n, c) + tuple(self.kernel) + self.out_hw).transpose(1, 2, 3, 4, 5, 0)
        return (col2im(cols, self.in_shape[-2:], self.pads, self.stride, self.dilation).reshape(self.in_shape),)


class Col2Im(Op):
    """``F.fold``: columns (N, C·KH·KW, L) added into an (N, C, H, W) image at their windows, the
    adjoint of :class:`Im2Col`. Attributes as :class:`Im2Col`'s, plus ``output_size`` (H, W)."""

    name = "fold"
    derivatives = ("unfold(grad): the gradient's windows as columns",)
    torch_grad_fn = "Col2ImBackward0"
    stride = (1, 1)
    dilation = (1, 1)
    pads = ((0, 0), (0, 0))

    def forward(self, cols):
        (kh, kw), (t, b), (left, r) = self.kernel, *self.pads
        h, w = self.output_size
        self.out_hw = tuple(out_size(n, k, s, d) for n, k, s, d in
                            zip((h + t + b, w + left + r), self.kernel, self.stride, self.dilation))
        self.batched = cols.ndim == 3  # (unbatched columns give an unbatched image)
        cols = cols.reshape((-1,) + cols.shape[-2:])
        c = cols.shape[1] // (kh * kw)
        six = cols.reshape((len(cols), c, kh, kw) + self.out_hw).transpose(1, 2, 3, 4, 5, 0)
        out = col2im(six, self.output_size, self.pads, self.stride, self.dilation)
        return out if self.batched else out[0]

    def backward(self, grad):
        xpad = pad_array(grad.reshape((-1,) + grad.shape[-3:]), self.pads)
        cols = im2col(xpad, self.kernel, self.stride, self.dilation, self.out_hw)
        return (cols if self.batched else cols[0],)
