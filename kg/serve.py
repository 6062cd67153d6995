"""``kg serve``: the store as a SPARQL 1.1 Protocol endpoint, with the view, the report, the
named queries, the ontology and a page per resource, over HTTP.

The app is Starlette (ASGI) run by uvicorn. Queries never run in the server process: a
:class:`kg.sparql.QueryPool` runs each one in a worker process under a time limit and a result
size limit and kills one that outlives its time, so a runaway query costs a worker, never the
server. The server itself only parses requests, negotiates formats and writes small HTML pages.

Routes::

    /sparql            SPARQL 1.1 Protocol: GET ?query=, POST form (query= / update=) or
                       application/sparql-query / application/sparql-update; default-graph-uri,
                       named-graph-uri; results by the Accept header (or format=)
    /                  the relationship view of the build (kg.html)
    /report            the analysis report (report.html)
    /queries           the bundled named queries (HTML or JSON); /queries/NAME?param=… runs one
    /ontology          the ontology (Turtle; N-Triples, JSON-LD, RDF/XML by Accept)
    /id/…              a resource of the graph (its IRI https://w3id.org/kg-news/id/… with the
                       same path): an HTML page, or RDF by Accept
    /health            200 when a worker answers a query, else 503 (JSON)

Read-only unless started with ``allow_update`` and a token (``Authorization: Bearer TOKEN``,
or HTTP Basic with the token as password); nothing a request carries is written into HTML
unescaped, and errors are plain text.
"""

from __future__ import annotations

import base64
import hmac
import html
import json
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from kg.errors import KGError, QueryError
from kg.ns import KGR, resource
from kg.sparql import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    MediaFormat,
    QueryPool,
    Reply,
    bind,
    list_queries,
    negotiate,
    update_form,
    uses_service,
)
from kg.store import Store, store_location

__all__ = ["ServeConfig", "create_app", "Server", "serve", "parse_size", "token_from_env", "check_store", "TOKEN_ENV",
           "MIN_TOKEN"]

#: The environment variable that holds the update token (never a command-line argument, which
#: other users of the machine can read).
TOKEN_ENV = "KG_SERVE_TOKEN"
#: The shortest token accepted.
MIN_TOKEN = 16
#: The largest request body read (a query or an update).
MAX_REQUEST = 1 << 20

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
# the pages we write hold no script: a hostile name that slipped through could not run anyway
_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'"
_HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class ServeConfig:
    """What ``kg serve`` serves and its limits."""

    store: Path  # the store directory (``exports/store``, a link through ``exports/current``)
    timeout: float = 30.0  # seconds per query
    max_bytes: int = 64 << 20  # bytes per result
    workers: int = 2  # query worker processes
    allow_update: bool = False
    token: str | None = None
    allow_service: bool = False
    cors_origins: tuple[str, ...] = ("*",)
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.allow_update and (not self.token or len(self.token) < MIN_TOKEN):
            raise KGError(f"updates need a token of at least {MIN_TOKEN} characters in ${TOKEN_ENV}")


def parse_size(text: str) -> int:
    """``"64M"``, ``"512k"``, ``"1G"`` or a number of bytes, as bytes.

    >>> parse_size("64M"), parse_size("1.5k"), parse_size("100")
    (67108864, 1536, 100)
    """
    s = text.strip().upper().removesuffix("IB").removesuffix("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(s[-1:], 1)
    if mult != 1:
        s = s[:-1]
    try:
        n = int(float(s) * mult)
    except ValueError:
        raise KGError(f"{text!r} is not a size (e.g. 64M, 512k, 1G)") from None
    if n <= 0:
        raise KGError(f"{text!r} is not a size (e.g. 64M, 512k, 1G)")
    return n


# --- small helpers ----------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{_e(title)}</title>\n'
            "<style>body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;"
            "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ddd;"
            "padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}code,.iri{"
            "font-family:ui-monospace,monospace;font-size:.9em;word-break:break-all}blockquote{margin:.3em 0;"
            "color:#444}.muted{color:#777}nav a{margin-right:1em}</style>\n</head>\n<body>\n"
            '<nav><a href="/">graph</a><a href="/report">report</a><a href="/queries">queries</a>'
            '<a href="/ontology">ontology</a><a href="/sparql">SPARQL</a></nav>\n'
            f"{body}\n</body>\n</html>\n")


def _local_href(iri: str) -> str | None:
    """The path of this server's page for ``iri`` (a kgr: resource), else None."""
    base = str(KGR)
    if not iri.startswith(base):
        return None
    return "/id/" + quote(iri[len(base):], safe="/%()~.-_")


def _iri_of_path(raw: str) -> list[str]:
    """The IRIs a request path under /id/ may name: as minted by :func:`kg.ns.resource` from
    its decoded segments, and the path as it is."""
    segments = [unquote(s, errors="strict") for s in raw.split("/")]
    minted = str(resource(*segments))
    literal = str(KGR) + raw
    return [minted] if minted == literal else [minted, literal]


def _short(iri: str) -> str:
    from kg.ns import PREFIXES

    for prefix, ns in sorted(((k, str(v)) for k, v in PREFIXES.items()), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{unquote(iri[len(ns):])}"
    return iri


def _term_html(term: Mapping[str, str] | None, label: str | None = None) -> str:
    """A SPARQL JSON term as HTML: a link for kgr: resources, an IRI, or a literal."""
    if term is None:
        return ""
    value = term.get("value", "")
    if term.get("type") == "uri":
        href = _local_href(value)
        text = _e(label) if label else f'<span class="iri">{_e(_short(value))}</span>'
        if href is not None:
            return f'<a href="{_e(href)}">{text}</a>'
        return f'<a href="{_e(value)}">{text}</a>' if value.startswith(("http://", "https://")) else text
    if term.get("type") == "bnode":
        return f'<span class="iri">_:{_e(value)}</span>'
    extra = term.get("xml:lang") or ""
    return _e(value) + (f' <span class="muted">@{_e(extra)}</span>' if extra else "")


def _bindings(reply: Reply) -> list[dict[str, dict[str, str]]]:
    doc = json.loads(reply.body)
    rows: list[dict[str, dict[str, str]]] = doc.get("results", {}).get("bindings", [])
    return rows


def _sparql_iri(iri: str) -> str:
    """``<iri>`` for a query; an IRI with characters a query cannot hold is refused."""
    if any(c in iri for c in '<>"{}|^`\\') or any(ord(c) <= 0x20 for c in iri):
        raise QueryError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


# --- the entity page ---------------------------------------------------------------------------

_OUT = """SELECT ?p ?o ?label WHERE {{ {iri} ?p ?o .
  OPTIONAL {{ ?o rdfs:label ?label FILTER(isIRI(?o) && (LANG(?label) = "" || LANG(?label) = "zh")) }}
}} ORDER BY STR(?p) STR(?o) LIMIT 2000"""
_IN = """SELECT ?s ?p ?label WHERE {{ ?s ?p {iri} .
  FILTER(?p NOT IN (kgo:refersTo, rdf:subject, rdf:object, kgo:mentions))
  OPTIONAL {{ ?s rdfs:label ?label FILTER(LANG(?label) = "" || LANG(?label) = "zh") }}
}} ORDER BY STR(?p) STR(?s) LIMIT 2000"""
_FACTS = """SELECT ?fact ?dir ?p ?other ?label ?confidence ?quote ?source ?begin ?end ?sentence WHERE {{
  {{ ?fact rdf:subject {iri} ; rdf:object ?other . BIND("→" AS ?dir) }}
  UNION {{ ?fact rdf:object {iri} ; rdf:subject ?other . BIND("←" AS ?dir) }}
  ?fact a kgo:Fact ; rdf:predicate ?p .
  OPTIONAL {{ ?other rdfs:label ?label FILTER(LANG(?label) = "" || LANG(?label) = "zh") }}
  OPTIONAL {{ ?fact kgo:confidence ?confidence }}
  OPTIONAL {{ ?fact prov:wasDerivedFrom ?sentence .
             OPTIONAL {{ ?sentence nif:anchorOf ?quote }} OPTIONAL {{ ?sentence kgo:sourceFile ?source }}
             OPTIONAL {{ ?sentence nif:beginIndex ?begin ; nif:endIndex ?end }} }}
}} ORDER BY ?dir STR(?p) STR(?other) STR(?sentence) LIMIT 1000"""
_MENTIONS = """SELECT DISTINCT ?sentence ?quote WHERE {{ ?m kgo:refersTo {iri} ; kgo:inSentence ?sentence .
  OPTIONAL {{ ?sentence nif:anchorOf ?quote }} }} ORDER BY STR(?sentence) LIMIT 200"""
_DESCRIBE = """CONSTRUCT {{ {iri} ?p ?o . ?s ?q {iri} . ?fact ?fp ?fo . ?sentence nif:anchorOf ?quote }}
WHERE {{
  {{ {iri} ?p ?o }}
  UNION {{ ?s ?q {iri} FILTER(?q NOT IN (kgo:refersTo, rdf:subject, rdf:object, kgo:mentions)) }}
  UNION {{ {{ ?fact rdf:subject {iri} }} UNION {{ ?fact rdf:object {iri} }}
          ?fact a kgo:Fact ; ?fp ?fo .
          OPTIONAL {{ ?fact prov:wasDerivedFrom ?sentence . ?sentence nif:anchorOf ?quote }} }}
}}"""


def _entity_html(iri: str, out: list[dict[str, Any]], inc: list[dict[str, Any]], facts: list[dict[str, Any]],
                 mentions: list[dict[str, Any]]) -> str:
    labels = [r["o"]["value"] for r in out if r["p"]["value"].endswith("#label") and r["o"]["type"] == "literal"]
    title = labels[0] if labels else _short(iri)
    parts = [f"<h1>{_e(title)}</h1>", f'<p class="iri">{_e(iri)}</p>',
             '<p class="muted">RDF: <code>curl -H "Accept: text/turtle" …</code></p>']
    rows = "".join(f"<tr><td>{_term_html(r['p'])}</td><td>{_term_html(r['o'], (r.get('label') or {}).get('value'))}</td></tr>"
                   for r in out)
    parts.append(f"<h2>Statements</h2><table><tr><th>property</th><th>value</th></tr>{rows}</table>")
    if facts:
        frows = []
        for r in facts:
            quote_ = _e(r["quote"]["value"]) if "quote" in r else ""
            where = ""
            if "source" in r:
                where = _e(r["source"]["value"])
            if "begin" in r and "end" in r:
                where += f" [{_e(r['begin']['value'])}, {_e(r['end']['value'])})"
            conf = _e(r["confidence"]["value"]) if "confidence" in r else ""
            frows.append(f"<tr><td>{_e(r['dir']['value'])} {_term_html(r['p'])}</td>"
                         f"<td>{_term_html(r['other'], (r.get('label') or {}).get('value'))}</td><td>{conf}</td>"
                         f"<td><blockquote>{quote_}</blockquote><span class=\"muted\">{where}</span> "
                         f"{_term_html(r.get('sentence'), 'sentence') if 'sentence' in r else ''}</td></tr>")
        parts.append("<h2>Facts and evidence</h2><table><tr><th>fact</th><th>with</th>"
                     f"<th>confidence</th><th>evidence</th></tr>{''.join(frows)}</table>")
    if inc:
        irows = "".join(f"<tr><td>{_term_html(r['s'], (r.get('label') or {}).get('value'))}</td>"
                        f"<td>{_term_html(r['p'])}</td></tr>" for r in inc)
        parts.append(f"<h2>Linked from</h2><table><tr><th>resource</th><th>property</th></tr>{irows}</table>")
    if mentions:
        mrows = "".join(f"<li>{_e(r['quote']['value']) if 'quote' in r else ''} "
                        f"{_term_html(r['sentence'], '↗')}</li>" for r in mentions)
        parts.append(f"<h2>Mentioned in</h2><ul>{mrows}</ul>")
    return _page(title, "\n".join(parts))


# --- the app -----------------------------------------------------------------------------------


def create_app(config: ServeConfig, pool: QueryPool | None = None) -> Any:
    """The Starlette app serving ``config.store``; it starts (and at shutdown stops) a
    :class:`~kg.sparql.QueryPool` unless one is given."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    own_pool = pool is None
    pool = pool or QueryPool(lambda: store_location(config.store), workers=config.workers,
                             timeout=config.timeout, max_bytes=config.max_bytes, writable=config.allow_update)
    queries = {q.name: q for q in list_queries()}

    def text(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
        return Response(" ".join(message.split()) + "\n", status, headers=dict(headers or {}),
                        media_type="text/plain; charset=utf-8")

    def page(body: str, status: int = 200) -> Response:
        return Response(body, status, media_type=_HTML, headers={"Content-Security-Policy": _PAGE_CSP})

    def generation() -> Path:
        return store_location(config.store).parent

    def wants_html(request: Request) -> bool:
        accept = request.headers.get("accept", "")
        best = negotiate(accept, (_HTML_FORMAT, *RESULT_FORMATS, *GRAPH_FORMATS))
        return best is _HTML_FORMAT and "text/html" in accept

    async def run(text_: str, update: bool = False, **kw: Any) -> Reply:
        from starlette.concurrency import run_in_threadpool

        deadline = time.monotonic() + config.timeout  # waiting for a worker counts too
        return await run_in_threadpool(pool.run, text_, update, deadline=deadline, **kw)

    def reply_response(reply: Reply) -> Response:
        if reply.status >= 400:
            return text(reply.status, reply.message)
        return Response(reply.body, reply.status, headers={"Content-Type": reply.content_type})

    async def read_body(request: Request) -> bytes | None:
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > MAX_REQUEST:
            return None
        chunks, n = [], 0
        async for chunk in request.stream():
            n += len(chunk)
            if n > MAX_REQUEST:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def authorized(request: Request) -> Response | None:
        """None when the request may update the store, else the refusal."""
        if not config.allow_update:
            return text(403, "updates are refused: this endpoint is read-only (kg serve --allow-update, "
                        f"with a token in ${TOKEN_ENV}, accepts them)")
        given = request.headers.get("authorization", "")
        scheme, _, cred = given.partition(" ")
        token = ""
        if scheme.lower() == "bearer":
            token = cred.strip()
        elif scheme.lower() == "basic":
            try:
                token = base64.b64decode(cred.strip(), validate=True).decode("utf-8").partition(":")[2]
            except (ValueError, UnicodeDecodeError):
                token = ""
        if not token:
            return text(401, "an update needs the token: Authorization: Bearer TOKEN",
                        {"WWW-Authenticate": 'Bearer realm="kg", Basic realm="kg"'})
        assert config.token is not None
        if not hmac.compare_digest(token.encode("utf-8"), config.token.encode("utf-8")):
            return text(403, "wrong token: the update is refused")
        return None

    async def sparql(request: Request) -> Response:
        params = list(request.query_params.multi_items())
        update: str | None = None
        query: str | None = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await read_body(request)
            if body is None:
                return text(413, f"the request is larger than {MAX_REQUEST >> 10} KiB")
            try:
                body_text = body.decode("utf-8")
            except UnicodeDecodeError:
                return text(400, "the request body is not UTF-8")
            if ctype == _FORM:
                params += parse_qsl(body_text, keep_blank_values=True)
            elif ctype == _QUERY:
                query = body_text
            elif ctype == _UPDATE:
                update = body_text
            else:
                return text(415, f"unsupported content type {ctype or '(none)'!r}: POST {_FORM}, "
                            f"{_QUERY} or {_UPDATE}")
        values: dict[str, list[str]] = {}
        for k, v in params:
            values.setdefault(k, []).append(v)
        for key in ("query", "update"):
            if len(values.get(key, [])) > 1:
                return text(400, f"more than one {key} parameter")
        if query is None and values.get("query"):
            query = values["query"][0]
        if update is None and values.get("update"):
            update = values["update"][0]
        if query is not None and update is not None:
            return text(400, "a request holds a query or an update, not both")
        if update is not None:
            if request.method != "POST":
                return text(400, "an update must be POSTed (update=… form field or application/sparql-update)")
            refusal = authorized(request)
            if refusal is not None:
                return refusal
            return reply_response(await run(update, True))
        if query is None or not query.strip():
            return text(400, "no query: send ?query=… (GET), a query=… form field or an "
                        "application/sparql-query body (POST)")
        form = update_form(query)
        if form:
            refusal = authorized(request)
            if refusal is not None:
                return refusal
            return text(400, f"an update ({form}) goes in an update=… form field or an "
                        "application/sparql-update body, not in query=")
        if not config.allow_service and uses_service(query):
            return text(403, "the query asks another endpoint (SERVICE): federated queries are refused "
                        "(kg serve --allow-service allows them)")
        accept = request.headers.get("accept")
        fmt = next(iter(values.get("format") or values.get("output") or []), None)
        rf = negotiate(accept, RESULT_FORMATS, fmt)
        gf = negotiate(accept, GRAPH_FORMATS, fmt)
        reply = await run(query, result_format=rf.name if rf else None, graph_format=gf.name if gf else None,
                          default_graph=values.get("default-graph-uri"), named_graphs=values.get("named-graph-uri"))
        return reply_response(reply)

    def file_in_build(name: str, what: str) -> Response:
        path = generation() / name
        try:
            data = path.read_bytes()
        except OSError:
            return text(404, f"no {what} in {generation()}: the build was made with --no-view, or the "
                        "store is not a build's (kg build writes it)")
        return Response(data, media_type=_HTML)

    async def view(request: Request) -> Response:
        return file_in_build("kg.html", "view (kg.html)")

    async def report(request: Request) -> Response:
        return file_in_build("report.html", "report (report.html)")

    def query_info(name: str) -> dict[str, Any]:
        q = queries[name]
        return {"name": q.name, "title": q.title, "description": q.description, "url": f"/queries/{q.name}",
                "params": [{"name": p.name, "type": p.type, "default": p.default} for p in q.params]}

    async def query_list(request: Request) -> Response:
        if not wants_html(request):
            return JSONResponse([query_info(n) for n in queries])
        rows = []
        for q in queries.values():
            inputs = "".join(f'<label>{_e(p.name)} <input name="{_e(p.name)}" value="{_e(p.default or "")}"></label> '
                             for p in q.params)
            rows.append(f"<tr><td><code>{_e(q.name)}</code></td><td>{_e(q.title)}<br>"
                        f'<span class="muted">{_e(q.description)}</span></td><td>'
                        f'<form method="get" action="/queries/{_e(quote(q.name))}">{inputs}'
                        '<select name="format"><option>html</option><option>json</option><option>csv</option>'
                        '<option>tsv</option><option>xml</option></select> <button>run</button></form></td></tr>')
        return page(_page("Named queries", "<h1>Named queries</h1><table><tr><th>name</th><th>what</th>"
                                           f"<th>run</th></tr>{''.join(rows)}</table>"))

    async def query_run(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in queries:
            return text(404, f"no named query {name!r}; /queries lists them")
        values = dict(request.query_params)
        fmt = values.pop("format", None)
        try:
            bound = bind(queries[name], values)
        except QueryError as e:
            return text(400, str(e))
        as_html = fmt == "html" or (fmt is None and wants_html(request))
        accept = request.headers.get("accept")
        rf = RESULT_FORMATS[0] if as_html else negotiate(accept, RESULT_FORMATS, fmt)
        gf = negotiate(accept, GRAPH_FORMATS, fmt)
        reply = await run(bound, result_format=rf.name if rf else None, graph_format=gf.name if gf else None)
        if not as_html or reply.status >= 400 or not reply.content_type.startswith(RESULT_FORMATS[0].media_type):
            return reply_response(reply)
        doc = json.loads(reply.body)
        cols = doc.get("head", {}).get("vars", [])
        body = "".join("<tr>" + "".join(f"<td>{_term_html(row.get(c))}</td>" for c in cols) + "</tr>"
                       for row in doc.get("results", {}).get("bindings", []))
        head = "".join(f"<th>{_e(c)}</th>" for c in cols)
        q = queries[name]
        return page(_page(q.title or name, f"<h1>{_e(q.title or name)}</h1><p class=\"muted\">{_e(q.description)}</p>"
                                           f"<table><tr>{head}</tr>{body}</table>"))

    async def ontology(request: Request) -> Response:
        import pyoxigraph as ox

        path = generation() / "ontology.ttl"
        try:
            data = path.read_bytes()
        except OSError:
            from kg.schema import ontology_files

            data = b"".join(p.read_bytes() for p in ontology_files()[:1])
        accept = request.headers.get("accept")
        if wants_html(request):
            return page(_page("Ontology", f"<h1>Ontology</h1><pre>{_e(data.decode('utf-8', 'replace'))}</pre>"))
        fmt = negotiate(accept, GRAPH_FORMATS, request.query_params.get("format"))
        if fmt is None:
            return text(406, "the ontology is served as " + ", ".join(f.media_type for f in GRAPH_FORMATS))
        if fmt.name != "ttl":
            rdf = {"nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
            data = ox.serialize(ox.parse(data, ox.RdfFormat.TURTLE), format=rdf[fmt.name]) or b""
        return Response(data, headers={"Content-Type": fmt.content_type})

    async def entity(request: Request) -> Response:
        raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        rest = raw.decode("latin-1").split("?")[0].removeprefix("/id/")
        try:
            candidates = _iri_of_path(rest)
        except UnicodeDecodeError:
            return text(400, "the path is not UTF-8")
        iri = None
        for c in candidates:
            try:
                ref = _sparql_iri(c)
            except QueryError:
                continue
            ask = await run(f"ASK {{ {{ {ref} ?p ?o }} UNION {{ ?s ?p {ref} }} }}")
            if ask.status >= 400:
                return reply_response(ask)
            if json.loads(ask.body).get("boolean"):
                iri = c
                break
        if iri is None:
            return text(404, f"nothing in the graph is named {candidates[0]}")
        ref = _sparql_iri(iri)
        if not wants_html(request):
            gf = negotiate(request.headers.get("accept"), GRAPH_FORMATS, request.query_params.get("format"))
            if gf is None:
                return text(406, "a resource is served as text/html or " + ", ".join(f.media_type for f in GRAPH_FORMATS))
            return reply_response(await run(_DESCRIBE.format(iri=ref), graph_format=gf.name))
        replies = [await run(q.format(iri=ref)) for q in (_OUT, _IN, _FACTS, _MENTIONS)]
        for r in replies:
            if r.status >= 400:
                return reply_response(r)
        out, inc, facts, mentions = (_bindings(r) for r in replies)
        return page(_entity_html(iri, out, inc, facts, mentions))

    async def health(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        reply = await run_in_threadpool(pool.run, "ASK {}", timeout=min(5.0, config.timeout))
        where = store_location(config.store)
        doc = {"status": "ok" if reply.status == 200 else "unavailable", "store": str(where),
               "generation": where.parent.name, "workers": pool.size, "read_only": not config.allow_update,
               "time_limit": config.timeout, "max_result_bytes": config.max_bytes}
        if reply.status != 200:
            doc["error"] = reply.message
        return JSONResponse(doc, 200 if reply.status == 200 else 503)

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        if own_pool:
            pool.start()
        try:
            yield
        finally:
            if own_pool:
                pool.close()

    routes = [
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/", view),
        Route("/report", report),
        Route("/queries", query_list),
        Route("/queries/{name}", query_run),
        Route("/ontology", ontology),
        Route("/id/{rest:path}", entity),
        Route("/health", health),
    ]
    middleware = [
        Middleware(_SecurityHeaders, headers=dict(config.extra_headers)),
        Middleware(CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET", "POST"],
                   allow_headers=["Accept", "Content-Type", "Authorization"], max_age=600),
    ]
    return Starlette(routes=routes, middleware=middleware if config.cors_origins else middleware[:1],
                     lifespan=lifespan)


_HTML_FORMAT = MediaFormat("html", "text/html", ("application/xhtml+xml",))


class _SecurityHeaders:
    """Pure ASGI middleware: ``nosniff`` on every response (an error's text is never read as HTML)."""

    def __init__(self, app: Any, headers: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.headers = dict(headers or {})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                from starlette.datastructures import MutableHeaders

                h = MutableHeaders(scope=message)
                h.setdefault("X-Content-Type-Options", "nosniff")
                h.setdefault("Referrer-Policy", "no-referrer")
                for k, v in self.headers.items():
                    h.setdefault(k, v)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- running -----------------------------------------------------------------------------------


def check_store(path: Path) -> Path:
    """Fail (one line) unless ``path`` is a store that can be opened read-only; its location."""
    with Store.open(path, read_only=True):
        pass
    return store_location(path)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto named, so that asyncio sets TCP_NODELAY on accepted connections (it checks the proto):
    # without it a keep-alive response waits ~40 ms for the client's delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise KGError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class Server:
    """``kg serve`` on a socket of its own: :meth:`run` in the foreground (Ctrl-C stops it), or
    :meth:`start` in a thread and :meth:`stop` (tests, notebooks).

    ``port=0`` takes a free port; :attr:`url` says which.
    """

    def __init__(self, config: ServeConfig, host: str = "127.0.0.1", port: int = 8000,
                 log_level: str = "info", access_log: bool = True) -> None:
        import uvicorn

        check_store(config.store)
        self.config = config
        self.sock = _listen(host, port)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self._uv = uvicorn.Server(uvicorn.Config(create_app(config), log_level=log_level, access_log=access_log,
                                                 lifespan="on", timeout_graceful_shutdown=2))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The server's base URL (``http://127.0.0.1:8000``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def run(self) -> None:
        """Serve until interrupted."""
        try:
            self._uv.run(sockets=[self.sock])
        finally:
            self.sock.close()

    def start(self, wait: float = 30.0) -> Server:
        """Serve in a background thread; return once it accepts requests."""
        self._thread = threading.Thread(target=self.run, name="kg-serve", daemon=True)
        self._thread.start()
        end = time.monotonic() + wait
        while not self._uv.started:
            if not self._thread.is_alive() or time.monotonic() > end:
                raise KGError(f"the server at {self.url} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving (and the query workers)."""
        self._uv.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(config: ServeConfig, host: str = "127.0.0.1", port: int = 8000,
          on_ready: Any = None) -> None:
    """Serve ``config`` at ``host:port`` until interrupted (the ``kg serve`` command)."""
    server = Server(config, host, port)
    if on_ready is not None:
        on_ready(server)
    server.run()


def token_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The update token of ``$KG_SERVE_TOKEN`` (or None)."""
    value = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    return value or None

