"""Compare two drawings by what a reader sees, not by their bytes.

A committed docs image and a fresh one drawn on another machine differ in two
ways that are not staleness:

* **Layout geometry.** Graphviz sizes a node from its text, measured with the
  fonts the machine has; a machine with other fonts moves every coordinate.
* **The last digits of long float32 computations.** OpenBLAS picks its kernel
  per CPU (``OPENBLAS_CORETYPE``), so 500 training steps end a few units in the
  last place apart, and a printed ``0.04122`` can become ``0.0412``.

:func:`compare` therefore reduces each file to a *signature* (the sequence of
its elements, attributes, colours and texts, with layout geometry dropped)
and compares the signatures: every non-numeric token exactly, every number
within ``REL_TOL``/``ABS_TOL``. A changed structure, label, colour, or a
number that moved beyond the tolerance is still reported.

>>> svg = '<svg><text x="{}">{} {}</text></svg>'.format
>>> compare(svg(1, "min", 0.04122), svg(9, "min", 0.0412), ".svg")  # moved, and last digit: same
>>> compare(svg(1, "min", 0.04122), svg(1, "max", 0.04122), ".svg")
"token 0: '<svg []> <text []> min ' became '<svg []> <text []> max '"
>>> compare(svg(1, "min", 0.04122), svg(1, "min", 0.05), ".svg")
'token 1: 0.04122 became 0.05'
"""
import math
import re
import xml.etree.ElementTree as ET

# A printed number moves by at most a unit in its 4th significant digit through rounding
# (1e-3 relative) plus the float32 drift of a 500-step run (SPEC §1 measured up to 4e-3 at
# step 500).  The largest move seen across OpenBLAS's Prescott, Haswell, SkylakeX and Zen
# kernels and two font sets was 2.1e-3 (a final loss of 2.4e-08).
REL_TOL = 5e-3
# A statistic that is a near-cancelling float32 sum (a gradient's mean) may land anywhere
# around zero; below this it is read as "about zero".
ABS_TOL = 1e-6

# Attributes that only place or size things: they depend on the machine's fonts.
GEOMETRY = frozenset({
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy", "points", "d",
    "transform", "viewBox", "width", "height", "textLength", "clip-path", "style",
})
SVG_BLOCK = re.compile(r"<svg\b.*?</svg>", re.S)
NUMBER = re.compile(r"(?<![\w.#])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")
# matplotlib names clip paths and glyph/marker definitions by a hash of their geometry.
HASHED_ID = re.compile(r"#?(?:p[0-9a-f]{10}|m[0-9a-f]{10})\b")
# matplotlib draws text as glyph outlines (``<use href="#DejaVuSans-36"/>`` is a '6') and keeps
# the text itself in a comment beside them: compare the comment, skip the glyphs.
GLYPH = re.compile(r"#?[A-Za-z]+(?:-[A-Za-z]+)*-[0-9a-f]+")


def _svg_signature(svg):
    """Elements in document order: tag, non-geometric attributes, text; no coordinates."""
    root = ET.fromstring(svg, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    parts = []
    for element in root.iter():
        if element.tag is ET.Comment:
            parts.append(f"<!-- {element.text.strip()} -->")
            continue
        tag = element.tag.rsplit("}", 1)[-1]
        names = [v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] in ("id", "href")]
        if any(GLYPH.fullmatch(v) for v in names):
            continue
        attrs = sorted((k.rsplit("}", 1)[-1], v) for k, v in element.attrib.items()
                       if k.rsplit("}", 1)[-1] not in GEOMETRY)
        attrs = [(k, HASHED_ID.sub("#hashed", v)) for k, v in attrs]
        if tag in ("path", "polygon", "polyline") and element.get("d", element.get("points")) is not None:
            attrs.append(("shape", "present"))  # the shape is there; where it lies is layout
        parts.append(f"<{tag} {attrs}>")
        if element.text and element.text.strip():
            parts.append(element.text.strip())
    return "\n".join(parts)


def signature(text, suffix):
    """``text`` with every SVG in it replaced by its geometry-free signature."""
    if suffix == ".svg":
        return _svg_signature(text[text.index("<svg"):])
    return SVG_BLOCK.sub(lambda m: _svg_signature(m.group(0)), text)


# A heatmap thumbnail embedded as a data URI: compared by its size, not its pixels. Its colours are the
# tensor's values scaled to their own range, so a gradient that is zero up to rounding (makemore 4's
# logit_maxes.grad, about 1e-9) draws its float noise, which differs with every BLAS kernel (40 levels
# of 255 on average between two). What the heatmap shows is also in its node's min/mean/max, which are
# compared as numbers.
DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")
# In DOT the same heatmaps are files named by a hash of their bytes (``vgimg_g<hash>.png``, g: a gradient's).
IMAGE_FILE = re.compile(r"(vgimg_g?)[0-9a-f]{16}(\.png)")


def _images(text):
    """``text`` with each embedded PNG replaced by ``data:image/png;…``, and the PNGs in order."""
    found = DATA_URI.findall(text)
    return IMAGE_FILE.sub(r"\1…\2", DATA_URI.sub("data:image/png;…", text)), found


def _pixels(uri):
    import base64
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"), dtype=float)


def _compare_images(ours, theirs):
    if len(ours) != len(theirs):
        return f"{len(ours)} embedded images became {len(theirs)}"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a == b:
            continue
        pa, pb = _pixels(a), _pixels(b)
        if pa.shape != pb.shape:
            return f"embedded image {i}: {pa.shape[1]}×{pa.shape[0]} became {pb.shape[1]}×{pb.shape[0]} pixels"
    return None


PLOT_TITLE = re.compile(r"vizgrad train (\S+): loss (\S+) → (\S+) in (\d+) steps")


def compare_plot(committed, fresh):
    """A loss plot of ``vizgrad train``: the same lesson, step count, axis labels and panels, and the first
    loss within the tolerance; ``None`` when so. Not the curve's end: the last loss of hundreds of float32
    steps of a classifier or a transformer follows the machine's BLAS kernel (0.5449 on one, 0.5168 on
    another, after 2000 steps of the CIFAR network), and the axis ticks follow its range."""
    def facts(svg):
        comments = re.findall(r"<!-- (.*?) -->", svg)
        titles = [m.groups() for m in map(PLOT_TITLE.fullmatch, comments) if m]
        words = [c for c in comments if not re.search(r"\d", c)]
        return titles, words

    (ours, our_words), (theirs, their_words) = facts(committed), facts(fresh)
    if our_words != their_words:
        return f"labels {our_words} became {their_words}"
    if [(t[0], t[3]) for t in ours] != [(t[0], t[3]) for t in theirs]:
        return f"plot titles {ours} became {theirs}"
    for (_, first, _, _), (_, other, _, _) in zip(ours, theirs):
        if not _close(float(first), float(other)):
            return f"first loss {first} became {other}"
    return None


def _tokens(text):
    """Alternating text and numbers: ``['min ', 0.04122, '  mean ', ...]``."""
    tokens, last = [], 0
    for match in NUMBER.finditer(text):
        tokens.append(text[last:match.start()])
        tokens.append(float(match.group(0)))
        last = match.end()
    tokens.append(text[last:])
    return tokens


def _close(a, b):
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def compare(committed, fresh, suffix):
    """``None`` when the two drawings show the same thing; else where they first differ."""
    (committed, our_images), (fresh, their_images) = _images(committed), _images(fresh)
    ours, theirs = _tokens(signature(committed, suffix)), _tokens(signature(fresh, suffix))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        same = _close(a, b) if isinstance(a, float) and isinstance(b, float) else a == b
        if not same:
            if isinstance(a, str) and isinstance(b, str):  # show where the two texts part
                at = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                a, b = a[max(0, at - 30):at + 30], b[max(0, at - 30):at + 30]
            return f"token {i}: {_show(a)} became {_show(b)}"
    if len(ours) != len(theirs):
        return f"{len(ours)} tokens became {len(theirs)}"
    return _compare_images(our_images, their_images)


def _show(token):
    return repr(token if isinstance(token, float) else token[-60:].replace("\n", " "))
