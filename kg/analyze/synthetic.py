"""Small RDF graphs in kg's contract, written by hand or generated: for tests and benchmarks.

`GraphBuilder` writes entities, articles, sentences, mentions and relations (with their fact
nodes) exactly as the pipeline does; `random_graph` generates a large one with invented names.
"""

from __future__ import annotations

import random

import rdflib
from rdflib import Literal, URIRef

from kg.ns import KGO, NIF, PREFIXES, PROV, RDF, RDFS, SDO, SKOS, XSD, resource

__all__ = ["GraphBuilder", "random_graph"]

_EVENT_KINDS = ("Meeting", "Adoption", "Ceremony", "Lecture", "Campaign", "DisputeResolution", "Milestone")


class GraphBuilder:
    """Build a graph in kg's RDF contract.

    >>> b = GraphBuilder()
    >>> p = b.entity("Person", "甲某")
    >>> o = b.entity("Organization", "乙公司", aliases=["乙"])
    >>> art = b.article("a1", "标题")
    >>> s = b.sentence(art, 0, "甲某在乙公司工作。")
    >>> b.mention(s, p, "甲某"); b.mention(s, o, "乙公司")
    >>> b.relation(p, "worksFor", o, sentence=s)
    >>> len(b.graph) > 20
    True
    """

    def __init__(self) -> None:
        self.graph = rdflib.Graph()
        for prefix, ns in PREFIXES.items():
            self.graph.bind(prefix, ns)
        self._facts = 0
        self._mentions = 0
        for kind in _EVENT_KINDS:
            self.graph.add((getattr(KGO, kind), RDFS.subClassOf, KGO.Event))

    def entity(self, type: str, name: str, aliases: tuple[str, ...] | list[str] = (), kind: str | None = None) -> URIRef:
        """Add an entity of ``type`` (``"Person"`` …) typed ``kind`` (e.g. ``"Ceremony"``) if given."""
        iri = resource(type.lower(), name)
        self.graph.add((iri, RDF.type, getattr(KGO, kind or type)))
        self.graph.add((iri, RDFS.label, Literal(name)))
        for a in aliases:
            self.graph.add((iri, SKOS.altLabel, Literal(a)))
        return iri

    def attribute(self, entity: URIRef, name: str, value: str) -> None:
        """A literal attribute: ``jobTitle``, ``honour``, ``date`` (ISO, typed xsd:date) or ``dateText``."""
        lit = Literal(value, datatype=XSD.date) if name == "date" else Literal(value)
        self.graph.add((entity, getattr(KGO, name), lit))

    def article(self, key: str, headline: str, author: URIRef | None = None) -> URIRef:
        iri = resource("article", key)
        self.graph.add((iri, RDF.type, KGO.Article))
        self.graph.add((iri, SDO.headline, Literal(headline)))
        if author is not None:
            self.graph.add((iri, KGO.author, author))
        return iri

    def sentence(self, article: URIRef, index: int, text: str, source: str = "source/test.txt", begin: int = 0) -> URIRef:
        iri = URIRef(f"{article}/s{index}")
        g = self.graph
        g.add((iri, RDF.type, KGO.Sentence))
        g.add((iri, NIF.anchorOf, Literal(text)))
        g.add((iri, NIF.beginIndex, Literal(begin, datatype=XSD.nonNegativeInteger)))
        g.add((iri, NIF.endIndex, Literal(begin + len(text), datatype=XSD.nonNegativeInteger)))
        g.add((iri, KGO.inArticle, article))
        g.add((iri, KGO.sourceFile, Literal(source)))
        return iri

    def mention(self, sentence: URIRef, entity: URIRef, text: str) -> None:
        self._mentions += 1
        m = URIRef(f"{sentence}/m{self._mentions}")
        g = self.graph
        g.add((m, RDF.type, KGO.Mention))
        g.add((m, KGO.refersTo, entity))
        g.add((m, KGO.inSentence, sentence))
        g.add((m, NIF.anchorOf, Literal(text)))
        article = g.value(sentence, KGO.inArticle)
        if article is not None:
            g.add((article, KGO.mentions, entity))

    def relation(
        self,
        s: URIRef,
        relation: str,
        o: URIRef,
        sentence: URIRef | None = None,
        confidence: float = 0.9,
        by: str = "rules",
    ) -> None:
        """The direct triple, and a fact node pointing to ``sentence`` when given."""
        p = getattr(KGO, relation)
        g = self.graph
        g.add((s, p, o))
        if sentence is None:
            return
        self._facts += 1
        f = resource("fact", str(self._facts))
        g.add((f, RDF.type, KGO.Fact))
        g.add((f, RDF.subject, s))
        g.add((f, RDF.predicate, p))
        g.add((f, RDF.object, o))
        g.add((f, KGO.confidence, Literal(confidence, datatype=XSD.double)))
        g.add((f, KGO.extractedBy, Literal(by)))
        g.add((f, PROV.wasDerivedFrom, sentence))


_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国红玉兰文斌"
_PLACES = "东南西北中"
_ORG_SUFFIX = ("公司", "集团", "研究院", "协会", "工会", "大学", "医院")
_PROGRAM = ("改革", "机制", "工程", "计划", "平台")
_EVENT = ("大会", "座谈会", "仪式", "讲座", "活动")
_REL_FOR = {
    ("Person", "Organization"): "worksFor",
    ("Person", "Event"): "participatedIn",
    ("Organization", "Organization"): "subOrganizationOf",
    ("Organization", "Place"): "locatedIn",
    ("Organization", "Program"): "implements",
    ("Organization", "Event"): "participatedIn",
    ("Event", "Organization"): "organizer",
    ("Event", "Place"): "locatedIn",
    ("Place", "Place"): "locatedIn",
    ("Person", "Program"): "honour",
}


def random_graph(n: int = 5000, seed: int = 0, edges_per_node: float = 2.0, clusters: int | None = None) -> rdflib.Graph:
    """A generated graph of ``n`` entities with invented names, clustered like news stories.

    Entities fall into ``clusters`` stories (default n / 40); each story is an article whose
    sentences mention and relate entities mostly inside the story. Deterministic for a seed.
    """
    rng = random.Random(seed)
    b = GraphBuilder()
    types = ("Person", "Organization", "Place", "Program", "Event")
    weights = (0.4, 0.25, 0.1, 0.1, 0.15)
    clusters = clusters or max(1, n // 40)
    members: list[list[tuple[URIRef, str, str]]] = [[] for _ in range(clusters)]
    for i in range(n):
        t = rng.choices(types, weights)[0]
        if t == "Person":
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
        elif t == "Organization":
            name = rng.choice(_PLACES) + rng.choice(_GIVEN) + rng.choice(_ORG_SUFFIX)
        elif t == "Place":
            name = rng.choice(_PLACES) + rng.choice(_GIVEN) + "市"
        elif t == "Program":
            name = rng.choice(_GIVEN) + rng.choice(_GIVEN) + rng.choice(_PROGRAM)
        else:
            name = rng.choice(_GIVEN) + rng.choice(_EVENT)
        name = f"{name}{i}"
        kind = rng.choice(_EVENT_KINDS) if t == "Event" and rng.random() < 0.5 else None
        iri = b.entity(t, name, aliases=[name[:-len(str(i))] + "#" + str(i)] if i % 7 == 0 else [], kind=kind)
        if t == "Event" and i % 3 == 0:
            b.attribute(iri, "date", f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}")
        members[i % clusters if rng.random() < 0.95 else rng.randrange(clusters)].append((iri, t, name))
    m_edges = int(n * edges_per_node)
    for c, group in enumerate(members):
        if not group:
            continue
        art = b.article(f"gen{c}", f"第{c}号新闻")
        k = max(1, round(m_edges * len(group) / n))
        for j in range(k):
            s, ts, ns = rng.choice(group)
            pool = group if rng.random() > 0.05 else members[rng.randrange(clusters)] or group
            targets = [x for x in pool if (ts, x[1]) in _REL_FOR and x[0] != s]
            if not targets:
                continue
            o, to, no = rng.choice(targets)
            sent = b.sentence(art, j, f"{ns}与{no}有关。", source=f"gen/{c}.txt", begin=j * 40)
            b.mention(sent, s, ns)
            b.mention(sent, o, no)
            b.relation(s, _REL_FOR[(ts, to)], o, sentence=sent, confidence=round(rng.uniform(0.5, 1.0), 2))
    return b.graph
