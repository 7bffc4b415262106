"""Attach the functions of :mod:`_functions` to :class:`Tensor` as methods and operators.

One definition per operation: ``vg.mm(a, b)`` and ``a.mm(b)`` are the same code.
"""
import numpy as np

from . import _creation
from . import _functions as F
from ._dtype import type_name
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
Tensor.unflatten = F.unflatten
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

# more shapes: unbind, split, chunk, repeat, flip, roll, bmm, diag
for _name in "unbind chunk repeat roll bmm diag".split():
    setattr(Tensor, _name, getattr(F, _name))


def _flip(self, *dims, **kwargs):
    """``t.flip(0, 1)``, ``t.flip((0, 1))`` or ``t.flip(dims=...)`` (the function takes one sequence only)."""
    if not dims and "dims" not in kwargs:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    dims = kwargs.get("dims", dims[0] if len(dims) == 1 else dims)
    return F.flip(self, dims if isinstance(dims, (tuple, list)) else (dims,))


Tensor.flip = _flip
Tensor.split = lambda self, split_size, dim=0: F.split(self, split_size, dim)


# --- sorting, running products, numeric clean-ups, and the in-place unary methods ---------------

for _name in "sort argsort topk cumprod isclose nan_to_num nan_to_num_ logit".split():
    setattr(Tensor, _name, getattr(F, _name))


def _refuse_float_into(t):
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type {type_name(t)}")


def _unary_inplace(op_class, name):
    """``t.exp_()`` and the like: the op run through ``Tensor._inplace`` (version bump, leaf check, graph).

    Their results are floats, which PyTorch refuses to write into an integer tensor.
    """
    def method(self):
        _refuse_float_into(self)
        return self._inplace(op_class)

    method.__name__ = name
    return method


def _neg_(self):
    F.neg(self)  # (PyTorch's error for a bool tensor)
    return self._inplace(ops.Neg)


_pow_tensor_ = _inplace_method(ops.PowTensor)


def _pow_(self, exponent):
    if isinstance(exponent, Tensor):
        return _pow_tensor_(self, exponent)
    if isinstance(exponent, float):
        _refuse_float_into(self)
    return self._inplace(ops.Pow, exponent=exponent)


for _name, _op in (("exp_", ops.Exp), ("log_", ops.Log), ("sqrt_", ops.Sqrt), ("tanh_", ops.Tanh),
                   ("sigmoid_", ops.Sigmoid), ("sin_", ops.Sin), ("cos_", ops.Cos)):
    setattr(Tensor, _name, _unary_inplace(_op, _name))


def _logit_(self, eps=None):
    _refuse_float_into(self)
    return self._inplace(ops.Logit, eps=eps)


Tensor.logit_ = _logit_
Tensor.abs_ = lambda self: self._inplace(ops.Abs)
Tensor.neg_ = Tensor.negative_ = _neg_
Tensor.pow_ = _pow_
Tensor.clamp_min_ = lambda self, min: _clamp_(self, min=min)
Tensor.clamp_max_ = lambda self, max: _clamp_(self, max=max)


# --- how a tensor lies in memory (makemore 2: views share a storage) ----------------------------

from . import storage as _storage  # noqa: E402

for _name in "storage stride storage_offset data_ptr element_size".split():
    setattr(Tensor, _name, getattr(_storage, _name))
Tensor.nbytes = property(lambda self: self._data.nbytes)
Tensor.itemsize = property(lambda self: self._data.itemsize)


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

_BLITZ_METHODS = ("sign floor ceil trunc fix frac exp2 fmod remainder mv addmm nonzero count_nonzero masked_select "
                  "narrow select movedim moveaxis broadcast_to tile unique bincount").split()
for _name in _BLITZ_METHODS:
    setattr(Tensor, _name, getattr(F, _name))
Tensor.round = F._round
Tensor.__mod__ = F.remainder
Tensor.__rmod__ = _reflected(F.remainder)


# --- more math: statistics that pick elements, two-tensor functions, matrices, views -----------------

from . import _math_functions as M  # noqa: E402
from . import _matrix_functions as MX  # noqa: E402

for _name in ("median nanmedian mode quantile nanquantile nanmean nansum aminmax cummax cummin logcumsumexp atan2 "
              "arctan2 hypot logaddexp logaddexp2 xlogy copysign heaviside floor_divide deg2rad rad2deg signbit "
              "lerp").split():
    setattr(Tensor, _name, getattr(M, _name))
for _name in ("diagonal trace inverse det matrix_power cross kron baddbmm addbmm addmv addr take take_along_dim "
              "index_fill index_fill_ fill_diagonal_ dist unfold t_ transpose_ squeeze_ unsqueeze_ rot90 diff").split():
    setattr(Tensor, _name, getattr(MX, _name))
Tensor.__floordiv__ = M.floor_divide
Tensor.__rfloordiv__ = _reflected(M.floor_divide)
