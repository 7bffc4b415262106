"""``einsum``: one op for every equation, with one gradient rule.

The gradient of operand ``i`` is itself an einsum: the output's gradient with the
other operands, contracted to operand ``i``'s subscripts. Letters that only
operand ``i`` sums over come back by broadcasting, and a repeated letter
(``'ii->i'``) puts the gradient back on the diagonal.

>>> import graphviz_grad as vg
>>> a = vg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> vg.einsum('ij,jk->ik', a, a).sum().backward(); a.grad
tensor([[ 7., 11.],
        [ 9., 13.]])
"""
import string

from ..autograd.function import Op
from ..backend import xp_of
from .indexing import open_grid


def parse(equation, shapes):
    """``(input subscripts, output subscripts)`` of ``equation``, letters only: ``...`` becomes letters the
    equation does not use, and an implicit output is PyTorch's (the ``...`` dims, then the letters seen once,
    in alphabetical order)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for ch in eq:
        if ch not in string.ascii_letters and ch not in ",.->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(ch)} in the equation "
                               f"string, subscripts must be in [a-zA-Z]")
    spare = [c for c in string.ascii_letters if c not in eq]
    rank = 0
    for term, shape in zip(terms, shapes):
        if "..." in term:
            rank = max(rank, len(shape) - len(term.replace("...", "")))
    ellipsis = "".join(spare[:rank])
    inputs = []
    for term, shape in zip(terms, shapes):
        if "..." in term:
            k = len(shape) - len(term.replace("...", ""))
            term = term.replace("...", ellipsis[rank - k:] if k else "")
        if len(term) != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(term)}) does not match "
                               f"the number of dimensions ({len(shape)}) for operand {len(inputs)}"
                               + ("" if "..." in lhs else " and no ellipsis was given"))
        inputs.append(term)
    if arrow:
        output = rhs.replace("...", ellipsis)
    else:
        joined = "".join(inputs)
        output = ellipsis + "".join(sorted(c for c in set(joined) if joined.count(c) == 1 and c not in ellipsis))
    sizes = {}
    for n, (term, shape) in enumerate(zip(inputs, shapes)):
        for c, s in zip(term, shape):
            if sizes.setdefault(c, s) != s:
                raise RuntimeError(f"einsum(): subscript {c} has size {s} for operand {n} which does not broadcast "
                                   f"with previously seen size {sizes[c]}")
    for c in output:
        if c not in sizes:
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input operand")
    return tuple(inputs), output


def contract(spec_a, a, spec_b, b, output):
    """``einsum(f"{spec_a},{spec_b}->{output}", a, b)`` as one batched matrix product (BLAS), as PyTorch does:
    the letters of both operands and the output are the batch, those of both but not the output are summed
    over. A repeated letter in one operand goes to ``einsum`` itself."""
    xp = xp_of(a)
    if len(set(spec_a)) != len(spec_a) or len(set(spec_b)) != len(spec_b) or len(set(output)) != len(output):
        return xp.einsum(f"{spec_a},{spec_b}->{output}", a, b)
    only_a = [i for i, c in enumerate(spec_a) if c not in spec_b and c not in output]
    if only_a:  # summed over in a alone: sum first
        a = a.sum(axis=tuple(only_a))
        spec_a = "".join(c for i, c in enumerate(spec_a) if i not in only_a)
    only_b = [i for i, c in enumerate(spec_b) if c not in spec_a and c not in output]
    if only_b:
        b = b.sum(axis=tuple(only_b))
        spec_b = "".join(c for i, c in enumerate(spec_b) if i not in only_b)
    size = dict(zip(spec_a, a.shape))
    size.update(zip(spec_b, b.shape))
    batch = [c for c in output if c in spec_a and c in spec_b]
    left = [c for c in output if c in spec_a and c not in spec_b]
    right = [c for c in output if c in spec_b and c not in spec_a]
    summed = [c for c in spec_a if c in spec_b and c not in output]

    def prod(letters):
        n = 1
        for c in letters:
            n *= size[c]
        return n

    a3 = a.transpose([spec_a.index(c) for c in batch + left + summed]).reshape(prod(batch), prod(left), prod(summed))
    b3 = b.transpose([spec_b.index(c) for c in batch + summed + right]).reshape(prod(batch), prod(summed), prod(right))
    r = (a3[0].dot(b3[0])[None] if a3.shape[0] == 1 else a3 @ b3).reshape([size[c] for c in batch + left + right])
    order = batch + left + right
    return r.transpose([order.index(c) for c in output])


class Einsum(Op):
    name = "einsum"
    broadcasts = None
    derivatives = ("einsum of grad with the other operands, to this operand's subscripts",)
    saves_tensors = True  # every operand is read by the others' gradients (any number of operands)
    grad_fn_varies = True
    equation = ""
    subscripts = ()  # per operand, its letters (``...`` spelled out); set by forward
    output = ""

    def grad_fn_name(self):
        """What PyTorch's einsum ends in: a permute, a sum, an outer product's mul, else a view of a bmm."""
        joined = "".join(self.subscripts)
        summed = any(c not in self.output for c in joined)
        if len(self.subscripts) == 1:
            return "SumBackward1" if summed else "PermuteBackward0"
        if not summed and all(joined.count(c) == 1 for c in joined):
            return "MulBackward0"
        return "ViewBackward0"

    def forward(self, *arrays):
        self.arrays = arrays
        self.subscripts, self.output = parse(self.equation, [a.shape for a in arrays])
        if len(arrays) == 2:
            return contract(self.subscripts[0], arrays[0], self.subscripts[1], arrays[1], self.output)
        spec = ",".join(self.subscripts) + "->" + self.output
        return xp_of(arrays[0]).einsum(spec, *arrays, optimize=len(arrays) > 1)

    def backward(self, grad):
        xp = xp_of(grad)
        grads = []
        for i, (term, need) in enumerate(zip(self.subscripts, self.needs_input_grad)):
            if not need:
                grads.append(None)
                continue
            others = [(t, a) for j, (t, a) in enumerate(zip(self.subscripts, self.arrays)) if j != i]
            seen = set(self.output).union(*[t for t, _ in others])
            unique = "".join(dict.fromkeys(term))
            target = "".join(c for c in unique if c in seen)
            if len(others) == 1:
                g = contract(self.output, grad, others[0][0], others[0][1], target)
            else:
                spec = ",".join([self.output] + [t for t, _ in others]) + "->" + target
                g = xp.einsum(spec, grad, *[a for _, a in others], optimize=len(others) > 0)
            shape = {c: s for c, s in zip(term, self.arrays[i].shape)}
            if target != unique:  # letters only this operand sums over: the gradient is the same along them
                g = g.reshape([shape[c] if c in target else 1 for c in unique])
                g = xp.broadcast_to(g, [shape[c] for c in unique])
            if unique != term:  # a repeated letter: back onto the diagonal
                out = xp.zeros(self.arrays[i].shape, grad.dtype)
                grid = open_grid(xp, g.shape)
                out[tuple(grid[unique.index(c)] for c in term)] = g
                g = out
            grads.append(g)
        return tuple(grads)
