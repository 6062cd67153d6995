"""Parallel extraction gives the same graph as one process."""

from __future__ import annotations

from pathlib import Path

from kg.ingest import read_sources
from kg.pipeline import extract_articles, make_corpus


def _page(i: int) -> str:
    return (f"## 海河市第{i}届职工技能大赛开幕\n\n本报记者 林晓峰\n\n海河市总工会主席陈立明介绍，"
            f"本届大赛在海河会展中心举行，设{i}个工种。技术员高鹏和李娜参加了比赛。\n")


def test_parallel_extraction_equals_serial(tmp_path: Path) -> None:
    for i in range(6):
        (tmp_path / f"p{i}.md").write_text(_page(i), encoding="utf-8")
    ing = read_sources([tmp_path])
    serial = extract_articles(ing.articles, ing.documents, jobs=1)
    parallel = extract_articles(ing.articles, ing.documents, jobs=2)
    assert serial == parallel and serial
    a = make_corpus(ing, jobs=1)
    b = make_corpus(ing, jobs=2)
    assert a == b


def test_a_build_writes_the_same_graph_for_any_number_of_jobs(tmp_path: Path) -> None:
    from kg.pipeline import build

    for i in range(5):
        (tmp_path / "src").mkdir(exist_ok=True)
        (tmp_path / "src" / f"p{i}.md").write_text(_page(i) * (i + 1), encoding="utf-8")
    one = build([tmp_path / "src"], tmp_path / "one", jobs=1, view=False, analyze=False)
    two = build([tmp_path / "src"], tmp_path / "two", jobs=2, view=False, analyze=False, full=True)
    assert (one.extracted, two.extracted) == (5, 5)
    assert (tmp_path / "one" / "kg.ttl").read_bytes() == (tmp_path / "two" / "kg.ttl").read_bytes()


def test_a_large_build_extracts_in_a_worker_even_with_one_job(tmp_path: Path, monkeypatch) -> None:
    import kg.executors as executors
    import kg.pipeline as pipeline

    for i in range(3):
        (tmp_path / f"p{i}.md").write_text(_page(i), encoding="utf-8")
    ing = read_sources([tmp_path])
    here = extract_articles(ing.articles, ing.documents, jobs=1)
    pools: list[int] = []
    real = executors._pool

    def counted(workers, components):
        pools.append(workers)
        return real(workers, components)

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 0)  # every build is "large"
    monkeypatch.setattr(executors, "_pool", counted)
    assert extract_articles(ing.articles, ing.documents, jobs=1) == here
    assert pools == [1]  # one worker: the models live and die in it
