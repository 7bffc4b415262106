"""Drawing: forward and backward passes as Graphviz diagrams, step by step, with nodes that never move.

- :func:`draw` → a ``graphviz.Digraph`` (inline in Jupyter; ``.source`` is deterministic DOT)
- :func:`render` → svg, png, pdf, dot, json, html or gif by suffix
- :func:`steps` → one SVG (or PNG) per forward op, then per backward step
- :func:`stepper` → one self-contained HTML page with prev/next/play and arrow keys
- :func:`animate` → the same frames as an animated GIF
- :func:`show` → the picture, or the stepper (``stepper=True``), inline in a Jupyter cell
- :func:`plot_losses` → a training run's loss per step (matplotlib), inline in a Jupyter cell

Each accepts a Tensor (drawn through ``vg.graph(t)``), a recorded Graph, or a
Tape, and ``level="module" | "tensor" | "scalar"``. Graphviz runs in-process
through pygraphviz; this package is imported lazily (``vg.viz``).
"""
from .animate import animate
from .draw import draw
from .jupyter import show
from .plot import plot_losses
from .render import render
from .stepper import stepper
from .steps import steps

__all__ = ["draw", "render", "steps", "stepper", "animate", "show", "plot_losses"]
