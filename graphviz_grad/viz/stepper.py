"""``stepper``: one self-contained HTML page to step through the forward and backward passes.

No network, no server: the diagram is inline SVG (laid out once), each frame
is the CSS that restyles it (:func:`.frames.frame_css`), and a little inline
JavaScript swaps frames on the previous/next/play buttons and the arrow keys,
showing ``step i / n`` and the step's chain-rule text beside the diagram.
``lesson.html#7`` opens at step 7. The diagram starts as wide as its panel when
that keeps its text readable (``fit to width`` / ``actual size`` toggles it).

Big programs, drawn as module boxes:

- **Clicking a module box opens it**: the page carries, per box, the picture
  ``expand=[that module]`` draws (laid out once, when the page is written,
  kept gzipped and unpacked by the browser when first opened) with its own frames; the
  step list follows (that module's steps are marked, and the page moves to
  the step of the module that matches the current one). ``Esc`` or
  ``◀ overview`` goes back. The first ``openable`` boxes (24 by default) open
  this way; the page is written in one more layout per box.
- **Pan and zoom**: the mouse wheel zooms around the pointer, dragging pans;
  ``+``/``-`` zoom, ``0`` fits the width again (the arrow keys still step).
- **Search**: the box above the step list finds a tensor (or module box) by
  name, highlights every match and scrolls to the first; ``Enter`` goes to
  the next one, ``Shift+Enter`` to the previous, ``Esc`` clears.

A frame change only swaps one ``<style>`` text and two list classes (the SVG
is never re-rendered), so it stays fast on hundreds of boxes.
"""
import base64
import gzip
import json

from .calls import module_calls
from .dot import dom_id
from .frames import strip_prolog, xml_text
from .levels import MAX_NODES, expanded_calls

MAX_OPENABLE = 24  # module boxes a page opens by default: each is one more layout (~0.2-1 s) when it is written

_CSS = """
:root { color-scheme: light; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: #1f2328; background: #f6f7f9; }
header { padding: 12px 20px; background: #ffffff; border-bottom: 1px solid #d0d7de; display: flex;
         align-items: center; gap: 14px; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
#vg-where { font-size: 15px; color: #57606a; }
#vg-where.opened { color: #0969da; font-weight: 600; }
#vg-back { font-size: 14px; padding: 4px 12px; border: 1px solid #0969da; border-radius: 6px; color: #0969da;
           background: #f3f8ff; cursor: pointer; }
#vg-back[hidden] { display: none; }
main { display: flex; gap: 20px; padding: 16px 20px; align-items: flex-start; }
#vg-diagram { flex: 1 1 auto; min-width: 0; max-height: calc(100vh - 110px); background: #fff;
              border: 1px solid #d0d7de; border-radius: 8px; padding: 12px; overflow: auto; cursor: grab;
              box-sizing: border-box; }
#vg-diagram.dragging { cursor: grabbing; user-select: none; }
#vg-diagram svg { display: block; margin: 0 auto; }
#vg-diagram g.vg-openable { cursor: pointer; }
#vg-diagram g.vg-openable:hover polygon, #vg-diagram g.vg-openable:hover path {
  stroke: #0969da !important; stroke-width: 4px !important; }
#vg-diagram g.vg-opened > path, #vg-diagram g.vg-opened > polygon { stroke: #0969da; stroke-width: 3px;
  stroke-dasharray: none; }
#vg-diagram g.vg-found polygon, #vg-diagram g.vg-found ellipse, #vg-diagram g.vg-found path {
  stroke: #bf3989 !important; stroke-width: 5px !important; }
#vg-diagram g.vg-found-current { opacity: 1 !important; }
#vg-diagram g.vg-found-current polygon, #vg-diagram g.vg-found-current ellipse, #vg-diagram g.vg-found-current path {
  stroke: #bf3989 !important; stroke-width: 9px !important; stroke-dasharray: none !important; }
aside { flex: 0 0 360px; position: sticky; top: 16px; background: #fff; border: 1px solid #d0d7de;
        border-radius: 8px; padding: 16px; }
.vg-controls { display: flex; gap: 8px; }
.vg-controls button { flex: 1; font-size: 16px; padding: 8px 4px; border: 1px solid #8c959f; border-radius: 6px;
                      background: #f6f8fa; cursor: pointer; }
.vg-controls button:hover { background: #eaeef2; }
.vg-controls button:disabled { opacity: 0.4; cursor: default; }
#vg-counter { margin: 14px 0 6px; font-size: 18px; font-weight: 600; }
#vg-phase { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: 13px; font-weight: 600;
            color: #fff; background: #3b6fb6; }
#vg-phase.backward { background: #c0392b; }
#vg-phase.update { background: #2b8a3e; }
#vg-title { font-size: 16px; margin: 12px 0 8px; }
#vg-rule { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 15px; line-height: 1.6;
           white-space: pre-wrap; word-break: break-word; background: #fbf3f2; border-left: 4px solid #c0392b;
           padding: 8px 10px; margin: 0; max-height: 30vh; overflow: auto; }
#vg-rule.forward, #vg-rule.update { background: #eef4fb; border-left-color: #3b6fb6; }
.vg-search { display: flex; gap: 8px; align-items: center; margin-top: 12px; }
#vg-search { flex: 1; font-size: 14px; padding: 5px 8px; border: 1px solid #8c959f; border-radius: 6px; }
#vg-search-count { font-size: 13px; color: #57606a; min-width: 4em; text-align: right; }
#vg-list { margin: 10px 0 0; padding-left: 34px; max-height: 32vh; overflow: auto; font-size: 13px; }
#vg-list li { cursor: pointer; padding: 1px 4px; color: #57606a; }
#vg-list li.inside { color: #0a3069; background: #ddf4ff; border-left: 3px solid #0969da; }
#vg-list li.current { color: #1f2328; font-weight: 700; background: #fff8c5; }
.vg-help { color: #57606a; font-size: 12px; margin-top: 12px; line-height: 1.5; }
.vg-view-tools { display: flex; gap: 6px; margin-top: 10px; }
.vg-view-tools button { font-size: 13px; padding: 4px 10px; border: 1px solid #8c959f; border-radius: 6px;
                        background: #f6f8fa; cursor: pointer; }
"""

_JS = r"""
(function () {
  function $(id) { return document.getElementById(id); }
  function data(id) { return JSON.parse($(id).textContent); }
  var meta = data("vg-views");  // per view: title, cluster, boxes {dom id: view}, names [[dom id, label]]
  var style = $("vg-frame-style"), root = $("vg-stepper"), counter = $("vg-counter"), phase = $("vg-phase");
  var title = $("vg-title"), rule = $("vg-rule"), list = $("vg-list"), prev = $("vg-prev"), next = $("vg-next");
  var play = $("vg-play"), diagram = $("vg-diagram"), fit = $("vg-fit"), where = $("vg-where"), back = $("vg-back");
  var search = $("vg-search"), searchCount = $("vg-search-count");
  var loaded = {0: {svg: diagram.querySelector("svg"), frames: data("vg-frames")}};
  root.setAttribute("data-view", "0");
  var view = 0, frames = loaded[0].frames, svg = loaded[0].svg, current = 0, timer = null, zoom = 1;
  var found = [], foundAt = -1;

  // --- steps ------------------------------------------------------------------------------
  function fillList() {
    var html = [];
    frames.forEach(function (f, i) {
      var text = f.title.replace(/&/g, "&amp;").replace(/</g, "&lt;");
      html.push("<li data-i=\"" + i + "\"" + (f.inside ? " class=\"inside\"" : "") + ">" + text + "</li>");
    });
    list.innerHTML = html.join("");
  }
  list.addEventListener("click", function (e) {
    var li = e.target.closest("li");
    if (li) { stop(); show(parseInt(li.getAttribute("data-i"), 10)); }
  });
  function show(i) {
    var old = list.children[current];
    if (old) { old.classList.remove("current"); }
    current = Math.max(0, Math.min(frames.length - 1, i));
    var f = frames[current];
    style.textContent = f.css;
    root.setAttribute("data-step", String(current + 1));
    counter.textContent = "step " + (current + 1) + " / " + frames.length;
    phase.textContent = f.phase;
    phase.className = f.phase;
    rule.className = f.phase;
    title.textContent = f.title;
    rule.textContent = f.lines.join("\n");
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    var li = list.children[current];
    if (li) {
      li.classList.add("current");
      var top = li.getBoundingClientRect().top - list.getBoundingClientRect().top + list.scrollTop;
      if (top < list.scrollTop || top + li.offsetHeight > list.scrollTop + list.clientHeight) {
        list.scrollTop = top - list.clientHeight / 3;
      }
    }
    var focus = f.focus && document.getElementById(f.focus);
    if (focus && focus.scrollIntoView) { focus.scrollIntoView({block: "nearest", inline: "nearest"}); }
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "\u25B6 play";
  }
  function toggle() {
    if (timer !== null) { stop(); return; }
    if (current === frames.length - 1) { show(0); }
    play.textContent = "\u275A\u275A pause";
    timer = setInterval(function () {
      if (current >= frames.length - 1) { stop(); } else { show(current + 1); }
    }, __INTERVAL__);
  }
  prev.addEventListener("click", function () { stop(); show(current - 1); });
  next.addEventListener("click", function () { stop(); show(current + 1); });
  play.addEventListener("click", toggle);

  // --- zoom and pan -----------------------------------------------------------------------
  function natural() { return [svg.width.baseVal.value, svg.height.baseVal.value]; }
  function fitScale() { return (diagram.clientWidth - 24) / natural()[0]; }
  function setZoom(z, clientX, clientY) {
    z = Math.max(0.05, Math.min(8, z));
    var box = diagram.getBoundingClientRect(), at = svg.getBoundingClientRect();
    if (clientX === undefined) { clientX = box.left + diagram.clientWidth / 2; clientY = box.top + diagram.clientHeight / 2; }
    var x = (clientX - at.left) / zoom, y = (clientY - at.top) / zoom;  // the diagram point under the pointer
    zoom = z;
    var size = natural();
    svg.style.width = (size[0] * z) + "px";
    svg.style.height = (size[1] * z) + "px";
    at = svg.getBoundingClientRect();  // ... stays under the pointer
    diagram.scrollLeft += at.left + x * z - clientX;
    diagram.scrollTop += at.top + y * z - clientY;
  }
  function setFit(on) {
    diagram.classList.toggle("fit", on);
    fit.textContent = on ? "actual size" : "fit to width";
    setZoom(on ? Math.min(1, fitScale()) : 1);
  }
  function zoomBy(factor, x, y) {
    diagram.classList.remove("fit");
    fit.textContent = "fit to width";
    setZoom(zoom * factor, x, y);
  }
  fit.addEventListener("click", function () { setFit(!diagram.classList.contains("fit")); });
  $("vg-zoom-in").addEventListener("click", function () { zoomBy(1.25); });
  $("vg-zoom-out").addEventListener("click", function () { zoomBy(0.8); });
  function openingZoom() {
    // As wide as the panel (no sideways scrolling) unless that makes the text too small to read;
    // then as small as still reads well, to show as much of the picture as that allows.
    var scale = fitScale();
    setFit(scale < 1 && scale >= __MIN_FIT__);
    if (scale < __MIN_FIT__) { zoomBy(__OPEN_ZOOM__); }
  }
  diagram.addEventListener("wheel", function (e) {
    e.preventDefault();
    zoomBy(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.clientX, e.clientY);
  }, {passive: false});
  var drag = null, dragged = false;
  diagram.addEventListener("mousedown", function (e) {
    if (e.button !== 0) { return; }
    drag = {x: e.clientX, y: e.clientY, left: diagram.scrollLeft, top: diagram.scrollTop};
    dragged = false;
  });
  document.addEventListener("mousemove", function (e) {
    if (!drag) { return; }
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!dragged && Math.abs(dx) + Math.abs(dy) > 4) { dragged = true; diagram.classList.add("dragging"); }
    if (dragged) { diagram.scrollLeft = drag.left - dx; diagram.scrollTop = drag.top - dy; e.preventDefault(); }
  });
  document.addEventListener("mouseup", function () { drag = null; diagram.classList.remove("dragging"); });

  // --- opening module boxes ---------------------------------------------------------------
  function load(v) {  // a view's page: gzip, base64, unpacked (by the browser itself) when first opened
    if (!loaded[v]) {
      var bytes = Uint8Array.from(atob($("vg-view-" + v).textContent.trim()), function (c) { return c.charCodeAt(0); });
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      loaded[v] = new Response(stream).text().then(function (text) {
        var d = JSON.parse(text), holder = document.createElement("div");
        holder.innerHTML = d.svg;
        return {svg: holder.querySelector("svg"), frames: d.frames};
      });
    }
    return Promise.resolve(loaded[v]);
  }
  function markBoxes() {
    Object.keys(meta[view].boxes).forEach(function (id) {
      var g = document.getElementById(id);
      if (g) {
        g.classList.add("vg-openable");
        var tip = g.querySelector("title");  // Graphviz's tooltip is the node's id (m_c7): say what a click does
        if (tip) { tip.textContent = "click to open this module"; }
      }
    });
    var opened = meta[view].cluster && document.getElementById(meta[view].cluster);
    if (opened) { opened.classList.add("vg-opened"); }
  }
  function stepFor(op, phaseNow, opening) {
    // The step of the new view that runs the op of the current step; opening a box whose ops
    // that is not, the box's first step of the same phase (so its ops show at once).
    var same = -1, inside = -1, any = -1;
    frames.forEach(function (f, i) {
      if (same < 0 && f.ops.indexOf(op) >= 0) { same = i; }
      if (f.inside && inside < 0 && f.phase === phaseNow) { inside = i; }
      if (f.inside && any < 0) { any = i; }
    });
    if (opening && !(same >= 0 && frames[same].inside)) { return inside >= 0 ? inside : (any >= 0 ? any : Math.max(same, 0)); }
    return Math.max(same, 0);
  }
  var opening = false;
  function setView(v) {
    if (v === view || opening) { return; }
    stop();
    opening = true;
    root.setAttribute("data-view", "loading");
    load(v).then(function (c) { opening = false; swap(v, c); }, function (err) {
      opening = false;
      root.setAttribute("data-view", String(view));
      where.textContent = "this browser cannot open boxes here (" + err + "): draw with expand=[...] instead";
    });
  }
  function swap(v, c) {
    var was = frames[current];
    diagram.replaceChild(c.svg, svg);
    svg = c.svg; frames = c.frames; view = v;
    var m = meta[v];
    where.textContent = v === 0 ? m.title : "inside " + m.title;
    where.className = v === 0 ? "" : "opened";
    back.hidden = v === 0;
    fillList();
    markBoxes();
    zoom = 1;
    openingZoom();
    current = 0;
    show(stepFor(was.ops[0], was.phase, v !== 0));
    var opened = m.cluster && document.getElementById(m.cluster);
    if (opened && opened.scrollIntoView) { opened.scrollIntoView({block: "nearest", inline: "nearest"}); }
    var firstInside = list.querySelector("li.inside");
    if (firstInside && !list.children[current].classList.contains("inside")) {
      list.scrollTop += firstInside.getBoundingClientRect().top - list.getBoundingClientRect().top - 8;
    }
    runSearch();
    root.setAttribute("data-view", String(v));
  }
  diagram.addEventListener("click", function (e) {
    if (dragged) { dragged = false; return; }
    var g = e.target.closest && e.target.closest("g.node");
    var v = g && meta[view].boxes[g.id];
    if (v !== undefined && v !== null) { setView(v); }
  });
  back.addEventListener("click", function () { setView(0); });

  // --- search -----------------------------------------------------------------------------
  function clearFound() {
    found.forEach(function (g) { g.classList.remove("vg-found", "vg-found-current"); });
    found = []; foundAt = -1;
  }
  function runSearch() {
    clearFound();
    var q = search.value.trim().toLowerCase();
    if (!q) { searchCount.textContent = ""; return; }
    var hits = [];
    meta[view].names.forEach(function (pair, i) {
      var label = pair[1].toLowerCase(), at = label.indexOf(q);
      if (at >= 0) { hits.push([label === q ? 0 : (at === 0 ? 1 : 2), i, pair[0]]); }
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    hits.forEach(function (h) {
      var g = document.getElementById(h[2]);
      if (g) { g.classList.add("vg-found"); found.push(g); }
    });
    if (!found.length) { searchCount.textContent = "none"; return; }
    goTo(0);
  }
  function goTo(k) {
    if (foundAt >= 0) { found[foundAt].classList.remove("vg-found-current"); }
    foundAt = (k + found.length) % found.length;
    var g = found[foundAt];
    g.classList.add("vg-found-current");
    searchCount.textContent = (foundAt + 1) + " / " + found.length;
    g.scrollIntoView({block: "center", inline: "center"});
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { if (found.length) { goTo(foundAt + (e.shiftKey ? -1 : 1)); } e.preventDefault(); }
    else if (e.key === "Escape") { search.value = ""; runSearch(); search.blur(); }
    e.stopPropagation();
  });

  // --- keys -------------------------------------------------------------------------------
  document.addEventListener("keydown", function (e) {
    if (e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA")) { return; }
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "ArrowRight" || e.key === "ArrowDown") { stop(); show(current + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") { stop(); show(current - 1); e.preventDefault(); }
    else if (e.key === "Home") { stop(); show(0); }
    else if (e.key === "End") { stop(); show(frames.length - 1); }
    else if (e.key === " ") { toggle(); e.preventDefault(); }
    else if (e.key === "+" || e.key === "=") { zoomBy(1.25); e.preventDefault(); }
    else if (e.key === "-" || e.key === "_") { zoomBy(0.8); e.preventDefault(); }
    else if (e.key === "0") { setFit(true); e.preventDefault(); }
    else if (e.key === "Escape") { setView(0); }
    else if (e.key === "/") { search.focus(); e.preventDefault(); }
  });

  fillList();
  markBoxes();
  openingZoom();
  var start = /^#(?:step=)?(\d+)$/.exec(window.location.hash);  // lesson.html#7 opens at step 7
  show(start ? parseInt(start[1], 10) - 1 : 0);
})();
"""


MIN_FIT = 0.45  # the page opens fitted to the panel's width unless that shrinks the diagram below this scale
OPEN_ZOOM = 0.7  # ... and then at this scale: smaller than actual size, to show more, and still easy to read


def _json_for_script(value):
    """JSON that cannot end the ``<script>`` element it sits in."""
    return json.dumps(value, ensure_ascii=True, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")


def _packed(value):
    """``value`` as JSON, gzipped (no timestamp: same page, same bytes) and base64: a view's frames repeat
    the same element ids frame after frame, so this is about 20 times smaller than the JSON."""
    text = json.dumps(value, ensure_ascii=True, sort_keys=True).encode("ascii")
    return base64.b64encode(gzip.compress(text, mtime=0)).decode("ascii")


def _focus(frame):
    """The element to scroll into view: the first active node of the frame."""
    active = sorted(name for name, state in frame.nodes.items() if state == "active")
    return dom_id(active[0]) if active else None


def _frames_json(lesson, inside=None):
    """The frames of ``lesson`` as the page's script reads them; ``inside``: the call keys of an opened box,
    whose steps the list marks."""
    of_op = module_calls(lesson.graph).of_op if inside else {}
    return [{"title": f.title, "phase": f.phase, "lines": list(f.lines), "css": css, "focus": _focus(f),
             "ops": list(f.ops), "inside": bool(inside) and any(of_op.get(op) in inside for op in f.ops)}
            for f, css in zip(lesson.frames, lesson.frame_styles())]


def _names(G, diagram):
    """``[[element id, label]]``: what the search box searches. The tensors and module boxes drawn, by
    their labels, then the tensors a box holds (its parameters, its inner results), by their names,
    pointing at the box."""
    names = [[dom_id(n.name), n.rows[0][1]] for n in diagram.nodes
             if n.kind in ("tensor", "module") and n.rows and n.rows[0][0] == "title"]
    seen = {tuple(pair) for pair in names}
    for tensor, drawn in diagram.tensor_nodes.items():
        label = G.nodes[tensor].get("name") if tensor in G else None
        for name in drawn:
            if label and name in diagram.boxes and (dom_id(name), label) not in seen:
                seen.add((dom_id(name), label))
                names.append([dom_id(name), label])
    return names


def _box_targets(diagram, view_of_key):
    return {dom_id(name): view_of_key[key] for name, key in diagram.boxes.items() if key in view_of_key}


def opened_views(lesson, level=None, expand=None, limit=MAX_OPENABLE, **opts):
    """The page's views beyond the overview: per module box (the first ``limit``, in drawing order), the
    lesson drawn with ``expand=[that module]``; returns ``(meta of every view, [(lesson, frames json), ...])``.

    ``opts`` are :func:`.draw.diagram_of`'s (rankdir, legend, small, clusters, max_nodes, images).
    """
    from .draw import diagram_of
    from .steps import lesson_of

    G, diagram = lesson.graph, lesson.diagram
    calls = module_calls(G)
    by_key = calls.by_key()
    keys = [k for k in dict.fromkeys(diagram.boxes.values()) if k in by_key][:limit]
    view_of_key = {key: i + 1 for i, key in enumerate(keys)}
    base_expand = [expand] if isinstance(expand, str) else list(expand or ())
    meta = [{"title": "overview" if keys else "", "cluster": None, "boxes": _box_targets(diagram, view_of_key),
             "names": _names(G, diagram)}]
    views = []
    for key in keys:
        call = by_key[key]
        opened = base_expand + [call.name]
        sub_diagram, digraph = diagram_of(G, level, backward=True, expand=opened, **opts)
        sub = lesson_of(G, sub_diagram, digraph)
        inside = expanded_calls(calls, [call.name])
        views.append((sub, _frames_json(sub, inside)))
        meta.append({"title": f"{call.name} · {call.kind}" if call.kind else call.name,
                     "cluster": f"cl_{key}" if key in sub_diagram.clusters else None,
                     "boxes": _box_targets(sub_diagram, view_of_key), "names": _names(G, sub_diagram)})
    return meta, views


def stepper_html(lesson, title="forward and backward pass", interval=1200, views=None):
    """The HTML page of a :class:`.steps.Lesson` as a string; ``views``: :func:`opened_views`'s result
    (the module boxes the page can open), or None for a page with none."""
    meta, opened = views or ([{"title": "", "cluster": None, "boxes": {}, "names": _names(lesson.graph, lesson.diagram)}], [])
    frames = _frames_json(lesson)
    first = frames[0]
    scripts = "".join(
        f"<script type=\"application/gzip;base64\" id=\"vg-view-{i}\">"
        f"{_packed({'svg': strip_prolog(sub.base_svg), 'frames': sub_frames})}</script>\n"
        for i, (sub, sub_frames) in enumerate(opened, 1))
    openable = " \u00B7 click a module box to open it, Esc to go back" if opened else ""
    js = _JS.replace("__INTERVAL__", str(int(interval))).replace("__MIN_FIT__", repr(MIN_FIT)).replace("__OPEN_ZOOM__", repr(OPEN_ZOOM))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{xml_text(title)}</title>\n<style>{_CSS}</style>\n"
        f"<style id=\"vg-frame-style\">{first['css']}</style>\n</head>\n"
        f"<body>\n<div id=\"vg-stepper\" data-step=\"1\">\n<header><h1>{xml_text(title)}</h1>"
        f"<span id=\"vg-where\">{xml_text(meta[0]['title'])}</span>"
        "<button id=\"vg-back\" type=\"button\" title=\"back to the overview (Esc)\" hidden>\u25C0 overview</button>"
        "</header>\n<main>\n"
        f"<div id=\"vg-diagram\">{strip_prolog(lesson.base_svg)}</div>\n"
        "<aside>\n<div class=\"vg-controls\">"
        "<button id=\"vg-prev\" type=\"button\" title=\"previous step (\u2190)\">\u25C0 prev</button>"
        "<button id=\"vg-play\" type=\"button\" title=\"play / pause (space)\">\u25B6 play</button>"
        "<button id=\"vg-next\" type=\"button\" title=\"next step (\u2192)\">next \u25B6</button></div>\n"
        f"<div id=\"vg-counter\">step 1 / {len(frames)}</div>\n"
        f"<span id=\"vg-phase\" class=\"{first['phase']}\">{first['phase']}</span>\n"
        f"<div id=\"vg-title\">{xml_text(first['title'])}</div>\n"
        f"<pre id=\"vg-rule\" class=\"{first['phase']}\">{xml_text(chr(10).join(first['lines']))}</pre>\n"
        "<div class=\"vg-view-tools\"><button id=\"vg-fit\" type=\"button\">fit to width</button>"
        "<button id=\"vg-zoom-out\" type=\"button\" title=\"zoom out (-)\">\u2212</button>"
        "<button id=\"vg-zoom-in\" type=\"button\" title=\"zoom in (+)\">+</button></div>\n"
        "<div class=\"vg-search\"><input id=\"vg-search\" type=\"search\" placeholder=\"find a tensor by name (/)\""
        " aria-label=\"find a tensor by name\" autocomplete=\"off\"><span id=\"vg-search-count\"></span></div>\n"
        "<ol id=\"vg-list\"></ol>\n"
        "<p class=\"vg-help\">\u2190 \u2192 step \u00B7 space play/pause \u00B7 Home/End first/last<br>"
        f"wheel zoom \u00B7 drag pan \u00B7 + \u2212 zoom \u00B7 0 fit \u00B7 / search{openable}</p>\n"
        "</aside>\n</main>\n</div>\n"
        f"<script type=\"application/json\" id=\"vg-frames\">{_json_for_script(frames)}</script>\n"
        f"<script type=\"application/json\" id=\"vg-views\">{_json_for_script(meta)}</script>\n"
        f"{scripts}<script>{js}</script>\n</body>\n</html>\n"
    )


def stepper(x, path, title=None, interval=1200, level=None, rankdir="TB", legend=True, small=16,
            clusters=True, max_nodes=MAX_NODES, update="compact", roll=True, expand=None, images=True,
            openable=True, compare_grads=None):
    """Write ONE self-contained HTML page at ``path`` stepping through ``x``'s passes; return ``path``.

    Previous/next buttons, arrow keys, a play button (``interval`` ms per
    step), a ``step i / n`` counter and the chain rule of the current step;
    the wheel and dragging (or ``+``/``-``/``0``) zoom and pan; a search
    box finds a tensor by name. When the picture has module boxes, clicking
    one opens it: the page holds each box's ``expand=[...]`` picture, laid
    out when the page is written, for the first ``openable`` boxes
    (``True``: ``MAX_OPENABLE``, 24; ``False`` or 0: none, a smaller page
    written faster). The other options are :func:`draw`'s.

    >>> import graphviz_grad as vg, tempfile, os
    >>> w, x = vg.tensor(2.0, requires_grad=True), vg.tensor(1.0)
    >>> y = w * x; y.backward()
    >>> path = vg.viz.stepper(y, os.path.join(tempfile.mkdtemp(), "lesson.html"))
    >>> "step 1 / 2" in open(path, encoding="utf-8").read()
    True
    """
    html = stepper_page(x, title, interval, level=level, rankdir=rankdir, legend=legend, small=small,
                        clusters=clusters, max_nodes=max_nodes, update=update, roll=roll, expand=expand,
                        images=images, openable=openable, compare_grads=compare_grads)
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    return path


def stepper_page(x, title=None, interval=1200, level=None, rankdir="TB", legend=True, small=16, clusters=True,
                 max_nodes=MAX_NODES, update="compact", roll=True, expand=None, images=True, openable=True,
                 compare_grads=None):
    """:func:`stepper`'s page as a string (what a notebook cell embeds)."""
    from .steps import lesson

    result = lesson(x, level=level, rankdir=rankdir, legend=legend, small=small, clusters=clusters,
                    max_nodes=max_nodes, update=update, roll=roll, expand=expand, images=images,
                    compare_grads=compare_grads)
    views = None
    limit = MAX_OPENABLE if openable is True else int(openable or 0)
    if limit > 0 and result.diagram.boxes:
        views = opened_views(result, level=level, expand=expand, limit=limit, rankdir=rankdir, legend=legend,
                             small=small, clusters=clusters, max_nodes=max_nodes, images=images)
    return stepper_html(result, title or "forward and backward pass", interval, views)
