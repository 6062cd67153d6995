"""Merge the mentions of several components into one consistent set."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kg.confidence import MIN_CONFIDENCE, MODEL_FLOOR, NESTED_INNER_MIN, SURE_MODEL_SPAN, UNSUPPORTED
from kg.extract.lexicon import chars, entries, longest_first, table, words
from kg.extract.registry import is_statistical
from kg.model import Mention
from kg.schema import EVENT, ORGANIZATION, PERSON, PLACE, PROGRAM

__all__ = ["combine", "NAME_TYPES", "MIN_CONFIDENCE"]

#: Types that compete for the same characters: a character belongs to at most one name.
NAME_TYPES = (PERSON, ORGANIZATION, PLACE)
#: Time expressions, a mention type of their own (no entity type of the schema): chosen among themselves.
_TIME = "Time"
_MEDIA = entries("media_suffixes.txt")
_GENERIC_BODIES = words("generic_bodies.txt")
_MEETINGS = entries("meeting_words.txt")
_LEVEL_NAMES = words("level_names.txt")
#: An anonymised name (某公司, 某某): no name at all.
_ANONYMOUS = "某"
#: A demonstrative before a name (该公司, 该县商会): an anaphor, or no part of the name.
_THIS = "该"


#: What no name runs across: list and clause marks, and markup (<b>, a stray < or >). A name the
#: model read over one (北京大学、清华大学, <b>某某公司) is split there.
_NAME_BREAKS = re.compile(r"[、，,；;。！？!?：:]|<[^<>]{0,40}>|[<>]")


def _split_at_punctuation(m: Mention) -> list[Mention]:
    """A name that runs across a list or clause mark or markup becomes its parts (each of two or
    more characters); other mentions are returned as they are.

    Examples
    --------
    >>> [m.text for m in _split_at_punctuation(Mention("北京大学、清华大学", "Organization", 0, 9, 0.9, "ner"))]
    ['北京大学', '清华大学']
    >>> [(m.text, m.start) for m in _split_at_punctuation(Mention("<b>北京大学", "Organization", 4, 11, 0.9, "ner"))]
    [('北京大学', 7)]
    """
    if m.type not in NAME_TYPES or not _NAME_BREAKS.search(m.text):
        return [m]
    out = []
    start = 0
    for brk in [*_NAME_BREAKS.finditer(m.text), None]:
        end = brk.start() if brk else len(m.text)
        piece = m.text[start:end]
        part = piece.strip()
        if len(part) >= 2:
            a = m.start + start + len(piece) - len(piece.lstrip())
            out.append(Mention(part, m.type, a, a + len(part), m.confidence, m.component))
        start = brk.end() if brk else len(m.text)
    return out


def _weakened(m: Mention) -> Mention:
    """``m`` with at most :data:`~kg.confidence.UNSUPPORTED` confidence: it needs another component."""
    return Mention(m.text, m.type, m.start, m.end, min(m.confidence, UNSUPPORTED), m.component)


def _dropped_in_context(m: Mention, text: str, strict: bool) -> bool:
    """A name that its context shows is none: a work's title, an unnamed or generic body, an anaphor."""
    if strict and m.start > 0 and m.end < len(text) and text[m.start - 1] == "《" and text[m.end] == "》" \
            and not (m.type == ORGANIZATION and m.text.endswith(_MEDIA)):
        return True  # the title of a work, not a name (a newspaper in 《》 is one)
    if m.start > 0 and text[m.start - 1] == _ANONYMOUS:
        return True  # 某服饰公司: an unnamed one
    if m.type == ORGANIZATION and m.text in _GENERIC_BODIES:
        return True  # 工会, 公司: a kind of body, not a name
    # 该公司: an anaphor, not a name
    return m.start > 0 and text[m.start - 1] == _THIS and m.text[0] not in chars("anaphor_levels")


@lru_cache(maxsize=1)
def _title_splits() -> dict[str, tuple[tuple[str, str, int], ...]]:
    """Each way a title splits in two (``head``, ``tail``, ``len(head)``), by the first character
    of its tail; the titles longest first (then alphabetically), so the first that fits is
    always the same one (a set's order changes from one process to the next)."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for t in longest_first("titles.txt"):
        for k in range(1, len(t)):
            out.setdefault(t[k], []).append((t[:k], t[k:], k))
    return {c: tuple(v) for c, v in out.items()}


def _cut_before_title(m: Mention, text: str) -> Mention | None:
    """某某总工会党组 + 成员: the organization cut where it runs into a title, or None.

    Examples
    --------
    >>> m = Mention("海河市总工会党组", ORGANIZATION, 0, 8, 0.9, "ner")
    >>> _cut_before_title(m, "海河市总工会党组成员林晓峰").text
    '海河市总工会'
    """
    from kg.extract.phrases import match_suffix

    if m.end >= len(text):
        return None  # no title follows
    for head, tail, k in _title_splits().get(text[m.end], ()):
        if m.text.endswith(head) and text.startswith(tail, m.end) and len(m.text) - k >= 3:
                cut = m.end - k
                if match_suffix(m.text, "org_suffixes.txt") and not match_suffix(
                        text[m.start:cut], "org_suffixes.txt"):
                    continue  # 某国国防部 + 部长 (国防部长): the body keeps its 部
                return Mention(text[m.start:cut], m.type, m.start, cut, m.confidence, m.component)
    return None


def _organization_unsupported(m: Mention, text: str) -> bool:
    """A model's organization with no name and no body word in it, or that is a meeting, or too long."""
    from kg.extract.phrases import match_suffix, tokens_of

    inside = [t for t in tokens_of(text) if m.start <= t.start and t.end <= m.end]
    if any(q in m.text for q in "“”‘’\"") or (not match_suffix(m.text, "org_suffixes.txt") and not any(
            t.tag in ("ns", "nt", "nr", "nrt", "j", "eng", "") for t in inside)):
        # 齐鲁某某”A: a span across a quote; 车间休息室: no name and no body word — not in the graph
        return True
    if m.text.endswith(_MEETINGS) and not match_suffix(m.text, "org_suffixes.txt"):
        # 某会第十次会员代表大会: in the graph a meeting is an event, not a body
        return True
    # a long span the model could not end on an organization word: weak unless confirmed
    return not match_suffix(m.text, "org_suffixes.txt") and m.confidence < SURE_MODEL_SPAN and len(m.text) > 8


def _person_unsupported(m: Mention, strict: bool) -> bool:
    """黄金周, 法律援助: a model's person that is a dictionary word, no name."""
    from kg.extract.tokens import pos

    tag = pos(m.text)
    return tag in ("n", "v", "vn", "a", "ad", "an", "d", "l", "i") or (
        strict and tag == "nr" and len(m.text) == 4 and "·" not in m.text)


def _place_unsupported(m: Mention) -> bool:
    """A model's place that no gazetteer entry or site word supports."""
    from kg.extract.phrases import match_suffix
    from kg.gazetteer import gazetteer

    return not gazetteer().is_place(m.text) and not match_suffix(m.text, "place_suffixes.txt")


def _unsupported(m: Mention, text: str | None, strict: bool) -> bool:
    """Does statistical ``m`` need another component's support (see :func:`_weakened`)?"""
    if m.type == ORGANIZATION:
        return strict and text is not None and _organization_unsupported(m, text)
    if m.type == PERSON:
        return len(m.text) >= 2 and _person_unsupported(m, strict)
    return strict and _place_unsupported(m)


def _plausible(m: Mention, text: str | None, strict: bool) -> Mention | None:
    """Sanity checks every component's names must pass; returns the mention (maybe weakened) or None.

    ``strict`` (graph building) also drops one-character names, except a model's country
    abbreviations (中, 美: ``country_abbr.tsv``), which resolve to the country, and weakens
    statistical places that no gazetteer or site word supports.
    """
    if m.type not in NAME_TYPES:
        return m if len(m.text) >= 2 else None
    model = is_statistical(m.component)
    if m.type != PERSON and len(m.text) > 2 and m.text[0] == _THIS:
        # 该县商会…: the demonstrative is no part of the name (the rest is a reference to resolve)
        m = Mention(m.text[1:], m.type, m.start + 1, m.end, m.confidence, m.component)
    if len(m.text) < 2 and strict and model and m.type == PLACE and m.text in table("country_abbr.tsv"):
        return m  # 中, 美 in 中美关系: the graph reads them as the country they stand for
    if _ANONYMOUS in m.text or (len(m.text) < 2 and (strict or (m.type == ORGANIZATION and not model))):
        return None  # an anonymised 某公司, or a single character
    if text is not None:
        if _dropped_in_context(m, text, strict):
            return None
        if m.type == ORGANIZATION and (cut := _cut_before_title(m, text)) is not None:
            return cut
    if model and _unsupported(m, text, strict):
        return _weakened(m)
    return m


def _model_led(mentions: Iterable[Mention]) -> list[Mention]:
    """Only the rules' names that agree with the model's matter (they confirm it): the others are
    not checked at all."""
    mentions = list(mentions)
    model_spans = {(m.start, m.end, m.type) for m in mentions if is_statistical(m.component)}
    return [m for m in mentions if m.type not in NAME_TYPES or is_statistical(m.component)
            or (m.start, m.end, m.type) in model_spans]


def _merge_agreeing(ms: list[Mention]) -> dict[tuple[int, int, str], Mention]:
    """One mention per span and type; agreeing components combine as independent evidence."""
    merged: dict[tuple[int, int, str], Mention] = {}
    for m in ms:
        key = (m.start, m.end, m.type)
        if key in merged:
            old = merged[key]
            # independent evidence: 1 - (1-a)(1-b)
            conf = round(1 - (1 - old.confidence) * (1 - m.confidence), 3)
            comps = "+".join(sorted(set(old.component.split("+")) | {m.component}))
            merged[key] = Mention(old.text, old.type, old.start, old.end, conf, comps)
        else:
            merged[key] = m
    return merged


def _confident(m: Mention, nested: bool) -> bool:
    """Confident enough alone; in a mention list a model's name needs only :data:`MODEL_FLOOR`."""
    return m.confidence >= MIN_CONFIDENCE or (not nested and is_statistical(m.component) and m.type in NAME_TYPES
                                              and m.confidence >= MODEL_FLOOR)


def _not_program_names(cands: list[Mention], text: str) -> list[Mention]:
    """A quoted name that is the name of a program (“某某”APP) is not also an organization, unless it
    reads as one (“某某学院”培养计划)."""
    from kg.extract.phrases import match_suffix

    programs = [m for m in cands if m.type == PROGRAM]
    if not programs:
        return cands
    return [m for m in cands if m.type not in NAME_TYPES or match_suffix(m.text, "org_suffixes.txt")
            or m.type == PLACE or not any(
        p.start <= m.start - 1 and m.end + 1 <= p.end and text[m.start - 1] in "“‘" and text[m.end] in "”’"
        for p in programs)]


def _choose(cands: list[Mention], nested: bool) -> list[Mention]:
    """The chosen mentions, layer by layer: names, programs, events, times (each among themselves)."""
    out: list[Mention] = []
    for layer in (NAME_TYPES, (PROGRAM,), (EVENT,), (_TIME,)):
        pool = [m for m in cands if m.type in layer]
        chosen = _select(pool, model_first=not nested and layer == NAME_TYPES)
        out.extend(chosen)
        if nested and layer == (PROGRAM,):
            # a law named inside a law's title: 《某省实施〈某某法〉办法》
            out.extend(m for m in pool if m not in chosen and m.text[:1] in "〈《" and any(
                c.start < m.start and m.end < c.end for c in chosen))
        if nested and layer == NAME_TYPES:
            inner = [m for m in pool if m not in chosen and m.type in (ORGANIZATION, PLACE)
                     and m.confidence >= NESTED_INNER_MIN
                     and any(_inner_name(m, c) for c in chosen)]
            out.extend(inner)
    out.extend(m for m in cands if m.type not in NAME_TYPES + (PROGRAM, EVENT, _TIME))
    return out


def combine(mentions: Iterable[Mention], nested: bool = False, text: str | None = None,
            model_names_only: bool = False) -> list[Mention]:
    """Resolve overlaps and conflicts between components' mentions.

    * Mentions several components agree on (same span and type) get a higher confidence.
    * Weak mentions (confidence below :data:`MIN_CONFIDENCE`) are dropped unless confirmed.
    * Among Person / Organization / Place the whole name wins over its pieces (海河市总工会 over
      海河市) and, for crossing spans, the longer and more confident one wins. Programs and events
      are chosen among themselves, so the names inside them survive.
    * With ``nested=True`` organizations and places inside a chosen name are kept too (for the
      graph: 某市统计局 inside 某市统计局某调查总队 becomes its parent organization).
    * With ``model_names_only=True`` (a mention list made with a statistical model) a Person /
      Organization / Place only a rule found is left out: on every development set the rules'
      extra names were mostly wrong (曾任公司, 三是常委会: 56 wrong to 8 right on the MSRA,
      Weibo and Resume dev sets), while the graph (``nested``) keeps them, checked and resolved.

    Examples
    --------
    >>> ms = [Mention("杭州市", "Place", 0, 3, 0.9, "a"), Mention("杭州市总工会", "Organization", 0, 6, 0.85, "b"),
    ...       Mention("杭州市总工会", "Organization", 0, 6, 0.7, "crf")]
    >>> [(m.text, m.type, m.confidence) for m in combine(ms)]
    [('杭州市总工会', 'Organization', 0.955)]
    >>> [m.text for m in combine(ms, nested=True)]
    ['杭州市', '杭州市总工会']
    """
    model_leads = model_names_only and not nested
    if model_leads:
        mentions = _model_led(mentions)
    ms = [x for x in (_plausible(m, text, nested) for part in mentions for m in _split_at_punctuation(part))
          if x is not None]
    merged = _merge_agreeing(ms)
    # in a mention list the statistical model's own decisions stand; the graph wants confidence
    if model_leads:
        merged = {k: m for k, m in merged.items() if m.type not in NAME_TYPES or is_statistical(m.component)}
    cands = [m for m in merged.values() if m.end > m.start and _confident(m, nested)]
    if text is not None and not model_leads:  # it only drops rules' names
        cands = _trim_common_prefixes(cands, text)
    if text is not None:
        cands = _not_program_names(cands, text)
    return sorted(_choose(cands, nested), key=lambda m: (m.start, m.end, m.type))


def _trim_common_prefixes(cands: list[Mention], text: str) -> list[Mention]:
    """Drop a rule's name that only adds common words to a name the model found (时期 + 某某协会).

    The whole name wins when what it adds is a name itself (a place, a proper noun): 某某市 +
    某某协会. When the extra words are ordinary (利用, 学府, 所有), the shorter name is the name.
    """
    from kg.extract.phrases import tokens_of
    from kg.gazetteer import gazetteer

    models = [m for m in cands if is_statistical(m.component)]
    if not models:
        return cands
    toks = tokens_of(text)
    drop: set[int] = set()
    for r in cands:
        if is_statistical(r.component) or r.type not in (ORGANIZATION, PLACE):
            continue
        for c in models:
            if c.type == r.type and c.end == r.end and c.start > r.start:
                extra = [t for t in toks if r.start <= t.start and t.end <= c.start]
                head = text[r.start:c.start]
                proper = gazetteer().is_place(head) or head in _LEVEL_NAMES or any(
                    t.tag in ("ns", "nt", "nz", "nr", "nrt", "j") or gazetteer().is_place(t.word) for t in extra)
                if not proper:
                    drop.add(id(r))
    return [m for m in cands if id(m) not in drop]


def _inner_name(m: Mention, outer: Mention) -> bool:
    """Is ``m`` a name of its own inside ``outer`` (a place in an organization's name, a parent body)?"""
    from kg.extract.phrases import match_suffix

    if not (outer.start <= m.start and m.end <= outer.end) or (m.start, m.end) == (outer.start, outer.end):
        return False
    if outer.type not in (ORGANIZATION, PLACE):
        return False
    if m.type == PLACE:
        # a division named inside a name: countries, provinces, cities, and districts written in full
        from kg.gazetteer import gazetteer

        levels = {d.level for d in gazetteer().lookup(m.text)}
        return bool(levels & {"country", "province", "city", "foreign"}) or (
            "district" in levels and m.text[-1] in chars("district_ends"))
    rest = outer.text[m.end - outer.start:]
    if outer.type == PLACE:
        return m.start == outer.start and len(rest) >= 2  # 某某站 + 国际集装箱场: the body a site belongs to
    # an organization inside an organization: the rest must be a body of its own (某局 + 某调查总队)
    core = rest
    while (suf := match_suffix(core, "org_suffixes.txt")) and len(suf) < len(core):
        core = core[: -len(suf)]
    if core != rest and match_suffix(core, "org_suffixes.txt") == core:
        return False  # 某某局 + 集团有限公司: legal-form words, not a body of its own
    return m.start == outer.start and core != rest and len(core) >= 2


def _select(pool: list[Mention], model_first: bool = False) -> list[Mention]:
    # the whole name wins over its pieces: longest first, then most confident; deterministic ties
    # on the very same span a rule's type beats the statistical model's (某某酒店 is a Place).
    # With model_first (a mention list), the model's spans come first and rules fill the gaps.
    def key(m: Mention) -> tuple:
        model = is_statistical(m.component)
        return ((not model) if model_first else 0, -(m.end - m.start), is_statistical(m.component), -m.confidence,
                m.start, m.type)

    # on the very same span a rule's type beats the model's in the graph (某某酒店 is a Place);
    # in a mention list the model's type stands (news NER corpora follow their own conventions)
    if model_first:
        model_spans = {(m.start, m.end) for m in pool if is_statistical(m.component)}
        pool = [m for m in pool if is_statistical(m.component) or (m.start, m.end) not in model_spans]
    else:
        rule_spans = {(m.start, m.end) for m in pool if not is_statistical(m.component)}
        pool = [m for m in pool if not is_statistical(m.component) or (m.start, m.end) not in rule_spans]
    order = sorted(pool, key=key)
    taken: list[Mention] = []
    for m in order:
        if all(m.end <= t.start or t.end <= m.start for t in taken):
            taken.append(m)
    return taken
