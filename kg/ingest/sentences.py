"""Split a paragraph (a list of source pieces) into sentences, keeping quoted speech whole."""

from __future__ import annotations

__all__ = ["split_pieces", "TERMINALS", "CLOSERS"]

TERMINALS = "。！？!?"
ELLIPSIS = "…"
CLOSERS = "”’」』）)》"
_OPEN_CLOSE = {"“": "”", "「": "」", "『": "』", "‘": "’"}
_MAX_QUOTED = 400  # a quote left open this long is a typo, not speech: stop protecting it


def split_pieces(text: str, pieces: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Split the concatenation of ``pieces`` (spans of ``text``) into sentences.

    Returns, for each sentence, the source spans it covers. Sentences end after 。！？ (and
    ……) with any closing quotes, but not inside quoted speech: ``“……。”他说。`` is one
    sentence. Leading and trailing spaces are not part of a sentence.

    Examples
    --------
    >>> t = "“我们做到了。”他说。第二句！"
    >>> ["".join(t[a:b] for a, b in s) for s in split_pieces(t, [(0, len(t))])]
    ['“我们做到了。”他说。', '第二句！']
    >>> t = "上半句\\n\\n下半句。"
    >>> ["".join(t[a:b] for a, b in s) for s in split_pieces(t, [(0, 3), (5, 9)])]
    ['上半句下半句。']
    """
    # flatten to (char, source offset)
    chars: list[tuple[str, int]] = [(text[i], i) for a, b in pieces for i in range(a, b)]
    sentences: list[list[int]] = []
    cur: list[int] = []
    stack: list[tuple[str, int]] = []
    n = len(chars)
    i = 0
    while i < n:
        ch, off = chars[i]
        cur.append(i)
        if ch in _OPEN_CLOSE:
            # ‘ ’ are also apostrophes in some texts; only track them inside double quotes or at depth 0
            stack.append((_OPEN_CLOSE[ch], i))
        elif stack and ch == stack[-1][0]:
            _closer, opened = stack.pop()
            # speech introduced by a colon (他说：“……。”) ends its sentence with the closing quote
            if (not stack and i >= 1 and chars[i - 1][0] in TERMINALS + ELLIPSIS and opened >= 1
                    and chars[opened - 1][0] in "：:"):
                sentences.append(cur)
                cur = []
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
        if not stack and (ch in TERMINALS or (ch == ELLIPSIS and i + 1 < n and chars[i + 1][0] != ELLIPSIS)):
            end_here = True
        elif not stack and ch == ELLIPSIS and i + 1 == n:
            end_here = True
        if end_here:
            # swallow further terminal marks and closing quotes/brackets
            while i + 1 < n and (chars[i + 1][0] in TERMINALS + CLOSERS or chars[i + 1][0] == ELLIPSIS):
                nxt = chars[i + 1][0]
                if nxt in "）)" and not _closes_open_bracket(chars, cur):
                    break
                i += 1
                cur.append(i)
            sentences.append(cur)
            cur = []
        i += 1
    if cur:
        sentences.append(cur)
    out: list[list[tuple[int, int]]] = []
    for idxs in sentences:
        # strip spaces at both ends
        while idxs and chars[idxs[0]][0] in " \t\u3000\u00a0":
            idxs = idxs[1:]
        while idxs and chars[idxs[-1]][0] in " \t\u3000\u00a0":
            idxs = idxs[:-1]
        if not idxs:
            continue
        spans: list[tuple[int, int]] = []
        for k in idxs:
            off = chars[k][1]
            if spans and spans[-1][1] == off:
                spans[-1] = (spans[-1][0], off + 1)
            else:
                spans.append((off, off + 1))
        out.append(spans)
    return out


def _closes_open_bracket(chars: list[tuple[str, int]], cur: list[int]) -> bool:
    depth = 0
    for k in cur:
        c = chars[k][0]
        if c in "（(":
            depth += 1
        elif c in "）)":
            depth -= 1
    return depth > 0
