"""``animate``: the step-by-step frames as an animated GIF (Pillow).

The graph is laid out once (pygraphviz); each frame restyles that laid-out
graph's nodes and edges and renders it with ``neato -n2``, which keeps every
position, then Pillow writes the step's chain rule under it.
"""
import io
import os

from .dot import edge_attrs, node_attrs
from .layout import draw_fixed, laid_out

CAPTION_SIZE = 20
LINE_HEIGHT = 28
DPI = "96"


def _font(size, bold=False):
    from PIL import ImageFont

    names = (("DejaVuSans-Bold.ttf", "Arial Bold.ttf", "LiberationSans-Bold.ttf") if bold
             else ("DejaVuSans.ttf", "Arial.ttf", "LiberationSans-Regular.ttf"))
    for name in names:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            pass
    try:
        import matplotlib

        return ImageFont.truetype(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", names[0]), size)
    except (ImportError, OSError):
        return ImageFont.load_default(size=size)


def restyled_renders(lesson, fmt="png"):
    """Render each frame of ``lesson`` as ``fmt`` bytes: one layout, restyled, drawn at fixed positions."""
    graph = laid_out(lesson.digraph.source)
    graph.graph_attr["dpi"] = DPI
    nodes = {n.name: graph.get_node(n.name) for n in lesson.diagram.nodes}
    edges = {e.attr.get("id"): e for e in graph.edges()}
    for frame in lesson.frames:
        for node in lesson.diagram.nodes:
            attrs = node_attrs(node, frame.nodes.get(node.name, "normal"), show_grad=node.name in frame.grads)
            nodes[node.name].attr.update(attrs)
        for edge in lesson.diagram.edges:
            edges[edge.name].attr.update(edge_attrs(edge, frame.edges.get(edge.name, "normal"), complete=True))
        yield draw_fixed(graph, fmt)


def frame_images(lesson):
    """One RGB Pillow image per frame of ``lesson`` (see :func:`.steps.lesson`), all the same size.

    The step's title and chain rule are written in a band above the diagram,
    as high in every frame, so the diagram never moves.
    """
    from PIL import Image, ImageDraw

    pictures = [Image.open(io.BytesIO(png)).convert("RGB") for png in restyled_renders(lesson, "png")]
    font, bold = _font(CAPTION_SIZE), _font(CAPTION_SIZE, bold=True)
    n_lines = max(1 + len(f.lines) for f in lesson.frames)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    text_w = max(measure.textlength(line, font=bold) for f in lesson.frames for line in [f.title, *f.lines])
    width = int(max(max(p.width for p in pictures), text_w + 24))
    band = n_lines * LINE_HEIGHT + 20
    height = max(p.height for p in pictures) + band
    images = []
    for frame, picture in zip(lesson.frames, pictures):
        image = Image.new("RGB", (width, height), "white")
        image.paste(picture, (0, band))
        draw = ImageDraw.Draw(image)
        y = 10
        for i, line in enumerate([frame.title, *frame.lines]):
            color = (34, 34, 34) if i == 0 or frame.phase != "backward" else (192, 57, 43)
            draw.text((12, y), line, fill=color, font=bold if i == 0 else font)
            y += LINE_HEIGHT
        draw.line([(0, band - 8), (width, band - 8)], fill=(208, 215, 222), width=1)
        images.append(image)
    return images


def animate(x, path, duration=1200, **opts):
    """Write the forward and backward steps of ``x`` as an animated GIF at ``path``; return ``path``.

    ``duration`` is each frame's time in milliseconds; ``opts`` are :func:`draw`'s.

    >>> import graphviz_grad as vg, tempfile, os
    >>> w = vg.tensor(2.0, requires_grad=True)
    >>> y = w * w; y.backward()
    >>> path = vg.viz.animate(y, os.path.join(tempfile.mkdtemp(), "pass.gif"))
    >>> open(path, "rb").read(6)
    b'GIF89a'
    """
    from .steps import lesson

    images = frame_images(lesson(x, svg=False, **opts))
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0)
    return path
