"""The graph model: a networkx ``MultiDiGraph`` in the schema of docs/reference/graph-schema.md.

:func:`build` turns records (:mod:`.records`) into a :class:`Graph`; it is the
only place that decides node ids, labels and roles, so that ``vg.graph(t)`` and
``tape.graph()`` agree. Node ids follow forward order (``t0, t1, ...`` and
``op0, op1, ...``), so the same program gives the same ids every time.

>>> import graphviz_grad as vg
>>> w = vg.tensor(2.0, requires_grad=True); x = vg.tensor(1.0); b = vg.tensor(3.0, requires_grad=True)
>>> y = w * x + b
>>> G = vg.graph(y)
>>> [(n, d["kind"], d.get("name") or d.get("op")) for n, d in G.nodes(data=True)]
[('t0', 'tensor', 'w'), ('t1', 'tensor', 'x'), ('op0', 'op', 'mul'), ('t2', 'tensor', 't2'), ('t3', 'tensor', 'b'), ('op1', 'op', 'add'), ('t4', 'tensor', 'y')]
>>> y.backward()
>>> vg.graph(y).edges["t0", "op0", 0]["rule"]
'w.grad += t2.grad · x = 1.0 · 1.0'
"""
import networkx as nx

from .records import chain_rule
from .summary import as_dict, lazy_thumbnail, value_text

SCHEMA_VERSION = 1


class Graph(nx.MultiDiGraph):
    """The recorded computation: tensor and op nodes, argument edges (see the schema document)."""

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In Jupyter, a graph left as a cell's result shows as its picture (:mod:`graphviz_grad.viz.jupyter`)."""
        from ..viz.jupyter import mimebundle

        return mimebundle(self, str(self))

    @property
    def nx(self):
        """The networkx graph itself (this class is one), for code written against wrappers."""
        return self

    def to_json(self, indent=None):
        """Node-link JSON text (sorted keys, stable); :meth:`from_json` reads it back."""
        from .export import to_json

        return to_json(self, indent)

    @classmethod
    def from_json(cls, text):
        """The graph of a :meth:`to_json` text."""
        from .export import from_json

        return from_json(text, cls)

    def to_graphml(self, path):
        """Write GraphML (opens in Gephi or yEd); lists and dicts are stored as JSON strings."""
        from .export import to_graphml

        to_graphml(self, path)

    def to_dot(self):
        """Plain structural DOT text (the styled drawing is ``vg.viz.draw``)."""
        from .export import to_dot

        return to_dot(self)

    def ops(self):
        """Op node ids in forward order."""
        return sorted((n for n, d in self.nodes(data=True) if d.get("kind") == "op"),
                      key=lambda n: self.nodes[n]["forward_step"])

    def tensors(self):
        """Tensor node ids, in the order they were added (forward order)."""
        return [n for n, d in self.nodes(data=True) if d.get("kind") == "tensor"]

    def find(self, name):
        """The id of the first tensor node labelled ``name``, or None."""
        return next((n for n, d in self.nodes(data=True) if d.get("kind") == "tensor" and d.get("name") == name),
                    None)


class _Numbering:
    """Node ids for one build: ops by position, tensors by first appearance."""

    def __init__(self, ops, tensors):
        self.ids = {}
        count = 0
        for i, op in enumerate(ops):
            self.ids[id(op)] = f"op{i}"
            for rec in (*op.inputs, op.output):
                if id(rec) not in self.ids:
                    self.ids[id(rec)] = f"t{count}"
                    count += 1
        for rec in tensors:
            if id(rec) not in self.ids:
                self.ids[id(rec)] = f"t{count}"
                count += 1

    def __call__(self, rec):
        return self.ids[id(rec)]

    def label(self, rec):
        """What a tensor is called in drawings and chain-rule lines."""
        name = rec.label()
        if name:
            return name
        if rec.is_constant():
            return value_text(rec.data, rec.shape)
        return self.ids[id(rec)]


def build(ops, steps=(), tensors=(), root=None, checks=None):
    """The :class:`Graph` of ``ops`` (OpRecords, forward order) and ``steps`` (BackwardSteps, in order).

    ``tensors`` are records to include even when no op touches them (a leaf given to
    ``vg.graph``); ``root`` is the record the graph was built from; ``checks`` maps
    ``id(record)`` to its hand-written gradient's ``grad_check`` (:mod:`.compare`).
    """
    ids = _Numbering(ops, tensors)
    producer, consumed = {}, set()
    for op in ops:
        consumed.update(id(t) for t in op.inputs)
        if not op.inplace:
            producer[id(op.output)] = op
    G = Graph()
    G.graph["schema"] = SCHEMA_VERSION
    if root is not None:
        G.graph["root"] = ids(root)
    G.graph["backward_done"] = bool(steps)
    module_calls = {}  # a module call's number while recording -> its number in this graph
    for op in ops:  # the calls that ran ops first, in order (their numbers as they always were), then the others
        if op.module_type is not None:
            module_calls.setdefault(op.module_call, len(module_calls))
    for op in ops:
        for _, call in op.module_chain or ():
            module_calls.setdefault(call, len(module_calls))
    identity = {}  # id(Ident) -> node id of the tensor object's first version: what its versions share

    def add_tensor(rec):
        node = ids(rec)
        if node in G:
            return node
        role = _role(rec, rec is root, id(rec) in producer, id(rec) in consumed, root is None)
        image = rec.image if rec.image is not None else lazy_thumbnail(rec.data)  # (before as_dict reads it)
        grad_image = rec.grad_image if rec.grad_image is not None else lazy_thumbnail(rec.grad)
        made_by = producer.get(id(rec))
        G.add_node(
            node, kind="tensor", name=ids.label(rec), shape=list(rec.shape), dtype=rec.dtype, device=rec.device,
            requires_grad=rec.requires_grad, is_leaf=rec.is_leaf, role=role, data=as_dict(rec.data),
            grad=as_dict(rec.grad),
            module=made_by.module if made_by is not None else rec.module, version=rec.version,
            grad_of=ids(rec.ident.grad_of) if rec.ident.grad_of is not None and id(rec.ident.grad_of) in ids.ids
            else None,
            identity=identity.setdefault(id(rec.ident), node),
        )
        if image is not None:  # a 2-D or 4-D tensor's thumbnail, drawn as a heatmap
            G.nodes[node]["image"] = rec.image = image
        if grad_image is not None:
            G.nodes[node]["grad_image"] = rec.grad_image = grad_image
        if checks and id(rec) in checks:
            G.nodes[node]["grad_check"] = checks[id(rec)]
        state_of = rec.ident.state_of
        if state_of is not None:
            G.nodes[node]["state_of"] = ids(state_of[0]) if id(state_of[0]) in ids.ids else None
            G.nodes[node]["state_key"] = state_of[1]
        return node

    for op in ops:
        sources = [add_tensor(t) for t in op.inputs]
        node = ids(op)
        G.add_node(node, kind="op", op=op.op, label=op.label, grad_fn=op.grad_fn, attrs=op.attrs,
                   forward_step=int(node[2:]),
                   backward_step=None, module=op.module, derivative=list(op.derivative), phase=op.phase,
                   custom=op.custom, anomaly=op.anomaly, inplace=op.inplace)
        if op.module_type is not None:
            G.nodes[node].update(module_type=op.module_type,  # calls numbered from 0 in each graph
                                 module_call=module_calls[op.module_call])
            if op.module_chain:
                G.nodes[node]["module_calls"] = {name: module_calls[call] for name, call in op.module_chain}
        if op.update is not None:
            group = op.update
            G.nodes[node]["update"] = {"group": group.index, "param": ids.ids.get(id(group.param)),
                                       "optimizer": group.optimizer, "rule": list(group.rule),
                                       "hyper": dict(group.hyper), "symbols": dict(group.symbols)}
        for position, src in enumerate(sources):
            G.add_edge(src, node, key=position, kind="input", position=position, grad=None, rule=None)
        G.add_edge(node, add_tensor(op.output), key=0, kind="output", position=0, grad=None, rule=None)
    for rec in tensors:
        add_tensor(rec)
    for k, step in enumerate(steps):
        _apply_step(G, ids, step, k)
    return G


def _role(rec, is_root, produced, consumed, whole_program):
    if is_root:
        return "output"
    if rec.ident.grad_of is not None:
        return "gradient"
    if produced:
        return "output" if whole_program and not consumed else "intermediate"
    if rec.is_param:
        return "parameter"
    if rec.is_constant():
        return "constant"
    if rec.is_leaf:
        return "leaf" if rec.requires_grad else "input"
    return "intermediate"


def _apply_step(G, ids, step, k):
    """Write backward step ``k`` onto the graph: the op's step, gradients and rules on its edges."""
    op = step.op
    node = ids(op)
    G.nodes[node]["backward_step"] = k
    out = ids(op.output)
    grad_out = as_dict(step.grad_out)
    G.edges[node, out, 0]["grad"] = grad_out
    out_data = G.nodes[out]
    if not op.inplace and (out_data["grad"] is None or not out_data["is_leaf"]):
        out_data["grad"] = grad_out
    for position, (rec, grad) in enumerate(zip(op.inputs, step.grads)):
        if grad is None:
            continue
        edge = G.edges[ids(rec), node, position]
        edge["grad"] = as_dict(grad)
        edge["rule"] = chain_rule(op, position, step.grad_out, ids.label)
