"""Shared helpers for the rule components: noun-phrase extension over jieba tokens, suffix matching."""

from __future__ import annotations

from functools import lru_cache

from kg.extract.lexicon import chars, longest_suffix, words
from kg.extract.tokens import Token, tokenize

__all__ = ["tokens_of", "is_nounish", "extend_left", "match_suffix", "BOUNDARY_WORDS", "is_cjk"]

#: Words that never sit inside a name: function words, determiners, common verbs of news prose.
BOUNDARY_WORDS = words("boundary_words.txt")

_NOT_NAME_START = frozenset(chars("not_name_start"))
_NOT_NAME_START_WORDS = tuple(sorted(words("not_name_starts.txt")))
_DATELINE_ENDS = chars("dateline_ends")
_NOUN_TAGS = ("n", "nr", "ns", "nt", "nz", "nrt", "nrfg", "j", "vn", "an", "eng", "b", "l", "i", "s", "")


@lru_cache(maxsize=512)
def tokens_of(text: str) -> tuple[Token, ...]:
    """Cached :func:`kg.extract.tokens.tokenize` (components share one segmentation per text)."""
    return tuple(tokenize(text))


def is_cjk(ch: str) -> bool:
    """True for a CJK unified ideograph."""
    return "\u4e00" <= ch <= "\u9fff"


def is_nounish(tok: Token) -> bool:
    """Can ``tok`` be part of a proper name (noun-like, unknown word, Latin, digits)?"""
    w = tok.word
    if w in BOUNDARY_WORDS or not w.strip():
        return False
    if not all(is_cjk(c) or c.isalnum() or c in "·-" for c in w):
        return False
    if tok.tag.startswith(("v", "p", "c", "u", "d", "r", "y", "e", "o", "q", "t", "f", "a", "z")) and \
            tok.tag not in ("vn", "an"):
        return False
    if tok.tag in ("l", "i", "") and (w[0] in _NOT_NAME_START or w.startswith(_NOT_NAME_START_WORDS)):
        return False
    if w == "第":
        return True  # 第八厂
    if w[-1] in _DATELINE_ENDS and len(w) <= 3:
        return False  # 本报讯, 5日电: a dateline, not a name
    if tok.tag == "m" or (tok.tag == "" and w.isdigit()):
        return w.isdigit() or w.isascii()
    return tok.tag in _NOUN_TAGS or tok.tag.startswith("n")


def extend_left(toks: tuple[Token, ...], i: int, max_chars: int = 24,
                stop_words: frozenset[str] = frozenset()) -> int:
    """Index of the first token of the noun phrase that ends with token ``i``.

    Walks left over noun-like tokens; stops at function words, verbs, punctuation and any
    word in ``stop_words`` (for instance the end of an organization name).
    """
    j = i
    start_char = toks[i].start
    end_char = toks[i].end
    while j > 0:
        prev = toks[j - 1]
        if prev.word in stop_words or not is_nounish(prev):
            break
        if end_char - prev.start > max_chars:
            break
        j -= 1
        start_char = prev.start
    del start_char
    return j


def match_suffix(word_text: str, lexicon: str) -> str | None:
    """The longest entry of ``lexicon`` that ``word_text`` ends with, or None.

    Examples
    --------
    >>> match_suffix("市总工会", "org_suffixes.txt")
    '总工会'
    """
    return longest_suffix(word_text, lexicon)

