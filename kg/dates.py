"""Find Chinese date expressions (2024年3月14日, 去年底, 今年前5月, 昨天) and normalise them to ISO 8601."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from kg.lexicons import chars, entries, table

__all__ = ["DateMention", "find_dates", "normalize", "iso_datatype", "resolve_year", "resolve_day", "number",
           "MIN_PUB_YEAR", "MAX_PUB_YEAR"]

#: How far after the publication date an implicit-year date may fall before it is taken to
#: be in the previous year (12月28日 in an article of 2025-01-03 is 2024-12-28).
HORIZON = timedelta(days=61)
#: The publication years :func:`find_dates` accepts (its phrases reach a year before or after).
MIN_PUB_YEAR, MAX_PUB_YEAR = 2, 9998

_FULLWIDTH = str.maketrans("０１２３４５６７８９－～／．", "0123456789-~/.")
_NUMERALS = {k: int(v) for k, v in table("date_numerals.tsv").items()}
_CN_DIGIT = {k: v for k, v in _NUMERALS.items() if v < 10}
_TEN = next(k for k, v in _NUMERALS.items() if v == 10)
_REL_YEAR = {k: int(v) for k, v in table("date_relative_years.tsv").items()}
_REL_MONTH = {k: int(v) for k, v in table("date_relative_months.tsv").items()}
_REL_DAY = {k: int(v) for k, v in table("date_relative_days.tsv").items()}


def _cn(lo: int, hi: int) -> str:
    """The Chinese numeral characters of values ``lo``–``hi`` (for a regex character class)."""
    return "".join(k for k, v in _NUMERALS.items() if lo <= v <= hi)


def _alt(words: Iterable[str]) -> str:
    return "|".join(words)


_N19 = _cn(1, 9)
_MON = rf"(?:1[0-2]|0?[1-9]|{_TEN}[{_cn(1, 2)}]?|[{_N19}])"
_DAY = (
    rf"(?:3[01]|[12]\d|0?[1-9]|{_cn(3, 3)}{_TEN}{_cn(1, 1)}?|{_cn(2, 2)}{_TEN}[{_N19}]?|{_TEN}[{_N19}]?|[{_N19}])"
)
_SEP = rf"\s*(?:{_alt(entries('date_range_words.txt'))}|—{{1,2}}|–|-|~)\s*"
# 初 is a month/year part unless it starts a word (初步, 初次, 初中 ...).
_YPART = rf"(?:底|末|初(?![{chars('not_after_chu')}]))"
_PART = rf"(?:{_YPART}|{_alt(entries('date_month_parts.txt'))})"
_NOT_MONTH = rf"(?![{chars('not_after_month')}])"
_NUM_BEFORE = rf"(?<![\d{_cn(0, 10)}{chars('count_words')}])"
_NOT_DATES = "".join(f"(?!{w})" for w in entries("date_false_words.txt"))

_YEAR = rf"""(?:
    (?P<ya>(?<!\d)[12]\d{{3}})(?:{_SEP}(?P<ya2>[12]\d{{3}}))?年
  | (?P<yc>(?<![{_cn(0, 10)}])[{_cn(0, 9)}]{{4}})年
  | {_NOT_DATES}(?P<yr>{_alt(_REL_YEAR)})
)"""
# What may follow a month number: a day, a day range (14—16日), 份, or a part of the month.
_MONTH_TAIL = rf"""月{_NOT_MONTH}(?:
    (?P<d>{_DAY})(?:{_SEP}(?P<d2>{_DAY}))?[日号]
  | 份
  | (?P<mpart>{_PART})
)?"""
_POINT = re.compile(
    rf"""
    (?P<iso>(?<!\d)(?P<iy>[12]\d{{3}})(?P<isep>[-/.])(?P<im>1[0-2]|0?[1-9])(?P=isep)(?P<id>3[01]|[12]\d|0?[1-9])(?!\d))
  | (?P<yy>{_YEAR})?
    (?:
        (?(yy)|{_NUM_BEFORE}(?<![{chars('not_before_month')}]))(?P<m>{_MON})(?:{_SEP}(?P<m2>{_MON}))?{_MONTH_TAIL}
      | (?(yy)(?:
            前(?P<first>{_MON})个?月
          | (?P<half>上|下)半年
          | 年?(?P<ypart>{_YPART})
          | 度
          |
        )|(?!))
    )
  | (?P<mr>{_alt(_REL_MONTH)}){_NOT_MONTH}(?:(?P<mrd>{_DAY})[日号]|(?P<mrpart>{_PART}))?
  | (?P<dr>{_alt(_REL_DAY)})
  | (?<![\d{chars('not_before_bare_year')}{_cn(0, 10)}])(?P<bare>年)(?P<bpart>底|末)
    """,
    re.VERBOSE,
)
# A second point after a separator; it inherits what it leaves out from the first.
_TAIL = re.compile(
    rf"""{_SEP}(?:
        (?P<y>[12]\d{{3}})年(?:(?P<m>{_MON})月(?:(?P<d>{_DAY})[日号])?)?
      | (?P<m_>{_MON})月(?:(?P<d_>{_DAY})[日号])?
      | (?P<d__>{_DAY})[日号]
    )""",
    re.VERBOSE,
)
#: The characters a date expression can start with.
_STARTS = set("0123456789" + _cn(0, 10) + "年") | {w[0] for w in (*_REL_YEAR, *_REL_MONTH, *_REL_DAY)}
#: The next character a date may start with (`find_dates` skips the others at the regex engine's speed).
_NEXT_START = re.compile("[" + "".join(re.escape(c) for c in sorted(_STARTS)) + "]")
_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a text.

    Attributes
    ----------
    text, start, end
        The expression as written; ``text == source[start:end]``.
    value
        ISO 8601 value (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), or ``None`` when it cannot be
        resolved (a relative or implicit-year expression without a publication date, or
        2月29日 resolved to a common year). For a range, the start of the range.
    precision
        ``"range"`` for a period (2024年4月至8月, 今年前5月, 上半年), ``"relative"`` for a
        deictic expression (昨天, 去年底, 今年3月, 上月), ``"vague"`` for a word that dates
        without a value (近日, 日前), otherwise the grain.
    grain
        ``"day"``, ``"month"`` or ``"year"``: the granularity of ``value`` (also when it is ``None``).
    end_value
        The end of a range (same grain as ``value``), otherwise ``None``.
    anchored
        Whether the value depends on the publication date (relative expressions and
        dates without a year such as 5月30日).
    """

    text: str
    start: int
    end: int
    value: str | None
    precision: str
    grain: str
    end_value: str | None = None
    anchored: bool = False


def _num(s: str | None) -> int | None:
    """Arabic (1, 05) or Chinese (五, 十二, 三十一, 二〇二四) numeral to int."""
    if s is None:
        return None
    if s.isascii():
        return int(s)
    if _TEN in s:
        tens, _, ones = s.partition(_TEN)
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
    n = 0
    for ch in s:
        n = n * 10 + _CN_DIGIT[ch]
    return n


def _parse_pub(pub_date: str | None) -> date | None:
    if pub_date is None:
        return None
    try:
        pub = date.fromisoformat(pub_date[:10])
    except ValueError:
        pub = None
    if pub is None or not MIN_PUB_YEAR <= pub.year <= MAX_PUB_YEAR:
        raise ValueError(f"publication date must be YYYY-MM-DD (years {MIN_PUB_YEAR}-{MAX_PUB_YEAR}), "
                         f"got {pub_date!r}")
    return pub


def _days(year: int | None, month: int) -> int:
    """Days in a month; 29 for February when the year is unknown."""
    if year is None:
        return 29 if month == 2 else calendar.monthrange(2001, month)[1]
    return calendar.monthrange(year, month)[1]


def resolve_year(month: int, day: int | None, pub: date) -> int:
    """The year of a date written without one, read in an article published on ``pub``.

    The date is placed in the publication year unless it would then fall more than
    :data:`HORIZON` (about two months) after ``pub`` (then the previous year), or unless it
    falls within that horizon in the next year (a January date read in late December).

    Examples
    --------
    >>> resolve_year(12, 28, date(2025, 1, 3)), resolve_year(1, 5, date(2024, 12, 30))
    (2024, 2025)
    >>> resolve_year(5, 30, date(2025, 6, 1)), resolve_year(7, None, date(2025, 6, 1))
    (2025, 2025)
    """
    d = min(day or 1, 28)
    y = pub.year
    if date(y, month, d) > pub + HORIZON:
        return y - 1
    if date(y + 1, month, d) <= pub + HORIZON:
        return y + 1
    return y


def _fmt(y: int, m: int | None = None, d: int | None = None) -> str:
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


class _Invalid(Exception):
    """The expression names no date in any year (2月30日, 13月)."""


_Parts = dict  # y, m, d, grain, rel, anc (and rng for a range): what a point says
_Point = tuple[_Parts, str | None, str | None]  # the parts, the value, the end of a range


def _iso_point(g: dict[str, str | None]) -> _Point:
    """2024-03-14, 2024/3/14, 2024.3.14."""
    y, m, d = int(g["iy"] or 0), int(g["im"] or 0), int(g["id"] or 0)
    if d > _days(y, m):
        raise _Invalid
    return {"y": y, "m": m, "d": d, "grain": "day", "rel": False, "anc": False}, _fmt(y, m, d), None


def _relative_day_point(word: str, pub: date | None) -> _Point:
    """昨天, 今日, 明天."""
    if pub is None:
        return {"y": None, "m": None, "d": None, "grain": "day", "rel": True, "anc": True}, None, None
    x = pub + timedelta(days=_REL_DAY[word])
    return {"y": x.year, "m": x.month, "d": x.day, "grain": "day", "rel": True, "anc": True}, x.isoformat(), None


def _relative_month_point(g: dict[str, str | None], word: str, pub: date | None) -> _Point:
    """上月, 本月15日, 下个月初."""
    d = _num(g["mrd"])
    grain = "day" if d else "month"
    if d and d > 31:
        raise _Invalid
    parts: _Parts = {"y": None, "m": None, "d": d, "grain": grain, "rel": True, "anc": True}
    if pub is None:
        return parts, None, None
    y, m = _shift_month(pub.year, pub.month, _REL_MONTH[word])
    parts.update(y=y, m=m)
    if d and d > _days(y, m):
        return parts, None, None
    return parts, _fmt(y, m, d), None


def _year_end_point(pub: date | None) -> _Point:
    """年底, 年末 standing alone: the end of the publication year."""
    parts = {"y": pub.year if pub else None, "m": 12, "d": None, "grain": "month", "rel": True, "anc": True}
    return parts, (_fmt(pub.year, 12) if pub else None), None


def _year_of(g: dict[str, str | None], pub: date | None) -> tuple[int | None, int | None]:
    """The year (absolute, Chinese-numeral or relative to ``pub``) and the end year of a range."""
    if g["ya"]:
        return int(g["ya"]), (int(g["ya2"]) if g["ya2"] else None)
    if g["yc"]:
        return _num(g["yc"]), None
    if g["yr"] is not None and pub is not None:
        return pub.year + _REL_YEAR[g["yr"]], None
    return None, None


def _check_month_and_days(m: int | None, m2: int | None, d: int | None, d2: int | None) -> None:
    """Raise ``_Invalid`` for a month outside 1–12 or a day no year has in that month."""
    for mm in (m, m2):
        if mm is not None and not 1 <= mm <= 12:
            raise _Invalid
    if m is not None:
        for dd in (d, d2):
            if dd is not None and not 1 <= dd <= _days(None, m):
                raise _Invalid


def _month_point(parts: _Parts, m: int, m2: int | None, d: int | None, d2: int | None, absolute: bool) -> _Point:
    """A month with its year, maybe a day and the end of a range (1—5月, 3月14—16日)."""
    y = parts["y"]
    parts["rng"] = m2 is not None or d2 is not None
    if y is None:
        return parts, None, None
    if d is not None and d > _days(y, m) or d2 is not None and d2 > _days(y, m):
        if absolute:
            raise _Invalid  # 2023年2月29日
        return parts, None, None
    if m2 is not None:  # 1—5月
        return parts, _fmt(y, m), _fmt(y if m2 >= m else y + 1, m2)
    if d2 is not None:  # 3月14—16日
        return parts, _fmt(y, m, d), _fmt(y, m, d2)
    return parts, _fmt(y, m, d), None


def _year_part_point(parts: _Parts, g: dict[str, str | None], y: int | None, y2: int | None) -> _Point:
    """A year alone or with a part of it: 今年前5月, 上半年, 年底, 2022—2024年, 2024年."""
    parts["grain"] = "month"
    if g["first"]:  # 今年前5月
        n = _num(g["first"])
        return parts | {"m": 1, "rng": True}, (_fmt(y, 1) if y else None), (_fmt(y, n) if y else None)
    if g["half"]:  # 上半年, 下半年
        a, b = (1, 6) if g["half"] == "上" else (7, 12)
        return parts | {"m": a, "rng": True}, (_fmt(y, a) if y else None), (_fmt(y, b) if y else None)
    if g["ypart"]:  # 年底, 年初
        mm = 1 if g["ypart"] == "初" else 12
        return parts | {"m": mm}, (_fmt(y, mm) if y else None), None
    parts["grain"] = "year"
    if y2 is not None:  # 2022—2024年
        if y2 < (y or 0):
            raise _Invalid
        return parts | {"rng": True}, _fmt(int(g["ya"] or 0)), _fmt(y2)
    return parts, (_fmt(y) if y else None), None


def _year_point(g: dict[str, str | None], pub: date | None) -> _Point:
    """A year (absolute, Chinese-numeral or relative), maybe followed by month, day, parts, ranges."""
    rel = g["yr"] is not None
    y, y2 = _year_of(g, pub)
    has_year = bool(g["ya"] or g["yc"] or rel)
    m, m2, d, d2 = _num(g["m"]), _num(g["m2"]), _num(g["d"]), _num(g["d2"])
    _check_month_and_days(m, m2, d, d2)
    anchored = rel or (m is not None and not has_year)
    if m is not None and not has_year and pub is not None:
        y = resolve_year(m, d, pub)
    parts: _Parts = {"y": y, "m": m, "d": d, "grain": "day" if d else "month", "rel": rel, "anc": anchored}
    if m is not None:
        return _month_point(parts, m, m2, d, d2, has_year and not rel)
    return _year_part_point(parts, g, y, y2)


def _point(g: dict[str, str | None], pub: date | None) -> _Point:
    """Resolve the groups of one ``_POINT`` match.

    Returns the parts (y, m, d, grain, relative, anchored), the value and the range end.
    """
    if g["iso"]:
        return _iso_point(g)
    if g["dr"]:
        return _relative_day_point(g["dr"], pub)
    if g["mr"]:
        return _relative_month_point(g, g["mr"], pub)
    if g["bare"]:
        return _year_end_point(pub)
    return _year_point(g, pub)


def _range_end(parts: dict, t: re.Match[str]) -> str | None:
    """Value of the second point of a range, inheriting year and month from ``parts``.

    Raises ``_Invalid`` when ``t`` cannot end a range that starts with ``parts``.
    """
    y = int(t["y"]) if t["y"] else parts["y"]
    m = _num(t["m"] or t["m_"])
    d = _num(t["d"] or t["d_"] or t["d__"])
    if t["d__"]:
        m = parts["m"]
        if parts["grain"] != "day":
            raise _Invalid
    if t["y"] is None and m is None:
        raise _Invalid
    if m is not None and not 1 <= m <= 12 or d is not None and not 1 <= d <= _days(None, m or 1):
        raise _Invalid
    want = parts["grain"]
    if want == "year" and (t["y"] is None or m is not None):
        raise _Invalid
    if want != "year" and m is None:
        raise _Invalid
    if want == "month":
        d = None
    elif want == "day" and d is None:
        raise _Invalid
    if y is None:
        return None
    if (
        t["y"] is None
        and parts["m"] is not None
        and m is not None
        and (m, d or 0) < (parts["m"], parts["d"] or 0)
    ):
        y += 1  # 2024年11月至2月
    if d is not None and m is not None and d > _days(y, m):
        return None
    return _fmt(y, m, d)


#: A day-only date (14日) more than this many days after the publication day is in the previous month.
DAY_AHEAD = 10
_ZONES = entries("date_zone_words.txt")
_VAGUE = entries("date_vague_words.txt")
_SINCE = entries("date_since_words.txt")
_ANAPHORIC = {k: int(v) for k, v in table("date_anaphoric_days.tsv").items()}
_WEEKS = {k: int(v) for k, v in table("date_relative_weeks.tsv").items()}
#: The month character (the first of the month grammar), which never comes before a day-only date.
_MONTH_CHAR = _MONTH_TAIL[0]
_DAY_ONLY = re.compile(
    rf"(?<![\d{_cn(0, 10)}.:/{_MONTH_CHAR}-])(?P<d>3[01]|[12]\d|0?[1-9])"
    rf"(?:{_alt(entries('date_day_marks.txt'))})(?![{''.join(entries('date_not_after_day.txt'))}])")
_WORDS = re.compile("|".join(sorted((*_VAGUE, *_ANAPHORIC, *_WEEKS), key=len, reverse=True)))


def number(text: str) -> int | None:
    """The value of an Arabic or Chinese numeral up to 99 (3, 12, 五, 十二), else ``None``.

    Examples
    --------
    >>> number("12"), number("十二"), number("两")
    (12, 12, None)
    """
    try:
        return _num(text)
    except (KeyError, ValueError):
        return None


def resolve_day(day: int, pub: date) -> str | None:
    """The ISO date of a day-only date (14日) read in an article published on ``pub``: in the
    publication month unless more than :data:`DAY_AHEAD` days after ``pub`` (then the previous
    month); ``None`` when that month has no such day.

    Examples
    --------
    >>> resolve_day(9, date(2020, 2, 10)), resolve_day(28, date(2020, 3, 2)), resolve_day(20, date(2020, 2, 12))
    ('2020-02-09', '2020-02-28', '2020-02-20')
    """
    y, m = pub.year, pub.month
    if day - pub.day > DAY_AHEAD:
        y, m = _shift_month(y, m, -1)
    return _fmt(y, m, day) if day <= _days(y, m) else None


def _week(shift: int, pub: date | None) -> tuple[str | None, str | None]:
    if pub is None:
        return None, None
    monday = pub - timedelta(days=pub.weekday()) + timedelta(weeks=shift)
    return monday.isoformat(), (monday + timedelta(days=6)).isoformat()


def _anaphoric(shift: int, anchor: str | None) -> str | None:
    if anchor is None or len(anchor) != 10:
        return None
    return (date.fromisoformat(anchor) + timedelta(days=shift)).isoformat()


def _word_mention(text: str, m: re.Match[str], pub: date | None, anchor: str | None) -> DateMention:
    """近日 (vague), 当日 (the anchor's day), 上周 (a week): one word of the extra expressions."""
    w = m.group()
    if w in _WEEKS:
        a, b = _week(_WEEKS[w], pub)
        return DateMention(text[m.start():m.end()], m.start(), m.end(), a, "range", "day", b, True)
    if w in _ANAPHORIC:
        v = _anaphoric(_ANAPHORIC[w], anchor)
        return DateMention(text[m.start():m.end()], m.start(), m.end(), v, "relative", "day", None, True)
    return DateMention(text[m.start():m.end()], m.start(), m.end(), None, "vague", "day", None, True)


def _extras(text: str, norm: str, pub: date | None, anchor: str | None, found: list[DateMention]) -> list[DateMention]:
    """Expressions the grammar leaves out: a day alone (14日), relative weeks, words that refer to
    an earlier date (当日) and vague ones (近日), outside the spans already found."""
    spans = [(d.start, d.end) for d in found]

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in spans)

    out: list[DateMention] = []
    for m in _DAY_ONLY.finditer(norm):
        if free(m.start(), m.end()):
            day = int(m["d"])
            v = resolve_day(day, pub) if pub is not None else None
            out.append(DateMention(text[m.start():m.end()], m.start(), m.end(), v, "day", "day", None, True))
            spans.append((m.start(), m.end()))
    for m in _WORDS.finditer(norm):
        if free(m.start(), m.end()):
            out.append(_word_mention(text, m, pub, anchor))
            spans.append((m.start(), m.end()))
    return out


def _dressed(text: str, d: DateMention, pub: date | None) -> DateMention:
    """A date with the time-zone word before it (北京时间14日) and, when ``以来`` follows it, the period
    from it to the publication date (今年以来)."""
    from dataclasses import replace

    start = next((d.start - len(z) for z in _ZONES if text[:d.start].endswith(z)), d.start)
    since = next((w for w in _SINCE if text.startswith(w, d.end)), None)
    if since is not None and pub is not None and d.value is not None:
        value = d.value if d.precision != "relative" or d.grain != "year" else d.value + "-01-01"
        return replace(d, text=text[start:d.end + len(since)], start=start, end=d.end + len(since), value=value,
                       precision="range", end_value=pub.isoformat(), anchored=True)
    return replace(d, text=text[start:d.end], start=start) if start != d.start else d


def find_dates(text: str, pub_date: str | None = None, anchor: str | None = None) -> list[DateMention]:
    """Find the date expressions of ``text``, resolved against the publication date.

    Parameters
    ----------
    text : str
        Any text; full-width digits (２０２４年) are understood.
    pub_date : str or None
        Publication date ``YYYY-MM-DD``. Without it, relative and implicit-year expressions
        are still found but their ``value`` is ``None``.

    Returns
    -------
    list of DateMention
        Non-overlapping, in text order. Impossible dates (2月30日, 2023年2月29日, 13月) are
        not reported.

    Raises
    ------
    ValueError
        If ``pub_date`` is not an ISO date.

    Examples
    --------
    >>> [(m.text, m.value, m.precision) for m in find_dates("2024年3月14日，去年底和5月30日", "2025-01-03")]
    [('2024年3月14日', '2024-03-14', 'day'), ('去年底', '2024-12', 'relative'), ('5月30日', '2024-05-30', 'day')]
    >>> m = find_dates("今年前5月")[0]
    >>> m.value, m.precision, m.grain
    (None, 'range', 'month')
    >>> m = find_dates("2024年4月至8月")[0]
    >>> m.text, m.value, m.end_value
    ('2024年4月至8月', '2024-04', '2024-08')

    A day alone, relative weeks, words that take an earlier date (``anchor``), vague words, a
    time-zone word before a date and a period up to the publication date:

    >>> [(m.text, m.value, m.end_value) for m in find_dates("北京时间9日，上周，当日，近日", "2020-02-12", "2020-02-08")]
    [('北京时间9日', '2020-02-09', None), ('上周', '2020-02-03', '2020-02-09'), ('当日', '2020-02-08', None), ('近日', None, None)]
    >>> m = find_dates("今年以来", "2020-02-12")[0]
    >>> m.text, m.value, m.end_value, m.precision
    ('今年以来', '2020-01-01', '2020-02-12', 'range')
    """
    pub = _parse_pub(pub_date)
    norm = text.translate(_FULLWIDTH)
    out: list[DateMention] = []
    i, n = 0, len(norm)
    while i < n:
        if norm[i] not in _STARTS:
            nxt = _NEXT_START.search(norm, i)
            if nxt is None:
                break
            i = nxt.start()
        mt = _POINT.match(norm, i)
        if mt is None or mt.end() == i:
            i += 1
            continue
        try:
            parts, value, end_value = _point(mt.groupdict(), pub)
        except _Invalid:
            i = mt.end()
            continue
        end = mt.end()
        is_range = parts.get("rng", False)
        if not is_range and not mt["iso"] and not mt["dr"] and not mt["bare"]:
            t = _TAIL.match(norm, end)
            if t is not None:
                try:
                    tail_value = _range_end(parts, t)
                    is_range, end = True, t.end()
                    end_value = tail_value if value is not None else None
                except _Invalid:
                    pass
        precision = "range" if is_range else "relative" if parts["rel"] else parts["grain"]
        out.append(
            DateMention(text[i:end], i, end, value, precision, parts["grain"], end_value, parts["anc"])
        )
        i = end
    out += _extras(text, norm, pub, anchor, out)
    return sorted((_dressed(text, d, pub) for d in out), key=lambda d: d.start)


def normalize(phrase: str, pub_date: str | None = None) -> str | None:
    """The ISO value of a phrase that is one date expression (start of a range), else ``None``.

    Examples
    --------
    >>> normalize("二〇二四年五月三十日"), normalize("２０２４年"), normalize("2024年底")
    ('2024-05-30', '2024', '2024-12')
    >>> normalize("12月28日", "2025-01-03"), normalize("12月28日"), normalize("昨天", "2025-01-01")
    ('2024-12-28', None, '2024-12-31')
    >>> normalize("2月30日", "2024-05-01"), normalize("不是日期")
    (None, None)
    """
    s = phrase.strip()
    found = find_dates(s, pub_date)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(s):
        return found[0].value
    return None


def iso_datatype(value: str) -> str:
    """The XSD datatype local name of an ISO value: ``date``, ``gYearMonth`` or ``gYear``.

    Raises
    ------
    ValueError
        If ``value`` is not ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.

    Examples
    --------
    >>> iso_datatype("2024-03-14"), iso_datatype("2024-03"), iso_datatype("2024")
    ('date', 'gYearMonth', 'gYear')
    """
    mt = _ISO.fullmatch(value)
    if mt is None:
        raise ValueError(f"not an ISO date, year-month or year: {value!r}")
    return "date" if mt[3] else "gYearMonth" if mt[2] else "gYear"
