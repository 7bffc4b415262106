"""The seam between the engine and the recorder.

The engine calls into the active recorders here and nowhere else; recording off
means ``state.recorders`` is an empty tuple, one attribute read per op.
A recorder has ``on_op``, ``on_function_start``, ``on_function_end``,
``on_backward_start``, ``on_backward`` and ``on_inplace(tensor, result, what, operands, key)`` (an
in-place write: through an op on an alias, ``result``; else ``what`` it was, ``zero_``, ``copy_``,
``setitem``..., the tensors it read, ``operands``, and for ``setitem`` the index ``key`` with
``ops.shape.SLOT`` where an operand stood); one that also has
``takes_inplace_ops = True``, ``before_inplace(tensor, others)`` and
``on_inplace_op(tensor, node, others)`` is told
of in-place arithmetic without a graph (``w -= lr * grad``) before and after
the write, which then needs no alias op and no copy.
``state.module`` is the qualified name of the ``nn.Module`` call in progress,
``state.phase`` an explicit phase (``"update"`` inside ``optimizer.step()``).
"""
import threading


class _HookState(threading.local):
    recorders = ()
    module = None
    phase = None
    in_backward = False


state = _HookState()


class phase:
    """Tag the ops run inside with a phase, e.g. ``with phase("update"): ...``."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self._prev = state.phase
        state.phase = self.name
        return self

    def __exit__(self, *exc):
        state.phase = self._prev
        return False


def current_phase():
    """``backward`` inside the engine, else the explicit phase, else ``forward``."""
    if state.in_backward:
        return "backward"
    return state.phase or "forward"
