"""The loss per step of a training run, as a matplotlib figure: ``vizgrad train --plot`` and the notebooks draw it.

:func:`loss_figure` builds the figure (log scale when the loss spans decades;
for linear regression also the fitted line over the data, as the tutorial
draws it); :func:`plot_losses` shows it inline in Jupyter, as SVG, like
:func:`~graphviz_grad.viz.show`. The figure is a plain
``matplotlib.figure.Figure``, not a pyplot one: drawing it selects no backend
and leaves no figure open.
"""

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


def loss_figure(name, losses, result=None):
    """The figure of ``vizgrad train NAME --plot``: ``losses`` per step, titled by ``name``.

    ``result`` (a run's :class:`~graphviz_grad.lessons.Result`) adds the fitted
    line over the data for ``linear-regression``.

    >>> figure = loss_figure("autograd", [30.0, 3.0, 0.03])
    >>> figure.axes[0].get_yscale(), figure.axes[0].get_title()
    ('log', 'vizgrad train autograd: loss 30 → 0.03 in 3 steps')
    """
    from matplotlib.figure import Figure

    fit = (name == "linear-regression" and result is not None and result.model is not None
           and "inputs" in getattr(result, "variables", {}))
    figure = Figure(figsize=(11 if fit else 6.5, 4.5))
    axes = figure.subplots(1, 2 if fit else 1, squeeze=False)
    _loss_panel(axes[0][0], name, losses)
    if fit:
        _fit_panel(axes[0][1], result)
    figure.tight_layout()
    return figure


def plot_losses(name, losses, result=None):
    """Show :func:`loss_figure` in the notebook cell, as SVG; outside IPython, return it as an ``Inline``.

    >>> plot_losses("autograd", [30.0, 3.0, 0.03]).svg.count("<svg")
    1
    """
    import io

    from .jupyter import Inline, display

    svg = io.StringIO()
    loss_figure(name, losses, result).savefig(svg, format="svg")
    return display(Inline(svg=svg.getvalue(), text=f"<loss plot of {name}: {len(losses)} steps>"))


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
