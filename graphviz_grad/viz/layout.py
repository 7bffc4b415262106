"""Graphviz, in-process through pygraphviz (its wheel bundles Graphviz: no ``dot`` binary needed).

Two ways in: :func:`render_bytes` lays DOT out and renders it in one call;
:func:`laid_out` lays it out once and :func:`draw_fixed` then renders that
same layout again and again (``nop2``, i.e. ``neato -n2``: every position kept), for frames.

>>> render_bytes('digraph { a -> b }', "svg")[:5]
b'<?xml'
"""
import contextlib
import io
import os
import sys


_fonts_loaded = False


@contextlib.contextmanager
def _quiet():
    # pygraphviz prints "graph has N nodes...layout may take a long time" above 1000 nodes; we refuse
    # graphs too large ourselves, so the note only adds noise.
    global _fonts_loaded
    with contextlib.redirect_stderr(io.StringIO()):
        if _fonts_loaded:
            yield
            return
        # The wheel's own fontconfig loads the system's font configuration on the first render and,
        # where that configuration is newer than it, writes warnings straight to file descriptor 2
        # (a CLI user would see them under every `vizgrad render`). Silence that one first load.
        with _stderr_fd_to_devnull():
            yield
        _fonts_loaded = True


@contextlib.contextmanager
def _stderr_fd_to_devnull():
    try:
        fd = sys.__stderr__.fileno()
        saved = os.dup(fd)
    except (AttributeError, OSError, ValueError):  # no real stderr (embedded, some notebooks)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _agraph(source):
    import pygraphviz

    graph = pygraphviz.AGraph(string=source)
    if "vgimg_" in source:  # heatmaps (see .images): their folder, set here so that the DOT stays the same
        from .images import image_dir

        graph.graph_attr["imagepath"] = image_dir()
    return graph


def render_bytes(source, fmt="svg", prog="dot"):
    """Lay out DOT ``source`` with ``prog`` and render it as ``fmt`` (svg, png, pdf, json, dot, ...); an SVG
    carries its heatmaps inside, as data URIs."""
    with _quiet():
        data = _agraph(source).draw(format=fmt, prog=prog)
    if fmt == "svg" and b"vgimg_" in data:
        from .images import embed

        data = embed(data.decode("utf-8")).encode("utf-8")
    return data


def laid_out(source, prog="dot"):
    """A pygraphviz graph of ``source`` with positions (nodes, edge splines, clusters) filled in."""
    graph = _agraph(source)
    with _quiet():
        graph.layout(prog=prog)
    return graph


def draw_fixed(graph, fmt="png"):
    """Render a laid-out graph again without moving anything (``nop2``: ``neato -n2``, splines kept)."""
    with _quiet():
        return graph.draw(format=fmt, prog="nop2")
