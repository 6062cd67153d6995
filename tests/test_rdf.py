"""Corpus → RDF mapping, SHACL validation and canonical Turtle.

``make_corpus`` builds a small invented corpus by hand; the other RDF tests load it from here.
"""

from __future__ import annotations

import hashlib
from itertools import chain

import pyoxigraph
import pytest
from rdflib import Graph, Literal

from kg.errors import SchemaError
from kg.model import (
    Article,
    Author,
    Corpus,
    Document,
    Entity,
    EntityKey,
    EventInfo,
    Evidence,
    Relation,
    Sentence,
)
from kg.ns import KGO, NIF, PROV, RDF, RDFS, SDO, SKOS, XSD, resource
from kg.rdf import (
    ONTOLOGY_PATH,
    SHAPES_PATH,
    canonical_turtle,
    corpus_to_graph,
    date_literal,
    entity_iri,
    fact_iri,
    key_iri,
    sentence_iri,
    validate,
    write_turtle,
)

K = EntityKey.parse

SENTENCES_A = [
    "青岚精密仪器有限公司位于青岚市。",
    "公司总工程师林晓舟获得“星湖工匠”称号。",
    "3月12日，技能大赛颁奖仪式在青岚市举行，林晓舟和白鹭参加。",
]
SENTENCES_B = ["青岚市隶属河西省。", "白鹭是星湖工匠学院的讲师。"]


def _doc_text() -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    head_a = "林晓舟获“星湖工匠”称号\n本报记者 周子墨\n"
    body_a = "".join(SENTENCES_A) + "\n"
    head_b = "河西省简讯\n"
    body_b = "".join(SENTENCES_B) + "\n"
    text = head_a + body_a + head_b + body_b
    spans_a, pos = [], len(head_a)
    for s in SENTENCES_A:
        spans_a.append((pos, pos + len(s)))
        pos += len(s)
    spans_b, pos = [], len(head_a) + len(body_a) + len(head_b)
    for s in SENTENCES_B:
        spans_b.append((pos, pos + len(s)))
        pos += len(s)
    return text, spans_a, spans_b


def make_corpus(*, drop_fact_evidence: bool = False) -> Corpus:
    """A two-article invented corpus with every kind of node the mapping writes."""
    text, spans_a, spans_b = _doc_text()
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    path = "source/qinglan-daily.txt"
    doc = Document(
        path=path, text=text, sha256=sha, encoding="utf-8", date="2024-03-13", newspaper="青岚日报"
    )
    author_start = text.index("周子墨")

    def sentences(article_id: str, texts: list[str], spans: list[tuple[int, int]]) -> tuple[Sentence, ...]:
        return tuple(
            Sentence(path, article_id, i, a, b, t, ((a, b),))
            for i, (t, (a, b)) in enumerate(zip(texts, spans, strict=True))
        )

    art_a = Article(
        id="a0",
        document=path,
        index=0,
        title="林晓舟获“星湖工匠”称号",
        start=0,
        end=spans_a[-1][1],
        alt_titles=("一线工匠的故事",),
        column="要闻",
        authors=(Author("周子墨", "记者", author_start, author_start + 3),),
        continuations=("（下转第二版）",),
        sentences=sentences("a0", SENTENCES_A, spans_a),
    )
    art_b = Article(
        id="a1",
        document=path,
        index=1,
        title="河西省简讯",
        start=spans_a[-1][1] + 1,
        end=spans_b[-1][1],
        sentences=sentences("a1", SENTENCES_B, spans_b),
    )

    def ev(article: Article, sent: int, word: str) -> Evidence:
        s = article.sentences[sent]
        start = text.index(word, s.start)
        return Evidence(path, article.id, sent, start, start + len(word), word)

    def sev(article: Article, sent: int) -> Evidence:
        s = article.sentences[sent]
        return Evidence(path, article.id, sent, s.start, s.end, s.text)

    entities = (
        Entity(
            K("Person/林晓舟"),
            "Person",
            "林晓舟",
            aliases=("林工",),
            mentions=(ev(art_a, 1, "林晓舟"), ev(art_a, 2, "林晓舟")),
        ),
        Entity(K("Person/白鹭"), "Person", "白鹭", mentions=(ev(art_a, 2, "白鹭"), ev(art_b, 1, "白鹭"))),
        Entity(K("Person/白鹭#2"), "Person", "白鹭", confidence=0.5),
        Entity(
            K("Organization/青岚精密仪器有限公司"),
            "Organization",
            "青岚精密仪器有限公司",
            aliases=("青岚仪器", "青岚精密仪器有限公司"),
            mentions=(ev(art_a, 0, "青岚精密仪器有限公司"),),
        ),
        Entity(
            K("Organization/星湖工匠学院"),
            "Organization",
            "星湖工匠学院",
            mentions=(ev(art_b, 1, "星湖工匠学院"),),
        ),
        Entity(
            K("Place/青岚市"),
            "Place",
            "青岚市",
            mentions=(ev(art_a, 0, "青岚市"), ev(art_a, 2, "青岚市"), ev(art_b, 0, "青岚市")),
        ),
        Entity(K("Place/河西省"), "Place", "河西省", mentions=(ev(art_b, 0, "河西省"),)),
        Entity(K("Program/星湖工匠"), "Program", "星湖工匠", mentions=(ev(art_a, 1, "星湖工匠"),)),
        Entity(
            K("Event/技能大赛颁奖仪式"),
            "Event",
            "技能大赛颁奖仪式",
            mentions=(ev(art_a, 2, "技能大赛颁奖仪式"),),
            event=EventInfo("Ceremony", "2024-03-12", "3月12日"),
        ),
    )
    relations = (
        Relation(
            K("Organization/青岚精密仪器有限公司"), "locatedIn", K("Place/青岚市"), (sev(art_a, 0),), 0.9, "rules"
        ),
        Relation(K("Place/青岚市"), "locatedIn", K("Place/河西省"), (sev(art_b, 0),), 0.95, "rules"),
        Relation(
            K("Person/林晓舟"), "worksFor", K("Organization/青岚精密仪器有限公司"), (sev(art_a, 1),), 0.7, "rules"
        ),
        Relation(K("Person/林晓舟"), "jobTitle", "总工程师", (sev(art_a, 1),), 0.8, "rules", literal=True),
        Relation(K("Person/林晓舟"), "honour", K("Program/星湖工匠"), (sev(art_a, 1),), 0.55, "crf"),
        # the same fact from a second component: one fact node, the higher confidence
        Relation(K("Person/林晓舟"), "honour", K("Program/星湖工匠"), (sev(art_a, 1),), 0.5, "rules"),
        Relation(K("Person/林晓舟"), "participatedIn", K("Event/技能大赛颁奖仪式"), (sev(art_a, 2),), 0.9, "rules"),
        Relation(K("Person/白鹭"), "participatedIn", K("Event/技能大赛颁奖仪式"), (sev(art_a, 2),), 0.9, "rules"),
        Relation(K("Person/白鹭"), "worksFor", K("Organization/星湖工匠学院"), (sev(art_b, 1),), 0.85, "rules"),
        Relation(K("Event/技能大赛颁奖仪式"), "locatedIn", K("Place/青岚市"), (sev(art_a, 2),), 0.9, "rules"),
        Relation(
            K("Event/技能大赛颁奖仪式"), "date", "2024-03-12", (sev(art_a, 2),), 1.0, "rules", literal=True
        ),
        Relation(
            K("Event/技能大赛颁奖仪式"),
            "organizer",
            K("Organization/星湖工匠学院"),
            () if drop_fact_evidence else (sev(art_a, 2),),
            0.4,
            "rules",
        ),
    )
    return Corpus(documents=(doc,), articles=(art_a, art_b), entities=entities, relations=relations)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return make_corpus()


@pytest.fixture(scope="module")
def graph(corpus: Corpus) -> Graph:
    return corpus_to_graph(corpus)


def P(name: str):  # noqa: N802 - reads like the type
    return resource("person", name)


def test_entity_iris_are_derived_from_keys(corpus: Corpus) -> None:
    by_key = {e.key: e for e in corpus.entities}
    assert entity_iri(by_key[K("Person/林晓舟")]) == resource("person", "林晓舟")
    assert entity_iri(by_key[K("Person/白鹭#2")]) == resource("person", "白鹭", "2")
    assert entity_iri(by_key[K("Place/青岚市")]) == resource("place", "青岚市")
    assert key_iri(K("Event/x")) == resource("event", "x")
    with pytest.raises(SchemaError, match="unknown entity type 'Thing'"):
        key_iri(K("Thing/x"))


def test_entities_types_labels_aliases(graph: Graph) -> None:
    lin = P("林晓舟")
    assert (lin, RDF.type, KGO.Person) in graph
    assert list(graph.objects(lin, RDFS.label)) == [Literal("林晓舟")]
    assert set(graph.objects(lin, SKOS.altLabel)) == {Literal("林工")}
    org = resource("organization", "青岚精密仪器有限公司")
    # the label is not repeated as an alias
    assert set(graph.objects(org, SKOS.altLabel)) == {Literal("青岚仪器")}
    event = resource("event", "技能大赛颁奖仪式")
    assert set(graph.objects(event, RDF.type)) == {KGO.Event, KGO.Ceremony}
    assert graph.value(event, KGO.date) == Literal("2024-03-12", datatype=XSD.date)
    assert graph.value(event, KGO.dateText) == Literal("3月12日")
    # two people with one name are two nodes
    assert (P("白鹭"), RDF.type, KGO.Person) in graph
    assert (resource("person", "白鹭", "2"), RDF.type, KGO.Person) in graph


def test_relations_are_direct_triples_and_facts(graph: Graph, corpus: Corpus) -> None:
    lin, org = P("林晓舟"), resource("organization", "青岚精密仪器有限公司")
    assert (lin, KGO.worksFor, org) in graph
    assert (lin, KGO.jobTitle, Literal("总工程师")) in graph
    f = fact_iri(lin, KGO.worksFor, org)
    assert (f, RDF.type, KGO.Fact) in graph
    assert graph.value(f, RDF.subject) == lin
    assert graph.value(f, RDF.predicate) == KGO.worksFor
    assert graph.value(f, RDF.object) == org
    sha = corpus.documents[0].sha256
    assert list(graph.objects(f, PROV.wasDerivedFrom)) == [sentence_iri(sha, 0, 1)]
    assert graph.value(f, KGO.extractedBy) == Literal("rules")
    assert graph.value(f, KGO.confidence) == Literal("0.7", datatype=XSD.decimal)
    # one fact for a relation found twice; the higher confidence; both components
    honour = fact_iri(lin, KGO.honour, resource("program", "星湖工匠"))
    assert list(graph.objects(honour, KGO.confidence)) == [Literal("0.55", datatype=XSD.decimal)]
    assert set(graph.objects(honour, KGO.extractedBy)) == {Literal("crf"), Literal("rules")}
    event = resource("event", "技能大赛颁奖仪式")
    assert (event, KGO.date, Literal("2024-03-12", datatype=XSD.date)) in graph


def test_articles_sentences_mentions(graph: Graph, corpus: Corpus) -> None:
    doc = corpus.documents[0]
    sha = doc.sha256
    art = resource("article", sha[:12], "0")
    assert (art, RDF.type, KGO.Article) in graph
    assert graph.value(art, SDO.headline) == Literal("林晓舟获“星湖工匠”称号")
    assert graph.value(art, SDO.alternativeHeadline) == Literal("一线工匠的故事")
    assert graph.value(art, KGO.column) == Literal("要闻")
    assert graph.value(art, SDO.datePublished) == Literal("2024-03-13", datatype=XSD.date)
    assert graph.value(art, KGO.sourceFile) == Literal(doc.path)
    assert graph.value(art, KGO.continuation) == Literal("（下转第二版）")
    assert graph.value(art, KGO.inDocument) == resource("document", sha[:12])
    author = P("周子墨")
    assert (art, KGO.author, author) in graph
    assert graph.value(author, RDFS.label) == Literal("周子墨")
    auth = graph.value(art, KGO.authorship)
    assert graph.value(auth, KGO.agent) == author and graph.value(auth, KGO.role) == Literal("记者")
    assert (art, KGO.mentions, P("林晓舟")) in graph
    assert (art, KGO.mentions, resource("place", "河西省")) not in graph
    s = resource("article", sha[:12], "0", "s1")
    sent = corpus.articles[0].sentences[1]
    assert graph.value(s, NIF.anchorOf) == Literal(sent.text)
    assert graph.value(s, NIF.beginIndex) == Literal(sent.start, datatype=XSD.nonNegativeInteger)
    assert graph.value(s, NIF.endIndex) == Literal(sent.end, datatype=XSD.nonNegativeInteger)
    assert doc.text[sent.start : sent.end] == sent.text
    assert graph.value(s, KGO.inArticle) == art
    assert graph.value(s, KGO.sentenceIndex).toPython() == 1
    assert graph.value(s, KGO.sentenceKind) == Literal("body")
    mentions = list(graph.subjects(KGO.refersTo, P("林晓舟")))
    assert len(mentions) == 2
    for m in mentions:
        b, e = graph.value(m, NIF.beginIndex).toPython(), graph.value(m, NIF.endIndex).toPython()
        assert doc.text[b:e] == str(graph.value(m, NIF.anchorOf)) == "林晓舟"
        assert graph.value(m, KGO.inSentence) in set(graph.subjects(KGO.inArticle, art))


def test_no_blank_nodes_and_ontology_included(graph: Graph) -> None:
    from rdflib import BNode

    assert not any(isinstance(t, BNode) for tr in graph for t in tr)
    assert (KGO.Person, RDFS.subClassOf, SDO.Person) in graph
    q = "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a/rdfs:subClassOf* schema:Person }"
    assert int(next(iter(graph.query(q)))[0]) == 4  # 林晓舟, 白鹭, 白鹭#2, the byline author
    assert len(corpus_to_graph(make_corpus(), include_ontology=False)) < len(graph)


def test_same_input_same_bytes(tmp_path) -> None:
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    write_turtle(corpus_to_graph(make_corpus()), a)
    write_turtle(corpus_to_graph(make_corpus()), b)
    assert a.read_bytes() == b.read_bytes()
    # the order of the input does not matter either
    c = make_corpus()
    shuffled = Corpus(c.documents, c.articles[::-1], c.entities[::-1], c.relations[::-1])
    write_turtle(corpus_to_graph(shuffled), b)
    assert a.read_bytes() == b.read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))


def test_turtle_parses_back_with_rdflib_and_oxigraph(graph: Graph, tmp_path) -> None:
    from rdflib.compare import isomorphic

    path = write_turtle(graph, tmp_path / "kg.ttl")
    back = Graph().parse(path, format="turtle")
    assert isomorphic(back, graph)
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(graph)


@pytest.mark.parametrize("path", [ONTOLOGY_PATH, SHAPES_PATH])
def test_ontology_and_shapes_parse(path) -> None:
    g = Graph().parse(path, format="turtle")
    assert len(g) > 50
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(g)


def test_ontology_alignment() -> None:
    g = Graph().parse(ONTOLOGY_PATH, format="turtle")
    from kg.ns import FOAF, ORG, OWL

    expected_classes = {
        KGO.Person: {SDO.Person, FOAF.Person},
        KGO.Organization: {SDO.Organization, ORG.Organization},
        KGO.Place: {SDO.Place},
        KGO.Program: {SDO.CreativeWork},
        KGO.Event: {SDO.Event},
        KGO.Ceremony: {KGO.Event},
        KGO.Article: {SDO.NewsArticle},
        KGO.Sentence: {NIF.Sentence},
    }
    for cls, supers in expected_classes.items():
        assert supers <= set(g.objects(cls, RDFS.subClassOf)), cls
    expected_props = {
        KGO.worksFor: SDO.worksFor,
        KGO.jobTitle: SDO.jobTitle,
        KGO.honour: SDO.award,
        KGO.subOrganizationOf: SDO.parentOrganization,
        KGO.locatedIn: SDO.location,
        KGO.organizer: SDO.organizer,
        KGO.date: SDO.startDate,
        KGO.author: SDO.author,
        KGO.mentions: SDO.mentions,
    }
    for prop, sup in expected_props.items():
        assert (prop, RDFS.subPropertyOf, sup) in g, prop
    assert (KGO.participatedIn, OWL.inverseOf, SDO.attendee) in g
    # every kgo term the code uses is declared, with labels in both languages
    for name in KGO.__annotations__:
        term = getattr(KGO, name)
        langs = {lab.language for lab in g.objects(term, RDFS.label)}
        assert {"zh", "en"} <= langs, name


def test_built_graph_conforms(graph: Graph) -> None:
    assert validate(graph) == []


def test_rdfs_inference_catches_domain_misuse(graph: Graph) -> None:
    assert validate(graph, inference="rdfs") == []
    g = corpus_to_graph(make_corpus(), include_ontology=False)
    # worksFor's domain is Person: an organization that "works for" becomes two things at once
    g.add(
        (
            resource("organization", "星湖工匠学院"),
            KGO.worksFor,
            resource("organization", "青岚精密仪器有限公司"),
        )
    )
    problems = validate(g, inference="rdfs")
    assert problems and "星湖工匠学院 rdf:type" in problems[0]
    with pytest.raises(ValueError):
        validate(g, inference="owlrl")


def _broken_graph(every_shape: bool = False) -> Graph:
    """The test corpus's graph with a fact without evidence, a second label, an entity of a wrong
    type, an impossible date and a sentence ending before it begins; ``every_shape`` breaks the
    event, mention, fact and article shapes too."""
    g = corpus_to_graph(make_corpus(drop_fact_evidence=True))
    g.add((P("林晓舟"), RDFS.label, Literal("林小舟")))
    g.add((resource("place", "青岚市"), RDF.type, KGO.Organization))
    event = resource("event", "技能大赛颁奖仪式")
    g.add((event, KGO.date, Literal("2024-13-40")))
    kinds = (KGO.Sentence, KGO.Mention) if every_shape else (KGO.Sentence,)
    for kind in kinds:
        node = next(iter(g.subjects(RDF.type, kind)))
        g.set((node, NIF.endIndex, Literal(0, datatype=XSD.nonNegativeInteger)))
    if every_shape:
        g.add((event, KGO.eventStatus, KGO.Happened))
        g.add((event, KGO.eventStatus, KGO.Planned))
        g.add((event, KGO.deadCount, Literal(-2)))
        fact = next(iter(g.subjects(RDF.type, KGO.Fact)))
        g.set((fact, KGO.confidence, Literal("1.5", datatype=XSD.decimal)))
        g.remove((next(iter(g.subjects(RDF.type, KGO.Article))), KGO.inDocument, None))
    return g


def test_shacl_catches_broken_graphs() -> None:
    problems = validate(_broken_graph())
    text = "\n".join(problems)
    assert "kgr:person/林晓舟 rdfs:label: an entity must have exactly one rdfs:label" in text
    assert "exactly one type" in text and "青岚市" in text
    assert "prov:wasDerivedFrom" in text
    assert "kgo:date must be a valid" in text
    assert "nif:beginIndex" in text
    assert all("\n" not in line for line in problems)


def test_shapes_with_their_own_targets_find_the_same_violations() -> None:
    # validate() hands pySHACL each property shape with its node shape's targets (for speed): on a
    # graph broken in every shape's way the lines are those of the shapes as written
    from kg.rdf import load_shapes

    g = _broken_graph(every_shape=True)
    problems = validate(g)
    assert len(problems) >= 10
    assert problems == validate(g, shapes=load_shapes())
    for inference in ("none", "rdfs"):
        assert validate(g, inference=inference) == validate(g, inference=inference, shapes=load_shapes())


def test_date_literals() -> None:
    assert date_literal("2024").datatype == XSD.gYear
    assert date_literal("2024-13").datatype is None
    assert date_literal("去年").datatype is None


def test_unknown_predicate_or_type_is_an_error() -> None:
    c = make_corpus()
    bad = Corpus(c.documents, c.articles, c.entities, (Relation(K("Person/林晓舟"), "likes", K("Person/白鹭")),))
    with pytest.raises(SchemaError, match="unknown predicate 'likes'; known: worksFor"):
        corpus_to_graph(bad)
    bad = Corpus(c.documents, c.articles, (Entity(K("Thing/x"), "Thing", "x"),), ())
    with pytest.raises(SchemaError, match="unknown entity type 'Thing'"):
        corpus_to_graph(bad)


def test_canonical_turtle_escapes_and_blank_nodes(tmp_path) -> None:
    from rdflib import BNode, URIRef

    from kg.rdf import TurtleParts

    g = Graph()
    s = resource("program", '“一站式” <x> "q"')
    g.add((s, RDFS.label, Literal('a "quoted"\nline\\')))
    g.add((s, RDFS.comment, Literal("x", lang="zh")))
    b = BNode()
    g.add((s, SDO.about, b))
    g.add((b, RDFS.label, Literal("blank")))
    g.add((URIRef("http://example.org/a"), RDFS.label, Literal(1)))
    text = canonical_turtle(g)
    back = Graph().parse(data=text, format="turtle")
    from rdflib.compare import isomorphic

    assert isomorphic(back, g)
    g2 = Graph()
    for t in reversed(list(g)):
        g2.add(t)
    assert canonical_turtle(g2) == text
    parts = TurtleParts(tmp_path / "runs")  # a part with blank nodes: relabelled as the whole graph's
    parts.add(g2)
    assert parts.write(tmp_path / "kg.ttl").read_text(encoding="utf-8") == text
    assert "_:" in text


# --- the gazetteer's divisions ----------------------------------------------------------------------
def _places_corpus(*names: str, org_in: str | None = None) -> Corpus:
    """Places named ``names`` (and an organization located in ``org_in``), without text: the
    division layer reads names only."""
    places = tuple(Entity(EntityKey("Place", n), "Place", n) for n in names)
    if org_in is None:
        return Corpus(entities=places)
    org = Entity(EntityKey("Organization", "翠湖测绘服务社"), "Organization", "翠湖测绘服务社")
    fact = Relation(org.key, "locatedIn", EntityKey("Place", org_in), component="test")
    return Corpus(entities=(*places, org), relations=(fact,))


def test_a_city_reaches_its_province_and_country_when_neither_is_named() -> None:
    from kg.gazetteer import gazetteer
    from kg.rdf import division_iri

    g = corpus_to_graph(_places_corpus("杭州市", org_in="杭州市"), include_ontology=False)
    city = key_iri(EntityKey("Place", "杭州市"))
    (div,) = g.objects(city, KGO.division)
    assert div == division_iri(gazetteer().lookup("杭州市")[0])
    chain = []
    while div is not None:
        chain.append(str(g.value(div, RDFS.label)))
        div = g.value(div, KGO.withinDivision)
    assert chain == ["杭州市", "浙江省", "中国"]
    assert g.value(division_iri(gazetteer().lookup("杭州市")[0]), KGO.divisionCode) == Literal("330100")
    # reference data, not entities: no Place for the province, no fact about it
    assert set(g.subjects(RDF.type, KGO.Place)) == {city}
    assert not list(g.triples((None, KGO.locatedIn, division_iri(gazetteer().lookup("浙江省")[0]))))
    assert validate(corpus_to_graph(_places_corpus("杭州市", "朝阳区", "海淀区"))) == []  # the fact has no evidence


def test_orgs_by_place_lists_an_org_under_a_province_the_text_never_names() -> None:
    from kg.sparql import run

    g = corpus_to_graph(_places_corpus("杭州市", org_in="杭州市"))
    for place in ("浙江省", "浙江", "中国", "杭州市"):
        rows = run(g, "orgs-by-place", place=place).values()
        assert [(str(r[1]), str(r[2])) for r in rows] == [("翠湖测绘服务社", "杭州市")], place
    assert run(g, "orgs-by-place", place="广东省").values() == []


@pytest.mark.parametrize(("names", "expected"), [
    (("朝阳区",), None),  # several districts of that name, nothing to tell them apart
    (("朝阳区", "北京市"), "110105"),  # the one in Beijing
    (("吉林",), "220000"),  # the province before the city
    (("海淀区",), "110108"),
])
def test_a_place_is_the_division_its_name_and_the_other_places_tell(names: tuple[str, ...],
                                                                     expected: str | None) -> None:
    g = corpus_to_graph(_places_corpus(*names), include_ontology=False)
    div = g.value(key_iri(EntityKey("Place", names[0])), KGO.division)
    assert (None if div is None else str(g.value(div, KGO.divisionCode))) == expected


def test_a_place_outside_the_gazetteer_has_no_division() -> None:
    g = corpus_to_graph(_places_corpus("翠湖公园"), include_ontology=False)
    assert not list(g.triples((None, KGO.division, None)))
    assert not list(g.subjects(RDF.type, KGO.Division))


# --- the graph in parts -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Corpus:
    from synthetic import news_corpus

    return news_corpus(tmp_path_factory.mktemp("news"))


def _parts(corpus: Corpus, facts: bool = False, light: bool = False) -> tuple[Graph, list]:
    """The corpus part, and the documents' parts (then, with ``facts``, the facts' parts; with
    ``light``, `kg.rdf.Triples`)."""
    from kg.rdf import corpus_part, document_parts, fact_parts

    parts = list(document_parts(corpus, triples=1, light=light))
    if facts:
        parts += list(fact_parts(corpus, triples=20, light=light))
    return corpus_part(corpus, facts=not facts), parts


@pytest.mark.parametrize(("facts", "light"), [(False, False), (True, False), (True, True)])
def test_the_parts_are_the_graph_with_disjoint_subjects(news: Corpus, facts: bool, light: bool) -> None:
    from kg.rdf import Triples

    whole, (entities, parts) = corpus_to_graph(news), _parts(news, facts, light)
    assert all(isinstance(p, Triples) is light for p in parts)
    docs = parts[:3]
    assert len(news.documents) == 4  # the two files of the same content: one part
    assert all((None, RDF.type, KGO.Sentence) in d for d in docs) and len(parts) > 3 if facts else len(parts) == 3
    seen: set = set()
    for part in [entities, *parts]:
        subjects = set(part.subjects())
        assert subjects and not subjects & seen
        seen |= subjects
    union = Graph()
    for part in [entities, *parts]:
        union += part
    assert set(union) == set(whole)
    assert any((None, KGO.author, None) in d for d in docs) and all((None, RDF.type, KGO.Fact) not in d for d in docs)
    assert ((None, RDF.type, KGO.Fact) in entities) is not facts


def test_turtle_written_in_parts_is_the_canonical_turtle(news: Corpus, tmp_path) -> None:
    from kg.rdf import TurtleParts, document_parts

    entities, docs = _parts(news)
    _, light = _parts(news, light=True)
    expected = canonical_turtle(corpus_to_graph(news))
    for k, order in enumerate(([entities, *docs], [*reversed(docs), entities], [*light, entities])):
        parts = TurtleParts(tmp_path / f"runs{k}")
        for part in order:
            parts.add(part)
        assert parts.write(tmp_path / f"kg{k}.ttl").read_text(encoding="utf-8") == expected
        assert not (tmp_path / f"runs{k}").exists()  # the runs are gone
    big = TurtleParts(tmp_path / "big")
    for part in document_parts(news):  # the default size: one part
        big.add(part)
    big.add(entities)
    assert big.write(tmp_path / "one.ttl").read_text(encoding="utf-8") == expected


def test_document_parts_of_some_documents_and_every_sentence(news: Corpus) -> None:
    from kg.rdf import document_parts, sentence_iris

    everything = [t for part in document_parts(news) for t in part]
    sentences = {s for s, p, o in everything if p == RDF.type and o == KGO.Sentence}
    assert sentences and set(sentence_iris(news)) == sentences
    chosen = news.documents[0]
    some = [t for part in document_parts(news, only={chosen.sha256}) for t in part]
    assert 0 < len(some) < len(everything) and set(some) <= set(everything)
    files = {str(o) for _s, p, o in some if p == KGO.sourceFile}
    assert files == {d.path for d in news.documents if d.sha256 == chosen.sha256}
    assert list(document_parts(news, only=set())) == []


def test_fact_parts_of_some_documents(news: Corpus) -> None:
    from kg.rdf import fact_parts

    def facts(only: set[str] | None) -> dict[object, set[object]]:
        found: dict[object, set[object]] = {}
        for part in fact_parts(news, only=only):
            for s, p, o in part:
                found.setdefault(s, set()).add((p, o))
        return found

    every = facts(None)
    chosen = news.documents[0]
    some = facts({chosen.sha256})
    assert 0 < len(some) < len(every)
    assert all(every[f] == triples for f, triples in some.items())  # whole nodes, all their evidence
    mine = str(resource("article", chosen.sha256[:12])) + "/"

    def cites_mine(triples: set[object]) -> bool:
        return any(p == PROV.wasDerivedFrom and str(o).startswith(mine) for p, o in triples)  # type: ignore[misc]

    assert all(cites_mine(every[f]) == (f in some) for f in every)  # the facts with evidence there
    assert facts(set()) == {}  # every fact of this corpus cites a sentence


@pytest.mark.parametrize("facts", [False, True])
def test_parts_checked_apart_find_what_the_whole_graph_check_finds(news: Corpus, facts: bool) -> None:
    from kg.rdf import PartsValidation

    entities, parts = _parts(news, facts)
    docs, fact_parts = parts[:3], parts[3:]
    facts_in = fact_parts[0] if facts else entities
    # break a document's part (a sentence ending before it begins, an article of no document) and
    # the corpus part (a second label, an untyped mentioned entity, a fact of a missing sentence)
    sentence = sorted(docs[0].subjects(RDF.type, KGO.Sentence))[0]
    docs[0].set((sentence, NIF.endIndex, Literal(0, datatype=XSD.nonNegativeInteger)))
    docs[1].remove((sorted(docs[1].subjects(RDF.type, KGO.Article))[0], KGO.inDocument, None))
    mentioned = sorted(docs[2].objects(None, KGO.refersTo))
    entities.add((mentioned[0], RDFS.label, Literal("另一个名字")))
    entities.remove((mentioned[1], RDF.type, None))
    fact = sorted(facts_in.subjects(RDF.type, KGO.Fact))[0]
    facts_in.add((fact, PROV.wasDerivedFrom, resource("article", "000000000000", "0", "s9")))
    union = Graph()
    for part in [entities, *parts]:
        union += part
    expected = validate(union)
    assert len(expected) >= 5 and any("prov:wasDerivedFrom" in line for line in expected)
    check = PartsValidation()
    for part in docs:
        check.add(part)
    for part in fact_parts:
        check.add_facts(part)
    before = set(entities)
    assert check.finish(entities) == expected
    assert set(entities) == before  # the corpus part is left as it was


@pytest.mark.parametrize("light", [False, True])
def test_a_part_is_freed_once_its_reader_drops_it(news: Corpus, light: bool) -> None:
    import gc
    import weakref
    from operator import itemgetter

    from kg.pipeline import _parts as build_parts
    from kg.rdf import document_parts, fact_parts

    for parts in (document_parts(news, triples=1, light=light), fact_parts(news, triples=1, light=light),
                  map(itemgetter(0), build_parts(news, light=light))):
        first = next(parts)
        gone = weakref.ref(first)
        del first
        gc.collect()
        assert gone() is None  # the suspended generator keeps no reference to the part it gave
        assert len(next(parts)) > 0


def test_a_released_part_is_empty_and_its_triples_freed(news: Corpus) -> None:
    import gc

    from kg.rdf import Triples, document_parts, release

    part = next(document_parts(news, triples=1))
    assert len(part) > 10
    sentence = next(iter(part.subjects(RDF.type, KGO.Sentence)))
    was = gc.isenabled()
    gc.disable()
    try:
        before = len(gc.get_objects())
        release(part)
        assert len(part) == 0 and (sentence, None, None) not in part
        assert len(gc.get_objects()) < before - 10  # freed by reference counting, no collection
    finally:
        if was:
            gc.enable()
    light = Triples()
    light.add((sentence, RDF.type, KGO.Sentence))
    release(light)  # a light part is left as it is
    assert len(light) == 1


def test_graphs_added_together_are_one_part_of_the_turtle(news: Corpus, tmp_path) -> None:
    from kg.rdf import Triples, TurtleParts

    entities, docs = _parts(news)
    subject = sorted(entities.subjects(RDF.type, KGO.Person))[0]
    extra = Triples()
    extra.add((subject, KGO.pagerank, Literal(0.25, datatype=XSD.double)))  # a subject of the entities' part
    extra.add((subject, KGO.community, Literal(3, datatype=XSD.integer)))
    union = Graph()
    for part in [entities, extra, *docs]:
        union += part
    parts = TurtleParts(tmp_path / "runs")
    for part in docs:
        parts.add(part)
    parts.add(entities, extra)
    text = parts.write(tmp_path / "kg.ttl").read_text(encoding="utf-8")
    assert text == canonical_turtle(union)
    blocks = [block for block in text.split("\n\n") if block.startswith(f"<{subject}>")]
    assert len(blocks) == 1 and "a kgo:Person" in blocks[0] and "kgo:pagerank" in blocks[0]  # one block


@pytest.mark.parametrize("facts", [False, True])
def test_the_light_corpus_part_is_the_corpus_part(news: Corpus, facts: bool) -> None:
    from kg.rdf import Triples, corpus_part

    graph, light = corpus_part(news, facts=facts), corpus_part(news, facts=facts, light=True)
    assert isinstance(light, Triples) and len(light) == len(graph) > 1000
    assert set(light) == set(graph)
    entity = next(iter(graph.subjects(RDF.type, KGO.Person)))
    label = graph.value(entity, RDFS.label)
    assert light.value(entity, RDFS.label) == label is not None
    light.forget()  # the lookups' indexes dropped, made again when asked for
    assert light._by_subject is None and light.value(entity, RDFS.label) == label


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_the_shares_of_the_documents_are_the_documents_parts_once_each(news: Corpus, n: int) -> None:
    from kg.rdf import document_parts

    whole = [set(p) for p in document_parts(news, triples=1)]  # one part per document group
    shares = [[set(p) for p in document_parts(news, triples=1, share=(k, n))] for k in range(n)]
    assert sorted(map(len, chain.from_iterable(shares))) == sorted(map(len, whole))
    assert set().union(*chain.from_iterable(shares)) == set().union(*whole)
    for k, mine in enumerate(shares):  # every n-th group from the k-th, in order
        assert mine == whole[k::n]
    with pytest.raises(ValueError, match="share"):
        next(document_parts(news, share=(n, n)))


def test_parts_noted_light_serve_the_facts_and_corpus_checks(news: Corpus) -> None:
    from kg.rdf import PartsValidation, corpus_part, document_parts, fact_parts

    checked, noted = PartsValidation(), PartsValidation()
    for part in document_parts(news, triples=1):
        assert isinstance(part, Graph)
        checked.add(part)
    for part in document_parts(news, triples=1, light=True):
        noted.note(part)
    assert noted.pointed == checked.pointed and noted.sentences == checked.sentences and noted.sentences
    assert noted.found() == [] and noted.violations == set()  # noting checks nothing
    for check in (checked, noted):
        for part in fact_parts(news):
            assert isinstance(part, Graph)
            check.add_facts(part)
    assert noted.finish(corpus_part(news, facts=False)) == checked.finish(corpus_part(news, facts=False))
