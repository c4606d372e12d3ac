"""Notice links found by structure when a listing's configured markup finds none: the site's
detail links anywhere on the page (or in its scripts and JSON), else the repeated link + date rows
that 通知公告 lists are made of. What is found this way is read, and marked as read by a fallback."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

from crawler.extract.dates import find_date
from crawler.listings.entry import ListingEntry
from crawler.listings.html_list import link_entries, link_title, page_links, row_text

MAX_ENTRIES = 100  # links taken from one page: a page of thousands of links is not a list of notices
MAX_LINKS_SCANNED = 3000  # links looked at for rows: bounds the work on a hostile page
MIN_ROWS = 3  # rows of one URL shape with a date that make a list
_URL_IN_TEXT = re.compile(r"""(?:https?:)?//[^\s"'<>\\]+|/[^\s"'<>\\]+?\.(?:s?html?|jsp|php)(?:\?[^\s"'<>\\]*)?""")
_ROW = "ancestor::*[self::li or self::tr or self::dd or self::p or self::div][1]"  # divs too: any template
_DIGITS = re.compile(r"\d+")
_TOKEN = re.compile(r"(?=[A-Za-z]*\d)[A-Za-z0-9]{6,}")  # ids such as 7JtAShYP, art_1582900_123


@dataclass
class Found:
    """What the fallback found on a listing page: its entries and, in words, how (or why not)."""

    entries: list[ListingEntry] = field(default_factory=list)
    how: str = ""


def _same_site(url: str, site) -> bool:
    return urlsplit(url).hostname in site.hosts


def _capped(entries: list[ListingEntry], how: str) -> Found:
    unique = list({entry.url: entry for entry in entries}.values())
    if len(unique) > MAX_ENTRIES:
        return Found(unique[:MAX_ENTRIES], f"{how}: took the first {MAX_ENTRIES} of {len(unique):,}")
    return Found(unique, how)


def _pattern_links(response, site, html: bool) -> list[ListingEntry]:
    """Same-site links matching the definition's detail ``url_pattern``: in ``<a href>`` anywhere on
    an ``html`` page, else as URLs in the text (scripts, CDATA records, a JSON answer)."""
    entries = []
    if html:
        entries = [e for e in link_entries(response.selector, response.url, site) if _same_site(e.url, site)]
    if entries:
        return entries
    found = []
    for match in _URL_IN_TEXT.finditer(response.text[:2_000_000].replace("\\/", "/")):  # JSON escapes / as \/
        url = urljoin(response.url, match[0])
        if _same_site(url, site) and site.is_detail_url(url):
            found.append(ListingEntry(url=url))
    return found


def _shape(url: str) -> str:
    """A URL's form with its numbers and ids abstracted: ``/art/2025/7/16/art_15_9.html`` →
    ``/art/0/0/0/art_0_0.html``; the rows of one list share it."""
    parts = urlsplit(url)
    return parts.netloc + _DIGITS.sub("0", _TOKEN.sub("x", parts.path))


def _dated_rows(response, site, today: date) -> tuple[list[ListingEntry], int]:
    """The largest group of same-site links of one URL shape whose rows carry a date (not in the
    future), and how many dated rows were dropped for a date in the future."""
    groups: dict[str, list[ListingEntry]] = defaultdict(list)
    future = 0
    latest = (today + timedelta(days=1)).isoformat()
    for url, link in page_links(response.selector, response.url, MAX_LINKS_SCANNED):
        if not _same_site(url, site) or url.rstrip("/") == response.url.rstrip("/"):
            continue
        day = find_date(row_text(link, _ROW))
        if not day:
            continue
        if day[:10] > latest:
            future += 1
            continue
        groups[_shape(url)].append(ListingEntry(url=url, title=link_title(link), date=day))
    best = max(groups.values(), key=len, default=[])
    return (best if len(best) >= MIN_ROWS else []), future


def _is_html(response) -> bool:
    kind = response.headers.get(b"Content-Type", b"").decode("latin-1").lower() if hasattr(response, "headers") else ""
    return "html" in kind or response.text.lstrip()[:1] == "<" and "<a" in response.text[:500_000].lower()


def find_entries(response, site, today: date | None = None) -> Found:
    """Notice links on a listing page whose configured markup found none, by structure."""
    if not hasattr(response, "text"):
        return Found(how="the answer is not text")
    html = _is_html(response)
    links = _pattern_links(response, site, html)
    if links:
        return _capped(links, f"{len(links)} link(s) matching the detail url_pattern")
    if not html:
        return Found(how="no link matching the detail url_pattern")
    rows, future = _dated_rows(response, site, today or date.today())
    if rows:
        return _capped(
            rows,
            f"{len(rows)} repeated link + date row(s) of one URL shape "
            "(none matches the detail url_pattern: update it)",
        )
    why = "no link matching the detail url_pattern, no repeated link + date rows"
    if future:
        why += f" ({future} row(s) dated in the future ignored)"
    return Found(how=why)
