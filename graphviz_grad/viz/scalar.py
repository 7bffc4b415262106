"""``level="scalar"``: every element its own node, every scalar multiply and add drawn (micrograd style).

Each element of each tensor is a value node (``w[0,1]``, its value, its
gradient). Elementwise ops become one small op node per output element
(``+``, ``×``, ``relu``, ...), broadcasting included; ``sum``/``mean`` one
node per output element over the elements it reduces; ``mm``/``matmul``/
``linear`` one ``×`` per product and one ``+`` per output element; views
(``reshape``, ``transpose``, ``expand``, ...) draw nothing and pass elements
through. Any other op is drawn once, from all its input elements to all its
output elements. Tensors above ``small`` elements are refused.
"""
import numpy as np

from . import style
from .diagram import Diagram, Node, OpView, backward_done, natural_key, ops_in_order, op_inputs, op_outputs, \
    root_tensors, safe_names
from .levels import MAX_NODES

ELEMENTWISE_SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^", "maximum": "max",
                       "minimum": "min"}
UNARY = {"neg", "exp", "log", "sqrt", "abs", "relu", "tanh", "sigmoid", "clamp", "pow", "square", "clone",
         "to", "clamp_min", "clamp_max"}
VIEWS = {"reshape", "view", "flatten", "squeeze", "unsqueeze", "expand", "transpose", "t", "permute",
         "contiguous", "detach"}
REDUCTIONS = {"sum": "+", "mean": "mean"}
SYMBOL_FONT_SIZE = "18"
MATMULS = {"mm", "matmul", "linear", "dot"}


def _shape(data):
    return tuple(int(s) for s in data.get("shape") or ())


def _flat(summary, numel):
    if not summary or summary.get("values") is None:
        return None
    values = np.asarray(summary["values"], dtype=float).ravel()
    return values if values.size == numel else None


class TooManyElements(ValueError):
    """``level="scalar"`` refused: ``name`` has ``numel`` elements, above ``small``.

    The message names the Python argument that raises the limit; the CLI, which
    has no such option, words its own from the attributes.
    """

    def __init__(self, name, numel, small):
        self.name, self.numel, self.small = name, numel, small
        super().__init__(
            f"level=\"scalar\" draws every element, so it takes tensors of at most {small} elements; "
            f"{name} has {numel}: use level=\"tensor\", or pass small={numel} to draw it element by element"
        )


class _Builder:
    def __init__(self, G, small, backward, rankdir):
        self.G, self.small = G, small
        self.diagram = Diagram(graph_attrs=style.graph_attrs(rankdir), backward=backward and backward_done(G))
        self.diagram.graph_attrs.update(nodesep="0.25", ranksep="0.35")
        self.names = safe_names(G)
        self.elements = {}  # tensor id -> list of value-node names, one per flat element
        self.count = 0

    # --- nodes ---------------------------------------------------------------------------
    def _new_name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def value_node(self, title, value, grad, role):
        name = self._new_name("s")
        rows = [("title", title), ("data", style.format_number(value))]
        if grad is not None and self.diagram.backward:
            rows.append(("grad", "grad " + style.format_number(grad)))
        self.diagram.nodes.append(Node(name, style.tensor_attrs({"role": role}), rows, None, "tensor"))
        return name

    def op_node(self, text):
        name = self._new_name("o")
        attrs = style.op_attrs({})
        # a symbol (×, +) big enough to read at a glance; names (tanh, relu) as at the tensor level
        attrs.update(margin="0.02,0.01", fontsize=SYMBOL_FONT_SIZE if len(text) <= 2 else style.FONT_SIZE)
        self.diagram.nodes.append(Node(name, attrs, [("op", text)], None, "op"))
        return name

    def tensor_elements(self, tensor):
        """Value nodes for every element of ``tensor`` (made on first use)."""
        if tensor in self.elements:
            return self.elements[tensor]
        data = self.G.nodes[tensor]
        shape = _shape(data)
        numel = int(np.prod(shape)) if shape else 1
        values = _flat(data.get("data"), numel)
        grads = _flat(data.get("grad"), numel)
        role = data.get("role") or "intermediate"
        nodes = []
        for i in range(numel):
            grad = None if grads is None else grads[i]
            nodes.append(self.value_node(_title(self.G, tensor, i), values[i], grad, role))
        self.elements[tensor] = nodes
        return nodes

    def edge(self, view, tail, head):
        view.forward_edges.append(self.diagram.add_edge(tail, head, {}))


def _check(G, small, max_nodes):
    for node_id, data in G.nodes(data=True):
        if data.get("kind") != "tensor":
            continue
        shape = _shape(data)
        numel = int(np.prod(shape)) if shape else 1
        name = data.get("name") or node_id
        if numel > small or _flat(data.get("data"), numel) is None:
            raise TooManyElements(name, numel, small)
    estimate = sum(max(1, int(np.prod(_shape(d)) or 1)) for _, d in G.nodes(data=True) if d.get("kind") == "tensor")
    if max_nodes is not None and estimate > max_nodes:
        raise ValueError(f"graph too large to draw at level=\"scalar\": about {estimate} element nodes "
                         f"(limit {max_nodes}); use level=\"tensor\" or pass max_nodes={estimate}")


def scalar_level(G, *, small=16, backward=True, rankdir="LR", max_nodes=MAX_NODES, **_):
    """The micrograd-style diagram of ``G`` (see the module docstring)."""
    _check(G, small, max_nodes)
    b = _Builder(G, small, backward, rankdir)
    for op in ops_in_order(G):
        ins = [t for t, _, _ in op_inputs(G, op)]
        outs = [t for t, _, _ in op_outputs(G, op)]
        view = OpView()
        kind = G.nodes[op].get("op")
        if kind in VIEWS and len(ins) == 1 and len(outs) == 1 and _view(b, op, ins[0], outs[0]):
            b.diagram.op_views[op] = view  # nothing drawn: the elements pass through
            continue
        for t in ins:
            b.tensor_elements(t)
        if len(outs) == 1 and _draw_op(b, op, kind, ins, outs[0], view):
            pass
        else:
            _draw_whole(b, op, ins, outs, view)
        b.diagram.op_views[op] = view
    for tensor, data in G.nodes(data=True):
        if data.get("kind") == "tensor":
            b.diagram.tensor_nodes[tensor] = b.tensor_elements(tensor)
    b.diagram.root_nodes = [n for t in root_tensors(G) for n in b.tensor_elements(t)]
    # The elements of an input side by side in reading order (w[0,0], w[0,1], ...), not as crossings fall.
    b.diagram.rows = [b.elements[t] for t in sorted(b.elements, key=natural_key)
                      if G.in_degree(t) == 0 and len(b.elements[t]) > 1]
    if max_nodes is not None and len(b.diagram.nodes) > max_nodes:
        raise ValueError(f"graph too large to draw at level=\"scalar\": {len(b.diagram.nodes)} nodes "
                         f"(limit {max_nodes}); use level=\"tensor\" or pass max_nodes={len(b.diagram.nodes)}")
    return b.diagram


def _sources(in_shape, out_shape):
    """For each flat output element, the flat input element broadcast onto it."""
    index = np.arange(int(np.prod(in_shape)) if in_shape else 1).reshape(in_shape)
    return np.broadcast_to(index, out_shape).ravel()


def _view(b, op, tensor, out):
    """Pass elements through a view; False when the mapping cannot be worked out."""
    G = b.G
    in_shape, out_shape = _shape(G.nodes[tensor]), _shape(G.nodes[out])
    kind, attrs = G.nodes[op].get("op"), G.nodes[op].get("attrs") or {}
    index = np.arange(int(np.prod(in_shape)) if in_shape else 1).reshape(in_shape)
    if kind == "expand":
        mapped = _sources(in_shape, out_shape)
    elif kind in ("transpose", "t", "permute"):
        if "dims" in attrs:
            mapped = index.transpose([int(d) for d in attrs["dims"]]).ravel()
        elif "dim0" in attrs and len(in_shape) > 1:
            mapped = index.swapaxes(int(attrs["dim0"]), int(attrs["dim1"])).ravel()
        elif len(in_shape) <= 2:
            mapped = index.T.ravel()
        else:
            return False
    else:
        mapped = index.ravel()
    if mapped.size != (int(np.prod(out_shape)) if out_shape else 1):
        return False
    source = b.tensor_elements(tensor)
    b.elements[out] = [source[i] for i in mapped]
    return True


def _draw_op(b, op, kind, ins, out, view):
    """Elementwise ops, reductions and matrix products element by element; False for anything else."""
    G = b.G
    in_shapes = [_shape(G.nodes[t]) for t in ins]
    out_shape = _shape(G.nodes[out])
    text = style.op_text(G.nodes[op])
    if (kind in ELEMENTWISE_SYMBOLS and len(ins) == 2) or (kind in UNARY and len(ins) == 1):
        symbol = ELEMENTWISE_SYMBOLS.get(kind, text) if len(ins) == 2 else text
        sources = [_sources(s, out_shape) for s in in_shapes]
        operands = [[b.elements[t][i] for i in src] for t, src in zip(ins, sources)]
        _elementwise(b, view, out, symbol, list(zip(*operands)))
        return True
    if kind in REDUCTIONS and len(ins) == 1:
        groups = _reduction_groups(G.nodes[op].get("attrs") or {}, in_shapes[0], out_shape)
        if groups is None:
            return False
        elements = b.elements[ins[0]]
        _elementwise(b, view, out, REDUCTIONS[kind], [[elements[i] for i in g] for g in groups])
        return True
    if kind in MATMULS:
        return _matmul(b, op, kind, ins, in_shapes, out, out_shape, view)
    return False


def _elementwise(b, view, out, symbol, operand_lists):
    """One op node per output element, fed by that element's operands."""
    nodes = [b.op_node(symbol) for _ in operand_lists]  # ops before their results, in reading order
    results = b.tensor_elements(out)
    for node, result, operands in zip(nodes, results, operand_lists):
        view.nodes.append(node)
        for operand in operands:
            view.inputs.append(operand)
            b.edge(view, operand, node)
        view.outputs.append(result)
        b.edge(view, node, result)


def _reduction_groups(attrs, in_shape, out_shape):
    numel_in = int(np.prod(in_shape)) if in_shape else 1
    numel_out = int(np.prod(out_shape)) if out_shape else 1
    if numel_out == 1:
        return [list(range(numel_in))]
    dims = attrs.get("dim", attrs.get("axes", attrs.get("axis")))
    if dims is None:
        return None
    dims = [dims] if isinstance(dims, int) else list(dims)
    dims = sorted(d % len(in_shape) for d in dims)
    index = np.arange(numel_in).reshape(in_shape)
    keep = [d for d in range(len(in_shape)) if d not in dims]
    moved = np.transpose(index, keep + dims).reshape(-1, int(np.prod([in_shape[d] for d in dims])))
    return [list(row) for row in moved] if moved.shape[0] == numel_out else None


def _matmul(b, op, kind, ins, in_shapes, out, out_shape, view):
    """``a @ b`` (``linear``: ``x @ Wᵀ + bias``): a ``×`` per product, a ``+`` per output element."""
    a_shape, w_shape = in_shapes[0], in_shapes[1]
    if len(a_shape) not in (1, 2) or len(w_shape) not in (1, 2):
        return False
    A = np.arange(int(np.prod(a_shape))).reshape(a_shape if len(a_shape) == 2 else (1,) + a_shape)
    W = np.arange(int(np.prod(w_shape))).reshape(w_shape if len(w_shape) == 2 else w_shape + (1,))
    if kind == "linear":
        W = W.T
    if A.shape[1] != W.shape[0] or A.shape[0] * W.shape[1] != (int(np.prod(out_shape)) if out_shape else 1):
        return False
    a_el, w_el = b.elements[ins[0]], b.elements[ins[1]]
    a_val = _flat(b.G.nodes[ins[0]].get("data"), A.size)
    w_val = _flat(b.G.nodes[ins[1]].get("data"), W.size)
    bias = b.elements[ins[2]] if len(ins) > 2 else None
    n_out = A.shape[0] * W.shape[1]
    out_grad = _flat(b.G.nodes[out].get("grad"), n_out)
    sums = []
    for o, (i, j) in enumerate(np.ndindex(A.shape[0], W.shape[1])):
        plus = b.op_node("+")
        view.nodes.append(plus)
        for k in range(A.shape[1]):
            ai, wi = A[i, k], W[k, j]
            times = b.op_node("×")
            view.nodes.append(times)
            for operand in (a_el[ai], w_el[wi]):
                view.inputs.append(operand)
                b.edge(view, operand, times)
            product = b.value_node(f"{_title(b.G, ins[0], ai)}·{_title(b.G, ins[1], wi)}", a_val[ai] * w_val[wi],
                                   None if out_grad is None else out_grad[o], "intermediate")
            view.outputs.append(product)
            b.edge(view, times, product)
            b.edge(view, product, plus)
        if bias is not None:
            source = bias[j % len(bias)]
            view.inputs.append(source)
            b.edge(view, source, plus)
        sums.append(plus)
    for plus, result in zip(sums, b.tensor_elements(out)):  # results after the ops that make them
        view.outputs.append(result)
        b.edge(view, plus, result)
    return True


def _title(G, tensor, flat_index):
    """The title of one element, e.g. ``w[0,1]``; a one-element tensor keeps its name."""
    data = G.nodes[tensor]
    shape = _shape(data)
    name = data.get("name") or str(tensor)
    if not shape or int(np.prod(shape)) == 1:
        return name
    return f"{name}[{','.join(str(int(j)) for j in np.unravel_index(int(flat_index), shape))}]"


def _draw_whole(b, op, ins, outs, view):
    """Any other op: one node from all its input elements to all its output elements."""
    node = b.op_node(style.op_text(b.G.nodes[op]))
    view.nodes.append(node)
    for t in ins:
        for element in b.tensor_elements(t):
            view.inputs.append(element)
            b.edge(view, element, node)
    for t in outs:
        for element in b.tensor_elements(t):
            view.outputs.append(element)
            b.edge(view, node, element)
