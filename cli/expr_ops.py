"""What an expression can compute: arithmetic and the whitelisted functions, with size limits.

Values in an expression are Python numbers (int/float), lists of values and
graphviz_grad tensors. Arithmetic on two numbers is done on Python numbers
(so ``randn(2*3)`` gets an int) under magnitude limits; anything involving a
tensor calls the graphviz_grad function, after checking that the result stays
within :data:`MAX_ELEMENTS` elements. Every function here is a thin wrapper
over graphviz_grad's public API that checks its argument types first.

>>> import graphviz_grad as vg
>>> number_binop("**", 2, 10)
1024
>>> FUNCTIONS["relu"]([-1.0, 2.0])
tensor([0., 2.])
>>> FUNCTIONS["sum"](vg.ones(2, 3), dim=1)
tensor([3., 3.])
>>> try:
...     number_binop("**", 9, 9 ** 9)
... except ExprError as e:
...     print(e)
9 ** 387420489 is too large (more than 64 bits); use smaller numbers
"""
import math
import numbers

import numpy as np

import graphviz_grad as vg

from .errors import ExprError

MAX_ELEMENTS = 10_000  # per tensor: literals, randn/zeros/ones, and every result
MAX_DIMS = 8
MAX_INT_BITS = 64  # integers beyond ±2**64 are refused (they could only make shapes or huge powers)
KEYWORDS = frozenset({"min", "max", "dim", "keepdim"})

Tensor = vg.Tensor


def is_number(value):
    """An int or float, but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def describe(value):
    """A short word for the kind of ``value``, for error messages."""
    if isinstance(value, Tensor):
        return f"a tensor of shape {list(value.shape)}"
    if isinstance(value, bool):
        return str(value)
    if is_number(value):
        return f"the number {value:g}" if isinstance(value, float) else f"the number {value}"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def check_elements(shape, what="the result"):
    """Refuse a tensor of ``shape`` when it would hold more than :data:`MAX_ELEMENTS` elements."""
    if len(shape) > MAX_DIMS:
        raise ExprError(f"{what} would have {len(shape)} dimensions; the limit is {MAX_DIMS}")
    n = math.prod(shape)
    if n > MAX_ELEMENTS:
        raise ExprError(
            f"{what} would have {n:,} elements (shape {list(shape)}); the limit is {MAX_ELEMENTS:,} per tensor"
        )


def check_int(value):
    """Refuse integers too large to be a size or an exponent (they would only burn memory)."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExprError(f"the integer {str(value)[:12]}... is too large (more than {MAX_INT_BITS} bits)")
    return value


# --- turning values into tensors and arguments ---------------------------------------------


def to_tensor(value, what="argument"):
    """A tensor for ``value``: tensors pass, numbers and nested lists of numbers become float32 constants."""
    if isinstance(value, Tensor):
        return value
    if is_number(value):
        return vg.tensor(float(value))
    if isinstance(value, (list, tuple)):
        return _list_tensor(value)
    raise ExprError(f"{what} must be a tensor, a number or a list, not {describe(value)}")


def _list_tensor(values):
    count, stack = 0, [values]
    while stack:  # iterative: lists may be nested deeply
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif is_number(item):
            count += 1
        elif isinstance(item, Tensor):
            raise ExprError("a list may hold only numbers; to join tensors use stack([a, b]) or cat([a, b])")
        else:
            raise ExprError(f"a list may hold only numbers, not {describe(item)}")
    if count > MAX_ELEMENTS:
        raise ExprError(f"the list has {count:,} numbers; the limit is {MAX_ELEMENTS:,}")
    return vg.tensor(values, dtype=vg.float32)


def _int(value, what):
    if isinstance(value, Tensor) and value.numel() == 1 and not value.is_floating_point():
        value = value.item()
    if not isinstance(value, int) or isinstance(value, bool):
        raise ExprError(f"{what} must be an integer, not {describe(value)}")
    return value


def _dims(value):
    """``dim=`` of a reduction: None, an int, or a list/tuple of ints."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return tuple(_int(v, "dim") for v in value)
    return _int(value, "dim")


def _bool(value, what):
    if not isinstance(value, bool):
        raise ExprError(f"{what} must be True or False, not {describe(value)}")
    return value


def _bound(value, what):
    if value is not None and not is_number(value):
        raise ExprError(f"clamp's {what}= must be a number, not {describe(value)}")
    return value


def shape_of(value):
    return tuple(value.shape) if isinstance(value, Tensor) else ()


def _sizes(sizes, fn, allow_minus_one=False):
    """``f(2, 3)`` or ``f((2, 3))`` as a tuple of ints, within the limits."""
    if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)):
        sizes = tuple(sizes[0])
    shape = tuple(_int(s, f"a size given to {fn}()") for s in sizes)
    low = -1 if allow_minus_one else 0
    for s in shape:
        if s < low:
            raise ExprError(f"{fn}(): sizes must be non-negative, got {list(shape)}")
    check_elements(tuple(abs(s) for s in shape), f"{fn}{tuple(shape)}")
    return shape


# --- arithmetic --------------------------------------------------------------------------


def _number_pow(base, exponent):
    if isinstance(base, int) and isinstance(exponent, int) and exponent >= 0:
        if abs(base) > 1 and exponent * math.log2(abs(base)) > MAX_INT_BITS:
            raise ExprError(f"{base} ** {exponent} is too large (more than {MAX_INT_BITS} bits); use smaller numbers")
        return base ** exponent
    try:
        result = float(base) ** float(exponent)
    except OverflowError:
        raise ExprError(f"{base:g} ** {exponent:g} is too large for a float") from None
    except ZeroDivisionError:
        raise ExprError("0 cannot be raised to a negative power") from None
    if isinstance(result, complex):
        raise ExprError(f"{base:g} ** {exponent:g} is not a real number (negative base, fractional power)")
    return result


def number_binop(op, a, b):
    """``a op b`` for two Python numbers, refusing results that are too large or undefined."""
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        if b == 0:
            raise ExprError("division by zero")
        result = a / b
    elif op == "**":
        result = _number_pow(a, b)
    else:
        raise ExprError(f"{op} needs tensors on both sides, not two numbers")
    return check_int(result)


def broadcast_shape(a, b):
    """The shape of an elementwise result of ``a`` and ``b``, refused above the element limit."""
    sa, sb = shape_of(a), shape_of(b)
    try:
        shape = np.broadcast_shapes(sa, sb)
    except ValueError:
        raise ExprError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast together") from None
    check_elements(shape)
    return shape


def elementwise(fn, a, b):
    """``fn(a, b)`` for an elementwise op where at least one side is (or becomes) a tensor."""
    a = a if is_number(a) else to_tensor(a, "an operand")
    b = b if is_number(b) else to_tensor(b, "an operand")
    if is_number(a) and is_number(b):
        a = to_tensor(a)
    broadcast_shape(a, b)
    return fn(a, b)


def matmul(a, b, fn=vg.matmul):
    """``fn(a, b)`` (``a @ b``, ``mm``, ``dot``): tensors; the result is checked against the limit."""
    a, b = to_tensor(a, "matmul's first argument"), to_tensor(b, "matmul's second argument")
    sa, sb = shape_of(a), shape_of(b)
    if sa and sb:
        rows = sa if len(sa) > 1 else (1,) + sa
        cols = sb if len(sb) > 1 else sb + (1,)
        try:
            batch = np.broadcast_shapes(rows[:-2], cols[:-2])
        except ValueError:
            batch = None  # the engine explains the mismatch
        if batch is not None:
            check_elements(tuple(batch) + (rows[-2], cols[-1]))
    return fn(a, b)


# --- the whitelisted functions -------------------------------------------------------------


def _unary(fn):
    def call(x):
        return fn(to_tensor(x))

    return call


def _reduction(fn):
    def call(x, dim=None, keepdim=False):
        return fn(to_tensor(x), dim=_dims(dim), keepdim=_bool(keepdim, "keepdim"))

    return call


def _extreme(full, pairwise):
    """max/min: of all elements, along an integer ``dim`` (values only), or elementwise with a tensor."""

    def call(x, dim=None, keepdim=False):
        x = to_tensor(x)
        if dim is not None and not isinstance(dim, int):
            return elementwise(pairwise, x, dim)
        if dim is None:
            return full(x)
        return full(x, check_int(dim), keepdim=_bool(keepdim, "keepdim")).values

    return call


def _creation(fn, name):
    def call(*sizes):
        return fn(*_sizes(sizes, name))

    return call


def _softmax(fn):
    def call(x, dim=None):
        return fn(to_tensor(x), dim=None if dim is None else _int(dim, "dim"))

    return call


def _joined(fn, name):
    def call(tensors, dim=0):
        if not isinstance(tensors, (list, tuple)):
            raise ExprError(f"{name}() takes a list of tensors, e.g. {name}([a, b])")
        tensors = [to_tensor(t) for t in tensors]
        check_elements((sum(t.numel() for t in tensors),))
        return fn(tensors, dim=_int(dim, "dim"))

    return call


def _clamp(x, min=None, max=None):
    return vg.clamp(to_tensor(x), min=_bound(min, "min"), max=_bound(max, "max"))


def _pow(x, exponent):
    return elementwise(vg.pow, to_tensor(x), exponent)


def _reshape(x, *shape):
    return vg.reshape(to_tensor(x), *_sizes(shape, "reshape", allow_minus_one=True))


def _transpose(x, dim0, dim1):
    return vg.transpose(to_tensor(x), _int(dim0, "dim0"), _int(dim1, "dim1"))


def _flatten(x, start_dim=0, end_dim=-1):
    return vg.flatten(to_tensor(x), _int(start_dim, "start_dim"), _int(end_dim, "end_dim"))


def _unsqueeze(x, dim):
    return vg.unsqueeze(to_tensor(x), _int(dim, "dim"))


def _squeeze(x, dim=None):
    return vg.squeeze(to_tensor(x), None if dim is None else _int(dim, "dim"))


def _binary(fn):
    def call(a, b):
        return elementwise(fn, to_tensor(a), b)

    return call


def _tensor(data):
    if isinstance(data, Tensor):
        return data
    return to_tensor(data, "tensor()'s data")


CREATION = {name: _creation(getattr(vg, name), name) for name in ("randn", "rand", "zeros", "ones")}
CREATION["tensor"] = _tensor

FUNCTIONS = {name: _unary(getattr(vg, name)) for name in (
    "relu", "tanh", "sigmoid", "exp", "log", "sqrt", "abs", "neg", "square", "t")}
FUNCTIONS.update({name: _reduction(getattr(vg, name)) for name in ("sum", "mean")})
FUNCTIONS.update({name: _softmax(getattr(vg, name)) for name in ("softmax", "log_softmax")})
FUNCTIONS.update({name: _joined(getattr(vg, name), name) for name in ("cat", "stack")})
FUNCTIONS.update({name: _binary(getattr(vg, name)) for name in ("maximum", "minimum", "add", "sub", "mul", "div")})
FUNCTIONS.update(
    max=_extreme(vg.max, vg.maximum),
    min=_extreme(vg.min, vg.minimum),
    clamp=_clamp,
    pow=_pow,
    mm=lambda a, b: matmul(a, b, vg.mm),
    matmul=lambda a, b: matmul(a, b),
    dot=lambda a, b: matmul(a, b, vg.dot),
    reshape=_reshape,
    transpose=_transpose,
    flatten=_flatten,
    unsqueeze=_unsqueeze,
    squeeze=_squeeze,
)
FUNCTIONS.update(CREATION)

BINARY_OPS = {"+": vg.add, "-": vg.sub, "*": vg.mul, "/": vg.div, "**": vg.pow}

# Tensor methods the language accepts, as users type them: ``h.mean(0)`` is ``mean(h, 0)``,
# ``relu(h).sum()`` is ``sum(relu(h))``. Each maps to the whitelisted function of that name (the
# tensor first); nothing is looked up on Python objects.
METHODS = {name: name for name in (
    "relu", "tanh", "sigmoid", "exp", "log", "sqrt", "abs", "neg", "square", "t", "sum", "mean", "max", "min",
    "softmax", "log_softmax", "maximum", "minimum", "add", "sub", "mul", "div", "clamp", "pow", "mm", "matmul",
    "dot", "reshape", "transpose", "flatten", "unsqueeze", "squeeze")}
# Attributes that are values, not calls: ``x.T`` is ``t(x)``.
ATTRIBUTES = {"T": "t"}
