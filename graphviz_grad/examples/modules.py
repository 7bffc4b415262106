"""The two-layer net built from ``nn`` modules: Sequential, Adam, a custom Module, DynamicNet.

Same sizes as the raw-weight programs; the loss is ``nn.MSELoss(reduction='sum')``.
``init`` names the model's parameters as ``named_parameters()`` does
(``"0.weight"`` for Sequential, ``"linear1.weight"`` for TwoLayerNet).

>>> result = run_module(steps=3)
>>> sorted(result.state_dict())
['linear1.bias', 'linear1.weight', 'linear2.bias', 'linear2.weight']
"""
import random

from .. import _dtype, nn, optim
from ..autograd.grad_mode import no_grad
from ._training import Setup

N, D_IN, H, D_OUT = 64, 1000, 100, 10
STEPS = 500


class TwoLayerNet(nn.Module):
    """Two Linear layers with a clamp ReLU between them."""

    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.linear1 = nn.Linear(D_in, H)
        self.linear2 = nn.Linear(H, D_out)

    def forward(self, x):
        h_relu = self.linear1(x).clamp(min=0)
        return self.linear2(h_relu)


class DynamicNet(nn.Module):
    """Reuses ``middle_linear`` 0 to 3 times per forward pass, as drawn by ``rng``."""

    def __init__(self, D_in, H, D_out, rng=random):
        super().__init__()
        self.input_linear = nn.Linear(D_in, H)
        self.middle_linear = nn.Linear(H, H)
        self.output_linear = nn.Linear(H, D_out)
        self.rng = rng

    def forward(self, x):
        h_relu = self.input_linear(x).clamp(min=0)
        for _ in range(self.rng.randint(0, 3)):
            h_relu = self.middle_linear(h_relu).clamp(min=0)
        return self.output_linear(h_relu)


def _sequential():
    return nn.Sequential(nn.Linear(D_IN, H), nn.ReLU(), nn.Linear(H, D_OUT))


def _train_model(setup, model, update, steps, on_step):
    """x, y drawn first (as the tutorial does), then ``model`` built; ``update(loss)`` does backward and step."""
    x = setup.randn("x", N, D_IN)
    y = setup.randn("y", N, D_OUT)
    model = setup.model(model())
    loss_fn = nn.MSELoss(reduction="sum")
    do_update = update(model)

    def step(t):
        loss = loss_fn(model(x), y)
        do_update(loss)
        return loss

    return setup.train(steps or STEPS, step, on_step, model=model, data={"x": x, "y": y})


def _optimizer_update(make_optimizer):
    def update(model):
        optimizer = make_optimizer(model.parameters())

        def do_update(loss):
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        return do_update

    return update


def _manual_update(learning_rate):
    def update(model):
        def do_update(loss):
            model.zero_grad()
            loss.backward()
            with no_grad():
                for param in model.parameters():
                    param.sub_(learning_rate * param.grad)

        return do_update

    return update


def run_nn(steps=None, seed=0, device="cpu", dtype=_dtype.float32, on_step=None, init=None):
    """nn.Sequential with MSELoss, the weights updated by hand under no_grad."""
    setup = Setup(seed, device, dtype, init)
    return _train_model(setup, _sequential, _manual_update(1e-4), steps, on_step)


def run_optim(steps=None, seed=0, device="cpu", dtype=_dtype.float32, on_step=None, init=None):
    """nn.Sequential trained by optim.Adam (lr 1e-4)."""
    setup = Setup(seed, device, dtype, init)
    return _train_model(setup, _sequential, _optimizer_update(lambda p: optim.Adam(p, lr=1e-4)), steps, on_step)


def run_module(steps=None, seed=0, device="cpu", dtype=_dtype.float32, on_step=None, init=None):
    """A custom nn.Module (TwoLayerNet) trained by optim.SGD (lr 1e-4)."""
    setup = Setup(seed, device, dtype, init)
    return _train_model(setup, lambda: TwoLayerNet(D_IN, H, D_OUT),
                        _optimizer_update(lambda p: optim.SGD(p, lr=1e-4)), steps, on_step)


def run_dynamic(steps=None, seed=0, device="cpu", dtype=_dtype.float32, on_step=None, init=None):
    """DynamicNet (Python control flow, a layer reused) trained by SGD with momentum.

    Its depths are drawn from ``random.Random(seed)``.
    """
    setup = Setup(seed, device, dtype, init)
    rng = random.Random(seed)
    return _train_model(setup, lambda: DynamicNet(D_IN, H, D_OUT, rng),
                        _optimizer_update(lambda p: optim.SGD(p, lr=1e-4, momentum=0.9)), steps, on_step)
