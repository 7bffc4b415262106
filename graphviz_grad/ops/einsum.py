"""``einsum``: one op for every equation, with one gradient rule.

The gradient of operand ``i`` is itself an einsum: the output's gradient with the
other operands, contracted to operand ``i``'s subscripts. Letters that only
operand ``i`` sums over come back by broadcasting, and a repeated letter
(``'ii->i'``) puts the gradient back on the diagonal.

The equation is read as PyTorch reads it (:func:`parse`): ``...`` in the
inputs and the output, implicit outputs, and a dimension of size 1 (under
``...`` or a letter) broadcast against the other operands; the errors are
PyTorch's. A broadcast size-1 dimension drops out of its operand before the
contraction, and its gradient is the contraction's, given that dimension back.

>>> import graphviz_grad as vg
>>> a = vg.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> vg.einsum('ij,jk->ik', a, a).sum().backward(); a.grad
tensor([[ 7., 11.],
        [ 9., 13.]])
>>> vg.einsum('...ij,...jk', vg.ones(2, 1, 3, 4), vg.ones(5, 4, 6)).shape
graphviz_grad.Size([2, 5, 3, 6])
"""
import string

from ..autograd.function import Op
from ..backend import xp_of
from .indexing import open_grid


ELLIPSIS = "..."


def _labels(text, offset, what):
    """The labels of one operand (or of the output), ``...`` kept as one label, spaces dropped; PyTorch's errors
    for a ``.`` outside an ellipsis, a second ellipsis or a character that is not a letter."""
    labels, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == ".":
            if ELLIPSIS in labels:
                raise RuntimeError(f"einsum(): found '.' for {what} " + (
                    "for which an ellipsis was already found" if what != "output"
                    else "but an ellipsis (...) was already found"))
            if text[i:i + 3] != ELLIPSIS:
                raise RuntimeError(f"einsum(): found '.' for {what} that is not part of any ellipsis"
                                   + (" (...)" if what == "output" else ""))
            labels.append(ELLIPSIS)
            i += 3
            continue
        if ch != " ":
            if ch not in string.ascii_letters:
                raise RuntimeError(f"einsum(): invalid subscript given at index {offset + i} in the equation "
                                   f"string, subscripts must be in [a-zA-Z]")
            labels.append(ch)
        i += 1
    return labels


def parse(equation, shapes):
    """``(input subscripts, output subscripts, sizes)`` of ``equation``, letters only, as PyTorch reads it.

    ``...`` becomes letters the equation does not use, right-aligned over the
    dimensions it covers; an implicit output is PyTorch's (the ``...`` dims, then
    the letters seen once, in alphabetical order). ``sizes`` maps each letter to
    its size after broadcasting: a dimension of size 1 (under ``...`` or a
    letter) broadcasts against the other operands' sizes, as in PyTorch.

    >>> parse("...ij,...jk", [(2, 1, 3, 4), (5, 4, 6)])
    (('ABij', 'Bjk'), 'ABik', {'A': 2, 'B': 5, 'i': 3, 'j': 4, 'k': 6})
    """
    lhs, arrow, rhs = equation.partition("->")
    terms, start = [], 0
    for k, part in enumerate(lhs.split(",")):
        if k >= len(shapes):
            raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
        terms.append(_labels(part, start, f"operand {k}"))
        start += len(part) + 1
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    rank = 0  # dimensions the ellipsis covers: the most any operand gives it
    for k, (labels, shape) in enumerate(zip(terms, shapes)):
        n = len(labels) - (ELLIPSIS in labels)
        if ELLIPSIS in labels:
            if n > len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is more than the "
                                   f"number of dimensions ({len(shape)}) for operand {k}")
            rank = max(rank, len(shape) - n)
        elif n != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) does not match the "
                               f"number of dimensions ({len(shape)}) for operand {k} and no ellipsis was given")
    used = {c for labels in terms for c in labels} | set(rhs)
    ellipsis = "".join([c for c in string.ascii_uppercase + string.ascii_lowercase if c not in used][:rank])
    inputs, counts = [], {}
    for labels, shape in zip(terms, shapes):
        k = len(shape) - (len(labels) - (ELLIPSIS in labels))
        inputs.append("".join(ellipsis[rank - k:] if c == ELLIPSIS else c for c in labels))
        for c in labels:
            if c != ELLIPSIS:
                counts[c] = counts.get(c, 0) + 1
    if arrow:
        output = ""
        for c in _labels(rhs, len(lhs) + 2, "output"):
            if c == ELLIPSIS:
                output += ellipsis
                continue
            if not counts.get(c) or c in output:
                raise RuntimeError(f"einsum(): output subscript {c}" + (
                    " appears more than once in the output" if c in output
                    else " does not appear in the equation for any input operand"))
            output += c
    else:
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))
    sizes = {}
    for k, (term, shape) in enumerate(zip(inputs, shapes)):
        first = {}
        for dim, (c, size) in enumerate(zip(term, shape)):
            if c in first:  # a repeated letter: a diagonal
                if size != shape[first[c]]:
                    raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't "
                                       f"match, {size} != {shape[first[c]]}")
                continue
            first[c] = dim
            seen = sizes.setdefault(c, size)
            if size != 1 and seen != size:
                if seen != 1:
                    if c in ellipsis:  # (PyTorch's message, its missing space included)
                        raise RuntimeError(f"einsum(): dimension {dim} covered by ellipsis in operand {k}has size "
                                           f"{size} which does not broadcast with previously seen ellipsis with "
                                           f"size {seen} for the respective dimension")
                    raise RuntimeError(f"einsum(): subscript {c} has size {size} for operand {k} which does not "
                                       f"broadcast with previously seen size {seen}")
                sizes[c] = size
    return tuple(inputs), output, sizes


def unbroadcast_terms(inputs, shapes, sizes):
    """Each operand's letters without those it has at size 1 while another operand has them larger (its values
    are the same along them: they drop out, as a size-1 dim of a broadcast does). ``[(letters, shape)]``."""
    kept = []
    for term, shape in zip(inputs, shapes):
        pairs = [(c, n) for c, n in zip(term, shape) if not (n == 1 and sizes[c] != 1)]
        kept.append(("".join(c for c, _ in pairs), tuple(n for _, n in pairs)))
    return kept


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
        self.shapes = [a.shape for a in arrays]
        inputs, self.output, sizes = parse(self.equation, self.shapes)
        kept = unbroadcast_terms(inputs, self.shapes, sizes)
        self.subscripts = tuple(term for term, _ in kept)
        arrays = self.arrays = tuple(a.reshape(shape) if a.shape != shape else a for a, (_, shape) in zip(arrays, kept))
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
            grads.append(g.reshape(self.shapes[i]))  # (back to its size-1 dims of broadcasting)
        return tuple(grads)
