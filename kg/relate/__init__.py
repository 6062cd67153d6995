"""Facts between entities, found by registered relation and event components.

A **relation component** is a callable from an article, as :class:`~kg.model.ArticleFacts`
(its sentences, the entity mentions in each, the entities by key), to facts
(:class:`~kg.model.Relation`, each with its confidence, component name and evidence); one
registered with ``scope="corpus"`` is called once per build with every entity instead. An
**event component** is called like an article relation component and gives facts and
:class:`~kg.model.EventDetails` (an event's type and date); it may also give new event
entities (:class:`~kg.model.Entity`, e.g. an event anchored at a trigger verb that no extractor
named), which join the build (a key already taken gets the next free number, in everything the
component said of that article). Both are registered by name, apart
from the pipeline, which runs the registered set::

    from kg.relate import relation_components

    @relation_components.register("my-rule", "X 的同事 Y")
    def my_rule(article):
        for s in article.sentences:
            ...
            yield Relation(...)

``kg relations --list`` shows them; ``kg build --relations a,b`` runs only those; other packages
add theirs through the ``kg.relations`` and ``kg.events`` entry-point groups (:mod:`kg.registry`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from kg.ingest.simplify import model_text
from kg.model import (
    Article,
    ArticleFacts,
    Document,
    Entity,
    EntityKey,
    EventDetails,
    EventInfo,
    Evidence,
    Relation,
    Sentence,
    SentenceFacts,
    Spot,
)
from kg.registry import Registered, Registry
from kg.schema import schema

__all__ = [
    "ArticleComponent",
    "CorpusComponent",
    "EventComponent",
    "relation_components",
    "event_components",
    "article_facts",
    "relations_for",
    "PARALLEL_MIN_ARTICLES",
    "with_events",
    "merge_facts",
    "EventInfos",
]

ArticleComponent = Callable[[ArticleFacts], Iterable[Relation]]
CorpusComponent = Callable[[Sequence[Entity]], Iterable[Relation]]
EventComponent = Callable[[ArticleFacts], Iterable["Relation | EventDetails | Entity"]]

#: The relation finders (``kg.relations`` entry points).
relation_components: Registry[Callable[..., Iterable[Relation]]] = Registry(
    "relation", "kg.relations", "kg.relate.builtins")
#: The event finders (``kg.events`` entry points).
event_components: Registry[EventComponent] = Registry("event", "kg.events", "kg.relate.builtins")


# --- what components see -------------------------------------------------------------------------


def _spots(articles: Sequence[Article], entities: Iterable[Entity]) -> dict[tuple[str, int], list[Spot]]:
    """The entity mentions of each (article, sentence), placed in the sentence's text."""
    by_art = {a.id: a for a in articles}
    maps: dict[tuple[str, int], dict[int, int]] = {}
    out: dict[tuple[str, int], list[Spot]] = defaultdict(list)
    for e in entities:
        for ev in e.mentions:
            art = by_art.get(ev.article)
            if art is None:
                continue
            key = (ev.article, ev.sentence)
            if key not in maps:
                maps[key] = art.sentences[ev.sentence].offset_map()
            m = maps[key]
            if ev.start in m and ev.end in m:
                out[key].append(Spot(m[ev.start], m[ev.end], e.key, e.type, ev))
    for v in out.values():
        v.sort(key=lambda s: (s.start, -s.end, s.type))
    return out


def _sentence_evidence(art: Article, s: Sentence, doc_text: str) -> Evidence:
    return Evidence(art.document, art.id, s.index, s.start, s.end, doc_text[s.start:s.end])


def article_facts(articles: Sequence[Article], documents: Iterable[Document],
                  entities: Sequence[Entity]) -> list[ArticleFacts]:
    """Each article as the components see it (byline sentences left out of ``sentences``)."""
    docs = {d.path: d for d in documents}
    by_key: Mapping[EntityKey, Entity] = {e.key: e for e in entities}
    spots = _spots(articles, entities)
    reads: dict[str, Callable[[str], str]] = {}
    out = []
    for art in articles:
        doc = docs[art.document]
        if art.document not in reads:
            reads[art.document] = model_text(doc)
        read = reads[art.document]
        sentences = tuple(
            SentenceFacts(s, read(s.text), tuple(spots.get((art.id, s.index), ())),
                          _sentence_evidence(art, s, doc.text))
            for s in art.sentences if s.kind != "byline")
        out.append(ArticleFacts(art, doc.text, art.date or doc.date, sentences, by_key))
    return out


# --- running them --------------------------------------------------------------------------------


def fact(subject: EntityKey, predicate: str, obj: EntityKey | str, evidence: Evidence, confidence: float,
         component: str, literal: bool = False) -> Relation:
    """A fact that one sentence (``evidence``) states."""
    return Relation(subject, predicate, obj, (evidence,), confidence, component, literal)


def _by_time(e: Evidence) -> tuple[str, int, int]:
    return (e.article, e.sentence, e.start)


def merge_facts(relations: Iterable[Relation]) -> list[Relation]:
    """One fact per statement: the evidence of all, the highest confidence, every component.

    A fact of an entity with itself is dropped. The result is sorted by statement.

    Examples
    --------
    >>> a, b = EntityKey("Person", "甲"), EntityKey("Organization", "乙")
    >>> ev = lambda k: Evidence("d", "a", k, 0, 1, "x")
    >>> [(r.confidence, r.component, len(r.evidence)) for r in merge_facts([
    ...     Relation(a, "worksFor", b, (ev(0),), 0.7, "one"), Relation(a, "worksFor", b, (ev(1),), 0.8, "two"),
    ...     Relation(a, "worksFor", a, (ev(0),), 0.9, "one")])]
    [(0.8, 'one+two', 2)]
    """
    items: dict[tuple[EntityKey, str, EntityKey | str, bool], Relation] = {}
    for r in relations:
        if r.subject == r.obj and not r.literal:
            continue
        k = (r.subject, r.predicate, r.obj, r.literal)
        old = items.get(k)
        if old is None:
            items[k] = r
            continue
        evidence = tuple(sorted(set(old.evidence) | set(r.evidence), key=_by_time))
        comps = "+".join(sorted(set(old.component.split("+")) | set(r.component.split("+"))))
        items[k] = replace(old, evidence=evidence, confidence=max(old.confidence, r.confidence), component=comps)
    return sorted(items.values(), key=lambda r: (str(r.subject), r.predicate, str(r.obj)))


def _checked(r: Relation, component: str) -> Relation:
    schema().predicate(r.predicate)  # an unknown predicate fails here, naming the component
    return r if r.component else replace(r, component=component)


def _event_info(infos: dict[EntityKey, EventInfo], item: EventDetails, component: str) -> list[Relation]:
    """Merge ``item`` into ``infos`` (what was found first stays); the first date of an event is
    also its ``date`` fact."""
    old = infos.get(item.event)
    infos[item.event] = item.info if old is None else old.merged(item.info)
    if item.info.date and item.evidence is not None and (old is None or old.date_text is None):
        return [Relation(item.event, "date", item.info.date, (item.evidence,), item.confidence,
                         item.component or component, literal=True)]
    return []


class EventInfos(dict[EntityKey, EventInfo]):
    """What is known of each event by key (a dict), and the event entities the event components
    added (``added``), which :func:`with_events` adds to the build's entities."""

    def __init__(self) -> None:
        super().__init__()
        self.added: list[Entity] = []


def _renumbered(items: list[Relation | EventDetails | Entity], taken: set[EntityKey]) -> list[Relation | EventDetails | Entity]:
    """The items of one component call, its new entities renumbered where their key is taken."""
    remap: dict[EntityKey, EntityKey] = {}
    for it in items:
        if isinstance(it, Entity) and it.key not in remap:
            key = it.key
            while key in taken:
                key = EntityKey(key.type, key.name, key.n + 1)
            remap[it.key] = key
            taken.add(key)
    if all(k == v for k, v in remap.items()):
        return items

    def k(x: EntityKey) -> EntityKey:
        return remap.get(x, x)

    out: list[Relation | EventDetails | Entity] = []
    for it in items:
        if isinstance(it, Entity):
            out.append(replace(it, key=k(it.key)))
        elif isinstance(it, EventDetails):
            out.append(replace(it, event=k(it.event)))
        else:
            out.append(replace(it, subject=k(it.subject), obj=k(it.obj) if isinstance(it.obj, EntityKey) else it.obj))
    return out


#: Below this many articles the components run in the build's process alone (a forked process
#: costs more than it saves); above, in ``jobs`` processes (`relations_for`).
PARALLEL_MIN_ARTICLES = 200

#: What the article components said of one article: per relation component, then per event
#: component, its name and its items, in the order of the components.
_Said = tuple[list[tuple[str, list[Relation]]], list[tuple[str, list["Relation | EventDetails | Entity"]]]]


def _said(views: Sequence[ArticleFacts], rel: Sequence[Registered[Callable[..., Iterable[Relation]]]],
          evs: Sequence[Registered[EventComponent]]) -> list[_Said]:
    """Each article component called on each view, in order (what `relations_for` then assembles)."""
    out: list[_Said] = []
    for view in views:
        rels = [(c.name, list(c.component(view))) for c in rel if c.scope == "article"]
        events = [(e.name, list(e.component(view))) for e in evs]
        out.append((rels, events))
    return out


def _said_of(articles: Sequence[Article], documents: Sequence[Document], entities: Sequence[Entity],
             rel: Sequence[Registered[Callable[..., Iterable[Relation]]]],
             evs: Sequence[Registered[EventComponent]]) -> list[_Said]:
    """`_said` of the views of ``articles`` (:func:`article_facts`: a view depends on its article
    alone, so those of a share of the articles are the same as among all of them)."""
    return _said(article_facts(articles, documents, entities), rel, evs)


def _said_in_parallel(articles: Sequence[Article], documents: Sequence[Document], entities: Sequence[Entity],
                      rel: Sequence[Registered[Callable[..., Iterable[Relation]]]],
                      evs: Sequence[Registered[EventComponent]], jobs: int) -> list[_Said]:
    """`_said_of` consecutive shares of ``articles`` (about as many sentences each), all but the
    first in forked processes (:class:`kg.forked.Forked`: they see the articles as they are, make
    their views themselves, and send back only what the components said); the same list as
    `_said_of` all the articles."""
    from kg.forked import Forked, can_fork

    if jobs <= 1 or len(articles) < PARALLEL_MIN_ARTICLES or not can_fork():
        return _said_of(articles, documents, entities, rel, evs)
    sizes = [len(a.sentences) + 1 for a in articles]
    share = sum(sizes) / jobs
    parts: list[Sequence[Article]] = []
    start = total = 0
    for i, n in enumerate(sizes):
        total += n
        if total >= share * (len(parts) + 1) and len(parts) < jobs - 1:
            parts.append(articles[start:i + 1])
            start = i + 1
    parts.append(articles[start:])
    children = [Forked(_said_of, part, documents, entities, rel, evs) for part in parts[1:]]
    try:
        out = _said_of(parts[0], documents, entities, rel, evs)
        for child in children:
            out.extend(child.result())
    finally:  # an error or Ctrl-C: the other processes stop with it
        for child in children:
            child.cancel()
    return out


def relations_for(articles: Iterable[Article], documents: Iterable[Document], entities: Iterable[Entity],
                  relations: Sequence[str] | None = None, events: Sequence[str] | None = None,
                  jobs: int = 1) -> tuple[list[Relation], dict[EntityKey, EventInfo]]:
    """The facts the articles state, and what is known of each event (type, date).

    ``relations`` and ``events`` name the components to run (default: the registered defaults).
    Returns ``(facts, event information by entity key)``; the information also lists the event
    entities the event components added (:class:`EventInfos`). With ``jobs`` above 1 and at least
    :data:`PARALLEL_MIN_ARTICLES` articles the article components run in that many processes,
    each on its share of the articles, with the same result: a component is called once per
    article and must not depend on its calls for other articles.
    """
    arts, docs, ents = list(articles), list(documents), list(entities)
    rel = relation_components.resolve(relations)
    evs = event_components.resolve(events)
    found: list[Relation] = []
    infos = EventInfos()
    taken = {e.key for e in ents}
    for rels, said in _said_in_parallel(arts, docs, ents, rel, evs, jobs):
        for name, rs in rels:
            found.extend(_checked(r, name) for r in rs)
        for name, items in said:
            for item in _renumbered(items, taken):
                if isinstance(item, Entity):
                    infos.added.append(item)
                elif isinstance(item, EventDetails):
                    found.extend(_event_info(infos, item, name))
                else:
                    found.append(_checked(item, name))
    for c in rel:
        if c.scope == "corpus":
            found.extend(_checked(r, c.name) for r in c.component(ents))
    return merge_facts(found), infos


def with_events(entities: Iterable[Entity], infos: Mapping[EntityKey, EventInfo]) -> list[Entity]:
    """Entities with the event information found by :func:`relations_for` added, and the event
    entities the event components added (one per key: their mentions joined)."""
    out = []
    for e in entities:
        info = infos.get(e.key)
        if info is not None:
            e = replace(e, event=info if e.event is None else e.event.merged(info))
        out.append(e)
    added: dict[EntityKey, Entity] = {}
    for e in getattr(infos, "added", ()):
        old = added.get(e.key)
        added[e.key] = e if old is None else replace(old, mentions=tuple(sorted(
            set(old.mentions) | set(e.mentions), key=lambda v: (v.document, v.article, v.start, v.end))))
    for key, e in sorted(added.items()):
        info = infos.get(key)
        out.append(replace(e, event=info if e.event is None or info is None else e.event.merged(info)))
    return out
