"""One exception tree for the library; only the command line turns these into messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: errors.py imports nothing of kg
    from kg.model import Skipped

__all__ = [
    "KGError",
    "SourceError",
    "ComponentNotFound",
    "ExtractorNotFound",
    "QueryError",
    "StoreError",
    "ValidationError",
    "OutputError",
    "OutputLocked",
    "NothingToBuild",
    "SchemaError",
    "EntityNotFound",
    "ModelError",
    "ExecutorError",
]


class KGError(Exception):
    """Base class of every error raised by kg."""


class SourceError(KGError):
    """A source file cannot be read (missing, binary, empty, undecodable, malformed)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ComponentNotFound(KGError, KeyError):
    """A component name (extractor, relation or event finder) is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ExtractorNotFound(ComponentNotFound):
    """An extractor component name is not registered."""


class QueryError(KGError):
    """A SPARQL query is malformed, unknown, or cannot be answered."""


class StoreError(KGError):
    """The RDF store is missing, locked or unreadable."""


class ValidationError(KGError):
    """A built graph does not conform to the SHACL shapes."""


class OutputError(KGError):
    """A build's output folder cannot be written (a name it needs is taken by something else)."""


class OutputLocked(OutputError):
    """Another build holds the output folder (``kg build --no-wait``)."""


class NothingToBuild(KGError):
    """A build read no document (missing paths, every file refused): the previous build is kept."""

    def __init__(self, message: str, skipped: tuple[Skipped, ...] = ()) -> None:
        super().__init__(message)
        self.skipped = skipped


class SchemaError(KGError, KeyError):
    """The ontology does not declare a type, predicate or event type that was asked for (or
    declares it incompletely)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class EntityNotFound(KGError, LookupError):
    """No entity of a graph has the given name, alias or IRI."""

    def __str__(self) -> str:  # LookupError would not quote, but keep one form for all
        return str(self.args[0]) if self.args else ""


class ModelError(KGError):
    """A shipped model file is missing, unreadable or does not match this version of kg."""


class ExecutorError(KGError):
    """Extraction cannot run on the executor asked for (a dask scheduler that cannot be reached,
    a worker without the build's kg, a task that failed there); the previous build is kept."""
