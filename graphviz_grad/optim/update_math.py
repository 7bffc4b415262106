"""The arithmetic of an optimizer update, in two interchangeable forms.

An optimizer writes its update rule once, as calls on a *math* object:

- :class:`ArrayMath` (the fast path) works in place on the raw arrays with the
  array module's ufuncs (``out=``), reusing two scratch buffers per parameter,
  so a step allocates nothing after the first;
- :class:`TensorMath` runs the same steps as Tensor ops, so that an active
  recorder sees every operation of the update.

Both do the same operations in the same order (PyTorch's), so they give the same
numbers. :class:`LoggedMath` is the fast path with a log for tapes that build the
update's op records when they are first read (:mod:`graphviz_grad.record.update_log`). Values handed in are Tensors (parameters, grads, optimizer state) or,
on the array path, arrays returned by an earlier call.

>>> import graphviz_grad as vg
>>> p = vg.tensor([1., 2.]); g = vg.tensor([10., 10.])
>>> math = ArrayMath()
>>> math.begin(p); math.add_scaled_(p, g, -0.1); math.finish(p)
>>> p
tensor([0., 1.])
"""
from .._writes import note_write
from ..backend import xp_of
from ..tensor import Tensor


def _array(value):
    return value._data if isinstance(value, Tensor) else value


class ArrayMath:
    """In-place ufuncs on a parameter's arrays; ``begin(param)`` picks its scratch buffers."""

    def __init__(self):
        self._scratch = {}  # id(param) -> [buffer, buffer]
        self._buffers = None
        self._xp = None
        self._scalar = None
        self._param = None

    def begin(self, param):
        self._param = param
        arr = param._data
        buffers = self._scratch.get(id(param))
        if buffers is None or not _same_kind(buffers[0], arr):
            xp = xp_of(arr)
            buffers = self._scratch[id(param)] = [xp.empty_like(arr), xp.empty_like(arr)]
        self._buffers = buffers
        self._xp = xp_of(arr)
        self._scalar = arr.dtype.type  # scalars are cast to the parameter's dtype, as PyTorch does

    def finish(self, param):
        pass

    def _target(self, a):
        """The array of ``a`` about to be written in place: each write counts a version, as PyTorch's
        in-place ops do (AdamW's ``param.mul_`` and ``param.addcdiv_``: two)."""
        if isinstance(a, Tensor):
            note_write(a._data)
            a._bump()
            return a._data
        return a

    def _free(self, *busy):
        """A scratch buffer that is none of ``busy`` (a third one is made when the two are busy)."""
        for buffer in self._buffers:
            if not any(b is buffer for b in busy):
                return buffer
        buffer = self._xp.empty_like(self._buffers[0])
        self._buffers.append(buffer)
        return buffer

    def neg(self, a):
        a = _array(a)
        return self._xp.negative(a, out=self._free(a))

    def clone(self, a):
        return Tensor._make(self._xp.copy(_array(a)))

    def scaled_add(self, a, b, alpha):
        """A new value ``a + alpha·b``."""
        a, b = _array(a), _array(b)
        out = self._free(a, b)
        self._xp.multiply(b, self._scalar(alpha), out=out)
        return self._xp.add(out, a, out=out)

    def add_scaled_(self, a, b, alpha):
        """``a += alpha·b``."""
        a, b = self._target(a), _array(b)
        if alpha != 1:
            b = self._xp.multiply(b, self._scalar(alpha), out=self._free(a, b))
        self._xp.add(a, b, out=a)

    def mul_(self, a, factor):
        a = self._target(a)
        self._xp.multiply(a, self._scalar(factor), out=a)

    def lerp_(self, a, b, weight):
        """``a += weight·(b - a)``, or for weight ≥ 0.5 ``a = b - (b - a)·(1 - weight)`` (PyTorch's lerp)."""
        a, b = self._target(a), _array(b)
        xp = self._xp
        diff = xp.subtract(b, a, out=self._free(a, b))
        if weight < 0.5:
            xp.multiply(diff, self._scalar(weight), out=diff)
            xp.add(a, diff, out=a)
        else:
            xp.multiply(diff, self._scalar(1) - self._scalar(weight), out=diff)
            xp.subtract(b, diff, out=a)

    def addcmul_(self, a, b, c, value):
        """``a += value·b·c``."""
        a, b, c = self._target(a), _array(b), _array(c)
        tmp = self._xp.multiply(b, self._scalar(value), out=self._free(a, b, c))
        self._xp.multiply(tmp, c, out=tmp)
        self._xp.add(a, tmp, out=a)

    def addcdiv_(self, a, b, c, value):
        """``a += value·b / c``."""
        a, b, c = self._target(a), _array(b), _array(c)
        tmp = self._xp.multiply(b, self._scalar(value), out=self._free(a, b, c))
        self._xp.divide(tmp, c, out=tmp)
        self._xp.add(a, tmp, out=a)

    def maximum_(self, a, b):
        a = self._target(a)
        self._xp.maximum(a, _array(b), out=a)

    def addcmul(self, a, b, c, value, keep=()):
        """A new value ``a + value·b·c``; ``keep``: earlier values still needed (not overwritten)."""
        a, b, c = _array(a), _array(b), _array(c)
        out = self._free(a, b, c, *map(_array, keep))
        self._xp.multiply(b, self._scalar(value), out=out)
        self._xp.multiply(out, c, out=out)
        return self._xp.add(a, out, out=out)

    def sqrt_div_add(self, a, divisor, addend, keep=()):
        """A new value ``sqrt(a) / divisor + addend``; ``keep``: earlier values still needed."""
        a = _array(a)
        out = self._xp.sqrt(a, out=self._free(a, *map(_array, keep)))
        self._xp.divide(out, self._scalar(divisor), out=out)
        return self._xp.add(out, self._scalar(addend), out=out)


def _same_kind(buffer, arr):
    return buffer.__class__ is arr.__class__ and buffer.shape == arr.shape and buffer.dtype == arr.dtype


class TensorMath:
    """The same steps as :class:`ArrayMath`, as (recorded) Tensor ops; call under ``no_grad``."""

    def begin(self, param):
        self._scalar = param._data.dtype.type

    def finish(self, param):
        pass  # the in-place Tensor ops bumped the version already

    def neg(self, a):
        return -a

    def clone(self, a):
        return a.clone()

    def scaled_add(self, a, b, alpha):
        return b * alpha + a

    def add_scaled_(self, a, b, alpha):
        a.add_(b if alpha == 1 else b * alpha)

    def mul_(self, a, factor):
        a.mul_(factor)

    def lerp_(self, a, b, weight):
        if weight < 0.5:
            a.add_((b - a) * weight)
        else:
            a.copy_(b - (b - a) * float(self._scalar(1) - self._scalar(weight)))

    def addcmul_(self, a, b, c, value):
        a.add_(b * value * c)

    def addcdiv_(self, a, b, c, value):
        a.add_(b * value / c)

    def maximum_(self, a, b):
        a.copy_(a.maximum(b))

    def addcmul(self, a, b, c, value, keep=()):
        return a + b * value * c

    def sqrt_div_add(self, a, divisor, addend, keep=()):
        return a.sqrt() / divisor + addend


class Earlier:
    """In a logged call's arguments: the value that an earlier call of the same update returned."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return f"Earlier({self.index})"


class LoggedMath:
    """:class:`ArrayMath` (the optimizer's own, with its scratch buffers) that tells the recording tapes
    each call, so that they can build the ops :class:`TensorMath` would have recorded when they are
    first read (:mod:`graphviz_grad.record.update_log`).

    A tape gets ``update_operands(tensors)`` before a call (to take the records of the tensors as they
    are) and ``on_update_call(name, args, records, written)`` after it: ``args`` with None where a
    tensor was, :class:`Earlier` for an earlier call's value; ``written`` is the tensor the call wrote
    in place (the first argument) or made (``clone``).
    """

    def __init__(self, array_math, tapes):
        self._array = array_math
        self._tapes = tapes
        self._values = {}  # id(array an earlier call returned) -> that call's index
        self._calls = 0

    def begin(self, param):
        self._array.begin(param)
        self._values = {}
        self._calls = 0

    def finish(self, param):
        self._array.finish(param)

    def _run(self, name, args, keep=()):
        tensors, spec, values = [], [], self._values
        for a in args:
            if isinstance(a, Tensor):
                tensors.append(a)
                spec.append(None)
            else:
                index = values.get(id(a))
                spec.append(a if index is None else Earlier(index))
        records = [tape.update_operands(tensors) for tape in self._tapes]
        method = getattr(self._array, name)
        result = method(*args, keep=keep) if keep else method(*args)  # (keep: scratch buffers still needed)
        written = None
        if name.endswith("_"):
            written = args[0]
        elif isinstance(result, Tensor):
            written = result  # clone: a new tensor
        elif result is not None:
            values[id(result)] = self._calls
        for tape, recs in zip(self._tapes, records):
            tape.on_update_call(name, spec, recs, written)
        self._calls += 1
        return result

    def neg(self, a):
        return self._run("neg", (a,))

    def clone(self, a):
        return self._run("clone", (a,))

    def scaled_add(self, a, b, alpha):
        return self._run("scaled_add", (a, b, alpha))

    def add_scaled_(self, a, b, alpha):
        self._run("add_scaled_", (a, b, alpha))

    def mul_(self, a, factor):
        self._run("mul_", (a, factor))

    def lerp_(self, a, b, weight):
        self._run("lerp_", (a, b, weight))

    def addcmul_(self, a, b, c, value):
        self._run("addcmul_", (a, b, c, value))

    def addcdiv_(self, a, b, c, value):
        self._run("addcdiv_", (a, b, c, value))

    def maximum_(self, a, b):
        self._run("maximum_", (a, b))

    def addcmul(self, a, b, c, value, keep=()):
        return self._run("addcmul", (a, b, c, value), keep)

    def sqrt_div_add(self, a, divisor, addend, keep=()):
        return self._run("sqrt_div_add", (a, divisor, addend), keep)
