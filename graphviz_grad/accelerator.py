"""``torch.accelerator``: the device-neutral queries the 60-minute blitz starts with (here the accelerator is CUDA).

>>> import graphviz_grad as vg
>>> vg.accelerator.is_available() == vg.cuda.is_available()
True
"""
from . import backend, cuda

is_available, device_count, synchronize = cuda.is_available, cuda.device_count, cuda.synchronize  # as torch.cuda's


def current_accelerator(check_available=False):
    """``device(type='cuda')`` where CuPy sees a GPU, else None."""
    return backend.device("cuda") if is_available() else None
