"""Attention against torch: F.scaled_dot_product_attention (bool and float masks, is_causal, scale, enable_gqa,
dropout from the same generator draws), nn.MultiheadAttention (weights initialised in torch's order, bit for
bit; masks, batch_first, need_weights, kdim/vdim, bias_kv, zero_attn, unbatched inputs), TransformerEncoderLayer
and TransformerEncoder (post- and pre-norm, relu/gelu, masks, train and eval): values, gradients of inputs and
parameters, errors, reprs and state dicts.

One op case = one line of ``CASES``, as in test_ops_oracle.py (whose coverage test reads these cases too).
"""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import graphviz_grad as vg
import graphviz_grad.nn.functional as VF
from conftest import assert_close, gradcheck_case, helper_test_op


def case(name, shapes, fn, torch_fn=None, **opts):
    return pytest.param(shapes, fn, torch_fn, opts, id=name)


def F(lib):
    return TF if lib is torch else VF


def sdpa(lib, *args, **kwargs):
    return F(lib).scaled_dot_product_attention(*args, **kwargs)


def _bool(lib, rows):
    return lib.tensor(rows, dtype=lib.bool)


KEEP = [[True, False, True, True, False], [True, True, True, True, True], [False, False, False, False, False],
        [False, True, False, False, True]]  # (a row attending to nothing gives zeros, as torch's kernels)

CASES = [
    case("sdpa", [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)], lambda lib, q, k, v: sdpa(lib, q, k, v)),
    case("sdpa_3d", [(3, 4, 5), (3, 6, 5), (3, 6, 5)], lambda lib, q, k, v: sdpa(lib, q, k, v)),
    case("sdpa_2d", [(4, 5), (6, 5), (6, 3)], lambda lib, q, k, v: sdpa(lib, q, k, v)),
    case("sdpa_causal", [(1, 2, 5, 4), (1, 2, 5, 4), (1, 2, 5, 4)], lambda lib, q, k, v: sdpa(lib, q, k, v,
                                                                                              is_causal=True)),
    case("sdpa_causal_short_query", [(2, 3, 4), (2, 6, 4), (2, 6, 4)],
         lambda lib, q, k, v: sdpa(lib, q, k, v, is_causal=True)),
    case("sdpa_causal_long_query", [(2, 6, 4), (2, 3, 4), (2, 3, 4)],
         lambda lib, q, k, v: sdpa(lib, q, k, v, is_causal=True)),
    case("sdpa_bool_mask", [(2, 1, 4, 3), (2, 1, 5, 3), (2, 1, 5, 3)],
         lambda lib, q, k, v: sdpa(lib, q, k, v, attn_mask=_bool(lib, KEEP))),
    case("sdpa_float_mask", [(2, 2, 4, 3), (2, 2, 5, 3), (2, 2, 5, 3), (4, 5)],
         lambda lib, q, k, v, m: sdpa(lib, q, k, v, attn_mask=m)),
    case("sdpa_float_mask_per_head", [(2, 2, 4, 3), (2, 2, 5, 3), (2, 2, 5, 3), (2, 1, 4, 5)],
         lambda lib, q, k, v, m: sdpa(lib, q, k, v, attn_mask=m * 3)),
    case("sdpa_float_mask_minus_inf", [(2, 4, 3), (2, 5, 3), (2, 5, 3)],
         lambda lib, q, k, v: sdpa(lib, q, k, v, attn_mask=lib.zeros(4, 5, dtype=q.dtype).masked_fill(
             ~_bool(lib, KEEP[:2] + KEEP[3:] + KEEP[:1]), float("-inf")))),
    case("sdpa_scale", [(2, 4, 3), (2, 5, 3), (2, 5, 6)], lambda lib, q, k, v: sdpa(lib, q, k, v, scale=0.7)),
    case("sdpa_broadcast_batch", [(2, 3, 4, 5), (1, 3, 6, 5), (3, 6, 5)], lambda lib, q, k, v: sdpa(lib, q, k, v)),
    case("sdpa_gqa", [(2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 5)],
         lambda lib, q, k, v: sdpa(lib, q, k, v, enable_gqa=True)),
    case("sdpa_gqa_one_kv_head", [(1, 3, 3, 2), (1, 1, 4, 2), (1, 1, 4, 2)],
         lambda lib, q, k, v: sdpa(lib, q, k, v, enable_gqa=True, is_causal=True)),
    case("sdpa_self", [(2, 2, 5, 4)], lambda lib, x: sdpa(lib, x, x, x, is_causal=True)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_op_matches_torch(shapes, fn, torch_fn, opts, dtype, backend):
    helper_test_op(shapes, fn, torch_fn, dtype=dtype, device=backend, **opts)


@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_gradcheck_op(shapes, fn, torch_fn, opts, backend):
    gradcheck_case(shapes, fn, opts, backend)


GRAD_FNS = [
    ("4d", lambda lib, q: sdpa(lib, q, q, q)),
    ("4d_bool_mask", lambda lib, q: sdpa(lib, q, q, q, attn_mask=lib.ones(3, 3, dtype=lib.bool))),
    ("4d_float_mask", lambda lib, q: sdpa(lib, q, q, q, attn_mask=lib.zeros(3, 3))),
    ("4d_mask_with_grad", lambda lib, q: sdpa(lib, q, q, q, attn_mask=lib.zeros(3, 3, requires_grad=True))),
    ("4d_dropout", lambda lib, q: sdpa(lib, q, q, q, dropout_p=0.5)),
    ("3d", lambda lib, q: sdpa(lib, q[0], q[0], q[0])),
    ("2d", lambda lib, q: sdpa(lib, q[0, 0], q[0, 0], q[0, 0])),
]


@pytest.mark.parametrize("name, fn", GRAD_FNS, ids=[g[0] for g in GRAD_FNS])
def test_sdpa_grad_fn_names_are_torchs(name, fn):
    theirs = fn(torch, torch.ones(1, 2, 3, 4, requires_grad=True)).grad_fn.name()
    assert fn(vg, vg.ones(1, 2, 3, 4, requires_grad=True)).grad_fn.grad_fn_name() == theirs


def _seeded(program, seed=0):
    """``program(lib)`` under torch and graphviz_grad, each right after ``manual_seed(seed)``: (ours, theirs)."""
    torch.manual_seed(seed)
    theirs = program(torch)
    vg.manual_seed(seed)
    return program(vg), theirs


def _compare(ours, theirs, rtol=1e-5, atol=1e-6):
    if isinstance(theirs, torch.Tensor):
        assert_close(ours, theirs, rtol, atol)
    elif isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _compare(o, t, rtol, atol)
    elif isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for key in theirs:
            _compare(ours[key], theirs[key], rtol, atol)
    else:
        assert ours == theirs


@pytest.mark.parametrize("p", [0.3, 1.0])
@pytest.mark.parametrize("mask", [None, "bool", "causal"])
def test_sdpa_dropout_draws_torchs_masks(p, mask):
    def program(lib):
        q = lib.randn(2, 3, 4, 5, requires_grad=True)
        k, v = lib.randn(2, 3, 6, 5, requires_grad=True), lib.randn(2, 3, 6, 7, requires_grad=True)
        kwargs = {"attn_mask": lib.ones(4, 6, dtype=lib.bool).tril()} if mask == "bool" else {}
        out = sdpa(lib, q, k, v, dropout_p=p, is_causal=mask == "causal", **kwargs)
        (out * lib.arange(7.0)).sum().backward()
        return out, q.grad, k.grad, v.grad, lib.rand(1)  # (and the generator's state after)

    _compare(*_seeded(program))


def test_sdpa_gqa_without_the_flag_broadcasts_one_head():
    helper_test_op([(2, 4, 3, 5), (2, 1, 6, 5), (2, 1, 6, 5)], lambda lib, q, k, v: sdpa(lib, q, k, v))


SDPA_ERRORS = [
    ("causal_and_mask", lambda lib: sdpa(lib, lib.ones(1, 2, 3), lib.ones(1, 2, 3), lib.ones(1, 2, 3),
                                         attn_mask=lib.ones(2, 2, dtype=lib.bool), is_causal=True)),
    ("head_dims", lambda lib: sdpa(lib, lib.ones(2, 3, 4, 5), lib.ones(2, 3, 6, 4), lib.ones(2, 3, 6, 4))),
    ("head_dims_2d", lambda lib: sdpa(lib, lib.ones(4, 5), lib.ones(6, 3), lib.ones(6, 5))),
    ("dtypes", lambda lib: sdpa(lib, lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3, dtype=lib.float64))),
    ("mask_long", lambda lib: sdpa(lib, lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3),
                                   attn_mask=lib.ones(2, 2, dtype=lib.int64))),
    ("mask_double", lambda lib: sdpa(lib, lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3),
                                     attn_mask=lib.ones(2, 2, dtype=lib.float64))),
    ("mask_shape", lambda lib: sdpa(lib, lib.ones(1, 4, 5), lib.ones(1, 6, 5), lib.ones(1, 6, 5),
                                    attn_mask=lib.ones(5, 6))),
    ("mask_grows_batch", lambda lib: sdpa(lib, lib.ones(1, 4, 4, 5), lib.ones(1, 4, 4, 5), lib.ones(1, 4, 4, 5),
                                          attn_mask=lib.ones(2, 1, 4, 4, dtype=lib.bool))),
    ("one_dim", lambda lib: sdpa(lib, lib.ones(5), lib.ones(6, 5), lib.ones(6, 5))),
    ("dropout_p", lambda lib: sdpa(lib, lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), dropout_p=1.5)),
    ("long_inputs", lambda lib: sdpa(lib, lib.ones(2, 3, dtype=lib.int64), lib.ones(2, 3, dtype=lib.int64),
                                     lib.ones(2, 3, dtype=lib.int64))),
    ("gqa_heads", lambda lib: sdpa(lib, lib.ones(1, 4, 4, 5), lib.ones(1, 3, 6, 5), lib.ones(1, 3, 6, 5),
                                   enable_gqa=True)),
    ("heads_without_gqa", lambda lib: sdpa(lib, lib.ones(1, 4, 4, 5), lib.ones(1, 3, 6, 5), lib.ones(1, 3, 6, 5))),
]


def _raises_like_torch(ours, theirs):
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(type(expected.value)) as got:
        ours()
    assert str(got.value).replace("graphviz_grad.Size", "torch.Size") == str(expected.value), (got.value,
                                                                                               expected.value)


@pytest.mark.parametrize("name, fn", SDPA_ERRORS, ids=[e[0] for e in SDPA_ERRORS])
def test_sdpa_errors_as_torch(name, fn):
    _raises_like_torch(lambda: fn(vg), lambda: fn(torch))


def test_sdpa_float32_mask_with_float64_inputs_as_torch():
    """Allowed, as in torch (whose kernel then agrees with float64 math only to float32's precision)."""
    helper_test_op([(2, 4, 3), (2, 5, 3), (2, 5, 3)], lambda lib, q, k, v: sdpa(
        lib, q, k, v, attn_mask=lib.arange(20.0).reshape(4, 5) / 10 - 1), dtype="float64", rtol=1e-6, atol=1e-7)


# --- nn.MultiheadAttention ----------------------------------------------------------------------------------


def _arrays(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def _leaves(lib, arrays, dtype, grad=True):
    d = lib.float64 if dtype == "float64" else lib.float32
    return [lib.tensor(a, dtype=d, requires_grad=grad) for a in arrays]


def _run_module(make, call, inputs, dtype="float32", seed=0, train=True, grad=True):
    """Build ``make(lib)`` after ``manual_seed(seed)`` in both libraries, check the parameters are torch's bit
    for bit, run ``call(lib, module, *inputs)`` (its first output, or the sum of its tensor outputs times
    fixed weights, is backpropagated) and compare outputs and the gradients of inputs and parameters."""
    results = {}
    for lib in (torch, vg):
        lib.manual_seed(seed)
        module = make(lib)
        if dtype == "float64":
            module = module.double()
        module.train(train)
        xs = _leaves(lib, inputs, dtype, grad)
        lib.manual_seed(seed + 1)  # (dropout draws)
        out = call(lib, module, *xs)
        outs = [o for o in (out if isinstance(out, tuple) else (out,))]
        if grad:
            total = 0
            for i, o in enumerate(outs):
                if isinstance(o, lib.Tensor) and o.requires_grad:
                    weights = (lib.arange(o.numel(), dtype=o.dtype) % 7 - 2.5).reshape(o.shape)
                    total = total + (o * weights).sum() * (i + 1)
            total.backward()
        results[lib] = (module, xs, outs)
    (t_mod, t_xs, t_outs), (v_mod, v_xs, v_outs) = results[torch], results[vg]
    rtol, atol = (1e-4, 1e-5) if dtype == "float32" else (1e-9, 1e-10)
    assert len(t_outs) == len(v_outs)
    for o, t in zip(v_outs, t_outs):
        if t is None:
            assert o is None
        else:
            assert_close(o, t.detach(), rtol, atol)
    t_params, v_params = dict(t_mod.named_parameters()), dict(v_mod.named_parameters())
    assert list(v_params) == list(t_params)
    for name, t in t_params.items():
        if not grad:
            continue
        assert_close(v_params[name].grad, t.grad, rtol, atol, what=f"{name}.grad")
    if grad:
        for i, (o, t) in enumerate(zip(v_xs, t_xs)):
            assert_close(o.grad, t.grad, rtol, atol, what=f"input {i}.grad")
    return v_mod, t_mod


def _mha(*args, **kwargs):
    return lambda lib: lib.nn.MultiheadAttention(*args, **kwargs)


def _masks(lib, kwargs, like):
    """The keyword arguments, those given as functions of the library made; float masks in ``like``'s dtype."""
    extra = {k: (v(lib) if callable(v) else v) for k, v in kwargs.items()}
    return {k: v.to(like.dtype) if isinstance(v, lib.Tensor) and v.is_floating_point() else v
            for k, v in extra.items()}


def _call(**kwargs):
    def call(lib, m, *xs):
        extra = _masks(lib, kwargs, xs[0])
        if len(xs) == 1:
            return m(xs[0], xs[0], xs[0], **extra)
        if len(xs) == 2:
            return m(xs[0], xs[1], xs[1], **extra)
        return m(*xs, **extra)
    return call


PAD = [[False, False, False, True, True], [False, False, False, False, False], [False, True, False, False, True]]
PAD_LEFT = [[False, False, False, True, True], [False, False, False, False, False], [False, False, True, True, True]]


def _causal(n):
    return lambda lib: lib.ones(n, n, dtype=lib.bool).triu(1)


MHA_CONFIGS = [
    ("self", _mha(8, 2), _call(), [(5, 3, 8)]),
    ("batch_first", _mha(8, 4, batch_first=True), _call(), [(3, 5, 8)]),
    ("no_weights", _mha(8, 2), _call(need_weights=False), [(5, 3, 8)]),
    ("per_head_weights", _mha(8, 2), _call(average_attn_weights=False), [(5, 3, 8)]),
    ("cross", _mha(8, 2), _call(), [(4, 3, 8), (6, 3, 8)]),
    ("cross_no_weights", _mha(8, 2, batch_first=True), _call(need_weights=False), [(3, 4, 8), (3, 6, 8)]),
    ("separate_qkv", _mha(8, 2), _call(), [(4, 3, 8), (6, 3, 8), (6, 3, 8)]),
    ("kdim_vdim", _mha(8, 2, kdim=5, vdim=3), _call(), [(4, 3, 8), (6, 3, 5), (6, 3, 3)]),
    ("kdim_vdim_no_weights", _mha(8, 2, kdim=5, vdim=3, batch_first=True), _call(need_weights=False),
     [(3, 4, 8), (3, 6, 5), (3, 6, 3)]),
    ("no_bias", _mha(8, 2, bias=False), _call(), [(5, 3, 8)]),
    ("bias_kv_zero_attn", _mha(8, 2, add_bias_kv=True, add_zero_attn=True), _call(), [(5, 3, 8)]),
    ("bias_kv_masks", _mha(8, 2, add_bias_kv=True, add_zero_attn=True),
     _call(key_padding_mask=lambda lib: _bool(lib, PAD), attn_mask=_causal(5)), [(5, 3, 8)]),
    ("unbatched", _mha(8, 2), _call(), [(5, 8)]),
    ("unbatched_no_weights", _mha(8, 2, batch_first=True), _call(need_weights=False), [(5, 8)]),
    ("key_padding_mask", _mha(8, 2, batch_first=True), _call(key_padding_mask=lambda lib: _bool(lib, PAD)),
     [(3, 5, 8)]),
    ("key_padding_mask_no_weights", _mha(8, 2, batch_first=True),
     _call(key_padding_mask=lambda lib: _bool(lib, PAD), need_weights=False), [(3, 5, 8)]),
    ("float_key_padding_mask", _mha(8, 2),
     _call(key_padding_mask=lambda lib: lib.tensor(PAD, dtype=lib.float32) * -2.5), [(5, 3, 8)]),
    ("causal_attn_mask", _mha(8, 2), _call(attn_mask=_causal(5)), [(5, 3, 8)]),
    ("causal_is_causal", _mha(8, 2, batch_first=True), _call(attn_mask=_causal(5), is_causal=True,
                                                             need_weights=False), [(3, 5, 8)]),
    ("float_attn_mask_3d", _mha(8, 2),
     _call(attn_mask=lambda lib: lib.arange(150.0).reshape(6, 5, 5) / 37.5 - 2.0), [(5, 3, 8)]),
    ("both_masks", _mha(8, 2, batch_first=True),
     _call(attn_mask=_causal(5), key_padding_mask=lambda lib: _bool(lib, PAD), need_weights=False), [(3, 5, 8)]),
    ("unbatched_masks", _mha(8, 2),
     _call(attn_mask=_causal(5), key_padding_mask=lambda lib: _bool(lib, PAD[0])), [(5, 8)]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, make, call, shapes", MHA_CONFIGS, ids=[c[0] for c in MHA_CONFIGS])
def test_multihead_attention_as_torch(name, make, call, shapes, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _run_module(make, call, _arrays(1, *shapes), dtype)


@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention_dropout_draws_torchs_masks(need_weights):
    _run_module(_mha(8, 2, dropout=0.4), _call(need_weights=need_weights), _arrays(2, (5, 3, 8)))


@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention_in_eval_without_grad(need_weights):
    """torch takes its fast path (no autograd) here; the numbers are the same."""
    for train in (False,):
        with torch.no_grad(), vg.no_grad():
            _run_module(_mha(8, 2, dropout=0.4, batch_first=True),
                        _call(need_weights=need_weights, key_padding_mask=lambda lib: _bool(lib, PAD)),
                        _arrays(3, (3, 5, 8)), train=train, grad=False)


def test_multihead_attention_initialisation_is_torchs_bit_for_bit():
    for make in (_mha(16, 4), _mha(16, 4, kdim=3, vdim=5, add_bias_kv=True), _mha(6, 3, bias=False)):
        v_mod, t_mod = _seeded(make)
        for (name, p), (t_name, t) in zip(v_mod.named_parameters(), t_mod.named_parameters()):
            assert name == t_name
            assert_close(p, t.detach(), 0, 0, what=name)


def test_multihead_attention_repr_state_dict_and_attributes():
    ours, theirs = _seeded(_mha(8, 2, kdim=4, vdim=4, batch_first=True, dropout=0.1))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for attr in ("embed_dim", "kdim", "vdim", "_qkv_same_embed_dim", "num_heads", "dropout", "batch_first",
                 "head_dim", "add_zero_attn"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert ours.bias_k is None and ours.in_proj_weight is None
    # a torch checkpoint loads
    other = vg.nn.MultiheadAttention(8, 2, kdim=4, vdim=4, batch_first=True)
    other.load_state_dict({k: vg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    for name, p in other.named_parameters():
        assert_close(p, theirs.get_parameter(name).detach(), 0, 0)


MHA_ERRORS = [
    ("heads", lambda lib: lib.nn.MultiheadAttention(10, 3)),
    ("zero_heads", lambda lib: lib.nn.MultiheadAttention(8, 0)),
    ("embed_dim", lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(2, 3, 6), lib.ones(2, 3, 6), lib.ones(2, 3, 6))),
    ("query_dim", lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(8), lib.ones(8), lib.ones(8))),
    ("key_dims", lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(2, 3, 8), lib.ones(2, 8), lib.ones(2, 8))),
    ("mask_2d_shape", lambda lib: lib.nn.MultiheadAttention(8, 2)(
        lib.ones(2, 3, 8), lib.ones(2, 3, 8), lib.ones(2, 3, 8), attn_mask=lib.ones(3, 3, dtype=lib.bool))),
    ("mask_3d_shape", lambda lib: lib.nn.MultiheadAttention(8, 2)(
        lib.ones(2, 3, 8), lib.ones(2, 3, 8), lib.ones(2, 3, 8), attn_mask=lib.ones(2, 2, 2))),
    ("mask_long", lambda lib: lib.nn.MultiheadAttention(8, 2)(
        lib.ones(2, 3, 8), lib.ones(2, 3, 8), lib.ones(2, 3, 8), attn_mask=lib.ones(2, 2, dtype=lib.int64))),
    ("padding_shape", lambda lib: lib.nn.MultiheadAttention(8, 2)(
        lib.ones(2, 3, 8), lib.ones(2, 3, 8), lib.ones(2, 3, 8), key_padding_mask=lib.ones(3, 3, dtype=lib.bool))),
    ("is_causal_without_mask", lambda lib: lib.nn.MultiheadAttention(8, 2)(
        lib.ones(2, 3, 8), lib.ones(2, 3, 8), lib.ones(2, 3, 8), is_causal=True)),
    ("key_value_shapes", lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.ones(2, 3, 8), lib.ones(2, 3, 8),
                                                                     lib.ones(4, 3, 8))),
    ("float_mask_dtype", lambda lib: lib.nn.MultiheadAttention(8, 2).double()(
        *[lib.ones(2, 3, 8, dtype=lib.float64)] * 3, attn_mask=lib.zeros(2, 2))),
]


@pytest.mark.parametrize("name, fn", MHA_ERRORS, ids=[e[0] for e in MHA_ERRORS])
def test_multihead_attention_errors_as_torch(name, fn):
    _raises_like_torch(lambda: fn(vg), lambda: fn(torch))


def test_mismatched_mask_types_warn_as_torch():
    for lib in (torch, vg):
        m = lib.nn.MultiheadAttention(8, 2)
        x = lib.ones(2, 3, 8)
        with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask is deprecated"):
            m(x, x, x, key_padding_mask=lib.zeros(3, 2, dtype=lib.bool), attn_mask=lib.zeros(2, 2))


# --- TransformerEncoderLayer / TransformerEncoder -----------------------------------------------------------


def _layer(**kwargs):
    base = {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "dropout": 0.0}
    base.update(kwargs)

    def make(lib):  # (an activation given as a function of the library is called with it)
        return lib.nn.TransformerEncoderLayer(**{k: v(lib) if k == "activation" and callable(v) else v
                                                 for k, v in base.items()})
    return make


def _src_call(**kwargs):
    def call(lib, m, x):
        return m(x, **_masks(lib, kwargs, x))
    return call


LAYER_CONFIGS = [
    ("post_norm_relu", _layer(), _src_call(), [(5, 3, 8)]),
    ("pre_norm_gelu", _layer(norm_first=True, activation="gelu"), _src_call(), [(5, 3, 8)]),
    ("batch_first", _layer(batch_first=True), _src_call(), [(3, 5, 8)]),
    ("module_activation", _layer(activation=lambda lib: lib.nn.Tanh()), _src_call(), [(5, 3, 8)]),
    ("function_activation", _layer(activation=lambda lib: F(lib).silu), _src_call(), [(5, 3, 8)]),
    ("no_bias_eps", _layer(bias=False, layer_norm_eps=1e-3), _src_call(), [(5, 3, 8)]),
    ("causal_mask", _layer(batch_first=True), _src_call(src_mask=_causal(5), is_causal=True), [(3, 5, 8)]),
    ("float_mask", _layer(), _src_call(src_mask=lambda lib: lib.arange(25.0).reshape(5, 5) / 12.5 - 1.0),
     [(5, 3, 8)]),
    ("padding_mask", _layer(batch_first=True, norm_first=True),
     _src_call(src_key_padding_mask=lambda lib: _bool(lib, PAD)), [(3, 5, 8)]),
    ("both_masks", _layer(batch_first=True),
     _src_call(src_mask=_causal(5), src_key_padding_mask=lambda lib: _bool(lib, PAD)), [(3, 5, 8)]),
    ("unbatched", _layer(), _src_call(), [(5, 8)]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, make, call, shapes", LAYER_CONFIGS, ids=[c[0] for c in LAYER_CONFIGS])
def test_transformer_encoder_layer_as_torch(name, make, call, shapes, dtype):
    _run_module(make, call, _arrays(4, *shapes), dtype)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_layer_dropout_draws_torchs_masks(norm_first):
    _run_module(_layer(dropout=0.3, norm_first=norm_first), _src_call(src_mask=_causal(5)), _arrays(5, (5, 3, 8)))


@pytest.mark.parametrize("grad", [True, False])
def test_transformer_encoder_layer_in_eval(grad):
    """Without grad torch takes its fused fast path; with or without, the numbers are ours."""
    make = _layer(dropout=0.3, batch_first=True)
    call = _src_call(src_key_padding_mask=lambda lib: _bool(lib, PAD))
    if grad:
        _run_module(make, call, _arrays(6, (3, 5, 8)), train=False)
    else:
        with torch.no_grad(), vg.no_grad():
            _run_module(make, call, _arrays(6, (3, 5, 8)), train=False, grad=False)


def _encoder(num_layers=2, norm=False, **kwargs):
    def make(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = _layer(**kwargs)(lib)
            return lib.nn.TransformerEncoder(layer, num_layers, norm=lib.nn.LayerNorm(8) if norm else None)
    return make


ENCODER_CONFIGS = [
    ("two_layers", _encoder(), _src_call(), [(5, 3, 8)]),
    ("final_norm_batch_first", _encoder(3, norm=True, batch_first=True), _src_call(), [(3, 5, 8)]),
    ("causal_detected", _encoder(norm_first=True), _src_call(mask=lambda lib: lib.nn.Transformer.
                                                              generate_square_subsequent_mask(5)), [(5, 3, 8)]),
    ("padding", _encoder(batch_first=True), _src_call(src_key_padding_mask=lambda lib: _bool(lib, PAD)), [(3, 5, 8)]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, make, call, shapes", ENCODER_CONFIGS, ids=[c[0] for c in ENCODER_CONFIGS])
def test_transformer_encoder_as_torch(name, make, call, shapes, dtype):
    _run_module(make, call, _arrays(7, *shapes), dtype)


@pytest.mark.parametrize("mask", [PAD_LEFT, PAD])
def test_transformer_encoder_fast_path_zeros_padding_as_torch(mask):
    """In eval without grad, torch runs batch-first encoders on nested tensors when the padding is at the ends
    of the rows: the padded positions come out as zeros (then through the final norm)."""
    with torch.no_grad(), vg.no_grad():
        _run_module(_encoder(2, norm=True, batch_first=True),
                    _src_call(src_key_padding_mask=lambda lib: _bool(lib, mask)), _arrays(8, (3, 5, 8)), train=False,
                    grad=False)


def test_transformer_encoder_copies_its_layer_and_warns_as_torch():
    for lib in (torch, vg):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16)
        with pytest.warns(UserWarning, match=r"enable_nested_tensor is True, but self.use_nested_tensor is False "
                                             r"because encoder_layer.self_attn.batch_first was not True\(use "
                                             r"batch_first for better inference performance\)"):
            encoder = lib.nn.TransformerEncoder(layer, 2)
        assert encoder.layers[0] is not layer and encoder.layers[0].linear1.weight is not layer.linear1.weight
        assert bool((encoder.layers[1].linear1.weight == layer.linear1.weight).all())
        assert encoder.use_nested_tensor is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vg.nn.TransformerEncoder(vg.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2)


def test_transformer_reprs_and_state_dicts_are_torchs():
    ours, theirs = _seeded(_encoder(2, norm=True, batch_first=True))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, p), (_, t) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p, t.detach(), 0, 0, what=name)


def test_generate_square_subsequent_mask_as_torch():
    assert_close(vg.nn.Transformer.generate_square_subsequent_mask(4),
                 torch.nn.Transformer.generate_square_subsequent_mask(4))


def test_a_small_transformer_trains_as_torch():
    """A classifier over token sequences: embedding, encoder, mean over positions, linear; AdamW, 15 steps."""
    def train(lib):
        lib.manual_seed(0)
        emb = lib.nn.Embedding(11, 8)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True, norm_first=True)
        encoder = lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        head = lib.nn.Linear(8, 3)
        params = [*emb.parameters(), *encoder.parameters(), *head.parameters()]
        opt = lib.optim.AdamW(params, lr=1e-2)
        tokens = lib.randint(0, 11, (6, 7))
        labels = lib.randint(0, 3, (6,))
        mask = lib.nn.Transformer.generate_square_subsequent_mask(7)
        losses = []
        for _ in range(15):
            opt.zero_grad()
            logits = head(encoder(emb(tokens), mask=mask, is_causal=True).mean(1))
            loss = F(lib).cross_entropy(logits, labels)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    np.testing.assert_allclose(train(vg), train(torch), rtol=1e-4)
