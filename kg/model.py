"""Frozen dataclasses that carry data between the stages of the pipeline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.schema import ORGANIZATION, entity_types

__all__ = [
    "ENTITY_TYPES",
    "EntityKey",
    "Author",
    "Document",
    "Sentence",
    "Article",
    "Skipped",
    "Mention",
    "Evidence",
    "Located",
    "EventInfo",
    "HAPPENED",
    "PLANNED",
    "DENIED",
    "EVENT_STATUSES",
    "EventDetails",
    "Entity",
    "Relation",
    "Spot",
    "SentenceFacts",
    "ArticleFacts",
    "Corpus",
]

#: The entity classes of the ontology (:mod:`kg.schema`), in display order.
ENTITY_TYPES: tuple[str, ...] = entity_types()


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded source file (or one line of a JSON Lines file).

    ``text`` is the decoded text; every offset elsewhere in the model points into it.
    """

    path: str
    text: str
    sha256: str
    encoding: str
    date: str | None = None
    newspaper: str | None = None
    edition: str | None = None
    meta: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Author:
    """A person named in a byline, with the role given there (记者, 通讯员, 摄影, 作者).

    ``start``/``end`` are the name's offsets in the source; ``None`` when the author is not
    in the text (the ``author`` field of a JSON Lines record).
    """

    name: str
    role: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article.

    ``text`` is the source slice ``[start, end)`` with layout whitespace (column breaks,
    line ends inside a paragraph) removed; ``pieces`` are the source spans whose
    concatenation is ``text``.
    """

    document: str
    article: str
    index: int
    start: int
    end: int
    text: str
    pieces: tuple[tuple[int, int], ...]
    #: "body" for article text; "headline", "subtitle" or "byline" for the metadata lines
    #: (numbered after the body sentences, so body indices never change).
    kind: str = "body"

    def to_source(self, offset: int) -> int:
        """Map an offset in ``text`` (0..len(text)) to an offset in the document text.

        Examples
        --------
        >>> s = Sentence("d", "a", 0, 10, 16, "ab", ((10, 11), (15, 16)))
        >>> s.to_source(0), s.to_source(1), s.to_source(2)
        (10, 15, 16)
        """
        if offset < 0 or offset > len(self.text):
            raise ValueError(f"offset {offset} outside sentence of length {len(self.text)}")
        for a, b in self.pieces:
            if offset < b - a:
                return a + offset
            offset -= b - a
        return self.end

    def offset_map(self) -> dict[int, int]:
        """Document offset → offset in ``text``, for every character of every piece and each
        piece's end (the inverse of :meth:`to_source` on the sentence's own characters).

        Examples
        --------
        >>> Sentence("d", "a", 0, 10, 16, "ab", ((10, 11), (15, 16))).offset_map()
        {10: 0, 11: 1, 15: 1, 16: 2}
        """
        out: dict[int, int] = {}
        k = 0
        for a, b in self.pieces:
            for i in range(a, b):
                out[i] = k
                k += 1
            out[b] = k
        return out

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the document span that covers it."""
        if end <= start:
            s = self.to_source(start)
            return s, s
        return self.to_source(start), self.to_source(end - 1) + 1


@dataclass(frozen=True, slots=True)
class Article:
    """One article of a document: headline, metadata, authors and sentences."""

    id: str
    document: str
    index: int
    title: str | None
    start: int
    end: int
    alt_titles: tuple[str, ...] = ()
    column: str | None = None
    authors: tuple[Author, ...] = ()
    date: str | None = None
    newspaper: str | None = None
    url: str | None = None
    continuations: tuple[str, ...] = ()
    paragraphs: tuple[tuple[int, int], ...] = ()
    sentences: tuple[Sentence, ...] = ()

    @property
    def body(self) -> tuple[Sentence, ...]:
        """The sentences of the article text (without headline and byline lines)."""
        return tuple(s for s in self.sentences if s.kind == "body")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A source that could not be read, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A typed span found by an extractor component; offsets are into the text it was given."""

    text: str
    type: str
    start: int
    end: int
    confidence: float = 1.0
    component: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact or a mention was stated: ``document text[start:end]`` is the quote."""

    document: str
    article: str
    sentence: int
    start: int
    end: int
    quote: str


@dataclass(frozen=True, slots=True)
class Located:
    """A mention placed in its article: the mention (offsets into the sentence) and its evidence."""

    mention: Mention
    evidence: Evidence

    @property
    def type(self) -> str:
        return self.mention.type


@dataclass(frozen=True, order=True, slots=True)
class EntityKey:
    """The identity of an entity, stable across runs: its type, canonical name and, when several
    entities share both, a number (2, 3, … for the second, third …).

    Examples
    --------
    >>> k = EntityKey("Person", "李明远", 2)
    >>> str(k), EntityKey.parse(str(k)) == k, str(EntityKey("Place", "青岚市"))
    ('Person/李明远#2', True, 'Place/青岚市')
    """

    type: str
    name: str
    n: int = 1

    def __str__(self) -> str:
        return f"{self.type}/{self.name}" + (f"#{self.n}" if self.n > 1 else "")

    @classmethod
    def parse(cls, text: str) -> EntityKey:
        """The key written as ``Type/name`` or ``Type/name#n`` (what :func:`str` gives)."""
        typ, sep, name = text.partition("/")
        if not sep or not typ or not name:
            raise ValueError(f"not an entity key: {text!r} (expected Type/name)")
        base, hash_, num = name.rpartition("#")
        if hash_ and base and num.isdigit() and int(num) > 1:
            return cls(typ, base, int(num))
        return cls(typ, name)


#: What an event's status may be: the text reports it as having happened, as planned (将, 计划)
#: or as denied (未, 否认).
HAPPENED, PLANNED, DENIED = "happened", "planned", "denied"
EVENT_STATUSES: tuple[str, ...] = (HAPPENED, PLANNED, DENIED)


@dataclass(frozen=True, slots=True)
class EventInfo:
    """What is known of an event besides its name: its type (an event type of :mod:`kg.schema`,
    ``None`` when only "an event"), when it happened (ISO ``date``, as precise as the text says)
    and the date phrase as written (``date_text``)."""

    kind: str | None = None
    date: str | None = None
    date_text: str | None = None
    #: whether the text reports it as happened, planned or denied (:data:`EVENT_STATUSES`);
    #: ``None`` when no component said
    status: str | None = None
    #: the end of an event that lasts (10月29日至30日), ISO like ``date``
    end_date: str | None = None

    def merged(self, other: EventInfo) -> EventInfo:
        """This information, with what ``other`` adds where this has nothing.

        Examples
        --------
        >>> EventInfo("Meeting").merged(EventInfo("Ceremony", "2024-05", "5月", "planned"))
        EventInfo(kind='Meeting', date='2024-05', date_text='5月', status='planned', end_date=None)
        """
        kind = self.kind or other.kind
        status = self.status or other.status
        if self.date_text is None:
            return EventInfo(kind, other.date, other.date_text, status, other.end_date)
        return EventInfo(kind, self.date, self.date_text, status, self.end_date)


@dataclass(frozen=True, slots=True)
class EventDetails:
    """What an event component says about the event entity ``event``."""

    event: EntityKey
    info: EventInfo
    component: str = ""
    #: where the date was read (the sentence), and how sure the component is of it: the first
    #: date found for an event also becomes its ``date`` fact
    evidence: Evidence | None = None
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Entity:
    """A resolved entity. ``key`` is stable across runs (type + canonical name + disambiguator)."""

    key: EntityKey
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[Evidence, ...] = ()
    #: for an event: its type and date (:class:`EventInfo`)
    event: EventInfo | None = None
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Relation:
    """A fact: ``subject predicate obj``. ``obj`` is an entity key, or a literal (a string) when
    ``literal`` is true; ``predicate`` is a fact predicate of :mod:`kg.schema`."""

    subject: EntityKey
    predicate: str
    obj: EntityKey | str
    evidence: tuple[Evidence, ...] = ()
    confidence: float = 1.0
    component: str = ""
    literal: bool = False


@dataclass(frozen=True, slots=True)
class Spot:
    """An entity mention placed in a sentence's text (offsets into ``Sentence.text``)."""

    start: int
    end: int
    key: EntityKey
    type: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class SentenceFacts:
    """What a relation or event component reads of one sentence: the sentence, its text as the
    models read it (traditional characters as simplified, one for one), the entity mentions in it
    (sorted by start, longest first) and the sentence as evidence."""

    sentence: Sentence
    text: str
    spots: tuple[Spot, ...]
    evidence: Evidence

    def of_type(self, type_: str) -> tuple[Spot, ...]:
        """The mentions of entities of type ``type_``."""
        return tuple(x for x in self.spots if x.type == type_)


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """An article as relation and event components see it: the article, its document's text,
    its publication date, its sentences (bylines left out) with their mentions, and the
    entities of the build by key."""

    article: Article
    text: str
    published: str | None
    sentences: tuple[SentenceFacts, ...]
    entities: Mapping[EntityKey, Entity]

    @property
    def body(self) -> tuple[SentenceFacts, ...]:
        """The sentences of the article text (without the headline lines)."""
        return tuple(s for s in self.sentences if s.sentence.kind == "body")

    def main_organization(self, at_least: int = 2) -> EntityKey | None:
        """The organization the article's text names most often, when named ``at_least`` times
        (the first named of those tied)."""
        count: Counter[EntityKey] = Counter(x.key for s in self.body for x in s.of_type(ORGANIZATION))
        if not count:
            return None
        key, n = count.most_common(1)[0]
        return key if n >= at_least else None


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything a build produced, ready for the RDF stage."""

    documents: tuple[Document, ...] = ()
    articles: tuple[Article, ...] = ()
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    skipped: tuple[Skipped, ...] = field(default=())
