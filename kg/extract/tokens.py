"""Word segmentation with character offsets (jieba), and dictionary part-of-speech lookups."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import jieba
import jieba.posseg

__all__ = ["Token", "tokenize", "pos", "segment", "forget", "REMEMBERED_TEXTS"]

jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True)
class Token:
    """A word of a text: ``text[start:end] == word``; ``tag`` is jieba's dictionary POS ('' if unknown)."""

    word: str
    start: int
    end: int
    tag: str


@lru_cache(maxsize=1)
def _tags() -> dict[str, str]:
    """The part-of-speech tags of jieba's main dictionary (read when ``jieba.posseg`` is imported)."""
    return jieba.posseg.dt.word_tag_tab


#: `segment` remembers the words of this many texts (then starts afresh): the extractor's
#: models and every rule component segment the same sentence, once.
REMEMBERED_TEXTS = 4096

_SEGMENTER: jieba.Tokenizer | None = None
_V = TypeVar("_V")
_SEGMENTER_LOCK = threading.Lock()
_SEGMENTS: dict[str, list[str]] = {}


def _segmenter() -> jieba.Tokenizer:
    """kg's own jieba tokenizer (unaffected by words anyone adds to jieba's default one), loaded
    once: each takes about 65 MB."""
    global _SEGMENTER
    with _SEGMENTER_LOCK:
        if _SEGMENTER is None:
            t = jieba.Tokenizer()
            t.initialize()
            _SEGMENTER = t
    return _SEGMENTER


def segment(text: str) -> list[str]:
    """jieba's words of ``text`` (HMM on, so unseen names stay whole), remembered for the last
    :data:`REMEMBERED_TEXTS` texts. The list is shared: do not change it.

    Examples
    --------
    >>> segment("工会主席说")
    ['工会主席', '说']
    """
    return _remember(_SEGMENTS, text, lambda: _segmenter().lcut(text, HMM=True), REMEMBERED_TEXTS)


def _remember(cache: dict[str, _V], key: str, make: Callable[[], _V], limit: int) -> _V:
    """``cache[key]``, made by ``make()`` when missing; the cache is emptied when it holds ``limit``."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= limit:
            cache.clear()
        value = cache[key] = make()
    return value


def forget() -> None:
    """Forget the texts `segment` remembers (a benchmark times segmentation again)."""
    _SEGMENTS.clear()


def pos(word: str) -> str:
    """jieba's dictionary tag of ``word`` ('' when the word is not in the dictionary).

    Examples
    --------
    >>> pos("委员会"), pos("表示")
    ('n', 'v')
    """
    return _tags().get(word, "")


def tokenize(text: str) -> list[Token]:
    """Segment ``text`` with jieba (HMM on, so unseen names stay whole) keeping offsets.

    Examples
    --------
    >>> [t.word for t in tokenize("工会主席说")]
    ['工会主席', '说']
    """
    tags = _tags()
    out = []
    pos_ = 0
    for w in segment(text):
        out.append(Token(w, pos_, pos_ + len(w), tags.get(w, "")))
        pos_ += len(w)
    return out
