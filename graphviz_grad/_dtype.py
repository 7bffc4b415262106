"""Data types: PyTorch's names over NumPy's dtypes.

>>> import graphviz_grad as vg
>>> vg.float32 is vg.float, vg.float64 is vg.double, vg.int64 is vg.long
(True, True, True)
>>> vg.float32
graphviz_grad.float32
"""
import numpy as np


class dtype:
    """A tensor element type; compares by identity, like ``torch.dtype``."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f"graphviz_grad.{self.name}"

    def __reduce__(self):  # dtypes are singletons
        return (to_dtype, (self.name,))


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)

ALL = (float16, float32, float64, int8, uint8, int16, int32, int64, bool)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64)

_default_float = float32


def get_default_dtype():
    return _default_float


def set_default_dtype(d):
    global _default_float
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def from_numpy_dtype(np_dtype):
    """The dtype for a NumPy dtype; unsupported ones raise TypeError."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert NumPy arrays of type {np_dtype}; the supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool"
        ) from None


def to_dtype(d):
    """Accept a dtype, its name ('float32'), a NumPy dtype, or Python's float/int/bool."""
    if d is None or d.__class__ is dtype:
        return d
    if isinstance(d, str):
        try:
            return _BY_NAME[d.removeprefix("torch.").removeprefix("graphviz_grad.")]
        except KeyError:
            raise TypeError(f"unknown dtype {d!r}; use one of {', '.join(sorted(_BY_NAME))}") from None
    import builtins

    if d is builtins.float:
        return float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"dtype must be a graphviz_grad dtype such as graphviz_grad.float32, not {d!r}") from None


_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "uint8": "Byte",
               "int16": "Short", "int32": "Int", "int64": "Long", "bool": "Bool"}


def type_name(t):
    """PyTorch's name of a tensor's element type in messages: Float, Double, Long, ...

    >>> import graphviz_grad as vg
    >>> type_name(vg.zeros(1, dtype=vg.int64))
    'Long'
    """
    return _TYPE_NAMES[t.dtype.name]
