"""``save`` / ``load`` without pickle: a zip of ``manifest.json`` plus one ``.npy`` file per array.

The manifest is JSON describing the saved structure: dicts (also OrderedDict,
with keys of any scalar type, so optimizer state dicts round-trip), lists,
tuples, str/int/float/bool/None, dtypes, devices, NumPy arrays and tensors (with
their dtype, device, ``requires_grad`` and whether they are Parameters; a tensor saved
twice loads as one tensor, and a view as a view of the array it views, as in
PyTorch). Arrays
are written with ``np.save(..., allow_pickle=False)`` and read with
``np.load(..., allow_pickle=False)``, so loading a file, even a hostile one,
never runs code: a pickle inside is refused.

>>> import io
>>> import graphviz_grad as vg
>>> buffer = io.BytesIO()
>>> vg.save({"w": vg.tensor([1., 2.]), "step": 3, "betas": (0.9, 0.999)}, buffer)
>>> _ = buffer.seek(0)
>>> vg.load(buffer)
{'w': tensor([1., 2.]), 'step': 3, 'betas': (0.9, 0.999)}
"""
import json
import math
import os
import pickle  # only for its exception class, which PyTorch raises for refused files: nothing is unpickled
import zipfile
from collections import OrderedDict

import numpy as np

from . import _dtype, backend
from .tensor import Size, Tensor

FORMAT = "graphviz_grad.save"
VERSION = 1
_MANIFEST = "manifest.json"
_CONTAINERS = ("list", "tuple", "dict", "odict")
_KEY_TYPES = (str, int, float, bool, type(None), tuple)


def _array_name(i):
    return f"arrays/{i}.npy"


# --- saving -----------------------------------------------------------------------------


class _ArrayTable:
    """The arrays to write, each once (tensors sharing an array share its file), and the tensors
    by identity: one tensor saved twice loads as one tensor, a view as a view of its base."""

    def __init__(self):
        self.arrays = []
        self._index = {}
        self._tensors = {}

    def tensor_id(self, t):
        return self._tensors.setdefault(id(t), len(self._tensors))

    def storage(self, arr):
        """``{"array": i}`` for ``arr``, or for a NumPy view the array it views and where in it."""
        root = arr
        while isinstance(root, np.ndarray) and isinstance(root.base, np.ndarray):
            root = root.base
        if root is arr or not isinstance(arr, np.ndarray):
            return {"array": self.add(arr)}
        offset = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        return {"array": self.add(root), "view": {"offset": offset, "shape": list(arr.shape),
                                                  "strides": list(arr.strides)}}

    def add(self, arr):
        i = self._index.get(id(arr))
        if i is None:
            i = self._index[id(arr)] = len(self.arrays)
            self.arrays.append(arr)
        return i

    def manifest(self):
        return [{"dtype": a.dtype.name, "shape": list(a.shape)} for a in self.arrays]


def _unsupported(obj, where):
    if hasattr(obj, "state_dict") and callable(obj.state_dict):
        noun = "optimizer" if hasattr(obj, "param_groups") else "model"
        restore = f"{noun}.load_state_dict(graphviz_grad.load(path))"
        return TypeError(
            f"graphviz_grad.save cannot save the {type(obj).__name__} object ({where}): it stores tensors and "
            f"plain containers, never whole objects. Save `{noun}.state_dict()` instead: "
            f"graphviz_grad.save({noun}.state_dict(), path), and restore it with {restore}"
        )
    return TypeError(
        f"graphviz_grad.save cannot save an object of type {type(obj).__name__} ({where}); it saves tensors, "
        "NumPy arrays, dtypes, devices, dicts, lists, tuples, str, int, float, bool and None"
    )


def _encode_one(obj, table, where):
    """``(json node, [(child object, holder list, slot, where)])`` for one object."""
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj, ()
    if isinstance(obj, float):
        return (obj if math.isfinite(obj) else {"type": "float", "value": repr(obj)}), ()
    if isinstance(obj, Tensor):
        from .nn.parameter import Parameter

        return {"type": "tensor", **table.storage(obj._data), "id": table.tensor_id(obj), "device": str(obj.device),
                "requires_grad": bool(obj.requires_grad), "parameter": isinstance(obj, Parameter)}, ()
    if isinstance(obj, (np.ndarray, np.generic)):
        if obj.dtype.kind not in "biuf":
            raise _unsupported(obj, where)
        return {"type": "ndarray", "array": table.add(np.asarray(obj)), "scalar": isinstance(obj, np.generic)}, ()
    if isinstance(obj, Size):
        return {"type": "size", "value": [int(n) for n in obj]}, ()
    if isinstance(obj, _dtype.dtype):
        return {"type": "dtype", "name": obj.name}, ()
    if isinstance(obj, backend.device):
        return {"type": "device", "value": str(obj)}, ()
    if isinstance(obj, dict):
        items = [[None, None] for _ in obj]
        children = []
        for pair, (key, value) in zip(items, obj.items()):
            if not isinstance(key, _KEY_TYPES):
                raise TypeError(
                    f"graphviz_grad.save: dict keys must be str, int, float, bool, None or tuples of them, "
                    f"got a {type(key).__name__} key ({where})"
                )
            children.append((key, pair, 0, f"{where}, a key"))
            children.append((value, pair, 1, f"{where}[{key!r}]"))
        return {"type": "odict" if isinstance(obj, OrderedDict) else "dict", "items": items}, children
    if isinstance(obj, (list, tuple)):
        items = [None] * len(obj)
        children = [(v, items, i, f"{where}[{i}]") for i, v in enumerate(obj)]
        return {"type": "tuple" if isinstance(obj, tuple) else "list", "items": items}, children
    raise _unsupported(obj, where)


def _encode(obj, table):
    """The JSON node tree of ``obj`` (iterative; a structure that contains itself is refused)."""
    root = [None]
    stack = [(obj, root, 0, "obj", ())]
    while stack:
        value, holder, slot, where, ancestors = stack.pop()
        node, children = _encode_one(value, table, where)
        holder[slot] = node
        if children:
            if id(value) in ancestors:
                raise ValueError(f"graphviz_grad.save: the object contains itself ({where})")
            inner = ancestors + (id(value),)
            stack.extend((*child, inner) for child in reversed(children))
    return root[0]


def save(obj, f):
    """Write ``obj`` (a state dict, a tensor, nested dicts/lists/tuples of them) to a path or binary file.

    Save a model's weights, not the model: ``save(model.state_dict(), "model.ckpt")``.
    """
    table = _ArrayTable()
    manifest = {"format": FORMAT, "version": VERSION, "object": _encode(obj, table), "arrays": table.manifest()}
    target = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(_MANIFEST, json.dumps(manifest, indent=1, allow_nan=False))
        for i, arr in enumerate(table.arrays):
            with zf.open(_array_name(i), "w", force_zip64=True) as out:
                np.save(out, backend.to_numpy(arr), allow_pickle=False)


# --- loading ----------------------------------------------------------------------------


def _corrupt(what):
    return RuntimeError(f"graphviz_grad.load: the file is not a valid graphviz_grad checkpoint ({what})")


def _refused_pickle(what):
    return pickle.UnpicklingError(
        f"graphviz_grad.load refuses {what}: unpickling can run arbitrary code, and graphviz_grad never "
        "unpickles. Save checkpoints with graphviz_grad.save(model.state_dict(), path); for a trusted "
        "PyTorch file, load it with torch.load and save its state_dict with graphviz_grad.save."
    )


def _device_map(map_location):
    """saved device string -> device to load onto."""
    if map_location is None:
        return backend.device
    if isinstance(map_location, (str, backend.device)):
        target = backend.device(map_location)
        return lambda saved: target
    if isinstance(map_location, dict):
        table = {str(k): v for k, v in map_location.items()}
        return lambda saved: backend.device(table.get(saved, table.get(saved.partition(":")[0], saved)))
    raise TypeError(
        f"map_location must be None, a device, a string such as 'cpu', or a dict, not {type(map_location).__name__}"
    )


class _Arrays:
    """Reads each array of the archive once, refusing pickles and checking it against the manifest."""

    def __init__(self, zf, table, device_map):
        if not isinstance(table, list):
            raise _corrupt("'arrays' is not a list")
        self._zf, self._table, self._device_map = zf, table, device_map
        self._loaded = {}
        self._tensors = {}  # saved tensor id -> the tensor loaded for it

    def get(self, i, device=None):
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(self._table):
            raise _corrupt(f"array index {i!r}")
        key = (i, None if device is None else str(device))
        if key not in self._loaded:
            self._loaded[key] = self._read(i) if device is None else self._on(self.get(i), device)
        return self._loaded[key]

    def _read(self, i):
        try:
            with self._zf.open(_array_name(i)) as fh:
                arr = np.load(fh, allow_pickle=False)
        except KeyError:
            raise _corrupt(f"{_array_name(i)} is missing") from None
        except ValueError as e:
            if "allow_pickle" in str(e):
                raise _refused_pickle(f"{_array_name(i)}, a pickled object array") from None
            raise _corrupt(f"{_array_name(i)}: {e}") from None
        _dtype.from_numpy_dtype(arr.dtype)
        expected = self._table[i]
        if not isinstance(arr, np.ndarray) or expected != {"dtype": arr.dtype.name, "shape": list(arr.shape)}:
            raise _corrupt(f"{_array_name(i)} does not match its description {expected}")
        return arr

    def _on(self, arr, device):
        if device.type == "cuda" and not backend.cuda_is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but CUDA is not available here. If you "
                "are running on a CPU-only machine, use graphviz_grad.load(path, map_location='cpu') to "
                "load the tensors onto the CPU."
            )
        return backend.to_device(arr, device)

    def tensor(self, node):
        key = node.get("id")
        if key in self._tensors:
            return self._tensors[key]
        saved = node.get("device")
        if not isinstance(saved, str):
            raise _corrupt("a tensor without a device")
        device, view = self._device_map(saved), node.get("view")
        if view is None:
            arr = self.get(node.get("array"), device)
        else:  # a view of a saved array: made on the host array (shared), then moved if need be
            arr = self._view(self.get(node.get("array")), view)
            if device.type != "cpu":
                arr = self._on(arr, device)
        t = Tensor._make(arr)
        if node.get("parameter") is True:
            from .nn.parameter import Parameter

            t = Parameter(t, requires_grad=node.get("requires_grad") is True)
        elif node.get("requires_grad") is True and t.is_floating_point():
            t.requires_grad_(True)
        if isinstance(key, int) and not isinstance(key, bool):
            self._tensors[key] = t
        return t

    @staticmethod
    def _view(arr, view):
        """The view of ``arr`` that ``view`` describes (offset in bytes, shape, strides), bounds-checked."""
        if view is None:
            return arr
        try:
            offset, shape, strides = int(view["offset"]), tuple(map(int, view["shape"])), tuple(map(int, view["strides"]))
            if offset < 0:
                raise ValueError("negative offset")
            return np.ndarray(shape, arr.dtype, buffer=arr, offset=offset, strides=strides)
        except (KeyError, TypeError, ValueError) as e:
            raise _corrupt(f"a view that does not fit its array ({e})") from None


def _is_container(node):
    return isinstance(node, dict) and node.get("type") in _CONTAINERS


def _children(node):
    items = node.get("items")
    if not isinstance(items, list):
        raise _corrupt(f"a {node.get('type')} without items")
    if node["type"] in ("dict", "odict"):
        if not all(isinstance(p, list) and len(p) == 2 for p in items):
            raise _corrupt("a dict item that is not a [key, value] pair")
        return [x for pair in items for x in pair]
    return items


def _leaf(node, arrays):
    if node is None or isinstance(node, (str, bool, int, float)):
        return node
    kind = node.get("type") if isinstance(node, dict) else None
    if kind == "tensor":
        return arrays.tensor(node)
    if kind == "ndarray":
        arr = arrays.get(node.get("array"))
        return arr[()] if node.get("scalar") is True else arr
    if kind == "float" and node.get("value") in ("nan", "inf", "-inf"):
        return float(node["value"])
    if kind == "size" and isinstance(node.get("value"), list) and all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in node["value"]):
        return Size(node["value"])
    if kind == "dtype" and node.get("name") in _dtype._BY_NAME:
        return _dtype.to_dtype(node["name"])
    if kind == "device" and isinstance(node.get("value"), str):
        return backend.device(node["value"])
    raise _corrupt(f"unknown entry {str(node)[:80]}")


def _build(kind, values):
    if kind == "list":
        return values
    if kind == "tuple":
        return tuple(values)
    pairs = zip(values[0::2], values[1::2])
    try:
        return OrderedDict(pairs) if kind == "odict" else dict(pairs)
    except TypeError:
        raise _corrupt("a dict key that is not hashable") from None


def _decode(root, arrays):
    """The object a manifest node tree describes (iterative post-order walk)."""
    if not _is_container(root):
        return _leaf(root, arrays)
    built = {}
    stack = [(root, False)]
    while stack:
        node, ready = stack.pop()
        children = _children(node)
        if not ready:
            stack.append((node, True))
            stack.extend((c, False) for c in children if _is_container(c))
            continue
        values = [built.pop(id(c)) if _is_container(c) else _leaf(c, arrays) for c in children]
        built[id(node)] = _build(node["type"], values)
    return built[id(root)]


def _open_archive(source):
    """A ZipFile of ``source``, or the right error for a pickle or some other file."""
    start = source.tell() if hasattr(source, "tell") else 0
    try:
        return zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        if isinstance(source, str):
            with open(source, "rb") as fh:
                head = fh.read(2)
        else:
            source.seek(start)
            head = source.read(2)
        if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
            raise _refused_pickle("this file, a pickle (an old-style PyTorch checkpoint?)") from None
        raise _corrupt("not a zip archive") from None


def load(f, map_location=None, weights_only=True):
    """Read what :func:`save` wrote, from a path or a binary file; never executes code.

    ``map_location`` (``"cpu"``, a device, or a dict such as ``{"cuda:0": "cpu"}``)
    moves tensors on load. ``weights_only`` is accepted for PyTorch compatibility:
    loading is always weights-only here, because nothing is ever unpickled.
    """
    device_map = _device_map(map_location)
    source = os.fspath(f) if isinstance(f, (str, os.PathLike)) else f
    with _open_archive(source) as zf:
        names = zf.namelist()
        if _MANIFEST not in names:
            if any(n.endswith(".pkl") for n in names):
                raise _refused_pickle("this file, a pickle-based PyTorch checkpoint")
            raise _corrupt(f"no {_MANIFEST}")
        try:
            manifest = json.loads(zf.read(_MANIFEST))
        except ValueError as e:
            raise _corrupt(f"{_MANIFEST} is not JSON: {e}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or "object" not in manifest:
            raise _corrupt(f"{_MANIFEST} does not describe a {FORMAT} file")
        if manifest.get("version") != VERSION:
            raise RuntimeError(
                f"graphviz_grad.load: this checkpoint has format version {manifest.get('version')!r}; this "
                f"graphviz_grad reads version {VERSION}. Upgrade graphviz_grad to read it."
            )
        return _decode(manifest["object"], _Arrays(zf, manifest.get("arrays"), device_map))
