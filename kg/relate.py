"""Facts between entities: bylines for now (issue #5 adds the relation rules)."""

from __future__ import annotations

from collections.abc import Iterable

from kg.model import Article, Document, Entity, Evidence, Relation

__all__ = ["relations_for"]


def relations_for(articles: Iterable[Article], documents: Iterable[Document],
                  entities: Iterable[Entity]) -> list[Relation]:
    """Relations stated by the articles: the byline role of each author as a job title."""
    texts = {d.path: d.text for d in documents}
    out: list[Relation] = []
    for art in articles:
        bylines = [s for s in art.sentences if s.kind == "byline"]
        for au in art.authors:
            if au.start < 0:
                continue
            sent = next((s for s in bylines if s.start <= au.start and au.end <= s.end), None)
            if sent is None:
                continue
            ev = Evidence(art.document, art.id, sent.index, au.start, au.end, texts[art.document][au.start:au.end])
            out.append(Relation(f"Person/{au.name}", "jobTitle", au.role, (ev,), 1.0, "byline", literal=True))
    return out
