"""Rule components for names: organizations (place + body + suffix), places (gazetteer, sites), persons."""

from __future__ import annotations

from functools import lru_cache

from kg.confidence import (
    ORG_KIND,
    ORG_LEVEL_REFERENCE,
    ORG_NAMED,
    ORG_REFERENCE,
    PERSON_AFTER_TITLE,
    PERSON_BY_CONTEXT,
    PERSON_GUESS,
    PLACE_DIVISION,
    PLACE_SHORT_DISTRICT,
    PLACE_SITE,
    PLACE_WEAK_SITE,
)
from kg.extract.lexicon import chars, entries, last_chars, longest_first, longest_suffix, table, words
from kg.extract.phrases import extend_left, is_cjk, is_nounish, match_suffix, tokens_of
from kg.extract.registry import register
from kg.extract.tokens import Token, pos
from kg.gazetteer import gazetteer
from kg.model import Mention
from kg.schema import ORGANIZATION, PERSON, PLACE

__all__ = ["find_organizations", "find_places", "find_persons"]

_PROPER_TAGS = ("ns", "nt", "nz", "nr", "nrt", "nrfg", "j", "eng", "")
_LEVEL_REF = frozenset(chars("level_refs"))
_LEVEL_NOT_PLACE_NEXT = frozenset(chars("level_not_place_next"))
_GENERIC_ORG_PREFIX = words("org_generic_prefixes.txt")
_AUTONOMOUS = words("autonomous_prefixes.txt")
_NOT_PROPER = words("not_proper_words.txt")
#: 党组成员, 委员: a body word that starts a title ends no organization, except this one.
_BODY_NOT_TITLE = "委员会"
#: The demonstrative cut from a reference (该公司 → 公司).
_THIS = "该"
#: 客车12部: after a number this body word is a measure word.
_MEASURE_BODY = "部"


def _is_proper(tok: Token) -> bool:
    if tok.word in _NOT_PROPER:
        return False
    return tok.tag in _PROPER_TAGS or gazetteer().is_place(tok.word)


@lru_cache(maxsize=1)
def _strong_org_words() -> frozenset[str]:
    return frozenset(w for w, v in table("org_suffixes.txt").items() if v != "weak")


def _title_token_at(toks: tuple[Token, ...], i: int) -> bool:
    """Does token ``i`` start a title (党组 + 成员, 副 + 主席 …)?"""
    titles = words("titles.txt")
    acc = ""
    for k in range(i, min(i + 3, len(toks))):
        acc += toks[k].word
        if acc in titles:
            return True
    return False


def _org_suffix(toks: tuple[Token, ...], i: int, suffixes: dict[str, str]) -> str | None:
    """The organization word token ``i`` ends with, or None when it ends no body here."""
    tok = toks[i]
    suf = match_suffix(tok.word, "org_suffixes.txt")
    if i > 0 and suf and suffixes.get(suf) == "weak":
        two = match_suffix(toks[i - 1].word + tok.word, "org_suffixes.txt")
        if two and len(two) > len(suf) and suffixes.get(two) != "weak":
            suf = two  # 综治 + 中心: the longer, unambiguous suffix
    if not suf or (len(suf) == 1 and tok.word != suf and tok.tag != "nt") or \
            any(tok.word.endswith(w) for w in words("org_suffix_false.txt")):
        return None  # 格局 ends with 局 but is no bureau
    if _title_token_at(toks, i) and tok.word != _BODY_NOT_TITLE:
        # 党组成员, 委员: a title, not an organization
        if i + 1 < len(toks) and (tok.word + toks[i + 1].word) in words("titles.txt"):
            return None
    return suf


def _org_first_token(toks: tuple[Token, ...], i: int, stop: frozenset[str]) -> int:
    """Index of the first token of the name that ends with token ``i``."""
    j = extend_left(toks, i, stop_words=stop)
    # a person's name or a title is where an organization's name begins (某部副部长张三代表某部)
    for k in range(i - 1, j - 1, -1):
        w = toks[k].word
        if (w in words("titles.txt") or toks[k].tag in ("nr", "nrfg") or (
                toks[k].tag == "" and _looks_like_name(w) and len(w) == 3)) and not gazetteer().is_place(w):
            return k + 1
    return j


def _org_start(toks: tuple[Token, ...], j: int) -> int:
    """Offset where the name starting with token ``j`` starts; 该区工商联: keep 区工商联, a reference
    resolved in the article."""
    if j > 0:
        w = toks[j - 1].word
        if w[:1] in chars("demonstratives") and len(w) == 2 and w[1] in chars("demonstrative_levels"):
            return toks[j - 1].start + 1
    return toks[j].start


def _org_is_proper(text: str, toks: tuple[Token, ...], j: int, i: int, suf: str, start: int) -> bool:
    """A proper noun in the name, or a level word standing for a named place (区工商联, 自治区某办公室)."""
    tok = toks[i]
    nt_word = tok.tag == "nt" and len(tok.word) > len(suf) and not pos(tok.word[: -len(suf)]).startswith(
        ("v", "a", "d"))  # 上市公司: a verb before the suffix makes a kind of company, not a name
    return any(_is_proper(t) for t in toks[j:i]) or nt_word or \
        text[start:start + 3] in _AUTONOMOUS or (
            text[start] in _LEVEL_REF and text[start + 1:start + 2] not in _LEVEL_NOT_PLACE_NEXT)


def _weak_org_unnamed(toks: tuple[Token, ...], j: int, i: int, suf: str, prefix: str) -> bool:
    """A weak body word (中心, 之家) needs a proper noun of two or more characters before it."""
    tok = toks[i]
    return len(prefix) < 2 or not any(_is_proper(t) for t in toks[j:i + 1] if t.end <= tok.end - len(suf)
                                      or t is tok)


def _organization_at(text: str, toks: tuple[Token, ...], i: int, suffixes: dict[str, str],
                     strong: frozenset[str]) -> Mention | None:
    """The organization whose name ends with token ``i``, or None."""
    tok = toks[i]
    suf = _org_suffix(toks, i, suffixes)
    if suf is None:
        return None
    weak = suffixes.get(suf) == "weak"
    j = _org_first_token(toks, i, strong if weak else frozenset())
    start = _org_start(toks, j)
    name = text[start:tok.end]
    prefix = name[: len(name) - len(suf)]
    if not prefix or len(name) < 3 or (suf == _MEASURE_BODY and prefix[-1].isdigit()):
        return None  # 客车12部: a count of things (部 as a measure word), not a body
    if weak and _weak_org_unnamed(toks, j, i, suf, prefix):
        return None
    proper = _org_is_proper(text, toks, j, i, suf, start)
    conf = ORG_NAMED if proper else ORG_KIND  # 上市公司, 各级党委: a kind of body unless another component agrees
    if prefix in _GENERIC_ORG_PREFIX or prefix.startswith(_THIS):
        # 区工商联, 区人民医院: a reference to the article's district, resolved later; 该公司: weak
        conf = ORG_LEVEL_REFERENCE if prefix in _LEVEL_REF and len(suf) >= 3 else ORG_REFERENCE
        if prefix.startswith(_THIS):
            start += 1
            name = name[1:]
    return Mention(name, ORGANIZATION, start, tok.end, conf, "organizations")


def find_organizations(text: str) -> list[Mention]:
    """Organization names ending with a suffix from ``org_suffixes.txt``, extended left over the name.

    Examples
    --------
    >>> [m.text for m in find_organizations("海河市总工会财务审查委员会主任说")]
    ['海河市总工会', '海河市总工会财务审查委员会']
    """
    toks = tokens_of(text)
    suffixes = table("org_suffixes.txt")
    strong = _strong_org_words()
    ends = last_chars("org_suffixes.txt")  # a token ending with none of them ends no name
    return [m for i, t in enumerate(toks)
            if t.word[-1:] in ends and (m := _organization_at(text, toks, i, suffixes, strong)) is not None]


@lru_cache(maxsize=1)
def _place_index() -> tuple[frozenset[str], dict[str, tuple[int, ...]]]:
    """Place names, and for each first character the name lengths to try (longest first)."""
    names = frozenset(n for n in gazetteer().names() if len(n) >= 2)
    lens: dict[str, set[int]] = {}
    for n in names:
        lens.setdefault(n[0], set()).add(len(n))
    return names, {c: tuple(sorted(v, reverse=True)) for c, v in lens.items()}


def _accept_place_name(surface: str) -> bool:
    g = gazetteer()
    divs = g.lookup(surface)
    if not divs:
        return False
    if any(d.name == surface for d in divs):
        return True
    # a short form: keep it unless the dictionary knows it as an ordinary word
    tag = pos(surface)
    if any(d.level in ("province", "country", "foreign") for d in divs):
        return True
    if any(d.level == "city" for d in divs):
        return tag in ("", "ns", "n", "nr", "nz", "j")
    return tag == "ns"  # a district's short name is often a word too (新建, 古城, 安宁)


def _division_at(text: str, k: int, names: frozenset[str], lengths: dict[str, tuple[int, ...]],
                 ends: set[int], toks: tuple[Token, ...]) -> str | None:
    """The longest accepted division name that starts at offset ``k`` and ends a word, or None."""
    n = len(text)
    for L in lengths.get(text[k], ()):
        if k + L > n:
            continue
        s = text[k:k + L]
        if s in names and (k + L in ends or k + L == n or (L >= 3 and _splits_suffix(text, k + L, toks))):
            if _accept_place_name(s):
                return s
    return None


def _division_mention(text: str, k: int, hit: str, ends: set[int]) -> Mention:
    """The mention of division name ``hit`` at ``k``, with the level word that may follow it."""
    n = len(text)
    end = k + len(hit)
    # 洛杉矶市, 某某州: a short name followed by its level word
    if end < n and text[end] in chars("place_level_words") and hit[-1] not in chars("place_level_ends") and (
            end + 1 in ends or end + 1 == n):
        end += 1
    divs = gazetteer().lookup(hit)
    # a district's short name (新建, 古城, 安宁) is often a word: it needs another component's support
    short_district = all(d.level == "district" and d.name != hit for d in divs) and end - k == len(hit)
    return Mention(text[k:end], PLACE, k, end, PLACE_SHORT_DISTRICT if short_district else PLACE_DIVISION, "places")


def _divisions(text: str, toks: tuple[Token, ...]) -> list[Mention]:
    """Administrative divisions, full and short names, each starting a word (or right after another)."""
    names, lengths = _place_index()
    starts = {t.start for t in toks}
    ends = {t.end for t in toks}
    out: list[Mention] = []
    k = 0
    n = len(text)
    while k < n:
        glued = bool(out) and out[-1].end == k  # 浙江杭州: a place right after a place
        if (k not in starts and not glued) or not is_cjk(text[k]):
            k += 1
            continue
        hit = _division_at(text, k, names, lengths, ends, toks)
        if hit:
            out.append(_division_mention(text, k, hit, ends))
            k = out[-1].end
        else:
            k += 1
    return out


def _site_first_token(toks: tuple[Token, ...], ti: int, last: int, suf: str, end: int,
                      strong: frozenset[str]) -> int | None:
    """Index of the first token of a site's name before its site word, or None when it has none."""
    # strict: noun-like words before the suffix; else only a description after a city name
    j = extend_left(toks, last, stop_words=strong) if (last == ti or is_nounish(toks[last])) else last + 1
    # a site named after its city may hold a description: 某某市灵活就业市场
    k = j if len(suf) > 1 else 0  # no description before a one-character site word (某县推行乡)
    while k > 0 and end - toks[k - 1].start <= 16 and toks[k - 1].word not in strong and \
            all(is_cjk(c) for c in toks[k - 1].word) and toks[k - 1].tag in ("a", "v", "vn", "ad", "n", "ns"):
        k -= 1
        if gazetteer().is_place(toks[k].word):
            j = k
            break
    if j > last and not gazetteer().is_place(toks[min(j, len(toks) - 1)].word):
        return None
    return min(j, last)


def _weak_site_unnamed(toks: tuple[Token, ...], j: int, last: int) -> bool:
    """中国市场: a weak site word needs a proper noun, and a city or district, in front (某市就业市场)."""
    if not any(_is_proper(t) for t in toks[j:last + 1]):
        return True
    return not any(d.level in ("city", "district") for t in toks[j:last + 1] for d in gazetteer().lookup(t.word))


def _site_at(text: str, toks: tuple[Token, ...], suf: str, occ: int, weak: bool,
             strong: frozenset[str]) -> Mention | None:
    """The named site whose site word ``suf`` is at ``occ``, or None."""
    end = occ + len(suf)
    ti = next((x for x, t in enumerate(toks) if t.start <= occ < t.end), None)
    if ti is None:
        return None
    if len(suf) == 1 and (toks[ti].word != suf):
        return None  # 湛山 ends with 山 but names no mountain here
    last = ti - 1 if toks[ti].start == occ else ti
    if last < 0:
        return None
    j = _site_first_token(toks, ti, last, suf, end, strong)
    if j is None:
        return None
    name = text[toks[j].start:end]
    prefix = name[: len(name) - len(suf)]
    if len(prefix) < 2 or gazetteer().is_place(name):
        return None
    if weak and _weak_site_unnamed(toks, j, last):
        return None
    return Mention(name, PLACE, toks[j].start, end, PLACE_WEAK_SITE if weak else PLACE_SITE, "places")


def _sites(text: str, toks: tuple[Token, ...]) -> list[Mention]:
    """Named sites: 某某酒店, 某某国际集装箱场 (the suffix may share a token with what follows: 场内)."""
    suffixes = table("place_suffixes.txt")
    strong = _strong_org_words()
    sites: dict[int, Mention] = {}
    for suf in longest_first("place_suffixes.txt"):
        weak = suffixes.get(suf) == "weak"
        for occ in _find_all(text, suf):
            if occ + len(suf) in sites:
                continue
            m = _site_at(text, toks, suf, occ, weak, strong)
            if m is not None:
                sites[m.end] = m
    return [sites[e] for e in sorted(sites)]


def find_places(text: str) -> list[Mention]:
    """Places: administrative divisions (full and short names) and named sites (…酒店, …机场).

    Examples
    --------
    >>> [(m.text, m.type) for m in find_places("他在浙江省杭州市工作")]
    [('浙江省', 'Place'), ('杭州市', 'Place')]
    """
    toks = tokens_of(text)
    return _divisions(text, toks) + _sites(text, toks)


def _find_all(text: str, sub: str) -> list[int]:
    out = []
    i = text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def _splits_suffix(text: str, end: int, toks: tuple[Token, ...]) -> bool:
    """A division name glued to the next word by jieba (某某区工商联 → 某某/区/总工会 is fine; 某某站 too)."""
    return end < len(text) and is_cjk(text[end]) and any(t.start < end < t.end and t.end - t.start <= 4
                                                         for t in toks)


@lru_cache(maxsize=1)
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    s = words("surnames.txt")
    return frozenset(x for x in s if len(x) == 1), frozenset(x for x in s if len(x) == 2)


def _looks_like_name(w: str) -> bool:
    single, double = _surnames()
    if "·" in w:
        return 3 <= len(w) <= 12 and all(is_cjk(c) or c == "·" for c in w)
    # the surname and the length first: most words fail them, faster tested than their characters
    if not ((w[:2] in double and 3 <= len(w) <= 4) or (w[:1] in single and 2 <= len(w) <= 3)):
        return False
    return all(is_cjk(c) for c in w)


def _title_end_positions(text: str, toks: tuple[Token, ...]) -> dict[int, str]:
    """``{offset right after a title: title}``; a title may be quoted (“大国工匠”X)."""
    titles = words("titles.txt")
    ends = last_chars("titles.txt")
    out: dict[int, str] = {}
    for i in range(len(toks)):
        acc = ""
        for k in range(i, min(i + 4, len(toks))):
            acc += toks[k].word
            if acc[-1:] not in ends:
                continue  # it ends no title (tested faster than looking for one)
            hit = longest_suffix(acc, "titles.txt")
            if hit and (acc == hit or acc in titles or toks[k].word.endswith(hit)):
                end = toks[k].end
                out[end] = hit
                if end < len(text) and text[end] in "”’」":
                    out[end + 1] = hit
    return out


def _follows_name(text: str, p: int) -> bool:
    """Can a name end at ``p`` (end of text, punctuation, or a word that follows names)?"""
    if p >= len(text):
        return True
    ch = text[p]
    if not (is_cjk(ch) or ch.isalnum()):
        return True
    return any(text.startswith(w, p) for w in words("name_followers.txt"))


def _name_at(text: str, p: int, toks_ends: set[int]) -> tuple[int, int] | None:
    """The name starting at ``p`` (surname + given name), choosing its length by what follows."""
    single, double = _surnames()
    if p < len(text) and text[p] in chars("conjunctions"):
        return None  # 代表和来宾: a conjunction after a title, not the rare surname
    if text[p:p + 2] in double:
        options = (3, 4)
    elif p < len(text) and text[p] in single:
        options = (3, 2)
    else:
        return None
    good = [L for L in options if p + L <= len(text) and all(is_cjk(c) for c in text[p:p + L])
            and _follows_name(text, p + L) and _given_name_ok(text[p:p + L])]
    if not good:
        return None
    if len(good) > 1:
        # 张三说: a name does not swallow the word that follows it
        clean = [L for L in good if not _follows_name(text, p + L - 1)]
        good = clean or good
    if len(good) > 1:
        aligned = [L for L in good if p + L in toks_ends]
        good = aligned or good
    return p, p + good[0]


def _given_name_ok(name: str) -> bool:
    """A surname + given name, not a surname-like character before an ordinary word (和夫人, 有的, 成了)."""
    single, double = _surnames()
    given = name[2:] if name[:2] in double else name[1:]
    if given in words("not_given_names.txt") or given in words("titles.txt") or any(
            ch in chars("not_given_name_chars") for ch in given):
        return False
    return not pos(given).startswith(("u", "p", "c", "r", "y", "e", "o"))


def _name_before(text: str, q: int, boundary: set[int]) -> tuple[int, int] | None:
    """The name ending at ``q`` whose start is a boundary (text start, punctuation, a title's end)."""
    single, double = _surnames()
    for L in (3, 2, 4):
        p = q - L
        if p < 0 or not all(is_cjk(c) for c in text[p:q]):
            continue
        if not (text[p] in single or text[p:p + 2] in double):
            continue
        if L == 4 and text[p:p + 2] not in double:
            continue
        if (p == 0 or p in boundary or not (is_cjk(text[p - 1]) or text[p - 1].isalnum())) and \
                _given_name_ok(text[p:q]):
            return p, q
    return None


_NOT_NAME_END = frozenset(chars("not_name_end"))
_SPEECH_START = tuple(entries("speech_prefixes.txt"))


def find_persons(text: str) -> list[Mention]:
    """Person names shown by context: a title before (骑手X), a speech verb after (X说), a list (X和Y).

    Examples
    --------
    >>> [m.text for m in find_persons("车间主任林晓峰介绍，技术员高鹏和陈雨参加了比赛。")]
    ['林晓峰', '高鹏', '陈雨']
    """
    return list(_persons(text))


class _Persons:
    """The person names of one text found so far, by start offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokens_of(text)
        self.ends = {t.end for t in self.toks}
        self.found: dict[int, Mention] = {}

    def add(self, span: tuple[int, int] | None, conf: float) -> None:
        if span is None:
            return
        s, e = span
        text = self.text
        w = text[s:e]
        tag = pos(w)
        if w[-1] in _NOT_NAME_END or (tag and not tag.startswith("nr") and tag not in ("ns", "nz")):
            return  # 博物馆, 利益: a word, not a name
        old = self.found.get(s)
        if old is None or old.confidence < conf:
            self.found[s] = Mention(text[s:e], PERSON, s, e, conf, "persons")

    def by_titles_and_speech(self) -> None:
        """A name after a title (骑手X), a name before a speech verb (X说)."""
        title_ends = _title_end_positions(self.text, self.toks)
        for p in title_ends:
            self.add(_name_at(self.text, p, self.ends), PERSON_AFTER_TITLE)
        for t in self.toks:
            if t.word.startswith(_SPEECH_START) or t.word in words("speech_verbs.txt"):
                self.add(_name_before(self.text, t.start, set(title_ends)), PERSON_BY_CONTEXT)

    def _neighbours(self, m: Mention) -> bool:
        """Add the names listed right after and right before ``m``; True when one was added."""
        text, marks = self.text, chars("name_list_marks")
        changed = False
        if m.end < len(text) and text[m.end] in marks:
            span = _name_at(text, m.end + 1, self.ends)
            if span and span[0] not in self.found:
                self.add(span, PERSON_BY_CONTEXT)
                changed = changed or span[0] in self.found
        if m.start >= 1 and text[m.start - 1] in marks:
            span = _name_before(text, m.start - 1, set())
            if span and span[0] not in self.found and span[1] == m.start - 1:
                self.add(span, PERSON_BY_CONTEXT)
                changed = changed or span[0] in self.found
        return changed

    def by_lists(self) -> None:
        """X、Y和Z: a name found by context lends its confidence to its neighbours."""
        changed = True
        while changed:
            changed = False
            for m in list(self.found.values()):
                if m.confidence < PERSON_BY_CONTEXT:
                    continue
                changed = self._neighbours(m) or changed

    def by_shape(self) -> None:
        """Names jieba found as unknown words, with a name-like shape and context: a weak guess."""
        for t in self.toks:
            if t.start in self.found:
                continue
            if t.tag == "" and len(t.word) >= 3 and t.word[-1] in chars("glued_speech") and \
                    _looks_like_name(t.word[:-1]):
                self.add((t.start, t.end - 1), PERSON_BY_CONTEXT)  # 张三说: jieba glued the speech verb to the name
                continue
            if not _looks_like_name(t.word):
                continue
            if t.tag in ("", "nr", "nrfg") and _follows_name(self.text, t.end) and (t.tag == "" or len(t.word) == 3):
                self.add((t.start, t.end), PERSON_GUESS)


@lru_cache(maxsize=256)
def _persons(text: str) -> tuple[Mention, ...]:
    found = _Persons(text)
    found.by_titles_and_speech()
    found.by_lists()
    found.by_shape()
    return tuple(sorted(found.found.values(), key=lambda m: m.start))


@register("organizations", "organization names: place + body + suffix (某某市总工会, 某某有限公司)",
          types=(ORGANIZATION,))
def _make_orgs():
    return find_organizations


@register("places", "administrative divisions (with short names) and named sites", types=(PLACE,))
def _make_places():
    return find_places


@register("persons", "person names from titles, speech verbs and name lists", types=(PERSON,))
def _make_persons():
    return find_persons
