"""Graph analysis with networkx: the entity graph from RDF, centrality, communities, paths.

Typical use::

    from kg.analyze import analyze, write_scores, shortest_paths, format_path
    a = analyze(rdf_graph)                  # scores (on centrality_graph), components, communities
    write_scores(rdf_graph, a)              # kgo:degree / betweenness / pagerank / community
    for p in shortest_paths(a.graph, "甲", "乙"):
        print(format_path(a.graph, p))
"""

from __future__ import annotations

from kg.analyze.graph import (
    ARTICLE_WEIGHT,
    COMENTION,
    ENTITY_TYPES,
    HIERARCHY,
    PARAGRAPH_WEIGHT,
    RELATION_WEIGHT,
    RELATIONS,
    SENTENCE_WEIGHT,
    EntityNotFound,
    Links,
    NetworkBuilder,
    SentenceInfo,
    centrality_graph,
    centrality_links,
    find_nodes,
    is_hierarchy,
    paragraphs,
    resolve,
    to_networkx,
    undirected,
)
from kg.analyze.metrics import (
    RELATION_LABELS,
    SCORE_NAMES,
    SCORE_PREDICATES,
    TYPE_LABELS,
    Analysis,
    Hop,
    Path,
    Scores,
    analyze,
    betweenness,
    communities,
    connected_components,
    degree,
    format_path,
    neighbourhood,
    pagerank,
    score_triples,
    scores_to_rdf,
    shortest_paths,
    write_scores,
)
from kg.analyze.report import TYPE_COLORS, render_report, write_report

__all__ = [
    "COMENTION",
    "HIERARCHY",
    "RELATION_WEIGHT",
    "SENTENCE_WEIGHT",
    "PARAGRAPH_WEIGHT",
    "ARTICLE_WEIGHT",
    "SCORE_NAMES",
    "ENTITY_TYPES",
    "RELATIONS",
    "RELATION_LABELS",
    "TYPE_LABELS",
    "SCORE_PREDICATES",
    "EntityNotFound",
    "SentenceInfo",
    "Scores",
    "Hop",
    "Path",
    "Analysis",
    "NetworkBuilder",
    "to_networkx",
    "undirected",
    "centrality_graph",
    "Links",
    "centrality_links",
    "is_hierarchy",
    "paragraphs",
    "find_nodes",
    "resolve",
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
    "TYPE_COLORS",
    "render_report",
    "write_report",
]
