"""Recurrent layers as ``torch.nn``: ``RNN``, ``LSTM``, ``GRU`` (``RNNBase``) and their cells.

Every time step is built from the package's differentiable ops (``linear``,
``chunk``, ``sigmoid``, ``tanh``, ``*``, ``+``), so a recording shows each step
inside the module call and the gradients are those of the ops. The formulas,
the gate order (LSTM i, f, g, o; GRU r, z, n) and the order of the arithmetic
are PyTorch's CPU kernels' (``aten/src/ATen/native/RNN.cpp``): a whole layer
projects its input for all time steps with one ``linear``, then runs the steps.
Parameters have PyTorch's names, shapes and order, and the default
initialisation draws U(-1/√hidden_size, 1/√hidden_size) for each of them in
that order, so ``manual_seed(n)`` gives PyTorch's weights bit for bit.

>>> import graphviz_grad as vg
>>> _ = vg.manual_seed(0)
>>> lstm = vg.nn.LSTM(3, 5, num_layers=2)
>>> [name for name, _ in lstm.named_parameters()][:4]
['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
>>> out, (h, c) = lstm(vg.randn(7, 4, 3))  # (time, batch, features)
>>> out.shape, h.shape, c.shape
(graphviz_grad.Size([7, 4, 5]), graphviz_grad.Size([2, 4, 5]), graphviz_grad.Size([2, 4, 5]))
"""
import math
import numbers

from .. import _functions, ops
from .._creation import empty, zeros
from .._warnings import warn_user as _warn
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# --- one time step: (input projection, state) -> new state, as PyTorch's cells -------------------------------
# Each step takes and returns the state as a tuple: ``(h,)``, or ``(h, c)`` for an LSTM.


def _simple_step(activation):
    def step(x_proj, state, w_hh, b_hh):
        """``(h,)`` -> ``(activation(x_proj + h W_hh^T + b_hh),)``."""
        return (activation(F.linear(state[0], w_hh, b_hh) + x_proj),)
    return step


def _lstm_step(x_proj, state, w_hh, b_hh, w_hr=None):
    """``(h, c)`` -> ``(h', c')``: gates i, f, g, o from ``x_proj + h W_hh^T + b_hh``;
    ``c' = f·c + i·g``, ``h' = o·tanh(c')`` (then ``h' W_hr^T`` with a projection)."""
    h, c = state
    gates = F.linear(h, w_hh, b_hh) + x_proj
    i, f, g, o = gates.chunk(4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    c = f * c + i * g
    h = o * c.tanh()
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(x_proj, state, w_hh, b_hh):
    """``(h,)`` -> ``(h',)``: r, z from sigmoids, ``n = tanh(x_n + r·(h W_hn^T + b_hn))``,
    ``h' = (h - n)·z + n`` (that is ``(1 - z)·n + z·h``, in PyTorch's order of operations)."""
    h = state[0]
    x_r, x_z, x_n = x_proj.chunk(3, 1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, 1)
    r = (h_r + x_r).sigmoid()
    z = (h_z + x_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return ((h - n) * z + n,)


_STEPS = {"RNN_TANH": _simple_step(_functions.tanh), "RNN_RELU": _simple_step(_functions.relu),
          "LSTM": _lstm_step, "GRU": _gru_step}


def _piece(t, index):
    """``t.unbind(0)[index]`` alone: one recorded op, made when the loop needs it (a drawing and the
    stepper then show each time step's slice next to the step that reads it)."""
    return ops.Unbind.apply(t, dim=0, index=index)


# --- the sequence modules -------------------------------------------------------------------------------------


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the parameters of every layer and direction, their
    initialisation, the checks of the input and the hidden state, and the loop over layers and steps.

    ``mode`` is ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``. Input is ``(L, N, H_in)``
    (``(N, L, H_in)`` with ``batch_first``) or unbatched ``(L, H_in)``. ``dropout`` is applied to the
    output of every layer but the last, in training mode.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            _warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                  f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}")
        for what, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise TypeError(f"{what} should be of type bool, got: {type(value).__name__}")
        for what, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):
                raise TypeError(f"{what} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{what} must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
            for direction in range(num_directions):
                shapes = [(gate_size, layer_input_size), (gate_size, real_hidden_size)]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    shapes.append((proj_size, hidden_size))
                    names.append("weight_hr_l{}{}")
                names = [n.format(layer, "_reverse" if direction == 1 else "") for n in names]
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(empty(shape, dtype=dtype, device=device)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw every parameter from U(-1/√hidden_size, 1/√hidden_size), in the order of ``parameters()``."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """PyTorch packs the weights for cuDNN here; there is nothing to pack, so it does nothing."""

    @property
    def _flat_weights(self):
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters per layer and direction: ``[[weight_ih_l0, weight_hh_l0, ...], ...]``."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # --- checks, as PyTorch's ----------------------------------------------------------------------------------
    def _state_size(self, input, size):
        batch = input.size(0) if self.batch_first else input.size(1)
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    def _zeros(self, input, size):
        return zeros(self._state_size(input, size), dtype=input.dtype, device=input.device)

    def check_input(self, input, batch_sizes=None):
        weight = self._flat_weights[0]
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). Convert "
                             f"input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")
        if input.dim() != 3:
            raise RuntimeError(f"input must have 3 dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes=None):
        return self._state_size(input, self.proj_size if self.proj_size > 0 else self.hidden_size)

    @staticmethod
    def check_hidden_size(hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(tuple(expected_hidden_size), list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes=None):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def _batched(self, input):
        """``(input as 3-D, was it batched)``, or PyTorch's error for other sizes."""
        if input.dim() not in (2, 3):
            name, tensor = (self.mode, "") if self.mode in ("LSTM", "GRU") else ("RNN", " tensor")
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tensor} instead")
        if input.dim() == 3:
            return input, True
        return input.unsqueeze(0 if self.batch_first else 1), False

    def _single_state(self, input, hx):
        """``forward`` of RNN and GRU: one state tensor ``h`` of ``(layers·directions, N, H_out)``."""
        input, batched = self._batched(input)
        if hx is not None:
            if batched and hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
            if not batched:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        else:
            hx = self._zeros(input, self.hidden_size)
        self.check_forward_args(input, hx)
        output, (h_n,) = self._run(input, (hx,))
        if not batched:
            output, h_n = output.squeeze(0 if self.batch_first else 1), h_n.squeeze(1)
        return output, h_n

    # --- the loop --------------------------------------------------------------------------------------------
    def _run(self, input, states):
        """Run every layer over the 3-D ``input`` from the initial ``states`` (each ``(layers·directions,
        N, size)``); returns the last layer's output and the final states stacked the same way."""
        step = _STEPS[self.mode]
        if self.batch_first:
            input = input.transpose(0, 1)
        if input.size(0) == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        finals = [[] for _ in states]
        directions = 2 if self.bidirectional else 1
        layer_input = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                w_ih, w_hh, *rest = [getattr(self, name) for name in self._all_weights[index]]
                b_ih, b_hh = rest[:2] if self.bias else (None, None)
                extra = rest[-1:] if self.proj_size > 0 else []
                x_proj = F.linear(layer_input, w_ih, b_ih)
                state = tuple(_piece(s, index) for s in states)
                steps = []
                for t in (reversed(range(len(x_proj))) if direction else range(len(x_proj))):
                    state = step(_piece(x_proj, t), state, w_hh, b_hh, *extra)
                    steps.append(state[0])
                if direction:
                    steps.reverse()
                outputs.append(_functions.stack(steps, 0))
                for final, s in zip(finals, state):
                    final.append(s)
            layer_output = outputs[0] if directions == 1 else _functions.cat(outputs, outputs[0].dim() - 1)
            if self.dropout != 0 and self.training and layer < self.num_layers - 1:
                layer_output = F.dropout(layer_output, self.dropout, True)
            layer_input = layer_output
        if self.batch_first:
            layer_input = layer_input.transpose(0, 1)
        return layer_input, tuple(_functions.stack(final, 0) for final in finals)


class RNN(RNNBase):
    """An Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ``relu``), layer on layer.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``; ``forward(input, hx=None)`` returns ``(output, h_n)``.

    >>> import graphviz_grad as vg
    >>> rnn = vg.nn.RNN(10, 20, 2)
    >>> output, h_n = rnn(vg.randn(5, 3, 10), vg.randn(2, 3, 20))
    >>> output.shape, h_n.shape
    (graphviz_grad.Size([5, 3, 20]), graphviz_grad.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        return self._single_state(input, hx)


class GRU(RNNBase):
    """A gated recurrent unit, PyTorch's gates: ``r = σ(W_ir x + b_ir + W_hr h + b_hr)``, ``z`` alike,
    ``n = tanh(W_in x + b_in + r·(W_hn h + b_hn))``, ``h' = (1 - z)·n + z·h``.

    ``forward(input, hx=None)`` returns ``(output, h_n)``.

    >>> import graphviz_grad as vg
    >>> gru = vg.nn.GRU(10, 20, 2, batch_first=True)
    >>> output, h_n = gru(vg.randn(3, 5, 10))
    >>> output.shape, h_n.shape
    (graphviz_grad.Size([3, 5, 20]), graphviz_grad.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._single_state(input, hx)


class LSTM(RNNBase):
    """A long short-term memory layer, PyTorch's gates (i, f, g, o):
    ``c' = f·c + i·g``, ``h' = o·tanh(c')``; with ``proj_size > 0``, ``h'`` is projected by ``weight_hr``.

    ``forward(input, (h_0, c_0)=None)`` returns ``(output, (h_n, c_n))``.

    >>> import graphviz_grad as vg
    >>> lstm = vg.nn.LSTM(10, 20, 2, bidirectional=True)
    >>> output, (h_n, c_n) = lstm(vg.randn(5, 3, 10))
    >>> output.shape, h_n.shape, c_n.shape
    (graphviz_grad.Size([5, 3, 40]), graphviz_grad.Size([4, 3, 20]), graphviz_grad.Size([4, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes=None):
        return self._state_size(input, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes=None):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input, hx=None):
        input, batched = self._batched(input)
        if hx is None:
            hx = (self._zeros(input, self.proj_size or self.hidden_size), self._zeros(input, self.hidden_size))
        else:
            dims = (hx[0].dim(), hx[1].dim())
            if batched and dims != (3, 3):
                raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but got "
                                   f"({dims[0]}-D, {dims[1]}-D) tensors")
            if not batched:
                if dims != (2, 2):
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but got "
                                       f"({dims[0]}-D, {dims[1]}-D) tensors")
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(input, hx)
        output, (h_n, c_n) = self._run(input, hx)
        if not batched:
            output, h_n, c_n = output.squeeze(0 if self.batch_first else 1), h_n.squeeze(1), c_n.squeeze(1)
        return output, (h_n, c_n)


# --- the cells: one time step per call -------------------------------------------------------------------------


class RNNCellBase(Module):
    """What the cells share: ``weight_ih`` ``(chunks·hidden, input)``, ``weight_hh`` ``(chunks·hidden, hidden)``,
    ``bias_ih``, ``bias_hh``, all drawn from U(-1/√hidden_size, 1/√hidden_size)."""

    _mode = None
    _cell_name = "RNNCellBase"  # in error messages, as PyTorch's (also for a subclass)

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), dtype=dtype, device=device))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype, device=device))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self):
        """Draw every parameter from U(-1/√hidden_size, 1/√hidden_size), in the order of ``parameters()``."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _cell(self, input, hx):
        """Check the sizes as PyTorch's ``*_cell`` ops, unsqueeze unbatched input, and run one step.

        ``hx`` is a tuple of states (one for RNN and GRU cells, ``(h, c)`` for LSTM cells) or None.
        """
        name = self._cell_name
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for i, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    label = f"hx[{i}]" if len(hx) > 1 else "hidden"
                    raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {value.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            state = zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (state,) * (2 if self._mode == "LSTM" else 1)
        elif not batched:
            hx = tuple(h.unsqueeze(0) for h in hx)
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        for i, h in enumerate(hx):
            if input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} batch size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")
        x_proj = F.linear(input, self.weight_ih, self.bias_ih)
        out = _STEPS[self._mode](x_proj, hx, self.weight_hh, self.bias_hh)
        if not batched:
            out = tuple(o.squeeze(0) for o in out)
        return out if len(out) > 1 else out[0]


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ``relu``).

    >>> import graphviz_grad as vg
    >>> cell = vg.nn.RNNCell(10, 20)
    >>> hx = vg.randn(3, 20)
    >>> for x_t in vg.randn(6, 3, 10):
    ...     hx = cell(x_t, hx)
    >>> hx.shape
    graphviz_grad.Size([3, 20])
    """

    _cell_name = "RNNCell"

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    @property
    def _mode(self):
        return {"tanh": "RNN_TANH", "relu": "RNN_RELU"}.get(self.nonlinearity)

    def forward(self, input, hx=None):
        if self._mode is None:
            if input.dim() in (1, 2) and (hx is None or hx.dim() in (1, 2)):
                raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return self._cell(input, None if hx is None else (hx,))


class LSTMCell(RNNCellBase):
    """One LSTM step: ``(h, c)`` -> ``(h', c')`` with PyTorch's gates (i, f, g, o).

    >>> import graphviz_grad as vg
    >>> cell = vg.nn.LSTMCell(10, 20)
    >>> h, c = cell(vg.randn(3, 10))
    >>> h, c = cell(vg.randn(3, 10), (h, c))
    >>> h.shape, c.shape
    (graphviz_grad.Size([3, 20]), graphviz_grad.Size([3, 20]))
    """

    _mode = "LSTM"
    _cell_name = "LSTMCell"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._cell(input, None if hx is None else tuple(hx))


class GRUCell(RNNCellBase):
    """One GRU step with PyTorch's gates (r, z, n): ``h' = (1 - z)·n + z·h``.

    >>> import graphviz_grad as vg
    >>> cell = vg.nn.GRUCell(10, 20)
    >>> cell(vg.randn(10)).shape
    graphviz_grad.Size([20])
    """

    _mode = "GRU"
    _cell_name = "GRUCell"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._cell(input, None if hx is None else (hx,))
