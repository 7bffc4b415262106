"""Elementwise arithmetic: + - * / ** and unary minus. Broadcasting is undone by the engine."""
import operator

from ..autograd.function import Op
from ..backend import xp_of


class Add(Op):
    name = "add"
    derivatives = ("grad · 1", "grad · 1")
    inplace = operator.iadd

    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Op):
    name = "sub"
    derivatives = ("grad · 1", "grad · (-1)")
    inplace = operator.isub

    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Op):
    name = "mul"
    derivatives = ("grad · b", "grad · a")
    saved_inputs = (0, 1)
    saved_for = ((1,), (0,))  # a for b's gradient, b for a's
    inplace = operator.imul

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad):
        na, nb = self.needs_input_grad
        return (grad * self.b if na else None), (grad * self.a if nb else None)


class Div(Op):
    name = "div"
    derivatives = ("grad / b", "-grad · a / b²")
    saved_inputs = (0, 1)
    saved_for = ((1,), (0, 1))  # a only for b's gradient; b for both
    inplace = operator.itruediv

    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, grad):
        na, nb = self.needs_input_grad
        ga = grad / self.b if na else None
        gb = -grad * self.a / (self.b * self.b) if nb else None
        return ga, gb


class Neg(Op):
    name = "neg"
    derivatives = ("-grad",)

    def forward(self, a):
        return -a

    def backward(self, grad):
        return (-grad,)


class Pow(Op):
    """``a ** exponent`` with a Python-number exponent (shown in the op's label)."""

    name = "pow"
    derivatives = ("grad · p · a^(p-1)",)
    saved_inputs = (0,)

    def forward(self, a):
        self.a = a
        try:
            return a**self.exponent
        except ValueError as error:  # NumPy: "Integers to negative integer powers are not allowed."
            raise RuntimeError(f"{error} Convert first: t.float() ** {self.exponent}") from None

    def backward(self, grad):
        p = self.exponent
        if p == 0:
            return (xp_of(grad).zeros_like(self.a),)
        if p == 2:
            return (grad * (self.a + self.a),)  # 2a exactly, without converting the Python 2
        if p == 1:
            return (grad,)
        return (grad * (p * self.a ** (p - 1)),)


class PowTensor(Op):
    """``a ** b`` where the exponent is a tensor too."""

    name = "pow"
    torch_grad_fn = "PowBackward1"  # (PyTorch's overload with a tensor exponent)
    derivatives = ("grad · b · a^(b-1)", "grad · a^b · ln(a)")
    saved_inputs = (0, 1)
    saves_output = True

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a**b
        if a.dtype.kind == "b":  # NumPy makes bool ** bool int8; PyTorch keeps bool
            self.out = self.out.astype(bool)
        return self.out

    def backward(self, grad):
        na, nb = self.needs_input_grad
        xp = xp_of(grad)
        ga = grad * self.b * self.a ** (self.b - 1) if na else None
        gb = None
        if nb:
            with_log = self.out * xp.log(xp.where(self.a == 0, 1, self.a))
            gb = grad * xp.where((self.a == 0) & (self.b >= 0), 0, with_log)
        return ga, gb


class Maximum(Op):
    """Elementwise max of two tensors; at a tie each side gets half the gradient, as in PyTorch."""

    name = "maximum"
    derivatives = ("grad · [a > b] (½ at a tie)", "grad · [b > a] (½ at a tie)")
    saved_inputs = (0, 1)

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp_of(a).maximum(a, b)

    def share_of_a(self, a, b, dtype):
        return (a > b).astype(dtype) + (a == b).astype(dtype) * 0.5

    def backward(self, grad):
        na, nb = self.needs_input_grad
        ga = grad * self.share_of_a(self.a, self.b, grad.dtype)
        return (ga if na else None), (grad - ga if nb else None)


class Minimum(Maximum):
    name = "minimum"
    derivatives = ("grad · [a < b] (½ at a tie)", "grad · [b < a] (½ at a tie)")

    def forward(self, a, b):
        self.a, self.b = a, b
        return xp_of(a).minimum(a, b)

    def share_of_a(self, a, b, dtype):
        return super().share_of_a(b, a, dtype)
