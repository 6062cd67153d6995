"""Named SPARQL queries, running them on a store or a graph, and formatting the results.

Bundled queries live in ``kg/queries/*.rq``; each starts with a comment header::

    # title: People
    # description: Every person with the organizations they work for …
    # param: threshold decimal = 0.6

A ``# param: NAME TYPE [= DEFAULT]`` line declares a parameter used as ``$NAME`` in the query;
its value is substituted as a SPARQL literal (a quoted, escaped string, or a checked number), so
a value can never change the query's structure.

Examples
--------
>>> [q.name for q in list_queries()][:3]
['authors', 'cooccurrence', 'entity']
>>> bind(load_query("entity"), {"name": 'a"b'}).count('"a\\\\"b"')
1
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError, StoreError
from kg.ingest.clean import printable
from kg.ns import PREFIXES
from kg.remote import RemoteStore
from kg.store import Store, from_ox

__all__ = [
    "QUERY_DIR",
    "FORMATS",
    "Param",
    "NamedQuery",
    "Table",
    "list_queries",
    "load_query",
    "bind",
    "run",
    "check_query",
    "update_form",
    "uses_service",
    "format_table",
    "display_width",
    "MediaFormat",
    "RESULT_FORMATS",
    "GRAPH_FORMATS",
    "negotiate",
    "Job",
    "Reply",
    "execute",
    "QueryPool",
]

QUERY_DIR = Path(__file__).resolve().parent / "queries"
FORMATS = ("table", "csv", "tsv", "json")

_PARAM_TYPES = ("string", "integer", "decimal")
_HEADER = re.compile(r"#\s*(title|description|param)\s*:\s*(.*)")
_PARAM = re.compile(r"(\w+)\s+(\w+)(?:\s*=\s*(.*))?")
_QUERY_WORDS = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|PREFIX|BASE)\b", re.IGNORECASE)
# what a query says, without its strings, IRIs and comments (where SERVICE or DROP is only text)
_STRINGS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                      r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)
_IRIS = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_COMMENTS = re.compile(r"#[^\n]*")
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s*[^\s:]*:\s*|BASE\s*)<>\s*)*", re.IGNORECASE)
_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE(?![\w:-])", re.IGNORECASE)
_INT = re.compile(r"[+-]?\d+")
_DEC = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)")


@dataclass(frozen=True)
class Param:
    """A declared query parameter; ``default`` None means required."""

    name: str
    type: str = "string"
    default: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    """A query with its header: ``name`` is the file stem (or ``"<text>"``)."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    path: Path | None = None


def _parse(name: str, text: str, path: Path | None = None) -> NamedQuery:
    title, desc, params = "", [], []
    current = None
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        m = _HEADER.fullmatch(s)
        if m:
            key, value = m.groups()
            current = key
            if key == "title":
                title = value.strip()
            elif key == "description":
                desc.append(value.strip())
            else:
                pm = _PARAM.fullmatch(value.strip())
                if not pm or pm.group(2) not in _PARAM_TYPES:
                    raise QueryError(f"query {name!r}: bad parameter declaration {value.strip()!r}")
                default = pm.group(3)
                if default is not None:
                    default = default.strip()
                    if len(default) >= 2 and default[0] == default[-1] == '"':
                        default = default[1:-1]
                params.append(Param(pm.group(1), pm.group(2), default))
        elif current == "description":
            desc.append(s.lstrip("#").strip())
    return NamedQuery(name, text, title, " ".join(d for d in desc if d), tuple(params), path)


def list_queries() -> list[NamedQuery]:
    """The bundled queries, sorted by name."""
    return [_parse(p.stem, p.read_text(encoding="utf-8"), p) for p in sorted(QUERY_DIR.glob("*.rq"))]


def _bare(text: str) -> str:
    """``text`` with strings, IRIs and comments blanked (``""``, ``<>``, nothing)."""
    text = _STRINGS.sub('""', text)
    text = _IRIS.sub("<>", text)
    return _COMMENTS.sub("", text)


def update_form(text: str) -> str | None:
    """The SPARQL Update operation ``text`` begins with (``DROP``, ``INSERT`` …), or None.

    Examples
    --------
    >>> update_form("DROP ALL"), update_form("PREFIX ex: <http://e/#> INSERT DATA { ex:a ex:b 1 }")
    ('DROP', 'INSERT')
    >>> update_form("SELECT ?s WHERE { ?s ?p 'DROP ALL' }") is None
    True
    """
    rest = _bare(text)
    prologue = _PROLOGUE.match(rest)  # it matches every text (everything in it is optional)
    rest = rest[prologue.end():] if prologue else rest
    word = re.match(r"[A-Za-z]+", rest)
    return word.group().upper() if word and word.group().upper() in _UPDATES else None


def uses_service(text: str) -> bool:
    """Whether ``text`` asks another SPARQL endpoint (``SERVICE <…>``, a federated query).

    Examples
    --------
    >>> uses_service("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service("SELECT ?service WHERE { ?service rdfs:label 'SERVICE' }  # no SERVICE here")
    False
    """
    return bool(_SERVICE.search(_bare(text)))


def check_query(text: str, allow_service: bool = False) -> None:
    """Refuse what ``kg query`` does not run: an update, and a federated query unless
    ``allow_service`` (it would make the machine send requests to the endpoint it names)."""
    form = update_form(text)
    if form:
        raise QueryError(f"updates are not allowed ({form}): kg query only reads the store; "
                         "a build writes it")
    if not allow_service and uses_service(text):
        raise QueryError("the query asks another endpoint (SERVICE): federated queries are refused "
                         "unless allowed (kg query --allow-service)")


def load_query(spec: str) -> NamedQuery:
    """A bundled query by name, a ``.rq`` file by path, or SPARQL text.

    Unknown names raise :class:`~kg.errors.QueryError` pointing to ``kg query --list``.
    """
    s = spec.strip()
    if not s:
        raise QueryError("empty query")
    bundled = QUERY_DIR / f"{s}.rq"
    if re.fullmatch(r"[\w-]+", s) and bundled.is_file():
        return _parse(s, bundled.read_text(encoding="utf-8"), bundled)
    if "\n" not in s and (s.endswith(".rq") or s.endswith(".sparql")):
        p = Path(s)
        if not p.is_file():
            raise QueryError(f"no query file {s}")
        try:
            return _parse(p.stem, p.read_text(encoding="utf-8"), p)
        except (OSError, UnicodeDecodeError) as e:
            raise QueryError(f"cannot read {s}: {e}") from None
    check_query(s, allow_service=True)  # an update is refused here, not as an unknown name
    if _QUERY_WORDS.search(s):
        return _parse("<text>", spec)
    raise QueryError(f"unknown query {s!r}; `kg query --list` shows the bundled queries")


def _literal(value: str, type_: str, name: str) -> str:
    if type_ == "integer":
        if not _INT.fullmatch(value.strip()):
            raise QueryError(f"parameter {name} must be an integer, not {value!r}")
        return str(int(value))
    if type_ == "decimal":
        if not _DEC.fullmatch(value.strip()):
            raise QueryError(f"parameter {name} must be a number, not {value!r}")
        v = value.strip()
        return v if "." in v else v + ".0"
    out = ['"']
    for ch in value:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def bind(query: NamedQuery, params: Mapping[str, str]) -> str:
    """The query text with ``$name`` placeholders replaced by literals.

    Declared parameters are typed by their declaration; for SPARQL text without a header a
    value that looks like a number is a number and anything else a string.
    """
    declared = {p.name: p for p in query.params}
    values: dict[str, str] = {}
    for p in query.params:
        if p.name in params:
            values[p.name] = _literal(params[p.name], p.type, p.name)
        elif p.default is not None:
            values[p.name] = _literal(p.default, p.type, p.name)
        else:
            raise QueryError(f"query {query.name!r} needs --param {p.name}=VALUE")
    for k, v in params.items():
        if k in declared:
            continue
        if not re.search(rf"\${re.escape(k)}\b", query.text):
            known = ", ".join(declared) or "none"
            raise QueryError(f"query {query.name!r} has no parameter {k!r} (parameters: {known})")
        t = "integer" if _INT.fullmatch(v) else "decimal" if _DEC.fullmatch(v) else "string"
        values[k] = _literal(v, t, k)
    if not values:
        return query.text
    # substitute outside comments only
    rx = re.compile(r"\$(" + "|".join(re.escape(k) for k in sorted(values, key=len, reverse=True)) + r")\b")
    lines = []
    for line in query.text.split("\n"):
        if line.lstrip().startswith("#"):
            lines.append(line)
        else:
            lines.append(rx.sub(lambda m: values[m.group(1)], line))
    return "\n".join(lines)


# --- results ------------------------------------------------------------------------------------


@dataclass
class Table:
    """Query results: column names and rows of rdflib terms (None = unbound).

    An ASK query gives ``boolean`` and one column ``ask``; CONSTRUCT/DESCRIBE give the
    columns subject, predicate, object.
    """

    columns: list[str]
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def values(self) -> list[tuple[Any, ...]]:
        """Rows as Python values (strings, numbers, dates; IRIs as strings)."""
        out = []
        for row in self.rows:
            out.append(
                tuple(None if t is None else t.toPython() if isinstance(t, Literal) else str(t) for t in row)
            )
        return out

    def format(self, fmt: str = "table", **kw: Any) -> str:
        """The table as ``table`` (aligned text), ``csv``, ``tsv`` or ``json``."""
        return format_table(self, fmt, **kw)

    def __str__(self) -> str:
        return format_table(self, "table")


def _display(term: Node | None) -> str:
    """A cell of the aligned table, in a form that can be pasted into a query as it is: a
    prefixed name where it is a plain one (``kgo:worksFor``, ``rdf:type``; `run` predeclares
    the prefixes), else the full IRI, ``<…>`` (``kgr:person/张三`` is no SPARQL: ``/`` is not
    allowed in a prefixed name)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in _SHORT:
            if s.startswith(ns) and _PLAIN_LOCAL.fullmatch(s[len(ns) :]):
                return f"{prefix}:{s[len(ns) :]}"
        return f"<{s}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


_SHORT = sorted(((k, str(v)) for k, v in PREFIXES.items()), key=lambda kv: -len(kv[1]))
_PLAIN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")  # a local name every SPARQL parser reads


def display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide and fullwidth characters count 2.

    >>> display_width("abc"), display_width("张三"), display_width("（1）")
    (3, 4, 5)
    """
    w = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def _fit(text: str, width: int) -> str:
    text = printable(" ".join(text.split()))  # one line, no control or bidi character
    if display_width(text) <= width:
        return text
    out, w = [], 0
    for ch in text:
        cw = display_width(ch)
        if w + cw > width - 1:
            break
        out.append(ch)
        w += cw
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _text(table: Table, max_width: int = 48) -> str:
    if table.boolean is not None:
        return "true" if table.boolean else "false"
    # an IRI is never cut: a cut one names nothing
    cells = [[printable(_display(t)) if isinstance(t, URIRef) else _fit(_display(t), max_width) for t in row]
             for row in table.rows]
    widths = [display_width(c) for c in table.columns]
    for row in cells:
        widths = [max(w, display_width(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(table.columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
    n = len(table.rows)
    lines.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(lines) + "\n"


def _csv(table: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)  # SPARQL 1.1 CSV results: CRLF line ends, plain values
    if table.boolean is not None:
        w.writerow(["ask"])
        w.writerow(["true" if table.boolean else "false"])
        return buf.getvalue()
    w.writerow(table.columns)
    for row in table.rows:
        w.writerow(["" if t is None else f"_:{t}" if isinstance(t, BNode) else str(t) for t in row])
    return buf.getvalue()


def _tsv_term(t: Node | None) -> str:
    from kg.rdf import _escape_string

    if t is None:
        return ""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, BNode):
        return f"_:{t}"
    assert isinstance(t, Literal)
    out = f'"{_escape_string(str(t))}"'
    if t.language:
        return f"{out}@{t.language}"
    if t.datatype is not None:
        return f"{out}^^<{t.datatype}>"
    return out


def _tsv(table: Table) -> str:
    """SPARQL 1.1 TSV results: ``?var`` headers, terms in Turtle syntax."""
    if table.boolean is not None:
        return "?ask\n" + ("true" if table.boolean else "false") + "\n"
    lines = ["\t".join(f"?{c}" for c in table.columns)]
    for row in table.rows:
        lines.append("\t".join(_tsv_term(t) for t in row))
    return "\n".join(lines) + "\n"


def _json_term(t: Node) -> dict[str, str]:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    assert isinstance(t, Literal)
    d = {"type": "literal", "value": str(t)}
    if t.language:
        d["xml:lang"] = t.language
    elif t.datatype is not None:
        d["datatype"] = str(t.datatype)
    return d


def _json(table: Table) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if table.boolean is not None:
        doc: dict[str, Any] = {"head": {}, "boolean": table.boolean}
    else:
        bindings = [
            {c: _json_term(t) for c, t in zip(table.columns, row, strict=True) if t is not None}
            for row in table.rows
        ]
        doc = {"head": {"vars": list(table.columns)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def format_table(table: Table, fmt: str = "table", **kw: Any) -> str:
    """Format ``table`` as ``table`` (aligned, CJK-aware), ``csv``, ``tsv`` or ``json``."""
    if fmt == "table":
        return _text(table, **kw)
    if fmt == "csv":
        return _csv(table)
    if fmt == "tsv":
        return _tsv(table)
    if fmt == "json":
        return _json(table)
    raise QueryError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")


# --- running ------------------------------------------------------------------------------------


def _from_store(store: Store | RemoteStore, text: str, name: str | None) -> Table:
    import pyoxigraph as ox

    res = store.query(text, name=name)
    if isinstance(res, ox.QueryBoolean):
        return Table(["ask"], [(Literal(bool(res)),)], boolean=bool(res))
    if not isinstance(res, ox.QuerySolutions):  # triples: the embedded store's, or a server's
        return Table(
            ["subject", "predicate", "object"],
            [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in res],
        )
    cols = [v.value for v in res.variables]
    try:
        rows = [tuple(from_ox(sol[i]) for i in range(len(cols))) for sol in res]
    except OSError as e:  # evaluation errors surface while iterating
        where = f"query {name!r}: " if name else ""
        raise QueryError(f"{where}{' '.join(str(e).split())}") from None
    return Table(cols, rows)


def run(source: Store | RemoteStore | Graph, query: str | NamedQuery, allow_service: bool = False,
        **params: str) -> Table:
    """Run a query (name, path, text or :class:`NamedQuery`) on a store (embedded, or a SPARQL
    server: :class:`~kg.remote.RemoteStore`) or an rdflib graph.

    Queries run on Oxigraph in both cases (a graph is copied into an in-memory store);
    the kg prefixes are predeclared. Updates are refused, and so are federated queries
    (``SERVICE``) unless ``allow_service`` (see :func:`check_query`).

    ``params`` fill the query's ``$name`` placeholders (see :func:`bind`).
    """
    nq = query if isinstance(query, NamedQuery) else load_query(query)
    text = bind(nq, {k: str(v) for k, v in params.items()})
    check_query(text, allow_service)
    name = None if nq.name == "<text>" else nq.name
    if isinstance(source, (Store, RemoteStore)):
        return _from_store(source, text, name)
    if isinstance(source, Graph):
        # one engine for every source: the graph is queried in a temporary Oxigraph store, so a
        # graph and the store built from it give the same answers (and rdflib's SPARQL quirks,
        # such as GROUP_CONCAT over unbound values, do not apply)
        with Store.from_graph(source) as st:
            return _from_store(st, text, name)
    raise TypeError(f"run() needs a Store or an rdflib Graph, not {type(source).__name__}")


def parse_params(items: Iterable[str]) -> dict[str, str]:
    """``["k=v", …]`` (from ``--param``) as a dict; a malformed item raises QueryError."""
    out: dict[str, str] = {}
    for item in items:
        k, sep, v = item.partition("=")
        if not sep or not re.fullmatch(r"\w+", k.strip()):
            raise QueryError(f"--param needs NAME=VALUE, not {item!r}")
        out[k.strip()] = v
    return out


def describe(queries: Sequence[NamedQuery]) -> str:
    """The ``kg query --list`` text: name, title, parameters and description of each query."""
    lines = []
    width = max((len(q.name) for q in queries), default=0)
    for q in queries:
        params = " ".join(
            f"--param {p.name}=" + (p.default if p.default is not None else "…") for p in q.params
        )
        lines.append(f"{q.name.ljust(width)}  {q.title}" + (f"  [{params}]" if params else ""))
        if q.description:
            lines.append(f"{' ' * width}  {q.description}")
    return "\n".join(lines) + "\n"


# --- the SPARQL 1.1 protocol: result formats, content negotiation, a pool of query workers ------


@dataclass(frozen=True)
class MediaFormat:
    """A result format of the SPARQL protocol: its short name (``format=`` parameter), the media
    type it is served as, and other media types (and short names) that ask for it."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (text formats say their charset)."""
        text = self.media_type.startswith("text/") or self.media_type.endswith(("json", "xml", "triples"))
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


#: SELECT and ASK results, the default first.
RESULT_FORMATS: tuple[MediaFormat, ...] = (
    MediaFormat("json", "application/sparql-results+json", ("application/json", "srj")),
    MediaFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml", "srx")),
    MediaFormat("csv", "text/csv"),
    MediaFormat("tsv", "text/tab-separated-values"),
)
#: CONSTRUCT and DESCRIBE results (RDF graphs), the default first.
GRAPH_FORMATS: tuple[MediaFormat, ...] = (
    MediaFormat("ttl", "text/turtle", ("application/x-turtle", "turtle", "n3", "text/n3", "text/rdf+n3")),
    MediaFormat("nt", "application/n-triples", ("text/plain", "ntriples", "n-triples")),
    MediaFormat("jsonld", "application/ld+json", ("application/json", "json-ld", "json")),
    MediaFormat("rdfxml", "application/rdf+xml", ("application/xml", "text/xml", "rdf+xml", "xml")),
)


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = min(max(float(v), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def negotiate(accept: str | None, formats: Sequence[MediaFormat], fmt: str | None = None) -> MediaFormat | None:
    """The format of ``formats`` to answer with: the one a ``format=`` parameter names (a short
    name or a media type), else the best by the ``Accept`` header (quality values, then the most
    specific range, then the order of ``formats``); ``None`` when the header accepts none.

    No header, or a format parameter that names none of ``formats``, gives the first one for the
    header to decide.

    Examples
    --------
    >>> negotiate("text/csv, */*;q=0.1", RESULT_FORMATS).name
    'csv'
    >>> negotiate("application/json", GRAPH_FORMATS).name, negotiate(None, GRAPH_FORMATS).name
    ('jsonld', 'ttl')
    >>> negotiate("text/html", RESULT_FORMATS) is None, negotiate("text/html", RESULT_FORMATS, "tsv").name
    (True, 'tsv')
    """
    if fmt:
        f = fmt.strip().lower()
        for mf in formats:
            if f == mf.name or f == mf.media_type or f in mf.aliases:
                return mf
    if not accept or not accept.strip():
        return formats[0]
    ranges = _accept_ranges(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, mf in enumerate(formats):
        kind = mf.media_type.split("/")[0]
        match: tuple[float, int] | None = None  # (q, specificity) of the most specific range
        for media, q in ranges:
            spec = (3 if media == mf.media_type else 2 if media in mf.aliases
                    else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1)
            if spec >= 0 and (match is None or spec > match[1]):
                match = (q, spec)
        if match is None or match[0] <= 0:
            continue
        key = (match[0], match[1], -order)
        if best is None or key > best:
            best, chosen = key, mf
    return chosen


@dataclass(frozen=True)
class Job:
    """One request for a query worker: a query (or update) on the store at ``store``."""

    text: str
    store: str
    update: bool = False
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    result_format: str | None = "json"  # a name of RESULT_FORMATS, None when none is acceptable
    graph_format: str | None = "ttl"  # a name of GRAPH_FORMATS, None when none is acceptable
    max_bytes: int = 64 << 20
    seconds: float = 30.0


@dataclass(frozen=True)
class Reply:
    """A worker's answer: an HTTP status, the body and its content type. An error's body is its
    one-line message (UTF-8 text)."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    stale: bool = False  # a store error that a new generation may explain

    @classmethod
    def error(cls, status: int, message: str, stale: bool = False) -> Reply:
        return cls(status, (" ".join(message.split()) + "\n").encode("utf-8"), stale=stale)

    @property
    def message(self) -> str:
        """The body as text (an error's message)."""
        return self.body.decode("utf-8", "replace").strip()


class _TooLarge(Exception):
    pass


class _Late(Exception):
    pass


class _Sink(io.RawIOBase):
    """Where a worker serializes a result: it stops the serializer (an exception out of
    ``write``) past the size limit or the deadline."""

    def __init__(self, max_bytes: int, deadline: float) -> None:
        super().__init__()
        self.max_bytes, self.deadline = max_bytes, deadline
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        import time

        if len(self.buf) + len(b) > self.max_bytes:
            raise _TooLarge
        if time.monotonic() > self.deadline:
            raise _Late
        self.buf += b
        return len(b)


def _size(n: int) -> str:
    for unit, k in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= k and n % k == 0:
            return f"{n // k} {unit}"
    return f"{n} bytes"


def _serialize(res: Any, job: Job, sink: _Sink) -> Reply:
    import pyoxigraph as ox

    if isinstance(res, ox.QueryTriples):
        gf = next((f for f in GRAPH_FORMATS if f.name == job.graph_format), None)
        if gf is None:
            return Reply.error(406, "no acceptable format for a graph result; the server offers "
                               + ", ".join(f.media_type for f in GRAPH_FORMATS))
        rdf = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
               "rdfxml": ox.RdfFormat.RDF_XML}[gf.name]
        prefixes = {k: str(v) for k, v in PREFIXES.items()} if gf.name == "ttl" else None
        ox.serialize(res, cast(IO[bytes], sink), rdf, prefixes=prefixes)
        return Reply(200, bytes(sink.buf), gf.content_type)
    rf = next((f for f in RESULT_FORMATS if f.name == job.result_format), None)
    if rf is None:
        return Reply.error(406, "no acceptable format for query results; the server offers "
                           + ", ".join(f.media_type for f in RESULT_FORMATS))
    qf = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
          "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}[rf.name]
    res.serialize(sink, qf)
    return Reply(200, bytes(sink.buf), rf.content_type)


def execute(store: Store, job: Job) -> Reply:
    """Run ``job`` on ``store`` within its size limit and (as far as the result is written while
    it is computed) its deadline; every outcome is a :class:`Reply`."""
    import time

    deadline = time.monotonic() + job.seconds
    try:
        if job.update:
            store.update(job.text)
            return Reply(200, b"update done\n")
        res = store.query(job.text, default_graph=job.default_graph, named_graphs=job.named_graphs)
        return _serialize(res, job, _Sink(job.max_bytes, deadline))
    except QueryError as e:
        return Reply.error(400, str(e))
    except _TooLarge:
        return Reply.error(422, f"the result is larger than {_size(job.max_bytes)} (the server's limit); "
                           "ask for less (LIMIT, fewer variables)")
    except _Late:
        return Reply.error(503, f"the query was cancelled after {job.seconds:g} s (the server's time limit)")
    except StoreError as e:
        return Reply.error(503, str(e), stale=True)
    except OSError as e:  # evaluation errors surface while the result is written
        return Reply.error(500, f"the query failed: {e}", stale=True)
    except (ValueError, TypeError, RuntimeError) as e:
        return Reply.error(400, f"the query failed: {e}")


def _worker_main(conn: Any, writable: bool) -> None:
    """A query worker: runs the jobs it receives on the store each names (opened once, and again
    when a job names another one, as after a new build), one at a time, until its pipe closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    store: Store | None = None
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            break
        if store is None or str(store.path) != job.store:
            if store is not None:
                store.close()
                store = None
            try:
                store = Store.open(job.store, read_only=not writable)
            except StoreError as e:
                conn.send(Reply.error(503, str(e), stale=True))
                continue
        conn.send(execute(store, job))
    if store is not None:
        store.close()


class QueryPool:
    """Worker processes that run queries on a store, each query under a time limit.

    A query runs in one of ``workers`` processes (Oxigraph evaluates in parallel there, and the
    server process only waits). A worker stops a result that outgrows ``max_bytes`` or that is
    still being written at the deadline; one that is still computing at the deadline (a large
    aggregate or sort writes nothing until it is done) is killed and replaced, so a runaway
    query never keeps a core or memory past its time. A request that finds every worker busy
    until its deadline gets a 503.

    ``locate`` says where the store is now (see :func:`kg.store.store_location`): a worker
    reopens the store when that changes, so a new build is served without a restart. With
    ``writable`` the store is opened for updates by a single worker (one writer at a time).
    """

    def __init__(self, locate: Any, workers: int = 2, timeout: float = 30.0, max_bytes: int = 64 << 20,
                 writable: bool = False, grace: float = 0.5) -> None:
        import multiprocessing as mp
        import queue
        import threading

        self.locate = locate
        self.size = 1 if writable else max(1, workers)
        self.timeout, self.max_bytes, self.writable, self.grace = timeout, max_bytes, writable, grace
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["kg.sparql"])
        self._idle: queue.Queue[Any] = queue.Queue()
        self._all: set[Any] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0  # workers killed at a deadline (for /health and tests)

    def _spawn(self) -> Any:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child, self.writable), daemon=True,
                                 name="kg-query-worker")
        proc.start()
        child.close()
        w = (proc, parent)
        with self._lock:
            self._all.add(w)
        return w

    def _retire(self, w: Any) -> None:
        proc, conn = w
        with self._lock:
            self._all.discard(w)
        try:
            conn.close()
        except OSError:  # pragma: no cover - already closed
            pass
        if proc.is_alive():
            proc.kill()
        proc.join(5)

    def start(self) -> QueryPool:
        """Start the workers."""
        for _ in range(self.size):
            self._idle.put(self._spawn())
        return self

    def close(self) -> None:
        """Stop every worker (a query still running is killed)."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._retire(w)

    def __enter__(self) -> QueryPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, text: str, update: bool = False, *, deadline: float | None = None,
            result_format: str | None = "json", graph_format: str | None = "ttl",
            default_graph: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
            timeout: float | None = None) -> Reply:
        """Run a query (or an update) and wait for its :class:`Reply`, at most until ``deadline``
        (a ``time.monotonic()`` value; default: now plus the time limit) and a short grace."""
        import queue
        import time

        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        if deadline is None:
            deadline = time.monotonic() + limit
        for attempt in range(2):
            left = deadline - time.monotonic()
            try:
                w = self._idle.get(timeout=max(left, 0.0))
            except queue.Empty:
                return Reply.error(503, f"every query worker ({self.size}) was busy for {limit:g} s "
                                   "(the server's time limit); try again later")
            where = str(self.locate())
            job = Job(text, where, update, None if default_graph is None else tuple(default_graph),
                      None if named_graphs is None else tuple(named_graphs), result_format, graph_format,
                      self.max_bytes, max(deadline - time.monotonic(), 0.0))
            proc, conn = w
            try:
                conn.send(job)
                if conn.poll(max(deadline - time.monotonic(), 0.0) + self.grace):
                    reply: Reply = conn.recv()
                else:
                    self.killed += 1
                    self._replace(w)
                    return Reply.error(503, f"the query was cancelled after {limit:g} s "
                                       "(the server's time limit)")
            except (EOFError, OSError):
                self._replace(w)
                return Reply.error(500, "the query worker stopped (out of memory, or killed); "
                                   "the server goes on")
            self._idle.put(w)
            if reply.stale and attempt == 0 and str(self.locate()) != where:
                continue  # a new build switched generations meanwhile: once more on the new one
            return reply
        return reply  # pragma: no cover - the loop returns

    def _replace(self, w: Any) -> None:
        self._retire(w)
        if not self._closed:
            self._idle.put(self._spawn())
