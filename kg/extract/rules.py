"""Rule components for names: organizations (place + body + suffix), places (gazetteer, sites), persons."""

from __future__ import annotations

from functools import lru_cache

from kg.extract.lexicon import longest_first, longest_suffix, table, words
from kg.extract.phrases import extend_left, is_cjk, is_nounish, match_suffix, tokens_of
from kg.extract.registry import register
from kg.extract.tokens import Token, pos
from kg.gazetteer import gazetteer
from kg.model import Mention

__all__ = ["find_organizations", "find_places", "find_persons"]

_PROPER_TAGS = ("ns", "nt", "nz", "nr", "nrt", "nrfg", "j", "eng", "")
_LEVEL_REF = frozenset("区 市 县 省 州 镇 乡".split())
_GENERIC_ORG_PREFIX = frozenset("该 本 区 市 县 省 镇 乡 村 全 各 我 贵 此 上级 基层 地方 当地 所在".split())


_NOT_PROPER = frozenset("外国 中外 各国 全国 国内 国外 海外 境外 境内 各地 当地 本地 外地 全省 全市 全区 地方 中央 基层".split())


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
    out: list[Mention] = []
    for i, tok in enumerate(toks):
        suf = match_suffix(tok.word, "org_suffixes.txt")
        if i > 0 and suf and suffixes.get(suf) == "weak":
            two = match_suffix(toks[i - 1].word + tok.word, "org_suffixes.txt")
            if two and len(two) > len(suf) and suffixes.get(two) != "weak":
                suf = two  # 综治 + 中心: the longer, unambiguous suffix
        if not suf or (len(suf) == 1 and tok.word != suf and tok.tag != "nt") or \
                any(tok.word.endswith(w) for w in words("org_suffix_false.txt")):
            continue  # 格局 ends with 局 but is no bureau
        if _title_token_at(toks, i) and tok.word not in ("委员会",):
            # 党组成员, 委员: a title, not an organization
            if i + 1 < len(toks) and (tok.word + toks[i + 1].word) in words("titles.txt"):
                continue
        weak = suffixes.get(suf) == "weak"
        stop = strong if weak else frozenset()
        j = extend_left(toks, i, stop_words=stop)
        # a person's name or a title is where an organization's name begins (某部副部长张三代表某部)
        for k in range(i - 1, j - 1, -1):
            w = toks[k].word
            if (w in words("titles.txt") or toks[k].tag in ("nr", "nrfg") or (
                    toks[k].tag == "" and _looks_like_name(w) and len(w) == 3)) and not gazetteer().is_place(w):
                j = k + 1
                break
        start = toks[j].start
        if j > 0 and toks[j - 1].word[:1] in "该本" and len(toks[j - 1].word) == 2 and \
                toks[j - 1].word[1] in "区市县省镇乡村":
            # 该区工商联: keep 区工商联, a reference resolved in the article
            start = toks[j - 1].start + 1
        name = text[start:tok.end]
        prefix = name[: len(name) - len(suf)]
        if not prefix or len(name) < 3 or (suf == "部" and prefix[-1].isdigit()):
            continue  # 客车12部: a count of things (部 as a measure word), not a body
        if weak and (len(prefix) < 2 or not any(_is_proper(t) for t in toks[j:i + 1] if t.end <= tok.end - len(suf)
                                                 or t is tok)):
            continue
        # a proper noun in the name, or a level word standing for a named place (区工商联, 自治区某办公室)
        nt_word = tok.tag == "nt" and len(tok.word) > len(suf) and not pos(tok.word[: -len(suf)]).startswith(
            ("v", "a", "d"))  # 上市公司: a verb before the suffix makes a kind of company, not a name
        proper = any(_is_proper(t) for t in toks[j:i]) or nt_word or \
            text[start:start + 3] in ("自治区", "自治州") or (
                text[start] in _LEVEL_REF and text[start + 1:start + 2] not in ("级", "域", "委", "场", "政"))
        conf = 0.85 if proper else 0.55  # 上市公司, 各级党委: a kind of body unless another component agrees
        if prefix in _GENERIC_ORG_PREFIX or prefix.startswith("该"):
            # 区工商联, 区人民医院: a reference to the article's district, resolved later; 该公司: weak
            conf = 0.65 if prefix in _LEVEL_REF and len(suf) >= 3 else 0.5
            if prefix.startswith("该"):
                start += 1
                name = name[1:]
        out.append(Mention(name, "Organization", start, tok.end, conf, "organizations"))
    return out


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


def find_places(text: str) -> list[Mention]:
    """Places: administrative divisions (full and short names) and named sites (…酒店, …机场).

    Examples
    --------
    >>> [(m.text, m.type) for m in find_places("他在浙江省杭州市工作")]
    [('浙江省', 'Place'), ('杭州市', 'Place')]
    """
    toks = tokens_of(text)
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
        hit = None
        for L in lengths.get(text[k], ()):
            if k + L > n:
                continue
            s = text[k:k + L]
            if s in names and (k + L in ends or k + L == n or (L >= 3 and _splits_suffix(text, k + L, toks))):
                if _accept_place_name(s):
                    hit = s
                    break
        if hit:
            end = k + len(hit)
            # 洛杉矶市, 某某州: a short name followed by its level word
            if end < n and text[end] in "市省州县" and hit[-1] not in "市省州县区" and (end + 1 in ends or end + 1 == n):
                end += 1
            divs = gazetteer().lookup(hit)
            # a district's short name (新建, 古城, 安宁) is often a word: it needs another component's support
            short_district = all(d.level == "district" and d.name != hit for d in divs) and end - k == len(hit)
            out.append(Mention(text[k:end], "Place", k, end, 0.55 if short_district else 0.9, "places"))
            k = end
        else:
            k += 1
    # named sites: 某某酒店, 某某国际集装箱场 (the suffix may share a token with what follows: 场内)
    suffixes = table("place_suffixes.txt")
    strong = _strong_org_words()
    sites: dict[int, Mention] = {}
    for suf in longest_first("place_suffixes.txt"):
        for occ in _find_all(text, suf):
            end = occ + len(suf)
            ti = next((x for x, t in enumerate(toks) if t.start <= occ < t.end), None)
            if ti is None or end in sites:
                continue
            if len(suf) == 1 and (toks[ti].word != suf):
                continue  # 湛山 ends with 山 but names no mountain here
            last = ti - 1 if toks[ti].start == occ else ti
            if last < 0:
                continue
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
                continue
            j = min(j, last)
            name = text[toks[j].start:end]
            prefix = name[: len(name) - len(suf)]
            if len(prefix) < 2 or gazetteer().is_place(name):
                continue
            if suffixes.get(suf) == "weak" and not any(_is_proper(t) for t in toks[j:last + 1]):
                continue
            if suffixes.get(suf) == "weak" and not any(
                    d.level in ("city", "district") for t in toks[j:last + 1] for d in gazetteer().lookup(t.word)):
                continue  # 中国市场: a weak site word needs a city or district in front (某市就业市场)
            conf = 0.75 if suffixes.get(suf) == "weak" else 0.8
            sites[end] = Mention(name, "Place", toks[j].start, end, conf, "places")
    out.extend(sites[e] for e in sorted(sites))
    return out


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
    if not all(is_cjk(c) or c == "·" for c in w):
        return False
    if "·" in w:
        return 3 <= len(w) <= 12
    if w[:2] in double and 3 <= len(w) <= 4:
        return True
    return w[0] in single and 2 <= len(w) <= 3


def _title_end_positions(text: str, toks: tuple[Token, ...]) -> dict[int, str]:
    """``{offset right after a title: title}``; a title may be quoted (“大国工匠”X)."""
    titles = words("titles.txt")
    out: dict[int, str] = {}
    for i in range(len(toks)):
        acc = ""
        for k in range(i, min(i + 4, len(toks))):
            acc += toks[k].word
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
    if p < len(text) and text[p] in "和与及或同跟":
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
    if given in ("夫人", "先生", "女士", "们", "等", "等人") or given in words("titles.txt") or any(
            ch in "的了着们地得是在就被把也都又才与和及或" for ch in given):
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


_NOT_NAME_END = frozenset("馆院会局站厂所校部处队社场园店区县市省镇村路街")
_SPEECH_START = ("说", "表示", "介绍", "告诉", "指出", "认为", "强调", "坦言", "感慨", "分享", "回忆", "透露")


def find_persons(text: str) -> list[Mention]:
    """Person names shown by context: a title before (骑手X), a speech verb after (X说), a list (X和Y).

    Examples
    --------
    >>> [m.text for m in find_persons("车间主任林晓峰介绍，技术员高鹏和陈雨参加了比赛。")]
    ['林晓峰', '高鹏', '陈雨']
    """
    return list(_persons(text))


@lru_cache(maxsize=256)
def _persons(text: str) -> tuple[Mention, ...]:
    toks = tokens_of(text)
    ends = {t.end for t in toks}
    found: dict[int, Mention] = {}

    def add(span: tuple[int, int] | None, conf: float) -> None:
        if span is None:
            return
        s, e = span
        w = text[s:e]
        tag = pos(w)
        if w[-1] in _NOT_NAME_END or (tag and not tag.startswith("nr") and tag not in ("ns", "nz")):
            return  # 博物馆, 利益: a word, not a name
        old = found.get(s)
        if old is None or old.confidence < conf:
            found[s] = Mention(text[s:e], "Person", s, e, conf, "persons")

    title_ends = _title_end_positions(text, toks)
    for p in title_ends:
        add(_name_at(text, p, ends), 0.9)
    for t in toks:
        if t.word.startswith(_SPEECH_START) or t.word in words("speech_verbs.txt"):
            add(_name_before(text, t.start, set(title_ends)), 0.85)
    # lists: X、Y和Z — a name found by context lends its confidence to its neighbours
    changed = True
    while changed:
        changed = False
        for m in list(found.values()):
            if m.confidence < 0.85:
                continue
            if m.end < len(text) and text[m.end] in "、和与及":
                span = _name_at(text, m.end + 1, ends)
                if span and span[0] not in found:
                    add(span, 0.85)
                    changed = changed or span[0] in found
            if m.start >= 1 and text[m.start - 1] in "、和与及":
                span = _name_before(text, m.start - 1, set())
                if span and span[0] not in found and span[1] == m.start - 1:
                    add(span, 0.85)
                    changed = changed or span[0] in found
    # names jieba found as unknown words, with a name-like shape and context: a weak guess
    for t in toks:
        if t.start in found:
            continue
        if t.tag == "" and len(t.word) >= 3 and t.word[-1] in "说道" and _looks_like_name(t.word[:-1]):
            add((t.start, t.end - 1), 0.85)  # 张三说: jieba glued the speech verb to the name
            continue
        if not _looks_like_name(t.word):
            continue
        if t.tag in ("", "nr", "nrfg") and _follows_name(text, t.end) and (t.tag == "" or len(t.word) == 3):
            add((t.start, t.end), 0.5)
    return tuple(sorted(found.values(), key=lambda m: m.start))


@register("organizations", "organization names: place + body + suffix (某某市总工会, 某某有限公司)",
          types=("Organization",))
def _make_orgs():
    return find_organizations


@register("places", "administrative divisions (with short names) and named sites", types=("Place",))
def _make_places():
    return find_places


@register("persons", "person names from titles, speech verbs and name lists", types=("Person",))
def _make_persons():
    return find_persons
