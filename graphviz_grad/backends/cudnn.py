"""``torch.backends.cudnn``: the flags learners set, kept as module attributes and otherwise ignored.

There is no cuDNN here (the GPU path is CuPy's), so ``benchmark``, ``deterministic``,
``enabled`` and ``allow_tf32`` are settable and have no effect; ``is_available()``
is True only where CuPy sees a CUDA GPU (PyTorch answers whether it was built with cuDNN).

>>> from graphviz_grad.backends import cudnn
>>> cudnn.benchmark, cudnn.deterministic, cudnn.enabled
(False, False, True)
>>> cudnn.benchmark = True
>>> cudnn.benchmark
True
>>> cudnn.benchmark = False
"""
from .. import backend

benchmark = False
deterministic = False
enabled = True
allow_tf32 = True


def is_available():
    """True only where CuPy sees a CUDA GPU."""
    return backend.cuda_is_available()


def version():
    """None: no cuDNN library is loaded (PyTorch's answer when it has none)."""
    return None
