"""A :class:`.diagram.Diagram` as deterministic DOT, in a ``graphviz.Digraph``.

Same diagram → byte-identical DOT: nodes and edges keep the diagram's order,
the ``graphviz`` package sorts attributes, and names are the recorded ids
(``t0``, ``op3``), never memory addresses. Every node and edge carries an
``id`` (``n_t0``, ``e4``, ``g7``) that the SVG keeps, so frames can restyle
elements by id without a new layout.

The returned :class:`VizDigraph` renders in-process through pygraphviz, so it
shows inline in Jupyter (its own ``_repr_mimebundle_``) with no ``dot`` binary.
"""
import functools

import graphviz
from graphviz import quoting

from . import style

STATES = ("normal", "future", "active", "near", "hidden")


class VizDigraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose ``pipe`` (and so its Jupyter display) runs Graphviz in-process."""

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *,
             engine=None, encoding=None):
        from .layout import render_bytes

        data = render_bytes(self.source, format or self.format or "svg", engine or self.engine or "dot")
        return data.decode(encoding) if encoding else data


def dom_id(name):
    """The SVG element id of a node drawn as ``name``."""
    return f"n_{name}"


def _with_alpha(color):
    return color + style.DIM_ALPHA if color.startswith("#") and len(color) == 7 else color


def node_attrs(node, state="normal", show_grad=True):
    """DOT attributes (label included) of ``node`` drawn in frame state ``state``."""
    attrs = dict(node.attrs)
    attrs["id"] = dom_id(node.name)
    dim = state == "future"
    if dim:
        for key in ("fillcolor", "color"):
            if key in attrs:
                attrs[key] = _with_alpha(attrs[key])
    elif state == "active":
        attrs.update(color=style.HIGHLIGHT_COLOR, penwidth="4")
    elif state == "near":
        attrs.update(color=style.NEAR_COLOR, penwidth="3")
    attrs["label"] = style.html_label(node.rows, dim=dim, show_grad=show_grad)
    return attrs


# What a frame state may change on an edge, with Graphviz's value when the edge does not say.
_EDGE_STATE_DEFAULTS = {"color": style.FORWARD_EDGE_COLOR, "fontcolor": "#000000", "penwidth": "1",
                        "style": "solid"}


def edge_attrs(edge, state="normal", complete=False):
    """DOT attributes of ``edge`` in frame state ``state``.

    ``complete`` spells out every attribute a state may change, so that
    restyling one laid-out graph frame after frame leaves nothing behind.
    """
    attrs = {**_EDGE_STATE_DEFAULTS, **edge.attrs} if complete else dict(edge.attrs)
    attrs["id"] = edge.name
    if state == "hidden":
        attrs["style"] = "invis"
    elif state == "future":
        attrs["color"] = _with_alpha(attrs.get("color", style.FORWARD_EDGE_COLOR))
        attrs["fontcolor"] = _with_alpha(attrs.get("fontcolor", "#000000"))
    elif state == "active":
        attrs["penwidth"] = "3"
        if edge.kind == "forward":
            attrs["color"] = style.HIGHLIGHT_COLOR
    return attrs


def _cluster_attrs(cluster):
    return {"label": f"<<B>{style.escape(cluster.label)}</B>>", "style": "rounded,dashed",
            "color": style.MODULE_COLOR, "fontcolor": style.CLUSTER_TEXT_COLOR, "fontsize": style.CLUSTER_FONT_SIZE,
            "labeljust": "l", "id": f"cl_{cluster.key}", "margin": "10"}


# graphviz's own quoting, without its per-call argument checks (DOT text stays exactly what
# ``Digraph.node``/``Digraph.edge`` would write, in a fraction of the time for 2,000 nodes).
_quote = getattr(quoting.quote, "__wrapped__", quoting.quote)
_quote_short = functools.lru_cache(maxsize=4096)(_quote)


def _q(value):
    return _quote_short(value) if len(value) < 64 else _quote(value)


def _attr_list(attrs):
    """`` [label=... k=v ...]`` as ``graphviz`` writes it: the label first, the rest sorted by key."""
    parts = []
    label = attrs.get("label")
    if label is not None:
        parts.append(f"label={_q(label)}")
    for key in sorted(attrs):
        value = attrs[key]
        if key != "label" and value is not None:
            parts.append(f"{_q(key)}={_q(value)}")
    return f" [{' '.join(parts)}]" if parts else ""


def _add_node(graph, name, attrs):
    graph.body.append(f"\t{_q(name)}{_attr_list(attrs)}\n")


def _add_edge(graph, tail, head, attrs):
    graph.body.append(f"\t{_q(tail)} -> {_q(head)}{_attr_list(attrs)}\n")  # names are plain ids (no ports)


def to_digraph(diagram, legend_roles=None):
    """The diagram as a :class:`VizDigraph`; ``legend_roles`` adds a legend of those roles."""
    graph = VizDigraph("graphviz_grad", graph_attr=diagram.graph_attrs, node_attr=style.node_defaults(),
                       edge_attr=style.edge_defaults())
    bodies = {key: graphviz.Digraph(name=f"cluster_{key}", graph_attr=_cluster_attrs(c))
              for key, c in diagram.clusters.items()}
    for node in diagram.nodes:
        target = bodies.get(node.cluster, graph)
        _add_node(target, node.name, node_attrs(node, show_grad=diagram.backward))
    # Attach clusters deepest first, so each is complete when copied into its parent.
    depth = {}
    for key in diagram.clusters:
        d, parent = 0, diagram.clusters[key].parent
        while parent is not None:
            d, parent = d + 1, diagram.clusters[parent].parent
        depth[key] = d
    for key in sorted(bodies, key=lambda k: (-depth[k], list(bodies).index(k))):
        bodies.get(diagram.clusters[key].parent, graph).subgraph(bodies[key])
    if legend_roles:
        graph.node("legend", label=style.legend_label(legend_roles), shape="plain", id="legend")
    for edge in diagram.edges:
        _add_edge(graph, edge.tail, edge.head, edge_attrs(edge))
    for row in diagram.rows:  # e.g. W[0,0], W[0,1], ... side by side in reading order
        graph.body.append("\t{rank=same; " + " -> ".join(_q(n) for n in row) + " [style=invis]}\n")
    return graph
