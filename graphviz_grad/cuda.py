"""``torch.cuda``-style queries, answered through CuPy when it is installed."""
from . import backend


def is_available():
    """True when CuPy is installed and sees at least one CUDA GPU."""
    return backend.cuda_is_available()


def device_count():
    cp = backend.cupy()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def synchronize():
    cp = backend.cupy()
    if cp is not None:
        cp.cuda.Device().synchronize()


def manual_seed(seed):
    from .random import manual_seed as _seed

    _seed(seed)


manual_seed_all = manual_seed
