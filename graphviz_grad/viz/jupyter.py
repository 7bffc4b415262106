"""Drawings inline in Jupyter (JupyterLab, Notebook, VS Code): what shows by itself and what ``show`` draws.

- A **tape** (``with vg.record() as tape:``) and a **graph** (``vg.graph(t)``,
  ``tape.graph()``) left as a cell's last expression show as their default
  picture (:func:`~graphviz_grad.viz.draw`, the level chosen by size), inline
  SVG, with their text repr beside it for consoles.
- A **tensor** stays text (``tensor([2.], grad_fn=<MulBackward0>)``), as in
  PyTorch: printing a tensor must not lay out a graph. :func:`show` draws it,
  as torchviz's ``make_dot(t)`` does.
- ``vg.viz.show(x, stepper=True)`` puts the stepper in the cell: the page of
  :func:`~graphviz_grad.viz.stepper` in an ``<iframe srcdoc=...>``, so the page's
  styles and scripts stay apart from the notebook's and nothing is fetched
  (no server, no network, no file beside the notebook).
"""
import html

IFRAME_HEIGHT = 680  # pixels: the stepper's diagram and its step list, on a laptop screen


class Inline:
    """A drawing for a notebook cell: SVG, or HTML (the stepper); Jupyter shows it by its ``_repr_*_``.

    ``.svg`` / ``.html`` hold the text, to save or embed elsewhere.
    """

    def __init__(self, svg=None, html=None, text=""):
        self.svg, self.html, self.text = svg, html, text

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.text}
        if self.svg is not None:
            bundle["image/svg+xml"] = self.svg
        if self.html is not None:
            bundle["text/html"] = self.html
        return bundle

    def __repr__(self):
        return self.text


def svg_of(x, **opts):
    """``x``'s picture (:func:`~graphviz_grad.viz.draw`'s options) as SVG text."""
    from .draw import draw

    return draw(x, **opts).pipe(format="svg", encoding="utf-8")


def stepper_iframe(x, height=IFRAME_HEIGHT, **opts):
    """The stepper page of ``x`` in an ``<iframe srcdoc=...>`` (self-contained; :func:`stepper`'s options)."""
    from .stepper import stepper_page

    page = stepper_page(x, **opts)
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" width="100%" height="{int(height)}" '
            'style="border: 1px solid #d0d7de; border-radius: 6px" title="graphviz_grad stepper"></iframe>')


def mimebundle(x, text):
    """What a tape or a graph shows as a cell's result: its default picture, and ``text`` for consoles.

    Text alone when there is nothing to draw (``len(x) == 0``) or the drawing is refused (e.g. over ``max_nodes``): a
    repr never raises.
    """
    bundle = {"text/plain": text}
    if len(x) == 0:  # an empty tape or graph: nothing to draw
        return bundle
    try:
        bundle["image/svg+xml"] = svg_of(x)
    except (ValueError, TypeError, RuntimeError):
        pass
    return bundle


def show(x, stepper=False, height=IFRAME_HEIGHT, **opts):
    """Draw ``x`` (a Tensor, a Graph, a Tape, a micrograd Value) in the notebook cell.

    ``stepper=True`` puts the step-by-step page in the cell (an iframe with
    the page inside it: no network, no file), ``height`` pixels high; else
    the picture, as SVG. ``opts`` are :func:`draw`'s (``level``, ``expand``,
    ``roll``, ``images`` ...) and, with ``stepper=True``, :func:`stepper`'s
    (``title``, ``interval``, ``openable``).

    In IPython (Jupyter, VS Code) it displays the drawing at once, wherever it
    stands in the cell, and returns None; elsewhere it returns an
    :class:`Inline` (``.svg`` or ``.html``) to save or show later.

    >>> import graphviz_grad as vg
    >>> w = vg.tensor(2.0, requires_grad=True)
    >>> y = w * 3; y.backward()
    >>> vg.viz.show(y).svg.count("<svg")
    1
    >>> vg.viz.show(y, stepper=True).html.startswith("<iframe srcdoc=")
    True
    """
    if stepper:
        shown = Inline(html=stepper_iframe(x, height=height, **opts), text=f"<stepper of {type(x).__name__}>")
    else:
        shown = Inline(svg=svg_of(x, **opts), text=f"<drawing of {type(x).__name__}>")
    return display(shown)


def display(shown):
    """In IPython, display ``shown`` (an :class:`Inline`) in the cell at once and return None; elsewhere return it."""
    if _ipython() is None:
        return shown
    from IPython.display import display as ipython_display

    ipython_display(shown)
    return None


def _ipython():
    """The running IPython shell, or None (a script, a plain interpreter)."""
    import sys

    if "IPython" not in sys.modules:  # never import IPython just to find out
        return None
    return sys.modules["IPython"].get_ipython()
