"""Exports: every format parses back; a store loaded from the export answers like the original."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.errors import StoreError
from kg.export import FORMATS, export, write_exports
from kg.rdf import validate
from kg.schema import EVENT, PERSON, PLACE, schema
from kg.sparql import Table, list_queries, run
from kg.store import Store


@pytest.mark.parametrize(
    "fmt,rdflib_format,ox_format",
    [
        ("ttl", "turtle", pyoxigraph.RdfFormat.TURTLE),
        ("trig", "trig", pyoxigraph.RdfFormat.TRIG),
        ("nt", "nt", pyoxigraph.RdfFormat.N_TRIPLES),
        ("jsonld", "json-ld", pyoxigraph.RdfFormat.JSON_LD),
    ],
)
def test_rdf_formats_parse_back(graph: Graph, tmp_path, fmt, rdflib_format, ox_format) -> None:
    path = export(graph, fmt, tmp_path / f"kg.{fmt}")
    back = Graph().parse(path, format=rdflib_format) if fmt != "trig" else _trig_default(path)
    assert isomorphic(back, graph)
    store = pyoxigraph.Store()
    store.load(path=str(path), format=ox_format)
    assert len(store) == len(graph)
    again = export(graph, fmt, tmp_path / f"again.{fmt}")
    assert path.read_bytes() == again.read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))


def _trig_default(path: Path) -> Graph:
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(path, format="trig")
    g = Graph()
    for t in ds.default_graph:
        g.add(t)
    return g


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_network_formats(graph: Graph, tmp_path, fmt, reader) -> None:
    path = export(graph, fmt, tmp_path / f"kg.{fmt}")
    net = reader(path)
    labels = {d["label"]: d for _, d in net.nodes(data=True)}
    assert labels["林晓舟"]["type"] == PERSON
    assert labels["青岚市"]["type"] == PLACE
    assert labels["技能大赛颁奖仪式"]["type"] == EVENT
    assert labels["林晓舟"]["jobTitle"] == "总工程师"
    relations = {d["relation"] for *_, d in net.edges(data=True)}
    assert {"worksFor", "locatedIn", "participatedIn", "organizer", "honour"} <= relations
    assert net.number_of_nodes() == 10  # 9 entities and the byline author


def test_gexf_colours_nodes_by_type_and_has_no_networkx_key(graph: Graph, tmp_path) -> None:
    path = export(graph, "gexf", tmp_path / "kg.gexf")
    text = path.read_text("utf-8")
    assert "networkx_key" not in text
    net = nx.read_gexf(path)
    types = {t.name: t for t in schema().entity_types}
    seen = set()
    for _, d in net.nodes(data=True):
        colour = types[d["type"]].colour
        rgb = {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16), "a": 1.0}
        assert d["viz"]["color"] == rgb, d
        seen.add(d["type"])
    assert len(seen) >= 3
    # parallel edges (two relations between the same two entities) survive without the key
    assert net.number_of_edges() == export_network_edges(graph)
    assert export(graph, "gexf", tmp_path / "again.gexf").read_text("utf-8") == text


def export_network_edges(graph: Graph) -> int:
    from kg.export import entity_network

    return entity_network(graph).number_of_edges()


def test_export_from_store_equals_export_from_graph(graph: Graph, tmp_path) -> None:
    with Store.open(tmp_path / "store", create=True) as st:
        st.replace(graph)
        a = export(st, "ttl", tmp_path / "from-store.ttl")
        back = st.to_rdflib()
    b = export(graph, "ttl", tmp_path / "from-graph.ttl")
    assert a.read_bytes() == b.read_bytes()
    assert validate(back) == []


def test_empty_sources_and_bad_format(tmp_path, graph: Graph) -> None:
    with Store.open(tmp_path / "empty", create=True) as st:
        with pytest.raises(StoreError, match="is empty; run `kg build` first"):
            export(st, "ttl", tmp_path / "x.ttl")
    with pytest.raises(StoreError, match="empty"):
        export(Graph(), "nt", tmp_path / "x.nt")
    with pytest.raises(ValueError, match="unknown export format"):
        export(graph, "xml", tmp_path / "x.xml")
    assert set(FORMATS) == {"ttl", "nt", "jsonld", "trig", "graphml", "gexf"}


def _normalized(table: Table) -> list[tuple]:
    # GROUP_CONCAT does not promise an order: compare its parts as sets
    out = []
    for row in table.values():
        cells = []
        for v in row:
            if isinstance(v, str) and any(sep in v for sep in ("、", ", ", " | ")):
                for sep in ("、", ", ", " | "):
                    if sep in v:
                        v = tuple(sorted(v.split(sep)))
                        break
            cells.append(v)
        out.append(tuple(cells))
    return out


def test_fresh_store_from_export_answers_every_bundled_query(graph: Graph, tmp_path) -> None:
    paths = write_exports(graph, tmp_path / "exports")
    assert [p.name for p in paths] == ["kg.ttl", "ontology.ttl"]
    assert Graph().parse(paths[1], format="turtle")
    with Store.open(tmp_path / "fresh", create=True) as st:
        st.load_file(paths[0])
        assert len(st) == len(graph)
        for q in list_queries():
            params = {"name": "林晓舟"} if q.name == "entity" else {}
            expected = run(graph, q, **params)
            got = run(st, q, **params)
            assert got.columns == expected.columns, q.name
            assert _normalized(got) == _normalized(expected), q.name


def test_cli_export(monkeypatch, capsys, graph: Graph, tmp_path) -> None:
    from kg.cli import main

    store = tmp_path / "store"
    with Store.open(store, create=True) as st:
        st.replace(graph)
    for fmt in ("ttl", "graphml"):
        out = tmp_path / f"out.{fmt}"
        monkeypatch.setattr(
            "sys.argv", ["kg", "export", "--format", fmt, "--out", str(out), "--store", str(store)]
        )
        main()
        assert out.is_file()
        assert f"wrote {out} ({len(graph)} triples, {fmt})" in capsys.readouterr().out
    assert (tmp_path / "out.ttl").read_text("utf-8") == export(graph, "ttl", tmp_path / "g.ttl").read_text(
        "utf-8"
    )
    monkeypatch.setattr("sys.argv", ["kg", "export", "--store", str(tmp_path / "none")])
    with pytest.raises(SystemExit):
        main()
    assert capsys.readouterr().err.startswith("kg: error: no store at ")

