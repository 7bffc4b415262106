"""The image-model layers after the blitz CNN against torch: transposed convolution, unfold/fold, padding
modes, pixel shuffle, interpolation, max unpooling, instance norm, channel dropout of volumes.

One op case = one line of ``CASES``, as in test_ops_oracle.py (whose coverage test reads these cases too):
values and the gradients of every input in float32 and float64, finite-difference gradcheck in float64.
Then the layers (PyTorch's reprs, weights drawn bit for bit), grad_fn names, errors and drawings.
"""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import graphviz_grad as vg
import graphviz_grad.nn.functional as VF
from conftest import gradcheck_case, helper_test_op


def case(name, shapes, fn, torch_fn=None, **opts):
    return pytest.param(shapes, fn, torch_fn, opts, id=name)


def F(lib):
    return TF if lib is torch else VF


LOOSE = {"rtol": 1e-4, "atol": 1e-5}  # float32 sums of many products (as test_conv.py's); float64 stays tight


def _unpool(lib, x, k=2, **kw):
    return F(lib).max_unpool2d(*F(lib).max_pool2d(x, k, return_indices=True, **kw), k, **kw)


def _conv_as_unfold(lib, x, w):
    cols = F(lib).unfold(x, 3, padding=1)  # (N, C·9, H·W)
    return (w.reshape(4, -1) @ cols).reshape(2, 4, 5, 6)


CASES = [
    # --- transposed convolution: forward is conv's input gradient ---
    case("conv_transpose2d", [(2, 4, 5, 5), (4, 3, 3, 3), (3,)], lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b),
         **LOOSE),
    case("conv_transpose2d_stride_padding_output_padding", [(2, 4, 5, 5), (4, 3, 3, 3), (3,)],
         lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1), **LOOSE),
    case("conv_transpose2d_rectangular", [(1, 3, 4, 6), (3, 2, 2, 3)],
         lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                                  dilation=(1, 2)), **LOOSE),
    case("conv_transpose2d_groups_dilation", [(2, 4, 4, 5), (4, 3, 3, 2), (6,)],
         lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b, groups=2, dilation=2, stride=2, output_padding=1),
         **LOOSE),
    case("conv_transpose2d_depthwise", [(2, 3, 4, 4), (3, 1, 2, 2)],
         lambda lib, x, w: F(lib).conv_transpose2d(x, w, groups=3, stride=2), **LOOSE),
    case("conv_transpose2d_unbatched", [(4, 3, 3), (4, 2, 3, 3), (2,)],
         lambda lib, x, w, b: F(lib).conv_transpose2d(x, w, b, padding=1), **LOOSE),
    case("conv_transpose2d_crops_to_one_pixel", [(1, 2, 5, 5), (2, 2, 3, 3)],
         lambda lib, x, w: F(lib).conv_transpose2d(x, w, padding=3), **LOOSE),
    case("conv_transpose1d", [(2, 4, 7), (4, 2, 3), (2,)],
         lambda lib, x, w, b: F(lib).conv_transpose1d(x, w, b, stride=3, padding=2, output_padding=1), **LOOSE),
    case("conv_transpose1d_groups_unbatched", [(4, 6), (4, 1, 4)],
         lambda lib, x, w: F(lib).conv_transpose1d(x, w, groups=2, dilation=2), **LOOSE),
    case("conv_then_conv_transpose_autoencoder", [(2, 2, 8, 8), (3, 2, 4, 4)],
         lambda lib, x, w: F(lib).conv_transpose2d(F(lib).relu(F(lib).conv2d(x, w, stride=2, padding=1)), w,
                                                   stride=2, padding=1), **LOOSE),
    # --- unfold / fold: im2col and col2im ---
    case("unfold", [(2, 3, 5, 6)], lambda lib, x: F(lib).unfold(x, 2)),
    case("unfold_dilation_padding_stride", [(2, 3, 5, 6)],
         lambda lib, x: F(lib).unfold(x, (2, 3), dilation=2, padding=1, stride=2)),
    case("unfold_unbatched", [(3, 4, 4)], lambda lib, x: F(lib).unfold(x, 3, padding=1)),
    case("fold", [(2, 12, 20)], lambda lib, x: F(lib).fold(x, (5, 6), 2)),
    case("fold_padding_stride", [(2, 12, 12)], lambda lib, x: F(lib).fold(x, (5, 6), (2, 3), 1, (1, 0), (2, 1))),
    case("fold_unbatched", [(8, 9)], lambda lib, x: F(lib).fold(x, 4, 2, stride=1)),
    case("fold_of_unfold", [(1, 2, 4, 5)], lambda lib, x: F(lib).fold(F(lib).unfold(x, 2), (4, 5), 2)),
    case("conv_as_unfold_matmul", [(2, 3, 5, 6), (4, 3, 3, 3)], _conv_as_unfold, **LOOSE),
    case("nn_unfold_fold", [(2, 3, 6, 6)],
         lambda lib, x: lib.nn.Fold((6, 6), 3, stride=3)(lib.nn.Unfold(3, stride=3)(x))),
    # --- padding modes ---
    case("pad_reflect_1d", [(2, 3, 6)], lambda lib, x: F(lib).pad(x, (3, 2), mode="reflect")),
    case("pad_reflect_2d", [(2, 3, 4, 5)], lambda lib, x: F(lib).pad(x, (2, 1, 3, 1), mode="reflect")),
    case("pad_reflect_2d_unbatched_negative", [(3, 4, 5)],
         lambda lib, x: F(lib).pad(x, (-1, 3, 2, -1), mode="reflect")),
    case("pad_reflect_3d", [(1, 2, 3, 4, 3)], lambda lib, x: F(lib).pad(x, (1, 2, 1, 1, 2, 0), mode="reflect")),
    case("pad_replicate_1d", [(3, 6)], lambda lib, x: F(lib).pad(x, (4, 1), mode="replicate")),
    case("pad_replicate_2d", [(2, 3, 4, 5)], lambda lib, x: F(lib).pad(x, (3, -1, 1, 4), mode="replicate")),
    case("pad_circular_1d", [(2, 3, 5)], lambda lib, x: F(lib).pad(x, (5, 2), mode="circular")),
    case("pad_circular_2d_negative", [(2, 3, 4, 5)], lambda lib, x: F(lib).pad(x, (-1, 3, 2, -1), mode="circular")),
    case("padding_layers", [(2, 3, 4, 5)], lambda lib, x: (
        lib.nn.ZeroPad2d((1, 2, 0, 1))(x), lib.nn.ConstantPad2d(1, 2.5)(x), lib.nn.ReflectionPad2d(2)(x),
        lib.nn.ReplicationPad2d((0, 3, 1, 0))(x), lib.nn.CircularPad2d(1)(x))),
    case("padding_layers_1d", [(2, 3, 4)], lambda lib, x: (
        lib.nn.ZeroPad1d(2)(x), lib.nn.ConstantPad1d((1, 0), -1.0)(x), lib.nn.ReflectionPad1d((3, 1))(x),
        lib.nn.ReplicationPad1d(2)(x), lib.nn.CircularPad1d((2, 4))(x))),
    # --- pixel shuffle ---
    case("pixel_shuffle", [(2, 8, 3, 4)], lambda lib, x: F(lib).pixel_shuffle(x, 2)),
    case("pixel_shuffle_batch_dims", [(2, 2, 9, 2, 3)], lambda lib, x: lib.nn.PixelShuffle(3)(x)),
    case("pixel_unshuffle", [(2, 2, 6, 4)], lambda lib, x: F(lib).pixel_unshuffle(x, 2)),
    case("pixel_unshuffle_unbatched", [(1, 6, 6)], lambda lib, x: lib.nn.PixelUnshuffle(3)(x)),
    case("pixel_shuffle_of_unshuffle", [(1, 2, 4, 6)],
         lambda lib, x: F(lib).pixel_shuffle(F(lib).pixel_unshuffle(x, 2) * 3, 2)),
    # --- interpolation ---
    case("interpolate_nearest", [(2, 3, 4, 5)], lambda lib, x: F(lib).interpolate(x, scale_factor=2)),
    case("interpolate_nearest_sizes", [(2, 3, 5, 4)], lambda lib, x: (F(lib).interpolate(x, size=(7, 3)),
                                                                       F(lib).interpolate(x, size=(2, 9)))),
    case("interpolate_nearest_scale_non_integer", [(1, 2, 5, 7)],
         lambda lib, x: F(lib).interpolate(x, scale_factor=(1.7, 0.6))),
    case("interpolate_nearest_1d_3d", [(2, 3, 5)], lambda lib, x: (
        F(lib).interpolate(x, scale_factor=3), F(lib).interpolate(x.reshape(1, 2, 3, 5, 1), size=(4, 7, 2)))),
    case("interpolate_nearest_2x_by_2_05", [(1, 2, 6)], lambda lib, x: F(lib).interpolate(x, scale_factor=2.05)),
    case("interpolate_nearest_exact", [(2, 3, 5, 4)],
         lambda lib, x: (F(lib).interpolate(x, size=(7, 9), mode="nearest-exact"),
                         F(lib).interpolate(x, scale_factor=0.5, mode="nearest-exact"))),
    case("interpolate_linear", [(2, 3, 5)],
         lambda lib, x: (F(lib).interpolate(x, size=9, mode="linear"),
                         F(lib).interpolate(x, size=9, mode="linear", align_corners=True))),
    case("interpolate_bilinear_scale", [(2, 3, 4, 5)],
         lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode="bilinear")),
    case("interpolate_bilinear_align_corners", [(2, 3, 4, 5)],
         lambda lib, x: F(lib).interpolate(x, size=(7, 3), mode="bilinear", align_corners=True)),
    case("interpolate_bilinear_down", [(1, 2, 9, 8)],
         lambda lib, x: (F(lib).interpolate(x, size=(4, 3), mode="bilinear"),
                         F(lib).interpolate(x, scale_factor=0.4, mode="bilinear"))),
    case("interpolate_bilinear_recompute", [(1, 2, 5, 6)],
         lambda lib, x: F(lib).interpolate(x, scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    case("interpolate_bilinear_one_pixel", [(1, 2, 1, 3)],
         lambda lib, x: (F(lib).interpolate(x, size=(3, 1), mode="bilinear"),
                         F(lib).interpolate(x, size=(3, 1), mode="bilinear", align_corners=True))),
    case("interpolate_trilinear", [(1, 2, 3, 4, 2)],
         lambda lib, x: F(lib).interpolate(x, scale_factor=(2, 1.5, 3), mode="trilinear")),
    case("interpolate_area", [(2, 3, 6, 5)], lambda lib, x: (F(lib).interpolate(x, size=(3, 2), mode="area"),
                                                             F(lib).interpolate(x[0], size=4, mode="area"))),
    case("upsample_layers", [(2, 3, 4, 5)], lambda lib, x: (
        lib.nn.Upsample(scale_factor=2)(x), lib.nn.Upsample(size=(6, 7), mode="bilinear")(x),
        lib.nn.UpsamplingNearest2d(size=3)(x), lib.nn.UpsamplingBilinear2d(scale_factor=2)(x))),
    # --- max unpooling ---
    case("max_unpool2d", [(2, 3, 4, 6)], _unpool),
    case("max_unpool2d_overlapping", [(1, 2, 5, 5)], lambda lib, x: _unpool(lib, x, 3, stride=1, padding=1)),
    case("max_unpool2d_output_size", [(1, 2, 5, 5)], lambda lib, x: F(lib).max_unpool2d(
        *F(lib).max_pool2d(x, 2, return_indices=True), 2, output_size=(5, 5))),
    case("max_unpool1d", [(2, 3, 7)],
         lambda lib, x: lib.nn.MaxUnpool1d(2)(*F(lib).max_pool1d(x, 2, return_indices=True), output_size=[7])),
    # --- instance norm ---
    case("instance_norm", [(2, 3, 4, 5)], lambda lib, x: F(lib).instance_norm(x)),
    case("instance_norm_affine", [(2, 3, 6), (3,), (3,)],
         lambda lib, x, w, b: F(lib).instance_norm(x, weight=w, bias=b)),
    case("instance_norm_running_stats", [(2, 3, 4, 4), (3,)], lambda lib, x, w: F(lib).instance_norm(
        x, lib.zeros(3, dtype=x.dtype), lib.ones(3, dtype=x.dtype), weight=w, momentum=0.2, eps=1e-3)),
    case("instance_norm_eval_stats", [(2, 3, 5)], lambda lib, x: F(lib).instance_norm(
        x, lib.full((3,), 0.5, dtype=x.dtype), lib.full((3,), 2.0, dtype=x.dtype), use_input_stats=False)),
    case("instance_norm_layers", [(2, 3, 4, 4)], lambda lib, x: (
        lib.nn.InstanceNorm2d(3)(x), lib.nn.InstanceNorm2d(3, eps=0.1)(x[0]), lib.nn.InstanceNorm1d(3)(x[:, :, 0]))),
]

NOT_FINITE_DIFFERENCES = {
    # overlapping windows pick the same maximum twice: unpooling writes it once, but PyTorch's backward (and so
    # ours) gives it the gradient of both picks
    "max_unpool2d_overlapping": "PyTorch's backward counts a repeated index twice",
    # PyTorch's gradient, not the adjoint of its forward: its 1-D nearest backward halves an output twice the
    # input (12 of 6), its forward reads floor(i / 2.05)
    "interpolate_nearest_2x_by_2_05": "PyTorch's backward disagrees with its forward",
}
DIFFERENTIABLE = [p for p in CASES if "vals" not in p.values[3] and p.id not in NOT_FINITE_DIFFERENCES]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes, fn, torch_fn, opts", CASES)
def test_op_matches_torch(shapes, fn, torch_fn, opts, dtype, backend):
    if dtype == "float64":
        opts = {k: v for k, v in opts.items() if k not in ("rtol", "atol")}
    helper_test_op(shapes, fn, torch_fn, dtype=dtype, device=backend, **opts)


@pytest.mark.parametrize("shapes, fn, torch_fn, opts", DIFFERENTIABLE)
def test_gradcheck_op(shapes, fn, torch_fn, opts, backend):
    gradcheck_case(shapes, fn, opts, backend)


GRAD_FN_CASES = [
    ((2, 4, 5, 5), lambda lib, x: F(lib).conv_transpose2d(x, lib.ones(4, 3, 3, 3, dtype=x.dtype), stride=2)),
    ((2, 4, 5), lambda lib, x: F(lib).conv_transpose1d(x, lib.ones(4, 2, 3, dtype=x.dtype))),
    ((2, 4, 5, 5), lambda lib, x: F(lib).unfold(x, 2)),
    ((2, 4, 5, 5), lambda lib, x: F(lib).fold(x.reshape(2, 4, 25)[:, :, :16], (5, 5), 2)),
    ((2, 4, 5, 5), lambda lib, x: F(lib).pad(x, (1, 2, 1, 0), mode="reflect")),
    ((2, 4, 5), lambda lib, x: F(lib).pad(x, (1, 2), mode="reflect")),
    ((2, 4, 5, 5), lambda lib, x: F(lib).pad(x, (1, 2, 1, 0), mode="replicate")),
    ((2, 4, 5), lambda lib, x: F(lib).pad(x, (1, 2), mode="replicate")),
    ((2, 4, 5, 5), lambda lib, x: F(lib).pad(x, (1, 2, 1, 0), mode="circular")),
    ((2, 4, 5, 5), lambda lib, x: F(lib).pixel_shuffle(x, 2)),
    ((2, 4, 4, 4), lambda lib, x: F(lib).pixel_unshuffle(x, 2)),
    ((2, 4, 5), lambda lib, x: F(lib).interpolate(x, scale_factor=2)),
    ((2, 4, 5, 5), lambda lib, x: F(lib).interpolate(x, scale_factor=2)),
    ((2, 4, 5, 5, 2), lambda lib, x: F(lib).interpolate(x, scale_factor=2)),
    ((2, 4, 5, 5), lambda lib, x: F(lib).interpolate(x, size=3, mode="nearest-exact")),
    ((2, 4, 5), lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode="linear")),
    ((2, 4, 5, 5), lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode="bilinear")),
    ((2, 4, 5, 5, 2), lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode="trilinear")),
    ((2, 4, 4, 4), lambda lib, x: _unpool(lib, x)),
    ((2, 4, 4, 4), lambda lib, x: F(lib).instance_norm(x)),
    ((4, 4, 4), lambda lib, x: lib.nn.InstanceNorm2d(4)(x)),
]


@pytest.mark.parametrize("shape, fn", GRAD_FN_CASES)
def test_grad_fn_name_is_torchs(shape, fn):
    values = np.random.default_rng(0).uniform(-1, 1, shape)
    theirs = fn(torch, torch.tensor(values, requires_grad=True))
    ours = fn(vg, vg.tensor(values, requires_grad=True))
    assert ours.grad_fn.grad_fn_name() == type(theirs.grad_fn).__name__


# --- layers ---------------------------------------------------------------------------------------

LAYERS = [
    "ConvTranspose2d(3, 6, 5)", "ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, bias=False)",
    "ConvTranspose2d(2, 3, (2, 4), stride=(1, 2), dilation=2)", "ConvTranspose1d(3, 4, 3, stride=2)",
    "ConvTranspose1d(4, 2, 4, padding=1, output_padding=1, stride=2, groups=2, dilation=3)",
    "Unfold(2, dilation=1, padding=0, stride=1)", "Unfold((2, 3), padding=1)", "Fold((4, 5), 2)",
    "Fold(3, 2, stride=2)", "ZeroPad1d(2)", "ZeroPad2d((1, 2, 3, 4))", "ConstantPad1d((1, 2), 3.5)",
    "ConstantPad2d(2, 0)", "ReflectionPad1d(2)",
    "ReflectionPad2d((1, 0, 2, 0))", "ReplicationPad1d((1, 3))", "ReplicationPad2d(1)", "CircularPad1d(1)",
    "CircularPad2d((1, 2, 0, 1))", "PixelShuffle(3)", "PixelUnshuffle(2)", "Upsample(scale_factor=2)",
    "Upsample(size=(3, 4), mode='bilinear', align_corners=True)", "Upsample(scale_factor=(2, 3))",
    "UpsamplingNearest2d(scale_factor=2)", "UpsamplingBilinear2d(size=5)", "MaxUnpool2d(2)",
    "MaxUnpool2d((2, 3), stride=1, padding=1)", "MaxUnpool1d(2)", "InstanceNorm1d(3)",
    "InstanceNorm2d(4, eps=1e-3, momentum=None, affine=True, track_running_stats=True)", "Dropout3d(0.2)",
]


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_reprs_parameters_and_buffers_are_torchs(layer):
    ours, theirs = eval("vg.nn." + layer), eval("torch.nn." + layer)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, p), (t_name, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == t_name and tuple(p.shape) == tuple(tp.shape)


@pytest.mark.parametrize("layer", [layer for layer in LAYERS if layer.startswith("ConvTranspose")])
def test_conv_transpose_default_init_is_torchs_for_a_seed(layer):
    vg.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = eval("vg.nn." + layer), eval("torch.nn." + layer)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        assert p.detach().numpy().tobytes() == tp.detach().numpy().tobytes()
    # and the generator is left where torch's is
    assert vg.rand(3).numpy().tobytes() == torch.rand(3).numpy().tobytes()


@pytest.mark.parametrize("layer, shape, output_size", [
    ("ConvTranspose2d(3, 2, 3, stride=2, padding=1)", (2, 3, 4, 5), None),
    ("ConvTranspose2d(3, 2, 3, stride=2, padding=1)", (2, 3, 4, 5), [8, 10]),
    ("ConvTranspose2d(3, 2, 3, stride=2, padding=1)", (2, 3, 4, 5), (2, 2, 8, 9)),
    ("ConvTranspose2d(3, 2, 3, stride=2, padding=1)", (3, 4, 5), [2, 8, 10]),
    ("ConvTranspose1d(3, 2, 4, stride=3)", (2, 3, 5), [16]),
])
def test_conv_transpose_layer_equals_torch_with_output_size(layer, shape, output_size):
    vg.manual_seed(3)
    torch.manual_seed(3)
    ours, theirs = eval("vg.nn." + layer), eval("torch.nn." + layer)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    xv, xt = vg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, t_out = ours(xv, output_size=output_size), theirs(xt, output_size=output_size)
    assert tuple(out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    g = np.random.default_rng(1).standard_normal(tuple(t_out.shape)).astype(np.float32)
    out.backward(vg.tensor(g))
    t_out.backward(torch.tensor(g))
    np.testing.assert_allclose(xv.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_a_small_gan_generator_step_equals_torch():
    """ConvTranspose2d → InstanceNorm2d → ReLU → Upsample → ReflectionPad → Conv2d → tanh, three SGD steps.

    (SGD, not Adam: the transposed convolution's bias gets a gradient of rounding noise only, the instance
    norm removing it, and Adam would scale that noise up to whole steps.)"""
    def generator(lib):
        nn = lib.nn
        return nn.Sequential(nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1), nn.InstanceNorm2d(4, affine=True),
                             nn.ReLU(), nn.Upsample(scale_factor=2, mode="bilinear"), nn.ReflectionPad2d(1),
                             nn.Conv2d(4, 3, 3), nn.Tanh())
    vg.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = generator(vg), generator(torch)
    z = np.random.default_rng(0).standard_normal((2, 8, 3, 3)).astype(np.float32)
    target = np.random.default_rng(1).uniform(-1, 1, (2, 3, 12, 12)).astype(np.float32)
    losses = []
    for lib, model in ((vg, ours), (torch, theirs)):
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        run = []
        for _ in range(3):
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(model(lib.tensor(z)), lib.tensor(target))
            loss.backward()
            opt.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-4, atol=1e-6)


def test_instance_norm_layers_track_running_stats_as_torch():
    rng = np.random.default_rng(0)
    for cls, shape in (("InstanceNorm2d", (2, 3, 4, 5)), ("InstanceNorm1d", (4, 3, 6)), ("InstanceNorm2d", (3, 4, 5))):
        kw = dict(affine=True, track_running_stats=True, momentum=0.3)
        ours, theirs = getattr(vg.nn, cls)(3, **kw), getattr(torch.nn, cls)(3, **kw)
        for step in range(4):
            if step == 3:
                ours.eval()
                theirs.eval()
            x = rng.standard_normal(shape).astype(np.float32)
            np.testing.assert_allclose(ours(vg.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                                       rtol=1e-5, atol=1e-5)
            for (name, b), (t_name, tb) in zip(ours.named_buffers(), theirs.named_buffers()):
                assert name == t_name
                np.testing.assert_allclose(b.numpy(), tb.numpy(), rtol=1e-6, atol=1e-6)
        assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked) == 0


def test_instance_norm_size_mismatch_warns_without_affine():
    for lib in (vg, torch):
        with pytest.warns(UserWarning, match="does not match num_features"):
            lib.nn.InstanceNorm1d(4)(lib.ones(2, 3, 5))


@pytest.mark.parametrize("shape", [(3, 4, 2, 3, 2), (4, 2, 3, 2), (2, 3, 4)])
@pytest.mark.parametrize("p", [0.3, 0.5, 0.0, 1.0])
@pytest.mark.parametrize("inplace", [False, True])
def test_dropout3d_masks_and_warnings_are_torchs(shape, p, inplace):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    results = []
    for lib in (vg, torch):
        lib.manual_seed(1)
        t = lib.tensor(x)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.nn.functional.dropout3d(t, p, inplace=inplace)
        results.append((out.numpy().copy(), t.numpy().copy(), [str(w.message) for w in caught]))
    (out, t, said), (t_out, t_t, t_said) = results
    assert out.tobytes() == t_out.tobytes() and t.tobytes() == t_t.tobytes() and said == t_said


def test_dropout1d_inplace_on_an_unbatched_input_is_torchs():
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    outs = []
    for lib in (vg, torch):
        lib.manual_seed(2)
        t = lib.tensor(x)
        out = lib.nn.functional.dropout1d(t, 0.5, inplace=True)
        outs.append((out.numpy().tobytes(), t.numpy().tobytes(), tuple(out.shape)))
    assert outs[0] == outs[1]


def test_nn_dropout3d_in_train_and_eval():
    for lib in (vg, torch):
        lib.manual_seed(0)
    layers = vg.nn.Dropout3d(), torch.nn.Dropout3d()
    ours, theirs = (m(lib.ones(2, 3, 1, 2, 2)) for m, lib in zip(layers, (vg, torch)))
    assert ours.numpy().tobytes() == theirs.numpy().tobytes()
    layers[0].eval()
    x = vg.ones(2, 3, 1, 2, 2)
    assert layers[0](x) is x


# --- errors -----------------------------------------------------------------------------------------

ERROR_CASES = [
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5), lib.zeros(3, 2, 3, 3)),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5), lib.zeros(4, 2, 3, 3), output_padding=2, stride=2),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5), lib.zeros(4, 2, 3, 3), output_padding=1),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5), lib.zeros(4, 2, 3, 3), groups=3),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5), lib.zeros(4, 2, 3, 3), lib.zeros(3)),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(5, 5), lib.zeros(4, 2, 3, 3)),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5), lib.zeros(4, 2, 3, 3), padding="same"),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5), lib.zeros(4, 2, 3, 3), stride=0),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5), lib.zeros(4, 2, 3, 3), padding=-1),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5), lib.zeros(4, 2, 3, 3), output_padding=-1, stride=2),
    lambda lib: F(lib).conv_transpose2d(lib.zeros(2, 4, 5, 5, dtype=lib.float64),
                                        lib.zeros(4, 2, 3, 3, dtype=lib.float64), padding=5),
    lambda lib: F(lib).conv_transpose1d(lib.zeros(2, 4, 5, dtype=lib.float64), lib.zeros(4, 2, 3, dtype=lib.float64),
                                        padding=5),
    lambda lib: F(lib).conv_transpose1d(lib.zeros(2, 4, 5), lib.zeros(4, 2, 3), output_padding=1),
    lambda lib: lib.nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect"),
    lambda lib: lib.nn.ConvTranspose2d(2, 3, 3, stride=2)(lib.zeros(1, 2, 4, 4), output_size=(12, 12)),
    lambda lib: lib.nn.ConvTranspose2d(2, 3, 3, stride=2)(lib.zeros(1, 2, 4, 4), output_size=(9,)),
    lambda lib: F(lib).unfold(lib.zeros(2, 3, 5, 6), 7),
    lambda lib: F(lib).unfold(lib.zeros(2, 3, 5, 6), 0),
    lambda lib: F(lib).unfold(lib.zeros(2, 3, 5, 6), 2, stride=0),
    lambda lib: F(lib).unfold(lib.zeros(2, 3, 5, 6), 2, padding=-1),
    lambda lib: F(lib).unfold(lib.zeros(2, 3, 5, 6), 2, dilation=0),
    lambda lib: F(lib).unfold(lib.zeros(2, 3, 1, 5, 6), 2),
    lambda lib: F(lib).fold(lib.zeros(2, 12, 20), (5, 7), 2),
    lambda lib: F(lib).fold(lib.zeros(2, 13, 20), (5, 6), 2),
    lambda lib: F(lib).fold(lib.zeros(2, 12, 20), (5, 6, 3), 2),
    lambda lib: F(lib).fold(lib.zeros(20), (5, 6), 2),
    lambda lib: F(lib).pad(lib.zeros(1, 2, 4), (4, 0), mode="reflect"),
    lambda lib: F(lib).pad(lib.zeros(1, 2, 3, 4), (1, 1, 3, 0), mode="reflect"),
    lambda lib: F(lib).pad(lib.zeros(1, 2, 4), (5, 0), mode="circular"),
    lambda lib: F(lib).pad(lib.zeros(1, 0, 4), (1, 1), mode="replicate"),
    lambda lib: F(lib).pad(lib.zeros(1, 2, 4), (1, 1), mode="reflect", value=1.0),
    lambda lib: F(lib).pad(lib.zeros(1, 2, 4), (1, 1), mode="wrap"),
    lambda lib: lib.nn.CircularPad2d(1)(lib.zeros(3)),
    lambda lib: F(lib).pixel_shuffle(lib.zeros(8, 3), 2),
    lambda lib: F(lib).pixel_shuffle(lib.zeros(2, 8, 3, 4), 3),
    lambda lib: F(lib).pixel_shuffle(lib.zeros(2, 8, 3, 4), 0),
    lambda lib: F(lib).pixel_unshuffle(lib.zeros(2, 8, 3, 4), 2),
    lambda lib: F(lib).pixel_unshuffle(lib.zeros(2, 8, 4, 4), 3),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 10), scale_factor=0.05),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3), size=(0, 2), mode="bilinear"),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 2, 2), scale_factor=0.2),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3), size=(2, 2), mode="foo"),
    lambda lib: F(lib).interpolate(lib.zeros(1, 2, 3), size=(2, 2), mode="bilinear"),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3), size=(2, 2), mode="linear"),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3), size=(2, 2), mode="nearest", align_corners=True),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3), size=(2, 2.5)),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3)),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3), size=2, scale_factor=2),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3), size=2, recompute_scale_factor=True),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3), scale_factor=(2, 2, 2)),
    lambda lib: F(lib).interpolate(lib.zeros(1, 1, 2, 3), scale_factor=2, mode="linear", antialias=True),
    # (one index out of range: with several, PyTorch's threads race to report one)
    lambda lib: F(lib).max_unpool2d(lib.ones(1, 2, 2, 2), lib.tensor([[[[3, 20], [5, 1]], [[0, 1], [2, 3]]]]), 2),
    lambda lib: F(lib).max_unpool2d(lib.ones(1, 2, 2), lib.tensor([[[0, 1]], [[-2, 3]]]), 2),
    lambda lib: F(lib).max_unpool2d(*F(lib).max_pool2d(lib.rand(1, 2, 4, 4), 2, return_indices=True), 2,
                                    output_size=(6, 6)),
    lambda lib: F(lib).max_unpool2d(lib.rand(1, 2, 2, 2), lib.zeros(1, 2, 2, 2), 2),
    lambda lib: F(lib).max_unpool2d(lib.rand(1, 2, 2, 2), lib.zeros(1, 1, 2, 2, dtype=lib.int64), 2),
    lambda lib: F(lib).max_unpool2d(lib.rand(2, 2), lib.zeros(2, 2, dtype=lib.int64), 2),
    lambda lib: F(lib).instance_norm(lib.rand(2, 3, 1, 1)),
    lambda lib: lib.nn.InstanceNorm1d(4, affine=True)(lib.rand(2, 3, 5)),
    lambda lib: lib.nn.InstanceNorm2d(4)(lib.rand(2, 3)),
    lambda lib: F(lib).dropout3d(lib.rand(2, 3, 4, 5), 1.5),
]


@pytest.mark.parametrize("fn", ERROR_CASES)
def test_errors_are_torchs(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(vg)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value).replace("torch.Size", "graphviz_grad.Size")


def test_the_modes_torch_has_and_we_do_not_say_so():
    with pytest.raises(NotImplementedError, match="bicubic"):
        VF.interpolate(vg.zeros(1, 1, 2, 3), scale_factor=2, mode="bicubic")
    with pytest.raises(NotImplementedError, match="antialias"):
        VF.interpolate(vg.zeros(1, 1, 2, 3), scale_factor=2, mode="bilinear", antialias=True)


# --- drawing ----------------------------------------------------------------------------------------

def test_a_decoder_draws_its_layers_as_named_ops():
    vg.manual_seed(0)
    model = vg.nn.Sequential(vg.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1), vg.nn.ReLU(),
                             vg.nn.Upsample(scale_factor=2, mode="bilinear"))
    loss = model(vg.randn(1, 4, 3, 3)).mean()
    loss.backward()
    source = vg.viz.draw(loss).source
    assert "conv_transpose stride=(2, 2) pads=((1, 1), (1, 1)) output_padding=(1, 1)" in source
    assert "upsample mode=bilinear size=(12, 12)" in source
    kinds = {d["op"] for _, d in vg.graph(loss).nx.nodes(data=True) if d["kind"] == "op"}
    assert {"conv_transpose", "relu", "upsample", "mean"} <= kinds
