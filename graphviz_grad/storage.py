"""How a tensor lies in memory: ``t.storage()``, ``t.stride()``, ``t.storage_offset()``, ``t.data_ptr()``.

A view (``view``, ``t()``, slicing with ``:``, ``expand``) shares the memory of the tensor it
came from and reads it with other strides: makemore's lectures show it with ``storage()``.
Here the memory is the NumPy (or CuPy) array at the root of the view's ``base`` chain.

>>> import graphviz_grad as vg
>>> a = vg.arange(6)
>>> b = a.view(2, 3).t()
>>> b.stride(), b.storage_offset(), b.data_ptr() == a.data_ptr(), b.is_contiguous()
((1, 3), 0, True, False)
>>> a[2:].storage_offset(), len(a[2:].storage())
(2, 6)
>>> print(vg.arange(3).storage())
 0
 1
 2
[graphviz_grad.storage.TypedStorage(dtype=graphviz_grad.int64, device=cpu) of size 3]
"""


def _root(array):
    """The array that owns the memory ``array`` views (itself when it owns its memory)."""
    root = array
    while getattr(root, "base", None) is not None and hasattr(root.base, "strides"):
        root = root.base
    return root


def _address(array):
    data = getattr(array, "data", None)
    ptr = getattr(data, "ptr", None)  # a CuPy array's device pointer
    return ptr if ptr is not None else array.__array_interface__["data"][0]


class TypedStorage:
    """Every element of the memory a tensor views, in memory order (PyTorch's ``TypedStorage``).

    ``len(s)``, ``s[i]`` (a Python number), ``s.tolist()``, ``s.size()``, ``s.dtype``, ``s.device``,
    ``s.data_ptr()``; printed as PyTorch prints it, one element per line.
    """

    def __init__(self, tensor):
        root = _root(tensor._data)
        self._flat = root.reshape(-1) if root.flags.c_contiguous else root.ravel(order="K")
        self._ptr = _address(root)
        self.dtype, self.device = tensor.dtype, tensor.device

    def __len__(self):
        return self._flat.size

    def size(self):
        return self._flat.size

    def __getitem__(self, i):
        return self._flat[i].item()

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self):
        return self._flat.tolist()

    def data_ptr(self):
        return self._ptr

    def __repr__(self):
        info = f"[{__name__}.TypedStorage(dtype={self.dtype}, device={self.device}) of size {len(self)}]"
        return " " + "\n ".join(str(v) for v in self.tolist()) + "\n" + info

    __str__ = __repr__


def storage(tensor):
    """``t.storage()``: the memory ``t`` views, whole (a slice's storage is its base's)."""
    return TypedStorage(tensor)


def stride(tensor, dim=None):
    """``t.stride()``: per dim, how many elements apart its neighbours lie in memory (``dim``: one of them)."""
    array = tensor._data
    steps = tuple(s // array.itemsize for s in array.strides)
    return steps if dim is None else steps[tensor._wrap_dim(dim)]


def storage_offset(tensor):
    """``t.storage_offset()``: where ``t``'s first element lies in its storage, in elements."""
    array = tensor._data
    return (_address(array) - _address(_root(array))) // array.itemsize


def data_ptr(tensor):
    """``t.data_ptr()``: the address of ``t``'s first element."""
    return _address(tensor._data)


def element_size(tensor):
    """``t.element_size()``: the bytes of one element."""
    return tensor._data.itemsize
