"""Hanweb jcms (大汉) columns: records in ``<script type="text/xml">`` CDATA on the column page,
further records from ``dataproxy.jsp`` by POST, ``groupSize`` pages per call."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

from parsel import Selector
from scrapy import FormRequest, Request

from crawler.spiders.cms.html_list import link_entries

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*:\s*['\"]?(\d+)", re.I)
_OPTION = r"{name}\s*:\s*['\"]?([^,'\"}}\s]+)"
_AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{(.*?)\}", re.S)
_PARAM = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,\s}]+))")


def _option(text: str, name: str) -> str | None:
    match = re.search(_OPTION.format(name=name), text)
    return match.group(1) if match else None


def entries(response, site) -> Iterator:
    """Entries in the CDATA records of a column page or a dataproxy answer; on a page whose
    records are gone (a redesign), the detail links anywhere on it."""
    records = _RECORD.findall(response.text)
    if not records:
        yield from link_entries(response.selector, response.url, site)
        return
    for record in records:
        yield from link_entries(Selector(text=record), response.url, site)


def next_pages(response, site, page: int) -> Iterator[Request]:
    """From the column page only: the dataproxy.jsp POSTs for records past the first page, up to
    ``listing.max_pages`` pages in all (each call returns ``groupSize`` pages)."""
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
    last = min(max(totals), site.listing.max_pages * per_page)
    start = per_page + 1
    while start <= last:
        end = min(start + group * per_page - 1, last)
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
        yield FormRequest(
            response.urljoin(f"{proxy}?{query}"), formdata=form,
            headers={"Referer": response.url, "X-Requested-With": "XMLHttpRequest"},
        )
        start = end + 1
