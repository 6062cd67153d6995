"""Frozen dataclasses that carry data between the stages of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ENTITY_TYPES",
    "Author",
    "Document",
    "Sentence",
    "Article",
    "Skipped",
    "Mention",
    "Evidence",
    "Entity",
    "Relation",
    "Corpus",
]

#: The five entity classes of the ontology, in display order.
ENTITY_TYPES: tuple[str, ...] = ("Person", "Organization", "Place", "Program", "Event")


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Author:
    """A person named in a byline, with the role given there (记者, 通讯员, 摄影, 作者).

    ``start``/``end`` are the name's offsets in the source; ``None`` when the author is not
    in the text (the ``author`` field of a JSON Lines record).
    """

    name: str
    role: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
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

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the document span that covers it."""
        if end <= start:
            s = self.to_source(start)
            return s, s
        return self.to_source(start), self.to_source(end - 1) + 1


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Skipped:
    """A source that could not be read, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Mention:
    """A typed span found by an extractor component; offsets are into the text it was given."""

    text: str
    type: str
    start: int
    end: int
    confidence: float = 1.0
    component: str = ""


@dataclass(frozen=True)
class Evidence:
    """Where a fact or a mention was stated: ``document text[start:end]`` is the quote."""

    document: str
    article: str
    sentence: int
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Entity:
    """A resolved entity. ``key`` is stable across runs (type + canonical name + disambiguator)."""

    key: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[Evidence, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    confidence: float = 1.0


@dataclass(frozen=True)
class Relation:
    """A fact. ``obj`` is an entity key, or a literal when ``literal`` is true."""

    subject: str
    predicate: str
    obj: str
    evidence: tuple[Evidence, ...] = ()
    confidence: float = 1.0
    component: str = ""
    literal: bool = False


@dataclass(frozen=True)
class Corpus:
    """Everything a build produced, ready for the RDF stage."""

    documents: tuple[Document, ...] = ()
    articles: tuple[Article, ...] = ()
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    skipped: tuple[Skipped, ...] = field(default=())
