"""The graph in a standard SPARQL server: one named graph per document, written through the Graph Store Protocol."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError, StoreError
from kg.ns import KGO, KGR, PROV, RDF, XSD
from kg.rdf import nt_term
from kg.store import _NON_NEGATIVE, _PREFIXES, Store, from_ox

__all__ = [
    "SCHEMES",
    "GRAPH_NS",
    "CORPUS_GRAPH",
    "RECORD",
    "PROFILES",
    "Remote",
    "NamedGraph",
    "Published",
    "is_remote",
    "parse_location",
    "document_graph",
    "split_graph",
    "publish",
    "RemoteStore",
    "open_store",
]

#: The location schemes of a SPARQL server (``sparql+http://host:port/…``).
SCHEMES = ("sparql+http", "sparql+https")
#: Every graph kg writes is named under this namespace; others on the server are left alone.
GRAPH_NS = "https://w3id.org/kg-news/graph/"
#: The graph of everything not about one document: entities, analysis scores, the ontology.
CORPUS_GRAPH = GRAPH_NS + "corpus"
#: The file in a build's generation folder that records what was published where.
RECORD = ".remote.json"
_RECORD_FORMAT = "kg-remote-record"

#: Endpoint paths (relative to the location's path) and dataset mode of the known servers.
#: ``dataset`` is ``union`` (the server's default graph is asked to be the union of its graphs:
#: Oxigraph's ``union-default-graph``) or ``graphs`` (every kg graph is named as a
#: ``default-graph-uri``: Virtuoso, whose default graph also holds its own system graphs).
#: ``read`` is how a graph is read back: ``gsp`` (a Graph Store ``GET``) or ``select`` (a query
#: that asks for each literal's lexical form too: Virtuoso writes doubles with 6 digits); with
#: ``select``, a SELECT answer holding doubles is completed the same way (``_exact_floats``).
PROFILES: Mapping[str, Mapping[str, str]] = {
    "oxigraph": {"query": "/query", "update": "/update", "store": "/store", "dataset": "union",
                 "auth": "basic", "read": "gsp"},
    "virtuoso": {"query": "/sparql", "update": "/sparql", "store": "/sparql-graph-crud",
                 "dataset": "graphs", "auth": "digest", "read": "select"},
}
# Virtuoso writes only through its authenticated endpoints (digest auth, user dba by default)
_VIRTUOSO_AUTH = {"update": "/sparql-auth", "store": "/sparql-graph-crud-auth"}
_OPTIONS = ("profile", "query", "update", "store", "dataset", "auth", "read", "timeout")
#: The environment variable with the password when the location names only a user.
PASSWORD_ENV = "KG_SPARQL_PASSWORD"

_KGR = str(KGR)
_DOC_KINDS = ("document/", "article/", "mention/")
_FACT = _KGR + "fact/"
_INTEGER_DERIVED = {
    str(XSD[t]) for t in ("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
                          "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
                          "unsignedByte")
}
_XSD_INTEGER = str(XSD.integer)
_FLOATS = {str(XSD.double), str(XSD.float)}
_RESULTS_JSON = "application/sparql-results+json"
# a query's prologue (comments, PREFIX and BASE declarations) followed by SELECT
_SELECT_START = re.compile(r"(?P<prologue>(?:\s+|#[^\n]*|PREFIX\s*[^\s:]*:\s*<[^<>]*>|BASE\s*<[^<>]*>)*)SELECT\b",
                           re.IGNORECASE)
_NTRIPLES = "application/n-triples"


def is_remote(location: str | os.PathLike[str]) -> bool:
    """True when ``location`` names a SPARQL server rather than a store directory.

    Examples
    --------
    >>> is_remote("sparql+http://127.0.0.1:7878"), is_remote("exports/store")
    (True, False)
    """
    return isinstance(location, str) and location.split("://", 1)[0].lower() in SCHEMES and "://" in location


@dataclass(frozen=True)
class Remote:
    """Where a SPARQL server is and how to talk to it (see :func:`parse_location`)."""

    location: str  # as given, without the password
    query_url: str
    update_url: str
    store_url: str
    dataset: str = "union"
    auth: str = "basic"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    read: str = "gsp"


def parse_location(location: str) -> Remote:
    """The server a location names: ``sparql+http(s)://[USER[:PASSWORD]@]HOST:PORT[/PATH][?OPTIONS]``.

    ``PATH`` is put before every endpoint. ``OPTIONS`` are ``profile=oxigraph`` (the default:
    ``/query``, ``/update``, ``/store``, the union of the graphs as default graph) or
    ``profile=virtuoso`` (``/sparql``, ``/sparql-graph-crud``, or with a user
    ``/sparql-auth`` and ``/sparql-graph-crud-auth`` with digest authentication), and any of
    ``query=``, ``update=``, ``store=`` (endpoint paths), ``dataset=union|graphs``,
    ``auth=basic|digest`` and ``timeout=SECONDS`` to override them. A user without a password
    takes it from ``$KG_SPARQL_PASSWORD``.

    Examples
    --------
    >>> r = parse_location("sparql+http://127.0.0.1:7878")
    >>> r.query_url, r.store_url, r.dataset
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/store', 'union')
    >>> r = parse_location("sparql+http://dba:secret@127.0.0.1:8890?profile=virtuoso")
    >>> r.store_url, r.auth, r.location
    ('http://127.0.0.1:8890/sparql-graph-crud-auth', 'digest', 'sparql+http://dba@127.0.0.1:8890?profile=virtuoso')
    """
    parts = urlsplit(location)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise StoreError(f"{location!r} is not a SPARQL server location (sparql+http://HOST:PORT/…)")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as e:
        raise StoreError(f"{_hide_password(location)}: {e}") from None
    if not host:
        raise StoreError(f"{_hide_password(location)}: no host (sparql+http://HOST:PORT/…)")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise StoreError(f"{_hide_password(location)}: unknown option {unknown[0]!r} "
                         f"(known: {', '.join(_OPTIONS)})")
    profile_name = options.get("profile", "oxigraph")
    if profile_name not in PROFILES:
        raise StoreError(f"{_hide_password(location)}: unknown profile {profile_name!r} "
                         f"(known: {', '.join(PROFILES)})")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if user and password is None:
        password = os.environ.get(PASSWORD_ENV)
    chosen = dict(PROFILES[profile_name])
    if profile_name == "virtuoso" and user:
        chosen.update(_VIRTUOSO_AUTH)
    chosen.update({k: v for k, v in options.items() if k in chosen})
    if chosen["dataset"] not in ("union", "graphs"):
        raise StoreError(f"{_hide_password(location)}: dataset must be union or graphs")
    if chosen["read"] not in ("gsp", "select"):
        raise StoreError(f"{_hide_password(location)}: read must be gsp or select")
    if chosen["auth"] not in ("basic", "digest"):
        raise StoreError(f"{_hide_password(location)}: auth must be basic or digest")
    try:
        timeout = float(options.get("timeout", "60"))
    except ValueError:
        timeout = -1.0
    if not timeout > 0:
        raise StoreError(f"{_hide_password(location)}: timeout must be a number of seconds above 0")
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None:
        netloc += f":{port}"
    base = f"{scheme.split('+', 1)[1]}://{netloc}{parts.path.rstrip('/')}"

    def url(path: str) -> str:
        return base + "/" + path.lstrip("/")

    return Remote(_hide_password(location), url(chosen["query"]), url(chosen["update"]), url(chosen["store"]),
                  chosen["dataset"], chosen["auth"], user, password, timeout, chosen["read"])


def _hide_password(location: str) -> str:
    parts = urlsplit(location)
    if parts.password is None:
        return location
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}@{host}").geturl()


# --- splitting a build into named graphs --------------------------------------------------------


@dataclass(frozen=True)
class NamedGraph:
    """One named graph to write: its IRI, its triples as sorted N-Triples and their count."""

    iri: str
    ntriples: str
    triples: int

    @property
    def digest(self) -> str:
        """The SHA-256 of the graph's sorted N-Triples (the same triples, the same digest)."""
        return hashlib.sha256(self.ntriples.encode("utf-8")).hexdigest()


def document_graph(path: str) -> str:
    """The IRI of the named graph of the document read from ``path`` (stable across builds, so a
    changed document replaces its graph).

    Examples
    --------
    >>> document_graph("source/a.md")[len(GRAPH_NS):]
    'document/9e9e2ecb637a3bc5'
    """
    return f"{GRAPH_NS}document/{hashlib.sha256(path.encode('utf-8')).hexdigest()[:16]}"


def _doc_key(iri: str) -> str | None:
    """The document hash (12 hex digits) an article, sentence, mention or document IRI is of."""
    if not iri.startswith(_KGR):
        return None
    rest = iri[len(_KGR):]
    for kind in _DOC_KINDS:
        if rest.startswith(kind):
            return rest[len(kind):].split("/", 1)[0] or None
    return None


def split_graph(graph: Graph) -> list[NamedGraph]:
    """``graph`` (a build's) as named graphs: one per document and :data:`CORPUS_GRAPH`.

    A document's graph (:func:`document_graph` of its path) holds its document, article,
    sentence, authorship and mention nodes, and the facts whose evidence is all in it (the fact
    node and the statement it reifies). Everything else, entities' types, labels and aliases,
    facts drawn from several documents, scores and the ontology, is in the corpus graph. Every
    triple is in exactly one graph, so their union is ``graph``. Sorted by IRI; empty graphs
    are left out.

    Examples
    --------
    >>> from kg.ns import RDFS
    >>> g = Graph()
    >>> d = URIRef(_KGR + "document/0123456789ab")
    >>> _ = g.add((d, KGO.sourceFile, Literal("a.md"))).add((URIRef(_KGR + "person/甲"), RDFS.label, Literal("甲")))
    >>> [(n.iri == document_graph("a.md"), n.triples) for n in split_graph(g)]
    [(False, 1), (True, 1)]
    """
    paths: dict[str, str] = {}
    for s, o in graph.subject_objects(KGO.sourceFile):
        key = _doc_key(str(s))
        if key is not None and str(s).startswith(_KGR + "document/") and isinstance(o, Literal):
            paths[key] = min(paths.get(key, str(o)), str(o))

    def graph_of_key(key: str) -> str:
        return document_graph(paths.get(key, key))

    fact_graph: dict[Node, str] = {}
    for f in set(graph.subjects(RDF.type, KGO.Fact)):
        keys = {_doc_key(str(src)) for src in graph.objects(f, PROV.wasDerivedFrom)}
        only = next(iter(keys)) if len(keys) == 1 else None
        if only is not None:
            fact_graph[f] = graph_of_key(only)
    statement_graph: dict[tuple[Node, Node, Node], str] = {}
    for f, g_iri in fact_graph.items():
        fs, fp, fo = graph.value(f, RDF.subject), graph.value(f, RDF.predicate), graph.value(f, RDF.object)
        if fs is not None and fp is not None and fo is not None:
            statement_graph[(fs, fp, fo)] = g_iri
    lines: dict[str, list[str]] = {}
    for t in graph:
        s = t[0]
        key = _doc_key(str(s)) if isinstance(s, URIRef) else None
        if key is not None:
            where = graph_of_key(key)
        elif s in fact_graph:
            where = fact_graph[s]
        else:
            where = statement_graph.get(t, CORPUS_GRAPH)
        lines.setdefault(where, []).append(f"{nt_term(t[0])} {nt_term(t[1])} {nt_term(t[2])} .")
    out = []
    for iri in sorted(lines):
        body = sorted(lines[iri])
        out.append(NamedGraph(iri, "\n".join(body) + "\n", len(body)))
    return out


# --- HTTP ---------------------------------------------------------------------------------------


def _first_line(text: str) -> str:
    """The first line of a server's message that says something (HTML tags dropped)."""
    text = re.sub(r"<[^>]*>", "\n", text)
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line[:300]
    return ""


class _Http:
    """One server's HTTP session: timeouts always, errors as kg errors.

    With digest authentication a request with a body is preceded, once, by a bodyless one that
    learns the server's nonce, so the body goes with its ``Authorization`` header from the start:
    a server that answers the first, unauthenticated try of a large ``PUT`` with 401 before it
    has read the body closes the connection under the client (Virtuoso does, from a few MB). A
    request that changes nothing or replaces a whole graph (``GET``, ``HEAD``, ``PUT``,
    ``DELETE``, a query) is sent again :attr:`RETRIES` times when the connection breaks.
    """

    CONNECT_TIMEOUT = 5.0
    #: How many times an idempotent request is sent again after a broken connection.
    RETRIES = 2
    #: The methods that may be sent again: reading, or writing a whole graph.
    IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})

    def __init__(self, remote: Remote) -> None:
        import requests

        self.remote = remote
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "kg"
        self._digest = remote.user is not None and remote.auth == "digest"
        self._primed = threading.local()  # the digest nonce is learned per thread, as requests keeps it
        if remote.user:
            from requests.auth import HTTPBasicAuth, HTTPDigestAuth

            password = remote.password or ""
            self.session.auth = (HTTPDigestAuth(remote.user, password) if self._digest
                                 else HTTPBasicAuth(remote.user, password))

    def _prime(self, url: str) -> None:
        """Learn the digest nonce with a ``HEAD`` of ``url`` (its answer does not matter)."""
        import requests

        try:
            self.session.request("HEAD", url, timeout=(self.CONNECT_TIMEOUT, self.remote.timeout))
        except requests.RequestException:
            return  # the real request reports what is wrong
        self._primed.done = True

    def request(self, method: str, url: str, error: type[Exception] = StoreError, ok: Sequence[int] = (),
                retry: bool | None = None, **kw: Any) -> Any:
        """Send one request; ``retry`` (default: for :attr:`IDEMPOTENT` methods) after a broken connection."""
        import requests

        if retry is None:
            retry = method in self.IDEMPOTENT
        attempts = 1 + (self.RETRIES if retry else 0)
        for attempt in range(attempts):
            if self._digest and "data" in kw and not getattr(self._primed, "done", False):
                self._prime(url)
            try:
                r = self.session.request(method, url, timeout=(self.CONNECT_TIMEOUT, self.remote.timeout), **kw)
                break
            except requests.Timeout:
                raise StoreError(f"SPARQL server {self.remote.location}: no answer from {url} within "
                                 f"{self.remote.timeout:g} s") from None
            except requests.ConnectionError as e:
                refused = "Connection refused" in str(e)
                if refused or attempt + 1 == attempts:
                    raise self._unreachable(method, url, e) from None
                self._primed.done = False  # the nonce may be what the server refused
            except requests.RequestException as e:
                raise self._unreachable(method, url, e) from None
        if r.status_code >= 400 and r.status_code not in ok:
            message = _first_line(r.text)
            cls = error if r.status_code in (400, 422) else StoreError
            raise cls(f"SPARQL server {self.remote.location}: {method} {url} gave HTTP {r.status_code} "
                      f"{r.reason}" + (f": {message}" if message else ""))
        return r

    def _unreachable(self, method: str, url: str, e: Exception) -> StoreError:
        reason = " ".join(str(e).split())
        if "Connection refused" in reason:
            reason = "connection refused"
        return StoreError(f"cannot reach SPARQL server {self.remote.location} ({method} {url}): {reason[:300]}")

    def close(self) -> None:
        self.session.close()


# --- publishing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """What :func:`publish` did: the graphs written (``PUT``), deleted and left as they were."""

    location: str
    graphs: int
    triples: int
    written: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    kept: int = 0


def _read_record(generation: Path | None, location: str) -> dict[str, str]:
    from kg.cache import _read_json

    if generation is None:
        return {}
    data = _read_json(Path(generation) / RECORD)
    if not (isinstance(data, dict) and data.get("format") == _RECORD_FORMAT and data.get("location") == location
            and isinstance(data.get("graphs"), dict)):
        return {}
    return {str(k): str(v) for k, v in data["graphs"].items()}


def publish(graph: Graph, location: str | Remote, generation: str | os.PathLike[str] | None = None,
            previous: str | os.PathLike[str] | None = None) -> Published:
    """Write ``graph`` to the server at ``location`` as named graphs (:func:`split_graph`).

    Each graph is written with a Graph Store ``PUT`` (a replacement), unless the record of the
    ``previous`` build's generation says the server already holds it with the same digest; the
    corpus graph is always written (``kg analyze`` may have changed it). kg's graphs on the
    server that the build no longer has are deleted. The record of what the server now holds
    is written into ``generation`` (``.remote.json``). The previous record is removed before
    anything is sent, so a publication that fails half-way is followed by a full one.
    """
    remote = location if isinstance(location, Remote) else parse_location(location)
    parts = split_graph(graph)
    prev = Path(previous) if previous is not None else None
    old = _read_record(prev, remote.location)
    if prev is not None:
        (prev / RECORD).unlink(missing_ok=True)
    with RemoteStore(remote) as store:
        on_server = store.graphs()
        written, kept = [], 0
        for ng in parts:
            if (ng.iri != CORPUS_GRAPH and old.get(ng.iri) == ng.digest and on_server.get(ng.iri) == ng.triples):
                kept += 1
                continue
            store.put_graph(ng.iri, ng.ntriples)
            written.append(ng.iri)
        names = {ng.iri for ng in parts}
        deleted = sorted(set(on_server) - names)
        for iri in deleted:
            store.delete_graph(iri)
    if generation is not None:
        from kg.cache import _write_json

        _write_json(Path(generation) / RECORD, {"format": _RECORD_FORMAT, "location": remote.location,
                                                "graphs": {ng.iri: ng.digest for ng in parts}})
    return Published(remote.location, len(parts), sum(ng.triples for ng in parts), tuple(written),
                     tuple(deleted), kept)


# --- reading and writing a server ---------------------------------------------------------------


class _GraphResult(list[Any]):
    """The triples of a CONSTRUCT or DESCRIBE answer (pyoxigraph quads)."""


def _prefixed(text: str) -> str:
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in _PREFIXES.items()) + text


def _normalize(term: dict[str, Any]) -> None:
    """A JSON result term as the embedded store gives it: integer-derived types are xsd:integer,
    Virtuoso's ``typed-literal`` a ``literal``."""
    if term.get("type") == "typed-literal":
        term["type"] = "literal"
    if term.get("datatype") in _INTEGER_DERIVED:
        term["datatype"] = _XSD_INTEGER


class RemoteStore:
    """The kg graph in a SPARQL 1.1 server, with the reading interface of :class:`~kg.store.Store`.

    Open with :func:`open_store` (or ``RemoteStore("sparql+http://…")``); use as a context
    manager or call :meth:`close`. Queries go through the SPARQL 1.1 Protocol over the union of
    kg's named graphs (:data:`GRAPH_NS`); graphs are read and written through the Graph Store
    Protocol.
    """

    def __init__(self, location: str | Remote) -> None:
        self.remote = location if isinstance(location, Remote) else parse_location(location)
        #: where the store is, for messages (the location without its password)
        self.path = self.remote.location
        self.read_only = False
        self._http: _Http | None = _Http(self.remote)
        self._graphs: dict[str, int] | None = None

    def close(self) -> None:
        """Release the connection (a closed store cannot be used again)."""
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<RemoteStore {self.remote.location}>"

    @property
    def http(self) -> _Http:
        if self._http is None:
            raise StoreError(f"store {self.remote.location} is closed")
        return self._http

    # --- the graphs -------------------------------------------------------------------------
    def graphs(self, refresh: bool = False) -> dict[str, int]:
        """kg's named graphs on the server (those under :data:`GRAPH_NS`) and their sizes."""
        if self._graphs is None or refresh:
            text = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                    f'FILTER(STRSTARTS(STR(?g), "{GRAPH_NS}")) }} GROUP BY ?g')
            found: dict[str, int] = {}
            for sol in self._select(text, dataset=False):
                g, n = sol["g"], sol["n"]
                if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal):
                    found[g.value] = int(n.value)
            self._graphs = dict(sorted(found.items()))
        return dict(self._graphs)

    def __len__(self) -> int:
        return sum(self.graphs().values())

    def _graph_params(self, iri: str) -> dict[str, str]:
        return {"graph": iri}

    def put_graph(self, iri: str, ntriples: str) -> None:
        """Replace (or create) the named graph ``iri`` with the N-Triples ``ntriples`` (GSP ``PUT``)."""
        self.http.request("PUT", self.remote.store_url, params=self._graph_params(iri),
                          data=ntriples.encode("utf-8"), headers={"Content-Type": _NTRIPLES})
        self._graphs = None

    def delete_graph(self, iri: str) -> None:
        """Remove the named graph ``iri`` (GSP ``DELETE``; a graph that is not there is no error)."""
        self.http.request("DELETE", self.remote.store_url, params=self._graph_params(iri), ok=(404,))
        self._graphs = None

    def get_graph(self, iri: str) -> list[tuple[Node, Node, Node]]:
        """The triples of the named graph ``iri`` (GSP ``GET``, or a query with ``read=select``) as
        rdflib terms."""
        if self.remote.read == "select":
            return self._select_graph(iri)
        r = self.http.request("GET", self.remote.store_url, params=self._graph_params(iri), ok=(404,),
                              headers={"Accept": _NTRIPLES})
        if r.status_code == 404:
            return []
        try:
            quads = list(ox.parse(r.content, ox.RdfFormat.N_TRIPLES))
        except SyntaxError as e:
            raise StoreError(f"SPARQL server {self.remote.location}: graph {iri} is not N-Triples: "
                             f"{' '.join(str(e).split())[:200]}") from None
        return [_triple(q) for q in quads]

    def _select_graph(self, iri: str) -> list[tuple[Node, Node, Node]]:
        from kg.rdf import _escape_iri

        text = f"SELECT ?s ?p ?o (STR(?o) AS ?lex) WHERE {{ GRAPH <{_escape_iri(iri)}> {{ ?s ?p ?o }} }}"
        out = []
        for sol in self._select(text, dataset=False):
            o, lex = sol["o"], sol["lex"]
            if isinstance(o, ox.Literal) and o.datatype.value in _FLOATS and isinstance(lex, ox.Literal):
                o = ox.Literal(lex.value, datatype=o.datatype)
            out.append(_triple(ox.Triple(sol["s"], sol["p"], o)))
        return out

    # --- writing ----------------------------------------------------------------------------
    def replace(self, graph: Graph) -> int:
        """Replace kg's graphs on the server by ``graph`` (:func:`publish` without a record)."""
        return publish(graph, self.remote).triples

    def add_graph(self, graph: Graph, replace_predicates: bool = False) -> None:
        """Add the triples of ``graph`` (e.g. analysis scores) to the corpus graph.

        With ``replace_predicates``, the corpus graph's triples with any predicate used in
        ``graph`` are removed first, as :meth:`kg.store.Store.add_graph` does.
        """
        current = self.get_graph(CORPUS_GRAPH)
        if replace_predicates:
            preds = {p for _, p, _ in graph}
            current = [t for t in current if t[1] not in preds]
        triples = set(current) | set(graph)
        body = sorted(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in triples)
        self.put_graph(CORPUS_GRAPH, "\n".join(body) + "\n")

    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update on the server's update endpoint (the kg prefixes are predeclared)."""
        self.http.request("POST", self.remote.update_url, error=QueryError, data={"update": _prefixed(text)})
        self._graphs = None

    # --- reading ----------------------------------------------------------------------------
    def _dataset(self, default_graph: Sequence[str] | None, named_graphs: Sequence[str] | None
                 ) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        if default_graph is None and named_graphs is None:
            if self.remote.dataset == "union":
                return [("union-default-graph", "")]
            default_graph = list(self.graphs()) or [GRAPH_NS + "none"]
        params += [("default-graph-uri", g) for g in default_graph or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        return params

    def _post_query(self, text: str, name: str | None, dataset: list[tuple[str, str]]) -> Any:
        accept = f"{_RESULTS_JSON}, {_NTRIPLES};q=0.9"
        try:
            return self.http.request("POST", self.remote.query_url, error=QueryError, retry=True,
                                     data=[("query", _prefixed(text)), *dataset], headers={"Accept": accept})
        except QueryError as e:
            raise QueryError(f"query {name!r}: {e}" if name else str(e)) from None

    def _select(self, text: str, dataset: bool = True) -> Any:
        r = self._post_query(text, None, self._dataset(None, None) if dataset else [])
        return self._results(r, None)

    def _results(self, r: Any, name: str | None, exact: tuple[str, list[tuple[str, str]]] | None = None) -> Any:
        ctype = r.headers.get("Content-Type", "").split(";")[0].strip().lower()
        where = f"query {name!r}: " if name else ""
        if ctype in (_NTRIPLES, "text/plain", "text/turtle"):
            fmt = ox.RdfFormat.TURTLE if ctype == "text/turtle" else ox.RdfFormat.N_TRIPLES
            try:
                return _GraphResult(ox.parse(r.content, fmt))
            except SyntaxError as e:
                raise QueryError(f"{where}the server's answer is not RDF: {' '.join(str(e).split())[:200]}") from None
        try:
            doc = json.loads(r.content)
        except ValueError:
            raise QueryError(f"{where}the server's answer is not SPARQL results JSON ({ctype or 'no type'}): "
                             f"{_first_line(r.text)[:200]}") from None
        bindings = doc.get("results", {}).get("bindings") if isinstance(doc, dict) else None
        if isinstance(bindings, list):
            for b in bindings:
                for term in b.values():
                    _normalize(term)
            limit = r.headers.get("X-SPARQL-MaxRows")
            if limit and limit.isdigit() and len(bindings) >= int(limit):
                raise QueryError(f"{where}the server cut the result at {limit} rows (Virtuoso: raise "
                                 "ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)")
            if exact is not None:
                self._exact_floats(exact[0], exact[1], doc, bindings)
        try:
            return ox.parse_query_results(json.dumps(doc), ox.QueryResultsFormat.JSON)
        except SyntaxError as e:
            raise QueryError(f"{where}the server's answer is not SPARQL results JSON: "
                             f"{' '.join(str(e).split())[:200]}") from None

    def query(self, text: str, name: str | None = None, default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> Any:
        """Run a SPARQL query on the server; return results of the kind :meth:`kg.store.Store.query`
        does (pyoxigraph solutions or boolean; a list of quads for CONSTRUCT and DESCRIBE).

        The kg prefixes are predeclared; by default the query's dataset is the union of kg's
        graphs. Literal types are those of the embedded store (integer-derived types are
        ``xsd:integer``). A query the server refuses raises :class:`~kg.errors.QueryError` with
        its message.
        """
        dataset = self._dataset(default_graph, named_graphs)
        r = self._post_query(text, name, dataset)
        return self._results(r, name, (text, dataset) if self.remote.read == "select" else None)

    def _exact_floats(self, text: str, dataset: list[tuple[str, str]], doc: dict[str, Any],
                      bindings: list[dict[str, Any]]) -> None:
        """Put the exact lexical forms into the xsd:double and xsd:float values of a SELECT answer.

        Virtuoso writes a double in query results with 6 significant digits (in every results
        format), but ``STR()`` of it in full; so a SELECT whose answer holds such values is asked
        again as a subquery that adds ``STR()`` of those variables. The forms are used only if the
        second answer has the same rows in the same order; else the answer stays as it was.
        """
        floats = sorted({v for b in bindings for v, term in b.items() if term.get("datatype") in _FLOATS})
        head = doc.get("head", {}).get("vars") if isinstance(doc.get("head"), dict) else None
        m = _SELECT_START.match(text)
        if not floats or not isinstance(head, list) or m is None:
            return
        lex = {v: f"kg_lex_{i}" for i, v in enumerate(floats)}
        wrapped = (text[:m.end("prologue")] + "SELECT " + " ".join(f"?{v}" for v in head) + " "
                   + " ".join(f"(STR(?{v}) AS ?{lex[v]})" for v in floats)
                   + " WHERE { { " + text[m.end("prologue"):] + "\n} }")
        try:
            r = self._post_query(wrapped, None, dataset)
            again = json.loads(r.content)["results"]["bindings"]
        except (QueryError, StoreError, ValueError, KeyError, TypeError):
            return
        if not isinstance(again, list) or len(again) != len(bindings):
            return
        for b in again:
            for term in b.values():
                _normalize(term)
        if any({v: t for v, t in b2.items() if v not in lex.values()} != b1 for b1, b2 in zip(bindings, again, strict=True)):
            return
        for b1, b2 in zip(bindings, again, strict=True):
            for v, name in lex.items():
                if v in b1 and b1[v].get("datatype") in _FLOATS and name in b2:
                    b1[v]["value"] = b2[name]["value"]

    def triples(self) -> Iterable[tuple[Node, Node, Node]]:
        """Every triple of kg's graphs, as rdflib terms (literal types as the build wrote them)."""
        for iri, n in self.graphs(refresh=True).items():
            got = self.get_graph(iri)
            if len(got) < n:
                raise StoreError(f"SPARQL server {self.remote.location} gave {len(got)} of the {n} triples of "
                                 f"{iri} (Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)")
            yield from got

    def to_rdflib(self) -> Graph:
        """kg's graphs on the server merged into one rdflib graph with the kg prefixes."""
        from kg.rdf import new_graph

        g = new_graph()
        for t in self.triples():
            g.add(t)
        return g


def _triple(q: Any) -> tuple[Node, Node, Node]:
    o = q.object
    if (q.predicate.value in _NON_NEGATIVE and isinstance(o, ox.Literal)
            and o.datatype.value in _INTEGER_DERIVED | {_XSD_INTEGER} and not o.value.startswith("-")):
        return from_ox(q.subject), from_ox(q.predicate), Literal(o.value, datatype=XSD.nonNegativeInteger)
    return from_ox(q.subject), from_ox(q.predicate), from_ox(o)


def open_store(location: str | os.PathLike[str], read_only: bool = False, create: bool = False) -> Store | RemoteStore:
    """The store at ``location``: a :class:`RemoteStore` for ``sparql+http(s)://…``, else the
    embedded :class:`~kg.store.Store` in that directory.

    Examples
    --------
    >>> open_store("sparql+http://127.0.0.1:7878")
    <RemoteStore sparql+http://127.0.0.1:7878>
    """
    if is_remote(location):
        return RemoteStore(str(location))
    return Store.open(location, read_only=read_only, create=create)
