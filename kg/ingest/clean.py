"""Control, bidi and invisible format characters: never part of a name, a label or an output line.

Sources are cleaned when they are read: each such character is replaced by one character (a
space, or a line end for the line and page separators), so the text keeps its length and every
offset stays valid. Output that shows text from elsewhere (a file name, a store built by another
tool) escapes them with :func:`printable`.
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "clean", "printable"]

#: C0 and C1 controls (but tab and line feed), DEL, bidi embeddings, overrides, isolates and
#: marks (RLO, LRI, RLM …), zero-width spaces and joiners, the byte order mark inside a text,
#: interlinear annotation marks, and the line and paragraph separators.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
                    "\u2066-\u206f\ufeff\ufff9-\ufffb]")
_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_SHOWN = re.compile(UNSAFE.pattern[:-1] + "\n\r\t]")


def _one(m: re.Match[str]) -> str:
    return "\n" if m.group() in _LINE_BREAKS else " "


def clean(text: str) -> str:
    """``text`` with each :data:`UNSAFE` character replaced by a space (a line end for the line
    and page separators): the same length, so offsets into it are offsets into the source.

    ``\\r`` is left to the readers, which normalise line ends.

    Examples
    --------
    >>> clean("林晓峰\\u202e说\\x07，\\u200b好\\x0c下一页")
    '林晓峰 说 ， 好\\n下一页'
    """
    return UNSAFE.sub(_one, text)


def printable(text: str) -> str:
    """``text`` on one line: line breaks, tabs, control and bidi characters shown as escapes.

    Examples
    --------
    >>> print(printable("a\\nb\\u202ec.txt"))
    a\\nb\\u202ec.txt
    """
    return _SHOWN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
