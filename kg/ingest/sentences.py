"""Split a paragraph (a list of source pieces) into sentences, keeping quoted speech whole."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

__all__ = ["split_pieces", "TERMINALS", "CLOSERS", "MAX_SENTENCE"]

TERMINALS = "。！？!?"
ELLIPSIS = "…"
CLOSERS = "”’」』）)》"
_OPEN_CLOSE = {"“": "”", "「": "」", "『": "』", "‘": "’"}
_MAX_QUOTED = 400  # a quote left open this long is a typo, not speech: stop protecting it
_SPACES = " \t\u3000\u00a0"
#: A sentence is at most this many characters: a longer run without a sentence end (a list,
#: a table flattened into one line, generated text) is cut at a clause mark or a space near
#: the bound, or at the bound. Every later stage then works on pieces of bounded length, so a
#: build's time grows linearly with its text (the longest sentences of real news are a few
#: hundred characters).
MAX_SENTENCE = 1000
# where a too-long sentence is best cut (after the mark)
_SOFT = "，、；;：:," + _SPACES


def split_pieces(text: str, pieces: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Split the concatenation of ``pieces`` (spans of ``text``) into sentences.

    Returns, for each sentence, the source spans it covers. Sentences end after 。！？ (and
    ……) with any closing quotes, but not inside quoted speech: ``“……。”他说。`` is one
    sentence. Leading and trailing spaces are not part of a sentence. A sentence longer than
    :data:`MAX_SENTENCE` characters is cut (see there). Time and memory are linear in the
    length of the text.

    Examples
    --------
    >>> t = "“我们做到了。”他说。第二句！"
    >>> ["".join(t[a:b] for a, b in s) for s in split_pieces(t, [(0, len(t))])]
    ['“我们做到了。”他说。', '第二句！']
    >>> t = "上半句\\n\\n下半句。"
    >>> ["".join(t[a:b] for a, b in s) for s in split_pieces(t, [(0, 3), (5, 9)])]
    ['上半句下半句。']
    >>> t = "甲" * 1500 + "乙，" * 300
    >>> [sum(b - a for a, b in s) for s in split_pieces(t, [(0, len(t))])]
    [1000, 1000, 100]
    """
    flat = "".join(text[a:b] for a, b in pieces)
    out: list[list[tuple[int, int]]] = []
    starts: list[int] = []  # offset in ``flat`` where each piece begins
    k = 0
    for a, b in pieces:
        starts.append(k)
        k += b - a
    for fs, fe in _sentences(flat):
        for s, e in _bounded(flat, fs, fe):
            out.append(_source_spans(pieces, starts, s, e))
    return out


def _sentences(flat: str) -> Iterator[tuple[int, int]]:
    """``[start, end)`` of each sentence of ``flat``, without surrounding spaces."""
    n = len(flat)
    stack: list[tuple[str, int]] = []
    start = 0  # where the current sentence began
    depth = 0  # open round brackets in the current sentence
    i = 0
    while i < n:
        ch = flat[i]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
        if ch in _OPEN_CLOSE:
            # ‘ ’ are also apostrophes in some texts; only track them inside double quotes or at depth 0
            stack.append((_OPEN_CLOSE[ch], i))
        elif stack and ch == stack[-1][0]:
            _closer, opened = stack.pop()
            # speech introduced by a colon (他说：“……。”) ends its sentence with the closing quote
            if (not stack and i >= 1 and flat[i - 1] in TERMINALS + ELLIPSIS and opened >= 1
                    and flat[opened - 1] in "：:"):
                yield from _stripped(flat, start, i + 1)
                start, depth = i + 1, 0
                i += 1
                continue
        elif ch in "”」』" and stack:
            # mismatched closer: pop to the matching opener if present
            while stack and stack[-1][0] != ch:
                stack.pop()
            if stack:
                stack.pop()
        if stack and i - stack[0][1] > _MAX_QUOTED:
            stack.clear()
        end_here = False
        if not stack and (ch in TERMINALS or (ch == ELLIPSIS and i + 1 < n and flat[i + 1] != ELLIPSIS)):
            end_here = True
        elif not stack and ch == ELLIPSIS and i + 1 == n:
            end_here = True
        if end_here:
            # swallow further terminal marks and closing quotes/brackets
            while i + 1 < n and (flat[i + 1] in TERMINALS + CLOSERS or flat[i + 1] == ELLIPSIS):
                nxt = flat[i + 1]
                if nxt in "）)":
                    if depth <= 0:  # closes no bracket opened in this sentence
                        break
                    depth -= 1
                i += 1
            yield from _stripped(flat, start, i + 1)
            start, depth = i + 1, 0
        i += 1
    yield from _stripped(flat, start, n)


def _stripped(flat: str, s: int, e: int) -> Iterator[tuple[int, int]]:
    while s < e and flat[s] in _SPACES:
        s += 1
    while e > s and flat[e - 1] in _SPACES:
        e -= 1
    if e > s:
        yield s, e


def _bounded(flat: str, s: int, e: int, limit: int = MAX_SENTENCE) -> Iterator[tuple[int, int]]:
    """``[s, e)`` cut into parts of at most ``limit`` characters, after a clause mark or space if
    there is one in the second half of the part."""
    while e - s > limit:
        cut = s + limit
        for j in range(s + limit, s + limit // 2, -1):
            if flat[j - 1] in _SOFT:
                cut = j
                break
        yield from _stripped(flat, s, cut)
        s = cut
        while s < e and flat[s] in _SPACES:
            s += 1
    if e > s:
        yield s, e


def _source_spans(pieces: list[tuple[int, int]], starts: list[int], s: int, e: int) -> list[tuple[int, int]]:
    """The source spans of ``flat[s:e]``; pieces that touch in the source are joined."""
    spans: list[tuple[int, int]] = []
    k = bisect_right(starts, s) - 1
    while s < e:
        a, b = pieces[k]
        lo = a + (s - starts[k])
        hi = min(b, lo + (e - s))
        if lo < hi:
            if spans and spans[-1][1] == lo:
                spans[-1] = (spans[-1][0], hi)
            else:
                spans.append((lo, hi))
            s += hi - lo
        k += 1
    return spans
