"""Read the RDF graph into networkx: entities as nodes, relations (and co-mentions) as edges.

Only the RDF contract is read (``kg/ns.py``), never extraction objects, so any graph kg holds works
here, including one loaded from Turtle.

Node keys are entity IRIs (``str``). Node attributes:

``type``
    ``"Person"``, ``"Organization"``, ``"Place"``, ``"Program"`` or ``"Event"``.
``kind``
    the most specific kg class (``"Ceremony"`` for a ceremony, else the same as ``type``).
``label``, ``aliases``
    ``rdfs:label`` and the sorted ``skos:altLabel`` values.
``articles``
    sorted article IRIs that mention the entity (``kgo:mentions``, mentions in their sentences, bylines).
``evidence``
    sorted sentence IRIs: where the entity is mentioned or a fact about it is stated.
``jobTitles``, ``honours``, ``date``, ``dateText``
    literal attributes (tuples of strings; ``date`` and ``dateText`` are strings or ``None``).

Edges are keyed by relation name (``"worksFor"`` …, or ``"comention"``) and carry ``relation``,
``evidence`` (sentence IRIs), ``confidence`` (float or ``None``), ``extractedBy`` (tuple), and for
co-mentions ``weight`` and ``undirected=True``. ``G.graph`` holds ``sentences`` (IRI → `SentenceInfo`)
and ``articles`` (IRI → headline) so evidence can be printed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import networkx as nx
import rdflib
from rdflib import Literal, URIRef

from kg.errors import KGError
from kg.ns import KGO, NIF, PROV, RDF, RDFS, SDO, SKOS

__all__ = [
    "ENTITY_TYPES",
    "RELATIONS",
    "COMENTION",
    "SentenceInfo",
    "EntityNotFound",
    "to_networkx",
    "find_nodes",
    "resolve",
    "undirected",
]

#: The entity classes, in the order used to break ties when an entity has more than one.
ENTITY_TYPES: tuple[str, ...] = ("Person", "Organization", "Place", "Program", "Event")

#: Relation predicates between entities that become typed edges.
RELATIONS: tuple[str, ...] = (
    "worksFor",
    "subOrganizationOf",
    "locatedIn",
    "participatedIn",
    "organizer",
    "implements",
    "honour",
)

#: Edge key and ``relation`` of co-mention edges.
COMENTION = "comention"

_TYPE_IRIS = {getattr(KGO, t): t for t in ENTITY_TYPES}
_REL_IRIS = {getattr(KGO, r): r for r in RELATIONS}
# event kinds the ontology defines; used when a graph lacks their rdfs:subClassOf triples
_EVENT_KINDS = ("Meeting", "Adoption", "Ceremony", "Lecture", "Campaign", "DisputeResolution", "Milestone")


class EntityNotFound(KGError, LookupError):
    """No entity has the given name, alias or IRI."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class SentenceInfo:
    """A sentence node: its text and where it comes from."""

    iri: str
    text: str
    article: str | None = None
    source: str | None = None
    begin: int | None = None
    end: int | None = None


def _local(iri: URIRef) -> str:
    s = str(iri)
    for sep in ("#", "/"):
        if sep in s:
            s = s.rsplit(sep, 1)[1]
    return s


def _class_types(graph: rdflib.Graph) -> dict[URIRef, str]:
    """Every class whose instances are entities, mapped to its entity type (subclasses included)."""
    out: dict[URIRef, str] = dict(_TYPE_IRIS)
    for kind in _EVENT_KINDS:
        out.setdefault(getattr(KGO, kind), "Event")
    changed = True
    while changed:  # transitive rdfs:subClassOf closure inside the graph
        changed = False
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and sup in out and sub not in out:
                out[sub] = out[sup]
                changed = True
    return out


def _text(value: object) -> str:
    return str(value)


def _int(value: object) -> int | None:
    try:
        return int(value.toPython()) if isinstance(value, Literal) else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def to_networkx(graph: rdflib.Graph, comention: str | None = None) -> nx.MultiDiGraph:
    """Build a `networkx.MultiDiGraph` of the entities in an RDF graph.

    Parameters
    ----------
    graph:
        an rdflib graph following kg's RDF contract.
    comention:
        ``None`` (relations only), ``"sentence"`` or ``"article"``: also join every two entities
        mentioned in the same sentence (or article) with one undirected, weighted ``comention`` edge
        (weight = number of shared sentences or articles).

    Nodes and edges are added in sorted order, so the result (and every score computed from it)
    is the same however the RDF graph was loaded.

    >>> from rdflib import Graph, Literal
    >>> from kg.ns import KGO, RDF, RDFS, resource
    >>> g = Graph()
    >>> a, b = resource("person", "甲"), resource("organization", "乙")
    >>> g.add((a, RDF.type, KGO.Person)); g.add((a, RDFS.label, Literal("甲")))  # doctest: +ELLIPSIS
    <Graph ...>
    <Graph ...>
    >>> g.add((b, RDF.type, KGO.Organization)); g.add((a, KGO.worksFor, b))  # doctest: +ELLIPSIS
    <Graph ...>
    <Graph ...>
    >>> G = to_networkx(g)
    >>> G.nodes[str(a)]["type"], list(G.edges(keys=True))[0][2]
    ('Person', 'worksFor')
    """
    if comention not in (None, "sentence", "article"):
        raise ValueError(f"comention must be None, 'sentence' or 'article', not {comention!r}")
    classes = _class_types(graph)
    rank = {t: i for i, t in enumerate(ENTITY_TYPES)}

    # entities and their types
    types: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for s, o in graph.subject_objects(RDF.type):
        if not isinstance(s, URIRef) or o not in classes:
            continue
        key = str(s)
        t = classes[o]
        if key not in types or rank[t] < rank[types[key]]:
            types[key] = t
        if o not in _TYPE_IRIS or key not in kinds:
            kinds[key] = _local(o) if o not in _TYPE_IRIS else t

    # sentences and articles
    articles: dict[str, str] = {}
    for art in graph.subjects(RDF.type, KGO.Article):
        articles[str(art)] = ""
    for art, head in graph.subject_objects(SDO.headline):
        articles[str(art)] = _text(head)
    sentences: dict[str, SentenceInfo] = {}
    for sent in graph.subjects(RDF.type, KGO.Sentence):
        art = graph.value(sent, KGO.inArticle)
        src = graph.value(sent, KGO.sourceFile)
        sentences[str(sent)] = SentenceInfo(
            iri=str(sent),
            text=_text(graph.value(sent, NIF.anchorOf) or ""),
            article=str(art) if art is not None else None,
            source=_text(src) if src is not None else None,
            begin=_int(graph.value(sent, NIF.beginIndex)),
            end=_int(graph.value(sent, NIF.endIndex)),
        )
        if art is not None:
            articles.setdefault(str(art), "")

    node_articles: dict[str, set[str]] = defaultdict(set)
    node_evidence: dict[str, set[str]] = defaultdict(set)
    for art, ent in graph.subject_objects(KGO.mentions):
        if str(ent) in types:
            node_articles[str(ent)].add(str(art))
    for art, person in graph.subject_objects(KGO.author):
        if str(person) in types:
            node_articles[str(person)].add(str(art))

    # mentions: entity ↔ sentence
    by_sentence: dict[str, set[str]] = defaultdict(set)
    for m in graph.subjects(RDF.type, KGO.Mention):
        sent = graph.value(m, KGO.inSentence)
        if sent is None:
            continue
        for ent in graph.objects(m, KGO.refersTo):
            if str(ent) in types:
                by_sentence[str(sent)].add(str(ent))
                node_evidence[str(ent)].add(str(sent))
                info = sentences.get(str(sent))
                if info is not None and info.article:
                    node_articles[str(ent)].add(info.article)

    # facts: (s, relation, o) → evidence sentences, confidence, components
    fact_ev: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    fact_conf: dict[tuple[str, str, str], float] = {}
    fact_by: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for fact in graph.subjects(RDF.type, KGO.Fact):
        p = graph.value(fact, RDF.predicate)
        s = graph.value(fact, RDF.subject)
        o = graph.value(fact, RDF.object)
        if p not in _REL_IRIS or s is None or o is None:
            continue
        key3 = (str(s), _REL_IRIS[p], str(o))
        for sent in graph.objects(fact, PROV.wasDerivedFrom):
            fact_ev[key3].add(str(sent))
            for ent in (str(s), str(o)):
                if ent in types:
                    node_evidence[ent].add(str(sent))
        conf = graph.value(fact, KGO.confidence)
        if isinstance(conf, Literal):
            try:
                fact_conf[key3] = max(fact_conf.get(key3, 0.0), float(conf.toPython()))
            except (TypeError, ValueError):
                pass
        for comp in graph.objects(fact, KGO.extractedBy):
            fact_by[key3].add(_text(comp))

    G = nx.MultiDiGraph()
    G.graph["sentences"] = dict(sorted(sentences.items()))
    G.graph["articles"] = dict(sorted(articles.items()))
    G.graph["comention"] = comention

    def _strs(s: URIRef, p: URIRef) -> tuple[str, ...]:
        return tuple(sorted({_text(o) for o in graph.objects(s, p) if isinstance(o, Literal)}))

    for key in sorted(types):
        s = URIRef(key)
        label = graph.value(s, RDFS.label)
        date = graph.value(s, KGO.date)
        date_text = graph.value(s, KGO.dateText)
        G.add_node(
            key,
            type=types[key],
            kind=kinds.get(key, types[key]),
            label=_text(label) if label is not None else _local(s),
            aliases=_strs(s, SKOS.altLabel),
            articles=tuple(sorted(node_articles.get(key, ()))),
            evidence=tuple(sorted(node_evidence.get(key, ()))),
            jobTitles=_strs(s, KGO.jobTitle),
            honours=_strs(s, KGO.honour),
            date=_text(date) if date is not None else None,
            dateText=_text(date_text) if date_text is not None else None,
        )

    triples = []
    for p, rel in _REL_IRIS.items():
        for s, o in graph.subject_objects(p):
            if str(s) in types and str(o) in types and s != o:
                triples.append((str(s), rel, str(o)))
    for s, rel, o in sorted(set(triples)):
        k3 = (s, rel, o)
        G.add_edge(
            s,
            o,
            key=rel,
            relation=rel,
            evidence=tuple(sorted(fact_ev.get(k3, ()))),
            confidence=fact_conf.get(k3),
            extractedBy=tuple(sorted(fact_by.get(k3, ()))),
        )

    if comention is not None:
        groups: dict[str, set[str]] = by_sentence
        if comention == "article":
            groups = defaultdict(set)
            for ent, arts in node_articles.items():
                for art in arts:
                    groups[art].add(ent)
        pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
        for where in sorted(groups):
            for a, b in combinations(sorted(groups[where]), 2):
                pairs[(a, b)].append(where)
        for (a, b), wheres in sorted(pairs.items()):
            G.add_edge(
                a,
                b,
                key=COMENTION,
                relation=COMENTION,
                weight=len(wheres),
                evidence=tuple(wheres) if comention == "sentence" else (),
                articles=tuple(wheres) if comention == "article" else (),
                confidence=None,
                extractedBy=(),
                undirected=True,
            )
    return G


def undirected(G: nx.MultiDiGraph) -> nx.Graph:
    """A simple undirected view of ``G`` for centrality and communities.

    Each pair of entities joined by any edge becomes one edge whose ``weight`` is the number of
    typed relations between them plus the co-mention weight.
    """
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        w = float(data.get("weight", 1))
        if U.has_edge(u, v):
            U[u][v]["weight"] += w
        else:
            U.add_edge(u, v, weight=w)
    return U


def find_nodes(G: nx.MultiDiGraph, name: str) -> list[str]:
    """Nodes named ``name``: by IRI, then exact label, then exact alias, then case-insensitive.

    Returns the sorted matches of the first rule that finds any, or an empty list.
    """
    if name in G:
        return [name]
    q = name.strip()
    rules: Iterable = (
        lambda d: d["label"] == q,
        lambda d: q in d["aliases"],
        lambda d: d["label"].casefold() == q.casefold() or any(a.casefold() == q.casefold() for a in d["aliases"]),
    )
    for rule in rules:
        found = sorted(n for n, d in G.nodes(data=True) if rule(d))
        if found:
            return found
    return []


def resolve(G: nx.MultiDiGraph, name: str) -> str:
    """The one node named ``name`` (see `find_nodes`); the most connected one when several share it.

    Raises `EntityNotFound` when nothing matches.
    """
    found = find_nodes(G, name)
    if not found:
        raise EntityNotFound(f"no entity named {name!r}")
    return min(found, key=lambda n: (-G.degree(n), n))
