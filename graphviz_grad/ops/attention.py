"""Scaled dot-product attention as one node: ``softmax(q kᵀ · scale + mask) v``.

Inputs ``q``, ``k``, ``v`` (``(..., L, E)``, ``(..., S, E)``, ``(..., S, Ev)``; the dims before the last two
broadcast) and, when the mask is a float tensor, the mask (added to the scores, so it gets the scores'
gradient). A bool mask (True: attend), ``is_causal`` (the lower-left triangle attends) and the dropout mask
(drawn by ``F.scaled_dot_product_attention`` from PyTorch's generator, as PyTorch's math kernel draws it) are
arrays among the op's attributes. A row whose every score is masked gives zeros, as PyTorch's kernels give.

>>> import graphviz_grad as vg
>>> q = vg.tensor([[[1.0, 0.0], [0.0, 1.0]]], requires_grad=True)
>>> out = vg.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)
>>> out
tensor([[[1.0000, 0.0000],
         [0.3302, 0.6698]]], grad_fn=<UnsafeViewBackward0>)
>>> out.sum().backward(); q.grad
tensor([[[1.3302, 1.3302],
         [0.6698, 0.6698]]])
"""
import math

import numpy as np

from ..autograd.function import Op
from ..backend import xp_of


def _t(a):
    return a.swapaxes(-1, -2)


class ScaledDotProductAttention(Op):
    name = "scaled_dot_product_attention"
    derivatives = ("scale · (P ⊙ (grad vᵀ - Σ)) k", "scale · (P ⊙ (grad vᵀ - Σ))ᵀ q", "Pᵀ grad",
                   "P ⊙ (grad vᵀ - Σ)")
    saved_inputs = (0, 1, 2)
    saved_for = ((1,), (0,), (0, 1, 3))  # q is read for k's gradient, k for q's, v for all the others
    grad_fn_varies = True
    scale = None
    attn_mask = None  # bool array: True where a query may attend
    is_causal = False
    dropout_mask = None  # the kept entries of the attention weights, scaled by 1 / (1 - p)
    enable_gqa = False

    def forward(self, q, k, v, *float_mask):
        xp = xp_of(q)
        self.groups = groups = q.shape[-3] // k.shape[-3] if self.enable_gqa and q.ndim >= 3 else 1
        if groups > 1:  # key/value heads shared by groups of query heads (repeat_interleave along the heads)
            k, v = xp.repeat(k, groups, axis=-3), xp.repeat(v, groups, axis=-3)
        self.q, self.k, self.v = q, k, v
        self.factor = factor = q.dtype.type(1.0 / math.sqrt(q.shape[-1]) if self.scale is None else self.scale)
        scores = xp.matmul(q, _t(k))
        scores *= factor
        if float_mask:
            scores = scores + float_mask[0]
        keep = self.attn_mask
        if self.is_causal:
            keep = xp.tril(xp.ones((q.shape[-2], k.shape[-2]), dtype=bool))
        if keep is not None:
            scores = xp.where(keep, scores, q.dtype.type(-np.inf))
        top = scores.max(axis=-1, keepdims=True)
        top[~xp.isfinite(top)] = 0  # (a row all -inf: no nan from -inf - -inf)
        e = xp.exp(scores - top)
        total = e.sum(axis=-1, keepdims=True)
        total[total == 0] = 1  # a row masked everywhere: weights 0, as PyTorch's safe softmax
        e /= total
        self.p = e
        kept = e * self.dropout_mask if self.dropout_mask is not None else e
        self.kept = kept
        self.ndim = q.ndim
        self.flash_shapes = q.ndim == 4 and q.shape[-1] == k.shape[-1] == v.shape[-1]
        return xp.matmul(kept, v)

    def grad_fn_name(self):
        """PyTorch's CPU dispatch: the flash kernel for 4-D inputs without dropout or a mask that needs a
        gradient, the math one (ending in a matmul's view) otherwise."""
        needs = self.needs_input_grad
        if self.flash_shapes and self.dropout_mask is None and not (len(needs) > 3 and needs[3]):
            return "ScaledDotProductFlashAttentionForCpuBackward0"
        return "MmBackward0" if self.ndim == 2 else "UnsafeViewBackward0"

    def backward(self, grad):
        xp = xp_of(grad)
        needs = self.needs_input_grad
        q, k, v, p = self.q, self.k, self.v, self.p
        gv = self._ungroup(xp.matmul(_t(self.kept), grad)) if needs[2] else None
        gq = gk = gmask = None
        if needs[0] or needs[1] or (len(needs) > 3 and needs[3]):
            gp = xp.matmul(grad, _t(v))
            if self.dropout_mask is not None:
                gp *= self.dropout_mask
            gs = gp - (gp * p).sum(axis=-1, keepdims=True)
            gs *= p
            if len(needs) > 3 and needs[3]:
                gmask = gs
            gs = gs * self.factor
            if needs[0]:
                gq = xp.matmul(gs, k)
            if needs[1]:
                gk = self._ungroup(xp.matmul(_t(gs), q))
        return (gq, gk, gv, gmask)[:len(needs)]

    def _ungroup(self, g):
        """The gradient of the repeated key/value heads summed back into the shared head."""
        if self.groups == 1:
            return g
        return g.reshape(g.shape[:-3] + (g.shape[-3] // self.groups, self.groups) + g.shape[-2:]).sum(axis=-3)
