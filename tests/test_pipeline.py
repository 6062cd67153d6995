"""kg.pipeline.build on a small invented page: exports, determinism, SHACL, bad files."""

from __future__ import annotations

from itertools import chain
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


# --- long input and workers (issue #16) ---------------------------------------------------------


def test_one_long_article_goes_to_the_extractor_in_bounded_groups_with_progress(monkeypatch):
    import kg.pipeline as pipeline
    from kg.ingest import Ingested, read_string
    from kg.ingest.sentences import MAX_SENTENCE

    text = "## 标题\n\n" + "海河市总工会主席林晓峰表示，职工服务平台已经上线。" * 6000 + "\n"  # one line, one article
    doc, arts = read_string(text, "long.md")
    calls: list[list[str]] = []

    def fake(texts, components=None, nested=False):
        calls.append(list(texts))
        return [[] for _ in texts]

    monkeypatch.setattr(pipeline, "extract_many", fake)
    seen: list[tuple[int, int]] = []
    pipeline.extract_articles(arts, [doc], progress=lambda stage, done, total: seen.append((done, total)), jobs=1)
    ing = Ingested((doc,), tuple(arts), ())
    assert len(arts) == 1 and len(calls) > 1
    assert sum(len(c) for c in calls) == ing.sentences
    assert all(sum(map(len, c)) <= pipeline.GROUP_CHARS + MAX_SENTENCE for c in calls)
    assert len(seen) == len(calls) and seen[-1] == (ing.sentences, ing.sentences)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_worker_count_is_capped_by_cpus_work_and_memory(monkeypatch):
    import kg.pipeline as pipeline

    monkeypatch.setattr(pipeline, "_cpus", lambda: 2)
    monkeypatch.setattr(pipeline, "_available_memory", lambda: 16 * 2**30)
    assert pipeline.worker_count(1000, 10**9, 10**6) == 2
    assert pipeline.worker_count(1000, 10**9, 1) == 1
    assert pipeline.worker_count(None, 10, 100) == 1  # small builds stay in one process
    assert pipeline.worker_count(None, 10**9, 100) == 2
    monkeypatch.setattr(pipeline, "_cpus", lambda: 64)
    monkeypatch.setattr(pipeline, "_available_memory", lambda: 3 * pipeline.WORKER_BYTES + 1)
    assert pipeline.worker_count(1000, 10**9, 10**6) == 3
    monkeypatch.setattr(pipeline, "_available_memory", lambda: 10)
    assert pipeline.worker_count(1000, 10**9, 10**6) == 1
    monkeypatch.setattr(pipeline, "_available_memory", lambda: None)
    assert pipeline.worker_count(1000, 10**9, 10**6) == 64


WORKERS_SCRIPT = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from kg.forked import die_with_parent

def pid(_):
    time.sleep(0.5)  # so that both workers get a task
    return os.getpid()

pool = ProcessPoolExecutor(max_workers=2, initializer=die_with_parent, initargs=(os.getpid(),))
print(" ".join(str(p) for p in set(pool.map(pid, range(4)))), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie is dead
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_die_with_a_killed_build():
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-c", WORKERS_SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in proc.stdout.readline().split()]
        assert workers and all(_alive(p) for p in workers)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers)


TW_PAGE = ("## 臺北市總工會舉辦職工技能大賽\n\n5月8日，臺北市總工會舉辦職工技能大賽，主席周文濤出席並講話。"
           "技術員高鵬獲得優秀技術能手稱號。\n")


def test_big5_news_is_read_and_its_traditional_characters_reach_the_models_as_simplified(tmp_path):
    (tmp_path / "tw.txt").write_bytes(TW_PAGE.encode("big5"))
    ing = read_sources([tmp_path])
    doc = ing.documents[0]
    assert doc.encoding == "big5" and doc.text == TW_PAGE  # the document is the text as written
    corpus = make_corpus(ing, components=["ner", "persons", "organizations", "places", "programs", "events"])
    labels = {(e.type, e.label) for e in corpus.entities}
    assert {("Person", "周文涛"), ("Person", "高鹏"), ("Organization", "台北市总工会")} <= labels
    for e in corpus.entities:
        for ev in e.mentions:  # offsets point into the original (traditional) text
            assert doc.text[ev.start:ev.end] == ev.quote
    quotes = {ev.quote for e in corpus.entities if e.label == "周文涛" for ev in e.mentions}
    assert quotes == {"周文濤"}
    assert any(r.predicate == "jobTitle" and r.obj == "主席" for r in corpus.relations)


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                out.append(int(d.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_stops_a_parallel_build_and_its_workers(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    page = "## 海河新闻\n\n" + "海河市总工会主席林晓峰表示，职工服务平台已经上线。" * 8000 + "\n"
    (tmp_path / "a.md").write_text(page, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(tmp_path / "a.md"), "--out", str(tmp_path / "out"),
                             "--no-view", "-q", "--jobs", "2", "--components", "persons,organizations"],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _children(proc.pid)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the build finished before the signal")
    # 130, or killed by the signal itself (which a shell also reports as 130)
    assert proc.returncode in (130, -signal.SIGINT) and "Traceback" not in err, err
    assert time.monotonic() - t0 < 10  # the workers are stopped, not waited for
    time.sleep(0.5)
    assert len(workers) == 2 and not any(_alive(p) for p in workers)
    assert not list((tmp_path / "out" / ".generations").glob("*"))


# --- SHACL beside the build (kg.forked) ------------------------------------------------------------
def test_shacl_checked_beside_the_build_gives_the_same_build(built, tmp_path, monkeypatch):
    import kg.pipeline

    src, out, report = built
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0)
    again = build([src], tmp_path / "out", view=False, full=True)
    assert again.violations == report.violations == ()
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == (out / "kg.ttl").read_bytes()
    assert "validate" in dict(again.timings)


@pytest.mark.parametrize("large", [True, False])
def test_a_large_build_lets_go_of_the_segmenter_and_builds_the_same(built, tmp_path, monkeypatch, large):
    import kg.extract.tokens
    import kg.pipeline

    src, out, _ = built
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0 if large else 10**9)
    kg.extract.tokens.segment("工会主席说")  # the segmenter loaded, as after any build
    assert kg.extract.tokens._SEGMENTER is not None
    build([src], tmp_path / "out", view=False, full=True)
    assert (kg.extract.tokens._SEGMENTER is None) == large  # its dictionary freed for the stages after
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == (out / "kg.ttl").read_bytes()
    assert kg.extract.tokens.segment("工会主席说") == ["工会主席", "说"]  # and loaded again when needed


@pytest.mark.parametrize("early", [True, False])
def test_the_check_forked_before_or_after_the_mapping_finds_the_same(built, tmp_path, monkeypatch, early):
    import os

    import kg.pipeline
    import kg.rdf

    src, out, _ = built
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0)
    # a check of every document is always forked first (share 1), or always last (a share above 1)
    monkeypatch.setattr(kg.pipeline, "EARLY_CHECK_SHARE", 0.0 if early else 2.0)
    written, forked = [], []  # the parts written to kg.ttl's runs; how many when the check was forked
    add, fork = kg.rdf.TurtleParts.add, kg.pipeline._forked_checks

    def adding(self, *parts, **kwargs):
        written.append(len(parts))
        return add(self, *parts, **kwargs)

    def forking(*args, **kwargs):
        forked.append(len(written))
        return fork(*args, **kwargs)

    monkeypatch.setattr(kg.rdf.TurtleParts, "add", adding)
    monkeypatch.setattr(kg.pipeline, "_forked_checks", forking)
    monkeypatch.setattr(kg.rdf, "validate", lambda graph, shapes=None: [f"checked in process {os.getpid()}"])
    report = build([src], tmp_path / "out", view=False, full=True)
    assert len(forked) == 1 and (forked[0] == 0) == early and len(written) > 1
    assert len(report.violations) == 1 and report.violations[0] != f"checked in process {os.getpid()}"
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == (out / "kg.ttl").read_bytes()


def test_shacl_beside_runs_in_another_process_and_strict_still_fails(built, tmp_path, monkeypatch):
    import os

    import kg.pipeline
    import kg.rdf
    from kg.errors import ValidationError

    src, _, _ = built
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0)
    monkeypatch.setattr(kg.rdf, "validate", lambda graph, shapes=None: [f"checked in process {os.getpid()}"])
    out = tmp_path / "out"
    report = build([src], out, view=False)
    # every part is checked in the child (which maps the parts again), none in the build's process
    assert len(report.violations) == 1 and report.violations[0] != f"checked in process {os.getpid()}"
    before = (out / "kg.ttl").read_bytes()
    _write_page(src, "more.md", PAGE.replace("海淀区", "朝阳区"))
    try:
        with pytest.raises(ValidationError, match="1 SHACL violations"):
            build([src], out, view=False, strict=True)
        assert (out / "kg.ttl").read_bytes() == before  # the previous build stays
    finally:
        (src / "more.md").unlink()


def test_a_check_that_fails_beside_the_build_fails_the_build(built, tmp_path, monkeypatch):
    import kg.pipeline
    import kg.rdf

    def broken(graph, shapes=None):
        raise RuntimeError("pySHACL broke")

    src, _, _ = built
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0)
    monkeypatch.setattr(kg.rdf, "validate", broken)
    with pytest.raises(RuntimeError, match="pySHACL broke"):
        build([src], tmp_path / "out", view=False)
    assert not (tmp_path / "out" / "kg.ttl").exists()


def test_report_and_view_written_beside_the_store_are_the_same_files(built, tmp_path, monkeypatch):
    import kg.pipeline

    src, _, _ = built
    inline = build([src], tmp_path / "inline", full=True)
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_TRIPLES", 0)
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0)
    for validate in (True, False):  # checked beside: the build maps light parts (kg.rdf.Triples)
        out = tmp_path / f"beside-{validate}"
        beside = build([src], out, full=True, validate=validate)
        for name in ("kg.ttl", "kg.html", "report.html"):
            assert (out / name).read_bytes() == (tmp_path / "inline" / name).read_bytes(), name
        assert sorted(Path(p).name for p in beside.outputs) == sorted(Path(p).name for p in inline.outputs)


def test_a_view_that_fails_beside_the_store_fails_the_build(built, tmp_path, monkeypatch):
    import kg.pipeline
    import kg.visualize

    def broken(*args, **kwargs):
        raise RuntimeError("no room for the view")

    src, _, _ = built
    out = tmp_path / "out"
    build([src], out, view=False)
    before = (out / "kg.ttl").read_bytes()
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_TRIPLES", 0)
    monkeypatch.setattr(kg.visualize, "write_view", broken)
    with pytest.raises(RuntimeError, match="no room for the view"):
        build([src], out, full=True)
    assert (out / "kg.ttl").read_bytes() == before and not (out / "kg.html").exists()


# --- SHACL checked in shares (check_count) -----------------------------------------------------
@pytest.fixture(scope="module")
def broken_news(tmp_path_factory):
    """The synthetic news corpus with a mention that ends before it begins (a document part's
    violation) and a fact whose evidence is in no article (a fact part's)."""
    from dataclasses import replace as changed

    from synthetic import news_corpus

    corpus = news_corpus(tmp_path_factory.mktemp("broken"))
    entity = next(e for e in corpus.entities if e.mentions)
    first = entity.mentions[0]
    backwards = changed(first, start=first.end + 1)
    entities = tuple(changed(e, mentions=(backwards, *e.mentions[1:])) if e is entity else e
                     for e in corpus.entities)
    fact = corpus.relations[0]
    nowhere = changed(fact.evidence[0], article="no-such-article")
    relations = (changed(fact, evidence=(nowhere,)), *corpus.relations[1:])
    return changed(corpus, entities=entities, relations=relations)


@pytest.mark.parametrize("shares", [1, 2, 3, 5])
def test_the_checks_in_shares_find_what_the_whole_graph_check_finds(broken_news, shares):
    from kg.pipeline import _check_parts
    from kg.rdf import corpus_part, corpus_to_graph, validate

    expected = validate(corpus_to_graph(broken_news))
    assert any("nif:beginIndex" in v for v in expected) and any("prov:wasDerivedFrom" in v for v in expected)
    entities = corpus_part(broken_news, facts=False, light=True)
    found = [_check_parts(broken_news, entities, k, shares) for k in range(shares)]
    assert sorted(set().union(*found)) == expected
    if shares > 1:  # share 0 checks no document, the others no fact
        assert not any("nif:beginIndex" in v for v in found[0])
        assert not any("prov:wasDerivedFrom" in v for v in chain.from_iterable(found[1:]))


def test_a_share_out_of_range_is_refused(broken_news):
    from kg.pipeline import _check_parts
    from kg.rdf import corpus_part

    with pytest.raises(ValueError, match="share"):
        _check_parts(broken_news, corpus_part(broken_news, facts=False, light=True), 2, 2)


def test_the_check_sample_is_chosen_by_content_within_its_budget():
    from kg.model import Document
    from kg.pipeline import check_sample

    docs = [Document(f"news/{k}.txt", "职工" * (50 + k), f"{(k * 7919) % 101:064x}", "utf-8") for k in range(40)]
    assert check_sample(docs, chars=sum(len(d.text) for d in docs)) is None  # small enough: all
    budget = 1_000
    sample = check_sample(docs, chars=budget)
    assert sample is not None and 0 < len(sample) < len(docs)
    chosen = [d for d in docs if d.sha256 in sample]
    size = sum(len(d.text) for d in chosen)
    assert budget <= size < budget + max(len(d.text) for d in docs)
    # the smallest hashes, whatever the order or the paths of the documents
    assert max(d.sha256 for d in chosen) < min(d.sha256 for d in docs if d.sha256 not in sample)
    renamed = [Document(f"elsewhere/{d.path}", d.text, d.sha256, d.encoding) for d in reversed(docs)]
    assert check_sample(renamed, chars=budget) == sample


@pytest.mark.parametrize("shares", [1, 3])
def test_a_sampled_check_reads_its_documents_and_their_facts(broken_news, shares):
    from kg.pipeline import _check_parts
    from kg.rdf import corpus_part, corpus_to_graph, validate

    expected = set(validate(corpus_to_graph(broken_news)))
    entities = corpus_part(broken_news, facts=False, light=True)
    broken_doc = next(e for e in broken_news.entities if e.mentions).mentions[0].document
    by_path = {d.path: d.sha256 for d in broken_news.documents}
    others = {sha for sha in by_path.values() if sha != by_path[broken_doc]}
    assert others

    def check(only: frozenset[str]) -> set[str]:
        return set().union(*(_check_parts(broken_news, entities, k, shares, only) for k in range(shares)))

    with_it, without_it = check(frozenset({by_path[broken_doc]})), check(frozenset(others))
    assert with_it == expected  # the document with the bad mention read: everything found
    # without it, its mention's violation is not found, the fact of no sentence still is, and
    # nothing else (the facts that cite sentences of documents not read are not taken for broken)
    assert without_it < expected
    assert not any("nif:beginIndex" in v for v in without_it)
    assert any("prov:wasDerivedFrom" in v for v in without_it)


@pytest.mark.parametrize("shares", [1, 3])
def test_a_sampled_check_reads_the_entities_its_documents_mention(broken_news, shares):
    from dataclasses import replace as changed

    from kg.pipeline import _check_parts
    from kg.rdf import corpus_part, corpus_to_graph, entity_iri, validate

    by_path = {d.path: d.sha256 for d in broken_news.documents}
    # an entity mentioned in one document alone, given a second label (one label is allowed)
    entity = next(e for e in broken_news.entities if e.mentions and len({by_path[m.document] for m in e.mentions}) == 1)
    corpus = changed(broken_news, entities=(*broken_news.entities, changed(entity, label=entity.label + "又名")))
    iri = entity_iri(entity).split("/id/")[1]
    expected = set(validate(corpus_to_graph(corpus)))
    twice = {v for v in expected if v.startswith(f"kgr:{iri} rdfs:label")}
    assert len(twice) == 1
    home = by_path[entity.mentions[0].document]
    entities = corpus_part(corpus, facts=False, light=True)

    def check(only: frozenset[str]) -> set[str]:
        return set().union(*(_check_parts(corpus, entities, k, shares, only) for k in range(shares)))

    assert twice <= check(frozenset({home})) <= expected
    elsewhere = check(frozenset(set(by_path.values()) - {home}))
    assert elsewhere <= expected and not twice & elsewhere


def test_a_large_build_checks_a_sample_of_its_documents_and_says_so(tmp_path, monkeypatch):
    from synthetic import NEWS_PAGES

    import kg.pipeline

    src = tmp_path / "src"
    src.mkdir()
    for k, text in enumerate(NEWS_PAGES):
        (src / f"page{k}.md").write_text(text, encoding="utf-8")
    whole = build([src], tmp_path / "whole", view=False)
    assert whole.checked == whole.documents == len(NEWS_PAGES)
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0)
    monkeypatch.setattr(kg.pipeline, "CHECK_CHARS", min(len(t) for t in NEWS_PAGES))
    sampled = build([src], tmp_path / "sampled", view=False)
    assert 0 < sampled.checked < sampled.documents
    assert sampled.violations == whole.violations
    assert (tmp_path / "sampled" / "kg.ttl").read_bytes() == (tmp_path / "whole" / "kg.ttl").read_bytes()
    every = build([src], tmp_path / "sampled", view=False, check_all=True)  # another configuration
    assert not every.unchanged and every.checked == every.documents
    assert build([src], tmp_path / "sampled", view=False, check_all=True).checked == every.documents  # unchanged


def test_check_count_leaves_the_build_a_core_and_fits_in_memory(monkeypatch):
    import kg.pipeline
    from kg.pipeline import CHECK_BYTES, MAX_CHECKS, check_count

    monkeypatch.setattr(kg.pipeline, "_cpus", lambda: 8)
    monkeypatch.setattr(kg.pipeline, "_available_memory", lambda: 64 * CHECK_BYTES)
    assert MAX_CHECKS == 3
    assert [check_count(j) for j in (None, 1, 2, 3, 4, 100)] == [3, 1, 1, 2, 3, 3]
    assert check_count(None, each=32 * CHECK_BYTES) == 2  # a check given the build's memory, when more
    assert check_count(None, each=1) == 3  # never less than CHECK_BYTES each
    monkeypatch.setattr(kg.pipeline, "_available_memory", lambda: 2 * CHECK_BYTES)
    assert check_count(None) == 2
    monkeypatch.setattr(kg.pipeline, "_available_memory", lambda: CHECK_BYTES // 2)
    assert check_count(None) == 1  # one check always (it runs beside the build, or in line)
    monkeypatch.setattr(kg.pipeline, "_available_memory", lambda: None)  # unknown: the cores decide
    assert check_count(None) == 3
    monkeypatch.setattr(kg.pipeline, "_cpus", lambda: 2)
    assert check_count(None) == check_count(2) == 1


def test_the_build_knows_its_own_memory():
    from kg.pipeline import _resident

    held = _resident()
    block = bytearray(64 * 2**20)
    block[::4096] = b"x" * len(block[::4096])  # touched: resident
    assert _resident() - held >= 48 * 2**20
    del block


def test_a_build_checked_in_shares_is_the_same_build(built, tmp_path, monkeypatch):
    import os

    import kg.pipeline
    import kg.rdf

    src, out, report = built
    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0)
    monkeypatch.setattr(kg.pipeline, "check_count", lambda jobs, each=0: 3)
    again = build([src], tmp_path / "out", view=False, full=True)
    assert again.violations == report.violations == ()
    assert (tmp_path / "out" / "kg.ttl").read_bytes() == (out / "kg.ttl").read_bytes()
    # the shares run in processes of their own, and what each finds reaches the build
    monkeypatch.setattr(kg.rdf, "validate", lambda graph, shapes=None: [f"checked in process {os.getpid()}"])
    broken = build([src], tmp_path / "broken", view=False, full=True)
    assert len(broken.violations) >= 2 and f"checked in process {os.getpid()}" not in broken.violations


def test_a_build_that_fails_while_the_store_loads_leaves_the_previous_one_and_no_loader(built, tmp_path, monkeypatch):
    import threading

    import kg.pipeline
    import kg.rdf

    src, _, _ = built
    out = tmp_path / "out"
    build([src], out, view=False)
    before = (out / "kg.ttl").read_bytes()
    real_add = kg.rdf.TurtleParts.add
    calls = []

    def failing(self, *graphs, each=None):
        calls.append(each)
        if len(calls) == 2:  # the second part (the facts'), while the store's loader runs
            raise RuntimeError("disk full while writing a run")
        return real_add(self, *graphs, each=each)

    monkeypatch.setattr(kg.pipeline, "BESIDE_MIN_CHARS", 0)
    monkeypatch.setattr(kg.rdf.TurtleParts, "add", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        build([src], out, view=False, full=True)
    assert calls[0] is not None  # the parts went to the store as they were written
    assert (out / "kg.ttl").read_bytes() == before
    assert not [t for t in threading.enumerate() if t.name == "kg-store-loader"]
    monkeypatch.setattr(kg.rdf.TurtleParts, "add", real_add)
    assert build([src], out, view=False, full=True).triples > 0  # and the next build runs
