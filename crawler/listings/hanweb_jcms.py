"""Hanweb jcms (大汉) columns: records in ``<script type="text/xml">`` CDATA on the column page (the
jpage plugin's first group, up to ``perPage × groupSize`` records), further records from
``dataproxy.jsp`` by POST, ``groupSize`` pages per call."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

from parsel import Selector
from scrapy import FormRequest, Request

from crawler.listings.contract import ListingAdapter
from crawler.listings.html_list import link_entries

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*:\s*['\"]?(\d+)", re.I)
_OPTION = r"{name}\s*:\s*['\"]?([^,'\"}}\s]+)"
_AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{(.*?)\}", re.S)
_PARAM = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,\s}]+))")


def _option(text: str, name: str) -> str | None:
    match = re.search(_OPTION.format(name=name), text)
    return match.group(1) if match else None


def entries(response, site) -> Iterator:
    """Entries in the CDATA records of a column page or a dataproxy answer (none on a page whose
    records are gone: the spider's fallback then reads it, and says so)."""
    for record in _RECORD.findall(response.text):
        yield from link_entries(Selector(text=record), response.url, site)


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """From the column page only (page 1): the dataproxy.jsp POSTs for the records after those the
    page holds, up to ``min(totalRecord, depth × perPage)`` records in all (``depth`` pages),
    ``groupSize`` pages a call (``perPage`` and ``groupSize`` from the column's jpage call;
    ``listing.per_page`` and 3 when it names none)."""
    if page != 1:
        return
    text = response.text
    totals = [int(a or b) for a, b in _TOTAL.findall(text)]
    ajax = _AJAX_PARAM.search(text)
    if not totals or not ajax:
        return
    per_page = int(_option(text, "perPage") or site.listing.per_page)
    group = int(_option(text, "groupSize") or 3)
    proxy = _option(text, "proxyUrl") or "/module/jpage/dataproxy.jsp"
    form = {m[1]: next(v for v in m.groups()[1:] if v is not None) for m in _PARAM.finditer(ajax.group(1))}
    last = min(max(totals), depth * per_page)
    start = max(len(_RECORD.findall(text)), per_page) + 1
    while start <= last:
        end = min(start + group * per_page - 1, last)
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
        yield FormRequest(
            response.urljoin(f"{proxy}?{query}"),
            formdata=form,
            headers={"Referer": response.url, "X-Requested-With": "XMLHttpRequest"},
        )
        start = end + 1


ADAPTER = ListingAdapter("hanweb_jcms", entries, next_pages)
