"""Parallel extraction gives the same graph as one process."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.mark.parametrize("blocks", [2, 3])
def test_documents_mapped_in_blocks_by_forked_processes_give_the_same_build(tmp_path: Path, monkeypatch,
                                                                             blocks: int) -> None:
    import kg.pipeline as pipeline
    from kg.forked import can_fork
    from kg.store import Store

    if not can_fork():
        pytest.skip("no fork here: the documents are mapped in one process")
    src = tmp_path / "src"
    src.mkdir()
    for i in range(7):
        (src / f"p{i}.md").write_text(_page(i) * (i % 3 + 1), encoding="utf-8")
    monkeypatch.setattr(pipeline, "BESIDE_MIN_CHARS", 0)  # a "large" build: light parts, checked beside
    monkeypatch.setattr(pipeline, "map_blocks", lambda jobs: 1)
    one = pipeline.build([src], tmp_path / "one", view=False)
    real = pipeline._map_block

    def mapper(corpus, network, folder, k, n):  # type: ignore[no-untyped-def]
        (tmp_path / f"mapped-{k}-of-{n}").touch()  # in the child
        return real(corpus, network, folder, k, n)

    monkeypatch.setattr(pipeline, "map_blocks", lambda jobs: blocks)
    monkeypatch.setattr(pipeline, "_map_block", mapper)
    many = pipeline.build([src], tmp_path / "many", view=False, full=True)
    # a child mapped each block but the first (the build's own), and left no file behind
    assert sorted(p.name for p in tmp_path.glob("mapped-*")) == [f"mapped-{k}-of-{blocks}" for k in range(1, blocks)]
    assert not list((tmp_path / "many").glob("**/.turtle-runs"))
    assert (tmp_path / "one" / "kg.ttl").read_bytes() == (tmp_path / "many" / "kg.ttl").read_bytes()
    assert one.triples == many.triples and one.violations == many.violations == ()
    with Store.open(tmp_path / "one" / "store") as a, Store.open(tmp_path / "many" / "store") as b:
        assert set(a.triples()) == set(b.triples())


def test_the_pieces_of_a_block_are_loaded_in_order_as_they_come(tmp_path: Path) -> None:
    from kg.pipeline import _load_pieces, _piece_path

    for k in (0, 1, 3):  # piece 2 is still being written
        _piece_path(tmp_path, 1, k).write_text(f"piece {k}", encoding="utf-8")
    taken: list[str] = []
    assert _load_pieces(tmp_path, 1, 0, taken.append) == 2  # what is there so far, in order
    assert taken == ["piece 0", "piece 1"] and not _piece_path(tmp_path, 1, 0).exists()
    with pytest.raises(FileNotFoundError):  # the mapper said it wrote four: one is missing
        _load_pieces(tmp_path, 1, 2, taken.append, until=4)
    _piece_path(tmp_path, 1, 2).write_text("piece 2", encoding="utf-8")
    assert _load_pieces(tmp_path, 1, 2, taken.append, until=4) == 4
    assert taken == [f"piece {k}" for k in range(4)] and not list(tmp_path.iterdir())
