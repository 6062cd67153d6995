"""Programs: named reforms, mechanisms, methods, platforms, hotlines, honours, laws and regulations."""

from __future__ import annotations

import re

from kg.confidence import (
    PROGRAM_INNER_TITLE,
    PROGRAM_LAW_TITLE,
    PROGRAM_LAW_WORD,
    PROGRAM_PHRASE,
    PROGRAM_PHRASE_AFTER_VERB,
    PROGRAM_PHRASE_PROPER,
    PROGRAM_QUOTED,
    PROGRAM_QUOTED_AFTER_VERB,
    PROGRAM_QUOTED_BY_CONTEXT,
    PROGRAM_QUOTED_WITH_WORD,
    PROGRAM_TITLE,
)
from kg.extract.lexicon import chars, entries, last_chars, longest_suffix, table, words
from kg.extract.phrases import is_cjk, tokens_of
from kg.extract.registry import register
from kg.extract.tokens import Token
from kg.model import Mention
from kg.schema import PROGRAM

__all__ = ["find_programs", "program_suffix"]

_TRIGGERS = entries("program_triggers.txt")
_GENERIC = words("program_generic.txt")
_NOT_LAW = words("not_law_words.txt")
_NOT_LAW_ENDS = tuple(sorted(_NOT_LAW))
_LAW_TITLES = words("program_law_titles.txt")
_QUOTE = re.compile(r"“([^“”]{1,60})”|‘([^‘’]{1,40})’")
_BOOK = re.compile(r"《([^《》]{1,80})》")
_INNER_BOOK = re.compile(r"〈([^〈〉]{1,60})〉")


def program_suffix(phrase: str) -> tuple[str, str] | None:
    """``(suffix, kind)`` when ``phrase`` ends with a program word (kind: '', 'law' or 'honour')."""
    suf = longest_suffix(phrase, "program_suffixes.txt")
    return (suf, table("program_suffixes.txt")[suf]) if suf else None


_FUNCTION = words("program_stop_words.txt")
#: “三大平台”: a count of programs, not one.
_COUNT = re.compile(f"[{chars('count_numerals')}]+[{chars('count_measures')}]")
#: ……“某某”等一批做法: a list of quoted names that ends with a kind of practice.
_FOLLOWED = re.compile(r"[^，。；！？]{0,30}?等[\u4e00-\u9fff]{0,8}?(?:" + "|".join(entries("program_practice_words.txt"))
                       + ")")


def _phrase_tokens_ok(tok: Token, inside_quote_phrase: bool = False) -> bool:
    w = tok.word
    if w in _FUNCTION or (w in _TRIGGERS and not (inside_quote_phrase and w == "创新")):
        return False
    if not all(is_cjk(c) or c.isalnum() for c in w):
        return False
    return not tok.tag.startswith(("p", "c", "u", "d", "r", "y", "e", "o", "f", "q"))


def _suffix_after(text: str, toks: tuple[Token, ...], pos: int, max_chars: int = 8) -> int | None:
    """End of a program-word phrase starting at ``pos`` (“…”宣讲体系, “…”的创新模式), or None."""
    k = next((i for i, t in enumerate(toks) if t.start == pos), None)
    if k is None:
        return None
    if toks[k].word == "的":
        k += 1
    best = None
    acc = ""
    start = toks[k].start if k < len(toks) else pos
    while k < len(toks) and toks[k].end - start <= max_chars and (
            _phrase_tokens_ok(toks[k], True) or program_suffix(acc + toks[k].word)):
        acc += toks[k].word
        if program_suffix(acc):
            best = toks[k].end
        k += 1
    return best


class _Found:
    """The program mentions of one text so far, and the spans they take."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[Mention] = []
        self.taken: list[tuple[int, int]] = []

    def add(self, s: int, e: int, conf: float) -> None:
        if e - s < 3:
            return
        self.out.append(Mention(self.text[s:e], PROGRAM, s, e, conf, "programs"))
        self.taken.append((s, e))

    def starts_inside(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.taken)


def _book_titles(found: _Found) -> None:
    """《laws》 and 《titles》 ending with a program word, and a law named inside one (〈某某法〉)."""
    for m in _BOOK.finditer(found.text):
        inner = m.group(1)
        suf = program_suffix(inner)
        if suf and (suf[1] == "law" or suf[0] in _LAW_TITLES):
            found.add(m.start(), m.end(), PROGRAM_LAW_TITLE)
        elif suf:
            found.add(m.start(), m.end(), PROGRAM_TITLE)
        for n in _INNER_BOOK.finditer(inner):
            if program_suffix(n.group(1)):
                found.add(m.start(1) + n.start(), m.start(1) + n.end(), PROGRAM_INNER_TITLE)


def _quoted_program(found: _Found, m: re.Match[str], q: str) -> None:
    """A quote that ends with a program word: the whole quote, or what the verb it starts with acts on."""
    lead = next((t for t in _TRIGGERS if q.startswith(t) and len(q) - len(t) >= 4), None)
    if lead:  # “推进某某改革”: the program is what the verb acts on
        found.add(m.start(1) + len(lead), m.end(1), PROGRAM_QUOTED)
    else:
        found.add(m.start(), m.end(), PROGRAM_QUOTED)


def _quoted_by_context(found: _Found, m: re.Match[str], q: str) -> None:
    """A short quote without a program word, a program by its context (a verb before, a list after)."""
    text = found.text
    before = text[max(0, m.start() - 4):m.start()]
    listed = text[m.end():m.end() + 1] in ("“",) or text[m.start() - 1:m.start()] == "”"
    followed = _FOLLOWED.match(text[m.end():])
    after_verb = any(before.endswith(t) for t in _TRIGGERS)
    if re.search(r"[+＋·]|\d", q) and not re.fullmatch(r"[\d.%％]+", q):
        found.add(m.start(), m.end(), PROGRAM_QUOTED_BY_CONTEXT)
    elif after_verb and (listed or followed):
        found.add(m.start(), m.end(), PROGRAM_QUOTED_BY_CONTEXT)
    elif after_verb and len(q) >= 4 and "、" not in q:
        found.add(m.start(), m.end(), PROGRAM_QUOTED_AFTER_VERB)
    elif followed and (tail := re.match(r"[\u4e00-\u9fff]{0,3}(?=[、等“‘])", text[m.end():])):
        # an enumeration of named practices: ‘某某’减负、‘某某’等一批做法
        found.add(m.start(), m.end() + len(tail.group()), PROGRAM_QUOTED_BY_CONTEXT)
    elif listed and followed:
        found.add(m.start(), m.end(), PROGRAM_QUOTED_BY_CONTEXT)


def _quotes(found: _Found, toks: tuple[Token, ...]) -> None:
    """Quoted names: followed by a program word (“…”工作法), ending with one, or named by their context."""
    for m in _QUOTE.finditer(found.text):
        q = m.group(1) or m.group(2)
        if found.starts_inside(m.start()):
            continue
        end = _suffix_after(found.text, toks, m.end())
        if end is not None:
            found.add(m.start(), end, PROGRAM_QUOTED_WITH_WORD)
            continue
        if _COUNT.match(q):
            continue  # “三大平台”: a count of programs, not one
        if len(q) >= 3 and program_suffix(q) and q not in _GENERIC:
            _quoted_program(found, m, q)
            continue
        if len(q) > 14 or re.search(r"[，。！？；]", q):
            continue
        _quoted_by_context(found, m, q)


def _is_law_word(tok: Token) -> bool:
    """安全生产法: a noun of 3–6 characters ending with 法 that is no method (办法, 执法 …)."""
    return tok.tag.startswith("n") and tok.word.endswith("法") and 3 <= len(tok.word) <= 6 \
        and tok.word not in _NOT_LAW and not tok.word.endswith(_NOT_LAW_ENDS)


#: The last characters of the words `_phrases` looks for: program words, and law words (…法).
_PHRASE_ENDS = last_chars("program_suffixes.txt") | {"法"}


def _phrase_start(toks: tuple[Token, ...], i: int) -> int:
    """Index of the first token of the unquoted program name that ends with token ``i``."""
    tok = toks[i]
    j = i
    while j > 0 and _phrase_tokens_ok(toks[j - 1]) and tok.end - toks[j - 1].start <= 16:
        j -= 1
    # 市民可拨打某某热线: the name starts after a verb of use
    for k in range(i - 1, j - 1, -1):
        if any(toks[k].word.endswith(v) for v in words("access_verbs.txt")):
            return k + 1
    return j


def _phrase_confidence(toks: tuple[Token, ...], j: int, i: int) -> float:
    proper = any(t.tag in ("ns", "nt", "nz", "") or t.word.isdigit() for t in toks[j:i])
    led = j > 0 and toks[j - 1].word in _TRIGGERS  # 构建某某处置机制: a verb names what it sets up
    return PROGRAM_PHRASE_PROPER if proper else (PROGRAM_PHRASE_AFTER_VERB if led else PROGRAM_PHRASE)


def _phrases(found: _Found, toks: tuple[Token, ...]) -> None:
    """Unquoted phrases ending with a program word: 纠纷调处机制, 某某问政平台, 安全生产法."""
    text = found.text
    ends = _PHRASE_ENDS
    for i, tok in enumerate(toks):
        if tok.word[-1:] not in ends:
            continue  # neither a law word nor a program word: tested faster than both
        if found.starts_inside(tok.start):
            continue
        if _is_law_word(tok):
            found.add(tok.start, tok.end, PROGRAM_LAW_WORD)
            continue
        suf = program_suffix(tok.word)
        if not suf or suf[1] or len(suf[0]) < 2:
            continue
        j = _phrase_start(toks, i)
        name = text[toks[j].start:tok.end]
        if name in _GENERIC or len(name) < 5 or i - j < 1:
            continue
        if any(a < tok.end and toks[j].start < b for a, b in found.taken):
            continue
        found.add(toks[j].start, tok.end, _phrase_confidence(toks, j, i))


def find_programs(text: str) -> list[Mention]:
    """Program names: quoted names with a program word (“…”工作法), 《laws》, and …机制 / …平台 phrases.

    Examples
    --------
    >>> [m.text for m in find_programs("该市推出“职工之家”服务平台，并依据《劳动合同法》和《某某条例》。")]
    ['“职工之家”服务平台', '《劳动合同法》', '《某某条例》']
    """
    toks = tokens_of(text)
    found = _Found(text)
    _book_titles(found)
    _quotes(found, toks)
    _phrases(found, toks)
    return sorted(found.out, key=lambda m: (m.start, m.end))


@register("programs", "programs: quoted names with a program word, laws in 《》, …机制/…平台 phrases")
def _make_programs():
    return find_programs

