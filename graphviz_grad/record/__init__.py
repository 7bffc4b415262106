"""Recording: the computation as a networkx graph, and a tape of forward, backward and update.

- ``vg.graph(t)``: the graph that produced tensor ``t`` (any time after the
  forward pass; after ``backward()`` the gradients are on the edges).
- ``with vg.record() as tape:``: every op run inside, in order, tagged
  ``forward``/``backward``/``update``; ``tape.events`` and ``tape.graph()``.
- ``graph.to_json()``, ``graph.to_graphml(path)``, ``graph.to_dot()``;
  ``vg.record.load(path)`` reads a JSON (or GraphML) export back.

The node and edge schema is docs/reference/graph-schema.md.

>>> import graphviz_grad as vg
>>> x = vg.tensor([1.0, 2.0], requires_grad=True)
>>> loss = (x * x).sum()
>>> G = vg.graph(loss)
>>> sorted(d["op"] for _, d in G.nodes(data=True) if d["kind"] == "op")
['mul', 'sum']
>>> with vg.record() as tape:
...     loss.backward()
>>> [e["phase"] for e in tape.events]
['backward', 'backward']
>>> vg.Graph.from_json(G.to_json()).nodes == G.nodes
True
"""
import sys
import types

from .export import load
from .graph import Graph
from .tape import Tape

__all__ = ["Graph", "Tape", "graph", "load", "record"]


def graph(tensor, small=16, compare_grads=None):
    """The :class:`Graph` of the computation that produced ``tensor`` (see the schema document).

    Tensors with at most ``small`` elements keep their values; larger ones keep
    min/max/mean/norm. Tensors are labelled by ``name=``, parameter names, or the
    caller's variable names. ``compare_grads`` maps tensor names to hand-written
    gradients (Tensors or arrays): each named tensor's node gets a ``grad_check``
    (exact, approximate, maxdiff, as makemore's ``cmp`` prints them; see
    :mod:`.compare`), which the drawings show beside autograd's gradient.

    >>> import graphviz_grad as vg
    >>> x = vg.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum(); y.backward()
    >>> G = vg.graph(y, compare_grads={"x": 2 * x.detach()})
    >>> check = G.nodes[G.find("x")]["grad_check"]
    >>> check["exact"], check["maxdiff"]
    (True, 0.0)
    """
    from ..tensor import Tensor
    from .graph import build
    from .naming import name_variables, user_frames
    from .walk import records_of

    if not isinstance(tensor, Tensor):
        raise TypeError(f"vg.graph() expects a Tensor (e.g. the loss), got {type(tensor).__name__}")
    gradients = [] if compare_grads else None
    ops, steps, root, lookup = records_of(tensor, small, gradients)
    name_variables(user_frames(1), lookup)
    checks = None
    if compare_grads:
        from .compare import check_records

        checks = check_records(gradients, compare_grads, small)
    return build(ops, steps, tensors=(root,), root=root, checks=checks)


def record(small=16, max_events=None, stats="lazy"):
    """``with vg.record() as tape:`` records every op inside (see :class:`Tape`)."""
    return Tape(small=small, max_events=max_events, stats=stats)


class _RecordModule(types.ModuleType):
    """``vg.record`` is this module (a lazy submodule) and also callable: ``vg.record()`` is a new tape."""

    def __call__(self, small=16, max_events=None, stats="lazy"):
        return record(small=small, max_events=max_events, stats=stats)


sys.modules[__name__].__class__ = _RecordModule
