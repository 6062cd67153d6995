"""Recognise bylines (本报记者 X, 本报讯（记者X 通讯员Y）, 新华社发（X 摄）, X/文 …) and their authors."""

from __future__ import annotations

import re
from functools import lru_cache

from kg.lexicons import chars, entries, table
from kg.model import Author

__all__ = ["parse_byline_line", "parse_inline_byline", "parse_trailing_credit"]

_NAME = r"[\u4e00-\u9fff][\u4e00-\u9fff·•]{1,9}"
_SPACE = " \t\u3000\u00a0"
_SLASHES = ("/", "／")

#: Role labels of authors (the second column of byline_roles.tsv).
AUTHOR, PHOTOGRAPHER, REPORTER = "作者", "摄影", "记者"
#: The photo credit after a name (X 摄, 新华社发（X 摄）).
_PHOTO = "摄"
#: Credit words with a slash (文/ X, X/图).
_SLASH_CREDITS = entries("byline_slash_credits.txt")
#: Credit words that give their role to the names before them.
_POSTFIX = (_PHOTO, *_SLASH_CREDITS)


@lru_cache(maxsize=1)
def _roles() -> tuple[tuple[str, str], ...]:
    """(marker, role) of byline_roles.tsv, longest marker first."""
    return tuple(sorted(table("byline_roles.tsv").items(), key=lambda p: -len(p[0])))


def _is_name(s: str) -> bool:
    if not re.fullmatch(_NAME, s):
        return False
    if "·" in s or "•" in s:
        return 3 <= len(s) <= 12
    return 2 <= len(s) <= 4


def _tokens(text: str, base: int) -> list[tuple[str, int, int]]:
    """Split on spaces, 、 and / keeping offsets (``base`` is the offset of ``text``)."""
    out = []
    for m in re.finditer(r"[^ \t\u3000\u00a0、，,/／]+|[/／]", text):
        out.append((m.group(), base + m.start(), base + m.end()))
    return out


class _Byline:
    """The authors of byline tokens read so far, and the role the next names get."""

    def __init__(self, default_role: str) -> None:
        self.roles = _roles()
        self.role_of = dict(self.roles)
        self.default_role = default_role
        self.authors: list[Author] = []
        self.role: str | None = None
        self.pending: list[tuple[str, int, int]] = []  # names seen before any marker
        self.saw_marker = False
        self.slash_before = False

    def flush(self, role: str) -> None:
        """The names seen before any marker get ``role``."""
        self.authors.extend(Author(n, role, ns, ne) for n, ns, ne in self.pending)
        self.pending = []

    def bare_role(self, tok: str) -> bool:
        """A bare role word after a slash ("X/文") or "X 摄" gives the role to the names before it."""
        bare = self.role_of.get(tok)
        if bare is None or not (self.slash_before or tok in _POSTFIX) or not (self.pending or self.authors):
            return False
        self.saw_marker = True
        if self.pending:
            self.flush(bare)
        else:
            targets = [a for a in self.authors if a.role == self.role]
            self.authors = [Author(a.name, bare, a.start, a.end) if a in targets else a for a in self.authors]
        self.slash_before = False
        return True

    def marker(self, tok: str, s: int, e: int, slash_before: bool) -> bool | None:
        """A role marker, maybe glued to a name (记者孙立): True; not one: False; None: no byline."""
        for marker, r in self.roles:
            if tok.startswith(marker) and marker not in _POSTFIX:
                self.saw_marker = True
                self.flush(self.default_role)
                self.role = r
                rest = tok[len(marker):]
                if rest:
                    if rest.endswith(_PHOTO) and _is_name(rest[:-1]):
                        self.authors.append(Author(rest[:-1], PHOTOGRAPHER, s + len(marker), e - 1))
                    elif _is_name(rest):
                        self.authors.append(Author(rest, r, s + len(marker), e))
                    else:
                        return None
                return True
            if marker in _SLASH_CREDITS and slash_before is False and tok == marker:
                break
        return False

    def token(self, tokens: list[tuple[str, int, int]], i: int) -> bool:
        """Read token ``i``; False when it belongs to no byline."""
        tok, s, e = tokens[i]
        if tok in _SLASHES:
            self.slash_before = True
            return True
        if self.bare_role(tok):
            return True
        slash_before, self.slash_before = self.slash_before, False
        matched = self.marker(tok, s, e, slash_before)
        if matched is not None and matched:
            return True
        if matched is None:
            return False
        if tok in _SLASH_CREDITS and i + 1 < len(tokens) and tokens[i + 1][0] in _SLASHES:
            self.role = self.role_of[tok]  # 文/ X, 图/ X
            self.saw_marker = True
            return True
        if tok.endswith(_PHOTO) and _is_name(tok[:-1]):
            self.saw_marker = True
            self.flush(self.default_role)
            self.authors.append(Author(tok[:-1], PHOTOGRAPHER, s, e - 1))
            return True
        if not _is_name(tok):
            return False
        if self.role is None:
            self.pending.append((tok, s, e))
        else:
            self.authors.append(Author(tok, self.role, s, e))
        return True


def _parse_tokens(tokens: list[tuple[str, int, int]], default_role: str = AUTHOR) -> list[Author] | None:
    """Authors from byline tokens, or None when the tokens are not a byline."""
    byline = _Byline(default_role)
    if not all(byline.token(tokens, i) for i in range(len(tokens))) or not byline.saw_marker:
        return None
    byline.flush(default_role)
    return byline.authors or None


def parse_byline_line(line: str, base: int = 0) -> list[Author] | None:
    """Authors when the whole ``line`` is a byline, else None.

    Offsets are ``base`` + the position in ``line``.

    Examples
    --------
    >>> [(a.name, a.role) for a in parse_byline_line("本报记者 林晓峰 本报通讯员 高鹏")]
    [('林晓峰', '记者'), ('高鹏', '通讯员')]
    >>> [(a.name, a.role) for a in parse_byline_line("周明 本报记者 陈雨")]
    [('周明', '作者'), ('陈雨', '记者')]
    >>> [(a.name, a.role) for a in parse_byline_line("中新社发（韩冬 摄）")]
    [('韩冬', '摄影')]
    >>> parse_byline_line("记者节当天，大家都很高兴。") is None
    True
    """
    stripped = line.strip(_SPACE + "□■●")
    if not stripped or len(stripped) > 60 or re.search(r"[，。！？；：“”,!?;]", stripped):
        return None
    lead = len(line) - len(line.lstrip(_SPACE + "□■●"))
    base += lead
    # 某某社发（X 摄） / 本报发（X 摄） / （X 摄）
    m = re.fullmatch(r"(?:[\u4e00-\u9fff]{2,8}发)?\s*[（(]([^（）()]{2,40})[）)]", stripped)
    if m:
        inner = m.group(1)
        return _parse_tokens(_tokens(inner, base + m.start(1)))
    return _parse_tokens(_tokens(stripped, base))


_INLINE = re.compile(
    rf"^[ \t\u3000]*((?:{'|'.join(entries('dateline_sources.txt'))})[\u4e00-\u9fff0-9]{{0,14}}?[{chars('dateline_ends')}])\s*"
    r"[（(]([^（）()]{2,60})[）)]")


def parse_inline_byline(line: str, base: int = 0) -> tuple[list[Author], int] | None:
    """A dateline byline at the start of a paragraph: ``(authors, end offset of the byline)``.

    Examples
    --------
    >>> authors, end = parse_inline_byline("本报讯（记者孙立 通讯员何欢）3月2日，会议召开。")
    >>> [(a.name, a.role) for a in authors], end
    ([('孙立', '记者'), ('何欢', '通讯员')], 15)
    """
    m = _INLINE.match(line)
    if not m:
        return None
    authors = _parse_tokens(_tokens(m.group(2), base + m.start(2)), default_role=REPORTER)
    if not authors:
        return None
    return authors, base + m.end()


_TRAILING = re.compile(rf"[（(]\s*((?:[\u4e00-\u9fff]{{0,6}}{REPORTER}\s*)?[\u4e00-\u9fff·、 \u3000]{{2,30}}?)\s*{_PHOTO}\s*[）)]\s*$")


def parse_trailing_credit(line: str, base: int = 0) -> tuple[list[Author], int] | None:
    """A photo credit closing a caption, ``……等待发车。（韩冬 摄）``: ``(authors, start offset)``."""
    m = _TRAILING.search(line)
    if not m or m.start() == 0:
        return None
    toks = _tokens(m.group(1), base + m.start(1))
    authors = _parse_tokens(toks + [(_PHOTO, base + m.end(1), base + m.end(1))])
    if not authors:
        return None
    return authors, base + m.start()
