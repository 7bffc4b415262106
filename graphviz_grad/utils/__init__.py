"""``graphviz_grad.utils``: as ``torch.utils``; ``utils.data`` holds datasets and the ``DataLoader``."""
from . import data, hooks  # noqa: F401
