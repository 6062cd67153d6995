"""Find Chinese date expressions (2024年3月14日, 去年底, 今年前5月, 昨天) and normalise them to ISO 8601."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["DateMention", "find_dates", "normalize", "iso_datatype", "resolve_year", "MIN_PUB_YEAR", "MAX_PUB_YEAR"]

#: How far after the publication date an implicit-year date may fall before it is taken to
#: be in the previous year (12月28日 in an article of 2025-01-03 is 2024-12-28).
HORIZON = timedelta(days=61)
#: The publication years :func:`find_dates` accepts (its phrases reach a year before or after).
MIN_PUB_YEAR, MAX_PUB_YEAR = 2, 9998

_FULLWIDTH = str.maketrans("０１２３４５６７８９－～／．", "0123456789-~/.")
_CN_DIGIT = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_REL_YEAR = {"前年": -2, "去年": -1, "上年": -1, "今年": 0, "本年": 0, "明年": 1}
_REL_MONTH = {"上月": -1, "上个月": -1, "本月": 0, "这个月": 0, "下月": 1, "下个月": 1}
_REL_DAY = {"前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1, "明日": 1}

_MON = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = (
    r"(?:3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
)
_SEP = r"\s*(?:至|到|—{1,2}|–|-|~)\s*"
# 初 is a month/year part unless it starts a word (初步, 初次, 初中 ...).
_YPART = r"(?:底|末|初(?!步|次|期|中|级|心|衷|稿|赛|选|审|始|见|创))"
_PART = rf"(?:{_YPART}|上旬|中旬|下旬)"
_NOT_MONTH = r"(?!球|亮|光|色|饼|台|薪|嫂|子|刊|食)"
_NUM_BEFORE = r"(?<![\d〇○零一二三四五六七八九十两几])"

_YEAR = rf"""(?:
    (?P<ya>(?<!\d)[12]\d{{3}})(?:{_SEP}(?P<ya2>[12]\d{{3}}))?年
  | (?P<yc>(?<![〇○零一二三四五六七八九十])[〇○零一二三四五六七八九]{{4}})年
  | (?P<yr>前年|去年|上年(?!纪)|今年|本年|明年)
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
        (?(yy)|{_NUM_BEFORE}(?<![统第每单同唯逐这那]))(?P<m>{_MON})(?:{_SEP}(?P<m2>{_MON}))?{_MONTH_TAIL}
      | (?(yy)(?:
            前(?P<first>{_MON})个?月
          | (?P<half>上|下)半年
          | 年?(?P<ypart>{_YPART})
          | 度
          |
        )|(?!))
    )
  | (?P<mr>上个?月|本月|这个月|下个?月){_NOT_MONTH}(?:(?P<mrd>{_DAY})[日号]|(?P<mrpart>{_PART}))?
  | (?P<dr>前天|昨天|昨日|今天|今日|明天|明日)
  | (?<![\d年每近多半历往当逐同该上本明去今前翌次〇○零一二三四五六七八九十])(?P<bare>年)(?P<bpart>底|末)
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
_STARTS = set("0123456789〇○零一二三四五六七八九十前去上今本明下这昨年")
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
        deictic expression (昨天, 去年底, 今年3月, 上月), otherwise the grain.
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
    if "十" in s:
        tens, _, ones = s.partition("十")
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


def _point(g: dict[str, str | None], pub: date | None) -> tuple[dict, str | None, str | None]:
    """Resolve the groups of one ``_POINT`` match.

    Returns the parts (y, m, d, grain, relative, anchored), the value and the range end.
    """
    if g["iso"]:
        y, m, d = int(g["iy"]), int(g["im"]), int(g["id"])
        if d > _days(y, m):
            raise _Invalid
        return {"y": y, "m": m, "d": d, "grain": "day", "rel": False, "anc": False}, _fmt(y, m, d), None
    if g["dr"]:
        if pub is None:
            return {"y": None, "m": None, "d": None, "grain": "day", "rel": True, "anc": True}, None, None
        x = pub + timedelta(days=_REL_DAY[g["dr"]])
        return (
            {"y": x.year, "m": x.month, "d": x.day, "grain": "day", "rel": True, "anc": True},
            x.isoformat(),
            None,
        )
    if g["mr"]:
        d = _num(g["mrd"])
        grain = "day" if d else "month"
        if d and d > 31:
            raise _Invalid
        parts = {"y": None, "m": None, "d": d, "grain": grain, "rel": True, "anc": True}
        if pub is None:
            return parts, None, None
        y, m = _shift_month(pub.year, pub.month, _REL_MONTH[g["mr"]])
        parts.update(y=y, m=m)
        if d and d > _days(y, m):
            return parts, None, None
        return parts, _fmt(y, m, d), None
    if g["bare"]:
        parts = {
            "y": pub.year if pub else None,
            "m": 12,
            "d": None,
            "grain": "month",
            "rel": True,
            "anc": True,
        }
        return parts, (_fmt(pub.year, 12) if pub else None), None

    # A year (absolute, Chinese-numeral or relative), maybe followed by month, day, parts, ranges.
    rel = g["yr"] is not None
    y: int | None = None
    y2: int | None = None
    if g["ya"]:
        y = int(g["ya"])
        y2 = int(g["ya2"]) if g["ya2"] else None
    elif g["yc"]:
        y = _num(g["yc"])
    elif rel and pub is not None:
        y = pub.year + _REL_YEAR[g["yr"]]
    has_year = g["ya"] or g["yc"] or rel
    m, m2, d, d2 = _num(g["m"]), _num(g["m2"]), _num(g["d"]), _num(g["d2"])
    for mm in (m, m2):
        if mm is not None and not 1 <= mm <= 12:
            raise _Invalid
    if m is not None:
        for dd in (d, d2):
            if dd is not None and not 1 <= dd <= _days(None, m):
                raise _Invalid
    anchored = rel or (m is not None and not has_year)
    if m is not None and not has_year and pub is not None:
        y = resolve_year(m, d, pub)
    parts = {"y": y, "m": m, "d": d, "grain": "day" if d else "month", "rel": rel, "anc": anchored}
    if m is not None:
        parts["rng"] = m2 is not None or d2 is not None
        if y is None:
            return parts, None, None
        if d is not None and d > _days(y, m) or d2 is not None and d2 > _days(y, m):
            if has_year and not rel:
                raise _Invalid  # 2023年2月29日
            return parts, None, None
        if m2 is not None:  # 1—5月
            return parts, _fmt(y, m), _fmt(y if m2 >= m else y + 1, m2)
        if d2 is not None:  # 3月14—16日
            return parts, _fmt(y, m, d), _fmt(y, m, d2)
        return parts, _fmt(y, m, d), None
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


def find_dates(text: str, pub_date: str | None = None) -> list[DateMention]:
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
    """
    pub = _parse_pub(pub_date)
    norm = text.translate(_FULLWIDTH)
    out: list[DateMention] = []
    i, n = 0, len(norm)
    while i < n:
        if norm[i] not in _STARTS:
            i += 1
            continue
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
    return out


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
