"""Shared helpers for the rule components: noun-phrase extension over jieba tokens, suffix matching."""

from __future__ import annotations

from functools import lru_cache

from kg.extract.lexicon import longest_suffix, words
from kg.extract.tokens import Token, tokenize

__all__ = ["tokens_of", "is_nounish", "extend_left", "match_suffix", "BOUNDARY_WORDS", "is_cjk"]

#: Words that never sit inside a name: function words, determiners, common verbs of news prose.
BOUNDARY_WORDS = frozenset(
    "的 地 得 在 和 与 及 或 是 将 对 为 由 从 向 把 被 让 给 经 据 以 等 了 着 过 也 都 还 就 又 "
    "这 那 该 各 其 本 此 我 你 他 她 它 我们 他们 她们 每 每个 一个 首个 一批 全面 积极 主动 "
    "近年来 今年 去年 明年 目前 如今 当前 随着 通过 根据 按照 围绕 针对 关于 作为 成为 "
    "打造 建立 建设 构建 推出 推动 推进 实施 开展 开通 组建 组织 联合 成立 设立 举行 举办 召开 "
    "加入 参加 来到 走进 位于 前往 带动 探索 形成 实现 完成 促成 达成 获得 荣获 登上 "
    "多 个 名 位 家 项 场 次 年 月 日 号 讯 电 暨 所有 唯一 利用 会见 时期 期间 学府".split())

_NOT_NAME_START = frozenset("这那该是在和与及的没不未很都要能可把被让给得着了过就也还又")
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
    if tok.tag in ("l", "i", "") and (w[0] in _NOT_NAME_START or w.startswith(("这是", "就是", "没想到"))):
        return False
    if w == "第":
        return True  # 第八厂
    if w[-1] in "讯电" and len(w) <= 3:
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


def lexicon_has(word: str, lexicon: str) -> bool:
    """Is ``word`` an entry of ``lexicon``?"""
    return word in words(lexicon)
