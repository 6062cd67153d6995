"""Page layout: headlines, kickers, columns, bylines, continuation marks, column breaks → articles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.ingest.byline import parse_byline_line, parse_inline_byline, parse_trailing_credit
from kg.ingest.sentences import split_pieces
from kg.model import Article, Author, Sentence

__all__ = ["parse_page", "CONTINUATION"]

_WS = " \t\u3000\u00a0"
#: （下转第3版） （上接第1版） (转第2版) （紧接A1版）
CONTINUATION = re.compile(
    r"[（(][ \u3000]*(?:下转|上接|紧接|转|接|转自|续)[ \u3000]*第?[ \u3000]*[0-9０-９A-Za-z一二三四五六七八九十]{1,3}[ \u3000]*版[）)]")
_HEADING = re.compile(r"(#{1,6})[ \t\u3000]+(.*?)[ \t\u3000#]*$")
# a paragraph that ends with one of these may end there; anything else was cut by a column break
_PARA_END = "。！？!?…”’」』）)》：:；;.．—"
# a paragraph cannot begin with these: the previous one was cut
_NO_START = "，、。；：！？）”’」』,;:!?)"


@dataclass
class _Line:
    start: int  # content start (after indentation)
    end: int  # content end (before trailing spaces)
    heading: int = 0  # heading level, 0 for text
    title_start: int = 0
    title_end: int = 0


@dataclass
class _Item:
    kind: str  # "heading" | "text"
    lines: list[_Line]
    gap: int  # blank lines before


@dataclass
class _Draft:
    headings: list[tuple[int, str, int, int]] = field(default_factory=list)  # level, text, start, end
    authors: list[Author] = field(default_factory=list)
    byline_spans: list[tuple[int, int]] = field(default_factory=list)
    continuations: list[str] = field(default_factory=list)
    paragraphs: list[list[tuple[int, int]]] = field(default_factory=list)  # each: source pieces
    body_started: bool = False
    closed: bool = False  # a continuation mark ended it
    start: int | None = None
    end: int = 0

    def touch(self, a: int, b: int) -> None:
        self.start = a if self.start is None else min(self.start, a)
        self.end = max(self.end, b)


def _lines(text: str, begin: int) -> list[_Line | None]:
    """Content spans of each line from ``begin`` (None for blank lines)."""
    out: list[_Line | None] = []
    pos = begin
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        a, b = pos, nl
        while a < b and text[a] in _WS:
            a += 1
        while b > a and text[b - 1] in _WS:
            b -= 1
        if a == b:
            out.append(None)
        else:
            line = _Line(a, b)
            m = _HEADING.match(text, a, b) if text[a] == "#" else None
            if m:
                line.heading = len(m.group(1))
                line.title_start, line.title_end = m.start(2), m.end(2)
                if line.title_start == line.title_end:
                    line.heading = 0
            out.append(line)
        pos = nl + 1
    return out


def _items(lines: list[_Line | None]) -> list[_Item]:
    items: list[_Item] = []
    gap = 0
    prev_blank = True
    for line in lines:
        if line is None:
            gap += 1
            prev_blank = True
            continue
        kind = "heading" if line.heading else "text"
        if kind == "text" and not prev_blank and items and items[-1].kind == "text":
            items[-1].lines.append(line)
        else:
            items.append(_Item(kind, [line], gap))
        gap = 0
        prev_blank = False
    return items


def _strip_marks(text: str, a: int, b: int, draft: _Draft) -> list[tuple[int, int]]:
    """Spans of ``[a, b)`` without continuation marks (recorded on ``draft``)."""
    spans = []
    pos = a
    for m in CONTINUATION.finditer(text, a, b):
        draft.continuations.append(m.group())
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
        if text[m.start():m.end()].find("下转") >= 0 or text[m.start() + 1:m.start() + 2] == "转":
            draft.closed = True
    if pos < b:
        spans.append((pos, b))
    return [(x, _rstrip(text, x, y)) for x, y in spans if _rstrip(text, x, y) > x]


def _rstrip(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1] in _WS:
        b -= 1
    return b


def _lstrip(text: str, a: int, b: int) -> int:
    while a < b and text[a] in _WS:
        a += 1
    return a


def parse_page(text: str, begin: int, document: str, doc_key: str) -> list[Article]:
    """Split the page ``text[begin:]`` into articles.

    ``document`` is the source path recorded on each article; ``doc_key`` prefixes article ids.

    Examples
    --------
    >>> page = ("## 某市举办职工技能大赛\\n\\n本报记者 林晓峰\\n\\n5月8日，大赛开幕。选手们说：“我们准备好了。”\\n\\n"
    ...         "## 另一条新闻\\n\\n本报讯（记者孙立）会议召开，部署相\\n\\n关工作。（下转第2版）\\n")
    >>> arts = parse_page(page, 0, "p.md", "k")
    >>> [(a.title, [x.name for x in a.authors], [s.text for s in a.body]) for a in arts]
    [('某市举办职工技能大赛', ['林晓峰'], ['5月8日，大赛开幕。', '选手们说：“我们准备好了。”']), ('另一条新闻', ['孙立'], ['会议召开，部署相关工作。'])]
    >>> arts[1].continuations
    ('（下转第2版）',)
    """
    items = _items(_lines(text, begin))
    drafts: list[_Draft] = []
    cur: _Draft | None = None
    pending_join = False  # last paragraph was cut by a column break

    def new() -> _Draft:
        nonlocal pending_join
        draft = _Draft()
        drafts.append(draft)
        pending_join = False
        return draft

    for idx, item in enumerate(items):
        nxt = items[idx + 1] if idx + 1 < len(items) else None
        if item.kind == "heading":
            line = item.lines[0]
            level, htext = line.heading, text[line.title_start:line.title_end]
            entry = (level, htext, line.title_start, line.title_end)
            if cur is not None and not cur.body_started and cur.headings and not cur.authors:
                cur.headings.append(entry)
            elif cur is not None and not cur.body_started and not cur.headings and cur.authors:
                cur.headings.append(entry)
            elif level <= 2 or cur is None or item.gap >= 2 or cur.closed or (
                    nxt is not None and nxt.kind == "text" and _starts_with_byline(text, nxt)):
                cur = new()
                cur.headings.append(entry)
            else:
                # a section heading inside the body: its own paragraph
                cur.paragraphs.append([(line.title_start, line.title_end)])
                pending_join = False
            cur.touch(line.start, line.end)
            continue
        # text item
        for li, line in enumerate(item.lines):
            a, b = line.start, line.end
            seg = text[a:b]
            authors = parse_byline_line(seg, a)
            if authors:
                photo_only = all(x.role == "摄影" for x in authors)
                if cur is None or (cur.body_started and not photo_only) or (cur.closed and not photo_only):
                    cur = new()
                cur.authors.extend(authors)
                cur.byline_spans.append((a, b))
                cur.touch(a, b)
                continue
            if cur is None or (cur.closed and not pending_join):
                cur = new()
            inline = parse_inline_byline(seg, a)
            if inline and not cur.body_started:
                cur.authors.extend(inline[0])
                cur.byline_spans.append((a, inline[1]))
                a = _lstrip(text, inline[1], b)
            trailing = parse_trailing_credit(text[a:b], a)
            if trailing:
                cur.authors.extend(trailing[0])
                cur.byline_spans.append((trailing[1], b))
                b = _rstrip(text, a, trailing[1])
            cur.touch(line.start, line.end)
            if a >= b:
                continue
            spans = _strip_marks(text, a, b, cur)
            if not spans:
                continue
            cont = li == 0 and pending_join and item.gap == 1 and cur.paragraphs
            starts_cut = text[spans[0][0]] in _NO_START and cur.paragraphs and li == 0
            if cont or starts_cut:
                cur.paragraphs[-1].extend(spans)
            elif li > 0 and cur.paragraphs and not _ends_sentence(text, cur.paragraphs[-1]) and not (
                    text[line.start - 3:line.start - 1] == "  "):
                # soft-wrapped line inside a paragraph
                cur.paragraphs[-1].extend(spans)
            else:
                cur.paragraphs.append(list(spans))
            cur.body_started = True
            pending_join = not _ends_sentence(text, cur.paragraphs[-1]) and not cur.closed
    return _finish(text, drafts, document, doc_key)


def _starts_with_byline(text: str, item: _Item) -> bool:
    line = item.lines[0]
    seg = text[line.start:line.end]
    return bool(parse_byline_line(seg) or parse_inline_byline(seg))


def _ends_sentence(text: str, pieces: list[tuple[int, int]]) -> bool:
    a, b = pieces[-1]
    return b > a and text[b - 1] in _PARA_END


def _split_heading_groups(drafts: list[_Draft]) -> None:
    """Move a headline printed after its article's body back onto that article.

    A heading group holding two top-level headings in a row (no body between) begins with an
    orphan: when an earlier article of the page has no headline, the orphan is its headline.
    """
    for i, d in enumerate(drafts):
        if len(d.headings) < 2:
            continue
        top = min(h[0] for h in d.headings)
        tops = [k for k, h in enumerate(d.headings) if h[0] == top]
        if top > 2 or len(tops) < 2 or tops[0] != 0:
            continue
        # the group's own headline is the last top-level one; the ones before it are orphans
        orphans = d.headings[: tops[-1]]
        target = next((x for x in reversed(drafts[:i]) if not x.headings and x.body_started), None)
        if target is None:
            continue
        target.headings.extend(orphans)
        d.headings = d.headings[tops[-1]:]


def _finish(text: str, drafts: list[_Draft], document: str, doc_key: str) -> list[Article]:
    _split_heading_groups(drafts)
    h3_counts: dict[str, int] = {}
    for d in drafts:
        for level, htext, _, _ in d.headings:
            if level >= 3:
                h3_counts[htext] = h3_counts.get(htext, 0) + 1
    articles: list[Article] = []
    for d in drafts:
        if not d.paragraphs and not d.headings:
            continue
        title = None
        alts: list[str] = []
        column = None
        if d.headings:
            top = min(h[0] for h in d.headings)
            main = next(h for h in d.headings if h[0] == top)
            title = main[1]
            for h in d.headings:
                if h is main:
                    continue
                alts.append(h[1])
                if column is None and h[0] >= 3 and (h3_counts[h[1]] > 1 or _looks_like_column(h[1])):
                    column = h[1]
        idx = len(articles)
        art_id = f"{doc_key}-{idx}"
        sentences: list[Sentence] = []
        paragraphs: list[tuple[int, int]] = []
        for pieces in d.paragraphs:
            paragraphs.append((pieces[0][0], pieces[-1][1]))
            for spans in split_pieces(text, pieces):
                s_text = "".join(text[x:y] for x, y in spans)
                sentences.append(Sentence(document, art_id, len(sentences), spans[0][0], spans[-1][1],
                                          s_text, tuple(spans)))
        for _level, htext, hs, he in d.headings:
            kind = "headline" if htext == title else "subtitle"
            sentences.append(Sentence(document, art_id, len(sentences), hs, he, htext, ((hs, he),), kind))
        for bs, be in d.byline_spans:
            bs = _lstrip(text, bs, be)
            be = _rstrip(text, bs, be)
            if be > bs:
                sentences.append(Sentence(document, art_id, len(sentences), bs, be, text[bs:be], ((bs, be),),
                                          "byline"))
        starts = [h[2] for h in d.headings] + ([d.start] if d.start is not None else [])
        ends = [h[3] for h in d.headings] + [d.end]
        articles.append(Article(
            id=art_id, document=document, index=idx, title=title,
            start=min(starts), end=max(ends), alt_titles=tuple(alts), column=column,
            authors=tuple(_dedupe_authors(d.authors)), continuations=tuple(d.continuations),
            paragraphs=tuple(paragraphs), sentences=tuple(sentences)))
    return articles


def _looks_like_column(h: str) -> bool:
    """A short label without sentence punctuation (娘家人暖心事, 深化改革进行时) reads as a column name."""
    core = re.sub(r"[“”‘’\"']", "", h)
    return len(core) <= 8 and not re.search(r"[，。：:；！？,!?、]", h)


def _dedupe_authors(authors: list[Author]) -> list[Author]:
    seen: set[tuple[str, str]] = set()
    out = []
    for a in authors:
        if (a.name, a.role) not in seen:
            seen.add((a.name, a.role))
            out.append(a)
    return out
