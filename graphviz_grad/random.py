"""The global random generator behind ``randn``/``rand``/``nn.init`` (deterministic by default)."""
import numpy as np

_DEFAULT_SEED = 67280421310721  # PyTorch's default initial seed
_seed = _DEFAULT_SEED
_generator = np.random.Generator(np.random.PCG64(_DEFAULT_SEED))


def manual_seed(seed):
    """Reseed the global generator; the same seed gives the same tensors."""
    global _generator, _seed
    _seed = int(seed)
    _generator = np.random.Generator(np.random.PCG64(_seed & (2**64 - 1)))
    return _generator


def seed():
    import secrets

    s = secrets.randbits(63)
    manual_seed(s)
    return s


def initial_seed():
    return _seed


def generator():
    return _generator
