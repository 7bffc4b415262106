"""median, mode, quantile, cummax, atan2, xlogy, cross, inverse, det, cdist, unfold, ... against torch.

One op case = one line of ``CASES`` (read by test_ops_oracle.py's coverage test too): values, indices and
gradients in float32 and float64, finite-difference gradcheck in float64, errors with torch's types and messages.
"""
import warnings

import numpy as np
import pytest
import torch

import graphviz_grad as vg
from conftest import gradcheck_case, helper_test_op
from test_ops_lessons import POS, case

NAN, INF = float("nan"), float("inf")
TIES = [[[3.0, 1.0, 2.0, 1.0, 3.0, 2.0], [0.0, 5.0, 5.0, -1.0, 5.0, 0.0], [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]]]
WITH_NAN = [[[1.0, NAN, 0.0, NAN, 3.0, 4.0], [2.0, -1.0, 0.5, 3.0, 1.0, 0.0], [NAN, NAN, NAN, NAN, NAN, NAN]]]
EDGE_A = [[0.0, 0.0, 1.0, -INF, INF, -INF, NAN, 2.0, -0.0, 1e-20]]
EDGE_B = [[0.0, 1.0, 0.0, -INF, INF, 3.0, 1.0, NAN, -1.0, 0.0]]
XLOGY_X = [[0.0, 0.0, 0.0, 1.0, 2.0, 0.0, -1.0, NAN, 0.0]]
XLOGY_Y = [[0.0, -1.0, NAN, 0.0, -2.0, INF, 3.0, 1.0, 1.0]]
NO_GRAD = {"grad": False}


def _well_conditioned(lib, a):
    """``a`` plus 4 on the diagonal: invertible, with a moderate condition number."""
    return a + 4 * lib.eye(a.shape[-1], dtype=a.dtype)


def _q(lib, a, values):
    return lib.tensor(values, dtype=a.dtype)


def _flat(*outs):
    """One flat tuple of tensors from results that are tensors or (values, indices) pairs."""
    return tuple(t for o in outs for t in (o if isinstance(o, tuple) else (o,)))


def _long(lib, values):
    return lib.tensor(values, dtype=lib.int64)


CASES = [
    # --- median, nanmedian, mode: the lower middle; the gradient to the picked element (ties share it) ---
    case("median", [(3, 5)], lambda lib, a: a.median()),
    case("median_even_count", [(4, 6)], lambda lib, a: lib.median(a)),
    case("median_dim", [(3, 5)], lambda lib, a: a.median(1)),
    case("median_dim0_keepdim", [(4, 3)], lambda lib, a: lib.median(a, 0, keepdim=True)),
    case("median_even_dim_fields", [(3, 6)], lambda lib, a: (a.median(-1).values * 2, a.median(-1).indices)),
    case("median_ties", [(3, 6)], lambda lib, a: _flat(a.median(), a.median(1), a.median(0)), vals=TIES),
    case("median_nan", [(3, 6)], lambda lib, a: _flat(a.median(), a.median(1), a[:2].median(0)), vals=WITH_NAN),
    case("nanmedian", [(3, 6)], lambda lib, a: _flat(a.nanmedian(), lib.nanmedian(a[:2], 1), a[:2].nanmedian(0, True)),
         vals=WITH_NAN),
    # (the index PyTorch gives for a line of NaNs only is an artefact of its selection algorithm: not compared)
    case("nanmedian_all_nan", [(3, 6)], lambda lib, a: a[2].nanmedian(), vals=WITH_NAN),
    case("nanmedian_all_nan_line", [(3, 6)], lambda lib, a: a.nanmedian(1).values, vals=WITH_NAN, **NO_GRAD),
    case("median_int", [(3, 5)], lambda lib, a: _flat((a * 3).long().median(), (a * 3).long().median(0))),
    case("median_zero_dim", [()], lambda lib, a: _flat(a.median(), a.median(0))),
    case("max_min_nan_share_the_gradient", [(4,)], lambda lib, a: (a.max(), a.min(), a[::2].max()),
         vals=[[3.0, NAN, 1.0, NAN]]),
    case("mode", [(3, 6)], lambda lib, a: _flat(a.mode(), lib.mode(a, 0), a.mode(1, keepdim=True)), vals=TIES),
    case("mode_distinct", [(3, 5)], lambda lib, a: a.mode(0)),
    case("mode_int", [(4, 7)], lambda lib, a: (a * 2).long().mode()),
    case("mode_zero_dim", [()], lambda lib, a: a.mode()),
    # --- quantile: PyTorch's ranks and interpolations ---
    case("quantile", [(3, 5)], lambda lib, a: a.quantile(0.3)),
    case("quantile_dim", [(3, 5)], lambda lib, a: lib.quantile(a, _q(lib, a, [0.1, 0.5, 0.625, 1.0]), dim=1)),
    case("quantile_dim0_keepdim", [(4, 3)], lambda lib, a: a.quantile(0.75, 0, keepdim=True)),
    case("quantile_vector_keepdim", [(2, 3, 4)], lambda lib, a: (a.quantile(_q(lib, a, [0.2, 0.9]), 1, True),
                                                                 a.quantile(_q(lib, a, [0.5, 0.0]), keepdim=True))),
    case("quantile_interpolations", [(3, 5)], lambda lib, a: tuple(
        a.quantile(_q(lib, a, [0.1, 0.375, 0.5, 0.625]), dim=1, interpolation=m)
        for m in ("linear", "lower", "higher", "midpoint", "nearest"))),
    case("quantile_nearest_half_to_even", [(5,)], lambda lib, a: a.quantile(_q(lib, a, [0.125, 0.375, 0.625]),
                                                                            interpolation="nearest")),
    case("quantile_nan", [(3, 6)], lambda lib, a: (a.quantile(0.5, 1), a[0].quantile(0.5)), vals=WITH_NAN),
    # (the gradient goes to the NaN that sorts last: PyTorch's sort of more than 16 elements orders NaNs its own way)
    case("quantile_nan_values", [(3, 6)], lambda lib, a: a.quantile(_q(lib, a, [0.5, 0.9])), vals=WITH_NAN, **NO_GRAD),
    case("nanquantile", [(3, 6)], lambda lib, a: (a.nanquantile(0.4, 1), lib.nanquantile(a, 0.5),
                                                  a.nanquantile(_q(lib, a, [0.2, 0.7]), 1, interpolation="lower")),
         vals=WITH_NAN),
    case("quantile_zero_dim", [()], lambda lib, a: (a.quantile(0.5), a.quantile(0.5, 0))),
    case("quantile_q_gets_a_gradient", [(3, 5), (4,)], lambda lib, a, q: (
        a.quantile(q * 0.2 + 0.5, dim=1), a.quantile((q[0] * 0.2 + 0.5)), a.nanquantile(q * 0.2 + 0.5, 0, True),
        a.quantile(q * 0.2 + 0.5, interpolation="midpoint"), a.quantile(q * 0.2 + 0.5, interpolation="lower"))),
    case("nanquantile_q_gets_a_gradient", [(3, 6), (2,)], lambda lib, a, q: a.nanquantile(q * 0.2 + 0.5, 1),
         vals=WITH_NAN[0:1] + [[-0.5, 0.5]]),
    # --- nanmean, aminmax, std_mean, var_mean ---
    case("nanmean", [(3, 6)], lambda lib, a: (a.nanmean(), lib.nanmean(a, 1), a.nanmean((0, 1), keepdim=True)),
         vals=WITH_NAN),
    case("nanmean_plain", [(3, 4)], lambda lib, a: a.nanmean(0)),
    case("nansum", [(3, 6)], lambda lib, a: (a.nansum(), lib.nansum(a, 1), a.nansum((0, 1), keepdim=True),
                                             (a > 0).long().nansum()), vals=WITH_NAN),
    case("aminmax", [(3, 5)], lambda lib, a: (*a.aminmax(), *lib.aminmax(a, dim=1, keepdim=True))),
    case("aminmax_ties", [(3, 6)], lambda lib, a: (*a.aminmax(), *a.aminmax(dim=0)), vals=TIES),
    case("aminmax_keepdim_all", [(2, 3)], lambda lib, a: a.aminmax(keepdim=True)),
    case("std_mean", [(3, 5)], lambda lib, a: (*lib.std_mean(a), *lib.std_mean(a, 1, keepdim=True))),
    case("var_mean", [(3, 5)], lambda lib, a: (*lib.var_mean(a, 0, unbiased=False), *lib.var_mean(a, False),
                                               *lib.var_mean(a, dim=(0, 1), correction=2))),
    # --- cummax, cummin, logcumsumexp ---
    case("cummax", [(3, 5)], lambda lib, a: a.cummax(1)),
    case("cummin_dim0", [(4, 3)], lambda lib, a: lib.cummin(a, 0)),
    case("cummax_ties_take_the_later", [(3, 6)], lambda lib, a: _flat(a.cummax(1), a.cummin(1), a.cummax(0)),
         vals=TIES),
    case("cummax_nan_stays", [(3, 6)], lambda lib, a: _flat(a.cummax(1), a.cummin(-1)), vals=WITH_NAN),
    case("cummax_int_bool", [(3, 5)], lambda lib, a: _flat((a * 2).long().cummax(1), (a > 0).cummin(0))),
    case("cummax_zero_dim", [()], lambda lib, a: _flat(a.cummax(0), a.cummin(-1))),
    case("logcumsumexp", [(3, 5)], lambda lib, a: a.logcumsumexp(1)),
    case("logcumsumexp_dim0_large", [(4, 3)], lambda lib, a: lib.logcumsumexp(a * 300, 0)),
    case("logcumsumexp_neg_inf", [(1, 4)], lambda lib, a: a.logcumsumexp(1), vals=[[[-INF, 0.0, -INF, 1.0]]]),
    case("logcumsumexp_zero_dim", [()], lambda lib, a: a.logcumsumexp(0)),
    # --- two tensors, elementwise ---
    case("atan2", [(3, 4), (3, 4)], lambda lib, a, b: lib.atan2(a, b)),
    case("atan2_broadcast_method", [(3, 4), (4,)], lambda lib, a, b: (a.atan2(b), a.arctan2(b), lib.arctan2(b, a))),
    case("atan2_edges", [(10,), (10,)], lambda lib, a, b: lib.atan2(a, b), vals=EDGE_A + EDGE_B),
    case("atan2_int", [(3, 4), (3, 4)], lambda lib, a, b: lib.atan2((a * 3).long(), (b * 3).long()), rtol=1e-6),
    case("hypot", [(3, 4), (4,)], lambda lib, a, b: (lib.hypot(a, b), b.hypot(a))),
    case("hypot_edges", [(10,), (10,)], lambda lib, a, b: lib.hypot(a, b), vals=EDGE_A + EDGE_B),
    case("logaddexp", [(3, 4), (3, 4)], lambda lib, a, b: (lib.logaddexp(a, b), a.logaddexp(b * 100))),
    case("logaddexp2_broadcast", [(3, 4), (4,)], lambda lib, a, b: (lib.logaddexp2(a, b), a.logaddexp2(b))),
    case("logaddexp_edges", [(10,), (10,)], lambda lib, a, b: (lib.logaddexp(a, b), lib.logaddexp2(a, b)),
         vals=EDGE_A + EDGE_B),
    case("xlogy", [(3, 4), (3, 4)], lambda lib, a, b: lib.xlogy(a, b), low=0.1),
    case("xlogy_numbers", [(3, 4)], lambda lib, a: (lib.xlogy(2.0, a), a.xlogy(3), lib.xlogy(a, 2)), **POS),
    case("xlogy_edges", [(9,), (9,)], lambda lib, a, b: lib.xlogy(a, b), vals=XLOGY_X + XLOGY_Y),
    case("xlogy_int_and_0d_double", [(3,)], lambda lib, a: (lib.xlogy(_long(lib, [0, 1, 2]), _long(lib, [0, 3, 4])),
                                                            lib.xlogy(a, lib.tensor(2.0, dtype=lib.float64)))),
    case("copysign", [(3, 4), (3, 4)], lambda lib, a, b: (lib.copysign(a, b), a.copysign(-1), a.copysign(0.0))),
    case("copysign_edges", [(6,), (6,)], lambda lib, a, b: lib.copysign(a, b),
         vals=[[0.0, -0.0, 1.0, -2.0, 3.0, NAN], [-1.0, 1.0, -0.0, 0.0, NAN, -1.0]]),
    case("copysign_int", [(3,)], lambda lib, a: _long(lib, [1, -2, 3]).copysign(_long(lib, [-1, 1, 0]))),
    case("heaviside", [(3, 4), (4,)], lambda lib, a, b: lib.heaviside(a.round(), b), **NO_GRAD),
    case("heaviside_nan_int", [(4,), (1,)], lambda lib, a, b: (a.heaviside(b), lib.heaviside(
        _long(lib, [-1, 0, 2]), _long(lib, [7]))), vals=[[-1.0, 0.0, 2.0, NAN], [0.5]], **NO_GRAD),
    case("floor_divide", [(3, 4), (3, 4)], lambda lib, a, b: (lib.floor_divide(a * 3, b), a // 0.5, 3 // b),
         **NO_GRAD),
    case("floor_divide_int_and_zero", [(4,), (4,)], lambda lib, a, b: (
        lib.floor_divide(a, b), _long(lib, [7, -7, 0, 5]) // 2, _long(lib, [7, -7]).floor_divide(2.5)),
        vals=[[7.0, -7.0, 7.0, 0.0], [2.0, 2.0, 0.0, 0.0]], **NO_GRAD),
    case("deg2rad_rad2deg", [(3, 4)], lambda lib, a: (a.deg2rad(), lib.rad2deg(a), lib.deg2rad(_long(lib, [180])))),
    case("signbit", [(6,)], lambda lib, a: (a.signbit(), lib.signbit(_long(lib, [-1, 0])), (a > 0).signbit()),
         vals=[[-0.0, 0.0, -1.0, NAN, -NAN, 2.0]], **NO_GRAD),
    case("lerp_weights_around_a_half", [(6,), (6,)], lambda lib, a, b: lib.lerp(a, b, _q(
        lib, a, [0.0, 0.3, 0.5, 0.7, 1.0, -0.75]))),
    # --- matrices ---
    case("diagonal", [(3, 4)], lambda lib, a: (a.diagonal(), a.diagonal(1), lib.diagonal(a, -1), a.diagonal(7))),
    case("diagonal_dims", [(2, 3, 4)], lambda lib, a: (a.diagonal(0, 2, 0), a.diagonal(1, -1, 1))),
    case("diagonal_then_math", [(4, 4)], lambda lib, a: a.diagonal().exp() * a.diagonal()),
    case("trace", [(4, 4)], lambda lib, a: (a.trace(), lib.trace(a[:3]), (a * 3).long().trace())),
    case("inverse", [(3, 3)], lambda lib, a: _well_conditioned(lib, a).inverse()),
    case("inverse_batch_linalg", [(2, 3, 3)], lambda lib, a: (lib.inverse(_well_conditioned(lib, a)),
                                                              lib.linalg.inv(_well_conditioned(lib, a)))),
    case("det", [(3, 3)], lambda lib, a: (a.det(), lib.det(a[:2, :2]))),
    case("det_batch_linalg", [(2, 4, 4)], lambda lib, a: lib.linalg.det(a)),
    case("det_singular_zero_gradient", [(2, 2)], lambda lib, a: a.det(), vals=[[[1.0, 2.0], [2.0, 4.0]]]),
    case("matrix_power", [(3, 3)], lambda lib, a: tuple(a.matrix_power(n) for n in (0, 1, 2, 3, 5, 6))),
    case("matrix_power_negative_batch", [(2, 3, 3)], lambda lib, a: (
        lib.matrix_power(_well_conditioned(lib, a), -2), lib.linalg.matrix_power(_well_conditioned(lib, a), -1))),
    case("matrix_power_int", [(2, 2)], lambda lib, a: _long(lib, [[1, 1], [0, 1]]).matrix_power(3)),
    case("cross", [(4, 3), (4, 3)], lambda lib, a, b: (lib.cross(a, b, dim=1), a.cross(b, 1))),
    case("cross_dim0", [(3, 2), (3, 2)], lambda lib, a, b: lib.cross(a, b, 0)),
    case("linalg_cross_broadcast", [(4, 3), (1, 3)], lambda lib, a, b: (lib.linalg.cross(a, b),
                                                                       lib.linalg.cross(b, a, dim=-1))),
    case("cross_int", [(1,)], lambda lib, a: lib.linalg.cross(_long(lib, [1, 0, 0]), _long(lib, [0, 1, 0]))),
    case("kron", [(2, 3), (4,)], lambda lib, a, b: (lib.kron(a, b), b.kron(a))),
    case("kron_matrices", [(2, 2), (3, 3)], lambda lib, a, b: lib.kron(a, b)),
    case("kron_int_float_0d", [()], lambda lib, a: (lib.kron(_long(lib, [1, 2]), lib.tensor([1.0, 2.0])),
                                                   lib.kron(a, lib.ones(2)))),
    case("baddbmm", [(2, 3, 3), (2, 3, 4), (2, 4, 3)], lambda lib, i, a, b: (
        lib.baddbmm(i, a, b), i.baddbmm(a, b, beta=0.5, alpha=2.0), lib.baddbmm(i[0], a, b, beta=0))),
    case("addbmm", [(3, 3), (2, 3, 4), (2, 4, 3)], lambda lib, i, a, b: (
        lib.addbmm(i, a, b), i[0].addbmm(a, b, alpha=-1.5))),
    case("addmv", [(3,), (3, 4), (4,)], lambda lib, i, m, v: (lib.addmv(i, m, v), i[:1].addmv(m, v, beta=2.0))),
    case("addr", [(2, 3), (2,), (3,)], lambda lib, i, a, b: (lib.addr(i, a, b), i.addr(a, b, beta=0.5, alpha=3))),
    case("addmv_beta0_ignores_nan", [(3,), (3, 4), (4,)], lambda lib, i, m, v: lib.addmv(i * NAN, m, v, beta=0)),
    # --- picking by index ---
    case("take", [(3, 4)], lambda lib, a: (a.take(_long(lib, [[0, 11], [5, -1]])), lib.take(a, _long(lib, [2, 2])))),
    case("take_along_dim", [(3, 4)], lambda lib, a: (a.take_along_dim(a.argsort(1), 1),
                                                     lib.take_along_dim(a, a.argmax(0, keepdim=True), 0))),
    case("take_along_dim_broadcast", [(3, 4)], lambda lib, a: (a.take_along_dim(_long(lib, [[0], [3], [1]]), 1),
                                                               a.take_along_dim(_long(lib, [[2, 0, 1, 1]]), 0))),
    case("take_along_dim_flat", [(3, 4)], lambda lib, a: a.take_along_dim(_long(lib, [[0, 11], [4, 4]]))),
    case("index_fill", [(3, 4)], lambda lib, a: (a.index_fill(1, _long(lib, [0, 2]), -1.0),
                                                 lib.index_fill(a, 0, _long(lib, 1), 2.5),
                                                 a.index_fill(-1, _long(lib, [-1, 0, 0]), float("-inf")))),
    case("index_fill_tensor_value", [(3, 4), ()], lambda lib, a, v: a.index_fill(1, _long(lib, [1, 3]), v)),
    case("index_fill_int_and_0d", [()], lambda lib, a: (
        _long(lib, [[1, 2], [3, 4]]).index_fill(1, _long(lib, [1]), 2.7), a.index_fill(0, _long(lib, [0]), 5.0))),
    case("index_fill_", [(3, 4)], lambda lib, a: (a * 1).index_fill_(0, _long(lib, [2, 0]), 0.5) * a),
    case("fill_diagonal_", [(3, 4)], lambda lib, a: ((a * 1).fill_diagonal_(0.5), (a.t() * 1).fill_diagonal_(-1))),
    case("fill_diagonal_wrap", [(7, 3)], lambda lib, a: ((a * 1).fill_diagonal_(2.0, wrap=True),
                                                         (a * 1).fill_diagonal_(2.0))),
    case("fill_diagonal_3d", [(2, 2, 2)], lambda lib, a: (a * 1).fill_diagonal_(0.0)),
    # --- searching: int64 (or int32) positions, no graph ---
    case("searchsorted", [(6,), (3, 4)], lambda lib, s, v: (lib.searchsorted(s.sort().values, v),
                                                            lib.searchsorted(s.sort().values, v, right=True),
                                                            lib.searchsorted(s.sort().values, v, side="right")),
         **NO_GRAD),
    case("searchsorted_rows", [(3, 5), (3, 4)], lambda lib, s, v: (
        lib.searchsorted(s.sort().values, v), lib.searchsorted(s, v, sorter=s.argsort(), out_int32=True)),
        **NO_GRAD),
    case("searchsorted_ties_numbers_nan", [(5,)], lambda lib, s: (
        lib.searchsorted(s, lib.tensor([3.0, 6.0, 9.0, 0.0, 10.0, NAN], dtype=s.dtype)),
        lib.searchsorted(s, lib.tensor([3.0, 9.0], dtype=s.dtype), right=True, side="right"),
        lib.searchsorted(s, 4), lib.searchsorted(s, 3.0, right=True), lib.searchsorted(s, _long(lib, [3, 6]))),
        vals=[[1.0, 3.0, 5.0, 7.0, 9.0]], **NO_GRAD),
    case("bucketize", [(5,), (2, 3)], lambda lib, b, x: (lib.bucketize(x, b.sort().values),
                                                         lib.bucketize(x, b.sort().values, right=True, out_int32=True),
                                                         lib.bucketize(1.5, b.sort().values)), **NO_GRAD),
    case("triu_tril_indices", [(1,)], lambda lib, a: (lib.triu_indices(3, 4), lib.triu_indices(3, 4, 1),
                                                      lib.tril_indices(3, 3, -1), lib.tril_indices(4, 2, 5),
                                                      lib.tril_indices(3, 3, -5), lib.triu_indices(0, 2),
                                                      lib.tril_indices(2, 2, dtype=lib.int32)), **NO_GRAD),
    # --- distances ---
    case("cdist", [(4, 3), (5, 3)], lambda lib, a, b: tuple(lib.cdist(a, b, p=p) for p in (0, 0.5, 1, 1.5, 2, 3))),
    case("cdist_inf_batch", [(2, 4, 3), (2, 5, 3)], lambda lib, a, b: (lib.cdist(a, b, INF), lib.cdist(a, b))),
    case("cdist_batch_broadcast", [(2, 1, 4, 3), (3, 5, 3)], lambda lib, a, b: lib.cdist(a, b, 1.0)),
    case("cdist_equal_rows", [(3, 2), (2, 2)], lambda lib, a, b: tuple(lib.cdist(a, b, p) for p in (0.5, 1, 2, 3, INF)),
         vals=[[[0.0, 0.0], [1.0, 1.0], [3.0, 4.0]], [[0.0, 0.0], [1.0, 2.0]]]),
    case("cdist_many_rows_by_product", [(30, 3), (28, 3)], lambda lib, a, b: (
        lib.cdist(a, b), lib.cdist(a[:5], b[:5], compute_mode="use_mm_for_euclid_dist"),
        lib.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist"))),
    case("dist", [(3, 4), (3, 4)], lambda lib, a, b: tuple(lib.dist(a, b, p) for p in (1, 2, 3, 0.5, INF, -INF))),
    case("dist_broadcast_method", [(3, 4), (4,)], lambda lib, a, b: (a.dist(b), b.dist(a, 3))),
    case("dist_p0", [(3, 4), (4,)], lambda lib, a, b: (a.dist(b, 0), lib.dist(a.round(), b.round(), 0)),
         **NO_GRAD),  # (PyTorch's backward of p = 0 fails: "Expected a proper Tensor but got None")
    case("dist_ties_and_zero", [(4,), (4,)], lambda lib, a, b: (lib.dist(a, b, INF), lib.dist(a, a * 1), lib.dist(
        a, a * 1, 3)), vals=[[1.0, -2.0, 3.0, 0.0], [3.0, 0.0, 1.0, 1.0]]),
    # --- shapes: views, in-place shape changes, built tensors ---
    case("unfold", [(3, 7)], lambda lib, a: (a.unfold(1, 3, 2), a.unfold(1, 2, 1), a.unfold(0, 2, 1))),
    case("unfold_then_math", [(2, 8)], lambda lib, a: a.unfold(-1, 4, 3).exp().sum(-1)),
    case("unfold_zero_dim", [()], lambda lib, a: a.unfold(0, 1, 1)),
    case("t_transpose_", [(3, 4)], lambda lib, a: ((a * 1).t_() * 2, (a * 1).transpose_(0, 1).exp())),
    case("squeeze_unsqueeze_", [(3, 1, 4)], lambda lib, a: ((a * 1).squeeze_(), (a * 1).squeeze_(1) * 3,
                                                            (a * 1).unsqueeze_(0).squeeze_(2), (a * 1).unsqueeze_(-1))),
    case("rot90", [(3, 4)], lambda lib, a: tuple(a.rot90(k) for k in (-1, 0, 1, 2, 3, 5))),
    case("rot90_dims", [(2, 3, 4)], lambda lib, a: (lib.rot90(a, 1, [1, 2]), a.rot90(1, (2, 0)), a.rot90(3, [-1, 0]))),
    case("diff", [(3, 5)], lambda lib, a: (a.diff(), lib.diff(a, 2, 0), a.diff(n=3), a.diff(n=9))),
    case("diff_prepend_append", [(3, 5), (3, 1), (3, 2)], lambda lib, a, p, q: (a.diff(prepend=p, append=q),
                                                                               lib.diff(a, 2, 1, p))),
    case("diff_int_bool_n0", [(3, 5)], lambda lib, a: ((a * 3).long().diff(dim=0), (a > 0).diff(), a.diff(n=0))),
    case("block_diag", [(2, 3), (), (2,)], lambda lib, a, b, c: lib.block_diag(a, b, c)),
    case("block_diag_mixed_and_empty", [(2, 2)], lambda lib, a: (lib.block_diag(a, _long(lib, [[1, 2]])),
                                                                  lib.block_diag(lib.ones(0, 2), a, lib.ones(2, 0)),
                                                                  lib.block_diag(a))),
    case("cartesian_prod", [(3,), (2,), (2,)], lambda lib, a, b, c: (
        lib.cartesian_prod(a, b), lib.cartesian_prod(a, b, c), lib.cartesian_prod(a))),
    case("combinations", [(4,)], lambda lib, a: (lib.combinations(a), lib.combinations(a, 3),
                                                 lib.combinations(a, 2, with_replacement=True),
                                                 lib.combinations(a, 1), lib.combinations(a, 5))),
    case("combinations_none", [(4,)], lambda lib, a: lib.combinations(a, 0), **NO_GRAD),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_op_matches_torch(shapes, fn, torch_fn, opts, dtype, backend):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's and NumPy's warnings about nan and inf inputs)
        helper_test_op(shapes, fn, torch_fn, dtype=dtype, device=backend, **opts)


NOT_FINITE_DIFFERENCES = {"index_fill": "a -inf fill: its finite differences are nan",
                          "addmv_beta0_ignores_nan": "nan · input: its finite differences are nan"}
DIFFERENTIABLE = [p for p in CASES if "vals" not in p.values[3] and p.values[3].get("grad", True)
                  and p.id not in NOT_FINITE_DIFFERENCES]


@pytest.mark.parametrize("shapes, fn, torch_fn, opts", DIFFERENTIABLE)
def test_gradcheck_op(shapes, fn, torch_fn, opts, backend):
    gradcheck_case(shapes, fn, opts, backend)


# --- results: named tuples, views, versions ---


def test_results_are_torchs_tuples():
    x = vg.tensor([[3.0, 1.0, 2.0]])
    values, indices = x.median(1)
    assert x.median(1).values.tolist() == values.tolist() == [2.0] and indices.dtype == vg.int64
    assert x.mode(1).indices.tolist() == [1] and x.cummax(1).indices.tolist() == [[0, 0, 0]]
    low, high = x.aminmax()
    assert (x.aminmax().min.item(), x.aminmax().max.item()) == (low.item(), high.item()) == (1.0, 3.0)
    assert type(vg.std_mean(x)) is tuple and type(vg.var_mean(x)) is tuple


def test_quantile_ranks_are_rounded_in_the_input_dtype():
    """PyTorch computes ``q · (n - 1)`` in float32 for a float32 input: the interpolation weights match bit for
    bit only when we do too."""
    values = np.random.default_rng(5).uniform(-1, 1, (4, 101)).astype(np.float32)
    q = [0.1, 0.3, 0.7, 0.33]
    theirs = torch.tensor(values).quantile(torch.tensor(q), dim=1)
    ours = vg.tensor(values).quantile(vg.tensor(q), dim=1)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_picks_among_ties_are_torchs():
    """Median, nanmedian, cummax and (for lines of at most 16 elements, where PyTorch's sort is stable) mode
    pick the same index among equal values as PyTorch, on random small integers with NaNs."""
    rng = np.random.default_rng(1)
    for trial in range(150):
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 17)))
        a = rng.integers(0, 4, size=shape).astype(float)
        if trial % 3 == 0:
            a[rng.random(shape) < 0.2] = NAN
        for name in ("median", "nanmedian", "cummax", "cummin") + (() if np.isnan(a).any() else ("mode",)):
            theirs, ours = getattr(torch.tensor(a), name)(1), getattr(vg.tensor(a), name)(1)
            np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy(), err_msg=name)
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy(), err_msg=f"{name} {a}")


def test_median_and_mode_without_graph_give_the_same_indices():
    x = vg.tensor(TIES[0], requires_grad=True)
    with vg.no_grad():
        quiet = (x.median(1), x.mode(0), x.cummax(1))
    loud = (x.median(1), x.mode(0), x.cummax(1))
    for q, l_ in zip(quiet, loud):
        assert q.indices.tolist() == l_.indices.tolist() and l_.values.requires_grad


def _version(t):
    return t._version if isinstance(t, torch.Tensor) else t._version_number


@pytest.mark.parametrize("lib", [torch, vg])
def test_diagonal_and_unfold_are_views(lib):
    x = lib.zeros(3, 4)
    x.diagonal(1).fill_(7.0)
    x.unfold(1, 2, 2)[2, 0, 1] = 5.0
    assert x.tolist() == [[0.0, 7.0, 0.0, 0.0], [0.0, 0.0, 7.0, 0.0], [0.0, 5.0, 0.0, 7.0]]
    assert _version(x.diagonal()) == _version(x)


@pytest.mark.parametrize("lib", [torch, vg])
def test_inplace_shape_changes_keep_the_tensor_and_bump_its_version(lib):
    x = lib.arange(6.0).reshape(2, 3)
    assert x.t_() is x and list(x.shape) == [3, 2] and _version(x) == 1
    x.unsqueeze_(0).squeeze_(0).transpose_(0, 1)
    assert list(x.shape) == [2, 3] and _version(x) == 4 and x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        lib.ones(2, 3, requires_grad=True).t_()
    a = lib.rand(2, 3, requires_grad=True)
    b = a.exp()
    b.t_()  # exp saved its output, now changed
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()


@pytest.mark.parametrize("name", ["heaviside", "floor_divide"])
def test_no_derivative_raises_at_backward_as_torch(name):
    messages = []
    for lib in (torch, vg):
        x = lib.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        y = getattr(lib, name)(x, lib.tensor([0.5]))
        assert y.requires_grad
        with pytest.raises(RuntimeError) as error:
            y.sum().backward()
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_cross_without_dim_warns_as_torch():
    for lib in (torch, vg):
        with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg is deprecated"):
            out = lib.cross(lib.eye(3), lib.ones(3, 3))
        assert out.tolist() == [[0.0, 1.0, -1.0], [-1.0, 0.0, 1.0], [1.0, -1.0, 0.0]]


@pytest.mark.parametrize("matrix", [[[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0, 0.0]] * 3,
                                    [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]]])
def test_singular_inverse_is_torchs_linalg_error(matrix):
    with pytest.raises(torch.linalg.LinAlgError) as theirs:
        torch.linalg.inv(torch.tensor(matrix))
    with pytest.raises(vg.linalg.LinAlgError) as ours:
        vg.linalg.inv(vg.tensor(matrix))
    assert isinstance(ours.value, RuntimeError) and str(ours.value) == str(theirs.value)


def test_singular_det_has_torchs_zero_gradient():
    for matrix in ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], [[1.0, 0.0], [0.0, 0.0]]):
        grads = []
        for lib in (torch, vg):
            a = lib.tensor(matrix, dtype=lib.float64, requires_grad=True)
            a.det().backward()
            grads.append(a.grad.tolist())
        assert grads[0] == grads[1]


GRAD_FN_CASES = [
    lambda lib, x: x.median(), lambda lib, x: x.median(1).values, lambda lib, x: x.nanmedian(),
    lambda lib, x: x.nanmedian(0).values, lambda lib, x: x.mode(1).values, lambda lib, x: x.cummax(1).values,
    lambda lib, x: x.cummin(0).values, lambda lib, x: x.logcumsumexp(1), lambda lib, x: x.nanmean(),
    lambda lib, x: lib.atan2(x, x), lambda lib, x: lib.hypot(x, x), lambda lib, x: lib.logaddexp(x, x),
    lambda lib, x: lib.logaddexp2(x, x), lambda lib, x: lib.xlogy(x, x), lambda lib, x: lib.xlogy(2.0, x),
    lambda lib, x: lib.xlogy(x, 2.0), lambda lib, x: x.copysign(x), lambda lib, x: x.copysign(-1.0),
    lambda lib, x: x.lerp(x * 2, 0.3), lambda lib, x: x.lerp(x * 2, x), lambda lib, x: x.deg2rad(),
    lambda lib, x: x.rad2deg(), lambda lib, x: x.diagonal(), lambda lib, x: x.unfold(1, 2, 1),
    lambda lib, x: lib.block_diag(x, x), lambda lib, x: x[:, :3].inverse(), lambda lib, x: x[:, :3].det(),
    lambda lib, x: lib.linalg.cross(x[:, :3], x[:, 1:]), lambda lib, x: x.dist(x * 2), lambda lib, x: lib.cdist(x, x),
    lambda lib, x: x[:, :3].matrix_power(0), lambda lib, x: x.heaviside(x), lambda lib, x: x.floor_divide(x),
    lambda lib, x: x.diff(), lambda lib, x: lib.cartesian_prod(x[0], x[1]), lambda lib, x: lib.combinations(x[0]),
    lambda lib, x: x.take_along_dim(x.argsort(1), 1),
]


@pytest.mark.parametrize("fn", GRAD_FN_CASES)
def test_grad_fn_name_is_torchs(fn):
    values = np.random.default_rng(0).uniform(0.1, 0.9, (3, 4))
    theirs = fn(torch, torch.tensor(values, requires_grad=True))
    ours = fn(vg, vg.tensor(values, requires_grad=True))
    assert ours.grad_fn.grad_fn_name() == type(theirs.grad_fn).__name__


ERROR_CASES = [
    ("median_bool", lambda lib, x: (x > 0).median()),
    ("median_empty_dim", lambda lib, x: lib.ones(2, 0).median(1)),
    ("median_dim", lambda lib, x: x.median(2)),
    ("mode_empty_dim", lambda lib, x: lib.ones(2, 0).mode(1)),
    ("quantile_q_range", lambda lib, x: x.quantile(1.5)),
    ("quantile_q_tensor_range", lambda lib, x: x.quantile(lib.tensor([0.5, 2.0]))),
    ("quantile_int", lambda lib, x: x.long().quantile(0.5)),
    ("quantile_q_dtype", lambda lib, x: x.quantile(lib.tensor([0.5], dtype=lib.float64))),
    ("quantile_q_2d", lambda lib, x: x.quantile(lib.ones(2, 2) * 0.5)),
    ("quantile_interpolation", lambda lib, x: x.quantile(0.5, interpolation="cubic")),
    ("quantile_empty", lambda lib, x: lib.ones(0).quantile(0.5)),
    ("quantile_list", lambda lib, x: x.quantile([0.5])),
    ("nanmean_int", lambda lib, x: x.long().nanmean()),
    ("aminmax_tuple_dim", lambda lib, x: x.aminmax(dim=(0, 1))),
    ("aminmax_empty", lambda lib, x: lib.ones(0).aminmax()),
    ("std_mean_int", lambda lib, x: lib.std_mean(x.long())),
    ("var_mean_int", lambda lib, x: lib.var_mean(x.long())),
    ("logcumsumexp_int", lambda lib, x: x.long().logcumsumexp(0)),
    ("cummax_dim", lambda lib, x: x.cummax(3)),
    ("atan2_number", lambda lib, x: lib.atan2(x, 1.0)),
    ("hypot_int", lambda lib, x: lib.hypot(x.long(), x.long())),
    ("hypot_number", lambda lib, x: lib.hypot(x, 2.0)),
    ("logaddexp_int", lambda lib, x: lib.logaddexp(x.long(), x.long())),
    ("logaddexp2_int", lambda lib, x: lib.logaddexp2(x.long(), x.long())),
    ("heaviside_dtypes", lambda lib, x: lib.heaviside(x.long(), x)),
    ("heaviside_number", lambda lib, x: lib.heaviside(x, 0.5)),
    ("floor_divide_int_zero", lambda lib, x: lib.floor_divide(x.long(), 0)),
    ("floor_divide_bool", lambda lib, x: lib.floor_divide(x > 0, x > 0)),
    ("diagonal_same_dims", lambda lib, x: x.diagonal(0, 1, 1)),
    ("diagonal_1d", lambda lib, x: x[0].diagonal()),
    ("trace_3d", lambda lib, x: x[None].trace()),
    ("trace_bool", lambda lib, x: (x > 0).trace()),
    ("inverse_int", lambda lib, x: lib.eye(3).long().inverse()),
    ("inverse_not_square", lambda lib, x: x.inverse()),
    ("inverse_1d", lambda lib, x: lib.linalg.inv(x[0])),
    ("det_int", lambda lib, x: lib.eye(2).long().det()),
    ("det_not_square", lambda lib, x: lib.linalg.det(x)),
    ("matrix_power_not_square", lambda lib, x: x.matrix_power(2)),
    ("matrix_power_1d", lambda lib, x: x[0].matrix_power(2)),
    ("matrix_power_int_negative", lambda lib, x: lib.eye(2).long().matrix_power(-1)),
    ("cross_length", lambda lib, x: lib.cross(x, x, dim=1)),
    ("cross_no_size_3", lambda lib, x: lib.cross(x[:2], x[:2], dim=None)),
    ("linalg_cross_length", lambda lib, x: lib.linalg.cross(x, x)),
    ("linalg_cross_dims", lambda lib, x: lib.linalg.cross(x[:, :3], x[0, :3])),
    ("cross_dtypes", lambda lib, x: lib.linalg.cross(x[0, :3], x[0, :3].long())),
    ("addbmm_batches", lambda lib, x: lib.addbmm(lib.ones(3), lib.ones(2, 3, 4), lib.ones(3, 4, 3))),
    ("addmv_size", lambda lib, x: lib.addmv(lib.ones(2), lib.ones(3, 4), lib.ones(4))),
    ("addmv_vec_size", lambda lib, x: lib.addmv(lib.ones(3), lib.ones(3, 4), lib.ones(5))),
    ("addr_2d", lambda lib, x: lib.addr(lib.zeros(2, 3), lib.ones(2, 1), lib.arange(3.0))),
    ("addr_int_float_alpha", lambda lib, x: lib.addr(lib.zeros(2, 3).long(), lib.ones(2).long(), lib.arange(3),
                                                     alpha=0.5)),
    ("baddbmm_broadcast", lambda lib, x: lib.baddbmm(lib.ones(5, 3), lib.ones(2, 3, 4), lib.ones(2, 4, 3))),
    ("take_out_of_range", lambda lib, x: x.take(lib.tensor([12]))),
    ("take_negative_out_of_range", lambda lib, x: x.take(lib.tensor([-13]))),
    ("take_int32", lambda lib, x: x.take(lib.tensor([1], dtype=lib.int32))),
    ("take_along_dim_ndim", lambda lib, x: x.take_along_dim(lib.tensor([0, 1]), dim=0)),
    ("take_along_dim_float", lambda lib, x: x.take_along_dim(lib.tensor([[0.0]]), dim=0)),
    ("take_along_dim_broadcast", lambda lib, x: x.take_along_dim(lib.tensor([[0, 1]]), dim=0)),
    ("index_fill_int32", lambda lib, x: x.index_fill(1, lib.tensor([0], dtype=lib.int32), 1.0)),
    ("index_fill_2d_index", lambda lib, x: x.index_fill(1, lib.tensor([[0]]), 1.0)),
    ("index_fill_out_of_range", lambda lib, x: x.index_fill(1, lib.tensor([4]), 1.0)),
    ("index_fill_value_1d", lambda lib, x: x.index_fill(1, lib.tensor([0]), lib.tensor([1.0]))),
    ("index_fill_leaf", lambda lib, x: lib.ones(2, requires_grad=True).index_fill_(0, lib.tensor([0]), 2.0)),
    ("fill_diagonal_1d", lambda lib, x: x[0].fill_diagonal_(1.0)),
    ("fill_diagonal_unequal", lambda lib, x: lib.zeros(2, 3, 2).fill_diagonal_(1.0)),
    ("searchsorted_side", lambda lib, x: lib.searchsorted(x[0], x[0], side="middle")),
    ("searchsorted_side_right", lambda lib, x: lib.searchsorted(x[0], x[0], right=True, side="left")),
    ("searchsorted_rows", lambda lib, x: lib.searchsorted(x, x[:1])),
    ("searchsorted_0d", lambda lib, x: lib.searchsorted(x[0, 0], x[0])),
    ("bucketize_2d", lambda lib, x: lib.bucketize(x[0], x)),
    ("tril_indices_negative", lambda lib, x: lib.tril_indices(-1, 2)),
    ("triu_indices_float", lambda lib, x: lib.triu_indices(2, 2, dtype=lib.float32)),
    ("cdist_1d", lambda lib, x: lib.cdist(x[0], x[0])),
    ("cdist_columns", lambda lib, x: lib.cdist(x, x[:, :2])),
    ("cdist_negative_p", lambda lib, x: lib.cdist(x, x, p=-1)),
    ("cdist_int", lambda lib, x: lib.cdist(x.long(), x.long())),
    ("cdist_dtypes", lambda lib, x: lib.cdist(x, x.double())),
    ("dist_int", lambda lib, x: lib.dist(x.long(), x.long())),
    ("unfold_size", lambda lib, x: x.unfold(1, 5, 1)),
    ("unfold_step", lambda lib, x: x.unfold(1, 2, 0)),
    ("unfold_negative_size", lambda lib, x: x.unfold(1, -1, 1)),
    ("t__3d", lambda lib, x: x[None].t_()),
    ("rot90_one_dim", lambda lib, x: x.rot90(1, [0])),
    ("rot90_same_dims", lambda lib, x: x.rot90(1, [0, 0])),
    ("rot90_1d", lambda lib, x: x[0].rot90()),
    ("diff_0d", lambda lib, x: x[0, 0].diff()),
    ("diff_negative_n", lambda lib, x: x.diff(n=-1)),
    ("diff_prepend_dims", lambda lib, x: x.diff(prepend=lib.tensor([1.0]))),
    ("block_diag_3d", lambda lib, x: lib.block_diag(x[None])),
    ("cartesian_prod_2d", lambda lib, x: lib.cartesian_prod(x)),
    ("cartesian_prod_dtypes", lambda lib, x: lib.cartesian_prod(x[0], x[0].long())),
    ("cartesian_prod_none", lambda lib, x: lib.cartesian_prod()),
    ("combinations_2d", lambda lib, x: lib.combinations(x)),
    ("combinations_negative", lambda lib, x: lib.combinations(x[0], -1)),
]


@pytest.mark.parametrize("fn", [fn for _, fn in ERROR_CASES], ids=[name for name, _ in ERROR_CASES])
def test_errors_are_torchs(fn):
    with pytest.raises(Exception) as theirs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(torch, torch.randn(3, 4))
    with pytest.raises(type(theirs.value)) as ours:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(vg, vg.randn(3, 4))
    expected = str(theirs.value).split("\n")[0]
    got = str(ours.value)
    assert got.split(" (")[0] == expected.split(" (")[0] or got.startswith(expected) or \
        "Dimension out of range" in got or "invalid combination" in expected, (got, expected)
