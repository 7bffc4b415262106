"""Pooling and padding ops: max and average over windows (strided views), adaptive pools, padding.

Every pool works on the last one or two dims of any input: the dims in front are one
batch of planes (pooling never mixes channels), so 1-D and 2-D, batched and unbatched
inputs share one code path.

>>> import graphviz_grad as vg
>>> out = vg.nn.functional.max_pool2d(vg.arange(16.).reshape(1, 4, 4), 2)
>>> out.grad_fn is None, type(out).__name__
(True, 'Tensor')
>>> out.tolist()
[[[5.0, 7.0], [13.0, 15.0]]]
"""
from ..autograd.function import Op
from ..backend import xp_of
from .conv import add_windows, pad_array, windows


def pool_out_size(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output length along one dim (``pooling_output_shape``)."""
    span = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = span // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


class _Pool(Op):
    """Shared by the window pools: ``kernel``, ``stride``, ``padding``, ``dilation`` (pairs), ``ceil_mode``, ``nd``."""

    padding = (0, 0)
    dilation = (1, 1)
    ceil_mode = False
    nd = 2
    fill = 0.0

    def _planes(self, x):
        """``x`` as (planes, 1, H, W), padded so every output window fits; sets the shapes backward needs."""
        self.in_shape = x.shape
        h = x.shape[-2] if self.nd == 2 else 1
        w = x.shape[-1]
        x4 = x.reshape(-1, 1, h, w)
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = self.kernel, self.stride, self.padding, self.dilation
        oh = pool_out_size(h, kh, sh, ph, dh, self.ceil_mode)
        ow = pool_out_size(w, kw, sw, pw, dw, self.ceil_mode)
        self.out_hw = (oh, ow)
        extra_h = max(0, (oh - 1) * sh + dh * (kh - 1) + 1 - (h + 2 * ph))
        extra_w = max(0, (ow - 1) * sw + dw * (kw - 1) + 1 - (w + 2 * pw))
        self.pads = ((ph, ph + extra_h), (pw, pw + extra_w))
        xpad = pad_array(x4, self.pads, self.fill)
        self.pad_shape = xpad.shape
        return xpad

    def _out(self, out4):
        oh, ow = self.out_hw
        return out4.reshape(self.in_shape[:-self.nd] + ((oh, ow) if self.nd == 2 else (ow,)))

    def _unpad(self, gpad):
        (t, _), (left, _) = self.pads
        h = self.in_shape[-2] if self.nd == 2 else 1
        w = self.in_shape[-1]
        g = gpad[:, :, t:t + h, left:left + w]
        return xp_of(g).ascontiguousarray(g).reshape(self.in_shape)


class MaxPool(_Pool):
    """Maximum over each window; backward routes the gradient to the first maximum (as PyTorch)."""

    name = "max_pool"
    derivatives = ("grad at the argmax of each window, 0 elsewhere",)
    saved_inputs = (0,)  # (PyTorch saves the input and the indices)
    torch_grad_fn = "MaxPool2DWithIndicesBackward0"

    def forward(self, x):
        xp = xp_of(x)
        self.fill = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
        win = windows(self._planes(x), self.kernel, self.stride, self.dilation)
        kh, kw = self.kernel
        out = win[..., 0, 0].copy()  # one maximum per kernel position over all windows at once
        for p in range(1, kh * kw):
            xp.maximum(out, win[..., p // kw, p % kw], out=out)  # (a NaN propagates, as in PyTorch)
        self.win, self.out4 = win, out
        return self._out(out)

    def indices(self):
        """After forward: the flat index in its (H, W) plane of each window's first maximum, as PyTorch's
        ``return_indices=True`` gives them."""
        xp = xp_of(self.out4)
        arg = xp.zeros(self.out4.shape, dtype=xp.int64)
        for p, hit in self._first_hits():
            xp.copyto(arg, p, where=hit)
        kw = self.kernel[1]
        (sh, sw), (ph, pw), (dh, dw) = self.stride, self.padding, self.dilation
        oh, ow = self.out_hw
        rows = xp.arange(oh).reshape(oh, 1) * sh - ph + (arg // kw) * dh
        cols = xp.arange(ow) * sw - pw + (arg % kw) * dw
        return self._out(rows * self.in_shape[-1] + cols)

    def _first_hits(self):
        """Per kernel position p, the windows whose first maximum (or NaN) sits at p."""
        xp = xp_of(self.out4)
        win, out = self.win, self.out4
        kh, kw = self.kernel
        nan = out.dtype.kind == "f" and bool(xp.isnan(out).any())
        taken = None
        for p in range(kh * kw):
            v = win[..., p // kw, p % kw]
            hit = v == out
            if nan:
                hit |= v != v
            if taken is None:
                taken = hit.copy()
            else:
                hit &= ~taken
                taken |= hit
            yield p, hit

    def backward(self, grad):
        xp = xp_of(grad)
        oh, ow = self.out_hw
        g = grad.reshape(-1, 1, oh, ow)
        (kh, kw), (sh, sw) = self.kernel, self.stride
        if self.stride == self.kernel and self.dilation == (1, 1):
            # Windows side by side: each input element gets the gradient of at most one window, written
            # in place (g · hit) instead of added to zeros.
            covered = self.pad_shape[2:] == (oh * kh, ow * kw)
            gpad = (xp.empty if covered else xp.zeros)(self.pad_shape, dtype=grad.dtype)
            for p, hit in self._first_hits():
                i, j = p // kw, p % kw
                xp.multiply(g, hit, out=gpad[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw])
            return (self._unpad(gpad),)
        zero = xp.zeros((), dtype=grad.dtype)
        parts = ((p // kw, p % kw, xp.where(hit, g, zero)) for p, hit in self._first_hits())
        gpad = xp.zeros(self.pad_shape, dtype=grad.dtype)
        return (self._unpad(add_windows(gpad, parts, self.out_hw, self.stride, self.dilation)),)


def _divisors(xp, size, k, s, p, n, include_pad):
    """Per output position along one dim, how many elements PyTorch's avg_pool divides by."""
    start = xp.arange(n) * s - p
    end = xp.minimum(start + k, size + p)
    if include_pad:
        return end - start
    return xp.minimum(end, size) - xp.maximum(start, 0)


class AvgPool(_Pool):
    """Mean over each window (``count_include_pad``, ``divisor_override`` as in PyTorch)."""

    name = "avg_pool"
    derivatives = ("grad / window size, spread over each window",)
    torch_grad_fn = "AvgPool2DBackward0"
    saved_inputs = (0,)  # (as PyTorch's: a second backward without retain_graph is an error)
    count_include_pad = True
    divisor_override = None

    def forward(self, x):
        xp = xp_of(x)
        win = windows(self._planes(x), self.kernel, self.stride, self.dilation)
        oh, ow = self.out_hw
        if self.divisor_override:
            div = xp.asarray(float(self.divisor_override))
        else:
            h = self.in_shape[-2] if self.nd == 2 else 1
            (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
            dh = _divisors(xp, h, kh, sh, ph, oh, self.count_include_pad)
            dw = _divisors(xp, self.in_shape[-1], kw, sw, pw, ow, self.count_include_pad)
            div = (dh.reshape(oh, 1) * dw).astype(x.dtype)
        self.div = div
        return self._out((win.sum(axis=(4, 5)) / div).astype(x.dtype, copy=False))

    def backward(self, grad):
        xp = xp_of(grad)
        oh, ow = self.out_hw
        part = (grad.reshape(-1, 1, oh, ow) / self.div).astype(grad.dtype, copy=False)
        kh, kw = self.kernel
        parts = ((i, j, part) for i in range(kh) for j in range(kw))
        gpad = xp.zeros(self.pad_shape, dtype=grad.dtype)
        return (self._unpad(add_windows(gpad, parts, self.out_hw, self.stride, self.dilation)),)


def _adaptive_bounds(xp, size, n):
    """PyTorch's adaptive windows along one dim: window i is [floor(i·size/n), ceil((i+1)·size/n))."""
    i = xp.arange(n)
    return (i * size) // n, -((-(i + 1) * size) // n)


def _adaptive_matrix(xp, size, n, dtype):
    """(n, size): row i averages adaptive window i (:func:`_adaptive_bounds`)."""
    start, end = _adaptive_bounds(xp, size, n)
    pos = xp.arange(size)
    inside = (pos >= start.reshape(n, 1)) & (pos < end.reshape(n, 1))
    return (inside / (end - start).reshape(n, 1)).astype(dtype)


class AdaptiveAvgPool(Op):
    """Average over PyTorch's adaptive windows: two small BLAS products, ``A_h @ x @ A_wᵀ``."""

    name = "adaptive_avg_pool"
    derivatives = ("A_hᵀ @ grad @ A_w",)
    torch_grad_fn = "AdaptiveAvgPool2DBackward0"
    saved_inputs = (0,)  # (as PyTorch's: a second backward without retain_graph is an error)
    nd = 2

    def forward(self, x):
        xp = xp_of(x)
        self.in_shape = x.shape
        oh, ow = self.output_size
        h = x.shape[-2] if self.nd == 2 else 1
        x4 = x.reshape(-1, h, x.shape[-1])
        self.ah = _adaptive_matrix(xp, h, oh, x.dtype)
        self.aw = _adaptive_matrix(xp, x.shape[-1], ow, x.dtype)
        out = xp.matmul(xp.matmul(self.ah, x4), self.aw.T)
        return out.reshape(self.in_shape[:-self.nd] + ((oh, ow) if self.nd == 2 else (ow,)))

    def backward(self, grad):
        xp = xp_of(grad)
        oh, ow = self.output_size
        g = grad.reshape(-1, oh, ow)
        return (xp.matmul(xp.matmul(self.ah.T, g), self.aw).reshape(self.in_shape),)


def _adaptive_positions(xp, size, n):
    """(n, k): the positions of each adaptive window, k the widest; a narrower window repeats its last."""
    start, end = _adaptive_bounds(xp, size, n)
    k = int((end - start).max()) if n else 0
    return xp.minimum(start.reshape(n, 1) + xp.arange(k), (end - 1).reshape(n, 1))


class AdaptiveMaxPool(Op):
    """Maximum over PyTorch's adaptive windows; backward routes each gradient to its window's maximum.

    The windows are gathered into one (planes, oh, ow, kh·kw) array. A window narrower than the widest
    repeats its last position, which never changes its maximum or which position holds it first.
    """

    name = "adaptive_max_pool"
    derivatives = ("grad at the argmax of each window, 0 elsewhere",)
    torch_grad_fn = "AdaptiveMaxPool2DBackward0"
    saved_inputs = (0,)  # (PyTorch saves the input and the indices)
    nd = 2

    def forward(self, x):
        xp = xp_of(x)
        self.in_shape = x.shape
        oh, ow = self.output_size
        h, w = (x.shape[-2] if self.nd == 2 else 1), x.shape[-1]
        rows, cols = _adaptive_positions(xp, h, oh), _adaptive_positions(xp, w, ow)
        kh, kw = rows.shape[1], cols.shape[1]
        planes = x.reshape(-1, h, w)
        if planes.size == 0 or oh * ow == 0:  # nothing to pool (PyTorch returns the empty result)
            self.flat = xp.zeros((len(planes), oh, ow), dtype=xp.int64)
            return self._shaped(xp.zeros((len(planes), oh, ow), dtype=x.dtype))
        win = planes[:, rows.reshape(oh, 1, kh, 1), cols.reshape(1, ow, 1, kw)].reshape(len(planes), oh, ow, kh * kw)
        arg = win.argmax(axis=-1)  # the first maximum in row-major order, as PyTorch's loop keeps it
        if win.dtype.kind == "f":
            nan = xp.isnan(win)
            if nan.any():  # PyTorch's loop takes every NaN it meets: the last one wins
                last = kh * kw - 1 - nan[..., ::-1].argmax(axis=-1)
                arg = xp.where(nan.any(axis=-1), last, arg)
        out = xp.take_along_axis(win, arg[..., None], axis=-1)[..., 0]
        r = rows[xp.arange(oh).reshape(1, oh, 1), arg // kw]
        c = cols[xp.arange(ow).reshape(1, 1, ow), arg % kw]
        self.flat = r * w + c  # (planes, oh, ow): the index of each maximum in its (H, W) plane
        return self._shaped(out)

    def _shaped(self, a):
        oh, ow = self.output_size
        return a.reshape(self.in_shape[:-self.nd] + ((oh, ow) if self.nd == 2 else (ow,)))

    def indices(self):
        """After forward: each window's maximum as a flat index into its (H, W) plane, as ``return_indices``."""
        return self._shaped(self.flat.astype(xp_of(self.flat).int64))

    def backward(self, grad):
        from .indexing import accumulate

        xp = xp_of(grad)
        planes, size = self.flat.shape[0], self.flat.shape[1] * self.flat.shape[2]
        h, w = (self.in_shape[-2] if self.nd == 2 else 1), self.in_shape[-1]
        at = self.flat + (xp.arange(planes) * (h * w)).reshape(planes, 1, 1)
        g = accumulate(grad, (planes * h * w,), at, grad.reshape(planes, size))
        return (g.reshape(self.in_shape),)


class ConstantPad(Op):
    """``F.pad(x, pad, value=v)``: ``pad`` as PyTorch's (last dim first, pairs); negative pads crop."""

    name = "constant_pad"
    derivatives = ("grad without the padding",)
    torch_grad_fn = "ConstantPadNdBackward0"
    value = 0

    def _slices(self, shape):
        """Where the input's kept part sits in the output, and which part of the input is kept."""
        nd = len(shape)
        dst, src, out_shape = [slice(None)] * nd, [slice(None)] * nd, list(shape)
        for k in range(len(self.pad) // 2):
            d = nd - 1 - k
            lo, hi = self.pad[2 * k], self.pad[2 * k + 1]
            out_shape[d] = shape[d] + lo + hi
            kept = shape[d] - max(-lo, 0) - max(-hi, 0)
            src[d] = slice(max(-lo, 0), max(-lo, 0) + max(kept, 0))
            dst[d] = slice(max(lo, 0), max(lo, 0) + max(kept, 0))
        return tuple(dst), tuple(src), tuple(out_shape)

    def forward(self, x):
        xp = xp_of(x)
        self.in_shape = x.shape
        dst, src, out_shape = self._slices(x.shape)
        out = xp.full(out_shape, self.value, dtype=x.dtype)
        out[dst] = x[src]
        return out

    def backward(self, grad):
        xp = xp_of(grad)
        dst, src, _ = self._slices(self.in_shape)
        gx = xp.zeros(self.in_shape, dtype=grad.dtype)
        gx[src] = grad[dst]
        return (gx,)


def pad_index(xp, n, lo, hi, mode):
    """Where each position of a dim of length ``n`` padded by ``lo``, ``hi`` (negative ones crop) reads from,
    for ``mode`` ``"reflect"``, ``"replicate"`` or ``"circular"`` (which wraps the part that is kept, as
    PyTorch's does).

    >>> import numpy as np
    >>> [pad_index(np, 4, 2, 1, m).tolist() for m in ("reflect", "replicate", "circular")]
    [[2, 1, 0, 1, 2, 3, 2], [0, 0, 0, 1, 2, 3, 3], [2, 3, 0, 1, 2, 3, 0]]
    """
    if mode == "circular":
        start, kept = max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)
        if kept <= 0:
            return xp.zeros(0, dtype=xp.int64)
        return start + (xp.arange(kept + max(lo, 0) + max(hi, 0)) - max(lo, 0)) % kept
    i = xp.arange(-lo, n + hi)
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    i = xp.abs(i)
    return xp.where(i > n - 1, 2 * (n - 1) - i, i)


class Pad(Op):
    """``F.pad`` in the modes that repeat the input (``mode`` ``"reflect"``, ``"replicate"``, ``"circular"``):
    ``pad`` as PyTorch's (last dim first, pairs). Each padded dim is one gather; backward adds each
    gradient back onto the element it copied.
    """

    name = "pad"
    derivatives = ("grad summed onto the element each position copies",)
    grad_fn_varies = True
    mode = "reflect"

    def grad_fn_name(self):
        if self.mode == "circular":
            return "CopySlices"  # (PyTorch copies slices of its output for circular padding)
        kind = {"reflect": "Reflection", "replicate": "Replication"}[self.mode]
        return f"{kind}Pad{len(self.pad) // 2}DBackward0"

    def forward(self, x):
        xp = xp_of(x)
        self.in_shape = x.shape
        self.index = []
        for k in range(len(self.pad) // 2):
            dim = x.ndim - 1 - k
            at = pad_index(xp, x.shape[dim], self.pad[2 * k], self.pad[2 * k + 1], self.mode)
            self.index.append((dim, at))
            x = xp.take(x, at, axis=dim)
        return x

    def backward(self, grad):
        from .indexing import accumulate

        xp = xp_of(grad)
        for dim, at in reversed(self.index):
            moved = xp.moveaxis(grad, dim, 0)
            summed = accumulate(grad, (self.in_shape[dim],) + moved.shape[1:], at, moved)
            grad = xp.moveaxis(summed, 0, dim)
        return (xp.ascontiguousarray(grad),)


class MaxUnpool(Op):
    """``F.max_unpool2d``: each value of x written at its ``indices`` (flat positions in an (H, W) plane, as a
    max pool's ``return_indices`` gives them) of a zero plane of ``output_size`` (H, W). Inputs: x, indices."""

    name = "max_unpool"
    derivatives = ("grad read back at the indices", "")
    torch_grad_fn = "MaxUnpool2DBackward0"
    saved_inputs = (1,)

    def forward(self, x, indices):
        xp = xp_of(x)
        h, w = self.output_size
        planes = x.reshape(-1, x.shape[-2] * x.shape[-1])
        self.rows = xp.arange(len(planes)).reshape(-1, 1)
        self.at, self.in_shape = indices.reshape(planes.shape), x.shape
        out = xp.zeros((len(planes), h * w), dtype=x.dtype)
        out[self.rows, self.at] = planes
        return out.reshape(x.shape[:-2] + (h, w))

    def backward(self, grad):
        planes = grad.reshape(len(self.at), -1)
        return (planes[self.rows, self.at].reshape(self.in_shape), None)
