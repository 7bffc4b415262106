"""unbind, split, chunk, repeat, flip, roll, bmm and diag against torch: values and gradients, float32 and float64,
numpy and cupy; finite-difference gradcheck in float64; grad_fn names; views against copies; torch's errors.

One op case = one line of ``CASES``, as in test_ops_oracle.py (whose coverage test reads these cases too).
"""
import numpy as np
import pytest
import torch

import graphviz_grad as vg
from conftest import gradcheck_case, helper_test_op


def case(name, shapes, fn, torch_fn=None, **opts):
    return pytest.param(shapes, fn, torch_fn, opts, id=name)


def _makemore_unbind_cat(lib, emb):
    """makemore part 2: the context's embeddings side by side, ``cat(unbind(emb, 1), 1)``."""
    return lib.cat(lib.unbind(emb, 1), 1)


CASES = [
    # --- unbind, split, chunk: views, one per piece ---
    case("unbind_makemore_cat", [(4, 3, 2)], _makemore_unbind_cat),
    case("unbind_dim0", [(3, 4)], lambda lib, a: a.unbind()),
    case("unbind_negative_dim_fn", [(2, 3, 4)], lambda lib, a: lib.unbind(a, dim=-1)),
    case("unbind_vector", [(3,)], lambda lib, a: a.unbind(0)),
    case("unbind_some_pieces_used", [(3, 4)], lambda lib, a: a.unbind(1)[2] * 2),
    case("split_int", [(5, 3)], lambda lib, a: a.split(2)),
    case("split_int_dim1_fn", [(2, 7)], lambda lib, a: lib.split(a, 3, dim=1)),
    case("split_bigger_than_dim", [(3, 4)], lambda lib, a: a.split(10)),
    case("split_sizes", [(6, 2)], lambda lib, a: a.split([1, 3, 2])),
    case("split_sizes_tuple_zero", [(2, 5)], lambda lib, a: lib.split(a, (0, 4, 1), -1)),
    case("chunk", [(6, 2)], lambda lib, a: a.chunk(3)),
    case("chunk_uneven", [(2, 7)], lambda lib, a: lib.chunk(a, 3, dim=1)),
    case("chunk_fewer_than_asked", [(6,)], lambda lib, a: a.chunk(4)),
    case("chunk_more_than_size", [(3, 2)], lambda lib, a: a.chunk(5)),
    case("chunk_qkv", [(2, 3, 6)], lambda lib, a: [p * (i + 1) for i, p in enumerate(a.chunk(3, -1))]),
    # --- repeat, flip, roll: copies ---
    case("repeat", [(2, 3)], lambda lib, a: a.repeat(2, 3)),
    case("repeat_more_sizes_than_dims", [(2, 3)], lambda lib, a: a.repeat(2, 1, 2)),
    case("repeat_tuple", [(3,)], lambda lib, a: a.repeat((3, 2))),
    case("repeat_ones", [(2, 3)], lambda lib, a: a.repeat(1, 1)),
    case("repeat_zero", [(2, 3)], lambda lib, a: a.repeat(0, 2)),
    case("repeat_scalar", [()], lambda lib, a: a.repeat(2, 3)),
    case("flip", [(3, 4)], lambda lib, a: a.flip(0)),
    case("flip_fn_two_dims", [(2, 3, 4)], lambda lib, a: lib.flip(a, (0, -1))),
    case("flip_method_varargs", [(2, 3, 4)], lambda lib, a: a.flip(2, 1)),
    case("flip_method_list", [(2, 3)], lambda lib, a: a.flip([1])),
    case("flip_no_dims", [(2, 3)], lambda lib, a: lib.flip(a, [])),
    case("roll_flat", [(3, 4)], lambda lib, a: a.roll(5)),
    case("roll_dim", [(3, 4)], lambda lib, a: lib.roll(a, -1, 1)),
    case("roll_dims", [(2, 3, 4)], lambda lib, a: lib.roll(a, shifts=(1, -2), dims=(0, 2))),
    case("roll_same_dim_twice", [(3, 4)], lambda lib, a: a.roll([1, 2], [1, 1])),
    case("roll_more_than_size", [(3,)], lambda lib, a: a.roll(7)),
    case("roll_scalar", [()], lambda lib, a: a.roll(1)),
    # --- bmm, diag ---
    case("bmm", [(2, 3, 4), (2, 4, 5)], lambda lib, a, b: lib.bmm(a, b)),
    case("bmm_method", [(3, 1, 2), (3, 2, 2)], lambda lib, a, b: a.bmm(b)),
    case("bmm_attention", [(2, 4, 3), (2, 4, 3)], lambda lib, q, k: q.bmm(k.transpose(1, 2)).softmax(-1)),
    case("diag_vector", [(3,)], lambda lib, a: lib.diag(a)),
    case("diag_vector_offset", [(3,)], lambda lib, a: a.diag(1)),
    case("diag_vector_negative_offset", [(2,)], lambda lib, a: lib.diag(a, diagonal=-2)),
    case("diag_matrix", [(3, 3)], lambda lib, a: lib.diag(a)),
    case("diag_matrix_wide_offset", [(3, 5)], lambda lib, a: a.diag(2)),
    case("diag_matrix_tall_negative", [(5, 3)], lambda lib, a: lib.diag(a, -1)),
    case("diag_matrix_offset_past_end", [(3, 4)], lambda lib, a: lib.diag(a, 5)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_op_matches_torch(shapes, fn, torch_fn, opts, dtype, backend):
    helper_test_op(shapes, fn, torch_fn, dtype=dtype, device=backend, **opts)


@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_gradcheck_op(shapes, fn, torch_fn, opts, backend):
    gradcheck_case(shapes, fn, opts, backend)


INTEGER_CASES = [
    lambda lib, x: x.unbind(1), lambda lib, x: x.split([1, 2]), lambda lib, x: x.chunk(2, 1),
    lambda lib, x: x.repeat(2, 1, 1), lambda lib, x: x.flip(0, 1), lambda lib, x: x.roll(1),
    lambda lib, x: lib.diag(x, 1), lambda lib, x: lib.diag(x[0], -1), lambda lib, x: lib.bmm(x[None], x.T[None]),
    lambda lib, x: (x > 5).flip(1), lambda lib, x: lib.diag(x[1] > 5),
]


@pytest.mark.parametrize("fn", INTEGER_CASES)
def test_integer_and_bool_values_and_dtypes_as_torchs(fn):
    values = np.arange(12).reshape(3, 4)
    theirs = fn(torch, torch.tensor(values))
    ours = fn(vg, vg.tensor(values))
    theirs, ours = (theirs, ours) if isinstance(theirs, tuple) else ((theirs,), (ours,))
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        assert o.tolist() == t.tolist()


GRAD_FN_CASES = [
    lambda lib, x: x.unbind(1)[0], lambda lib, x: x.split(2)[1], lambda lib, x: x.split([1, 2])[0],
    lambda lib, x: x.chunk(2, 1)[1], lambda lib, x: x.repeat(2, 1), lambda lib, x: x.flip(0),
    lambda lib, x: x.roll(1), lambda lib, x: x.roll(1, 0), lambda lib, x: lib.bmm(x[None], x.T[None]),
    lambda lib, x: lib.diag(x), lambda lib, x: lib.diag(x[0], 1),
]


@pytest.mark.parametrize("fn", GRAD_FN_CASES)
def test_grad_fn_name_is_torchs(fn):
    values = np.random.default_rng(0).uniform(0.5, 2.0, (3, 4))
    theirs = fn(torch, torch.tensor(values, requires_grad=True))
    ours = fn(vg, vg.tensor(values, requires_grad=True))
    assert ours.grad_fn.grad_fn_name() == type(theirs.grad_fn).__name__


VIEW_CASES = [  # (fn, True when torch's result shares memory with the input)
    (lambda x: x.unbind(1)[1], True), (lambda x: x.split(2)[1], True), (lambda x: x.split([1, 2])[1], True),
    (lambda x: x.chunk(2, 1)[0], True), (lambda x: x.repeat(1, 1), False), (lambda x: x.flip(0), False),
    (lambda x: x.roll(0), False), (lambda x: x.diag(), False), (lambda x: x.diag()[None].diag(), False),
]


@pytest.mark.parametrize("fn, is_view", VIEW_CASES)
def test_writing_into_a_result_writes_into_the_input_only_for_views(fn, is_view):
    for lib in (torch, vg):
        x = lib.zeros(3, 3)
        with lib.no_grad():
            fn(x).fill_(1.0)
        assert bool(x.sum() > 0) == is_view, lib.__name__


def test_a_view_piece_shares_the_version_counter():
    """Changing the input in place after a piece was saved by an op is torch's error at backward."""
    x = vg.ones(2, 3, requires_grad=True) * 1
    y = (x.unbind(0)[0] ** 2).sum()
    with vg.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_unbind_drawing_names_each_piece():
    emb = vg.randn(2, 3, 2, requires_grad=True)
    out = vg.cat(vg.unbind(emb, 1), 1).sum()
    ops = [d.get("op") for _, d in vg.graph(out).nx.nodes(data=True) if d.get("kind") == "op"]
    assert ops.count("unbind") == 3 and "cat" in ops


ERROR_CASES = [
    ("unbind_scalar", lambda lib, x: x.sum().unbind()),
    ("unbind_dim_range", lambda lib, x: x.unbind(2)),
    ("chunk_zero", lambda lib, x: x.chunk(0)),
    ("chunk_negative", lambda lib, x: x.chunk(-1)),
    ("chunk_scalar", lambda lib, x: x.sum().chunk(1)),
    ("chunk_dim_range", lambda lib, x: x.chunk(2, 5)),
    ("chunk_float", lambda lib, x: x.chunk(2.0)),
    ("split_zero", lambda lib, x: x.split(0)),
    ("split_negative", lambda lib, x: x.split(-1)),
    ("split_sizes_sum", lambda lib, x: x.split([1, 1])),
    ("split_sizes_negative", lambda lib, x: x.split([4, -1])),
    ("split_scalar", lambda lib, x: x.sum().split(1)),
    ("repeat_too_few", lambda lib, x: x.repeat(2)),
    ("repeat_negative", lambda lib, x: x.repeat(-1, 1)),
    ("repeat_nothing", lambda lib, x: x.repeat()),
    ("flip_twice_same_dim", lambda lib, x: x.flip(0, 0)),
    ("flip_dim_range", lambda lib, x: x.flip(2)),
    ("flip_fn_int", lambda lib, x: lib.flip(x, 0)),
    ("flip_no_dims", lambda lib, x: x.flip()),
    ("roll_mismatch", lambda lib, x: x.roll((1, 2), 0)),
    ("roll_int_two_dims", lambda lib, x: x.roll(1, (0, 1))),
    ("roll_tuple_no_dims", lambda lib, x: x.roll((1, 2))),
    ("roll_dim_range", lambda lib, x: x.roll(1, 3)),
    ("bmm_2d", lambda lib, x: x.bmm(x)),
    ("bmm_2d_second", lambda lib, x: lib.bmm(x[None], x)),
    ("bmm_batch", lambda lib, x: lib.bmm(lib.ones(2, 3, 4), lib.ones(3, 4, 5))),
    ("bmm_inner", lambda lib, x: lib.bmm(lib.ones(2, 3, 4), lib.ones(2, 5, 5))),
    ("bmm_dtypes", lambda lib, x: lib.bmm(x[None], x.T[None].double())),
    ("bmm_not_tensor", lambda lib, x: lib.bmm(x[None], [1])),
    ("diag_3d", lambda lib, x: lib.diag(x[None])),
    ("diag_scalar", lambda lib, x: lib.diag(x.sum())),
    ("diag_float_offset", lambda lib, x: lib.diag(x, 1.0)),
]


@pytest.mark.parametrize("fn", [fn for _, fn in ERROR_CASES], ids=[name for name, _ in ERROR_CASES])
def test_errors_are_torchs(fn):
    """Same exception type, and torch's message (ours may add a hint after it)."""
    with pytest.raises(Exception) as theirs:
        fn(torch, torch.randn(3, 4))
    with pytest.raises(type(theirs.value)) as ours:
        fn(vg, vg.randn(3, 4))
    assert str(ours.value).startswith(str(theirs.value).split("\n")[0])
