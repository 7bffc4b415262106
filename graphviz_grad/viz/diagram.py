"""The drawing's own model: nodes, edges and clusters to draw, before any DOT is written.

A level (tensor, module, scalar) turns the recorded graph into a
:class:`Diagram`; :mod:`.dot` turns a diagram into DOT; :mod:`.frames` restyles
its elements step by step. ``OpView`` remembers, for every recorded op, which
diagram elements show it, so that frames work the same at every level.

Helpers here read the graph model (docs/reference/graph-schema.md) in a fixed,
deterministic order: ops by ``forward_step``, edges by argument position.
"""
import functools
import re
from dataclasses import dataclass, field

_SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass
class Node:
    """One drawn node. ``rows`` build its label (see :func:`.style.html_label`)."""

    name: str
    attrs: dict
    rows: list
    cluster: str = None
    kind: str = "tensor"  # "tensor", "op", "module", "legend"


@dataclass
class Edge:
    """One drawn edge; ``kind`` is ``"forward"`` or ``"grad"``."""

    name: str
    tail: str
    head: str
    attrs: dict
    kind: str = "forward"


@dataclass
class Cluster:
    key: str
    label: str
    parent: str = None


@dataclass
class OpView:
    """The elements that show one recorded op, its operands and its results."""

    nodes: list = field(default_factory=list)
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    forward_edges: list = field(default_factory=list)
    grad_edges: list = field(default_factory=list)


@dataclass
class Diagram:
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    clusters: dict = field(default_factory=dict)
    graph_attrs: dict = field(default_factory=dict)
    op_views: dict = field(default_factory=dict)       # recorded op id -> OpView
    tensor_nodes: dict = field(default_factory=dict)   # recorded tensor id -> [node names]
    root_nodes: list = field(default_factory=list)     # nodes whose gradient is the seed
    backward: bool = False
    rows: list = field(default_factory=list)           # node names kept on one rank, in this order
    boxes: dict = field(default_factory=dict)          # module box node name -> the call key it draws
    level: str = "tensor"                              # the level drawn

    def add_edge(self, tail, head, attrs, kind="forward"):
        prefix = "e" if kind == "forward" else "g"
        edge = Edge(f"{prefix}{len(self.edges)}", tail, head, attrs, kind)
        self.edges.append(edge)
        return edge.name


# --- reading the graph model in a fixed order ------------------------------------------

_NUMBERED = re.compile(r"^(\D*)(\d+)$")


def natural_key(node_id):
    """``t2`` before ``t10``: ids sort by their text, then their number."""
    return _natural_key(str(node_id))


@functools.lru_cache(maxsize=1 << 16)
def _natural_key(text):
    match = _NUMBERED.match(text)
    return (match.group(1), int(match.group(2)), "") if match else (text, -1, text)


def safe_names(G):
    """A DOT/SVG-safe name per model node: its id when already safe (``t0``), else ``n<i>``."""
    names, used = {}, set()
    for i, node_id in enumerate(sorted(G.nodes, key=natural_key)):
        name = str(node_id) if _SAFE_ID.match(str(node_id)) else f"n{i}"
        while name in used:
            name += "_"
        used.add(name)
        names[node_id] = name
    return names


def ops_in_order(G):
    """Op ids in forward order (``forward_step``, then id)."""
    ops = [n for n, d in G.nodes(data=True) if d.get("kind") == "op"]
    return sorted(ops, key=lambda n: (_step(G.nodes[n].get("forward_step")), natural_key(n)))


def _step(value):
    return value if isinstance(value, int) else 1 << 60


def _adjacent(G, adjacency):
    """``(node, key, data)`` for one node's in- or out-adjacency (multigraph or not)."""
    if G.is_multigraph():
        edges = [(u, k, d) for u, keyed in adjacency.items() for k, d in keyed.items()]
    else:
        edges = [(u, 0, d) for u, d in adjacency.items()]
    if len(edges) > 1:
        edges.sort(key=lambda e: (e[2].get("position", 0), natural_key(e[0]), str(e[1])))
    return edges


def op_inputs(G, op):
    """``(tensor id, edge key, edge data)`` of an op's arguments, by position."""
    return _adjacent(G, G.pred[op])


def op_outputs(G, op):
    return _adjacent(G, G.succ[op])


def producer(G, tensor):
    """The op that produced ``tensor``, or None for a leaf."""
    preds = sorted(G.predecessors(tensor), key=natural_key)
    return preds[0] if preds else None


def nodes_in_order(G):
    """All node ids, in the order a reader follows the forward pass: operands, op, results."""
    order, seen = [], set()
    for op in ops_in_order(G):
        for t, _, _ in op_inputs(G, op):
            if t not in seen:
                seen.add(t)
                order.append(t)
        seen.add(op)
        order.append(op)
        for t, _, _ in op_outputs(G, op):
            if t not in seen:
                seen.add(t)
                order.append(t)
    order.extend(sorted((n for n in G.nodes if n not in seen), key=natural_key))
    return order


def backward_done(G):
    """A backward pass has run: the graph says so, or some op has a backward step."""
    if G.graph.get("backward_done"):
        return True
    return any(d.get("backward_step") is not None for _, d in G.nodes(data=True) if d.get("kind") == "op")


def root_tensors(G):
    """The tensor(s) backward started from: the graph's root, else role ``output``, else sinks."""
    root = G.graph.get("root")
    if root is not None and root in G:
        return [root]
    outs = [n for n, d in G.nodes(data=True) if d.get("kind") == "tensor" and d.get("role") == "output"]
    if outs:
        return sorted(outs, key=natural_key)
    return sorted((n for n, d in G.nodes(data=True) if d.get("kind") == "tensor" and G.out_degree(n) == 0),
                  key=natural_key)
