"""The interactive relationship view (``exports/kg.html``): pyvis data, our own offline page.

The page is one self-contained HTML file: vis-network's JS and CSS come inline from pyvis's own
package files, the data sits in ``<script type="application/json">`` blocks, and a Content Security
Policy with ``default-src 'none'`` and hashes of our two scripts means the page loads nothing
from anywhere and runs no other script. pyvis's own template is not used: even with
``cdn_resources='in_line'`` it pulls bootstrap from a CDN (pyvis #228, #229), and its
``filter_menu``/``select_menu`` hide nodes (pyvis #193).

Article text is hostile input. Every name and sentence reaches the page as JSON, escaped for a
``<script>`` block, and is put on screen only as text: canvas labels, vis-network tooltips given
as plain strings (vis-network 9 sets them with ``innerText``), and ``textContent`` in the panels.

Graphs above ``large`` nodes (500 by default: physics on 2,000 nodes takes ~17 s to settle) get positions from a networkx layout (Louvain
communities laid out one by one and packed in rows) and no physics, so 5,000 nodes open in a few
seconds; smaller graphs stabilise with physics, which then stops.

The page's Chinese labels and messages come from the message catalogue (`kg.lexicons.ui`,
``kg/lexicons/ui_zh.tsv``, keys ``view.*``): the tooltips format them in; the page template and its
script hold ``@@ui:KEY@@`` placeholders, filled with the text HTML-escaped in the page and escaped
for a JavaScript string literal in the script (before the script's hash is taken).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import networkx as nx
import rdflib

from kg.analyze import (
    COMENTION,
    ENTITY_TYPES,
    RELATION_LABELS,
    TYPE_LABELS,
    Analysis,
    analyze,
    communities,
    neighbourhood,
    undirected,
)
from kg.analyze.report import TYPE_COLORS
from kg.atomic import atomic_write as write_atomic
from kg.lexicons import ui
from kg.schema import DEFAULT_EDGE_COLOUR, EVENT, schema

__all__ = ["TYPE_STYLE", "layout", "render_view", "write_view"]

#: Colour and vis-network shape of each entity type (`kg.schema`: ``kgo:viewColour``, ``kgo:viewShape``).
TYPE_STYLE: Mapping[str, tuple[str, str]] = MappingProxyType(
    {t.name: (TYPE_COLORS[t.name], t.shape) for t in schema().entity_types}
)
#: The colour of a relation's edges (`kg.schema`: the predicate's ``kgo:viewColour``).
_EDGE_COLOURS: Mapping[str, str] = MappingProxyType({p.name: p.colour for p in schema().predicates})
#: A date as the graph writes one (``kgo:date``: ``2024``, ``2024-03``, ``2024-03-15``).
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
#: Evidence sentences an edge carries into the page (the neighbour list quotes the first).
_EVIDENCE = 2
_FONT = "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif"


def _vis_assets() -> tuple[str, str]:
    import pyvis  # type: ignore[import-untyped]  # pyvis 0.3.2 ships no type hints (no py.typed, no stubs)

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # never let the inlined text end its own element early
    return js.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


def _json(obj: object) -> str:
    """JSON that is safe inside a ``<script>`` element, whatever its strings hold."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


# ---------------------------------------------------------------- layout for large graphs


def _canonical(G: nx.Graph) -> nx.Graph:
    """``G`` with its nodes and edges in sorted order and weights rounded (to 9 places): the
    force layout's start and steps follow node order, and a weight summed in another order
    differs in its last bits — the same graph must be laid out the same in every process."""
    out: nx.Graph = nx.Graph()
    out.add_nodes_from(sorted(G))
    out.add_weighted_edges_from(sorted((*sorted((u, v)), round(float(w), 9))
                                       for u, v, w in G.edges(data="weight", default=1.0)))
    return out


def layout(G: nx.Graph, seed: int = 42, spacing: float = 28.0,
           comms: Sequence[Sequence[str]] | None = None) -> dict[str, tuple[float, float]]:
    """Positions (pixels) for a big graph without SciPy: each community by a force layout, packed in rows.

    Communities come from Louvain (seeded; ``comms`` when they are known already, as
    `communities` of ``G`` gives them); one of 500 nodes or more is laid on a sunflower spiral
    by degree instead. Isolated nodes share one block. Deterministic for a seed.
    """
    U = undirected(G) if G.is_multigraph() or G.is_directed() else G
    if comms is None:
        comms = communities(G, seed=seed) if len(U) else ()
    isolates = sorted(v for v in U if U.degree(v) == 0)
    blocks: list[tuple[float, dict]] = []

    def sunflower(nodes: list) -> dict:
        golden = math.pi * (3 - math.sqrt(5))
        n = max(len(nodes), 1)
        return {v: (math.sqrt((i + 0.5) / n) * math.cos(i * golden), math.sqrt((i + 0.5) / n) * math.sin(i * golden)) for i, v in enumerate(nodes)}

    for comm in comms:
        members = [v for v in comm if U.degree(v) > 0]
        if not members:
            continue
        sub = _canonical(U.subgraph(members))
        if len(members) == 1:
            local = {members[0]: (0.0, 0.0)}
        elif len(members) < 500:
            local = {v: (float(p[0]), float(p[1])) for v, p in nx.spring_layout(sub, seed=seed, iterations=60).items()}
        else:
            local = sunflower(sorted(members, key=lambda v: (-sub.degree(v), v)))
        blocks.append((spacing * math.sqrt(len(members)) + spacing, local))
    if isolates:
        blocks.append((spacing * math.sqrt(len(isolates)) + spacing, sunflower(isolates)))

    total = sum((2 * r) ** 2 for r, _ in blocks)
    width = math.sqrt(total) * 1.1 if blocks else 0.0
    pos: dict[str, tuple[float, float]] = {}
    x = y = row_h = 0.0
    for r, local in blocks:  # shelf packing, largest first
        d = 2 * r
        if x > 0 and x + d > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        cx, cy = x + r, y + r
        for v, (px, py) in local.items():
            pos[v] = (round(cx + px * (r - spacing / 2), 1), round(cy + py * (r - spacing / 2), 1))
        x += d
        row_h = max(row_h, d)
    return pos


# ---------------------------------------------------------------- the page


def _node_title(G: nx.MultiDiGraph, v: str, pr: float) -> str:
    d = G.nodes[v]
    arts = G.graph.get("articles", {})
    sents = G.graph.get("sentences", {})
    kind = f" · {d['kind']}" if d.get("kind") and d["kind"] != d["type"] else ""
    lines = [d["label"], ui("view.tooltip.type", label=TYPE_LABELS.get(d["type"], d["type"]), type=d["type"], kind=kind)]
    if d["aliases"]:
        lines.append(ui("view.tooltip.aliases", names="、".join(d["aliases"])))
    if d.get("jobTitles"):
        lines.append(ui("view.tooltip.job_titles", titles="、".join(d["jobTitles"])))
    if d.get("date") or d.get("dateText"):
        lines.append(ui("view.tooltip.date", date=d.get("date") or d.get("dateText")))
    if len(d.get("division", ())) > 1:
        lines.append(ui("view.tooltip.division", path=" › ".join(d["division"])))
    if d["articles"]:
        heads = [arts.get(a) or a for a in d["articles"][:3]]
        more = " " + ui("view.tooltip.more_articles", n=len(d["articles"])) if len(d["articles"]) > 3 else ""
        lines.append(ui("view.tooltip.articles", titles="；".join(heads)) + more)
    for s in d["evidence"][:1]:
        if s in sents:
            lines.append(ui("view.tooltip.evidence", text=sents[s].text))
    lines.append(ui("view.tooltip.pagerank", pr=pr))
    return "\n".join(lines)


def _edge_title(G: nx.MultiDiGraph, data: Mapping) -> str:
    rel = data["relation"]
    lines = [f"{RELATION_LABELS.get(rel, rel)}（{rel}）"]
    if data.get("weight", 1) != 1:
        lines.append(ui("view.tooltip.count", n=data["weight"]))
    sents = G.graph.get("sentences", {})
    for s in data.get("evidence", ())[:1]:
        if s in sents:
            lines.append(ui("view.tooltip.evidence", text=sents[s].text))
    return "\n".join(lines)


def _as_analysis(graph: rdflib.Graph | nx.MultiDiGraph | Analysis, comention: str | None) -> Analysis:
    """The analysis of the whole graph: every score the view shows comes from it, focused or not."""
    if isinstance(graph, Analysis):
        return graph
    return analyze(graph, comention=comention)


def _interval(d: Mapping) -> tuple[str, str] | None:
    """An event's date as the ISO days it may fall on: ``2024`` → 2024-01-01 … 2024-12-31."""
    for text in (d.get("date"), d.get("dateText")):
        m = _DATE.match(text or "")
        if not m:
            continue
        y, mo, day = int(m.group(1)), m.group(2), m.group(3)
        try:
            if mo is None:
                return f"{y:04d}-01-01", f"{y:04d}-12-31"
            if day is None:
                dt.date(y, int(mo), 1)  # a month that exists
                last = (dt.date(y + (int(mo) == 12), int(mo) % 12 + 1, 1) - dt.timedelta(days=1)).day
                return f"{y:04d}-{int(mo):02d}-01", f"{y:04d}-{int(mo):02d}-{last:02d}"
            iso = dt.date(y, int(mo), int(day)).isoformat()
            return iso, iso
        except ValueError:
            continue
    return None


def _drawn_edges(G: nx.MultiDiGraph) -> list[tuple[str, str, dict]]:
    """The edges the page draws: every typed relation, and a co-mention only between entities
    that no typed relation joins (the relation already says how they are linked)."""
    typed = {frozenset((u, v)) for u, v, d in G.edges(data=True) if d["relation"] != COMENTION}
    return [(u, v, d) for u, v, d in G.edges(data=True) if d["relation"] != COMENTION or frozenset((u, v)) not in typed]


def _network() -> Any:
    """A directed pyvis ``Network`` whose ``add_node`` and ``add_edge`` take constant time.

    pyvis 0.3.2 checks every new node and both ends of every new edge against the list of all
    node ids (5.4 of the 9.2 s of the view of 1,200 news articles, and growing with the square of
    the graph); here the ids are also kept in a set. The nodes and edges are pyvis's own
    ``Node`` and ``Edge`` options, as its methods make them.
    """
    from pyvis.edge import Edge  # type: ignore[import-untyped]  # no type hints, as above
    from pyvis.network import Network  # type: ignore[import-untyped]
    from pyvis.node import Node  # type: ignore[import-untyped]

    class _Network(Network):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(height="100%", width="100%", directed=True, notebook=False, cdn_resources="in_line")
            self._ids: set[int] = set()

        def add_node(self, n_id: int, label: str | None = None, shape: str = "dot", color: str = "#97c2fc",
                     **options: Any) -> None:
            if n_id in self._ids:
                return
            if "group" not in options:  # as pyvis: a group's colour comes from the group (and first)
                options = {"color": color, **options}
            node = Node(n_id, shape, label=label or n_id, font_color=self.font_color, **options)
            self.nodes.append(node.options)
            self.node_ids.append(n_id)
            self.node_map[n_id] = node.options
            self._ids.add(n_id)

        def add_edge(self, source: int, to: int, **options: Any) -> None:
            if source not in self._ids or to not in self._ids:
                raise ValueError(f"an edge between unknown nodes {source!r} and {to!r}")
            self.edges.append(Edge(source, to, self.directed, **options).options)

    return _Network()


def render_view(
    graph: rdflib.Graph | nx.MultiDiGraph | Analysis,
    focus: str | None = None,
    hops: int = 2,
    *,
    comention: str | None = "sentence",
    title: str | None = None,
    large: int = 500,
    seed: int = 42,
) -> str:
    """The view page as a string (see `write_view`); ``title`` defaults to the catalogue's ``view.title``."""
    if title is None:
        title = ui("view.title")

    analysis = _as_analysis(graph, comention)
    scores = analysis.scores
    G = analysis.graph
    focus_node = None
    if focus is not None:
        G = neighbourhood(G, focus, hops=hops)
        focus_node = G.graph["focus"]
    big = len(G) > large
    # the whole graph's communities are the analysis's (computed once); a neighbourhood's its own
    known = analysis.communities if focus is None and analysis.seed == seed else None
    pos = layout(G, seed=seed, comms=known) if big else {}
    top = max((scores[v].pagerank for v in G), default=0.0) or 1.0
    drawn = _drawn_edges(G)
    linked = {x for u, v, _ in drawn for x in (u, v)}

    net = _network()
    ids = {v: i for i, v in enumerate(G)}
    article_ids = {a: i for i, a in enumerate(G.graph.get("articles", {}))}
    names: list[str] = []
    for v, d in G.nodes(data=True):
        color, shape = TYPE_STYLE.get(d["type"], ("#999999", "dot"))
        sc = scores[v]
        extra: dict[str, Any] = {"x": pos[v][0], "y": pos[v][1]} if v in pos else {}
        size = 8 + 24 * math.sqrt(sc.pagerank / top)
        if v == focus_node:
            extra.update(borderWidth=4, color={"background": color, "border": "#222222"})
            size = max(size, 30)
        when = _interval(d) if d["type"] == EVENT else None
        if when is not None:
            extra.update(dfrom=when[0], dto=when[1])
        net.add_node(
            ids[v],
            label=d["label"],
            shape=shape,
            color=extra.pop("color", color),
            size=round(size, 1),
            title=_node_title(G, v, sc.pagerank),
            iri=v,
            ktype=d["type"],
            aliases=list(d["aliases"]),
            arts=[article_ids[a] for a in d["articles"] if a in article_ids],
            pr=sc.pagerank,
            mentions=sc.mentions,
            community=sc.community,
            iso=v not in linked,
            **extra,
        )
        names.append(d["label"])
        names.extend(d["aliases"])
    sentences = G.graph.get("sentences", {})
    quoted: dict[str, int] = {}
    for u, v, data in drawn:
        rel = data["relation"]
        ev = [quoted.setdefault(s, len(quoted)) for s in data.get("evidence", ())[:_EVIDENCE] if s in sentences]
        opts: dict = {"title": _edge_title(G, data), "rel": rel, "ev": ev}
        if not big:
            opts["label"] = RELATION_LABELS.get(rel, rel)
        if rel == COMENTION:
            opts.update(arrows={"to": {"enabled": False}}, dashes=True, color="#c4c4c4", width=min(1 + data.get("weight", 1) / 2, 6))
        else:
            opts.update(color=_EDGE_COLOURS.get(rel, DEFAULT_EDGE_COLOUR))
        net.add_edge(ids[u], ids[v], **opts)

    options = {
        "autoResize": True,
        "nodes": {"borderWidth": 1},
        "edges": {
            "font": {"face": _FONT, "size": 12, "align": "middle", "color": "#555555", "strokeWidth": 3},
            # an edge's label is drawn only once it is at least 9 px on screen (zoomed in)
            "scaling": {"label": {"enabled": True, "drawThreshold": 9, "maxVisible": 16}},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False if big else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "selectionWidth": 2,
        },
        "physics": {
            "enabled": not big,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 120, "avoidOverlap": 0.4},
            "stabilization": {"enabled": True, "iterations": 400 if len(G) <= 200 else 200, "updateInterval": 50, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 300, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big},
        "layout": {"improvedLayout": len(G) <= 150, "randomSeed": seed},
    }
    net.options = options  # a dict: get_network_data() dumps it as JSON
    nodes, edges, _heading, _h, _w, options_json = net.get_network_data()
    for n in nodes:  # the page draws names itself (never overlapping); vis-network draws none
        n["name"] = n.pop("label")

    arts = G.graph.get("articles", {})
    meta = {
        "types": [{"id": t, "label": TYPE_LABELS[t], "color": TYPE_STYLE[t][0], "shape": TYPE_STYLE[t][1]} for t in ENTITY_TYPES],
        "articles": [arts[a] or a for a in article_ids],
        "sentences": [sentences[s].text for s in quoted],
        "rels": dict(RELATION_LABELS),
        "focus": ids.get(focus_node) if focus_node else None,
        "large": big,
        "names": sorted(set(names)),
        "font": _FONT,
        "event": EVENT,
    }
    js, css = _vis_assets()
    app = _app_js()
    csp = (
        "default-src 'none'; "
        f"script-src '{_sha256(js)}' '{_sha256(app)}'; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; "
        "form-action 'none'; base-uri 'none'"
    )
    values = {
        "CSP": html.escape(csp, quote=False).replace('"', "&quot;"),
        "TITLE": html.escape(title),
        "VIS_CSS": css,
        "NODES": _json(nodes),
        "EDGES": _json(edges),
        "OPTIONS": _json(json.loads(options_json)),
        "META": _json(meta),
        "VIS_JS": js,
        "APP_JS": app,
    }
    # one pass, so text inserted for one placeholder is never taken for another
    return _PLACEHOLDER.sub(lambda m: html.escape(ui(m.group(1))) if m.group(1) else values[m.group(2)], _PAGE)


#: A placeholder of the page template: ``@@ui:KEY@@`` (a catalogue text) or ``@@NAME@@`` (a value).
_PLACEHOLDER = re.compile(r"@@(?:ui:([a-z][a-z0-9_.]*)|([A-Z_]+))@@")


@cache
def _app_js() -> str:
    """The page's script with its ``@@ui:KEY@@`` placeholders (each inside a string literal) filled:
    the catalogue's text escaped as `_json` escapes a string, less the quotes."""
    return re.sub(r"@@ui:([a-z][a-z0-9_.]*)@@", lambda m: _json(ui(m.group(1)))[1:-1], _APP_JS)


def _sha256(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def write_view(
    graph: rdflib.Graph | nx.MultiDiGraph | Analysis,
    path: str | os.PathLike[str] = "exports/kg.html",
    focus: str | None = None,
    hops: int = 2,
    *,
    comention: str | None = "sentence",
    title: str | None = None,
    large: int = 500,
    seed: int = 42,
) -> Path:
    """Write the interactive view of ``graph`` to ``path`` (atomically) and return the path.

    ``graph`` is an rdflib graph (or a graph from `kg.analyze.to_networkx`, or an `Analysis`).
    The scores are those of `kg.analyze.analyze` on the whole graph (the given `Analysis`, else
    computed here), so a focused view shows the same PageRank as the full view, the report and
    the store. With ``focus`` (an IRI, name or alias) only the entities within ``hops`` steps of
    it are shown, the focus outlined and centred; an unknown name raises
    `kg.analyze.EntityNotFound`. ``comention`` chooses the co-mention edges drawn (see `to_networkx`).
    """
    page = render_view(graph, focus, hops, comention=comention, title=title, large=large, seed=seed)
    return write_atomic(path, page)


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<style>@@VIS_CSS@@</style>
<style>
html, body { margin: 0; height: 100%; font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; font-size: 14px; color: #222; }
#kg-bar { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; padding: 6px 10px; border-bottom: 1px solid #ddd; background: #fafafa; }
#kg-bar h1 { font-size: 16px; margin: 0 8px 0 0; }
#kg-main { position: absolute; top: 0; bottom: 0; left: 0; right: 0; display: flex; flex-direction: column; }
#kg-body { flex: 1; display: flex; min-height: 0; }
#kg-network { flex: 1; min-width: 0; background: #fff; }
#kg-panel { width: 320px; overflow: auto; border-left: 1px solid #ddd; padding: 8px 10px; background: #fff; }
#kg-panel h2 { font-size: 15px; margin: 4px 0; word-break: break-all; }
#kg-panel h3 { font-size: 14px; margin: 10px 0 4px; }
#kg-panel .muted { color: #777; }
#kg-panel .nbr { padding: 3px 0; border-bottom: 1px solid #f0f0f0; }
#kg-panel .rel { color: #555; font-size: 12px; margin-right: 4px; }
#kg-panel .ev { color: #666; font-size: 12px; margin: 1px 0 0 10px; }
#kg-panel button.nb { border: 0; background: none; padding: 0; color: #1f5fa8; cursor: pointer; text-align: left; font: inherit; }
#kg-panel textarea { width: 100%; height: 160px; font: 12px monospace; }
#kg-legend label { margin-right: 10px; white-space: nowrap; cursor: pointer; }
#kg-legend svg { vertical-align: -3px; margin-right: 3px; }
#kg-article { max-width: 240px; }
#kg-msg { color: #a33; }
#kg-dates[hidden] { display: none; }
div.vis-tooltip { white-space: pre-wrap; max-width: 420px; font-family: inherit; }
</style>
</head>
<body>
<div id="kg-main">
  <div id="kg-bar">
    <h1>@@TITLE@@</h1>
    <form id="kg-search-form" autocomplete="off">
      <input id="kg-search" type="search" list="kg-names" placeholder="@@ui:view.search@@" aria-label="@@ui:view.search@@">
      <button id="kg-search-go" type="submit">@@ui:view.search.go@@</button>
      <datalist id="kg-names"></datalist>
      <span id="kg-msg" role="status"></span>
    </form>
    <span id="kg-legend" aria-label="@@ui:view.legend@@"></span>
    <label>@@ui:view.filter.article@@ <select id="kg-article"><option value="">@@ui:view.filter.all_articles@@</option></select></label>
    <label><input id="kg-isolated" type="checkbox"> @@ui:view.filter.isolated@@ <span id="kg-isolated-n"></span></label>
    <span id="kg-dates" hidden>@@ui:view.filter.dates@@ <input id="kg-from" type="date" aria-label="@@ui:view.filter.from@@"> – <input id="kg-to" type="date" aria-label="@@ui:view.filter.to@@"></span>
    <span>@@ui:view.export@@ <button id="kg-png" type="button">PNG</button> <button id="kg-sparql" type="button">SPARQL</button></span>
    <span id="kg-count" class="muted"></span>
  </div>
  <div id="kg-body">
    <div id="kg-network"></div>
    <div id="kg-panel"><p class="muted">@@ui:view.panel.hint@@</p></div>
  </div>
</div>
<script type="application/json" id="kg-nodes">@@NODES@@</script>
<script type="application/json" id="kg-edges">@@EDGES@@</script>
<script type="application/json" id="kg-options">@@OPTIONS@@</script>
<script type="application/json" id="kg-meta">@@META@@</script>
<script>@@VIS_JS@@</script>
<script>@@APP_JS@@</script>
</body>
</html>
"""

_APP_JS = r"""
(function () {
  "use strict";
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  var meta = data("kg-meta");
  var nodes = new vis.DataSet(data("kg-nodes"));
  var edges = new vis.DataSet(data("kg-edges"));
  var options = data("kg-options");
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  var view = window.kgView = {network: network, nodes: nodes, edges: edges, meta: meta, labels: [],
                              stable: false, stableAt: null, startedAt: performance.now()};
  var shown = {}; meta.types.forEach(function (t) { shown[t.id] = true; });
  var filter = {article: "", isolated: false, from: "", to: ""};
  view.filter = filter;

  // the edges of each node, for the neighbour list (whatever is hidden)
  var byNode = {};
  edges.forEach(function (e) {
    (byNode[e.from] = byNode[e.from] || []).push(e);
    if (e.to !== e.from) (byNode[e.to] = byNode[e.to] || []).push(e);
  });

  function markStable() {
    if (view.stable) return;
    if (!meta.large) network.setOptions({physics: {enabled: false}});
    view.stable = true; view.stableAt = performance.now();
    if (meta.focus !== null) focusNode(meta.focus, false);
    else network.fit({nodes: nodes.getIds({filter: visible}), animation: false});
    document.body.setAttribute("data-stable", "1");
  }
  if (meta.large) network.once("afterDrawing", markStable);
  else {
    network.once("stabilizationIterationsDone", markStable);
    network.once("stabilized", markStable);
    if (nodes.length === 0) markStable();
  }

  // a white page behind the graph, so an exported PNG is not transparent
  network.on("beforeDrawing", function (ctx) {
    ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height); ctx.restore();
  });

  // names: drawn here, most important first, never one over another; they grow as one zooms in
  var order = nodes.getIds().sort(function (a, b) {
    var x = nodes.get(a), y = nodes.get(b);
    return y.pr - x.pr || y.mentions - x.mentions || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0) || a - b;
  });
  var topPr = 0; nodes.forEach(function (n) { if (n.pr > topPr) topPr = n.pr; });
  var widths = {};
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = "100px " + meta.font;
  function shortName(n) { return n.name.length > 16 ? n.name.slice(0, 15) + "…" : n.name; }
  function overlaps(a, b) { return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h; }
  function drawLabels(ctx) {
    var scale = network.getScale(), zoom = Math.min(1.6, Math.max(0.8, Math.sqrt(scale)));
    var w = container.clientWidth, h = container.clientHeight, ratio = network.canvas.pixelRatio || 1;
    var chosen = network.getSelectedNodes(), first = {}, placed = [], grid = {}, cell = 60;
    chosen.forEach(function (id) { first[id] = true; });
    var queue = chosen.concat(order.filter(function (id) { return !first[id]; }));
    ctx.save(); ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center"; ctx.textBaseline = "top"; ctx.lineJoin = "round";
    for (var i = 0; i < queue.length && placed.length < 250; i++) {
      var id = queue[i], body = network.body.nodes[id], n = nodes.get(id);
      if (!body || !n || n.hidden) continue;
      var size = (n.pr && topPr ? 12 + 6 * Math.sqrt(n.pr / topPr) : 12) * zoom;
      if (size < 10 && !first[id]) continue;
      var p = network.canvasToDOM({x: body.x, y: body.y}), r = (n.size || 10) * scale;
      if (p.x < -50 || p.y < -50 || p.x > w + 50 || p.y > h + 50) continue;
      var text = shortName(n);
      if (widths[id] === undefined) widths[id] = measure.measureText(text).width / 100;
      var box = {id: id, x: p.x - widths[id] * size / 2 - 2, y: p.y + r + 2, w: widths[id] * size + 4, h: size * 1.3};
      var gx0 = Math.floor(box.x / cell), gx1 = Math.floor((box.x + box.w) / cell);
      var gy0 = Math.floor(box.y / cell), gy1 = Math.floor((box.y + box.h) / cell), clash = false, gx, gy, k;
      for (gx = gx0; gx <= gx1 && !clash; gx++) for (gy = gy0; gy <= gy1 && !clash; gy++) {
        var list = grid[gx + "," + gy] || [];
        for (k = 0; k < list.length; k++) if (overlaps(box, list[k])) { clash = true; break; }
      }
      if (clash) continue;
      for (gx = gx0; gx <= gx1; gx++) for (gy = gy0; gy <= gy1; gy++) (grid[gx + "," + gy] = grid[gx + "," + gy] || []).push(box);
      placed.push(box);
      ctx.font = (first[id] ? "bold " : "") + size.toFixed(1) + "px " + meta.font;
      ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)"; ctx.strokeText(text, p.x, box.y + 1);
      ctx.fillStyle = "#222222"; ctx.fillText(text, p.x, box.y + 1);
    }
    ctx.restore();
    view.labels = placed;
  }
  network.on("afterDrawing", drawLabels);

  // legend = type filter
  var legend = document.getElementById("kg-legend");
  var counts = {};
  nodes.forEach(function (n) { counts[n.ktype] = (counts[n.ktype] || 0) + 1; });
  var SVGNS = "http://www.w3.org/2000/svg";
  function icon(shape, color) {
    var svg = document.createElementNS(SVGNS, "svg"); svg.setAttribute("width", "14"); svg.setAttribute("height", "14");
    var s;
    if (shape === "dot") { s = document.createElementNS(SVGNS, "circle"); s.setAttribute("cx", "7"); s.setAttribute("cy", "7"); s.setAttribute("r", "6"); }
    else if (shape === "square") { s = document.createElementNS(SVGNS, "rect"); s.setAttribute("x", "1"); s.setAttribute("y", "1"); s.setAttribute("width", "12"); s.setAttribute("height", "12"); }
    else {
      s = document.createElementNS(SVGNS, "polygon");
      s.setAttribute("points", {triangle: "7,1 13,13 1,13", diamond: "7,0 14,7 7,14 0,7",
        star: "7,0 8.8,5 14,5 9.8,8.2 11.3,13.5 7,10.3 2.7,13.5 4.2,8.2 0,5 5.2,5"}[shape] || "0,0 14,0 14,14 0,14");
    }
    s.setAttribute("fill", color); svg.appendChild(s); return svg;
  }
  meta.types.forEach(function (t) {
    var lab = el("label"); var box = el("input"); box.type = "checkbox"; box.checked = true;
    box.setAttribute("data-type", t.id);
    box.addEventListener("change", function () { shown[t.id] = box.checked; applyFilters(); });
    lab.appendChild(box); lab.appendChild(icon(t.shape, t.color));
    lab.appendChild(document.createTextNode(t.label + " " + (counts[t.id] || 0)));
    legend.appendChild(lab);
  });
  var sel = document.getElementById("kg-article");
  meta.articles.forEach(function (title, i) { var o = el("option", title); o.value = String(i); sel.appendChild(o); });
  sel.addEventListener("change", function () { filter.article = sel.value; applyFilters(); });
  var dl = document.getElementById("kg-names");
  meta.names.slice(0, 20000).forEach(function (name) { var o = el("option"); o.value = name; dl.appendChild(o); });

  // isolated nodes (no drawn edge) are hidden until asked for
  var iso = document.getElementById("kg-isolated");
  var isolated = nodes.get({filter: function (n) { return n.iso; }}).length;
  document.getElementById("kg-isolated-n").textContent = String(isolated);
  iso.addEventListener("change", function () { filter.isolated = iso.checked; applyFilters(); });

  // events by date: an event is kept when the days it may fall on meet the range
  var dated = nodes.get({filter: function (n) { return !!n.dfrom; }});
  var from = document.getElementById("kg-from"), to = document.getElementById("kg-to");
  if (dated.length) {
    var lo = dated.reduce(function (m, n) { return n.dfrom < m ? n.dfrom : m; }, dated[0].dfrom);
    var hi = dated.reduce(function (m, n) { return n.dto > m ? n.dto : m; }, dated[0].dto);
    [from, to].forEach(function (i) { i.min = lo; i.max = hi; });
    document.getElementById("kg-dates").hidden = false;
  }
  from.addEventListener("change", function () { filter.from = from.value; applyFilters(); });
  to.addEventListener("change", function () { filter.to = to.value; applyFilters(); });

  function visible(n) {
    if (n.id === meta.focus) return true;
    if (!shown[n.ktype]) return false;
    if (filter.article !== "" && n.arts.indexOf(Number(filter.article)) < 0) return false;
    if (n.iso && !filter.isolated) return false;
    if ((filter.from || filter.to) && n.ktype === meta.event) {
      if (!n.dfrom) return false;
      if (filter.from && n.dto < filter.from) return false;
      if (filter.to && n.dfrom > filter.to) return false;
    }
    return true;
  }
  view.visible = visible;
  function applyFilters() {
    var changes = [];
    nodes.forEach(function (n) { var h = !visible(n); if ((n.hidden || false) !== h) changes.push({id: n.id, hidden: h}); });
    if (changes.length) nodes.update(changes);
    updateCount();
  }
  view.applyFilters = applyFilters;
  function resetFilters() {
    meta.types.forEach(function (t) { shown[t.id] = true; });
    legend.querySelectorAll("input").forEach(function (b) { b.checked = true; });
    filter.article = ""; sel.value = ""; filter.isolated = true; iso.checked = true;
    filter.from = filter.to = ""; from.value = to.value = "";
    applyFilters();
  }
  function updateCount() {
    document.getElementById("kg-count").textContent =
      "@@ui:view.count.nodes@@ " + network.body.nodeIndices.length + "/" + nodes.length + " · @@ui:view.count.relations@@ " + network.body.edgeIndices.length + "/" + edges.length;
  }
  applyFilters();

  // details panel: text only
  var panel = document.getElementById("kg-panel");
  function neighbours(id) {
    var out = {};
    (byNode[id] || []).forEach(function (e) {
      var other = e.from === id ? e.to : e.from, rel = meta.rels[e.rel] || e.rel;
      var typed = e.rel !== "comention";
      var row = out[other] = out[other] || {id: other, rels: [], ev: null, typed: false};
      row.rels.push(typed ? (e.from === id ? rel + " →" : "← " + rel) : rel);
      if (typed && !row.typed) { row.typed = true; row.ev = null; }
      if (row.ev === null && e.ev.length && (typed || !row.typed)) row.ev = meta.sentences[e.ev[0]];
    });
    return Object.keys(out).map(function (k) { return out[k]; }).filter(function (r) { return nodes.get(r.id); })
      .sort(function (a, b) {
        var x = nodes.get(a.id), y = nodes.get(b.id);
        return (b.typed - a.typed) || (y.pr - x.pr) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
      });
  }
  view.neighbours = neighbours;
  function showInfo(id) {
    var n = nodes.get(id);
    panel.textContent = "";
    if (!n) return;
    panel.appendChild(el("h2", n.name));
    String(n.title || "").split("\n").slice(1).forEach(function (line) { panel.appendChild(el("div", line)); });
    var rows = neighbours(id);
    panel.appendChild(el("h3", "@@ui:view.panel.neighbours@@（" + rows.length + "）"));
    rows.forEach(function (r) {
      var m = nodes.get(r.id), div = el("div", null, "nbr");
      div.appendChild(el("span", r.rels.join("、"), "rel"));
      var b = el("button", m.name, "nb"); b.type = "button";
      b.addEventListener("click", function () { focusNode(m.id, true); });
      div.appendChild(b);
      if (r.ev) div.appendChild(el("div", "「" + r.ev + "」", "ev"));
      panel.appendChild(div);
    });
    var iri = el("p", n.iri, "muted"); iri.style.wordBreak = "break-all"; panel.appendChild(iri);
  }
  function hideTooltip() {
    var tip = container.querySelector("div.vis-tooltip");
    if (tip) tip.style.visibility = "hidden";
  }
  function selectWithNeighbours(id) {
    var ids = [id].concat(network.getConnectedNodes(id));
    network.setSelection({nodes: ids, edges: network.getConnectedEdges(id)}, {unselectAll: true, highlightEdges: false});
  }
  function focusNode(id, animate) {
    var n = nodes.get(id);
    if (!n) return false;
    if (n.hidden) resetFilters();
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: animate ? {duration: 400} : false});
    selectWithNeighbours(id);
    showInfo(id);
    view.focused = id;
    return true;
  }
  view.focusNode = focusNode;
  network.on("click", function (p) {
    hideTooltip();
    if (p.nodes.length) { selectWithNeighbours(p.nodes[0]); showInfo(p.nodes[0]); view.focused = p.nodes[0]; }
  });

  function search(q) {
    q = String(q || "").trim(); var low = q.toLowerCase();
    if (!q) return null;
    var all = nodes.get(), i, hit = null;
    var rules = [
      function (n) { return n.name === q; },
      function (n) { return n.aliases.indexOf(q) >= 0; },
      function (n) { return n.name.toLowerCase() === low || n.aliases.some(function (a) { return a.toLowerCase() === low; }); },
      function (n) { return n.name.toLowerCase().indexOf(low) >= 0 || n.aliases.some(function (a) { return a.toLowerCase().indexOf(low) >= 0; }); }
    ];
    for (i = 0; i < rules.length && hit === null; i++) {
      var found = all.filter(rules[i]);
      if (found.length) { found.sort(function (a, b) { return b.pr - a.pr || a.id - b.id; }); hit = found[0].id; }
    }
    return hit;
  }
  view.search = search;
  document.getElementById("kg-search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("kg-search").value;
    var id = search(q);
    document.getElementById("kg-msg").textContent = id === null ? "@@ui:view.search.not_found@@" + q : "";
    if (id !== null) focusNode(id, true);
  });

  // export: the selected nodes (else every node shown) as a PNG and as the SPARQL that selects them
  function selection() {
    var ids = network.getSelectedNodes();
    return ids.length ? ids : nodes.getIds({filter: function (n) { return !n.hidden; }});
  }
  function download(name, url) {
    var a = el("a"); a.download = name; a.href = url; a.style.display = "none";
    document.body.appendChild(a); a.click(); a.remove();
  }
  function png() {
    var ids = network.getSelectedNodes(), at = network.getViewPosition(), scale = network.getScale();
    if (ids.length) network.fit({nodes: ids, animation: false});
    network.redraw();
    var url = container.querySelector("canvas").toDataURL("image/png");
    if (ids.length) network.moveTo({position: at, scale: scale, animation: false});
    view.lastPng = url;
    download("kg-selection.png", url);
    return url;
  }
  view.png = png;
  function iriRef(iri) {  // an IRIREF SPARQL accepts, whatever the text: unsafe characters percent-encoded
    return "<" + String(iri).replace(/[\u0000-\u0020<>"{}|^`\\]/g, function (c) {
      return encodeURIComponent(c).replace(/[!'()*]/g, function (x) { return "%" + x.charCodeAt(0).toString(16).toUpperCase(); });
    }) + ">";
  }
  function sparql() {
    var ids = selection().slice().sort(function (a, b) { return a - b; });
    var refs = ids.map(function (id) { return "    " + iriRef(nodes.get(id).iri); }).join("\n");
    var q = "# " + ids.length + " entities selected in the kg view; run with: kg query FILE.rq\n" +
      "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" +
      "SELECT ?entity ?label ?relation ?other WHERE {\n" +
      "  VALUES ?entity {\n" + refs + "\n  }\n" +
      "  ?entity rdfs:label ?label .\n" +
      "  OPTIONAL {\n    VALUES ?other {\n" + refs.replace(/^    /gm, "      ") + "\n    }\n" +
      "    ?entity ?relation ?other .\n  }\n" +
      "}\nORDER BY ?entity ?relation ?other\n";
    panel.textContent = "";
    panel.appendChild(el("h2", "SPARQL（" + ids.length + "）"));
    var box = el("textarea"); box.id = "kg-sparql-text"; box.readOnly = true; box.value = q;
    panel.appendChild(box);
    var a = el("a", "kg-selection.rq"); a.download = "kg-selection.rq";
    a.href = "data:application/sparql-query;charset=utf-8," + encodeURIComponent(q);
    panel.appendChild(a);
    view.lastSparql = q;
    return q;
  }
  view.sparql = sparql;
  document.getElementById("kg-png").addEventListener("click", png);
  document.getElementById("kg-sparql").addEventListener("click", sparql);
})();
"""
