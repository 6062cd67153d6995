"""Write the graph for other tools: Turtle, N-Triples, JSON-LD, TriG, GraphML and GEXF.

Every file is written atomically (a temporary file in the same directory, then a rename), and
the RDF formats are sorted so the same graph always gives the same bytes. GraphML and GEXF
(for Gephi, yEd, Cytoscape) hold the entity graph: one node per entity with ``type`` and
``label`` (plus analysis scores when present), one edge per relation with ``relation``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef

from kg.errors import StoreError
from kg.ns import KGO, PREFIXES, RDF, RDFS, SKOS
from kg.rdf import ONTOLOGY_PATH, _escape_string, atomic_write, canonical_turtle, fact_iri, new_graph
from kg.store import Store

__all__ = ["FORMATS", "EXTENSIONS", "export", "write_exports", "entity_network", "ntriples"]

#: Export formats and their file extensions.
EXTENSIONS: dict[str, str] = {
    "ttl": "ttl",
    "nt": "nt",
    "jsonld": "jsonld",
    "trig": "trig",
    "graphml": "graphml",
    "gexf": "gexf",
}
FORMATS = tuple(EXTENSIONS)

_ENTITY_CLASSES = {KGO.Person: "Person", KGO.Organization: "Organization", KGO.Place: "Place"}
_ENTITY_CLASSES.update({KGO.Program: "Program", KGO.Event: "Event"})
_SCORES = {KGO.degree: "degree", KGO.betweenness: "betweenness", KGO.pagerank: "pagerank"}
_NS = str(KGO._NS)


def _graph_of(source: Graph | Store) -> Graph:
    if isinstance(source, Store):
        if len(source) == 0:
            raise StoreError(f"store {source.path or '(memory)'} is empty; run `kg build` first")
        return source.to_rdflib()
    if isinstance(source, Graph):
        if len(source) == 0:
            raise StoreError("the graph is empty; nothing to export")
        return source
    raise TypeError(f"export() needs an rdflib Graph or a Store, not {type(source).__name__}")


def _nt_term(t: Any) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        out = f'"{_escape_string(str(t))}"'
        if t.language:
            return f"{out}@{t.language}"
        if t.datatype is not None and not str(t.datatype).endswith("#string"):
            return f"{out}^^<{t.datatype}>"
        return out
    return f"_:{t}"


def ntriples(graph: Graph) -> str:
    """Sorted N-Triples (one triple a line, full IRIs)."""
    lines = sorted(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} ." for s, p, o in graph)
    return "\n".join(lines) + ("\n" if lines else "")


def _jsonld(graph: Graph) -> str:
    sorted_graph = new_graph()
    for t in sorted(graph, key=lambda t: tuple(_nt_term(x) for x in t)):
        sorted_graph.add(t)
    context = {k: str(v) for k, v in PREFIXES.items()}
    return sorted_graph.serialize(format="json-ld", context=context, indent=2, sort_keys=True)


def entity_network(graph: Graph) -> Any:
    """A networkx MultiDiGraph of the entities and the relations between them.

    Nodes are entity IRIs with ``type``, ``label`` and, when present, ``aliases``,
    ``jobTitle``, ``date``, ``degree``, ``betweenness``, ``pagerank``, ``community``,
    ``mentions`` (articles). Edges carry ``relation`` and ``confidence``.
    """
    import networkx as nx

    net = nx.MultiDiGraph()
    nodes: dict[URIRef, dict[str, Any]] = {}
    for cls, name in _ENTITY_CLASSES.items():
        for s in graph.subjects(RDF.type, cls):
            if isinstance(s, URIRef):
                nodes.setdefault(s, {"type": name})
    for n in sorted(nodes):
        attrs = nodes[n]
        label = graph.value(n, RDFS.label)
        attrs["label"] = str(label) if label is not None else str(n).rsplit("/", 1)[-1]
        aliases = sorted(str(a) for a in graph.objects(n, SKOS.altLabel))
        if aliases:
            attrs["aliases"] = "; ".join(aliases)
        titles = sorted(str(t) for t in graph.objects(n, KGO.jobTitle))
        if titles:
            attrs["jobTitle"] = "; ".join(titles)
        date = graph.value(n, KGO.date)
        if date is not None:
            attrs["date"] = str(date)
        for p, key in _SCORES.items():
            v = graph.value(n, p)
            if v is not None:
                attrs[key] = float(v)
        c = graph.value(n, KGO.community)
        if c is not None:
            attrs["community"] = int(c)
        attrs["mentions"] = len(set(graph.subjects(KGO.mentions, n)))
        net.add_node(str(n), **attrs)
    edges = []
    for s, p, o in graph:
        if s in nodes and o in nodes and isinstance(p, URIRef) and str(p).startswith(_NS):
            edges.append((s, p, o))
    for s, p, o in sorted(edges):
        attrs: dict[str, Any] = {"relation": str(p)[len(_NS) :]}
        conf = graph.value(fact_iri(s, p, o), KGO.confidence)
        if conf is not None:
            attrs["confidence"] = float(conf)
        net.add_edge(str(s), str(o), **attrs)
    return net


def _network_bytes(graph: Graph, fmt: str) -> bytes:
    import networkx as nx

    net = entity_network(graph)
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(net, buf, encoding="utf-8")
    else:
        nx.write_gexf(net, buf, encoding="utf-8")
    return buf.getvalue()


def export(source: Graph | Store, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Write ``source`` (a graph or a store) to ``path`` as ``fmt``; return the path.

    ``fmt`` is one of ttl, nt, jsonld, trig, graphml, gexf. Turtle and TriG are the canonical
    sorted Turtle (a Turtle file is a TriG file with only the default graph); N-Triples is
    sorted. An empty graph or store raises :class:`~kg.errors.StoreError`.
    """
    if fmt not in EXTENSIONS:
        raise ValueError(f"unknown export format {fmt!r} (expected one of {', '.join(FORMATS)})")
    graph = _graph_of(source)
    data: bytes | str
    if fmt in ("ttl", "trig"):
        data = canonical_turtle(graph)
    elif fmt == "nt":
        data = ntriples(graph)
    elif fmt == "jsonld":
        data = _jsonld(graph)
    else:
        data = _network_bytes(graph, fmt)
    return atomic_write(path, data)


def write_exports(graph: Graph | Store, out_dir: str | os.PathLike[str]) -> list[Path]:
    """The build's standard exports: ``kg.ttl`` (sorted, byte-identical) and ``ontology.ttl``."""
    out = Path(out_dir)
    return [
        export(graph, "ttl", out / "kg.ttl"),
        atomic_write(out / "ontology.ttl", ONTOLOGY_PATH.read_bytes()),
    ]
