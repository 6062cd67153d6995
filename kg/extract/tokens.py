"""Word segmentation with character offsets (jieba), and dictionary part-of-speech lookups."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import jieba
import jieba.posseg

__all__ = ["Token", "tokenize", "pos"]

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
    jieba.initialize()
    return jieba.posseg.dt.word_tag_tab


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
    for w in jieba.lcut(text):
        out.append(Token(w, pos_, pos_ + len(w), tags.get(w, "")))
        pos_ += len(w)
    return out
