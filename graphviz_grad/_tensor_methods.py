"""Attach the functions of :mod:`_functions` to :class:`Tensor` as methods and operators.

One definition per operation: ``vg.mm(a, b)`` and ``a.mm(b)`` are the same code.
"""
import numpy as np

from . import _creation
from . import _functions as F
from . import ops
from .tensor import Tensor

_METHODS = (
    "add sub mul div neg pow sqrt exp log abs relu sigmoid tanh clamp clip clamp_min clamp_max "
    "square mm matmul dot sum mean max min maximum minimum argmax argmin amax softmax log_softmax "
    "reshape view view_as reshape_as flatten transpose swapaxes t permute expand expand_as squeeze "
    "unsqueeze clone eq ne lt le gt ge logical_not logical_and logical_or bitwise_not bitwise_and bitwise_or bitwise_xor "
    "equal allclose isnan isfinite any all norm"
).split()

# the lessons after the tutorial (makemore, GPT)
_METHODS += (
    "std var logsumexp prod cumsum amin sin cos erf log1p rsqrt reciprocal outer gather index_select tril triu "
    "masked_fill masked_fill_ tril_ triu_ index_add index_add_ scatter scatter_ scatter_add scatter_add_"
).split()

for _name in _METHODS:
    setattr(Tensor, _name, getattr(F, _name))
Tensor.ger = F.outer

Tensor.log10 = F.log10
Tensor.T = property(lambda self: F.permute(self, *reversed(range(self.dim()))) if self.dim() > 2 else F.t(self) if self.dim() == 2 else self)
Tensor.mT = property(lambda self: F.transpose(self, -2, -1))
Tensor.subtract, Tensor.multiply, Tensor.divide, Tensor.true_divide = F.sub, F.mul, F.div, F.div
Tensor.greater, Tensor.less = F.gt, F.lt
Tensor.where = lambda self, condition, other: F.where(condition, self, other)


def _reflected(fn):
    return lambda self, other: fn(other, self)


Tensor.__add__ = F.add
Tensor.__radd__ = _reflected(F.add)
Tensor.__sub__ = F.sub
Tensor.__rsub__ = _reflected(F.sub)
Tensor.__mul__ = F.mul
Tensor.__rmul__ = _reflected(F.mul)
Tensor.__truediv__ = F.div
Tensor.__rtruediv__ = _reflected(F.div)
Tensor.__pow__ = F.pow
Tensor.__rpow__ = _reflected(F.pow)
Tensor.__matmul__ = F.matmul
Tensor.__rmatmul__ = _reflected(F.matmul)
Tensor.__neg__ = F.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = F.abs
Tensor.__eq__ = F.eq_operator  # t == None is False, as in torch; F.eq(t, None) raises
Tensor.__ne__ = F.ne_operator
Tensor.__lt__ = F.lt
Tensor.__le__ = F.le
Tensor.__gt__ = F.gt
Tensor.__ge__ = F.ge
Tensor.__invert__ = F.invert
Tensor.__and__, Tensor.__rand__ = F.bitwise_and, _reflected(F.bitwise_and)
Tensor.__or__, Tensor.__ror__ = F.bitwise_or, _reflected(F.bitwise_or)
Tensor.__xor__, Tensor.__rxor__ = F.bitwise_xor, _reflected(F.bitwise_xor)
Tensor.__getitem__ = F.getitem
Tensor.__setitem__ = F.setitem
Tensor.__hash__ = object.__hash__

# NumPy ufuncs that stand for a Tensor operator, by ufunc name
_UFUNC_OPS = {"add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "div", "divide": "div",
              "power": "pow", "matmul": "matmul", "equal": "eq", "not_equal": "ne", "less": "lt",
              "less_equal": "le", "greater": "gt", "greater_equal": "ge"}
_SCALARS = (Tensor, np.generic, int, float, bool)


def _is_scalar_or_tensor(x):
    """A tensor or one number (NumPy hands a scalar over as a 0-d array in comparisons)."""
    return isinstance(x, _SCALARS) or (x.__class__ is np.ndarray and x.ndim == 0)


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """``np.float64(2) * t`` runs as ``2 * t``: a tensor with its graph, as in PyTorch.

    NumPy hands an operator between a NumPy scalar and a tensor to this hook; any
    other ufunc call (``np.exp(t)``) works on the tensor's values, as before.
    """
    if any(isinstance(x, Tensor) for x in kwargs.get("out", ())):
        raise TypeError(f"return arrays must be of ArrayType: a NumPy ufunc cannot write into a tensor "
                        f"(out=); use the tensor's in-place method, e.g. t.{ufunc.__name__}_(...)")
    name = _UFUNC_OPS.get(ufunc.__name__) if method == "__call__" and not kwargs else None
    if name is not None and len(inputs) == 2 and all(_is_scalar_or_tensor(x) for x in inputs):
        return getattr(F, name)(*[x[()] if x.__class__ is np.ndarray else x for x in inputs])
    arrays = [np.asarray(x) if isinstance(x, Tensor) else x for x in inputs]
    return getattr(ufunc, method)(*arrays, **kwargs)


Tensor.__array_ufunc__ = _array_ufunc


def _inplace_method(op_class, prepare=F.operands):
    def method(self, other, alpha=1):
        if alpha != 1:
            other = F.mul(other, alpha) if isinstance(other, Tensor) else other * alpha
        _, other = prepare(self, other)
        if other._data.dtype is not self._data.dtype and other._data.dtype != self._data.dtype:
            F.check_cast(other, self)
            other = other.to(self.dtype)
        return self._inplace(op_class, other)

    method.__name__ = op_class.name + "_"
    return method


Tensor.add_ = Tensor.__iadd__ = _inplace_method(ops.Add)
Tensor.sub_ = Tensor.__isub__ = _inplace_method(ops.Sub)
Tensor.mul_ = Tensor.__imul__ = _inplace_method(ops.Mul)
Tensor.div_ = Tensor.__itruediv__ = _inplace_method(ops.Div, F._float_operands)  # true division: a float result


def _clamp_(self, min=None, max=None):
    return self._inplace(ops.Clamp, min=F._bound(min), max=F._bound(max))


Tensor.clamp_ = _clamp_
Tensor.relu_ = lambda self: self._inplace(ops.Relu)



# --- the blitz (PyTorch's 60-minute blitz, "Tensors" page and after) ---


def _new(make):
    """``t.new_<make>(...)``: ``make(...)`` with ``t``'s dtype and device unless given."""
    def method(self, *args, dtype=None, device=None, requires_grad=False, **kwargs):
        return make(*args, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad,
                    **kwargs)

    method.__name__ = "new_" + make.__name__
    return method


Tensor.new_zeros = _new(_creation.zeros)
Tensor.new_ones = _new(_creation.ones)
Tensor.new_empty = _new(_creation.empty)
Tensor.new_full = _new(_creation.full)
Tensor.new_tensor = _new(_creation.tensor)

_BLITZ_METHODS = ("sign floor ceil trunc fix frac exp2 fmod remainder lerp mv addmm nonzero count_nonzero masked_select "
                  "narrow select movedim moveaxis broadcast_to tile unique bincount").split()
for _name in _BLITZ_METHODS:
    setattr(Tensor, _name, getattr(F, _name))
Tensor.round = F._round
Tensor.__mod__ = F.remainder
Tensor.__rmod__ = _reflected(F.remainder)
