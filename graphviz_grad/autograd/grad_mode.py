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
import inspect
import threading


class _GradState(threading.local):
    enabled = True


state = _GradState()


def is_grad_enabled():
    return state.enabled


class _GradModeContext:
    """Base of the grad-mode context managers; also usable as decorators (of generators too)."""

    target = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self.target
        return self

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        """Decorate ``fn`` so that each call (each resumption, for a generator) runs in this mode."""
        if not callable(fn):
            raise TypeError(f"{type(self).__name__}() decorates a function, not {type(fn).__name__}")
        mode = self.target
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(fn, mode)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with _Mode(mode):
                return fn(*args, **kwargs)

        return wrapper


class _Mode(_GradModeContext):
    """The plain scope a decorated function runs in: grad recording set to ``target``."""

    def __init__(self, target):
        self.target = target


def _wrap_generator(fn, mode):
    """A generator function running ``fn``'s generator in grad mode ``mode`` at every resumption, as PyTorch's."""

    @functools.wraps(fn)
    def generator(*args, **kwargs):
        gen = fn(*args, **kwargs)
        try:
            with _Mode(mode):
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with _Mode(mode):
                        gen.close()
                    raise
                except BaseException as exc:  # thrown in by the caller: pass it on, in the mode
                    with _Mode(mode):
                        response = gen.throw(exc)
                else:
                    with _Mode(mode):
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return generator


class _NoArgDecorator(_GradModeContext):
    """A mode that also decorates bare: ``@no_grad`` means ``@no_grad()``, as in PyTorch."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoArgDecorator):
    """Ops inside build no graph: results have ``requires_grad=False``."""

    target = False


class enable_grad(_NoArgDecorator):
    """Turn grad recording back on inside a ``no_grad`` block."""

    target = True


class set_grad_enabled(_GradModeContext):
    """Grad recording on or off: at once when called, for a ``with`` block, or as a decorator."""

    def __init__(self, mode):
        self.target = bool(mode)
        self._prev = state.enabled
        state.enabled = self.target  # takes effect at once, as PyTorch's does

    def __enter__(self):
        return self

    def __call__(self, fn):
        state.enabled = self._prev  # as a decorator it changes nothing now
        return super().__call__(fn)


class inference_mode(no_grad):
    """``no_grad`` under PyTorch's other name (also bare: ``@inference_mode``)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return object.__new__(cls)
        return cls()(mode)  # bare @inference_mode

    def __init__(self, mode=True):
        self.target = not mode  # inference_mode(False) turns grad on, as PyTorch's does
