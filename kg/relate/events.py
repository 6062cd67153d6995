"""Events' types, dates, places, participants and organizers, from the sentences naming them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kg.dates import DateMention, find_dates
from kg.extract.events import event_kind
from kg.extract.lexicon import table
from kg.model import ArticleFacts, EventDetails, EventInfo, Relation, SentenceFacts, Spot
from kg.relate import confidence as conf
from kg.relate.triggers import clause_start, status_of
from kg.schema import EVENT, ORGANIZATION, PERSON, PLACE, schema

__all__ = ["events"]

#: The particle before a place (在某地举行).
_AT = "在"
#: The event type whose organizations named inside its name are its organizers.
_ORGANIZED_BY_NAME = "Meeting"
#: The longest stretch between an organizer and the event (某会今天召开某会议).
ORGANIZER_GAP = 6


def _kind(article: ArticleFacts, e: Spot) -> str | None:
    entity = article.entities.get(e.key)
    kind = event_kind(entity.label) if entity is not None else EVENT
    return kind if kind != EVENT and schema().has_event_type(kind) else None


def _date(dates: Sequence[DateMention], e: Spot) -> DateMention | None:
    """The date phrase before the event in its sentence (or the sentence's first date)."""
    ds = [d for d in dates if d.end <= e.start] or list(dates[:1])
    return ds[-1] if ds else None


def _inside_roles(s: SentenceFacts, e: Spot, kind: str | None) -> Iterator[Relation]:
    """Persons and organizations named inside the event's name took part (and organized a meeting)."""
    ev = s.evidence
    for x in s.spots:
        if x is e or not (e.start <= x.start and x.end <= e.end):
            continue
        if x.type == PERSON:
            yield Relation(x.key, "participatedIn", e.key, (ev,), conf.EVENT_PERSON_IN_NAME, "event-rule")
        elif x.type == ORGANIZATION and not s.text[:x.start].endswith(_AT):  # 在某小学宣讲: the place
            if kind == _ORGANIZED_BY_NAME:
                yield Relation(e.key, "organizer", x.key, (ev,), conf.EVENT_ORGANIZER_IN_NAME, "event-rule")
            yield Relation(x.key, "participatedIn", e.key, (ev,), conf.EVENT_ORGANIZATION_IN_NAME, "event-rule")


def _place(s: SentenceFacts, e: Spot) -> Iterator[Relation]:
    """在X举行 / X在Y宣讲 / 在X召开某会议: the place; else a place named inside the event's name."""
    text, sp = s.text, s.spots
    organize = table("organize_verbs.txt")
    places = [x for x in sp if x.type in (PLACE, ORGANIZATION) and x.start >= e.start and
              (x.end <= e.end or text[e.end:x.start].startswith(_AT))]
    at = [x for x in places if x.start > 0 and text[:x.start].endswith(_AT)]
    at = [x for x in at if x.type == PLACE] or at
    at += [x for x in sp if x.type == PLACE and x.end <= e.start and text[:x.start].endswith(_AT)
           and text[x.end:e.start] in organize]
    if at:
        best = max(at, key=lambda x: (x.end - x.start))
        # a place is where it happened; an organization (在某小学宣讲) is the venue it was held at
        where = "locatedIn" if best.type == PLACE else "heldAt"
        yield Relation(e.key, where, best.key, (s.evidence,), conf.EVENT_PLACE_AFTER_AT, "event-rule")
        return
    inside = [x for x in sp if x is not e and e.start <= x.start and x.end <= e.end and x.type == PLACE]
    if inside:
        best = max(inside, key=lambda x: (x.end, x.end - x.start))
        yield Relation(e.key, "locatedIn", best.key, (s.evidence,), conf.EVENT_PLACE_IN_NAME, "event-rule")


def _organizers(s: SentenceFacts, e: Spot) -> Iterator[Relation]:
    """ORG 组织/举办/召开 EVENT: the organizer (and a participant)."""
    organize = tuple(table("organize_verbs.txt"))
    for o in (x for x in s.of_type(ORGANIZATION) if x.end <= e.start):
        between = s.text[o.end:e.start]
        if len(between) <= ORGANIZER_GAP and (between.startswith(organize) or between.endswith(organize)):
            yield Relation(e.key, "organizer", o.key, (s.evidence,), conf.EVENT_ORGANIZER_BEFORE, "event-rule")
            yield Relation(o.key, "participatedIn", e.key, (s.evidence,), conf.EVENT_ORGANIZER_PARTICIPATES,
                           "event-rule")


def _sentence_events(article: ArticleFacts, s: SentenceFacts) -> Iterator[Relation | EventDetails]:
    found = s.of_type(EVENT)
    if not found:
        return
    dates = find_dates(s.text, article.published)
    for e in found:
        kind = _kind(article, e)
        d = _date(dates, e)
        status = status_of(s.text, e.start, clause_start(s.text, e.start))
        info = EventInfo(kind, d.value or None, d.text, status, d.end_value) if d is not None \
            else EventInfo(kind, status=status)
        if info != EventInfo():
            yield EventDetails(e.key, info, "event-rule", s.evidence, conf.EVENT_DATE)
        yield from _inside_roles(s, e, kind)
        yield from _place(s, e)
        yield from _organizers(s, e)


def events(article: ArticleFacts) -> Iterator[Relation | EventDetails]:
    """The type (from its trigger word), date, place, participants and organizers of each event."""
    for s in article.sentences:
        yield from _sentence_events(article, s)
