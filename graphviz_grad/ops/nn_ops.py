"""The fused ops behind ``nn``: one graph node per layer or loss, as PyTorch draws them."""
from ..autograd.function import Op
from ..backend import xp_of


class Linear(Op):
    """``x @ weightᵀ + bias`` (PyTorch's ``F.linear``)."""

    name = "linear"
    derivatives = ("grad @ b", "gradᵀ @ a", "grad summed over the batch")  # a = x, b = weight
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))  # x for the weight's gradient, the weight for x's
    grad_fn_varies = True

    def grad_fn_name(self):
        """PyTorch's: addmm (2-D input with bias), mm (without), a view of either for other inputs."""
        if self.x.ndim == 2:
            return "AddmmBackward0" if self.has_bias else "MmBackward0"
        if self.has_bias:
            return "ViewBackward0"
        return "SqueezeBackward4" if self.x.ndim == 1 else "UnsafeViewBackward0"  # (matmul's names)

    def forward(self, x, w, b=None):
        if x.shape[-1] != w.shape[1]:
            sx = "x".join(map(str, x.shape))
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({sx} and {w.shape[1]}x{w.shape[0]}): "
                f"the layer expects {w.shape[1]} input features but got {x.shape[-1]}"
            )
        self.x, self.w, self.has_bias = x, w, b is not None
        out = x @ w.T
        if b is not None:
            out += b
        return out

    def backward(self, grad):
        needs = self.needs_input_grad
        x = self.x
        gx = grad @ self.w if needs[0] else None
        gw = gb = None
        if needs[1]:
            g2 = grad.reshape(-1, grad.shape[-1])
            gw = g2.T @ x.reshape(-1, x.shape[-1])
        if len(needs) > 2 and needs[2]:
            gb = grad.reshape(-1, grad.shape[-1]).sum(axis=0)
        return (gx, gw, gb)[: len(needs)]


def _reduce(values, reduction):
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values


def _reduce_grad(grad, shape, n, reduction):
    if reduction == "mean":
        return grad / n
    return grad


class MseLoss(Op):
    name = "mse_loss"
    derivatives = ("grad · 2(a - b) [/ n]", "-grad · 2(a - b) [/ n]")
    saved_inputs = (0, 1)
    reduction = "mean"

    def forward(self, a, b):
        self.diff = a - b
        return _reduce(self.diff * self.diff, self.reduction)

    def backward(self, grad):
        na, nb = self.needs_input_grad
        g = _reduce_grad(grad, self.diff.shape, self.diff.size, self.reduction)
        ga = g * (2 * self.diff)
        return (ga if na else None), (-ga if nb else None)


class L1Loss(Op):
    name = "l1_loss"
    derivatives = ("grad · sign(a - b) [/ n]", "-grad · sign(a - b) [/ n]")
    saved_inputs = (0, 1)
    reduction = "mean"

    grad_fn_varies = True

    def grad_fn_name(self):
        """PyTorch computes it as abs, then mean or sum."""
        return {"mean": "MeanBackward0", "sum": "SumBackward0"}.get(self.reduction, "AbsBackward0")

    def forward(self, a, b):
        xp = xp_of(a)
        self.diff = a - b
        return _reduce(xp.abs(self.diff), self.reduction)

    def backward(self, grad):
        na, nb = self.needs_input_grad
        g = _reduce_grad(grad, self.diff.shape, self.diff.size, self.reduction)
        ga = g * xp_of(grad).sign(self.diff)
        return (ga if na else None), (-ga if nb else None)


class CrossEntropy(Op):
    """Log-softmax over dim 1 then negative log-likelihood of the class indices (input 1, no grad)."""

    name = "cross_entropy"
    derivatives = ("grad · (softmax(a) - onehot(target)) [/ n]", "—")
    reduction = "mean"
    saves_tensors = True  # the log-probabilities

    grad_fn_varies = True

    def grad_fn_name(self):
        """PyTorch's: log_softmax then nll_loss for class indices; for probabilities, a sum of products
        divided by the batch (mean) or negated."""
        if self.target_probs is None:
            return "NllLossBackward0"
        return "DivBackward1" if self.reduction == "mean" else "NegBackward0"

    def forward(self, logits, target):
        xp = xp_of(logits)
        if target.dtype.kind == "f":  # class probabilities
            self.target_probs = target
        else:
            self.target_probs = None
        dim = 1 if logits.ndim > 1 else 0
        shifted = logits - logits.max(axis=dim, keepdims=True)
        logp = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        self.logp, self.dim = logp, dim
        if self.target_probs is not None:
            losses = -(target * logp).sum(axis=dim)
        else:
            n_classes = logits.shape[dim]
            if target.size and (target.min() < 0 or target.max() >= n_classes):
                bad = target[(target < 0) | (target >= n_classes)]
                raise IndexError(f"Target {int(bad.reshape(-1)[0])} is out of bounds for {n_classes} classes")
            self.target_int = target
            idx = xp.expand_dims(target, dim)
            losses = -xp.take_along_axis(logp, idx, axis=dim).squeeze(dim)
        self.count = losses.size
        return _reduce(losses, self.reduction)

    def backward(self, grad):
        xp = xp_of(grad)
        g = _reduce_grad(grad, None, self.count, self.reduction)
        if self.reduction == "none":
            g = xp.expand_dims(g, self.dim)
        probs = xp.exp(self.logp)
        if self.target_probs is not None:
            t = self.target_probs
            return (g * (probs * t.sum(axis=self.dim, keepdims=True) - t)).astype(probs.dtype, copy=False), None
        else:
            onehot = xp.zeros_like(probs)
            tgt = self.target_int
            xp.put_along_axis(onehot, xp.expand_dims(tgt, self.dim), 1, axis=self.dim)
        return (g * (probs - onehot)).astype(probs.dtype, copy=False), None
