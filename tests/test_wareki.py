"""和暦: era boundaries both ways, 元年, the short and long forms insurers' systems export."""
from datetime import date

import pytest

from server.register.wareki import format_both, format_wareki, parse_date

BOUNDARIES = [
    pytest.param(date(1912, 7, 29), "明治45年7月29日", id="last-day-of-meiji"),
    pytest.param(date(1912, 7, 30), "大正元年7月30日", id="first-day-of-taisho"),
    pytest.param(date(1926, 12, 24), "大正15年12月24日", id="last-day-of-taisho"),
    pytest.param(date(1926, 12, 25), "昭和元年12月25日", id="first-day-of-showa"),
    pytest.param(date(1927, 1, 1), "昭和2年1月1日", id="showa-2-starts-on-1-january"),
    pytest.param(date(1989, 1, 7), "昭和64年1月7日", id="last-day-of-showa"),
    pytest.param(date(1989, 1, 8), "平成元年1月8日", id="first-day-of-heisei"),
    pytest.param(date(1989, 10, 1), "平成元年10月1日", id="heisei-gannen"),
    pytest.param(date(2019, 4, 30), "平成31年4月30日", id="last-day-of-heisei"),
    pytest.param(date(2019, 5, 1), "令和元年5月1日", id="first-day-of-reiwa"),
    pytest.param(date(2019, 12, 31), "令和元年12月31日", id="last-day-of-reiwa-gannen"),
    pytest.param(date(2020, 1, 1), "令和2年1月1日", id="reiwa-2-starts-on-1-january"),
    pytest.param(date(2026, 11, 27), "令和8年11月27日", id="reiwa-8"),
    pytest.param(date(1868, 1, 1), "明治元年1月1日", id="before-meiji-counts-as-meiji"),
]

PARSED = [
    pytest.param("1989-10-01", date(1989, 10, 1), id="iso"),
    pytest.param("1989/10/1", date(1989, 10, 1), id="iso-slashes-no-padding"),
    pytest.param("H1.10.1", date(1989, 10, 1), id="short-dots"),
    pytest.param("H1/10/1", date(1989, 10, 1), id="short-slashes"),
    pytest.param("H1-10-1", date(1989, 10, 1), id="short-hyphens"),
    pytest.param("h1.10.1", date(1989, 10, 1), id="short-lower-case"),
    pytest.param("H元.10.1", date(1989, 10, 1), id="short-gannen"),
    pytest.param("H01.10.01", date(1989, 10, 1), id="short-zero-padded"),
    pytest.param("S55.5.15", date(1980, 5, 15), id="short-showa"),
    pytest.param("s64.1.7", date(1989, 1, 7), id="short-last-day-of-showa"),
    pytest.param("H31.4.30", date(2019, 4, 30), id="short-last-day-of-heisei"),
    pytest.param("R1.5.1", date(2019, 5, 1), id="short-first-day-of-reiwa"),
    pytest.param("T1.7.30", date(1912, 7, 30), id="short-first-day-of-taisho"),
    pytest.param("M45.7.29", date(1912, 7, 29), id="short-last-day-of-meiji"),
    pytest.param("平成元年10月1日", date(1989, 10, 1), id="long-gannen"),
    pytest.param("平成1年10月1日", date(1989, 10, 1), id="long-year-1"),
    pytest.param("令和元年5月1日", date(2019, 5, 1), id="long-first-day-of-reiwa"),
    pytest.param("昭和元年12月25日", date(1926, 12, 25), id="long-first-day-of-showa"),
    pytest.param("大正元年7月30日", date(1912, 7, 30), id="long-first-day-of-taisho"),
    pytest.param("平成 元 年 10 月 1 日", date(1989, 10, 1), id="long-with-spaces"),
    pytest.param("  S55.5.15  ", date(1980, 5, 15), id="surrounding-spaces"),
    pytest.param("Ｈ１．１０．１", date(1989, 10, 1), id="full-width-short"),
    pytest.param("平成元年１０月１日", date(1989, 10, 1), id="full-width-digits-long"),
    pytest.param("１９８９－１０－０１", date(1989, 10, 1), id="full-width-iso"),
]

INVALID = [
    pytest.param("", id="empty"),
    pytest.param("yesterday", id="words"),
    pytest.param("1989-13-01", id="month-13"),
    pytest.param("2026-02-30", id="february-30"),
    pytest.param("2025-02-29", id="february-29-not-leap"),
    pytest.param("19891001", id="no-separators"),
    pytest.param("H1.10", id="no-day"),
    pytest.param("X1.1.1", id="unknown-era-letter"),
    pytest.param("H0.1.1", id="year-0"),
    pytest.param("H1.1.7", id="heisei-before-its-start"),
    pytest.param("平成31年5月1日", id="heisei-after-its-end"),
    pytest.param("H31.5.1", id="short-heisei-after-its-end"),
    pytest.param("昭和64年1月8日", id="showa-after-its-end"),
    pytest.param("昭和65年1月1日", id="showa-65"),
    pytest.param("T15.12.25", id="taisho-after-its-end"),
    pytest.param("R1.4.30", id="reiwa-before-its-start"),
    pytest.param("M45.7.30", id="meiji-after-its-end"),
    pytest.param("M50.1.1", id="meiji-50"),
    pytest.param("平成元年2月30日", id="impossible-day-in-era"),
]


@pytest.mark.parametrize(("day", "text"), BOUNDARIES)
def test_format_wareki(day, text):
    assert format_wareki(day) == text


@pytest.mark.parametrize(("day", "text"), BOUNDARIES)
def test_wareki_round_trips(day, text):
    assert parse_date(text) == day


def test_format_both_puts_the_western_date_beside():
    assert format_both(date(1989, 10, 1)) == "平成元年10月1日（1989-10-01）"
    assert format_both(date(2019, 5, 1)) == "令和元年5月1日（2019-05-01）"


@pytest.mark.parametrize(("text", "day"), PARSED)
def test_parse_date(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text", INVALID)
def test_parse_date_refuses(text):
    with pytest.raises(ValueError):
        parse_date(text)
