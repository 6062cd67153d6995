"""kg.analyze: the entity graph from RDF, scores, communities, paths, scores back to RDF."""

from __future__ import annotations

import random

import networkx as nx
import pytest
import rdflib
from rdflib import Literal
from synthetic import GraphBuilder, random_graph

from kg.analyze import (
    COMENTION,
    EntityNotFound,
    analyze,
    communities,
    connected_components,
    degree,
    find_nodes,
    format_path,
    neighbourhood,
    pagerank,
    scores_to_rdf,
    shortest_paths,
    to_networkx,
    write_scores,
)
from kg.errors import KGError
from kg.ns import KGO, PREFIXES, XSD, resource
from kg.rdf import validate
from kg.schema import EVENT, ORGANIZATION, PERSON, PLACE, PROGRAM

XSS_SCRIPT = "<script>window.__xss=1;alert(1)</script>"
XSS_IMG = "<img src=x onerror=\"window.__xss=2;alert(1)\">"


def small_graph() -> rdflib.Graph:
    """Invented people and organisations in two articles, one hostile name, one isolated place."""
    b = GraphBuilder()
    li = b.entity(PERSON, "李明远", aliases=["小李"])
    zhou = b.entity(PERSON, "周若兰")
    tech = b.entity(ORGANIZATION, "青禾科技公司", aliases=["青禾科技"])
    group = b.entity(ORGANIZATION, "青禾集团")
    city = b.entity(PLACE, "临川市")
    prog = b.entity(PROGRAM, "绿色工坊计划")
    fest = b.entity(EVENT, "春季表彰大会", kind="Ceremony")
    evil = b.entity(PERSON, XSS_SCRIPT, aliases=[XSS_IMG])
    b.entity(PLACE, "孤岛村")
    b.attribute(li, "jobTitle", "总工程师")
    b.attribute(fest, "date", "2024-03-15")

    a1 = b.article("a1", "青禾科技推进绿色工坊计划", author=zhou, source="source/a.txt")
    s0 = b.sentence(a1, 0, "李明远是青禾科技公司总工程师。", begin=0)
    s1 = b.sentence(a1, 1, "青禾科技公司隶属于青禾集团，位于临川市。", begin=16)
    s2 = b.sentence(a1, 2, "青禾科技公司实施绿色工坊计划。", begin=37)
    b.mention(s0, li, "李明远")
    b.mention(s0, tech, "青禾科技公司")
    b.mention(s1, tech, "青禾科技公司")
    b.mention(s1, group, "青禾集团")
    b.mention(s1, city, "临川市")
    b.mention(s2, tech, "青禾科技公司")
    b.mention(s2, prog, "绿色工坊计划")
    b.relation(li, "worksFor", tech, sentence=s0, confidence=0.95)
    b.relation(tech, "subOrganizationOf", group, sentence=s1, confidence=0.8)
    b.relation(tech, "locatedIn", city, sentence=s1)
    b.relation(tech, "implements", prog, sentence=s2)

    a2 = b.article("a2", f"表彰大会 {XSS_SCRIPT}", source="source/b.txt")
    t0 = b.sentence(a2, 0, f"周若兰在青禾集团工作，{XSS_IMG}出席了春季表彰大会。")
    t1 = b.sentence(a2, 1, "春季表彰大会由青禾集团主办。", begin=40)
    b.mention(t0, zhou, "周若兰")
    b.mention(t0, group, "青禾集团")
    b.mention(t0, evil, XSS_IMG)
    b.mention(t0, fest, "春季表彰大会")
    b.mention(t1, fest, "春季表彰大会")
    b.mention(t1, group, "青禾集团")
    b.relation(zhou, "worksFor", group, sentence=t0)
    b.relation(evil, "participatedIn", fest, sentence=t0)
    b.relation(fest, "organizer", group, sentence=t1)
    b.relation(zhou, "participatedIn", fest)  # a direct triple without a fact node
    return b.graph


def iri(kind: str, name: str) -> str:
    return str(resource(kind, name))


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return to_networkx(small_graph())


def test_nodes_carry_type_label_aliases_articles_evidence(G):
    assert G.number_of_nodes() == 9
    li = G.nodes[iri("person", "李明远")]
    assert (li["type"], li["label"], li["aliases"]) == (PERSON, "李明远", ("小李",))
    assert li["articles"] == (iri("article", "a1"),)
    assert li["evidence"] == (iri("article", "a1") + "/s0",)
    assert li["jobTitles"] == ("总工程师",)
    fest = G.nodes[iri("event", "春季表彰大会")]
    assert (fest["type"], fest["kind"], fest["date"]) == (EVENT, "Ceremony", "2024-03-15")
    # the byline makes an article one of its author's articles
    assert iri("article", "a1") in G.nodes[iri("person", "周若兰")]["articles"]
    assert G.nodes[iri("place", "孤岛村")]["articles"] == ()
    sent = G.graph["sentences"][iri("article", "a1") + "/s0"]
    assert (sent.text, sent.source, sent.begin, sent.end) == ("李明远是青禾科技公司总工程师。", "source/a.txt", 0, 15)
    assert G.graph["articles"][iri("article", "a1")] == "青禾科技推进绿色工坊计划"


def test_edges_are_typed_with_evidence(G):
    rels = sorted(k for _, _, k in G.edges(keys=True))
    assert rels == sorted(
        ["worksFor", "subOrganizationOf", "locatedIn", "implements", "worksFor", "participatedIn", "organizer", "participatedIn"]
    )
    e = G.get_edge_data(iri("person", "李明远"), iri("organization", "青禾科技公司"), "worksFor")
    assert e["evidence"] == (iri("article", "a1") + "/s0",)
    assert e["confidence"] == pytest.approx(0.95)
    assert e["extractedBy"] == ("rules",)
    bare = G.get_edge_data(iri("person", "周若兰"), iri("event", "春季表彰大会"), "participatedIn")
    assert bare["evidence"] == () and bare["confidence"] is None


def test_comention_edges_are_weighted():
    g = small_graph()
    S = to_networkx(g, comention="sentence")
    tech, group = iri("organization", "青禾科技公司"), iri("organization", "青禾集团")
    c = S.get_edge_data(tech, group, COMENTION)
    assert c["weight"] == 1 and c["undirected"] and c["evidence"] == (iri("article", "a1") + "/s1",)
    fest = iri("event", "春季表彰大会")
    a, b = sorted([fest, group])
    assert S.get_edge_data(a, b, COMENTION)["weight"] == 2  # two sentences
    A = to_networkx(g, comention="article")
    li = iri("person", "李明远")
    c = A.get_edge_data(*sorted([li, group]), COMENTION)
    assert c["weight"] == 1 and c["articles"] == (iri("article", "a1"),)
    assert A.number_of_edges() > S.number_of_edges() > to_networkx(g).number_of_edges()
    with pytest.raises(ValueError):
        to_networkx(g, comention="paragraph")


def test_same_graph_from_turtle_and_in_any_order():
    g = small_graph()
    ttl = g.serialize(format="turtle")
    again = rdflib.Graph().parse(data=ttl, format="turtle")
    shuffled = rdflib.Graph()
    triples = list(g)
    random.Random(3).shuffle(triples)
    for t in triples:
        shuffled.add(t)
    ref = to_networkx(g, comention="sentence")
    for other in (again, shuffled):
        H = to_networkx(other, comention="sentence")
        assert list(H.nodes(data=True)) == list(ref.nodes(data=True))
        assert list(H.edges(keys=True, data=True)) == list(ref.edges(keys=True, data=True))


def test_scores(G):
    pr = pagerank(G)
    assert sum(pr.values()) == pytest.approx(1.0)
    group = iri("organization", "青禾集团")
    assert max(pr, key=pr.get) == group  # everything points at the group
    deg = degree(G)
    assert deg[group] == pytest.approx(3 / 8)  # company, 周若兰, the ceremony
    a = analyze(G)
    # the company joins three leaves to the rest: 15 pairs go through it, 12 through the group
    assert max(a.scores, key=lambda v: a.scores[v].betweenness) == iri("organization", "青禾科技公司")
    assert a.scores[iri("place", "孤岛村")].degree == 0.0
    assert a.top(1, type=ORGANIZATION) == [group]
    assert a.counts_by_type() == {PERSON: 3, ORGANIZATION: 2, PLACE: 2, PROGRAM: 1, EVENT: 1}


def test_pagerank_agrees_with_networkx():
    pytest.importorskip("scipy")
    G = to_networkx(random_graph(300, seed=1), comention="sentence")
    D = nx.DiGraph()
    D.add_nodes_from(G)
    for u, v, d in G.edges(data=True):
        for a, b in [(u, v), (v, u)] if d.get("undirected") else [(u, v)]:
            w = d.get("weight", 1)
            D.add_edge(a, b, weight=D[a][b]["weight"] + w if D.has_edge(a, b) else w)
    ours, theirs = pagerank(G), nx.pagerank(D, weight="weight", tol=1e-12)
    assert max(abs(ours[v] - theirs[v]) for v in G) < 1e-6


def test_components_and_communities_repeat(G):
    comps = connected_components(G)
    assert [len(c) for c in comps] == [8, 1]
    assert comps[1] == (iri("place", "孤岛村"),)
    big = to_networkx(random_graph(400, seed=2))
    first = communities(big, seed=7)
    assert first == communities(big, seed=7)
    assert sorted(v for c in first for v in c) == sorted(big)
    assert len(first) > 1
    a1, a2 = analyze(big, seed=7), analyze(big, seed=7)
    assert dict(a1.scores) == dict(a2.scores)


def test_neighbourhood(G):
    one = neighbourhood(G, "小李", hops=1)
    assert set(one) == {iri("person", "李明远"), iri("organization", "青禾科技公司")}
    assert one.graph["focus"] == iri("person", "李明远")
    two = neighbourhood(G, "李明远", hops=2)
    assert iri("organization", "青禾集团") in two and iri("person", "周若兰") not in two
    assert two.number_of_edges() == 4
    with pytest.raises(EntityNotFound):
        neighbourhood(G, "无此人")


def test_shortest_paths_by_alias_with_evidence(G):
    paths = shortest_paths(G, "小李", "周若兰")
    assert len(paths) == 1
    p = paths[0]
    assert p.labels == ("李明远", "青禾科技公司", "青禾集团", "周若兰")
    assert [h.relation for h in p.hops] == ["worksFor", "subOrganizationOf", "worksFor"]
    assert [h.forward for h in p.hops] == [True, True, False]
    assert p.hops[1].evidence[0].text == "青禾科技公司隶属于青禾集团，位于临川市。"
    text = format_path(G, p)
    assert "李明远 —任职于→ 青禾科技公司" in text
    assert "青禾集团 ←任职于— 周若兰" in text
    assert "「李明远是青禾科技公司总工程师。」 (source/a.txt:0-15)" in text
    # case-insensitive alias and IRI lookups; not connected; unknown names
    assert find_nodes(G, iri("place", "临川市")) == [iri("place", "临川市")]
    assert shortest_paths(G, "李明远", "孤岛村") == []
    with pytest.raises(KGError, match="无此人"):
        shortest_paths(G, "无此人", "李明远")


def test_path_prefers_typed_relations_over_comention():
    S = to_networkx(small_graph(), comention="sentence")
    (p,) = shortest_paths(S, "青禾科技", "青禾集团")
    assert p.hops[0].relation == "subOrganizationOf"
    assert "comention" in p.hops[0].relations


def test_scores_to_rdf_and_sparql_sorting(G):
    a = analyze(G)
    out = scores_to_rdf(a)
    group = rdflib.URIRef(iri("organization", "青禾集团"))
    pr = out.value(group, KGO.pagerank)
    assert pr.datatype == XSD.double and float(pr) == pytest.approx(a.scores[str(group)].pagerank)
    assert out.value(group, KGO.community).datatype == XSD.integer
    assert len(out) == 4 * G.number_of_nodes()
    assert out.serialize(format="turtle") == scores_to_rdf(analyze(G)).serialize(format="turtle")

    g = small_graph()
    write_scores(g, a)
    write_scores(g, a)  # replaces, never duplicates
    assert len(list(g.objects(group, KGO.pagerank))) == 1
    rows = g.query(
        "SELECT ?e ?label WHERE { ?e kgo:pagerank ?pr ; rdfs:label ?label } ORDER BY DESC(?pr) LIMIT 1",
        initNs=PREFIXES,
    )
    assert [str(r.label) for r in rows] == ["青禾集团"]
    assert (group, KGO.pagerank, Literal(0.5, datatype=XSD.double)) not in g


def test_synthetic_graphs_conform_to_the_shapes():
    """The graphs the analysis and view tests run on are graphs the pipeline could write."""
    assert validate(small_graph()) == []
    assert validate(small_graph(), inference="rdfs") == []
    big = random_graph(300, seed=1)
    assert validate(big) == []
    G = to_networkx(big)
    assert len(G) == 300 and G.number_of_edges() > 300
    # every relation has a fact with evidence and a confidence, as in a build
    assert all(d["evidence"] and d["confidence"] is not None for *_, d in G.edges(data=True))


def test_builder_refuses_what_the_pipeline_never_writes():
    b = GraphBuilder()
    person, org = b.entity(PERSON, "甲某"), b.entity(ORGANIZATION, "乙公司")
    art = b.article("a", "标题")
    s = b.sentence(art, 0, "甲某在乙公司工作。")
    with pytest.raises(ValueError, match="locatedIn"):
        b.relation(org, "locatedIn", person, sentence=s)  # a place's relation to a person
    with pytest.raises(ValueError, match="not in the sentence"):
        b.mention(s, person, "丙某")
    with pytest.raises(ValueError, match="event type"):
        b.entity(PERSON, "丁某", kind="Ceremony")


def test_empty_graph():
    a = analyze(rdflib.Graph())
    assert a.components == () and a.communities == () and len(scores_to_rdf(a)) == 0
