"""From the recorded graph to a :class:`.diagram.Diagram`, at the tensor or the module level.

- ``tensor`` (the default): one node per tensor and per op; module calls as
  clusters; after backward, a dashed red edge per gradient that flowed, leaving
  its op by the side (:func:`place_grad_edges`) so it never hides a forward edge.
- ``module``: one box per innermost ``nn.Module`` call (its parameters and
  internal tensors folded in); calls that hold other calls become clusters.

At both levels a tape's update step (``w -= lr * w.grad``, ``optimizer.step()``)
is its own cluster, ``update (no_grad)``, apart from the model.

The scalar level lives in :mod:`.scalar`.
"""
from . import style
from .calls import cluster_label, module_calls
from .diagram import (Cluster, Diagram, Node, OpView, backward_done, nodes_in_order, op_inputs, op_outputs,
                      ops_in_order, root_tensors, safe_names)

MAX_NODES = 2000
EDGE_LABEL_VALUES = 2  # a gradient edge is labelled with up to this many values, else with a norm


def _check_size(count, level, max_nodes):
    if max_nodes is not None and count > max_nodes:
        zoom = ("draw it at level=\"module\" (one box per module call) or a smaller part of the program"
                if level != "module" else "draw a smaller part of the program")
        raise ValueError(
            f"graph too large to draw: {count} nodes at level=\"{level}\" (limit {max_nodes}); {zoom}, "
            f"or pass max_nodes={count} to draw it anyway"
        )


def _clusters_for(calls, used):
    """Cluster objects for the calls in ``used`` and every call around them."""
    by_key, clusters = calls.by_key(), {}
    for key in sorted(used, key=lambda k: int(k[1:])):
        for k in calls.ancestors(key):
            call = by_key[k]
            clusters.setdefault(k, Cluster(k, cluster_label(call), call.parent))
    return dict(sorted(clusters.items(), key=lambda kv: int(kv[0][1:])))


def _tensor_home(G, tensor, calls):
    """The call a tensor is drawn in: its producer's, or the one call all its consumers share."""
    preds = list(G.predecessors(tensor))
    if preds:
        return calls.of_op.get(preds[0])
    if G.nodes[tensor].get("role") not in ("parameter", "constant"):
        return None
    homes = {calls.of_op.get(op) for op in G.successors(tensor)}
    return homes.pop() if len(homes) == 1 else None


UPDATE = "update"  # the cluster of a tape's update step (w -= lr * w.grad, optimizer.step())
UPDATE_LABEL = "update (no_grad)"


def _update_members(G):
    """Model nodes drawn in the update cluster: a tape's update ops after the forward pass, what they
    make, and what only they use (the gradients read, the learning rate)."""
    ops = ops_in_order(G)
    forward = [G.nodes[op].get("forward_step") for op in ops if (G.nodes[op].get("phase") or "forward") == "forward"]
    after = max((s for s in forward if isinstance(s, int)), default=-1)
    members = {op for op in ops if G.nodes[op].get("phase") == "update"
               and isinstance(G.nodes[op].get("forward_step"), int) and G.nodes[op]["forward_step"] > after}
    if not members:
        return members
    for op in list(members):
        members.update(t for t, _, _ in op_outputs(G, op))
    for op in list(m for m in members if G.nodes[m].get("kind") == "op"):
        for t, _, _ in op_inputs(G, op):
            if G.in_degree(t) == 0 and all(c in members for c in G.successors(t)):
                members.add(t)
    return members


def _with_update_cluster(diagram, homes, G=None):
    """Add the update cluster when a node lives in it; ``G`` given (module level), its label says the
    optimizer's rule once when every parameter's update follows the same one."""
    if UPDATE in homes:
        diagram.clusters[UPDATE] = Cluster(UPDATE, UPDATE_LABEL, None)
        if G is not None:
            rules = {style.update_rule_text(d) for _, d in G.nodes(data=True) if _is_update(d)}
            if len(rules) == 1:  # a note in the cluster, left of the updates
                diagram.nodes.append(Node("update_rule", {"shape": "plain", "id": "update_rule"},
                                          [("data", line) for line in rules.pop().split("\n")], UPDATE, "legend"))


def _op_rows(G, data, brief=False):
    """An op's rows; a compacted update names its parameter (the name it had before the update)."""
    param = (data.get("update") or {}).get("param")
    return style.op_rows(data, G.nodes[param].get("name") if param in G else None, brief)


def _grad_label(edge_data, repeat=1):
    # The node already lists its gradient in full; the edge carries a short reminder. A rolled op (×k)
    # shows its first call's values: the edge says so, since the k calls' gradients add up.
    label = style.short_summary(edge_data.get("grad"), EDGE_LABEL_VALUES)
    return f"call 1 of {repeat}: {label}" if repeat > 1 and label else label


def _new_diagram(G, rankdir, backward):
    return Diagram(graph_attrs=style.graph_attrs(rankdir), backward=backward and backward_done(G))


def tensor_level(G, *, small=16, backward=True, rankdir="TB", clusters=True, max_nodes=MAX_NODES, images=True):
    """One node per tensor and op of the recorded graph ``G``."""
    _check_size(G.number_of_nodes(), "tensor", max_nodes)
    diagram = _new_diagram(G, rankdir, backward)
    names = safe_names(G)
    calls = module_calls(G) if clusters else None
    update = _update_members(G) if clusters else set()
    homes = {}
    for node_id in nodes_in_order(G):
        data = G.nodes[node_id]
        name = names[node_id]
        if data.get("kind") == "op":
            home = calls.of_op.get(node_id) if calls else None
            node = Node(name, style.op_attrs(data), _op_rows(G, data), home, "op")
        else:
            home = _tensor_home(G, node_id, calls) if calls else None
            rows = style.tensor_rows(data, small, show_grad=diagram.backward, images=images)
            node = Node(name, style.tensor_attrs(data), rows, home, "tensor")
            diagram.tensor_nodes[node_id] = [name]
        if node_id in update:
            node.cluster = home = UPDATE
        if home is not None:
            homes[name] = home
        diagram.nodes.append(node)
    if calls:
        diagram.clusters = _clusters_for(calls, set(homes.values()) - {UPDATE})
        _with_update_cluster(diagram, set(homes.values()))
    for op in ops_in_order(G):
        view = OpView(nodes=[names[op]])
        for tensor, _, edge in op_inputs(G, op):
            view.inputs.append(names[tensor])
            view.forward_edges.append(diagram.add_edge(names[tensor], names[op], {}))
        for tensor, _, _ in op_outputs(G, op):
            view.outputs.append(names[tensor])
            view.forward_edges.append(diagram.add_edge(names[op], names[tensor], {}))
        diagram.op_views[op] = view
    if diagram.backward:
        _add_grad_edges(G, diagram, names)
    diagram.root_nodes = [names[t] for t in root_tensors(G)]
    return diagram


def _add_grad_edges(G, diagram, names):
    """After backward: a dashed red edge along every input edge that carried a gradient."""
    for op in ops_in_order(G):
        if G.nodes[op].get("backward_step") is None:
            continue
        view = diagram.op_views[op]
        for tensor, _, edge in op_inputs(G, op):
            if _carried_grad(G, tensor, edge):
                attrs = style.grad_edge_attrs(_grad_label(edge, G.nodes[op].get("repeat", 1)))
                view.grad_edges.append(diagram.add_edge(names[tensor], names[op], attrs, "grad"))


def _carried_grad(G, tensor, edge):
    """The edge's recorded gradient when it has one, else whether the tensor wanted a gradient."""
    if "grad" in edge:
        return edge["grad"] is not None
    return bool(G.nodes[tensor].get("requires_grad"))


# --- module level --------------------------------------------------------------------------

def expanded_calls(calls, expand):
    """Keys of the calls ``expand`` names (``"blocks.0.sa"`` or ``"model.blocks.0.sa"``) and of the calls
    inside them; a name that matches no call is refused with the names there are."""
    if not expand:
        return set()
    if isinstance(expand, str):
        expand = [expand]
    by_key, opened = calls.by_key(), set()
    for wanted in expand:
        hits = {c.key for c in calls.calls if c.name == wanted or c.name.endswith("." + wanted)}
        if not hits:
            known = sorted({c.name for c in calls.calls})
            if not known:
                raise ValueError(f"expand={wanted!r}: this program calls no nn.Module, so there is nothing to expand")
            raise ValueError(f"expand={wanted!r} names no module call of this program; its calls are: "
                             + ", ".join(known[:12]) + (", ..." if len(known) > 12 else ""))
        opened |= hits
    return {c.key for c in calls.calls if any(k in opened for k in calls.ancestors(c.key))}


def box_calls(calls, depth=None, expand=()):
    """``{call key: key of the box that draws it}``: the innermost calls (or, with ``depth=d``, the calls
    ``d`` deep and the shallower innermost ones) draw as boxes holding the calls inside them;
    the calls ``expand`` opens draw op by op (no box)."""
    kids = calls.children()
    opened = expanded_calls(calls, expand)
    boxes = {}
    for call in calls.calls:
        if call.key in opened:
            continue
        chain = calls.ancestors(call.key)[::-1]  # outermost first
        for level, key in enumerate(chain, 1):
            if key not in kids or (depth is not None and level >= depth):
                boxes[call.key] = key
                break
    return boxes


def module_level(G, *, small=16, backward=True, rankdir="TB", max_nodes=MAX_NODES, depth=None, expand=(),
                 images=True, **_):
    """One box per innermost module call (or per call ``depth`` deep); what runs outside modules, and
    inside the calls ``expand`` names, stays as tensors and ops."""
    calls = module_calls(G)
    by_key, kids = calls.by_key(), calls.children()
    boxes = box_calls(calls, depth, expand)
    names = safe_names(G)
    rep = {}  # model node id -> drawn node name (box, op, or tensor)
    box_of = {}  # model node id -> box call key, for nodes folded into a box
    for op, key in calls.of_op.items():
        if key in boxes:
            box_of[op] = boxes[key]
    data_ops = _data_ops(G, calls)
    for op in data_ops:
        box_of[op] = DATA_BOX
    for node_id, data in G.nodes(data=True):
        if data.get("kind") == "tensor":
            key = _folded_into(G, node_id, box_of)
            if key is not None:
                box_of[node_id] = key
    for node_id in G.nodes:
        rep[node_id] = f"m_{box_of[node_id]}" if node_id in box_of else names[node_id]
    grouped = _group_updates(G, calls, rep)
    in_update = _fold_updates(G, rep)
    box_ops = {}
    for op in ops_in_order(G):
        if op in box_of:
            box_ops.setdefault(box_of[op], []).append(op)
    drawn = {r for r in rep.values()}
    _check_size(len(drawn), "module", max_nodes)

    diagram = _new_diagram(G, rankdir, backward)
    box_params = _box_params(G, box_of)
    update = _update_members(G)
    used_homes = set()
    emitted = set()
    for node_id in nodes_in_order(G):
        name = rep[node_id]
        if name in emitted:
            continue
        if node_id in in_update:
            continue  # drawn by its update node
        emitted.add(name)
        data = G.nodes[node_id]
        if box_of.get(node_id) == DATA_BOX:
            home = None
            node = Node(name, style.module_box_attrs(), _data_box_rows(G, box_ops.get(DATA_BOX, ())), home, "module")
        elif node_id in box_of:
            key = box_of[node_id]
            home = by_key[key].parent
            node = Node(name, style.module_box_attrs(), _box_rows(G, by_key[key], box_params.get(key, ()),
                                                                diagram.backward, box_ops.get(key, ())),
                        home, "module")
            diagram.boxes[name] = key
        elif node_id in grouped:
            home = None
            members = [u for u in grouped if rep[u] == name]
            key, count = grouped[node_id], len(members)
            rows = _op_rows(G, data, brief=True)[:1] + [
                ("data", by_key[key].name if key in by_key else "the rest"),
                ("note", f"{count} parameter{'s' if count != 1 else ''}")]
            node = Node(name, style.op_attrs(data), rows, home, "op")
        elif data.get("kind") == "op":
            home = calls.of_op.get(node_id)
            node = Node(name, style.op_attrs(data), _op_rows(G, data, brief=True), home, "op")
        else:
            home = _tensor_home(G, node_id, calls)
            if home in boxes:  # a box's result sits beside the box
                home = by_key[boxes[home]].parent
            node = Node(name, style.tensor_attrs(data),
                        style.tensor_rows(data, small, show_grad=diagram.backward, images=images), home,
                        "tensor")
        if node_id in update and node_id not in box_of:
            node.cluster = home = UPDATE
        if home is not None:
            used_homes.add(home)
        diagram.nodes.append(node)
    for node_id, data in G.nodes(data=True):
        if data.get("kind") == "tensor":
            diagram.tensor_nodes[node_id] = [rep[node_id]]
    diagram.clusters = _clusters_for(calls, used_homes - {UPDATE})
    _with_update_cluster(diagram, used_homes, G)
    _module_edges(G, diagram, rep)
    diagram.root_nodes = sorted({rep[t] for t in root_tensors(G)})
    return diagram


DATA_BOX = "data"  # the box of the data preparation (see _data_ops)
MIN_DATA_OPS = 4  # fewer ops than this outside modules without gradients stay drawn one by one


def _data_ops(G, calls):
    """The forward ops outside every module call that touch no tensor needing a gradient: the data
    preparation of a training step (a batch sliced from a corpus and stacked: the GPT's ``get_batch``
    runs 60 such ops). The module level draws them as one box; below ``MIN_DATA_OPS`` they stay ops,
    and so they do in a program without modules (the tutorial's backprop by hand needs no gradient at all)."""
    found = set()
    if not calls.calls:
        return found
    for op, data in G.nodes(data=True):
        if data.get("kind") != "op" or op in calls.of_op or data.get("phase") != "forward" or _is_update(data):
            continue
        tensors = [*G.predecessors(op), *G.successors(op)]
        if tensors and not any(G.nodes[t].get("requires_grad") for t in tensors):
            found.add(op)
    return found if len(found) >= MIN_DATA_OPS else set()


def _data_box_rows(G, ops):
    """The data box: how many ops of each kind it holds (``index ×32 · add ×32 · stack ×2``)."""
    counts = {}
    for op in ops:
        name = G.nodes[op].get("op")
        counts[name] = counts.get(name, 0) + 1
    kinds = " · ".join(f"{name} ×{n}" if n > 1 else name for name, n in counts.items())
    return [("title", "data (no gradients)"), ("meta", f"{len(ops)} ops: {kinds}")]


MAX_UPDATES = 16  # more parameters than this: the module level draws one update node per module call


def _group_updates(G, calls, rep):
    """Over ``MAX_UPDATES`` parameter updates, one node per module call holding parameters (the calls as
    deep as fit): ``{update op: call key}``, with ``rep`` pointing each update op to its group's node."""
    updates = [op for op in ops_in_order(G) if _is_update(G.nodes[op])]
    if len(updates) <= MAX_UPDATES:
        return {}
    chains = {}
    for u in updates:
        param = G.nodes[u]["update"].get("param")
        users = [c for c in (G.successors(param) if param in G else ()) if not _is_update(G.nodes[c])]
        owner = next((calls.of_op[c] for c in users if c in calls.of_op), None)
        chains[u] = calls.ancestors(owner)[::-1] if owner is not None else []
    deepest = max(len(c) for c in chains.values())
    for depth in range(deepest, 0, -1):
        group = {u: (chain[:depth][-1] if chain else None) for u, chain in chains.items()}
        if len(set(group.values())) <= MAX_UPDATES:
            break
    for u, key in group.items():
        rep[u] = f"u_{key}"
    return group


def _is_update(data):
    return data.get("op") == "update" and bool(data.get("update"))


def _fold_updates(G, rep):
    """At the module level a compact update draws alone: the ``.grad``, the state buffers and the new
    versions it reads and writes (used by nothing else) fold into it. Returns the folded tensors."""
    folded = set()
    for op, data in G.nodes(data=True):
        if not _is_update(data):
            continue
        for t in set(G.predecessors(op)) | set(G.successors(op)):
            d = G.nodes[t]
            if d.get("role") == "parameter" and G.in_degree(t) == 0:
                continue  # the parameter itself: in its module's box
            if all(n == op for n in G.predecessors(t)) and all(n == op for n in G.successors(t)):
                rep[t] = rep[op]
                folded.add(t)
    return folded


def _folded_into(G, tensor, box_of):
    """The box a tensor disappears into: made and used only inside it, or a parameter used only by it
    (and by its update)."""
    data = G.nodes[tensor]
    consumers = {box_of.get(op) for op in G.successors(tensor) if not _is_update(G.nodes[op])}
    preds = list(G.predecessors(tensor))
    if preds:
        home = box_of.get(preds[0])
        if home is not None and consumers == {home} and data.get("role") != "output":
            return home
        if home == DATA_BOX and consumers <= {DATA_BOX}:  # index bookkeeping (i + block_size) used by nothing drawn
            return home
        return None
    if data.get("role") in ("parameter", "constant") and len(consumers) == 1:
        return consumers.pop()
    if consumers == {DATA_BOX}:  # the corpus a batch is cut from
        return DATA_BOX
    return None


def _box_params(G, box_of):
    """``{box call key: [its parameters, in reading order]}`` (one pass over the graph for every box)."""
    params = {}
    for t in nodes_in_order(G):
        if t in box_of and G.nodes[t].get("kind") == "tensor" and G.nodes[t].get("role") == "parameter":
            params.setdefault(box_of[t], []).append(t)
    return params


def _box_rows(G, call, params, show_grad, box_ops):
    """A module box: its name and class, the ops it ran, its ``params`` (and their gradients)."""
    ops = []
    for op in box_ops:  # its own ops and those of the calls inside it
        text = style.op_text(G.nodes[op])
        if not ops or ops[-1] != text:
            ops.append(text)
    ops_text = " → ".join(ops[:4]) + (" → …" if len(ops) > 4 else "")
    rows = [("title", cluster_label(call)), ("meta", ops_text)]
    for t in params:
        data = G.nodes[t]
        name = str(data.get("name") or t).rsplit(".", 1)[-1]  # the box names the module already
        # a small parameter by its values (w = 2.0), a large one by its shape (weight: 100×1000)
        summary = data.get("data") or {}
        if summary.get("values") is not None and summary.get("numel", 1) <= EDGE_LABEL_VALUES:
            rows.append(("data", f"{name} = {style.short_summary(summary, EDGE_LABEL_VALUES)}"))
        else:
            rows.append(("data", f"{name}: {style.format_shape(data.get('shape'))}"))
        if show_grad and data.get("grad"):
            grad = data["grad"]
            small = grad.get("values") is not None and grad.get("numel", 1) <= EDGE_LABEL_VALUES
            rows.append(("grad", f"{name}.grad {'= ' if small else ''}{style.short_summary(grad, EDGE_LABEL_VALUES)}"))
    return rows


def _module_edges(G, diagram, rep):
    """Forward edges between drawn nodes (deduplicated); gradient edges where inputs crossed a box edge."""
    forward, grads = {}, {}
    for op in ops_in_order(G):
        view = OpView(nodes=[rep[op]])
        for tensor, _, edge in op_inputs(G, op):
            pair = (rep[tensor], rep[op])
            if pair[0] == pair[1]:
                continue
            view.inputs.append(pair[0])
            if pair not in forward:
                forward[pair] = diagram.add_edge(pair[0], pair[1], {})
            view.forward_edges.append(forward[pair])
            if diagram.backward and G.nodes[op].get("backward_step") is not None and _carried_grad(G, tensor, edge):
                grads.setdefault(pair, []).append((edge, view))
        for tensor, _, _ in op_outputs(G, op):
            pair = (rep[op], rep[tensor])
            if pair[0] == pair[1]:
                continue
            view.outputs.append(pair[1])
            if pair not in forward:
                forward[pair] = diagram.add_edge(pair[0], pair[1], {})
            view.forward_edges.append(forward[pair])
        diagram.op_views[op] = view
    for pair, flows in grads.items():
        label = _grad_label(flows[0][0]) if len(flows) == 1 else ""
        name = diagram.add_edge(pair[0], pair[1], style.grad_edge_attrs(label), "grad")
        for _, view in flows:
            view.grad_edges.append(name)


# Which side of a node a gradient edge leaves from, by rankdir: (first input's side, last input's side).
_GRAD_SIDES = {"TB": ("w", "e"), "BT": ("w", "e"), "LR": ("n", "s"), "RL": ("n", "s")}


def place_grad_edges(diagram):
    """Route gradient edges around the outside of their op, apart from the forward edges.

    An op that sends one gradient back sends it from its far side (east, or
    south for ``rankdir=LR``); one that sends several sends the first input's
    from the near side (west, or north) and the last input's from the far
    side. Forward edges keep the middle of the op, so the two never overlap;
    Graphviz takes the sides into account when it orders the inputs.
    """
    near, far = _GRAD_SIDES.get(diagram.graph_attrs.get("rankdir", "TB"), ("w", "e"))
    by_head = {}
    for edge in diagram.edges:
        if edge.kind == "grad":
            by_head.setdefault(edge.head, []).append(edge)
    for edges in by_head.values():
        edges[-1].attrs["headport"] = far
        if len(edges) > 1:
            edges[0].attrs["headport"] = near


MAX_BOXES = 150  # what the default picture aims at: a person can read this many boxes


def build(G, level="tensor", **opts):
    """The diagram of ``G`` at ``level`` (``"module"``, ``"tensor"``, ``"scalar"``, or None: see :func:`auto`)."""
    if level is None:
        return auto(G, **opts)
    expand, depth = opts.pop("expand", ()), opts.pop("depth", None)
    if level == "tensor":
        diagram = tensor_level(G, **opts)
        place_grad_edges(diagram)
        return diagram
    if level == "module":
        opts.pop("clusters", None)
        diagram = module_level(G, expand=expand, depth=depth, **opts)
        diagram.level = "module"
        place_grad_edges(diagram)
        return diagram
    if level == "scalar":
        from .scalar import scalar_level
        opts.pop("clusters", None)
        return scalar_level(G, **opts)
    raise ValueError(f"unknown level {level!r}: use \"module\", \"tensor\" or \"scalar\"")


def auto(G, **opts):
    """The level that keeps the picture readable (at most ``MAX_BOXES`` boxes), with a caption saying it.

    The tensor level when the graph has at most ``MAX_BOXES`` nodes (or no module calls); else the
    module level, with each call ``depth`` deep a box, the deepest ``depth`` that fits.
    """
    opts.pop("depth", None)
    expand = opts.pop("expand", ())
    calls = module_calls(G)
    size = G.number_of_nodes()
    if (size <= MAX_BOXES and not expand) or not calls.calls:
        diagram = build(G, "tensor", **opts)
        if calls.calls:  # (without module calls there is no other level to point to)
            _caption(diagram, G, calls, size)
        return diagram
    deepest = max((len(calls.ancestors(c.key)) for c in calls.calls), default=1)
    for depth in [None] + list(range(deepest - 1, 0, -1)):
        diagram = build(G, "module", expand=expand, depth=depth, **opts)
        if len(diagram.nodes) <= MAX_BOXES:
            break
    _caption(diagram, G, calls, size)
    return diagram


def _caption(diagram, G, calls, size):
    """A line above the picture: the level it shows, and how to see more (or less)."""
    rolled = G.graph.get("repeat") or {}
    if diagram.level == "tensor":
        text = (f"tensor level: every tensor and op ({len(diagram.nodes)} boxes)"
                ' · one box per module call: level="module"')
    else:
        by_key = calls.by_key()
        boxed = [by_key[k] for k in dict.fromkeys(diagram.boxes.values())]
        example = max(boxed, key=lambda c: (len(c.ops), -c.first_step)).name if boxed else "..."
        text = (f"module level: one box per module call ({len(diagram.nodes)} boxes for {size} tensors and ops)"
                f' · inside a box: expand=["{example}"] · everything: level="tensor"')
    if rolled:
        text += " · ×k: k calls of one structure drawn once (roll=False draws each)"
    diagram.graph_attrs.update(label=text, labelloc="t", labeljust="l", fontsize=style.SMALL_FONT_SIZE,
                               fontcolor=style.META_COLOR)
