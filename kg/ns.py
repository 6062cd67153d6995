"""The RDF vocabularies kg writes: our ontology (KGO), resource IRIs, and NIF.

Every IRI the package uses comes from this module. schema.org, FOAF, W3C ORG, SKOS and
PROV-O are rdflib's own ``DefinedNamespace`` classes, re-exported here.
"""

from __future__ import annotations

import inspect
from urllib.parse import quote

from rdflib import URIRef
from rdflib.namespace import FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, XSD, DefinedNamespace, Namespace

__all__ = [
    "KGO",
    "KGR",
    "NIF",
    "SDO",
    "FOAF",
    "ORG",
    "SKOS",
    "PROV",
    "RDF",
    "RDFS",
    "OWL",
    "XSD",
    "SH",
    "PREFIXES",
    "resource",
]


class KGO(DefinedNamespace):
    """The kg ontology (``ontology/kg.ttl``)."""

    _fail = True
    _NS = Namespace("https://w3id.org/kg-news/ontology#")

    # entity classes
    Person: URIRef
    Organization: URIRef
    Place: URIRef
    Program: URIRef
    Event: URIRef
    # event kinds
    Meeting: URIRef
    Adoption: URIRef
    Ceremony: URIRef
    Lecture: URIRef
    Campaign: URIRef
    DisputeResolution: URIRef
    Milestone: URIRef
    # event families and types (issue #12)
    PersonnelEvent: URIRef
    BusinessEvent: URIRef
    TransactionEvent: URIRef
    ContactEvent: URIRef
    JusticeEvent: URIRef
    ConflictEvent: URIRef
    Disaster: URIRef
    LifeEvent: URIRef
    Competition: URIRef
    ProductEvent: URIRef
    PolicyEvent: URIRef
    Appointment: URIRef
    Election: URIRef
    Resignation: URIRef
    Dismissal: URIRef
    Retirement: URIRef
    Founding: URIRef
    Acquisition: URIRef
    Investment: URIRef
    Listing: URIRef
    Bankruptcy: URIRef
    Layoff: URIRef
    PriceChange: URIRef
    Agreement: URIRef
    Cooperation: URIRef
    Donation: URIRef
    Meet: URIRef
    Visit: URIRef
    Talk: URIRef
    PhoneCall: URIRef
    Investigation: URIRef
    Detention: URIRef
    Arrest: URIRef
    Charge: URIRef
    Sentencing: URIRef
    Lawsuit: URIRef
    Fine: URIRef
    Attack: URIRef
    Protest: URIRef
    WorkStoppage: URIRef
    TrafficAccident: URIRef
    Fire: URIRef
    Explosion: URIRef
    Earthquake: URIRef
    Flood: URIRef
    Poisoning: URIRef
    Birth: URIRef
    Death: URIRef
    Injury: URIRef
    Marriage: URIRef
    Match: URIRef
    Victory: URIRef
    Defeat: URIRef
    Ranking: URIRef
    Award: URIRef
    Release: URIRef
    Launch: URIRef
    Recall: URIRef
    PolicyIssue: URIRef
    PolicyImplementation: URIRef
    Exhibition: URIRef
    # event roles, status and alignment annotations
    participant: URIRef
    actor: URIRef
    affected: URIRef
    winner: URIRef
    loser: URIRef
    buyer: URIRef
    seller: URIRef
    endDate: URIRef
    deadCount: URIRef
    injuredCount: URIRef
    eventStatus: URIRef
    EventStatus: URIRef
    Happened: URIRef
    Planned: URIRef
    Denied: URIRef
    aceType: URIRef
    dueeType: URIRef
    # the schema (kg.schema): classes of entity classes and of fact predicates, annotations
    EntityType: URIRef
    FactPredicate: URIRef
    displayOrder: URIRef
    viewLabel: URIRef
    viewColour: URIRef
    viewShape: URIRef
    iriSegment: URIRef
    # documents and provenance
    Document: URIRef
    Article: URIRef
    Sentence: URIRef
    Mention: URIRef
    Fact: URIRef
    Authorship: URIRef
    # relations between entities
    worksFor: URIRef
    jobTitle: URIRef
    honour: URIRef
    subOrganizationOf: URIRef
    locatedIn: URIRef
    participatedIn: URIRef
    organizer: URIRef
    implements: URIRef
    founder: URIRef
    alumniOf: URIRef
    nationality: URIRef
    birthPlace: URIRef
    nativePlace: URIRef
    formerlyWorkedFor: URIRef
    author: URIRef
    mentions: URIRef
    # event attributes
    date: URIRef
    dateText: URIRef
    # documents, articles, sentences
    sourceFile: URIRef
    sha256: URIRef
    encoding: URIRef
    newspaper: URIRef
    edition: URIRef
    column: URIRef
    continuation: URIRef
    inDocument: URIRef
    inArticle: URIRef
    sentenceIndex: URIRef
    sentenceKind: URIRef
    hasSentence: URIRef
    authorship: URIRef
    role: URIRef
    agent: URIRef
    # the gazetteer's divisions (reference data)
    Division: URIRef
    division: URIRef
    withinDivision: URIRef
    divisionCode: URIRef
    divisionLevel: URIRef
    # mentions and facts
    inSentence: URIRef
    refersTo: URIRef
    confidence: URIRef
    extractedBy: URIRef
    # analysis scores
    degree: URIRef
    betweenness: URIRef
    pagerank: URIRef
    community: URIRef


class NIF(DefinedNamespace):
    """The NLP Interchange Format core terms kg uses for offsets."""

    _fail = True
    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")

    String: URIRef
    Context: URIRef
    Sentence: URIRef
    Phrase: URIRef
    beginIndex: URIRef
    endIndex: URIRef
    anchorOf: URIRef
    isString: URIRef
    referenceContext: URIRef
    sentence: URIRef


def _materialize(ns: type[DefinedNamespace]) -> None:
    """Make each term declared in ``ns`` a plain class attribute: a ``DefinedNamespace`` otherwise
    finds a term through its metaclass's ``__getattr__`` on every access (about a microsecond),
    which a build's millions of triples add up to seconds."""
    for name in inspect.get_annotations(ns):
        setattr(ns, name, ns._NS[name])


_materialize(KGO)
_materialize(NIF)

#: Base of every resource IRI kg mints (entities, articles, sentences).
KGR = Namespace("https://w3id.org/kg-news/id/")

#: Prefixes bound on every graph kg writes.
PREFIXES: dict[str, Namespace | str] = {
    "kgo": KGO._NS,
    "kgr": KGR,
    "rdf": RDF._NS,
    "schema": SDO._NS,
    "foaf": FOAF._NS,
    "org": ORG._NS,
    "skos": SKOS._NS,
    "prov": PROV._NS,
    "nif": NIF._NS,
    "owl": OWL._NS,
    "rdfs": RDFS._NS,
    "xsd": XSD._NS,
    "sh": SH._NS,
}

# characters kept as they are in a resource IRI besides letters and digits (CJK stays readable)
_SAFE = "-._~()（）·"


def resource(*parts: str) -> URIRef:
    """Mint a stable, readable resource IRI from path parts.

    Characters not allowed in an IRI path are percent-encoded; CJK text stays readable.

    Examples
    --------
    >>> str(resource("person", "李明远"))
    'https://w3id.org/kg-news/id/person/李明远'
    >>> str(resource("program", "“一网通办”服务 <x>"))
    'https://w3id.org/kg-news/id/program/%E2%80%9C一网通办%E2%80%9D服务%20%3Cx%3E'
    """
    return URIRef(_BASE + "/".join(map(_segment, parts)))


_BASE = str(KGR)


def _segment(part: str) -> str:
    """One path segment of a resource IRI, percent-encoded where it must be."""
    if part.isascii() and part.isalnum():  # hashes, numbers, words: most segments
        return part
    return "".join(ch if ch.isalnum() or ch in _SAFE else quote(ch, safe="") for ch in part)
