"""Hand-built graph models (docs/reference/graph-schema.md) that the drawing tests share.

They pin the drawing down independently of recording: ``ywxb_graph`` is
``y = w * x + b`` with w=2, x=1, b=3, before or after backward.
"""
import networkx as nx


def _summary(value):
    return {"values": value, "numel": 1}


def _tensor(G, node_id, name, value, role, grad=None, module=None, shape=()):
    G.add_node(node_id, kind="tensor", name=name, shape=list(shape), dtype="float32", device="cpu",
               requires_grad=role != "input", is_leaf=role in ("input", "leaf", "parameter", "constant"),
               role=role, data=_summary(value), grad=None if grad is None else _summary(grad), module=module)


def _op(G, node_id, op, step, back, derivative, module=None):
    G.add_node(node_id, kind="op", op=op, label=op, grad_fn=op.capitalize() + "Backward0", attrs={},
               forward_step=step, backward_step=back, module=module, derivative=derivative,
               phase="forward", custom=False, anomaly=False)


def ywxb_graph(backward=True, names=("w", "x", "b", "y"), module=None):
    """``y = w * x + b`` (w=2, x=1, b=3) as the recorder draws it, with or without a backward pass.

    With ``module`` (e.g. ``"lin"``), both ops ran inside that module call and
    w and b are its parameters.
    """
    wn, xn, bn, yn = names
    G = nx.MultiDiGraph(schema=1, root="t4", backward_done=backward)
    g = (lambda v: v) if backward else (lambda v: None)
    leaf = "parameter" if module else "leaf"
    _tensor(G, "t0", wn, 2.0, leaf, g(1.0))
    _tensor(G, "t1", xn, 1.0, "leaf", g(2.0))
    _op(G, "op0", "mul", 0, g(1), ["grad · b", "grad · a"], module)
    _tensor(G, "t2", "t2", 2.0, "intermediate", g(1.0), module)
    _tensor(G, "t3", bn, 3.0, leaf, g(1.0))
    _op(G, "op1", "add", 1, g(0), ["grad · 1", "grad · 1"], module)
    _tensor(G, "t4", yn, 5.0, "output", g(1.0), module)
    rules = {
        ("t0", "op0"): (1.0, f"{wn}.grad += t2.grad · {xn} = 1.0 · 1.0"),
        ("t1", "op0"): (2.0, f"{xn}.grad += t2.grad · {wn} = 1.0 · 2.0"),
        ("t2", "op1"): (1.0, f"t2.grad += {yn}.grad · 1 = 1.0 · 1"),
        ("t3", "op1"): (1.0, f"{bn}.grad += {yn}.grad · 1 = 1.0 · 1"),
    }
    for i, (u, v) in enumerate(rules):
        grad, rule = rules[(u, v)]
        G.add_edge(u, v, kind="input", position=i % 2,
                   grad=_summary(grad) if backward else None, rule=rule if backward else None)
    G.add_edge("op0", "t2", kind="output", position=0)
    G.add_edge("op1", "t4", kind="output", position=0)
    return G


def chain_graph(n_ops):
    """``x → neg → neg → ...``: a chain of ``n_ops`` ops after backward (2·n+1 nodes)."""
    G = nx.MultiDiGraph(schema=1, root=f"t{n_ops}", backward_done=True)
    _tensor(G, "t0", "x", 1.0, "leaf", 1.0)
    for i in range(n_ops):
        _op(G, f"op{i}", "neg", i, n_ops - 1 - i, ["-grad"])
        _tensor(G, f"t{i + 1}", f"t{i + 1}", (-1.0) ** (i + 1), "output" if i == n_ops - 1 else "intermediate",
                1.0)
        G.add_edge(f"t{i}", f"op{i}", kind="input", position=0, grad=_summary(1.0), rule=None)
        G.add_edge(f"op{i}", f"t{i + 1}", kind="output", position=0)
    return G


def test_ywxb_graph_follows_the_schema():
    G = ywxb_graph()
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    assert kinds == {"tensor", "op"}
    assert G.number_of_edges() == 6 and G.graph["root"] == "t4"
    assert [G.nodes[t]["grad"]["values"] for t in ("t0", "t1", "t3")] == [1.0, 2.0, 1.0]
