"""Traditional characters read as simplified, one character for one, for the extraction models.

The models and lexicons know simplified Chinese. Taiwanese and Hong Kong news (Big5, or UTF-8)
is written in traditional characters: :func:`to_simplified` gives the models a simplified copy of
the same length, character ``i`` for character ``i``, so every offset found in the copy points
into the original text unchanged (OpenCC's ``t2s`` conversion, kept only where it does not
change the length).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

# imported with kg.ingest, not at the first traditional character: opencc's import turns an
# interrupt that arrives while it loads into an ImportError (a traceback instead of "Aborted.")
import opencc

if TYPE_CHECKING:
    from kg.model import Document

__all__ = ["to_simplified", "is_traditional", "model_text"]

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=1)
def _t2s():  # noqa: ANN202 - an opencc.OpenCC
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _char(ch: str) -> str:
    out = _t2s().convert(ch)
    return out if len(out) == 1 else ch


def _is_han(ch: str) -> bool:
    return bool(_HAN_RUN.fullmatch(ch))


def to_simplified(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones; the same length.

    Phrases are converted as OpenCC converts them where that keeps their length, otherwise
    character by character.

    Examples
    --------
    >>> to_simplified("臺北市政府舉辦記者會，林曉峰說：「很好。」")
    '台北市政府举办记者会，林晓峰说：「很好。」'
    >>> to_simplified("海河市总工会") == "海河市总工会"
    True
    """
    if not text.isascii():
        whole = _t2s().convert(text)
        if len(whole) == len(text) and all(a == b or (_is_han(a) and _is_han(b)) for a, b in zip(text, whole, strict=True)):
            return whole
        return _HAN_RUN.sub(_run, text)
    return text


def _run(m: re.Match[str]) -> str:
    run = m.group()
    out = _t2s().convert(run)
    return out if len(out) == len(run) else "".join(_char(c) for c in run)


def is_traditional(text: str, sample: int = 20_000) -> bool:
    """Whether ``text`` is written in traditional characters: at least 10% of its Chinese
    characters (and at least 3) are traditional forms. Simplified text, where ``t2s`` would
    only turn a rare character into another (乾 → 干), is left alone.

    Examples
    --------
    >>> is_traditional("臺北市政府舉辦記者會"), is_traditional("乾隆年间的海河市总工会")
    (True, False)
    """
    head = text[:sample]
    han = sum(len(r) for r in _HAN_RUN.findall(head))
    if han == 0:
        return False
    simplified = to_simplified(head)  # the same length
    if simplified == head:  # most news: compared at C's speed, not character by character
        return False
    changed = sum(map(str.__ne__, head, simplified))
    return changed >= 3 and changed >= 0.1 * han


#: Encodings of traditional Chinese: a document read in one is always normalised.
TRADITIONAL_ENCODINGS = ("big5", "cp950", "big5hkscs")


def model_text(document: Document) -> Callable[[str], str]:
    """How the extractor reads the text of ``document``: :func:`to_simplified` for a document
    in traditional characters (read as Big5, or :func:`is_traditional`), else as it is.

    Examples
    --------
    >>> from kg.model import Document
    >>> doc = Document("a.txt", "臺北市政府舉辦記者會。", "", "big5")
    >>> model_text(doc)("記者會")
    '记者会'
    """
    if document.encoding.split("+")[0] in TRADITIONAL_ENCODINGS or is_traditional(document.text):
        return to_simplified
    return _same


def _same(text: str) -> str:
    return text
