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
