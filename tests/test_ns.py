"""Namespaces and resource IRIs."""

from __future__ import annotations

import pytest
from rdflib import Graph

from kg.ns import KGO, KGR, NIF, PREFIXES, RDF, resource
from kg.rdf import ONTOLOGY_PATH


def test_resource_iris_are_readable_and_stable() -> None:
    iri = resource("organization", "青岚精密仪器有限公司")
    assert str(iri) == str(KGR) + "organization/青岚精密仪器有限公司"
    assert resource("organization", "青岚精密仪器有限公司") == iri
    # characters that are not allowed in an IRI path are percent-encoded, "/" too
    assert str(resource("program", "a/b c<d>")).endswith("program/a%2Fb%20c%3Cd%3E")
    assert str(resource("person", "林晓舟", "2")).endswith("person/林晓舟/2")


def test_defined_namespaces_refuse_unknown_terms() -> None:
    with pytest.raises(AttributeError):
        KGO.notATerm  # noqa: B018
    with pytest.raises(AttributeError):
        NIF.notATerm  # noqa: B018


def test_prefixes_cover_written_vocabularies() -> None:
    assert {"kgo", "kgr", "rdf", "rdfs", "schema", "skos", "prov", "nif", "xsd", "owl"} <= set(PREFIXES)
    assert str(PREFIXES["rdf"]) == str(RDF._NS)
    assert len({str(v) for v in PREFIXES.values()}) == len(PREFIXES)


def test_every_kgo_term_is_in_the_ontology() -> None:
    g = Graph().parse(ONTOLOGY_PATH, format="turtle")
    declared = {s for s in g.subjects() if str(s).startswith(str(KGO._NS))}
    used = {getattr(KGO, name) for name in KGO.__annotations__}
    assert used <= declared, sorted(str(t) for t in used - declared)
    # the schema's terms (entity types, fact predicates, event types) are read through kg.schema;
    # every other term of the ontology is one code writes, so kg.ns names it
    from kg.schema import schema

    s = schema()
    read = {t.iri for t in s.entity_types} | {p.iri for p in s.predicates} | {e.iri for e in s.event_types}
    assert declared - read <= used, sorted(str(t) for t in declared - read - used)
