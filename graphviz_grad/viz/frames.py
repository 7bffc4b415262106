"""Step-by-step frames over ONE layout: which element looks how at each step, and what it computes.

A :class:`Frame` is a restyling, never a new layout: it names the state of the
elements that differ from normal (``future``: not computed yet, faded;
``active``: the op of this step; ``near``: its operands and results;
``hidden``: a gradient edge not flowed yet) and which nodes already show their
gradient. :func:`frame_css` turns that into CSS over the SVG's element ids;
:mod:`.animate` turns it into DOT attributes over fixed positions.

Frames: one per forward op (in forward order), then one per backward step (in
backward order), then one per optimizer update op (tapes only). At the module
level, consecutive ops drawn by the same box share a frame.
"""
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as _xml_escape

from . import style
from .diagram import ops_in_order, op_inputs, op_outputs, root_tensors
from .dot import dom_id
from .images import GRAD_IMAGE_CLASS

_HEADER = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([-\d. ]+)"')


@dataclass
class Frame:
    phase: str
    title: str
    lines: list
    nodes: dict = field(default_factory=dict)  # node name -> state (absent: normal)
    edges: dict = field(default_factory=dict)  # edge name -> state
    grads: set = field(default_factory=set)    # node names whose gradient text shows
    ops: list = field(default_factory=list)    # the recorded ops this frame steps through

    @property
    def text(self):
        return "\n".join([self.title, *self.lines])


def _name(G, tensor):
    return G.nodes[tensor].get("name") or str(tensor)


def _value(G, tensor):
    """A result as a caption writes it: its values when at most 4, else its shape (``[64×100]``)."""
    data = G.nodes[tensor].get("data")
    numel = (data or {}).get("numel")
    if data and data.get("values") is not None and (numel is None or numel <= 4):
        return style.short_summary(data, 4)
    shape = G.nodes[tensor].get("shape")
    return f"[{style.format_shape(shape)}]" if shape else style.short_summary(data, 4)


def _groups(ops, views):
    """Consecutive ops drawn by the same node(s) share one frame."""
    groups = []
    for op in ops:
        if groups and views[groups[-1][-1]].nodes == views[op].nodes:
            groups[-1].append(op)
        else:
            groups.append([op])
    return groups


def _forward_lines(G, op):
    outs = [_name(G, t) for t, _, _ in op_outputs(G, op)]
    args = ", ".join(_name(G, t) for t, _, _ in op_inputs(G, op))
    value = _value(G, op_outputs(G, op)[0][0]) if outs else ""
    line = f"{', '.join(outs) or '?'} = {style.op_text(G.nodes[op])}({args})"
    return [line + (f" = {value}" if value else "")]


def _backward_lines(G, op):
    """The chain-rule product per input, as recorded (``w.grad += y.grad · x = 1.0 · 1.0``)."""
    data = G.nodes[op]
    derivatives = list(data.get("derivative") or [])
    outs = op_outputs(G, op)
    out_name = _name(G, outs[0][0]) if outs else "out"
    lines = []
    for i, (tensor, _, edge) in enumerate(op_inputs(G, op)):
        if edge.get("rule"):
            lines.append(edge["rule"])
        elif edge.get("grad") is not None:
            rule = derivatives[i] if i < len(derivatives) else "grad"
            rule = rule.replace("grad", f"{out_name}.grad")
            lines.append(f"{_name(G, tensor)}.grad += {rule} = {style.short_summary(edge['grad'], 4)}")
    repeat = data.get("repeat", 1)
    if repeat > 1 and lines:  # a rolled op: its first call's numbers stand for all k
        lines.append(f"(call 1 of {repeat}: the numbers are the first call's; the {repeat} calls' gradients add up)")
    return lines or [f"{style.op_text(data)}: no input needs a gradient"]


def compute_frames(G, diagram):
    """The frames of ``G`` drawn as ``diagram`` (see the module docstring)."""
    views = diagram.op_views
    ordered = [op for op in ops_in_order(G) if op in views and views[op].nodes]  # views draw nothing
    phase = {op: G.nodes[op].get("phase") or "forward" for op in ordered}
    forward = [op for op in ordered if phase[op] == "forward"]
    backward = sorted((op for op in ordered if G.nodes[op].get("backward_step") is not None and diagram.backward),
                      key=lambda op: G.nodes[op]["backward_step"])
    update = [op for op in ordered if phase[op] == "update"]
    late = [op for op in ordered if phase[op] != "forward"]  # drawn faded until the backward pass
    all_grad = [e.name for e in diagram.edges if e.kind == "grad"]
    frames = []

    f_groups = _groups(forward, views)
    for i, group in enumerate(f_groups):
        frame = Frame("forward", f"forward {i + 1}/{len(f_groups)} · {_op_names(G, group)}",
                      [line for op in group for line in _forward_lines(G, op)], ops=list(group))
        later = [op for g in f_groups[i + 1:] for op in g] + late
        _mark(frame, views, later, "future")
        _mark_active(frame, views, group)
        frame.edges.update({e: "hidden" for e in all_grad})
        frames.append(frame)

    b_groups = _groups(backward, views)
    seed = _seed_line(G)
    shown = set(diagram.root_nodes)
    complete = {}  # tensor -> the backward frame after which its gradient is whole (the last that adds to it)
    for i, group in enumerate(b_groups):
        complete.update((n, i) for op in group for n in views[op].inputs)
    for i, group in enumerate(b_groups):
        lines = [line for op in group for line in _backward_lines(G, op)]
        if i == 0 and seed:
            lines.insert(0, seed)
        frame = Frame("backward", f"backward {i + 1}/{len(b_groups)} · {_op_names(G, group)}", lines,
                      ops=list(group))
        _mark(frame, views, [op for op in update if op not in group], "future")
        frame.lines += _check_lines(G, [n for n, last in complete.items() if last == i])
        for op in group:  # what this step read (its results' gradients) and wrote (its inputs', a box's)
            view = views[op]
            shown.update(view.inputs + view.outputs + view.nodes)
        frame.grads = set(shown)
        _mark_active(frame, views, group)
        flowed = {e for g in b_groups[: i + 1] for op in g for e in views[op].grad_edges}
        frame.edges.update({e: "hidden" for e in all_grad if e not in flowed})
        frame.edges.update({e: "active" for op in group for e in views[op].grad_edges})
        frames.append(frame)

    u_groups = _groups(update, views)
    for i, group in enumerate(u_groups):
        frame = Frame("update", f"update {i + 1}/{len(u_groups)} · {_op_names(G, group)}",
                      [line for op in group for line in _forward_lines(G, op)], ops=list(group))
        frame.grads = set(shown)
        _mark(frame, views, [op for g in u_groups[i + 1:] for op in g], "future")
        _mark_active(frame, views, group)
        frames.append(frame)
    return frames


def _check_lines(G, nodes):
    """For each tensor of ``nodes`` whose gradient was also written by hand (``compare_grads``): the verdict."""
    lines = []
    for node in nodes:
        check = G.nodes[node].get("grad_check") if node in G else None
        if check:
            lines.append(f"{_name(G, node)}.grad by hand: {style.check_verdict(check)[1]}")
    return lines


def _op_names(G, ops):
    names = []
    for op in ops:
        text = style.op_text(G.nodes[op])
        if text not in names:
            names.append(text)
    return ", ".join(names)


def _seed_line(G):
    roots = root_tensors(G)
    if not roots:
        return ""
    grad = G.nodes[roots[0]].get("grad")
    value = style.short_summary(grad, 4) if grad else "1.0"
    return f"start: {_name(G, roots[0])}.grad = {value}"


def _mark(frame, views, ops, state):
    for op in ops:
        view = views[op]
        for name in view.nodes + view.outputs:
            frame.nodes[name] = state
        for edge in view.forward_edges:
            frame.edges[edge] = state


def _mark_active(frame, views, group):
    for op in group:
        view = views[op]
        for name in view.inputs + view.outputs:
            frame.nodes[name] = "near"
        if frame.phase != "backward":
            frame.edges.update({edge: "active" for edge in view.forward_edges})
    for op in group:
        for name in views[op].nodes:
            frame.nodes[name] = "active"


# --- CSS over the SVG ----------------------------------------------------------------------

_SHAPES = ("polygon", "ellipse", "path")
# state -> (elements inside the node/edge group to style, or () for the group itself; declarations)
_NODE_CSS = {
    "future": ((), "opacity:0.18"),
    "active": (_SHAPES, f"stroke:{style.HIGHLIGHT_COLOR};stroke-width:4px"),
    "near": (_SHAPES, f"stroke:{style.NEAR_COLOR};stroke-width:3px"),
}
_EDGE_CSS = {
    "future": ((), "opacity:0.18"),
    "hidden": ((), "visibility:hidden"),
    "active": (("path", "polygon"), "stroke-width:3px"),
}
_FORWARD_ACTIVE = (("path", "polygon"), f"stroke:{style.HIGHLIGHT_COLOR}")
_GRAD_TEXT = ((f'text[fill="{style.GRAD_COLOR}"]', f"image.{GRAD_IMAGE_CLASS}"), "visibility:hidden")
_CHECK_TEXT = (tuple(f'text[fill="{c}"]' for c in style.CHECK_COLORS.values()), "visibility:hidden")


def frame_css(frame, diagram):
    """CSS that restyles the base SVG into ``frame`` (rules grouped by state, ids in diagram order)."""
    rules = []
    for state, body in _NODE_CSS.items():
        ids = [dom_id(n.name) for n in diagram.nodes if frame.nodes.get(n.name) == state]
        if ids:
            rules.append(_rule(ids, body))
    for state, body in _EDGE_CSS.items():
        ids = [e.name for e in diagram.edges if frame.edges.get(e.name) == state]
        if ids:
            rules.append(_rule(ids, body))
    active_forward = [e.name for e in diagram.edges if e.kind == "forward" and frame.edges.get(e.name) == "active"]
    if active_forward:
        rules.append(_rule(active_forward, _FORWARD_ACTIVE))
    hide_grad = [dom_id(n.name) for n in diagram.nodes if n.kind in ("tensor", "module") and n.name not in frame.grads]
    if hide_grad:
        rules.append(_rule(hide_grad, _GRAD_TEXT))
        if any(kind.startswith("check_") for n in diagram.nodes for kind, _ in n.rows):  # compare_grads verdicts
            rules.append(_rule(hide_grad, _CHECK_TEXT))
    return "\n".join(rules)


def _rule(ids, spec):
    """One CSS rule: ``#id`` (or ``#id part`` for each part) for every id, then the declarations."""
    parts, declarations = spec
    if not parts:
        return ",".join(f"#{i}" for i in ids) + "{" + declarations + "}"
    return ",".join(f"#{i} {part}" for i in ids for part in parts) + "{" + declarations + "}"


# --- one SVG per frame ---------------------------------------------------------------------

CAPTION_FONT = 16
CAPTION_LINE = 22


def strip_prolog(svg):
    """The ``<svg>`` element alone (no XML declaration, doctype or comments before it)."""
    return svg[svg.index("<svg"):]


def caption_lines(frames):
    """How many caption lines the tallest frame needs: every frame keeps a band this high."""
    return max((1 + len(f.lines) for f in frames), default=1)


def frame_svg(base_svg, frame, diagram, band_lines=None):
    """``base_svg`` restyled as ``frame``, with the step's title and chain rule written above it.

    The caption band is ``band_lines`` lines high (the frame's own count when
    None); give every frame of a lesson the same count and the diagram sits at
    the same place in each of them.
    """
    svg = strip_prolog(base_svg)
    match = _HEADER.match(svg)
    width, height = float(match.group(1)), float(match.group(2))
    lines = [frame.title, *frame.lines]
    band = CAPTION_LINE * max(len(lines), band_lines or 0) + 14
    text_width = max(len(line) for line in lines) * CAPTION_FONT * 0.6 + 24
    new_w, new_h = max(width, text_width), height + band
    header = (f'<svg width="{new_w:.0f}pt" height="{new_h:.0f}pt" '
              f'viewBox="0.00 0.00 {new_w:.2f} {new_h:.2f}"')
    css = frame_css(frame, diagram)
    texts = []
    for i, line in enumerate(lines):
        weight = ' font-weight="bold"' if i == 0 else ""
        color = style.GRAD_COLOR if frame.phase == "backward" and i > 0 else "#222222"
        texts.append(f'<text x="12" y="{CAPTION_LINE * (i + 1):.0f}" fill="{color}"'
                     f' font-family="{style.FONT}" font-size="{CAPTION_FONT}"{weight}>{xml_text(line)}</text>')
    rest = svg[match.end():]
    open_end = rest.index(">") + 1
    body = rest[open_end:rest.rindex("</svg>")]
    return (f'{header}{rest[:open_end]}\n<style>{css}</style>\n'
            f'<rect x="0" y="0" width="{new_w:.2f}" height="{new_h:.2f}" fill="white"/>'
            f'<g id="caption">{"".join(texts)}</g>\n'
            f'<line x1="0" y1="{band - 6:.0f}" x2="{new_w:.2f}" y2="{band - 6:.0f}" stroke="#d0d7de"/>\n'
            f'<g id="diagram" transform="translate(0,{band})">{body}</g>\n</svg>\n')


def xml_text(text):
    """Text safe inside an SVG/HTML element (control characters replaced)."""
    return _xml_escape(style.escape_control(text))
