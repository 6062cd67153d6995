"""kg.visualize: the offline pyvis view, checked as text and in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from synthetic import GraphBuilder, random_graph
from test_analyze import XSS_IMG, XSS_SCRIPT, small_graph

from kg.analyze import EntityNotFound, analyze, to_networkx
from kg.schema import PERSON
from kg.visualize import layout, render_view, write_view

# resource references that would make the browser fetch something
EXTERNAL = re.compile(r"""(?:\bsrc|\bhref|\baction|\bposter)\s*=\s*["']?\s*(?:https?:|//)|url\(\s*["']?\s*(?:https?:|//)|@import""", re.I)


def page_data(html: str) -> dict:
    def block(name: str):
        m = re.search(rf'<script type="application/json" id="kg-{name}">(.*?)</script>', html, re.S)
        assert m, name
        return json.loads(m.group(1))

    return {k: block(k) for k in ("nodes", "edges", "options", "meta")}


def test_page_is_self_contained_and_escaped(tmp_path):
    path = write_view(small_graph(), tmp_path / "out" / "kg.html")
    assert path == tmp_path / "out" / "kg.html"
    assert [p.name for p in path.parent.iterdir()] == ["kg.html"]  # no temp file left behind
    html = path.read_text(encoding="utf-8")
    assert not EXTERNAL.findall(html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # hostile text never appears as markup, only JSON-escaped
    assert XSS_SCRIPT not in html and XSS_IMG not in html and "<img" not in html
    d = page_data(html)
    labels = {n["label"] for n in d["nodes"]}
    assert XSS_SCRIPT in labels and "李明远" in labels and len(d["nodes"]) == 9
    assert len(d["edges"]) == 8
    li = next(n for n in d["nodes"] if n["label"] == "李明远")
    assert li["shape"] == "dot" and li["ktype"] == PERSON and li["aliases"] == ["小李"]
    assert f"类型：人物（{PERSON}）" in li["title"] and "证据：李明远是青禾科技公司总工程师。" in li["title"]
    assert "文章：青禾科技推进绿色工坊计划" in li["title"] and "别名：小李" in li["title"]
    assert {e["label"] for e in d["edges"]} >= {"任职于", "隶属于", "主办方"}
    assert d["options"]["physics"]["enabled"] is True
    assert d["meta"]["articles"][1] == f"表彰大会 {XSS_SCRIPT}"


def test_placeholders_in_text_are_not_expanded():
    b = GraphBuilder()
    b.entity(PERSON, "@@EDGES@@ @@VIS_JS@@")
    d = page_data(render_view(b.graph))
    assert d["nodes"][0]["label"] == "@@EDGES@@ @@VIS_JS@@" and d["edges"] == []


def test_focus_and_hops(tmp_path):
    g = small_graph()
    d = page_data(write_view(g, tmp_path / "f.html", focus="小李", hops=1).read_text(encoding="utf-8"))
    assert sorted(n["label"] for n in d["nodes"]) == ["李明远", "青禾科技公司"]
    focus = next(n for n in d["nodes"] if n["label"] == "李明远")
    assert d["meta"]["focus"] == focus["id"] and focus["borderWidth"] == 4
    d2 = page_data(render_view(g, focus="李明远", hops=2))
    assert len(d2["nodes"]) == 5
    with pytest.raises(EntityNotFound):
        render_view(g, focus="无此人")


def test_large_graphs_get_positions_and_no_physics():
    G = to_networkx(random_graph(300, seed=4))
    d = page_data(render_view(analyze(G), large=100))
    assert d["meta"]["large"] is True and d["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in d["nodes"])
    assert all("label" not in e for e in d["edges"])
    pos = layout(G, seed=1)
    assert pos == layout(G, seed=1) and set(pos) == set(G)
    assert len(set(pos.values())) > 0.95 * len(pos)  # hardly any two nodes on one spot


# ---------------------------------------------------------------- in a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-untrusted:", "chrome-extension:", "devtools:")


@pytest.fixture(scope="module")
def driver():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    for arg in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,900", f"--user-data-dir={profile}",
    ):  # fmt: skip
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    d.set_page_load_timeout(60)
    yield d
    d.quit()
    shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, path: Path, timeout: float = 60.0) -> None:
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    end = time.time() + timeout
    while not driver.execute_script("return !!(window.kgView && window.kgView.stable)"):
        assert time.time() < end, "the view never reported stable"
        time.sleep(0.1)


def requests_made(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            urls.append(msg["params"].get("request", {}).get("url") or msg["params"].get("url", ""))
    return urls


def no_alert(driver) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert.dismiss()
    except NoAlertPresentException:
        return True
    return False


def node_id(driver, label: str) -> int:
    return driver.execute_script("return kgView.nodes.get({filter: n => n.label === arguments[0]})[0].id", label)


def hover(driver, nid: int):
    from selenium.webdriver.common.action_chains import ActionChains

    x, y = driver.execute_script(
        "var p = kgView.network.canvasToDOM(kgView.network.getPosition(arguments[0])); return [p.x, p.y];", nid
    )
    canvas = driver.find_element("css selector", "#kg-network canvas")
    w, h = canvas.size["width"], canvas.size["height"]
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - w / 2), int(y - h / 2)).perform()
    return ActionChains(driver), canvas, int(x - w / 2), int(y - h / 2)


@browser
def test_renders_offline_without_errors(driver, tmp_path):
    G = to_networkx(small_graph())
    path = write_view(small_graph(), tmp_path / "kg.html")
    open_page(driver, path)
    counts = driver.execute_script(
        "var v = kgView; return [v.nodes.length, v.edges.length, v.network.body.nodeIndices.length,"
        " v.network.body.edgeIndices.length, Object.keys(v.network.getPositions()).length]"
    )
    assert counts == [G.number_of_nodes(), G.number_of_edges(), 9, 8, 9]
    assert driver.execute_script("return kgView.network.physics.physicsEnabled") is False  # stopped
    assert driver.get_log("browser") == []
    urls = requests_made(driver)
    assert path.resolve().as_uri() in urls
    assert [u for u in urls if not u.startswith(LOCAL_SCHEMES)] == []
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in resources if not u.startswith(("file:", "data:"))] == []
    shot = tmp_path / "kg-view.png"
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


@browser
def test_search_focuses_a_node_by_name_or_alias(driver, tmp_path):
    open_page(driver, write_view(small_graph(), tmp_path / "kg.html"))
    box = driver.find_element("id", "kg-search")
    for query, label in (("青禾科技", "青禾科技公司"), ("小李", "李明远"), ("表彰", "春季表彰大会")):
        box.clear()
        box.send_keys(query)
        driver.find_element("id", "kg-search-go").click()
        target = node_id(driver, label)
        assert driver.execute_script("return kgView.focused") == target
        assert driver.execute_script("return kgView.network.getSelectedNodes()")[0] == target
        assert driver.find_element("css selector", "#kg-panel h2").text == label
    box.clear()
    box.send_keys("无此人")
    driver.find_element("id", "kg-search-go").click()
    assert driver.find_element("id", "kg-msg").text == "未找到：无此人"
    assert driver.get_log("browser") == []


@browser
def test_click_shows_neighbours_and_filters_hide_nodes(driver, tmp_path):
    open_page(driver, write_view(small_graph(), tmp_path / "kg.html"))
    group = node_id(driver, "青禾集团")
    actions, canvas, dx, dy = hover(driver, group)
    actions.move_to_element_with_offset(canvas, dx, dy).click().perform()
    assert driver.execute_script("return kgView.focused") == group
    buttons = [b.text for b in driver.find_elements("css selector", "#kg-panel button.nb")]
    assert sorted(buttons) == sorted(["青禾科技公司", "周若兰", "春季表彰大会"])
    assert sorted(driver.execute_script("return kgView.network.getSelectedNodes()")) == sorted(
        [group] + [node_id(driver, x) for x in buttons]
    )
    shown = "return [kgView.network.body.nodeIndices.length, kgView.network.body.edgeIndices.length]"
    driver.find_element("css selector", f"#kg-legend input[data-type={PERSON}]").click()
    assert driver.execute_script(shown) == [6, 4]  # three people and the edges they touch are hidden
    driver.find_element("css selector", f"#kg-legend input[data-type={PERSON}]").click()
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "kg-article")).select_by_visible_text("青禾科技推进绿色工坊计划")
    assert driver.execute_script(shown) == [6, 5]  # a1 mentions five entities, its author is the sixth
    Select(driver.find_element("id", "kg-article")).select_by_value("")
    assert driver.execute_script(shown) == [9, 8]
    assert driver.get_log("browser") == []


@browser
def test_xss_probes_in_names_and_sentences_do_not_run(driver, tmp_path):
    open_page(driver, write_view(small_graph(), tmp_path / "kg.html", comention="sentence"))
    assert no_alert(driver)
    evil = node_id(driver, XSS_SCRIPT)
    hover(driver, evil)
    end = time.time() + 5
    tip = ""
    while time.time() < end and XSS_IMG not in tip:
        tip = driver.execute_script("var t = document.querySelector('div.vis-tooltip'); return t ? t.innerText : ''")
        time.sleep(0.1)
    assert XSS_SCRIPT in tip and XSS_IMG in tip  # shown as text in the tooltip ...
    driver.execute_script("kgView.focusNode(arguments[0], false)", evil)
    panel = driver.find_element("id", "kg-panel").text
    assert XSS_SCRIPT in panel and XSS_IMG in panel  # ... and in the details panel
    assert driver.execute_script("return document.querySelectorAll('img, #kg-panel script, #kg-panel img, div.vis-tooltip :not(br)').length") == 0
    assert driver.execute_script("return window.__xss === undefined")
    assert no_alert(driver)
    assert driver.get_log("browser") == []


@browser
def test_large_graph_opens_with_fixed_positions(driver, tmp_path):
    G = to_networkx(random_graph(600, seed=5))
    path = write_view(G, tmp_path / "big.html", large=500)
    open_page(driver, path)
    counts = driver.execute_script("return [kgView.network.body.nodeIndices.length, kgView.network.body.edgeIndices.length]")
    assert counts == [G.number_of_nodes(), G.number_of_edges()]
    assert driver.execute_script("return kgView.network.physics.physicsEnabled") is False
    assert driver.get_log("browser") == []
    driver.save_screenshot(str(tmp_path / "kg-view-large.png"))
