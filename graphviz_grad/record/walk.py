"""``vg.graph(t)``: records of the autograd graph that produced a tensor, by an iterative walk.

Works before and after ``backward()``: op nodes keep their ``inputs``. After
backward, the gradients come from what the engine leaves on each node, which is
only references to arrays it computed anyway (``grad_out``, the gradient the
node received, and ``grads_in``, the ones it delivered to its inputs); they are
summarised here, when a graph is asked for, so backward costs nothing more.

Two consequences, both documented in the schema: after several ``backward()``
calls through one graph (``retain_graph=True``) the edges show the last one; and
a leaf's gradient array is shared with its ``.grad``, so an edge into a leaf
shows what ``.grad`` holds now (zeros after ``w.grad.zero_()``).
"""
from .records import BackwardStep, Ident, capture_op, capture_tensor
from .summary import summarize


def records_of(root, small=16):
    """``(ops, steps, root_record)`` for the computation that produced tensor ``root``."""
    nodes = _reachable(root.grad_fn)
    by_node, by_leaf, tensors = {}, {}, []  # non-leaves by their grad_fn, leaves by id (all kept alive here)

    def record(t):
        fn = t.grad_fn
        key = by_node if fn is not None else by_leaf
        k = fn if fn is not None else id(t)
        rec = key.get(k)
        if rec is None:
            rec = key[k] = capture_tensor(t, small, Ident(), module=None if fn is None else fn.module)
            if t._grad is not None:
                rec.grad = summarize(t._grad._data, small)
            tensors.append(t)
        return rec

    root_rec = record(root)
    for node in nodes:
        for t in node.inputs:
            record(t)
    ops = []
    for node in nodes:
        op = capture_op(node, [record(t) for t in node.inputs], by_node[node], node.module)
        op.stale = _stale_inputs(node)
        ops.append(op)
    ops_by_node = dict(zip(nodes, ops))
    # The engine runs nodes in descending creation order (a node's consumers are always newer).
    ran = [n for n in reversed(nodes) if getattr(n, "grads_in", None) is not None]
    steps = [BackwardStep(ops_by_node[n], summarize(n.grad_out, small), [summarize(g, small) for g in n.grads_in])
             for n in ran]
    return ops, steps, root_rec, _lookup(by_node, by_leaf, tensors)


def _reachable(start):
    """Autograd nodes reachable from ``start``, in creation (forward) order; iterative."""
    if start is None:
        return []
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        for t in node.inputs:
            fn = t.grad_fn
            if fn is not None and fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return sorted(seen, key=lambda n: n.seq)


def _stale_inputs(node):
    """Positions of saved inputs changed in place since the forward pass (their values now differ)."""
    versions = getattr(node, "saved_versions", ())
    return tuple(i for i, v in zip(node.saved_inputs, versions) if node.inputs[i]._version[0] != v)


def _lookup(by_node, by_leaf, tensors):
    """Find the record of a tensor seen in a frame (``tensors`` keeps the leaves' ids valid)."""

    def lookup(t, _alive=tensors):
        fn = t.grad_fn
        return by_node.get(fn) if fn is not None else by_leaf.get(id(t))

    return lookup
