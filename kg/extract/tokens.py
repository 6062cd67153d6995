"""Word segmentation with character offsets (jieba), and dictionary part-of-speech lookups."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import jieba
import jieba.posseg

__all__ = ["Token", "tokenize", "tokenize_span", "pos", "segment", "forget", "release", "REMEMBERED_TEXTS"]

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


def release() -> None:
    """Let go of the segmenter (its dictionary: some 55 MB) and of the texts `segment`
    remembers, e.g. once a large build has read every sentence it segments; the next `segment`
    loads the dictionary again (about a second).

    Examples
    --------
    >>> release()
    >>> segment("工会主席说")
    ['工会主席', '说']
    """
    global _SEGMENTER
    with _SEGMENTER_LOCK:
        _SEGMENTER = None
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
    return _placed(segment(text), 0)


def _placed(words: list[str], at: int) -> list[Token]:
    """``words``, consecutive from offset ``at``, as tokens with their dictionary tags."""
    tags = _tags()
    out = []
    for w in words:
        out.append(Token(w, at, at + len(w), tags.get(w, "")))
        at += len(w)
    return out


#: A character jieba segments as part of a block (Han characters, Latin letters, digits, ``+#&._%-``):
#: jieba cuts a text into these blocks first and segments each on its own, and every other
#: character is a word by itself (``\r\n`` is one), so a block's words never depend on the rest.
_BLOCK_CHAR = re.compile(jieba.re_han_default.pattern.strip("()").rstrip("+"))


def _in_block(text: str, k: int) -> bool:
    return _BLOCK_CHAR.match(text, k, k + 1) is not None


def tokenize_span(text: str, start: int, end: int) -> list[Token]:
    """The tokens of :func:`tokenize` ``(text)`` that lie in the blocks jieba cuts around
    ``text[start:end]``, and the token right after them; segmenting only those.

    jieba segments each run of :data:`_BLOCK_CHAR` characters on its own, so these are exactly
    the tokens the whole text's segmentation has there: a component that reads the words around
    one place of a long sentence segments a clause, not the sentence.

    Examples
    --------
    >>> [t.word for t in tokenize_span("据悉，工会主席说，明天开会。", 4, 6)]
    ['工会主席', '说', '，']
    >>> [t.start for t in tokenize_span("据悉，工会主席说，明天开会。", 4, 6)]
    [3, 7, 8]
    """
    a, b = max(0, min(start, len(text))), max(0, min(end, len(text)))
    while a > 0 and _in_block(text, a - 1):
        a -= 1
    while b < len(text) and _in_block(text, b):
        b += 1
    if a > 0 and text.startswith("\r\n", a - 1):
        a -= 1  # a line break is one word
    if a < b < len(text) and text.startswith("\r\n", b - 1):
        b -= 1  # the line break is the word after the blocks
    out = _placed(segment(text[a:b]), a) if b > a else []
    if b < len(text):  # the word after the blocks: one character (or a line break)
        out += _placed(["\r\n" if text.startswith("\r\n", b) else text[b]], b)
    return out
