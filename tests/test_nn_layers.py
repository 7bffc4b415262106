"""nn.Embedding, nn.LayerNorm, nn.BatchNorm1d/2d (and their F functions), buffers and module plumbing
against torch: values and gradients in float32 and float64, finite differences in float64,
the running statistics, state dicts, reprs and errors."""
import numpy as np
import pytest
import torch

import graphviz_grad as vg
import graphviz_grad.nn.functional as F
from conftest import assert_close, helper_test_op

DTYPES = ["float32", "float64"]


def case(name, shapes, fn, **opts):
    return pytest.param(shapes, fn, opts, id=name)


LN_CASES = [
    case("last_dim", [(4, 6)], lambda lib, x: lib.nn.functional.layer_norm(x, (6,))),
    case("affine", [(2, 5, 8), (8,), (8,)], lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (8,), w, b)),
    case("two_dims", [(3, 4, 5), (4, 5), (4, 5)],
         lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (4, 5), w, b, eps=1e-3)),
    case("weight_only", [(6, 7), (7,)], lambda lib, x, w: lib.nn.functional.layer_norm(x, [7], w)),
    case("bias_only", [(6, 7), (7,)], lambda lib, x, b: lib.nn.functional.layer_norm(x, (7,), None, b)),
    case("one_sample", [(9,), (9,), (9,)], lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (9,), w, b)),
]


def _bn(training):
    def fn(lib, x, w, b):
        def stat(low, high):
            return lib.linspace(low, high, x.shape[1], dtype=x.dtype, device=x.device)
        return lib.nn.functional.batch_norm(x, None if training else stat(-1, 1), None if training else stat(0.5, 2),
                                            w, b, training=training, eps=1e-4)
    return fn


BN_CASES = [
    case("train_2d", [(8, 5), (5,), (5,)], _bn(True)),
    case("train_3d", [(4, 3, 6), (3,), (3,)], _bn(True)),
    case("train_4d", [(3, 2, 4, 5), (2,), (2,)], _bn(True)),
    case("eval_2d", [(8, 5), (5,), (5,)], _bn(False)),
    case("eval_4d", [(3, 2, 4, 5), (2,), (2,)], _bn(False)),
    case("train_no_affine", [(6, 4)], lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True)),
    case("train_bias_only", [(6, 4), (4,)],
         lambda lib, x, b: lib.nn.functional.batch_norm(x, None, None, None, b, training=True)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes, fn, opts", LN_CASES + BN_CASES)
def test_normalization_matches_torch(shapes, fn, opts, dtype, backend):
    rtol = 1e-4 if dtype == "float32" else None  # sums of squares over a row, in float32
    helper_test_op(shapes, fn, dtype=dtype, device=backend, rtol=rtol, atol=1e-5 if rtol else None, **opts)


@pytest.mark.parametrize("shapes, fn, opts", LN_CASES + BN_CASES)
def test_normalization_gradcheck(shapes, fn, opts, backend):
    rng = np.random.default_rng(7)
    inputs = [vg.tensor(rng.uniform(-2, 2, s), device=backend, requires_grad=True) for s in shapes]
    assert vg.autograd.gradcheck(lambda *xs: fn(vg, *xs), inputs)


def test_grad_fn_names_are_torchs():
    x, w = vg.randn(4, 3, requires_grad=True), vg.ones(3, requires_grad=True)
    assert type(F.layer_norm(x, (3,), w, w).grad_fn).__name__ != ""  # a node
    assert F.layer_norm(x, (3,), w, w).grad_fn.name_of() == "NativeLayerNormBackward0"
    assert F.batch_norm(x, None, None, w, w, True).grad_fn.name_of() == "NativeBatchNormBackward0"
    table = vg.nn.Embedding(5, 2)
    assert table(vg.tensor([1])).grad_fn.name_of() == "EmbeddingBackward0"


# --- embedding ------------------------------------------------------------------------------------


def _embedding_pair(num, dim, dtype, padding_idx=None, seed=0, **kwargs):
    weight = np.random.default_rng(seed).standard_normal((num, dim)).astype(dtype)
    ours = vg.nn.Embedding(num, dim, padding_idx=padding_idx, dtype=getattr(vg, dtype), **kwargs)
    theirs = torch.nn.Embedding(num, dim, padding_idx=padding_idx, dtype=getattr(torch, dtype), **kwargs)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(weight))
    ours.load_state_dict({"weight": vg.tensor(weight)})
    return ours, theirs


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("num,dim,shape", [(27, 10, (32, 3)), (65, 16, (4, 8)), (3000, 8, (64, 16)),
                                           (7, 3, ()), (7, 3, (0,))],
                         ids=["makemore", "gpt", "big_table_sorted_path", "scalar_index", "empty"])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch(num, dim, shape, padding_idx, dtype):
    ours, theirs = _embedding_pair(num, dim, dtype, padding_idx)
    idx = np.random.default_rng(1).integers(0, num, size=shape)
    if idx.size:
        idx.reshape(-1)[:3] = 2  # duplicates, and the padding row
    out, t_out = ours(vg.tensor(idx)), theirs(torch.tensor(idx))
    assert_close(out, t_out, 0, 0)
    g = np.random.default_rng(2).standard_normal(t_out.shape).astype(dtype)
    out.backward(vg.tensor(g))
    t_out.backward(torch.tensor(g))
    rtol = 1e-5 if dtype == "float32" else 1e-12
    assert_close(ours.weight.grad, theirs.weight.grad, rtol, rtol, "weight gradient")


def test_embedding_int32_indices_and_scale_grad_by_freq():
    ours, theirs = _embedding_pair(6, 4, "float64", scale_grad_by_freq=True)
    idx = np.array([[0, 0, 1], [5, 0, 1]], dtype=np.int32)
    out, t_out = ours(vg.tensor(idx)), theirs(torch.tensor(idx))
    (out * out).sum().backward()
    (t_out * t_out).sum().backward()
    assert_close(ours.weight.grad, theirs.weight.grad, 1e-12, 1e-12)
    assert repr(ours) == repr(theirs)


def test_embedding_max_norm_renormalises_rows_like_torch():
    ours, theirs = _embedding_pair(6, 4, "float64", max_norm=1.0)
    idx = np.array([0, 2, 2, 5])
    ours(vg.tensor(idx)).sum().backward()
    theirs(torch.tensor(idx)).sum().backward()
    assert_close(ours.weight, theirs.weight, 1e-12, 1e-12)
    assert_close(ours.weight.grad, theirs.weight.grad, 1e-12, 1e-12)


def test_embedding_gradcheck():
    weight = vg.tensor(np.random.default_rng(0).standard_normal((5, 3)), requires_grad=True)
    idx = vg.tensor([[0, 4, 0], [2, 2, 2]])
    assert vg.autograd.gradcheck(lambda w: F.embedding(idx, w), [weight])
    (F.embedding(idx, weight, padding_idx=2) ** 2).sum().backward()  # (no gradcheck: the padding row
    assert not weight.grad[2].any() and weight.grad[0].all()          # gets none on purpose)


def test_embedding_default_init_is_normal_with_a_zero_padding_row():
    vg.manual_seed(0)
    table = vg.nn.Embedding(1000, 10, padding_idx=3)
    w = table.weight.detach().numpy()
    assert (w[3] == 0).all()
    assert abs(w.mean()) < 0.05 and abs(w.std() - 1) < 0.05
    assert table.weight.requires_grad and [n for n, _ in table.named_parameters()] == ["weight"]


def test_embedding_errors_name_the_index_and_the_table():
    table, t_table = vg.nn.Embedding(27, 10), torch.nn.Embedding(27, 10)
    for bad in ([3, 27], [-1, 0]):
        with pytest.raises(IndexError):
            t_table(torch.tensor(bad))
        with pytest.raises(IndexError, match="index out of range in self") as err:
            table(vg.tensor(bad))
        assert str(bad[0] if bad[0] < 0 else bad[1]) in str(err.value) and "27 rows" in str(err.value)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types: Long, Int"):
        table(vg.tensor([1.0]))


def test_embedding_from_pretrained():
    table = vg.nn.Embedding.from_pretrained(vg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not table.weight.requires_grad
    assert table(vg.tensor([1])).tolist() == [[3.0, 4.0]]


def test_embedding_on_the_makemore_mlp_matches_torch():
    """C[X] as nn.Embedding, then the MLP and cross-entropy, one step with the same weights."""
    rng = np.random.default_rng(0)
    X, Y = rng.integers(0, 27, (32, 3)), rng.integers(0, 27, 32)
    nets = {}
    for lib in (vg, torch):
        lib.manual_seed(0)
        nets[lib] = lib.nn.Sequential(lib.nn.Linear(30, 200, bias=False), lib.nn.BatchNorm1d(200), lib.nn.Tanh(),
                                      lib.nn.Linear(200, 27)).double()
        nets[lib].C = lib.nn.Embedding(27, 10).double()
    nets[vg].load_state_dict({k: vg.tensor(v.numpy()) for k, v in nets[torch].state_dict().items()})
    losses = {}
    for lib in (vg, torch):
        net = nets[lib]
        emb = net.C(lib.tensor(X))
        h = emb.view(emb.shape[0], -1)
        for layer in list(net)[:4]:
            h = layer(h)
        losses[lib] = lib.nn.functional.cross_entropy(h, lib.tensor(Y))
        losses[lib].backward()
    np.testing.assert_allclose(losses[vg].item(), losses[torch].item(), rtol=1e-12)
    t_params = dict(nets[torch].named_parameters())
    for name, p in nets[vg].named_parameters():
        assert_close(p.grad, t_params[name].grad, 1e-10, 1e-12, name)


# --- modules with state ---------------------------------------------------------------------------


def _load_same(ours, theirs):
    ours.load_state_dict({k: vg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cls,shape,kwargs", [
    ("BatchNorm1d", (16, 6), {}),
    ("BatchNorm1d", (8, 4, 5), {"momentum": 0.3}),
    ("BatchNorm1d", (10, 6), {"momentum": None}),
    ("BatchNorm1d", (10, 6), {"affine": False}),
    ("BatchNorm1d", (10, 6), {"bias": False}),
    ("BatchNorm1d", (10, 6), {"track_running_stats": False}),
    ("BatchNorm2d", (4, 3, 5, 5), {"eps": 1e-3}),
])
def test_batchnorm_module_trains_and_evaluates_like_torch(cls, shape, kwargs, dtype):
    rtol = 1e-5 if dtype == "float32" else 1e-12
    torch.manual_seed(0)
    theirs = getattr(torch.nn, cls)(shape[1], dtype=getattr(torch, dtype), **kwargs)
    ours = getattr(vg.nn, cls)(shape[1], dtype=getattr(vg, dtype), **kwargs)
    if theirs.weight is not None:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            if theirs.bias is not None:
                theirs.bias.uniform_(-0.5, 0.5)
    _load_same(ours, theirs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(3)
    for step in range(4):
        x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
        tx, vx = torch.tensor(x, requires_grad=True), vg.tensor(x, requires_grad=True)
        t_out, out = theirs(tx), ours(vx)
        assert_close(out, t_out, rtol, rtol, f"output at step {step}")
        g = rng.standard_normal(shape).astype(dtype)
        t_out.backward(torch.tensor(g))
        out.backward(vg.tensor(g))
        assert_close(vx.grad, tx.grad, 1e-4 if dtype == "float32" else 1e-10, rtol, "input gradient")
        for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
            assert_close(p.grad, tp.grad, 1e-4 if dtype == "float32" else 1e-10, rtol, name)
    for (name, b), tb in zip(ours.named_buffers(), theirs.buffers()):
        assert_close(b, tb, rtol, rtol, name)
    ours.eval(), theirs.eval()
    x = rng.standard_normal(shape).astype(dtype)
    tx, vx = torch.tensor(x, requires_grad=True), vg.tensor(x, requires_grad=True)
    t_out, out = theirs(tx), ours(vx)
    assert_close(out, t_out, rtol, rtol, "eval output")
    t_out.sum().backward()
    out.sum().backward()
    assert_close(vx.grad, tx.grad, rtol, rtol, "eval input gradient")
    for (name, b), tb in zip(ours.named_buffers(), theirs.buffers()):
        assert_close(b, tb, rtol, rtol, f"{name} after eval (unchanged)")


def test_batchnorm_running_stats_are_buffers_updated_in_place():
    bn = vg.nn.BatchNorm1d(3)
    mean = bn.running_mean
    version = mean._version[0]
    bn(vg.randn(5, 3))
    assert bn.running_mean is mean and mean._version[0] == version + 1
    assert int(bn.num_batches_tracked) == 1 and bn.num_batches_tracked.dtype == vg.int64
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    bn.double()
    assert bn.running_var.dtype == vg.float64 and bn.num_batches_tracked.dtype == vg.int64
    bn.eval()
    with vg.no_grad():
        out = bn(vg.randn(1, 3, dtype=vg.float64))  # a batch of one is fine in eval
    assert out.shape == (1, 3) and int(bn.num_batches_tracked) == 1


def test_batchnorm_errors_match_torch():
    for make, x in ((lambda lib: lib.nn.BatchNorm1d(3), (1, 3)), (lambda lib: lib.nn.BatchNorm1d(3), (2, 3, 4, 5)),
                    (lambda lib: lib.nn.BatchNorm2d(3), (2, 3, 4)), (lambda lib: lib.nn.BatchNorm1d(3), (4, 5))):
        with pytest.raises(Exception) as theirs:
            make(torch)(torch.randn(*x))
        with pytest.raises(type(theirs.value)) as ours:
            make(vg)(vg.randn(*x))
        assert str(ours.value).replace("graphviz_grad.Size", "torch.Size").startswith(str(theirs.value))


def test_layernorm_module_matches_torch():
    for kwargs in ({}, {"bias": False}, {"elementwise_affine": False}, {"eps": 1e-3}):
        theirs = torch.nn.LayerNorm((4, 8), **kwargs)
        ours = vg.nn.LayerNorm((4, 8), **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        if theirs.weight is not None:
            with torch.no_grad():
                theirs.weight.uniform_(0.5, 1.5)
            _load_same(ours, theirs)
        x = np.random.default_rng(0).standard_normal((2, 3, 4, 8)).astype(np.float32)
        assert_close(ours(vg.tensor(x)), theirs(torch.tensor(x)), 1e-5, 1e-5)
    assert repr(vg.nn.LayerNorm(64)) == repr(torch.nn.LayerNorm(64))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.LayerNorm(3)(torch.randn(4, 5))
    with pytest.raises(RuntimeError) as ours:
        vg.nn.LayerNorm(3)(vg.randn(4, 5))
    assert str(ours.value) == str(theirs.value)


def test_reprs_are_torchs():
    for make in (lambda lib: lib.nn.Embedding(27, 10), lambda lib: lib.nn.Embedding(5, 2, padding_idx=0),
                 lambda lib: lib.nn.LayerNorm(64), lambda lib: lib.nn.BatchNorm1d(200),
                 lambda lib: lib.nn.BatchNorm2d(4, momentum=None, affine=False),
                 lambda lib: lib.nn.Sequential(lib.nn.Embedding(3, 2), lib.nn.Identity(), lib.nn.Softmax(dim=-1))):
        assert repr(make(vg)) == repr(make(torch))


# --- buffers, containers, modes ---------------------------------------------------------------------


class Head:
    """The GPT lesson's attention head, written once for both libraries."""

    @staticmethod
    def make(lib, block_size=4, n_embd=6, head_size=3):
        class _Head(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.key = lib.nn.Linear(n_embd, head_size, bias=False)
                self.register_buffer("tril", lib.ones(block_size, block_size))  # (tril: another engineer's op)
                self.register_buffer("scratch", lib.zeros(2), persistent=False)

            def forward(self, x):
                return self.key(x) * self.tril.sum()
        return _Head()


def test_register_buffer_as_torch():
    ours, theirs = Head.make(vg), Head.make(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["tril", "key.weight"]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()] == ["tril", "scratch"]
    assert [n for n, _ in ours.named_parameters()] == ["key.weight"]
    assert not ours.tril.requires_grad
    ours.double()
    assert ours.tril.dtype == vg.float64 and ours.scratch.dtype == vg.float64
    state = {k: v.clone() for k, v in ours.state_dict().items()}
    with vg.no_grad():
        ours.tril.fill_(0)
    ours.load_state_dict(state)
    assert ours.tril.sum().item() == 16.0
    with pytest.raises(KeyError):
        ours.register_buffer("key", vg.zeros(1))
    with pytest.raises(TypeError):
        ours.register_buffer("bad", [1, 2])


def test_module_list_and_apply_as_torch():
    for lib in (vg, torch):
        layers = lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)])
        first = layers[0]
        assert layers[-3] is first and len(layers[1:]) == 2 and isinstance(layers[1:], lib.nn.ModuleList)
        layers.append(lib.nn.Tanh())
        layers += [lib.nn.ReLU()]
        layers.extend([lib.nn.Identity()])
        layers.insert(0, lib.nn.Sigmoid())
        assert [type(m).__name__ for m in layers] == ["Sigmoid", "Linear", "Linear", "Linear", "Tanh", "ReLU",
                                                     "Identity"]
    order = {}
    for lib in (vg, torch):
        model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Sequential(lib.nn.Tanh(), lib.nn.Linear(2, 1)))
        seen = []
        assert model.apply(lambda m: seen.append(type(m).__name__)) is model
        order[lib] = seen
    assert order[vg] == order[torch]


def test_train_eval_flags_and_zero_grad_default_like_torch():
    model = vg.nn.Sequential(vg.nn.Linear(2, 2), vg.nn.BatchNorm1d(2))
    assert model.training and model[1].training
    model.eval()
    assert not model.training and not model[1].training
    model.train()
    model(vg.randn(3, 2)).sum().backward()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())  # set_to_none=True, torch 2's default
    model(vg.randn(3, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in model.parameters())


def test_no_grad_decorator_on_a_function():
    w = vg.ones(2, requires_grad=True)

    @vg.no_grad()
    def estimate(x):
        return (x * w).sum()

    assert not estimate(vg.ones(2)).requires_grad
    assert (vg.ones(2) * w).requires_grad


# --- cross_entropy on language-model shapes -----------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, {"ignore_index": 3}, {"label_smoothing": 0.1}, {"reduction": "sum"}],
                         ids=["plain", "ignore_index", "label_smoothing", "sum"])
def test_cross_entropy_on_flattened_sequences_matches_torch(kwargs, dtype):
    B, T, C = 4, 8, 27
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((B, T, C)).astype(dtype)
    targets = rng.integers(0, C, (B, T))
    targets[0, :3] = 3
    t_logits, v_logits = torch.tensor(logits, requires_grad=True), vg.tensor(logits, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy(t_logits.view(B * T, C), torch.tensor(targets).view(B * T), **kwargs)
    loss = F.cross_entropy(v_logits.view(B * T, C), vg.tensor(targets).view(B * T), **kwargs)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    assert_close(loss, t_loss, rtol, rtol)
    t_loss.backward()
    loss.backward()
    assert_close(v_logits.grad, t_logits.grad, rtol, rtol)


def test_cross_entropy_with_class_probabilities_of_the_input_shape():
    rng = np.random.default_rng(1)
    logits, probs = rng.standard_normal((6, 5)), rng.dirichlet(np.ones(5), 6)
    tl, vl = torch.tensor(logits, requires_grad=True), vg.tensor(logits, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy(tl, torch.tensor(probs), label_smoothing=0.2)
    loss = F.cross_entropy(vl, vg.tensor(probs), label_smoothing=0.2)
    assert_close(loss, t_loss, 1e-12, 1e-12)
    t_loss.backward(), loss.backward()
    assert_close(vl.grad, tl.grad, 1e-12, 1e-12)


@pytest.mark.parametrize("input_shape,target_shape,is_float,hint", [
    ((4, 5, 27), (4, 5), False, "logits.view(B*T, C) -> [20, 27] and targets.view(B*T) -> [20]"),
    ((20, 27), (4, 5), False, "target.view(-1)"),
    ((4, 5, 27), (20,), False, "logits.view(-1, 27)"),
    ((4, 5), (4, 3), True, "the target must have shape [4] (class indices) or [4, 5] (class probabilities)"),
    ((4, 5), (4,), True, "class probabilities must have the input's shape [4, 5]"),
], ids=["BTC_without_view", "targets_not_flattened", "logits_not_flattened", "float_wrong_shape", "float_indices"])
def test_cross_entropy_shape_errors_are_torchs_with_a_hint(input_shape, target_shape, is_float, hint):
    def target(lib):
        return lib.rand(*target_shape) if is_float else lib.randint(0, 3, target_shape)
    with pytest.raises(Exception) as theirs:
        torch.nn.functional.cross_entropy(torch.randn(*input_shape), target(torch))
    with pytest.raises(type(theirs.value)) as ours:
        F.cross_entropy(vg.randn(*input_shape), target(vg))
    assert str(ours.value).startswith(str(theirs.value))
    assert hint in str(ours.value)


# --- memory ----------------------------------------------------------------------------------------

def test_parameter_list_as_torch():
    made = {}
    for lib in (vg, torch):
        class Model(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.ps = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(3, 4)), lib.zeros(2)])

        model = Model()
        model.ps.append(lib.ones(5))
        model.ps += [lib.nn.Parameter(lib.zeros(1))]
        made[lib] = model
    ours, theirs = made[vg], made[torch]
    assert repr(ours).replace("graphviz_grad.", "torch.") == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["ps.0", "ps.1", "ps.2", "ps.3"]
    assert all(isinstance(p, vg.nn.Parameter) and p.requires_grad for p in ours.ps)
    assert ours.ps[-1] is list(ours.parameters())[-1] and len(ours.ps[1:3]) == 2
    ours.ps[0] = vg.nn.Parameter(vg.zeros(2, 2))
    assert ours.ps[0].shape == (2, 2) and len(ours.ps) == 4


def test_recorded_layers_are_one_node_each_with_short_labels():
    vg.manual_seed(0)
    C, lin, bn, ln = vg.nn.Embedding(27, 10, padding_idx=0), vg.nn.Linear(30, 20), vg.nn.BatchNorm1d(20), \
        vg.nn.LayerNorm(20)
    opt = vg.optim.AdamW([C.weight, *lin.parameters(), *bn.parameters(), *ln.parameters()])
    with vg.record() as tape:
        loss = F.cross_entropy(ln(bn(lin(C(vg.randint(0, 27, (8, 3))).view(8, -1)))).tanh(), vg.randint(0, 20, (8,)))
        opt.zero_grad()
        loss.backward()
        vg.nn.utils.clip_grad_norm_(lin.parameters(), 1.0)
        opt.step()
    G = tape.graph()
    labels = {d["op"]: d["label"] for _, d in G.nodes(data=True) if d["kind"] == "op"}
    assert labels["embedding"] == "embedding padding_idx=0"
    assert labels["layer_norm"] == "layer_norm normalized_shape=(20,)"
    assert labels["batch_norm"].startswith("batch_norm training=True")
    assert "digraph" in G.to_dot()


@pytest.mark.parametrize("shape", [(32, 3), (5,), (), (0,), (4000,)], ids=["makemore", "vector", "scalar", "empty",
                                                                           "sorted_path"])
def test_table_indexed_by_an_integer_tensor_accumulates_like_torch(shape):
    """makemore's C[X] (the Index op, not nn.Embedding) shares the embedding's accumulation."""
    rng = np.random.default_rng(0)
    table, idx = rng.standard_normal((27, 10)), rng.integers(-27, 27, shape)
    C, tC = vg.tensor(table, requires_grad=True), torch.tensor(table, requires_grad=True)
    (C[vg.tensor(idx)] ** 2).sum().backward()
    (tC[torch.tensor(idx)] ** 2).sum().backward()
    assert_close(C.grad, tC.grad, 1e-12, 1e-12)


@pytest.mark.parametrize("num", [27, 3000], ids=["one_hot_path", "scatter_path"])
def test_embedding_on_each_backend(num, backend):
    rng = np.random.default_rng(0)
    weight, idx = rng.standard_normal((num, 8)), rng.integers(0, num, (64, 16))
    idx[0, :4] = 5
    w = vg.tensor(weight, device=backend, requires_grad=True)
    tw = torch.tensor(weight, requires_grad=True)
    out = F.embedding(vg.tensor(idx, device=backend), w)
    t_out = torch.nn.functional.embedding(torch.tensor(idx), tw)
    assert out.device.type == backend
    (out * out).sum().backward()
    (t_out * t_out).sum().backward()
    assert_close(out, t_out, 0, 0)
    assert_close(w.grad, tw.grad, 1e-12, 1e-12)


def test_a_gpt_trains_like_torch_with_the_same_weights():
    """The lesson's GPT (embeddings, LayerNorm, attention heads in a ModuleList, register_buffer, AdamW,
    cross_entropy on (B*T, C)), float64, the same weights: the same losses and parameters over 3 steps."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_layers.py"
    spec = importlib.util.spec_from_file_location("bench_layers_for_test", path)
    bench = importlib.util.module_from_spec(spec)
    import sys
    sys.path.insert(0, str(path.parent))  # (bench_layers imports bench_engine)
    try:
        spec.loader.exec_module(bench)
    finally:
        sys.path.remove(str(path.parent))
    gpt_model = bench.gpt_model

    built = {lib: gpt_model(lib, B=2, T=8, n_embd=16, n_head=2, n_layer=2, vocab=11) for lib in (vg, torch)}
    (ours, idx, targets), (theirs, t_idx, t_targets) = built[vg], built[torch]
    theirs.double()
    ours.double()
    ours.load_state_dict({k: vg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    opt, t_opt = vg.optim.AdamW(ours.parameters(), lr=1e-2), torch.optim.AdamW(theirs.parameters(), lr=1e-2)
    for _ in range(3):
        loss, t_loss = ours(idx, targets), theirs(t_idx, t_targets)
        np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-10)
        opt.zero_grad(set_to_none=True), t_opt.zero_grad(set_to_none=True)
        loss.backward(), t_loss.backward()
        opt.step(), t_opt.step()
    t_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p, t_params[name], 1e-9, 1e-10, name)


@pytest.mark.parametrize("fn,shape", [("dropout2d", (2, 3, 4, 5)), ("dropout2d", (3, 2, 2)), ("dropout2d", (5, 4)),
                                      ("dropout1d", (4, 5, 3)), ("dropout1d", (3, 2))])
@pytest.mark.parametrize("p", [0.3, 0.5, 1.0])
def test_channel_dropout_is_torchs(fn, shape, p):
    """Whole channels zeroed, one draw per (sample, channel) from the generator as PyTorch draws them: the
    same output, gradient, warnings (3-D or 2-D input to dropout2d) and the next random number."""
    import warnings

    seen = []
    for lib in (vg, torch):
        lib.manual_seed(7)
        x = lib.arange(float(np.prod(shape))).reshape(shape).requires_grad_()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = getattr(lib.nn.functional, fn)(x, p)
        y.sum().backward()
        seen.append((np.asarray(y.detach()).tolist(), np.asarray(x.grad).tolist(),
                     [str(w.message) for w in caught], lib.rand(1).item()))
    assert seen[0] == seen[1]


def test_channel_dropout_modules_and_errors_as_torch():
    for lib in (vg, torch):
        assert repr(lib.nn.Dropout2d(0.3)) == "Dropout2d(p=0.3, inplace=False)"
        module = lib.nn.Dropout1d(0.5).eval()
        x = lib.ones(2, 3, 4)
        assert module(x) is x  # eval mode: the identity
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.functional.dropout1d(torch.ones(2, 2, 2, 2))
    with pytest.raises(RuntimeError) as ours:
        vg.nn.functional.dropout1d(vg.ones(2, 2, 2, 2))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("call", [
    lambda L, x: L.nn.functional.batch_norm(x, None, None, L.ones(3, dtype=L.float64), None, training=True),
    lambda L, x: L.nn.functional.batch_norm(x.double(), L.zeros(3), L.ones(3)),
    lambda L, x: L.nn.functional.layer_norm(x, (3,), L.ones(3, dtype=L.float64)),
    lambda L, x: L.nn.BatchNorm1d(3)(x.double()),
    lambda L, x: L.nn.LayerNorm(3)(x.double()),
])
def test_norms_refuse_mixed_dtypes_as_pytorch(call):
    """A float64 input through a float32 normalization layer (or the reverse): PyTorch's CPU error."""
    import torch

    with pytest.raises(RuntimeError) as expected:
        call(torch, torch.randn(4, 3))
    with pytest.raises(RuntimeError) as ours:
        call(vg, vg.randn(4, 3))
    assert str(ours.value).startswith(str(expected.value))
