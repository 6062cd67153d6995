"""kg.pipeline.build on a small invented page: exports, determinism, SHACL, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest import read_sources
from kg.pipeline import build, extract_articles, make_corpus

PAGE = """---
date: 2025-05-08
newspaper: 海河工人报
---
## 杭州市总工会推出职工服务新举措

本报记者 林晓峰

杭州市总工会主席周文涛表示，“职工之家”服务平台已在全市上线。技术员高鹏、陈雨和李娜参加了杭州市职工技能大赛。

5月8日，杭州市职工技能大赛颁奖仪式在杭州国际博览中心举行。劳动模范高鹏在浙江大学宣讲。

## 海淀区职工技能竞赛开幕

本报通讯员 王立群

海淀区举办职工技能竞赛。区工商联主席赵明远说，竞赛覆盖职工两万余人次。
"""


def _write_page(folder: Path, name: str = "page.md", text: str = PAGE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    src = root / "src"
    _write_page(src)
    out = root / "out"
    report = build([src], out, view=False)
    return src, out, report


def test_build_report_counts(built):
    _, _, report = built
    assert report.files == 1
    assert report.documents == 1
    assert report.articles == 2
    assert report.sentences >= 5
    assert report.entities == sum(n for _, n in report.by_type)
    assert report.relations > 0
    assert report.triples > 0
    assert report.skipped == ()
    types = dict(report.by_type)
    assert types.get("Person", 0) >= 5  # 周文涛 高鹏 陈雨 李娜 赵明远 (and the byline names)
    assert types.get("Organization", 0) >= 1 and types.get("Place", 0) >= 1
    assert {name for name, _ in report.timings} >= {"ingest", "extract", "rdf", "validate", "store"}


def test_build_writes_exports(built):
    _, out, report = built
    for name in ("kg.ttl", "ontology.ttl", "report.html"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert (out / "store").is_dir()
    assert not (out / "kg.html").exists()  # view=False
    assert str(out / "kg.ttl") in report.outputs
    ttl = (out / "kg.ttl").read_text(encoding="utf-8")
    for name in ("周文涛", "杭州市总工会", "职工之家服务平台", "海淀区"):
        assert name in ttl, name


def test_build_has_no_shacl_violations(built):
    _, _, report = built
    assert report.violations == ()


def test_kg_ttl_is_byte_identical_over_two_builds(built, tmp_path):
    src, out, _ = built
    build([src], tmp_path / "again", view=False)
    assert (tmp_path / "again" / "kg.ttl").read_bytes() == (out / "kg.ttl").read_bytes()


def test_district_reference_resolved_in_the_build(built):
    src, _, _ = built
    corpus = make_corpus(read_sources([src]))
    orgs = {e.label: e for e in corpus.entities if e.type == "Organization"}
    assert "海淀区工商联" in orgs
    assert "区工商联" in orgs["海淀区工商联"].aliases
    # the two unions of two places stay two bodies
    assert "杭州市总工会" in orgs and "海淀区工商联" not in orgs["杭州市总工会"].aliases


def test_mentions_point_at_their_quote(built):
    src, _, _ = built
    ing = read_sources([src])
    located = extract_articles(ing.articles, ing.documents)
    text = ing.documents[0].text
    assert located
    for x in located:
        ev = x.evidence
        assert text[ev.start:ev.end] == ev.quote
        assert ev.quote.replace("\n", "") == x.mention.text or ev.quote == x.mention.text


def test_bad_files_are_skipped_and_reported(tmp_path):
    src = tmp_path / "src"
    _write_page(src)
    (src / "empty.md").write_text("", encoding="utf-8")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 200)
    (src / "image.png").write_bytes(b"\x89PNG\r\n")
    (src / "broken.jsonl").write_text('{"text": "海河市总工会主席林晓峰说。"}\n{not json\n', encoding="utf-8")
    report = build([src, tmp_path / "missing"], tmp_path / "out", view=False, analyze=False)
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert {"empty.md", "binary.txt", "image.png", "missing"} <= set(skipped)
    assert "broken.jsonl:2" in skipped and "JSON" in skipped["broken.jsonl:2"]
    assert all(reason for reason in skipped.values())
    # the rest is built: the page and the good JSON line
    assert report.documents == 2
    assert report.articles == 3
    assert (tmp_path / "out" / "kg.ttl").is_file()
    assert "周文涛" in (tmp_path / "out" / "kg.ttl").read_text(encoding="utf-8")


def test_build_with_view(tmp_path):
    src = tmp_path / "src"
    _write_page(src)
    report = build([src], tmp_path / "out", components=["persons", "organizations", "places"])
    view = tmp_path / "out" / "kg.html"
    assert str(view) in report.outputs
    html = view.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "周文涛" in html
    assert dict(report.by_type).get("Program", 0) == 0  # only the chosen components ran


def test_unknown_component_fails_the_build(tmp_path):
    from kg.errors import ExtractorNotFound

    src = tmp_path / "src"
    _write_page(src)
    with pytest.raises(ExtractorNotFound):
        build([src], tmp_path / "out", components=["no-such-component"], view=False)
