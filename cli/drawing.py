"""Calls into ``graphviz_grad.viz`` for the commands: a drawing the library refuses is the user's error.

``vg.viz.render(t, path, level=..., rankdir=..., backward=...)`` writes one
diagram (format by suffix), ``vg.viz.steps(t, folder)`` one frame per step,
``vg.viz.stepper(t, "x.html")`` the step-by-step page and ``vg.viz.animate(t,
"x.gif")`` the animation.
"""
from .errors import CliError
from .outputs import Outputs


def viz():
    """The ``graphviz_grad.viz`` module, or a one-line error when it cannot be loaded."""
    import graphviz_grad as vg

    try:
        return vg.viz
    except (ImportError, AttributeError) as e:
        raise CliError(f"drawing is not available: {e}") from e


def call(name, *args, **kwargs):
    """``vg.viz.<name>(*args, **kwargs)``; its ValueError/RuntimeError/TypeError becomes a one-line error."""
    fn = getattr(viz(), name, None)
    if fn is None:
        raise CliError(f"drawing is not available: graphviz_grad.viz has no {name}()")
    try:
        return fn(*args, **kwargs)
    except (ValueError, RuntimeError, TypeError, OverflowError) as e:
        from graphviz_grad.viz.scalar import TooManyElements  # (only now: its import is not free)

        if isinstance(e, TooManyElements):
            raise CliError(f"cannot draw: --level scalar draws every element, so it takes tensors of at most "
                           f"{e.small} elements; {e.name} has {e.numel}: use --level tensor") from e
        raise CliError(f"cannot draw: {e}") from e


def draw(tensor, diagram=None, steps=None, html=None, gif=None, compare_grads=None, **options):
    """Write every requested drawing of ``tensor``, all or nothing; returns the paths written.

    ``compare_grads`` (hand-written gradients by tensor name) goes to every drawing; ``options`` to the diagram.
    """
    extra = {"compare_grads": compare_grads} if compare_grads else {}
    with Outputs() as out:
        if diagram is not None:
            call("render", tensor, out.file(diagram), **options, **extra)
        if steps is not None:
            call("steps", tensor, out.folder(steps), **extra)
        if html is not None:
            call("stepper", tensor, out.file(html), **extra)
        if gif is not None:
            call("animate", tensor, out.file(gif), **extra)
    return out.written
