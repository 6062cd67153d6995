"""Recognise bylines (本报记者 X, 本报讯（记者X 通讯员Y）, 新华社发（X 摄）, X/文 …) and their authors."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

from kg.model import Author

__all__ = ["parse_byline_line", "parse_inline_byline", "parse_trailing_credit"]

_NAME = r"[\u4e00-\u9fff][\u4e00-\u9fff·•]{1,9}"
_SPACE = " \t\u3000\u00a0"


@lru_cache(maxsize=1)
def _roles() -> tuple[tuple[str, str], ...]:
    text = files("kg.lexicons").joinpath("byline_roles.tsv").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        marker, role = line.split("\t")
        pairs.append((marker.strip(), role.strip()))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


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


def _parse_tokens(tokens: list[tuple[str, int, int]], default_role: str = "作者") -> list[Author] | None:
    """Authors from byline tokens, or None when the tokens are not a byline."""
    roles = _roles()
    authors: list[Author] = []
    role: str | None = None
    pending: list[tuple[str, int, int]] = []  # names seen before any marker
    saw_marker = False
    slash_before = False
    for i, (tok, s, e) in enumerate(tokens):
        if tok in ("/", "／"):
            slash_before = True
            continue
        # a bare role word after a slash ("X/文") or "X 摄" gives the role to the names before it
        bare = dict((m, r) for m, r in roles).get(tok)
        if bare is not None and (slash_before or tok in ("摄", "文", "图")) and (pending or authors):
            saw_marker = True
            targets = pending or [a for a in authors if a.role == role]
            if pending:
                authors.extend(Author(n, bare, ns, ne) for n, ns, ne in pending)
                pending = []
            else:
                authors = [Author(a.name, bare, a.start, a.end) if a in targets else a for a in authors]
            slash_before = False
            continue
        slash_before_tok = slash_before
        slash_before = False
        matched = False
        for marker, r in roles:
            if tok.startswith(marker) and marker not in ("摄", "文", "图"):
                saw_marker = True
                if pending:
                    authors.extend(Author(n, default_role, ns, ne) for n, ns, ne in pending)
                    pending = []
                role = r
                rest = tok[len(marker):]
                if rest:
                    if rest.endswith("摄") and _is_name(rest[:-1]):
                        authors.append(Author(rest[:-1], "摄影", s + len(marker), e - 1))
                    elif _is_name(rest):
                        authors.append(Author(rest, r, s + len(marker), e))
                    else:
                        return None
                matched = True
                break
            if marker in ("文", "图") and slash_before_tok is False and tok == marker:
                break
        if matched:
            continue
        if tok in ("文", "图") and i + 1 < len(tokens) and tokens[i + 1][0] in ("/", "／"):
            role = "作者" if tok == "文" else "摄影"
            saw_marker = True
            continue
        if tok.endswith("摄") and _is_name(tok[:-1]):
            saw_marker = True
            authors.extend(Author(n, default_role, ns, ne) for n, ns, ne in pending)
            pending = []
            authors.append(Author(tok[:-1], "摄影", s, e - 1))
            continue
        if _is_name(tok):
            if role is None:
                pending.append((tok, s, e))
            else:
                authors.append(Author(tok, role, s, e))
            continue
        return None
    if not saw_marker:
        return None
    authors.extend(Author(n, default_role, ns, ne) for n, ns, ne in pending)
    return authors or None


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
    r"^[ \t\u3000]*((?:本报|新华社|中新社|人民网|新华网)[\u4e00-\u9fff0-9]{0,14}?(?:讯|电))\s*"
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
    authors = _parse_tokens(_tokens(m.group(2), base + m.start(2)), default_role="记者")
    if not authors:
        return None
    return authors, base + m.end()


_TRAILING = re.compile(r"[（(]\s*((?:[\u4e00-\u9fff]{0,6}记者\s*)?[\u4e00-\u9fff·、 \u3000]{2,30}?)\s*摄\s*[）)]\s*$")


def parse_trailing_credit(line: str, base: int = 0) -> tuple[list[Author], int] | None:
    """A photo credit closing a caption, ``……等待发车。（韩冬 摄）``: ``(authors, start offset)``."""
    m = _TRAILING.search(line)
    if not m or m.start() == 0:
        return None
    toks = _tokens(m.group(1), base + m.start(1))
    authors = _parse_tokens(toks + [("摄", base + m.end(1), base + m.end(1))])
    if not authors:
        return None
    return authors, base + m.start()
