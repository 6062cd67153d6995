"""The graph in real SPARQL servers (Oxigraph server, Virtuoso open source) started on loopback.

Both servers are started here, in temporary folders on free ports of 127.0.0.1: ``oxigraph``
(the PyPI package of the test extra) and Debian's ``virtuoso-opensource`` (``.ci/run`` installs
it). A missing server is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from rdflib import Literal, URIRef

from kg.cli import cli
from kg.errors import QueryError, StoreError
from kg.ns import KGO
from kg.output import current_generation
from kg.pipeline import build
from kg.remote import (
    CORPUS_GRAPH,
    GRAPH_NS,
    RECORD,
    RemoteStore,
    document_graph,
    open_store,
    parse_location,
    split_graph,
)
from kg.sparql import list_queries, run
from kg.store import Store

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
PACKAGED_INI = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")

DOCS = {
    "a.md": "# 海河市职工技能大赛开幕\n\n本报记者 王海鸥\n\n"
            "本报讯 海河市总工会主席林晓峰在北京说，职工技能大赛开幕。林晓峰表示，海河市总工会将为参赛职工提供培训服务。\n",
    "b.md": "# 青川县举办劳模座谈会\n\n"
            "本报讯 记者周雨桐报道 河东省青川县总工会副主席周雨桐主持座谈会。位于青川县的青川县人民医院派员参加。"
            "海河市总工会主席林晓峰出席。\n",
    "c.md": "# 南湖区开展安全生产培训\n\n"
            "本报讯 南湖区安全生产委员会办公室主任陈立新介绍，南湖区今年开展安全生产培训一百二十场。\n",
}
#: values present in the test graph for the bundled queries' parameters
PARAMS = {"entity": {"name": "林晓峰"}, "evidence": {"subject": "林晓峰"}, "orgs-by-place": {"place": "青川县"}}
#: Bundled queries Virtuoso 7.2 answers wrongly (its SPARQL bugs, not kg's): none now. Every query
#: is written to answer the same everywhere (see the comments in kg/queries/*.rq: e.g. events
#: spells out the role hierarchy, as Virtuoso finds nothing for rdfs:subPropertyOf* inside an
#: OPTIONAL), and a rounded xsd:double is completed by kg.remote (``read=select``).
VIRTUOSO_WRONG: set[str] = set()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server at {url} was not ready within {seconds} s: {log.read_text(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not os.access(exe, os.X_OK):
        pytest.fail("the Oxigraph server is not installed: pip install -e '.[test]' (the oxigraph package)")
    folder = tmp_path_factory.mktemp("oxigraph")
    port = _free_port()
    log = folder / "server.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([exe, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}"],
                                stdout=fh, stderr=subprocess.STDOUT)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/", proc, 30, log)
        yield f"sparql+http://127.0.0.1:{port}"
    finally:
        _stop(proc)


def virtuoso_ini(packaged: str, folder: Path, sql_port: int, http_port: int) -> str:
    """The packaged virtuoso.ini with its database files in ``folder`` and both ports on loopback."""
    out, section = [], ""
    for line in packaged.splitlines():
        m = re.match(r"\s*\[(.+)\]", line)
        if m:
            section = m.group(1)
            out.append(line)
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if sep and section in ("Database", "TempDatabase") and key in (
                "DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile", "xa_persistent_file"):
            line = f"{key} = {folder / value.strip().rsplit('/', 1)[-1]}"
        elif sep and section == "Parameters" and key == "ServerPort":
            line = f"ServerPort = 127.0.0.1:{sql_port}"
        elif sep and section == "HTTPServer" and key == "ServerPort":
            line = f"ServerPort = 127.0.0.1:{http_port}"
        elif sep and section == "Parameters" and key == "DirsAllowed":
            line = f"DirsAllowed = ., {folder}, /usr/share/virtuoso-opensource-7/vad"
        elif sep and section == "URIQA" and key == "DefaultHost":
            line = f"DefaultHost = 127.0.0.1:{http_port}"
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("virtuoso-t")
    ini = VIRTUOSO_INI if VIRTUOSO_INI.is_file() else PACKAGED_INI
    if exe is None or not ini.is_file():
        pytest.fail("Virtuoso is not installed: apt-get install virtuoso-opensource (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port = _free_port()
    config = folder / "virtuoso.ini"
    config.write_text(virtuoso_ini(ini.read_text(), folder, _free_port(), http_port))
    log = folder / "virtuoso.log"
    proc = subprocess.Popen([exe, "+configfile", str(config), "+foreground"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        log.touch()
        _wait_ready(f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", proc, 60, log)
        # a new database's administrator is dba with password dba; writes go to the -auth endpoints
        yield f"sparql+http://dba:dba@127.0.0.1:{http_port}?profile=virtuoso"
    finally:
        _stop(proc)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A small corpus built with ``--store`` pointing at the server."""
    location = request.getfixturevalue(f"{request.param}_server")
    root = tmp_path_factory.mktemp(f"corpus-{request.param}")
    src = root / "src"
    src.mkdir()
    for name, text in DOCS.items():
        (src / name).write_text(text, encoding="utf-8")
    out = root / "out"
    build([str(src)], out, view=False, remote=location)  # analyzed (scores in the corpus graph), no view
    return {"server": request.param, "location": location, "src": src, "out": out}


def _local_graph(out: object) -> set[tuple[object, object, object]]:
    with Store.open(Path(str(out)) / "store", read_only=True) as st:
        return set(st.to_rdflib())


# --- splitting (no server) ----------------------------------------------------------------------


def test_split_graph_union_is_the_graph_and_facts_go_with_their_documents() -> None:
    from tests.synthetic import random_graph

    g = random_graph(400, seed=3)
    parts = split_graph(g)
    union: set[tuple[object, object, object]] = set()
    seen = 0
    for ng in parts:
        sub = set(__import__("rdflib").Graph().parse(data=ng.ntriples, format="nt"))
        assert len(sub) == ng.triples
        seen += ng.triples
        union |= sub
    assert seen == len(g) and union == set(g)  # every triple in exactly one graph
    assert CORPUS_GRAPH in {ng.iri for ng in parts} and len(parts) > 2


def test_locations() -> None:
    r = parse_location("sparql+https://u:p%40ss@example.org/kg/?profile=virtuoso&timeout=5")
    assert (r.query_url, r.store_url, r.update_url) == (
        "https://example.org/kg/sparql", "https://example.org/kg/sparql-graph-crud-auth",
        "https://example.org/kg/sparql-auth")
    assert (r.user, r.password, r.timeout, r.dataset) == ("u", "p@ss", 5.0, "graphs")
    assert "p%40ss" not in r.location and "p@ss" not in r.location
    r = parse_location("sparql+http://127.0.0.1:9999?store=/gsp&dataset=graphs")
    assert (r.store_url, r.dataset, r.query_url) == ("http://127.0.0.1:9999/gsp", "graphs",
                                                     "http://127.0.0.1:9999/query")
    for bad in ("http://127.0.0.1:1", "sparql+http://127.0.0.1:1?colour=red", "sparql+http://h?profile=x",
                "sparql+http://h?timeout=0"):
        with pytest.raises(StoreError):
            parse_location(bad)
    assert isinstance(open_store("sparql+http://127.0.0.1:1"), RemoteStore)


def test_unreachable_server_is_a_clear_error_fast(tmp_path: Path) -> None:
    location = f"sparql+http://127.0.0.1:{_free_port()}"
    t0 = time.monotonic()
    with RemoteStore(location) as st, pytest.raises(StoreError, match="cannot reach SPARQL server.*refused"):
        len(st)
    result = CliRunner().invoke(cli, ["query", "stats", "--store", location])
    assert isinstance(result.exception, StoreError) and "cannot reach SPARQL server" in str(result.exception)
    assert time.monotonic() - t0 < 5


def test_failed_publication_keeps_the_previous_build(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text(DOCS["a.md"], encoding="utf-8")
    out = tmp_path / "out"
    build([str(src)], out, analyze=False, view=False)
    before = current_generation(out)
    (src / "b.md").write_text(DOCS["b.md"], encoding="utf-8")
    with pytest.raises(StoreError, match="cannot reach"):
        build([str(src)], out, analyze=False, view=False, remote=f"sparql+http://127.0.0.1:{_free_port()}")
    assert current_generation(out) == before
    assert sorted(p.name for p in (out / ".generations").iterdir()) == [before.name]  # type: ignore[union-attr]


class _Flaky:
    """An HTTP server on loopback that breaks its first ``breaks`` connections, then answers 204."""

    def __init__(self, breaks: int) -> None:
        import threading

        self.breaks, self.connections = breaks, 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import struct

        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.connections += 1
                self._read_request(conn)  # all of it: closing with unread bytes would reset the connection
                if self.connections <= self.breaks:  # reset: SO_LINGER with a zero timeout
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    continue
                conn.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    @staticmethod
    def _read_request(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        missing = (int(length.group(1)) if length else 0) - len(body)
        while missing > 0:
            chunk = conn.recv(65536)
            if not chunk:
                return
            missing -= len(chunk)

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("breaks, method, ok", [
    (1, "put", True), (2, "put", True), (3, "put", False),  # RETRIES is 2: three tries in all
    (1, "delete", True), (1, "update", False),  # an update is not sent twice
])
def test_a_broken_connection_is_retried_only_for_idempotent_requests(breaks: int, method: str, ok: bool) -> None:
    server = _Flaky(breaks)
    try:
        with RemoteStore(f"sparql+http://127.0.0.1:{server.port}") as st:
            def call() -> None:
                if method == "put":
                    st.put_graph(GRAPH_NS + "x", "<http://x/s> <http://x/p> <http://x/o> .\n")
                elif method == "delete":
                    st.delete_graph(GRAPH_NS + "x")
                else:
                    st.update("INSERT DATA { <http://x/s> <http://x/p> <http://x/o> }")
            if ok:
                call()
            else:
                with pytest.raises(StoreError, match="cannot reach SPARQL server"):
                    call()
        assert server.connections == (breaks + 1 if ok else min(breaks, 3))
    finally:
        server.close()


# --- against the servers ------------------------------------------------------------------------


def test_server_holds_the_build_one_graph_per_document(built: dict[str, object]) -> None:
    local = _local_graph(built["out"])
    with RemoteStore(str(built["location"])) as st:
        graphs = st.graphs()
        assert set(graphs) == {CORPUS_GRAPH} | {document_graph(str(Path(str(built["src"])) / n)) for n in DOCS}
        assert len(st) == len(local)
        assert set(st.to_rdflib()) == local  # literal types included (offsets xsd:nonNegativeInteger)
        doc = st.get_graph(document_graph(str(Path(str(built["src"])) / "c.md")))
        assert doc and all(str(s).startswith(("https://w3id.org/kg-news/id/", )) for s, _, _ in doc)
        assert any(p == KGO.pagerank for _, p, _ in st.get_graph(CORPUS_GRAPH))  # the scores
    record = (current_generation(Path(str(built["out"]))) / RECORD).read_text()  # type: ignore[operator]
    assert CORPUS_GRAPH in record and "dba:" not in record


def test_bundled_queries_answer_as_the_embedded_store(built: dict[str, object]) -> None:
    wrong = VIRTUOSO_WRONG if built["server"] == "virtuoso" else set()
    differ = []
    with Store.open(Path(str(built["out"])) / "store", read_only=True) as st, \
            RemoteStore(str(built["location"])) as remote:
        for q in list_queries():
            params = PARAMS.get(q.name, {})
            expected, got = run(st, q, **params), run(remote, q, **params)
            assert expected.rows, q.name  # the corpus exercises every query
            if (expected.columns, expected.rows) != (got.columns, got.rows):
                differ.append(q.name)
    assert sorted(differ) == sorted(wrong), differ  # a server that gets one right again fails this: update the list


def test_query_errors_and_forms(built: dict[str, object]) -> None:
    with RemoteStore(str(built["location"])) as st:
        with pytest.raises(QueryError, match=r"query 'x'.*HTTP 400"):
            st.query("SELECT ?x WHERE { ?x", name="x")
        assert bool(st.query("ASK { ?p a kgo:Person }"))
        table = run(st, "CONSTRUCT { ?p a kgo:Person } WHERE { ?p a kgo:Person ; rdfs:label '林晓峰' }")
        assert table.rows == [(URIRef("https://w3id.org/kg-news/id/person/林晓峰"),
                               URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), KGO.Person)]
        scores = "SELECT ?e ?r WHERE { ?e kgo:pagerank ?r } ORDER BY STR(?e)"
        with Store.open(Path(str(built["out"])) / "store", read_only=True) as local:
            expected = run(local, scores).rows
        assert len(expected) > 3 and run(st, scores).rows == expected  # doubles exact, not rounded
        offsets = run(st, "SELECT ?b WHERE { ?s nif:beginIndex ?b } LIMIT 1").rows[0][0]
        assert isinstance(offsets, Literal) and offsets.datatype == URIRef(
            "http://www.w3.org/2001/XMLSchema#integer")  # as the embedded store answers


def test_cli_reads_and_analyzes_through_the_server(built: dict[str, object], tmp_path: Path) -> None:
    location = str(built["location"])
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "people", "--store", location, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "林晓峰" in result.output and "周雨桐" in result.output
    result = runner.invoke(cli, ["export", "--format", "nt", "--store", location, "--out", str(tmp_path / "g.nt")])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "g.nt").read_text().splitlines()) == len(_local_graph(built["out"]))
    with RemoteStore(location) as st:  # analyze writes its scores back into the corpus graph
        st.update(f"DELETE WHERE {{ GRAPH <{CORPUS_GRAPH}> {{ ?e kgo:pagerank ?r }} }}")
        assert not bool(st.query("ASK { ?e kgo:pagerank ?r }"))
    result = runner.invoke(cli, ["analyze", "--store", location, "--out", str(tmp_path / "report.html")])
    assert result.exit_code == 0, result.output
    assert "most central" in result.output and (tmp_path / "report.html").is_file()
    with RemoteStore(location) as st:
        assert set(st.to_rdflib()) == _local_graph(built["out"])  # the same scores, not twice


def test_a_graph_of_megabytes_is_written_with_digest_auth(virtuoso_server: str) -> None:
    # Virtuoso answers the first, unauthenticated try of a large PUT with 401 before reading the
    # body and closes the connection: kg learns the nonce first (it failed four times in five at 3 MB)
    body = "".join(f'<http://x/s{i}> <http://x/p> "{"值" * 20}{i}" .\n' for i in range(30_000))
    assert len(body.encode()) > 3_000_000
    graph = GRAPH_NS + "large-test"
    try:
        for _ in range(3):  # a new session each time: nothing learned before
            with RemoteStore(virtuoso_server) as st:
                st.put_graph(graph, body)
        with RemoteStore(virtuoso_server) as st:
            assert st.graphs(refresh=True)[graph] == 30_000
    finally:
        with RemoteStore(virtuoso_server) as st:
            st.delete_graph(graph)
            assert graph not in st.graphs(refresh=True)


def test_incremental_build_replaces_only_the_changed_graphs(built: dict[str, object],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    location, src, out = str(built["location"]), Path(str(built["src"])), Path(str(built["out"]))
    put, deleted = [], []
    real_put, real_delete = RemoteStore.put_graph, RemoteStore.delete_graph

    def spy_put(self: RemoteStore, iri: str, ntriples: str) -> None:
        put.append(iri)
        real_put(self, iri, ntriples)

    def spy_delete(self: RemoteStore, iri: str) -> None:
        deleted.append(iri)
        real_delete(self, iri)

    monkeypatch.setattr(RemoteStore, "put_graph", spy_put)
    monkeypatch.setattr(RemoteStore, "delete_graph", spy_delete)
    (src / "c.md").write_text(DOCS["c.md"].replace("一百二十场", "八十场。南湖区总工会主席孙明出席"), encoding="utf-8")
    build([str(src)], out, view=False, remote=location)
    assert sorted(put) == sorted([CORPUS_GRAPH, document_graph(str(src / "c.md"))]) and deleted == []
    with RemoteStore(location) as st:
        assert set(st.to_rdflib()) == _local_graph(out)
    put.clear()
    before = json.loads((current_generation(out) / RECORD).read_text())["graphs"]  # type: ignore[operator]
    (src / "a.md").unlink()
    build([str(src)], out, view=False, remote=location)
    gone = document_graph(str(src / "a.md"))
    after = json.loads((current_generation(out) / RECORD).read_text())["graphs"]  # type: ignore[operator]
    changed = sorted(g for g in after if g == CORPUS_GRAPH or before.get(g) != after[g])
    assert deleted == [gone] and sorted(put) == changed
    assert document_graph(str(src / "c.md")) not in put  # its content is as it was
    with RemoteStore(location) as st:
        assert gone not in st.graphs() and st.get_graph(gone) == []
        assert all(g.startswith(GRAPH_NS) for g in st.graphs())
        assert set(st.to_rdflib()) == _local_graph(out)
