"""The schema every stage reads: entity types, fact predicates and event types, from the ontology.

``kg/ontology/kg.ttl`` (plus the extensions of :func:`ontology_files`) is read once. An entity type is an instance of
``kgo:EntityType``, a fact predicate an instance of ``kgo:FactPredicate`` (with its domain and
range), an event type a subclass of ``kgo:Event``; labels, colours, shapes and order are
annotations on them. Adding a type or a predicate is an ontology change, not a code change.

The names below (:data:`PERSON` …) are the only place code spells an entity type; they are
checked against the ontology at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SDO, XSD

from kg.errors import SchemaError
from kg.ns import KGO

__all__ = [
    "PERSON",
    "ORGANIZATION",
    "PLACE",
    "PROGRAM",
    "EVENT",
    "EntityType",
    "Predicate",
    "Role",
    "EventType",
    "Schema",
    "ONTOLOGY_DIR",
    "load_schema",
    "ontology_files",
    "extended",
    "schema",
    "entity_type",
    "predicate",
    "event_type",
    "entity_types",
]

#: The entity types that rules and models refer to by name (each must be a ``kgo:EntityType``).
PERSON: Final = "Person"
ORGANIZATION: Final = "Organization"
PLACE: Final = "Place"
PROGRAM: Final = "Program"
EVENT: Final = "Event"
_NAMED = (PERSON, ORGANIZATION, PLACE, PROGRAM, EVENT)


#: The folder of ``kg.ttl`` (the ontology) and ``shapes.ttl`` (the SHACL shapes), inside the
#: package (installed copies ship it there).
ONTOLOGY_DIR: Path = Path(__file__).resolve().parent / "ontology"


@dataclass(frozen=True)
class EntityType:
    """An entity class of the ontology and how the view and the report show it."""

    name: str
    iri: URIRef
    label_zh: str
    label_en: str
    #: the short Chinese label of legends and tables (``kgo:viewLabel``)
    short_zh: str
    colour: str
    shape: str
    #: the path segment of its resource IRIs (``kgr:<segment>/<name>``)
    segment: str
    order: int


@dataclass(frozen=True)
class Predicate:
    """A property an extracted fact states: ``subject predicate object``.

    ``domain`` and ``range`` name entity types (or event types); a literal-valued predicate has
    ``literal`` set and its datatypes in ``datatypes``.
    """

    name: str
    iri: URIRef
    label_zh: str
    label_en: str
    domain: tuple[str, ...]
    range: tuple[str, ...]
    literal: bool
    datatypes: tuple[URIRef, ...]
    #: the schema.org / W3C ORG / FOAF properties it refines (``rdfs:subPropertyOf``)
    refines: tuple[URIRef, ...]
    colour: str
    order: int


@dataclass(frozen=True)
class Role:
    """A role an event type's arguments fill: the predicate, and whether the event is its
    object (``inverse``: a participant ``participatedIn`` the event) rather than its subject."""

    predicate: str
    inverse: bool = False


@dataclass(frozen=True)
class EventType:
    """A kind of event (a subclass of ``kgo:Event``) and the roles of its arguments."""

    name: str
    iri: URIRef
    label_zh: str
    label_en: str
    parent: str | None
    roles: tuple[Role, ...]
    order: int


#: The edge colour of a predicate the ontology gives none.
DEFAULT_EDGE_COLOUR = "#848484"


def _text(g: Graph, s: URIRef, p: URIRef, lang: str | None = None, default: str = "") -> str:
    values = sorted(str(o) for o in g.objects(s, p)
                    if isinstance(o, Literal) and (lang is None or o.language == lang))
    return values[0] if values else default


def _order(g: Graph, s: URIRef) -> int:
    v = g.value(s, KGO.displayOrder)
    if not isinstance(v, Literal):
        raise SchemaError(f"{s} has no kgo:displayOrder")
    return int(v.toPython())


def _local(iri: URIRef) -> str:
    return str(iri).split("#")[-1]


def _ours(iris: Iterable[object]) -> list[URIRef]:
    return [o for o in iris if isinstance(o, URIRef) and str(o).startswith(str(KGO._NS))]


class Schema:
    """Entity types, fact predicates and event types read from an ontology graph.

    Examples
    --------
    >>> s = schema()
    >>> s.entity_types[0].name, s.entity_type("Person").segment
    ('Person', 'person')
    >>> s.predicate("worksFor").domain, s.predicate("worksFor").range
    (('Person',), ('Organization',))
    >>> {"date", "locatedIn", "organizer"} <= {r.predicate for r in s.event_type("Meeting").roles}
    True
    """

    def __init__(self, graph: Graph) -> None:
        self.entity_types: tuple[EntityType, ...] = self._entity_types(graph)
        names = {t.iri: t.name for t in self.entity_types}
        self.predicates: tuple[Predicate, ...] = self._predicates(graph, names)
        self.event_types: tuple[EventType, ...] = self._event_types(graph)
        self._by_name = {t.name: t for t in self.entity_types}
        self._predicate = {p.name: p for p in self.predicates}
        self._event = {e.name: e for e in self.event_types}
        self._by_iri = {t.iri: t for t in self.entity_types}

    # --- reading ------------------------------------------------------------------------
    @staticmethod
    def _entity_types(g: Graph) -> tuple[EntityType, ...]:
        out = []
        for c in _ours(g.subjects(RDF.type, KGO.EntityType)):
            out.append(EntityType(
                name=_local(c), iri=c, label_zh=_text(g, c, RDFS.label, "zh"),
                label_en=_text(g, c, RDFS.label, "en"),
                short_zh=_text(g, c, KGO.viewLabel, "zh") or _text(g, c, RDFS.label, "zh"),
                colour=_text(g, c, KGO.viewColour, default="#999999"),
                shape=_text(g, c, KGO.viewShape, default="dot"),
                segment=_text(g, c, KGO.iriSegment, default=_local(c).lower()), order=_order(g, c)))
        return tuple(sorted(out, key=lambda t: (t.order, t.name)))

    def _predicates(self, g: Graph, types: dict[URIRef, str]) -> tuple[Predicate, ...]:
        out = []
        for p in _ours(g.subjects(RDF.type, KGO.FactPredicate)):
            dom = [*g.objects(p, RDFS.domain), *g.objects(p, SDO.domainIncludes)]
            rng = [*g.objects(p, RDFS.range), *g.objects(p, SDO.rangeIncludes)]
            datatypes = tuple(sorted(o for o in rng if isinstance(o, URIRef) and str(o).startswith(str(XSD._NS))))
            is_literal = (p, RDF.type, OWL.DatatypeProperty) in g or (bool(datatypes) and not _ours(rng))
            out.append(Predicate(
                name=_local(p), iri=p, label_zh=_text(g, p, RDFS.label, "zh"),
                label_en=_text(g, p, RDFS.label, "en"),
                domain=tuple(sorted((_class_name(o, types) for o in _ours(dom)), key=self._rank(types))),
                range=tuple(sorted((_class_name(o, types) for o in _ours(rng)), key=self._rank(types))),
                literal=is_literal, datatypes=datatypes,
                refines=tuple(sorted(o for o in g.objects(p, RDFS.subPropertyOf) if isinstance(o, URIRef))),
                colour=_text(g, p, KGO.viewColour, default=DEFAULT_EDGE_COLOUR), order=_order(g, p)))
        return tuple(sorted(out, key=lambda q: (q.order, q.name)))

    @staticmethod
    def _rank(types: dict[URIRef, str]) -> Callable[[str], tuple[int, str]]:
        """Sort key of class names: entity types in display order first, then the others."""
        order = {n: k for k, n in enumerate(types.values())}
        return lambda name: (order.get(name, len(order)), name)

    def _event_types(self, g: Graph) -> tuple[EventType, ...]:
        event = KGO.Event
        out = []
        for c in _ours(g.transitive_subjects(RDFS.subClassOf, event)):
            if c == event:
                continue
            parents = _ours(g.objects(c, RDFS.subClassOf))
            lineage = {_local(x) for x in g.transitive_objects(c, RDFS.subClassOf) if isinstance(x, URIRef)}
            roles = sorted({Role(p.name) for p in self.predicates if lineage & set(p.domain)}
                           | {Role(p.name, True) for p in self.predicates if lineage & set(p.range)},
                           key=lambda r: (r.predicate, r.inverse))
            out.append(EventType(
                name=_local(c), iri=c, label_zh=_text(g, c, RDFS.label, "zh"),
                label_en=_text(g, c, RDFS.label, "en"),
                parent=_local(parents[0]) if parents else None, roles=tuple(roles), order=_order(g, c)))
        return tuple(sorted(out, key=lambda e: (e.order, e.name)))

    # --- looking up -----------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        """The entity type names in display order."""
        return tuple(t.name for t in self.entity_types)

    def entity_type(self, name: str) -> EntityType:
        """The entity type called ``name``; :class:`~kg.errors.SchemaError` lists the known ones."""
        try:
            return self._by_name[name]
        except KeyError:
            raise SchemaError(f"unknown entity type {name!r}; known: {', '.join(self.names)}") from None

    def type_of_iri(self, iri: URIRef) -> EntityType | None:
        """The entity type whose class is ``iri`` (``None`` for any other class)."""
        return self._by_iri.get(iri)

    def predicate(self, name: str) -> Predicate:
        """The fact predicate called ``name``; :class:`~kg.errors.SchemaError` lists the known ones."""
        try:
            return self._predicate[name]
        except KeyError:
            known = ", ".join(self._predicate)
            raise SchemaError(f"unknown predicate {name!r}; known: {known}") from None

    def event_type(self, name: str) -> EventType:
        """The event type called ``name``; :class:`~kg.errors.SchemaError` lists the known ones."""
        try:
            return self._event[name]
        except KeyError:
            known = ", ".join(self._event)
            raise SchemaError(f"unknown event type {name!r}; known: {known}") from None

    def has_event_type(self, name: str) -> bool:
        """Whether ``name`` is an event type of the schema."""
        return name in self._event


def _class_name(iri: URIRef, types: dict[URIRef, str]) -> str:
    return types.get(iri, _local(iri))


def load_schema(*paths: str | Path) -> Schema:
    """The schema of the ontology files ``paths`` (default: :func:`ontology_files`).

    The named types (:data:`PERSON` …) must be entity types of it.
    """
    g = Graph()
    for p in paths or ontology_files():
        g.parse(p, format="turtle")
    s = Schema(g)
    missing = [n for n in _NAMED if n not in s.names]
    if missing:
        raise SchemaError(f"the ontology declares no entity type {', '.join(missing)} (kgo:EntityType)")
    return s


#: The package's ontology.
PACKAGE_ONTOLOGY: Path = ONTOLOGY_DIR / "kg.ttl"
_EXTENSIONS: list[Path] = []
_PLUGIN_FILES: tuple[Path, ...] | None = None


def _plugin_files() -> tuple[Path, ...]:
    """Ontology extensions other packages declare (``kg.ontology`` entry points naming a path
    to a Turtle file), read once per process."""
    global _PLUGIN_FILES
    if _PLUGIN_FILES is None:
        import warnings
        from importlib.metadata import entry_points

        found = []
        for ep in sorted(entry_points(group="kg.ontology"), key=lambda e: e.name):
            try:
                found.append(Path(str(ep.load())))
            except Exception as e:  # noqa: BLE001 - a broken plugin must not stop kg
                warnings.warn(f"kg ontology plugin {ep.name!r} could not be loaded: {e}", stacklevel=2)
        _PLUGIN_FILES = tuple(found)
    return _PLUGIN_FILES


def ontology_files() -> tuple[Path, ...]:
    """The ontology files in force: the package's, those of ``kg.ontology`` entry points, then
    those of :func:`extended` blocks."""
    return (PACKAGE_ONTOLOGY, *_plugin_files(), *_EXTENSIONS)


@contextmanager
def extended(*paths: str | Path) -> Iterator[Schema]:
    """Within the block, the schema includes the ontology files ``paths`` (new entity types,
    predicates or event types), and every stage reads them: what a plugin package does
    permanently with a ``kg.ontology`` entry point.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> ttl = pathlib.Path(tempfile.mkdtemp()) / "x.ttl"
    >>> _ = ttl.write_text('''@prefix kgo: <https://w3id.org/kg-news/ontology#> .
    ... @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ... kgo:Product a owl:Class , kgo:EntityType ; kgo:displayOrder 6 .''')
    >>> with extended(ttl) as s:
    ...     s.names[-1]
    'Product'
    >>> entity_types()[-1]
    'Event'
    """
    added = [Path(p) for p in paths]
    _EXTENSIONS.extend(added)
    try:
        yield schema()
    finally:
        del _EXTENSIONS[len(_EXTENSIONS) - len(added):]


@cache
def _schema_of(files: tuple[Path, ...]) -> Schema:
    return load_schema(*files)


def schema() -> Schema:
    """The schema in force (:func:`ontology_files`), read once for each set of files."""
    return _schema_of(ontology_files())


def entity_type(name: str) -> EntityType:
    """``schema().entity_type(name)``."""
    return schema().entity_type(name)


def predicate(name: str) -> Predicate:
    """``schema().predicate(name)``."""
    return schema().predicate(name)


def event_type(name: str) -> EventType:
    """``schema().event_type(name)``."""
    return schema().event_type(name)


def entity_types() -> tuple[str, ...]:
    """The entity type names in display order.

    Examples
    --------
    >>> entity_types()
    ('Person', 'Organization', 'Place', 'Program', 'Event')
    """
    return schema().names
