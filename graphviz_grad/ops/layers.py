"""Fused ops of the ``nn`` layers with state: embedding lookup, layer norm, batch norm.

Each is one graph node with a hand-written backward, as PyTorch's native kernels
(``EmbeddingBackward0``, ``NativeLayerNormBackward0``, ``NativeBatchNormBackward0``).
They work on raw arrays through ``xp_of``, so the same code runs on NumPy and CuPy.

>>> import numpy as np
>>> import graphviz_grad as vg
>>> w = vg.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)
>>> out = Embedding.apply(w, vg.tensor([2, 0, 2]))
>>> out.sum().backward(); w.grad
tensor([[1., 1.],
        [0., 0.],
        [2., 2.]])
"""

from ..autograd.function import Op
from ..backend import xp_of
from .indexing import accumulate

class Embedding(Op):
    """Rows of a table: ``weight[indices]`` (inputs: weight, indices); the weight's gradient sums
    the gradients of every place an index was looked up."""

    name = "embedding"
    derivatives = ("grad rows added into the looked-up rows", "—")
    saved_inputs = (1,)
    saved_for = ((0,),)  # the indices are read for the weight's gradient
    torch_grad_fn = "EmbeddingBackward0"
    padding_idx = None
    scale_grad_by_freq = False

    def forward(self, weight, indices):
        self.num_rows = weight.shape[0]
        self.indices = indices
        return xp_of(weight).take(weight, indices, axis=0)

    def backward(self, grad):
        xp = xp_of(grad)
        idx = self.indices.reshape(-1)
        rows = grad.reshape(idx.shape[0], grad.shape[-1])
        if self.scale_grad_by_freq:
            counts = xp.bincount(idx, minlength=self.num_rows)
            rows = rows / counts[idx][:, None].astype(rows.dtype)
        gw = accumulate(grad, (self.num_rows, rows.shape[1]), idx, rows)
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0
        return gw, None


def _mean(a, axes):
    """``a.mean(axes, keepdims=True)``; for a 2-D ``a`` averaged over rows, one matrix-vector product
    (3-4× faster than NumPy's reduction over the first axis)."""
    if a.ndim == 2 and axes == (0,):
        n = a.shape[0]
        return (xp_of(a).full(n, 1.0 / n, dtype=a.dtype) @ a)[None, :]
    return a.mean(axis=axes, keepdims=True)


def _dot_mean(a, b, axes):
    """``(a · b).mean(axes, keepdims=True)`` without the product array for 2-D inputs."""
    if a.ndim == 2 and axes == (0,):
        out = xp_of(a).einsum("ij,ij->j", a, b)
        out *= a.dtype.type(1.0 / a.shape[0])
        return out[None, :]
    return (a * b).mean(axis=axes, keepdims=True)


def _normalized_grad(grad_xhat, xhat, rstd, axes):
    """The gradient of ``xhat = (x - mean(x)) · rstd`` for x, given the gradient of xhat:
    ``rstd · (g - mean(g) - xhat · mean(g · xhat))``, the means over ``axes``."""
    mean_g = _mean(grad_xhat, axes)
    mean_gx = _dot_mean(grad_xhat, xhat, axes)
    return rstd * (grad_xhat - mean_g - xhat * mean_gx)


def _affine(xhat, weight, bias, shape):
    """``xhat · weight + bias`` with the parameters reshaped to ``shape`` (either may be None); a new array."""
    if weight is not None:
        out = xhat * weight.reshape(shape)
        if bias is not None:
            out += bias.reshape(shape)
        return out
    if bias is not None:
        return xhat + bias.reshape(shape)
    return xhat.copy()


class _Normalization(Op):
    """What layer norm and batch norm share: inputs ``(x, [weight], [bias])``, the normalized input
    and ``1/√(var + eps)`` saved, and the backward of ``xhat · weight + bias``."""

    has_weight = False  # True on the Affine subclasses; a bias is there when one more input is
    has_bias = False
    saves_tensors = True

    def _params(self, params):
        self.has_bias = len(params) > self.has_weight
        weight = params[0] if self.has_weight else None
        bias = params[-1] if self.has_bias else None
        return weight, bias

    def _param_grads(self, grad, reduce_axes, shape):
        """Gradients of weight and bias (as the op's inputs order them), summed over ``reduce_axes``."""
        needs = self.needs_input_grad
        rows = grad.ndim == 2 and reduce_axes == (0,)  # one einsum / matrix-vector product each
        xp = xp_of(grad)
        out = []
        if self.has_weight:
            if not needs[1]:
                out.append(None)
            elif rows:
                out.append(xp.einsum("ij,ij->j", grad, self.xhat).reshape(shape))
            else:
                out.append((grad * self.xhat).sum(axis=reduce_axes).reshape(shape))
        if self.has_bias:
            if not needs[-1]:
                out.append(None)
            elif rows:
                out.append((xp.ones(grad.shape[0], dtype=grad.dtype) @ grad).reshape(shape))
            else:
                out.append(grad.sum(axis=reduce_axes).reshape(shape))
        return out


def _row_moments(xp, x2):
    """``(x2 - mean, var)`` per row of the 2-D ``x2`` (variance biased): the mean as one matrix-vector
    product and the variance as one einsum, 3× faster than ``mean(axis=-1)`` on 64-wide rows."""
    k = x2.shape[1]
    mean = x2 @ xp.full(k, 1.0 / k, dtype=x2.dtype)
    xc = x2 - mean[:, None]
    var = xp.einsum("ij,ij->i", xc, xc)
    var *= x2.dtype.type(1.0 / k)
    return xc, var


class LayerNorm(_Normalization):
    """Normalize over the last dims (``normalized_shape``), then scale and shift (PyTorch's
    ``native_layer_norm``). The work is done on the input viewed as rows: ``(M, K)`` with K the
    number of normalized elements."""

    name = "layer_norm"
    derivatives = ("rstd · (g - mean(g) - x̂ · mean(g · x̂)), g = grad · weight", "Σ grad · x̂", "Σ grad")
    torch_grad_fn = "NativeLayerNormBackward0"
    eps = 1e-5
    normalized_shape = ()  # the last dims of the input, normalized together

    def forward(self, x, *params):
        xp = xp_of(x)
        weight, bias = self._params(params)
        self.weight = weight.reshape(-1) if weight is not None else None
        self.norm_shape = norm_shape = x.shape[x.ndim - len(self.normalized_shape):]
        k = 1
        for n in norm_shape:
            k *= n
        xc, var = _row_moments(xp, x.reshape(-1, k))
        var += x.dtype.type(self.eps)
        rstd = xp.sqrt(var, out=var)
        xp.divide(1, rstd, out=rstd)
        xc *= rstd[:, None]
        self.xhat, self.rstd = xc, rstd
        return _affine(xc, self.weight, None if bias is None else bias.reshape(-1), (k,)).reshape(x.shape)

    def backward(self, grad):
        # With P = grad · x̂ (one pass), every reduction is a matrix-vector product:
        # Σ_rows P (weight), Σ_rows grad (bias), P @ weight / K and grad @ weight / K (x's means).
        xp = xp_of(grad)
        needs = self.needs_input_grad
        xhat, rstd, w = self.xhat, self.rstd, self.weight
        m, k = xhat.shape
        g2 = grad.reshape(m, k)
        prod = g2 * xhat
        out = [None]
        if self.has_weight:
            out.append((xp.ones(m, dtype=g2.dtype) @ prod).reshape(self.norm_shape) if needs[1] else None)
        if self.has_bias:
            out.append((xp.ones(m, dtype=g2.dtype) @ g2).reshape(self.norm_shape) if needs[-1] else None)
        if needs[0]:
            scale = xp.full(k, 1.0 / k, dtype=g2.dtype) if w is None else w * g2.dtype.type(1.0 / k)
            mean_g = g2 @ scale  # mean over the row of grad · weight
            mean_gx = prod @ scale  # mean over the row of grad · weight · x̂
            gx = g2 * w if w is not None else g2.copy()
            xp.multiply(xhat, mean_gx[:, None], out=prod)
            gx -= prod
            gx -= mean_g[:, None]
            gx *= rstd[:, None]
            out[0] = gx.reshape(grad.shape)
        return tuple(out)


class LayerNormAffine(LayerNorm):
    """Layer norm with a weight: the weight is read by x's gradient, so changing it in place
    before backward is an error (as in PyTorch)."""

    has_weight = True
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))


class BatchNorm(_Normalization):
    """Normalize each channel (dim 1) over the batch and the other dims, then scale and shift
    (PyTorch's ``native_batch_norm``).

    Attributes: ``training`` (normalize by the batch's statistics) and ``running``, the
    ``(running_mean, running_var)`` tensors: in training they are updated in place
    (``momentum``; the variance unbiased, as PyTorch), otherwise they normalize.
    """

    name = "batch_norm"
    derivatives = ("rstd · (g - mean(g) - x̂ · mean(g · x̂)), g = grad · weight (train); "
                   "grad · weight · rstd (eval)", "Σ grad · x̂", "Σ grad")
    torch_grad_fn = "NativeBatchNormBackward0"
    eps = 1e-5
    momentum = 0.1
    training = True
    running = None

    def forward(self, x, *params):
        xp = xp_of(x)
        weight, bias = self._params(params)
        self.weight = weight
        axes = (0, *range(2, x.ndim))
        self.axes = axes
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        self.shape = shape
        if self.training:
            mean = _mean(x, axes)
            xc = x - mean
            var = _dot_mean(xc, xc, axes)
            if self.running is not None:
                self._update_running(mean.reshape(-1), var.reshape(-1), x.size // x.shape[1])
        else:
            mean, var = (r._data.astype(x.dtype, copy=False).reshape(shape) for r in self.running)
            xc = x - mean
        self.rstd = rstd = 1.0 / xp.sqrt(var + x.dtype.type(self.eps))
        self.xhat = xhat = xc * rstd
        return _affine(xhat, weight, bias, shape)

    def _update_running(self, mean, var, count):
        """``running = (1 - momentum) · running + momentum · batch``, the batch variance unbiased."""
        momentum = self.momentum
        unbiased = var * (count / (count - 1))
        for tensor, batch in zip(self.running, (mean, unbiased)):
            arr = tensor._writable()
            arr *= 1 - momentum
            arr += (momentum * batch).astype(arr.dtype, copy=False)
            tensor._bump()

    def backward(self, grad):
        needs = self.needs_input_grad
        gx = None
        if needs[0]:
            g = grad * self.weight.reshape(self.shape) if self.weight is not None else grad
            if self.training:
                gx = _normalized_grad(g, self.xhat, self.rstd, self.axes)
            else:
                gx = g * self.rstd
        return (gx, *self._param_grads(grad, self.axes, (grad.shape[1],)))


class BatchNormAffine(BatchNorm):
    """Batch norm with a weight (read by x's gradient; see :class:`LayerNormAffine`)."""

    has_weight = True
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))


class GroupNorm(_Normalization):
    """Normalize each sample's channels in ``num_groups`` groups (each group over its channels and the other
    dims), then scale and shift per channel (PyTorch's ``native_group_norm``); the work is done on the input
    viewed as rows, one per (sample, group)."""

    name = "group_norm"
    derivatives = ("rstd · (g - mean(g) - x̂ · mean(g · x̂)) per group, g = grad · weight", "Σ grad · x̂",
                   "Σ grad")
    torch_grad_fn = "NativeGroupNormBackward0"
    eps = 1e-5
    num_groups = 1

    def forward(self, x, *params):
        xp = xp_of(x)
        weight, bias = self._params(params)
        self.weight = weight
        self.shape = shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        rows = x.reshape(x.shape[0] * self.num_groups, -1)
        xc, var = _row_moments(xp, rows)
        var += x.dtype.type(self.eps)
        rstd = xp.sqrt(var, out=var)
        xp.divide(1, rstd, out=rstd)
        xc *= rstd[:, None]
        self.xhat, self.rstd = xc.reshape(x.shape), rstd[:, None]
        return _affine(self.xhat, weight, bias, shape)

    def backward(self, grad):
        gx = None
        if self.needs_input_grad[0]:
            g = grad * self.weight.reshape(self.shape) if self.weight is not None else grad
            rows = self.rstd.shape[0]
            gx = _normalized_grad(g.reshape(rows, -1), self.xhat.reshape(rows, -1), self.rstd, (1,)).reshape(grad.shape)
        return (gx, *self._param_grads(grad, (0, *range(2, grad.ndim)), (grad.shape[1],)))


class GroupNormAffine(GroupNorm):
    """Group norm with a weight (read by x's gradient; see :class:`LayerNormAffine`)."""

    has_weight = True
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))
