"""micrograd graphs: any object with ``data``, ``grad``, ``_prev`` and ``_op`` drawn like a recorded graph.

micrograd's ``Value`` (and the one a learner writes in the micrograd lecture)
keeps its operands in ``_prev`` (a set) and its op in ``_op`` (``"+"``,
``"*"``, ``"tanh"``, ``"ReLU"``, ``"**2"``, ``""`` for a leaf); ``label`` names
it when present. :func:`graph_of_values` turns such a graph into the graph model
(docs/reference/graph-schema.md), so every drawing function accepts it:
``vg.viz.render(v, "v.svg")``, ``vg.viz.draw(v)``, ``vg.viz.stepper(v, "v.html")``.

It only reads: ``.data`` and ``.grad`` are shown as they are and nothing is
written to the Values (call ``v.backward()`` first to see gradients). A graph
counts as differentiated when some ``.grad`` is not zero; its backward steps are
then the ops in reverse topological order, micrograd's own order.

>>> class V:
...     def __init__(self, data, prev=(), op="", label=""):
...         self.data, self.grad, self._prev, self._op, self.label = data, 0.0, set(prev), op, label
>>> a, b = V(2.0, label="a"), V(-3.0, label="b")
>>> c = V(-6.0, (a, b), "*", "c")
>>> G = graph_of_values(c)
>>> [(n, d.get("name") or d.get("op")) for n, d in G.nodes(data=True)]
[('t0', 'a'), ('t1', 'b'), ('op0', '*'), ('t2', 'c')]
"""

# The local derivative of each micrograd op, by input: (text shown, gradient along the edge from the
# output's value, its gradient, the inputs' values).
_RULES = {
    "+": (("grad", "grad"), lambda out, g, xs, i: g),
    "*": (("grad · b", "grad · a"), lambda out, g, xs, i: g * xs[1 - i] if len(xs) == 2 else None),
    "tanh": (("grad · (1 − out²)",), lambda out, g, xs, i: g * (1 - out * out)),
    "exp": (("grad · out",), lambda out, g, xs, i: g * out),
    "ReLU": (("grad · (out > 0)",), lambda out, g, xs, i: g * (out > 0)),
    "relu": (("grad · (out > 0)",), lambda out, g, xs, i: g * (out > 0)),
}


def is_value(x):
    """An object micrograd-shaped: ``data``, ``grad``, ``_prev`` and ``_op``."""
    return all(hasattr(x, a) for a in ("data", "grad", "_prev", "_op"))


def _number(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _order_key(v):
    return (str(getattr(v, "label", "") or ""), _number(v.data) or 0.0, str(v._op))


def topological(root):
    """The Values under ``root``, operands before results (iterative; operands in a stable order)."""
    order, seen, stack = [], {id(root)}, [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
            continue
        stack.append((v, True))
        for child in sorted(v._prev, key=_order_key, reverse=True):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, False))
    return order


def _operands(v):
    return sorted(v._prev, key=_order_key)


def graph_of_values(root):
    """The graph model (:class:`~graphviz_grad.record.Graph`) of a micrograd Value ``root``."""
    from ..record.graph import SCHEMA_VERSION, Graph

    values = topological(root)
    differentiated = any(_number(v.grad) for v in values)
    ids, G = {}, Graph()
    G.graph.update(schema=SCHEMA_VERSION, backward_done=differentiated)
    ops = [v for v in values if v._prev]
    count = 0

    def tensor(v):
        nonlocal count
        if id(v) in ids:
            return ids[id(v)]
        node = ids[id(v)] = f"t{count}"
        count += 1
        label = getattr(v, "label", "") or ""
        role = "output" if v is root else ("intermediate" if v._prev else "leaf")
        grad = _number(v.grad)
        G.add_node(node, kind="tensor", name=str(label) or node, shape=[], dtype=None, device=None,
                   requires_grad=True, is_leaf=not v._prev, role=role,
                   data={"values": _number(v.data), "numel": 1},
                   grad={"values": grad, "numel": 1} if differentiated else None, module=None, version=0,
                   grad_of=None, identity=node)
        return node

    for step, v in enumerate(ops):
        operands = _operands(v)
        sources = [tensor(x) for x in operands]
        op = f"op{step}"
        texts, flow = _RULES.get(str(v._op), ((), None))
        if str(v._op).startswith("**"):
            texts = (f"grad · {v._op[2:]}·a^({v._op[2:]}−1)",)
        G.add_node(op, kind="op", op=str(v._op) or "op", label=str(v._op) or "op", grad_fn=None, attrs={},
                   forward_step=step, backward_step=len(ops) - 1 - step if differentiated else None,
                   module=None, derivative=list(texts), phase="forward", custom=False, anomaly=False,
                   inplace=False)
        out, g = _number(v.data), _number(v.grad)
        xs = [_number(x.data) for x in operands]
        for position, src in enumerate(sources):
            grad = None
            if differentiated:
                local = _power_grad(v._op, g, xs) if str(v._op).startswith("**") else (
                    flow(out, g, xs, position) if flow is not None else None)
                grad = {"values": float(local), "numel": 1} if local is not None else None
            G.add_edge(src, op, key=position, kind="input", position=position, grad=grad, rule=None)
        G.add_edge(op, tensor(v), key=0, kind="output", position=0,
                   grad={"values": g, "numel": 1} if differentiated else None, rule=None)
    G.graph["root"] = tensor(root)
    return G


def _power_grad(op, g, xs):
    k = _number(str(op)[2:])
    return None if k is None or not xs or xs[0] is None else g * k * xs[0] ** (k - 1)
