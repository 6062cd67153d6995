"""Read the RDF graph into networkx: entities as nodes, relations (and co-mentions) as edges.

Only the RDF contract is read (``kg/ns.py``), never extraction objects, so any graph kg holds works
here, including one loaded from Turtle.

Node keys are entity IRIs (``str``). Node attributes:

``type``
    the name of its entity type (one of :data:`ENTITY_TYPES`, read from the ontology by `kg.schema`).
``kind``
    the most specific kg class (an event type's name such as ``"Ceremony"``, else the same as ``type``).
``label``, ``aliases``
    ``rdfs:label`` and the sorted ``skos:altLabel`` values.
``articles``
    sorted article IRIs that mention the entity (``kgo:mentions``, mentions in their sentences, bylines).
``evidence``
    sorted sentence IRIs: where the entity is mentioned or a fact about it is stated.
``jobTitles``, ``honours``, ``date``, ``dateText``
    literal attributes (tuples of strings; ``date`` and ``dateText`` are strings or ``None``).

Edges are keyed by relation name (one of :data:`RELATIONS`, or ``"comention"``) and carry ``relation``,
``evidence`` (sentence IRIs), ``confidence`` (float or ``None``), ``extractedBy`` (tuple), and for
co-mentions ``weight`` and ``undirected=True``. ``G.graph`` holds ``sentences`` (IRI → `SentenceInfo`)
and ``articles`` (IRI → headline) so evidence can be printed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

import networkx as nx
import rdflib
from rdflib import Literal, URIRef

from kg.errors import EntityNotFound
from kg.ns import KGO, NIF, PROV, RDF, RDFS, SDO, SKOS
from kg.schema import EVENT, schema

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

#: The entity types (`kg.schema`), in the order used to break ties when an entity has more than one.
ENTITY_TYPES: tuple[str, ...] = schema().names

#: The fact predicates between entities (not literal-valued) that become typed edges, in schema order.
RELATIONS: tuple[str, ...] = tuple(p.name for p in schema().predicates if not p.literal)

#: Edge key and ``relation`` of co-mention edges.
COMENTION = "comention"

_TYPE_IRIS: dict[URIRef, str] = {t.iri: t.name for t in schema().entity_types}
_REL_IRIS: dict[URIRef, str] = {p.iri: p.name for p in schema().predicates if not p.literal}
# the event types of the schema; used when a graph lacks their rdfs:subClassOf triples
_EVENT_IRIS: tuple[URIRef, ...] = tuple(e.iri for e in schema().event_types)


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
    for kind in _EVENT_IRIS:
        out.setdefault(kind, EVENT)
    changed = True
    while changed:  # transitive rdfs:subClassOf closure inside the graph
        changed = False
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sup in out and sub not in out:
                out[sub] = out[sup]
                changed = True
    return out


def _text(value: object) -> str:
    return str(value)


def _int(value: object) -> int | None:
    if not isinstance(value, Literal):
        return None
    v = value.toPython()
    try:
        return int(v) if isinstance(v, int | float | str | Decimal) else None
    except (TypeError, ValueError, ArithmeticError):
        return None


# (subject IRI, relation name, object IRI) of a fact
_Key3 = tuple[str, str, str]


def _entities(graph: rdflib.Graph) -> tuple[dict[str, str], dict[str, str]]:
    """Entity IRI → its entity type, and → its most specific kg class (``kind``)."""
    classes = _class_types(graph)
    rank = {t: i for i, t in enumerate(ENTITY_TYPES)}
    types: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for s, o in graph.subject_objects(RDF.type):
        if not isinstance(s, URIRef) or not isinstance(o, URIRef) or o not in classes:
            continue
        key = str(s)
        t = classes[o]
        if key not in types or rank[t] < rank[types[key]]:
            types[key] = t
        if o not in _TYPE_IRIS or key not in kinds:
            kinds[key] = _local(o) if o not in _TYPE_IRIS else t
    return types, kinds


def _sentences(graph: rdflib.Graph) -> tuple[dict[str, SentenceInfo], dict[str, str]]:
    """Sentence IRI → `SentenceInfo`, and article IRI → headline (``""`` when it has none)."""
    articles: dict[str, str] = {}
    for art in graph.subjects(RDF.type, KGO.Article):
        articles[str(art)] = ""
    for art, head in graph.subject_objects(SDO.headline):
        articles[str(art)] = _text(head)
    sentences: dict[str, SentenceInfo] = {}
    for sent in graph.subjects(RDF.type, KGO.Sentence):
        in_article = graph.value(sent, KGO.inArticle)
        src = graph.value(sent, KGO.sourceFile)
        sentences[str(sent)] = SentenceInfo(
            iri=str(sent),
            text=_text(graph.value(sent, NIF.anchorOf) or ""),
            article=str(in_article) if in_article is not None else None,
            source=_text(src) if src is not None else None,
            begin=_int(graph.value(sent, NIF.beginIndex)),
            end=_int(graph.value(sent, NIF.endIndex)),
        )
        if in_article is not None:
            articles.setdefault(str(in_article), "")
    return sentences, articles


@dataclass
class _Facts:
    """What the reified facts say about each typed relation."""

    evidence: dict[_Key3, set[str]]
    confidence: dict[_Key3, float]
    extracted_by: dict[_Key3, set[str]]


def _facts(graph: rdflib.Graph, types: Mapping[str, str], node_evidence: dict[str, set[str]]) -> _Facts:
    """The evidence sentences, confidence and components of every fact; adds each fact's
    sentences to the evidence of its entities (``node_evidence``)."""
    out = _Facts(defaultdict(set), {}, defaultdict(set))
    for fact in graph.subjects(RDF.type, KGO.Fact):
        p = graph.value(fact, RDF.predicate)
        s = graph.value(fact, RDF.subject)
        o = graph.value(fact, RDF.object)
        if not isinstance(p, URIRef) or p not in _REL_IRIS or s is None or o is None:
            continue
        key3 = (str(s), _REL_IRIS[p], str(o))
        for sent in graph.objects(fact, PROV.wasDerivedFrom):
            out.evidence[key3].add(str(sent))
            for ent in (str(s), str(o)):
                if ent in types:
                    node_evidence[ent].add(str(sent))
        conf = graph.value(fact, KGO.confidence)
        if isinstance(conf, Literal):
            try:
                out.confidence[key3] = max(out.confidence.get(key3, 0.0), float(conf.toPython()))
            except (TypeError, ValueError):
                pass
        for comp in graph.objects(fact, KGO.extractedBy):
            out.extracted_by[key3].add(_text(comp))
    return out


def _add_comentions(G: nx.MultiDiGraph, comention: str, groups: Mapping[str, set[str]]) -> None:
    """One undirected ``comention`` edge per pair of entities sharing a sentence or article
    (``groups``: sentence or article IRI → its entities)."""
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
    >>> from kg.schema import ORGANIZATION, PERSON, entity_type
    >>> person, org = entity_type(PERSON), entity_type(ORGANIZATION)
    >>> g = Graph()
    >>> a, b = resource(person.segment, "甲"), resource(org.segment, "乙")
    >>> g.add((a, RDF.type, person.iri)); g.add((a, RDFS.label, Literal("甲")))  # doctest: +ELLIPSIS
    <Graph ...>
    <Graph ...>
    >>> g.add((b, RDF.type, org.iri)); g.add((a, KGO.worksFor, b))  # doctest: +ELLIPSIS
    <Graph ...>
    <Graph ...>
    >>> G = to_networkx(g)
    >>> G.nodes[str(a)]["type"] == PERSON, list(G.edges(keys=True))[0][2]
    (True, 'worksFor')
    """
    if comention not in (None, "sentence", "article"):
        raise ValueError(f"comention must be None, 'sentence' or 'article', not {comention!r}")
    types, kinds = _entities(graph)
    sentences, articles = _sentences(graph)

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

    facts = _facts(graph, types, node_evidence)

    G: nx.MultiDiGraph = nx.MultiDiGraph()
    G.graph["sentences"] = dict(sorted(sentences.items()))
    G.graph["articles"] = dict(sorted(articles.items()))
    G.graph["comention"] = comention

    def _strs(s: URIRef, p: URIRef) -> tuple[str, ...]:
        return tuple(sorted({_text(o) for o in graph.objects(s, p) if isinstance(o, Literal)}))

    for key in sorted(types):
        node = URIRef(key)
        label = graph.value(node, RDFS.label)
        date = graph.value(node, KGO.date)
        date_text = graph.value(node, KGO.dateText)
        G.add_node(
            key,
            type=types[key],
            kind=kinds.get(key, types[key]),
            label=_text(label) if label is not None else _local(node),
            aliases=_strs(node, SKOS.altLabel),
            articles=tuple(sorted(node_articles.get(key, ()))),
            evidence=tuple(sorted(node_evidence.get(key, ()))),
            jobTitles=_strs(node, KGO.jobTitle),
            honours=_strs(node, KGO.honour),
            date=_text(date) if date is not None else None,
            dateText=_text(date_text) if date_text is not None else None,
        )

    triples: set[_Key3] = set()
    for pred, rel in _REL_IRIS.items():
        for s, o in graph.subject_objects(pred):
            if str(s) in types and str(o) in types and s != o:
                triples.add((str(s), rel, str(o)))
    for k3 in sorted(triples):
        subj, rel, obj = k3
        G.add_edge(
            subj,
            obj,
            key=rel,
            relation=rel,
            evidence=tuple(sorted(facts.evidence.get(k3, ()))),
            confidence=facts.confidence.get(k3),
            extractedBy=tuple(sorted(facts.extracted_by.get(k3, ()))),
        )

    if comention == "sentence":
        _add_comentions(G, comention, by_sentence)
    elif comention == "article":
        groups: dict[str, set[str]] = defaultdict(set)
        for entity, its_articles in node_articles.items():
            for article in its_articles:
                groups[article].add(entity)
        _add_comentions(G, comention, groups)
    return G


def undirected(G: nx.Graph) -> nx.Graph:
    """A simple undirected view of ``G`` for centrality and communities.

    Each pair of entities joined by any edge becomes one edge whose ``weight`` is the number of
    typed relations between them plus the co-mention weight.
    """
    U: nx.Graph = nx.Graph()
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
    rules: Iterable[Callable[[dict], bool]] = (
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
