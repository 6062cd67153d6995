"""Pure functions over the entity graph: centrality, components, communities, neighbourhoods, paths.

Every function is deterministic: node order is sorted in `to_networkx`, Louvain and sampled
betweenness take a seed, and PageRank is a plain power iteration (no SciPy needed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from types import MappingProxyType

import networkx as nx
import rdflib
from rdflib import Literal, URIRef

from kg.analyze.graph import (
    COMENTION,
    ENTITY_TYPES,
    RELATIONS,
    EntityNotFound,
    SentenceInfo,
    find_nodes,
    resolve,
    to_networkx,
    undirected,
)
from kg.ns import KGO, PREFIXES, XSD
from kg.schema import schema

__all__ = [
    "RELATION_LABELS",
    "TYPE_LABELS",
    "SCORE_PREDICATES",
    "Scores",
    "Hop",
    "Path",
    "Analysis",
    "degree",
    "betweenness",
    "pagerank",
    "connected_components",
    "communities",
    "neighbourhood",
    "shortest_paths",
    "format_path",
    "analyze",
    "scores_to_rdf",
    "write_scores",
]

#: Chinese names of the relations (`kg.schema` predicates' ``rdfs:label@zh``, and co-mention),
#: for labels in the view, the report and `format_path`.
RELATION_LABELS: Mapping[str, str] = MappingProxyType(
    {p.name: p.label_zh for p in schema().predicates if p.name in RELATIONS} | {COMENTION: "共现"}
)

#: Short Chinese names of the entity types (`kg.schema`'s ``short_zh``, ``kgo:viewLabel``).
TYPE_LABELS: Mapping[str, str] = MappingProxyType({t.name: t.short_zh for t in schema().entity_types})

#: The predicates `scores_to_rdf` writes (remove them before writing new scores).
SCORE_PREDICATES = (KGO.degree, KGO.betweenness, KGO.pagerank, KGO.community)


# ---------------------------------------------------------------- scores


def degree(G: nx.MultiDiGraph) -> dict[str, float]:
    """Degree centrality: distinct neighbours / (n − 1), relations in either direction."""
    return nx.degree_centrality(undirected(G)) if len(G) > 1 else {n: 0.0 for n in G}


def betweenness(G: nx.MultiDiGraph, samples: int | None = None, seed: int = 42) -> dict[str, float]:
    """Normalised betweenness on the undirected graph (hop counts).

    ``samples``: number of source nodes to sample (``None``: exact up to 1,000 nodes, 300 above).
    Sampling is seeded, so results repeat.
    """
    U = undirected(G)
    n = len(U)
    if samples is None:
        samples = n if n <= 1000 else 300
    k = None if samples >= n else samples
    return nx.betweenness_centrality(U, k=k, normalized=True, weight=None, seed=seed)


def pagerank(G: nx.MultiDiGraph, alpha: float = 0.85, tol: float = 1.0e-10, max_iter: int = 200) -> dict[str, float]:
    """PageRank over the relations (subject → object) plus co-mentions both ways, weighted.

    A dangling node spreads its rank evenly. Sums to 1 over the nodes.
    """
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    out_w: list[dict[int, float]] = [{} for _ in range(n)]
    for u, v, data in G.edges(data=True):
        if u == v:
            continue
        w = float(data.get("weight", 1))
        iu, iv = index[u], index[v]
        out_w[iu][iv] = out_w[iu].get(iv, 0.0) + w
        if data.get("undirected"):
            out_w[iv][iu] = out_w[iv].get(iu, 0.0) + w
    links = []
    for i in range(n):
        total = sum(out_w[i].values())
        links.append([(j, w / total) for j, w in sorted(out_w[i].items())] if total else [])
    dangling = [i for i in range(n) if not links[i]]
    x = [1.0 / n] * n
    for _ in range(max_iter):
        lost = alpha * sum(x[i] for i in dangling) / n
        base = (1.0 - alpha) / n + lost
        new = [base] * n
        for i in range(n):
            xi = alpha * x[i]
            for j, w in links[i]:
                new[j] += xi * w
        err = sum(abs(a - b) for a, b in zip(new, x, strict=True))
        x = new
        if err < n * tol:
            break
    s = sum(x)
    return {v: x[i] / s for i, v in enumerate(nodes)}


def connected_components(G: nx.MultiDiGraph) -> tuple[tuple[str, ...], ...]:
    """Connected components (ignoring direction), largest first, each sorted."""
    comps = (tuple(sorted(c)) for c in nx.connected_components(undirected(G)))
    return tuple(sorted(comps, key=lambda c: (-len(c), c)))


def communities(G: nx.Graph, seed: int = 42, resolution: float = 1.0) -> tuple[tuple[str, ...], ...]:
    """Louvain communities (networkx, weighted, seeded): largest first, each sorted.

    The index of a community in the result is its ``kgo:community`` number.
    """
    U = undirected(G)
    if len(U) == 0:
        return ()
    found = nx.community.louvain_communities(U, weight="weight", resolution=resolution, seed=seed)
    comms = (tuple(sorted(c)) for c in found)
    return tuple(sorted(comms, key=lambda c: (-len(c), c)))


# ---------------------------------------------------------------- neighbourhoods and paths


def neighbourhood(G: nx.MultiDiGraph, node: str, hops: int = 2) -> nx.MultiDiGraph:
    """The sub-graph within ``hops`` steps of ``node`` (an IRI, name or alias), in either direction."""
    center = resolve(G, node)
    reach = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), center, cutoff=hops)
    sub = G.subgraph(sorted(reach)).copy()
    sub.graph.update(G.graph)
    sub.graph["focus"] = center
    return sub


@dataclass(frozen=True)
class Hop:
    """One step of a path: the entities it joins, how, and the sentences that say so."""

    source: str
    target: str
    relation: str
    forward: bool  #: True when the relation reads source → target
    evidence: tuple[SentenceInfo, ...] = ()
    relations: tuple[str, ...] = ()  #: every relation between the two, best first


@dataclass(frozen=True)
class Path:
    """A shortest connection between two entities."""

    nodes: tuple[str, ...]
    labels: tuple[str, ...]
    hops: tuple[Hop, ...]

    def __len__(self) -> int:
        return len(self.hops)


def _edge_rank(data: Mapping) -> tuple:
    return (data["relation"] == COMENTION, -(data.get("confidence") or 0.0), data["relation"])


def _hop(G: nx.MultiDiGraph, u: str, v: str) -> Hop:
    options = []
    for a, b in ((u, v), (v, u)):
        for data in (G.get_edge_data(a, b) or {}).values():
            options.append((_edge_rank(data), a == u or bool(data.get("undirected")), data))
    options.sort(key=lambda t: t[0])
    _, forward, best = options[0]
    sentences = G.graph.get("sentences", {})
    evidence = tuple(sentences[s] for s in best.get("evidence", ()) if s in sentences)
    rels = tuple(dict.fromkeys(o[2]["relation"] for o in options))
    return Hop(u, v, best["relation"], forward, evidence, rels)


def shortest_paths(G: nx.MultiDiGraph, a: str, b: str, max_paths: int = 5) -> list[Path]:
    """The shortest connections between ``a`` and ``b`` (IRIs, names or aliases), direction ignored.

    When a name fits several entities, the shortest paths over all of them are returned. Each hop
    carries its relation and evidence sentences. An empty list means the two are not connected.
    Raises `EntityNotFound` when a name matches no entity.
    """
    sources, targets = find_nodes(G, a), find_nodes(G, b)
    for name, found in ((a, sources), (b, targets)):
        if not found:
            raise EntityNotFound(f"no entity named {name!r}")
    U = undirected(G)
    best: int | None = None
    pairs = []
    for s in sources:
        lengths = nx.single_source_shortest_path_length(U, s)
        for t in targets:
            if t in lengths and s != t:
                d = lengths[t]
                if best is None or d < best:
                    best, pairs = d, [(s, t)]
                elif d == best:
                    pairs.append((s, t))
    paths: list[tuple[str, ...]] = []
    for s, t in pairs:
        paths.extend(tuple(p) for p in islice(nx.all_shortest_paths(U, s, t), max_paths))
    label = {n: G.nodes[n]["label"] for p in paths for n in p}
    paths.sort(key=lambda p: ([label[n] for n in p], p))
    out = []
    for p in paths[:max_paths]:
        hops = tuple(_hop(G, p[i], p[i + 1]) for i in range(len(p) - 1))
        out.append(Path(p, tuple(label[n] for n in p), hops))
    return out


def format_path(G: nx.MultiDiGraph, path: Path) -> str:
    """A path as text: one line per hop, then its evidence sentence indented.

    Example output::

        王某 —任职于→ 某公司
            「王某在某公司工作。」 (a.txt:0-9)
    """
    lines = []
    for hop in path.hops:
        rel = RELATION_LABELS.get(hop.relation, hop.relation)
        s, t = G.nodes[hop.source]["label"], G.nodes[hop.target]["label"]
        if hop.relation == COMENTION:
            lines.append(f"{s} —{rel}— {t}")
        elif hop.forward:
            lines.append(f"{s} —{rel}→ {t}")
        else:
            lines.append(f"{s} ←{rel}— {t}")
        for ev in hop.evidence[:1]:
            where = ev.source or ev.article or ev.iri
            if ev.begin is not None and ev.end is not None:
                where = f"{where}:{ev.begin}-{ev.end}"
            lines.append(f"    「{ev.text}」 ({where})")
    return "\n".join(lines)


# ---------------------------------------------------------------- the whole analysis


@dataclass(frozen=True)
class Scores:
    """The scores of one entity."""

    degree: float
    betweenness: float
    pagerank: float
    community: int
    component: int


@dataclass(frozen=True)
class Analysis:
    """Everything `analyze` computes; ``graph`` is the networkx graph it was computed on."""

    graph: nx.MultiDiGraph = field(repr=False, compare=False)
    scores: Mapping[str, Scores]
    components: tuple[tuple[str, ...], ...]
    communities: tuple[tuple[str, ...], ...]
    seed: int = 42
    comention: str | None = None

    def counts_by_type(self) -> dict[str, int]:
        """Number of entities per type, in `ENTITY_TYPES` order (zeros included)."""
        counts = dict.fromkeys(ENTITY_TYPES, 0)
        for _, d in self.graph.nodes(data=True):
            counts[d["type"]] = counts.get(d["type"], 0) + 1
        return counts

    def top(self, n: int = 10, by: str = "pagerank", type: str | None = None) -> list[str]:
        """The ``n`` highest-scoring entities (optionally of one type); ties by label, then IRI."""
        nodes = [v for v, t in self.graph.nodes(data="type") if type is None or t == type]
        nodes.sort(key=lambda v: (-getattr(self.scores[v], by), self.graph.nodes[v]["label"], v))
        return nodes[:n]

    def label(self, node: str) -> str:
        return self.graph.nodes[node]["label"]


def analyze(
    graph: rdflib.Graph | nx.MultiDiGraph,
    *,
    comention: str | None = None,
    seed: int = 42,
    betweenness_samples: int | None = None,
) -> Analysis:
    """Score every entity of an RDF graph (or of a graph from `to_networkx`).

    >>> a = analyze(rdflib.Graph())
    >>> dict(a.scores), a.communities
    ({}, ())
    """
    G = graph if isinstance(graph, nx.Graph) else to_networkx(graph, comention=comention)
    deg = degree(G)
    btw = betweenness(G, samples=betweenness_samples, seed=seed)
    pr = pagerank(G)
    comps = connected_components(G)
    comms = communities(G, seed=seed)
    comp_of = {v: i for i, c in enumerate(comps) for v in c}
    comm_of = {v: i for i, c in enumerate(comms) for v in c}
    scores = {
        v: Scores(deg.get(v, 0.0), btw.get(v, 0.0), pr.get(v, 0.0), comm_of[v], comp_of[v]) for v in G
    }
    return Analysis(G, MappingProxyType(scores), comps, comms, seed, G.graph.get("comention", comention))


def _double(x: float) -> Literal:
    return Literal(float(f"{x:.12g}"), datatype=XSD.double)


def scores_to_rdf(analysis: Analysis | Mapping[str, Scores]) -> rdflib.Graph:
    """The scores as triples: ``<entity> kgo:degree|betweenness|pagerank xsd:double ; kgo:community xsd:integer``.

    Doubles are rounded to 12 significant digits so the Turtle is byte-identical across runs.
    """
    scores = analysis.scores if isinstance(analysis, Analysis) else analysis
    out = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    for iri in sorted(scores):
        s, sc = URIRef(iri), scores[iri]
        out.add((s, KGO.degree, _double(sc.degree)))
        out.add((s, KGO.betweenness, _double(sc.betweenness)))
        out.add((s, KGO.pagerank, _double(sc.pagerank)))
        out.add((s, KGO.community, Literal(int(sc.community), datatype=XSD.integer)))
    return out


def write_scores(graph: rdflib.Graph, analysis: Analysis | Mapping[str, Scores]) -> rdflib.Graph:
    """Replace every score in ``graph`` (in place) by those of ``analysis``; returns ``graph``."""
    for p in SCORE_PREDICATES:
        graph.remove((None, p, None))
    for t in scores_to_rdf(analysis):
        graph.add(t)
    return graph
