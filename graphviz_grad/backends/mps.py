"""``torch.backends.mps``: Apple's Metal backend, which graphviz_grad does not have (always False).

>>> from graphviz_grad.backends import mps
>>> mps.is_available(), mps.is_built()
(False, False)
"""


def is_available():
    """False: there is no MPS backend, so ``"mps" if ... else "cpu"`` picks the CPU."""
    return False


def is_built():
    """False: graphviz_grad is not built with MPS."""
    return False
