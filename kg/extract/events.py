"""Events, first pass: a trigger word and the phrase that names the event (会议, 仪式, X在Y宣讲 …)."""

from __future__ import annotations

import re

from kg.confidence import EVENT_BY_CONTEXT, EVENT_NAMED, EVENT_SUBJECT_MIN
from kg.extract.lexicon import chars, entries, table, words
from kg.extract.phrases import is_cjk, tokens_of
from kg.extract.registry import register
from kg.extract.tokens import Token
from kg.model import Mention
from kg.schema import EVENT

__all__ = ["find_events", "event_kind"]

_NOUN_TRIGGERS = entries("event_noun_triggers.txt")
_STOP = words("event_stop_words.txt")
#: Head nouns after which an event's name is a modifier inside another name (运动会主媒体中心).
_HEADS = entries("event_modifier_heads.txt")
#: Habit cues (每年会举办“某某”活动): a habit is not an event.
_HABITUAL = entries("event_habitual_words.txt")
#: Characters that end a clause (a habit cue counts in the clause of the event).
_CLAUSE_ENDS = frozenset("，,；;。！？!?：:")


def _alternation(name: str) -> str:
    return "|".join(entries(name))


_COUNTER = re.compile(f"第?[{chars('ordinal_numerals')}]+[{chars('ordinal_measures')}]")
_SITE_VERB = re.compile(f"在([^，。；、“”]{{2,24}}?)({_alternation('event_site_verbs.txt')})")
_ORGANIZED = re.compile(f"({_alternation('event_organize_verbs.txt')})([^，。；！？、“”]{{4,30}})(?=[，。；！？]|$)")
_NOTICE = re.compile(f"“([^“”]{{6,40}})”({_alternation('event_notice_words.txt')})")


def event_kind(phrase: str) -> str:
    """The event kind (an ontology class name) of a phrase, from its trigger word.

    Examples
    --------
    >>> event_kind("第十五次会议"), event_kind("入会仪式"), event_kind("聚餐")
    ('Meeting', 'Ceremony', 'Event')
    """
    best = ""
    kinds = table("event_triggers.tsv")
    for trig in kinds:
        if trig in phrase and len(trig) > len(best):
            best = trig
    return kinds[best] if best else EVENT


def _ok(tok: Token) -> bool:
    w = tok.word
    if w in _STOP or not all(is_cjk(c) or c.isalnum() for c in w):
        return False
    if _COUNTER.fullmatch(w):
        return True
    return not tok.tag.startswith(("p", "c", "u", "d", "r", "y", "e", "o", "f", "q", "t", "m"))


def _noun_trigger_events(text: str) -> list[Mention]:
    """某某第十五次会议, 某某集中入会仪式: a named phrase that ends with an event noun."""
    toks = tokens_of(text)
    ends = {t.end for t in toks}
    out: list[Mention] = []
    used: set[int] = set()
    for trig in _NOUN_TRIGGERS:  # longest first
        occ = text.find(trig)
        while occ >= 0:
            nxt = text.find(trig, occ + 1)
            m = _named_event(text, toks, ends, used, occ, occ + len(trig))
            if m is not None:
                used.add(m.end)
                out.append(m)
            occ = nxt
    return out


def _named_event(text: str, toks: tuple[Token, ...], ends: set[int], used: set[int], occ: int,
                 end: int) -> Mention | None:
    """The event named by the trigger at ``occ``–``end`` and the words before it, or None."""
    if end in used or end not in ends:
        return None  # 会议室: the trigger must end a word
    if text.startswith(_HEADS, end):
        return None  # 运动会主媒体中心: a modifier inside a name, not the event
    ti = next(k for k, t in enumerate(toks) if t.start <= occ < t.end)
    head = text[toks[ti].start:occ]
    if head in _STOP:
        return None  # 出席会议: a verb and its object, not a named event
    j = ti
    while j > 0 and _ok(toks[j - 1]) and end - toks[j - 1].start <= 30:
        j -= 1
    prefix = toks[j:ti + 1]
    if occ - toks[j].start < 2:
        return None
    named = any(t.tag in ("ns", "nt", "nz", "nr", "") or _COUNTER.fullmatch(t.word) for t in prefix
                if t.start < occ)
    if not named and occ - toks[j].start < 4:
        return None  # 专题讲座: a kind of event, not a named one
    return Mention(text[toks[j].start:end], EVENT, toks[j].start, end, EVENT_NAMED, "events")


def _person_at_site_events(text: str) -> list[Mention]:
    """某人在某地宣讲: a person (found with confidence) doing a public act at a site."""
    from kg.extract.rules import find_persons

    persons = {m.end: m for m in find_persons(text) if m.confidence >= EVENT_SUBJECT_MIN}
    out = []
    for m in _SITE_VERB.finditer(text):
        who = persons.get(m.start())
        if who is None:
            continue
        out.append(Mention(text[who.start:m.end()], EVENT, who.start, m.end(), EVENT_BY_CONTEXT, "events"))
    return out


def _organized_events(text: str) -> list[Mention]:
    """某某总工会组织某某集中入会: the phrase an organization organises names the event."""
    from kg.extract.rules import find_organizations

    triggers = sorted(table("event_triggers.tsv"), key=len, reverse=True)
    out = []
    for org in find_organizations(text):
        om = _ORGANIZED.match(text, org.end)
        if not om:
            continue
        phrase = om.group(2)
        ending = next((t for t in triggers if phrase.endswith(t) and len(t) >= 2), None)
        if ending and len(phrase) - len(ending) >= 2:
            out.append(Mention(phrase, EVENT, om.start(2), om.end(2), EVENT_BY_CONTEXT, "events"))
    return out


def _habitual(text: str, start: int) -> bool:
    """每年会举办“某某”活动: a habit cue before ``start`` in its clause."""
    a = start
    while a > 0 and text[a - 1] not in _CLAUSE_ENDS:
        a -= 1
    return any(w in text[a:start] for w in _HABITUAL)


def find_events(text: str) -> list[Mention]:
    """Event mentions named by the text: 某某第十五次会议, 某某集中入会仪式, 某人在某地宣讲, “……”公告.

    Examples
    --------
    >>> [m.text for m in find_events("5月8日，海河市职工技能大赛颁奖仪式在会展中心举行。")]
    ['海河市职工技能大赛颁奖仪式']
    >>> [m.text for m in find_events("劳动模范林晓峰在海河大学宣讲。")]
    ['林晓峰在海河大学宣讲']
    """
    out = _noun_trigger_events(text) + _person_at_site_events(text) + _organized_events(text)
    for m in _NOTICE.finditer(text):
        out.append(Mention(m.group(1), EVENT, m.start(1), m.end(1), EVENT_BY_CONTEXT, "events"))
    out = [m for m in out if not _habitual(text, m.start)]
    # a phrase that goes on into a longer event name (某某大赛颁奖仪式) is part of it
    out = [m for m in out if not any(o is not m and o.start == m.start and o.end > m.end for o in out)]
    return sorted(out, key=lambda m: (m.start, m.end))


@register("events", "event mentions: meetings, ceremonies, lectures, notices (trigger + its phrase)")
def _make_events():
    return find_events
