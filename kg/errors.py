"""One exception tree for the library; only the command line turns these into messages."""

from __future__ import annotations

__all__ = [
    "KGError",
    "SourceError",
    "ExtractorNotFound",
    "QueryError",
    "StoreError",
    "ValidationError",
]


class KGError(Exception):
    """Base class of every error raised by kg."""


class SourceError(KGError):
    """A source file cannot be read (missing, binary, empty, undecodable, malformed)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ExtractorNotFound(KGError, KeyError):
    """An extractor component name is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class QueryError(KGError):
    """A SPARQL query is malformed, unknown, or cannot be answered."""


class StoreError(KGError):
    """The RDF store is missing, locked or unreadable."""


class ValidationError(KGError):
    """A built graph does not conform to the SHACL shapes."""
