"""The word lists under ``kg/lexicons`` (package data), each loaded once per process.

One entry a line; lines starting with ``#`` are comments (every file starts with a header saying what
the list is and where its words come from). A tab separates an entry from its value in ``.tsv``
files and in lists that mark some entries (``word<TAB>weak``).

``ui_zh.tsv`` is no word list but the message catalogue of the report and the view (their Chinese
labels and sentences), read through `ui`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType

__all__ = ["words", "entries", "table", "rows", "chars", "longest_first", "longest_suffix", "last_chars", "ui",
           "UI_CATALOGUE"]

#: The message catalogue: the Chinese labels and sentences of the report and the view.
UI_CATALOGUE = "ui_zh.tsv"
_UI_KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")


def _lines(name: str) -> list[str]:
    text = files("kg.lexicons").joinpath(name).read_text(encoding="utf-8")
    return [s for line in text.splitlines() if (s := line.rstrip()) and not s.lstrip().startswith("#")]


@cache
def words(name: str) -> frozenset[str]:
    """The first column of each entry of lexicon file ``name``.

    Examples
    --------
    >>> "说" in words("speech_verbs.txt")
    True
    """
    return frozenset(line.split("\t")[0].strip() for line in _lines(name))


@cache
def entries(name: str) -> tuple[str, ...]:
    """The first column of each entry of lexicon file ``name``, in the file's order.

    For lists whose order matters (the first match wins, or a regular expression alternation).

    Examples
    --------
    >>> entries("speech_verbs.txt")[:2]
    ('说', '说道')
    """
    return tuple(line.split("\t")[0].strip() for line in _lines(name))


@cache
def table(name: str) -> dict[str, str]:
    """``{entry: second column}`` of lexicon file ``name`` (empty string when absent)."""
    out: dict[str, str] = {}
    for line in _lines(name):
        parts = line.split("\t")
        out[parts[0].strip()] = parts[1].strip() if len(parts) > 1 else ""
    return out


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """Every column of each entry of lexicon file ``name``, in the file's order (for tables of
    more than two columns).

    Examples
    --------
    >>> rows("division_suffixes.tsv")[:2]
    (('自治区', 'ethnic'), ('自治州', 'ethnic', '州'))
    """
    return tuple(tuple(col.strip() for col in line.split("\t")) for line in _lines(name))


def chars(key: str) -> str:
    """The characters of set ``key`` of ``char_classes.tsv`` (a string, for ``in`` tests and regex classes).

    Examples
    --------
    >>> "项" in chars("count_measures")
    True
    """
    return table("char_classes.tsv")[key]


@cache
def longest_first(name: str) -> tuple[str, ...]:
    """Entries of ``name`` sorted longest first (then alphabetically, for determinism)."""
    return tuple(sorted(words(name), key=lambda w: (-len(w), w)))


@cache
def last_chars(name: str) -> frozenset[str]:
    """The characters the entries of lexicon ``name`` end with: a word ending with none of them
    has no :func:`longest_suffix` (a test faster than the call).

    Examples
    --------
    >>> "会" in last_chars("org_suffixes.txt"), "的" in last_chars("org_suffixes.txt")
    (True, False)
    """
    return frozenset(w[-1] for w in words(name) if w)


@cache
def _max_len(name: str) -> int:
    return max((len(w) for w in words(name)), default=0)


def longest_suffix(text: str, name: str) -> str | None:
    """The longest entry of lexicon ``name`` that ``text`` ends with, or None.

    Examples
    --------
    >>> longest_suffix("某某市总工会", "org_suffixes.txt")
    '总工会'
    """
    if not text or text[-1] not in last_chars(name):
        return None
    entries = words(name)
    for k in range(min(_max_len(name), len(text)), 0, -1):
        if text[-k:] in entries:
            return text[-k:]
    return None


@cache
def _catalogue() -> Mapping[str, str]:
    """``{key: text}`` of `UI_CATALOGUE`; a malformed line or a key given twice is an error."""
    out: dict[str, str] = {}
    for line in _lines(UI_CATALOGUE):
        key, tab, text = line.partition("\t")
        if not tab or not _UI_KEY.fullmatch(key) or not text or text != text.strip():
            raise ValueError(f"{UI_CATALOGUE}: not key<TAB>text: {line!r}")
        if key in out:
            raise ValueError(f"{UI_CATALOGUE}: {key!r} given twice")
        out[key] = text
    return MappingProxyType(out)


def ui(key: str, **fields: object) -> str:
    """The user-interface text ``key`` of the message catalogue (``kg/lexicons/ui_zh.tsv``).

    With ``fields`` the text is a `str.format` template filled with them; without, it is returned
    as written. An unknown key raises a KeyError that names it.

    Examples
    --------
    >>> ui("report.timeline.limited", n=1200, shown=60)
    '共 1,200 个有日期的事件，显示最早的 60 个。'
    >>> ui("no.such.key")
    Traceback (most recent call last):
    ...
    KeyError: "no user-interface text 'no.such.key' in kg/lexicons/ui_zh.tsv"
    """
    try:
        text = _catalogue()[key]
    except KeyError:
        raise KeyError(f"no user-interface text {key!r} in kg/lexicons/{UI_CATALOGUE}") from None
    return text.format(**fields) if fields else text
