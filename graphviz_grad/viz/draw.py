"""``draw``: anything drawable → a ``graphviz.Digraph`` (through the graph model and a diagram)."""
from .dot import to_digraph
from .levels import MAX_NODES, build
from .source import as_graph
from .view import view_of


def prepare(x, level=None, rankdir="TB", backward=True, legend=False, small=16, clusters=True,
            max_nodes=MAX_NODES, update="compact", roll=True, expand=None, images=True, compare_grads=None):
    """``(graph as drawn, diagram, digraph)`` for ``x``; every drawing function starts here.

    The graph as drawn is a copy of the model (:func:`.view.view_of`): updates
    compacted, repeated calls rolled, labels distinct.
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"rankdir must be \"TB\", \"LR\", \"BT\" or \"RL\", not {rankdir!r}")
    if level not in (None, "module", "tensor", "scalar"):
        raise ValueError(f"unknown level {level!r}: use \"module\", \"tensor\", \"scalar\" or None (the default: "
                         "chosen by size)")
    if expand and level not in (None, "module"):
        raise ValueError(f"expand opens module boxes: use it with level=\"module\" (or the default), not "
                         f"level={level!r}")
    G = view_of(as_graph(x, compare_grads), update, roll and level != "scalar")
    return (G, *diagram_of(G, level, rankdir, backward, legend, small, clusters, max_nodes, expand, images))


def diagram_of(G, level=None, rankdir="TB", backward=True, legend=False, small=16, clusters=True,
               max_nodes=MAX_NODES, expand=None, images=True):
    """``(diagram, digraph)`` of a graph as drawn (:func:`prepare`'s second half: the stepper draws one
    graph several ways, e.g. with each module box opened)."""
    opts = dict(small=small, backward=backward, rankdir=rankdir, clusters=clusters, max_nodes=max_nodes)
    if level != "scalar":
        opts.update(expand=expand or (), images=images)
    diagram = build(G, level, **opts)
    roles = None
    if legend:
        present = {d.get("role") or "intermediate" for _, d in G.nodes(data=True) if d.get("kind") == "tensor"}
        order = ("input", "leaf", "parameter", "constant", "intermediate", "output")
        roles = [r for r in order if r in present] or ["intermediate"]
    return diagram, to_digraph(diagram, legend_roles=roles)


def draw(x, level=None, rankdir="TB", backward=True, legend=False, small=16, clusters=True,
         max_nodes=MAX_NODES, update="compact", roll=True, expand=None, images=True, compare_grads=None):
    """The diagram of ``x`` (a Tensor, a Graph or a Tape) as a ``graphviz.Digraph``.

    ``level``: None (the default) picks one by size: the tensor level up to
    150 boxes, else one box per module call, and says which in a caption;
    ``"module"`` (one box per module call), ``"tensor"`` (every tensor and op)
    or ``"scalar"`` (every element, micrograd style). ``backward=False``
    leaves gradients out. ``legend`` adds a key to colours and lines;
    ``small`` is the largest tensor whose values are written out;
    ``clusters`` groups ops by ``nn.Module`` call; graphs over ``max_nodes``
    nodes are refused. ``update="compact"`` draws each parameter's
    ``optimizer.step()`` update as one node with the optimizer's rule
    (``"ops"``: op by op). ``roll`` draws consecutive calls of one structure
    once, ``×k`` (``roll=False``: each call). ``expand=["blocks.0.sa"]``
    draws those module calls op by op inside the module-level overview.
    ``images`` draws a 2-D or 4-D tensor (over ``small`` elements) as a
    heatmap in its node, and its gradient as one centred at zero.
    ``compare_grads={"logprobs": dlogprobs, ...}`` (tensor name: a gradient
    written by hand, Tensor or array) draws each named tensor's hand-written
    gradient beside autograd's, on one colour scale, and says whether they
    agree as makemore's ``cmp`` does: *exact*, *approximate* (``allclose``)
    or *differs*, with the largest difference (``maxdiff``). A name the graph
    lacks, or a gradient of another shape, raises ``ValueError``.
    In Jupyter the result shows inline; ``.source`` is the DOT text.

    >>> import graphviz_grad as vg
    >>> x = vg.tensor(1.0, requires_grad=True)
    >>> y = (x * 3).sum()
    >>> dot = vg.viz.draw(y)
    >>> dot.source.startswith("digraph graphviz_grad {")
    True
    """
    return prepare(x, level, rankdir, backward, legend, small, clusters, max_nodes, update, roll, expand,
                   images, compare_grads)[2]
