"""Comparisons, logical and bitwise ops: no gradient."""
from ..autograd.function import Op


class _Compare(Op):
    differentiable = False


class Eq(_Compare):
    name = "eq"

    def forward(self, a, b):
        return a == b


class Ne(_Compare):
    name = "ne"

    def forward(self, a, b):
        return a != b


class Lt(_Compare):
    name = "lt"

    def forward(self, a, b):
        return a < b


class Le(_Compare):
    name = "le"

    def forward(self, a, b):
        return a <= b


class Gt(_Compare):
    name = "gt"

    def forward(self, a, b):
        return a > b


class Ge(_Compare):
    name = "ge"

    def forward(self, a, b):
        return a >= b


class LogicalNot(_Compare):
    name = "logical_not"

    def forward(self, a):
        return ~a if a.dtype.kind == "b" else a == 0


class BitwiseNot(_Compare):
    """``~a``: logical not of a bool tensor (a mask), bitwise not (two's complement) of an integer one."""

    name = "bitwise_not"

    def forward(self, a):
        return ~a


class BitwiseAnd(_Compare):
    """``a & b``: logical and of bool tensors (masks), bitwise and of integer ones."""

    name = "bitwise_and"

    def forward(self, a, b):
        return a & b


class BitwiseOr(_Compare):
    name = "bitwise_or"

    def forward(self, a, b):
        return a | b


class BitwiseXor(_Compare):
    name = "bitwise_xor"

    def forward(self, a, b):
        return a ^ b
