"""``detect_anomaly()``: name the first op whose output (forward) or gradient (backward) is NaN/Inf.

The offending graph node gets ``anomaly=True`` so drawings can highlight it.

>>> import graphviz_grad as vg
>>> x = vg.tensor([0.0], requires_grad=True)
>>> with vg.autograd.detect_anomaly():  # doctest: +ELLIPSIS
...     y = vg.log(x) * 0
Traceback (most recent call last):
...
graphviz_grad.autograd.anomaly.AnomalyError: Function 'LogBackward0' (op 'log') returned nan/inf values in its output...
"""
import numpy as np

from . import hooks


class AnomalyError(RuntimeError):
    """The RuntimeError raised by anomaly detection; ``.node`` is the op that produced NaN/Inf."""

    def __init__(self, message, node):
        super().__init__(message)
        self.node = node


class _AnomalyRecorder:
    """A recorder that checks every op's values instead of storing anything."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    @staticmethod
    def _bad(arr):
        if arr is None or arr.dtype.kind not in "fc":
            return False
        xp = np
        if arr.__class__ is not np.ndarray:
            from ..backend import xp_of

            xp = xp_of(arr)
        return not bool(xp.isfinite(arr).all())

    def _flag(self, node, where):
        try:
            node.anomaly = True
        except AttributeError:
            pass
        name = node.grad_fn_name() if hasattr(node, "grad_fn_name") else type(node).__name__
        raise AnomalyError(
            f"Function '{name}' (op '{getattr(node, 'name', '?')}') returned nan/inf values in its "
            f"{where}. It is the first op that did; look at its inputs (drawn highlighted in red).",
            node,
        )

    def on_op(self, node, inputs, result):
        if self._bad(result._data) and not any(self._bad(t._data) for t in inputs):
            self._flag(node, "output")

    def on_backward(self, node, grad, delivered):
        if any(self._bad(g) for g in delivered if g is not None):
            self._flag(node, "gradient (backward)")

    def on_backward_start(self, node, grad):
        pass

    def on_function_start(self, node, inputs):
        pass

    def on_function_end(self, node, inputs, results):
        pass

    def on_inplace(self, tensor, result, what=None, operands=(), key=None):
        pass


class detect_anomaly:
    """Context manager (and decorator): raise at the first op producing NaN or Inf."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._rec = _AnomalyRecorder(self.check_nan)
        hooks.state.recorders = hooks.state.recorders + (self._rec,)
        return self

    def __exit__(self, *exc):
        hooks.state.recorders = tuple(r for r in hooks.state.recorders if r is not self._rec)
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with detect_anomaly(self.check_nan):
                return fn(*a, **k)

        return wrapper


_global = None


def set_detect_anomaly(mode):
    global _global
    if mode and _global is None:
        _global = detect_anomaly()
        _global.__enter__()
    elif not mode and _global is not None:
        _global.__exit__(None, None, None)
        _global = None


def is_anomaly_enabled():
    return any(isinstance(r, _AnomalyRecorder) for r in hooks.state.recorders)
