"""Shared fixtures: the sample corpus of test_rdf.py mapped to a graph."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rdflib import Graph

from kg.model import Corpus
from kg.rdf import corpus_to_graph


def sample_corpus() -> Corpus:
    """The hand-built corpus of ``tests/test_rdf.py`` (invented names)."""
    spec = importlib.util.spec_from_file_location("_kg_rdf_sample", Path(__file__).with_name("test_rdf.py"))
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod.make_corpus()


@pytest.fixture(scope="module")
def graph() -> Graph:
    return corpus_to_graph(sample_corpus())
