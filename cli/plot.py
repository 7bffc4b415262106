"""``vizgrad train --plot``: the loss per step (log scale when it spans decades), and for linear
regression also the fitted line over the data, as the tutorial draws it."""

DECADES_FOR_LOG = 2  # a loss falling by more than 100x is drawn on a log scale


def wants_log_scale(losses):
    """True when the positive losses span more than :data:`DECADES_FOR_LOG` decades.

    >>> wants_log_scale([1000.0, 10.0, 1.0]), wants_log_scale([3.0, 2.0]), wants_log_scale([1.0, 0.0])
    (True, False, False)
    """
    finite = [v for v in losses if v == v and v not in (float("inf"), float("-inf"))]
    if not finite or min(finite) <= 0:
        return False
    return max(finite) / min(finite) > 10 ** DECADES_FOR_LOG


def plot_training(name, losses, result, path):
    """Write the figure to ``path`` (format by suffix) with matplotlib's Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fit = name == "linear-regression" and result.model is not None and "inputs" in result.variables
    fig, axes = plt.subplots(1, 2 if fit else 1, figsize=(11 if fit else 6.5, 4.5), squeeze=False)
    try:
        _loss_panel(axes[0][0], name, losses)
        if fit:
            _fit_panel(axes[0][1], result)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)


def _loss_panel(ax, name, losses):
    steps = range(1, len(losses) + 1)
    ax.plot(steps, losses, color="tab:blue", linewidth=1.5, marker="." if len(losses) <= 60 else None)
    if wants_log_scale(losses):
        ax.set_yscale("log")
        ax.set_ylabel("loss (log scale)")
    else:
        ax.set_ylabel("loss")
    ax.set_xlabel("step")
    ax.set_title(f"vizgrad train {name}: loss {losses[0]:.4g} → {losses[-1]:.4g} in {len(losses)} steps")
    ax.grid(True, which="both", alpha=0.3)


def _fit_panel(ax, result):
    import numpy as np

    import graphviz_grad as vg

    x, y = result.variables["inputs"], result.variables["targets"]
    with vg.no_grad():
        predicted = result.model(x)
    xs = x.detach().cpu().numpy().ravel()
    order = np.argsort(xs)
    ax.plot(xs, y.detach().cpu().numpy().ravel(), "ro", label="Original data")
    ax.plot(xs[order], predicted.detach().cpu().numpy().ravel()[order], label="Fitted line")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("linear regression: data and fitted line")
    ax.legend()
    ax.grid(True, alpha=0.3)
