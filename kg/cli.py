"""The ``kg`` command line: thin commands over the library."""

from __future__ import annotations

import sys

import click

from kg import __version__
from kg.errors import KGError

__all__ = ["main", "cli"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="kg")
def cli() -> None:
    """Build an RDF knowledge graph from Chinese news.

    \b
    Example:
        kg build source/ --out exports/
    """


@cli.command("query")
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
@click.option(
    "--store",
    "store_dir",
    default="exports/store",
    show_default=True,
    type=click.Path(path_type=str),
    help="The store directory written by `kg build`.",
)
def query_cmd(query: str | None, list_: bool, fmt: str, params: tuple[str, ...], store_dir: str) -> None:
    """Run a SPARQL query on the store: a bundled query's name, a .rq file, or SPARQL text.

    The prefixes kgo, kgr, schema, rdfs, skos, prov, nif … are predeclared. Parameters are
    substituted as literals, never as SPARQL. Use - to read the query from stdin.

    \b
    Example:
        kg query --list
        kg query people
        kg query entity --param name=张三 --format csv
        kg query 'SELECT ?n WHERE { ?p a kgo:Person ; rdfs:label ?n }'
    """
    from kg.errors import StoreError
    from kg.sparql import describe, list_queries, load_query, parse_params, run
    from kg.store import Store

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
    with Store.open(store_dir, read_only=True) as store:
        if len(store) == 0:
            raise StoreError(f"store {store_dir} is empty; run `kg build` first")
        table = run(store, named, **values)
    click.echo(table.format(fmt), nl=False)


@cli.command("export")
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
@click.option(
    "--store",
    "store_dir",
    default="exports/store",
    show_default=True,
    type=click.Path(path_type=str),
    help="The store directory written by `kg build`.",
)
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
    from kg.store import Store

    path = out or f"exports/kg.{EXTENSIONS[fmt]}"
    with Store.open(store_dir, read_only=True) as store:
        n = len(store)
        written = export(store, fmt, path)
    click.echo(f"wrote {written} ({n} triples, {fmt})")


def main() -> None:
    """Entry point of the console script: library errors become one-line messages."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except KGError as e:
        click.echo(f"kg: error: {e}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
