"""What a picture shows of the recorded graph, before any level draws it: the graph a drawing reads.

Two passes over a copy of the graph model (the caller's graph is never changed):

- :func:`compact_updates`: the ops of one parameter's update in
  ``optimizer.step()`` (recorded with an ``update`` attribute, see
  docs/reference/graph-schema.md) become one op node, labelled with the
  optimizer's rule; the temporaries between them and the constants only they
  use disappear. What goes in: the parameter, its ``.grad``, its state buffers
  (``w.momentum_buffer``, ``w.exp_avg``). What comes out: their new versions.
- :func:`distinct_labels`: no two tensor nodes of one picture share a label.
  A later version of one tensor is ``w (updated)`` when an update wrote it,
  else ``x (v2)``; different tensors with one name are told apart by the
  module that made them (``y (fc)``), and what still clashes is numbered
  (``h #2``). Constants are drawn by their value and keep it.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("t0", kind="tensor", name="y", identity="t0", role="input")
>>> G.add_node("t1", kind="tensor", name="y", identity="t1", role="output", module="model.fc")
>>> sorted(distinct_labels(G).values())
['y', 'y (model.fc)']
"""
from .diagram import natural_key, nodes_in_order, op_inputs, op_outputs, ops_in_order


def view_of(G, update="compact"):
    """A copy of ``G`` as drawn: updates compacted (``update="compact"``) and tensor labels distinct."""
    if update not in ("compact", "ops"):
        raise ValueError(f"update must be \"compact\" (one node per parameter) or \"ops\" (op by op), "
                         f"not {update!r}")
    H = G.copy()
    if update == "compact":
        compact_updates(H)
    for node, label in distinct_labels(H).items():
        H.nodes[node]["name"] = label
    return H


def _groups(G):
    groups = {}
    for op in ops_in_order(G):
        update = G.nodes[op].get("update")
        if update:
            groups.setdefault(update["group"], []).append(op)
    return groups


def compact_updates(G):
    """Replace, in place, each parameter update's ops by one op node (see the module docstring)."""
    for ops in _groups(G).values():
        members = set(ops)
        first = ops[0]
        data = dict(G.nodes[first])
        update = data["update"]
        produced, inputs, last = set(), [], {}
        for op in ops:
            for t, _, _ in op_inputs(G, op):
                if t not in produced and t not in inputs:
                    inputs.append(t)
            for t, _, _ in op_outputs(G, op):
                produced.add(t)
                last[G.nodes[t].get("identity", t)] = t
        kept_identities = {G.nodes[t].get("identity", t) for t in inputs}
        outputs = []
        for t in sorted(produced, key=natural_key):
            d = G.nodes[t]
            outside = any(c not in members for c in G.successors(t))
            final = last.get(d.get("identity", t)) == t and (d.get("identity", t) in kept_identities
                                                             or d.get("state_key") is not None)
            if outside or final:
                outputs.append(t)
        dropped_inputs = [t for t in inputs if G.nodes[t].get("role") == "constant"
                          and all(c in members for c in G.successors(t))]
        inputs = [t for t in inputs if t not in dropped_inputs]
        param = update.get("param")
        # the parameter first, then its .grad, then its state
        inputs.sort(key=lambda t: 0 if t == param else 1 if G.nodes[t].get("grad_of") is not None else 2)
        dropped = (produced - set(outputs)) | set(dropped_inputs)
        G.remove_nodes_from(ops)
        G.remove_nodes_from(dropped)
        data.update(op="update", label=update.get("optimizer") or "update", grad_fn=None, attrs={},
                    derivative=[], backward_step=None, inplace=False, module=None, phase="update")
        for key in ("module_type", "module_call"):
            data.pop(key, None)
        G.add_node(first, **data)
        for position, t in enumerate(inputs):
            G.add_edge(t, first, key=position, kind="input", position=position, grad=None, rule=None)
        for t in outputs:
            G.add_edge(first, t, key=0, kind="output", position=0, grad=None, rule=None)
    return G


def distinct_labels(G):
    """``{tensor node: label}`` with no label twice (constants aside); see the module docstring."""
    labels, by_name = {}, {}
    order = nodes_in_order(G) if any(d.get("kind") == "op" for _, d in G.nodes(data=True)) else sorted(
        G.nodes, key=natural_key)
    for node in order:
        d = G.nodes[node]
        if d.get("kind") != "tensor" or d.get("role") == "constant":
            continue
        name = str(d.get("name") or node)
        labels[node] = name
        by_name.setdefault(name, []).append(node)
    for name, nodes in by_name.items():
        if len(nodes) < 2:
            continue
        seen_identity = {}
        for node in nodes:
            d = G.nodes[node]
            identity = d.get("identity", node)
            if identity in seen_identity:  # a later version of one tensor
                writer = next(iter(G.predecessors(node)), None)
                updated = writer is not None and G.nodes[writer].get("phase") == "update"
                labels[node] = f"{name} (updated)" if updated else f"{name} (v{d.get('version', 1)})"
            else:
                seen_identity[identity] = node
        firsts = list(seen_identity.values())
        modules = [G.nodes[n].get("module") for n in firsts]
        for node, module in zip(firsts[1:], modules[1:]):
            if module and modules.count(module) == 1:
                labels[node] = f"{name} ({module})"
    count, final = {}, {}
    for node, label in labels.items():
        k = count[label] = count.get(label, 0) + 1
        final[node] = label if k == 1 else f"{label} #{k}"
    while len(set(final.values())) < len(final):  # "h #2" may be some tensor's own name: number on
        used = {}
        for node, label in final.items():
            k = used[label] = used.get(label, 0) + 1
            if k > 1:
                final[node] = f"{label} #{k}"
    return final
