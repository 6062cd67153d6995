"""Map a :class:`~kg.model.Corpus` to RDF, validate it with SHACL, write canonical Turtle.

The mapping (see ``ontology/kg.ttl``):

* an entity is ``kgr:<type>/<name>`` (``kgr:<type>/<name>/<n>`` for the n-th homonym), typed
  with one of the five classes (events also with their kind), ``rdfs:label``, ``skos:altLabel``;
* a relation is a direct triple ``<s> kgo:<p> <o>`` *and* a ``kgo:Fact`` node (an RDF
  reification) with ``kgo:confidence``, ``kgo:extractedBy`` and one ``prov:wasDerivedFrom`` per
  evidence sentence;
* articles, sentences and mentions are nodes with NIF offsets into the decoded source text.

No blank nodes are written, so two runs give the same triples and :func:`write_turtle` gives
byte-identical files.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as _dt
import hashlib
import heapq
import marshal
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from decimal import Decimal
from functools import lru_cache
from itertools import chain
from pathlib import Path
from types import MappingProxyType
from typing import Literal as Exactly
from typing import TypeVar, overload

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

from kg.atomic import atomic_write
from kg.gazetteer import Division, gazetteer
from kg.model import (
    DENIED,
    HAPPENED,
    PLANNED,
    Article,
    Corpus,
    Document,
    Entity,
    EntityKey,
    EventInfo,
    Evidence,
    Relation,
)
from kg.ns import KGO, NIF, PREFIXES, PROV, RDF, RDFS, SDO, SH, SKOS, XSD, resource
from kg.schema import ONTOLOGY_DIR, PERSON, PLACE, entity_type, ontology_files, schema

__all__ = [
    "ONTOLOGY_PATH",
    "SHAPES_PATH",
    "EVENT_STATUS",
    "corpus_to_graph",
    "corpus_part",
    "document_parts",
    "fact_parts",
    "sentence_iris",
    "entity_iris",
    "release",
    "PART_TRIPLES",
    "entity_iri",
    "key_iri",
    "article_iri",
    "sentence_iri",
    "fact_iri",
    "division_iri",
    "date_literal",
    "load_ontology",
    "load_shapes",
    "new_graph",
    "Triples",
    "validate",
    "PartsValidation",
    "canonical_turtle",
    "turtle_chunks",
    "TurtleParts",
    "nt_term",
    "write_turtle",
    "atomic_write",
]

# terms of rdflib's namespaces written for every node and number: looked up once (a
# DefinedNamespace finds a term through its metaclass on every access)
_TYPE = RDF.type
_NON_NEGATIVE = XSD.nonNegativeInteger


@lru_cache(maxsize=1 << 16)
def _count(n: int) -> Literal:
    """``n`` as an xsd:nonNegativeInteger literal (offsets and indexes: the same few thousand
    numbers over and over, and rdflib's literal constructor is the mapping's largest cost)."""
    return Literal(n, datatype=_NON_NEGATIVE)


@lru_cache(maxsize=64)
def _kind(kind: str) -> Literal:
    """A sentence kind's literal (``body``, ``title``, …: a handful of values)."""
    return Literal(kind)


#: The ontology (OWL in Turtle) and the SHACL shapes a built graph must satisfy.
ONTOLOGY_PATH: Path = ONTOLOGY_DIR / "kg.ttl"
SHAPES_PATH: Path = ONTOLOGY_DIR / "shapes.ttl"


#: An event's status (``EventInfo.status``) and the individual that states it.
EVENT_STATUS: Mapping[str, URIRef] = MappingProxyType({HAPPENED: KGO.Happened, PLANNED: KGO.Planned,
                                                       DENIED: KGO.Denied})


def new_graph() -> Graph:
    """An empty rdflib graph with the kg prefixes bound."""
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, str(ns), override=True, replace=True)
    return g


class Triples:
    """A set of triples (in the order added) that answers the few lookups kg's readers of a part
    make (`subjects`, `objects`, `value`, `subject_objects`, as `rdflib.Graph`'s with a fixed
    predicate): for a part nobody checks with SHACL, it is built several times faster than an
    rdflib graph. ``graph += triples`` copies it into a graph.

    Examples
    --------
    >>> from kg.ns import KGR
    >>> t = Triples()
    >>> t.add((KGR["place/甲"], RDFS.label, Literal("甲"))); t.add((KGR["place/甲"], RDFS.label, Literal("甲")))
    >>> len(t), str(t.value(KGR["place/甲"], RDFS.label)), [str(s) for s in t.subjects(RDFS.label, Literal("甲"))]
    (1, '甲', ['https://w3id.org/kg-news/id/place/甲'])
    >>> (None, RDFS.label, None) in t, (None, _TYPE, None) in t
    (True, False)
    """

    def __init__(self) -> None:
        self._triples: dict[tuple[Node, Node, Node], None] = {}
        self._by_subject: dict[Node, dict[Node, list[Node]]] | None = None
        self._by_predicate: dict[Node, list[tuple[Node, Node]]] | None = None

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        self._triples[triple] = None
        self._by_subject = self._by_predicate = None

    def forget(self) -> None:
        """Drop the indexes of the lookups (made again when one is asked for): a part read
        once and kept to be written holds its triples alone."""
        self._by_subject = self._by_predicate = None

    def __len__(self) -> int:
        return len(self._triples)

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return iter(self._triples)

    def __contains__(self, triple: tuple[Node | None, Node | None, Node | None]) -> bool:
        """Whether a triple is there; ``None`` stands for any term, as in rdflib."""
        s, p, o = triple
        if s is not None and p is not None and o is not None:
            return (s, p, o) in self._triples
        pairs = self._index()[1].get(p, ()) if p is not None else \
            ((s_, o_) for s_, _p, o_ in self._triples)
        return any((s is None or s == s_) and (o is None or o == o_) for s_, o_ in pairs)

    def _index(self) -> tuple[dict[Node, dict[Node, list[Node]]], dict[Node, list[tuple[Node, Node]]]]:
        if self._by_subject is None or self._by_predicate is None:
            by_s: dict[Node, dict[Node, list[Node]]] = {}
            by_p: dict[Node, list[tuple[Node, Node]]] = {}
            for s, p, o in self._triples:
                by_s.setdefault(s, {}).setdefault(p, []).append(o)
                by_p.setdefault(p, []).append((s, o))
            self._by_subject, self._by_predicate = by_s, by_p
        return self._by_subject, self._by_predicate

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        yield from self._index()[0].get(subject, {}).get(predicate, ())

    def grouped(self) -> dict[Node, dict[Node, list[Node]]]:
        """Subject → predicate → objects, in the order the triples were added (to be read, not
        changed: the lookups use it)."""
        return self._index()[0]

    def value(self, subject: Node, predicate: Node) -> Node | None:
        found = self._index()[0].get(subject, {}).get(predicate)
        return found[0] if found else None

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        yield from self._index()[1].get(predicate, ())

    def subjects(self, predicate: Node | None = None, obj: Node | None = None) -> Iterator[Node]:
        """The subjects of the triples with ``predicate`` and ``obj`` (``None``: any), each once."""
        if predicate is None:
            pairs: Iterable[tuple[Node, Node]] = ((s, o) for s, _p, o in self._triples)
        else:
            pairs = self._index()[1].get(predicate, ())
        seen: set[Node] = set()
        for s, o in pairs:
            if (obj is None or o == obj) and s not in seen:
                seen.add(s)
                yield s


def _part(light: bool) -> Graph | Triples:
    return Triples() if light else new_graph()


def release(part: Graph | Triples) -> None:
    """Empty ``part`` at once when nothing reads it any more, so its triples are freed now, by
    reference counting, and no collection walks them.

    An rdflib graph and its store hold each other (its memory store keeps the graph among its
    contexts), so a dropped graph waits for a cyclic collection, which walks the store's three
    nested indexes of every triple: on a part of 50,000 triples about 0.35 s, against 0.05 s to
    drop the indexes (rdflib has no ``clear``: the store is given new, empty ones). A `Triples`
    holds no cycle and is left as it is.

    Examples
    --------
    >>> from kg.ns import KGR
    >>> g = new_graph().add((KGR["place/甲"], RDFS.label, Literal("甲")))
    >>> release(g)
    >>> len(g), list(g)
    (0, [])
    """
    store = getattr(part, "store", None)
    if type(store) is Memory:
        Memory.__init__(store, identifier=store.identifier)


def key_iri(key: EntityKey) -> URIRef:
    """The IRI of the entity with ``key``: ``kgr:<segment>/<name>``, ``kgr:<segment>/<name>/<n>``
    for the n-th entity of that type and name (the segment is the type's, :mod:`kg.schema`).

    Examples
    --------
    >>> str(key_iri(EntityKey("Person", "李明远")))
    'https://w3id.org/kg-news/id/person/李明远'
    >>> str(key_iri(EntityKey("Person", "李明远", 2)))
    'https://w3id.org/kg-news/id/person/李明远/2'
    """
    segment = schema().entity_type(key.type).segment
    if key.n > 1:
        return resource(segment, key.name, str(key.n))
    return resource(segment, key.name)


def entity_iri(entity: Entity) -> URIRef:
    """The IRI of an entity, derived from its key (stable across runs)."""
    return key_iri(entity.key)


def article_iri(sha256: str, index: int, *rest: str) -> URIRef:
    """``kgr:article/<sha256[:12]>/<index>`` (plus ``rest`` segments)."""
    return resource("article", sha256[:12], str(index), *rest)


def sentence_iri(sha256: str, article_index: int, sentence_index: int) -> URIRef:
    """``kgr:article/<sha12>/<article index>/s<sentence index>``."""
    return article_iri(sha256, article_index, f"s{sentence_index}")


def division_iri(division: Division) -> URIRef:
    """The IRI of a division of the gazetteer, from its code (stable: the code is): the
    GB/T 2260 code of a division of China, the level and name of a country or foreign place.

    Examples
    --------
    >>> from kg.gazetteer import gazetteer
    >>> str(division_iri(gazetteer().lookup("杭州")[0]))
    'https://w3id.org/kg-news/id/division/330100'
    """
    return resource("division", *division.code.split(":", 1))  # country:中国 → division/country/中国


def fact_iri(s: Node, p: Node, o: Node) -> URIRef:
    """``kgr:fact/<sha1 of s|p|o>[:16]``: the same statement always gives the same fact."""
    digest = hashlib.sha1(f"{s.n3()}|{p.n3()}|{o.n3()}".encode()).hexdigest()[:16]
    return resource("fact", digest)


_DATE_SHAPES = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), XSD.date),
    (re.compile(r"\d{4}-\d{2}"), XSD.gYearMonth),
    (re.compile(r"\d{4}"), XSD.gYear),
)


def date_literal(value: str) -> Literal:
    """A date typed by its shape: xsd:date, xsd:gYearMonth or xsd:gYear.

    Anything else (including an impossible day) stays a plain literal, which the shapes reject.

    Examples
    --------
    >>> [date_literal(v).datatype.split("#")[1] for v in ("2024-05-01", "2024-05", "2024")]
    ['date', 'gYearMonth', 'gYear']
    >>> date_literal("2024-02-30").datatype is None
    True
    """
    v = value.strip()
    for rx, dt in _DATE_SHAPES:
        if rx.fullmatch(v):
            try:
                if dt == XSD.date:
                    _dt.date.fromisoformat(v)
                elif dt == XSD.gYearMonth and not 1 <= int(v[5:7]) <= 12:
                    break
            except ValueError:
                break
            return Literal(v, datatype=dt)
    return Literal(v)


def _decimal(x: float) -> Literal:
    """A canonical xsd:decimal (the lexical form Oxigraph keeps: ``1``, ``0.75``)."""
    d = Decimal(str(round(float(x), 4)))
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Literal(text or "0", datatype=XSD.decimal)


_U = TypeVar("_U")

# a fact: subject, predicate, object, confidence, components, evidence sentences
_Fact = tuple[URIRef, URIRef, Node, float, set[str], set[URIRef]]


class _Mapper:
    """Writes a corpus's triples into ``graph`` (:meth:`run`: all of them), or in parts:
    :meth:`corpus_part` (entities, facts, divisions) and :meth:`document_part` (a document's
    nodes), whose subjects are disjoint."""

    def __init__(self, corpus: Corpus, graph: Graph | Triples) -> None:
        self.corpus = corpus
        self.g = graph
        self.docs: dict[str, Document] = {}
        for d in corpus.documents:
            self.docs[d.path] = d
            self.docs.setdefault(d.sha256, d)
        self.articles: dict[str, tuple[Article, str]] = {}
        for a in corpus.articles:
            doc = self.docs.get(a.document)
            sha = doc.sha256 if doc else hashlib.sha256(a.document.encode()).hexdigest()
            self.articles[a.id] = (a, sha)
        self.entities: dict[EntityKey, URIRef] = {e.key: entity_iri(e) for e in corpus.entities}
        self.typed: set[URIRef] = set()

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.g.add((s, p, o))  # type: ignore[arg-type]  # rdflib's add takes the same triples

    def take(self, fresh: Graph | Triples) -> Graph | Triples:
        """The graph written so far; what follows goes to ``fresh``."""
        graph, self.g = self.g, fresh
        return graph

    def iri_for_key(self, key: EntityKey) -> URIRef:
        iri = self.entities.get(key)
        return iri if iri is not None else key_iri(key)

    def sentence_for(self, ev: Evidence) -> URIRef | None:
        found = self.articles.get(ev.article)
        if found is None:
            return None
        art, sha = found
        return sentence_iri(sha, art.index, ev.sentence)

    # --- documents, articles, sentences -------------------------------------------------
    def document(self, d: Document) -> None:
        iri = resource("document", d.sha256[:12])
        self.add(iri, _TYPE, KGO.Document)
        self.add(iri, KGO.sourceFile, Literal(d.path))
        self.add(iri, KGO.sha256, Literal(d.sha256))
        self.add(iri, KGO.encoding, Literal(d.encoding))
        if d.newspaper:
            self.add(iri, KGO.newspaper, Literal(d.newspaper))
        if d.edition:
            self.add(iri, KGO.edition, Literal(d.edition))
        if d.date:
            self.add(iri, SDO.datePublished, date_literal(d.date))

    def article(self, a: Article, sha: str) -> None:
        doc = self.docs.get(a.document)
        path = doc.path if doc else a.document
        iri = article_iri(sha, a.index)
        self.add(iri, _TYPE, KGO.Article)
        self.add(iri, KGO.inDocument, resource("document", sha[:12]))
        self.add(iri, KGO.sourceFile, Literal(path))
        self.add(iri, NIF.beginIndex, _count(a.start))
        self.add(iri, NIF.endIndex, _count(a.end))
        if a.title:
            self.add(iri, SDO.headline, Literal(a.title))
        for t in a.alt_titles:
            self.add(iri, SDO.alternativeHeadline, Literal(t))
        if a.column:
            self.add(iri, KGO.column, Literal(a.column))
        date = a.date or (doc.date if doc else None)
        if date:
            self.add(iri, SDO.datePublished, date_literal(date))
        newspaper = a.newspaper or (doc.newspaper if doc else None)
        if newspaper:
            self.add(iri, KGO.newspaper, Literal(newspaper))
        if a.url:
            self.add(iri, SDO.url, Literal(a.url, datatype=XSD.anyURI))
        for c in a.continuations:
            self.add(iri, KGO.continuation, Literal(c))
        for k, au in enumerate(a.authors):
            person = key_iri(EntityKey(PERSON, au.name))
            self.add(iri, KGO.author, person)
            node = article_iri(sha, a.index, f"a{k}")
            self.add(iri, KGO.authorship, node)
            self.add(node, _TYPE, KGO.Authorship)
            self.add(node, KGO.agent, person)
            self.add(node, KGO.role, Literal(au.role))
            if au.start is not None and au.end is not None:  # a byline; record metadata has no offsets
                self.add(node, NIF.beginIndex, _count(au.start))
                self.add(node, NIF.endIndex, _count(au.end))
        source = Literal(path)
        for s in a.sentences:
            si = sentence_iri(sha, a.index, s.index)
            self.add(si, _TYPE, KGO.Sentence)
            self.add(si, NIF.anchorOf, Literal(s.text))
            self.add(si, NIF.beginIndex, _count(s.start))
            self.add(si, NIF.endIndex, _count(s.end))
            self.add(si, KGO.inArticle, iri)
            self.add(si, KGO.sourceFile, source)
            self.add(si, KGO.sentenceIndex, _count(s.index))
            self.add(si, KGO.sentenceKind, _kind(getattr(s, "kind", "body")))

    # --- entities -------------------------------------------------------------------------
    def entity(self, e: Entity) -> None:
        iri = self.entities[e.key]
        cls = entity_type(e.type).iri  # SchemaError names the known types
        self.typed.add(iri)
        self.add(iri, _TYPE, cls)
        self.add(iri, RDFS.label, Literal(e.label))
        for alias in e.aliases:
            if alias != e.label:
                self.add(iri, SKOS.altLabel, Literal(alias))
        if e.confidence != 1.0:
            self.add(iri, KGO.confidence, _decimal(e.confidence))
        if e.event is not None:
            self.event(iri, e.event)

    def authors(self) -> None:
        """The persons named by bylines that are no entity of the corpus (type and label)."""
        for a, _sha in self.articles.values():
            for au in a.authors:
                person = key_iri(EntityKey(PERSON, au.name))
                if person not in self.typed:
                    self.add(person, _TYPE, entity_type(PERSON).iri)
                    self.add(person, RDFS.label, Literal(au.name))
                    self.typed.add(person)

    def mention(self, iri: URIRef, ev: Evidence) -> None:
        found = self.articles.get(ev.article)
        if found is None:
            return
        art, sha = found
        self.add(article_iri(sha, art.index), KGO.mentions, iri)
        m = resource("mention", sha[:12], str(ev.start), str(ev.end))
        self.add(m, _TYPE, KGO.Mention)
        self.add(m, KGO.refersTo, iri)
        self.add(m, KGO.inSentence, sentence_iri(sha, art.index, ev.sentence))
        self.add(m, NIF.beginIndex, _count(ev.start))
        self.add(m, NIF.endIndex, _count(ev.end))
        self.add(m, NIF.anchorOf, Literal(ev.quote))

    def event(self, iri: URIRef, info: EventInfo) -> None:
        if info.date:
            self.add(iri, KGO.date, date_literal(info.date))
        if info.date_text:
            self.add(iri, KGO.dateText, Literal(info.date_text))
        if info.kind and schema().has_event_type(info.kind):
            self.add(iri, _TYPE, schema().event_type(info.kind).iri)
        if info.status is not None and info.status in EVENT_STATUS:
            self.add(iri, KGO.eventStatus, EVENT_STATUS[info.status])

    def object_of(self, r: Relation) -> Node:
        """The object of a fact: an entity's IRI, a date typed by its shape (a predicate whose
        range is dates), or a plain literal."""
        if isinstance(r.obj, EntityKey):
            return self.iri_for_key(r.obj)
        datatypes = schema().predicate(r.predicate).datatypes
        if XSD.date in datatypes:
            return date_literal(r.obj)
        if _NON_NEGATIVE in datatypes and r.obj.isdigit():
            return _count(int(r.obj))
        return Literal(r.obj)

    # --- relations --------------------------------------------------------------------------
    def facts(self, relations: Iterable[Relation]) -> dict[URIRef, _Fact]:
        """Each fact of ``relations`` (its IRI): the statement, the highest confidence, the
        components and the evidence sentences of every relation stating it."""
        facts: dict[URIRef, _Fact] = {}
        for r in relations:
            p = schema().predicate(r.predicate).iri  # SchemaError names the known predicates
            s = self.iri_for_key(r.subject)
            o = self.object_of(r)
            f = fact_iri(s, p, o)
            if f not in facts:
                facts[f] = (s, p, o, r.confidence, set(), set())
            s_, p_, o_, conf, comps, sents = facts[f]
            facts[f] = (s_, p_, o_, max(conf, r.confidence), comps, sents)
            if r.component:
                comps.add(r.component)
            for ev in r.evidence:
                si = self.sentence_for(ev)
                if si is not None:
                    sents.add(si)
        return facts

    def statements(self, facts: Mapping[URIRef, _Fact]) -> None:
        """The direct triple of each fact (its subject's, an entity)."""
        for s, p, o, *_rest in facts.values():
            self.add(s, p, o)

    def fact(self, f: URIRef, fact: _Fact) -> None:
        """A fact's node (an RDF reification) with its confidence, components and evidence."""
        s, p, o, conf, comps, sents = fact
        self.add(f, _TYPE, KGO.Fact)
        self.add(f, RDF.subject, s)
        self.add(f, RDF.predicate, p)
        self.add(f, RDF.object, o)
        self.add(f, KGO.confidence, _decimal(conf))
        for c in comps:
            self.add(f, KGO.extractedBy, Literal(c))
        for si in sents:
            self.add(f, PROV.wasDerivedFrom, si)

    def relations(self, relations: Iterable[Relation]) -> None:
        facts = self.facts(relations)
        self.statements(facts)
        for f, fact in facts.items():
            self.fact(f, fact)

    # --- the gazetteer's divisions ------------------------------------------------------------
    def divisions(self, entities: Iterable[Entity]) -> None:
        """Each place that is a division of the gazetteer points at it (``kgo:division``), and
        the divisions that contain it follow (``kgo:withinDivision``), named in the text or not."""
        g = gazetteer()
        places = [e for e in entities if e.type == PLACE]
        names = {n for e in places for n in (e.label, *e.aliases)}
        done: set[str] = set()
        for e in places:
            d = g.resolve(e.label, names)
            if d is None:
                continue
            self.add(self.entities[e.key], KGO.division, division_iri(d))
            while d is not None and d.code not in done:
                done.add(d.code)
                self.division(d)
                d = g.parent(d)

    def division(self, d: Division) -> None:
        iri = division_iri(d)
        self.add(iri, _TYPE, KGO.Division)
        self.add(iri, RDFS.label, Literal(d.name))
        for alias in d.short:
            if alias != d.name:
                self.add(iri, SKOS.altLabel, Literal(alias))
        self.add(iri, KGO.divisionLevel, Literal(d.level))
        if d.code.isdigit():
            self.add(iri, KGO.divisionCode, Literal(d.code))
        parent = gazetteer().parent(d)
        if parent is not None:
            self.add(iri, KGO.withinDivision, division_iri(parent))

    def corpus_part(self, facts: bool = True) -> None:
        """Entities (and the persons of bylines), the gazetteer's divisions, the statements of
        the facts and (unless told otherwise) the facts' nodes."""
        for e in self.corpus.entities:
            self.entity(e)
        self.authors()
        self.divisions(self.corpus.entities)
        if facts:
            self.relations(self.corpus.relations)
        else:
            self.statements(self.facts(self.corpus.relations))

    def document_groups(self) -> list[tuple[list[Document], list[tuple[Article, str]]]]:
        """The documents with the same content hash (the same nodes) together, with their
        articles, in the corpus's order; articles of no document of the corpus last, one group
        per path."""
        groups: dict[str, tuple[list[Document], list[tuple[Article, str]]]] = {}
        for d in self.corpus.documents:
            groups.setdefault(d.sha256[:12], ([], []))[0].append(d)
        for a, sha in self.articles.values():
            groups.setdefault(sha[:12], ([], []))[1].append((a, sha))
        return list(groups.values())

    def document_part(self, documents: Iterable[Document], articles: Iterable[tuple[Article, str]],
                      mentions: Mapping[str, list[tuple[URIRef, Evidence]]]) -> None:
        """The nodes of ``documents`` and their ``articles``: articles, sentences, authorships and
        mentions (``mentions``: article id → the entity and evidence of each)."""
        for d in documents:
            self.document(d)
        for a, sha in articles:
            self.article(a, sha)
            for iri, ev in mentions.get(a.id, ()):
                self.mention(iri, ev)

    def mentions_by_article(self) -> dict[str, list[tuple[URIRef, Evidence]]]:
        out: dict[str, list[tuple[URIRef, Evidence]]] = {}
        for e in self.corpus.entities:
            iri = self.entities[e.key]
            for ev in e.mentions:
                out.setdefault(ev.article, []).append((iri, ev))
        return out

    def run(self) -> None:
        self.corpus_part()
        mentions = self.mentions_by_article()
        for docs, arts in self.document_groups():
            self.document_part(docs, arts, mentions)


def load_ontology() -> Graph:
    """The ontology in force as a graph: ``ontology/kg.ttl`` and its extensions
    (:func:`kg.schema.ontology_files`)."""
    g = new_graph()
    for path in ontology_files():
        g.parse(path, format="turtle")
    return g


#: The shape that every entity must satisfy, and the one listing the entity classes.
_ENTITY_SHAPE = URIRef("https://w3id.org/kg-news/shapes#EntityShape")
_CLASS_SHAPE = URIRef("https://w3id.org/kg-news/shapes#OurClassShape")
_TYPE_SHAPE = URIRef("https://w3id.org/kg-news/shapes#EntityTypeShape")


def _with_schema_types(g: Graph) -> Graph:
    """The shapes' lists of entity classes made those of the schema in force (``shapes.ttl``
    spells out the package's, for tools that read the file alone)."""
    classes = [t.iri for t in schema().entity_types]
    g.remove((_ENTITY_SHAPE, SH.targetClass, None))
    for c in classes:
        g.add((_ENTITY_SHAPE, SH.targetClass, c))
    old = g.value(_CLASS_SHAPE, SH["in"])
    if old is not None:
        Collection(g, old).clear()
        g.remove((_CLASS_SHAPE, SH["in"], old))
    head = URIRef("https://w3id.org/kg-news/shapes#OurClasses")
    Collection(g, head, list(classes))
    g.add((_CLASS_SHAPE, SH["in"], head))
    names = ", ".join(f"kgo:{t.name}" for t in schema().entity_types)
    g.set((_TYPE_SHAPE, SH.message, Literal(f"an entity must have exactly one type among {names}")))
    return g


def load_shapes() -> Graph:
    """The SHACL shapes (``ontology/shapes.ttl``) as a graph, their entity classes those of the
    schema in force."""
    g = new_graph()
    g.parse(SHAPES_PATH, format="turtle")
    return _with_schema_types(g)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _targets_on_property_shapes(shapes: Graph) -> Graph:
    """``shapes`` with each property shape of a targeted node shape given that node shape's targets
    itself (and no longer held by it): the same conditions on the same focus nodes.

    pySHACL validates a property shape held by a node shape once per focus node, building its
    constraints again each time; a property shape with targets of its own is validated once for
    all of them (on 1,200 news articles 16.7 s become 6.5 s, the same results). A node shape's
    own constraints (``sh:nodeKind`` …) stay where they are.
    """
    for node in sorted(set(shapes.subjects(SH.property, None)), key=str):
        targets = [(p, o) for p in _TARGETS for o in shapes.objects(node, p)]
        if not targets:
            continue
        for prop in list(shapes.objects(node, SH.property)):
            for p, o in targets:
                shapes.add((prop, p, o))
            shapes.remove((node, SH.property, prop))
    return shapes


def corpus_to_graph(corpus: Corpus, include_ontology: bool = True) -> Graph:
    """Map a corpus to an rdflib graph (with the ontology's triples unless told otherwise).

    The same corpus always gives the same triples: IRIs come from keys, names and hashes. The
    graph is the union of `corpus_part` and every `document_parts` graph.
    """
    g = load_ontology() if include_ontology else new_graph()
    _Mapper(corpus, g).run()
    return g


@overload
def corpus_part(corpus: Corpus, include_ontology: bool = ..., facts: bool = ...,
                light: Exactly[False] = ...) -> Graph: ...


@overload
def corpus_part(corpus: Corpus, include_ontology: bool = ..., facts: bool = ...,
                light: bool = ...) -> Graph | Triples: ...


def corpus_part(corpus: Corpus, include_ontology: bool = True, facts: bool = True,
                light: bool = False) -> Graph | Triples:
    """The triples of a corpus that no one document holds: its entities (types, labels,
    aliases, events), the gazetteer's divisions, the facts (their statements, and unless told
    otherwise their nodes: `fact_parts`), and the ontology (unless told otherwise). No subject
    of it is a subject of `document_parts` (nor, without the facts' nodes, of `fact_parts`).
    With ``light`` it is a `Triples`, not a graph (a third of the memory: a large corpus's
    entities are hundreds of thousands of triples, held until the end of the build).

    Examples
    --------
    >>> from kg.model import Corpus
    >>> set(corpus_part(Corpus(), light=True)) == set(corpus_part(Corpus()))
    True
    """
    g: Graph | Triples = load_ontology() if include_ontology else new_graph()
    if light:
        g, ontology = Triples(), g
        for t in ontology:
            g.add(t)
    _Mapper(corpus, g).corpus_part(facts)
    return g


def _cut(m: _Mapper, units: Iterable[_U], write: Callable[[_U], None], triples: int,
         light: bool) -> Iterator[Graph | Triples]:
    """What ``write`` maps of each unit into ``m``'s graph, in graphs of about ``triples``
    triples (whole units each). The generator keeps no reference to a graph it gave: once its
    reader drops it, a graph is freed at the next collection (rdflib's graphs are cycles)."""
    for unit in units:
        write(unit)
        if len(m.g) >= triples:
            yield m.take(_part(light))
    if len(m.g):
        yield m.take(_part(light))


#: `document_parts` and `fact_parts` give graphs of about this many triples (whole documents, whole facts).
PART_TRIPLES = 50_000


def fact_parts(corpus: Corpus, triples: int = PART_TRIPLES, light: bool = False,
               only: Set[str] | None = None) -> Iterator[Graph | Triples]:
    """The nodes of a corpus's facts (``kgo:Fact``: statement, confidence, components,
    evidence), in graphs of about ``triples`` triples: `corpus_part` without them
    (``facts=False``), `document_parts` and these are the corpus's graph. With ``light`` they
    are `Triples`, not graphs. ``only`` (content hashes, as `document_parts`'s) keeps the facts
    with evidence in those documents, and those whose evidence is in no sentence of the corpus.

    Examples
    --------
    >>> from kg.model import Corpus
    >>> list(fact_parts(Corpus((), (), (), ())))
    []
    """
    m = _Mapper(corpus, _part(light))
    facts: Iterable[tuple[URIRef, _Fact]] = m.facts(corpus.relations).items()
    if only is not None:
        cited = {sentence_iri(sha, a.index, s.index) for a, sha in m.articles.values() if sha in only
                 for s in a.sentences}
        facts = [(f, fact) for f, fact in facts if not fact[5] or not fact[5].isdisjoint(cited)]
    yield from _cut(m, facts, lambda item: m.fact(*item), triples, light)


def document_parts(corpus: Corpus, triples: int = PART_TRIPLES, light: bool = False,
                   share: tuple[int, int] = (0, 1),
                   only: Set[str] | None = None,
                   block: tuple[int, int] | None = None) -> Iterator[Graph | Triples]:
    """The triples of a corpus's documents, in graphs of whole documents of about ``triples``
    triples: each document's node, its articles, sentences, authorships and mentions (documents
    of the same content, whose nodes are the same, in the same graph).

    With `corpus_part` they are the corpus's graph (`corpus_to_graph`), without ever holding
    it: a build maps, checks and writes one part at a time. The parts come in the corpus's
    order, and their subjects are disjoint. With ``light`` they are `Triples`, not graphs.
    ``share=(k, n)`` gives only the k-th of n shares of the documents (every n-th document
    from the k-th; the n shares together are all of them), for n processes that check a
    share each. ``only`` (content hashes, `Document.sha256`) keeps the documents of those
    contents (and articles of no document of the corpus), e.g. a sample to check.
    ``block=(k, n)`` gives only the k-th of n runs of consecutive documents of about as many
    sentences each (the n blocks in order are all of them, in the same order), for n processes
    that map a block each.

    Examples
    --------
    >>> from kg.model import Corpus
    >>> list(document_parts(Corpus((), (), (), ())))
    []
    """
    k, n = share
    if not 0 <= k < n:
        raise ValueError(f"share must be (k, n) with 0 <= k < n, not {share!r}")
    m = _Mapper(corpus, _part(light))
    mentions = m.mentions_by_article()
    groups = m.document_groups()
    if only is not None:
        groups = [g for g in groups if not g[0] or any(d.sha256 in only for d in g[0])]
    if block is not None:
        groups = _block(groups, *block)
    mine = groups[k::n]
    yield from _cut(m, mine, lambda group: m.document_part(*group, mentions), triples, light)


def _block(groups: list[tuple[list[Document], list[tuple[Article, str]]]], k: int, n: int,
           ) -> list[tuple[list[Document], list[tuple[Article, str]]]]:
    """The k-th of n runs of consecutive ``groups`` of about as many sentences each: a group is
    in the block where the sentences before it begin.

    Examples
    --------
    >>> from kg.model import Article
    >>> groups = [([], [(Article(f"a{i}", "d", i, None, 0, 0), "0" * 64)]) for i in range(5)]
    >>> [[g[1][0][0].id for g in _block(groups, k, 2)] for k in range(2)]
    [['a0', 'a1', 'a2'], ['a3', 'a4']]
    """
    if not 0 <= k < n:
        raise ValueError(f"block must be (k, n) with 0 <= k < n, not {(k, n)!r}")
    sizes = [1 + sum(len(a.sentences) + 1 for a, _ in g[1]) for g in groups]
    total = sum(sizes)
    lo, hi = total * k / n, total * (k + 1) / n
    out, before = [], 0
    for g, size in zip(groups, sizes, strict=True):
        if lo <= before < hi:
            out.append(g)
        before += size
    return out


def entity_iris(corpus: Corpus) -> set[URIRef]:
    """The IRIs of a corpus's entities and of the persons its bylines name: the subjects of
    `corpus_part` that are entities (the others are divisions, the facts' statements' subjects
    being entities too, and the ontology's).

    Examples
    --------
    >>> from kg.model import Corpus
    >>> entity_iris(Corpus())
    set()
    """
    m = _Mapper(corpus, Triples())
    out = set(m.entities.values())
    for a, _sha in m.articles.values():
        out.update(key_iri(EntityKey(PERSON, au.name)) for au in a.authors)
    return out


def sentence_iris(corpus: Corpus) -> Iterator[URIRef]:
    """The IRI of every sentence of a corpus's articles (the ``kgo:Sentence`` nodes of
    `document_parts`), without mapping the documents.

    Examples
    --------
    >>> from kg.model import Corpus
    >>> list(sentence_iris(Corpus()))
    []
    """
    for a, sha in _Mapper(corpus, Triples()).articles.values():
        for s in a.sentences:
            yield sentence_iri(sha, a.index, s.index)


# --- SHACL ----------------------------------------------------------------------------------


def _short(term: Node | None) -> str:
    if term is None:
        return "?"
    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
            if s.startswith(str(ns)) and len(s) > len(str(ns)):
                return f"{prefix}:{s[len(str(ns)) :]}"
        return f"<{s}>"
    if isinstance(term, BNode):
        return "[]"
    return term.n3()


def validate(graph: Graph, inference: str = "none", shapes: Graph | None = None) -> list[str]:
    """Check ``graph`` against ``ontology/shapes.ttl``; return readable violations (empty = conforms).

    ``inference`` is pySHACL's (``"none"`` or ``"rdfs"``; with ``"rdfs"`` the ontology is used
    as the ontology graph). Each line reads ``<focus node> <path>: <message> (value …)``.
    ``shapes`` replaces the package's shapes, as they are (without it, `load_shapes` with
    `_targets_on_property_shapes`, for speed).
    """
    import pyshacl

    if inference not in ("none", "rdfs"):
        raise ValueError(f"inference must be 'none' or 'rdfs', not {inference!r}")
    conforms, results, _text = pyshacl.validate(
        graph,
        shacl_graph=shapes if shapes is not None else _targets_on_property_shapes(load_shapes()),
        ont_graph=load_ontology() if inference == "rdfs" else None,
        inference=inference,
        allow_warnings=True,
    )
    if conforms:
        return []
    lines = []
    for r in results.subjects(_TYPE, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        msg = results.value(r, SH.resultMessage)
        value = results.value(r, SH.value)
        line = f"{_short(focus)} {_short(path) if path is not None else ''}: {msg}".replace(" :", ":")
        if value is not None and value != focus:
            line += f" (value {_short(value)})"
        lines.append(line)
    return sorted(set(lines))


#: The subject of the triples `PartsValidation` adds to the corpus part for its check: each
#: names an entity that a document part points at (the entity shape's ``sh:targetObjectsOf``).
_TARGETS_NODE = URIRef("https://w3id.org/kg-news/shapes#validationTargets")


class PartsValidation:
    """SHACL (`validate`) of a graph given in parts (`document_parts`, then `corpus_part`):
    the violations the whole graph has, without holding it.

    A document part is checked alone, but for the entities it points at (objects of
    ``kgo:mentions``, ``kgo:refersTo`` …, targets of the entity shape), whose triples are in the
    corpus part: they are checked with it. The facts' nodes, in the corpus part or in parts of
    their own (`add_facts`, `fact_parts`), are checked with the types of the sentences they cite.

    Examples
    --------
    >>> from kg.ns import KGR
    >>> check = PartsValidation()
    >>> doc = new_graph().add((KGR["mention/0/1"], RDF.type, KGO.Mention))
    >>> _ = doc.add((KGR["mention/0/1"], KGO.refersTo, KGR["person/甲"]))
    >>> check.add(doc)
    >>> for line in check.finish(new_graph()):
    ...     print(line)
    kgr:mention/0/1 nif:beginIndex: a mention must have one nif:beginIndex not after its nif:endIndex
    kgr:mention/0/1 nif:endIndex: a mention must have one nif:endIndex
    kgr:person/甲 rdf:type: an entity must have exactly one type among kgo:Person, kgo:Organization, kgo:Place, kgo:Program, kgo:Event
    kgr:person/甲 rdfs:label: an entity must have exactly one rdfs:label
    """

    def __init__(self) -> None:
        self.shapes = _targets_on_property_shapes(load_shapes())
        self.links = tuple(self.shapes.objects(_ENTITY_SHAPE, SH.targetObjectsOf))
        self.document_shapes = new_graph()
        for t in self.shapes:
            if not (t[1] == SH.targetObjectsOf and t[2] in self.links):
                self.document_shapes.add(t)
        # the corpus part's check: the sentences, typed for the facts' sh:class, were checked in their parts
        self.corpus_shapes = new_graph()
        for t in self.shapes:
            if not (t[1] == SH.targetClass and t[2] == KGO.Sentence):
                self.corpus_shapes.add(t)
        self.pointed: set[tuple[Node, Node]] = set()  # (link, entity) from the document parts
        self.sentences: set[Node] = set()
        self.violations: set[str] = set()

    def add(self, part: Graph) -> None:
        """Check one document part (its violations are kept for `finish`)."""
        self.violations.update(validate(part, shapes=self.document_shapes))
        self.note(part)

    def note(self, part: Graph | Triples) -> None:
        """Note what the facts' and the corpus part's checks need of a document part (the
        entities it points at, its sentences) without checking it: the part is checked
        elsewhere (another `PartsValidation`'s `add`, in a process of its own)."""
        for p in self.links:
            self.pointed.update((p, o) for _s, o in part.subject_objects(p))
        self.sentences.update(part.subjects(_TYPE, KGO.Sentence))

    def note_sentences(self, sentences: Iterable[Node]) -> None:
        """Note sentences of parts that are neither checked nor noted (a sample's check: the
        facts that cite them are checked all the same, `sentence_iris`)."""
        self.sentences.update(sentences)

    def found(self) -> list[str]:
        """The violations found so far, sorted (a checker given only some document parts)."""
        return sorted(self.violations)

    def add_facts(self, part: Graph) -> None:
        """Check one part of the facts' nodes (`fact_parts`), after the documents' parts."""
        self._check_with_sentences(part, [])

    def _check_with_sentences(self, graph: Graph, added: list[tuple[Node, Node, Node]]) -> list[str]:
        """Check ``graph`` with the ``added`` triples and the types of the sentences its facts
        cite (the graph is left as it was); the violations are kept and returned."""
        added += [(s, _TYPE, KGO.Sentence) for s in set(graph.objects(None, PROV.wasDerivedFrom))
                  if s in self.sentences]
        added = [t for t in added if t not in graph]
        for t in added:
            graph.add(t)
        try:
            found = validate(graph, shapes=self.corpus_shapes)
        finally:
            for t in added:
                graph.remove(t)
        self.violations.update(found)
        return found

    def finish(self, corpus: Graph) -> list[str]:
        """Check the corpus part (it is left as it was) and return every violation, sorted."""
        self._check_with_sentences(corpus, [(_TARGETS_NODE, p, o) for p, o in self.pointed])
        return sorted(self.violations)


# --- canonical Turtle -------------------------------------------------------------------------

_PN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_IRI_BAD = set('<>"{}|^`\\ ')


#: What `_escape_string` writes for each character it escapes (the others stay as they are).
_STRING_ESCAPES = {ord(ch): esc for ch, esc in _ESC.items()} | {
    c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F] if chr(c) not in _ESC
}
_IRI_ESCAPED = re.compile("[" + re.escape("".join(sorted(_IRI_BAD))) + "\x00-\x20]")


def _escape_string(s: str) -> str:
    r"""``s`` as the inside of a Turtle or N-Triples string.

    Examples
    --------
    >>> print(_escape_string('甲"乙\\\n\x01'))
    甲\"乙\\\n\u0001
    """
    return s.translate(_STRING_ESCAPES)


def _escape_iri(s: str) -> str:
    return _IRI_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04X}", s)


def nt_term(t: Node) -> str:
    """A term as N-Triples writes it (``xsd:string`` literals plain; IRI characters N-Triples
    does not allow escaped).

    Examples
    --------
    >>> from kg.ns import KGR
    >>> nt_term(KGR["place/甲"]), nt_term(Literal("乙")), nt_term(Literal(3))
    ('<https://w3id.org/kg-news/id/place/甲>', '"乙"', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>')
    """
    if isinstance(t, URIRef):
        return f"<{_escape_iri(str(t))}>"
    if isinstance(t, Literal):
        out = f'"{_escape_string(str(t))}"'
        if t.language:
            return f"{out}@{t.language}"
        if t.datatype is not None and str(t.datatype) != str(XSD.string):
            return f"{out}^^<{t.datatype}>"
        return out
    if isinstance(t, BNode):
        return f"_:{t}"
    raise TypeError(f"cannot write {t!r} as N-Triples")


class _Writer:
    def __init__(self, prefixes: dict[str, str]) -> None:
        # longest namespace first, so kgr: wins over a shorter prefix of it
        self.prefixes = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        self.cache: dict[Node, str] = {}
        self.predicates: dict[Node, tuple[bool, tuple[int, str, str, str]]] = {}
        self.blank = False  # whether a blank node was written

    def predicate_key(self, p: Node) -> tuple[bool, tuple[int, str, str, str]]:
        """Where ``p`` goes among a subject's predicates: ``rdf:type`` first, then in order."""
        key = self.predicates.get(p)
        if key is None:
            key = self.predicates[p] = (p != _TYPE, _sort_key(p))
        return key

    def term(self, t: Node) -> str:
        cached = self.cache.get(t)
        if cached is not None:
            return cached
        if isinstance(t, URIRef):
            s = str(t)
            out = None
            for prefix, ns in self.prefixes:
                if s.startswith(ns) and _PN_LOCAL.fullmatch(s[len(ns) :]):
                    out = f"{prefix}:{s[len(ns) :]}"
                    break
            if out is None:
                out = f"<{_escape_iri(s)}>"
        elif isinstance(t, BNode):
            out = f"_:{t}"
            self.blank = True
        elif isinstance(t, Literal):
            out = f'"{_escape_string(str(t))}"'
            if t.language:
                out += f"@{t.language}"
            elif t.datatype is not None and t.datatype != XSD.string:
                out += "^^" + self.term(t.datatype)
        else:  # pragma: no cover - variables and formulas do not occur in data graphs
            raise TypeError(f"cannot write {t!r} as Turtle")
        self.cache[t] = out
        return out


def _sort_key(t: Node) -> tuple[int, str, str, str]:
    if isinstance(t, URIRef):
        return (1, str(t), "", "")
    if isinstance(t, BNode):
        return (0, str(t), "", "")
    if isinstance(t, Literal):
        return (2, str(t), t.language or "", str(t.datatype or ""))
    return (3, str(t), "", "")


def canonical_turtle(graph: Graph, prefixes: dict[str, str] | None = None) -> str:
    """Serialize ``graph`` as sorted Turtle: the same triples always give the same text.

    Subjects are sorted (blank nodes, then IRIs), ``rdf:type`` comes first, then the other
    predicates and their objects in order. Blank nodes, if any, are first relabelled
    canonically (rdflib's RGDA1), so even they do not depend on parse order.
    """
    return "".join(turtle_chunks(graph, prefixes))


#: About how many characters of Turtle `turtle_chunks` gives at a time.
CHUNK_CHARS = 1 << 20


def _canonical_blank_nodes(graph: Graph | Triples) -> Graph | Triples:
    if any(isinstance(t, BNode) for triple in graph for t in triple):
        from rdflib.compare import to_canonical_graph

        if isinstance(graph, Triples):
            whole = Graph()
            whole += graph
            return to_canonical_graph(whole)
        return to_canonical_graph(graph)
    return graph


def _prefix_lines(prefixes: dict[str, str]) -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items()))


def _subject_blocks(graph: Iterable[tuple[Node, Node, Node]], w: _Writer,
                    ) -> Iterator[tuple[tuple[int, str, str, str], str]]:
    """Each subject of ``graph`` (a graph's triples, each once) in order, with its Turtle (its
    lines, the first the subject's); a `Triples` gives them grouped as it holds them."""
    if isinstance(graph, Triples):
        by_subject = graph.grouped()
        taken = False
    else:
        by_subject, taken = {}, True
        for s, p, o in graph:  # one pass over the triples, grouped by subject and predicate
            preds = by_subject.get(s)
            if preds is None:
                preds = by_subject[s] = {}
            objs = preds.get(p)
            if objs is None:
                preds[p] = [o]
            else:
                objs.append(o)
    keys = {s: _sort_key(s) for s in by_subject}
    for s in sorted(by_subject, key=keys.__getitem__):
        preds = by_subject.pop(s) if taken else by_subject[s]
        lines = [w.term(s)]
        order = sorted(preds, key=w.predicate_key) if len(preds) > 1 else list(preds)
        last = len(order) - 1
        for i, p in enumerate(order):
            objs = preds[p]
            values = w.term(objs[0]) if len(objs) == 1 else ", ".join(map(w.term, sorted(objs, key=_sort_key)))
            pred = "a" if p == _TYPE else w.term(p)
            lines.append(f"    {pred} {values}{' .' if i == last else ' ;'}")
        yield keys.pop(s), "\n".join(lines)


def _chunked(head: str, blocks: Iterable[str], clear: _Writer | None = None) -> Iterator[str]:
    """``head`` and each block after an empty line, in pieces of about :data:`CHUNK_CHARS`."""
    out, size = [head], len(head)
    for text in blocks:
        out.append(f"\n{text}\n")
        size += len(text) + 2
        if size >= CHUNK_CHARS:
            yield "".join(out)
            out, size = [], 0
            if clear is not None:
                clear.cache.clear()  # terms of the subjects written: mostly not seen again
    yield "".join(out)


def turtle_chunks(graph: Graph, prefixes: dict[str, str] | None = None) -> Iterator[str]:
    """`canonical_turtle` in pieces of about :data:`CHUNK_CHARS` characters, for writing a large
    graph without holding its whole text (nor a second index of its triples) in memory.

    Examples
    --------
    >>> from kg.ns import KGR, RDFS
    >>> g = new_graph().add((KGR["place/甲"], RDFS.label, Literal("甲")))
    >>> "".join(turtle_chunks(g)) == canonical_turtle(g)
    True
    """
    canonical = _canonical_blank_nodes(graph)
    if prefixes is None:
        prefixes = {k: str(v) for k, v in PREFIXES.items()}
    w = _Writer(prefixes)
    yield from _chunked(_prefix_lines(prefixes), (text for _key, text in _subject_blocks(canonical, w)), w)


#: About how many characters of Turtle a run of `TurtleParts` holds in one record: the merge
#: holds one record of each run at a time.
RUN_RECORD_CHARS = 1 << 16


def _key_text(key: tuple[int, str, str, str]) -> str:
    """A `_sort_key` as one string, in the same order (blank nodes, IRIs, literals, the rest;
    then by the text, the language and the datatype, which hold no NUL character).

    Examples
    --------
    >>> keys = [_sort_key(t) for t in (URIRef("urn:b"), BNode("z"), URIRef("urn:a"), Literal("a", lang="zh"))]
    >>> sorted(keys) == sorted(keys, key=_key_text)
    True
    """
    kind, text, lang, datatype = key
    return f"{kind}{text}\0{lang}\0{datatype}" if lang or datatype else f"{kind}{text}"


class _Run:
    """The records of one run file, read one at a time: ``keys`` (sorted) and ``texts`` (each a
    subject's block between line breaks) from ``pos`` on are what is left of the current one."""

    def __init__(self, path: Path) -> None:
        self.fh = open(path, "rb")  # noqa: SIM115 (closed by next_record at the end, or by close)
        self.keys: list[str] = []
        self.texts: list[str] = []
        self.pos = 0

    def next_record(self) -> bool:
        """Read the next record; False (and the file closed) at the end."""
        try:
            self.keys, self.texts = marshal.load(self.fh)
        except EOFError:
            self.close()
            return False
        self.pos = 0
        return True

    def close(self) -> None:
        self.fh.close()


def _merged_runs(runs: list[_Run]) -> Iterator[list[str]]:
    """The texts of ``runs`` in the order of their keys, a slice of one run at a time: what
    `heapq.merge` of the runs' (key, text) gives (ties in the order of the runs), taking from
    the run of the smallest key every text before the next run's smallest key at once (a
    part's subjects of one kind and document follow each other)."""
    heap = [(r.keys[0], i) for i, r in enumerate(runs) if r.next_record()]
    heapq.heapify(heap)
    while heap:
        key, i = heap[0]
        run = runs[i]
        if len(heap) == 1:
            end = len(run.keys)
        else:  # the second smallest of a heap is one of the root's children
            other = heap[1] if len(heap) == 2 or heap[1] < heap[2] else heap[2]
            below = bisect.bisect_right if i < other[1] else bisect.bisect_left
            end = below(run.keys, other[0], run.pos)
        yield run.texts[run.pos:end]
        if end < len(run.keys):
            run.pos = end
            heapq.heapreplace(heap, (run.keys[end], i))
        elif run.next_record():
            heapq.heapreplace(heap, (run.keys[0], i))
        else:
            heapq.heappop(heap)


def _write_run(path: Path, blocks: Iterable[tuple[tuple[int, str, str, str], str]]) -> None:
    """Write a run file: `_subject_blocks` (sorted) as records of about `RUN_RECORD_CHARS`."""
    keys: list[str] = []
    texts: list[str] = []
    size = 0
    with open(path, "wb") as fh:
        for key, text in blocks:
            keys.append(_key_text(key))
            texts.append(f"\n{text}\n")
            size += len(text)
            if size >= RUN_RECORD_CHARS:
                marshal.dump((keys, texts), fh)
                keys, texts, size = [], [], 0
        if keys:
            marshal.dump((keys, texts), fh)


class TurtleParts:
    """The canonical Turtle (`canonical_turtle`) of a graph given in parts whose subjects are
    disjoint (`corpus_part`, `document_parts`), without holding the graph: each part is
    written, sorted, to a run file in ``folder``, and `write` merges the runs.

    Blank nodes are relabelled canonically within each part (parts do not share them).

    Examples
    --------
    >>> import tempfile
    >>> from kg.ns import KGR, RDFS
    >>> a = new_graph().add((KGR["place/乙"], RDFS.label, Literal("乙")))
    >>> b = new_graph().add((KGR["place/甲"], RDFS.label, Literal("甲")))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     parts = TurtleParts(Path(d) / "runs")
    ...     parts.add(a); parts.add(b)
    ...     text = parts.write(Path(d) / "kg.ttl").read_text(encoding="utf-8")
    >>> text == canonical_turtle(a + b)
    True
    """

    def __init__(self, folder: str | os.PathLike[str], prefixes: dict[str, str] | None = None,
                 name: str = "run") -> None:
        self.folder = Path(folder)
        self.prefixes = prefixes if prefixes is not None else {k: str(v) for k, v in PREFIXES.items()}
        self.name = name  # of the run files (two writers of one folder name theirs apart)
        self.runs: list[Path] = []

    def add(self, graph: Graph | Triples, *more: Graph | Triples,
            each: Callable[[str], None] | None = None) -> None:
        """Write the sorted Turtle of one part to a run of its own; graphs given together are one
        part (a subject may have triples in several of them: the entities and their scores).
        ``each`` is called with the part's Turtle in pieces of about :data:`CHUNK_CHARS`
        characters (whole subjects), each a document of its own (the prefixes first), e.g. to load
        a store with the part now rather than with `write`'s pieces."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.name}-{len(self.runs):06d}.run"
        w = _Writer(self.prefixes)
        part: Iterable[tuple[Node, Node, Node]] = chain(graph, *more) if more else graph
        blocks = list(_subject_blocks(part, w))
        if w.blank:  # written again with blank nodes relabelled canonically
            whole = graph
            if more:
                whole = Graph()
                for g in (graph, *more):
                    whole += g
            blocks = list(_subject_blocks(_canonical_blank_nodes(whole), _Writer(self.prefixes)))
        _write_run(path, blocks)
        self.runs.append(path)
        if each is not None:
            head = _prefix_lines(self.prefixes)
            for k, piece in enumerate(_chunked(head, (text for _key, text in blocks))):
                each(piece if k == 0 else head + piece)

    def write(self, path: str | os.PathLike[str], each: Callable[[str], None] | None = None) -> Path:
        """Write the canonical Turtle of every part added to ``path`` (atomically); the runs
        are removed. ``each`` is called with each piece written (of about :data:`CHUNK_CHARS`
        characters, whole subjects) as a Turtle document of its own (the prefixes first), e.g.
        to load a store a piece at a time."""
        head = _prefix_lines(self.prefixes)
        runs = [_Run(p) for p in self.runs]

        def pieces() -> Iterator[str]:
            out, size, first = [head], len(head), True
            for texts in _merged_runs(runs):
                more = sum(map(len, texts))
                if size + more < CHUNK_CHARS:  # the slice fits in the piece
                    out.extend(texts)
                    size += more
                    continue
                for text in texts:
                    out.append(text)
                    size += len(text)
                    if size >= CHUNK_CHARS:
                        yield from piece(out, first)
                        out, size, first = [], 0, False
            yield from piece(out, first)

        def piece(out: list[str], first: bool) -> Iterator[str]:
            text = "".join(out)
            if each is not None:
                each(text if first else head + text)
            yield text

        try:
            return atomic_write(path, pieces())
        finally:
            for r in runs:
                r.close()
            self.close()

    def close(self) -> None:
        """Remove the runs."""
        for p in self.runs:
            p.unlink(missing_ok=True)
        self.runs = []
        with contextlib.suppress(OSError):
            self.folder.rmdir()


def write_turtle(graph: Graph, path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as canonical sorted Turtle (byte-identical for the same triples), atomically."""
    return atomic_write(path, turtle_chunks(graph))
