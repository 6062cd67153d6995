"""The ``kg`` command line: thin commands over the library."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from kg import __version__
from kg.errors import KGError

__all__ = ["main", "cli", "EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "EXIT_INTERRUPTED"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: `kg extract --lines` hands the extractor this many lines at a time.
LINES_PER_CALL = 512


#: Exit codes: success, an error (a source, store, query or output problem), a usage error
#: (an unknown option or command, a bad option value), an interrupt (Ctrl-C).
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="kg")
def cli() -> None:
    """Build an RDF knowledge graph from Chinese news.

    An error is one line on stderr, `kg: error: …`; the exit code is 0 on success, 1 for an
    error (a file, store, query or output problem), 2 for a usage error (an unknown option or
    command, a bad value) and 130 when interrupted.

    \b
    Example:
        kg build source/ --out exports/
    """


def _check_executor(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from kg.errors import ComponentNotFound
    from kg.executors import executors

    if value is not None:
        try:
            executors.get(value)
        except ComponentNotFound as e:
            raise click.BadParameter(str(e)) from None
    return value


def _check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from kg.dates import MAX_PUB_YEAR, MIN_PUB_YEAR
    from kg.ingest.frontmatter import normalize_date

    if value is not None and normalize_date(value) is None:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD (years {MIN_PUB_YEAR}-{MAX_PUB_YEAR})")
    return value


@cli.command("build", short_help="Read news files (.md, .txt, .jsonl, .html) and build the knowledge graph.")
@click.argument("sources", nargs=-1, type=click.Path(path_type=str))
@click.option("--out", default="exports", show_default=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder the build writes (kg.ttl, ontology.ttl, store/, report.html, kg.html).")
@click.option("--date", metavar="YYYY-MM-DD", callback=_check_date,
              help="Publication date for sources that do not state one.")
@click.option("--components", metavar="A,B,…", help="Extractor components to run (see `kg extract --components`).")
@click.option("--relations", metavar="A,B,…",
              help="Relation components to run (see `kg relations --list`; '' runs none) [default: the built-ins marked *].")
@click.option("--events", metavar="A,B,…",
              help="Event components to run (see `kg relations --list`; '' runs none) [default: the built-ins marked *].")
@click.option("--no-view", is_flag=True, help="Do not write the HTML view and report.")
@click.option("--strict", is_flag=True, help="Fail when the graph does not conform to the SHACL shapes.")
@click.option("--check-all", is_flag=True,
              help="Check everything with the SHACL shapes (a build of over a million characters checks "
                   "a sample of its documents, with their facts and the entities they mention).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for extraction [default: one per CPU on large builds].")
@click.option("--executor", metavar="NAME", callback=_check_executor,
              help="Where extraction runs: process (worker processes here, on large builds) or dask "
                   "(a dask.distributed cluster: --scheduler, or one started here with --jobs workers) "
                   "[default: process].")
@click.option("--scheduler", metavar="ADDRESS",
              help="The dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor dask).")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="When another build is writing --out, wait for it, or fail at once.")
@click.option("--allow-empty", is_flag=True, help="Build an empty graph when no file could be read.")
@click.option("--full", is_flag=True, help="Extract every document again (no cached mentions) and write a new build.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object on stdout (for scripts).")
@click.option("--progress", "show_progress", is_flag=True,
              help="Progress lines (each stage, the extraction's rate and ETA) even when stderr is not a terminal.")
@click.option("--store", "remote", metavar="URL",
              help="Also publish the graph to a SPARQL server, one named graph per document "
                   "(sparql+http://HOST:PORT[/PATH][?profile=virtuoso…]; see the README).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def build_cmd(sources: tuple[str, ...], out: str, date: str | None, components: str | None,
              relations: str | None, events: str | None, no_view: bool,
              strict: bool, check_all: bool, jobs: int | None, executor: str | None, scheduler: str | None, wait: bool,
              allow_empty: bool, full: bool, as_json: bool, show_progress: bool, remote: str | None,
              quiet: bool) -> None:
    """Read news files and build the knowledge graph.

    SOURCES are files or folders (read recursively; default: source/). Formats: .md / .txt pages
    and articles, .jsonl (one article per line), .html / .htm pages (their readable text). Bad files are skipped with their reason;
    when no file at all can be read the build fails and --out is left as it was. Nothing a build
    wrote into --out is read as a source.

    The build is written into a new folder --out/.generations/ID and replaces the previous one
    at the end in one step: --out/kg.ttl, store, … are links through --out/current, so they always
    show one complete build, even when a build fails or is killed. One build at a time writes
    into a --out; others wait for it (or fail with --no-wait).

    Builds are incremental: the mentions found in each document are kept in --out/.cache and
    only new or changed documents are extracted again (the output is the one a full build
    gives); when nothing changed the build ends at once and leaves --out as it is. --full
    extracts everything again. On a terminal (or with --progress) one line per stage on stderr
    gives its counts, time and rate.

    The graph is checked against the SHACL shapes (--strict fails on a violation); a build of
    over a million characters checks a sample of its documents, about a million characters of
    them, with their facts and the entities they mention, and says so (--check-all checks
    everything).

    With --store sparql+http://…, the complete build is also written to that SPARQL server
    (Graph Store Protocol: only the graphs of changed documents, and the corpus graph, are
    replaced) before --out switches to it; when the server fails, the build fails and --out
    keeps the previous build.

    --executor dask extracts the documents not in the cache on a dask.distributed cluster, the
    one of --scheduler (its workers need this version of kg installed) or a local one; the
    output is the same on any executor.

    \b
    Example:
        kg build
        kg build source/ more-news/ --out exports/ --date 2025-05-31
        kg build news/ --no-wait -q
        kg build --relations title-rule,byline --events ''
        kg build news/ --jobs 2 --json > summary.json
        kg build archive/ --check-all --strict
        kg build news/ --store sparql+http://127.0.0.1:7878
        kg build news/ --executor dask --scheduler tcp://10.0.0.5:8786
    """
    if scheduler is not None:
        if executor not in (None, "dask"):
            raise click.UsageError(f"--scheduler is for --executor dask, not {executor}")
        executor = "dask"
    from kg.pipeline import DEFAULT_SOURCES, build
    from kg.remote import is_remote

    if remote is not None and not is_remote(remote):
        raise click.BadParameter(f"{remote!r} is not a SPARQL server (sparql+http://HOST:PORT/…); "
                                 "the build's own store is always --out/store", param_hint="--store")
    watch = _BuildProgress(quiet, show_progress)
    try:
        report = build(list(sources) or list(DEFAULT_SOURCES), out, date=date,
                       components=components.split(",") if components else None, progress=watch.progress,
                       analyze=not no_view, view=not no_view, strict=strict, jobs=jobs, wait=wait,
                       on_wait=lambda message: click.echo(f"kg: {_printable(message)}", err=True),
                       allow_empty=allow_empty, relations=_names(relations), events=_names(events),
                       full=full, on_stage=watch.stage, remote=remote, executor=executor,
                       scheduler=scheduler, check_all=check_all)
    finally:
        watch.close()
    if as_json:
        click.echo(_build_json(report))
        return
    if quiet:
        return
    if report.unchanged:
        click.echo(f"unchanged: {report.documents} document(s) as in the current build; {_printable(out)} "
                   f"left as it is ({report.seconds:.2f} s; --full builds again)")
        return
    types = ", ".join(f"{n} {t}" for t, n in report.by_type) or "none"
    click.echo(f"read {report.files} file(s): {report.articles} articles, {report.sentences} sentences")
    click.echo(f"found {report.entities} entities ({types}) and {report.relations} facts; "
               f"{report.triples} triples in {report.seconds:.1f} s")
    click.echo(f"extracted {report.extracted} document(s), {report.reused} from the cache; stages: "
                   + ", ".join(f"{n} {t:.1f} s" for n, t in report.timings if n not in ("lock", "switch")))
    if 0 < report.checked < report.documents:
        click.echo(f"SHACL: checked a sample of {report.checked} of {report.documents} documents, with their "
                   "facts and the entities they mention (--check-all checks everything)")
    if report.violations:
        click.echo(f"SHACL: {len(report.violations)} violation(s), e.g. {_printable(report.violations[0])}", err=True)
    for sk in report.skipped:  # a file name is shown on one line, whatever characters it holds
        click.echo(f"skipped {_printable(sk.path)}: {_printable(sk.reason)}", err=True)
    click.echo(f"wrote {', '.join(_printable(o) for o in report.outputs)}")


class _BuildProgress:
    """What ``kg build`` shows on stderr where someone watches it (a terminal, or ``--progress``):
    a bar while extracting on a terminal, else a line with the count, rate and ETA every ten
    seconds of a long extraction, and one line per stage as it ends (its counts, time and rate)."""

    EVERY = 10.0

    def __init__(self, quiet: bool, forced: bool = False) -> None:
        import time

        self.tty = sys.stderr.isatty()
        self.quiet = quiet or not (self.tty or forced)
        self.bar: object | None = None
        self.started = time.monotonic()
        self.shown = self.started

    def progress(self, stage: str, done: int, total: int) -> None:
        import time

        if self.quiet or stage != "extract" or total < 2:
            return
        if self.tty:  # a bar only where someone watches it
            if self.bar is None:
                self.bar = click.progressbar(length=total, label="extracting", file=sys.stderr)
                self.bar.__enter__()
            bar: Any = self.bar
            bar.update(done - bar.pos)  # counts sentences: a single long file moves the bar too
            return
        now = time.monotonic()
        if now - self.shown >= self.EVERY and 0 < done < total:
            self.shown = now
            rate = done / (now - self.started)
            click.echo(f"kg: extract {done:,}/{total:,} sentences, {rate:,.0f}/s, "
                       f"about {(total - done) / rate:,.0f} s left", err=True)

    def stage(self, name: str, seconds: float, counts: dict[str, int]) -> None:
        import time

        if name == "ingest":
            self.started = self.shown = time.monotonic()
        if self.quiet or name in ("lock", "switch"):
            return
        self.close()
        parts = [f"{n:,} {k}" for k, n in counts.items()]
        chars = counts.get("characters")
        if chars and seconds > 0 and name in ("ingest", "extract"):
            parts.append(f"{chars / seconds:,.0f} characters/s")
        click.echo(f"kg: {name:<8} {seconds:7.2f} s" + (f"  {', '.join(parts)}" if parts else ""), err=True)

    def close(self) -> None:
        if self.bar is not None:
            bar: Any = self.bar
            bar.__exit__(None, None, None)
            self.bar = None


def _build_json(report: Any) -> str:
    """The summary of a build as one JSON object (``kg build --json``)."""
    import json

    return json.dumps({
        "unchanged": report.unchanged, "files": report.files, "documents": report.documents,
        "articles": report.articles, "sentences": report.sentences, "characters": report.characters,
        "entities": report.entities, "by_type": dict(report.by_type), "relations": report.relations,
        "triples": report.triples, "extracted": report.extracted, "reused": report.reused,
        "seconds": report.seconds, "stages": dict(report.timings), "violations": list(report.violations),
        "checked": report.checked,
        "skipped": [{"path": sk.path, "reason": sk.reason} for sk in report.skipped],
        "outputs": list(report.outputs), "generation": report.generation,
    }, ensure_ascii=False)


def _names(value: str | None) -> list[str] | None:
    """``a,b`` → ``["a", "b"]``; ``""`` → ``[]`` (none); ``None`` → ``None`` (the defaults)."""
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


@cli.command("relations", short_help="List the relation and event components a build runs.")
@click.option("--list", "list_", is_flag=True, default=True, help="List the registered components (the default).")
def relations_cmd(list_: bool) -> None:
    """List the registered relation and event components, one a line: * marks those a build
    runs by default; "corpus" marks a component that reads every entity at once instead of one
    article at a time. `kg build --relations A,B` and `--events A,B` choose others.

    \b
    Example:
        kg relations --list
    """
    from kg.relate import event_components, relation_components

    registries = (("relations", relation_components), ("events", event_components))
    width = max(len(n) for _, registry in registries for n in registry.names())
    for title, registry in registries:
        click.echo(f"{title}:")
        defaults = registry.defaults()
        for n in registry.names():
            r = registry.get(n)
            mark = "*" if n in defaults else " "
            scope = "corpus " if r.scope == "corpus" else "article"
            click.echo(f"{mark} {n:{width}s}  {scope} {r.description}")


@cli.command("extract", short_help="Find entities in text (files or stdin) and print JSON Lines.")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--lines", is_flag=True, help="Each input line is a document: exactly one JSON line out per line.")
@click.option("--components", "components", metavar="A,B,…", is_flag=False, flag_value="",
              help="Components to run (default: the built-ins marked *); alone, list the registered ones.")
@click.option("--list-components", "--components-list", "list_components", is_flag=True,
              help="List the registered components and exit.")
def extract_cmd(files: tuple[str, ...], lines: bool, components: str | None, list_components: bool) -> None:
    """Find entities in text (files or stdin) and print JSON Lines.

    Each output line is {"text": …, "entities": [{"text", "type", "start", "end", "entity",
    "confidence", "component"}]} with offsets into that text; "entity" is the canonical name.

    \b
    Example:
        echo '海河市总工会主席张三说' | kg extract --lines
        kg extract article.txt --components ner,places
        kg extract --components
    """
    import json

    from kg.extract import DEFAULT_COMPONENTS, description, names
    from kg.pipeline import extract_texts
    from kg.resolve import canonical_name
    from kg.schema import entity_types

    if list_components or components == "":
        for n in names():
            mark = "*" if n in DEFAULT_COMPONENTS else " "
            click.echo(f"{mark} {n:15s} {description(n)}")
        return
    chosen = components.split(",") if components else None
    if chosen:
        from kg.extract import get

        for c in chosen:
            get(c)  # unknown names fail before any work, listing the known ones

    kinds = set(entity_types())

    def emit(texts: list[str]) -> None:
        for text, found in zip(texts, extract_texts(texts, chosen), strict=True):
            ents = []
            for m in found:
                if m.type not in kinds:
                    continue
                ents.append({"text": m.text, "type": m.type, "start": m.start, "end": m.end,
                             "entity": canonical_name(m.text, m.type),
                             "confidence": round(m.confidence, 3), "component": m.component})
            click.echo(json.dumps({"text": text, "entities": ents}, ensure_ascii=False))

    for data in _inputs(files):
        if lines:
            parts = [p.rstrip("\r") for p in data.split("\n")]
            if parts and parts[-1] == "":
                parts.pop()
            for k in range(0, len(parts), LINES_PER_CALL):  # lines go to the models in blocks
                emit(parts[k:k + LINES_PER_CALL])
        else:
            emit([data])


def _inputs(files: tuple[str, ...]) -> list[str]:
    """The texts of ``files`` (or of stdin), decoded as kg decodes sources (the encoding is
    detected; an undecodable input is an error, a repaired one a warning on stderr)."""
    from kg.ingest.clean import clean
    from kg.ingest.decode import decode

    out = []
    for name in files or ("-",):
        if name == "-":
            stream = getattr(sys.stdin, "buffer", None)
            data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
            name = "<stdin>"
        else:
            with open(name, "rb") as fh:
                data = fh.read()
        if not data.strip():
            out.append(data.decode("utf-8", "replace"))
            continue
        found = decode(data, name)
        for w in found.warnings:
            click.echo(f"kg: warning: {_printable(name)}: {w}", err=True)
        out.append(clean(found.text))  # controls and bidi characters: spaces, offsets keep
    return out


def _open_graph(store_dir: str):  # noqa: ANN202 - an rdflib Graph
    from kg.errors import StoreError
    from kg.remote import open_store

    with open_store(store_dir, read_only=True) as store:
        if len(store) == 0:
            raise StoreError(f"store {store.path} is empty; run `kg build` first")
        return store.to_rdflib()


_STORE_OPT = click.option("--store", "store_dir", default="exports/store", show_default=True, metavar="DIR|URL",
                          help="The store directory written by `kg build`, or a SPARQL server "
                               "(sparql+http://HOST:PORT[/PATH][?profile=virtuoso…]; see the README).")


@cli.command("analyze", short_help="Centrality, communities and the report; scores are written back into the store.")
@_STORE_OPT
@click.option("--out", default="exports/report.html", show_default=True, type=click.Path(path_type=str),
              help="Where to write the report.")
@click.option("--top", default=5, show_default=True, help="How many central entities to print per type.")
def analyze_cmd(store_dir: str, out: str, top: int) -> None:
    """Centrality, communities and the report; scores are written back into the store.

    \b
    Example:
        kg analyze
        kg query 'SELECT ?n ?r WHERE { ?e rdfs:label ?n ; kgo:pagerank ?r } ORDER BY DESC(?r) LIMIT 10'
    """
    from kg.analyze import analyze, scores_to_rdf, write_report
    from kg.remote import open_store

    graph = _open_graph(store_dir)
    result = analyze(graph)
    scores = scores_to_rdf(result)
    with open_store(store_dir) as store:
        store.add_graph(scores, replace_predicates=True)
    path = write_report(result, out)
    for t, n in sorted(result.counts_by_type().items()):
        best = ", ".join(label for label in _labels(result, t, top))
        click.echo(f"{t:13s} {n:5d}  most central: {best}")
    click.echo(f"wrote {_printable(str(path))}")


def _labels(result, type_: str, n: int) -> list[str]:  # noqa: ANN001
    return [result.label(v) for v in result.top(n, "pagerank", type_)]


@cli.command("view", short_help="Write the interactive relationship view (one offline HTML file).")
@_STORE_OPT
@click.option("--out", type=click.Path(dir_okay=False, path_type=str),
              help="Where to write the page [default: exports/kg.html; with --focus NAME, exports/kg-NAME.html].")
@click.option("--focus", metavar="NAME", help="Show only this entity's neighbourhood (name or alias).")
@click.option("--hops", default=2, show_default=True, help="Neighbourhood size around --focus.")
@click.option("--open", "open_", is_flag=True, help="Open the page in the default browser.")
def view_cmd(store_dir: str, out: str | None, focus: str | None, hops: int, open_: bool) -> None:
    """Write the interactive relationship view (one HTML file that works offline).

    The full view is exports/kg.html (a build writes it too); a focused view gets a file of its
    own, exports/kg-NAME.html, so it never replaces the full one.

    \b
    Example:
        kg view --open
        kg view --focus 张三 --hops 2 --out zhangsan.html
    """
    from kg.visualize import write_view

    if out is None:
        out = DEFAULT_VIEW if focus is None else str(Path(DEFAULT_VIEW).with_name(f"kg-{safe_name(focus)}.html"))
    path = write_view(_open_graph(store_dir), out, focus=focus, hops=hops)
    click.echo(f"wrote {_printable(str(path))}")
    if open_:
        _open_in_browser(path)


#: The full view's file; `kg view --focus NAME` writes kg-NAME.html beside it.
DEFAULT_VIEW = "exports/kg.html"


def safe_name(name: str, limit: int = 60) -> str:
    """``name`` as a file-name part: letters (any script), digits, ``-`` and ``_``; the rest ``_``.

    >>> safe_name("杭州市总工会"), safe_name("../a b/c"), safe_name("")
    ('杭州市总工会', 'a_b_c', 'focus')
    """
    text = re.sub(r"[^\w-]+", "_", name).strip("_-")[:limit]
    return text or "focus"


def _open_in_browser(path: Path) -> None:
    import webbrowser

    try:
        opened = webbrowser.open(path.resolve().as_uri())
    except webbrowser.Error:
        opened = False
    if not opened:
        click.echo(f"kg: no web browser found to open the page; open {_printable(str(path))} in one", err=True)


@cli.command("path", short_help="Print the shortest connections between two entities, with the evidence of each hop.")
@click.argument("source")
@click.argument("target")
@_STORE_OPT
@click.option("--max", "max_paths", default=3, show_default=True, help="How many shortest paths to print.")
def path_cmd(source: str, target: str, store_dir: str, max_paths: int) -> None:
    """Print the shortest connections between two entities, with the evidence of each hop.

    \b
    Example:
        kg path 张三 某某市总工会
    """
    from kg.analyze import format_path, shortest_paths, to_networkx

    G = to_networkx(_open_graph(store_dir))
    paths = shortest_paths(G, source, target, max_paths=max_paths)
    if not paths:
        raise KGError(f"{source} and {target} are not connected")
    for i, p in enumerate(paths, 1):
        click.echo(f"— path {i} —")
        click.echo(format_path(G, p))


@cli.command("query", short_help="Run a SPARQL query on the store: a bundled query's name, a .rq file, or SPARQL text.")
@click.argument("query", required=False)
@click.option("--list", "list_", is_flag=True, help="List the bundled queries and their parameters.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Aligned table, CSV, TSV or SPARQL 1.1 results JSON.",
)
@click.option(
    "--param", "params", multiple=True, metavar="NAME=VALUE", help="Fill $NAME in the query (repeatable)."
)
@click.option("--allow-service", is_flag=True,
              help="Run a federated query (SERVICE <…>), which sends requests to the endpoints it names.")
@_STORE_OPT
def query_cmd(query: str | None, list_: bool, fmt: str, params: tuple[str, ...], allow_service: bool,
              store_dir: str) -> None:
    """Run a SPARQL query on the store: a bundled query's name, a .rq file, or SPARQL text.

    The prefixes kgo, kgr, schema, rdfs, skos, prov, nif … are predeclared. Parameters are
    substituted as literals, never as SPARQL. Use - to read the query from stdin. The store is
    only read: updates (INSERT, DROP …) are refused, and so is a federated query (SERVICE)
    unless --allow-service.

    \b
    Example:
        kg query --list
        kg query people
        kg query entity --param name=张三 --format csv
        kg query 'SELECT ?n WHERE { ?p a kgo:Person ; rdfs:label ?n }'
    """
    from kg.errors import StoreError
    from kg.remote import open_store
    from kg.sparql import describe, list_queries, load_query, parse_params, run

    if list_:
        click.echo(describe(list_queries()), nl=False)
        return
    if query is None:
        raise click.UsageError(
            "give a QUERY (a bundled name, a .rq file or SPARQL text); see `kg query --list`"
        )
    if query == "-":
        query = sys.stdin.read()
    named = load_query(query)
    values = parse_params(params)
    with open_store(store_dir, read_only=True) as store:
        if len(store) == 0:
            raise StoreError(f"store {store.path} is empty; run `kg build` first")
        table = run(store, named, allow_service=allow_service, **values)
    click.echo(table.format(fmt), nl=False)


@cli.command("export", short_help="Export the store's graph to a file other tools read (RDF, GraphML, GEXF).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "nt", "jsonld", "trig", "graphml", "gexf"]),
    default="ttl",
    show_default=True,
    help="RDF (ttl, nt, jsonld, trig) or an entity network for Gephi (graphml, gexf).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=str), help="Output file [default: exports/kg.FORMAT]."
)
@_STORE_OPT
def export_cmd(fmt: str, out: str | None, store_dir: str) -> None:
    """Export the store's graph to a file other tools read.

    Turtle, TriG and N-Triples are sorted (the same graph gives the same bytes); GraphML and
    GEXF hold entities (type, label, scores) and their relations, for Gephi or yEd.

    \b
    Example:
        kg export --format graphml --out exports/kg.graphml
        kg export --format jsonld
    """
    from kg.export import EXTENSIONS, export
    from kg.remote import open_store

    path = out or f"exports/kg.{EXTENSIONS[fmt]}"
    with open_store(store_dir, read_only=True) as store:
        n = len(store)
        written = export(store, fmt, path)
    click.echo(f"wrote {_printable(str(written))} ({n} triples, {fmt})")


@cli.command("serve", short_help="Serve the graph over HTTP: a SPARQL 1.1 endpoint, the view, the report, a page per entity.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (another than localhost lets other machines query the graph).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@click.option("--out", default="exports", show_default=True, type=click.Path(file_okay=False, path_type=str),
              help="The build's output folder: its current build is served, and a new build is served as soon as it is done.")
@click.option("--store", "store_dir", type=click.Path(path_type=str), help="A store directory to serve instead of --out's.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a query may take; a longer one is cancelled (503).")
@click.option("--max-result", default="64M", show_default=True, metavar="SIZE",
              help="Largest result a query may give (bytes, or with k, M, G); a larger one is refused (422).")
@click.option("--workers", type=click.IntRange(min=1), help="Query worker processes [default: one per CPU, at least 2].")
@click.option("--allow-update", is_flag=True,
              help="Accept SPARQL Update from requests that carry the token of $KG_SERVE_TOKEN (Authorization: Bearer TOKEN).")
@click.option("--allow-service", is_flag=True,
              help="Run federated queries (SERVICE <…>), which make this machine send requests to the endpoints they name.")
@click.option("--cors-origin", "cors", multiple=True, metavar="ORIGIN",
              help="An origin whose pages may query from a browser (repeatable; 'none' for none) [default: *].")
@click.option("-q", "--quiet", is_flag=True, help="No access log.")
@click.pass_context
def serve_cmd(ctx: click.Context, host: str, port: int, out: str, store_dir: str | None, timeout: float,
              max_result: str, workers: int | None, allow_update: bool, allow_service: bool,
              cors: tuple[str, ...], quiet: bool) -> None:
    """Serve the graph over HTTP until interrupted: a SPARQL 1.1 Protocol endpoint at /sparql
    (YASGUI, SPARQLWrapper, rdflib's SPARQLStore, curl), the view at /, the report at /report,
    the named queries at /queries, the ontology at /ontology, a page per entity at /id/… (its
    IRI's path; HTML or RDF by Accept) and /health.

    Read-only: an update is refused (403) unless --allow-update and a token of 16 or more
    characters in $KG_SERVE_TOKEN. Each query runs in a worker process under --timeout and
    --max-result; a runaway query is killed, not the server.

    \b
    Example:
        kg serve
        kg serve --port 8080 --timeout 10
        curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' http://127.0.0.1:8000/sparql
    """
    import os

    from kg.serve import MIN_TOKEN, TOKEN_ENV, ServeConfig, Server, parse_size, token_from_env

    if store_dir is not None and ctx.get_parameter_source("out") is click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("give --out or --store, not both")
    token = token_from_env()
    if allow_update and (token is None or len(token) < MIN_TOKEN):
        raise click.UsageError(f"--allow-update needs a token of at least {MIN_TOKEN} characters in ${TOKEN_ENV}")
    try:
        max_bytes = parse_size(max_result)
    except KGError as e:
        raise click.BadParameter(str(e), param_hint="--max-result") from None
    origins = () if cors == ("none",) else (cors or ("*",))
    config = ServeConfig(Path(store_dir) if store_dir is not None else Path(out) / "store", timeout=timeout,
                         max_bytes=max_bytes, workers=workers or max(2, os.cpu_count() or 1),
                         allow_update=allow_update, token=token if allow_update else None,
                         allow_service=allow_service, cors_origins=tuple(origins))
    server = Server(config, host, port, log_level="warning" if quiet else "info", access_log=not quiet)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"kg: warning: listening on {_printable(host)}: other machines can query the graph", err=True)
    mode = "read and update (with the token)" if allow_update else "read-only"
    click.echo(f"kg: serving {_printable(str(config.store))} ({mode}) at {server.url}/ — SPARQL endpoint "
               f"{server.url}/sparql; Ctrl-C stops", err=True)
    server.run()


def _printable(text: str) -> str:
    from kg.ingest.clean import printable

    return printable(text)


def main() -> None:
    """Entry point of the console script: errors become one line on stderr and an exit code
    (:data:`EXIT_ERROR`, :data:`EXIT_USAGE`, :data:`EXIT_INTERRUPTED`)."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.exceptions.NoArgsIsHelpError as e:
        e.show()  # `kg` alone: the help
        sys.exit(e.exit_code)
    except click.UsageError as e:
        names, ctx = [], e.ctx
        while ctx is not None and ctx.parent is not None:  # `kg build`, whatever ran the program
            names.append(ctx.info_name or "")
            ctx = ctx.parent
        where = " ".join(["kg", *reversed(names)])
        click.echo(f"kg: error: {_printable(e.format_message())} (see `{where} -h`)", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as e:
        click.echo(f"kg: error: {_printable(e.format_message())}", err=True)
        sys.exit(e.exit_code)
    except KGError as e:
        click.echo(f"kg: error: {_printable(str(e))}", err=True)
        sys.exit(EXIT_ERROR)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
