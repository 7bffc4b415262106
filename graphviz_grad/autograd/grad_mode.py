"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``is_grad_enabled``.

The mode is thread-local, as in PyTorch.

>>> import graphviz_grad as vg
>>> x = vg.ones(2, requires_grad=True)
>>> with vg.no_grad():
...     y = x * 2
>>> y.requires_grad, vg.is_grad_enabled()
(False, True)
"""
import functools
import threading


class _GradState(threading.local):
    enabled = True


state = _GradState()


def is_grad_enabled():
    return state.enabled


class _GradModeContext:
    """Base of the grad-mode context managers; also usable as decorators."""

    target = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self.target
        return self

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Ops inside build no graph: results have ``requires_grad=False``."""

    target = False


class enable_grad(_GradModeContext):
    """Turn grad recording back on inside a ``no_grad`` block."""

    target = True


class set_grad_enabled(_GradModeContext):
    def __init__(self, mode):
        self.target = bool(mode)
        self._prev = state.enabled
        state.enabled = self.target  # takes effect at once, as PyTorch's does

    def __enter__(self):
        return self

    def __call__(self, fn):
        state.enabled = self._prev
        mode = self.target

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class inference_mode(no_grad):
    def __init__(self, mode=True):
        self.target = not mode
