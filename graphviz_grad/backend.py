"""Where arrays live: NumPy on the CPU, CuPy on a CUDA GPU.

Every op asks :func:`xp_of` for the array module of its operands instead of
importing NumPy directly, so the same op code runs on both.

>>> import graphviz_grad as vg
>>> vg.device("cuda:0")
device(type='cuda', index=0)
>>> vg.device("cpu") == "cpu"
True
"""
import threading

import numpy as np

_cupy = None
_cupy_checked = False


class device:
    """A device, compared by type and index; strings such as ``"cuda:0"`` are accepted."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, str) and ":" in type:
            type, _, idx = type.partition(":")
            try:
                index = int(idx)
            except ValueError:
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'") from None
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}"
            )
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and (
            self.index == other.index or self.type == "cpu" or None in (self.index, other.index)
        )

    def __hash__(self):
        return hash(self.type)

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __enter__(self):
        """``with vg.device("cuda"):`` creates tensors there (factories, ``tensor``, new layers' weights),
        as PyTorch's device context does, in this thread; an explicit ``device=`` still wins."""
        _defaults().entered.append(self)
        return self

    def __exit__(self, *exc):
        entered = _defaults().entered
        for k in range(len(entered) - 1, -1, -1):  # this block's own entry, even if another was left open
            if entered[k] is self:
                del entered[k]
                break
        return False


CPU = device("cpu")
CUDA = device("cuda", 0)
_per_thread = threading.local()  # as PyTorch's: each thread has its own default device and device blocks


def _defaults():
    state = _per_thread.__dict__
    if "entered" not in state:
        _per_thread.entered = []  # the devices of the open ``with device(...)`` blocks, innermost last
        _per_thread.default = None  # set_default_device's
    return _per_thread


def default_device():
    """Where a tensor is created when no ``device=`` is given: the innermost ``with vg.device(...)``,
    else :func:`set_default_device`'s, else the CPU (each thread has its own).

    >>> import graphviz_grad as vg
    >>> with vg.device("cpu"):
    ...     vg.get_default_device()
    device(type='cpu')
    """
    return chosen_default_device() or CPU


def chosen_default_device():
    """The device a ``with vg.device(...)`` block or :func:`set_default_device` chose, or None: then a
    tensor made from another (``tensor(t)``, ``as_tensor(t)``) stays where that one is."""
    state = _defaults()
    return state.entered[-1] if state.entered else state.default


def set_default_device(dev):
    """Create tensors on ``dev`` from now on, in this thread, when no ``device=`` is given (``None``: the CPU)."""
    _defaults().default = None if dev is None else device(dev)


def get_default_device():
    """The device :func:`default_device` gives, a GPU with its index, as PyTorch's ``get_default_device``."""
    dev = default_device()
    return CUDA if dev.type == "cuda" and dev.index is None else dev


def cupy():
    """The cupy module, or None when it is not installed or no GPU is usable."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy as cp

            if cp.cuda.runtime.getDeviceCount() > 0:
                _cupy = cp
        except Exception:
            _cupy = None
    return _cupy


def cuda_is_available():
    return cupy() is not None


def require_cupy():
    cp = cupy()
    if cp is None:
        raise RuntimeError(
            "CUDA was asked for, but CuPy or a CUDA GPU is not available here. "
            "Install the GPU extra with `pip install graphviz-grad[gpu]` on a machine with an NVIDIA GPU, "
            "or use device='cpu'."
        )
    return cp


def xp_of(array):
    """The array module (numpy or cupy) that owns ``array``."""
    if array.__class__ is np.ndarray:
        return np
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return _cupy
    return np


def device_of(array):
    if array.__class__ is np.ndarray or _cupy is None or not isinstance(array, _cupy.ndarray):
        return CPU
    return CUDA


def to_device(array, dev):
    """Move an array to ``dev`` (a device), copying only when it changes place."""
    if dev.type == "cpu":
        if array.__class__ is np.ndarray:
            return array
        return array.get() if hasattr(array, "get") else np.asarray(array)
    cp = require_cupy()
    if isinstance(array, cp.ndarray):
        return array
    return cp.asarray(array)


def xp_for(dev):
    return np if dev.type == "cpu" else require_cupy()


def to_numpy(array):
    return to_device(array, CPU)


# --- determinism -------------------------------------------------------------------------
# NumPy's and CuPy's kernels here give the same numbers on every run, so PyTorch's switch
# (the DCGAN tutorial's ``torch.use_deterministic_algorithms(True)``) is only remembered.
_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ask for deterministic algorithms, as PyTorch's switch; every kernel here already is one.

    >>> import graphviz_grad as torch
    >>> torch.use_deterministic_algorithms(True)
    >>> torch.are_deterministic_algorithms_enabled()
    True
    >>> torch.use_deterministic_algorithms(False)
    """
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            where = f"'{name}' (position 1)" if name == "mode" else f"'{name}'"
            raise TypeError(f"_set_deterministic_algorithms(): argument {where} must be bool, "
                            f"not {type(value).__name__}")
    _deterministic.update(mode=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled():
    """Whether :func:`use_deterministic_algorithms` was last given True."""
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled():
    """Whether :func:`use_deterministic_algorithms` was last given ``True, warn_only=True``."""
    return _deterministic["warn_only"]
