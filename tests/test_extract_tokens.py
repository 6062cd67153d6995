"""kg.extract.tokens: one jieba segmentation of a text, shared by the models and the rules."""

from __future__ import annotations

import random

import jieba
import pytest

from kg.extract import tokens
from kg.extract.crf import _resources
from kg.extract.tokens import REMEMBERED_TEXTS, forget, segment, tokenize, tokenize_span


def test_a_text_is_segmented_once_for_the_models_and_the_rules() -> None:
    text = "海河市总工会主席林晓峰今天出席了职工代表大会。"
    words = segment(text)
    assert "".join(words) == text and "总工会" in words
    assert _resources()[0].cut(text) is words  # the CRF's and BiLSTM's features read the same list
    assert [t.word for t in tokenize(text)] == words
    forget()
    again = segment(text)
    assert again == words and again is not words


def test_segmentation_ignores_words_added_to_jieba_s_own_dictionary() -> None:
    text = "林晓峰出席了职工代表大会。"
    before = segment(text)
    forget()
    jieba.add_word("峰出席", freq=10**8)
    try:
        assert "峰出席" in jieba.lcut(text)
        assert segment(text) == before
    finally:
        jieba.del_word("峰出席")


def test_the_remembered_texts_are_bounded() -> None:
    forget()
    for k in range(REMEMBERED_TEXTS + 10):
        segment(f"第{k}次会议")
    assert len(tokens._SEGMENTS) <= REMEMBERED_TEXTS


#: Pieces the texts of the span test are made of: words, names, numbers, Latin, punctuation, spaces.
_PIECES = ["海河市", "总工会", "主席", "林晓峰", "今天", "出席", "了", "职工代表大会", "宣布", "辞职", "，", "。",
           "、", "“", "”", "（", "）", "2019年", "5月", "GDP", "3.5%", " ", "\r\n", "\n", "和", "在", "北京",
           "召开", "会议", "！", "ABC-1", "＋", "中华人民共和国", "成立", "的"]


@pytest.mark.parametrize("seed", range(40))
def test_a_span_is_segmented_as_the_whole_text_segments_it(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 30)))
    whole = tokenize(text)
    for _ in range(10):
        start = rng.randrange(0, len(text) + 1)
        end = rng.randrange(start, len(text) + 1)
        span = tokenize_span(text, start, end)
        if not span:
            assert start == len(text)
            continue
        assert span == [t for t in whole if span[0].start <= t.start and t.end <= span[-1].end]
        assert span[0].start <= start and (end <= span[-1].end or end == len(text))
        covering = [t for t in whole if t.start < end and start < t.end]
        assert all(t in span for t in covering)


def test_a_span_segments_only_its_own_blocks() -> None:
    text = "据悉，工会主席说，明天开会。"
    forget()
    assert [t.word for t in tokenize_span(text, 4, 6)] == ["工会主席", "说", "，"]
    assert text not in tokens._SEGMENTS and "工会主席说" in tokens._SEGMENTS
