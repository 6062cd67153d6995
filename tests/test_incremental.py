"""Incremental builds: cached mentions per document, a manifest per build; the output is always
the one a full build gives."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kg.cache import ExtractCache
from kg.pipeline import build
from kg.store import Store

PAGES = {
    "a.md": "## 海河市总工会推出服务新举措\n\n本报记者 林晓峰\n\n海河市总工会主席陈立明表示，“职工之家”服务平台已上线。"
            "技术员高鹏参加了海河市职工技能大赛。\n",
    "b.md": "## 青岚区举办职工技能竞赛\n\n青岚区工商联主席赵明远说，竞赛覆盖职工两万余人次。劳动模范孙悦在青岚大学宣讲。\n",
    "c.md": "## 东湖公司成立工会\n\n东湖科技有限公司总经理周文涛介绍，公司工会已成立。工程师韩冰当选工会主席。\n",
}


def _write(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _build(src: Path, out: Path, **kw: object):
    return build([src], out, view=False, analyze=False, **kw)  # type: ignore[arg-type]


def _triples(out: Path) -> set[tuple[object, object, object]]:
    with Store.open(out / "store", read_only=True) as st:
        return set(st.triples())


def _same_as_full(src: Path, out: Path, tmp: Path) -> None:
    """``out`` holds what a full build of ``src`` into a fresh folder writes, byte for byte."""
    fresh = tmp / "fresh"
    _build(src, fresh, full=True)
    assert (out / "kg.ttl").read_bytes() == (fresh / "kg.ttl").read_bytes()
    assert _triples(out) == _triples(fresh)


@pytest.fixture
def first(tmp_path: Path):
    src = _write(tmp_path / "src", PAGES)
    out = tmp_path / "out"
    report = _build(src, out)
    assert (report.extracted, report.reused, report.unchanged) == (3, 0, False)
    return src, out, report


def test_an_unchanged_build_ends_at_once_and_leaves_the_output(first):
    src, out, report = first
    ttl = out / "kg.ttl"
    before = (ttl.read_bytes(), os.stat(ttl.resolve()).st_mtime_ns)
    again = _build(src, out)
    assert again.unchanged and again.generation == report.generation
    assert (again.entities, again.triples, again.relations) == (report.entities, report.triples, report.relations)
    assert (ttl.read_bytes(), os.stat(ttl.resolve()).st_mtime_ns) == before
    assert again.seconds < max(0.5, report.seconds / 4)


def test_added_changed_and_deleted_files_are_the_only_ones_extracted(first, tmp_path):
    src, out, _ = first
    (src / "a.md").write_text(PAGES["a.md"].replace("高鹏", "李娜"), encoding="utf-8")  # changed
    (src / "c.md").unlink()  # deleted: its facts and entities go
    (src / "d.md").write_text("## 南山街道\n\n南山街道党工委书记吴海波说，调解室已开放。\n", encoding="utf-8")  # added
    report = _build(src, out)
    assert (report.extracted, report.reused, report.unchanged) == (2, 1, False)
    ttl = (out / "kg.ttl").read_text(encoding="utf-8")
    assert "李娜" in ttl and "吴海波" in ttl
    for gone in ("高鹏", "周文涛", "韩冰", "c.md"):  # no mention is left: the entity disappears
        assert gone not in ttl, gone
    _same_as_full(src, out, tmp_path)
    # the cache keeps the entries of the documents of the current build only
    entries = list((out / ".cache" / "extract").rglob("*.json"))
    assert len(entries) == 3


def test_full_extracts_everything_and_gives_the_same_output(first, tmp_path):
    src, out, _ = first
    before = (out / "kg.ttl").read_bytes()
    report = _build(src, out, full=True)
    assert (report.extracted, report.reused, report.unchanged) == (3, 0, False)
    assert (out / "kg.ttl").read_bytes() == before


def test_a_corrupt_or_foreign_cache_entry_is_recomputed_never_trusted(first, tmp_path):
    src, out, _ = first
    entries = sorted((out / ".cache" / "extract").rglob("*.json"))
    assert len(entries) == 3
    entries[0].write_bytes(b"\x00not json{")
    data = json.loads(entries[1].read_text(encoding="utf-8"))
    for rows in data["sentences"]:  # offsets outside the sentence
        for row in rows:
            row[1], row[2] = 500, 900
    entries[1].write_text(json.dumps(data), encoding="utf-8")
    data = json.loads(entries[2].read_text(encoding="utf-8"))
    data["key"] = "0" * 64  # an entry for another document
    entries[2].write_text(json.dumps(data), encoding="utf-8")
    (src / "b.md").write_text(PAGES["b.md"] + "\n", encoding="utf-8")  # so the build is not "unchanged"
    report = _build(src, out)
    assert (report.extracted, report.reused) == (3, 0)
    _same_as_full(src, out, tmp_path)


def test_the_configuration_is_part_of_the_manifest(first):
    src, out, _ = first
    again = _build(src, out, date="2024-03-01")  # --date: another output
    assert not again.unchanged and again.reused == 3  # mentions do not depend on the date
    other = _build(src, out, date="2024-03-01", components=["persons", "organizations", "places"])
    assert not other.unchanged and other.extracted == 3  # other components: other mentions


def test_the_cache_is_never_read_as_a_source_and_survives_generations(tmp_path):
    src = _write(tmp_path / "src", PAGES)
    out = src / "out"  # the output folder inside the sources
    first = _build(src, out)
    assert first.files == 3
    (src / "b.md").write_text(PAGES["b.md"].replace("孙悦", "钱悦"), encoding="utf-8")
    second = _build(src, out)
    assert second.files == 3 and (second.extracted, second.reused) == (1, 2)
    assert (out / ".cache").is_dir() and len(list((out / ".generations").iterdir())) == 1


def test_an_incremental_parallel_build_equals_a_serial_full_one(first, tmp_path):
    src, out, _ = first
    (src / "e.md").write_text(PAGES["b.md"].replace("青岚", "白沙"), encoding="utf-8")
    (src / "f.md").write_text(PAGES["c.md"].replace("东湖", "西岭"), encoding="utf-8")
    report = _build(src, out, jobs=2)  # two documents to extract: two workers
    assert (report.extracted, report.reused) == (2, 3)
    _same_as_full(src, out, tmp_path)


def test_cache_keys_depend_on_configuration_content_and_sentences(tmp_path):
    cache = ExtractCache(tmp_path, "config-a")
    other = ExtractCache(tmp_path, "config-b")
    k = cache.key("sha", ["一句。", "二句。"])
    assert k != other.key("sha", ["一句。", "二句。"])
    assert k != cache.key("sha2", ["一句。", "二句。"])
    assert k != cache.key("sha", ["一句。二句。"])
    cache.put(k, ["一句。", "二句。"], [[], []])
    assert cache.get(k, ["一句。", "二句。"]) == [[], []]
    assert ExtractCache(tmp_path, "config-a", read=False).get(k, ["一句。", "二句。"]) is None
    assert cache.prune(keep=[]) == 1 and cache.get(k, ["一句。", "二句。"]) is None


def test_kg_build_json_full_and_progress_lines(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    src = _write(tmp_path / "src", PAGES)
    out = tmp_path / "out"
    args = ["build", str(src), "--out", str(out), "--no-view"]
    runner = CliRunner()
    first = runner.invoke(cli, [*args, "--json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout.strip().splitlines()[-1])
    assert (data["unchanged"], data["extracted"], data["documents"]) == (False, 3, 3)
    assert {"ingest", "extract", "resolve", "relate", "rdf", "validate", "store"} <= set(data["stages"])
    again = runner.invoke(cli, [*args, "--json"])
    assert json.loads(again.stdout.strip().splitlines()[-1])["unchanged"] is True
    said = runner.invoke(cli, args)
    assert said.exit_code == 0 and said.output.startswith("unchanged: 3 document(s)")
    full = runner.invoke(cli, [*args, "--full", "--progress"])
    assert full.exit_code == 0, full.output
    lines = full.output.splitlines()
    assert any(x.startswith("kg: extract") and "characters/s" in x for x in lines)
    assert "extracted 3 document(s), 0 from the cache" in full.output
