"""What the drawing functions accept: a Tensor, a recorded Graph (or any networkx graph in the schema), a Tape,
a micrograd ``Value`` (anything with ``data``, ``grad``, ``_prev`` and ``_op``)."""


def as_graph(x, compare_grads=None):
    """The graph model of ``x``: ``vg.graph(t)`` for a Tensor, ``tape.graph()`` for a Tape, a graph as is.

    ``compare_grads`` (``{tensor name: hand-written gradient}``) needs the Tensor itself: a graph keeps
    summaries of gradients, not the gradients (``vg.graph(t, compare_grads=...)`` keeps the checks).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> as_graph(G) is G
    True
    """
    import networkx as nx

    from ..tensor import Tensor

    if isinstance(x, Tensor):
        from ..record import graph

        return graph(x, compare_grads=compare_grads)
    if compare_grads:
        raise TypeError(f"compare_grads needs the Tensor whose graph is drawn (e.g. the loss), not a "
                        f"{type(x).__name__}: a recorded graph keeps summaries of gradients, not the gradients; "
                        "vg.graph(loss, compare_grads=...) makes a graph that keeps the comparisons")
    if isinstance(x, nx.Graph):
        return x
    nx_view = getattr(x, "nx", None)
    if isinstance(nx_view, nx.Graph):
        return nx_view
    if callable(getattr(x, "graph", None)):
        return x.graph()
    from .micrograd import graph_of_values, is_value

    if is_value(x):  # micrograd's Value, or one written in its lecture
        return graph_of_values(x)
    raise TypeError(
        f"cannot draw a {type(x).__name__}: pass a Tensor (e.g. the loss), a graph from vg.graph(t), "
        "a tape from `with vg.record() as tape:`, or a micrograd Value (data, grad, _prev, _op)"
    )
