"""Load the word lists under ``kg/lexicons`` (package data) once per process: :mod:`kg.lexicons`.

Kept for the extraction code's imports; the loader lives in :mod:`kg.lexicons` so that modules
outside :mod:`kg.extract` (dates, bylines) read the lists without importing the extractors.
"""

from __future__ import annotations

from kg.lexicons import chars, entries, last_chars, longest_first, longest_suffix, table, words

__all__ = ["words", "entries", "table", "chars", "longest_first", "longest_suffix", "last_chars"]
