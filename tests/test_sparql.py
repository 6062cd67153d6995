"""Named queries, parameters, errors and result formats."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph
import pytest
from conftest import sample_corpus
from rdflib import Graph, Literal

from kg.errors import QueryError
from kg.sparql import display_width, list_queries, load_query, parse_params, run
from kg.store import Store

REQUIRED = {
    "people",
    "orgs-by-place",
    "events",
    "entity",
    "evidence",
    "cooccurrence",
    "low-confidence",
    "authors",
}




@pytest.fixture(scope="module")
def store(graph: Graph) -> Store:
    return Store.from_graph(graph)


def test_bundled_queries_have_headers() -> None:
    queries = {q.name: q for q in list_queries()}
    assert REQUIRED <= set(queries)
    for q in queries.values():
        assert q.title and q.description, q.name
        assert q.path is not None and q.path.suffix == ".rq"
    assert [p.name for p in queries["entity"].params] == ["name"]
    assert queries["low-confidence"].params[0].default == "0.6"


def test_every_query_runs_on_store_and_graph(store: Store, graph: Graph) -> None:
    for q in list_queries():
        params = {"name": "林晓舟"} if q.name == "entity" else {}
        a = run(store, q, **params)
        b = run(graph, q.name, **params)
        assert a.columns == b.columns
        assert len(a) > 0, q.name
        assert len(a) == len(b)


def test_people(store: Store) -> None:
    t = run(store, "people")
    rows = {r[1]: r for r in t.values()}
    assert rows["林晓舟"][2:6] == ("青岚精密仪器有限公司", "总工程师", "星湖工匠", 1)
    assert rows["周子墨"][5] == 0  # the byline author is a person too


def test_entity_by_name_and_alias(store: Store) -> None:
    by_name = run(store, "entity", name="林晓舟")
    by_alias = run(store, "entity", name="林工")
    assert by_name.rows == by_alias.rows
    props = {(r[1], r[2].rsplit("#", 1)[-1], r[3]) for r in by_name.values()}
    assert ("→", "worksFor", "青岚精密仪器有限公司") in props
    assert ("←", "mentions", "林晓舟获“星湖工匠”称号") in props


def test_parameters_are_literals_not_sparql(store: Store) -> None:
    evil = '林晓舟" } ?x ?y ?z . FILTER("1"="1'
    assert len(run(store, "entity", name=evil)) == 0
    assert len(run(store, "entity", name="a\\b\nc")) == 0


def test_parameter_errors(store: Store) -> None:
    with pytest.raises(QueryError, match=r"query 'entity' needs --param name=VALUE"):
        run(store, "entity")
    with pytest.raises(QueryError, match=r"has no parameter 'nme'"):
        run(store, "entity", name="x", nme="y")
    with pytest.raises(QueryError, match="must be an integer"):
        run(store, "cooccurrence", limit="5; DROP ALL")
    with pytest.raises(QueryError, match="must be a number"):
        run(store, "low-confidence", threshold="high")
    with pytest.raises(QueryError, match="NAME=VALUE"):
        parse_params(["novalue"])
    assert parse_params(["name=a=b", "limit=3"]) == {"name": "a=b", "limit": "3"}


def test_filters(store: Store) -> None:
    assert len(run(store, "cooccurrence", limit="3")) == 3
    low = run(store, "low-confidence")
    assert [float(r[0]) for r in low.values()] == [0.4, 0.55]
    assert len(run(store, "low-confidence", threshold="0.45")) == 1
    ev = run(store, "evidence", subject="林工", predicate="worksFor")
    assert len(ev) == 1
    subject, pred, obj, conf, sentence, source, begin, end, _ = ev.values()[0]
    text = sample_corpus().documents[0].text
    assert (subject, pred, obj) == ("林晓舟", "worksFor", "青岚精密仪器有限公司")
    assert text[begin:end] == sentence and source.endswith(".txt")
    assert len(run(store, "evidence", object="总工程师")) == 1
    # place hierarchy: the company in 青岚市 is also under 河西省
    orgs = run(store, "orgs-by-place", place="河西省").values()
    assert [(r[0], r[1], r[2]) for r in orgs] == [("河西省", "青岚精密仪器有限公司", "青岚市")]
    events = run(store, "events").values()
    assert events[0][:4] == (events[0][0], "技能大赛颁奖仪式", "Ceremony", "3月12日")
    assert str(events[0][0]) == "2024-03-12"


def test_ad_hoc_text_and_params(store: Store) -> None:
    t = run(store, "SELECT ?p WHERE { ?p rdfs:label $n }", n="白鹭")
    assert len(t) == 2
    t = run(store, "ASK { ?x kgo:confidence ?c FILTER(?c < $t) }", t="0.5")
    assert t.boolean is True and t.format("table") == "true"
    assert json.loads(t.format("json")) == {"head": {}, "boolean": True}
    t = run(store, "CONSTRUCT { ?p a kgo:Person } WHERE { ?p a kgo:Person }")
    assert t.columns == ["subject", "predicate", "object"] and len(t) == 4


def test_query_errors_are_one_line(store: Store, graph: Graph, tmp_path) -> None:
    for source in (store, graph):
        with pytest.raises(QueryError, match=r"^syntax error at line 2, column \d+: ") as e:
            run(source, "SELECT ?x\nWHERE { ?x ?y }")
        assert "\n" not in str(e.value)
    with pytest.raises(QueryError, match="unknown query 'peeple'; `kg query --list`"):
        load_query("peeple")
    with pytest.raises(QueryError, match="no query file"):
        load_query(str(tmp_path / "missing.rq"))
    with pytest.raises(QueryError, match="empty query"):
        load_query("  ")
    f = tmp_path / "mine.rq"
    f.write_text("# title: Mine\n# description: count\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", "utf-8")
    q = load_query(str(f))
    assert (q.name, q.title) == ("mine", "Mine")
    assert run(store, q).values()[0][0] == len(store)
    f.write_text("SELECT ?x WHERE { ?x ?y }\n", "utf-8")
    with pytest.raises(QueryError, match=r"^query 'mine': syntax error at line \d+, column \d+: "):
        run(store, str(f))


def test_csv_tsv_json(store: Store) -> None:
    t = run(store, "people")
    text = t.format("csv")
    assert text.startswith("person,name,organizations,titles,honours,articles\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(t) + 1
    assert any(r[0].startswith("https://w3id.org/kg-news/id/person/") and r[1] == "林晓舟" for r in rows)
    doc = json.loads(t.format("json"))
    assert doc["head"]["vars"] == t.columns
    first = doc["results"]["bindings"][0]
    assert first["person"]["type"] == "uri"
    assert first["articles"]["datatype"].endswith("#integer")
    # both parse as SPARQL results with Oxigraph's own parsers
    for fmt, oxfmt in (
        ("json", pyoxigraph.QueryResultsFormat.JSON),
        ("tsv", pyoxigraph.QueryResultsFormat.TSV),
    ):
        parsed = pyoxigraph.parse_query_results(t.format(fmt), format=oxfmt)
        assert len(list(parsed)) == len(t)
    with pytest.raises(QueryError, match="unknown format"):
        t.format("xml")


def test_table_aligns_cjk(store: Store) -> None:
    text = run(store, "people").format("table")
    lines = text.splitlines()
    assert lines[-1] == "(4 rows)"
    # the second column starts at the same display column on every line
    header = lines[0]
    col = display_width(header[: header.index("name")])
    for line in lines[2:-1]:
        label = next(n for n in ("林晓舟", "白鹭", "周子墨") if n in line)
        assert display_width(line[: line.index(label, line.index("  "))]) == col, line
    assert display_width("技能大赛") == 8
    long = run(store, "evidence").format("table", max_width=10)
    assert "…" in long and all(  # text is cut, an IRI never is (a cut one names nothing)
        display_width(c.strip()) <= 10
        for ln in long.splitlines()[2:-1] for c in ln.split("  ") if c and not c.strip().startswith("<")
    )


def test_a_table_cell_holding_an_iri_can_be_pasted_into_a_query(store: Store, graph: Graph) -> None:
    text = run(store, "people").format("table", max_width=8)
    line = text.splitlines()[2]
    cell = line.split()[0]
    assert cell.startswith("<") and cell.endswith(">") and "…" not in cell
    again = run(store, f"SELECT ?name WHERE {{ {cell} rdfs:label ?name }}")
    assert len(again) == 1 and again.values()[0][0] in line
    assert len(run(graph, f"SELECT ?name WHERE {{ {cell} rdfs:label ?name }}")) == 1  # rdflib too
    assert run(store, f"ASK {{ {cell} a kgo:Person }}").boolean is True
    classes = [ln.split()[0] for ln in run(store, "stats").format("table").splitlines()[2:-1]]
    assert "kgo:Person" in classes and all(run(store, f"ASK {{ ?x a {c} }}").boolean for c in classes)


# --- command line -----------------------------------------------------------------------------


def _kg(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from kg.cli import main

    monkeypatch.setattr("sys.argv", ["kg", *args])
    code = 0
    try:
        main()
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def store_dir(graph: Graph, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("cli") / "store"
    with Store.open(path, create=True) as st:
        st.replace(graph)
    return str(path)


def test_cli_query(monkeypatch, capsys, store_dir: str) -> None:
    code, out, _ = _kg(monkeypatch, capsys, "query", "--list")
    assert code == 0 and all(name in out for name in REQUIRED)
    code, out, _ = _kg(monkeypatch, capsys, "query", "people", "--store", store_dir)
    assert code == 0 and "林晓舟" in out and out.rstrip().endswith("(4 rows)")
    code, out, _ = _kg(
        monkeypatch,
        capsys,
        "query",
        "entity",
        "--param",
        "name=林工",
        "--format",
        "json",
        "--store",
        store_dir,
    )
    assert code == 0 and json.loads(out)["results"]["bindings"]
    code, out, _ = _kg(monkeypatch, capsys, "query", "authors", "--format", "csv", "--store", store_dir)
    assert out.splitlines()[1].startswith("周子墨,记者,1,")


@pytest.mark.parametrize(
    "args,message",
    [
        (["query", "SELECT ?x WHERE { ?x ?y }"], "kg: error: syntax error at line 1, column "),
        (["query", "nosuchquery"], "kg: error: unknown query 'nosuchquery'"),
        (["query", "entity"], "kg: error: query 'entity' needs --param name=VALUE"),
        (["query", "people", "--param", "x"], "kg: error: --param needs NAME=VALUE"),
    ],
)
def test_cli_query_errors(monkeypatch, capsys, store_dir: str, args, message) -> None:
    code, out, err = _kg(monkeypatch, capsys, *args, "--store", store_dir)
    assert code == 1 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_cli_missing_and_empty_store(monkeypatch, capsys, tmp_path) -> None:
    code, _, err = _kg(monkeypatch, capsys, "query", "people", "--store", str(tmp_path / "none"))
    assert code == 1 and err.startswith("kg: error: no store at ") and err.count("\n") == 1
    Store.open(tmp_path / "empty", create=True).close()
    code, _, err = _kg(monkeypatch, capsys, "query", "people", "--store", str(tmp_path / "empty"))
    assert code == 1 and "is empty; run `kg build` first" in err and err.count("\n") == 1


# --- the store is only read, and federation is asked for (issue #16) ----------------------------


@pytest.mark.parametrize("text,form", [
    ("DROP ALL", "DROP"),
    ("  clear default", "CLEAR"),
    ("PREFIX ex: <http://example.org/#> INSERT DATA { ex:a ex:b 1 }", "INSERT"),
    ("# a comment\nDELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("LOAD <http://example.org/x.ttl>", "LOAD"),
])
def test_updates_are_not_allowed(store: Store, text: str, form: str) -> None:
    from kg.sparql import update_form

    assert update_form(text) == form
    with pytest.raises(QueryError, match=rf"updates are not allowed \({form}\)"):
        run(store, text)
    with pytest.raises(QueryError, match="updates are not allowed"):
        load_query(text)


def test_a_query_that_names_updates_only_in_text_runs(store: Store) -> None:
    table = run(store, "SELECT ?l WHERE { ?e rdfs:label ?l FILTER(?l != 'DROP ALL') } # INSERT DATA")
    assert table.rows


SERVICE_QUERY = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"


def test_a_federated_query_is_refused_unless_allowed(store: Store) -> None:
    from kg.sparql import uses_service

    with pytest.raises(QueryError, match=r"SERVICE.*--allow-service"):
        run(store, SERVICE_QUERY)
    with pytest.raises(QueryError) as allowed:  # asked for: it runs, and Oxigraph refuses this port
        run(store, SERVICE_QUERY, allow_service=True)
    assert "allow-service" not in str(allowed.value)
    assert uses_service("select * { service silent <http://example.org/s> { ?s ?p ?o } }")
    assert not uses_service("SELECT ?service WHERE { ?service ex:SERVICE 'SERVICE <http://x>' }")


def test_cli_query_refuses_updates_and_service_in_one_line(monkeypatch, capsys, store_dir: str) -> None:
    code, out, err = _kg(monkeypatch, capsys, "query", "DROP ALL", "--store", store_dir)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("kg: error: updates are not allowed (DROP)")
    code, out, err = _kg(monkeypatch, capsys, "query", SERVICE_QUERY, "--store", store_dir)
    assert code == 1 and out == "" and "--allow-service" in err and err.count("\n") == 1
    code, _, err = _kg(monkeypatch, capsys, "query", SERVICE_QUERY, "--allow-service", "--store", store_dir)
    assert code == 1 and "--allow-service" not in err


def test_table_output_shows_control_and_bidi_characters_as_escapes() -> None:
    from rdflib import RDFS, URIRef

    g = Graph()
    g.add((URIRef("https://example.org/a"), RDFS.label, Literal("林晓峰\u202e\x07\n伪造的一行")))
    out = run(g, "SELECT ?l WHERE { ?e rdfs:label ?l }").format("table")
    assert "\u202e" not in out and "\x07" not in out
    assert "\\u202e" in out and out.count("\n") == 4  # header, rule, one row, the count


def test_negotiate_by_accept_and_format_parameter() -> None:
    from kg.sparql import GRAPH_FORMATS, RESULT_FORMATS, negotiate

    def name(accept, formats=RESULT_FORMATS, fmt=None):
        found = negotiate(accept, formats, fmt)
        return None if found is None else found.name

    assert name(None) == "json" and name("") == "json"
    assert name("application/sparql-results+xml;q=0.5, text/csv;q=0.9") == "csv"
    assert name("text/*") == "csv"  # the first text format the server offers
    assert name("application/sparql-results+json;q=0, */*;q=0.1") == "xml"
    assert name("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") == "xml"
    assert name("image/png") is None
    assert name("image/png", fmt="tsv") == "tsv" and name("text/csv", fmt="nonsense") == "csv"
    assert name("application/rdf+xml", GRAPH_FORMATS) == "rdfxml"
    assert name("application/json", GRAPH_FORMATS) == "jsonld"
    assert name(None, GRAPH_FORMATS, "turtle") == "ttl"


def test_execute_limits_and_errors(graph) -> None:
    from kg.sparql import Job, execute

    with Store.from_graph(graph) as st:
        ok = execute(st, Job("SELECT * WHERE { ?s ?p ?o } LIMIT 1", ""))
        assert ok.status == 200 and ok.content_type.startswith("application/sparql-results+json")
        big = execute(st, Job("SELECT * WHERE { ?s ?p ?o }", "", max_bytes=1000))
        assert big.status == 422 and "larger than 1000 bytes" in big.message
        assert execute(st, Job("SELECT ?x WHERE {", "")).status == 400
        assert execute(st, Job("ASK {}", "", result_format=None)).status == 406
        ttl = execute(st, Job("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", "", graph_format="ttl"))
        assert ttl.status == 200 and len(Graph().parse(data=ttl.body, format="turtle")) == 3
        late = execute(st, Job("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "", seconds=0.0))
        assert late.status == 503 and "time limit" in late.message
