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


def view_of(G, update="compact", roll=True):
    """A copy of ``G`` as drawn: updates compacted (``update="compact"``), repeated calls rolled
    (``roll``) and tensor labels distinct."""
    if update not in ("compact", "ops"):
        raise ValueError(f"update must be \"compact\" (one node per parameter) or \"ops\" (op by op), "
                         f"not {update!r}")
    H = G.copy()
    H.graph = dict(G.graph)
    if update == "compact":
        compact_updates(H)
    if roll:
        roll_calls(H)
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
        for key in ("module_type", "module_call", "module_calls"):
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


# --- the rolled view ---------------------------------------------------------------------------

def call_signatures(G, calls):
    """``{call key: signature}``: the module's class, the ops it ran directly (by label, in order), the
    shapes of the parameters they read, and its child calls' signatures in order."""
    kids = calls.children()
    by_key = calls.by_key()
    depth = {c.key: len(calls.ancestors(c.key)) for c in calls.calls}
    sigs = {}
    for call in sorted(calls.calls, key=lambda c: -depth[c.key]):  # children before parents, no recursion
        ops = tuple(G.nodes[op].get("label") or G.nodes[op].get("op") for op in call.ops)
        params = tuple(tuple(G.nodes[t].get("shape") or ()) for op in call.ops for t, _, _ in op_inputs(G, op)
                       if G.nodes[t].get("role") == "parameter")
        children = tuple(sigs[k] for k in sorted(kids.get(call.key, ()), key=lambda k: by_key[k].first_step))
        sigs[call.key] = (call.kind, ops, params, children)
    return sigs


def repeated_runs(G, calls):
    """Runs of two or more consecutive sibling calls that repeat one another: ``[[first, second, ...], ...]``.

    Two consecutive calls under one parent repeat one another when they have the
    same signature (:func:`call_signatures`) and are *chained* (the second reads
    what the first made, directly or through one op between: blocks, time steps)
    or *parallel* (what they make goes to the same ops: attention heads into a
    ``cat``). A query and a key projection have one signature but feed different
    ops: they stay apart.
    """
    sigs = call_signatures(G, calls)
    by_key, kids = calls.by_key(), calls.children()
    ops_of = {}

    def ops_in(key):
        if key not in ops_of:
            ops_of[key] = {op for k in _subtree(calls, key, kids, by_key) for op in by_key[k].ops}
        return ops_of[key]

    def repeats(a, b):
        if sigs[a] != sigs[b] or sigs[a][1:] == ((), (), ()):
            return False
        ops_a, ops_b = ops_in(a), ops_in(b)
        made_a = {t for op in ops_a for t in G.successors(op)}
        read_b = {t for op in ops_b for t in G.predecessors(op)} - {t for op in ops_b for t in G.successors(op)}
        between = {t for op in {c for t in made_a for c in G.successors(t)} - ops_a - ops_b
                   for t in G.successors(op)}
        if read_b & (made_a | between):
            return True  # chained
        uses_a = {c for t in made_a for c in G.successors(t)} - ops_a
        made_b = {t for op in ops_b for t in G.successors(op)}
        uses_b = {c for t in made_b for c in G.successors(t)} - ops_b
        return bool(uses_a) and uses_a == uses_b  # parallel

    runs = []
    for parent, keys in kids.items():
        keys = sorted(keys, key=lambda k: by_key[k].first_step)
        run = [keys[0]]
        for key in keys[1:] + [None]:
            if key is not None and repeats(run[-1], key):
                run.append(key)
                continue
            if len(run) > 1:
                runs.append(run)
            run = [key]
    return sorted(runs, key=lambda r: by_key[r[0]].first_step)


def _subtree(calls, key, kids, by_key):
    """``key`` and the calls inside it, in first-step order (iterative)."""
    out, stack = [], [key]
    while stack:
        k = stack.pop()
        out.append(k)
        stack.extend(kids.get(k, ()))
    return sorted(out, key=lambda k: int(k[1:]))  # keys are numbered in first-step order, parents first


def roll_calls(G):
    """Draw repeated calls once: merge, in place, each run of same-structure sibling calls into its first.

    Every op of the 2nd, 3rd, ... call (and of the calls inside it) becomes the op
    at the same place in the first call; the tensors it made, the parameters and
    constants it read, and their updates, become the first call's. Edges follow,
    so a chain of blocks draws as one block with an edge back into itself. The
    first call's ops and tensors get ``repeat = k``, which the drawing shows as
    ``×k``; the values shown are the first call's. Returns the number of calls rolled away.
    """
    from .calls import module_calls

    calls = module_calls(G)
    runs = repeated_runs(G, calls)
    if not runs:
        return 0
    kids, by_key = calls.children(), calls.by_key()
    mapping, repeat = {}, {}
    updates = {}  # parameter node -> its compact update op
    for op in ops_in_order(G):
        param = (G.nodes[op].get("update") or {}).get("param")
        if param is not None and G.nodes[op].get("op") == "update":
            updates[param] = op
    rolled = 0
    shown = G.graph.setdefault("repeat", {})  # module name of a run's first call -> its length
    for run in runs:
        shown[by_key[run[0]].name] = len(run)
        first = _subtree(calls, run[0], kids, by_key)
        first_ops = [op for k in first for op in by_key[k].ops]
        for op in first_ops:
            repeat[op] = len(run)
        for other in run[1:]:
            rolled += 1
            other_ops = [op for k in _subtree(calls, other, kids, by_key) for op in by_key[k].ops]
            for mine, theirs in zip(other_ops, first_ops):
                _map_op(G, mine, theirs, mapping, repeat, len(run))
            for param, target in list(mapping.items()):  # their parameters' updates become the first's
                if param in updates and target in updates and G.nodes[param].get("kind") == "tensor":
                    _map_op(G, updates[param], updates[target], mapping, repeat, len(run))
    _merge(G, mapping)
    for node, k in repeat.items():
        if node in G:
            G.nodes[node]["repeat"] = k
    return rolled


def _map_op(G, mine, theirs, mapping, repeat, k):
    if mine in mapping or mine == theirs:
        return
    mapping[mine] = theirs
    for (t, _, _), (u, _, _) in zip(op_outputs(G, mine), op_outputs(G, theirs)):
        mapping.setdefault(t, u)
        repeat[u] = k
    for (t, _, _), (u, _, _) in zip(op_inputs(G, mine), op_inputs(G, theirs)):
        d = G.nodes[t]
        if t != u and G.in_degree(t) == 0 and (d.get("role") in ("parameter", "constant", "gradient")
                                               or d.get("state_key") is not None):
            mapping.setdefault(t, u)  # a parameter, constant, .grad or state buffer of the repeated call
            repeat[u] = k


def _merge(G, mapping):
    """Move every edge of a mapped node onto its target and drop the mapped nodes."""
    def target(n):
        seen = set()
        while n in mapping and n not in seen:
            seen.add(n)
            n = mapping[n]
        return n

    for node in list(mapping):
        new = target(node)
        for u, _, key, data in list(G.in_edges(node, keys=True, data=True)):
            src = target(u)
            if not G.has_edge(src, new, key):
                G.add_edge(src, new, key=key, **data)
        for _, v, key, data in list(G.out_edges(node, keys=True, data=True)):
            dst = target(v)
            if dst != new and not G.has_edge(new, dst, key):
                G.add_edge(new, dst, key=key, **data)
    G.remove_nodes_from(list(mapping))
