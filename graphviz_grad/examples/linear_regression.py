"""Linear regression on the tutorial's 15 toy points: ``nn.Linear(1, 1)``, MSELoss, SGD lr 0.001.

>>> result = run_linear_regression()
>>> len(result.losses), result.losses[-1] < result.losses[0]
(60, True)
"""
import numpy as np

from .. import _dtype, nn, optim
from .._creation import tensor
from ._training import Setup

STEPS = 60  # the tutorial's num_epochs
LEARNING_RATE = 0.001

X_TRAIN = np.array([[3.3], [4.4], [5.5], [6.71], [6.93], [4.168], [9.779], [6.182], [7.59], [2.167],
                    [7.042], [10.791], [5.313], [7.997], [3.1]])
Y_TRAIN = np.array([[1.7], [2.76], [2.09], [3.19], [1.694], [1.573], [3.366], [2.596], [2.53], [1.221],
                    [2.827], [3.465], [1.65], [2.904], [1.3]])


def run_linear_regression(steps=None, seed=0, device="cpu", dtype=_dtype.float32, on_step=None, init=None):
    """Linear regression y = w·x + b on 15 toy points, with SGD."""
    setup = Setup(seed, device, dtype, init)
    model = setup.model(nn.Linear(1, 1))
    inputs = tensor(X_TRAIN, dtype=setup.dtype, device=setup.device)
    targets = tensor(Y_TRAIN, dtype=setup.dtype, device=setup.device)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step(t):
        loss = criterion(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    return setup.train(steps or STEPS, step, on_step, model=model, data={"x": inputs, "y": targets})


def plot_fit(result, path):
    """Save the tutorial's figure: the data points and the fitted line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = result.data["x"]
    predicted = result.model(x).detach().cpu().numpy()
    fig, ax = plt.subplots()
    ax.plot(x.cpu().numpy(), result.data["y"].cpu().numpy(), "ro", label="Original data")
    ax.plot(x.cpu().numpy(), predicted, label="Fitted line")
    ax.legend()
    fig.savefig(path)
    plt.close(fig)
