"""Tests of kg.dates: Chinese date expressions and their ISO values."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.dates import DateMention, find_dates, iso_datatype, normalize, resolve_year

PUB = "2025-06-15"


def one(text: str, pub: str | None = PUB) -> DateMention:
    found = find_dates(text, pub)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("phrase", "value", "precision"),
    [
        ("2024年3月14日", "2024-03-14", "day"),
        ("2024年10月", "2024-10", "month"),
        ("2024年", "2024", "year"),
        ("2024年度", "2024", "year"),
        ("2024年底", "2024-12", "month"),
        ("2024年初", "2024-01", "month"),
        ("２０２４年３月１４日", "2024-03-14", "day"),
        ("二〇二四年五月三十日", "2024-05-30", "day"),
        ("一九四九年十月一日", "1949-10-01", "day"),
        ("2024-03-14", "2024-03-14", "day"),
        ("5月30日", "2025-05-30", "day"),
        ("五月三十日", "2025-05-30", "day"),
        ("3月5号", "2025-03-05", "day"),
        ("十二月", "2024-12", "month"),
        ("4月份", "2025-04", "month"),
        ("今年3月", "2025-03", "relative"),
        ("今年4月份", "2025-04", "relative"),
        ("去年底", "2024-12", "relative"),
        ("去年年底", "2024-12", "relative"),
        ("去年12月", "2024-12", "relative"),
        ("前年", "2023", "relative"),
        ("明年", "2026", "relative"),
        ("上月", "2025-05", "relative"),
        ("本月", "2025-06", "relative"),
        ("下个月", "2025-07", "relative"),
        ("昨天", "2025-06-14", "relative"),
        ("今天", "2025-06-15", "relative"),
        ("明天", "2025-06-16", "relative"),
        ("前天", "2025-06-13", "relative"),
    ],
)
def test_values(phrase: str, value: str, precision: str) -> None:
    m = one(phrase)
    assert (m.text, m.value, m.precision) == (phrase, value, precision)
    assert normalize(phrase, PUB) == value


@pytest.mark.parametrize(
    ("phrase", "start", "end", "grain"),
    [
        ("2024年4月至8月", "2024-04", "2024-08", "month"),
        ("2022年至2024年", "2022", "2024", "year"),
        ("2022—2024年", "2022", "2024", "year"),
        ("2024年1-5月", "2024-01", "2024-05", "month"),
        ("今年前5月", "2025-01", "2025-05", "month"),
        ("今年前五个月", "2025-01", "2025-05", "month"),
        ("今年上半年", "2025-01", "2025-06", "month"),
        ("3月14日至16日", "2025-03-14", "2025-03-16", "day"),
        ("3月14—16日", "2025-03-14", "2025-03-16", "day"),
        ("2024年5月30日至6月2日", "2024-05-30", "2024-06-02", "day"),
        ("2024年11月至2月", "2024-11", "2025-02", "month"),
        ("2024年12月至2025年2月", "2024-12", "2025-02", "month"),
    ],
)
def test_ranges_keep_start(phrase: str, start: str, end: str, grain: str) -> None:
    m = one(phrase)
    assert (m.text, m.value, m.end_value, m.precision, m.grain) == (phrase, start, end, "range", grain)
    assert normalize(phrase, PUB) == start


def test_offsets_in_running_text() -> None:
    text = "本报讯 去年底，该市于2024年3月14日启动工程，预计明年完工。"
    found = find_dates(text, "2025-01-03")
    assert [(m.text, m.value) for m in found] == [
        ("去年底", "2024-12"),
        ("2024年3月14日", "2024-03-14"),
        ("明年", "2026"),
    ]
    assert all(text[m.start : m.end] == m.text for m in found)


def test_fullwidth_offsets_point_into_the_original() -> None:
    text = "截至２０２４年底"
    (m,) = find_dates(text)
    assert (m.text, m.start, m.end, m.value) == ("２０２４年底", 2, 8, "2024-12")


# Year-end boundaries -------------------------------------------------------------------


def test_december_date_in_january_article_is_previous_year() -> None:
    assert normalize("12月28日", "2025-01-03") == "2024-12-28"
    assert normalize("十二月", "2025-01-03") == "2024-12"


def test_january_date_in_december_article_is_next_year() -> None:
    assert normalize("1月5日", "2024-12-30") == "2025-01-05"
    assert normalize("1月", "2024-12-20") == "2025-01"


def test_implicit_year_within_horizon_stays() -> None:
    assert normalize("3月1日", "2025-01-10") == "2025-03-01"  # seven weeks ahead
    assert normalize("5月1日", "2025-01-10") == "2024-05-01"  # almost four months ahead
    assert resolve_year(6, 15, date(2025, 6, 15)) == 2025


def test_relative_across_year_end() -> None:
    assert normalize("昨天", "2025-01-01") == "2024-12-31"
    assert normalize("明天", "2024-12-31") == "2025-01-01"
    assert normalize("上月", "2025-01-10") == "2024-12"
    assert normalize("下月", "2024-12-10") == "2025-01"
    assert normalize("去年12月", "2025-01-02") == "2024-12"
    assert normalize("今年1月", "2024-12-31") == "2024-01"


def test_range_across_year_end() -> None:
    m = one("12月28日至1月3日", "2025-01-05")
    assert (m.value, m.end_value) == ("2024-12-28", "2025-01-03")


# Leap years and invalid dates ----------------------------------------------------------


def test_leap_years() -> None:
    assert normalize("2024年2月29日") == "2024-02-29"
    assert normalize("2000年2月29日") == "2000-02-29"
    assert normalize("2月29日", "2024-03-05") == "2024-02-29"
    assert normalize("明天", "2024-02-28") == "2024-02-29"
    assert normalize("明天", "2025-02-28") == "2025-03-01"


def test_february_29_in_common_year() -> None:
    assert find_dates("1900年2月29日") == []
    assert find_dates("2023年2月29日") == []
    m = one("2月29日", "2025-03-05")  # a date in some year, not in 2025
    assert (m.value, m.anchored) == (None, True)


@pytest.mark.parametrize("phrase", ["2月30日", "2024年2月30日", "4月31日", "13月", "二月三十日"])
def test_invalid_dates_are_not_reported(phrase: str) -> None:
    assert find_dates(phrase, PUB) == []
    assert normalize(phrase, PUB) is None


# No publication date -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "precision", "grain"),
    [
        ("5月30日", "day", "day"),
        ("十二月", "month", "month"),
        ("今年3月", "relative", "month"),
        ("去年底", "relative", "month"),
        ("上月", "relative", "month"),
        ("昨天", "relative", "day"),
        ("明年", "relative", "year"),
        ("今年前5月", "range", "month"),
        ("3月14日至16日", "range", "day"),
    ],
)
def test_without_pub_date_value_is_none(phrase: str, precision: str, grain: str) -> None:
    m = one(phrase, None)
    assert (m.text, m.value, m.end_value, m.precision, m.grain, m.anchored) == (
        phrase,
        None,
        None,
        precision,
        grain,
        True,
    )


def test_absolute_dates_need_no_pub_date() -> None:
    m = one("2024年3月14日", None)
    assert (m.value, m.anchored) == ("2024-03-14", False)


def test_invalid_month_leaves_the_year() -> None:
    assert [m.text for m in find_dates("2024年13月", PUB)] == ["2024年"]
    assert normalize("2024年13月", PUB) is None


def test_bad_pub_date() -> None:
    with pytest.raises(ValueError):
        find_dates("昨天", "yesterday")


# Things that are not dates -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["登上月球", "统一月度考核", "工期3个月", "持续5年", "12345年", "这是一个问题", "初步统计"],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text, PUB) == []


def test_word_after_year_is_not_a_part() -> None:
    assert [m.text for m in find_dates("2024年初步统计", PUB)] == ["2024年"]


def test_normalize_rejects_partial_phrases() -> None:
    assert normalize("2024年3月14日上午", PUB) is None
    assert normalize(" 2024年3月14日 ", PUB) == "2024-03-14"
    assert normalize("", PUB) is None


# ISO datatypes -------------------------------------------------------------------------


def test_iso_datatype() -> None:
    assert [iso_datatype(v) for v in ("2024-03-14", "2024-03", "2024")] == ["date", "gYearMonth", "gYear"]
    for bad in ("2024-3", "24", "2024-03-14T00:00", ""):
        with pytest.raises(ValueError):
            iso_datatype(bad)


def test_every_value_has_an_iso_datatype() -> None:
    text = "2024年3月14日、2024年10月、2024年、去年底、昨天、今年前5月、2022年至2024年"
    for m in find_dates(text, PUB):
        assert m.value is not None
        iso_datatype(m.value)
        if m.end_value is not None:
            assert iso_datatype(m.end_value) == iso_datatype(m.value)
            assert m.end_value >= m.value


# Properties ----------------------------------------------------------------------------

_ALPHABET = "0123456789０１２３４５６７８９〇一二三四五六七八九十年月日号份底初末前去今明上下本个半天昨至到—-~ 度的在了"


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=_ALPHABET, max_size=40),
    st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)),
)
def test_mentions_are_slices_of_the_text(text: str, pub: str | None) -> None:
    found = find_dates(text, pub)
    last = 0
    for m in found:
        assert m.text == text[m.start : m.end]
        assert last <= m.start < m.end
        last = m.end
        assert m.precision in {"day", "month", "year", "range", "relative", "vague"}
        assert m.grain in {"day", "month", "year"}
        if m.value is not None:
            iso_datatype(m.value)
        if pub is None and m.anchored:
            assert m.value is None


# --- publication dates at the ends of the calendar (issue #16) ----------------------------------


@pytest.mark.parametrize("pub", ["0002-01-05", "9998-12-30"])
def test_dates_resolve_against_the_first_and_last_publication_years(pub):
    for phrase in ("前年5月", "去年底", "明年1月", "昨天", "1月3日", "12月30日", "下个月"):
        assert find_dates(phrase, pub)


@pytest.mark.parametrize("pub", ["9999-12-31", "0001-01-01", "not a date"])
def test_a_publication_date_out_of_range_is_a_value_error_and_never_reaches_a_build(pub, tmp_path):
    from kg.errors import SourceError
    from kg.ingest import read_sources
    from kg.ingest.frontmatter import normalize_date

    with pytest.raises(ValueError, match="publication date must be"):
        find_dates("5月8日", pub)
    assert normalize_date(pub) is None  # a front matter or record date like this is no date
    (tmp_path / "a.md").write_text("## 标题\n\n5月8日，会议召开。\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not a valid date"):
        read_sources([tmp_path], date=pub)


# --- issue #12: what news reports of events need -----------------------------------------------


@pytest.mark.parametrize(("text", "pub", "value"), [
    ("9日", "2020-02-10", "2020-02-09"),  # earlier this month
    ("20日", "2020-02-12", "2020-02-20"),  # a few days ahead: still this month
    ("28日", "2020-03-02", "2020-02-28"),  # far ahead: last month
    ("北京时间14日", "2019-10-20", "2019-10-14"),
    ("当地时间6日", "2020-02-07", "2020-02-06"),
])
def test_a_day_alone_is_read_in_the_publication_month(text: str, pub: str, value: str) -> None:
    (m,) = find_dates(text, pub)
    assert (m.text, m.value, m.grain) == (text, value, "day")


@pytest.mark.parametrize("text", ["300日元", "3月31日", "第3日本"])
def test_no_day_alone_in_money_or_after_a_month(text: str) -> None:
    assert all(m.text != text[-2:] or m.start != len(text) - 2 for m in find_dates(text, "2020-02-10"))
    assert not any(m.text.endswith("日元") for m in find_dates(text, "2020-02-10"))


def test_relative_weeks_anaphoric_days_vague_words_and_periods() -> None:
    pub = "2020-02-12"  # a Wednesday
    (week,) = find_dates("上周", pub)
    assert (week.value, week.end_value, week.precision) == ("2020-02-03", "2020-02-09", "range")
    (same,) = find_dates("当日", pub, anchor="2020-02-08")
    assert same.value == "2020-02-08"
    assert find_dates("当日", pub)[0].value is None  # no earlier date to refer to
    (vague,) = find_dates("近日", pub)
    assert (vague.text, vague.value, vague.precision) == ("近日", None, "vague")
    (since,) = find_dates("今年以来", pub)
    assert (since.value, since.end_value) == ("2020-01-01", "2020-02-12")
