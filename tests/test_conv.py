"""Convolution, pooling and padding against torch: values and the gradients of input, weight and bias,
in float32 and float64, over a battery of shapes, strides, paddings, dilations and groups; gradcheck in
float64; the layers (``nn.Conv2d`` ...), PyTorch's errors, and that the input's gradient is skipped
when the input is data.
"""
import warnings

import numpy as np
import pytest
import torch

import graphviz_grad as vg
from conftest import helper_test_op, needs_proc_statm, run_measuring_rss

HAS_TORCH_RNG = hasattr(vg, "Generator") and hasattr(vg.Tensor, "random_")

TOL = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": {}}
DTYPES = ["float32", "float64"]

# (input shape, weight shape, bias?, keyword arguments)
CONV2D = [
    ((2, 3, 8, 8), (4, 3, 3, 3), True, {}),
    ((1, 1, 7, 9), (2, 1, 5, 5), True, {}),
    ((2, 3, 9, 8), (5, 3, 3, 2), True, dict(stride=2)),
    ((2, 3, 9, 8), (5, 3, 3, 2), False, dict(stride=(2, 3), padding=(1, 2))),
    ((2, 2, 10, 10), (3, 2, 3, 3), True, dict(dilation=2, padding=2)),
    ((1, 2, 11, 9), (3, 2, 3, 2), True, dict(dilation=(2, 3), stride=(1, 2), padding=1)),
    ((2, 4, 6, 6), (6, 2, 3, 3), True, dict(groups=2, padding=1)),
    ((2, 6, 7, 7), (6, 1, 3, 3), True, dict(groups=6, stride=2)),  # depthwise
    ((2, 4, 7, 6), (8, 1, 2, 2), False, dict(groups=4, dilation=2)),
    ((1, 3, 6, 7), (4, 3, 4, 3), True, dict(padding="same")),  # even kernel: more padding after
    ((1, 3, 6, 7), (4, 3, 3, 3), True, dict(padding="same", dilation=2)),
    ((1, 3, 6, 7), (4, 3, 3, 3), True, dict(padding="valid")),
    ((3, 2, 5, 5), (2, 2, 1, 1), True, {}),  # 1x1
    ((1, 2, 4, 4), (3, 2, 4, 4), True, {}),  # kernel = image
    ((2, 3, 8, 8), (4, 3, 3, 3), True, dict(stride=3, padding=2)),  # padding beyond the last window
    ((3, 8, 8), (4, 3, 3, 3), True, dict(padding=1)),  # unbatched
]

CONV1D = [
    ((2, 3, 10), (4, 3, 3), True, {}),
    ((2, 4, 11), (6, 2, 3), False, dict(stride=2, padding=2, dilation=2, groups=2)),
    ((1, 3, 9), (2, 3, 4), True, dict(padding="same")),
    ((3, 9), (2, 3, 4), True, dict(padding=1)),  # unbatched
]


def _conv_fn(name, bias, kwargs):
    def fn(lib, x, w, *b):
        with warnings.catch_warnings():  # torch's note that padding="same" with an even kernel copies the input
            warnings.simplefilter("ignore", UserWarning)
            return getattr(lib.nn.functional, name)(x, w, b[0] if b else None, **kwargs)
    return fn


def _case_id(case):
    x, w, bias, kw = case
    return f"{x}-{w}-{'b' if bias else 'nob'}-" + ",".join(f"{k}={v}" for k, v in kw.items())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV2D, ids=_case_id)
def test_conv2d_values_and_three_gradients(case, dtype):
    x, w, bias, kw = case
    shapes = [x, w] + ([(w[0],)] if bias else [])
    out, theirs = helper_test_op(shapes, _conv_fn("conv2d", bias, kw), dtype=dtype, **TOL[dtype])
    assert out.grad_fn.grad_fn_name() == type(theirs.grad_fn).__name__


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV1D, ids=_case_id)
def test_conv1d_values_and_three_gradients(case, dtype):
    x, w, bias, kw = case
    shapes = [x, w] + ([(w[0],)] if bias else [])
    helper_test_op(shapes, _conv_fn("conv1d", bias, kw), dtype=dtype, **TOL[dtype])


@pytest.mark.parametrize("case", [CONV2D[2], CONV2D[5], CONV2D[6], CONV2D[9], CONV2D[15], CONV1D[1]], ids=_case_id)
def test_conv_gradcheck(case):
    x, w, bias, kw = case
    rng = np.random.default_rng(0)
    args = [vg.tensor(rng.standard_normal(s), requires_grad=True) for s in [x, w] + ([(w[0],)] if bias else [])]
    name = "conv1d" if len(w) == 3 else "conv2d"
    assert vg.autograd.gradcheck(_conv_fn(name, bias, kw).__get__(vg), args)


def test_input_gradient_is_skipped_for_data(monkeypatch):
    """The first layer's input is data: backward must not run col2im for it (torch does not either)."""
    from graphviz_grad.ops import conv

    calls = []
    real = conv.add_windows
    monkeypatch.setattr(conv, "add_windows", lambda *a, **k: calls.append(1) or real(*a, **k))
    x = vg.randn(2, 3, 8, 8)
    layer = vg.nn.Conv2d(3, 4, 3)
    layer(x).sum().backward()
    assert calls == [] and x.grad is None and layer.weight.grad is not None
    x.requires_grad_()
    layer(x).sum().backward()
    assert calls == [1] and x.grad is not None


# --- pooling ---------------------------------------------------------------------------------------

MAX_POOL2D = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 8, 8), dict(kernel_size=(2, 2), stride=2)),
    ((1, 2, 9, 7), dict(kernel_size=3, stride=2, padding=1)),
    ((1, 2, 9, 7), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 1))),
    ((2, 1, 7, 7), dict(kernel_size=2, ceil_mode=True)),
    ((2, 1, 8, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((3, 5, 5), dict(kernel_size=2, stride=1)),  # unbatched
]
AVG_POOL2D = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((1, 2, 9, 7), dict(kernel_size=3, stride=2, padding=1)),
    ((1, 2, 9, 7), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((2, 1, 7, 8), dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True)),
    ((2, 1, 7, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ((2, 1, 6, 6), dict(kernel_size=2, divisor_override=3)),
    ((3, 5, 5), dict(kernel_size=2, stride=1)),
]
ADAPTIVE = [((2, 3, 8, 8), 1), ((2, 3, 8, 8), (2, 4)), ((1, 2, 7, 5), (3, 2)), ((1, 2, 5, 7), (5, None)),
            ((3, 5, 6), 4), ((1, 1, 3, 3), 5)]


def _pool_id(case):
    return f"{case[0]}-" + ",".join(f"{k}={v}" for k, v in case[1].items()) if isinstance(case[1], dict) else str(case)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", MAX_POOL2D, ids=_pool_id)
def test_max_pool2d(case, dtype):
    shape, kw = case
    out, theirs = helper_test_op([shape], lambda lib, x: lib.nn.functional.max_pool2d(x, **kw), dtype=dtype)
    assert out.grad_fn.grad_fn_name() == type(theirs.grad_fn).__name__


@pytest.mark.parametrize("case", MAX_POOL2D, ids=_pool_id)
def test_max_pool2d_return_indices(case):
    shape, kw = case
    x = np.random.default_rng(1).standard_normal(shape)
    out, idx = vg.nn.functional.max_pool2d(vg.tensor(x), return_indices=True, **kw)
    t_out, t_idx = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    assert idx.dtype == vg.int64 and idx.tolist() == t_idx.tolist()
    assert out.tolist() == t_out.tolist()


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool_ties_route_the_gradient_to_the_first_maximum_as_torch(dtype):
    vals = [np.array([[[[1, 1, 2, 2], [1, 1, 2, 2], [0, 3, 3, 0], [3, 3, 0, 0]]]], dtype=dtype)]
    helper_test_op(None, lambda lib, x: lib.nn.functional.max_pool2d(x, 2), vals=vals, dtype=dtype)
    helper_test_op(None, lambda lib, x: lib.nn.functional.max_pool2d(x, 3, stride=1, padding=1), vals=vals,
                   dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", AVG_POOL2D, ids=_pool_id)
def test_avg_pool2d(case, dtype):
    shape, kw = case
    out, theirs = helper_test_op([shape], lambda lib, x: lib.nn.functional.avg_pool2d(x, **kw), dtype=dtype)
    assert out.grad_fn.grad_fn_name() == type(theirs.grad_fn).__name__


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ADAPTIVE, ids=str)
def test_adaptive_avg_pool2d(case, dtype):
    shape, size = case
    helper_test_op([shape], lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, size), dtype=dtype)


ADAPTIVE_MAX = [((2, 3, 7, 5), (3, 2)), ((3, 10, 9), (4, None)), ((1, 1, 5, 5), 1), ((2, 4, 6, 6), (6, 6)),
                ((2, 2, 5, 7), (7, 9)), ((1, 2, 9, 8), (2, 3))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ADAPTIVE_MAX, ids=str)
def test_adaptive_max_pool2d(case, dtype):
    """Windows that overlap, windows of two widths, outputs larger than the input: values, gradients, indices."""
    shape, size = case
    out, theirs = helper_test_op([shape], lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, size), dtype=dtype)
    assert out.grad_fn.grad_fn_name() == "AdaptiveMaxPool2DBackward0"
    x = np.random.default_rng(2).standard_normal(shape).astype(dtype)
    x.flat[::5] = x.flat[1]  # ties: the first maximum in row-major order takes the index and the gradient
    (o, i), (to, ti) = (lib.nn.functional.adaptive_max_pool2d(lib.tensor(x), size, return_indices=True)
                        for lib in (vg, torch))
    assert i.dtype == vg.int64 and i.tolist() == ti.tolist() and o.tolist() == to.tolist()
    helper_test_op(None, lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, size), vals=[x], dtype=dtype)


def test_adaptive_max_pool_of_nothing_and_of_integers_as_torch():
    """An empty batch or a 0 output size gives an empty result (and gradient); integers are refused."""
    for lib in (vg, torch):
        x = lib.zeros(0, 3, 4, 4, requires_grad=True)
        lib.nn.functional.adaptive_max_pool2d(x, 2).sum().backward()
        assert tuple(x.grad.shape) == (0, 3, 4, 4)
        assert tuple(lib.nn.functional.adaptive_max_pool2d(lib.zeros(1, 4, 4), (0, 2)).shape) == (1, 0, 2)
        assert tuple(lib.nn.functional.adaptive_max_pool1d(lib.zeros(0, 7), 2).shape) == (0, 2)
    for size, error in (((1, 2, 3), ValueError), ((2,), RuntimeError)):  # output sizes of the wrong length
        with pytest.raises(error) as theirs:
            torch.nn.functional.adaptive_max_pool2d(torch.zeros(1, 4, 4), size)
        with pytest.raises(error) as ours:
            vg.nn.functional.adaptive_max_pool2d(vg.zeros(1, 4, 4), size)
        assert str(ours.value) == str(theirs.value)
    for dtype in ("int64", "int32", "bool"):
        with pytest.raises(NotImplementedError) as theirs:
            torch.nn.functional.adaptive_max_pool2d(torch.zeros(1, 4, 4, dtype=getattr(torch, dtype)), 2)
        with pytest.raises(NotImplementedError) as ours:
            vg.nn.functional.adaptive_max_pool2d(vg.zeros(1, 4, 4, dtype=getattr(vg, dtype)), 2)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adaptive_max_pool1d_and_the_modules(dtype):
    for shape in [(2, 3, 11), (3, 11)]:
        helper_test_op([shape], lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x, 4), dtype=dtype)
        helper_test_op([shape], lambda lib, x: lib.nn.AdaptiveMaxPool1d(3)(x), dtype=dtype)
        helper_test_op([shape], lambda lib, x: lib.nn.AdaptiveAvgPool1d(3)(x), dtype=dtype)
    helper_test_op([(2, 3, 8, 6)], lambda lib, x: lib.nn.AdaptiveMaxPool2d((None, 4))(x), dtype=dtype)
    x = np.array([[[1.0, np.nan, 3.0, np.nan, 0.0]]], dtype=dtype)  # PyTorch keeps the last NaN of a window
    (o, i), (to, ti) = (lib.nn.AdaptiveMaxPool1d(2, return_indices=True)(lib.tensor(x)) for lib in (vg, torch))
    assert i.tolist() == ti.tolist() and np.array_equal(np.asarray(o), to.numpy(), equal_nan=True)
    assert repr(vg.nn.AdaptiveMaxPool2d((None, 3))) == repr(torch.nn.AdaptiveMaxPool2d((None, 3)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,kw", [
    ("max_pool1d", dict(kernel_size=2)), ("max_pool1d", dict(kernel_size=3, stride=2, padding=1, dilation=2)),
    ("max_pool1d", dict(kernel_size=3, ceil_mode=True)), ("avg_pool1d", dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool1d", dict(kernel_size=2, ceil_mode=True, count_include_pad=False)),
])
def test_pool1d(fn, kw, dtype):
    for shape in [(2, 3, 11), (3, 11)]:
        helper_test_op([shape], lambda lib, x: getattr(lib.nn.functional, fn)(x, **kw), dtype=dtype)


def test_pools_gradcheck():
    rng = np.random.default_rng(0)
    x = vg.tensor(rng.standard_normal((1, 2, 7, 6)), requires_grad=True)
    F = vg.nn.functional
    assert vg.autograd.gradcheck(lambda t: F.max_pool2d(t, 3, 2, 1, ceil_mode=True), [x])
    assert vg.autograd.gradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False), [x])
    assert vg.autograd.gradcheck(lambda t: F.adaptive_avg_pool2d(t, (4, 5)), [x])
    assert vg.autograd.gradcheck(lambda t: F.adaptive_max_pool2d(t, (4, 5)), [x])
    assert vg.autograd.gradcheck(lambda t: F.adaptive_max_pool1d(t[0], 4), [x])
    assert vg.autograd.gradcheck(lambda t: F.pad(t, (1, -2, 2, 0)), [x])
    assert vg.autograd.gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode="reflect"), [x])


# --- padding and flattening ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pad,kw", [
    ((1, 2), {}), ((1, 2, 0, 3), dict(value=1.5)), ((-1, 2, 1, -2), {}), ((1, 1, 1, 1, 1, 1), {}),
    ((2, 1, 1, 2), dict(mode="reflect")), ((2, 1, 1, 3), dict(mode="replicate")),
    ((2, 1, 1, 2), dict(mode="circular")), ((3, 0), dict(mode="replicate")),
])
def test_pad(pad, kw, dtype):
    shape = (2, 3, 4, 5) if len(pad) != 2 or "mode" not in kw else (3, 4, 5)
    out, theirs = helper_test_op([shape], lambda lib, x: lib.nn.functional.pad(x, pad, **kw), dtype=dtype)
    if kw.get("mode", "constant") == "constant":
        assert out.grad_fn.grad_fn_name() == type(theirs.grad_fn).__name__


def test_flatten_and_nn_flatten():
    helper_test_op([(2, 3, 4, 5)], lambda lib, x: lib.flatten(x, 1))
    helper_test_op([(2, 3, 4, 5)], lambda lib, x: lib.nn.Flatten(0, 1)(x))
    helper_test_op([(2, 3, 4, 5)], lambda lib, x: lib.nn.Flatten()(x))


# --- layers ----------------------------------------------------------------------------------------

def _copy_into(ours, theirs):
    for (name, p), (t_name, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == t_name and tuple(p.shape) == tuple(tp.shape)
        with torch.no_grad():
            tp.copy_(torch.tensor(p.detach().numpy()))


@pytest.mark.parametrize("layer", [
    "Conv2d(3, 6, 5)", "Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2, bias=False)",
    "Conv2d(2, 3, 3, padding='same', dilation=2)", "Conv2d(2, 3, 3, padding=1, padding_mode='reflect')",
    "Conv2d(2, 3, 3, padding=(1, 2), padding_mode='circular')", "Conv1d(3, 4, 3, padding=1, padding_mode='replicate')",
    "Conv1d(3, 4, 3)", "MaxPool2d(2, 2)", "MaxPool2d((2, 2))", "AvgPool2d(3, stride=1, padding=1)",
    "AdaptiveAvgPool2d((2, 3))", "MaxPool1d(2)", "AvgPool1d(2)",
])
def test_layers_equal_torch_with_the_same_weights(layer):
    ours, theirs = eval("vg.nn." + layer), eval("torch.nn." + layer)
    assert repr(ours) == repr(theirs)
    _copy_into(ours, theirs)
    nd = 1 if "1d" in layer else 2
    cin = ours.in_channels if hasattr(ours, "in_channels") else 4
    shape = (2, cin) + (9, 8)[:nd]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    xv, xt = vg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, t_out = ours(xv), theirs(xt)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    g = np.random.default_rng(1).standard_normal(tuple(t_out.shape)).astype(np.float32)
    out.backward(vg.tensor(g))
    t_out.backward(torch.tensor(g))
    np.testing.assert_allclose(xv.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-4)
    # unbatched input: PyTorch adds and removes the batch dim
    np.testing.assert_allclose(ours(vg.tensor(x[0])).detach().numpy(), theirs(torch.tensor(x[0])).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_conv_default_init_bounds_and_state_dict_keys():
    layer = vg.nn.Conv2d(6, 16, 5, groups=2)
    fan_in = 3 * 5 * 5
    assert float(layer.weight.abs().max()) <= 1 / fan_in ** 0.5  # kaiming_uniform(a=√5) gives 1/√fan_in
    assert float(layer.bias.abs().max()) <= 1 / fan_in ** 0.5
    assert float(np.std(layer.weight.detach().numpy())) > 0.3 / fan_in ** 0.5
    assert list(layer.state_dict()) == list(torch.nn.Conv2d(6, 16, 5, groups=2).state_dict())


@pytest.mark.skipif(not HAS_TORCH_RNG, reason="needs PyTorch's generator (the random-numbers work)")
def test_conv_default_init_is_torchs_for_a_seed():
    vg.manual_seed(0)
    torch.manual_seed(0)
    ours = [vg.nn.Conv2d(3, 6, 5), vg.nn.Conv1d(4, 2, 3, groups=2)]
    theirs = [torch.nn.Conv2d(3, 6, 5), torch.nn.Conv1d(4, 2, 3, groups=2)]
    for a, b in zip(ours, theirs):
        for p, tp in zip(a.parameters(), b.parameters()):
            assert p.detach().numpy().tolist() == tp.detach().numpy().tolist()


# --- errors that teach ----------------------------------------------------------------------------

ERRORS = [
    ("conv2d", (1, 1, 32, 32), (6, 3, 5, 5), {}),
    ("conv2d", (1, 3, 2, 2), (6, 3, 5, 5), {}),
    ("conv2d", (1, 3, 4, 4), (6, 3, 3, 3), dict(dilation=2)),
    ("conv2d", (32, 32), (6, 3, 5, 5), {}),
    ("conv1d", (32,), (6, 3, 5), {}),
    ("conv2d", (1, 4, 8, 8), (6, 2, 3, 3), dict(groups=3)),
    ("conv2d", (1, 4, 8, 8), (6, 4, 3, 3), dict(stride=2, padding="same")),
    ("conv2d", (1, 4, 8, 8), (6, 4, 3, 3), dict(padding="foo")),
    ("max_pool2d", (1, 4, 2, 2), 5, {}),
    ("max_pool2d", (1, 4, 8, 8), 2, dict(padding=2)),
    ("max_pool2d", (8,), 2, {}),
    ("adaptive_max_pool2d", (4, 4), 2, {}),
    ("adaptive_max_pool2d", (1, 0, 4), 2, {}),
    ("adaptive_max_pool1d", (4,), 2, {}),
    ("adaptive_max_pool2d", (1, 4, 4), -1, {}),
    ("adaptive_max_pool1d", (1, 4), -2, {}),
    ("avg_pool2d", (1, 4, 8, 8), 2, dict(padding=2)),
    ("pad", (2, 3, 4, 5), (3, 0), dict(mode="replicate")),
]


@pytest.mark.parametrize("fn,x,w,kw", ERRORS)
def test_errors_are_torchs(fn, x, w, kw):
    def call(lib):
        weight = lib.zeros(*w) if isinstance(w, tuple) and fn != "pad" else w
        return getattr(lib.nn.functional, fn)(lib.zeros(*x), weight, **kw)

    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(vg)
    assert str(ours.value) == str(theirs.value)


def test_error_names_the_channels_for_a_layer():
    with pytest.raises(RuntimeError, match=r"Given groups=1, weight of size \[6, 3, 5, 5\], expected "
                       r"input\[1, 1, 32, 32\] to have 3 channels, but got 1 channels instead"):
        vg.nn.Conv2d(3, 6, 5)(vg.zeros(1, 1, 32, 32))
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        vg.nn.Conv2d(3, 6, 5)(vg.zeros(1, 3, 32, 32, dtype=vg.float64))


# --- the blitz's network, devices, memory -----------------------------------------------------------

def test_blitz_cifar_net_one_sgd_step_equals_torch():
    def build(lib):
        nn, F = lib.nn, lib.nn.functional

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1, self.pool, self.conv2 = nn.Conv2d(3, 6, 5), nn.MaxPool2d(2, 2), nn.Conv2d(6, 16, 5)
                self.fc1, self.fc2, self.fc3 = nn.Linear(16 * 5 * 5, 120), nn.Linear(120, 84), nn.Linear(84, 10)

            def forward(self, x):
                x = self.pool(F.relu(self.conv1(x)))
                x = self.pool(F.relu(self.conv2(x)))
                x = lib.flatten(x, 1)
                return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
        return Net()

    ours, theirs = build(vg), build(torch)
    _copy_into(ours, theirs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, 8)
    opts = [vg.optim.SGD(ours.parameters(), lr=0.01, momentum=0.9),
            torch.optim.SGD(theirs.parameters(), lr=0.01, momentum=0.9)]
    for _ in range(3):
        losses = []
        for lib, net, opt in ((vg, ours, opts[0]), (torch, theirs, opts[1])):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(net(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_conv_and_pools_on_each_backend(backend):
    helper_test_op([(2, 4, 9, 8), (6, 2, 3, 3), (6,)],
                   lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, stride=2, padding=1, groups=2),
                   device=backend, **TOL["float32"])
    helper_test_op([(2, 3, 9, 8)], lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1), device=backend)
    helper_test_op([(2, 3, 9, 8)], lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 2, 1), device=backend)
    helper_test_op([(2, 3, 9, 8)], lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, (2, 3)), device=backend)
    helper_test_op([(2, 3, 9, 8)], lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, (2, 3)), device=backend)
    helper_test_op([(2, 3, 9, 8)], lambda lib, x: lib.nn.functional.pad(x, (1, -1, 2, 0)), device=backend)


CNN_RSS = """
import numpy as np
import graphviz_grad as vg
nn, F = vg.nn, vg.nn.functional
net = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                    nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 10))
opt = vg.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
x = vg.tensor(np.random.default_rng(0).standard_normal((16, 3, 32, 32)).astype(np.float32))
y = vg.tensor(np.arange(16) % 10)
for step in range(200):
    opt.zero_grad()
    F.cross_entropy(net(x), y).backward()
    opt.step()
    if step == 20:
        start = rss()
print(start, rss())
"""


@needs_proc_statm
def test_200_cnn_steps_stay_flat_in_rss():
    start, end = run_measuring_rss(CNN_RSS)
    # one step's graph holds ~3 MB of arrays (windows, activations): 180 leaked steps would be ~500 MB
    assert end - start < 16 * 2**20, (start, end)
