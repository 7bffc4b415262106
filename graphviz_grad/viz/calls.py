"""Which ops ran inside which ``nn.Module`` call, for clusters and for ``level="module"``.

An op's ``module`` attribute is the qualified name of the innermost module call
that ran it (``"model.0"``); its dotted prefixes (``"model"``) are the calls
around it. A *call* is a run of consecutive ops (in forward order) under one
name, so a module called twice gives two calls. A recorded ``module_call``
attribute, when present, separates back-to-back calls of the same module, and
``module_calls`` (the call number of each call around the op, by name) those
of a module that runs no op of its own (``self.mlp(self.mlp(x))`` with a
``Sequential`` ``mlp``, a block fed its own output).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for i, m in enumerate(["model.0", "model.0", "model", "model.1", None]):
...     G.add_node(f"op{i}", kind="op", forward_step=i, module=m)
>>> calls = module_calls(G)
>>> [(c.key, c.name, c.parent, c.ops) for c in calls.calls]
[('c0', 'model', None, ['op2']), ('c1', 'model.0', 'c0', ['op0', 'op1']), ('c2', 'model.1', 'c0', ['op3'])]
>>> calls.of_op["op0"], calls.of_op.get("op4")
('c1', None)
"""
from dataclasses import dataclass, field

from .diagram import ops_in_order


@dataclass
class Call:
    key: str
    name: str
    parent: str = None
    kind: str = None  # the module's class name, when recorded
    ops: list = field(default_factory=list)  # ops run directly in this call (not in a child call)
    first_step: int = 0
    nth: int = 0  # 1, 2, ... when the same module was called more than once, else 0
    repeat: int = 1  # k: this call stands for k calls of the same structure (the rolled view)


@dataclass
class Calls:
    calls: list
    of_op: dict  # op id -> key of its innermost call

    def by_key(self):
        return {c.key: c for c in self.calls}

    def children(self):
        kids = {}
        for c in self.calls:
            kids.setdefault(c.parent, []).append(c.key)
        return kids

    def ancestors(self, key):
        """``key`` and the keys of the calls around it, innermost first."""
        by_key, out = self.by_key(), []
        while key is not None:
            out.append(key)
            key = by_key[key].parent
        return out


def _prefixes(name):
    parts = str(name).split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def module_calls(G):
    """Group ops into module calls (see the module docstring); iterative, in forward order."""
    open_calls = {}  # name -> (Call, call marker)
    found, of_op = [], {}
    for step, op in enumerate(ops_in_order(G)):
        data = G.nodes[op]
        module = data.get("module")
        names = _prefixes(module) if module else []
        marker = data.get("module_call")
        around = data.get("module_calls") or {}
        markers = [marker if name == module else around.get(name) for name in names]
        for name in [n for n in open_calls if n not in names]:
            del open_calls[name]
        for name, mark in zip(names, markers):  # outermost first
            if mark is None or name not in open_calls or open_calls[name][1] == mark:
                continue
            if open_calls[name][1] is None:  # opened around a child call: this is that same call
                open_calls[name] = (open_calls[name][0], mark)
            else:  # another call of the same module: it and the calls inside it start anew
                for other in [n for n in open_calls if n == name or n.startswith(name + ".")]:
                    del open_calls[other]
                break
        parent = None
        for name, mark in zip(names, markers):
            if name not in open_calls:
                call = Call(key="", name=name, parent=parent, first_step=step)
                found.append(call)
                open_calls[name] = (call, mark)
            parent = open_calls[name][0]
        if module:
            call = open_calls[module][0]
            call.ops.append(op)
            call.kind = call.kind or data.get("module_type")
            of_op[op] = call
    # Keys in first-seen order, parents before children.
    found.sort(key=lambda c: (c.first_step, c.name.count(".")))
    for i, call in enumerate(found):
        call.key = f"c{i}"
    for call in found:
        call.parent = call.parent.key if call.parent is not None else None
    count, repeat = {}, G.graph.get("repeat") or {}
    for call in found:
        count[call.name] = count.get(call.name, 0) + 1
        call.repeat = repeat.get(call.name, 1)
    seen = {}
    for call in found:
        if count[call.name] > 1:
            call.nth = seen[call.name] = seen.get(call.name, 0) + 1
    return Calls(found, {op: call.key for op, call in of_op.items()})


def cluster_label(call):
    """``model.0 · Linear`` when the module's class is known, else its name; ``· call 2`` for the
    second call of a module called more than once."""
    text = f"{call.name} · {call.kind}" if call.kind else call.name
    text = f"{text} · call {call.nth}" if call.nth else text
    return f"{text} ×{call.repeat}" if call.repeat > 1 else text
