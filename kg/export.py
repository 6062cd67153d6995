"""Write the graph for other tools: Turtle, N-Triples, JSON-LD, TriG, GraphML and GEXF.

Every file is written atomically (a temporary file in the same directory, then a rename), and
the RDF formats are sorted so the same graph always gives the same bytes. GraphML and GEXF
(for Gephi, yEd, Cytoscape) hold the entity graph: one node per entity with ``type`` and
``label`` (plus analysis scores when present), one edge per relation with ``relation``; GEXF
nodes also carry their type's colour (``viz:color``, from `kg.schema`).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef

from kg.errors import StoreError
from kg.ns import KGO, PREFIXES, RDF, RDFS, SKOS
from kg.rdf import (
    ONTOLOGY_PATH,
    TurtleParts,
    atomic_write,
    canonical_turtle,
    fact_iri,
    load_ontology,
    new_graph,
    nt_term,
    turtle_chunks,
)
from kg.remote import RemoteStore
from kg.schema import ontology_files, schema
from kg.store import Store

if TYPE_CHECKING:
    import networkx as nx

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

#: rdf:type IRI → entity type name, in the schema's display order (the first one an entity has wins)
_ENTITY_CLASSES: dict[URIRef, str] = {t.iri: t.name for t in schema().entity_types}
_SCORES = {KGO.degree: "degree", KGO.betweenness: "betweenness", KGO.pagerank: "pagerank"}
_NS = str(KGO._NS)


def _graph_of(source: Graph | Store | RemoteStore) -> Graph:
    if isinstance(source, (Store, RemoteStore)):
        if len(source) == 0:
            raise StoreError(f"store {source.path or '(memory)'} is empty; run `kg build` first")
        return source.to_rdflib()
    if isinstance(source, Graph):
        if len(source) == 0:
            raise StoreError("the graph is empty; nothing to export")
        return source
    raise TypeError(f"export() needs an rdflib Graph or a Store, not {type(source).__name__}")


def ntriples(graph: Graph) -> str:
    """Sorted N-Triples (one triple a line, full IRIs)."""
    lines = sorted(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in graph)
    return "\n".join(lines) + ("\n" if lines else "")


def _jsonld(graph: Graph) -> str:
    sorted_graph = new_graph()
    for t in sorted(graph, key=lambda t: tuple(nt_term(x) for x in t)):
        sorted_graph.add(t)
    context = {k: str(v) for k, v in PREFIXES.items()}
    return sorted_graph.serialize(format="json-ld", context=context, indent=2, sort_keys=True)


def entity_network(graph: Graph) -> nx.MultiDiGraph:
    """A networkx MultiDiGraph of the entities and the relations between them.

    Nodes are entity IRIs with ``type``, ``label`` and, when present, ``aliases``,
    ``jobTitle``, ``date``, ``degree``, ``betweenness``, ``pagerank``, ``community``,
    ``mentions`` (articles). Edges carry ``relation`` and ``confidence``.
    """
    import networkx as nx

    net: nx.MultiDiGraph = nx.MultiDiGraph()
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
                attrs[key] = float(str(v))
        c = graph.value(n, KGO.community)
        if c is not None:
            attrs["community"] = int(str(c))
        attrs["mentions"] = len(set(graph.subjects(KGO.mentions, n)))
        net.add_node(str(n), **attrs)
    edges: list[tuple[URIRef, URIRef, URIRef]] = []
    for subj, pred, obj in graph:
        if (isinstance(subj, URIRef) and isinstance(obj, URIRef) and subj in nodes and obj in nodes
                and isinstance(pred, URIRef) and str(pred).startswith(_NS)):
            edges.append((subj, pred, obj))
    for subj, pred, obj in sorted(edges):
        edge: dict[str, Any] = {"relation": str(pred)[len(_NS) :]}
        conf = graph.value(fact_iri(subj, pred, obj), KGO.confidence)
        if conf is not None:
            edge["confidence"] = float(str(conf))
        net.add_edge(str(subj), str(obj), **edge)
    return net


def _rgb(colour: str) -> dict[str, int | float]:
    """``#rrggbb`` as a GEXF ``viz:color`` (``a`` is opacity)."""
    h = colour.lstrip("#")
    return {"r": int(h[0:2], 16), "g": int(h[2:4], 16), "b": int(h[4:6], 16), "a": 1.0}


def _gexf(net: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 of the entity network: each node coloured by its type (``viz:color``), and no
    ``networkx_key`` edge attribute (networkx writes a multigraph's edge keys as one; ours are
    0, 1, … and mean nothing)."""
    from networkx.readwrite.gexf import GEXFWriter

    colours = {t.name: _rgb(t.colour) for t in schema().entity_types}
    coloured = net.copy()
    for _, d in coloured.nodes(data=True):
        if d.get("type") in colours:
            d["viz"] = {"color": dict(colours[d["type"]])}
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(coloured)
    root = writer.xml  # elements without a namespace: networkx writes xmlns as an attribute
    for attributes in root.iter("attributes"):
        for attr in list(attributes):
            if attr.get("title") == "networkx_key":
                attributes.remove(attr)
                key_id = attr.get("id")
                for values in root.iter("attvalues"):
                    for v in list(values):
                        if v.get("for") == key_id:
                            values.remove(v)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _network_bytes(graph: Graph, fmt: str) -> bytes:
    import networkx as nx

    net = entity_network(graph)
    if fmt == "gexf":
        return _gexf(net)
    buf = io.BytesIO()
    nx.write_graphml(net, buf, encoding="utf-8")
    return buf.getvalue()


def export(source: Graph | Store | RemoteStore, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Write ``source`` (a graph or a store) to ``path`` as ``fmt``; return the path.

    ``fmt`` is one of ttl, nt, jsonld, trig, graphml, gexf. Turtle and TriG are the canonical
    sorted Turtle (a Turtle file is a TriG file with only the default graph); N-Triples is
    sorted. An empty graph or store raises :class:`~kg.errors.StoreError`.
    """
    if fmt not in EXTENSIONS:
        raise ValueError(f"unknown export format {fmt!r} (expected one of {', '.join(FORMATS)})")
    graph = _graph_of(source)
    data: bytes | str | Iterable[str]
    if fmt in ("ttl", "trig"):
        data = turtle_chunks(graph)
    elif fmt == "nt":
        data = ntriples(graph)
    elif fmt == "jsonld":
        data = _jsonld(graph)
    else:
        data = _network_bytes(graph, fmt)
    return atomic_write(path, data)


def write_exports(graph: Graph | Store | TurtleParts, out_dir: str | os.PathLike[str],
                  each: Callable[[str], None] | None = None) -> list[Path]:
    """The build's standard exports: ``kg.ttl`` (sorted, byte-identical) and ``ontology.ttl``
    (``graph`` may be a graph given in parts, `kg.rdf.TurtleParts`, whose ``each`` is called
    with each piece of Turtle written)."""
    out = Path(out_dir)
    return [
        graph.write(out / "kg.ttl", each) if isinstance(graph, TurtleParts) else export(graph, "ttl", out / "kg.ttl"),
        atomic_write(out / "ontology.ttl", _ontology_bytes()),
    ]


def _ontology_bytes() -> bytes:
    """The ontology in force: the package's file as it is, or, with extensions
    (:func:`kg.schema.extended`, ``kg.ontology`` plugins), all of them as canonical Turtle."""
    if ontology_files() == (ONTOLOGY_PATH,):
        return ONTOLOGY_PATH.read_bytes()
    return canonical_turtle(load_ontology()).encode("utf-8")
