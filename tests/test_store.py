"""The Oxigraph store: open/create, bulk load, query, round trip to rdflib, write-back."""

from __future__ import annotations

import threading

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from kg.errors import QueryError, StoreError
from kg.ns import KGO, XSD, resource
from kg.rdf import new_graph, write_turtle
from kg.store import Store, from_ox, to_ox


def test_missing_store_is_a_one_line_error(tmp_path) -> None:
    with pytest.raises(StoreError, match=r"^no store at .*missing; run `kg build` first") as e:
        Store.open(tmp_path / "missing")
    assert "\n" not in str(e.value)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.txt").write_text("x")
    with pytest.raises(StoreError, match="not an RDF store"):
        Store.open(tmp_path / "junk")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="not a store directory"):
        Store.open(tmp_path / "file")


def test_persistent_round_trip(tmp_path, graph: Graph) -> None:
    path = tmp_path / "store"
    with Store.open(path, create=True) as st:
        assert len(st) == 0
        assert st.replace(graph) == len(graph)
        # replacing again does not duplicate
        assert st.replace(graph) == len(graph)
    with Store.open(path, read_only=True) as st:
        assert len(st) == len(graph)
        assert isomorphic(st.to_rdflib(), graph)
        with pytest.raises(StoreError, match="read-only"):
            st.clear()
    st = Store.open(path)
    st.close()
    with pytest.raises(StoreError, match="closed"):
        len(st)


def test_locked_store(tmp_path) -> None:
    path = tmp_path / "store"
    with Store.open(path, create=True):
        with pytest.raises(StoreError, match="in use|cannot open") as e:
            Store.open(path)
        assert "\n" not in str(e.value)


def test_query_with_predeclared_prefixes(graph: Graph) -> None:
    st = Store.from_graph(graph)
    rows = list(st.query("SELECT ?n WHERE { ?p a kgo:Person ; rdfs:label ?n } ORDER BY ?n"))
    assert [str(r["n"].value) for r in rows] == sorted(["林晓舟", "白鹭", "白鹭", "周子墨"])
    assert st.query("ASK { ?x a/rdfs:subClassOf* schema:Person }")


def test_query_syntax_error_has_position(graph: Graph) -> None:
    st = Store.from_graph(graph)
    with pytest.raises(QueryError, match=r"^query 'bad': syntax error at line 2, column \d+: ") as e:
        st.query("SELECT ?x\nWHERE { ?x ?y }", name="bad")
    assert "\n" not in str(e.value)


def test_add_graph_writes_scores_back(graph: Graph) -> None:
    st = Store.from_graph(graph)
    n = len(st)
    scores = new_graph()
    lin = resource("person", "林晓舟")
    scores.add((lin, KGO.pagerank, Literal("0.25", datatype=XSD.double)))
    st.add_graph(scores)
    assert len(st) == n + 1
    scores = new_graph()
    scores.add((lin, KGO.pagerank, Literal("0.5", datatype=XSD.double)))
    st.add_graph(scores, replace_predicates=True)
    assert len(st) == n + 1
    st.update("DELETE WHERE { ?s kgo:pagerank ?o }")
    assert len(st) == n


def test_load_file(tmp_path, graph: Graph) -> None:
    path = write_turtle(graph, tmp_path / "kg.ttl")
    st = Store.memory()
    st.load_file(path)
    assert isomorphic(st.to_rdflib(), graph)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(StoreError):
        st.load_file(bad)


def test_load_text_in_pieces_as_kg_ttl_is_written(tmp_path, graph: Graph, monkeypatch) -> None:
    import kg.rdf
    from kg.rdf import TurtleParts

    monkeypatch.setattr(kg.rdf, "CHUNK_CHARS", 2_000)  # many pieces, each a Turtle document of its own
    parts = TurtleParts(tmp_path / "runs")
    parts.add(graph)
    pieces: list[str] = []
    st = Store.memory()

    def load(text: str) -> None:
        pieces.append(text)
        st.load_text(text)

    path = parts.write(tmp_path / "kg.ttl", each=load)
    assert len(pieces) > 5 and all(p.startswith("@prefix") for p in pieces)
    assert isomorphic(st.to_rdflib(), graph)
    assert path.read_text(encoding="utf-8") == kg.rdf.canonical_turtle(graph)
    with pytest.raises(StoreError, match="RDF text"):
        st.load_text("<a> <b> .")


def test_loader_loads_the_pieces_on_its_thread(tmp_path, graph: Graph, monkeypatch) -> None:
    import kg.rdf
    from kg.rdf import TurtleParts

    monkeypatch.setattr(kg.rdf, "CHUNK_CHARS", 2_000)
    parts = TurtleParts(tmp_path / "runs")
    parts.add(graph)
    with Store.memory() as st:
        with st.loader() as load:
            parts.write(tmp_path / "kg.ttl", each=load)
        assert isomorphic(st.to_rdflib(), graph)


def test_loader_raises_a_bad_piece_and_stops(graph: Graph) -> None:
    with Store.memory() as st:
        load = st.loader()
        load("<urn:a> <urn:b> 1 .")
        load("<a> <b> .")  # not Turtle: raised when the loader is closed, or by a later call
        with pytest.raises(StoreError, match="RDF text"):
            load.close()
        with pytest.raises(StoreError):
            load("<urn:a> <urn:b> 2 .")
        assert len(st) == 1


def _slow_loads(monkeypatch) -> tuple[threading.Event, threading.Event, list[str]]:
    """``Store.load_text`` made to wait for ``release`` (after setting ``started``) and to keep
    what it was given in ``loaded``."""
    started, release = threading.Event(), threading.Event()
    loaded: list[str] = []

    def slow(self: Store, text: str, format: str = "ttl") -> None:
        started.set()
        release.wait(10)
        loaded.append(text)

    monkeypatch.setattr(Store, "load_text", slow)
    return started, release, loaded


def test_loader_left_on_an_error_drops_what_is_queued(monkeypatch) -> None:
    from kg.store import LOADER_QUEUE

    started, release, loaded = _slow_loads(monkeypatch)
    with Store.memory() as st, pytest.raises(KeyboardInterrupt):
        with st.loader() as load:
            for k in range(LOADER_QUEUE + 1):  # one loading, the others queued
                load(f"<urn:a> <urn:b> {k} .")
            assert started.wait(10)
            threading.Timer(0.5, release.set).start()  # the first load ends after the block is left
            raise KeyboardInterrupt
    assert loaded == ["<urn:a> <urn:b> 0 ."]


def test_an_abandoned_loader_drops_what_is_queued_and_a_closed_one_is_left_as_it_is(monkeypatch) -> None:
    with Store.memory() as st:
        done = st.loader()
        done("<urn:a> <urn:b> 1 .")
        done.close()
        done.abandon()  # after close: nothing to do, nothing lost
        assert len(st) == 1
        started, release, loaded = _slow_loads(monkeypatch)
        load = st.loader()
        load("<urn:a> <urn:b> 2 .")
        load("<urn:a> <urn:b> 3 .")
        assert started.wait(10)
        threading.Timer(0.5, release.set).start()
        load.abandon()  # waits for the load under way, drops the queued one, raises nothing
        assert loaded == ["<urn:a> <urn:b> 2 ."]
        with pytest.raises(StoreError, match="closed"):
            load("<urn:a> <urn:b> 4 .")


def test_turtle_parts_hand_each_part_to_a_store_as_it_is_added(tmp_path, graph: Graph, monkeypatch) -> None:
    import kg.rdf
    from kg.rdf import TurtleParts

    monkeypatch.setattr(kg.rdf, "CHUNK_CHARS", 500)  # a part in several pieces, each a document

    subjects = sorted(set(graph.subjects()), key=str)
    halves = [Graph(), Graph()]
    for t in graph:
        halves[subjects.index(t[0]) % 2].add(t)
    parts = TurtleParts(tmp_path / "runs")
    texts: list[str] = []
    with Store.memory() as st:
        with st.loader() as load:
            for half in halves:
                parts.add(half, each=lambda text: (texts.append(text), load(text)))
        assert len(texts) > 2 and all(t.startswith("@prefix") for t in texts)
        pieces = [Graph().parse(data=t, format="turtle") for t in texts]
        first = next(k for k in range(len(texts)) if any(t in halves[1] for t in pieces[k]))
        assert isomorphic(sum(pieces[:first], Graph()), halves[0])
        assert isomorphic(st.to_rdflib(), graph)  # the store has every part before kg.ttl is written
    assert parts.write(tmp_path / "kg.ttl").read_text(encoding="utf-8") == kg.rdf.canonical_turtle(graph)


def test_term_conversion_round_trip() -> None:
    from rdflib import BNode, URIRef

    for t in (
        URIRef("https://w3id.org/kg-news/id/person/甲"),
        Literal("甲"),
        Literal("x", lang="zh"),
        Literal("2024-05", datatype=XSD.gYearMonth),
        BNode("b0"),
    ):
        assert from_ox(to_ox(t)) == t
    assert from_ox(None) is None


def test_query_dataset_parameters() -> None:
    import pyoxigraph as ox

    with Store.memory() as st:
        st.inner.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("g"), ox.NamedNode("urn:g")))
        st.inner.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("default")))
        values = lambda **kw: sorted(s["o"].value for s in st.query("SELECT ?o WHERE { ?s ?p ?o }", **kw))  # noqa: E731
        assert values() == ["default"]
        assert values(default_graph=["urn:g"]) == ["g"]
        graphs = st.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[])
        assert list(graphs) == []
        with pytest.raises(QueryError, match="not an IRI"):
            st.query("ASK {}", default_graph=["not an IRI"])


def test_store_location_follows_links(tmp_path) -> None:
    from kg.store import store_location

    (tmp_path / "g1" / "store").mkdir(parents=True)
    (tmp_path / "current").symlink_to("g1")
    assert store_location(tmp_path / "current" / "store") == (tmp_path / "g1" / "store").resolve()
