"""The schema is declared once (the ontology) and every stage agrees with it; a new entity
type, predicate or event type is an ontology change plus one component."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from kg.errors import SchemaError
from kg.ingest import Ingested, read_string
from kg.model import (
    ArticleFacts,
    EntityKey,
    EventDetails,
    EventInfo,
    Mention,
    Relation,
)
from kg.ns import KGO, RDF, SH
from kg.pipeline import make_corpus
from kg.rdf import SHAPES_PATH, corpus_to_graph, load_shapes, validate
from kg.relate import event_components, relation_components
from kg.schema import (
    EVENT,
    ORGANIZATION,
    PERSON,
    PLACE,
    PROGRAM,
    extended,
    load_schema,
    schema,
)

#: The ontology's namespace, open to terms the tests declare (KGO lists the package's only).
NEW = Namespace(str(KGO._NS))

PREFIXES = """@prefix kgo: <https://w3id.org/kg-news/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


# --- the schema itself ------------------------------------------------------------------------------


def test_entity_types_are_the_ontology_entity_classes_in_display_order() -> None:
    g = Graph().parse(Path(__file__).parent.parent / "ontology" / "kg.ttl", format="turtle")
    declared = {c for c in g.subjects(RDF.type, KGO.EntityType)}
    s = schema()
    assert {t.iri for t in s.entity_types} == declared
    assert s.names == (PERSON, ORGANIZATION, PLACE, PROGRAM, EVENT)
    assert [t.order for t in s.entity_types] == sorted(t.order for t in s.entity_types)
    assert len({t.colour for t in s.entity_types}) == len(s.entity_types)  # one colour each
    assert all(re.fullmatch(r"#[0-9a-f]{6}", t.colour) for t in s.entity_types)


def test_predicates_carry_domain_range_labels_and_what_they_refine() -> None:
    s = schema()
    works = s.predicate("worksFor")
    assert (works.domain, works.range, works.literal) == ((PERSON,), (ORGANIZATION,), False)
    assert works.label_zh and works.label_en and URIRef("https://schema.org/worksFor") in works.refines
    assert s.predicate("jobTitle").literal and s.predicate("date").literal
    assert set(s.predicate("locatedIn").domain) == {ORGANIZATION, PLACE, EVENT}


def test_event_types_have_their_roles() -> None:
    meeting = schema().event_type("Meeting")
    assert meeting.parent == EVENT
    roles = {(r.predicate, r.inverse) for r in meeting.roles}
    assert {("organizer", False), ("locatedIn", False), ("date", False), ("participatedIn", True)} <= roles


@pytest.mark.parametrize("lookup", ["entity_type", "predicate", "event_type"])
def test_an_unknown_name_lists_the_known_ones(lookup: str) -> None:
    with pytest.raises(SchemaError, match="known: "):
        getattr(schema(), lookup)("NoSuchThing")


def test_an_ontology_without_a_named_type_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(PREFIXES + "kgo:Person a owl:Class , kgo:EntityType ; kgo:displayOrder 1 .\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="Organization"):
        load_schema(bad)


def test_only_the_schema_module_spells_the_entity_types() -> None:
    import ast

    root = Path(__file__).resolve().parent.parent / "kg"
    spelled = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        if any(isinstance(n, ast.Constant) and n.value in schema().names and id(n) not in docs
               for n in ast.walk(tree)):
            spelled.add(path.relative_to(root).as_posix())
    assert spelled == {"schema.py"}


# --- every stage agrees with it ---------------------------------------------------------------------


def test_shapes_file_lists_exactly_the_schema_entity_classes() -> None:
    g = Graph().parse(SHAPES_PATH, format="turtle")
    shape = URIRef("https://w3id.org/kg-news/shapes#EntityShape")
    classes = {t.iri for t in schema().entity_types}
    assert set(g.objects(shape, SH.targetClass)) == classes
    listed = g.value(URIRef("https://w3id.org/kg-news/shapes#OurClassShape"), SH["in"])
    assert listed is not None and set(Collection(g, listed)) == classes


def test_view_legend_report_and_labels_follow_the_schema() -> None:
    from kg.analyze.metrics import RELATION_LABELS, TYPE_LABELS
    from kg.analyze.report import TYPE_COLORS
    from kg.visualize import TYPE_STYLE

    s = schema()
    assert dict(TYPE_COLORS) == {t.name: t.colour for t in s.entity_types}
    assert dict(TYPE_STYLE) == {t.name: (t.colour, t.shape) for t in s.entity_types}
    assert dict(TYPE_LABELS) == {t.name: t.short_zh for t in s.entity_types}
    for p in s.predicates:
        if not p.literal:
            assert RELATION_LABELS[p.name] == p.label_zh


def test_schema_terms_are_the_ontology_namespace_and_agree_with_kg_ns() -> None:
    s = schema()
    declared = set(KGO.__annotations__)
    for iri in [t.iri for t in s.entity_types] + [p.iri for p in s.predicates] + [e.iri for e in s.event_types]:
        assert str(iri).startswith(str(KGO._NS))
        name = str(iri).split("#")[1]
        if name in declared:  # code may name a term through kg.ns; it is then the same IRI
            assert getattr(KGO, name) == iri


def test_the_gexf_export_colours_nodes_by_the_schema(tmp_path: Path) -> None:
    import networkx as nx

    from kg.export import export

    doc, arts = read_string("## 标题\n\n海河市总工会主席林晓峰说，服务平台已上线。\n", "t.md")
    g = corpus_to_graph(make_corpus(Ingested((doc,), tuple(arts), ())))
    path = export(g, "gexf", tmp_path / "kg.gexf")
    G = nx.read_gexf(path)
    colours = {t.name: t.colour for t in schema().entity_types}
    seen = set()
    for _, d in G.nodes(data=True):
        c = d["viz"]["color"]
        assert "#{:02x}{:02x}{:02x}".format(c["r"], c["g"], c["b"]) == colours[d["type"]]
        seen.add(d["type"])
    assert {PERSON, ORGANIZATION} <= seen


# --- extending it: one ontology change and one component each ------------------------------------


def build(text: str, relations: list[str] | None = None, events: list[str] | None = None,
          components: list[str] | None = None) -> tuple[Graph, list[str]]:
    doc, arts = read_string(f"## 测试新闻\n\n{text}\n", "t.md")
    corpus = make_corpus(Ingested((doc,), tuple(arts), ()), components, relations=relations, events=events)
    g = corpus_to_graph(corpus)
    return g, validate(g)


@pytest.fixture
def product_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A new entity type (kgo:Product) and an extractor component that finds products."""
    from kg.extract import registry

    ttl = tmp_path / "product.ttl"
    ttl.write_text(PREFIXES + """
kgo:Product a owl:Class , kgo:EntityType ;
    rdfs:label "产品"@zh , "Product"@en ;
    kgo:displayOrder 6 ; kgo:viewColour "#76b7b2" ; kgo:viewShape "hexagon" ; kgo:iriSegment "product" .
""", encoding="utf-8")

    def make_products():  # type: ignore[no-untyped-def]
        return lambda text: [Mention(m.group(), "Product", m.start(), m.end(), 0.9, "products")
                             for m in re.finditer(r"星河\d+型", text)]

    monkeypatch.setitem(registry._FACTORIES, "products", make_products)
    monkeypatch.setitem(registry._DOCS, "products", "test products")
    with extended(ttl):
        yield


def test_a_new_entity_type_is_an_ontology_change_and_one_extractor(product_type: None) -> None:
    g, violations = build("海河市某厂推出星河7型新车，林晓峰说星河7型已上市。",
                          components=["ner", "persons", "organizations", "places", "products"])
    product = URIRef("https://w3id.org/kg-news/id/product/星河7型")
    assert (product, RDF.type, NEW.Product) in g
    assert len(set(g.subjects(KGO.refersTo, product))) == 2  # both mentions, each with offsets
    assert violations == []


def test_without_the_ontology_change_the_type_is_refused() -> None:
    with pytest.raises(SchemaError, match="unknown entity type 'Product'"):
        schema().entity_type("Product")


@pytest.fixture
def colleague_predicate(tmp_path: Path) -> Iterator[None]:
    """A new predicate (kgo:colleagueOf) and the relation component that states it."""
    ttl = tmp_path / "colleague.ttl"
    ttl.write_text(PREFIXES + """
kgo:colleagueOf a owl:ObjectProperty , kgo:FactPredicate ;
    rdfs:domain kgo:Person ; rdfs:range kgo:Person ;
    rdfs:label "同事"@zh , "colleague of"@en ; kgo:displayOrder 20 .
""", encoding="utf-8")

    @relation_components.register("colleague-rule", "X的同事Y", default=False)
    def colleagues(article: ArticleFacts) -> Iterator[Relation]:
        for s in article.sentences:
            persons = s.of_type(PERSON)
            for a, b in zip(persons, persons[1:], strict=False):
                if s.text[a.end:b.start] == "的同事":
                    yield Relation(a.key, "colleagueOf", b.key, (s.evidence,), 0.7)

    with extended(ttl):
        yield
    relation_components.unregister("colleague-rule")


def test_a_new_predicate_is_an_ontology_change_and_one_relation_component(colleague_predicate: None) -> None:
    assert "colleague-rule" in relation_components.names()
    assert "colleague-rule" not in relation_components.defaults()
    g, violations = build("林晓峰的同事陈雨说，服务平台已上线。",
                          relations=[*relation_components.defaults(), "colleague-rule"])
    lin = URIRef("https://w3id.org/kg-news/id/person/林晓峰")
    chen = URIRef("https://w3id.org/kg-news/id/person/陈雨")
    assert (lin, NEW.colleagueOf, chen) in g
    fact = next(g.subjects(RDF.object, chen))
    assert g.value(fact, KGO.extractedBy) == Literal("colleague-rule")  # the component's name
    assert violations == []
    g, _ = build("林晓峰的同事陈雨说，服务平台已上线。")  # not a default: not run
    assert (lin, NEW.colleagueOf, chen) not in g


def test_a_component_stating_an_undeclared_predicate_fails_naming_it() -> None:
    @relation_components.register("bad-rule")
    def bad(article: ArticleFacts) -> Iterator[Relation]:
        for s in article.sentences:
            for p in s.of_type(PERSON):
                yield Relation(p.key, "likes", p.key, (s.evidence,))
                yield Relation(p.key, "likes", EntityKey(PERSON, "某"), (s.evidence,))

    try:
        with pytest.raises(SchemaError, match="unknown predicate 'likes'"):
            build("林晓峰说，服务平台已上线。", relations=["bad-rule"])
    finally:
        relation_components.unregister("bad-rule")


@pytest.fixture
def strike_event(tmp_path: Path) -> Iterator[None]:
    """A new event type (kgo:Strike) and an event component that finds strikes."""
    ttl = tmp_path / "strike.ttl"
    ttl.write_text(PREFIXES + """
kgo:Strike a owl:Class ; rdfs:subClassOf kgo:Event ;
    rdfs:label "罢工"@zh , "Strike"@en ; kgo:displayOrder 30 .
""", encoding="utf-8")

    @event_components.register("strike-rule", "ORG 的工人罢工", default=False)
    def strikes(article: ArticleFacts) -> Iterator[Relation | EventDetails]:
        for s in article.sentences:
            for e in s.of_type(EVENT):
                if "罢工" in article.entities[e.key].label:
                    yield EventDetails(e.key, EventInfo("Strike"))
                    for o in s.of_type(ORGANIZATION):
                        yield Relation(o.key, "participatedIn", e.key, (s.evidence,), 0.6)

    with extended(ttl):
        yield
    event_components.unregister("strike-rule")


def test_a_new_event_type_is_an_ontology_change_and_one_event_component(strike_event: None, monkeypatch:
                                                                         pytest.MonkeyPatch) -> None:
    from kg.extract import registry

    def make_strike_names():  # type: ignore[no-untyped-def]
        return lambda text: [Mention(m.group(), EVENT, m.start(), m.end(), 0.9, "strike-names")
                             for m in re.finditer(r"[^，。]{2,8}罢工", text)]

    monkeypatch.setitem(registry._FACTORIES, "strike-names", make_strike_names)
    g, violations = build("海河市远洋运输有限公司表示，码头工人罢工已结束。",
                          components=["ner", "persons", "organizations", "places", "strike-names"],
                          events=["strike-rule"])
    strikes = set(g.subjects(RDF.type, NEW.Strike))
    assert len(strikes) == 1
    (strike,) = strikes
    assert (strike, RDF.type, KGO.Event) in g
    assert any(g.subjects(KGO.participatedIn, strike))
    assert violations == []


def test_the_extended_types_reach_the_shapes(product_type: None) -> None:
    shapes = load_shapes()
    assert NEW.Product in set(shapes.objects(URIRef("https://w3id.org/kg-news/shapes#EntityShape"), SH.targetClass))


def test_the_exported_ontology_is_the_one_in_force(product_type: None, tmp_path: Path) -> None:
    from kg.export import write_exports

    g, _ = build("林晓峰说，星河7型已上市。")
    write_exports(g, tmp_path)
    exported = Graph().parse(tmp_path / "ontology.ttl", format="turtle")
    assert (NEW.Product, RDF.type, KGO.EntityType) in exported
    assert (KGO.Person, RDF.type, KGO.EntityType) in exported


def test_the_sample_conforms_with_rdfs_inference(tmp_path: Path) -> None:
    """Ranges and domains hold: with RDFS inference no entity gains a second entity type."""
    from kg.ingest import read_sources

    ingested = read_sources([Path(__file__).resolve().parent.parent / "source"])
    g = corpus_to_graph(make_corpus(ingested))
    assert validate(g, inference="rdfs") == []
