"""``vizgrad train --plot``: :func:`graphviz_grad.viz.plot.loss_figure` (the loss per step; for linear
regression also the fitted line), saved to a file."""


def plot_training(name, losses, result, path):
    """Write the figure to ``path`` (format by suffix)."""
    from graphviz_grad.viz.plot import loss_figure

    loss_figure(name, losses, result).savefig(path, dpi=120)
