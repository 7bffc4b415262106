"""``vg.graph(t)``: records of the autograd graph that produced a tensor, by an iterative walk.

Works before and after ``backward()``: op nodes keep their ``inputs``. After
backward, the gradients come from what the engine leaves on each node, which is
only references to arrays it computed anyway (``grad_out``, the gradient the
node received, and ``grads_in``, the ones it delivered to its inputs); they are
summarised here, when a graph is asked for, so backward costs nothing more.

Two consequences, both documented in the schema: after several ``backward()``
calls through one graph (``retain_graph=True``) the edges show the last one; and
a leaf shows its ``.grad`` as it is (accumulation over steps stays visible),
except when that was reset after this backward (``w.grad.zero_()``,
``optimizer.zero_grad()``: all zeros or None): then it shows the sum of what
this graph's backward delivered into it, so that a training step drawn after
its update still shows its gradients. Edges always show what flowed (the engine
copies a ``.grad`` on write while a graph holds its array).
"""
from .records import BackwardStep, Ident, capture_op, capture_tensor
from .summary import capture, of_tensor, thumbnail


def records_of(root, small=16, gradients=None):
    """``(ops, steps, root_record, lookup)`` for the computation that produced tensor ``root``.

    ``gradients`` (a list) receives ``(record, array or None)`` for every tensor: the whole gradient
    the record summarises (:mod:`.compare` checks hand-written ones against it).
    """
    nodes = _reachable(root.grad_fn)
    # The engine runs nodes in descending creation order (a node's consumers are always newer).
    ran = [n for n in reversed(nodes) if getattr(n, "grads_in", None) is not None]
    into_leaves = _leaf_deliveries(ran)
    by_node, by_leaf, tensors = {}, {}, []  # non-leaves by their grad_fn, leaves by id (all kept alive here)

    def record(t, fn):  # fn: t's grad_fn when it was used (an in-place op may have rebound t.grad_fn since)
        key = by_node if fn is not None else by_leaf
        k = fn if fn is not None else id(t)
        rec = key.get(k)
        if rec is None:
            rec = key[k] = capture_tensor(t, small, Ident(), module=None if fn is None else fn.module,
                                          data=of_tensor(t, small))
            delivered = into_leaves.get(id(t)) if fn is None else None
            whole = None
            if delivered is not None and (t._grad is None or not t._grad._data.any()):
                rec.grad = capture(delivered, small)  # reset since this backward: show what it gave
                rec.grad_image = thumbnail(delivered, small)
                whole = delivered
            elif t._grad is not None:
                rec.grad = of_tensor(t._grad, small)
                rec.grad_image = thumbnail(t._grad._data, small)
                whole = t._grad._data
            elif fn is not None:  # an intermediate's gradient, as it reached its node (no retain_grad needed)
                whole = getattr(fn, "grad_out", None)
            if gradients is not None:
                gradients.append((rec, whole))
            tensors.append(t)
        return rec

    root_rec = record(root, root.grad_fn)
    for node in nodes:
        for t, fn in zip(node.inputs, _input_fns(node)):
            record(t, fn)
    ops = []
    for node in nodes:
        op = capture_op(node, [record(t, fn) for t, fn in zip(node.inputs, _input_fns(node))], by_node[node],
                        node.module)
        op.stale = _stale_inputs(node)
        ops.append(op)
    ops_by_node = dict(zip(nodes, ops))
    made = {}  # id(array) -> summary: a gradient passed on unchanged is one array on two edges

    def summary(array):  # every array here is kept alive by a node until we return
        s = made.get(id(array))
        if s is None:
            s = made[id(array)] = capture(array, small)
        return s

    steps = [BackwardStep(ops_by_node[n], summary(n.grad_out), [summary(g) for g in n.grads_in])
             for n in ran]
    return ops, steps, root_rec, _lookup(by_node, by_leaf, tensors)


def _leaf_deliveries(ran):
    """``{id(leaf): array}``: the sum of the gradients the backward delivered into each leaf."""
    total = {}
    for node in ran:
        for t, g in zip(node.inputs, node.grads_in):
            if g is not None and t.grad_fn is None:
                prev = total.get(id(t))
                total[id(t)] = g if prev is None else prev + g
    return total


def _reachable(start):
    """Autograd nodes reachable from ``start``, in creation (forward) order; iterative."""
    if start is None:
        return []
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        for fn in _input_fns(node):
            if fn is not None and fn not in seen:
                seen.add(fn)
                stack.append(fn)
    return sorted(seen, key=lambda n: n.seq)


def _input_fns(node):
    """Each input's grad_fn when ``node`` ran: the edges backward follows (as the engine does)."""
    return node.next_fns or [t.grad_fn for t in node.inputs]


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
