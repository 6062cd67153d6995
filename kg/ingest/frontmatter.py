"""Front matter: a ``---`` block of ``key: value`` lines, or a first line ``date: 2025-05-31``."""

from __future__ import annotations

import re

__all__ = ["parse_front_matter", "normalize_date"]

_KEYS = {
    "date": "date", "日期": "date", "published": "date", "pubdate": "date",
    "newspaper": "newspaper", "source": "newspaper", "报纸": "newspaper", "来源": "newspaper",
    "edition": "edition", "版次": "edition", "page": "edition", "版面": "edition",
    "title": "title", "url": "url", "author": "author",
}
_KV = re.compile(r"[ \t]*([A-Za-z_\u4e00-\u9fff]+)[ \t]*[:：][ \t]*(.*?)[ \t]*$")


def normalize_date(value: str) -> str | None:
    """ISO date from ``2025-05-31``, ``2025/5/31``, ``2025年5月31日``; None if not a valid date
    or not a publication date kg can read dates against (years
    :data:`~kg.dates.MIN_PUB_YEAR`–:data:`~kg.dates.MAX_PUB_YEAR`).

    Examples
    --------
    >>> normalize_date("2025年5月31日"), normalize_date("2025/2/30"), normalize_date("9999-12-31")
    ('2025-05-31', None, None)
    """
    import datetime as dt

    from kg.dates import MAX_PUB_YEAR, MIN_PUB_YEAR

    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", value)
    if not m or not MIN_PUB_YEAR <= int(m.group(1)) <= MAX_PUB_YEAR:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def parse_front_matter(text: str) -> tuple[dict[str, str], int]:
    """``(metadata, offset where the body begins)``; ``({}, 0)`` when there is no front matter.

    Examples
    --------
    >>> parse_front_matter("---\\ndate: 2025-05-31\\nnewspaper: 工人日报\\n---\\n正文")
    ({'date': '2025-05-31', 'newspaper': '工人日报'}, 41)
    >>> parse_front_matter("date: 2025-05-31\\n正文")
    ({'date': '2025-05-31'}, 17)
    """
    lead = len(text) - len(text.lstrip("\ufeff\n \t"))
    body = text[lead:]
    if body.startswith("---"):
        first_nl = body.find("\n")
        if first_nl < 0 or body[:first_nl].strip() != "---":
            return {}, 0
        m = re.compile(r"^---[ \t]*$", re.M).search(body, first_nl + 1)
        if not m:
            return {}, 0
        meta: dict[str, str] = {}
        for line in body[first_nl + 1:m.start()].splitlines():
            kv = _KV.match(line)
            if kv and kv.group(1).lower() in _KEYS:
                meta[_KEYS[kv.group(1).lower()]] = kv.group(2).strip("\"'")
        end = m.end()
        if end < len(body) and body[end] == "\n":
            end += 1
        return meta, lead + end
    first = body.split("\n", 1)[0]
    kv = _KV.match(first)
    if kv and _KEYS.get(kv.group(1).lower()) == "date" and normalize_date(kv.group(2)):
        end = len(first) + (1 if len(body) > len(first) else 0)
        return {"date": kv.group(2)}, lead + end
    return {}, 0
