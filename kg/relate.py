"""Facts between entities: bylines, titles and employers, parent bodies, places, programs and events.

Every fact carries the sentence that states it, a confidence and the rule that produced it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from kg.dates import find_dates
from kg.extract.events import event_kind
from kg.extract.lexicon import longest_first
from kg.extract.phrases import is_cjk, is_nounish, tokens_of
from kg.gazetteer import gazetteer
from kg.ingest.simplify import model_text
from kg.model import Article, Document, Entity, Evidence, Relation, Sentence
from kg.resolve import strip_places

__all__ = ["relations_for", "Spot"]

_CLAUSE_END = "，。；：！？,;:!?（）()"
_HONOUR_ENDS = ("劳动模范", "劳模", "工匠", "先进工作者", "获得者", "标兵", "能手", "之星")
_IMPLEMENT = ("建立", "建立起", "推出", "打造", "实施", "开通", "构建", "构建起", "推行", "推广", "启动", "设立", "开设",
              "建设", "创建", "开展", "锚定", "秉持", "坚持", "实现", "通过", "依托", "形成", "上线", "落实", "细化落实",
              "出台", "制定", "发布", "探索出", "组建", "联合", "创新")
_ORGANIZE = ("组织", "举办", "主办", "承办", "召开", "举行", "发起")
_AWARD = ("荣获", "获得", "获评", "被评为", "被授予", "授予", "当选")


@dataclass(frozen=True)
class Spot:
    """An entity mention placed in a sentence's text (offsets into ``Sentence.text``)."""

    start: int
    end: int
    key: str
    type: str
    evidence: Evidence


def _text_offsets(s: Sentence) -> dict[int, int]:
    """Document offset → offset in the sentence text (for the start and end of every piece)."""
    out: dict[int, int] = {}
    k = 0
    for a, b in s.pieces:
        for i in range(a, b):
            out[i] = k
            k += 1
        out[b] = k
    return out


def _spots(articles: list[Article], entities: Iterable[Entity]) -> dict[tuple[str, int], list[Spot]]:
    by_art = {a.id: a for a in articles}
    maps: dict[tuple[str, int], dict[int, int]] = {}
    out: dict[tuple[str, int], list[Spot]] = defaultdict(list)
    for e in entities:
        for ev in e.mentions:
            art = by_art.get(ev.article)
            if art is None:
                continue
            key = (ev.article, ev.sentence)
            if key not in maps:
                maps[key] = _text_offsets(art.sentences[ev.sentence])
            m = maps[key]
            if ev.start in m and ev.end in m:
                out[key].append(Spot(m[ev.start], m[ev.end], e.key, e.type, ev))
    for v in out.values():
        v.sort(key=lambda s: (s.start, -s.end, s.type))
    return out


class _Facts:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str, bool], Relation] = {}

    def add(self, s: str, p: str, o: str, ev: Evidence | None, conf: float, comp: str, literal: bool = False) -> None:
        if s == o and not literal:
            return
        k = (s, p, o, literal)
        old = self.items.get(k)
        evs = (ev,) if ev is not None else ()
        if old is None:
            self.items[k] = Relation(s, p, o, evs, conf, comp, literal)
        else:
            merged = tuple(sorted(set(old.evidence) | set(evs), key=lambda e: (e.article, e.sentence, e.start)))
            comps = "+".join(sorted(set(old.component.split("+")) | {comp}))
            self.items[k] = Relation(s, p, o, merged, max(old.confidence, conf), comps, literal)


def _sentence_evidence(art: Article, s: Sentence, doc_text: str) -> Evidence:
    return Evidence(art.document, art.id, s.index, s.start, s.end, doc_text[s.start:s.end])


def _title_segment(text: str, end: int, floor: int, stops: frozenset[int] = frozenset()) -> tuple[int, str] | None:
    """The title phrase that ends at ``end`` (车间主任, 法律援助律师, “大国工匠”): ``(start, title)``."""
    titles = longest_first("titles.txt")
    seg_end = end
    if seg_end > floor and text[seg_end - 1] in "”’":
        seg_end -= 1
    hit = next((t for t in titles if text.endswith(t, floor, seg_end)), None)
    if hit is None:
        return None
    start = seg_end - len(hit)
    # extend left over the noun-like words that modify the title (法律援助律师, 青年技工, 省劳动模范),
    # never over a verb (邀请工程师) or into another name
    toks = tokens_of(text)
    while start > floor and start not in stops:
        prev = next((t for t in toks if t.start < start <= t.end), None)
        if prev is None or not is_cjk(text[start - 1]) or text[start - 1] in "的在和与及是将为由对向把被让给这那位":
            break
        lo = prev.start if prev.end == start else start - 1
        if prev.end == start and not is_nounish(prev) and prev.tag not in ("b", "a", "l"):
            break
        if seg_end - lo > 12 or lo < floor:
            break
        start = lo
    if start > floor and text[start - 1] in "“‘":
        start -= 1
    title = text[start:end].strip("“”‘’")
    return start, title


def relations_for(articles: Iterable[Article], documents: Iterable[Document],
                  entities: Iterable[Entity]) -> tuple[list[Relation], dict[str, tuple[tuple[str, str], ...]]]:
    """The facts the articles state, and attributes for events (``date``, ``dateText``, ``eventType``).

    Returns ``(relations, attributes by entity key)``.
    """
    arts = list(articles)
    docs = {d.path: d for d in documents}
    ents = list(entities)
    by_key = {e.key: e for e in ents}
    spots = _spots(arts, ents)
    facts = _Facts()
    attrs: dict[str, dict[str, str]] = defaultdict(dict)
    reads: dict[str, Callable[[str], str]] = {}
    for art in arts:
        doc = docs[art.document]
        _bylines(art, doc.text, facts)
        org_count: Counter[str] = Counter()
        for s in art.body:
            for sp in spots.get((art.id, s.index), []):
                if sp.type == "Organization":
                    org_count[sp.key] += 1
        main_org = org_count.most_common(1)[0][0] if org_count and org_count.most_common(1)[0][1] >= 2 else None
        pub = art.date or doc.date
        if art.document not in reads:
            reads[art.document] = model_text(doc)
        read = reads[art.document]
        for s in art.sentences:
            if s.kind == "byline":
                continue
            sp = spots.get((art.id, s.index), [])
            ev = _sentence_evidence(art, s, doc.text)
            text = read(s.text)  # traditional characters read as simplified, one for one
            _titles_and_employers(text, sp, ev, facts)
            _names_inside(sp, ev, facts)
            _implements(text, sp, ev, facts, main_org)
            _events(text, sp, ev, facts, attrs, pub, by_key)
            _awards(text, sp, ev, facts)
    _hierarchy(ents, facts)
    _name_structure(ents, facts)
    return sorted(facts.items.values(), key=lambda r: (r.subject, r.predicate, r.obj)), {
        k: tuple(sorted(v.items())) for k, v in attrs.items()}


def _bylines(art: Article, doc_text: str, facts: _Facts) -> None:
    bylines = [s for s in art.sentences if s.kind == "byline"]
    for au in art.authors:
        if au.start is None or au.end is None:  # not in the text: no evidence to point at
            continue
        start, end = au.start, au.end
        sent = next((s for s in bylines if s.start <= start and end <= s.end), None)
        if sent is None:
            continue
        ev = Evidence(art.document, art.id, sent.index, start, end, doc_text[start:end])
        facts.add(f"Person/{au.name}", "jobTitle", au.role, ev, 1.0, "byline", literal=True)


def _clause_floor(text: str, pos: int) -> int:
    k = pos
    while k > 0 and text[k - 1] not in _CLAUSE_END:
        k -= 1
    return k


def _titles_and_employers(text: str, sp: list[Spot], ev: Evidence, facts: _Facts) -> None:
    """ORG + titles + PERSON (某市总工会党组成员、财务审查委员会主任张三), ORG的TITLE X和Y, TITLE X."""
    persons = [x for x in sp if x.type == "Person"]
    orgs = [x for x in sp if x.type == "Organization"]
    for p in persons:
        floor = _clause_floor(text, p.start)
        # titles, right to left, separated by 、
        pos = p.start
        titles: list[str] = []
        employer: Spot | None = None
        subs: list[Spot] = []
        stops = frozenset(x.end for x in sp if x.type != "Person" and x.end <= p.start)
        while pos > floor:
            seg = _title_segment(text, pos, floor, stops)
            if seg is None:
                break
            start, title = seg
            before = [o for o in orgs if o.end == start or (o.end == start - 1 and text[o.end] == "的")]
            if before:
                o = max(before, key=lambda o: o.end - o.start)
                if o.start - 1 > floor and text[o.start - 1] == "、" and \
                        _title_segment(text, o.start - 1, floor, stops) is not None:
                    # 某会党组成员、财务审查委员会主任张三: a body of the employer named in a title
                    titles.append(text[o.start:pos].strip("“”"))
                    subs.append(o)
                    pos = o.start - 1
                    continue
                employer = o
                titles.append(title)
                break
            titles.append(title)
            pos = start
            if pos > floor and text[pos - 1] == "、" and _title_segment(text, pos - 1, floor, stops) is not None:
                pos -= 1  # 党组成员、副主席: another title of the same person
                continue
            break
        if employer is None and pos > floor:
            before = [o for o in orgs if o.end == pos or (o.end == pos - 1 and text[o.end] == "的")]
            if before and titles:
                employer = max(before, key=lambda o: o.end - o.start)
        if not titles:
            continue
        targets = [p] + _listed_after(text, p, persons)
        for person in targets:
            for t in titles:
                facts.add(person.key, "jobTitle", t, ev, 0.85, "title-rule", literal=True)
                if t.endswith(_HONOUR_ENDS):
                    facts.add(person.key, "honour", t, ev, 0.8, "title-rule", literal=True)
            if employer is not None:
                facts.add(person.key, "worksFor", employer.key, ev, 0.85, "title-rule")
                for sub in subs:
                    facts.add(person.key, "worksFor", sub.key, ev, 0.7, "title-rule")
        if employer is not None:
            for sub in subs:
                if sub.key != employer.key:
                    facts.add(sub.key, "subOrganizationOf", employer.key, ev, 0.75, "title-rule")


def _listed_after(text: str, p: Spot, persons: list[Spot]) -> list[Spot]:
    """Persons listed right after ``p`` (X、Y和Z): they share its title."""
    out = []
    cur = p
    while True:
        nxt = next((q for q in persons if q.start == cur.end + 1 and text[cur.end] in "、和与及"), None)
        if nxt is None:
            return out
        out.append(nxt)
        cur = nxt


def _names_inside(sp: list[Spot], ev: Evidence, facts: _Facts) -> None:
    """A place or body named inside an organization's or site's name: locatedIn / subOrganizationOf."""
    for outer in sp:
        if outer.type not in ("Organization", "Place", "Event"):
            continue
        inner = [x for x in sp if x is not outer and outer.start <= x.start and x.end <= outer.end
                 and (x.start, x.end) != (outer.start, outer.end)]
        places = [x for x in inner if x.type == "Place"]
        if places:
            # the most specific place: the last one, the longest among those ending last
            best = max(places, key=lambda x: (x.end, x.end - x.start))
            facts.add(outer.key, "locatedIn", best.key, ev, 0.8, "name-rule")
        if outer.type in ("Organization", "Place"):
            for x in inner:
                if x.type == "Organization" and x.start == outer.start and outer.type == "Organization":
                    facts.add(outer.key, "subOrganizationOf", x.key, ev, 0.8, "name-rule")
                elif x.type == "Organization" and x.start == outer.start:
                    facts.add(outer.key, "locatedIn", x.key, ev, 0.7, "name-rule")


def _implements(text: str, sp: list[Spot], ev: Evidence, facts: _Facts, main_org: str | None) -> None:
    programs = [x for x in sp if x.type == "Program"]
    orgs = [x for x in sp if x.type == "Organization"]
    for pr in programs:
        # the nearest organization before the program with an implementing verb in between
        subject = None
        for o in sorted((o for o in orgs if o.end <= pr.start), key=lambda o: -o.end):
            between = text[o.end:pr.start]
            if any(v in between for v in _IMPLEMENT) or ("将" in between and any(
                    v in text[pr.end:pr.end + 12] for v in _IMPLEMENT)):
                subject = o
                break
        if subject is not None:
            facts.add(subject.key, "implements", pr.key, ev, 0.75, "implements-rule")
            # partners: 某会将与某公司建立…, 联合某台打造…
            for o in orgs:
                if o is subject or o.end > pr.start:
                    continue
                first, second = (o, subject) if o.end <= subject.start else (subject, o)
                glue = text[first.end:second.start].strip()
                if re.fullmatch(r"将?(?:与|和|及|联合|同|会同)", glue):
                    facts.add(o.key, "implements", pr.key, ev, 0.7, "implements-rule")
            continue
        before = text[_clause_floor(text, pr.start):pr.start]
        if main_org and any(before.endswith(v) or v in before[-6:] for v in _IMPLEMENT) and not orgs:
            facts.add(main_org, "implements", pr.key, ev, 0.6, "implements-rule")


def _events(text: str, sp: list[Spot], ev: Evidence, facts: _Facts, attrs: dict[str, dict[str, str]],
            pub: str | None, by_key: dict[str, Entity]) -> None:
    events = [x for x in sp if x.type == "Event"]
    if not events:
        return
    dates = find_dates(text, pub)
    for e in events:
        kind = event_kind(by_key[e.key].label) if e.key in by_key else "Event"
        if kind != "Event":
            attrs[e.key].setdefault("eventType", kind)
        # date: the date phrase before the event in its sentence (or the sentence's first date)
        ds = [d for d in dates if d.end <= e.start] or dates[:1]
        if ds and "dateText" not in attrs[e.key]:
            d = ds[-1]
            attrs[e.key]["dateText"] = d.text
            if d.value:
                attrs[e.key]["date"] = d.value
                facts.add(e.key, "date", d.value, ev, 0.8, "event-rule", literal=True)
        inside = [x for x in sp if x is not e and e.start <= x.start and x.end <= e.end]
        for x in inside:
            if x.type == "Person":
                facts.add(x.key, "participatedIn", e.key, ev, 0.75, "event-rule")
            elif x.type == "Organization" and not text[:x.start].endswith("在"):  # 在某小学宣讲: the place
                role = "organizer" if kind == "Meeting" else None
                if role:
                    facts.add(e.key, "organizer", x.key, ev, 0.75, "event-rule")
                facts.add(x.key, "participatedIn", e.key, ev, 0.7, "event-rule")
        # 在X举行 / X在Y宣讲: the place
        places = [x for x in sp if x.type in ("Place", "Organization") and x.start >= e.start and
                  (x.end <= e.end or text[e.end:x.start].startswith("在"))]
        at = [x for x in places if x.start > 0 and text[:x.start].endswith("在")]
        at = [x for x in at if x.type == "Place"] or at
        # 在X召开某某会议: the place comes first
        at += [x for x in sp if x.type == "Place" and x.end <= e.start and text[:x.start].endswith("在")
               and text[x.end:e.start] in _ORGANIZE]
        if at:
            best = max(at, key=lambda x: (x.end - x.start))
            facts.add(e.key, "locatedIn", best.key, ev, 0.8, "event-rule")
        elif any(x.type == "Place" for x in inside):
            best = max((x for x in inside if x.type == "Place"), key=lambda x: (x.end, x.end - x.start))
            facts.add(e.key, "locatedIn", best.key, ev, 0.65, "event-rule")
        # ORG组织/举办/召开 EVENT: organizer (and participant)
        for o in (x for x in sp if x.type == "Organization" and x.end <= e.start):
            between = text[o.end:e.start]
            if len(between) <= 6 and any(between.startswith(v) or between.endswith(v) for v in _ORGANIZE):
                facts.add(e.key, "organizer", o.key, ev, 0.8, "event-rule")
                facts.add(o.key, "participatedIn", e.key, ev, 0.7, "event-rule")


def _awards(text: str, sp: list[Spot], ev: Evidence, facts: _Facts) -> None:
    """PERSON … 荣获 / 获评 PROGRAM: an honour."""
    for p in (x for x in sp if x.type == "Person"):
        for pr in (x for x in sp if x.type == "Program" and x.start > p.end):
            between = text[p.end:pr.start]
            if len(between) <= 12 and any(v in between for v in _AWARD) and not re.search(r"[，。；]", between):
                facts.add(p.key, "honour", pr.key, ev, 0.75, "award-rule")


def _hierarchy(ents: list[Entity], facts: _Facts) -> None:
    """Places inside places (海淀区 ⊂ 北京市), from the administrative divisions, when both are named."""
    g = gazetteer()
    places: dict[str, Entity] = {}
    for e in ents:
        if e.type == "Place":
            for n in (e.label, *e.aliases):
                places.setdefault(n, e)
    for e in ents:
        if e.type != "Place" or not e.mentions:
            continue
        divs = g.lookup(e.label)
        if not divs:
            continue
        for anc in g.ancestors(divs[0]):
            target = next((places[n] for n in anc.names if n in places), None)
            if target is not None and target.key != e.key:
                facts.add(e.key, "locatedIn", target.key, e.mentions[0], 0.9, "gazetteer")
                break


def _name_structure(ents: list[Entity], facts: _Facts) -> None:
    """Facts read off canonical names: 某某区工商联调解委员会 ⊂ 某某区工商联; 某某市总工会 in 某某市."""
    orgs: dict[str, Entity] = {}
    for e in ents:
        if e.type == "Organization":
            for n in (e.label, *e.aliases):
                orgs.setdefault(n, e)
    places = {}
    for e in ents:
        if e.type == "Place":
            for n in (e.label, *e.aliases):
                places.setdefault(n, e)
    for e in ents:
        if e.type not in ("Organization", "Place") or not e.mentions:
            continue
        name = e.label
        parent = None
        for L in range(len(name) - 2, 1, -1):
            head = name[:L]
            if head in orgs and orgs[head].key != e.key and e.type == "Organization":
                parent = orgs[head]
                break
        if parent is None and e.type == "Organization":
            # 浙江某某 is a regional branch of 某某集团 (the same brand after a place)
            rest = (strip_places(name) or [name])[-1]
            if rest != name:
                o = orgs.get(rest)  # the group whose brand (an alias) this is
                if o is not None and o.key != e.key and rest in o.aliases and o.label.startswith(rest):
                    parent = o
        if parent is not None:
            facts.add(e.key, "subOrganizationOf", parent.key, e.mentions[0], 0.75, "name-rule")
        # the most specific place its name begins with
        best = admin = None
        rest = name
        while True:
            hit = next((rest[:L] for L in range(min(len(rest) - 1, 12), 1, -1) if rest[:L] in places), None)
            if hit is None:
                break
            best = places[hit]
            rest = rest[len(hit):]
        # and the most specific administrative division it begins with (杭州 in 杭州某路小学)
        head = name
        while True:
            hit = next((head[:L] for L in range(min(len(head) - 1, 12), 1, -1)
                        if head[:L] in places and gazetteer().is_place(head[:L])), None)
            if hit is None:
                break
            admin = places[hit]
            head = head[len(hit):]
        if len(rest) >= 2:
            for target in {x.key: x for x in (best, admin) if x is not None and x.key != e.key}.values():
                facts.add(e.key, "locatedIn", target.key, e.mentions[0], 0.8, "name-rule")



def with_attributes(entities: Iterable[Entity], attrs: dict[str, tuple[tuple[str, str], ...]]) -> list[Entity]:
    """Entities with the attributes found by :func:`relations_for` added."""
    out = []
    for e in entities:
        extra = attrs.get(e.key)
        if extra:
            merged = dict(e.attributes)
            merged.update(extra)
            e = replace(e, attributes=tuple(sorted(merged.items())))
        out.append(e)
    return out
