"""``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward``: PyTorch's argument checks, masks
and dropout, then one attention op (or, where PyTorch's ``MultiheadAttention`` returns the attention weights,
the matrix products and softmax it runs, each its own node).

Re-exported by :mod:`graphviz_grad.nn.functional`.

>>> import graphviz_grad as vg
>>> import graphviz_grad.nn.functional as F
>>> q = k = v = vg.tensor([[[1.0, 0.0], [0.0, 1.0]]])
>>> F.scaled_dot_product_attention(q, k, v, attn_mask=vg.tensor([[True, False], [True, True]]))
tensor([[[1.0000, 0.0000],
         [0.3302, 0.6698]]])
"""
import math

import numpy as np

from .. import _dtype, _functions, ops
from .._functions import require_tensor as _require_tensor
from .._warnings import warn_user as _warn
from ..autograd.function import broadcast_message
from ..tensor import Tensor
from .dropout import dropout
from .functional_conv import linear, pad

# PyTorch's C++ names of the dtypes, in its messages
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _cpp_name(t):
    return _CPP_NAMES.get(t.dtype.name, t.dtype.name)


def _check_attention_inputs(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa):
    for i, (name, t) in enumerate((("query", query), ("key", key), ("value", value))):
        _require_tensor("scaled_dot_product_attention", t, i + 1, name)
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_cpp_name(query)} key.dtype: {_cpp_name(key)} and value.dtype: {_cpp_name(value)} "
                           "instead.")
    if not query.is_floating_point():  # (PyTorch's words: its float bias meets the integer scores)
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: float != {_cpp_name(query)}")
    if attn_mask is not None:
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        if attn_mask.dtype not in (_dtype.bool, _dtype.float32, query.dtype):
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                               f"attn_mask.dtype: {_cpp_name(attn_mask)} and  query.dtype: {_cpp_name(query)} "
                               "instead.")
    if not 0 <= dropout_p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        if query.shape[-3] % key.shape[-3] or query.shape[-3] % value.shape[-3]:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
    if query.shape[-1] != key.shape[-1]:
        batch = int(np.prod(np.broadcast_shapes(tuple(query.shape[:-2]), tuple(key.shape[:-2])), dtype=np.int64))
        if query.dim() == 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({query.shape[0]}x{query.shape[1]} and "
                               f"{key.shape[1]}x{key.shape[0]})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, "
                           f"{query.shape[-1]}] but got: [{batch}, {key.shape[-1]}].")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """``softmax(q kᵀ · scale + mask) v`` over the last two dims, as one op (PyTorch's math, its CPU kernels'
    results). ``attn_mask``: bool (True: may attend) or float (added to the scores); ``is_causal``: the
    lower-left triangle attends; ``scale``: 1/√E by default; ``dropout_p``: the attention weights dropped as
    ``F.dropout`` drops them, from the same generator draws as PyTorch; ``enable_gqa``: key/value heads
    shared by groups of query heads.

    >>> import graphviz_grad as vg
    >>> q = vg.ones(1, 2, 3, 4)  # (batch, heads, length, head dim)
    >>> vg.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True).shape
    graphviz_grad.Size([1, 2, 3, 4])
    """
    _check_attention_inputs(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    q_batch, k_batch = tuple(query.shape[:-2]), tuple(key.shape[:-2])
    if enable_gqa and query.dim() >= 3:  # the key/value heads are repeated up to the query's
        k_batch = k_batch[:-1] + q_batch[-1:]
    message = broadcast_message(q_batch, k_batch)
    if message:
        raise RuntimeError(message)
    batch = np.broadcast_shapes(q_batch, k_batch)
    scores = tuple(batch) + (query.shape[-2], key.shape[-2])
    attrs = {}
    inputs = [query, key, value]
    if attn_mask is not None:
        shape = np.broadcast_shapes(scores, tuple(attn_mask.shape)) if not broadcast_message(
            scores, tuple(attn_mask.shape)) else None
        if shape is None:
            raise RuntimeError(broadcast_message(scores, tuple(attn_mask.shape)))
        if tuple(shape) != scores:
            raise RuntimeError(f"output with shape {list(scores)} doesn't match the broadcast shape {list(shape)}")
        if attn_mask.dtype == _dtype.bool:
            attrs["attn_mask"] = attn_mask._data
        else:
            inputs.append(attn_mask if attn_mask.dtype == query.dtype else attn_mask.to(query.dtype))
    if is_causal:
        attrs["is_causal"] = True
    if scale is not None:
        attrs["scale"] = float(scale)
    if enable_gqa:
        attrs["enable_gqa"] = True
    if dropout_p > 0:
        from .._creation import empty, zeros

        if dropout_p == 1:
            keep = zeros((), dtype=query.dtype, device=query.device)
        else:
            keep = empty(scores, dtype=query.dtype, device=query.device).bernoulli_(1 - dropout_p)
            keep.div_(1 - dropout_p)
        attrs["dropout_mask"] = keep._data
    return ops.ScaledDotProductAttention.apply(*inputs, **attrs)


# --- multi-head attention (PyTorch's F.multi_head_attention_forward) ------------------------------------------


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True: masked) as a float one of ``target_type`` (-inf where masked); a float mask as it is."""
    if mask is None:
        return None
    if mask.dtype != _dtype.bool and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        _warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both instead.")
    if not mask.is_floating_point():
        from .._creation import zeros_like

        mask = zeros_like(mask, dtype=target_type).masked_fill_(mask, float("-inf"))
    return mask


def _none_or_dtype(t):
    if t is None:
        return None
    if isinstance(t, Tensor):
        return t.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Batched (3-D) or not (2-D), with PyTorch's assertions on the other shapes."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query tensor")


def _in_projection_packed(q, k, v, w, b=None):
    """The query, key and value projections of one packed ``(3E, E)`` weight: one ``linear`` for
    self-attention, split in three (PyTorch reshapes the packed result instead: the same numbers)."""
    E = q.shape[-1]
    if k is v:
        if q is k:
            return _functions.chunk(linear(q, w, b), 3, -1)
        w_q, w_kv = _functions.split(w, [E, E * 2])
        b_q, b_kv = (None, None) if b is None else _functions.split(b, [E, E * 2])
        return (linear(q, w_q, b_q), *_functions.chunk(linear(k, w_kv, b_kv), 2, -1))
    w_q, w_k, w_v = _functions.chunk(w, 3)
    b_q, b_k, b_v = (None, None, None) if b is None else _functions.chunk(b, 3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    Eq, Ek, Ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for name, w, shape in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)), ("value", w_v, (Eq, Ev))):
        if tuple(w.shape) != shape:
            raise AssertionError(f"expecting {name} weights shape of {shape}, but got {w.shape}")
    for name, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (Eq,):
            raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got {b.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """PyTorch's multi-head attention on ``(L, N, E)`` inputs (or unbatched ``(L, E)``): project, split into
    heads, attend, join, project. With ``need_weights`` the attention weights are computed as matrix products
    and a softmax (and returned, averaged over the heads if ``average_attn_weights``), else by one
    ``scaled_dot_product_attention`` op; the same numbers either way."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the attention op makes the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = _functions.chunk(in_proj_bias, 3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                               f"{(bsz * num_heads, tgt_len, src_len)}.")
    if bias_k is not None and bias_v is not None:
        k = _functions.cat([k, bias_k.repeat(1, bsz, 1)])
        v = _functions.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None else
                             "bias_v is set but bias_k is None")

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None
         else _static(static_k, "static_k", bsz * num_heads, head_dim))
    v = (v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None
         else _static(static_v, "static_v", bsz * num_heads, head_dim))
    if add_zero_attn:
        from .._creation import zeros

        zero = zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype, device=k.device)
        k, v = _functions.cat([k, zero], 1), _functions.cat([v, zero], 1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(
            bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        q_scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
        weights = _functions.bmm(q_scaled, k.transpose(-2, -1))
        if attn_mask is not None:
            if attn_mask.dtype != q.dtype:
                raise RuntimeError(f"Input dtypes must be the same, got: input {_cpp_name(attn_mask)}, batch1: "
                                   f"{_cpp_name(q)}, batch2: {_cpp_name(k)}")
            weights = attn_mask + weights  # (PyTorch's baddbmm)
        weights = _functions.softmax(weights, dim=-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = _functions.bmm(weights, v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not is_batched:
        out = out.squeeze(1)
    return out, None


def _static(t, name, rows, head_dim):
    if t.shape[0] != rows:
        raise AssertionError(f"expecting {name}.size(0) of {rows}, but got {t.shape[0]}")
    if t.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.shape[2]}")
    return t

