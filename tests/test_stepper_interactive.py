"""The stepper of a big program in headless Chromium: open a module box, pan and zoom, search a tensor.

The program is the transformer-like training step of ``tests/test_viz_big.py`` (two blocks of two
heads, forward, backward and Adam's step recorded) drawn as module boxes. Screenshots of each state
go to the test's temporary folder (``VG_SCREENSHOTS=dir`` keeps them there). Load and frame-change
times are printed (``-s``), never asserted: ``benchmarks/bench_viz.py --browser`` measures them.
"""
import os
import re

import pytest

import graphviz_grad as vg
from test_stepper_browser import _chrome
from test_viz_big import transformer_step

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("stepper") / "step.html"
    vg.viz.stepper(transformer_step(), str(path), level="module", title="a transformer-like training step")
    return str(path)


@pytest.fixture(scope="module")
def browser():
    driver = _chrome()
    yield driver
    driver.quit()


def _shots(tmp_path):
    folder = os.environ.get("VG_SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return lambda driver, name: driver.save_screenshot(os.path.join(folder, name + ".png"))


def _errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _wait_view(driver, view):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(lambda d: d.find_element("id", "vg-stepper").get_attribute("data-view") == view)


def _state(driver):
    return driver.execute_script("""
        const svg = document.querySelector('#vg-diagram svg');
        return {counter: document.getElementById('vg-counter').textContent,
                title: document.getElementById('vg-title').textContent,
                where: document.getElementById('vg-where').textContent,
                view: document.getElementById('vg-stepper').dataset.view,
                boxes: Array.from(document.querySelectorAll('#vg-diagram g.vg-openable')).map(g => g.id),
                width: svg.getBoundingClientRect().width,
                inside: document.querySelectorAll('#vg-list li.inside').length,
                currentInside: !!document.querySelector('#vg-list li.current.inside')};
    """)


def _box_of(driver, module):
    """The element id of the module box whose title starts with ``module``."""
    return driver.execute_script("""
        const want = arguments[0];
        for (const g of document.querySelectorAll('#vg-diagram g.vg-openable')) {
            const text = Array.from(g.querySelectorAll('text')).map(t => t.textContent).join(' ');
            if (text.startsWith(want + ' ')) return g.id;
        }
        return null;""", module)


def _ops_inside(driver, cluster):
    """The op names drawn inside the cluster ``cluster`` (by position: Graphviz nests no nodes in clusters)."""
    return driver.execute_script("""
        const c = document.getElementById(arguments[0]).getBoundingClientRect();
        const ops = [];
        for (const g of document.querySelectorAll('#vg-diagram g.node')) {
            if (!/^n_op/.test(g.id)) continue;
            const r = g.getBoundingClientRect();
            if (r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom)
                ops.push(g.querySelector('text').textContent);
        }
        return ops;""", cluster)


def test_click_a_box_search_step_zoom_with_no_console_errors(browser, page, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    shot = _shots(tmp_path)
    browser.get("file://" + page)
    timing = browser.execute_script("""
        const t = performance.getEntriesByType('navigation')[0];
        return {dom: t.domContentLoadedEventEnd, load: t.loadEventEnd, bytes: t.decodedBodySize};""")
    print(f"\nstepper page: {timing['bytes'] / 1e3:.0f} kB, DOMContentLoaded {timing['dom']:.0f} ms, "
          f"load {timing['load']:.0f} ms")
    first = _state(browser)
    assert first["view"] == "0" and first["where"] == "overview" and len(first["boxes"]) >= 8
    shot(browser, "1-overview")

    # Click the box of one head's key projection: its ops appear inside its cluster, the list follows.
    box = _box_of(browser, "model.blocks.0.sa.heads.0.key")
    assert browser.execute_script("return document.querySelector('#' + arguments[0] + ' > title').textContent",
                                  box) == "click to open this module"
    ActionChains(browser).move_to_element(browser.find_element(By.ID, box)).click().perform()
    _wait_view(browser, next(v for v in ("1", "2", "3", "4", "5", "6", "7", "8")
                             if browser.find_element(By.ID, "vg-stepper").get_attribute("data-view") == v))
    opened = _state(browser)
    assert opened["where"] == "inside model.blocks.0.sa.heads.0.key · Linear"
    assert not browser.find_elements(By.ID, box)  # the box made way for its ops ...
    cluster = browser.execute_script("return document.querySelector('#vg-diagram g.vg-opened').id")
    assert "linear" in _ops_inside(browser, cluster)  # ... drawn inside its cluster
    assert opened["inside"] >= 2 and opened["currentInside"]  # its forward and backward steps, the list on one
    assert "linear" in opened["title"]
    shot(browser, "2-opened")

    # Step forward and back inside the opened view.
    body = browser.find_element(By.TAG_NAME, "body")
    n = int(re.match(r"step (\d+) /", opened["counter"]).group(1))
    body.send_keys(Keys.ARROW_RIGHT)
    assert _state(browser)["counter"].startswith(f"step {n + 1} /")
    body.send_keys(Keys.ARROW_LEFT)
    body.send_keys(Keys.ARROW_LEFT)
    assert _state(browser)["counter"].startswith(f"step {n - 1} /")

    # Search a tensor by name: highlighted, scrolled into view, Enter goes to the next match.
    search = browser.find_element(By.ID, "vg-search")
    search.send_keys("loss")
    found = browser.execute_script("""
        const g = document.querySelector('#vg-diagram g.vg-found-current'), d = document.getElementById('vg-diagram');
        const r = g.getBoundingClientRect(), p = d.getBoundingClientRect();
        return {label: g.querySelector('text').textContent, count: document.getElementById('vg-search-count').textContent,
                stroke: getComputedStyle(g.querySelector('polygon, path, ellipse')).stroke,
                visible: r.bottom > p.top && r.top < p.bottom && r.right > p.left && r.left < p.right};""")
    assert found["label"] == "loss" and found["visible"] and found["stroke"] == "rgb(191, 57, 137)"
    assert found["count"].startswith("1 / ")
    shot(browser, "3-search")
    search.clear()
    search.send_keys("ffwd.0.weight")  # a parameter folded into a box: the box is found
    box_found = browser.execute_script("return document.querySelector('#vg-diagram g.vg-found-current').id")
    assert box_found == _box_of(browser, "model.blocks.0.ffwd.0")
    search.clear()
    search.send_keys("weight")
    many = browser.find_element(By.ID, "vg-search-count").text
    assert re.match(r"1 / \d+", many) and int(many.split("/ ")[1]) >= 2
    search.send_keys(Keys.ENTER)
    assert browser.find_element(By.ID, "vg-search-count").text.startswith("2 / ")
    search.send_keys(Keys.ESCAPE)
    assert not browser.find_elements(By.CSS_SELECTOR, "#vg-diagram g.vg-found")

    # Zoom with the keys and the wheel, pan by dragging.
    width = _state(browser)["width"]
    body.send_keys("+")
    assert _state(browser)["width"] == pytest.approx(width * 1.25, rel=0.02)
    body.send_keys("+")
    diagram = browser.find_element(By.ID, "vg-diagram")
    browser.execute_script("""arguments[0].dispatchEvent(new WheelEvent('wheel',
        {deltaY: 200, clientX: 300, clientY: 300, bubbles: true, cancelable: true}))""", diagram)
    assert _state(browser)["width"] < width * 1.25 * 1.25 * 0.99
    body.send_keys("+")
    body.send_keys("+")
    before = browser.execute_script("const d = document.getElementById('vg-diagram'); return [d.scrollLeft, d.scrollTop]")
    ActionChains(browser).move_to_element(diagram).click_and_hold().move_by_offset(-80, -60).release().perform()
    after = browser.execute_script("const d = document.getElementById('vg-diagram'); return [d.scrollLeft, d.scrollTop]")
    assert after != before
    assert _state(browser)["view"] != "0"  # a drag is no click: nothing opened or closed
    shot(browser, "4-zoomed")
    body.send_keys("0")
    assert _state(browser)["width"] <= diagram.size["width"]

    # Frame changes restyle, never re-render: time 20 of them.
    ms = browser.execute_script("""
        const next = document.getElementById('vg-next'), prev = document.getElementById('vg-prev');
        const t = performance.now();
        for (let i = 0; i < 20; i++) { (i % 2 ? prev : next).click(); document.body.getBoundingClientRect(); }
        return (performance.now() - t) / 20;""")
    print(f"frame change: {ms:.1f} ms (style and layout included)")

    # Esc goes back to the overview, at the step that runs the same op.
    body.send_keys(Keys.ESCAPE)
    _wait_view(browser, "0")
    back = _state(browser)
    assert back["where"] == "overview" and browser.find_elements(By.ID, box)
    shot(browser, "5-back")
    assert _errors(browser) == []


def test_a_page_without_module_boxes_has_nothing_to_open(browser, tmp_path):
    from test_viz_graphs import ywxb_graph

    path = vg.viz.stepper(ywxb_graph(), str(tmp_path / "lesson.html"))
    browser.get("file://" + path)
    state = _state(browser)
    assert state["boxes"] == [] and state["where"] == ""
    browser.find_element("id", "vg-search").send_keys("w")
    assert browser.find_element("id", "vg-search-count").text.startswith("1 / ")
    assert _errors(browser) == []


# --- the page itself (no browser) -------------------------------------------------------------

def _views_of(page_text):
    """``{view number: unpacked view}`` of a stepper page, as its script unpacks them."""
    import base64
    import gzip
    import json

    packed = re.findall(r'<script type="application/gzip;base64" id="vg-view-(\d+)">([^<]*)</script>', page_text)
    return {int(i): json.loads(gzip.decompress(base64.b64decode(text))) for i, text in packed}


def test_the_page_carries_one_opened_picture_per_box_up_to_openable(tmp_path):
    tape = transformer_step()  # unrolled, its default picture is module boxes
    full = open(vg.viz.stepper(tape, str(tmp_path / "a.html"), roll=False, openable=3), encoding="utf-8").read()
    views = _views_of(full)
    assert sorted(views) == [1, 2, 3]
    for view in views.values():
        assert view["svg"].startswith("<svg") and any(f["inside"] for f in view["frames"])
        assert all(f["ops"] for f in view["frames"])
    shut = open(vg.viz.stepper(tape, str(tmp_path / "b.html"), roll=False, openable=False), encoding="utf-8").read()
    assert _views_of(shut) == {} and len(shut) < len(full)
    again = open(vg.viz.stepper(tape, str(tmp_path / "c.html"), roll=False, openable=3), encoding="utf-8").read()
    assert again == full  # gzip without a timestamp: same program, same bytes


def test_an_opened_picture_is_what_expand_draws():
    from graphviz_grad.viz.stepper import stepper_page
    from graphviz_grad.viz.steps import lesson

    tape = transformer_step()
    view = _views_of(stepper_page(tape, level="module", openable=2))[2]
    expanded = lesson(tape, level="module", legend=True, expand=["model.blocks.0.sa.heads.0.key"])
    assert view["svg"] == expanded.base_svg[expanded.base_svg.index("<svg"):]
    assert [f["title"] for f in view["frames"]] == [f.title for f in expanded.frames]


def test_the_gpt_lessons_stepper_opens_a_box_searches_and_steps(browser, tmp_path):
    """The GPT lesson's training step (2 blocks, 2 heads: batch, forward, backward, AdamW), default options."""
    import time

    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from test_viz_lessons import _gpt_step

    shot = _shots(tmp_path)
    path = vg.viz.stepper(_gpt_step(), str(tmp_path / "gpt.html"), title="one GPT training step")
    start = time.perf_counter()
    browser.get("file://" + path)
    print(f"\nGPT stepper: {os.path.getsize(path) / 1e3:.0f} kB, loaded in {(time.perf_counter() - start) * 1e3:.0f} ms")
    first = _state(browser)
    assert first["view"] == "0" and first["boxes"], "the GPT step draws module boxes to open"
    shot(browser, "gpt-1-overview")

    box = _box_of(browser, "model.lm_head")
    ActionChains(browser).move_to_element(browser.find_element(By.ID, box)).click().perform()
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "vg-stepper").get_attribute("data-view") != "0")
    opened = _state(browser)
    assert opened["where"].startswith("inside model.lm_head")
    cluster = browser.execute_script("return document.querySelector('#vg-diagram g.vg-opened').id")
    assert "linear" in _ops_inside(browser, cluster) and opened["currentInside"]
    shot(browser, "gpt-2-opened")

    body = browser.find_element(By.TAG_NAME, "body")
    n = int(re.match(r"step (\d+) /", opened["counter"]).group(1))
    body.send_keys(Keys.ARROW_RIGHT)
    assert _state(browser)["counter"].startswith(f"step {n + 1} /")
    body.send_keys(Keys.ARROW_LEFT)
    assert _state(browser)["counter"].startswith(f"step {n} /")
    body.send_keys(Keys.ESCAPE)
    _wait_view(browser, "0")

    search = browser.find_element(By.ID, "vg-search")
    search.send_keys("loss")
    assert browser.find_element(By.ID, "vg-search-count").text.startswith("1 / ")
    shot(browser, "gpt-3-search")
    assert _errors(browser) == []
