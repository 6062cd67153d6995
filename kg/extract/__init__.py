"""Extraction: pluggable components that find mentions, and the combiner that merges them."""

from __future__ import annotations

from kg.extract.registry import Component, get, names, register

__all__ = ["Component", "get", "names", "register"]
