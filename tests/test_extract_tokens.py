"""kg.extract.tokens: one jieba segmentation of a text, shared by the models and the rules."""

from __future__ import annotations

import jieba

from kg.extract import tokens
from kg.extract.crf import _resources
from kg.extract.tokens import REMEMBERED_TEXTS, forget, segment, tokenize


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
