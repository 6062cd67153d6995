"""kg.analyze.report: the analysis report page."""

from __future__ import annotations

import datetime as dt
import re

from synthetic import random_graph
from test_analyze import XSS_IMG, XSS_SCRIPT, small_graph
from test_visualize import EXTERNAL, browser, driver, no_alert  # noqa: F401  (driver is a fixture)

from kg.analyze import analyze, render_report, write_report
from kg.analyze.report import SCORE_HEADINGS, SCORE_HELP, bar_chart, timeline_chart
from kg.lexicons import ui


def test_report_content(tmp_path):
    path = write_report(small_graph(), tmp_path / "exports" / "report.html")
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]
    page = path.read_text(encoding="utf-8")
    assert not EXTERNAL.findall(page)
    assert "<script" not in page  # no scripts at all, and hostile text only escaped
    assert XSS_IMG not in page and "<img" not in page
    assert "&lt;script&gt;window.__xss=1;alert(1)&lt;/script&gt;" in page
    assert "<b>9</b> 实体" in page and "<b>8</b> 关系" in page and "<b>2</b> 连通分量" in page
    # most central per type, with the scores
    orgs = page.split("<h3>机构（Organization）</h3>")[1].split("</table>")[0]
    assert orgs.index("青禾科技公司") < orgs.index("青禾集团")  # the company has the higher PageRank
    assert "任职于（worksFor）" in page
    # each score explained in one line, the weights and the place hierarchy stated
    for key, line in SCORE_HELP.items():
        assert f"<dt>{SCORE_HEADINGS[key]}</dt><dd>{line}</dd>" in page
    assert "同句 1" in page and "不计入得分" in page
    assert "<th>提及次数</th>" in page
    # communities list their members; the timeline shows the dated ceremony
    assert re.search(r"社区 0：\d+ 个成员", page)
    assert "春季表彰大会" in page.split("<h2>事件时间线</h2>")[1] and "2024-03-15" in page
    assert page.count("<svg") == 3  # types, top entities, timeline


def test_report_of_a_bigger_graph_is_bounded():
    a = analyze(random_graph(500, seed=8))
    page = render_report(a, top=5, communities=3, members=4)
    assert page.count('<section class="community">') == 3
    assert "…及其他" in page
    for t in ("人物", "机构", "地点", "项目", "事件"):
        assert f"<h3>{t}（" in page


def test_charts_escape_labels():
    svg = bar_chart([(XSS_SCRIPT, 3, "#123456"), ("乙", 1, "#654321")], title="<t>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'aria-label="&lt;t&gt;"' in svg
    line = timeline_chart([(dt.date(2020, 1, 1), XSS_IMG, "2020年"), (dt.date(2023, 6, 1), "乙", "2023-06")])
    assert "<img" not in line and line.count("<circle") == 2
    assert timeline_chart([]) == ""


def test_report_labels_come_from_the_catalogue():
    assert SCORE_HEADINGS["degree"] == ui("score.degree") and SCORE_HELP["mentions"] == ui("score.help.mentions")
    page = render_report(analyze(random_graph(300, seed=2)), communities=2, members=3)
    assert f"<title>{ui('report.title')}</title>" in page and f"<h1>{ui('report.title')}</h1>" in page
    assert f"<h2>{ui('report.timeline')}</h2>" in page and f'aria-label="{ui("report.timeline")}"' in page
    multi = len([c for c in analyze(random_graph(300, seed=2)).communities if len(c) > 1])
    assert f"<h2>{ui('report.communities', multi=multi, shown=2)}</h2>" in page
    assert render_report(analyze(random_graph(30, seed=2)), title="<T>").count("<h1>&lt;T&gt;</h1>") == 1


def test_empty_graph_report():
    import rdflib

    page = render_report(analyze(rdflib.Graph()))
    assert "<b>0</b> 实体" in page and "没有带日期的事件" in page


@browser
def test_report_opens_offline_and_probes_stay_text(driver, tmp_path):  # noqa: F811
    path = write_report(small_graph(), tmp_path / "report.html")
    driver.get_log("browser")
    driver.get(path.resolve().as_uri())
    assert driver.find_element("tag name", "h1").text == "知识图谱分析报告"
    assert XSS_SCRIPT in driver.find_element("tag name", "body").text
    assert driver.execute_script("return window.__xss === undefined && document.images.length === 0")
    assert no_alert(driver)
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources == []
    assert driver.get_log("browser") == []


def test_control_and_bidi_characters_never_reach_the_svg():
    svg = bar_chart([("林晓峰\u202e\x07\x00", 3.0, "#e15759")], title="标题\x08")
    assert not re.search("[\x00-\x08\u202e]", svg)
    assert "林晓峰" in svg
