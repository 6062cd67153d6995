"""kg.analyze: the entity graph from RDF, scores, communities, paths, scores back to RDF."""

from __future__ import annotations

import os
import random

import networkx as nx
import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import RDFS
from synthetic import GraphBuilder, random_graph

from kg.analyze import (
    ARTICLE_WEIGHT,
    COMENTION,
    HIERARCHY,
    PARAGRAPH_WEIGHT,
    RELATION_WEIGHT,
    SENTENCE_WEIGHT,
    EntityNotFound,
    analyze,
    betweenness,
    centrality_graph,
    centrality_links,
    communities,
    connected_components,
    degree,
    find_nodes,
    format_path,
    is_hierarchy,
    neighbourhood,
    pagerank,
    paragraphs,
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
    tech, group = iri("organization", "青禾科技公司"), iri("organization", "青禾集团")
    # the company is named in three sentences and related to four entities: the centre of a1
    assert max(pr, key=pr.get) == tech
    deg = degree(G)
    assert deg[group] == pytest.approx(7 / 8)  # named in an article with every entity but 孤岛村
    a = analyze(G)
    # the company joins a1's entities to a2's through its strong link to the group
    assert max(a.scores, key=lambda v: a.scores[v].betweenness) == tech
    assert a.scores[iri("place", "孤岛村")].degree == 0.0
    assert a.top(2, type=ORGANIZATION) == [tech, group]
    assert a.counts_by_type() == {PERSON: 3, ORGANIZATION: 2, PLACE: 2, PROGRAM: 1, EVENT: 1}
    assert a.scores[tech].mentions == 3 and a.scores[iri("place", "孤岛村")].mentions == 0
    with pytest.raises(ValueError, match="pagerank"):
        a.top(1, by="label")


def test_pagerank_agrees_with_networkx():
    pytest.importorskip("scipy")
    G = to_networkx(random_graph(300, seed=1), comention="sentence")
    W = centrality_graph(G)
    ours, theirs = pagerank(G), nx.pagerank(W, weight="weight", tol=1e-12)
    assert max(abs(ours[v] - theirs[v]) for v in G) < 1e-6
    assert pagerank(W) == ours  # the same whether given the entity graph or its centrality graph


def _dyadic_graph(n: int, m: int, seed: int) -> nx.Graph:
    """A random weighted graph whose path lengths add up exactly in floating point (weights 1, 2, 4, 8)."""
    import random

    rng = random.Random(seed)
    W = nx.relabel_nodes(nx.gnm_random_graph(n, m, seed=seed), {i: f"n{i:05d}" for i in range(n)})
    for u, v in W.edges:
        w = rng.choice([1.0, 2.0, 4.0, 8.0])
        W[u][v].update(weight=w, distance=1.0 / w, close=rng.random() < 0.8)
    return W


def _close(W: nx.Graph) -> nx.Graph:
    C = nx.Graph()
    C.add_nodes_from(W)
    C.add_edges_from((u, v, d) for u, v, d in W.edges(data=True) if d["close"])
    return C


def test_betweenness_is_networkx_s_on_the_close_links() -> None:
    W = _dyadic_graph(300, 1200, seed=1)
    ours = betweenness(W)  # exact: 300 nodes
    theirs = nx.betweenness_centrality(_close(W), normalized=True, weight="distance")
    assert set(ours) == set(W)
    assert max(abs(ours[v] - theirs[v]) for v in W) < 1e-12
    assert max(theirs.values()) > 0.01


def test_sampled_betweenness_estimates_the_exact_one_and_repeats() -> None:
    W = _dyadic_graph(1500, 6000, seed=2)
    exact = betweenness(W, samples=len(W))
    sampled = betweenness(W)  # 1,500 nodes: sampled sources
    assert sampled == betweenness(W) and sampled != betweenness(W, seed=43)
    assert sum(sampled.values()) == pytest.approx(sum(exact.values()), rel=0.1)
    top = sorted(exact, key=lambda v: -exact[v])[:10]
    assert len(set(top) & set(sorted(sampled, key=lambda v: -sampled[v])[:20])) >= 7


def test_scores_repeat_to_the_last_bit() -> None:
    # a solver that sums in threads (igraph's PRPACK did) changes the last digits from call to call
    W = _dyadic_graph(2000, 8000, seed=3)
    first = (pagerank(W), betweenness(W), communities(W))
    for _ in range(3):
        assert (pagerank(W), betweenness(W), communities(W)) == first


def test_communities_find_planted_groups_and_repeat() -> None:
    # six dense groups of 20, joined by a few weak links
    W = nx.Graph()
    for g in range(6):
        members = [f"g{g}-{i:02d}" for i in range(20)]
        W.add_edges_from(((a, b) for a in members for b in members if a < b), weight=1.0)
        W.add_edge(members[0], f"g{(g + 1) % 6}-05", weight=0.1)
    found = communities(W, seed=3)
    assert sorted(sorted({v.split("-")[0] for v in c}) for c in found) == [[f"g{g}"] for g in range(6)]
    assert communities(W, seed=3) == found


def story_graph() -> rdflib.Graph:
    """Two stories and a country named in both; a place hierarchy under the country."""
    b = GraphBuilder()
    country = b.entity(PLACE, "东岚国")
    provinces = [b.entity(PLACE, f"{n}州") for n in "甲乙丙丁戊"]
    people = [b.entity(PERSON, n) for n in ("赵一鸣", "钱二立", "孙三省", "李四海")]
    orgs = [b.entity(ORGANIZATION, n) for n in ("北辰公司", "南星协会")]
    for prov in provinces:
        b.relation(prov, "locatedIn", country)
    def name(e: rdflib.URIRef) -> str:
        return str(b.graph.value(e, RDFS.label))

    for k, (who, org) in enumerate(((people[:2], orgs[0]), (people[2:], orgs[1]))):
        art = b.article(f"story{k}", f"第{k}个故事", source=f"story/{k}.txt")
        text = f"{name(who[0])}与{name(who[1])}在{name(org)}共事。"
        s0 = b.sentence(art, 0, text, begin=0)
        for e in (*who, org):
            b.mention(s0, e, name(e))
        b.relation(who[0], "worksFor", org, sentence=s0)
        s1 = b.sentence(art, 1, f"东岚国的{name(provinces[k])}。", begin=len(text) + 5)
        b.mention(s1, country, "东岚国")
        b.mention(s1, provinces[k], name(provinces[k]))
    return b.graph


def test_place_hierarchy_is_navigation_not_centrality():
    a = analyze(story_graph())
    G, W = a.graph, a.weighted
    country = iri("place", "东岚国")
    # five locatedIn edges point at the country, and the view keeps them ...
    assert sum(1 for _, _, k in G.in_edges(country, keys=True) if k == HIERARCHY) == 5
    assert all(is_hierarchy(G, u, v, k) for u, v, k in G.in_edges(country, keys=True))
    # ... but they do not make it central: only the two articles that name it link it
    assert sorted(W[country]) == sorted([iri("place", "甲州"), iri("place", "乙州"),
                                         *(iri("person", p) for p in ("赵一鸣", "钱二立", "孙三省", "李四海")),
                                         iri("organization", "北辰公司"), iri("organization", "南星协会")])
    assert W.degree(iri("place", "丙州")) == 0 and a.scores[iri("place", "丙州")].degree == 0.0
    assert a.top(1)[0] != country
    without = to_networkx(story_graph())
    without.remove_edges_from([(u, v, k) for u, v, k in list(without.edges(keys=True)) if k == HIERARCHY])
    assert pagerank(without) == pagerank(G)  # the hierarchy changes no score
    # every place still reaches the country: one component
    assert len(a.components) == 1


def test_comention_weights_sentence_over_paragraph_over_article():
    assert RELATION_WEIGHT > SENTENCE_WEIGHT > PARAGRAPH_WEIGHT > ARTICLE_WEIGHT > 0
    b = GraphBuilder()
    e = {n: b.entity(PERSON, n) for n in ("甲一", "乙二", "丙三", "丁四")}
    art = b.article("a", "标题")
    s0 = b.sentence(art, 0, "甲一见乙二。", begin=0)
    s1 = b.sentence(art, 1, "丙三也在。", begin=6)  # touches s0: the same paragraph
    s2 = b.sentence(art, 2, "丁四没来。", begin=20)  # after a gap: a new paragraph
    b.mention(s0, e["甲一"], "甲一")
    b.mention(s0, e["乙二"], "乙二")
    b.mention(s1, e["丙三"], "丙三")
    b.mention(s2, e["丁四"], "丁四")
    G = to_networkx(b.graph)
    assert paragraphs(G.graph["sentences"]) == {str(s0): (str(art), 0), str(s1): (str(art), 0), str(s2): (str(art), 1)}
    W = centrality_graph(G)
    a, b2, c, d = (str(e[n]) for n in ("甲一", "乙二", "丙三", "丁四"))
    assert W[a][b2]["weight"] == SENTENCE_WEIGHT
    assert W[a][c]["weight"] == PARAGRAPH_WEIGHT
    assert W[a][d]["weight"] == ARTICLE_WEIGHT
    assert W[a][b2]["distance"] == 1 / SENTENCE_WEIGHT


@pytest.mark.parametrize("seed", [1, 4])
def test_the_analysis_s_links_are_the_centrality_graph(seed):
    # the analysis computes its scores on arrays (centrality_links), never on the networkx graph
    G = to_networkx(random_graph(300, seed=seed, clusters=6), comention="sentence")
    W, x = centrality_graph(G), centrality_links(G)
    assert x.nodes == tuple(sorted(G)) and len(x.ends) == W.number_of_edges() > 0
    for (i, j), w, near in zip(x.ends.tolist(), x.weight.tolist(), x.close.tolist(), strict=True):
        u, v = x.nodes[i], x.nodes[j]
        assert u < v and W[u][v]["weight"] == w and W[u][v]["close"] is near
    assert x.close.sum() < len(x.close)  # some pairs share only an article
    a = analyze(G)
    assert {v: s.degree for v, s in a.scores.items()} == pytest.approx(nx.degree_centrality(W), abs=1e-12)
    assert {v: s.pagerank for v, s in a.scores.items()} == {v: round(float(f"{p:.12g}"), 15)
                                                           for v, p in pagerank(W).items()}
    assert a.components == connected_components(G)
    assert a.communities == communities(W, seed=42)
    assert sorted(a.weighted.edges(data=True)) == sorted(W.edges(data=True))


def test_components_join_what_links_and_edges_join():
    b = GraphBuilder()
    p, q = (b.entity(PERSON, n) for n in ("甲一", "乙二"))
    r = b.entity(ORGANIZATION, "丙三协会")
    town, county, alone = b.entity(PLACE, "甲镇"), b.entity(PLACE, "乙县"), b.entity(PLACE, "孤村")
    art = b.article("a", "标题")
    s0 = b.sentence(art, 0, "甲一在甲镇。", begin=0)
    b.mention(s0, p, "甲一")
    b.mention(s0, town, "甲镇")
    s1 = b.sentence(art, 1, "乙二来了。", begin=40)  # another paragraph: an article-level link only
    b.mention(s1, q, "乙二")
    b.relation(r, "locatedIn", county)  # no text links them: the edge does
    b.relation(town, "locatedIn", county)  # the place hierarchy: not a link, but it connects
    a = analyze(b.graph)
    G = a.graph
    assert a.components == connected_components(G) == (
        tuple(sorted(map(str, (p, q, r, town, county)))), (str(alone),))
    assert a.scores[str(r)].degree > 0 and a.scores[str(town)].degree > 0


def test_ties_are_broken_by_mentions_then_name():
    b = GraphBuilder()
    org = b.entity(ORGANIZATION, "中心公司")
    names = ("戊五", "丁四", "丙三", "乙二")
    people = [b.entity(PERSON, n) for n in names]
    art = b.article("a", "标题")
    for k, (p, n) in enumerate(zip(people, names, strict=True)):
        s = b.sentence(art, k, f"{n}在中心公司。")
        b.mention(s, p, n)
        b.mention(s, org, "中心公司")
    extra = b.sentence(art, 9, "丁四，丁四。")  # 丁四 named twice more, alone: the same links
    b.mention(extra, people[1], "丁四")
    a = analyze(b.graph)
    ranked = a.top(4, type=PERSON)
    assert len({a.scores[v].pagerank for v in ranked}) == 1  # four people with one PageRank ...
    assert [a.label(v) for v in ranked] == ["丁四", "丙三", "乙二", "戊五"]  # ... by mentions, then name


def test_scores_are_those_the_store_keeps():
    a = analyze(random_graph(200, seed=3))
    out = scores_to_rdf(a)
    for v, sc in a.scores.items():
        assert float(out.value(rdflib.URIRef(v), KGO.pagerank)) == sc.pagerank
        assert float(out.value(rdflib.URIRef(v), KGO.betweenness)) == sc.betweenness


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
    assert [str(r.label) for r in rows] == ["青禾科技公司"]
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


def test_a_neighbourhood_keeps_the_graph_order_whatever_the_hash_seed():
    import subprocess
    import sys

    script = (
        "import networkx as nx\n"
        "from kg.analyze.metrics import neighbourhood\n"
        "G = nx.MultiDiGraph()\n"
        "for i in range(60):\n"
        "    G.add_node(f'n{i}', label=f'实体{i}', aliases=(), type='Person')\n"
        "for i in range(1, 6):\n"
        "    G.add_edge('n0', f'n{i * 7}', key='worksFor', relation='worksFor')\n"
        "sub = neighbourhood(G, 'n0', hops=1)\n"
        "print(list(sub.nodes), list(sub.edges(keys=True)))\n"
    )
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(runs) == 1
    assert runs.pop().startswith("['n0', 'n7', 'n14', 'n21', 'n28', 'n35']")


@pytest.mark.parametrize(("comention", "light", "keep"), [(None, False, True), ("sentence", False, True),
                                                         ("article", False, True), ("sentence", True, True),
                                                         ("sentence", True, False), ("article", False, False)])
def test_network_built_from_the_parts_is_the_graphs(comention, light, keep, tmp_path):
    from synthetic import news_corpus

    from kg.analyze import NetworkBuilder
    from kg.rdf import corpus_part, corpus_to_graph, document_parts, fact_parts

    corpus = news_corpus(tmp_path)
    expected = to_networkx(corpus_to_graph(corpus), comention=comention)
    builder = NetworkBuilder(corpus_part(corpus, facts=False), comention=comention)
    for part in [*fact_parts(corpus, triples=20, light=light), *document_parts(corpus, triples=1, light=light)]:
        builder.add(part)
    G = builder.network(keep=keep)
    assert G.graph == expected.graph and len(G.graph["sentences"]) > 5
    assert list(G.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(G.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
    assert sum(d["mentions"] for _, d in G.nodes(data=True)) > 10
    assert any(d["evidence"] and d["confidence"] for *_, d in G.edges(data=True))
    # a builder that kept its reading gives the graph again; one that handed it over is empty
    again = builder.network()
    if keep:
        assert list(again.edges(keys=True, data=True)) == list(G.edges(keys=True, data=True))
    else:
        assert not builder.by_sentence and not builder.node_evidence and not builder.facts.evidence
        assert again.number_of_edges() == 0 and not again.graph["sentences"]


def test_a_link_s_weight_is_its_counts_times_the_weights_in_any_order():
    from kg.analyze import ARTICLE_WEIGHT, PARAGRAPH_WEIGHT, RELATION_WEIGHT, SENTENCE_WEIGHT

    b = GraphBuilder()
    p, q, r = b.entity(PERSON, "甲一"), b.entity(PERSON, "乙二"), b.entity(ORGANIZATION, "丙三协会")
    for k in range(3):  # three articles: p and q in one sentence, then in one paragraph, then apart
        art = b.article(f"a{k}", "标题", source=f"source/t{k}.txt")
        s0 = b.sentence(art, 0, "甲一和乙二。", begin=0)
        b.mention(s0, p, "甲一")
        b.mention(s0, q, "乙二")
        s1 = b.sentence(art, 1, "乙二在丙三协会。", begin=6)  # the same paragraph
        b.mention(s1, q, "乙二")
        b.mention(s1, r, "丙三协会")
        s2 = b.sentence(art, 2, "丙三协会。", begin=30)  # another paragraph
        b.mention(s2, r, "丙三协会")
    b.relation(p, "worksFor", r)
    G = to_networkx(b.graph, comention="sentence")
    x = centrality_links(G)
    pairs = {frozenset((x.nodes[i], x.nodes[j])): w
             for (i, j), w in zip(x.ends.tolist(), x.weight.tolist(), strict=True)}
    assert pairs[frozenset(map(str, (p, q)))] == 3 * SENTENCE_WEIGHT
    assert pairs[frozenset(map(str, (q, r)))] == 3 * SENTENCE_WEIGHT
    assert pairs[frozenset(map(str, (p, r)))] == 3 * PARAGRAPH_WEIGHT + RELATION_WEIGHT
    assert ARTICLE_WEIGHT not in pairs.values()
    # the same sentences named in another order: the same links, to the last bit
    H = G.copy()
    H.graph["mentioned"] = dict(reversed(list(G.graph["mentioned"].items())))
    y = centrality_links(H)
    assert (y.ends == x.ends).all() and (y.weight == x.weight).all() and (y.close == x.close).all()
