"""和暦 (Japanese era dates): parse what insurers' systems export, format for people.

Eras: 明治 1868-01-25, 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01.
Year 1 is written 元年. Earlier dates than 明治's start are treated as 明治 too.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

ERAS = [  # (kanji, letter, first day), newest first
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
    ("大正", "T", date(1912, 7, 30)),
    ("明治", "M", date(1868, 1, 25)),
]
_BY_NAME = {k: (k, start) for k, _, start in ERAS} | {l: (k, start) for k, l, start in ERAS}
_SHORT = re.compile(r"([RHSTM])(\d{1,2}|元)[./\-](\d{1,2})[./\-](\d{1,2})", re.I)
_LONG = re.compile(r"(令和|平成|昭和|大正|明治)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def era_of(day: date) -> tuple[str, int]:
    for name, _, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    return "明治", day.year - 1868 + 1


def format_wareki(day: date) -> str:
    """平成元年10月1日."""
    era, year = era_of(day)
    return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def format_both(day: date) -> str:
    """平成元年10月1日（1989-10-01）: 和暦 with 西暦 beside."""
    return f"{format_wareki(day)}（{day.isoformat()}）"


def parse_date(text: str) -> date:
    """YYYY-MM-DD (or YYYY/MM/DD), H1.10.1, 平成元年10月1日. Raises ValueError."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if m := _ISO.fullmatch(value):
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = _SHORT.fullmatch(value) or _LONG.fullmatch(value)
    if not m:
        raise ValueError(f"not a date: {text!r}")
    era, start = _BY_NAME[m[1].upper() if len(m[1]) == 1 else m[1]]
    year = 1 if m[2] == "元" else int(m[2])
    if year < 1:
        raise ValueError("era year starts at 1")
    day = date(start.year + year - 1, int(m[3]), int(m[4]))
    if era_of(day)[0] != era:   # before 明治 counts as 明治 (era_of)
        # e.g. 平成31年5月1日 does not exist (it is 令和元年5月1日)
        raise ValueError(f"{text!r} is outside the {era} era")
    return day
