"""Warnings a user's line gets, as PyTorch's Python code points them at the caller."""
import sys
import warnings


def warn_user(message):
    """Warn, attributed to the first caller outside graphviz_grad (the user's line).

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_user("careful")
    >>> str(caught[0].message)
    'careful'
    """
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "graphviz_grad":
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)
