"""``exports/report.html``: counts, the most central entities, communities and charts, in one file.

Charts are inline SVG made here; the page loads nothing (a ``default-src 'none'`` Content
Security Policy and no scripts at all) and every piece of text from the graph is HTML-escaped.
The page's Chinese labels and sentences come from the message catalogue (`kg.lexicons.ui`,
``kg/lexicons/ui_zh.tsv``: keys ``report.*`` and ``score.*``), escaped here like the rest.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import networkx as nx
import rdflib

from kg.analyze.graph import (
    ARTICLE_WEIGHT,
    COMENTION,
    ENTITY_TYPES,
    HIERARCHY,
    PARAGRAPH_WEIGHT,
    RELATION_WEIGHT,
    SENTENCE_WEIGHT,
)
from kg.analyze.metrics import RELATION_LABELS, TYPE_LABELS, Analysis, analyze
from kg.atomic import atomic_write as write_atomic
from kg.ingest.clean import clean
from kg.lexicons import ui
from kg.schema import EVENT, schema

__all__ = ["TYPE_COLORS", "SCORE_HEADINGS", "SCORE_HELP", "render_report", "write_report", "bar_chart", "timeline_chart", "score_help"]

#: One colour per entity type (`kg.schema`'s ``kgo:viewColour``), shared with the view.
TYPE_COLORS: Mapping[str, str] = MappingProxyType({t.name: t.colour for t in schema().entity_types})


def _e(text: str) -> str:
    """``text`` for HTML and SVG: escaped, and without control or bidi characters (which XML
    forbids or which reorder what follows them)."""
    return html.escape(clean(text))


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def bar_chart(items: Sequence[tuple[str, float, str]], *, width: int = 720, label_width: int = 200, fmt: str = "{:g}", title: str = "") -> str:
    """A horizontal bar chart as inline SVG: ``items`` are ``(label, value, colour)``."""
    bar_h, gap, top = 20, 6, 8
    height = top * 2 + len(items) * (bar_h + gap)
    peak = max((v for _, v, _ in items), default=0) or 1
    span = width - label_width - 80
    out = [f'<svg class="chart" role="img" aria-label="{_e(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value, color) in enumerate(items):
        y = top + i * (bar_h + gap)
        w = max(1.0, span * value / peak)
        out.append(
            f'<text x="{label_width - 8}" y="{y + bar_h * 0.72:.1f}" text-anchor="end">{_e(_short(label))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{_e(color)}"><title>{_e(label)}</title></rect>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + bar_h * 0.72:.1f}">{_e(fmt.format(value))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def _parse_date(text: str | None) -> dt.date | None:
    m = _DATE.match(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def timeline_chart(events: Sequence[tuple[dt.date, str, str] | tuple[dt.date, str, str, str]], *, width: int = 760,
                   label_width: int = 230) -> str:
    """Events on a time axis as inline SVG: ``events`` are ``(date, label, date text)`` (and maybe
    the node), one row each."""
    if not events:
        return ""
    timeline: list[tuple[dt.date, str, str]] = sorted((e[0], e[1], e[2]) for e in events)
    row, top = 20, 30
    height = top + len(timeline) * row + 10
    first, last = timeline[0][0].toordinal(), timeline[-1][0].toordinal()
    span = max(last - first, 1)
    x0, x1 = label_width + 10, width - 90

    def x(d: dt.date) -> float:
        return x0 + (x1 - x0) * (d.toordinal() - first) / span

    out = [f'<svg class="chart" role="img" aria-label="{_e(ui("report.timeline"))}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    out.append(f'<line x1="{x0}" y1="{top - 8}" x2="{x1}" y2="{top - 8}" stroke="#999"/>')
    years = range(timeline[0][0].year, timeline[-1][0].year + 1)
    step = max(1, len(years) // 8)
    for year in years[::step]:
        xx = x(max(dt.date(year, 1, 1), timeline[0][0]))
        out.append(f'<text x="{xx:.1f}" y="{top - 14}" text-anchor="middle" class="axis">{year}</text>')
    for i, (d, label, text) in enumerate(timeline):
        y = top + i * row + row / 2
        out.append(
            f'<text x="{label_width}" y="{y + 4:.1f}" text-anchor="end">{_e(_short(label))}</text>'
            f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="#eee"/>'
            f'<circle cx="{x(d):.1f}" cy="{y:.1f}" r="5" fill="{TYPE_COLORS[EVENT]}"><title>{_e(label)} {_e(text)}</title></circle>'
            f'<text x="{x(d) + 8:.1f}" y="{y + 4:.1f}" class="axis">{_e(text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


#: Column headings of the scores, and what each score means, in one line (the catalogue's
#: ``score.*`` texts).
SCORE_HEADINGS: Mapping[str, str] = MappingProxyType({
    "name": ui("score.name"), "aliases": ui("score.aliases"), "pagerank": ui("score.pagerank"),
    "degree": ui("score.degree"), "betweenness": ui("score.betweenness"), "community": ui("score.community"),
    "mentions": ui("score.mentions"),
})
SCORE_HELP: Mapping[str, str] = MappingProxyType({
    "pagerank": ui("score.help.pagerank"),
    "degree": ui("score.help.degree"),
    "betweenness": ui("score.help.betweenness"),
    "community": ui("score.help.community"),
    "mentions": ui("score.help.mentions"),
})


def score_help() -> str:
    """One line per score saying what it means (a definition list)."""
    items = "".join(f"<dt>{_e(SCORE_HEADINGS[k])}</dt><dd>{_e(v)}</dd>" for k, v in SCORE_HELP.items())
    return f'<dl class="help">{items}</dl>'


def score_basis(a: Analysis) -> str:
    """How the scores were computed: the weights, the place hierarchy left out, the seed."""
    return ui("report.score_basis", relation=RELATION_WEIGHT, sentence=SENTENCE_WEIGHT, paragraph=PARAGRAPH_WEIGHT,
              article=ARTICLE_WEIGHT, hierarchy=RELATION_LABELS.get(HIERARCHY, HIERARCHY), seed=a.seed)


def _participant_roles() -> frozenset[str]:
    """The predicates that name an event's participants (kgo:participant and what refines it)."""
    from kg.ns import KGO

    roles = {p.name for p in schema().predicates if KGO.participant in p.refines or p.iri == KGO.participant}
    return frozenset(roles - {"organizer"})


def _event_rows(G: nx.MultiDiGraph, events: Sequence[tuple[dt.date, str, str, str]]) -> list[tuple[str, ...]]:
    """One row per event of the timeline: date, name, type, place, participants (with their roles)."""
    roles = _participant_roles()
    rows: list[tuple[str, ...]] = []
    for _when, label, text, v in events:
        places, people = [], []
        for _, o, k in G.out_edges(v, keys=True):
            name = G.nodes[o]["label"]
            if k == "locatedIn":
                places.append(name)
            elif k in roles or k == "organizer":
                people.append(f"{name}（{RELATION_LABELS.get(k, k)}）")
        for s, _, k in G.in_edges(v, keys=True):
            if k == "participatedIn":
                people.append(G.nodes[s]["label"])
        kind = G.nodes[v].get("kind", EVENT)
        kind_label = schema().event_type(kind).label_zh if schema().has_event_type(kind) else TYPE_LABELS[EVENT]
        rows.append((text, label, kind_label, "、".join(sorted(set(places))), "、".join(sorted(set(people)))))
    return rows


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], cls: str = "") -> str:
    """A table; every cell is written as ``str(cell)``, escaped here."""
    h = "".join(f"<th>{_e(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{_e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{_e(cls)}"><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>'


def render_report(analysis: Analysis, *, title: str | None = None, top: int = 10, communities: int = 20, members: int = 30) -> str:
    """The report page as a string (see `write_report`); ``title`` defaults to the catalogue's ``report.title``."""
    if title is None:
        title = ui("report.title")
    a, G = analysis, analysis.graph
    counts = a.counts_by_type()
    rel_counts: Counter[str] = Counter(d["relation"] for _, _, d in G.edges(data=True))
    typed = sum(n for r, n in rel_counts.items() if r != COMENTION)
    parts: list[str] = []
    add = parts.append

    add(f"<h1>{_e(title)}</h1>")
    summary = [
        (ui("report.summary.entities"), len(G)),
        (ui("report.summary.relations"), typed),
        (ui("report.summary.comentions"), rel_counts.get(COMENTION, 0)),
        (ui("report.summary.articles"), len(G.graph.get("articles", {}))),
        (ui("report.summary.components"), len(a.components)),
        (ui("report.summary.communities"), len(a.communities)),
    ]
    add('<ul class="summary">' + "".join(f"<li><b>{n:,}</b> {_e(k)}</li>" for k, n in summary) + "</ul>")
    add(f'<p class="muted">{_e(score_basis(a))}</p>')

    add(f"<h2>{_e(ui('report.types'))}</h2>")
    add(bar_chart([(f"{TYPE_LABELS[t]} {t}", counts.get(t, 0), TYPE_COLORS[t]) for t in ENTITY_TYPES], title=ui("report.types"), fmt="{:,.0f}"))
    add(_table([ui("report.column.type"), ui("report.column.count")], [(f"{TYPE_LABELS[t]}（{t}）", f"{counts.get(t, 0):,}") for t in ENTITY_TYPES]))
    if rel_counts:
        add(f"<h3>{_e(ui('report.relations'))}</h3>")
        add(_table([ui("report.column.relation"), ui("report.column.count")], [(f"{RELATION_LABELS.get(r, r)}（{r}）", f"{n:,}") for r, n in sorted(rel_counts.items(), key=lambda x: (-x[1], x[0]))]))

    best = a.top(15)
    if best:
        add(f"<h2>{_e(ui('report.central'))}</h2>")
        add(bar_chart([(a.label(v), a.scores[v].pagerank, TYPE_COLORS.get(G.nodes[v]["type"], "#999")) for v in best], title=ui("report.central"), fmt="{:.4f}"))

    add(f"<h2>{_e(ui('report.central_by_type'))}</h2>")
    add(score_help())
    for t in ENTITY_TYPES:
        nodes = a.top(top, type=t)
        if not nodes:
            continue
        add(f"<h3>{_e(TYPE_LABELS[t])}（{_e(t)}）</h3>")
        rows = []
        for v in nodes:
            s, d = a.scores[v], G.nodes[v]
            rows.append((d["label"], "、".join(d["aliases"][:5]), f"{s.pagerank:.4f}", f"{s.degree:.4f}", f"{s.betweenness:.4f}", s.community, s.mentions, len(d["articles"])))
        add(_table([*(SCORE_HEADINGS[k] for k in ("name", "aliases", "pagerank", "degree", "betweenness", "community", "mentions")), ui("report.column.articles")], rows, "scores"))

    multi = [c for c in a.communities if len(c) > 1]
    shown = multi[:communities]
    add(f"<h2>{_e(ui('report.communities', multi=len(multi), shown=len(shown)))}</h2>")
    for c in shown:
        idx = a.scores[c[0]].community
        ranked = sorted(c, key=lambda v: (-a.scores[v].pagerank, a.label(v), v))
        kinds = Counter(G.nodes[v]["type"] for v in c)
        mix = "，".join(f"{TYPE_LABELS[t]} {kinds[t]}" for t in ENTITY_TYPES if kinds.get(t))
        items = "".join(
            f'<li><span class="dot" style="background:{TYPE_COLORS.get(G.nodes[v]["type"], "#999")}"></span>{_e(a.label(v))}</li>' for v in ranked[:members]
        )
        more = f'<li class="muted">{_e(ui("report.community.more", n=len(c) - members))}</li>' if len(c) > members else ""
        add(f'<section class="community"><h3>{_e(ui("report.community", index=idx, size=len(c)))}</h3><p class="muted">{_e(mix)}</p><ul class="members">{items}{more}</ul></section>')

    dated = []
    for v, d in G.nodes(data=True):
        if d["type"] != EVENT:
            continue
        when = _parse_date(d.get("date")) or _parse_date(d.get("dateText"))
        if when is not None:
            dated.append((when, d["label"], d.get("date") or d.get("dateText") or "", v))
    add(f"<h2>{_e(ui('report.timeline'))}</h2>")
    if dated:
        limit = 60
        dated.sort()
        if len(dated) > limit:
            add(f'<p class="muted">{_e(ui("report.timeline.limited", n=len(dated), shown=limit))}</p>')
        add(timeline_chart(dated[:limit]))
        head = [ui("report.column.date"), ui("report.column.event"), ui("report.column.type"), ui("report.column.place"),
                ui("report.column.participants")]
        add(_table(head, _event_rows(G, dated[:limit]), "events"))
    else:
        add(f'<p class="muted">{_e(ui("report.timeline.none"))}</p>')

    return _PAGE.replace("@@TITLE@@", _e(title)).replace("@@BODY@@", "\n".join(parts))


def write_report(
    graph: Analysis | rdflib.Graph | nx.MultiDiGraph,
    path: str | os.PathLike[str] = "exports/report.html",
    **options,
) -> Path:
    """Write the analysis report to ``path`` atomically; ``graph`` may be an `Analysis` or a graph to analyse.

    ``options`` go to `render_report` (``title``, ``top``, ``communities``, ``members``).
    """
    analysis = graph if isinstance(graph, Analysis) else analyze(graph)
    return write_atomic(path, render_report(analysis, **options))


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<style>
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; margin: 24px auto; max-width: 980px; padding: 0 16px; color: #222; }
h1 { font-size: 24px; } h2 { font-size: 19px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; } h3 { font-size: 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; } th { background: #f4f4f4; }
td { max-width: 320px; word-break: break-all; }
.summary { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 18px; }
.summary b { font-size: 20px; }
.muted { color: #777; font-size: 13px; }
svg.chart { display: block; font-size: 12px; margin: 8px 0; }
svg .axis { fill: #666; font-size: 11px; }
.members { columns: 3; list-style: none; padding: 0; }
.members li { break-inside: avoid; }
dl.help { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 13px; color: #555; }
dl.help dt { font-weight: bold; } dl.help dd { margin: 0; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 5px; }
</style>
</head>
<body>
@@BODY@@
</body>
</html>
"""
