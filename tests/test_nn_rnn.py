"""nn.RNN, nn.LSTM, nn.GRU and their cells against torch: default weights bit for bit, parameter names and
order, values and gradients (input, h0/c0, every weight) in float32 and float64, dropout between layers,
finite differences in float64, PyTorch's errors, and the recording of a cell run over time steps."""
import warnings

import numpy as np
import pytest
import torch

import graphviz_grad as vg
from conftest import assert_close

DTYPES = ["float32", "float64"]
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
TOL = {"float32": (2e-5, 2e-6), "float64": (1e-10, 1e-11)}


def _pair(name, args, kwargs, dtype="float64", device="cpu"):
    """(ours, torch's) layer of class ``name`` with torch's weights copied into ours."""
    theirs = getattr(torch.nn, name)(*args, **kwargs).to(getattr(torch, dtype))
    ours = getattr(vg.nn, name)(*args, **kwargs)
    ours.load_state_dict({k: vg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours.to(device=device, dtype=getattr(vg, dtype)), theirs


def _flat(out):
    """The tensors of an output such as ``(output, (h_n, c_n))``, in order (iterative)."""
    flat, stack = [], [out]
    while stack:
        item = stack.pop()
        if isinstance(item, (tuple, list)):
            stack.extend(reversed(item))
        else:
            flat.append(item)
    return flat


def _compare(ours, theirs, arrays, call, dtype, device="cpu"):
    """Run ``call(layer, *inputs)`` on both with inputs from ``arrays``; compare every output, then the
    gradients of every input and parameter after backward from random upstream gradients."""
    rtol, atol = TOL[dtype]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    v_in = [vg.tensor(a, device=device, requires_grad=True) for a in arrays]
    t_out, v_out = _flat(call(theirs, *t_in)), _flat(call(ours, *v_in))
    assert len(t_out) == len(v_out)
    rng = np.random.default_rng(5)
    seeds = [rng.uniform(-1, 1, tuple(t.shape)).astype(dtype) for t in t_out]
    for i, (o, t) in enumerate(zip(v_out, t_out)):
        assert o.device.type == device
        assert_close(o, t, rtol, atol, f"output {i}")
    torch.autograd.backward(t_out, [torch.tensor(g) for g in seeds])
    vg.autograd.backward(v_out, [vg.tensor(g, device=device) for g in seeds])
    for i, (o, t) in enumerate(zip(v_in, t_in)):
        assert_close(o.grad, t.grad, rtol, atol, f"gradient of input {i}")
    for (name, p), (t_name, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert name == t_name
        assert_close(p.grad, q.grad, rtol, atol, f"gradient of {name}")
    return v_out, t_out


def _arrays(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.5, 1.5, s).astype(dtype) for s in shapes]


# --- construction: names, shapes, order, default weights --------------------------------------------------------

LAYERS = [
    ("RNN", (3, 5), {}),
    ("RNN", (3, 5, 2, "relu"), {"bias": False}),
    ("LSTM", (3, 5, 2), {}),
    ("LSTM", (3, 5, 2), {"bidirectional": True, "proj_size": 2}),
    ("LSTM", (4, 6), {"bias": False, "proj_size": 3, "batch_first": True}),
    ("GRU", (3, 5, 3), {"bidirectional": True, "dropout": 0.25}),
    ("GRU", (2, 4), {"bias": False}),
    ("RNNCell", (3, 5), {}),
    ("RNNCell", (3, 5), {"bias": False, "nonlinearity": "relu"}),
    ("LSTMCell", (3, 5), {}),
    ("GRUCell", (3, 5), {"bias": False}),
]


@pytest.mark.parametrize("name, args, kwargs", LAYERS)
def test_default_weights_names_and_repr_are_torchs(name, args, kwargs):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    vg.manual_seed(0)
    ours = getattr(vg.nn, name)(*args, **kwargs)
    t_params, v_params = list(theirs.named_parameters()), list(ours.named_parameters())
    assert [(n, tuple(p.shape)) for n, p in v_params] == [(n, tuple(p.shape)) for n, p in t_params]
    for (n, p), (_, q) in zip(v_params, t_params):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), f"{n} differs from torch's"
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    assert list(ours.children()) == []
    # the generator is where torch's is afterwards
    assert np.array_equal(vg.rand(3).numpy(), torch.rand(3).numpy())


def test_lstm_3_5_2_is_torchs_bit_for_bit_and_all_weights():
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 5, 2)
    vg.manual_seed(0)
    ours = vg.nn.LSTM(3, 5, 2)
    assert [[tuple(w.shape) for w in ws] for ws in ours.all_weights] == [
        [tuple(w.shape) for w in ws] for ws in theirs.all_weights]
    for a, b in zip(ours.parameters(), theirs.parameters()):
        assert a.dtype == vg.float32
        assert a.detach().numpy().tobytes() == b.detach().numpy().tobytes()
    ours.flatten_parameters()  # PyTorch's cuDNN call: nothing to do, but it exists
    assert ours.weight_ih_l0.name == "weight_ih_l0"


# --- values and gradients --------------------------------------------------------------------------------------

SEQ = [  # (class, args, kwargs, batched, with a given initial state)
    ("RNN", (3, 4), {}, True, False),
    ("RNN", (3, 4, 2, "relu"), {}, True, True),
    ("RNN", (3, 4, 2), {"bidirectional": True, "batch_first": True}, True, True),
    ("RNN", (3, 4), {"bias": False}, False, True),
    ("LSTM", (3, 5), {}, True, False),
    ("LSTM", (3, 5, 2), {}, True, True),
    ("LSTM", (3, 5, 2), {"bidirectional": True}, True, True),
    ("LSTM", (3, 5, 2), {"batch_first": True, "bias": False}, True, True),
    ("LSTM", (3, 5), {}, False, True),
    ("LSTM", (3, 5), {}, False, False),
    ("LSTM", (3, 5, 2), {"proj_size": 2}, True, True),
    ("LSTM", (3, 5, 2), {"proj_size": 3, "bidirectional": True, "batch_first": True}, True, True),
    ("GRU", (3, 4), {}, True, False),
    ("GRU", (3, 4, 2), {}, True, True),
    ("GRU", (3, 4, 2), {"bidirectional": True, "batch_first": True}, True, True),
    ("GRU", (3, 4), {"bias": False}, False, True),
    ("GRU", (3, 4, 3), {"bidirectional": True}, False, False),
]


def _seq_case(name, args, kwargs, batched, with_state, steps=5, batch=2):
    """(input and state shapes, the call) of one SEQ case."""
    layer = getattr(torch.nn, name)(*args, **kwargs)
    states = layer.num_layers * (2 if layer.bidirectional else 1)
    h_size = layer.proj_size or layer.hidden_size
    x = (batch, steps, layer.input_size) if layer.batch_first else (steps, batch, layer.input_size)
    if not batched:
        x = (steps, layer.input_size)
    lead = (states, batch) if batched else (states,)
    shapes = [x]
    if with_state:
        shapes.append(lead + (h_size,))
        if name == "LSTM":
            shapes.append(lead + (layer.hidden_size,))
    if name == "LSTM" and with_state:
        return shapes, lambda m, x, h, c: m(x, (h, c))
    return shapes, lambda m, *xs: m(*xs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, args, kwargs, batched, with_state", SEQ)
def test_sequence_layers_match_torch(name, args, kwargs, batched, with_state, dtype, backend):
    shapes, call = _seq_case(name, args, kwargs, batched, with_state)
    ours, theirs = _pair(name, args, kwargs, dtype, backend)
    v_out, t_out = _compare(ours, theirs, _arrays(shapes, dtype), call, dtype, backend)
    assert [tuple(o.shape) for o in v_out] == [tuple(t.shape) for t in t_out]


CELLS = [
    ("RNNCell", (3, 4), {}),
    ("RNNCell", (3, 4), {"nonlinearity": "relu", "bias": False}),
    ("LSTMCell", (3, 5), {}),
    ("LSTMCell", (3, 5), {"bias": False}),
    ("GRUCell", (3, 4), {}),
    ("GRUCell", (3, 4), {"bias": False}),
]


def _cell_loop(name, batched):
    """Four steps of a cell in a Python loop, from a given state (input ``x`` is (T, N, in) or (T, in))."""
    def call(cell, x, *state):
        state = state if name == "LSTMCell" else state[0]
        outs = []
        for x_t in x.unbind(0):
            state = cell(x_t, state)
            outs.append(state)
        return outs
    return call


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("name, args, kwargs", CELLS)
def test_cells_in_a_loop_match_torch(name, args, kwargs, batched, dtype, backend):
    ours, theirs = _pair(name, args, kwargs, dtype, backend)
    lead = (2,) if batched else ()
    shapes = [(4,) + lead + (args[0],)] + [lead + (args[1],)] * (2 if name == "LSTMCell" else 1)
    _compare(ours, theirs, _arrays(shapes, dtype), _cell_loop(name, batched), dtype, backend)


@pytest.mark.parametrize("name, args, kwargs", CELLS)
def test_cells_start_from_zeros(name, args, kwargs):
    ours, theirs = _pair(name, args, kwargs, "float64")
    _compare(ours, theirs, _arrays([(2, args[0])], "float64"), lambda m, x: m(x), "float64")
    _compare(ours, theirs, _arrays([(args[0],)], "float64", 1), lambda m, x: m(x), "float64")


def test_grad_fns_show_the_steps():
    lstm = vg.nn.LSTM(3, 4)
    out, (h, c) = lstm(vg.randn(3, 2, 3))
    assert out.grad_fn.name_of() == "StackBackward0" and h.grad_fn.name_of() == "StackBackward0"
    out, _ = vg.nn.GRU(3, 4, bidirectional=True)(vg.randn(3, 2, 3))
    assert out.grad_fn.name_of() == "CatBackward0"
    assert vg.nn.LSTMCell(3, 4)(vg.randn(2, 3))[0].grad_fn.name_of() == "MulBackward0"
    assert vg.nn.GRUCell(3, 4)(vg.randn(2, 3)).grad_fn.name_of() == "AddBackward0"
    assert vg.nn.RNNCell(3, 4)(vg.randn(2, 3)).grad_fn.name_of() == "TanhBackward0"
    with vg.no_grad():
        assert lstm(vg.randn(3, 2, 3))[0].grad_fn is None


# --- finite differences (float64): inputs, states and every weight -----------------------------------------------


@pytest.mark.parametrize("name, kwargs", [("LSTM", {"num_layers": 2}), ("LSTM", {"proj_size": 1}),
                                          ("GRU", {"bidirectional": True}), ("RNN", {"nonlinearity": "relu"})])
def test_tiny_layers_gradcheck(name, kwargs):
    vg.manual_seed(1)
    layer = getattr(vg.nn, name)(2, 2, **kwargs).double()
    states = layer.num_layers * (2 if layer.bidirectional else 1)
    x = vg.randn(3, 1, 2, dtype=vg.float64, requires_grad=True)
    h = vg.randn(states, 1, layer.proj_size or 2, dtype=vg.float64, requires_grad=True)
    if name == "LSTM":
        c = vg.randn(states, 1, 2, dtype=vg.float64, requires_grad=True)
        inputs, fn = [x, h, c], lambda x, h, c, *_: (lambda o: (o[0], *o[1]))(layer(x, (h, c)))
    else:
        inputs, fn = [x, h], lambda x, h, *_: layer(x, h)
    assert vg.autograd.gradcheck(fn, inputs + list(layer.parameters()))


@pytest.mark.parametrize("name", ["LSTMCell", "GRUCell", "RNNCell"])
def test_tiny_cells_gradcheck(name):
    vg.manual_seed(2)
    cell = getattr(vg.nn, name)(2, 3).double()
    x = vg.randn(2, 2, dtype=vg.float64, requires_grad=True)
    h = vg.randn(2, 3, dtype=vg.float64, requires_grad=True)
    if name == "LSTMCell":
        c = vg.randn(2, 3, dtype=vg.float64, requires_grad=True)
        inputs, fn = [x, h, c], lambda x, h, c, *_: cell(x, (h, c))
    else:
        inputs, fn = [x, h], lambda x, h, *_: cell(x, cell(x, h))
    assert vg.autograd.gradcheck(fn, inputs + list(cell.parameters()))


# --- dropout between layers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kwargs", [("LSTM", {}), ("GRU", {}), ("RNN", {}), ("LSTM", {"bidirectional": True})])
@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_between_layers_is_torchs(name, kwargs, dtype):
    ours, theirs = _pair(name, (3, 4, 3), {"dropout": 0.5, **kwargs}, dtype)
    x = _arrays([(5, 2, 3)], dtype)
    torch.manual_seed(7)
    vg.manual_seed(7)
    _compare(ours, theirs, x, lambda m, x: m(x), dtype)
    assert np.array_equal(vg.rand(2).numpy(), torch.rand(2).numpy())  # as many draws as torch's
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, x, lambda m, x: m(x), dtype)  # no dropout in eval mode


def test_dropout_warning_and_argument_errors_are_torchs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vg.nn.GRU(3, 5, dropout=0.5)
    assert caught and caught[0].category is UserWarning
    assert str(caught[0].message) == ("dropout option adds dropout after all but last recurrent layer, so non-zero "
                                      "dropout expects num_layers greater than 1, but got dropout=0.5 and num_layers=1")
    assert caught[0].filename == __file__
    for name, args, kwargs in [("LSTM", (3, 5), {"dropout": 2}), ("LSTM", (3, 5), {"dropout": True}),
                               ("LSTM", (3, 5), {"proj_size": 6}), ("LSTM", (3, 5), {"proj_size": -1}),
                               ("LSTM", (3, 5), {"num_layers": 0}), ("LSTM", (3, 5), {"bias": 1}),
                               ("GRU", (3, 5), {"proj_size": 2}), ("RNN", (3, 5), {"nonlinearity": "sigmoid"}),
                               ("RNN", (3.0, 5), {}), ("RNN", (3, 0), {}), ("GRU", (3, 5), {"batch_first": None})]:
        with pytest.raises(Exception) as t_err:
            getattr(torch.nn, name)(*args, **kwargs)
        with pytest.raises(t_err.type) as v_err:
            getattr(vg.nn, name)(*args, **kwargs)
        assert str(v_err.value) == str(t_err.value)


# --- errors of forward ---------------------------------------------------------------------------------------------

FORWARD_ERRORS = [
    ("LSTM", (3, 5, 2), [(4, 2, 4)]),
    ("LSTM", (3, 5, 2), [(4, 2, 3), (2, 2, 4), (2, 2, 5)]),
    ("LSTM", (3, 5, 2), [(4, 2, 3), (2, 2, 5), (1, 2, 5)]),
    ("LSTM", (3, 5, 2), [(4, 3), (2, 2, 5), (2, 5)]),
    ("LSTM", (3, 5, 2), [(4, 2, 3), (2, 5), (2, 5)]),
    ("LSTM", (3, 5, 2), [(1, 4, 2, 3)]),
    ("GRU", (3, 5, 2), [(4, 2, 4)]),
    ("GRU", (3, 5, 2), [(4, 2, 3), (2, 2, 4)]),
    ("GRU", (3, 5, 2), [(4, 3), (2, 1, 5)]),
    ("GRU", (3, 5, 2), [(4, 2, 3), (2, 5)]),
    ("RNN", (3, 5), [(4,)]),
    ("RNN", (3, 5), [(2, 4)]),
    ("GRU", (3, 5), [(0, 2, 3)]),
    ("RNNCell", (3, 5), [(2, 4)]),
    ("RNNCell", (3, 5), [(2, 2, 3)]),
    ("RNNCell", (3, 5), [(2, 3), (2, 2, 5)]),
    ("GRUCell", (3, 5), [(2, 3), (3, 5)]),
    ("GRUCell", (3, 5), [(2, 3), (2, 4)]),
    ("GRUCell", (3, 5), [(3,), (2, 5)]),
    ("LSTMCell", (3, 5), [(2, 3), (2, 5), (2, 4)]),
    ("LSTMCell", (3, 5), [(2, 3), (3, 5), (3, 5)]),
    ("LSTMCell", (3, 5), [(2, 3), (2, 5), (2, 2, 5)]),
]


@pytest.mark.parametrize("name, args, shapes", FORWARD_ERRORS)
def test_forward_errors_are_torchs(name, args, shapes):
    ours, theirs = _pair(name, args, {}, "float32")
    arrays = _arrays(shapes, "float32")

    def call(lib, layer):
        xs = [lib.tensor(a) for a in arrays]
        if name.startswith("LSTM") and len(xs) == 3:
            return layer(xs[0], (xs[1], xs[2]))
        return layer(*xs)

    with pytest.raises(Exception) as t_err:
        call(torch, theirs)
    with pytest.raises(t_err.type) as v_err:
        call(vg, ours)
    assert str(v_err.value) == str(t_err.value)


def test_wrong_dtype_and_unknown_nonlinearity():
    with pytest.raises(ValueError, match=r"RNN input dtype \(.*float64\) does not match weight dtype \(.*float32\)"):
        vg.nn.LSTM(3, 5)(vg.randn(2, 1, 3, dtype=vg.float64))
    cell = vg.nn.RNNCell(3, 5, nonlinearity="foo")
    with pytest.raises(RuntimeError, match="Unknown nonlinearity: foo"):
        cell(vg.randn(3))


# --- state dicts, devices, dtypes, training ------------------------------------------------------------------------


def test_state_dict_round_trip_with_torch():
    theirs = torch.nn.LSTM(3, 4, 2, bidirectional=True)
    ours = vg.nn.LSTM(3, 4, 2, bidirectional=True)
    ours.load_state_dict({k: vg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    back = torch.nn.LSTM(3, 4, 2, bidirectional=True)
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = torch.randn(2, 1, 3)
    assert torch.equal(back(x)[0], theirs(x)[0])
    assert "weight_hh_l1_reverse" in ours.state_dict()


def test_double_and_dtype_argument():
    layer = vg.nn.GRU(3, 4, dtype=vg.float64)
    assert {p.dtype for p in layer.parameters()} == {vg.float64}
    out, h = vg.nn.LSTM(3, 4).double()(vg.randn(2, 3, dtype=vg.float64))
    assert out.dtype == vg.float64 and out.shape == (2, 4)


def test_names_classifier_trains_like_torch():
    """The "NLP from scratch" name classifier: nn.RNN over one-hot letters, the last hidden state into a
    Linear and LogSoftmax, NLLLoss and SGD; per-step losses as torch's in float64."""
    letters, classes = 8, 3
    rng = np.random.default_rng(0)
    words = [(rng.integers(0, letters, rng.integers(2, 6)), rng.integers(0, classes)) for _ in range(12)]
    losses = {}
    for lib in (torch, vg):
        lib.manual_seed(0)

        class CharRNN(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = lib.nn.RNN(letters, 6)
                self.h2o = lib.nn.Linear(6, classes)
                self.softmax = lib.nn.LogSoftmax(dim=1)

            def forward(self, line):
                _, hidden = self.rnn(line)
                return self.softmax(self.h2o(hidden[0]))

        model = CharRNN().double()
        opt = lib.optim.SGD(model.parameters(), lr=0.2)
        loss_fn = lib.nn.NLLLoss()
        run = []
        for epoch in range(3):
            for word, label in words:
                line = lib.zeros(len(word), 1, letters, dtype=lib.float64)
                for i, ch in enumerate(word):
                    line[i][0][int(ch)] = 1
                opt.zero_grad()
                loss = loss_fn(model(line), lib.tensor([int(label)]))
                loss.backward()
                lib.nn.utils.clip_grad_norm_(model.parameters(), 3)
                opt.step()
                run.append(loss.item())
        losses[lib.__name__] = run
    np.testing.assert_allclose(losses["graphviz_grad"], losses["torch"], rtol=1e-9)
    assert np.mean(losses["torch"][-len(words):]) < np.mean(losses["torch"][:len(words)])


# --- the recording -----------------------------------------------------------------------------------------------


def test_recording_shows_each_time_step_inside_the_module_call():
    lstm = vg.nn.LSTM(3, 4)
    with vg.record() as tape:
        lstm(vg.randn(3, 2, 3))
    G = tape.graph().nx
    ops = [d for _, d in G.nodes(data=True) if d.get("kind") == "op"]
    assert ops and all(d.get("module") == "lstm" for d in ops)
    assert sum(d["op"] == "sigmoid" for d in ops) == 3 * 3  # i, f, o per step
    assert sum(d["op"] == "tanh" for d in ops) == 3 * 2  # g and tanh(c) per step


@pytest.mark.parametrize("name", ["LSTMCell", "GRUCell", "RNNCell"])
@pytest.mark.parametrize("first_state", ["zeros", "none"])
def test_a_cell_called_over_time_steps_rolls_into_one_box(name, first_state):
    from graphviz_grad.viz.draw import prepare

    cell = getattr(vg.nn, name)(3, 4)
    x = vg.randn(5, 2, 3)
    with vg.record() as tape:
        state = None if first_state == "none" else vg.zeros(2, 4)
        if name == "LSTMCell" and state is not None:
            state = (state, state)
        for x_t in x:
            state = cell(x_t, state)
        (state[0] if name == "LSTMCell" else state).sum().backward()
    G, diagram, _ = prepare(tape, level="tensor")
    assert G.graph["repeat"] == {"cell": 5}
    assert [c.label for c in diagram.clusters.values() if "cell" in c.label] == [f"cell · {name} ×5"]
    boxes = [n.rows[0][1] for n in prepare(tape, level="module")[1].nodes if n.kind == "module"]
    assert [b for b in boxes if "cell" in b] == [f"cell · {name} ×5"]


def test_a_long_sequence_is_one_box_that_starts_with_its_projection():
    from graphviz_grad.viz.draw import prepare

    lstm = vg.nn.LSTM(3, 4, 2)
    with vg.record() as tape:
        out, _ = lstm(vg.randn(20, 2, 3))
        out.sum().backward()
    diagram = prepare(tape)[1]
    assert diagram.level == "module"  # 20 steps of 2 layers: too many boxes for the tensor level
    (box,) = [n for n in diagram.nodes if n.kind == "module"]
    assert box.rows[0][1] == "lstm · LSTM"
    assert box.rows[1][1].startswith("linear → unbind dim=0 index=0 → linear → add")


def test_errors_of_a_subclass_name_the_layer_as_torchs_do():
    class MyGRU(vg.nn.GRU):
        pass

    class MyCell(vg.nn.LSTMCell):
        pass

    with pytest.raises(ValueError, match="^GRU: Expected input to be 2D or 3D, got 1D instead$"):
        MyGRU(3, 4)(vg.randn(3))
    with pytest.raises(ValueError, match="^LSTMCell: Expected input to be 1D or 2D, got 3D instead$"):
        MyCell(3, 4)(vg.randn(1, 2, 3))
