"""Events as news reports them: one event per trigger word (辞职, 被捕, 签约, 起火, 会见 …), its type,
status, time, place and participants read off the sentence around the trigger (issue #12).

The triggers and their roles are the ``event_verbs_*.tsv`` lexicons (one file per family of the
ontology's event types); negation and modality cues (未, 否认 / 将, 计划) make an event denied or
planned instead of happened. The subject of the trigger (the entity nearest before it in its
clause) and its object (the entity right after it) fill the roles the lexicon gives them; a
passive (被) makes the subject the affected; 同/与 X joins a partner; 在/于 X is the place; the date
is the phrase in the clause, else in the sentence before the trigger, else the last date stated
earlier in the paragraph (当日 refers to it). Occurrences in one article with the same type and
the same main participant (or the same label) are one event, and so are two triggers of one type
in one clause (决赛24日开赛: the later one, the predicate, is kept).

What is not a news event is left out: a trigger that starts inside a noun (直通车 for 通车), a
trigger used as the modifier of a head noun (谈判药品, 调解方式; ``event_modifier_heads.txt``), a
habit (每年会举办; ``event_habitual_words.txt``), and the newspaper's own reporting (记者来到某地走访;
``event_reporter_words.txt``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from kg.dates import DateMention, find_dates, number
from kg.extract.tokens import tokenize_span
from kg.lexicons import entries, table, words
from kg.model import (
    DENIED,
    HAPPENED,
    PLANNED,
    ArticleFacts,
    Entity,
    EntityKey,
    EventDetails,
    EventInfo,
    Evidence,
    Relation,
    SentenceFacts,
    Spot,
)
from kg.relate import event_confidence as conf
from kg.schema import EVENT, ORGANIZATION, PERSON, PLACE, PROGRAM, schema

__all__ = ["Trigger", "triggers", "find_triggers", "status_of", "clause_start", "trigger_events"]

COMPONENT = "event-trigger"
#: Token tags of common nouns: a trigger that starts inside one is part of another word (直通车).
NOUN_TAGS = frozenset({"n", "nz", "ng"})
#: Characters that open and close a parenthesis (a byline: （记者某某）).
PAREN_OPEN, PAREN_CLOSE = frozenset("（("), frozenset("）)")
#: Characters after which a new statement starts (记者获悉：某某成立 …).
STATEMENT_STARTS = frozenset("：:")
#: Characters that end a clause.
CLAUSE_ENDS = frozenset("，,；;。！？!?：:")
#: Characters that join the members of a list (A、B和C).
LIST_JOINERS = frozenset("、/") | frozenset(entries("event_partner_words.txt"))
#: Characters that separate list members but never a subject from its partner.
LIST_SEPARATORS = frozenset("、/")
#: The longest stretch between a trigger and its object, and between list members.
OBJECT_GAP, LIST_GAP = 16, 8
#: How far before a trigger a one-character negation cue counts (未发生重大事故).
NEGATION_REACH = 6
#: The longest label composed of names (else the names are left out).
MAX_LABEL = 40
#: How much of the clause before a trigger names an event that has no participant to name it.
LABEL_CONTEXT = 8
#: The families whose events stand without arguments (a fire is news even unnamed).
SELF_EVIDENT = frozenset({"Disaster", "ConflictEvent"})
#: The families whose events count their dead and injured.
WITH_CASUALTIES = SELF_EVIDENT
_NAMED = (PERSON, ORGANIZATION, PLACE, PROGRAM)


@dataclass(frozen=True)
class Trigger:
    """A trigger word, its event type and the roles of its subject and object (``None``: none)."""

    word: str
    kind: str
    subject: str | None
    object: str | None


@cache
def _lexicon() -> dict[str, Trigger]:
    out: dict[str, Trigger] = {}
    names = sorted(p.name for p in files("kg.lexicons").iterdir()
                   if p.name.startswith("event_verbs_") and p.name.endswith(".tsv"))
    for name in names:
        for word, value in table(name).items():
            kind, subj, obj = (value.split() + ["-", "-"])[:3]
            schema().event_type(kind)  # an unknown type fails here, naming the known ones
            out.setdefault(word, Trigger(word, kind, None if subj == "-" else subj, None if obj == "-" else obj))
    return out


@cache
def _weak() -> dict[str, tuple[str, re.Pattern[str]]]:
    out = {}
    for word, value in table("event_weak_triggers.tsv").items():
        side, _, rx = value.partition(" ")
        out[word] = (side, re.compile(rx))
    return out


@cache
def _trigger_regex() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(_lexicon(), key=lambda w: (-len(w), w))))


def _family(kind: str) -> str:
    """The family of an event type: its ancestor just below kgo:Event (itself for a direct kind)."""
    s = schema()
    t = s.event_type(kind)
    while t.parent and t.parent != EVENT and s.has_event_type(t.parent):
        t = s.event_type(t.parent)
    return t.name


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    a = start
    while a > 0 and text[a - 1] not in CLAUSE_ENDS:
        a -= 1
    b = end
    while b < len(text) and text[b] not in CLAUSE_ENDS:
        b += 1
    return a, b


def clause_start(text: str, at: int) -> int:
    """Where the clause holding offset ``at`` starts (after the last ，；。 before it)."""
    return _clause(text, at, at)[0]


def _allowed(text: str, start: int, end: int, word: str) -> bool:
    rule = _weak().get(word)
    if rule is None:
        return True
    side, rx = rule
    a, b = _clause(text, start, end)
    return bool(rx.search(text[end:b])) if side == "after" else bool(rx.search(text[a:start]))


def find_triggers(text: str, spots: Sequence[Spot] = ()) -> list[tuple[int, int, Trigger]]:
    """The trigger occurrences of ``text`` (longest first, never overlapping, never inside a name):
    ``(start, end, trigger)``.

    Examples
    --------
    >>> [(t.word, t.kind) for _, _, t in find_triggers("海河集团董事长林晓峰昨日宣布辞职。")]
    [('辞职', 'Resignation')]
    """
    heads = words("event_modifier_heads.txt")
    names = [(x.start, x.end) for x in spots]
    out: list[tuple[int, int, Trigger]] = []
    for m in _trigger_regex().finditer(text):  # most sentences have none: they are not segmented
        a, b = m.start(), m.end()
        toks = tokenize_span(text, a, b)  # the words of the trigger's clause, and the next one
        ends = {t.end for t in toks}
        inside_noun = {k for t in toks if t.tag in NOUN_TAGS for k in range(t.start + 1, t.end)}
        next_word = {t.start: t.word for t in toks}
        if b not in ends:
            continue  # the trigger must end a word (依法逮捕, 举行会谈; not 会议室, 发布会 for 发布)
        if a in inside_noun:
            continue  # nor start inside a noun (直通车 is not 通车)
        if next_word.get(b) in heads:
            continue  # a modifier (谈判药品, 调解方式), not an event
        if any(x <= a and b <= y for x, y in names):
            continue  # inside a name (某某法律援助中心)
        if _allowed(text, a, b, m.group()):
            out.append((a, b, _lexicon()[m.group()]))
    return out


def status_of(text: str, start: int, clause_start: int) -> str:
    """Denied (未, 否认 before the trigger), planned (将, 计划) or happened.

    Examples
    --------
    >>> status_of("全国未发生交通事故", 5, 0), status_of("公司将于明年上市", 6, 0), status_of("公司昨日上市", 4, 0)
    ('denied', 'planned', 'happened')
    """
    before = text[clause_start:start]
    neg = entries("event_negation.txt")
    if any(before[-NEGATION_REACH:].find(w) >= 0 for w in neg if len(w) == 1) or \
            any(w in before for w in neg if len(w) > 1):
        return DENIED
    if any(w in before for w in entries("event_modality.txt")):
        return PLANNED
    return HAPPENED


def habitual(text: str, start: int, clause_start: int) -> bool:
    """Is the trigger at ``start`` reported as a habit (每年会举办), not as one event?

    Examples
    --------
    >>> habitual("该市每年会举办数场活动", 6, 0), habitual("该市昨日举办活动", 4, 0)
    (True, False)
    """
    return any(w in text[clause_start:start] for w in entries("event_habitual_words.txt"))


def by_reporter(text: str, start: int, agents: Sequence[Spot]) -> bool:
    """Is the act at ``start`` the reporter's own (记者来到某地走访): a reporter word nearer before it,
    since the last colon, than any person or organization of ``agents``? A byline in parentheses
    (（记者某某）) does not count.

    Examples
    --------
    >>> by_reporter("近日，记者来到湿地实地走访。", 11, ()), by_reporter("（记者王某）某局近日走访企业。", 10, ())
    (True, False)
    """
    region = max((k + 1 for k in range(start) if text[k] in STATEMENT_STARTS), default=0)
    last = -1
    for w in entries("event_reporter_words.txt"):
        k = text.find(w, region, start)
        while k >= 0:
            opened = max((i for i in range(region, k) if text[i] in PAREN_OPEN), default=-1)
            closed = max((i for i in range(region, k) if text[i] in PAREN_CLOSE), default=-1)
            if opened <= closed:  # not inside a parenthesis
                last = max(last, k + len(w))
            k = text.find(w, k + 1, start)
    if last < 0:
        return False
    return not any(x.type in (PERSON, ORGANIZATION) and last <= x.start and x.end <= start for x in agents)


def _one_per_clause(text: str, found: list[tuple[int, int, Trigger]]) -> list[tuple[int, int, Trigger]]:
    """Of two triggers of one type in one clause (决赛24日开赛), the later: one event, one mention."""
    last: dict[tuple[tuple[int, int], str], int] = {}
    for i, (a, b, t) in enumerate(found):
        last[(_clause(text, a, b), t.kind)] = i
    return [x for i, x in enumerate(found) if last[(_clause(text, x[0], x[1]), x[2].kind)] == i]


# --- arguments -----------------------------------------------------------------------------------


def _outer(spots: Sequence[Spot]) -> list[Spot]:
    """The mentions not inside another (a place inside an organization's name is the name's)."""
    return [x for x in spots if x.type in _NAMED and not any(
        y is not x and y.start <= x.start and x.end <= y.end and (y.end - y.start) > (x.end - x.start) for y in spots)]


def _before(text: str, x: Spot, words: Sequence[str]) -> str | None:
    return next((w for w in words if text[:x.start].endswith(w)), None)


@dataclass
class _Found:
    subject: list[Spot]
    subject_conf: float
    passive_actor: list[Spot]
    objects: list[Spot]
    partners: list[Spot]
    recipients: list[Spot]
    place: Spot | None
    place_conf: float
    passive: bool


def _list_from(text: str, first: Spot, cands: list[Spot], forward: bool) -> list[Spot]:
    """``first`` and the members of the list it is in (A、B和C), in the given direction."""
    out = [first]
    pool = sorted(cands, key=lambda x: x.start, reverse=not forward)
    for x in pool:
        last = out[-1]
        gap = text[last.end:x.start] if forward else text[x.end:last.start]
        if (x.start >= last.end if forward else x.end <= last.start) and gap and len(gap) <= LIST_GAP \
                and (gap[0] if forward else gap[0]) in LIST_JOINERS and not set(gap) & CLAUSE_ENDS:
            out.append(x)
    return out


def _arguments(s: SentenceFacts, a: int, b: int, trig: Trigger) -> _Found:
    text = s.text
    ca, cb = _clause(text, a, b)
    spots = _outer(s.spots)
    particles = entries("event_place_particles.txt")
    partner_words = entries("event_partner_words.txt")
    to_words = entries("event_recipient_particles.txt")
    before = [x for x in spots if ca <= x.start and x.end <= a]
    after = [x for x in spots if b <= x.start and x.end <= cb]
    places = [x for x in before + after if x.type in (PLACE, ORGANIZATION) and _before(text, x, particles)]
    recipients = [x for x in before if _before(text, x, to_words)]
    partners = []
    for i, x in enumerate(before):
        seg = text[before[i - 1].end:x.start] if i else ""
        if i and x.type in (PERSON, ORGANIZATION) and x not in places and any(w in seg for w in partner_words) \
                and not set(seg) & LIST_SEPARATORS:
            partners.append(x)
    subj_cands = [x for x in before if x not in places and x not in recipients and x not in partners
                  and x.type in (PERSON, ORGANIZATION, PLACE)]
    passive = entries("event_passive_words.txt")
    subject: list[Spot] = []
    actor: list[Spot] = []
    sconf = conf.SUBJECT
    people = [x for x in subj_cands if x.type != PLACE] or subj_cands
    k = max((text.rfind(w, ca, a) for w in passive), default=-1)
    if k >= 0 and any(x.end <= k for x in people):  # 高鹏被某局拘留: 高鹏 the affected, 某局 the actor
        actor = [x for x in people if k < x.start]
        people = [x for x in people if x.end <= k]
    else:
        k = -1
    if people:
        nearest = max(people, key=lambda x: x.end)
        subject = _list_from(text, nearest, [x for x in subj_cands if x not in actor], forward=False)
    else:
        first_clause = _clause(text, 0, 0)[1] if text else 0
        lead = [x for x in _outer(s.spots) if x.end <= min(first_clause, a) and x.type in (PERSON, ORGANIZATION)]
        if lead and first_clause < a:
            subject, sconf = [lead[0]], conf.SUBJECT_OF_SENTENCE
    objects: list[Spot] = []
    obj_cands = [x for x in after if x not in places and x.type in (PERSON, ORGANIZATION, PROGRAM)]
    if obj_cands:
        first = min(obj_cands, key=lambda x: x.start)
        head = next((x for x in obj_cands if x.type == PERSON and first.type == ORGANIZATION and x.start >= first.end
                     and x.start - first.end <= LIST_GAP and not set(text[first.end:x.start]) & (LIST_JOINERS | CLAUSE_ENDS)),
                    None)
        first = head or first  # 会见某公司董事长张三: the person, not the employer named before the title
        if first.start - b <= OBJECT_GAP and not any(w in text[b:first.start] for w in particles):
            objects = _list_from(text, first, obj_cands, forward=True)
    place, pconf = None, conf.PLACE_AFTER_PARTICLE
    if places:
        # the most specific of a run of places (在湖南衡阳: 衡阳), the first run after the particle
        place = places[0]
        for x in sorted(places, key=lambda x: x.start):
            if x.start == place.end:
                place = x
    elif _family(trig.kind) in SELF_EVIDENT:
        near = [x for x in before if x.type == PLACE]
        if near:
            place, pconf = max(near, key=lambda x: x.end), conf.PLACE_BEFORE_TRIGGER
    return _Found(subject, sconf, actor, objects, partners, recipients, place, pconf, k >= 0)


def _when(dates: Sequence[DateMention], a: int, clause: tuple[int, int], earlier: DateMention | None,
          ) -> tuple[DateMention | None, float]:
    """The date of the trigger at ``a``: in its clause, else before it in the sentence, else
    ``earlier`` (the last date stated before in the paragraph)."""
    inside = [d for d in dates if clause[0] <= d.start and d.end <= clause[1]]
    if inside:
        prior = [d for d in inside if d.end <= a]
        return (prior[-1] if prior else inside[0]), conf.DATE_IN_CLAUSE
    prior = [d for d in dates if d.end <= a]
    if prior:
        return prior[-1], conf.DATE_IN_SENTENCE
    if earlier is not None:
        return earlier, conf.DATE_IN_PARAGRAPH
    return None, 0.0


def _casualties(text: str) -> dict[str, int]:
    """造成3人死亡、5人受伤 / 死亡3人: ``{"deadCount": 3, "injuredCount": 5}``."""
    measures = "|".join(entries("event_people_measures.txt"))
    digits = table("event_count_numerals.tsv")
    num = rf"(\d+|[{''.join(digits)}]+)"
    out: dict[str, int] = {}
    for pred, name in (("deadCount", "event_dead_words.txt"), ("injuredCount", "event_injured_words.txt")):
        words = "|".join(sorted(entries(name), key=len, reverse=True))
        m = re.search(rf"{num}(?:{measures})[^，。；\d]{{0,3}}?(?:{words})", text) \
            or re.search(rf"(?:{words}){num}(?:{measures})", text)
        if m:
            n = _count(m.group(1), digits)
            if n is not None:
                out[pred] = n
    return out


def _count(text: str, digits: dict[str, str]) -> int | None:
    """3, 十二, 两 (2): the value of a casualty count."""
    if text.isdigit():
        return int(text)
    ten = next(k for k, v in digits.items() if v == "10")
    return number("".join(k if k == ten else next(c for c, v in digits.items() if v == digits[k]) for k in text))


def _name(entities: Mapping[EntityKey, Entity], key: EntityKey) -> str:
    """The canonical name of the entity ``key``, else the name in the key."""
    e = entities.get(key)
    return e.label if e is not None else key.name


def _label(text: str, a: int, b: int, f: _Found, names: Mapping[EntityKey, Entity]) -> str:
    left = "、".join(_name(names, x.key) for x in f.subject)
    right = "、".join(_name(names, x.key) for x in f.objects)
    label = f"{left}{text[a:b]}{right}"
    if (left or right) and len(label) <= MAX_LABEL:
        return label
    if f.place is not None:
        return _name(names, f.place.key) + text[a:b]
    ca, _ = _clause(text, a, b)
    return text[_word_start(text, max(ca, a - LABEL_CONTEXT)):b]


def _word_start(text: str, pos: int) -> int:
    """``pos``, moved back to the start of the word it falls in (a label never begins inside a
    word or a number: 2010年创办, not 0年创办).

    Examples
    --------
    >>> text = "该项目自2010年创办至今"
    >>> text[_word_start(text, 5):]
    '2010年创办至今'
    """
    return next((t.start for t in tokenize_span(text, pos, pos + 1) if t.start <= pos < t.end), pos)


def _paragraph_dates(article: ArticleFacts, published: str | None,
                     ) -> dict[int, tuple[DateMention | None, list[DateMention]]]:
    """For each sentence (by index), the last date with a value stated before it in its
    paragraph, and the dates of the sentence itself read with that one (`find_dates`)."""
    out: dict[int, tuple[DateMention | None, list[DateMention]]] = {}
    paras = article.article.paragraphs
    last: DateMention | None = None
    para_of_last = None
    for s in article.body:
        p = next((k for k, (x, y) in enumerate(paras) if x <= s.sentence.start < y), None)
        if p != para_of_last:
            last, para_of_last = None, p
        dates = find_dates(s.text, published, last.value if last else None)
        out[s.sentence.index] = (last, dates)
        for d in dates:
            if d.value is not None and d.grain == "day":
                last = d
    return out


def _safe_pub(published: str | None) -> str | None:
    try:
        find_dates("", published)
    except ValueError:
        return None
    return published


def trigger_events(article: ArticleFacts) -> Iterator[Relation | EventDetails | Entity]:
    """The events of an article, one per trigger occurrence (merged when they are one event)."""
    pub = _safe_pub(article.published)
    earlier = _paragraph_dates(article, pub)
    names = article.entities  # the build's entities: their canonical names label events
    seen: dict[tuple[str, object], EntityKey] = {}
    for s in article.body:
        events = [x for x in s.spots if x.type == EVENT]
        found = [t for t in find_triggers(s.text, [x for x in s.spots if x.type != EVENT])
                 if not any(x.start < t[1] and t[0] < x.end for x in events)]
        found = [t for t in _one_per_clause(s.text, found)
                 if not habitual(s.text, t[0], clause_start(s.text, t[0])) and not by_reporter(s.text, t[0], s.spots)]
        if not found:
            continue
        prev, dates = earlier[s.sentence.index]  # every sentence of the body has its entry
        for a, b, trig in found:
            yield from _one(article, s, a, b, trig, dates, prev, names, seen)


def _one(article: ArticleFacts, s: SentenceFacts, a: int, b: int, trig: Trigger, dates: list[DateMention],
         prev: DateMention | None, names: Mapping[EntityKey, Entity], seen: dict[tuple[str, object], EntityKey],
         ) -> Iterator[Relation | EventDetails | Entity]:
    text = s.text
    clause = _clause(text, a, b)
    f = _arguments(s, a, b, trig)
    when, dconf = _when(dates, a, clause, prev)
    in_clause = when is not None and clause[0] <= when.start and when.end <= clause[1]
    named = f.subject or f.objects or f.partners or f.place is not None
    if not named and not in_clause and _family(trig.kind) not in SELF_EVIDENT:
        return  # a bare verb (发布, 推出) with nothing that says which event
    status = status_of(text, a, clause[0])
    if status == HAPPENED and when is not None and when.value and article.published \
            and when.value > article.published[:len(when.value)]:
        status = PLANNED
    label = _label(text, a, b, f, names)
    people = f.subject or f.objects or f.partners
    ident: tuple[str, object] = (trig.kind, people[0].key if people else label)
    key = seen.get(ident) or seen.get((trig.kind, label)) or EntityKey(EVENT, label)
    seen[ident] = seen[(trig.kind, label)] = key
    sa, sb = s.sentence.source_span(a, b)
    ev = Evidence(s.evidence.document, s.evidence.article, s.sentence.index, sa, sb, article.text[sa:sb])
    yield Entity(key, EVENT, label, (), (ev,), confidence=conf.TRIGGER_EVENT)
    info = EventInfo(trig.kind, when.value if when else None, when.text if when else None, status,
                     when.end_value if when else None)
    yield EventDetails(key, info, COMPONENT, s.evidence, dconf if when else conf.TRIGGER_TYPE)
    e = s.evidence

    def rel(pred: str, x: Spot, c: float) -> Relation:
        return Relation(key, pred, x.key, (e,), c, COMPONENT)

    subj_role = "affected" if f.passive else trig.subject
    for x in f.subject:
        yield rel(subj_role or "participant", x, f.subject_conf)
    for x in f.passive_actor:
        yield rel("actor", x, conf.SUBJECT)
    for x in f.objects:
        yield rel(trig.object or "participant", x, conf.OBJECT)
    for x in f.partners:
        yield rel(subj_role or "participant", x, conf.PARTNER)
    for x in f.recipients:
        yield rel("affected", x, conf.OBJECT)
    if f.place is not None and f.place.type == PLACE:
        yield rel("locatedIn", f.place, f.place_conf)
    if when is not None and when.end_value:
        yield Relation(key, "endDate", when.end_value, (e,), dconf, COMPONENT, literal=True)
    if _family(trig.kind) in WITH_CASUALTIES:
        for pred, n in _casualties(text).items():
            yield Relation(key, pred, str(n), (e,), conf.CASUALTIES, COMPONENT, literal=True)


def triggers(article: ArticleFacts) -> Iterator[Relation | EventDetails | Entity]:
    """The ``event-trigger`` component: :func:`trigger_events`."""
    yield from trigger_events(article)
