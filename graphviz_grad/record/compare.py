"""Hand-written gradients beside autograd's: the ``grad_check`` a graph keeps for ``vg.graph(t, compare_grads=...)``.

The backprop exercise of makemore 4 writes every gradient by hand and checks
each with ``cmp(name, dt, t)``: *exact* (every element equal), *approximate*
(``allclose`` with PyTorch's tolerances, ``|dt - t.grad| <= 1e-8 + 1e-5·|t.grad|``)
and *maxdiff* (the largest absolute difference). :func:`check` computes the
same three facts, plus a summary and thumbnail of the hand-written gradient so
that a drawing can show it beside autograd's; :func:`check_records` finds the
tensors by name and checks names and shapes.

>>> import numpy as np
>>> c = check(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]))
>>> c["exact"], c["approximate"], c["maxdiff"] > 0
(False, True, True)
>>> check(np.array([1.0, 3.0]), np.array([1.0, 2.0]))["maxdiff"]
1.0
"""
import numpy as np

from ..backend import to_numpy
from .summary import summarize, thumbnail

RTOL, ATOL = 1e-05, 1e-08  # torch.allclose's defaults, as cmp uses them


def check(hand, autograd, small=16):
    """``{"exact", "approximate", "maxdiff", "grad", "grad_image"}``: hand-written gradient ``hand`` against
    ``autograd``'s (NumPy arrays of one shape); ``grad`` and ``grad_image`` summarise ``hand`` as a node's
    own gradient is summarised."""
    diff = np.abs(hand - autograd)
    out = {"exact": bool(np.array_equal(hand, autograd)),
           "approximate": bool(np.allclose(hand, autograd, rtol=RTOL, atol=ATOL)),
           "maxdiff": float(diff.max()) if diff.size else 0.0,
           "grad": summarize(hand, small)}
    image = thumbnail(hand, small)
    if image is not None:
        out["grad_image"] = image
    return out


def check_records(pairs, compare_grads, small=16):
    """``{id(record): check}`` for each ``name: hand-written gradient`` of ``compare_grads``.

    ``pairs`` are ``(record, autograd's gradient array or None)`` for every tensor
    of the graph; a name is a record's label (``rec.label()``). A name no tensor
    has, one that several tensors have, a tensor without a gradient, or a
    gradient of another shape raises ``ValueError`` saying which. Shapes that
    differ only by dimensions of size 1 (``(64,)`` for a ``(1, 64)`` tensor, as
    ``(-dbndiff).sum(0)`` gives) are compared element by element, as ``cmp``
    compares them by broadcasting.
    """
    from ..tensor import Tensor

    by_name = {}
    for rec, grad in pairs:
        label = rec.label()
        if label is not None:
            by_name.setdefault(label, []).append((rec, grad))
    checks = {}
    for name, hand in compare_grads.items():
        found = by_name.get(name)
        if not found:
            known = ", ".join(sorted(by_name)) or "none: name your tensors (variables or name=)"
            raise ValueError(f"compare_grads: no tensor named {name!r} in this graph; its named tensors: {known}")
        if len(found) > 1:
            raise ValueError(f"compare_grads: {len(found)} tensors of this graph are named {name!r}; give the one "
                             f"to compare a name of its own (name=...)")
        rec, grad = found[0]
        if grad is None:
            raise ValueError(f"compare_grads[{name!r}]: {name} has no gradient from autograd; call .backward() "
                             f"on the result first (and {name} must require grad)")
        hand = to_numpy(hand._data) if isinstance(hand, Tensor) else np.asarray(hand)
        grad = to_numpy(grad)
        if hand.shape != grad.shape:
            if [s for s in hand.shape if s != 1] != [s for s in grad.shape if s != 1]:
                raise ValueError(f"compare_grads[{name!r}]: the hand-written gradient has shape {tuple(hand.shape)} "
                                 f"but {name} has shape {tuple(grad.shape)}; a gradient has its tensor's shape")
            checks[id(rec)] = dict(check(hand.reshape(grad.shape), grad, small), hand_shape=list(hand.shape))
        else:
            checks[id(rec)] = check(hand, grad, small)
    return checks
