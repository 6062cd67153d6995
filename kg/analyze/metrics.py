"""Pure functions over the entity graph: centrality, components, communities, neighbourhoods, paths.

Every score is computed on `centrality_graph` (relations and co-mentions weighted, the place
hierarchy left out). The graphs are networkx graphs; betweenness and Louvain run in igraph's C
core and PageRank in numpy, on one copy of the graph with nodes and links in sorted order
(`_Indexed`), so nothing depends on how the graph was built; `analyze` makes that copy from the
links as arrays (`centrality_links`), never as a networkx graph. Every function repeats to the
last bit: Louvain and sampled betweenness take a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import islice
from types import MappingProxyType
from typing import TYPE_CHECKING

import igraph as ig  # type: ignore[import-untyped]  # no type information
import networkx as nx
import numpy as np
import rdflib
from rdflib import Literal, URIRef

from kg.analyze.graph import (
    COMENTION,
    ENTITY_TYPES,
    RELATIONS,
    EntityNotFound,
    Links,
    SentenceInfo,
    centrality_graph,
    centrality_links,
    find_nodes,
    resolve,
    to_networkx,
    undirected,
)
from kg.ns import KGO, PREFIXES, XSD
from kg.schema import schema

if TYPE_CHECKING:
    from kg.rdf import Triples

__all__ = [
    "RELATION_LABELS",
    "TYPE_LABELS",
    "SCORE_PREDICATES",
    "SCORE_NAMES",
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
    "score_triples",
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


def _simple_links(W: nx.Graph) -> tuple[Links, np.ndarray]:
    """A simple undirected networkx graph's links as `Links` (nodes sorted, links sorted,
    self-loops left out; ``weight`` ``1.0`` where a link has none), and their lengths
    (``distance``, ``1 / weight`` where a link has none)."""
    nodes = tuple(sorted(W))
    index = {v: i for i, v in enumerate(nodes)}
    links = sorted((min(index[u], index[v]), max(index[u], index[v]), d) for u, v, d in W.edges(data=True)
                   if u != v)
    weight = np.array([float(d.get("weight", 1.0)) for _, _, d in links], dtype=np.float64)
    ends = np.array([(i, j) for i, j, _ in links], dtype=np.int64).reshape(-1, 2)
    close = np.array([bool(d.get("close", True)) for _, _, d in links], dtype=bool)
    distance = np.array([float(d.get("distance", 1.0 / w)) for (_, _, d), w in zip(links, weight, strict=True)],
                        dtype=np.float64)
    return Links(nodes, ends, weight, close), distance


def _links(G: nx.Graph) -> Links:
    """The `Links` `_indexed` makes its igraph graph of, without the graph."""
    if G.is_multigraph() or G.is_directed():
        return centrality_links(G)
    return _simple_links(G)[0]


def _indexed(G: nx.Graph) -> _Indexed:
    """`_Indexed` of ``G`` itself when it is already a simple undirected graph (from
    `centrality_graph`), else of its `centrality_links`."""
    if G.is_multigraph() or G.is_directed():
        return _Indexed.from_links(centrality_links(G))
    return _Indexed.of(G)


def degree(G: nx.Graph) -> dict[str, float]:
    """Degree centrality: distinct neighbours in `centrality_graph` / (n − 1).

    A neighbour is an entity joined by a relation or named in the same article (the place
    hierarchy does not count).
    """
    if G.is_multigraph() or G.is_directed():
        return _degree(_Indexed.from_links(centrality_links(G)))
    return nx.degree_centrality(G) if len(G) > 1 else {n: 0.0 for n in G}


def _degree(x: _Indexed) -> dict[str, float]:
    """`degree` of the links of ``x`` (networkx's ``degree_centrality``: neighbours × 1 / (n − 1))."""
    if len(x.nodes) <= 1:
        return dict.fromkeys(x.nodes, 0.0)
    s = 1.0 / (len(x.nodes) - 1.0)
    return {v: d * s for v, d in zip(x.nodes, x.graph.degree(), strict=True)}


#: Betweenness is exact on graphs of up to this many entities.
EXACT_BETWEENNESS = 1000
#: Above that, the sampled sources' shortest-path searches may visit about this many links in all
#: (one search visits every close link once) ...
BETWEENNESS_BUDGET = 2_000_000
#: ... but never fewer sources than this (the estimate's noise) nor more than this.
MIN_SAMPLES = 50
MAX_SAMPLES = 200


#: `_Indexed.from_links` hands igraph the links this many at a time (as Python tuples).
_EDGES_AT_ONCE = 100_000


@dataclass(frozen=True)
class _Indexed:
    """A simple undirected networkx graph as an igraph graph: nodes sorted, links sorted, self-loops left out.

    ``links`` are its links as arrays (`Links`: ``weight`` ``1.0`` where the networkx link has
    none), ``distance`` their lengths (``1 / weight`` where it has none), in the igraph graph's
    order of edges. The graph itself has no edge attributes: the arrays are given to each of its
    algorithms as it runs, as they are (igraph reads a NumPy array of floats itself: no list of
    Python floats, 32 bytes a link, is made).
    """

    nodes: tuple[str, ...]
    graph: ig.Graph
    links: Links
    distance: np.ndarray

    @classmethod
    def of(cls, W: nx.Graph) -> _Indexed:
        links, distance = _simple_links(W)
        return replace(cls.from_links(links), distance=distance)

    @classmethod
    def from_links(cls, x: Links) -> _Indexed:
        """The igraph graph of `centrality_links` (the same as `of` its `centrality_graph`)."""
        H = ig.Graph(n=len(x.nodes), directed=False)
        for k in range(0, len(x.ends), _EDGES_AT_ONCE):  # igraph reads tuples fastest, but each takes 100 bytes
            part = x.ends[k:k + _EDGES_AT_ONCE]
            H.add_edges(list(zip(part[:, 0].tolist(), part[:, 1].tolist(), strict=True)))
        return cls(x.nodes, H, x, 1.0 / x.weight)

    def close(self) -> _Indexed:
        """The same nodes with only the close links (see `betweenness`)."""
        keep = np.flatnonzero(self.links.close)
        x = self.links
        return _Indexed(self.nodes, self.graph.subgraph_edges(keep.tolist(), delete_vertices=False),
                        Links(x.nodes, x.ends[keep], x.weight[keep], x.close[keep]), self.distance[keep])

    def values(self, xs: list[float], scale: float = 1.0) -> dict[str, float]:
        return {v: x * scale for v, x in zip(self.nodes, xs, strict=True)}


@contextmanager
def _igraph_seed(seed: int) -> Iterator[None]:
    """igraph's random numbers from ``random.Random(seed)`` for the block (then Python's ``random`` again)."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def betweenness(G: nx.Graph, samples: int | None = None, seed: int = 42) -> dict[str, float]:
    """Normalised betweenness on the close links of `centrality_graph`, a link's length being ``1 / weight``.

    The share of shortest connections between other entities that pass through an entity, strong
    links (relations, the same sentence) being short. Only close links count (a relation, a
    sentence or a paragraph): naming two entities in one article joins everything in it to
    everything, which says nothing of who bridges what, and makes most of the links of a large
    corpus (190,000 of 230,000 on 1,000 articles). ``samples``: number of source nodes to sample
    (``None``: exact up to :data:`EXACT_BETWEENNESS` nodes; above, as many sources as
    :data:`BETWEENNESS_BUDGET` link visits allow, between :data:`MIN_SAMPLES` and
    :data:`MAX_SAMPLES`, so the cost stops growing with the square of the corpus). Sampling is
    seeded, so results repeat.

    The values are networkx's ``betweenness_centrality(C, k, normalized=True, weight="distance")``
    (its estimator for samples: a sampled source is scaled by ``1 / ((k - 1)(n - 2))``, another node
    by ``1 / (k (n - 2))``); the shortest paths are searched by igraph, which compares path
    lengths with a tolerance where networkx compares floats exactly.

    Examples
    --------
    >>> W = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> {v: round(x, 3) for v, x in betweenness(W).items()}
    {'a': 0.0, 'b': 0.667, 'c': 0.667, 'd': 0.0}
    """
    return _betweenness(_indexed(G).close(), samples, seed)


def _betweenness(x: _Indexed, samples: int | None, seed: int) -> dict[str, float]:
    n = len(x.nodes)
    if samples is None:
        affordable = BETWEENNESS_BUDGET // max(1, x.graph.ecount())
        samples = n if n <= EXACT_BETWEENNESS else max(MIN_SAMPLES, min(MAX_SAMPLES, affordable))
    if n < 3:
        return {v: 0.0 for v in x.nodes}
    pairs = n - 2  # the other ends a path through a node may have (neither the node nor the source)
    if samples >= n:
        # igraph counts each unordered pair once, networkx each ordered pair
        return x.values(x.graph.betweenness(directed=False, weights=x.distance), 2.0 / ((n - 1) * pairs))
    k = max(1, samples)
    # the positions random.Random(seed).sample(x.nodes, k) would pick: networkx's sources
    sources = random.Random(seed).sample(range(n), k)
    raw = x.graph.betweenness(directed=False, weights=x.distance, sources=sources)
    chosen = set(sources)
    out = {}
    for i, (v, b) in enumerate(zip(x.nodes, raw, strict=True)):
        others = k - 1 if i in chosen else k
        out[v] = 2.0 * b / (others * pairs) if others else 0.0
    return out


def pagerank(G: nx.Graph, alpha: float = 0.85, tol: float = 1.0e-10, max_iter: int = 200) -> dict[str, float]:
    """Weighted PageRank on `centrality_graph` (links both ways, ``weight``): an entity matters when
    it is strongly linked to entities that matter.

    A node without links spreads its rank evenly. Sums to 1 over the nodes. A power iteration
    over the sorted links (numpy, in a fixed order: igraph's PRPACK solver gives different last
    digits from one run to the next), so the result repeats to the last bit.

    Examples
    --------
    >>> W = nx.Graph()
    >>> W.add_edge("a", "b", weight=2.0); W.add_edge("b", "c", weight=1.0); W.add_node("d")
    >>> pr = pagerank(W)
    >>> max(pr, key=pr.get), round(sum(pr.values()), 6)
    ('b', 1.0)
    """
    return _pagerank(_links(G), alpha, tol, max_iter)


def _pagerank(x: Links, alpha: float = 0.85, tol: float = 1.0e-10, max_iter: int = 200) -> dict[str, float]:
    """`pagerank` of the links ``x`` (arrays alone: no igraph graph of them is needed)."""
    n = len(x.nodes)
    if n == 0:
        return {}
    # every link both ways: forward (first end to second) summed first, then backward, each in
    # the links' order, as one sum over the two directions in a row would (np.add.at adds in
    # order: the same bits) without arrays of twice the links (on 4,585 articles 1.3 million
    # links: 84 MB of them, then 52; the ends of `centrality_links` are two contiguous rows,
    # read here as they are: 40 MB, before the igraph graph is made. The analysis's largest
    # moment is now igraph's search for communities: some 100 MB on that corpus)
    first, second = np.ascontiguousarray(x.ends[:, 0]), np.ascontiguousarray(x.ends[:, 1])
    weight = x.weight
    out = np.bincount(first, weights=weight, minlength=n).astype(np.float64, copy=False)  # (ints when no links)
    np.add.at(out, second, weight)
    dangling = out == 0
    forward = weight / out[first]  # each link's share of its source's weight, each way
    backward = weight / out[second]
    flow = np.empty_like(weight)  # what a link carries one way, computed in place: no array is made per step
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        lost = alpha * rank[dangling].sum() / n
        np.take(rank, first, out=flow)
        flow *= alpha
        flow *= forward
        new = np.bincount(second, weights=flow, minlength=n).astype(np.float64, copy=False)
        np.take(rank, second, out=flow)
        flow *= alpha
        flow *= backward
        np.add.at(new, first, flow)
        new += (1.0 - alpha) / n + lost
        err = float(np.abs(new - rank).sum())
        rank = new
        if err < n * tol:
            break
    scale = 1.0 / float(rank.sum())
    return {v: float(r) * scale for v, r in zip(x.nodes, rank, strict=True)}


def connected_components(G: nx.MultiDiGraph, weighted: nx.Graph | None = None) -> tuple[tuple[str, ...], ...]:
    """Connected components (ignoring direction), largest first, each sorted.

    Two entities are connected by any edge of ``G`` (the place hierarchy included) or by being
    named in one article (`centrality_graph`; ``weighted`` when it is known already).
    """
    U = undirected(G)
    if G.is_multigraph() or G.is_directed():
        U.add_edges_from((weighted if weighted is not None else centrality_graph(G)).edges)
    comps = (tuple(sorted(c)) for c in nx.connected_components(U))
    return tuple(sorted(comps, key=lambda c: (-len(c), c)))


def _components(G: nx.MultiDiGraph, x: _Indexed) -> tuple[tuple[str, ...], ...]:
    """`connected_components` of ``G`` whose `centrality_links` are ``x``: the components of the
    links, joined by the edges of ``G`` (in igraph)."""
    index = {v: i for i, v in enumerate(x.nodes)}
    linked = x.graph.connected_components().membership
    joins = {(linked[index[u]], linked[index[v]]) for u, v in G.edges()}
    merged = ig.Graph(n=max(linked, default=-1) + 1, edges=sorted(joins)).connected_components().membership
    members: dict[int, list[str]] = {}
    for v, c in zip(x.nodes, linked, strict=True):
        members.setdefault(merged[c], []).append(v)  # nodes in sorted order: each list sorted
    return tuple(sorted((tuple(m) for m in members.values()), key=lambda c: (-len(c), c)))


def communities(G: nx.Graph, seed: int = 42, resolution: float = 1.0) -> tuple[tuple[str, ...], ...]:
    """Louvain communities on `centrality_graph` (weighted, seeded; igraph's multilevel
    modularity optimisation): largest first, each sorted.

    Entities linked by relations and named together in sentences, paragraphs and articles fall
    in one community: the people, organisations, places and events of one story or topic. The
    index of a community in the result is its ``kgo:community`` number.

    Examples
    --------
    >>> W = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> communities(W)
    (('a', 'b', 'c'), ('x', 'y', 'z'))
    """
    return _communities(_indexed(G), seed, resolution)


def _communities(x: _Indexed, seed: int = 42, resolution: float = 1.0) -> tuple[tuple[str, ...], ...]:
    if not x.nodes:
        return ()
    with _igraph_seed(seed):
        found = x.graph.community_multilevel(weights=x.links.weight, resolution=resolution)
    comms = (tuple(x.nodes[i] for i in c) for c in found)
    return tuple(sorted(comms, key=lambda c: (-len(c), c)))


# ---------------------------------------------------------------- neighbourhoods and paths


def neighbourhood(G: nx.MultiDiGraph, node: str, hops: int = 2) -> nx.MultiDiGraph:
    """The sub-graph within ``hops`` steps of ``node`` (an IRI, name or alias), in either direction."""
    center = resolve(G, node)
    reach = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), center, cutoff=hops)
    # built node by node in G's order: G.subgraph(...).copy() iterates a set of the kept nodes
    # when they are few, so its order (and the view's bytes) would follow the hash seed
    sub = G.__class__()
    sub.add_nodes_from((n, G.nodes[n]) for n in G if n in reach)
    for u, v, k, d in G.edges(keys=True, data=True):
        if u in reach and v in reach:
            sub.add_edge(u, v, key=k, **d)
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
    """The scores of one entity (floats rounded to 12 significant digits, as the store keeps them)."""

    degree: float
    betweenness: float
    pagerank: float
    community: int
    component: int
    mentions: int = 0  #: how often the text names it (ties in rankings are broken by it)


#: The score names `Analysis.top` ranks by.
SCORE_NAMES = ("pagerank", "degree", "betweenness")


@dataclass(frozen=True)
class Analysis:
    """Everything `analyze` computes.

    ``graph`` is the networkx graph of the entities (typed relations, the place hierarchy and
    same-sentence co-mentions: what the view draws), ``weighted`` its `centrality_graph`, on which
    every score was computed once; a focused view or a report shows these scores, never new ones.
    """

    graph: nx.MultiDiGraph = field(repr=False, compare=False)
    scores: Mapping[str, Scores]
    components: tuple[tuple[str, ...], ...]
    communities: tuple[tuple[str, ...], ...]
    seed: int = 42
    comention: str | None = None

    @property
    def weighted(self) -> nx.Graph:
        """The `centrality_graph` of ``graph``, made when asked for (the analysis computed its
        scores on the same links as arrays, `centrality_links`: a large corpus has millions)."""
        return centrality_graph(self.graph)

    def counts_by_type(self) -> dict[str, int]:
        """Number of entities per type, in `ENTITY_TYPES` order (zeros included)."""
        counts = dict.fromkeys(ENTITY_TYPES, 0)
        for _, d in self.graph.nodes(data=True):
            counts[d["type"]] = counts.get(d["type"], 0) + 1
        return counts

    def rank_key(self, v: str, by: str = "pagerank") -> tuple[float, int, str, str]:
        """The sort key of `top`: score (highest first), then mentions (most first), label, IRI."""
        s = self.scores[v]
        return (-getattr(s, by), -s.mentions, self.graph.nodes[v]["label"], v)

    def top(self, n: int = 10, by: str = "pagerank", type: str | None = None) -> list[str]:
        """The ``n`` highest-scoring entities (optionally of one type).

        Ties are broken by the number of mentions, then by label and IRI, so the order repeats.
        """
        if by not in SCORE_NAMES:
            raise ValueError(f"by must be one of {', '.join(SCORE_NAMES)}, not {by!r}")
        nodes = [v for v, t in self.graph.nodes(data="type") if type is None or t == type]
        nodes.sort(key=lambda v: self.rank_key(v, by))
        return nodes[:n]

    def label(self, node: str) -> str:
        return self.graph.nodes[node]["label"]


def _round(x: float) -> float:
    """``x`` to 12 significant digits: the value `scores_to_rdf` writes, so store and views agree."""
    return float(f"{x:.12g}")


def analyze(
    graph: rdflib.Graph | nx.MultiDiGraph,
    *,
    comention: str | None = "sentence",
    seed: int = 42,
    betweenness_samples: int | None = None,
) -> Analysis:
    """Score every entity of an RDF graph (or of a graph from `to_networkx`), once, on the whole graph.

    The scores (`pagerank`, `degree`, `betweenness`, `communities`) are computed on the
    `centrality_graph`; ``comention`` only chooses the co-mention edges of ``Analysis.graph``
    (the edges the view draws), never the scores.

    Examples
    --------
    >>> a = analyze(rdflib.Graph())
    >>> dict(a.scores), a.communities
    ({}, ())
    """
    G = graph if isinstance(graph, nx.Graph) else to_networkx(graph, comention=comention)
    links = centrality_links(G)
    pr = _pagerank(links)  # on the arrays, before the igraph graph takes its memory
    x = _Indexed.from_links(links)  # one igraph graph of the links for the other scores
    del links
    deg = _degree(x)
    btw = _betweenness(x.close(), betweenness_samples, seed)
    comps = _components(G, x)
    comms = _communities(x, seed)
    comp_of = {v: i for i, c in enumerate(comps) for v in c}
    comm_of = {v: i for i, c in enumerate(comms) for v in c}
    scores = {
        v: Scores(
            _round(deg.get(v, 0.0)), _round(btw.get(v, 0.0)), _round(pr.get(v, 0.0)), comm_of[v], comp_of[v],
            int(G.nodes[v].get("mentions", 0)),
        )
        for v in G
    }
    return Analysis(G, MappingProxyType(scores), comps, comms, seed, G.graph.get("comention", comention))


def _double(x: float) -> Literal:
    return Literal(_round(x), datatype=XSD.double)


def _score_triples(scores: Mapping[str, Scores]) -> Iterator[tuple[URIRef, URIRef, Literal]]:
    """The triples of `scores_to_rdf`, entity by entity; each distinct value's literal made once
    (rdflib's literal constructor is slow, and most values repeat: a betweenness of 0, a degree
    of one of a few hundred values, a community number)."""
    doubles: dict[str, Literal] = {}
    integers: dict[int, Literal] = {}

    def double(x: float) -> Literal:
        key = x.hex()  # exact, and -0.0 is not 0.0
        lit = doubles.get(key)
        if lit is None:
            lit = doubles[key] = _double(x)
        return lit

    def integer(n: int) -> Literal:
        lit = integers.get(n)
        if lit is None:
            lit = integers[n] = Literal(int(n), datatype=XSD.integer)
        return lit

    for iri in sorted(scores):
        s, sc = URIRef(iri), scores[iri]
        yield s, KGO.degree, double(sc.degree)
        yield s, KGO.betweenness, double(sc.betweenness)
        yield s, KGO.pagerank, double(sc.pagerank)
        yield s, KGO.community, integer(sc.community)


def scores_to_rdf(analysis: Analysis | Mapping[str, Scores]) -> rdflib.Graph:
    """The scores as triples: ``<entity> kgo:degree|betweenness|pagerank xsd:double ; kgo:community xsd:integer``.

    Doubles are rounded to 12 significant digits so the Turtle is byte-identical across runs.
    """
    scores = analysis.scores if isinstance(analysis, Analysis) else analysis
    out = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    out.addN((s, p, o, out) for s, p, o in _score_triples(scores))
    return out


def score_triples(analysis: Analysis | Mapping[str, Scores]) -> Triples:
    """The triples of `scores_to_rdf` as a `kg.rdf.Triples`, made several times faster than a graph
    (a build writes them to ``kg.ttl`` with the part of the entities: `kg.rdf.TurtleParts.add`).

    Examples
    --------
    >>> t = score_triples({"https://example.org/a": Scores(0.5, 0.0, 1.0, 0, 0)})
    >>> len(t), str(t.value(URIRef("https://example.org/a"), KGO.degree))
    (4, '0.5')
    """
    from kg.rdf import Triples

    scores = analysis.scores if isinstance(analysis, Analysis) else analysis
    out = Triples()
    for t in _score_triples(scores):
        out.add(t)
    return out


def write_scores(graph: rdflib.Graph, analysis: Analysis | Mapping[str, Scores]) -> rdflib.Graph:
    """Replace every score in ``graph`` (in place) by those of ``analysis``; returns ``graph``."""
    scores = analysis.scores if isinstance(analysis, Analysis) else analysis
    for p in SCORE_PREDICATES:
        graph.remove((None, p, None))
    graph.addN((s, p, o, graph) for s, p, o in _score_triples(scores))
    return graph
