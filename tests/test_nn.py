"""graphviz_grad.nn against torch.nn: same weights in, same outputs, gradients, reprs and errors out."""
import re
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import graphviz_grad as vg
import graphviz_grad.nn.functional as F
from graphviz_grad.autograd import hooks
from graphviz_grad.nn.module import label_parameters

DTYPES = [(vg.float32, torch.float32, 1e-5), (vg.float64, torch.float64, 1e-12)]


def tutorial_pair(d_in=20, h=8, d_out=3, vg_dtype=vg.float32, torch_dtype=torch.float32):
    """The tutorial's Sequential in both libraries, with torch's weights copied into ours."""
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(torch.nn.Linear(d_in, h), torch.nn.ReLU(), torch.nn.Linear(h, d_out)).to(torch_dtype)
    model = vg.nn.Sequential(vg.nn.Linear(d_in, h), vg.nn.ReLU(), vg.nn.Linear(h, d_out)).to(vg_dtype)
    copy_weights(t_model, model)
    return t_model, model


def copy_weights(t_model, model):
    state = {k: vg.tensor(v.detach().numpy()) for k, v in t_model.state_dict().items()}
    model.load_state_dict(state)


def close(ours, theirs, rtol):
    ours = ours.detach().numpy() if isinstance(ours, vg.Tensor) else ours
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=rtol, atol=rtol)


class TwoLayerNet(vg.nn.Module):
    def __init__(self, d_in, h, d_out):
        super().__init__()
        self.linear1 = vg.nn.Linear(d_in, h)
        self.linear2 = vg.nn.Linear(h, d_out)

    def forward(self, x):
        return self.linear2(self.linear1(x).clamp(min=0))


def TorchTwoLayerNet(d_in, h, d_out):
    """The same network in torch, under the same class name (reprs and messages name it)."""

    class TwoLayerNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear1 = torch.nn.Linear(d_in, h)
            self.linear2 = torch.nn.Linear(h, d_out)

        def forward(self, x):
            return self.linear2(self.linear1(x).clamp(min=0))

    return TwoLayerNet()


def torch_text(text):
    """A torch message in graphviz_grad's spelling: shapes print as graphviz_grad.Size."""
    return text.replace("torch.Size", "graphviz_grad.Size")


# --- Parameter ---------------------------------------------------------------------------------


def test_parameter_is_a_leaf_tensor_sharing_memory():
    data = vg.tensor([1.0, 2.0])
    p = vg.nn.Parameter(data)
    assert isinstance(p, vg.Tensor) and isinstance(p, vg.nn.Parameter)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert p._data is data._data  # no copy
    assert type(p * 2) is vg.Tensor and type(p.detach()) is vg.Tensor
    assert vg.nn.Parameter(vg.ones(1, name="w")).name == "w"
    (p * p).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), [2.0, 4.0])


def test_parameter_repr_matches_torch():
    for rg in (True, False):
        ours = vg.nn.Parameter(vg.tensor([1.0, 2.5]), requires_grad=rg)
        theirs = torch.nn.Parameter(torch.tensor([1.0, 2.5]), requires_grad=rg)
        assert repr(ours) == repr(theirs)
        assert str(ours) == str(theirs)


def test_parameter_needs_a_tensor_and_a_float_dtype():
    with pytest.raises(TypeError, match="expects a Tensor"):
        vg.nn.Parameter([1.0, 2.0])
    with pytest.raises(RuntimeError, match="floating point"):
        vg.nn.Parameter(vg.tensor([1, 2]))
    assert vg.nn.Parameter(vg.tensor([1, 2]), requires_grad=False).dtype == vg.int64


# --- Linear and the tutorial models ----------------------------------------------------------------


@pytest.mark.parametrize("vg_dtype,torch_dtype,rtol", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4)])
def test_linear_forward_and_grads_match_torch(vg_dtype, torch_dtype, rtol, bias, shape):
    torch.manual_seed(1)
    t_layer = torch.nn.Linear(4, 3, bias=bias).to(torch_dtype)
    layer = vg.nn.Linear(4, 3, bias=bias, dtype=vg_dtype)
    copy_weights(t_layer, layer)
    x_np = np.random.default_rng(0).standard_normal(shape)
    tx = torch.tensor(x_np, dtype=torch_dtype, requires_grad=True)
    x = vg.tensor(x_np, dtype=vg_dtype, requires_grad=True)
    t_out, out = t_layer(tx), layer(x)
    close(out, t_out, rtol)
    (t_out * t_out).sum().backward()
    (out * out).sum().backward()
    close(x.grad, tx.grad, rtol)
    for (name, p), (t_name, tp) in zip(layer.named_parameters(), t_layer.named_parameters()):
        assert name == t_name
        close(p.grad, tp.grad, rtol)


def test_linear_is_one_op():
    layer = vg.nn.Linear(3, 2)
    out = layer(vg.randn(4, 3))
    assert out.grad_fn.__class__.name == "linear"
    assert [t.requires_grad for t in out.grad_fn.inputs] == [False, True, True]


@pytest.mark.parametrize("vg_dtype,torch_dtype,rtol", DTYPES)
def test_tutorial_sequential_loss_and_grads_match_torch(vg_dtype, torch_dtype, rtol):
    t_model, model = tutorial_pair(vg_dtype=vg_dtype, torch_dtype=torch_dtype)
    rng = np.random.default_rng(2)
    x_np, y_np = rng.standard_normal((16, 20)), rng.standard_normal((16, 3))
    t_loss = torch.nn.MSELoss(reduction="sum")(t_model(torch.tensor(x_np, dtype=torch_dtype)),
                                               torch.tensor(y_np, dtype=torch_dtype))
    loss = vg.nn.MSELoss(reduction="sum")(model(vg.tensor(x_np, dtype=vg_dtype)), vg.tensor(y_np, dtype=vg_dtype))
    close(loss, t_loss, rtol)
    t_loss.backward()
    loss.backward()
    for p, tp in zip(model.parameters(), t_model.parameters()):
        close(p.grad, tp.grad, rtol)


def test_numpy_input_is_a_type_error_that_says_how_to_convert():
    with pytest.raises(TypeError, match=re.escape("must be Tensor, not numpy.ndarray (convert it first")):
        vg.nn.Linear(2, 1)(np.ones((3, 2), dtype=np.float32))
    with pytest.raises(TypeError, match="argument 'target' .* must be Tensor"):
        vg.nn.MSELoss()(vg.ones(2), np.ones(2))


def test_linear_input_dtype_mismatch_is_pytorchs_error():
    layer = vg.nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype, but got Double and Float"):
        layer(vg.randn(2, 3, dtype=vg.float64))
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied"):
        layer(vg.randn(2, 4))


# --- default initialisation ---------------------------------------------------------------------


def test_linear_init_is_uniform_within_pytorchs_bound():
    vg.manual_seed(0)
    layer = vg.nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.dtype == np.float32 and w.shape == (300, 400) and b.shape == (300,)
    assert np.abs(w).max() <= bound * (1 + 1e-6) and np.abs(b).max() <= bound * (1 + 1e-6)
    assert np.abs(w).max() > 0.99 * bound  # the whole interval is used
    # U(-a, a): mean 0, std a/sqrt(3)
    assert abs(w.mean()) < 0.01 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound
    # same law as torch's
    t_w = torch.nn.Linear(400, 300).weight.detach().numpy()
    assert abs(t_w.std() - w.std()) < 0.01 * bound


def test_linear_init_is_seeded():
    vg.manual_seed(42)
    a = vg.nn.Linear(5, 4).state_dict()
    vg.manual_seed(42)
    b = vg.nn.Linear(5, 4).state_dict()
    c = vg.nn.Linear(5, 4).state_dict()
    for k in a:
        assert np.array_equal(a[k].numpy(), b[k].numpy())
        assert not np.array_equal(a[k].numpy(), c[k].numpy())


def test_init_functions():
    vg.manual_seed(0)
    w = vg.nn.Parameter(vg.empty(200, 100))
    version = w._version_number
    vg.nn.init.zeros_(w)
    assert w._version_number > version and not w.numpy(force=True).any()
    assert (vg.nn.init.ones_(w).numpy(force=True) == 1).all()
    assert (vg.nn.init.constant_(w, 0.25).numpy(force=True) == 0.25).all()
    n = vg.nn.init.normal_(w, mean=1.0, std=2.0).numpy(force=True)
    assert abs(n.mean() - 1.0) < 0.05 and abs(n.std() - 2.0) < 0.05
    xb = np.sqrt(6 / 300)
    x = vg.nn.init.xavier_uniform_(w).numpy(force=True)
    assert np.abs(x).max() <= xb * (1 + 1e-6) and np.abs(x).max() > 0.99 * xb
    k = vg.nn.init.kaiming_uniform_(w, nonlinearity="relu").numpy(force=True)
    kb = np.sqrt(2) * np.sqrt(3 / 100)
    assert np.abs(k).max() <= kb * (1 + 1e-6) and np.abs(k).max() > 0.99 * kb
    assert w.is_leaf and w.grad_fn is None
    assert vg.nn.init.calculate_gain("tanh") == torch.nn.init.calculate_gain("tanh")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        vg.nn.init.xavier_uniform_(vg.empty(3))


# --- repr -----------------------------------------------------------------------------------------


def test_repr_of_tutorial_sequential_equals_torch():
    model = vg.nn.Sequential(vg.nn.Linear(1000, 100), vg.nn.ReLU(), vg.nn.Linear(100, 10))
    t_model = torch.nn.Sequential(torch.nn.Linear(1000, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
    assert repr(model) == repr(t_model)
    assert str(model) == str(t_model)


def test_repr_of_custom_module_equals_torch():
    assert repr(TwoLayerNet(1000, 100, 10)) == repr(TorchTwoLayerNet(1000, 100, 10))


def test_repr_of_other_modules_equals_torch():
    def pair(build):
        return repr(build(vg.nn)), repr(build(torch.nn))

    builds = [
        lambda nn: nn.Sequential(nn.Linear(2, 3, bias=False), nn.Tanh(), nn.Sigmoid(), nn.Softmax(dim=1),
                                 nn.LogSoftmax(dim=-1), nn.Flatten(), nn.Identity(), nn.ReLU(inplace=True)),
        lambda nn: nn.Sequential(OrderedDict(body=nn.Sequential(nn.Linear(2, 2), nn.ReLU()), head=nn.Linear(2, 1))),
        lambda nn: nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()]),
        lambda nn: nn.ModuleDict({"a": nn.ReLU(), "b": nn.Linear(1, 1)}),
        lambda nn: nn.MSELoss(reduction="sum"),
        lambda nn: nn.CrossEntropyLoss(),
        lambda nn: nn.L1Loss(),
        lambda nn: nn.Sequential(),
        lambda nn: nn.ModuleList(),
    ]
    for build in builds:
        ours, theirs = pair(build)
        assert ours == theirs


def test_extra_repr_is_used():
    class Scale(vg.nn.Module):
        def extra_repr(self):
            return "factor=2"

    assert repr(vg.nn.Sequential(Scale())) == "Sequential(\n  (0): Scale(factor=2)\n)"


# --- tree walks, names and state dicts ---------------------------------------------------------------


def test_named_parameters_and_state_dict_keys_equal_torch():
    for ours, theirs in [
        (TwoLayerNet(4, 3, 2), TorchTwoLayerNet(4, 3, 2)),
        (vg.nn.Sequential(vg.nn.Linear(4, 3), vg.nn.ReLU(), vg.nn.Linear(3, 2)),
         torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))),
    ]:
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
        assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
        assert [type(m).__name__ for m in ours.modules()] == [type(m).__name__ for m in theirs.modules()]
    assert [n for n, _ in TwoLayerNet(4, 3, 2).named_parameters(prefix="model")][0] == "model.linear1.weight"


def test_state_dict_is_detached_and_ordered():
    model = TwoLayerNet(3, 2, 1)
    state = model.state_dict()
    assert isinstance(state, OrderedDict)
    assert all(not t.requires_grad and t.is_leaf and not isinstance(t, vg.nn.Parameter) for t in state.values())
    assert state["linear1.weight"]._data is model.linear1.weight._data  # a view, not a copy
    assert model.state_dict(keep_vars=True)["linear1.weight"] is model.linear1.weight


def test_shared_parameters_are_listed_once():
    shared = vg.nn.Linear(3, 3)
    model = vg.nn.Sequential(shared, vg.nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.children())) == 2
    t_shared = torch.nn.Linear(3, 3)
    t_model = torch.nn.Sequential(t_shared, torch.nn.ReLU(), t_shared)
    assert list(model.state_dict()) == list(t_model.state_dict())


def test_buffers():
    module = vg.nn.Linear(2, 2)
    module.register_buffer("running", vg.zeros(2))
    module.register_buffer("scratch", vg.ones(2), persistent=False)
    assert list(module.state_dict()) == ["weight", "bias", "running"]
    assert [n for n, _ in module.named_buffers()] == ["running", "scratch"]
    module.running = vg.ones(2)
    assert module.state_dict()["running"].tolist() == [1.0, 1.0]
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        module.register_buffer("weight", vg.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'list' object to buffer"):
        module.register_buffer("bad", [1])


def test_load_state_dict_round_trip():
    a, b = TwoLayerNet(4, 3, 2), TwoLayerNet(4, 3, 2)
    x = vg.randn(5, 4)
    assert not np.allclose(a(x).detach().numpy(), b(x).detach().numpy())
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    assert b.linear1.weight._data is not a.linear1.weight._data  # copied, not shared
    assert b.linear1.weight.requires_grad


def _torch_error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return info.value


@pytest.mark.parametrize("edit", ["missing", "unexpected", "size", "both", "not_tensor"])
def test_load_state_dict_errors_match_torch(edit):
    ours, theirs = TwoLayerNet(4, 3, 2), TorchTwoLayerNet(4, 3, 2)

    def edited(state, tensor):
        state = OrderedDict(state)
        if edit in ("missing", "both"):
            del state["linear1.bias"]
        if edit in ("unexpected", "both"):
            state["linear3.weight"] = tensor(np.ones((2, 2), dtype=np.float32))
            state["scale"] = tensor(np.ones(1, dtype=np.float32))
        if edit == "size":
            state["linear2.weight"] = tensor(np.ones((3, 3), dtype=np.float32))
        if edit == "not_tensor":
            state["linear2.bias"] = [1.0, 2.0]
        return state

    expected = _torch_error(lambda: theirs.load_state_dict(edited(theirs.state_dict(), torch.from_numpy)))
    with pytest.raises(type(expected)) as got:
        ours.load_state_dict(edited(ours.state_dict(), vg.from_numpy))
    assert str(got.value) == torch_text(str(expected))


def test_load_state_dict_not_strict_reports_keys_like_torch():
    ours, theirs = vg.nn.Linear(2, 3), torch.nn.Linear(2, 3)
    got = ours.load_state_dict({"weight": vg.ones(3, 2), "extra": vg.ones(1)}, strict=False)
    expected = theirs.load_state_dict({"weight": torch.ones(3, 2), "extra": torch.ones(1)}, strict=False)
    assert got.missing_keys == expected.missing_keys == ["bias"]
    assert got.unexpected_keys == expected.unexpected_keys == ["extra"]
    assert repr(got) == repr(expected)
    assert (ours.weight.detach().numpy() == 1).all()
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        ours.load_state_dict([1, 2])


def test_load_state_dict_assign_replaces_parameters():
    model = vg.nn.Linear(2, 2)
    new = {"weight": vg.ones(2, 2, dtype=vg.float64), "bias": vg.zeros(2, dtype=vg.float64)}
    model.load_state_dict(new, assign=True)
    assert isinstance(model.weight, vg.nn.Parameter) and model.weight.dtype == vg.float64
    assert model.weight.requires_grad


# --- module behaviour -------------------------------------------------------------------------------


def test_zero_grad_train_eval_requires_grad():
    model = TwoLayerNet(3, 2, 1)
    model(vg.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert model.training and model.linear1.training
    model.eval()
    assert not model.training and not model.linear1.training
    model.train()
    assert model.linear2.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train("yes")
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_to_and_float_double_keep_parameter_identity():
    model = TwoLayerNet(3, 2, 1)
    weight = model.linear1.weight
    model(vg.randn(2, 3)).sum().backward()
    assert model.double() is model
    assert model.linear1.weight is weight and weight.dtype == vg.float64 and weight.grad.dtype == vg.float64
    assert model(vg.randn(2, 3, dtype=vg.float64)).dtype == vg.float64
    model.to(vg.float32)
    assert weight.dtype == vg.float32
    model.to("cpu", dtype=vg.float64)
    assert weight.dtype == vg.float64
    model.float().cpu()
    assert weight.dtype == vg.float32 and weight.device == vg.device("cpu")
    model.to(vg.ones(1, dtype=vg.float64))
    assert weight.dtype == vg.float64
    with pytest.raises(TypeError, match="only accepts floating point"):
        model.to(vg.int64)


@pytest.mark.skipif(vg.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match=r"graphviz-grad\[gpu\]"):
        vg.nn.Linear(2, 2).cuda()


def test_apply_visits_children_first_like_torch():
    def order(nn):
        seen = []
        model = nn.Sequential(nn.Sequential(nn.Linear(1, 1), nn.Tanh()), nn.ReLU())
        model.apply(lambda m: seen.append(type(m).__name__))
        return seen

    assert order(vg.nn) == order(torch.nn)


def test_attribute_errors_match_torch():
    class Early(vg.nn.Module):
        def __init__(self):
            self.layer = vg.nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=re.escape("cannot assign module before Module.__init__() call")):
        Early()
    model = vg.nn.Linear(2, 2)
    with pytest.raises(TypeError, match=re.escape("cannot assign 'torch.FloatTensor' as parameter 'weight'")):
        model.weight = vg.ones(2, 2)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'weights'"):
        model.weights
    model.scale = 3  # plain attributes still work
    assert model.scale == 3 and "scale" not in dict(model.named_parameters())
    del model.bias
    assert [n for n, _ in model.named_parameters()] == ["weight"]


def test_missing_forward_is_torchs_error():
    class NoForward(vg.nn.Module):
        def forword(self, x):  # the classic typo
            return x

    class TorchNoForward(torch.nn.Module):
        pass

    expected = _torch_error(lambda: TorchNoForward()(torch.ones(1)))
    with pytest.raises(NotImplementedError) as got:
        NoForward()(vg.ones(1))
    assert str(got.value) == str(expected).replace("TorchNoForward", "NoForward")


def test_sequential_container_protocol():
    a, b, c = vg.nn.Linear(2, 3), vg.nn.ReLU(), vg.nn.Linear(3, 1)
    seq = vg.nn.Sequential(a, b)
    assert len(seq) == 2 and seq[0] is a and seq[-1] is b and list(seq) == [a, b]
    seq.append(c)
    assert seq[2] is c and [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    head = seq[1:]
    assert isinstance(head, vg.nn.Sequential) and list(head) == [b, c]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        seq[3]
    del seq[1]
    assert list(seq._modules) == ["0", "1"] and seq[1] is c
    named = vg.nn.Sequential(OrderedDict(hidden=a, act=b))
    assert named.hidden is a and [n for n, _ in named.named_children()] == ["hidden", "act"]
    out = vg.nn.Sequential(a, b, c)(vg.ones(4, 2))
    assert out.shape == (4, 1)
    with pytest.raises(TypeError, match=re.escape("nn.Sequential(*layers)")):
        vg.nn.Sequential([a, b])
    with pytest.raises(TypeError, match=re.escape("create a layer with nn.ReLU(...)")):
        vg.nn.Sequential(a, vg.nn.ReLU)


def test_module_list_and_dict():
    layers = vg.nn.ModuleList([vg.nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and isinstance(layers[1:], vg.nn.ModuleList)
    layers.append(vg.nn.ReLU())
    holder = vg.nn.Module()
    holder.layers = layers
    assert len(list(holder.parameters())) == 6
    assert [n for n, _ in holder.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    d = vg.nn.ModuleDict({"enc": vg.nn.Linear(2, 2)})
    d["dec"] = vg.nn.Linear(2, 1)
    assert list(d) == ["enc", "dec"] and "dec" in d and len(d) == 2
    assert [n for n, _ in d.named_parameters()] == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    del d["enc"]
    assert list(d.keys()) == ["dec"]


@pytest.mark.parametrize("name", ["ReLU", "Tanh", "Sigmoid", "Identity", "Flatten"])
def test_activation_modules_match_torch(name):
    x_np = np.random.default_rng(3).standard_normal((3, 2, 4)).astype(np.float32)
    tx = torch.tensor(x_np, requires_grad=True)
    x = vg.tensor(x_np, requires_grad=True)
    t_out, out = getattr(torch.nn, name)()(tx), getattr(vg.nn, name)()(x)
    close(out, t_out, 1e-6)
    (t_out * t_out).sum().backward()
    (out * out).sum().backward()
    close(x.grad, tx.grad, 1e-6)


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_modules_match_torch(name, dim):
    x_np = np.random.default_rng(4).standard_normal((3, 5))
    tx, x = torch.tensor(x_np, requires_grad=True), vg.tensor(x_np, requires_grad=True)
    t_out, out = getattr(torch.nn, name)(dim=dim)(tx), getattr(vg.nn, name)(dim=dim)(x)
    close(out, t_out, 1e-12)
    weights = np.arange(15.0).reshape(3, 5)
    (t_out * torch.tensor(weights)).sum().backward()
    (out * vg.tensor(weights)).sum().backward()
    close(x.grad, tx.grad, 1e-12)


def test_softmax_without_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        F.softmax(vg.ones(2, 3))


# --- losses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("vg_dtype,torch_dtype,rtol", DTYPES)
def test_pointwise_losses_match_torch(name, reduction, vg_dtype, torch_dtype, rtol):
    rng = np.random.default_rng(5)
    a_np, b_np = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    ta, tb = (torch.tensor(v, dtype=torch_dtype, requires_grad=True) for v in (a_np, b_np))
    a, b = (vg.tensor(v, dtype=vg_dtype, requires_grad=True) for v in (a_np, b_np))
    t_loss = getattr(torch.nn, name)(reduction=reduction)(ta, tb)
    loss = getattr(vg.nn, name)(reduction=reduction)(a, b)
    assert loss.shape == tuple(t_loss.shape) and loss.dtype == vg_dtype
    close(loss, t_loss, rtol)
    (t_loss * 3).sum().backward()
    (loss * 3).sum().backward()
    close(a.grad, ta.grad, rtol)
    close(b.grad, tb.grad, rtol)


def test_mse_loss_warns_and_broadcasts_like_torch_on_shape_mismatch():
    pred_np, y_np = np.arange(4.0).reshape(4, 1), np.arange(4.0)
    with warnings.catch_warnings(record=True) as t_warn:
        warnings.simplefilter("always")
        t_loss = torch.nn.functional.mse_loss(torch.tensor(pred_np), torch.tensor(y_np))
    with pytest.warns(UserWarning, match="Using a target size") as our_warn:
        loss = F.mse_loss(vg.tensor(pred_np), vg.tensor(y_np))
    close(loss, t_loss, 1e-12)
    assert str(our_warn[0].message) == torch_text(str(t_warn[0].message))
    assert our_warn[0].filename == __file__  # attributed to the user's line
    with pytest.raises(RuntimeError, match=re.escape("The size of tensor a (3) must match the size of tensor b (4)")):
        F.mse_loss(vg.ones(3), vg.ones(4))


def test_mse_loss_promotes_dtypes_like_torch():
    assert F.mse_loss(vg.ones(3), vg.tensor([1, 2, 3])).dtype == vg.float32
    assert F.mse_loss(vg.ones(3), vg.ones(3, dtype=vg.float64)).dtype == vg.float64


def test_invalid_reduction_is_torchs_error():
    expected = _torch_error(lambda: torch.nn.functional.mse_loss(torch.ones(2), torch.ones(2), reduction="avg"))
    with pytest.raises(ValueError) as got:
        vg.nn.MSELoss(reduction="avg")(vg.ones(2), vg.ones(2))
    assert str(got.value) == str(expected)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target_kind", ["indices", "probabilities", "indices_kdim"])
def test_cross_entropy_matches_torch(reduction, target_kind):
    rng = np.random.default_rng(6)
    if target_kind == "indices":
        logits_np, target_np = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    elif target_kind == "indices_kdim":
        logits_np, target_np = rng.standard_normal((2, 4, 3)), rng.integers(0, 4, (2, 3))
    else:
        logits_np = rng.standard_normal((5, 4))
        target_np = rng.random((5, 4))
        target_np /= target_np.sum(1, keepdims=True)
    tl = torch.tensor(logits_np, requires_grad=True)
    logits = vg.tensor(logits_np, requires_grad=True)
    t_loss = torch.nn.CrossEntropyLoss(reduction=reduction)(tl, torch.tensor(target_np))
    loss = vg.nn.CrossEntropyLoss(reduction=reduction)(logits, vg.tensor(target_np))
    close(loss, t_loss, 1e-12)
    (t_loss * 2).sum().backward()
    (loss * 2).sum().backward()
    close(logits.grad, tl.grad, 1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(reduction):
    rng = np.random.default_rng(7)
    logp_np, target_np = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    tl, logp = torch.tensor(logp_np, requires_grad=True), vg.tensor(logp_np, requires_grad=True)
    t_loss = torch.nn.NLLLoss(reduction=reduction)(tl, torch.tensor(target_np))
    loss = vg.nn.NLLLoss(reduction=reduction)(logp, vg.tensor(target_np))
    close(loss, t_loss, 1e-12)
    t_loss.sum().backward()
    loss.sum().backward()
    close(logp.grad, tl.grad, 1e-12)


@pytest.mark.parametrize("target", [
    np.array([[0], [1], [2], [0]]),  # (N, 1): the classic multi-target slip
    np.array([0, 1, 2]),  # wrong batch size
    np.array([0.0, 1.0, 2.0, 1.0]),  # float class indices
    np.array([0, 1, 2, 1], dtype=np.int32),
    np.ones((4, 3), dtype=np.int64),  # same shape as input but not probabilities
])
def test_cross_entropy_target_errors_match_torch(target):
    logits = np.zeros((4, 3), dtype=np.float32)
    expected = _torch_error(lambda: torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target)))
    with pytest.raises(type(expected)) as got:
        F.cross_entropy(vg.tensor(logits), vg.tensor(target))
    assert str(got.value).startswith(str(expected))


def test_functional_linear_and_relu_match_torch():
    rng = np.random.default_rng(8)
    x_np, w_np, b_np = rng.standard_normal((3, 4)), rng.standard_normal((2, 4)), rng.standard_normal(2)
    t_out = torch.nn.functional.relu(torch.nn.functional.linear(*(torch.tensor(v) for v in (x_np, w_np, b_np))))
    out = F.relu(F.linear(*(vg.tensor(v) for v in (x_np, w_np, b_np))))
    close(out, t_out, 1e-12)
    close(F.linear(vg.tensor(x_np), vg.tensor(w_np)), torch.tensor(x_np) @ torch.tensor(w_np).T, 1e-12)
    close(F.log_softmax(vg.tensor(x_np), dim=1), torch.log_softmax(torch.tensor(x_np), 1), 1e-12)
    close(F.tanh(vg.tensor(x_np)), torch.tanh(torch.tensor(x_np)), 1e-12)
    close(F.sigmoid(vg.tensor(x_np)), torch.sigmoid(torch.tensor(x_np)), 1e-12)


# --- the module call path and parameter labels (what recording reads) ---------------------------------


def test_call_path_of_sequential_and_custom_module():
    model = vg.nn.Sequential(vg.nn.Linear(3, 2), vg.nn.ReLU(), vg.nn.Linear(2, 1))
    y = model(vg.randn(4, 3))
    assert y.grad_fn.module == "model.2"
    assert y.grad_fn.inputs[0].grad_fn.module == "model.1"
    assert hooks.state.module is None

    net = TwoLayerNet(3, 2, 1)
    y = net(vg.randn(4, 3))
    assert y.grad_fn.module == "net.linear2"
    clamp = y.grad_fn.inputs[0].grad_fn
    assert clamp.module == "net" and clamp.inputs[0].grad_fn.module == "net.linear1"


def test_call_path_fallbacks():
    def inside_a_function():
        local_model = vg.nn.Linear(2, 2)
        return local_model(vg.randn(1, 2)).grad_fn.module

    assert inside_a_function() == "local_model"
    assert vg.nn.Linear(2, 2)(vg.randn(1, 2)).grad_fn.module == "linear"  # unnamed: class name

    named = vg.nn.Linear(2, 2)
    named._gv_name = "encoder"
    assert named(vg.randn(1, 2)).grad_fn.module == "encoder"

    loss_fn = vg.nn.MSELoss()

    class WithForeignLoss(vg.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = vg.nn.Linear(2, 1)

        def forward(self, x):
            return loss_fn(self.fc(x), vg.zeros(3, 1))  # not a child of this module

    wrapper = WithForeignLoss()
    loss = wrapper(vg.randn(3, 2))
    assert loss.grad_fn.module == "wrapper.mseloss"
    assert loss.grad_fn.inputs[0].grad_fn.module == "wrapper.fc"


def test_call_path_is_restored_after_an_error():
    model = vg.nn.Sequential(vg.nn.Linear(3, 2))
    with pytest.raises(RuntimeError):
        model(vg.randn(4, 5))
    assert hooks.state.module is None
    assert model(vg.randn(1, 3)).grad_fn.module == "model.0"


def test_reused_module_keeps_its_path():
    class DynamicNet(vg.nn.Module):
        def __init__(self):
            super().__init__()
            self.input_linear = vg.nn.Linear(2, 3)
            self.middle_linear = vg.nn.Linear(3, 3)

        def forward(self, x):
            h = self.input_linear(x)
            for _ in range(2):
                h = self.middle_linear(h)
            return h

    dyn = DynamicNet()
    out = dyn(vg.randn(1, 2))
    assert out.grad_fn.module == "dyn.middle_linear"
    assert out.grad_fn.inputs[0].grad_fn.module == "dyn.middle_linear"


def test_parameters_are_labelled_with_dotted_names():
    model = vg.nn.Sequential(vg.nn.Linear(2, 2), vg.nn.ReLU(), vg.nn.Linear(2, 1))
    assert model[0].weight.name == "weight"  # registered inside Linear
    model(vg.randn(1, 2))
    assert [p.name for p in model.parameters()] == [n for n, _ in model.named_parameters()]
    model[0](vg.randn(1, 2))  # calling a child directly keeps the longer label
    assert model[0].weight.name == "0.weight"

    net = TwoLayerNet(2, 2, 1)
    net.linear1.bias.name = "b1"  # the user's own name wins
    net(vg.randn(1, 2))
    assert net.linear1.weight.name == "linear1.weight" and net.linear1.bias.name == "b1"

    label_parameters(net, "model.")
    assert net.linear2.weight.name == "model.linear2.weight" and net.linear1.bias.name == "b1"
    net.linear3 = vg.nn.Linear(1, 1)  # a later registration is labelled on the next call
    net(vg.randn(1, 2))
    assert net.linear3.weight.name == "linear3.weight"
