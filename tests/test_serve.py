"""``kg serve``: the SPARQL 1.1 Protocol endpoint and the pages, queried over loopback by real
clients (SPARQLWrapper, rdflib's SPARQLStore) and by raw HTTP for the error cases."""

from __future__ import annotations

import base64
import csv
import http.client
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, urlencode

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML
from SPARQLWrapper import SPARQLWrapper as Wrapper

from kg.ns import KGO, RDF, RDFS, resource
from kg.output import lock_output, new_generation
from kg.pipeline import build
from kg.serve import ServeConfig, Server
from kg.store import Store

PAGE = """date: 2025-05-08
## 杭州市总工会推出职工服务新举措

本报记者 林晓峰

杭州市总工会主席周文涛表示，“职工之家”服务平台已在全市上线。技术员高鹏、陈雨和李娜参加了比赛。
"""
HOSTILE = "<script>alert(1)</script>"
HOSTILE_IRI = resource("person", HOSTILE)
NAMED = URIRef("urn:test:graph")
TOKEN = "s3cret-token-for-tests-0123456789"
PEOPLE = "SELECT ?name WHERE { ?p a kgo:Person ; rdfs:label ?name } ORDER BY ?name"
# a cross product that no engine answers in seconds: killed at the deadline
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def _add_test_data(store_dir: Path) -> None:
    import pyoxigraph as ox

    with Store.open(store_dir) as st:
        g = Graph()
        g.add((HOSTILE_IRI, RDF.type, KGO.Person))
        g.add((HOSTILE_IRI, RDFS.label, Literal(HOSTILE)))
        st.add_graph(g)
        st.inner.add(ox.Quad(ox.NamedNode("urn:test:s"), ox.NamedNode("urn:test:p"), ox.Literal("in a named graph"),
                             ox.NamedNode(str(NAMED))))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("serve")
    (root / "src").mkdir()
    (root / "src" / "page.md").write_text(PAGE, encoding="utf-8")
    out = root / "out"
    build([root / "src"], out)
    _add_test_data(out / "store")
    return out


@pytest.fixture(scope="module")
def server(built):
    with Server(ServeConfig(built / "store", timeout=2.0, workers=2, max_bytes=2 << 20), port=0,
                log_level="warning", access_log=False) as s:
        yield s


@pytest.fixture(scope="module")
def updatable(built, tmp_path_factory):
    copy = tmp_path_factory.mktemp("writable") / "store"
    shutil.copytree(os.path.realpath(built / "store"), copy)
    with Server(ServeConfig(copy, timeout=5.0, allow_update=True, token=TOKEN), port=0,
                log_level="warning", access_log=False) as s:
        yield s


def _http(server: Server, method: str, path: str, body: bytes | str | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request(method, path, body=body.encode("utf-8") if isinstance(body, str) else body,
                     headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def _wrapper(server: Server, query: str, fmt: str = JSON) -> Wrapper:
    sw = Wrapper(f"{server.url}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw


# --- real clients ------------------------------------------------------------------------------


def test_sparqlwrapper_select_in_every_results_format(server):
    names = {b["name"]["value"] for b in _wrapper(server, PEOPLE).queryAndConvert()["results"]["bindings"]}
    assert {"周文涛", HOSTILE} <= names
    for fmt, parser in ((XML, "xml"), (CSV, "csv"), (TSV, "tsv"), (JSON, "json")):
        raw = _wrapper(server, PEOPLE, fmt).query().response.read()
        parsed = Result.parse(io.BytesIO(raw), format=parser)
        assert {str(row[0]) for row in parsed} == names, fmt
    rows = list(csv.reader(io.StringIO(_wrapper(server, PEOPLE, CSV).queryAndConvert().decode("utf-8"))))
    assert rows[0] == ["name"] and len(rows) == len(names) + 1


def test_sparqlwrapper_ask_and_post(server):
    ask = "ASK { ?p a kgo:Person ; rdfs:label '周文涛' }"
    assert _wrapper(server, ask).queryAndConvert()["boolean"] is True
    xml = _wrapper(server, ask, XML).query().response.read()
    assert Result.parse(io.BytesIO(xml), format="xml").askAnswer is True
    for method in (URLENCODED, POSTDIRECTLY):
        sw = _wrapper(server, PEOPLE)
        sw.setMethod(POST)
        sw.setRequestMethod(method)
        assert len(sw.queryAndConvert()["results"]["bindings"]) >= 2, method


def test_construct_in_every_graph_format(server):
    q = "CONSTRUCT { ?p rdfs:label ?n } WHERE { ?p a kgo:Person ; rdfs:label ?n }"
    graphs = {}
    for fmt, parser in ((TURTLE, "turtle"), (N3, "turtle"), (JSONLD, "json-ld"), (RDFXML, "xml")):
        raw = _wrapper(server, q, fmt).query().response.read()
        graphs[fmt] = Graph().parse(data=raw, format=parser)
    status, headers, raw = _http(server, "GET", "/sparql?" + urlencode({"query": q}),
                                 headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["content-type"].startswith("application/n-triples")
    graphs["nt"] = Graph().parse(data=raw, format="nt")
    sizes = {k: len(g) for k, g in graphs.items()}
    assert len(set(sizes.values())) == 1 and sizes["nt"] >= 2, sizes
    assert (HOSTILE_IRI, RDFS.label, Literal(HOSTILE)) in graphs[TURTLE]


def test_rdflib_sparqlstore(server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(f"{server.url}/sparql"))
    rows = list(g.query("SELECT ?name WHERE { ?p a <https://w3id.org/kg-news/ontology#Person> ; "
                        "<http://www.w3.org/2000/01/rdf-schema#label> ?name }"))
    assert Literal("周文涛") in {r[0] for r in rows}
    assert (HOSTILE_IRI, RDFS.label, Literal(HOSTILE)) in g
    assert len(list(g.triples((HOSTILE_IRI, None, None)))) == 2


def test_dataset_parameters(server):
    q = "SELECT ?o WHERE { ?s <urn:test:p> ?o }"
    assert _wrapper(server, q).queryAndConvert()["results"]["bindings"] == []
    sw = _wrapper(server, q)
    sw.addDefaultGraph(str(NAMED))
    assert [b["o"]["value"] for b in sw.queryAndConvert()["results"]["bindings"]] == ["in a named graph"]
    g = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    for named, n in ((str(NAMED), 1), ("urn:test:none", 0)):
        status, _, raw = _http(server, "GET", "/sparql?" + urlencode({"query": g, "named-graph-uri": named}))
        assert status == 200 and len(json.loads(raw)["results"]["bindings"]) == n


# --- refusals and limits -----------------------------------------------------------------------


def test_updates_are_refused(server):
    sw = _wrapper(server, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    sw.setMethod(POST)
    with pytest.raises(HTTPError) as e:
        sw.query()
    assert e.value.code == 403
    for body, ctype in (("update=DROP%20ALL", "application/x-www-form-urlencoded"),
                        ("DROP ALL", "application/sparql-update"),
                        ("query=DROP%20ALL", "application/x-www-form-urlencoded")):
        status, _, text = _http(server, "POST", "/sparql", body, {"Content-Type": ctype})
        assert status == 403 and b"read-only" in text, (body, status, text)
    assert _wrapper(server, "ASK { ?s ?p ?o }").queryAndConvert()["boolean"] is True


def test_updates_need_the_flag_and_the_token(updatable):
    insert = "INSERT DATA { <urn:test:new> <urn:test:p> 'added' }"
    form = urlencode({"update": insert})
    ctype = {"Content-Type": "application/x-www-form-urlencoded"}
    status, headers, _ = _http(updatable, "POST", "/sparql", form, ctype)
    assert status == 401 and "bearer" in headers["www-authenticate"].lower()
    status, _, _ = _http(updatable, "POST", "/sparql", form, {**ctype, "Authorization": "Bearer wrong"})
    assert status == 403
    sw = _wrapper(updatable, insert)
    sw.setMethod(POST)
    sw.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    sw.query()
    check = "SELECT ?o WHERE { <urn:test:new> <urn:test:p> ?o }"
    assert [b["o"]["value"] for b in _wrapper(updatable, check).queryAndConvert()["results"]["bindings"]] == ["added"]
    basic = base64.b64encode(f"kg:{TOKEN}".encode()).decode()
    status, _, _ = _http(updatable, "POST", "/sparql", "DELETE DATA { <urn:test:new> <urn:test:p> 'added' }",
                         {"Content-Type": "application/sparql-update", "Authorization": f"Basic {basic}"})
    assert status == 200
    assert _wrapper(updatable, check).queryAndConvert()["results"]["bindings"] == []


def test_update_flag_without_a_token_is_refused_at_start(built):
    from kg.errors import KGError

    with pytest.raises(KGError, match="token"):
        ServeConfig(built / "store", allow_update=True, token="short")


def test_runaway_query_is_cancelled_and_the_server_goes_on(server):
    t = time.monotonic()
    status, _, text = _http(server, "GET", "/sparql?" + urlencode({"query": RUNAWAY}))
    took = time.monotonic() - t
    assert status == 503 and b"time limit" in text
    assert took < server.config.timeout + 1.0, took
    t = time.monotonic()
    assert _wrapper(server, "ASK { ?s ?p ?o }").queryAndConvert()["boolean"] is True
    assert time.monotonic() - t < 1.0
    # a streaming runaway outgrows the result limit first
    status, _, text = _http(server, "GET", "/sparql?" + urlencode({"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"}))
    assert status == 422 and b"larger than 2 MiB" in text


def test_concurrent_runaways_do_not_block_the_server(server):
    import threading

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(
        _http(server, "GET", "/sparql?" + urlencode({"query": RUNAWAY}))[0])) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [503, 503, 503]
    status, _, raw = _http(server, "GET", "/health")
    assert status == 200 and json.loads(raw)["status"] == "ok"


def test_malformed_requests_get_400_with_the_parsers_message(server):
    status, headers, text = _http(server, "GET", "/sparql?" + urlencode({"query": "SELECT ?x WHERE { ?x"}))
    assert status == 400 and text.startswith(b"syntax error at line 1, column ")
    assert headers["content-type"].startswith("text/plain")
    sw = _wrapper(server, "SELEKT * WHERE { ?s ?p ?o }")
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="syntax error"):
        sw.query()
    assert _http(server, "GET", "/sparql")[0] == 400
    assert _http(server, "POST", "/sparql", "x", {"Content-Type": "text/plain"})[0] == 415
    assert _http(server, "GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D")[0] == 400
    status, _, text = _http(server, "GET", "/sparql?" + urlencode({"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}))
    assert status == 403 and b"SERVICE" in text
    status, _, _ = _http(server, "GET", "/sparql?" + urlencode({"query": "ASK {}"}), headers={"Accept": "image/png"})
    assert status == 406
    assert _http(server, "POST", "/sparql", b"query=" + b"x" * (2 << 20),
                 {"Content-Type": "application/x-www-form-urlencoded"})[0] == 413


def test_cors_preflight_and_simple_requests(server):
    status, headers, _ = _http(server, "OPTIONS", "/sparql", headers={
        "Origin": "http://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()
    status, headers, _ = _http(server, "GET", "/sparql?" + urlencode({"query": "ASK {}"}),
                               headers={"Origin": "http://yasgui.example"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"


# --- pages -------------------------------------------------------------------------------------


def test_entity_page_escapes_hostile_names(server):
    path = "/id/person/" + quote(HOSTILE, safe="")
    status, headers, body = _http(server, "GET", path, headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    page = body.decode("utf-8")
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "default-src 'none'" in headers["content-security-policy"]
    status, _, body = _http(server, "GET", path, headers={"Accept": "text/turtle"})
    assert status == 200
    assert (HOSTILE_IRI, RDFS.label, Literal(HOSTILE)) in Graph().parse(data=body, format="turtle")
    # a hostile path or name is never echoed into HTML
    status, headers, body = _http(server, "GET", "/id/person/" + quote("<img src=x onerror=alert(1)>", safe=""),
                                  headers={"Accept": "text/html"})
    assert status == 404 and headers["content-type"].startswith("text/plain")
    status, headers, body = _http(server, "GET", "/queries/" + quote("<b>x</b>", safe=""), headers={"Accept": "text/html"})
    assert status == 404 and headers["content-type"].startswith("text/plain")
    assert headers["x-content-type-options"] == "nosniff"


def test_entity_page_has_facts_and_evidence(server):
    status, _, body = _http(server, "GET", "/id/person/" + quote("周文涛"), headers={"Accept": "text/html"})
    page = body.decode("utf-8")
    assert status == 200 and "<h1>周文涛</h1>" in page
    assert "杭州市总工会主席周文涛表示" in page  # the evidence sentence
    assert 'href="/id/organization/' in page  # links stay on this server


def test_view_report_queries_ontology_health(server):
    for path in ("/", "/report"):
        status, headers, body = _http(server, "GET", path)
        assert status == 200 and headers["content-type"].startswith("text/html") and b"<html" in body, path
    status, _, body = _http(server, "GET", "/queries")
    names = {q["name"] for q in json.loads(body)}
    assert {"entity", "people", "evidence"} <= names
    status, _, body = _http(server, "GET", "/queries", headers={"Accept": "text/html"})
    assert status == 200 and b"<form" in body
    status, _, body = _http(server, "GET", "/queries/entity?" + urlencode({"name": "周文涛", "format": "csv"}))
    assert status == 200 and Result.parse(io.BytesIO(body), format="csv").vars
    assert _http(server, "GET", "/queries/entity")[0] == 400  # a required parameter is missing
    status, _, body = _http(server, "GET", "/queries/people?format=html")
    assert status == 200 and "周文涛" in body.decode("utf-8")
    status, headers, body = _http(server, "GET", "/ontology")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    onto = Graph().parse(data=body, format="turtle")
    status, _, body = _http(server, "GET", "/ontology", headers={"Accept": "application/n-triples"})
    assert len(Graph().parse(data=body, format="nt")) == len(onto)
    status, _, body = _http(server, "GET", "/health")
    doc = json.loads(body)
    assert status == 200 and doc["status"] == "ok" and doc["read_only"] is True


def test_a_new_build_is_served_without_a_restart(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)  # the links are relative: a copy is an output folder
    with Server(ServeConfig(out / "store", timeout=5.0), port=0, log_level="warning", access_log=False) as s:
        ask = "ASK { <urn:test:second> ?p ?o }"
        assert _wrapper(s, ask).queryAndConvert()["boolean"] is False
        first = json.loads(_http(s, "GET", "/health")[2])["generation"]
        with lock_output(out), new_generation(out) as gen:
            shutil.copytree(os.path.realpath(out / "store"), gen.path / "store")
            for name in ("kg.html", "report.html", "ontology.ttl"):
                shutil.copy(out / name, gen.path / name)
            with Store.open(gen.path / "store") as st:
                st.update("INSERT DATA { <urn:test:second> <urn:test:p> 'second build' }")
        assert _wrapper(s, ask).queryAndConvert()["boolean"] is True
        assert json.loads(_http(s, "GET", "/health")[2])["generation"] != first


def test_kg_serve_command_starts_answers_and_stops(built):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--out", str(built), "--port", "0", "-q"],
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "serving" in line and "read-only" in line, line
        url = line.split(" at ")[1].split("/ ")[0]
        host, port = url.removeprefix("http://").rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        for _ in range(50):
            try:
                conn.request("GET", "/health")
                break
            except ConnectionRefusedError:  # pragma: no cover - the socket is bound before this line
                time.sleep(0.1)
        assert conn.getresponse().status == 200
        conn.close()
        family = _descendants(proc.pid)
        assert len(family) >= 2  # the query workers (and the process that forks them)
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(15)
    assert code == 130  # kg's exit code for an interrupt; the server shut down cleanly first
    rest = proc.stderr.read()
    assert "Traceback" not in rest, rest
    time.sleep(0.5)
    assert [p for p in family if _alive(p)] == []  # the query workers are gone too


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        found += kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_kg_serve_errors_are_one_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("KG_SERVE_TOKEN", None)
    r = subprocess.run([sys.executable, "-m", "kg", "serve", "--store", str(tmp_path / "missing")],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "no store at" in r.stderr
    r = subprocess.run([sys.executable, "-m", "kg", "serve", "--store", str(tmp_path), "--allow-update"],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 2 and "KG_SERVE_TOKEN" in r.stderr


def test_keep_alive_requests_are_not_delayed(server):
    # a pre-bound socket without its proto loses asyncio's TCP_NODELAY: each keep-alive response
    # then waited ~40 ms for the client's delayed ACK
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    path = "/sparql?" + urlencode({"query": "ASK {}"})
    took = []
    for _ in range(6):
        t = time.monotonic()
        conn.request("GET", path)
        conn.getresponse().read()
        took.append(time.monotonic() - t)
    conn.close()
    assert sorted(took[1:])[2] < 0.03, took
