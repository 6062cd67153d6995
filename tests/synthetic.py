"""RDF graphs as the pipeline writes them, built by hand or generated: for tests and benchmarks.

`GraphBuilder` writes documents, articles (with bylines), sentences, entities, mentions and
relations exactly as `kg.rdf` maps a corpus: entity IRIs ``kgr:<segment>/<name>``, an event typed
``kgo:Event`` and its event type, offsets as ``xsd:nonNegativeInteger``, every mention inside its
sentence's text, every fact a ``kgo:Fact`` (IRI from `kg.rdf.fact_iri`) with one
``kgo:confidence`` (``xsd:decimal``), its components and a ``prov:wasDerivedFrom`` per sentence,
and the ontology's own triples. So its graphs conform to ``ontology/shapes.ttl``
(``tests/test_analyze.py`` checks that with `kg.rdf.validate`). Entity types, event types and
predicates are the schema's (`kg.schema`); a relation whose subject or object does not fit the
predicate's domain or range is refused. `random_graph` generates a large graph with invented names.
"""

from __future__ import annotations

import hashlib
import random
from decimal import Decimal

import rdflib
from rdflib import Literal, URIRef

from kg.ns import KGO, NIF, PROV, RDF, RDFS, SDO, SKOS, XSD, resource
from kg.rdf import ONTOLOGY_PATH, date_literal, fact_iri, new_graph
from kg.schema import EVENT, ORGANIZATION, PERSON, PLACE, PROGRAM, entity_type, event_type, predicate, schema

__all__ = ["GraphBuilder", "random_graph", "news_corpus", "NEWS_PAGES"]


def _offset(n: int) -> Literal:
    return Literal(n, datatype=XSD.nonNegativeInteger)


def _decimal(x: float) -> Literal:
    """A canonical ``xsd:decimal`` rounded to 4 places (``1``, ``0.75``), as the pipeline writes one."""
    text = format(Decimal(str(round(float(x), 4))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Literal(text or "0", datatype=XSD.decimal)


class GraphBuilder:
    """Build a graph in kg's RDF contract.

    >>> b = GraphBuilder()
    >>> p = b.entity(PERSON, "甲某")
    >>> o = b.entity(ORGANIZATION, "乙公司", aliases=["乙"])
    >>> art = b.article("a1", "标题")
    >>> s = b.sentence(art, 0, "甲某在乙公司工作。")
    >>> b.mention(s, p, "甲某"); b.mention(s, o, "乙公司")
    >>> b.relation(p, "worksFor", o, sentence=s)
    >>> from kg.rdf import validate
    >>> validate(b.graph)
    []
    """

    def __init__(self, ontology: bool = True) -> None:
        self.graph: rdflib.Graph = new_graph()
        if ontology:  # as kg.rdf.corpus_to_graph: a built graph holds the ontology
            self.graph.parse(ONTOLOGY_PATH, format="turtle")
        self._types: dict[URIRef, str] = {}  # entity → its entity type
        self._documents: dict[str, URIRef] = {}  # source file → document
        self._source: dict[URIRef, str] = {}  # article → source file
        self._span: dict[URIRef, tuple[int, int]] = {}  # article → (begin, end) of its sentences
        self._next: dict[str, int] = {}  # source file → first offset after its last sentence
        self._authors: dict[URIRef, int] = {}  # article → number of bylines
        self._confidence: dict[URIRef, float] = {}  # fact → its confidence

    # --- entities -----------------------------------------------------------------------
    def entity(self, type: str, name: str, aliases: tuple[str, ...] | list[str] = (), kind: str | None = None) -> URIRef:
        """Add an entity of the entity type ``type`` (`kg.schema.PERSON` …); ``kind`` names an
        event type (``"Ceremony"``) that an event also has."""
        t = entity_type(type)
        iri = resource(t.segment, name)
        g = self.graph
        g.add((iri, RDF.type, t.iri))
        if kind is not None:
            if t.name != EVENT:
                raise ValueError(f"only an event has an event type, not a {t.name} ({kind!r})")
            g.add((iri, RDF.type, event_type(kind).iri))
        g.add((iri, RDFS.label, Literal(name)))
        for a in aliases:
            if a != name:
                g.add((iri, SKOS.altLabel, Literal(a)))
        self._types[iri] = t.name
        return iri

    def attribute(self, entity: URIRef, name: str, value: str) -> None:
        """A literal attribute: ``jobTitle``, ``honour``, ``dateText`` or ``date`` (typed by its
        shape, as `kg.rdf.date_literal` types it)."""
        lit = date_literal(value) if name == "date" else Literal(value)
        self.graph.add((entity, getattr(KGO, name), lit))

    # --- documents, articles, sentences, mentions ----------------------------------------
    def _document(self, source: str) -> URIRef:
        doc = self._documents.get(source)
        if doc is None:
            sha = hashlib.sha256(source.encode("utf-8")).hexdigest()
            doc = self._documents[source] = resource("document", sha[:12])
            g = self.graph
            g.add((doc, RDF.type, KGO.Document))
            g.add((doc, KGO.sourceFile, Literal(source)))
            g.add((doc, KGO.sha256, Literal(sha)))
            g.add((doc, KGO.encoding, Literal("utf-8")))
        return doc

    def article(self, key: str, headline: str, author: URIRef | None = None, source: str = "source/test.txt",
                role: str = "记者") -> URIRef:
        """An article of the document ``source``; ``author`` (a person) signed it as ``role``."""
        iri = resource("article", key)
        g = self.graph
        g.add((iri, RDF.type, KGO.Article))
        g.add((iri, KGO.inDocument, self._document(source)))
        g.add((iri, KGO.sourceFile, Literal(source)))
        g.add((iri, SDO.headline, Literal(headline)))
        self._source[iri] = source
        if author is not None:
            self.author(iri, author, role)
        return iri

    def author(self, article: URIRef, person: URIRef, role: str = "记者") -> None:
        """A byline: ``article kgo:author person`` and its ``kgo:Authorship`` with the role."""
        if self._types.get(person) != PERSON:
            raise ValueError(f"an author must be a person entity: {person}")
        k = self._authors.get(article, 0)
        self._authors[article] = k + 1
        node = URIRef(f"{article}/a{k}")
        g = self.graph
        g.add((article, KGO.author, person))
        g.add((article, KGO.authorship, node))
        g.add((node, RDF.type, KGO.Authorship))
        g.add((node, KGO.agent, person))
        g.add((node, KGO.role, Literal(role)))

    def sentence(self, article: URIRef, index: int, text: str, begin: int | None = None) -> URIRef:
        """Sentence ``index`` of ``article``: at ``begin`` in its document, by default just after
        the document's previous sentence."""
        source = self._source[article]
        if begin is None:
            begin = self._next.get(source, 0)
        end = begin + len(text)
        self._next[source] = max(self._next.get(source, 0), end + 1)
        iri = URIRef(f"{article}/s{index}")
        g = self.graph
        g.add((iri, RDF.type, KGO.Sentence))
        g.add((iri, NIF.anchorOf, Literal(text)))
        g.add((iri, NIF.beginIndex, _offset(begin)))
        g.add((iri, NIF.endIndex, _offset(end)))
        g.add((iri, KGO.inArticle, article))
        g.add((iri, KGO.sourceFile, Literal(source)))
        g.add((iri, KGO.sentenceIndex, _offset(index)))
        g.add((iri, KGO.sentenceKind, Literal("body")))
        # the article spans its sentences
        lo, hi = self._span.get(article, (begin, end))
        lo, hi = min(lo, begin), max(hi, end)
        self._span[article] = (lo, hi)
        g.set((article, NIF.beginIndex, _offset(lo)))
        g.set((article, NIF.endIndex, _offset(hi)))
        return iri

    def mention(self, sentence: URIRef, entity: URIRef, text: str) -> None:
        """A mention of ``entity`` as ``text``, which must occur in the sentence (its first occurrence)."""
        g = self.graph
        sentence_text = str(g.value(sentence, NIF.anchorOf))
        at = sentence_text.find(text)
        if at < 0:
            raise ValueError(f"{text!r} is not in the sentence {sentence_text!r}")
        begin = int(g.value(sentence, NIF.beginIndex).toPython()) + at
        article = g.value(sentence, KGO.inArticle)
        doc = g.value(article, KGO.inDocument)
        m = resource("mention", str(doc).rsplit("/", 1)[-1], str(begin), str(begin + len(text)))
        g.add((m, RDF.type, KGO.Mention))
        g.add((m, KGO.refersTo, entity))
        g.add((m, KGO.inSentence, sentence))
        g.add((m, NIF.beginIndex, _offset(begin)))
        g.add((m, NIF.endIndex, _offset(begin + len(text))))
        g.add((m, NIF.anchorOf, Literal(text)))
        g.add((article, KGO.mentions, entity))

    # --- facts ----------------------------------------------------------------------------
    def relation(
        self,
        s: URIRef,
        relation: str,
        o: URIRef,
        sentence: URIRef | None = None,
        confidence: float = 0.9,
        by: str = "rules",
    ) -> None:
        """The direct triple and, when ``sentence`` is given, its fact node derived from it (a
        fact stated again gains the sentence and keeps the higher confidence)."""
        pred = predicate(relation)
        for end, allowed in ((s, pred.domain), (o, pred.range)):
            if self._types.get(end) not in allowed:
                raise ValueError(f"{relation} takes {' or '.join(allowed)}, not {self._types.get(end)}: {end}")
        g = self.graph
        g.add((s, pred.iri, o))
        if sentence is None:
            return
        f = fact_iri(s, pred.iri, o)
        g.add((f, RDF.type, KGO.Fact))
        g.add((f, RDF.subject, s))
        g.add((f, RDF.predicate, pred.iri))
        g.add((f, RDF.object, o))
        best = max(confidence, self._confidence.get(f, confidence))
        self._confidence[f] = best
        g.set((f, KGO.confidence, _decimal(best)))
        g.add((f, KGO.extractedBy, Literal(by)))
        g.add((f, PROV.wasDerivedFrom, sentence))


_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国红玉兰文斌"
_PLACES = "东南西北中"
_ORG_SUFFIX = ("公司", "集团", "研究院", "协会", "工会", "大学", "医院")
_PROGRAM = ("改革", "机制", "工程", "计划", "平台")
_EVENT = ("大会", "座谈会", "仪式", "讲座", "活动")


def _relation_for() -> dict[tuple[str, str], str]:
    """(subject type, object type) → the first relation predicate (schema order) joining them."""
    out: dict[tuple[str, str], str] = {}
    for p in schema().predicates:
        if not p.literal:
            for d in p.domain:
                for r in p.range:
                    out.setdefault((d, r), p.name)
    return out


def _name(rng: random.Random, type: str) -> str:
    if type == PERSON:
        return rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
    if type == ORGANIZATION:
        return rng.choice(_PLACES) + rng.choice(_GIVEN) + rng.choice(_ORG_SUFFIX)
    if type == PLACE:
        return rng.choice(_PLACES) + rng.choice(_GIVEN) + "市"
    if type == PROGRAM:
        return rng.choice(_GIVEN) + rng.choice(_GIVEN) + rng.choice(_PROGRAM)
    return rng.choice(_GIVEN) + rng.choice(_EVENT)


def random_graph(n: int = 5000, seed: int = 0, edges_per_node: float = 2.0, clusters: int | None = None) -> rdflib.Graph:
    """A generated graph of ``n`` entities with invented names, clustered like news stories.

    Entities fall into ``clusters`` stories (default n / 40); each story is an article whose
    sentences mention and relate entities mostly inside the story. Deterministic for a seed.
    """
    rng = random.Random(seed)
    b = GraphBuilder()
    types = (PERSON, ORGANIZATION, PLACE, PROGRAM, EVENT)
    weights = (0.4, 0.25, 0.1, 0.1, 0.15)
    kinds = tuple(e.name for e in schema().event_types)
    rel_for = _relation_for()
    clusters = clusters or max(1, n // 40)
    members: list[list[tuple[URIRef, str, str]]] = [[] for _ in range(clusters)]
    for i in range(n):
        t = rng.choices(types, weights)[0]
        name = f"{_name(rng, t)}{i}"
        kind = rng.choice(kinds) if t == EVENT and rng.random() < 0.5 else None
        iri = b.entity(t, name, aliases=[name[:-len(str(i))] + "#" + str(i)] if i % 7 == 0 else [], kind=kind)
        if t == EVENT and i % 3 == 0:
            b.attribute(iri, "date", f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}")
        members[i % clusters if rng.random() < 0.95 else rng.randrange(clusters)].append((iri, t, name))
    m_edges = int(n * edges_per_node)
    for c, group in enumerate(members):
        if not group:
            continue
        art = b.article(f"gen{c}", f"第{c}号新闻", source=f"gen/{c}.txt")
        k = max(1, round(m_edges * len(group) / n))
        for j in range(k):
            s, ts, ns = rng.choice(group)
            pool = group if rng.random() > 0.05 else members[rng.randrange(clusters)] or group
            targets = [x for x in pool if (ts, x[1]) in rel_for and x[0] != s]
            if not targets:
                continue
            o, to, no = rng.choice(targets)
            sent = b.sentence(art, j, f"{ns}与{no}有关。")
            b.mention(sent, s, ns)
            b.mention(sent, o, no)
            b.relation(s, rel_for[(ts, to)], o, sentence=sent, confidence=round(rng.uniform(0.5, 1.0), 2))
    return b.graph


#: Short invented news pages: bylines, people with titles, organizations, places, an event; the
#: last page is the first again (the same content under another name: the same nodes).
NEWS_PAGES = (
    "---\ndate: 2025-03-02\nnewspaper: 青岚日报\n---\n## 青岚市总工会举办技能大赛\n\n本报记者 周子墨\n\n"
    "青岚市总工会主席林晓舟表示，技能大赛已在全市启动。技术员白鹭和陈远参加了比赛。\n\n"
    "3月2日，颁奖仪式在青岚国际会展中心举行。劳动模范白鹭在星湖大学宣讲。\n",
    "## 河西省简讯\n\n本报通讯员 宋清和\n\n青岚市隶属河西省。星湖工匠学院院长陈远说，学院今年招收学员三千人。\n\n"
    "河西省人民政府副省长唐立文出席了会议。\n",
    "## 海河新区职工服务平台上线\n\n海河新区职工服务中心主任孟雪松介绍，平台覆盖职工两万余人次。林晓舟参加了启动仪式。\n",
)


def news_corpus(folder, pages=NEWS_PAGES, duplicate_first: bool = True):  # type: ignore[no-untyped-def]
    """The corpus (`kg.model.Corpus`) kg's pipeline makes of ``pages`` written into ``folder``
    (and of the first page again under another name)."""
    from pathlib import Path

    from kg.ingest import read_sources
    from kg.pipeline import make_corpus

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for k, text in enumerate(pages):
        (folder / f"page{k}.md").write_text(text, encoding="utf-8")
    if duplicate_first:
        (folder / "same-as-page0.md").write_text(pages[0], encoding="utf-8")
    return make_corpus(read_sources([folder]), jobs=1)
