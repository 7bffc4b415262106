"""``stepper``: one self-contained HTML page to step through the forward and backward passes.

No network, no server: the diagram is inline SVG (laid out once), each frame
is the CSS that restyles it (:func:`.frames.frame_css`), and a little inline
JavaScript swaps frames on the previous/next/play buttons and the arrow keys,
showing ``step i / n`` and the step's chain-rule text beside the diagram.
``lesson.html#7`` opens at step 7. The diagram starts as wide as its panel when
that keeps its text readable (``fit to width`` / ``actual size`` toggles it).
"""
import json

from .dot import dom_id
from .frames import strip_prolog, xml_text
from .levels import MAX_NODES

_CSS = """
:root { color-scheme: light; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: #1f2328; background: #f6f7f9; }
header { padding: 12px 20px; background: #ffffff; border-bottom: 1px solid #d0d7de; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
main { display: flex; gap: 20px; padding: 16px 20px; align-items: flex-start; }
#vg-diagram { flex: 1 1 auto; min-width: 0; max-height: calc(100vh - 110px); background: #fff;
              border: 1px solid #d0d7de; border-radius: 8px; padding: 12px; overflow: auto; }
#vg-diagram svg { display: block; margin: 0 auto; }
#vg-diagram.fit svg { max-width: 100%; width: auto; height: auto; }
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
           padding: 8px 10px; margin: 0; }
#vg-rule.forward, #vg-rule.update { background: #eef4fb; border-left-color: #3b6fb6; }
#vg-list { margin: 14px 0 0; padding-left: 26px; max-height: 40vh; overflow: auto; font-size: 13px; }
#vg-list li { cursor: pointer; padding: 1px 0; color: #57606a; }
#vg-list li.current { color: #1f2328; font-weight: 700; }
.vg-help { color: #57606a; font-size: 12px; margin-top: 12px; }
#vg-fit { margin-top: 10px; font-size: 13px; padding: 4px 10px; border: 1px solid #8c959f; border-radius: 6px;
          background: #f6f8fa; cursor: pointer; }
"""

_JS = """
(function () {
  var frames = JSON.parse(document.getElementById("vg-frames").textContent);
  var style = document.getElementById("vg-frame-style");
  var root = document.getElementById("vg-stepper");
  var counter = document.getElementById("vg-counter");
  var phase = document.getElementById("vg-phase");
  var title = document.getElementById("vg-title");
  var rule = document.getElementById("vg-rule");
  var list = document.getElementById("vg-list");
  var prev = document.getElementById("vg-prev");
  var next = document.getElementById("vg-next");
  var play = document.getElementById("vg-play");
  var diagram = document.getElementById("vg-diagram");
  var fit = document.getElementById("vg-fit");
  var current = 0, timer = null;
  frames.forEach(function (f, i) {
    var li = document.createElement("li");
    li.textContent = f.title;
    li.addEventListener("click", function () { stop(); show(i); });
    list.appendChild(li);
  });
  function show(i) {
    current = Math.max(0, Math.min(frames.length - 1, i));
    var f = frames[current];
    style.textContent = f.css;
    root.setAttribute("data-step", String(current + 1));
    counter.textContent = "step " + (current + 1) + " / " + frames.length;
    phase.textContent = f.phase;
    phase.className = f.phase;
    rule.className = f.phase;
    title.textContent = f.title;
    rule.textContent = f.lines.join("\\n");
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    Array.prototype.forEach.call(list.children, function (li, j) {
      li.className = j === current ? "current" : "";
    });
    var focus = f.focus && document.getElementById(f.focus);
    if (focus && focus.scrollIntoView) { focus.scrollIntoView({block: "nearest", inline: "nearest"}); }
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "\\u25B6 play";
  }
  function toggle() {
    if (timer !== null) { stop(); return; }
    if (current === frames.length - 1) { show(0); }
    play.textContent = "\\u275A\\u275A pause";
    timer = setInterval(function () {
      if (current >= frames.length - 1) { stop(); } else { show(current + 1); }
    }, %(interval)d);
  }
  prev.addEventListener("click", function () { stop(); show(current - 1); });
  next.addEventListener("click", function () { stop(); show(current + 1); });
  play.addEventListener("click", toggle);
  function setFit(on) {
    diagram.classList.toggle("fit", on);
    fit.textContent = on ? "actual size" : "fit to width";
  }
  fit.addEventListener("click", function () { setFit(!diagram.classList.contains("fit")); });
  // Start with the diagram as wide as the panel (no sideways scrolling), unless that would
  // make its text too small to read; the active node is then scrolled into view.
  (function () {
    var svg = diagram.querySelector("svg");
    if (!svg || !svg.width || !svg.width.baseVal) { return; }
    var scale = (diagram.clientWidth - 24) / svg.width.baseVal.value;
    if (scale < 1 && scale >= %(min_fit)s) { setFit(true); }
  })();
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight" || e.key === "ArrowDown") { stop(); show(current + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") { stop(); show(current - 1); e.preventDefault(); }
    else if (e.key === "Home") { stop(); show(0); }
    else if (e.key === "End") { stop(); show(frames.length - 1); }
    else if (e.key === " ") { toggle(); e.preventDefault(); }
  });
  var start = /^#(?:step=)?(\\d+)$/.exec(window.location.hash);  // lesson.html#7 opens at step 7
  show(start ? parseInt(start[1], 10) - 1 : 0);
})();
"""


MIN_FIT = 0.45  # the page opens fitted to the panel's width unless that shrinks the diagram below this scale


def _json_for_script(value):
    """JSON that cannot end the ``<script>`` element it sits in."""
    return json.dumps(value, ensure_ascii=True, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")


def _focus(frame):
    """The element to scroll into view: the first active node of the frame."""
    active = sorted(name for name, state in frame.nodes.items() if state == "active")
    return dom_id(active[0]) if active else None


def stepper_html(lesson, title="forward and backward pass", interval=1200):
    """The HTML page of a :class:`.steps.Lesson` as a string."""
    frames = [{"title": f.title, "phase": f.phase, "lines": list(f.lines), "css": css, "focus": _focus(f)}
              for f, css in zip(lesson.frames, lesson.frame_styles())]
    first = frames[0]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{xml_text(title)}</title>\n<style>{_CSS}</style>\n"
        f"<style id=\"vg-frame-style\">{first['css']}</style>\n</head>\n"
        f"<body>\n<div id=\"vg-stepper\" data-step=\"1\">\n<header><h1>{xml_text(title)}</h1></header>\n<main>\n"
        f"<div id=\"vg-diagram\">{strip_prolog(lesson.base_svg)}</div>\n"
        "<aside>\n<div class=\"vg-controls\">"
        "<button id=\"vg-prev\" type=\"button\" title=\"previous step (\u2190)\">\u25C0 prev</button>"
        "<button id=\"vg-play\" type=\"button\" title=\"play / pause (space)\">\u25B6 play</button>"
        "<button id=\"vg-next\" type=\"button\" title=\"next step (\u2192)\">next \u25B6</button></div>\n"
        f"<div id=\"vg-counter\">step 1 / {len(frames)}</div>\n"
        f"<span id=\"vg-phase\" class=\"{first['phase']}\">{first['phase']}</span>\n"
        f"<div id=\"vg-title\">{xml_text(first['title'])}</div>\n"
        f"<pre id=\"vg-rule\" class=\"{first['phase']}\">{xml_text(chr(10).join(first['lines']))}</pre>\n"
        "<button id=\"vg-fit\" type=\"button\">fit to width</button>\n"
        "<ol id=\"vg-list\"></ol>\n"
        "<p class=\"vg-help\">\u2190 \u2192 step \u00B7 space play/pause \u00B7 Home/End first/last</p>\n"
        "</aside>\n</main>\n</div>\n"
        f"<script type=\"application/json\" id=\"vg-frames\">{_json_for_script(frames)}</script>\n"
        f"<script>{_JS % {'interval': int(interval), 'min_fit': MIN_FIT}}</script>\n</body>\n</html>\n"
    )


def stepper(x, path, title=None, interval=1200, level=None, rankdir="TB", legend=True, small=16,
            clusters=True, max_nodes=MAX_NODES, update="compact", roll=True, expand=None, images=True):
    """Write ONE self-contained HTML page at ``path`` stepping through ``x``'s passes; return ``path``.

    Previous/next buttons, arrow keys, a play button (``interval`` ms per
    step), a ``step i / n`` counter and the chain rule of the current step.

    >>> import graphviz_grad as vg, tempfile, os
    >>> w, x = vg.tensor(2.0, requires_grad=True), vg.tensor(1.0)
    >>> y = w * x; y.backward()
    >>> path = vg.viz.stepper(y, os.path.join(tempfile.mkdtemp(), "lesson.html"))
    >>> "step 1 / 2" in open(path, encoding="utf-8").read()
    True
    """
    from .steps import lesson

    result = lesson(x, level=level, rankdir=rankdir, legend=legend, small=small, clusters=clusters,
                    max_nodes=max_nodes, update=update, roll=roll, expand=expand, images=images)
    html = stepper_html(result, title or "forward and backward pass", interval)
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    return path
