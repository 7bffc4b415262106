"""Small built-in data for the lessons, shipped with the package: nothing is downloaded.

- :func:`names`: 580 lowercase first names, one per line, as makemore's ``names.txt``;
- :func:`shakespeare`: about 6 KB of Shakespeare (public domain), for the GPT lesson;
- :func:`shapes`: tiny images of 10 kinds of shape, drawn by NumPy from a seed, for the
  blitz's LeNet (1×32×32) and its CIFAR-style classifier (3×32×32).

Every function returns plain Python or NumPy data, so a lesson can make tensors
from it with the library it runs on (graphviz_grad, or PyTorch itself).

>>> words = names()
>>> len(words), words[:3]
(580, ['emma', 'olivia', 'ava'])
>>> images, labels = shapes(20, seed=0)
>>> images.shape, images.dtype, labels.shape, labels.dtype
((20, 3, 32, 32), dtype('float32'), (20,), dtype('int64'))
>>> SHAPE_CLASSES[labels[0]] in SHAPE_CLASSES
True
"""
from importlib import resources

import numpy as np

__all__ = ["names", "shakespeare", "shapes", "SHAPE_CLASSES"]

SHAPE_CLASSES = ("circle", "square", "triangle", "ring", "cross",
                 "hbar", "vbar", "diagonal", "antidiagonal", "diamond")


def _read(filename):
    return resources.files("graphviz_grad.datasets").joinpath(filename).read_text(encoding="utf-8")


def names():
    """The built-in first names, lowercase a–z, as ``open('names.txt').read().splitlines()`` gives them.

    >>> sorted(set(''.join(names()))) == [chr(c) for c in range(ord('a'), ord('z') + 1)]
    True
    """
    return _read("names.txt").splitlines()


def shakespeare():
    """About 6 KB of Shakespeare (speeches and sonnets) as one string, like ``input.txt`` of the GPT lesson.

    >>> text = shakespeare()
    >>> text.startswith("HAMLET:"), len(set(text)) < 70
    (True, True)
    """
    return _read("shakespeare.txt")


def shapes(n=2000, seed=0, size=32, channels=3):
    """``n`` images of 10 kinds of shape and their labels: ``(float32 array (n, channels, size, size), int64 (n,))``.

    Each image is one shape (see :data:`SHAPE_CLASSES`, the label is its index)
    of a random size, place and colour on a random dark background, with a
    little noise. Pixel values lie in [-1, 1], as the blitz's
    ``transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))`` leaves CIFAR-10.
    The same ``seed`` gives the same images, on every machine (NumPy's PCG64).
    ``channels=1`` gives grey images (LeNet's input).

    >>> a, _ = shapes(5, seed=3)
    >>> b, _ = shapes(5, seed=3)
    >>> bool((a == b).all()), float(a.min()) >= -1, float(a.max()) <= 1
    (True, True, True)
    """
    if channels not in (1, 3):
        raise ValueError(f"shapes: channels must be 1 or 3, not {channels}")
    rng = np.random.Generator(np.random.PCG64(seed))
    labels = rng.integers(0, len(SHAPE_CLASSES), size=n)
    scale = size / 32
    cy, cx = (rng.uniform(11, 21, size=(2, n, 1, 1)) * scale).astype(np.float32)
    r = (rng.uniform(5, 10, size=(n, 1, 1)) * scale).astype(np.float32)
    width = (rng.uniform(1.5, 3.0, size=(n, 1, 1)) * scale).astype(np.float32)
    colour = rng.uniform(0.5, 1.0, size=(n, 3)).astype(np.float32)
    background = rng.uniform(0.0, 0.35, size=(n, 3)).astype(np.float32)
    noise = rng.normal(0.0, 0.05, size=(n, 3, size, size)).astype(np.float32)

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    mask = np.zeros((n, 1, size, size), dtype=bool)
    for kind in range(len(SHAPE_CLASSES)):  # each kind drawn only on its own images
        rows = np.flatnonzero(labels == kind)
        mask[rows, 0] = _draw(kind, yy[None] - cy[rows], xx[None] - cx[rows], r[rows], width[rows])
    images = np.where(mask, colour[:, :, None, None], background[:, :, None, None]) + noise
    if channels == 1:
        images = images.mean(axis=1, keepdims=True)
    images = np.clip(images * 2 - 1, -1, 1)
    return images.astype(np.float32), labels.astype(np.int64)


def _draw(kind, dy, dx, r, width):
    """The pixels of shape ``kind`` (an index of SHAPE_CLASSES), from each pixel's offset to the centre."""
    name = SHAPE_CLASSES[kind]
    box = (np.abs(dy) <= r) & (np.abs(dx) <= r)
    if name == "circle":
        return np.hypot(dy, dx) <= r
    if name == "square":
        return (np.abs(dy) <= r * 0.85) & (np.abs(dx) <= r * 0.85)
    if name == "triangle":  # point up
        return (dy <= r * 0.8) & (dy >= -r) & (np.abs(dx) <= (dy + r) * 0.6)
    if name == "ring":
        dist = np.hypot(dy, dx)
        return (dist <= r) & (dist >= r - width)
    if name == "cross":
        return box & ((np.abs(dy) <= width / 2) | (np.abs(dx) <= width / 2))
    if name == "hbar":
        return (np.abs(dy) <= width / 2 + 1) & (np.abs(dx) <= r)
    if name == "vbar":
        return (np.abs(dx) <= width / 2 + 1) & (np.abs(dy) <= r)
    if name == "diagonal":
        return box & (np.abs(dy - dx) <= width)
    if name == "antidiagonal":
        return box & (np.abs(dy + dx) <= width)
    return np.abs(dy) + np.abs(dx) <= r  # diamond
