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
``mentions``
    the number of times the text names it (``kgo:Mention`` nodes that refer to it).
``articles``
    sorted article IRIs that mention the entity (``kgo:mentions``, mentions in their sentences, bylines).
``evidence``
    sorted sentence IRIs: where the entity is mentioned or a fact about it is stated.
``jobTitles``, ``honours``, ``date``, ``dateText``
    literal attributes (tuples of strings; ``date`` and ``dateText`` are strings or ``None``).

Edges are keyed by relation name (one of :data:`RELATIONS`, or ``"comention"``) and carry ``relation``,
``evidence`` (sentence IRIs), ``confidence`` (float or ``None``), ``extractedBy`` (tuple), and for
co-mentions ``weight`` and ``undirected=True``. ``G.graph`` holds ``sentences`` (IRI → `SentenceInfo`)
and ``articles`` (IRI → headline) so evidence can be printed, and ``mentioned`` (sentence IRI → the
sorted entities it mentions), from which `centrality_graph` weighs co-mentions.

The scores are computed on `centrality_graph`: one undirected edge per pair of entities, weighted
by the typed relations between them and by how close together the text names them (same sentence
> same paragraph > same article, :data:`SENTENCE_WEIGHT` > :data:`PARAGRAPH_WEIGHT` >
:data:`ARTICLE_WEIGHT`), without the place hierarchy (`is_hierarchy`: ``locatedIn`` between two
places), which the view keeps for navigation.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import rdflib
from rdflib import Literal, URIRef

from kg.errors import EntityNotFound
from kg.ns import KGO, NIF, PROV, RDF, RDFS, SDO, SKOS
from kg.schema import EVENT, PLACE, schema

if TYPE_CHECKING:
    from kg.rdf import Triples

__all__ = [
    "ENTITY_TYPES",
    "RELATIONS",
    "COMENTION",
    "HIERARCHY",
    "RELATION_WEIGHT",
    "SENTENCE_WEIGHT",
    "PARAGRAPH_WEIGHT",
    "ARTICLE_WEIGHT",
    "MAX_ARTICLE_ENTITIES",
    "SentenceInfo",
    "EntityNotFound",
    "to_networkx",
    "NetworkBuilder",
    "Reading",
    "find_nodes",
    "resolve",
    "undirected",
    "is_hierarchy",
    "paragraphs",
    "centrality_graph",
    "Links",
    "centrality_links",
]

#: The entity types (`kg.schema`), in the order used to break ties when an entity has more than one.
ENTITY_TYPES: tuple[str, ...] = schema().names

#: The fact predicates between entities (not literal-valued) that become typed edges, in schema order.
RELATIONS: tuple[str, ...] = tuple(p.name for p in schema().predicates if not p.literal)

#: Edge key and ``relation`` of co-mention edges.
COMENTION = "comention"

#: The relation that, between two places, is the place hierarchy (county ⊂ city ⊂ province): kept
#: in the graph and the view for navigation, left out of centrality and communities, since every
#: place named with its province would otherwise make the province (and 中国) the centre of the corpus.
HIERARCHY = "locatedIn"

#: Weight of each typed relation between two entities (worksFor, organizer, …) in `centrality_graph`.
RELATION_WEIGHT = 2.0
#: Weight of each sentence that names both entities.
SENTENCE_WEIGHT = 1.0
#: Weight of each paragraph that names both, in different sentences only.
PARAGRAPH_WEIGHT = 0.3
#: Weight of each article that names both, in different paragraphs only.
ARTICLE_WEIGHT = 0.1
#: An article naming more entities than this adds no article-level co-mentions (their number
#: grows with the square of its entities; sentence and paragraph co-mentions still count).
MAX_ARTICLE_ENTITIES = 300

_TYPE_IRIS: dict[URIRef, str] = {t.iri: t.name for t in schema().entity_types}
_REL_IRIS: dict[URIRef, str] = {p.iri: p.name for p in schema().predicates if not p.literal}
# the event types of the schema; used when a graph lacks their rdfs:subClassOf triples
_EVENT_IRIS: tuple[URIRef, ...] = tuple(e.iri for e in schema().event_types)


@dataclass(frozen=True, slots=True)
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


def _class_types(graph: rdflib.Graph | Triples) -> dict[URIRef, str]:
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


def _entities(graph: rdflib.Graph | Triples) -> tuple[dict[str, str], dict[str, str]]:
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


def _division_path(graph: rdflib.Graph | Triples, node: URIRef) -> tuple[str, ...]:
    """The names of the gazetteer's divisions a place is in, outermost first, down to its own
    (中国, 浙江省, 杭州市), whether or not the text names them; ``()`` for anything else."""
    path: list[str] = []
    d = graph.value(node, KGO.division)
    while isinstance(d, URIRef) and len(path) < 8:
        label = graph.value(d, RDFS.label)
        path.append(_text(label) if label is not None else _local(d))
        d = graph.value(d, KGO.withinDivision)
    return tuple(reversed(path))


def _sentences(graph: rdflib.Graph | Triples, name: Callable[[object], str] = str) -> tuple[dict[str, SentenceInfo], dict[str, str]]:
    """Sentence IRI → `SentenceInfo`, and article IRI → headline (``""`` when it has none);
    ``name`` makes an IRI's string (`_Names`: each string once)."""
    articles: dict[str, str] = {}
    for art in graph.subjects(RDF.type, KGO.Article):
        articles[name(art)] = ""
    for art, head in graph.subject_objects(SDO.headline):
        articles[name(art)] = _text(head)
    sentences: dict[str, SentenceInfo] = {}
    for sent in graph.subjects(RDF.type, KGO.Sentence):
        in_article = graph.value(sent, KGO.inArticle)
        src = graph.value(sent, KGO.sourceFile)
        sentences[name(sent)] = SentenceInfo(
            iri=name(sent),
            text=_text(graph.value(sent, NIF.anchorOf) or ""),
            article=name(in_article) if in_article is not None else None,
            source=_text(src) if src is not None else None,
            begin=_int(graph.value(sent, NIF.beginIndex)),
            end=_int(graph.value(sent, NIF.endIndex)),
        )
        if in_article is not None:
            articles.setdefault(name(in_article), "")
    return sentences, articles


@dataclass
class _Facts:
    """What the reified facts say about each typed relation."""

    evidence: dict[_Key3, set[str]]
    confidence: dict[_Key3, float]
    extracted_by: dict[_Key3, set[str]]


def _facts(graph: rdflib.Graph | Triples, types: Mapping[str, str], node_evidence: dict[str, set[str]], out: _Facts,
           name: Callable[[object], str] = str) -> None:
    """Adds the evidence sentences, confidence and components of every fact of ``graph`` to
    ``out``, and each fact's sentences to the evidence of its entities (``node_evidence``)."""
    for fact in graph.subjects(RDF.type, KGO.Fact):
        p = graph.value(fact, RDF.predicate)
        s = graph.value(fact, RDF.subject)
        o = graph.value(fact, RDF.object)
        if not isinstance(p, URIRef) or p not in _REL_IRIS or s is None or o is None:
            continue
        key3 = (name(s), _REL_IRIS[p], name(o))
        for sent in graph.objects(fact, PROV.wasDerivedFrom):
            out.evidence[key3].add(name(sent))
            for ent in (name(s), name(o)):
                if ent in types:
                    node_evidence[ent].add(name(sent))
        conf = graph.value(fact, KGO.confidence)
        if isinstance(conf, Literal):
            try:
                out.confidence[key3] = max(out.confidence.get(key3, 0.0), float(conf.toPython()))
            except (TypeError, ValueError):
                pass
        for comp in graph.objects(fact, KGO.extractedBy):
            out.extracted_by[key3].add(_text(comp))


def _add_comentions(G: nx.MultiDiGraph, comention: str, groups: Mapping[str, Iterable[str]]) -> None:
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
    return NetworkBuilder(graph, comention).add(graph).network()


def _strs(graph: rdflib.Graph | Triples, s: URIRef, p: URIRef) -> tuple[str, ...]:
    return tuple(sorted({_text(o) for o in graph.objects(s, p) if isinstance(o, Literal)}))


class _Names:
    """An IRI's string, each string once (the same sentence or entity is named in several
    places of the graph: one string object for all of them)."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def __call__(self, term: object) -> str:
        text = str(term)
        return self.known.setdefault(text, text)


@dataclass
class Reading:
    """What a `NetworkBuilder` read of the parts it was given (`NetworkBuilder.reading`): the
    articles, sentences, mentions and facts, apart from the entities it was made with, so that
    another builder of the same entities can take it (`NetworkBuilder.merge`), e.g. from
    another process that read some of the parts."""

    sentences: dict[str, SentenceInfo]
    articles: dict[str, str]
    node_articles: dict[str, set[str]]
    node_evidence: dict[str, set[str]]
    by_sentence: dict[str, set[str]]
    mention_count: dict[str, int]
    facts: _Facts


class NetworkBuilder:
    """`to_networkx` of a graph given in parts, without holding the graph.

    The builder reads the part that holds the entities first (their types, labels and
    attributes, the facts' statements, the ontology: `kg.rdf.corpus_part`), then `add` reads
    each part that holds articles, sentences, mentions or facts' nodes (`kg.rdf.document_parts`,
    `kg.rdf.fact_parts`: all of a node's triples in one part; an rdflib graph or a
    `kg.rdf.Triples`), and `network` gives the graph
    `to_networkx` gives of their union. ``comention`` is `to_networkx`'s.

    Examples
    --------
    >>> from kg.ns import resource
    >>> from kg.schema import PERSON, entity_type
    >>> person = entity_type(PERSON)
    >>> a, m, s = resource(person.segment, "甲"), resource("mention", "0", "1"), resource("article", "0", "0", "s0")
    >>> entities = rdflib.Graph().add((a, RDF.type, person.iri))
    >>> part = rdflib.Graph().add((m, RDF.type, KGO.Mention)).add((m, KGO.refersTo, a)).add((m, KGO.inSentence, s))
    >>> NetworkBuilder(entities).add(part).network().nodes[str(a)]["mentions"]
    1

    Parts read by a `fresh` builder (in another process, say) join through its `reading`:

    >>> one = NetworkBuilder(entities)
    >>> one.merge(one.fresh().add(part).reading()).network().nodes[str(a)]["mentions"]
    1
    """

    def __init__(self, graph: rdflib.Graph | Triples, comention: str | None = None) -> None:
        if comention not in (None, "sentence", "article"):
            raise ValueError(f"comention must be None, 'sentence' or 'article', not {comention!r}")
        self.comention = comention
        self.name = _Names()
        self.types, self.kinds = _entities(graph)
        self.name.known.update((k, k) for k in self.types)
        types = self.types
        self._start_reading()
        self.attributes: dict[str, dict[str, object]] = {}
        for key in sorted(types):
            node = URIRef(key)
            label = graph.value(node, RDFS.label)
            date = graph.value(node, KGO.date)
            date_text = graph.value(node, KGO.dateText)
            self.attributes[key] = {
                "label": _text(label) if label is not None else _local(node),
                "aliases": _strs(graph, node, SKOS.altLabel),
                "jobTitles": _strs(graph, node, KGO.jobTitle),
                "honours": _strs(graph, node, KGO.honour),
                "date": _text(date) if date is not None else None,
                "dateText": _text(date_text) if date_text is not None else None,
                "division": _division_path(graph, node),
            }
        self.triples: set[_Key3] = set()
        for pred, rel in _REL_IRIS.items():
            for s, o in graph.subject_objects(pred):
                if str(s) in types and str(o) in types and s != o:
                    self.triples.add((str(s), rel, str(o)))

    def _start_reading(self) -> None:
        """Nothing read yet of the parts."""
        self.node_articles: dict[str, set[str]] = defaultdict(set)
        self.node_evidence: dict[str, set[str]] = defaultdict(set)
        self.by_sentence: dict[str, set[str]] = defaultdict(set)
        self.mention_count: dict[str, int] = defaultdict(int)
        self.sentences: dict[str, SentenceInfo] = {}
        self.articles: dict[str, str] = {}
        self.facts = _Facts(defaultdict(set), {}, defaultdict(set))

    def fresh(self) -> NetworkBuilder:
        """A builder of the same entities that has read none of the parts (its `reading` then
        holds only what it reads); the entities are shared with this one, not copied."""
        other = object.__new__(NetworkBuilder)
        other.__dict__.update(self.__dict__)
        other._start_reading()
        return other

    def reading(self) -> Reading:
        """What this builder read of the parts (not the entities it was made with)."""
        return Reading(dict(self.sentences), dict(self.articles), dict(self.node_articles),
                       dict(self.node_evidence), dict(self.by_sentence), dict(self.mention_count),
                       self.facts)

    def merge(self, reading: Reading) -> NetworkBuilder:
        """Take what another builder of the same entities read (its `reading`): this builder is
        then the one that read its parts and those; returns the builder."""
        name = self.name
        for iri, info in reading.sentences.items():
            self.sentences[name(iri)] = info
        for art, head in reading.articles.items():
            if head or art not in self.articles:
                self.articles[name(art)] = head
        for mine, theirs in ((self.node_articles, reading.node_articles),
                             (self.node_evidence, reading.node_evidence),
                             (self.by_sentence, reading.by_sentence)):
            for key, values in theirs.items():
                mine[name(key)].update(map(name, values))
        for key, n in reading.mention_count.items():
            self.mention_count[name(key)] += n
        facts, more = self.facts, reading.facts
        for k3, sents in more.evidence.items():
            facts.evidence[k3].update(sents)
        for k3, c in more.confidence.items():
            facts.confidence[k3] = max(facts.confidence.get(k3, 0.0), c)
        for k3, comps in more.extracted_by.items():
            facts.extracted_by[k3].update(comps)
        return self

    def add(self, graph: rdflib.Graph | Triples) -> NetworkBuilder:
        """Read the articles, sentences, mentions and facts of one part; returns the builder."""
        types, name = self.types, self.name
        sentences, articles = _sentences(graph, name)
        self.sentences.update(sentences)
        for art_iri, head in articles.items():
            if head or art_iri not in self.articles:
                self.articles[art_iri] = head
        for art, ent in graph.subject_objects(KGO.mentions):
            if name(ent) in types:
                self.node_articles[name(ent)].add(name(art))
        for art, person in graph.subject_objects(KGO.author):
            if name(person) in types:
                self.node_articles[name(person)].add(name(art))
        # mentions: entity ↔ sentence
        for m in graph.subjects(RDF.type, KGO.Mention):
            sent = graph.value(m, KGO.inSentence)
            if sent is None:
                continue
            for ent in graph.objects(m, KGO.refersTo):
                if name(ent) in types:
                    self.mention_count[name(ent)] += 1
                    self.by_sentence[name(sent)].add(name(ent))
                    self.node_evidence[name(ent)].add(name(sent))
                    info = self.sentences.get(name(sent))
                    if info is not None and info.article:
                        self.node_articles[name(ent)].add(info.article)
        _facts(graph, types, self.node_evidence, self.facts, name)
        return self

    def network(self, keep: bool = True) -> nx.MultiDiGraph:
        """The graph of everything read (see `to_networkx`).

        With ``keep=False`` the builder hands over what it read as the graph takes it (each
        entity's sets of articles and sentences, each sentence's entities, each fact's
        evidence): the graph and the builder are never both held whole, and the builder is
        left empty (a build, whose builder is done with, makes its graph so).
        """
        def take(values: dict[Any, Any], key: Any) -> Any:
            return values.get(key) if keep else values.pop(key, None)

        G: nx.MultiDiGraph = nx.MultiDiGraph()
        G.graph["sentences"] = dict(sorted(self.sentences.items()))
        G.graph["articles"] = dict(sorted(self.articles.items()))
        G.graph["comention"] = self.comention
        mentioned = {sent: tuple(sorted(take(self.by_sentence, sent))) for sent in sorted(self.by_sentence)}
        G.graph["mentioned"] = mentioned
        groups: Mapping[str, Iterable[str]] = mentioned
        if self.comention == "article":  # read before the entities' articles are handed over
            in_article: dict[str, set[str]] = defaultdict(set)
            for entity, its_articles in self.node_articles.items():
                for article in its_articles:
                    in_article[article].add(entity)
            groups = in_article
        for key in list(self.attributes):
            attrs = take(self.attributes, key)
            G.add_node(
                key,
                type=self.types[key],
                kind=self.kinds.get(key, self.types[key]),
                label=attrs["label"],
                aliases=attrs["aliases"],
                mentions=self.mention_count.get(key, 0),
                articles=tuple(sorted(take(self.node_articles, key) or ())),
                evidence=tuple(sorted(take(self.node_evidence, key) or ())),
                jobTitles=attrs["jobTitles"],
                honours=attrs["honours"],
                date=attrs["date"],
                dateText=attrs["dateText"],
                division=attrs["division"],
            )
        facts = self.facts
        for k3 in sorted(self.triples):
            subj, rel, obj = k3
            G.add_edge(
                subj,
                obj,
                key=rel,
                relation=rel,
                evidence=tuple(sorted(take(facts.evidence, k3) or ())),
                confidence=facts.confidence.get(k3),
                extractedBy=tuple(sorted(take(facts.extracted_by, k3) or ())),
            )
        if not keep:
            self._start_reading()  # the rest of the reading (the counts, the sentences' dict) goes too
            self.triples = set()
        if self.comention is not None:
            _add_comentions(G, self.comention, groups)
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


def is_hierarchy(G: nx.Graph, u: str, v: str, relation: str) -> bool:
    """Whether the edge ``u —relation→ v`` is the place hierarchy (:data:`HIERARCHY` between places)."""
    return relation == HIERARCHY and G.nodes[u].get("type") == PLACE and G.nodes[v].get("type") == PLACE


def paragraphs(sentences: Mapping[str, SentenceInfo]) -> dict[str, tuple[str, int]]:
    """Sentence IRI → ``(article, paragraph number)``.

    The graph does not name paragraphs, but their sentences touch: within an article, sorted by
    offset, a sentence that begins where the previous one ends continues its paragraph, and any
    character between them (a line break) starts a new one. A sentence without offsets is a
    paragraph of its own.

    Examples
    --------
    >>> s = {"a/s0": SentenceInfo("a/s0", "甲。", "a", None, 0, 2),
    ...      "a/s1": SentenceInfo("a/s1", "乙。", "a", None, 2, 4),
    ...      "a/s2": SentenceInfo("a/s2", "丙。", "a", None, 5, 7)}
    >>> paragraphs(s)
    {'a/s0': ('a', 0), 'a/s1': ('a', 0), 'a/s2': ('a', 1)}
    """
    by_article: dict[str, list[SentenceInfo]] = defaultdict(list)
    for info in sentences.values():
        by_article[info.article or info.iri].append(info)
    out: dict[str, tuple[str, int]] = {}
    for article, infos in sorted(by_article.items()):
        infos.sort(key=lambda i: (i.begin is None, i.begin or 0, i.iri))
        k, end = -1, None
        for info in infos:
            if info.begin is None or end is None or info.begin != end:
                k += 1
            out[info.iri] = (article, k)
            end = info.end if info.begin is not None else None
    return dict(sorted(out.items()))


class _Pairs:
    """The pairs of entities that the links of `centrality_links` count, as arrays of pair codes
    (``i * n + j`` for the positions ``i < j`` of the two entities among the ``n`` sorted): each
    pair once per sentence, paragraph, article or relation that joins them, and ``close`` once
    per paragraph naming both. Codes kept as 8-byte integers, not as keys of a dictionary of
    Python numbers (a large corpus has millions of pairs: about 100 bytes each as a dictionary)."""

    def __init__(self) -> None:
        self.sentence = array("q")
        self.paragraph = array("q")
        self.article = array("q")
        self.relation = array("q")
        self.close = array("q")

    def links(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The distinct pairs (sorted), their weights and whether each is close.

        A pair's weight is ``sentences * SENTENCE_WEIGHT + paragraphs * PARAGRAPH_WEIGHT +
        articles * ARTICLE_WEIGHT + relations * RELATION_WEIGHT``, from the counts: the same
        whatever the order the pairs were found in.
        """
        kinds = ((self.sentence, SENTENCE_WEIGHT), (self.paragraph, PARAGRAPH_WEIGHT),
                 (self.article, ARTICLE_WEIGHT), (self.relation, RELATION_WEIGHT))
        codes = np.unique(np.concatenate([np.frombuffer(a, dtype=np.int64) for a, _ in kinds]))
        weight = np.zeros(len(codes), dtype=np.float64)
        for found, w in kinds:
            if len(found):
                at = np.searchsorted(codes, np.frombuffer(found, dtype=np.int64))
                weight += np.bincount(at, minlength=len(codes)) * w
                del at
        near = np.unique(np.concatenate([np.frombuffer(self.close, dtype=np.int64),
                                         np.frombuffer(self.relation, dtype=np.int64)]))
        return codes, weight, _members(codes, near)


def _members(codes: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(codes, sorted_set)`` for a sorted array of distinct codes, by a binary search of
    each code: ``isin`` sorts both arrays together, with an index, and on 4,585 articles (1.3
    million links) that took some 60 MB for a moment, the largest block of the analysis.

    Examples
    --------
    >>> _members(np.array([1, 4, 7, 9]), np.array([4, 9, 12])).tolist()
    [False, True, False, True]
    """
    if not len(sorted_set):
        return np.zeros(len(codes), dtype=bool)
    at = np.searchsorted(sorted_set, codes)
    at[at == len(sorted_set)] = 0  # past the last: compared with the first, which differs
    return np.asarray(sorted_set[at] == codes)


def _pair_weights(G: nx.Graph, index: Mapping[str, int]) -> _Pairs:
    """The pairs of entities named in one sentence, paragraph or article (see `centrality_graph`)
    as `_Pairs`; the entities are ``index``'s (the sorted entities, ``n`` of them)."""
    n = len(index)
    mentioned: Mapping[str, tuple[str, ...]] = G.graph.get("mentioned", {})
    sentences: Mapping[str, SentenceInfo] = G.graph.get("sentences", {})
    where = paragraphs({s: sentences.get(s) or SentenceInfo(s, "") for s in mentioned})
    # article → paragraph → the entity sets of its sentences (sorted positions)
    tree: dict[str, dict[int, list[tuple[int, ...]]]] = defaultdict(lambda: defaultdict(list))
    for sent, ents in mentioned.items():
        present = tuple(sorted(index[e] for e in ents if e in index))
        if present:
            article, k = where[sent]
            tree[article][k].append(present)
    del where
    found = _Pairs()
    for article in sorted(tree):
        seen_in_article: set[int] = set()
        in_article: set[int] = set()
        for k in sorted(tree[article]):
            seen_in_paragraph: set[int] = set()
            in_paragraph: set[int] = set()
            for named in tree[article][k]:
                pairs = [a * n + b for a, b in combinations(named, 2)]
                found.sentence.extend(pairs)
                seen_in_paragraph.update(pairs)
                in_paragraph.update(named)
            for a, b in combinations(sorted(in_paragraph), 2):
                pair = a * n + b
                if pair not in seen_in_paragraph:
                    found.paragraph.append(pair)
                seen_in_article.add(pair)
                found.close.append(pair)
            in_article.update(in_paragraph)
        if len(in_article) <= MAX_ARTICLE_ENTITIES:
            found.article.extend(pair for pair in (a * n + b for a, b in combinations(sorted(in_article), 2))
                                 if pair not in seen_in_article)
        del tree[article]  # read: its memory goes to the pairs
    return found


@dataclass(frozen=True, eq=False)
class Links:
    """`centrality_graph` as arrays (a large corpus has millions of links: a networkx graph of
    them takes about 400 bytes a link, these arrays 25).

    ``nodes`` are the entities, sorted; link ``k`` joins ``nodes[ends[k, 0]]`` and
    ``nodes[ends[k, 1]]`` (the first before the second), links sorted by their ends, with its
    ``weight`` and whether it is ``close`` (see `centrality_graph`).
    """

    nodes: tuple[str, ...]
    ends: np.ndarray = field(repr=False)
    weight: np.ndarray = field(repr=False)
    close: np.ndarray = field(repr=False)


def centrality_links(G: nx.Graph) -> Links:
    """`centrality_graph` of ``G`` as `Links`: the same links and weights, without networkx.

    Examples
    --------
    >>> from kg.schema import ORGANIZATION, PERSON
    >>> G = nx.MultiDiGraph(mentioned={"a/s0": ("o", "p")}, sentences={"a/s0": SentenceInfo("a/s0", "", "a")})
    >>> G.add_node("p", type=PERSON); G.add_node("o", type=ORGANIZATION)
    >>> G.add_edge("p", "o", key="worksFor", relation="worksFor")
    'worksFor'
    >>> x = centrality_links(G)
    >>> x.nodes, x.ends.tolist(), x.weight.tolist(), x.close.tolist()
    (('o', 'p'), [[0, 1]], [3.0], [True])
    """
    nodes = tuple(sorted(G))
    index = {v: i for i, v in enumerate(nodes)}
    n = len(nodes)
    found = _pair_weights(G, index)
    for u, v, data in G.edges(data=True):
        rel = data.get("relation")
        if u == v or rel == COMENTION or is_hierarchy(G, u, v, str(rel)):
            continue
        a, b = sorted((index[u], index[v]))
        found.relation.append(a * n + b)
    codes, weight, near = found.links()
    del found
    # the two ends as two rows, each contiguous (PageRank reads each end's column as it is, no
    # copy), seen as one array of a row per link; made in place, without arrays for the quotients
    rows = np.empty((2, len(codes)), dtype=np.int64)
    np.floor_divide(codes, max(n, 1), out=rows[0])
    np.remainder(codes, max(n, 1), out=rows[1])
    del codes
    return Links(nodes, rows.T, weight, near)


def centrality_graph(G: nx.Graph) -> nx.Graph:
    """The undirected, weighted graph that centrality and communities are computed on.

    One edge per pair of entities, whose ``weight`` adds :data:`RELATION_WEIGHT` for each typed
    relation between them (either direction), :data:`SENTENCE_WEIGHT` for each sentence naming both,
    :data:`PARAGRAPH_WEIGHT` for each paragraph naming both in different sentences, and
    :data:`ARTICLE_WEIGHT` for each article naming both in different paragraphs (`paragraphs`).
    The place hierarchy (`is_hierarchy`) and co-mention edges of ``G`` are left out: co-mentions
    are counted from ``G.graph["mentioned"]``. ``distance`` is ``1 / weight``, for shortest paths;
    ``close`` is true when a relation, a sentence or a paragraph joins the two (not only articles).
    The analysis computes the same links as arrays (`centrality_links`).

    Examples
    --------
    >>> from kg.schema import ORGANIZATION, PERSON
    >>> G = nx.MultiDiGraph(mentioned={"a/s0": ("o", "p"), "a/s1": ("c", "p")},
    ...     sentences={"a/s0": SentenceInfo("a/s0", "", "a", None, 0, 5),
    ...                "a/s1": SentenceInfo("a/s1", "", "a", None, 9, 12)})
    >>> G.add_node("p", type=PERSON); G.add_node("o", type=ORGANIZATION)
    >>> G.add_node("c", type=PLACE); G.add_node("x", type=PLACE)
    >>> G.add_edge("p", "o", key="worksFor", relation="worksFor")
    'worksFor'
    >>> G.add_edge("c", "x", key=HIERARCHY, relation=HIERARCHY)
    'locatedIn'
    >>> W = centrality_graph(G)
    >>> W["o"]["p"]["weight"], W["c"]["p"]["weight"], W["c"]["o"]["weight"], W.degree("x")
    (3.0, 1.0, 0.1, 0)
    >>> W["c"]["p"]["close"], W["c"]["o"]["close"]
    (True, False)
    """
    W: nx.Graph = nx.Graph()
    W.add_nodes_from(G.nodes)
    x = centrality_links(G)
    for (i, j), w, near in zip(x.ends.tolist(), x.weight.tolist(), x.close.tolist(), strict=True):
        W.add_edge(x.nodes[i], x.nodes[j], weight=w, distance=1.0 / w, close=near)
    return W


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
