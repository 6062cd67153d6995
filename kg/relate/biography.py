"""Facts of biographies and news about people and organizations: posts named after a verb or a
name (任/担任/历任 ORG 职务, NAME，ORG 职务, X同志是Y主席), a journalist in a dateline, founders,
headquarters, schools, nationality, birthplace and native place."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from kg.extract.lexicon import entries, longest_first, table, words
from kg.gazetteer import gazetteer
from kg.model import ArticleFacts, EntityKey, Evidence, Relation, SentenceFacts, Spot
from kg.relate import confidence as conf
from kg.relate import fact
from kg.relate.titles import MAX_TITLE
from kg.schema import ORGANIZATION, PERSON, PLACE


def marker(key: str) -> str:
    """A marker word of ``relation_markers.tsv`` (是, 的, 毕业于 …)."""
    return table("relation_markers.tsv")[key]


def markers(key: str) -> list[str]:
    """The marker words of ``key`` in ``relation_markers.tsv`` (先生 女士 同志 …)."""
    return marker(key).split()


__all__ = ["posts", "datelines", "founders", "headquarters", "schools", "origins", "is_title", "is_country"]

#: Punctuation that ends a sentence part: a post list never reaches over it.
_PART_END = "。；;！？!?"
#: Separators of the posts in a list (董事长、总经理; 董事长兼首席合伙人).
_LIST_SEPARATORS = tuple(markers("list_separators"))
#: What may stand between a name and the posts that follow it (张三先生，…; 张三：…).
_HONORIFICS = tuple(markers("honorifics"))
#: Between a person and 是 + a post (张三同志是某会主席).
_IS = marker("is")
_OF = marker("of")
_QUOTES = "“”‘’\"《》"
#: The most characters a title's qualifying words may add to a title word (仪表试制组长).
MAX_TITLE_PREFIX = 7
#: Words before a person's other names (原名, 又名, 号): not another person.
_OTHER_NAMES = tuple(markers("other_names"))
#: The longest stretch between a person and the verb of a post (张三2017年起担任…).
MAX_BEFORE_VERB = 14
#: The longest stretch between a birth/school verb and its person.
MAX_BEFORE_FACT = 24


def _all_titles() -> tuple[str, ...]:
    return tuple(sorted(set(longest_first("titles.txt")) | set(entries("relation_titles.txt")),
                        key=lambda t: (-len(t), t)))


def is_title(text: str) -> bool:
    """Is ``text`` as a whole a job title (a title word, maybe after words that qualify it)?

    Examples
    --------
    >>> is_title("副总经理"), is_title("仪表试制组长"), is_title("经济发展"), is_title("在车间工作的工人")
    (True, True, False, False)
    """
    t = text.strip(_QUOTES)
    if not t or len(t) > MAX_TITLE or any(not (0x4E00 <= ord(c) <= 0x9FFF) for c in t):
        return False
    if any(w in t for w in markers("not_in_title")) or _verb_at(t, 0) is not None:
        return False
    return any(t.endswith(w) and len(t) - len(w) <= MAX_TITLE_PREFIX for w in _all_titles())


def is_country(name: str) -> bool:
    """Is ``name`` a country (China or a foreign country, not a city of one)?

    Examples
    --------
    >>> is_country("美国"), is_country("中国"), is_country("杭州市")
    (True, True, False)
    """
    return any(d.level == "country" or (d.level == "foreign" and d.parent is None)
               for d in gazetteer().lookup(name))


def _founder_word(title: str) -> bool:
    return any(title.endswith(w) for w in words("founder_words.txt"))


# --- posts: 任/担任/历任 ORG 职务, NAME，ORG 职务, X是Y主席 ------------------------------------------


@dataclass(frozen=True)
class _Post:
    orgs: tuple[Spot, ...]
    title: str


def _strip_nationality(s: SentenceFacts, a: int, b: int) -> int:
    """Skip a leading 的 and a country + 籍 (某大学的德国籍教师 → 教师)."""
    text = s.text
    if a < b and text[a] == _OF:
        a += 1
    for pl in s.of_type(PLACE):
        if pl.start == a and text.startswith(marker("native"), pl.end) and is_country(pl.key.name):
            return pl.end + 1
    return a


def _read_part(s: SentenceFacts, a: int, b: int) -> tuple[list[Spot], str | None]:
    """One item of a post list, ``text[a:b]``: the organizations it begins with and the title
    that follows them (None when the rest is not a title; "" when there is no rest)."""
    orgs: list[Spot] = []
    pos = a
    while True:
        o = max((x for x in s.of_type(ORGANIZATION) if x.start == pos and x.end <= b),
                key=lambda x: x.end, default=None)
        if o is None:
            break
        orgs.append(o)
        pos = o.end
    if orgs:
        pos = _strip_nationality(s, pos, b)
    hit = _verb_at(s.text, pos)
    if hit is not None and orgs:  # 曾任某公司任执行董事
        pos += len(hit[0])
    if len(orgs) > 1 and pos < b:  # 某出版社计划财务部主任: the department belongs to the title
        pos = orgs[-1].start
        orgs = orgs[:-1]
    rest = s.text[pos:b].strip(_QUOTES)
    if not rest:
        return orgs, ""
    if any(x.start < b and x.end > pos for x in s.spots if x.type in (PERSON, PLACE) and not
           (x.type == PLACE and x.end <= pos)):
        return orgs, None
    return orgs, (rest if is_title(rest) else None)


def _split(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    k = a
    for i in range(a, b):
        if text[i] in _LIST_SEPARATORS:
            out.append((k, i))
            k = i + 1
    out.append((k, b))
    return [(x, y) for x, y in out if y > x]


def read_posts(s: SentenceFacts, start: int, cross_commas: bool) -> list[_Post]:
    """The posts listed from ``start``: items separated by 、/兼, in clauses separated by ，
    when ``cross_commas``; a title without an organization belongs to the organization before
    it in the list, organizations listed alone share the title that follows them."""
    text = s.text
    end = start
    while end < len(text) and text[end] not in _PART_END:
        end += 1
    clauses = []
    k = start
    for i in range(start, end + 1):
        if i == end or text[i] in "，,：:":
            clauses.append((k, i))
            k = i + 1
            if not cross_commas:
                break
    posts: list[_Post] = []
    last: tuple[Spot, ...] = ()
    for n, (a, b) in enumerate(clauses):
        if n and _verb_at(text, a) is not None:
            break  # 工程师，历任…: the verb's own list
        pending: list[Spot] = []
        got: list[_Post] = []
        for x, y in _split(text, a, b):
            orgs, title = _read_part(s, x, y)
            if title is None:
                return posts + got if got else posts
            if title == "":
                if not orgs:
                    return posts + got
                pending.extend(orgs)
                continue
            if orgs:
                last = tuple(pending + orgs[-1:])
            elif pending:
                last = tuple(pending)
            pending = []
            got.append(_Post(last, title))
        if pending:  # organizations with no title after them: the list is something else
            return posts + got
        posts.extend(got)
        if not got:
            break
    return posts


@cache
def _verbs() -> tuple[tuple[str, str], ...]:
    """The appointment verbs and their tense, longest first."""
    verbs = table("appointment_verbs.txt")
    return tuple((v, verbs[v]) for v in sorted(verbs, key=lambda v: -len(v)))


@cache
def _verb_starts() -> frozenset[str]:
    return frozenset(v[0] for v, _ in _verbs())


def _verb_at(text: str, i: int) -> tuple[str, str] | None:
    if text[i] not in _verb_starts():
        return None
    for v, tense in _verbs():
        if text.startswith(v, i):
            return v, tense
    return None


def _person_before(s: SentenceFacts, pos: int, limit: int) -> Spot | None:
    """The person nearest before ``pos`` in its clause (no other person between)."""
    persons = [p for p in s.of_type(PERSON) if p.end <= pos
               and not any(s.text.endswith(w, 0, p.start) for w in _OTHER_NAMES)]
    if not persons:
        return None
    p = max(persons, key=lambda p: p.end)
    gap = s.text[p.end:pos]
    if len(gap) > limit or any(c in gap for c in "。；;！？"):
        return None
    return p


def _biography_subject(s: SentenceFacts, pos: int) -> Spot | None:
    """The person a biography sentence opens with (张三，男，…，历任…), when no other comes before ``pos``."""
    persons = [p for p in s.of_type(PERSON) if p.end <= pos]
    if len(persons) == 1 and persons[0].start == 0 and not any(c in s.text[:pos] for c in "。；;"):
        return persons[0]
    return None


def _post_facts(person: Spot, posts: Sequence[_Post], ev: Evidence, confidence: float, past: bool,
                component: str) -> Iterator[Relation]:
    for post in posts:
        if _founder_word(post.title):
            for o in post.orgs:
                yield fact(o.key, "founder", person.key, ev, conf.FOUNDER_TITLE, component)
            continue
        yield fact(person.key, "jobTitle", post.title, ev, confidence, component, literal=True)
        for o in post.orgs:
            yield fact(person.key, "worksFor", o.key, ev, confidence, component)
            if past:
                yield fact(person.key, "formerlyWorkedFor", o.key, ev, confidence, component)


def _sentence_posts(s: SentenceFacts) -> Iterator[Relation]:
    text, ev = s.text, s.evidence
    seen: set[int] = set()
    for i in range(len(text)):
        hit = _verb_at(text, i)
        if hit is None:
            continue
        verb, tense = hit
        if verb == marker("ren") and i > 0 and text[i - 1] in markers("word_before_ren"):
            continue
        p = _person_before(s, i, MAX_BEFORE_VERB) or _biography_subject(s, i)
        if p is None or i in seen:
            continue
        seen.update(range(i, i + len(verb)))
        posts = read_posts(s, i + len(verb), cross_commas=tense == "past" or verb.startswith(marker("current")))
        yield from _post_facts(p, posts, ev, conf.POST_AFTER_VERB, tense == "past", "post-rule")
    # NAME，ORG 职务 / NAME：职务 / NAME是ORG职务
    for p in s.of_type(PERSON):
        k = p.end
        for h in _HONORIFICS:
            if text.startswith(h, k):
                k += len(h)
        if text.startswith(_IS, k):
            posts = read_posts(s, k + 1, cross_commas=False)
            yield from _post_facts(p, posts, ev, conf.POST_AFTER_IS, False, "post-rule")
        elif p.start == 0 and k < len(text) and text[k] in "，,：:":
            posts = read_posts(s, k + 1, cross_commas=True)
            # the biography's opening: skip its other parts (男，1969年出生，…) to the posts
            j = k + 1
            while not posts and j < len(text):
                nxt = text.find("，", j)
                if nxt < 0:
                    break
                j = nxt + 1
                if _verb_at(text, j):
                    break
                posts = read_posts(s, j, cross_commas=True)
            yield from _post_facts(p, posts, ev, conf.POST_AFTER_NAME, False, "post-rule")


def posts(article: ArticleFacts) -> Iterator[Relation]:
    """任/担任/出任/现任/历任 ORG 职务 after a person; NAME，ORG 职务 opening a biography; NAME是ORG职务:
    job titles and employers (历任, 曾任: also formerlyWorkedFor); 创始人 makes a founder, not an
    employee."""
    for s in article.sentences:
        yield from _sentence_posts(s)


# --- a journalist in a dateline: 新华社北京5月1日电（记者X、Y）-----------------------------------------


def _byline_agencies(article: ArticleFacts) -> Iterator[Relation]:
    """A reporter of a byline that names its agency (新华社北京5月1日电（记者X）read as a byline)."""
    art = article.article
    mark = marker("dateline")
    for line in (s for s in art.sentences if s.kind == "byline" and mark in s.text):
        agency = next((e for e in article.entities.values() if e.type == ORGANIZATION and any(
            m.article == art.id and m.sentence == line.index and m.end <= line.start + line.text.find(mark) + 1
            for m in e.mentions)), None)
        if agency is None:
            continue
        for au in art.authors:
            if au.role == marker("reporter") and au.start is not None and au.end is not None and \
                    line.start <= au.start and au.end <= line.end:
                ev = Evidence(art.document, art.id, line.index, line.start, line.end,
                              article.text[line.start:line.end])
                yield fact(EntityKey(PERSON, au.name), "worksFor", agency.key, ev, conf.DATELINE, "dateline")


def datelines(article: ArticleFacts) -> Iterator[Relation]:
    """新华社…电（记者X、Y）opening an article: X and Y are reporters of the agency."""
    yield from _byline_agencies(article)
    for s in article.body[:2]:
        text = s.text
        e = text.find(marker("dateline"))
        if e < 0 or e > 30:
            continue
        k = e + 1
        while k < len(text) and text[k] in " \u3000\u00a0":
            k += 1
        if not text.startswith(("（" + marker("reporter"), "(" + marker("reporter")), k):
            continue
        close = text.find("）", k)
        if close < 0:
            close = text.find(")", k)
        if close < 0:
            continue
        agency = next((o for o in s.of_type(ORGANIZATION) if o.end <= e), None)
        for p in s.of_type(PERSON):
            if k < p.start and p.end <= close:
                yield fact(p.key, "jobTitle", marker("reporter"), s.evidence, conf.DATELINE, "dateline")
                if agency is not None:
                    yield fact(p.key, "worksFor", agency.key, s.evidence, conf.DATELINE, "dateline")
        return


# --- founders -------------------------------------------------------------------------------------


def _sentence_founders(s: SentenceFacts) -> Iterator[Relation]:
    text, ev = s.text, s.evidence
    verbs = entries("founding_verbs.txt")
    orgs = s.of_type(ORGANIZATION)
    for p in s.of_type(PERSON):
        # PERSON (还/和兄弟一起/于2014年) 创办了 ORG
        for o in orgs:
            if o.start <= p.end:
                continue
            between = text[p.end:o.start].removeprefix("，")
            if len(between) > MAX_BEFORE_FACT or any(c in between for c in "，。；："):
                continue
            v = next((v for v in verbs if v in between), None)
            if v is None or any(x.start >= p.end and x.end <= o.start for x in s.spots if x.type in
                                (PERSON, ORGANIZATION)):
                continue
            yield fact(o.key, "founder", p.key, ev, conf.FOUNDER_VERB, "founder-rule")
            break
        # ORG 创始人 PERSON
        for o in orgs:
            gap = text[o.end:p.start]
            if o.end <= p.start and len(gap) <= 8 and _founder_word(re.split("|".join(_LIST_SEPARATORS), gap)[0]):
                yield fact(o.key, "founder", p.key, ev, conf.FOUNDER_TITLE, "founder-rule")
    # 由 PERSON 创办的 ORG, PERSON 创立的 ORG
    for o in orgs:
        before = text[max(0, o.start - MAX_BEFORE_FACT):o.start]
        for v in verbs:
            j = before.rfind(v + _OF)
            if j < 0 or before[j + len(v) + 1:].strip("".join(markers("demonstratives"))):
                continue
            q = _person_before(s, o.start - len(before) + j, 4)
            if q is not None:
                yield fact(o.key, "founder", q.key, ev, conf.FOUNDER_VERB, "founder-rule")
            break


def founders(article: ArticleFacts) -> Iterator[Relation]:
    """PERSON 创办/创立 ORG, 由 PERSON 创办的 ORG, ORG 创始人 PERSON: schema:founder."""
    for s in article.sentences:
        yield from _sentence_founders(s)


# --- headquarters ---------------------------------------------------------------------------------


def _place_after(s: SentenceFacts, pos: int) -> Spot | None:
    """The most specific place of the chain of places starting at ``pos`` (法国巴黎 → 巴黎)."""
    best = None
    k = pos
    while True:
        nxt = max((x for x in s.of_type(PLACE) if x.start == k), key=lambda x: x.end, default=None)
        if nxt is None:
            return best
        best, k = nxt, nxt.end


def _sentence_headquarters(s: SentenceFacts) -> Iterator[Relation]:
    text, ev = s.text, s.evidence
    orgs = s.of_type(ORGANIZATION)
    for w in entries("headquarters_words.txt"):
        i = text.find(w)
        while i >= 0:
            place = _place_after(s, i + len(w))
            if place is not None:
                after = text[place.end:place.end + 12]
                org = None
                if after.startswith(_OF):  # 总部位于X的ORG / 一家总部位于X的组织
                    org = next((o for o in orgs if o.start == place.end + 1), None)
                if org is None:  # ORG（…）总部设在X / ORG是一家总部位于X的…
                    before = [o for o in orgs if o.end <= i and not any(c in text[o.end:i] for c in "。；")]
                    org = max(before, key=lambda o: o.end, default=None)
                if org is not None:
                    yield fact(org.key, "locatedIn", place.key, ev, conf.HEADQUARTERS, "headquarters-rule")
            i = text.find(w, i + 1)


def headquarters(article: ArticleFacts) -> Iterator[Relation]:
    """ORG 总部设在 X, 总部位于 X 的 ORG: the organization is located there."""
    for s in article.sentences:
        yield from _sentence_headquarters(s)


# --- schools: 毕业于 ----------------------------------------------------------------------------------


def _subject_of(s: SentenceFacts, at: int, after: int) -> Spot | None:
    """The person a fact at ``text[at:after]`` is about: the nearest before it in the sentence, or
    the person right after it (毕业于某校的张三)."""
    text = s.text
    j = after
    while j < len(text) and text[j] not in marker("subject_stops"):
        j += 1
    if j < len(text) and text[j] == _OF:
        nxt = next((p for p in s.of_type(PERSON) if j < p.start <= j + 6), None)
        if nxt is not None:
            return nxt
    return _person_before(s, at, MAX_BEFORE_FACT)


def schools(article: ArticleFacts) -> Iterator[Relation]:
    """PERSON 毕业于 ORG (and 毕业于 ORG 的 PERSON): schema:alumniOf, not employment."""
    for s in article.sentences:
        text = s.text
        grad = marker("graduated")
        i = text.find(grad)
        while i >= 0:
            k = i + len(grad)
            found = []
            while True:  # 毕业于A大学、B大学
                o = max((x for x in s.of_type(ORGANIZATION) if x.start == k), key=lambda x: x.end, default=None)
                if o is None:
                    break
                found.append(o)
                k = o.end + 1 if o.end < len(text) and text[o.end] == "、" else -1
            if found:
                p = _subject_of(s, i, found[-1].end)
                if p is not None:
                    for o in found:
                        yield fact(p.key, "alumniOf", o.key, s.evidence, conf.ALUMNI, "school-rule")
            i = text.find(grad, i + 1)


# --- nationality, birthplace, native place ------------------------------------------------------------


def _nationality(s: SentenceFacts) -> Iterator[Relation]:
    text, ev = s.text, s.evidence
    persons = s.of_type(PERSON)
    inside = [o for o in s.of_type(ORGANIZATION)]
    for pl in s.of_type(PLACE):
        if not is_country(pl.key.name) or any(o.start <= pl.start and pl.end <= o.end for o in inside):
            continue
        after = text[pl.end:pl.end + 2]
        if after == marker("nationality") or after[:1] == marker("native"):
            # 中国国籍 after the name (张三，男，中国国籍), 加拿大籍教授张三 before it
            k = pl.end + (2 if after == marker("nationality") else 1)
            nxt = next((p for p in persons if p.start >= k and not any(c in text[k:p.start] for c in "，。；（）")
                        and (p.start == k or is_title(text[k:p.start]))), None)
            p = nxt or _person_before(s, pl.start, 40)
            if p is not None:
                yield fact(p.key, "nationality", pl.key, ev, conf.NATIONALITY_STATED, "origin-rule")
            continue
        if after[:1] == marker("people") and (pl.end + 1 == len(text) or text[pl.end + 1] in "，。、；"):
            p = _person_before(s, pl.start, 30)
            if p is not None:
                yield fact(p.key, "nationality", pl.key, ev, conf.NATIONALITY_PEOPLE, "origin-rule")
            continue
        # 法国经济学家米歇尔·阿列塔, 来自美国的科学家X
        start = pl.end + 1 if text.startswith(_OF, pl.end) else pl.end
        for p in persons:
            if p.start <= start:
                continue
            between = text[start:p.start]
            items = [x for x in between.split("、") if x]
            if between and len(between) <= MAX_TITLE * 2 and items and all(is_title(x) for x in items):
                yield fact(p.key, "nationality", pl.key, ev, conf.NATIONALITY_PROFESSION, "origin-rule")
            break


def _birth(s: SentenceFacts) -> Iterator[Relation]:
    text, ev = s.text, s.evidence
    found = table("birth_words.txt")
    for w in sorted(found, key=lambda w: -len(w)):
        i = text.find(w)
        while i >= 0:
            if w == marker("born") and i > 0 and text[i - 1] in markers("born_prefixes"):
                i = text.find(w, i + 1)
                continue
            place = _place_after(s, i + len(w))
            if place is not None:
                p = _subject_of(s, i, place.end)
                if p is not None:
                    yield fact(p.key, found[w], place.key, ev, conf.BIRTHPLACE, "origin-rule")
            i = text.find(w, i + 1)
    # 是某地人 / 张三，浙江绍兴人，…: a native place
    for pl in s.of_type(PLACE):
        if is_country(pl.key.name) or not text.startswith(marker("people"), pl.end):
            continue
        if pl.end + 1 < len(text) and text[pl.end + 1] not in "，。、；":
            continue
        first = pl
        while True:
            prev = next((x for x in s.of_type(PLACE) if x.end == first.start), None)
            if prev is None:
                break
            first = prev
        lead = text[max(0, first.start - 1):first.start]
        if lead not in (_IS, "，", ",", "") and not text[:first.start].endswith(marker("native_son")):
            continue
        p = _person_before(s, first.start, 40)
        if p is not None:
            yield fact(p.key, "nativePlace", pl.key, ev, conf.NATIVE_PLACE, "origin-rule")


def origins(article: ArticleFacts) -> Iterator[Relation]:
    """美国籍 / 中国国籍 / 法国学者X / 是美国人: nationality; 出生于 X: birthPlace; 祖籍 X, 浙江绍兴人:
    nativePlace."""
    for s in article.sentences:
        yield from _nationality(s)
        yield from _birth(s)
