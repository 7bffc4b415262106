r"""How things look: colours by role, shapes, and safely escaped HTML-like labels.

Everything a user can name (tensor names, module names, custom Function class
names) and every value goes through :func:`escape` before it reaches DOT, so
quotes, ``<``, ``>``, ``&``, braces, backslashes, newlines and unicode all
render as text. Labels are built from *rows* (``(kind, text)`` pairs) so the
same node can be drawn in full colour or dimmed (GIF frames) without changing
its size.

>>> print(escape('a<b & "c"\n{d} \\N'))
a&lt;b &amp; &quot;c&quot;<BR/>{d} \\N
>>> format_number(1.0), format_number(0.000123456), format_number(3)
('1.0', '0.0001235', '3')
>>> format_summary({"values": [[1.0, 2.0], [3.0, 4.0]], "numel": 4})
'[[1.0, 2.0],\n [3.0, 4.0]]'
"""
import math
import re

FONT = "Helvetica,Arial,sans-serif"
FONT_SIZE = "14"
SMALL_FONT_SIZE = "11"

GRAD_COLOR = "#c0392b"      # gradients: text, dashed edges
FORWARD_EDGE_COLOR = "#4d4d4d"
META_COLOR = "#666666"      # shape / dtype line
HIGHLIGHT_COLOR = "#ff8c00"  # the op of the current step
NEAR_COLOR = "#1f6fb2"      # its operands / the tensors it feeds
MODULE_COLOR = "#7f8c8d"
CLUSTER_TEXT_COLOR = "#495057"  # module names on clusters: dark enough to read at a glance
CLUSTER_FONT_SIZE = "13"

# role -> (fill, border). Leaves and parameters stand apart from intermediates.
ROLE_COLORS = {
    "input": ("#eeeeee", "#7a7a7a"),
    "leaf": ("#fff3bf", "#b08900"),
    "parameter": ("#d3f9d8", "#2b8a3e"),
    "intermediate": ("#e7f0fb", "#3b6fb6"),
    "output": ("#ffe3c2", "#c4620a"),
    "constant": ("#ffffff", "#9a9a9a"),
}
ROLE_TITLES = {
    "input": "input (no grad)",
    "leaf": "leaf (requires grad)",
    "parameter": "parameter",
    "intermediate": "intermediate",
    "output": "output",
    "constant": "constant",
}
OP_COLORS = ("#efe4f7", "#7d3c98")
CUSTOM_OP_COLORS = ("#fde2f3", "#a61e4d")
ANOMALY_COLORS = ("#ffc9c9", "#c92a2a")
MODULE_BOX_COLORS = ("#f1f3f5", "#495057")
UPDATE_COLORS = ("#fff0f6", "#a61e4d")  # an optimizer's update of one parameter
# a hand-written gradient against autograd's (compare_grads): the verdict's colour
CHECK_COLORS = {"exact": "#2b8a3e", "approximate": "#5c7a0d", "differs": "#c92a2a"}

DIM_ALPHA = "40"  # hex alpha appended to colours of not-yet-computed nodes in raster frames

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_control(text):
    """``text`` with control characters (invalid in XML) replaced by U+FFFD."""
    return _CONTROL.sub("\ufffd", str(text))


def escape(text):
    """``text`` made safe inside an HTML-like Graphviz label (newlines become line breaks)."""
    text = escape_control(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    # Graphviz expands \N, \G, ... even inside HTML labels; a doubled backslash draws one.
    text = text.replace("\\", "\\\\")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<BR/>")


def format_number(value):
    """A short, stable text for one number: 4 significant digits, floats keep a dot."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.4g}"
    if "." not in text and "e" not in text:
        text += ".0"
    return text


ROW_VALUES = 6  # a row of values longer than this wraps, so a 16-element vector stays a compact block


def _format_nested(values, depth=0):
    if not isinstance(values, list):
        return format_number(values)
    if values and isinstance(values[0], list):
        inner = [_format_nested(v, depth + 1) for v in values]
        return "[" + (",\n" + " " * (depth + 1)).join(inner) + "]"
    texts = [format_number(v) for v in values]
    per_row = -(-len(texts) // -(-len(texts) // ROW_VALUES)) if texts else 1  # rows as even as can be
    rows = [", ".join(texts[i:i + per_row]) for i in range(0, len(texts), per_row)] or [""]
    return "[" + (",\n" + " " * (depth + 1)).join(rows) + "]"


def format_summary(summary, small=16):
    """Values when few (``small`` elements or fewer), else min/mean/max; ``""`` when unknown."""
    if not summary:
        return ""
    numel = summary.get("numel")
    values = summary.get("values")
    if values is not None and (numel is None or numel <= small):
        return _format_nested(values)
    stats = [(k, summary[k]) for k in ("min", "mean", "max") if summary.get(k) is not None]
    if not stats and values is not None:
        stats = _stats_of(values)
    return "  ".join(f"{k} {format_number(v)}" for k, v in stats)


def _flatten(values):
    flat, stack = [], [values]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            flat.append(float(item))
    return flat


def _stats_of(values):
    flat = _flatten(values)
    if not flat:
        return []
    return [("min", min(flat)), ("mean", sum(flat) / len(flat)), ("max", max(flat))]


def short_summary(summary, small=4):
    """One line for an edge label: the value(s) when at most ``small``, else the norm (``norm 5.0``).

    >>> short_summary({"values": [3.0, 4.0], "numel": 2}), short_summary({"values": [3.0, 4.0], "numel": 2}, 1)
    ('[3.0, 4.0]', 'norm 5.0')
    """
    if not summary:
        return ""
    numel = summary.get("numel")
    values = summary.get("values")
    if values is not None and (numel is None or numel <= small):
        return re.sub(r"\n\s*", " ", format_summary(summary, small))
    norm = summary.get("norm")
    if norm is None and values is not None:
        norm = math.sqrt(sum(v * v for v in _flatten(values)))
    if norm is not None:
        return f"norm {format_number(norm)}"
    return format_summary(summary, 0).replace("  ", " ")


def format_shape(shape):
    """``2×3`` for a matrix, ``scalar`` for a 0-d tensor."""
    if isinstance(shape, str):
        shape = [int(s) for s in re.findall(r"\d+", shape)]
    shape = list(shape or [])
    return "×".join(str(int(s)) for s in shape) if shape else "scalar"


# --- labels ------------------------------------------------------------------------------

def html_label(rows, dim=False, show_grad=True):
    """An HTML-like label from ``(kind, text)`` rows; kinds: title, meta, data, grad, op, note.

    ``dim`` fades every colour (a node not computed yet); ``show_grad=False``
    keeps grad rows' space but makes them invisible, so the node never resizes.
    A single ``op`` row is a bare bold label.

    >>> html_label([("op", "mul")])
    '<<B>mul</B>>'
    >>> html_label([("title", "w"), ("grad", "grad 1.0")])
    '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>w</B></TD></TR><TR><TD><FONT COLOR="#c0392b">grad 1.0</FONT></TD></TR></TABLE>>'
    """
    alpha = DIM_ALPHA if dim else ""
    cells = []
    for kind, text in rows:
        if kind == "image":  # a heatmap file (see .images), found through the graph's imagepath
            cells.append(f'<IMG SRC="{escape(text)}"/>')
            continue
        if kind in _PAIRS:
            cells.append(_pair_cells(kind, text, alpha, show_grad))
            continue
        body = escape(text)
        if kind in ("title", "op"):
            body = f"<B>{body}</B>"
        if kind.startswith("check_"):
            body = f"<B>{body}</B>"
        color = ({"meta": META_COLOR, "grad": GRAD_COLOR, "note": META_COLOR}.get(kind)
                 or CHECK_COLORS.get(kind.removeprefix("check_")))
        if (kind == "grad" or kind.startswith("check_")) and not show_grad:
            color = "transparent"
        elif alpha:
            color = (color or "#000000") + alpha
        size = SMALL_FONT_SIZE if kind in ("meta", "note") else None
        if color or size:
            body = ("<FONT" + (f' COLOR="{color}"' if color else "") + (f' POINT-SIZE="{size}"' if size else "")
                    + f">{body}</FONT>")
        cells.append(body)
    if len(rows) == 1 and rows[0][0] == "op":
        return f"<{cells[0]}>"
    # Several lines of values (a matrix, a wrapped vector) line up on the left, as numpy prints them.
    opens = ['<TD BALIGN="LEFT">' if isinstance(text, str) and "\n" in text else "<TD>" for _, text in rows]
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(f"<TR>{o}{c}</TD></TR>" for o, c in zip(opens, cells)) + "</TABLE>>")


_PAIRS = ("pair_head", "pair", "image_pair")  # two cells side by side: autograd's gradient, the hand-written one


def _pair_cells(kind, texts, alpha, show_grad):
    """Two cells side by side in one row of a label (gradient text or heatmaps), as a table of their own."""
    cells = []
    for text in texts:
        if kind == "image_pair":
            cells.append(f'<TD><IMG SRC="{escape(text)}"/></TD>' if text else "<TD></TD>")
            continue
        color = GRAD_COLOR + alpha if show_grad else "transparent"
        size = f' POINT-SIZE="{SMALL_FONT_SIZE}"' if kind == "pair_head" else ""
        body = f'<FONT COLOR="{color}"{size}>{escape(text)}</FONT>'
        cells.append(f'<TD BALIGN="LEFT">{body}</TD>' if "\n" in text else f"<TD>{body}</TD>")
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR>' + "".join(cells)
            + "</TR></TABLE>")


def check_rows(node, small=16, images=False):
    """Rows of a tensor whose gradient was also written by hand (``grad_check``): autograd's gradient and
    the hand-written one side by side (heatmaps on one scale), then the verdict as makemore's ``cmp`` gives it.

    >>> node = {"grad": {"numel": 2, "values": [1.0, 2.0]},
    ...         "grad_check": {"exact": False, "approximate": False, "maxdiff": 1.0,
    ...                        "grad": {"numel": 2, "values": [1.0, 3.0]}}}
    >>> [text for _, text in check_rows(node)]
    [('autograd', 'by hand'), ('[1.0, 2.0]', '[1.0, 3.0]'), '✗ differs · maxdiff 1.0']
    """
    check = node["grad_check"]

    def lines(summary):  # min, mean and max one above the other: two columns stay narrow
        return format_summary(summary, small).replace("  ", "\n")

    rows = [("pair_head", ("autograd", "by hand")), ("pair", (lines(node.get("grad")), lines(check.get("grad"))))]
    ours, theirs = node.get("grad_image"), check.get("grad_image")
    if images and ours and theirs:
        from .images import image_file

        scale = max(abs(float(x)) for image in (ours, theirs) for x in (image["min"], image["max"])) or None
        rows.append(("image_pair", (image_file(ours, diverging=True, scale=scale),
                                    image_file(theirs, diverging=True, scale=scale))))
    kind, text = check_verdict(check)
    if check.get("hand_shape") is not None:  # compared element by element, as cmp's broadcasting does
        text += f"\n(by hand {format_shape(check['hand_shape'])})"
    return rows + [(f"check_{kind}", text)]


def check_verdict(check):
    """``(kind, text)`` of a ``grad_check``: ``exact``, ``approximate`` or ``differs``, with the maxdiff.

    >>> check_verdict({"exact": False, "approximate": True, "maxdiff": 6.5e-09})
    ('approximate', '≈ approximate · maxdiff 6.5e-09')
    """
    maxdiff = format_number(check["maxdiff"])
    if check["exact"]:
        return "exact", "✓ exact"
    if check["approximate"]:
        return "approximate", f"≈ approximate · maxdiff {maxdiff}"
    return "differs", f"✗ differs · maxdiff {maxdiff}"


def tensor_rows(node, small=16, show_grad=True, images=False):
    """Rows of a tensor node: name, shape (and unusual dtype/device), values, gradient; with ``images``, a
    2-D or 4-D tensor's heatmap (and its gradient's, centred at zero) under its summary."""
    role = node.get("role") or "intermediate"
    data = format_summary(node.get("data"), small)
    if role == "constant":
        return [("data", data or node.get("name", "?"))]
    meta = format_shape(node.get("shape"))
    if node.get("dtype") and node.get("dtype") not in ("float32", "torch.float32"):
        meta += f" · {node['dtype']}"
    if node.get("device") and not str(node["device"]).startswith("cpu"):
        meta += f" · {node['device']}"
    rows = [("title", node.get("name") or "?"), ("meta", meta)]
    if data:
        rows.append(("data", data))
    if images and node.get("image"):
        from .images import image_file

        rows.append(("image", image_file(node["image"])))
    grad = node.get("grad")
    if show_grad and node.get("grad_check"):
        return rows + check_rows(node, small, images)
    if show_grad and grad:
        rows.append(("grad", "grad " + format_summary(grad, small).replace("\n", "\n     ")))
        if images and node.get("grad_image"):
            from .images import image_file

            rows.append(("image", image_file(node["grad_image"], diverging=True)))
    return rows


def op_text(node):
    """What an op node says: its label (``pow 2``), else its name; a custom Function its class name."""
    return node.get("label") or node.get("op") or "op"


def tensor_attrs(node):
    """DOT attributes of a tensor node (label excluded)."""
    role = node.get("role") or "intermediate"
    fill, border = ROLE_COLORS.get(role, ROLE_COLORS["intermediate"])
    attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": fill, "color": border,
             "penwidth": "2" if role == "output" else "1.2", "margin": "0.12,0.06"}
    if role == "constant":
        attrs.update(style="rounded,dashed,filled", margin="0.06,0.03")
    return attrs


def op_attrs(node):
    """DOT attributes of an op node (label excluded): ellipses, custom Functions doubled."""
    fill, border = OP_COLORS
    attrs = {"shape": "ellipse", "style": "filled", "penwidth": "1.2", "margin": "0.06,0.03"}
    if node.get("custom"):
        fill, border = CUSTOM_OP_COLORS
        attrs["peripheries"] = "2"
    if node.get("anomaly"):
        fill, border = ANOMALY_COLORS
        attrs["penwidth"] = "3"
    if node.get("update") and node.get("op") == "update":  # an optimizer's rule: lines of text
        fill, border = UPDATE_COLORS
        attrs.update(shape="box", style="rounded,filled", margin="0.12,0.06")
    attrs.update(fillcolor=fill, color=border)
    return attrs


def update_rule_text(node):
    """An update's rule on one line with its hyper-parameters, as the update cluster of a module-level
    picture says it once for all its parameters."""
    update = node.get("update") or {}
    hyper = update.get("hyper") or {}
    text = f"{update.get('optimizer') or 'optimizer'}: " + "; ".join(update.get("rule") or ())
    numbers = ", ".join(f"{k} = {format_number(v) if isinstance(v, (int, float)) else v}"
                        for k, v in hyper.items() if v is not None)
    symbols = ", ".join(f"{k} = w.{v}" for k, v in (update.get("symbols") or {}).items())
    return "\n".join(t for t in (text, numbers, symbols) if t)


def update_rows(node, param_name=None, brief=False):
    """An optimizer's update of one parameter: its name, its rule, its hyper-parameters, its symbols.

    >>> rows = update_rows({"update": {"optimizer": "SGD", "rule": ["w ← w − lr·g"], "hyper": {"lr": 0.1},
    ...                                "symbols": {"g": "grad"}}}, "fc.weight")
    >>> [text for _, text in rows]
    ['SGD step', 'w ← w − lr·g', 'lr = 0.1', 'w = fc.weight, g = w.grad']
    """
    update = node.get("update") or {}
    rows = [("op", f"{update.get('optimizer') or 'optimizer'} step")]
    if brief:  # the rule is said once, on the update cluster
        return rows + [("data", param_name or "?")]
    rows += [("data", line) for line in update.get("rule") or ()]
    hyper = update.get("hyper") or {}
    if hyper:
        rows.append(("note", ", ".join(f"{k} = {format_number(v) if isinstance(v, (int, float)) else v}"
                                       for k, v in hyper.items() if v is not None)))
    symbols = update.get("symbols") or {}
    legend = ([f"w = {param_name}"] if param_name else []) + [f"{k} = w.{v}" for k, v in symbols.items()]
    if legend:
        rows.append(("note", ", ".join(legend)))
    return rows


def op_rows(node, param_name=None, brief=False):
    if node.get("update") and node.get("op") == "update":
        return update_rows(node, param_name, brief)
    rows = [("op", op_text(node))]
    if node.get("anomaly"):
        rows.append(("note", "first NaN/Inf here"))
    return rows


def module_box_attrs():
    fill, border = MODULE_BOX_COLORS
    return {"shape": "box", "style": "filled", "fillcolor": fill, "color": border, "penwidth": "1.5",
            "margin": "0.15,0.08"}


def graph_attrs(rankdir="TB"):
    return {"rankdir": rankdir, "fontname": FONT, "fontsize": FONT_SIZE, "nodesep": "0.35",
            "ranksep": "0.4", "bgcolor": "white", "pad": "0.2"}


def node_defaults():
    return {"fontname": FONT, "fontsize": FONT_SIZE}


def edge_defaults():
    return {"fontname": FONT, "fontsize": SMALL_FONT_SIZE, "color": FORWARD_EDGE_COLOR, "arrowsize": "0.8"}


def grad_edge_attrs(label_text):
    """A gradient edge: red, dashed, drawn against the forward direction, labelled with the gradient."""
    attrs = {"color": GRAD_COLOR, "fontcolor": GRAD_COLOR, "style": "dashed", "dir": "back",
             "arrowsize": "0.8", "penwidth": "1.3"}
    if label_text:
        attrs["label"] = " " + label_text.replace("\n", " ") + " "
    return attrs


def legend_label(roles):
    """An HTML table naming what each fill colour, shape and line style means."""
    rows = []
    for role in roles:
        fill, border = ROLE_COLORS[role]
        rows.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="28"> </TD>'
                    f'<TD ALIGN="LEFT">{escape(ROLE_TITLES[role])}</TD></TR>')
    fill, border = OP_COLORS
    rows.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" STYLE="ROUNDED">op</TD>'
                f'<TD ALIGN="LEFT">operation</TD></TR>')
    rows.append(f'<TR><TD><FONT COLOR="{FORWARD_EDGE_COLOR}">──▶</FONT></TD><TD ALIGN="LEFT">forward</TD></TR>')
    rows.append(f'<TR><TD><FONT COLOR="{GRAD_COLOR}">◀╌╌</FONT></TD>'
                f'<TD ALIGN="LEFT"><FONT COLOR="{GRAD_COLOR}">gradient</FONT></TD></TR>')
    return ('<<TABLE BORDER="1" COLOR="#bbbbbb" CELLBORDER="0" CELLSPACING="3" CELLPADDING="3">'
            '<TR><TD COLSPAN="2"><B>legend</B></TD></TR>' + "".join(rows) + "</TABLE>>")
