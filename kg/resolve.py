"""Mentions → entities: canonical names, aliases, short forms, references like 区工商联, across articles."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from kg.extract.lexicon import chars, longest_first, table, words
from kg.gazetteer import gazetteer
from kg.model import Article, Entity, EntityKey, Evidence, Located, Mention
from kg.schema import EVENT, ORGANIZATION, PERSON, PLACE, PROGRAM

__all__ = ["Located", "locate", "resolve", "norm", "strip_places", "abbreviates", "canonical_name", "more_mentions",
           "national_body", "country_of", "bodies_in_titles"]

_QUOTES = re.compile(r"[“”‘’\"'《》〈〉「」『』\s]")
_DECLARED = re.compile(r"[（(]\s*(?:以下|下文)?(?:简称|称)\s*([“《]?)([^”》）)]{1,20})[”》]?\s*[）)]")


def locate(article: Article, sentence_index: int, mention: Mention, doc_text: str) -> Located:
    """Attach document offsets and the quote to a mention found in one of ``article``'s sentences."""
    s = article.sentences[sentence_index]
    a, b = s.source_span(mention.start, mention.end)
    return Located(mention, Evidence(article.document, article.id, s.index, a, b, doc_text[a:b]))


def norm(name: str) -> str:
    """A name without quote marks, book-title marks or spaces: the key of identity.

    Examples
    --------
    >>> norm("“一网通办”服务"), norm("《某某条例》")
    ('一网通办服务', '某某条例')
    """
    return _QUOTES.sub("", name)


def strip_places(name: str) -> list[str]:
    """Shorter forms of ``name`` without its leading place names (浙江杭州X公司 → 杭州X公司 → X公司).

    Examples
    --------
    >>> strip_places("浙江省杭州市某某公司")
    ['杭州市某某公司', '某某公司']
    """
    g = gazetteer()
    out = []
    rest = name
    while True:
        for L in range(min(12, len(rest) - 2), 1, -1):
            head = rest[:L]
            if g.is_place(head) and len(rest) - L >= 2:
                rest = rest[L:]
                out.append(rest)
                break
        else:
            return out


def _lead_places(name: str) -> frozenset[str]:
    """Canonical names of the places a name begins with (浙江杭州某某公司 → 浙江省, 杭州市)."""
    g = gazetteer()
    out = set()
    rest = name
    for shorter in strip_places(name):
        head = rest[: len(rest) - len(shorter)]
        if g.is_place(head):
            out.add(g.canonical(head))
        rest = shorter
    return frozenset(out)


def _compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two names can be one body when the places of one are among the other's (杭州某院 ~ 某院, not 宁波某院)."""
    return a <= b or b <= a


def _distinctive(name: str) -> bool:
    """Is there more to ``name`` than organization-type words (总工会, 有限公司)?"""
    from kg.extract.phrases import match_suffix

    core = name
    while (suf := match_suffix(core, "org_suffixes.txt")) and len(suf) < len(core):
        core = core[: -len(suf)]
    return match_suffix(core, "org_suffixes.txt") != core and len(core) >= 2


def _loose(name: str) -> str:
    """A looser key for short forms made by dropping optional words: 某市总工会 ~ 某工会, 某主题博物馆 ~ 某博物馆.

    Examples
    --------
    >>> _loose("杭州市总工会"), _loose("杭州工会"), _loose("某某主题博物馆")
    ('杭州工会', '杭州工会', '某某博物馆')
    """
    out = name
    g = gazetteer()
    for L in range(min(8, len(out) - 2), 1, -1):
        head = out[:L]
        if head[-1] in chars("loose_level_words") and g.is_place(head) and g.is_place(head[:-1]):
            out = head[:-1] + out[L:]
            break
    for word, short in table("loose_forms.tsv").items():
        out = out.replace(word, short)
    return out


def _legal_norm(name: str) -> str:
    for long, short in table("legal_forms.tsv").items():
        if name.endswith(long):
            return name[: -len(long)] + short
    return name


def abbreviates(short: str, long: str) -> bool:
    """Is ``short`` an abbreviation of ``long`` (its characters in order, the first one first)?

    Examples
    --------
    >>> abbreviates("国改", "国有企业改革"), abbreviates("改国", "国有企业改革")
    (True, False)
    """
    if not (2 <= len(short) <= 4 and len(long) >= 2 * len(short)) or short[0] != long[0]:
        return False
    it = iter(long)
    return all(ch in it for ch in short)


def _dice(a: str, b: str) -> float:
    x = {a[i:i + 2] for i in range(len(a) - 1)} or {a}
    y = {b[i:i + 2] for i in range(len(b) - 1)} or {b}
    return 2 * len(x & y) / (len(x) + len(y))


class _Group:
    __slots__ = ("type", "names", "located", "canonical", "article_ids", "document", "scope")

    def __init__(self, type_: str, canonical: str, document: str, scope: str | None = None) -> None:
        self.type = type_
        self.canonical = canonical
        #: the article a generic reference (村委会, 该公司) is local to
        self.scope = scope
        self.names: Counter[str] = Counter()
        self.located: list[Located] = []
        self.article_ids: set[str] = set()
        self.document = document

    def add(self, loc: Located, surface: str | None = None) -> None:
        self.names[surface or loc.mention.text] += 1
        self.located.append(loc)
        self.article_ids.add(loc.evidence.article)


def canonical_name(name: str, type_: str) -> str:
    """The canonical name of a single mention out of context (official place names, no quotes).

    Examples
    --------
    >>> canonical_name("广西", "Place"), canonical_name("“一网通办”服务", "Program")
    ('广西壮族自治区', '一网通办服务')
    """
    return _canonical_place(name) if type_ == PLACE else norm(name)


def _canonical_place(name: str) -> str:
    """The gazetteer's name of a place; a one-character country abbreviation (美) is the
    country (美国).

    Examples
    --------
    >>> _canonical_place("美"), _canonical_place("中")
    ('美国', '中国')
    """
    g = gazetteer()
    if len(name) == 1:
        name = table("country_abbr.tsv").get(name, name)
    if g.is_place(name):
        return g.canonical(name)
    return norm(name)


def _site_name(name: str) -> str:
    """A site's name without a leading province when its city follows (某省某市某酒店 → 某市某酒店)."""
    g = gazetteer()
    if g.is_place(name):
        return name
    for L in range(min(8, len(name) - 3), 1, -1):
        head = name[:L]
        divs = [d for d in g.lookup(head) if d.level == "province"]
        if not divs:
            continue
        rest = name[L:]
        for M in range(min(8, len(rest) - 2), 1, -1):
            if any(d.parent == divs[0].code for d in g.lookup(rest[:M])):
                return rest
        break
    return name


def _expand_reference(name: str, places: Counter[str]) -> str | None:
    """区X / 市X → <the article's district or city>X, when the article names exactly one such place."""
    if len(name) < 3 or name[0] not in table("reference_levels.txt"):
        return None
    level = name[0]
    cands = sorted({p for p in places if p.endswith(level) and len(p) >= 2})
    if len(cands) != 1:
        return None  # none, or several: which one is meant is not said
    return cands[0] + name[1:]


#: The joiner of a generic reference and the article it is local to, in its key (村委会~<article>):
#: the key, and so the IRI, depends on that article alone.
SCOPE_JOINER = "~"
# What begins a reference back to a body named before (该公司, 本公司).
def _back_references() -> tuple[str, ...]:
    return tuple(table("relation_markers.tsv")["back_references"].split())


def generic_reference(name: str) -> bool:
    """Does ``name`` only say what kind of body is meant (村委会, 人大) or point back (该公司)?

    Examples
    --------
    >>> generic_reference("村委会"), generic_reference("该公司"), generic_reference("杭州市总工会")
    (True, True, False)
    """
    if name in words("generic_references.txt"):
        return True
    return name.startswith(_back_references()) and len(name) <= 6 and name[1:] in words("generic_bodies.txt")


def not_an_organization(name: str) -> bool:
    """Region and direction words a name finder may take for an organization (中西部)."""
    return name in words("not_organizations.txt")


def _marker(key: str) -> str:
    return table("relation_markers.tsv")[key]


def national_body(name: str) -> bool:
    """Is ``name`` a body of a national government named bare (外交部, 财政部): one per country?

    Examples
    --------
    >>> national_body("外交部"), national_body("杭州市教育局")
    (True, False)
    """
    return name in words("national_bodies.txt")


def country_of(name: str) -> str | None:
    """The country a place is in (巴黎 → 法国, 杭州 → 中国; a country is its own), None when
    ``name`` is not a place.

    Examples
    --------
    >>> country_of("巴黎"), country_of("杭州"), country_of("尼泊尔"), country_of("某某")
    ('法国', '中国', '尼泊尔', None)
    """
    g = gazetteer()
    found = g.lookup(name)
    if not found:
        return None
    chain = [found[0], *g.ancestors(found[0])]
    top = chain[-1]
    return top.name if top.level in ("foreign", "country") else _marker("home_country")


def _clause_country(x: Located, art: Article | None, places: Sequence[Located]) -> str | None:
    """A country named right before the titles a national body is part of (尼泊尔副总理兼国防部长,
    坦桑尼亚外交部长): the body is that country's."""
    from kg.relate.biography import is_country, is_title

    if art is None:
        return None
    s = art.sentences[x.evidence.sentence]
    idx = s.offset_map()
    at = idx.get(x.evidence.start)
    ends = [(idx[p.evidence.end], p) for p in places if idx.get(p.evidence.end, at + 1 if at is not None else 0)
            <= (at if at is not None else -1)]
    if at is None or not ends:
        return None
    end, pl = max(ends, key=lambda e: e[0])
    between = s.text[end:at]
    joiners = tuple(_marker("title_joiners").split())
    titles = [t for t in re.split("|".join(map(re.escape, joiners)), between) if t]
    if between and not (between.endswith(joiners) and all(is_title(t) for t in titles)):
        return None  # something else stands between: the country is not the body's
    name = _canonical_place(pl.mention.text)
    return name if is_country(name) else None


def _national_scope(x: Located, n: str, art: Article | None, places: Sequence[Located]) -> str:
    """A bare national body (外交部) as the body of the country the article speaks of: the country
    named right before its titles (尼泊尔副总理兼国防部长), else the home country (中国外交部).

    Not the dateline's country: a Chinese paper reporting from abroad names its own ministers
    there (新华社金奈电 … 国务委员兼外交部长王毅), and it names a foreign body with its country."""
    country = _clause_country(x, art, places) or _marker("home_country")
    return country + n


def bodies_in_titles(articles: Iterable[Article], located: Sequence[Located]) -> list[Located]:
    """A national body inside a title that ends with its head title (外交部长 = 外交部 + 部长,
    财政部长, 审计署长): the body, as a mention of its own, where no organization was found.

    The title itself stays as written; the title rules read 外交部 + 长 as the post 外交部长 at 外交部.
    """
    taken: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for x in located:
        if x.type == ORGANIZATION:
            taken[(x.evidence.article, x.evidence.sentence)].append((x.evidence.start, x.evidence.end))
    head = _marker("head_title")
    out = []
    for art in articles:
        for s in art.sentences:
            for body in longest_first("national_bodies.txt"):  # the longer first, in the same order always
                i = s.text.find(body + head)
                while i >= 0:
                    a, b = s.source_span(i, i + len(body))
                    if not any(x < b and a < y for x, y in taken[(art.id, s.index)]):
                        out.append(Located(Mention(body, ORGANIZATION, i, i + len(body), component="body-in-title"),
                                           Evidence(art.document, art.id, s.index, a, b, body)))
                        taken[(art.id, s.index)].append((a, b))
                    i = s.text.find(body + head, i + 1)
    return out


def resolve(located: Iterable[Located], articles: Iterable[Article] = ()) -> list[Entity]:
    """Group located mentions into entities with canonical names and every alias.

    * places take the official name of their division (广西 → 广西壮族自治区);
    * organizations merge short forms and truncations (某某公司 / 杭州某某公司 / 浙江杭州某某有限责任公司),
      and references such as 区工商联 / 该区工商联 become the article's 某某区工商联;
    * programs merge quoted and bare forms, declared short forms ((以下简称“X”)) and abbreviations (产改);
    * persons with one name are one person within a document; across documents two persons
      with one name stay two unless they share a co-mentioned organization or place.

    Examples
    --------
    >>> arts = []
    >>> ev = lambda a, s, e, q: Evidence("d", a, 0, s, e, q)
    >>> locs = [Located(Mention(q, t, 0, len(q)), ev("a1", 0, len(q), q)) for q, t in [
    ...     ("浙江杭州某某半导体有限责任公司", "Organization"), ("某某半导体公司", "Organization"),
    ...     ("广西", "Place"), ("广西壮族自治区", "Place")]]
    >>> [(e.label, e.aliases) for e in resolve(locs)]
    [('浙江杭州某某半导体有限责任公司', ('某某半导体公司',)), ('广西壮族自治区', ('广西',))]
    """
    arts = {a.id: a for a in articles}
    located = list(located)
    locs = sorted([*located, *bodies_in_titles(arts.values(), located)],
                  key=lambda x: (x.evidence.document, x.evidence.article, x.evidence.start, x.evidence.end, x.type))
    art_places = _places_by_article(locs)
    sentence_places: dict[tuple[str, int], list[Located]] = defaultdict(list)
    for x in locs:
        if x.type == PLACE:
            sentence_places[(x.evidence.article, x.evidence.sentence)].append(x)
    index = _Index()
    # longest names first, so that short forms find the full name they abbreviate
    order = sorted(locs, key=lambda x: (x.evidence.document, x.type, -len(norm(x.mention.text)), x.evidence.start))
    for x in order:
        n = norm(x.mention.text)
        if not n or (x.type == ORGANIZATION and not_an_organization(n)):
            continue
        places = art_places.get(x.evidence.article, Counter())
        if x.type == ORGANIZATION and national_body(n):
            # one 外交部 per country: the one of the country the article speaks of
            n = _national_scope(x, n, arts.get(x.evidence.article),
                                sentence_places[(x.evidence.article, x.evidence.sentence)])
        canon, keys = _identity(x, n, places)
        scope = None
        if x.type == ORGANIZATION and generic_reference(canon):
            # one article's 村委会 is not another's: the reference stays local to its article
            scope = x.evidence.article
            keys = [f"{scope}|{canon}"]
        g = index.group_for(x.evidence.document, x.type, keys, canon, scope)
        g.add(x, x.mention.text)
        if x.type == ORGANIZATION and _expand_reference(n, places):
            g.names[canon] += 0  # the expanded name becomes a known name of the entity
        index.register(g, keys)
    _merge_programs_and_events(index.groups, arts)
    _merge_title_references(index.groups)
    return _entities(index.groups)


def _places_by_article(locs: Iterable[Located]) -> dict[str, Counter[str]]:
    """The places named in each article (canonical names), for expanding 区X references."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for x in locs:
        if x.type == PLACE:
            out[x.evidence.article][_canonical_place(x.mention.text)] += 1
    return out


class _Index:
    """The groups found so far, by (document, type, identity key)."""

    def __init__(self) -> None:
        self.groups: list[_Group] = []
        self.by_key: dict[tuple[str, str, str], _Group] = {}

    def group_for(self, doc: str, type_: str, keys: list[str], canonical: str, scope: str | None = None) -> _Group:
        """The group one of ``keys`` names, if its leading places agree; else a new group."""
        mine = _lead_places(canonical)
        for k in keys:
            g = self.by_key.get((doc, type_, k))
            if g is not None and _compatible(mine, _lead_places(g.canonical)):
                return g
        g = _Group(type_, canonical, doc, scope)
        self.groups.append(g)
        return g

    def register(self, g: _Group, keys: Iterable[str]) -> None:
        for k in keys:
            self.by_key.setdefault((g.document, g.type, k), g)


#: The prefix of a loose identity key (so that it never equals a name).
_LOOSE = "~"
#: The shortest loose key worth matching on.
MIN_LOOSE = 4
#: An event name at least this long may recur across articles as one event.
MIN_RECURRING_EVENT = 8


def _place_identity(text: str, n: str) -> tuple[str, list[str]]:
    canon = _site_name(_canonical_place(text))
    keys = [canon, n]
    if not gazetteer().is_place(n):
        keys += [norm(s) for s in strip_places(n)]
        loose = _loose(canon)
        if loose and len(loose) >= MIN_LOOSE:
            keys.append(_LOOSE + loose)
    return canon, keys


def _organization_identity(n: str, places: Counter[str]) -> tuple[str, list[str]]:
    canon = _expand_reference(n, places) or n
    # a truncation (杭州某某公司 for 浙江杭州某某有限责任公司) shares the name without its places,
    # as long as something distinctive is left (杭州市总工会 and 宁波市总工会 share only 总工会)
    stripped = [_legal_norm(s) for s in strip_places(canon) if _distinctive(s)]
    keys = [canon, _legal_norm(canon), *stripped]
    loose = _loose(canon)
    if loose and len(loose) >= MIN_LOOSE and _distinctive(loose):
        keys.append(_LOOSE + loose)
    return canon, keys


def _identity(x: Located, n: str, places: Counter[str]) -> tuple[str, list[str]]:
    """The canonical name of a mention and the keys under which it may join a group."""
    if x.type == PLACE:
        return _place_identity(x.mention.text, n)
    if x.type == ORGANIZATION:
        return _organization_identity(n, places)
    if x.type == EVENT:
        # a generic event name (颁奖仪式) means one event per article; a long one may recur
        return n, [f"{x.evidence.article}|{n}"] + ([n] if len(n) >= MIN_RECURRING_EVENT else [])
    return n, [n]


def _declared_short_forms(groups: list[_Group], articles: dict[str, Article]) -> dict[tuple[str, str], str]:
    """X（以下简称“Y”）: ``{(document, Y): X}`` for programs and organizations."""
    declared: dict[tuple[str, str], str] = {}
    for g in groups:
        if g.type not in (PROGRAM, ORGANIZATION):
            continue
        for loc in g.located:
            art = articles.get(loc.evidence.article)
            if art is None:
                continue
            m = _DECLARED.match(art.sentences[loc.evidence.sentence].text, loc.mention.end)
            if m:
                declared[(g.document, norm(m.group(2)))] = g.canonical
    return declared


#: Two program names this alike (Dice over character bigrams) are one program.
NEAR_IDENTICAL = 0.8


class _Live:
    """The groups of one document and type not merged into another yet (membership by identity,
    in constant time: a corpus has tens of thousands of groups)."""

    def __init__(self, groups: Iterable[_Group]) -> None:
        self._ids = {id(g) for g in groups}

    def __contains__(self, g: object) -> bool:
        return id(g) in self._ids

    def discard(self, g: _Group) -> None:
        self._ids.discard(id(g))


def _program_target(small: _Group, gs: list[_Group], live: _Live) -> _Group | None:
    """The longer program ``small`` abbreviates (“国改” / 国有企业改革), nearly equals, or ends
    after a place (安全生产法 / 中华人民共和国安全生产法)."""
    quoted = any(nm[:1] in "“‘" for nm in small.names)  # a short form is written in quotes
    for big in gs:
        if big is small or big not in live or len(big.canonical) <= len(small.canonical):
            continue
        head = big.canonical[: len(big.canonical) - len(small.canonical)]
        if (quoted and abbreviates(small.canonical, big.canonical)) \
                or _dice(small.canonical, big.canonical) >= NEAR_IDENTICAL \
                or (big.canonical.endswith(small.canonical) and gazetteer().is_place(head)):
            return big
    return None


def _event_target(small: _Group, gs: list[_Group], live: _Live) -> _Group | None:
    """A longer event of the same article whose name begins or ends with ``small``'s."""
    for big in gs:
        if big is small or big not in live:
            continue
        if len(big.canonical) > len(small.canonical) and (
                big.canonical.endswith(small.canonical) or big.canonical.startswith(small.canonical)) \
                and big.article_ids & small.article_ids:
            return big
    return None


def _merge_target(small: _Group, gs: list[_Group], live: _Live,
                  declared: dict[tuple[str, str], str]) -> _Group | None:
    key = (small.document, small.canonical)
    if key in declared and declared[key] != small.canonical:
        target = next((g for g in gs if g.canonical == declared[key] and g in live), None)
        if target is not None:
            return target
    if small.type == PROGRAM:
        return _program_target(small, gs, live)
    if small.type == EVENT:
        return _event_target(small, gs, live)
    return None


def _merge_programs_and_events(groups: list[_Group], articles: dict[str, Article]) -> None:
    """Merge declared short forms, abbreviations, near-identical names and contained event names."""
    by_doc: dict[tuple[str, str], list[_Group]] = defaultdict(list)
    for g in groups:
        by_doc[(g.document, g.type)].append(g)
    declared = _declared_short_forms(groups, articles)
    merged: set[int] = set()  # the groups merged into another (by identity)
    for (_doc, t), gs in by_doc.items():
        if t not in (PROGRAM, EVENT, ORGANIZATION):
            continue
        gs.sort(key=lambda g: (-len(g.canonical), g.canonical))
        live = _Live(gs)
        for small in list(gs):
            if small not in live:
                continue
            target = _merge_target(small, gs, live, declared)
            if target is not None:
                for loc in small.located:
                    target.add(loc, loc.mention.text)
                live.discard(small)
                merged.add(id(small))
    groups[:] = [g for g in groups if id(g) not in merged]


#: The longest given name of a full name after its surname (张三, 欧阳明远).
MAX_GIVEN_NAME = 2


def title_reference(name: str) -> str | None:
    """The surname of a reference by surname and title (习主席, 李总理, 欧阳书记), else ``None``.

    Examples
    --------
    >>> title_reference("林主席"), title_reference("欧阳书记"), title_reference("林晓峰")
    ('林', '欧阳', None)
    """
    titles = words("titles.txt")
    for s in (name[:2], name[:1]):  # a compound surname first
        if len(name) > len(s) and s in words("surnames.txt") and name[len(s):] in titles:
            return s
    return None


def _full_name_with(name: str, surname: str) -> bool:
    """Whether ``name`` is a full name of that surname (not itself a title reference)."""
    given = len(name) - len(surname)
    return name.startswith(surname) and 1 <= given <= MAX_GIVEN_NAME and title_reference(name) is None


def _merge_title_references(groups: list[_Group]) -> None:
    """A person named by surname and title (林主席) is the one person of that surname named in
    full in the same article (林晓峰), when there is exactly one; otherwise it stays apart."""
    by_doc: dict[str, list[_Group]] = defaultdict(list)
    for g in groups:
        if g.type == PERSON and g.scope is None:
            by_doc[g.document].append(g)
    merged: set[int] = set()
    for gs in by_doc.values():
        for small in gs:
            surname = title_reference(small.canonical)
            if surname is None:
                continue
            full = [g for g in gs if id(g) not in merged and g is not small
                    and _full_name_with(g.canonical, surname) and g.article_ids & small.article_ids]
            if len(full) == 1:
                for loc in small.located:
                    full[0].add(loc, loc.mention.text)
                merged.add(id(small))
    if merged:
        groups[:] = [g for g in groups if id(g) not in merged]


def _entities(groups: list[_Group]) -> list[Entity]:
    # persons: one per name within a document; across documents merge only with shared context
    out: list[Entity] = []
    by_canon: dict[tuple[str, str], list[_Group]] = defaultdict(list)
    for g in groups:
        by_canon[(g.type, g.canonical if g.scope is None else f"{g.canonical}{SCOPE_JOINER}{g.scope}")].append(g)
    # organizations and places named in each article: the context a person's name is read in
    named_in: dict[str, set[str]] = defaultdict(set)
    for g in groups:
        if g.type in (ORGANIZATION, PLACE):
            for a in g.article_ids:
                named_in[a].add(g.canonical)
    merged: list[list[_Group]] = []
    for (t, _canon), gs in sorted(by_canon.items()):
        if t != PERSON or len(gs) == 1:
            merged.append(gs)
            continue
        clusters: list[tuple[list[_Group], set[str]]] = []
        for g in gs:
            ctx = set().union(*(named_in[a] for a in g.article_ids))
            for members, seen in clusters:
                if seen & ctx:
                    members.append(g)
                    seen |= ctx
                    break
            else:
                clusters.append(([g], ctx))
        merged.extend(members for members, _ in clusters)
    counter: Counter[tuple[str, str]] = Counter()
    for cluster in merged:
        first = cluster[0]
        t, canon = first.type, first.canonical
        name = canon if first.scope is None else f"{canon}{SCOPE_JOINER}{first.scope}"
        counter[(t, name)] += 1
        k = counter[(t, name)]
        key = EntityKey(t, name, k)
        names: Counter[str] = Counter()
        located: list[Located] = []
        for g in cluster:
            names.update(g.names)
            located.extend(g.located)
        label = canon
        aliases = sorted({nm for nm in names if nm != label} | ({norm(nm) for nm in names} - {label}))
        evid = tuple(sorted({x.evidence for x in located}, key=lambda e: (e.document, e.article, e.start, e.end)))
        conf = max((x.mention.confidence for x in located), default=1.0)
        out.append(Entity(key=key, type=t, label=label, aliases=tuple(aliases), mentions=evid,
                          confidence=round(min(conf, 1.0), 3)))
    return sorted(out, key=lambda e: (e.type, e.key))


_QUOTED = re.compile(r"[“‘]([^“”‘’]{2,6})[”’]")


#: The confidence of an organization first seen as a regional branch (浙江某某 of 某某集团).
BRANCH_CONFIDENCE = 0.7

#: A span found again: ``(start, end, entity or None for a new branch, alias or "")``.
_Found = tuple[int, int, "Entity | None", str]


def _taken_spans(entities: list[Entity]) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """The source spans already named, per (article, sentence); names inside a program's or an
    event's name are still free."""
    taken: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for e in entities:
        if e.type in (PROGRAM, EVENT):
            continue
        for ev in e.mentions:
            taken[(ev.article, ev.sentence)].append((ev.start, ev.end))
    return taken


def _candidates_by_document(entities: list[Entity]) -> dict[str, list[Entity]]:
    """The programs and organizations named in each document."""
    by_doc: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        if e.type in (PROGRAM, ORGANIZATION) and e.mentions and SCOPE_JOINER not in e.key.name:
            for d in {ev.document for ev in e.mentions}:
                by_doc[d].append(e)
    return by_doc


def _occurrences(text: str, word: str) -> Iterable[int]:
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


def _names_to_find(cands: list[Entity]) -> list[tuple[str, Entity]]:
    """The names and aliases of the candidates that are looked for again (three characters at
    least, four for an organization), each with its entity, in the candidates' order."""
    return [(name, e) for e in cands for name in {e.label, *e.aliases}
            if len(name) >= 3 and (e.type != ORGANIZATION or len(name) >= 4)]


def _names_again(text: str, names: list[tuple[str, Entity]]) -> list[_Found]:
    """Every place one of the ``names`` (`_names_to_find`) recurs in ``text``."""
    found: list[_Found] = []
    for name, e in names:
        if name in text:
            found.extend((i, i + len(name), e, "") for i in _occurrences(text, name))
    return found


def _brands_again(text: str, brands: dict[str, Entity]) -> list[_Found]:
    """A group's brand name (某某 of 某某集团) alone, or after a place: a regional branch (浙江某某)."""
    found: list[_Found] = []
    for core, e in brands.items():
        for i in _occurrences(text, core):
            place = next((text[k:i] for k in range(max(0, i - 8), i - 1)
                          if gazetteer().is_place(text[k:i])), None)
            if place:
                found.append((i - len(place), i + len(core), None, place + core))
            elif not text.startswith(e.label, i):
                found.append((i, i + len(core), e, core))
    return found


def _quoted_abbreviations(text: str, cands: list[Entity]) -> list[_Found]:
    """A quoted short form that abbreviates a program's name (“国改” for 国有企业改革)."""
    return [(m.start(), m.end(), e, m.group()) for m in _QUOTED.finditer(text) for e in cands
            if e.type == PROGRAM and abbreviates(m.group(1), norm(e.label))]


def _clashes(src: tuple[int, int], spans: list[tuple[int, int]], branch: bool) -> bool:
    """Does ``src`` overlap a span already taken? A branch may hold the place it is named after."""
    if branch:
        return any(x < src[1] and src[0] < y and not (src[0] <= x and y <= src[1]) for x, y in spans)
    return any(x < src[1] and src[0] < y for x, y in spans)


def _by_position(found: list[_Found]) -> list[_Found]:
    return sorted(found, key=lambda f: (f[0], -(f[1] - f[0])))


def _sorted_evidence(evs: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(sorted(set(evs), key=lambda v: (v.document, v.article, v.start, v.end)))


class _Additions:
    """The mentions and aliases found again, and the new branches."""

    def __init__(self) -> None:
        self.mentions: dict[EntityKey, set[Evidence]] = defaultdict(set)
        self.aliases: dict[EntityKey, set[str]] = defaultdict(set)
        self.branches: dict[str, set[Evidence]] = defaultdict(set)

    def add(self, e: Entity | None, alias: str, ev: Evidence) -> None:
        if e is None:
            self.branches[alias].add(ev)
            return
        self.mentions[e.key].add(ev)
        if alias:
            self.aliases[e.key].add(alias)

    def apply(self, entities: list[Entity]) -> list[Entity]:
        out = []
        for e in entities:
            if e.key in self.mentions or e.key in self.aliases:
                new = self.aliases.get(e.key, set())
                e = replace(e, mentions=_sorted_evidence(set(e.mentions) | self.mentions.get(e.key, set())),
                            aliases=tuple(sorted(set(e.aliases) | new | {norm(x) for x in new})))
            out.append(e)
        by_key = {e.key: k for k, e in enumerate(out)}
        for name, evs in sorted(self.branches.items()):
            key = EntityKey(ORGANIZATION, name)
            if key in by_key:
                k = by_key[key]
                out[k] = replace(out[k], mentions=_sorted_evidence(set(out[k].mentions) | evs))
            else:
                out.append(Entity(key, ORGANIZATION, name, (), _sorted_evidence(evs), confidence=BRANCH_CONFIDENCE))
        return out


def more_mentions(entities: list[Entity], articles: Iterable[Article], doc_texts: dict[str, str]) -> list[Entity]:
    """Find the other mentions of programs and organizations in their documents.

    A name (or alias) seen once is found again wherever it recurs in the same document, and a
    quoted short form that abbreviates a program's name (“国改” for 国有企业改革) becomes
    an alias with its own mentions. Spans already taken by an entity are left alone.
    """
    taken = _taken_spans(entities)
    brands = _brands(entities)
    by_doc = _candidates_by_document(entities)
    added = _Additions()
    for art in articles:
        cands = by_doc.get(art.document, [])
        if not cands:
            continue
        doc_text = doc_texts[art.document]
        names = _names_to_find(cands)
        for sent in art.sentences:
            if sent.kind == "byline":
                continue
            spans = taken[(art.id, sent.index)]
            found = (_names_again(sent.text, names) + _brands_again(sent.text, brands.get(art.document, {}))
                     + _quoted_abbreviations(sent.text, cands))
            for a, b, e, alias in _by_position(found):
                src = sent.source_span(a, b)
                if _clashes(src, spans, branch=e is None):
                    continue
                spans.append(src)
                added.add(e, alias, Evidence(art.document, art.id, sent.index, src[0], src[1],
                                             doc_text[src[0]:src[1]]))
    return sorted(added.apply(entities), key=lambda e: (e.type, e.key))


def _brands(entities: list[Entity]) -> dict[str, dict[str, Entity]]:
    """``{document: {brand: group}}`` for groups and companies named 某某集团 / 某某有限公司."""
    from kg.extract.tokens import pos

    out: dict[str, dict[str, Entity]] = defaultdict(dict)
    for e in entities:
        if e.type != ORGANIZATION:
            continue
        name = (strip_places(e.label) or [e.label])[-1]
        suf = next((x for x in table("group_suffixes.txt") if name.endswith(x)), None)
        if suf is None:
            continue
        core = name[: -len(suf)]
        if len(core) < 2 or gazetteer().is_place(core) or pos(core) not in ("", "nz", "nt", "ns", "nr", "j", "eng"):
            continue
        for d in {ev.document for ev in e.mentions}:
            out[d].setdefault(core, e)
    return out
