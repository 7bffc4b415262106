"""``vg.graph(t)``: records of the autograd graph that produced a tensor, by an iterative walk.

Works before and after ``backward()``: op nodes keep their ``inputs``. After
backward, the gradients come from what the engine leaves on each node, which is
only references to arrays it computed anyway (``grad_out``, the gradient the
node received, and ``grads_in``, the ones it delivered to its inputs); they are
summarised here, when a graph is asked for, so backward costs nothing more.

Two consequences, both documented in the schema: after several ``backward()``
calls through one graph (``retain_graph=True``) the edges show the last one; and
the first gradient delivered to a leaf is shared with its ``.grad``: an edge into
a leaf shows what flowed along it while ``.grad`` is as backward left it (later
deliveries into the same ``.grad`` are taken out again), and what ``.grad`` holds
now once it was changed (zeros after ``w.grad.zero_()``).
"""
from .records import BackwardStep, Ident, capture_op, capture_tensor
from .summary import capture, of_tensor


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
            rec = key[k] = capture_tensor(t, small, Ident(), module=None if fn is None else fn.module,
                                          data=of_tensor(t, small))
            if t._grad is not None:
                rec.grad = of_tensor(t._grad, small)
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
    first = _first_deliveries(ran)
    made = {}  # id(array) -> summary: a gradient passed on unchanged is one array on two edges

    def summary(array):  # every array here is kept alive by a node or by `first` until we return
        s = made.get(id(array))
        if s is None:
            s = made[id(array)] = capture(array, small)
        return s

    steps = [BackwardStep(ops_by_node[n], summary(n.grad_out),
                          [summary(first.get((k, i), g)) for i, g in enumerate(n.grads_in)])
             for k, n in enumerate(ran)]
    return ops, steps, root_rec, _lookup(by_node, by_leaf, tensors)


def _first_deliveries(ran):
    """``{(step, position): array}`` for gradients the engine reused as a leaf's ``.grad`` array.

    The first gradient delivered to a leaf without ``.grad`` becomes its ``.grad``
    (no copy), and later deliveries in the same backward are added into it, so the
    array no longer holds what flowed along the first edge: that is ``.grad`` minus
    the later deliveries, as long as nothing changed ``.grad`` since (its version
    counts exactly those additions). Otherwise the edge shows ``.grad`` as it is now.
    """
    deliveries = {}  # id(leaf) -> [leaf, (step, position, array), ...]
    for k, node in enumerate(ran):
        for i, (t, g) in enumerate(zip(node.inputs, node.grads_in)):
            if g is not None and t.grad_fn is None:
                deliveries.setdefault(id(t), [t]).append((k, i, g))
    fixed = {}
    for leaf, (k, i, g), *rest in deliveries.values():
        grad = leaf._grad
        if rest and grad is not None and grad._data is g and grad._version[0] == len(rest):
            later = rest[0][2]
            for _, _, other in rest[1:]:
                later = later + other
            fixed[(k, i)] = g - later
    return fixed


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
