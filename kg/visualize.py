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
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
from collections.abc import Mapping
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
    communities,
    neighbourhood,
    pagerank,
    to_networkx,
    undirected,
)
from kg.analyze.report import TYPE_COLORS
from kg.atomic import atomic_write as write_atomic
from kg.schema import DEFAULT_EDGE_COLOUR, schema

__all__ = ["TYPE_STYLE", "layout", "render_view", "write_view"]

#: Colour and vis-network shape of each entity type (`kg.schema`: ``kgo:viewColour``, ``kgo:viewShape``).
TYPE_STYLE: Mapping[str, tuple[str, str]] = MappingProxyType(
    {t.name: (TYPE_COLORS[t.name], t.shape) for t in schema().entity_types}
)
#: The colour of a relation's edges (`kg.schema`: the predicate's ``kgo:viewColour``).
_EDGE_COLOURS: Mapping[str, str] = MappingProxyType({p.name: p.colour for p in schema().predicates})
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


def layout(G: nx.Graph, seed: int = 42, spacing: float = 28.0) -> dict[str, tuple[float, float]]:
    """Positions (pixels) for a big graph without SciPy: each community by a force layout, packed in rows.

    Communities come from Louvain (seeded); one of 500 nodes or more is laid on a sunflower spiral
    by degree instead. Isolated nodes share one block. Deterministic for a seed.
    """
    U = undirected(G) if G.is_multigraph() or G.is_directed() else G
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
        sub = U.subgraph(members)
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
    lines = [d["label"], f"类型：{TYPE_LABELS.get(d['type'], d['type'])}（{d['type']}{kind}）"]
    if d["aliases"]:
        lines.append("别名：" + "、".join(d["aliases"]))
    if d.get("jobTitles"):
        lines.append("职务：" + "、".join(d["jobTitles"]))
    if d.get("date") or d.get("dateText"):
        lines.append(f"日期：{d.get('date') or d.get('dateText')}")
    if d["articles"]:
        heads = [arts.get(a) or a for a in d["articles"][:3]]
        more = f" 等{len(d['articles'])}篇" if len(d["articles"]) > 3 else ""
        lines.append("文章：" + "；".join(heads) + more)
    for s in d["evidence"][:1]:
        if s in sents:
            lines.append("证据：" + sents[s].text)
    lines.append(f"PageRank：{pr:.4f}")
    return "\n".join(lines)


def _edge_title(G: nx.MultiDiGraph, data: Mapping) -> str:
    rel = data["relation"]
    lines = [f"{RELATION_LABELS.get(rel, rel)}（{rel}）"]
    if data.get("weight", 1) != 1:
        lines.append(f"次数：{data['weight']}")
    sents = G.graph.get("sentences", {})
    for s in data.get("evidence", ())[:1]:
        if s in sents:
            lines.append("证据：" + sents[s].text)
    return "\n".join(lines)


def _as_graph(graph: rdflib.Graph | nx.MultiDiGraph | Analysis, comention: str | None) -> tuple[nx.MultiDiGraph, Mapping[str, float] | None]:
    if isinstance(graph, Analysis):
        return graph.graph, {v: s.pagerank for v, s in graph.scores.items()}
    if isinstance(graph, nx.MultiDiGraph):
        return graph, None
    return to_networkx(graph, comention=comention), None


def render_view(
    graph: rdflib.Graph | nx.MultiDiGraph | Analysis,
    focus: str | None = None,
    hops: int = 2,
    *,
    comention: str | None = None,
    title: str = "知识图谱关系视图",
    large: int = 500,
    seed: int = 42,
) -> str:
    """The view page as a string (see `write_view`)."""
    from pyvis.network import Network  # type: ignore[import-untyped]  # no type hints, as above

    G, ranks = _as_graph(graph, comention)
    focus_node = None
    if focus is not None:
        G = neighbourhood(G, focus, hops=hops)
        focus_node = G.graph["focus"]
        ranks = None
    if ranks is None:
        ranks = pagerank(G)
    big = len(G) > large
    pos = layout(G, seed=seed) if big else {}
    top = max(ranks.values(), default=0.0) or 1.0

    net = Network(height="100%", width="100%", directed=True, notebook=False, cdn_resources="in_line")
    ids = {v: i for i, v in enumerate(G)}
    article_ids = {a: i for i, a in enumerate(G.graph.get("articles", {}))}
    names: list[str] = []
    for v, d in G.nodes(data=True):
        color, shape = TYPE_STYLE.get(d["type"], ("#999999", "dot"))
        extra: dict[str, Any] = {"x": pos[v][0], "y": pos[v][1]} if v in pos else {}
        size = 10 + 26 * math.sqrt(ranks.get(v, 0.0) / top)
        if v == focus_node:
            extra.update(borderWidth=4, color={"background": color, "border": "#222222"})
            size = max(size, 30)
        net.add_node(
            ids[v],
            label=d["label"],
            shape=shape,
            color=extra.pop("color", color),
            size=round(size, 1),
            title=_node_title(G, v, ranks.get(v, 0.0)),
            iri=v,
            ktype=d["type"],
            aliases=list(d["aliases"]),
            arts=[article_ids[a] for a in d["articles"] if a in article_ids],
            **extra,
        )
        names.append(d["label"])
        names.extend(d["aliases"])
    for u, v, data in G.edges(data=True):
        rel = data["relation"]
        opts: dict = {"title": _edge_title(G, data), "rel": rel}
        if not big:
            opts["label"] = RELATION_LABELS.get(rel, rel)
        if rel == COMENTION:
            opts.update(arrows={"to": {"enabled": False}}, dashes=True, color="#bbbbbb", width=min(1 + data.get("weight", 1) / 2, 6))
        else:
            opts.update(color=_EDGE_COLOURS.get(rel, DEFAULT_EDGE_COLOUR))
        net.add_edge(ids[u], ids[v], **opts)

    options = {
        "autoResize": True,
        "nodes": {"font": {"face": _FONT, "size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"}, "borderWidth": 1},
        "edges": {
            "font": {"face": _FONT, "size": 10, "align": "middle", "color": "#555555", "strokeWidth": 2},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False if big else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "selectionWidth": 2,
        },
        "physics": {
            "enabled": not big,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 110, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 400 if len(G) <= 200 else 200, "updateInterval": 50, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big},
        "layout": {"improvedLayout": len(G) <= 150, "randomSeed": seed},
    }
    net.options = options  # a dict: get_network_data() dumps it as JSON
    nodes, edges, _heading, _h, _w, options_json = net.get_network_data()

    arts = G.graph.get("articles", {})
    meta = {
        "types": [{"id": t, "label": TYPE_LABELS[t], "color": TYPE_STYLE[t][0], "shape": TYPE_STYLE[t][1]} for t in ENTITY_TYPES],
        "articles": [arts[a] or a for a in article_ids],
        "focus": ids.get(focus_node) if focus_node else None,
        "large": big,
        "names": sorted(set(names)),
    }
    js, css = _vis_assets()
    app = _APP_JS
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
    page = re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], _PAGE)
    return page


def _sha256(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def write_view(
    graph: rdflib.Graph | nx.MultiDiGraph | Analysis,
    path: str | os.PathLike[str] = "exports/kg.html",
    focus: str | None = None,
    hops: int = 2,
    *,
    comention: str | None = None,
    title: str = "知识图谱关系视图",
    large: int = 500,
    seed: int = 42,
) -> Path:
    """Write the interactive view of ``graph`` to ``path`` (atomically) and return the path.

    ``graph`` is an rdflib graph (or a graph from `kg.analyze.to_networkx`, or an `Analysis`,
    whose PageRank then sizes the nodes). With ``focus`` (an IRI, name or alias) only the entities
    within ``hops`` steps of it are shown, the focus outlined and centred; an unknown name raises
    `kg.analyze.EntityNotFound`. ``comention`` adds co-mention edges (see `to_networkx`).
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
#kg-bar { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; padding: 6px 10px; border-bottom: 1px solid #ddd; background: #fafafa; }
#kg-bar h1 { font-size: 16px; margin: 0 8px 0 0; }
#kg-main { position: absolute; top: 0; bottom: 0; left: 0; right: 0; display: flex; flex-direction: column; }
#kg-body { flex: 1; display: flex; min-height: 0; }
#kg-network { flex: 1; min-width: 0; }
#kg-panel { width: 300px; overflow: auto; border-left: 1px solid #ddd; padding: 8px 10px; background: #fff; }
#kg-panel h2 { font-size: 15px; margin: 4px 0; word-break: break-all; }
#kg-panel .muted { color: #777; }
#kg-panel button.nb { display: block; border: 0; background: none; padding: 2px 0; color: #1f5fa8; cursor: pointer; text-align: left; font: inherit; }
#kg-legend label { margin-right: 10px; white-space: nowrap; cursor: pointer; }
#kg-legend svg { vertical-align: -3px; margin-right: 3px; }
#kg-article { max-width: 260px; }
#kg-msg { color: #a33; }
div.vis-tooltip { white-space: pre-wrap; max-width: 420px; font-family: inherit; }
</style>
</head>
<body>
<div id="kg-main">
  <div id="kg-bar">
    <h1>@@TITLE@@</h1>
    <form id="kg-search-form" autocomplete="off">
      <input id="kg-search" type="search" list="kg-names" placeholder="搜索名称或别名" aria-label="搜索名称或别名">
      <button id="kg-search-go" type="submit">查找</button>
      <datalist id="kg-names"></datalist>
      <span id="kg-msg" role="status"></span>
    </form>
    <span id="kg-legend" aria-label="图例与类型筛选"></span>
    <label>文章 <select id="kg-article"><option value="">全部文章</option></select></label>
    <span id="kg-count" class="muted"></span>
  </div>
  <div id="kg-body">
    <div id="kg-network"></div>
    <div id="kg-panel"><p class="muted">点击节点查看详情与相邻节点。</p></div>
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
  var view = window.kgView = {network: network, nodes: nodes, edges: edges, meta: meta,
                              stable: false, stableAt: null, startedAt: performance.now()};
  var shown = {}; meta.types.forEach(function (t) { shown[t.id] = true; });
  var article = "";

  function markStable() {
    if (view.stable) return;
    if (!meta.large) network.setOptions({physics: {enabled: false}});
    view.stable = true; view.stableAt = performance.now();
    document.body.setAttribute("data-stable", "1");
    if (meta.focus !== null) focusNode(meta.focus, false);
  }
  if (meta.large) network.once("afterDrawing", markStable);
  else {
    network.once("stabilizationIterationsDone", markStable);
    network.once("stabilized", markStable);
    if (nodes.length === 0) markStable();
  }

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
  sel.addEventListener("change", function () { article = sel.value; applyFilters(); });
  var dl = document.getElementById("kg-names");
  meta.names.slice(0, 20000).forEach(function (name) { var o = el("option"); o.value = name; dl.appendChild(o); });

  function visible(n) {
    return shown[n.ktype] && (article === "" || n.arts.indexOf(Number(article)) >= 0);
  }
  function applyFilters() {
    var changes = [];
    nodes.forEach(function (n) { var h = !visible(n); if ((n.hidden || false) !== h) changes.push({id: n.id, hidden: h}); });
    if (changes.length) nodes.update(changes);
    updateCount();
  }
  view.applyFilters = applyFilters;
  function updateCount() {
    document.getElementById("kg-count").textContent =
      "节点 " + network.body.nodeIndices.length + "/" + nodes.length + " · 关系 " + network.body.edgeIndices.length + "/" + edges.length;
  }
  network.on("afterDrawing", function () { if (!view.counted) { view.counted = true; updateCount(); } });

  // details panel: text only
  var panel = document.getElementById("kg-panel");
  function showInfo(id) {
    var n = nodes.get(id);
    panel.textContent = "";
    if (!n) return;
    panel.appendChild(el("h2", n.label));
    String(n.title || "").split("\n").slice(1).forEach(function (line) { panel.appendChild(el("div", line)); });
    var nbrs = network.getConnectedNodes(id);
    panel.appendChild(el("h2", "相邻节点（" + nbrs.length + "）"));
    nbrs.map(function (m) { return nodes.get(m); }).filter(Boolean)
      .sort(function (a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; })
      .forEach(function (m) {
        var b = el("button", m.label, "nb"); b.type = "button";
        b.addEventListener("click", function () { focusNode(m.id, true); });
        panel.appendChild(b);
      });
    var iri = el("p", n.iri, "muted"); iri.style.wordBreak = "break-all"; panel.appendChild(iri);
  }
  function selectWithNeighbours(id) {
    var ids = [id].concat(network.getConnectedNodes(id));
    network.setSelection({nodes: ids, edges: network.getConnectedEdges(id)}, {unselectAll: true, highlightEdges: false});
  }
  function focusNode(id, animate) {
    var n = nodes.get(id);
    if (!n) return false;
    if (n.hidden) { shown[n.ktype] = true; article = ""; sel.value = "";
      legend.querySelectorAll("input").forEach(function (b) { b.checked = shown[b.getAttribute("data-type")]; });
      applyFilters(); }
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: animate ? {duration: 400} : false});
    selectWithNeighbours(id);
    showInfo(id);
    view.focused = id;
    return true;
  }
  view.focusNode = focusNode;
  network.on("click", function (p) { if (p.nodes.length) { selectWithNeighbours(p.nodes[0]); showInfo(p.nodes[0]); view.focused = p.nodes[0]; } });

  function search(q) {
    q = String(q || "").trim(); var low = q.toLowerCase();
    if (!q) return null;
    var all = nodes.get(), i, hit = null;
    var rules = [
      function (n) { return n.label === q; },
      function (n) { return n.aliases.indexOf(q) >= 0; },
      function (n) { return n.label.toLowerCase() === low || n.aliases.some(function (a) { return a.toLowerCase() === low; }); },
      function (n) { return n.label.toLowerCase().indexOf(low) >= 0 || n.aliases.some(function (a) { return a.toLowerCase().indexOf(low) >= 0; }); }
    ];
    for (i = 0; i < rules.length && hit === null; i++) {
      var found = all.filter(rules[i]);
      if (found.length) { found.sort(function (a, b) { return b.size - a.size || a.id - b.id; }); hit = found[0].id; }
    }
    return hit;
  }
  view.search = search;
  document.getElementById("kg-search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("kg-search").value;
    var id = search(q);
    document.getElementById("kg-msg").textContent = id === null ? "未找到：" + q : "";
    if (id !== null) focusNode(id, true);
  });
})();
"""
