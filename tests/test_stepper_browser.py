"""The HTML stepper in a real browser: headless Chromium through selenium.

Skipped (with the reason) where Chromium or chromedriver is not installed;
``.ci/run`` installs Debian's ``chromium`` and ``chromium-driver`` where it can.
"""
import shutil
import tempfile

import pytest

import graphviz_grad as vg
from test_viz_graphs import ywxb_graph

pytestmark = pytest.mark.browser

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _chrome():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    binary = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        pytest.skip("needs Chromium and chromedriver (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                f"--user-data-dir={tempfile.mkdtemp(prefix='vg-chromium-')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console messages, for get_log
    return webdriver.Chrome(service=Service(driver_path), options=options)


@pytest.fixture
def browser():
    driver = _chrome()
    yield driver
    driver.quit()


def _state(driver):
    """What a learner sees: the counter, the rule text, and how the op nodes are drawn now."""
    return driver.execute_script("""
        const stroke = id => getComputedStyle(document.querySelector('#' + id + ' ellipse')).stroke;
        return {counter: document.getElementById('vg-counter').textContent,
                rule: document.getElementById('vg-rule').textContent,
                step: document.getElementById('vg-stepper').dataset.step,
                op0: stroke('n_op0'), op1: stroke('n_op1'),
                gradEdgeVisible: getComputedStyle(document.getElementById('g6')).visibility};
    """)


def test_next_button_and_arrow_key_step_through_the_frames(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    path = vg.viz.stepper(ywxb_graph(), str(tmp_path / "lesson.html"))
    browser.get("file://" + path)
    first = _state(browser)
    assert first["counter"] == "step 1 / 4" and first["rule"] == "t2 = mul(w, x) = 2.0"
    assert first["op0"] == "rgb(255, 140, 0)" and first["op1"] != first["op0"]  # mul is the active op
    assert first["gradEdgeVisible"] == "hidden"

    browser.find_element(By.ID, "vg-next").click()
    second = _state(browser)
    assert second["counter"] == "step 2 / 4" and second["step"] == "2"
    assert second["op1"] == "rgb(255, 140, 0)" and second["op0"] != second["op1"]  # the frame changed

    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    fourth = _state(browser)
    assert fourth["counter"] == "step 4 / 4"
    assert fourth["rule"].splitlines() == ["w.grad += t2.grad · x = 1.0 · 1.0", "x.grad += t2.grad · w = 1.0 · 2.0"]
    assert fourth["gradEdgeVisible"] == "visible"

    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
    assert _state(browser)["counter"] == "step 3 / 4"
    assert browser.find_element(By.ID, "vg-next").is_enabled()


def test_play_runs_to_the_last_step(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    path = vg.viz.stepper(ywxb_graph(), str(tmp_path / "lesson.html"), interval=50)
    browser.get("file://" + path)
    browser.find_element(By.ID, "vg-play").click()
    WebDriverWait(browser, 10).until(lambda d: _state(d)["counter"] == "step 4 / 4")
    assert "play" in browser.find_element(By.ID, "vg-play").text


def test_a_step_number_in_the_address_opens_that_step(browser, tmp_path):
    path = vg.viz.stepper(ywxb_graph(), str(tmp_path / "lesson.html"))
    browser.get("file://" + path + "#3")
    state = _state(browser)
    assert state["counter"] == "step 3 / 4" and state["op1"] == "rgb(255, 140, 0)"  # backward through add
    assert state["rule"].splitlines()[0] == "start: y.grad = 1.0"


def test_a_wide_diagram_opens_fitted_to_the_panel(browser, tmp_path):
    from test_viz_graphs import chain_graph

    G = chain_graph(6)
    for i in range(7):  # wide labels: the diagram is wider than the panel at actual size
        G.nodes[f"t{i}"]["name"] = f"a very long tensor name number {i} " * 3
    path = vg.viz.stepper(G, str(tmp_path / "lesson.html"))
    browser.get("file://" + path)
    fitted = browser.execute_script("""
        const d = document.getElementById('vg-diagram'), svg = d.querySelector('svg');
        return {fit: d.classList.contains('fit'), svgWidth: svg.getBoundingClientRect().width,
                panel: d.clientWidth, button: document.getElementById('vg-fit').textContent};
    """)
    assert fitted["fit"] and fitted["svgWidth"] <= fitted["panel"] and fitted["button"] == "actual size"
