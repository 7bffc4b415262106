"""Which NumPy memory was written in place, and when: what lazy summaries check before they trust an array.

Every in-place write the package makes to a tensor's array (in-place arithmetic,
``fill_``, ``copy_``, ``t[k] = v``, ``zero_``, gradient accumulation, an
optimizer's update of its parameters and state) calls :func:`note_write` first.
A write is counted on the array that owns the memory (a view's ``base``), so it
is seen through every alias the package hands out: views, ``.data``,
``.detach()``, basic indexing. Writes made by NumPy directly into the array of
``t.numpy()`` are the one way past it, as they are past PyTorch's version counters.

>>> import numpy as np
>>> a = np.zeros(3)
>>> mark = current()  # (writes are counted from the first mark on)
>>> written_since(a[1:], mark)
False
>>> note_write(a[:2])
>>> written_since(a, mark), written_since(a[2:], mark)
(True, True)
"""
import weakref

import numpy as np

_ndarray = np.ndarray
_last = {}  # id(memory owner) -> [weak reference to it, number of its latest write]
_count = [0]
watched = [False]  # set by the first mark (current()): until then nothing asks, and writes cost nothing


def owner_of(array):
    """The array that owns the memory ``array`` shows (NumPy and CuPy point a view's base at it)."""
    base = array.base
    return base if base is not None and base.__class__ is array.__class__ else array


def _forget(ref):
    entry = _last.get(ref.key)
    if entry is not None and entry[0] is ref:
        del _last[ref.key]


def note_write(array):
    """``array`` (a NumPy array; anything else is ignored) is about to be written in place."""
    if array.__class__ is not _ndarray or not watched[0]:
        return
    owner = owner_of(array)
    _count[0] = n = _count[0] + 1
    key = id(owner)
    entry = _last.get(key)
    if entry is not None and entry[0]() is owner:
        entry[1] = n
    else:
        _last[key] = [weakref.KeyedRef(owner, _forget, key), n]


def current():
    """A mark to compare with later: the number of the latest write so far (from now on writes are counted)."""
    watched[0] = True
    return _count[0]


def written_since(array, mark):
    """Has the memory of ``array`` been written in place since ``mark`` (from :func:`current`)?"""
    owner = owner_of(array)
    entry = _last.get(id(owner))
    return entry is not None and entry[0]() is owner and entry[1] > mark
