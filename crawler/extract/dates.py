"""Publish dates in the forms Chinese notice pages use, as ISO 8601 with +08:00."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))

_NUMERIC = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_HAN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
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
_HAN_DATE = re.compile(
    r"(?P<y>[〇○零ＯO一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)


def _han_number(text: str) -> int:
    """Value of a Han numeral up to 39: 七 → 7, 十一 → 11, 二十六 → 26."""
    if "十" not in text:
        return _HAN_DIGITS[text]
    tens, _, units = text.partition("十")
    return (_HAN_DIGITS[tens] if tens else 1) * 10 + (_HAN_DIGITS[units] if units else 0)


def _iso(y: int, m: int, d: int, hh: int | None = None, mm: int | None = None, ss: int | None = None) -> str | None:
    try:
        moment = datetime(y, m, d, hh or 0, mm or 0, ss or 0, tzinfo=CHINA_TZ)
    except ValueError:
        return None
    if hh is None:
        return moment.date().isoformat()
    return moment.isoformat()


def find_date_span(text: str) -> tuple[str, int, int] | None:
    """The first date in ``text`` as (ISO value, start, end) — see :func:`find_date`."""
    if not text:
        return None
    for match in _NUMERIC.finditer(text):
        g = match.groupdict()
        hour = int(g["H"]) if g["H"] else None
        minute = int(g["M"]) if g["M"] else None
        second = int(g["S"]) if g["S"] else None
        if hour is not None and (hour > 23 or minute > 59):
            hour = minute = second = None
        found = _iso(int(g["y"]), int(g["m"]), int(g["d"]), hour, minute, second)
        if found:
            return found, match.start(), match.end()
    match = _HAN_DATE.search(text)
    if match:
        year = int("".join(str(_HAN_DIGITS[c]) for c in match["y"]))
        found = _iso(year, _han_number(match["m"]), _han_number(match["d"]))
        if found:
            return found, match.start(), match.end()
    return None


def find_date(text: str) -> str | None:
    """First date in ``text``: ``2025年07月16日15:51`` → ``2025-07-16T15:51:00+08:00``;
    a date without a time stays a date, ``2025-07-16``; ``二〇二五年七月十一日`` → ``2025-07-11``."""
    span = find_date_span(text)
    return span[0] if span else None


def parse_date(text: str) -> str | None:
    """A date in any form: the fast path of :func:`find_date`, then dateparser as fallback."""
    found = find_date(text)
    if found or not text or len(text) > 64:
        return found
    import dateparser  # slow to import; only the rare unusual form needs it

    parsed = dateparser.parse(
        text,
        languages=["zh", "en"],
        settings={
            "TIMEZONE": "Asia/Shanghai",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DAY_OF_MONTH": "first",
            "DATE_ORDER": "YMD",
        },
    )
    if parsed is None:
        return None
    return parsed.astimezone(CHINA_TZ).isoformat()


def as_datetime(value: str) -> str:
    """A found date as a full ISO 8601 timestamp with +08:00 (a bare date means midnight)."""
    if "T" in value:
        return value
    return f"{value}T00:00:00+08:00"


_SPLIT_DAY = r"(?P<d>3[01]|[12]\d|0?[1-9])\s*日?"
_SPLIT_YEAR_MONTH = r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>1[0-2]|0?[1-9])\s*月?"
_SPLIT_MONTH_DAY = r"(?P<m>1[0-2]|0?[1-9])\s*[-/.月]\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*日?"
_SPLIT_YEAR = r"(?P<y>(?:19|20)\d{2})\s*年?"
# A date badge set in two elements: the day over the year and month, or the month and day over
# the year, in either order (their texts run together when the elements are inline).
_SPLIT_DATES = tuple(
    re.compile(pattern)
    for pattern in (
        rf"{_SPLIT_DAY}\s*{_SPLIT_YEAR_MONTH}",
        rf"{_SPLIT_YEAR_MONTH}\s+{_SPLIT_DAY}",
        rf"{_SPLIT_MONTH_DAY}\s*{_SPLIT_YEAR}",
        rf"{_SPLIT_YEAR}\s*{_SPLIT_MONTH_DAY}",
    )
)


def split_date(text: str) -> str | None:
    """The date of a text that is only a date badge split in two pieces (``21`` and ``2024年02月``,
    ``2024-02`` and ``21``, ``02-21`` and ``2024``), written together or with a space between:
    ``212024年02月`` → ``2024-02-21``. None for anything else, a full date included."""
    text = text.strip()
    if not 5 <= len(text) <= 20:
        return None
    for pattern in _SPLIT_DATES:
        match = pattern.fullmatch(text)
        if match:
            return _iso(int(match["y"]), int(match["m"]), int(match["d"]))
    return None
