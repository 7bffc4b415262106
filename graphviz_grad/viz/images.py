"""Tensors drawn as images: a 2-D or 4-D tensor's thumbnail (``image`` in the graph model) as a heatmap.

A 2-D tensor is one heatmap; a 4-D one (feature maps, conv kernels) a grid of
its first sample's channels (up to 16). Values use a sequential colour map
(dark blue to yellow, viridis-like, from the tensor's min to its max);
gradients a diverging one centred at zero (blue negative, white zero, red
positive). Each image is a PNG made with NumPy and Pillow, named by its
content (``vgimg_<hash>.png``) in a cache folder, so the DOT text stays
deterministic; Graphviz finds it there through ``imagepath`` when it lays the
graph out, and :func:`embed` turns every reference in an SVG into a
``data:image/png;base64`` URI, so the SVG file is self-contained.

>>> import numpy as np
>>> from graphviz_grad.record.summary import thumbnail
>>> name = image_file(thumbnail(np.arange(20.0).reshape(4, 5)))
>>> name.startswith("vgimg_") and name.endswith(".png")
True
"""
import base64
import hashlib
import os
import re
import tempfile

import numpy as np

PREFIX = "vgimg_"
TARGET = 128  # pixels on the longer side, at least (small thumbnails are scaled up, pixel for pixel)
MAX_SCALE = 12

# viridis at five points, interpolated
_SEQUENTIAL = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], dtype=np.float64)
_DIVERGING = np.array([[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]],
                      dtype=np.float64)


def image_dir():
    """The folder of the image files (made when first needed)."""
    path = os.path.join(tempfile.gettempdir(), "graphviz_grad_images")
    os.makedirs(path, exist_ok=True)
    return path


def _colors(values, diverging, scale=None):
    if diverging:
        scale = scale or float(np.abs(values).max()) or 1.0
        t = (values / scale + 1.0) / 2.0  # zero is the middle, white
        ramp = _DIVERGING
    else:
        lo, hi = float(values.min()), float(values.max())
        t = (values - lo) / (hi - lo) if hi > lo else np.full(values.shape, 0.5)
        ramp = _SEQUENTIAL
    x = np.clip(t, 0.0, 1.0) * (len(ramp) - 1)
    i = np.minimum(x.astype(int), len(ramp) - 2)
    f = (x - i)[..., None]
    return (ramp[i] * (1 - f) + ramp[i + 1] * f).round().astype(np.uint8)


def _grid(values):
    """A (channels, h, w, rgb) stack as one picture: channels in a square-ish grid, one white pixel apart."""
    c, h, w = values.shape[:3]
    cols = int(np.ceil(np.sqrt(c)))
    rows = -(-c // cols)
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1, 3), 255, dtype=np.uint8)
    for k in range(c):
        r, q = divmod(k, cols)
        out[r * (h + 1):r * (h + 1) + h, q * (w + 1):q * (w + 1) + w] = values[k]
    return out


def png_bytes(image, diverging=False, scale=None):
    """The PNG of a thumbnail (``record.summary.thumbnail``) as a heatmap; a diverging one spans
    ``[-scale, scale]`` (default: its own largest magnitude), so that two gradients can share one scale."""
    from PIL import Image

    from ..record.summary import image_values

    values = image_values(image)
    rgb = _colors(values, diverging, scale)
    rgb = _grid(rgb) if values.ndim == 3 else rgb
    scale = max(1, min(MAX_SCALE, TARGET // max(rgb.shape[:2])))
    rgb = np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)
    import io

    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def image_file(image, diverging=False, scale=None):
    """The file name (in :func:`image_dir`) of the heatmap of ``image``, written if not there yet."""
    data = png_bytes(image, diverging, scale)
    kind = GRAD_MARK if diverging else ""  # (a gradient's heatmap: the stepper hides it until backward)
    name = f"{PREFIX}{kind}{hashlib.sha1(data).hexdigest()[:16]}.png"
    path = os.path.join(image_dir(), name)
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
    return name


GRAD_MARK = "g"
GRAD_IMAGE_CLASS = "vg-grad-image"
_HREF = re.compile(r'xlink:href="([^"]*?(' + PREFIX + r'(' + GRAD_MARK + r')?[0-9a-f]+\.png))"')


def embed(svg):
    """``svg`` (text) with every heatmap file it references replaced by a ``data:`` URI."""
    if PREFIX not in svg:
        return svg
    folder = image_dir()
    cache = {}

    def uri(match):
        name = match.group(2)
        if name not in cache:
            with open(os.path.join(folder, name), "rb") as f:
                cache[name] = "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")
        marked = f'class="{GRAD_IMAGE_CLASS}" ' if match.group(3) else ""
        return f'{marked}xlink:href="{cache[name]}"'

    return _HREF.sub(uri, svg)
