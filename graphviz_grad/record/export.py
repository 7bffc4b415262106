"""Exports of the graph model: node-link JSON, GraphML and plain DOT, and loading JSON back.

JSON keeps every attribute as is (the model only holds JSON types), so
``from_json(to_json(G))`` equals ``G``. GraphML allows only strings, numbers and
booleans: lists and dicts become JSON strings and None values are left out;
:func:`load` decodes them again.

>>> import graphviz_grad as vg
>>> a = vg.tensor(2.0, requires_grad=True, name="a")
>>> G = vg.graph(a * a)
>>> print(G.to_dot())
digraph G {
  t0 [label="a" shape=ellipse];
  op0 [label="mul" shape=box];
  t1 [label="t1" shape=ellipse];
  t0 -> op0 [label="0"];
  t0 -> op0 [label="1"];
  op0 -> t1;
}
"""
import json

_ENCODED = ("shape", "data", "grad", "attrs", "derivative", "image", "grad_image", "update")  # stored as JSON in GraphML


def to_json(G, indent=None):
    """Node-link JSON: ``{"directed", "multigraph", "graph", "nodes": [...], "edges": [...]}``."""
    doc = {
        "directed": True,
        "multigraph": True,
        "graph": dict(G.graph),
        "nodes": [{"id": n, **d} for n, d in G.nodes(data=True)],
        "edges": [{"source": u, "target": v, "key": k, **d} for u, v, k, d in G.edges(keys=True, data=True)],
    }
    return json.dumps(doc, indent=indent, sort_keys=True, ensure_ascii=False)


def from_json(text, cls=None):
    """The graph of a node-link JSON text (as written by :func:`to_json`, or networkx's ``edges="edges"``)."""
    if cls is None:
        from .graph import Graph as cls
    try:
        doc = json.loads(text)
        G = cls()
        G.graph.update(doc.get("graph", {}))
        for node in doc["nodes"]:
            attrs = dict(node)
            G.add_node(attrs.pop("id"), **attrs)
        for edge in doc.get("edges", doc.get("links", [])):
            attrs = dict(edge)
            G.add_edge(attrs.pop("source"), attrs.pop("target"), key=attrs.pop("key", None), **attrs)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"not a graph exported by graph.to_json(): {e}") from None
    return G


def to_graphml(G, path):
    """Write ``G`` as GraphML at ``path``, with only GraphML-legal attribute types."""
    import networkx as nx

    H = nx.MultiDiGraph()
    H.graph.update(_graphml_attrs(G.graph))
    for n, d in G.nodes(data=True):
        H.add_node(n, **_graphml_attrs(d))
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=k, **_graphml_attrs(d))
    nx.write_graphml(H, str(path))


def _graphml_attrs(attrs):
    out = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, (list, dict, tuple)):
            value = json.dumps(value, sort_keys=True, ensure_ascii=False)
        out[key] = value
    return out


def load(path):
    """Read a graph exported with ``to_json`` (``.json``) or ``to_graphml`` (``.graphml``) back.

    >>> import os, tempfile, graphviz_grad as vg
    >>> G = vg.graph(vg.tensor([1.0, 2.0], requires_grad=True).sum())
    >>> path = os.path.join(tempfile.mkdtemp(), "g.json")
    >>> _ = open(path, "w").write(G.to_json())
    >>> load(path).nodes == G.nodes
    True
    """
    path = str(path)
    if path.endswith(".graphml"):
        return _load_graphml(path)
    with open(path, encoding="utf-8") as f:
        return from_json(f.read())


def _load_graphml(path):
    import networkx as nx

    from .graph import Graph

    H = nx.read_graphml(path, force_multigraph=True)
    G = Graph()
    G.graph.update(H.graph)
    for n, d in H.nodes(data=True):
        G.add_node(n, **_decoded(d))
    for u, v, k, d in H.edges(keys=True, data=True):
        G.add_edge(u, v, key=int(k) if str(k).isdigit() else k, **_decoded(d))
    return G


def _decoded(attrs):
    return {k: json.loads(v) if k in _ENCODED and isinstance(v, str) else v for k, v in attrs.items()}


def to_dot(G):
    """Plain DOT of the structure: tensors as ellipses, ops as boxes, argument positions on repeated edges."""
    lines = ["digraph G {"]
    for n, d in G.nodes(data=True):
        is_op = d.get("kind") == "op"
        label = d.get("label") or d.get("op") if is_op else d.get("name") or n
        lines.append(f"  {_quote_id(n)} [label={_quote(label)} shape={'box' if is_op else 'ellipse'}];")
    for u, v, k, d in G.edges(keys=True, data=True):
        repeated = G.number_of_edges(u, v) > 1
        extra = f" [label={_quote(d.get('position', k))}]" if repeated else ""
        lines.append(f"  {_quote_id(u)} -> {_quote_id(v)}{extra};")
    lines.append("}")
    return "\n".join(lines)


def _quote(value):
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _quote_id(node):
    text = str(node)
    return text if text.isidentifier() else _quote(text)
