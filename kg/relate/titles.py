"""Job titles and employers: bylines (记者 X) and titles before a name (某会主席张三)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kg.extract.lexicon import longest_first, table, words
from kg.extract.phrases import is_cjk, is_nounish
from kg.extract.tokens import tokenize_span
from kg.gazetteer import gazetteer
from kg.model import ArticleFacts, EntityKey, Evidence, Relation, SentenceFacts, Spot
from kg.relate import confidence as conf
from kg.relate import fact
from kg.schema import ORGANIZATION, PERSON

__all__ = ["bylines", "titles", "title_segment", "listed_after", "clause_floor"]

#: Punctuation that ends a clause: a title never reaches back over it.
CLAUSE_END = "，。；：！？,;:!?（）()"
#: The longest title phrase, modifiers included (法律援助律师, 省劳动模范).
MAX_TITLE = 12
_OPEN_QUOTES = "“‘"
_CLOSE_QUOTES = "”’"
_QUOTES = "“”‘’"
#: The joiners of two titles of one person (党组成员、副主席; 国务委员兼外交部长).
_TITLE_JOINERS = tuple(table("relation_markers.tsv")["title_joiners"].split())
#: The head title a body's name ends with in its head's title (外交部 + 长: 外交部长).
_HEAD = table("relation_markers.tsv")["head_title"]
#: The particle between an organization and its title (某会的主席).
_OF = "的"
#: A party committee's 委 left after a place (某区委书记 read as 某区 + 委书记).
_COMMITTEE = table("relation_markers.tsv")["committee"]


def bylines(article: ArticleFacts) -> Iterator[Relation]:
    """A byline's role is the author's job title (记者, 通讯员), with the byline as evidence."""
    art = article.article
    lines = [s for s in art.sentences if s.kind == "byline"]
    for au in art.authors:
        if au.start is None or au.end is None:  # not in the text: no evidence to point at
            continue
        start, end = au.start, au.end
        sent = next((s for s in lines if s.start <= start and end <= s.end), None)
        if sent is None:
            continue
        ev = Evidence(art.document, art.id, sent.index, start, end, article.text[start:end])
        yield fact(EntityKey(PERSON, au.name), "jobTitle", au.role, ev, conf.BYLINE, "byline", literal=True)


def clause_floor(text: str, pos: int) -> int:
    """Where the clause that ``pos`` is in begins."""
    k = pos
    while k > 0 and text[k - 1] not in CLAUSE_END:
        k -= 1
    return k


def _extend_left(text: str, start: int, seg_end: int, floor: int, stops: frozenset[int]) -> int:
    """Extend a title left over the noun-like words that modify it (法律援助律师, 青年技工,
    省劳动模范), never over a verb (邀请工程师) or into another name."""
    never = words("title_left_stops.txt")
    while start > floor and start not in stops:
        prev = next((t for t in tokenize_span(text, start - 1, start) if t.start < start <= t.end), None)
        if prev is None or not is_cjk(text[start - 1]) or text[start - 1] in never:
            break
        lo = prev.start if prev.end == start else start - 1
        if prev.end == start and not is_nounish(prev) and prev.tag not in ("b", "a", "l"):
            break
        if seg_end - lo > MAX_TITLE or lo < floor:
            break
        start = lo
    return start


def title_segment(text: str, end: int, floor: int, stops: frozenset[int] = frozenset()) -> tuple[int, str] | None:
    """The title phrase that ends at ``end`` (车间主任, 法律援助律师, “大国工匠”): ``(start, title)``.

    Examples
    --------
    >>> title_segment("工会主席张三", 4, 0), title_segment("他邀请工程师", 6, 0)
    ((0, '工会主席'), (3, '工程师'))
    """
    seg_end = end
    if seg_end > floor and text[seg_end - 1] in _CLOSE_QUOTES:
        seg_end -= 1
    hit = next((t for t in longest_first("titles.txt") if text.endswith(t, floor, seg_end)), None)
    if hit is None:
        return None
    start = _extend_left(text, seg_end - len(hit), seg_end, floor, stops)
    if start > floor and text[start - 1] in _OPEN_QUOTES:
        start -= 1
    if text.startswith(_COMMITTEE, start) and start in stops and end - start > len(_COMMITTEE) + 1:
        start += len(_COMMITTEE)  # 某区委书记 with 某区 a place: the title is 书记
    return start, text[start:end].strip(_QUOTES)


def listed_after(text: str, p: Spot, persons: Sequence[Spot]) -> list[Spot]:
    """Persons listed right after ``p`` (X、Y和Z): they share its title."""
    joiners = table("list_joiners.txt")
    out: list[Spot] = []
    cur = p
    while True:
        nxt = next((q for q in persons if q.start == cur.end + 1 and text[cur.end] in joiners), None)
        if nxt is None:
            return out
        out.append(nxt)
        cur = nxt


@dataclass
class _Titles:
    """The titles read right to left before a person, the employer and the bodies named in them."""

    titles: list[str]
    employer: Spot | None
    bodies: list[Spot]
    #: titles in the list that have an organization of their own (某会副主席、某委员会主任张三)
    own: list[tuple[Spot, str]] = field(default_factory=list)
    #: 原/前 before the employer: the post is over
    former: bool = False


def _org_before(text: str, orgs: Sequence[Spot], pos: int) -> list[Spot]:
    """Organizations that end at ``pos`` (or at ``pos - 1`` before 的)."""
    return [o for o in orgs if o.end == pos or (o.end == pos - 1 and text[o.end] == _OF)]


# Name beginnings of a body that stands on its own, not a department of the organization
# before it in a list of titles (国家发展和改革委员会, 中央办公厅).
def _self_standing() -> tuple[str, ...]:
    return tuple(table("relation_markers.tsv")["self_standing"].split())


def independent(name: str) -> bool:
    """Is the body ``name`` an organization in its own right (a place or a national word begins
    it), rather than a department of the organization named before it (财务审查委员会)?

    Examples
    --------
    >>> independent("宜昌市委"), independent("国家发展和改革委员会"), independent("财务审查委员会")
    (True, True, False)
    """
    from kg.resolve import strip_places

    return name.startswith(_self_standing()) or bool(strip_places(name)) or gazetteer().is_place(name[:2]) \
        or name in words("national_bodies.txt")


def _read_titles(text: str, p: Spot, spots: Sequence[Spot], orgs: Sequence[Spot]) -> _Titles:
    """某市总工会党组成员、财务审查委员会主任张三: titles right to left, separated by 、, up to the
    organization they belong to."""
    floor = clause_floor(text, p.start)
    stops = frozenset(x.end for x in spots if x.type != PERSON and x.end <= p.start)
    found = _Titles([], None, [])
    pos = p.start
    while pos > floor:
        seg = title_segment(text, pos, floor, stops)
        if seg is None:
            break
        start, title = seg
        before = _org_before(text, orgs, start)
        if before:
            o = max(before, key=lambda o: o.end - o.start)
            if o.start - 1 > floor and text[o.start - 1] in _TITLE_JOINERS and \
                    title_segment(text, o.start - 1, floor, stops) is not None:
                if independent(o.key.name):
                    # 某会副主席、某委员会主任张三: the title belongs to the body right before it
                    found.own.append((o, text[o.end:pos].strip("“”").removeprefix(_OF)))
                    pos = o.start - 1
                    continue
                # 某会党组成员、财务审查委员会主任张三: a body of the employer named in a title
                found.titles.append(text[o.start:pos].strip("“”"))
                found.bodies.append(o)
                pos = o.start - 1
                continue
            found.employer = o
            found.titles.append(title)
            found.former = _former(text, o.start)
            return found
        head = _head_of(text, orgs, start, pos)
        if head is not None:
            # 外交部长: the head of the body the title begins with
            found.own.append((head, title))
        else:
            found.titles.append(title)
        pos = start
        if pos > floor and text[pos - 1] in _TITLE_JOINERS and title_segment(text, pos - 1, floor, stops) is not None:
            pos -= 1  # 党组成员、副主席: another title of the same person
            continue
        break
    if pos > floor and found.titles:
        before = _org_before(text, orgs, pos)
        if before:
            found.employer = max(before, key=lambda o: o.end - o.start)
            found.former = _former(text, found.employer.start)
    return found


def _head_of(text: str, orgs: Sequence[Spot], start: int, end: int) -> Spot | None:
    """The body a title ``text[start:end]`` is the head of: the title is the body's name and its
    head title (外交部长 = 外交部 + 长; 代理国防部长), the body a national one."""
    from kg.resolve import national_body

    for o in orgs:
        name = text[o.start:o.end]
        if start <= o.start and o.end == end - len(_HEAD) and text.startswith(_HEAD, o.end) \
                and national_body(name):
            return o
    return None


def _former(text: str, pos: int) -> bool:
    """Does a former marker (原, 前, 时任) stand right before ``pos``?"""
    return any(text.endswith(w, 0, pos) for w in words("former_markers.txt"))


def _is_founder(title: str) -> bool:
    return any(title.endswith(w) for w in words("founder_words.txt"))


def _title_facts(person: Spot, found: _Titles, ev: Evidence) -> Iterator[Relation]:
    honours = tuple(table("honour_endings.txt"))
    for o, t in found.own:
        yield fact(person.key, "jobTitle", t, ev, conf.TITLE, "title-rule", literal=True)
        yield fact(person.key, "worksFor", o.key, ev, conf.TITLE, "title-rule")
    if any(_is_founder(t) for t in found.titles):
        # 某公司创始人张三: a founder, not thereby an employee
        if found.employer is not None:
            yield fact(found.employer.key, "founder", person.key, ev, conf.FOUNDER_TITLE, "title-rule")
        return
    for t in found.titles:
        yield fact(person.key, "jobTitle", t, ev, conf.TITLE, "title-rule", literal=True)
        if t.endswith(honours):
            yield fact(person.key, "honour", t, ev, conf.HONOUR_TITLE, "title-rule", literal=True)
    if found.employer is not None and found.former:
        yield fact(person.key, "formerlyWorkedFor", found.employer.key, ev, conf.TITLE, "title-rule")
    if found.employer is not None:
        yield fact(person.key, "worksFor", found.employer.key, ev, conf.TITLE, "title-rule")
        for body in found.bodies:
            yield fact(person.key, "worksFor", body.key, ev, conf.BODY_IN_TITLE, "title-rule")


def _sentence_titles(s: SentenceFacts) -> Iterator[Relation]:
    persons = s.of_type(PERSON)
    orgs = s.of_type(ORGANIZATION)
    for p in persons:
        found = _read_titles(s.text, p, s.spots, orgs)
        if not found.titles:
            continue
        for person in [p, *listed_after(s.text, p, persons)]:
            yield from _title_facts(person, found, s.evidence)
        if found.employer is not None:
            for body in found.bodies:
                if body.key != found.employer.key:
                    yield fact(body.key, "subOrganizationOf", found.employer.key, s.evidence,
                                conf.BODY_OF_EMPLOYER, "title-rule")


def titles(article: ArticleFacts) -> Iterator[Relation]:
    """ORG + titles + PERSON (某市总工会党组成员、财务审查委员会主任张三), ORG的TITLE X和Y, TITLE X:
    job titles, honours, employers and the bodies named in the titles."""
    for s in article.sentences:
        yield from _sentence_titles(s)
