"""kg.visualize: the offline pyvis view, checked as text and in headless Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import rdflib
from synthetic import GraphBuilder, random_graph
from test_analyze import XSS_IMG, XSS_SCRIPT, iri, small_graph

from kg.analyze import EntityNotFound, analyze, scores_to_rdf, to_networkx
from kg.lexicons import ui
from kg.ns import KGO
from kg.schema import EVENT, PERSON
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
    labels = {n["name"] for n in d["nodes"]}
    assert XSS_SCRIPT in labels and "李明远" in labels and len(d["nodes"]) == 9
    assert all("label" not in n for n in d["nodes"])  # the page draws names itself
    # 8 relations and the 3 same-sentence co-mentions between entities no relation joins
    assert len(d["edges"]) == 11 and sum(e["rel"] == "comention" for e in d["edges"]) == 3
    # evidence sentences travel as data, hostile ones too (escaped above)
    assert f"周若兰在青禾集团工作，{XSS_IMG}出席了春季表彰大会。" in d["meta"]["sentences"]
    li = next(n for n in d["nodes"] if n["name"] == "李明远")
    assert li["shape"] == "dot" and li["ktype"] == PERSON and li["aliases"] == ["小李"]
    assert f"类型：人物（{PERSON}）" in li["title"] and "证据：李明远是青禾科技公司总工程师。" in li["title"]
    assert "文章：青禾科技推进绿色工坊计划" in li["title"] and "别名：小李" in li["title"]
    assert {e["label"] for e in d["edges"]} >= {"任职于", "隶属于", "主办方"}
    assert d["options"]["physics"]["enabled"] is True
    assert d["meta"]["articles"][1] == f"表彰大会 {XSS_SCRIPT}"


def test_placeholders_in_text_are_not_expanded():
    b = GraphBuilder()
    b.entity(PERSON, "@@EDGES@@ @@VIS_JS@@ @@ui:view.title@@")
    page = render_view(b.graph, title="@@ui:view.legend@@ @@META@@")
    d = page_data(page)
    assert d["nodes"][0]["name"] == "@@EDGES@@ @@VIS_JS@@ @@ui:view.title@@" and d["edges"] == []
    assert page.count("<title>@@ui:view.legend@@ @@META@@</title>") == 1


def test_page_labels_come_from_the_catalogue_escaped_and_hashed():
    page = render_view(small_graph())
    assert "@@ui:" not in page  # every placeholder of the template and the script filled
    assert f"<title>{ui('view.title')}</title>" in page
    assert f'placeholder="{ui("view.search")}" aria-label="{ui("view.search")}"' in page
    assert f'<p class="muted">{ui("view.panel.hint")}</p>' in page
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    app = scripts[-1]
    assert f'"{ui("view.search.not_found")}" + q' in app and f'"{ui("view.count.nodes")} "' in app
    digest = base64.b64encode(hashlib.sha256(app.encode("utf-8")).digest()).decode("ascii")
    assert f"'sha256-{digest}'" in page  # the CSP allows the script as filled, so it runs


def test_scores_are_the_same_in_full_and_focused_views_report_and_store():
    g = small_graph()
    a = analyze(g)
    stored = scores_to_rdf(a)

    def ranks(page: str) -> dict[str, float]:
        return {n["iri"]: n["pr"] for n in page_data(page)["nodes"]}

    full, focused = ranks(render_view(g)), ranks(render_view(g, focus="李明远", hops=1))
    assert set(focused) < set(full)
    for v, pr in focused.items():
        assert pr == full[v] == a.scores[v].pagerank == float(stored.value(rdflib.URIRef(v), KGO.pagerank))
    assert ranks(render_view(a, focus="李明远", hops=1)) == focused
    assert ranks(render_view(to_networkx(g), focus="李明远", hops=1)) == focused
    assert f"PageRank：{a.scores[iri('person', '李明远')].pagerank:.4f}" in render_view(g, focus="李明远", hops=1)


def test_isolated_nodes_and_event_dates_are_marked():
    d = page_data(render_view(small_graph()))
    by_name = {n["name"]: n for n in d["nodes"]}
    assert [n for n, x in by_name.items() if x["iso"]] == ["孤岛村"]
    assert (by_name["春季表彰大会"]["dfrom"], by_name["春季表彰大会"]["dto"]) == ("2024-03-15", "2024-03-15")
    assert "dfrom" not in by_name["李明远"]
    b = GraphBuilder()
    for name, date in (("甲会", "2024"), ("乙会", "2023-02"), ("丙会", "2024-13")):
        b.attribute(b.entity(EVENT, name), "dateText", date)
    days = {n["name"]: (n.get("dfrom"), n.get("dto")) for n in page_data(render_view(b.graph))["nodes"]}
    assert days == {"甲会": ("2024-01-01", "2024-12-31"), "乙会": ("2023-02-01", "2023-02-28"), "丙会": (None, None)}


def test_focus_and_hops(tmp_path):
    g = small_graph()
    d = page_data(write_view(g, tmp_path / "f.html", focus="小李", hops=1).read_text(encoding="utf-8"))
    assert sorted(n["name"] for n in d["nodes"]) == ["李明远", "青禾科技公司"]
    focus = next(n for n in d["nodes"] if n["name"] == "李明远")
    assert d["meta"]["focus"] == focus["id"] and focus["borderWidth"] == 4
    d2 = page_data(render_view(g, focus="李明远", hops=2))
    assert sorted(n["name"] for n in d2["nodes"]) == ["临川市", "李明远", "绿色工坊计划", "青禾科技公司", "青禾集团"]
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
    return driver.execute_script("return kgView.nodes.get({filter: n => n.name === arguments[0]})[0].id", label)


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
    # 孤岛村, the one isolated node, is hidden; 8 relations and 3 co-mentions are drawn
    assert counts == [G.number_of_nodes(), 11, 8, 11, 8]
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
def test_click_shows_neighbours_with_relation_and_evidence_and_filters_hide_nodes(driver, tmp_path):
    open_page(driver, write_view(small_graph(), tmp_path / "kg.html"))
    group = node_id(driver, "青禾集团")
    actions, canvas, dx, dy = hover(driver, group)
    actions.move_to_element_with_offset(canvas, dx, dy).click().perform()
    assert driver.execute_script("return kgView.focused") == group
    rows = driver.find_elements("css selector", "#kg-panel .nbr")
    listed = {r.find_element("css selector", "button.nb").text: r for r in rows}
    assert sorted(listed) == sorted(["青禾科技公司", "周若兰", "春季表彰大会", XSS_SCRIPT, "临川市"])
    # through which relation (and which way), with the sentence that says so
    assert listed["周若兰"].find_element("css selector", ".rel").text == "← 任职于"
    assert listed["青禾科技公司"].find_element("css selector", ".rel").text == "← 隶属于"
    assert listed["青禾科技公司"].find_element("css selector", ".ev").text == "「青禾科技公司隶属于青禾集团，位于临川市。」"
    assert listed["临川市"].find_element("css selector", ".rel").text == "共现"
    typed = [r.find_element("css selector", ".rel").text != "共现" for r in rows]
    assert typed == sorted(typed, reverse=True)  # relations first, co-mentions after
    assert sorted(driver.execute_script("return kgView.network.getSelectedNodes()")) == sorted(
        [group] + [node_id(driver, x) for x in listed]
    )
    listed["周若兰"].find_element("css selector", "button.nb").click()
    assert driver.execute_script("return kgView.focused") == node_id(driver, "周若兰")
    shown = "return [kgView.network.body.nodeIndices.length, kgView.network.body.edgeIndices.length]"
    driver.find_element("css selector", f"#kg-legend input[data-type={PERSON}]").click()
    assert driver.execute_script(shown) == [5, 5]  # three people and the edges they touch are hidden
    driver.find_element("css selector", f"#kg-legend input[data-type={PERSON}]").click()
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "kg-article")).select_by_visible_text("青禾科技推进绿色工坊计划")
    assert driver.execute_script(shown) == [6, 6]  # a1 mentions five entities, its author is the sixth
    Select(driver.find_element("id", "kg-article")).select_by_value("")
    assert driver.execute_script(shown) == [8, 11]
    assert driver.get_log("browser") == []


@browser
def test_isolated_toggle_and_date_filter(driver, tmp_path):
    open_page(driver, write_view(small_graph(), tmp_path / "kg.html"))
    shown = "return kgView.network.body.nodeIndices.map(i => kgView.nodes.get(i).name).sort()"
    assert "孤岛村" not in driver.execute_script(shown)  # isolated: hidden by default
    assert driver.find_element("id", "kg-isolated-n").text == "1"
    driver.find_element("id", "kg-isolated").click()
    assert "孤岛村" in driver.execute_script(shown)
    driver.find_element("id", "kg-isolated").click()
    assert "孤岛村" not in driver.execute_script(shown)
    # searching for an isolated node shows it
    box = driver.find_element("id", "kg-search")
    box.send_keys("孤岛村")
    driver.find_element("id", "kg-search-go").click()
    assert "孤岛村" in driver.execute_script(shown) and driver.find_element("id", "kg-isolated").is_selected()
    driver.find_element("id", "kg-isolated").click()

    dates = driver.find_element("id", "kg-dates")
    assert dates.is_displayed()
    assert driver.find_element("id", "kg-from").get_attribute("min") == "2024-03-15"

    def set_date(field: str, value: str) -> None:
        driver.execute_script(
            "var i = document.getElementById(arguments[0]); i.value = arguments[1];"
            " i.dispatchEvent(new Event('change'));", field, value)

    set_date("kg-from", "2024-04-01")  # after the ceremony: it goes, nothing else does
    after = driver.execute_script(shown)
    assert "春季表彰大会" not in after and len(after) == 7
    set_date("kg-from", "2024-03-01")
    set_date("kg-to", "2024-03-31")
    assert "春季表彰大会" in driver.execute_script(shown)
    set_date("kg-to", "2024-03-14")
    assert "春季表彰大会" not in driver.execute_script(shown)
    set_date("kg-from", "")
    set_date("kg-to", "")
    assert len(driver.execute_script(shown)) == 8
    assert driver.get_log("browser") == []


@browser
def test_labels_never_overlap_and_selection_exports(driver, tmp_path):
    G = to_networkx(random_graph(150, seed=6), comention="sentence")
    open_page(driver, write_view(G, tmp_path / "kg.html"))

    def check_labels() -> list:
        boxes = driver.execute_script("return kgView.labels")
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
                            and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]), (a, b)
        return boxes

    first = check_labels()
    assert len(first) >= 20
    driver.execute_script("kgView.network.moveTo({scale: kgView.network.getScale() * 3}); kgView.network.redraw()")
    zoomed = check_labels()
    # zoomed in, names are drawn larger
    assert max(b["h"] for b in zoomed) > max(b["h"] for b in first)

    target = driver.execute_script("return kgView.nodes.getIds().sort((a, b) => kgView.nodes.get(b).pr - kgView.nodes.get(a).pr)[0]")
    driver.execute_script("kgView.focusNode(arguments[0], false)", target)
    chosen = set(driver.execute_script("return kgView.network.getSelectedNodes()"))
    assert len(chosen) > 1
    png = driver.execute_script("return kgView.png()")
    assert png.startswith("data:image/png;base64,") and len(png) > 5_000
    driver.find_element("id", "kg-sparql").click()
    query = driver.find_element("id", "kg-sparql-text").get_attribute("value")
    iris = {driver.execute_script("return kgView.nodes.get(arguments[0]).iri", i) for i in chosen}
    rows = rdflib.Graph().parse(data=random_graph(150, seed=6).serialize(format="nt"), format="nt").query(query)
    assert {str(r.entity) for r in rows} == iris  # the query selects exactly what is selected
    assert any(r.other is not None for r in rows)  # and the relations between them
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
    # the neighbour list quotes the hostile sentence as text
    quote = driver.find_elements("css selector", "#kg-panel .nbr .ev")
    assert any(XSS_IMG in q.text for q in quote)
    # names drawn on the canvas, the SPARQL of the selection: text, and the IRI stays one IRI
    assert any(b["id"] == evil for b in driver.execute_script("return kgView.labels"))
    driver.find_element("id", "kg-sparql").click()
    query = driver.find_element("id", "kg-sparql-text").get_attribute("value")
    assert "%3Cscript%3E" in query and "<script>" not in query
    rows = small_graph().query(query)
    assert iri("person", XSS_SCRIPT) in {str(r.entity) for r in rows}
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
    linked = sum(1 for v in G if G.degree(v))
    assert counts == [linked, G.number_of_edges()] and linked < len(G)  # isolated nodes hidden
    assert len(driver.execute_script("return kgView.labels")) >= 20
    assert driver.execute_script("return kgView.network.physics.physicsEnabled") is False
    assert driver.get_log("browser") == []
    driver.save_screenshot(str(tmp_path / "kg-view-large.png"))


_LAYOUT_CHILD = """
import hashlib, json, sys
sys.path.insert(0, sys.argv[1])
from synthetic import random_graph
from kg.analyze import to_networkx
from kg.visualize import layout
pos = layout(to_networkx(random_graph(700, seed=3)))
print(hashlib.sha256(json.dumps(sorted(pos.items()), ensure_ascii=False).encode()).hexdigest())
"""


def test_the_layout_of_a_large_view_is_the_same_in_every_process() -> None:
    """Positions must not follow the process's string hashing (PYTHONHASHSEED): the same sources
    give the same view file."""
    import os
    import subprocess
    import sys

    digests = set()
    for hash_seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run([sys.executable, "-c", _LAYOUT_CHILD, str(Path(__file__).parent)],
                              capture_output=True, text=True, env=env, timeout=300, check=True)
        digests.add(done.stdout.strip())
    assert len(digests) == 1


def test_a_place_shows_the_divisions_it_is_in_even_unnamed_ones() -> None:
    from kg.lexicons import ui
    from kg.model import Corpus, Entity, EntityKey
    from kg.rdf import corpus_to_graph

    places = (Entity(EntityKey("Place", "杭州市"), "Place", "杭州市"), Entity(EntityKey("Place", "翠湖公园"), "Place", "翠湖公园"))
    graph = corpus_to_graph(Corpus(entities=places))
    G = to_networkx(graph)
    hz = next(v for v in G if G.nodes[v]["label"] == "杭州市")
    park = next(v for v in G if G.nodes[v]["label"] == "翠湖公园")
    assert G.nodes[hz]["division"] == ("中国", "浙江省", "杭州市")
    assert G.nodes[park]["division"] == ()
    html = render_view(graph)
    line = ui("view.tooltip.division", path="中国 › 浙江省 › 杭州市")
    assert json.dumps(line, ensure_ascii=False)[1:-1] in html
