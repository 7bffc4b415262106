"""``steps``: one frame per forward op, then one per backward step, over ONE layout.

The graph is laid out and rendered to SVG once; every frame is that SVG plus
a ``<style>`` block naming what differs (see :mod:`.frames`), so a node sits at
the same coordinates in every frame and 50 frames cost one layout.
"""
import io
import os
from dataclasses import dataclass

from .draw import prepare
from .frames import caption_lines, compute_frames, frame_css, frame_svg
from .layout import render_bytes
from .levels import MAX_NODES


@dataclass
class Lesson:
    """Everything a step-by-step output needs: the model, its diagram, the DOT, its SVG, the frames."""

    graph: object
    diagram: object
    digraph: object
    frames: list
    base_svg: str = None

    def frame_svgs(self):
        band = caption_lines(self.frames)
        return [frame_svg(self.base_svg, f, self.diagram, band) for f in self.frames]

    def frame_styles(self):
        return [frame_css(f, self.diagram) for f in self.frames]


def lesson(x, level=None, rankdir="TB", legend=False, small=16, clusters=True, max_nodes=MAX_NODES,
           svg=True, update="compact", roll=True, expand=None, images=True, compare_grads=None):
    """Lay ``x`` out once (SVG when ``svg``) and compute its frames."""
    G, diagram, digraph = prepare(x, level, rankdir, True, legend, small, clusters, max_nodes, update, roll,
                                  expand, images, compare_grads)
    return lesson_of(G, diagram, digraph, svg)


def lesson_of(G, diagram, digraph, svg=True):
    """The :class:`Lesson` of a graph as drawn (:func:`.draw.prepare`'s results)."""
    frames = compute_frames(G, diagram)
    if not frames:
        raise ValueError("nothing to step through: the graph has no ops (draw a tensor computed from others)")
    base = render_bytes(digraph.source, "svg").decode("utf-8") if svg else None
    return Lesson(G, diagram, digraph, frames, base)


def steps(x, out_dir, format="svg", **opts):
    """Write ``frame_000.svg``, ``frame_001.svg``, ... into ``out_dir``; return their paths.

    One frame per forward op, then one per backward step; each backward frame
    highlights the op being differentiated and writes its chain-rule product.
    ``format`` is ``"svg"`` (restyled copies of one layout) or ``"png"``
    (rendered over the same fixed positions). ``opts`` are :func:`draw`'s.

    >>> import graphviz_grad as vg, tempfile
    >>> w, x = vg.tensor(2.0, requires_grad=True), vg.tensor(1.0, requires_grad=True)
    >>> y = w * x; y.backward()
    >>> paths = vg.viz.steps(y, tempfile.mkdtemp())
    >>> len(paths)  # one forward op, one backward step
    2
    """
    fmt = format.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise ValueError(f"steps writes svg or png frames, not {format!r}")
    os.makedirs(out_dir, exist_ok=True)
    result = lesson(x, svg=fmt == "svg", **opts)
    if fmt == "svg":
        blobs = [s.encode("utf-8") for s in result.frame_svgs()]
    else:
        from .animate import frame_images

        blobs = []
        for image in frame_images(result):
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            blobs.append(buffer.getvalue())
    paths = []
    for i, blob in enumerate(blobs):
        path = os.path.join(out_dir, f"frame_{i:03d}.{fmt}")
        with open(path, "wb") as f:
            f.write(blob)
        paths.append(path)
    return paths
