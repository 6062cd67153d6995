"""The component registry: names, unknown names, and components other packages register."""

from __future__ import annotations

import pytest

import kg.extract.registry as registry
from kg.errors import ExtractorNotFound
from kg.extract import extract, get, names
from kg.model import Mention


def test_unknown_component_lists_the_known_ones():
    with pytest.raises(ExtractorNotFound) as e:
        get("no-such-thing")
    for n in ("crf", "persons", "organizations", "places", "programs", "events"):
        assert n in str(e.value)


class _EntryPoint:
    def __init__(self, name: str, fail: bool = False) -> None:
        self.name = name
        self.fail = fail

    def load(self):
        if self.fail:
            raise ImportError("missing module")

        @registry.register(self.name, "a plugin's brand list")
        def make():
            return lambda text: [Mention("海河牌", "Organization", i, i + 3, 0.9, self.name)
                                 for i in [text.find("海河牌")] if i >= 0]

        return make


def test_entry_point_plugins_are_loaded_once(monkeypatch):
    import importlib.metadata

    calls = []

    def fake(group):
        calls.append(group)
        return [_EntryPoint("test-brands"), _EntryPoint("test-broken", fail=True)]

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
    monkeypatch.setattr(registry, "_PLUGINS_LOADED", False)
    # the plugin's registration is undone after the test
    for table in ("_FACTORIES", "_DOCS", "_INSTANCES"):
        monkeypatch.setattr(registry, table, dict(getattr(registry, table)))
    with pytest.warns(UserWarning, match="test-broken"):
        assert "test-brands" in names()
    names()
    assert calls == ["kg.extractors"]
    found = extract("我们买了海河牌的电视。", ["test-brands"])
    assert [(m.text, m.component) for m in found] == [("海河牌", "test-brands")]


def test_extract_many_gives_what_extract_gives_text_by_text():
    from kg.extract import extract_many

    texts = ["海河市总工会主席林晓峰说，“职工之家”服务平台已上线。", "", "  ",
             "江北省青禾县县长司马安平和副县长宋晓梅出席了会议。", "ABC", "林晓峰说。" * 40]
    many = extract_many(texts)
    assert len(many) == len(texts)
    for text, ms in zip(texts, many, strict=True):
        one = extract(text)
        assert [(m.text, m.type, m.start, m.end, m.component) for m in ms] == [
            (m.text, m.type, m.start, m.end, m.component) for m in one]
        for a, b in zip(ms, one, strict=True):
            assert abs(a.confidence - b.confidence) < 1e-4


def test_components_without_batch_are_called_once_per_text():
    from kg.extract import extract_many

    seen = []

    @registry.register("test-recorder", "records its calls")
    def make():
        def component(text):
            seen.append(text)
            return []
        return component

    extract_many(["甲。", "乙。", ""], ["test-recorder"])
    assert seen == ["甲。", "乙。"]


def test_name_only_rules_are_not_run_for_a_models_mention_list(monkeypatch):
    from kg.extract import extract_many

    for table in ("_FACTORIES", "_DOCS", "_INSTANCES", "_PRODUCES"):
        monkeypatch.setattr(registry, table, dict(getattr(registry, table)))
    monkeypatch.setattr(registry, "_STATISTICAL", set(registry._STATISTICAL))
    calls = []
    registry.register("test-model", statistical=True)(
        lambda: lambda t: [Mention("林晓峰", "Person", 0, 3, 0.9, "test-model")])

    def names_rule(text):
        calls.append(text)
        return [Mention("林晓峰", "Person", 0, 3, 0.9, "test-names")]

    registry.register("test-names", types=["Person"])(lambda: names_rule)
    assert registry.produces("test-names") == frozenset({"Person"})
    out = extract_many(["林晓峰说"], ["test-model", "test-names"])
    assert [m.component for m in out[0]] == ["test-model"] and calls == []
    # the graph runs it, and so does a list made without a model
    extract_many(["林晓峰说"], ["test-model", "test-names"], nested=True)
    extract_many(["林晓峰说"], ["test-names"])
    assert len(calls) == 2
