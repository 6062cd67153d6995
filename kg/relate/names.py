"""Facts read off names: places and parent bodies named inside a name, divisions inside divisions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kg.gazetteer import gazetteer
from kg.model import ArticleFacts, Entity, Evidence, Relation, SentenceFacts, Spot
from kg.relate import confidence as conf
from kg.resolve import strip_places
from kg.schema import EVENT, ORGANIZATION, PLACE

__all__ = ["names_inside", "divisions", "name_structure"]

#: The longest place name looked for at the start of a name.
MAX_PLACE = 12


def _inside(outer: Spot, spots: Sequence[Spot]) -> list[Spot]:
    return [x for x in spots if x is not outer and outer.start <= x.start and x.end <= outer.end
            and (x.start, x.end) != (outer.start, outer.end)]


def _sentence_names(s: SentenceFacts) -> Iterator[Relation]:
    ev = s.evidence
    for outer in s.spots:
        if outer.type not in (ORGANIZATION, PLACE, EVENT):
            continue
        inner = _inside(outer, s.spots)
        places = [x for x in inner if x.type == PLACE]
        if places:
            # the most specific place: the last one, the longest among those ending last
            best = max(places, key=lambda x: (x.end, x.end - x.start))
            yield Relation(outer.key, "locatedIn", best.key, (ev,), conf.PLACE_IN_NAME, "name-rule")
        if outer.type == EVENT:
            continue
        for x in inner:
            if x.type != ORGANIZATION or x.start != outer.start:
                continue
            if outer.type == ORGANIZATION:
                yield Relation(outer.key, "subOrganizationOf", x.key, (ev,), conf.PARENT_IN_NAME, "name-rule")
            else:
                yield Relation(outer.key, "siteOf", x.key, (ev,), conf.SITE_OF_ORGANIZATION, "name-rule")


def names_inside(article: ArticleFacts) -> Iterator[Relation]:
    """A place or body named inside an organization's, site's or event's name: locatedIn /
    subOrganizationOf / siteOf (a site named after the organization it belongs to)."""
    for s in article.sentences:
        yield from _sentence_names(s)


def _by_name(entities: Sequence[Entity], type_: str) -> dict[str, Entity]:
    """Entities of ``type_`` by label and alias (the first entity of a name keeps it)."""
    out: dict[str, Entity] = {}
    for e in entities:
        if e.type == type_:
            for n in (e.label, *e.aliases):
                out.setdefault(n, e)
    return out


def divisions(entities: Sequence[Entity]) -> Iterator[Relation]:
    """Places inside places (海淀区 ⊂ 北京市), from the administrative divisions, when both are named."""
    g = gazetteer()
    places = _by_name(entities, PLACE)
    for e in entities:
        if e.type != PLACE or not e.mentions:
            continue
        div = g.resolve(e.label, places)
        if div is None:
            continue
        for anc in g.ancestors(div):
            target = next((places[n] for n in anc.names if n in places), None)
            if target is not None and target.key != e.key:
                yield Relation(e.key, "locatedIn", target.key, (e.mentions[0],), conf.DIVISION_IN_DIVISION,
                               "gazetteer")
                break


def _parent(e: Entity, orgs: dict[str, Entity]) -> Entity | None:
    """The organization ``e``'s name begins with (某某区工商联调解委员会 ⊂ 某某区工商联), or the group
    whose brand follows a place in it (浙江某某 of 某某集团)."""
    name = e.label
    for L in range(len(name) - 2, 1, -1):
        head = orgs.get(name[:L])
        if head is not None and head.key != e.key:
            return head
    rest = (strip_places(name) or [name])[-1]
    if rest != name:
        o = orgs.get(rest)  # the group whose brand (an alias) this is
        if o is not None and o.key != e.key and rest in o.aliases and o.label.startswith(rest):
            return o
    return None


def _leading(name: str, places: dict[str, Entity], admin_only: bool) -> tuple[Entity | None, str]:
    """The most specific named place ``name`` begins with (a chain of them: 浙江杭州…), and what
    follows it; ``admin_only`` takes administrative divisions only (杭州 in 杭州某路小学)."""
    best = None
    rest = name
    while True:
        hit = next((rest[:L] for L in range(min(len(rest) - 1, MAX_PLACE), 1, -1)
                    if rest[:L] in places and (not admin_only or gazetteer().is_place(rest[:L]))), None)
        if hit is None:
            return best, rest
        best = places[hit]
        rest = rest[len(hit):]


def name_structure(entities: Sequence[Entity]) -> Iterator[Relation]:
    """Facts read off canonical names: 某某区工商联调解委员会 ⊂ 某某区工商联; 某某市总工会 in 某某市."""
    orgs = _by_name(entities, ORGANIZATION)
    places = _by_name(entities, PLACE)
    for e in entities:
        if e.type not in (ORGANIZATION, PLACE) or not e.mentions:
            continue
        ev: Evidence = e.mentions[0]
        parent = _parent(e, orgs) if e.type == ORGANIZATION else None
        if parent is not None:
            yield Relation(e.key, "subOrganizationOf", parent.key, (ev,), conf.PARENT_BY_NAME, "name-structure")
        best, rest = _leading(e.label, places, admin_only=False)
        admin, _ = _leading(e.label, places, admin_only=True)
        if len(rest) >= 2:
            for target in {x.key: x for x in (best, admin) if x is not None and x.key != e.key}.values():
                yield Relation(e.key, "locatedIn", target.key, (ev,), conf.PLACE_BY_NAME, "name-structure")
