"""Reading the JSON answers of list APIs (gkmlpt, jpaas): the decoded document and record dates."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from crawler.extract.dates import find_date

CHINA = timezone(timedelta(hours=8))


def json_answer(response) -> dict:
    """The decoded JSON answer, or {} for anything else (an HTML error page, a challenge)."""
    try:
        data = json.loads(response.text)
    except (ValueError, AttributeError):
        return {}
    return data if isinstance(data, dict) else {}


def first_date(record: dict, fields: tuple[str, ...]) -> str | None:
    """YYYY-MM-DD from the first usable of ``fields``: epoch seconds or milliseconds (China time),
    or a date string."""
    for key in fields:
        value = record.get(key)
        if isinstance(value, bool) or value in (None, "", 0):
            continue
        if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
            seconds = int(value)
            if seconds > 10**11:  # milliseconds
                seconds //= 1000
            try:
                return datetime.fromtimestamp(seconds, CHINA).date().isoformat()
            except (OverflowError, OSError, ValueError):
                continue
        if isinstance(value, str):
            found = find_date(value)
            if found:
                return found[:10]
    return None


def json_int(value) -> int | None:
    """An integer field of a JSON answer, given as a number or a digit string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
