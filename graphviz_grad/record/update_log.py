"""An optimizer's update, logged while a tape records and turned into op records when the tape is read.

Recording ``optimizer.step()`` op by op (:class:`~graphviz_grad.optim.update_math.TensorMath`)
costs a Tensor op and its records per arithmetic step: about 14 per parameter for
AdamW, most of a recorded GPT training step. So while every recorder is a tape
that can take it, the optimizer runs its fast path
(:class:`~graphviz_grad.optim.update_math.ArrayMath`, in place on the arrays) and
hands each call of its update math to the tape (:class:`UpdateLog`): the name,
the records of its tensor operands as they were before the call, its numbers,
and the record of what it wrote. When the tape is first read, :func:`replay`
runs TensorMath's own code for the same calls on stand-ins (:class:`_Sym`) that
make the records TensorMath's ops would have made, so a drawing of the update
is the same either way (``tests/test_record_update_log.py`` compares them). SPEC §2
allows records built on first read; the log keeps records only, never an array.

The temporaries of the update (``t5 = sub(grad, w.exp_avg)``) were freed before any
read in TensorMath's recording too: they keep their size only.
"""
import numpy as np

from .records import IN_PLACE, Ident, TensorRecord, bare_record, capture_op, capture_tensor, inplace_op
from .summary import LazyStats, capture_lazy

_new = object.__new__


class UpdateLog:
    """One parameter's update in ``optimizer.step()``, as calls of the update math (one tape event).

    ``calls``: ``(name, args, out)`` per call; an argument is a :class:`TensorRecord` (a tensor as it
    was before the call), an :class:`~graphviz_grad.optim.update_math.Earlier` or a number; ``out`` is the record of the tensor the
    call wrote in place or made (``clone``), else None. ``group``: the update's
    :class:`~graphviz_grad.record.records.UpdateGroup`.
    """

    __slots__ = ("calls", "group", "dtype", "small", "_ops")

    def __init__(self, group, dtype, small):
        self.calls = []
        self.group = group
        self.dtype = dtype
        self.small = small
        self._ops = None

    def ops(self):
        """The op records of the update, made on the first call (:func:`replay`)."""
        if self._ops is None:
            self._ops = replay(self)
        return self._ops


def replay(log):
    """The :class:`~graphviz_grad.record.records.OpRecord` list that TensorMath's recording of ``log``'s calls gives."""
    from ..optim.update_math import Earlier, TensorMath

    math = TensorMath()
    math._scalar = np.dtype(log.dtype).type
    ops, values = [], []
    for name, args, out in log.calls:
        syms = [_Sym(a, log, ops) if a.__class__ is TensorRecord else values[a.index] if a.__class__ is Earlier
                else a for a in args]
        if out is not None and syms and syms[0].__class__ is _Sym and name.endswith("_"):
            syms[0].after = out  # the record of what the call wrote in place
        result = getattr(math, name)(*syms)
        if result is not None and out is not None:  # clone: the new tensor is a real one, recorded then
            ops[-1].output = out
            result = _Sym(out, log, ops)
        values.append(result)
    return ops


def dead_summary(numel):
    """The summary of an array freed before anyone read it: its size only."""
    lazy = LazyStats(_SENTINEL)
    lazy.mark = lazy.stats = None
    lazy.numel = numel
    return lazy


class _Sentinel:
    pass


_SENTINEL = _Sentinel()  # (what a dead summary's weak reference points at: never an array)


class _Sym:
    """A stand-in for a tensor in TensorMath's code: each op on it appends the op record that the
    tape would have made for the same op on a tensor under ``no_grad`` in ``optimizer.step()``."""

    __slots__ = ("rec", "log", "ops", "after")

    def __init__(self, rec, log, ops):
        self.rec, self.log, self.ops, self.after = rec, log, ops, None

    # --- out of place: a new temporary -------------------------------------------------------
    def _op(self, op_class, inputs):
        recs = [x.rec for x in inputs]
        first = recs[0]
        shape = np.broadcast_shapes(*[r.shape for r in recs])
        out = bare_record(shape, np.result_type(*[r.dtype for r in recs]).name, first.device,
                          dead_summary(int(np.prod(shape))))
        return self._append(capture_op(_new(op_class), recs, out, None, "update"), out)

    def _append(self, op, out):
        op.update = self.log.group
        self.ops.append(op)
        return _Sym(out, self.log, self.ops)

    def _other(self, value):
        if value.__class__ is _Sym:
            return value
        from .._functions import constant
        from ..tensor import Tensor

        t = constant(value, Tensor._make(np.zeros((), self.rec.dtype)))
        ident = _new(Ident)
        ident.external = True
        small = self.log.small
        return _Sym(capture_tensor(t, small, ident, data=capture_lazy(t._data, small)), self.log, self.ops)

    def _binary(self, op_class, other, reverse=False):
        other = self._other(other)
        return self._op(op_class, [other, self] if reverse else [self, other])

    def __add__(self, other):
        return self._binary(_ops().Add, other)

    def __radd__(self, other):
        return self._binary(_ops().Add, other, reverse=True)

    def __sub__(self, other):
        return self._binary(_ops().Sub, other)

    def __rsub__(self, other):
        return self._binary(_ops().Sub, other, reverse=True)

    def __mul__(self, other):
        return self._binary(_ops().Mul, other)

    def __rmul__(self, other):
        return self._binary(_ops().Mul, other, reverse=True)

    def __truediv__(self, other):
        return self._binary(_ops().Div, other)

    def __neg__(self):
        return self._op(_ops().Neg, [self])

    def sqrt(self):
        return self._op(_ops().Sqrt, [self])

    def clone(self):
        return self._op(_ops().Clone, [self])

    def maximum(self, other):
        return self._binary(_ops().Maximum, other)

    # --- in place: the record of what was written comes from the log ---------------------------
    def _inplace(self, op_class, other):
        other = self._other(other)
        op = capture_op(_new(op_class), [self.rec, other.rec], self.after, None, "update")
        op.label = IN_PLACE
        op.inplace = True
        self._append(op, self.after)
        return self

    def add_(self, other):
        return self._inplace(_ops().Add, other)

    def mul_(self, other):
        return self._inplace(_ops().Mul, other)

    def copy_(self, src):
        before, out = self.rec, self.after
        op = inplace_op("copy_", before if before.version == out.version - 1 else None, out, None, "update")
        op.inputs.append(src.rec)
        self._append(op, out)
        return self


def _ops():
    from .. import ops

    return ops
