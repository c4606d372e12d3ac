"""The records of a JSON list answer: where they are, and each record's link, title and date fields."""

from __future__ import annotations

import json
import re

from parsel import Selector

from crawler.listings.detect.links import DATE, Link, absolute, clean_text, html_links

# Record fields that usually hold a notice's link, in the order they are preferred.
_URL_KEYS = ("docpuburl", "url", "chnldocurl", "link", "href", "puburl", "post_url", "urls")


def _record_rosters(data, path: str = ""):
    """(dotted path, list of dict records) for every list of objects in a JSON document."""
    if isinstance(data, list):
        records = [r for r in data if isinstance(r, dict)]
        if records:
            yield path, records
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _record_rosters(value, f"{path}.{key}" if path else key)


def looks_like_url(value) -> bool:
    """Whether a field value is an absolute, protocol-relative or root-relative URL."""
    return isinstance(value, str) and bool(re.match(r"(?:https?:)?//[^/\s]+/\S|/[^/\s]\S*$", value.strip()))


def record_url(record: dict) -> tuple[str, str] | None:
    """(field, URL) of a record's link: a known link field first, else any URL-valued field; a
    jpaas ``urls`` field holds JSON text ``{"pc": "/…"}``."""
    keys = sorted(record, key=lambda k: _URL_KEYS.index(k.lower()) if k.lower() in _URL_KEYS else len(_URL_KEYS))
    for key in keys:
        value = record[key]
        if key.lower() == "urls" and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
            if isinstance(value, dict):
                value = value.get("pc") or next(iter(value.values()), None)
        if looks_like_url(value):
            return key, value.strip()
    return None


def record_title(record: dict) -> tuple[str, str] | None:
    """(field, title) of a record: a ``title`` field first, else the first field of Chinese text."""
    named = [k for k in record if "title" in k.lower() and isinstance(record[k], str) and record[k].strip()]
    if named:
        key = min(named, key=lambda k: (k.lower() != "title", k.lower().startswith("sub"), len(k)))
        return key, record[key]
    texts = [k for k in record if isinstance(record[k], str) and re.search(r"[\u4e00-\u9fff]{6}", record[k])]
    return (texts[0], record[texts[0]]) if texts else None


def record_dates(record: dict) -> list[str]:
    """The fields of a record holding a date: date text, or epoch seconds in a time/date field."""
    return [
        k
        for k, v in record.items()
        if isinstance(v, str)
        and DATE.match(v.strip())
        or (isinstance(v, (int, float)) and not isinstance(v, bool) and re.search(r"time|date", k, re.I) and v > 10**9)
    ]


def json_records(data) -> tuple[str, list[dict]]:
    """The record list of a JSON list answer (the one with the most linked records), each record
    taken from its ``source`` object where it has one (jpaas), and its dotted path."""
    best, best_path, best_count = [], "", 0
    for path, records in _record_rosters(data):
        flat = [r["source"] if isinstance(r.get("source"), dict) else r for r in records]
        count = sum(1 for r in flat if record_url(r))
        if count > best_count:
            best, best_path, best_count = flat, path, count
    return best_path, best


def json_links(data, base_url: str) -> list[Link]:
    """The links of a JSON list answer: those of its rendered list (jpaas ``data.html``), else one
    per linked record, titled and dated from the record's fields."""
    if isinstance(data, dict) and isinstance(data.get("data"), dict) and isinstance(data["data"].get("html"), str):
        return html_links(Selector(text=data["data"]["html"] or "<html></html>"), base_url, in_page=False)
    links = []
    for record in json_records(data)[1]:
        found = record_url(record)
        if found:
            title = record_title(record)
            links.append(
                Link(
                    url=absolute(base_url, found[1]),
                    text=clean_text(title[1] if title else ""),
                    dated=bool(record_dates(record)),
                )
            )
    return links
