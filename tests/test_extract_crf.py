"""Tests of the CRF NER component (kg.extract.crf) on sentences invented for the tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import ModelError
from kg.extract.crf import (
    MODEL_PATH,
    TYPE_MAP,
    CRFTagger,
    PrefixMatcher,
    SuffixMatcher,
    sentence_features,
    spans_from_labels,
    split_chunks,
)
from kg.extract.registry import description, get, names
from kg.model import Mention

__all__: list[str] = []

pytestmark = pytest.mark.skipif(not MODEL_PATH.is_file(), reason="CRF model not trained")

# invented people and organizations
SENT_PER_ORG = "记者欧阳明远报道：江北市科技局昨天召开座谈会。"
# jieba cuts this unknown name as 欧阳明/远 and the CRF follows the cut (known weakness)
SENT_HARD = "记者欧阳明远昨天在某某市科技局主持召开座谈会。"
SENT_LOC = "代表团从江北省青禾县出发，前往南岭乡考察农业生产。"
SENT_PER2 = "青禾县县长司马安平和副县长宋晓梅出席了会议。"


@pytest.fixture(scope="module")
def crf():
    return get("crf")


def _check(text: str, mentions: list[Mention]) -> None:
    for m in mentions:
        assert isinstance(m, Mention)
        assert text[m.start:m.end] == m.text
        assert m.type in {"Person", "Place", "Organization"}
        assert 0.0 < m.confidence <= 1.0
        assert m.component == "crf"
    spans = [(m.start, m.end) for m in mentions]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_registered():
    assert "crf" in names()
    assert "CRF" in description("crf")
    assert callable(get("crf"))


def test_person_and_organization(crf):
    ms = list(crf(SENT_PER_ORG))
    _check(SENT_PER_ORG, ms)
    found = {(m.text, m.type) for m in ms}
    assert ("欧阳明远", "Person") in found
    person = next(m for m in ms if m.text == "欧阳明远")
    assert (person.start, person.end) == (2, 6)
    orgs = [m for m in ms if m.type == "Organization"]
    assert [(m.text, m.start, m.end) for m in orgs] == [("江北市科技局", 9, 15)]


@pytest.mark.xfail(reason="jieba segments the unseen name as 欧阳明/远; the CRF follows it", strict=False)
def test_person_split_by_segmenter(crf):
    ms = list(crf(SENT_HARD))
    _check(SENT_HARD, ms)
    assert ("欧阳明远", "Person") in {(m.text, m.type) for m in ms}
    assert any(m.type == "Organization" and m.text.endswith("科技局") for m in ms)


def test_places(crf):
    ms = list(crf(SENT_LOC))
    _check(SENT_LOC, ms)
    places = {m.text for m in ms if m.type == "Place"}
    assert "南岭乡" in places
    assert places & {"江北省", "青禾县", "江北省青禾县"}


def test_people_with_titles(crf):
    ms = list(crf(SENT_PER2))
    _check(SENT_PER2, ms)
    people = {m.text for m in ms if m.type == "Person"}
    assert {"司马安平", "宋晓梅"} <= people


def test_offsets_in_a_larger_text(crf):
    prefix = "  第一段没有名字。\n\n"
    text = prefix + SENT_PER_ORG + "\r\n" + SENT_PER2
    ms = list(crf(text))
    _check(text, ms)
    person = next(m for m in ms if m.text == "欧阳明远")
    assert person.start == len(prefix) + 2


def test_empty_and_blank(crf):
    assert list(crf("")) == []
    assert list(crf("   \n\t ")) == []


def test_latin_and_digits(crf):
    for text in ("Hello World, IBM and Apple.", "2024-05-01 12:30", "!!!???。。。", "ÀÉÎ ñ ß ü"):
        ms = list(crf(text))
        _check(text, ms)


def test_very_long_input(crf):
    text = (SENT_PER_ORG + SENT_PER2) * 300 + "欧" * 5000 + SENT_PER_ORG
    ms = list(crf(text))
    _check(text, ms)
    hits = [m for m in ms if m.text == "欧阳明远"]
    assert len(hits) >= 300
    assert hits[-1].start == len(text) - len(SENT_PER_ORG) + 2


def test_confidence_orders_sensibly(crf):
    ms = list(crf(SENT_PER_ORG))
    person = next(m for m in ms if m.text == "欧阳明远")
    assert person.confidence > 0.5


def test_tagger_labels_match_mentions():
    tagger = CRFTagger()
    labels = tagger.labels(SENT_PER_ORG)
    assert len(labels) == len(SENT_PER_ORG)
    spans = [(a, b, TYPE_MAP[t]) for a, b, t in spans_from_labels(labels)]
    assert spans == [(m.start, m.end, m.type) for m in tagger.tag(SENT_PER_ORG)]
    with pytest.raises(ModelError, match="train_crf"):
        CRFTagger(MODEL_PATH.with_name("missing.crfsuite"))


def test_an_unreadable_model_is_a_model_error(tmp_path):
    bad = tmp_path / "bad.crfsuite"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a readable CRF model"):
        CRFTagger(bad)


def test_features_one_list_per_char():
    text = "ABC 公司，2024年 欧阳明远！"
    fs = sentence_features(text)
    assert len(fs) == len(text)
    assert all(isinstance(f, str) for row in fs for f in row)
    assert sentence_features("") == []


def test_lexicon_matchers():
    places = PrefixMatcher({"江北": False, "江北省": False, "青禾县": False})
    assert places.codes("") == []
    assert places.codes("从江北省青禾县出发") == ["-", "B3", "M3", "E3", "B3", "M3", "E3", "-", "-"]
    assert places.codes("江北") == ["B2", "E2"]
    ends = SuffixMatcher({"公司": False, "有限公司": False, "局": True})
    assert ends.codes("某有限公司的局") == ["-", "B", "M", "M", "E", "-", "s"]
    assert ends.codes("") == []


def test_gazetteer_and_suffix_features():
    fs = sentence_features("江北市科技局在北京召开会议")
    assert "gz=B2" in fs[7] and "gz=E2" in fs[8]  # 北京 is in the gazetteer
    assert any(f.startswith("os=") and f != "os=--" for f in fs[5])  # 局 ends an organization
    assert "gz=-" in fs[10]


def test_spans_from_labels_lenient():
    assert spans_from_labels([]) == []
    assert spans_from_labels(["O", "M-PER", "E-PER", "O"]) == [(1, 3, "PER")]
    assert spans_from_labels(["B-PER", "B-LOC", "E-LOC"]) == [(0, 1, "PER"), (1, 3, "LOC")]
    assert spans_from_labels(["B-ORG", "M-ORG", "E-LOC"]) == [(0, 2, "ORG"), (2, 3, "LOC")]
    assert spans_from_labels(["S-ORG", "S-ORG"]) == [(0, 1, "ORG"), (1, 2, "ORG")]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("甲乙丙丁欧阳明远局县，。！？；\n \r、ab1")), max_size=400),
       st.integers(min_value=4, max_value=60))
def test_split_chunks_properties(text, max_len):
    chunks = list(split_chunks(text, max_len))
    prev = 0
    for s, e in chunks:
        assert prev <= s < e <= len(text)
        assert e - s <= max_len
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert "\n" not in text[s:e] and "\r" not in text[s:e]
        prev = e
    covered = {i for s, e in chunks for i in range(s, e)}
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=0, max_size=120))
def test_any_text_gives_true_offsets(text):
    _check(text, list(get("crf")(text)))
