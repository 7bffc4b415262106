"""``render``: write a diagram to a file whose suffix says the format."""
import os

from .draw import prepare
from .layout import render_bytes
from .levels import MAX_NODES

FORMATS = ("svg", "png", "pdf", "dot", "gv", "json", "html", "gif")


def render(x, path, format=None, level=None, rankdir="TB", backward=True, legend=False, small=16,
           clusters=True, max_nodes=MAX_NODES, update="compact", roll=True, expand=None, images=True,
           compare_grads=None):
    """Write ``x``'s diagram to ``path`` as svg, png, pdf, dot, json, html (stepper) or gif (animation).

    The format comes from the suffix unless ``format`` is given; Graphviz runs
    in-process (no ``dot`` binary). ``json`` is Graphviz's JSON of the laid-out
    diagram. The other options are :func:`~graphviz_grad.viz.draw`'s: with none, the level is chosen by
    the graph's size and a caption says which. Returns ``path``.

    >>> import graphviz_grad as vg, tempfile, os
    >>> w = vg.tensor(2.0, requires_grad=True)
    >>> y = w * 3; y.backward()
    >>> path = vg.viz.render(y, os.path.join(tempfile.mkdtemp(), "y.svg"))
    >>> open(path, encoding="utf-8").read().count("<svg")
    1
    """
    fmt = (format or os.path.splitext(str(path))[1]).lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"cannot render to {fmt or 'a file without a suffix'!r}: use one of "
                         f"{', '.join('.' + f for f in FORMATS)} (or pass format=)")
    opts = dict(level=level, rankdir=rankdir, legend=legend, small=small, clusters=clusters, max_nodes=max_nodes,
                update=update, roll=roll, expand=expand, images=images, compare_grads=compare_grads)
    if fmt == "html":
        from .stepper import stepper

        return stepper(x, path, **opts)
    if fmt == "gif":
        from .animate import animate

        return animate(x, path, **opts)
    digraph = prepare(x, backward=backward, **opts)[2]
    data = digraph.source.encode("utf-8") if fmt in ("dot", "gv") else render_bytes(digraph.source, fmt)
    with open(path, "wb") as f:
        f.write(data)
    return path
