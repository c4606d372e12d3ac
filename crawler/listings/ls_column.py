"""Anhui's province-wide government website platform (安徽省政府网站集约化平台, the sites under
``*.ah.gov.cn`` whose page scripts use the ``Ls`` namespace). A column's first page is a published
file (``/sy/wjgg/index.html``) listing ``ul.doc_list > li > a[title] + span.date``; the pager is
drawn by a script call

    Ls.pagination("#page_<columnId>", function(pageIndex){ location.href='…/content/column/<columnId>?pageIndex=' + pageIndex;},
                  {currPage: (0+1), pageCount: 2});

so page N is ``/content/column/<columnId>?pageIndex=N`` (the same template, rendered dynamically).
A rendered pager (``<a paged="N">``) is read too when the script is missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

from scrapy import Request

from crawler.listings.contract import ListingAdapter
from crawler.listings.html_list import ItemSelector, link_entries, problem

_CALL = re.compile(r"Ls\.pagination\s*\(")
_ELEMENT = re.compile(r"""^\s*['"]#?page_(\d+)['"]""")
_HREF = re.compile(r"""location\.href\s*=\s*['"]([^'"]+)['"]\s*\+""")
_COUNT = re.compile(r"pageCount\s*:\s*['\"]?(\d+)")
_CURRENT = re.compile(r"currPage\s*:\s*\(?\s*([\d\s+]+?)\s*\)?\s*[,}]")


def entries(response, site) -> Iterator:
    """Detail links of the list, within ``item_selector`` when the site sets one (the
    column page also links other columns' articles in its sidebar)."""
    selector = site.listing.options.item_selector
    for part in response.css(selector) if selector else [response.selector]:
        yield from link_entries(part, response.url, site)


def pager(text: str) -> tuple[str, int, int | None] | None:
    """``(URL prefix before the page number, pageCount, currPage or None)`` from the page's
    ``Ls.pagination`` call, or None when the page has none."""
    for match in _CALL.finditer(text):
        args = text[match.end() : match.end() + 1000].split("</script>", 1)[0]
        count = _COUNT.search(args)
        if not count:
            continue
        href = _HREF.search(args)
        element = _ELEMENT.search(args)
        if href:
            prefix = href.group(1)
        elif element:
            prefix = f"/content/column/{element.group(1)}?pageIndex="
        else:
            continue
        current = _CURRENT.search(args)
        number = sum(int(n) for n in re.findall(r"\d+", current.group(1))) if current else None
        return prefix, int(count.group(1)), number
    return None


def _page_index(url: str) -> int | None:
    values = parse_qs(urlsplit(url).query).get("pageIndex")
    return int(values[0]) if values and values[0].isdigit() else None


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """``…/content/column/<id>?pageIndex=N+1`` while N is below the pager's pageCount and ``page``
    below ``depth``; the URL's own ``pageIndex`` is the authority on which page this is (the first
    page has none)."""
    if page >= depth:
        return
    found = pager(response.text)
    if found is None:
        paged = [int(n) for n in response.css("a[paged]::attr(paged)").re(r"^\d+$")]
        element = re.search(r"""id=['"]page_(\d+)['"]""", response.text)
        if not paged or not element:
            return
        found = (f"/content/column/{element.group(1)}?pageIndex=", max(paged), None)
    prefix, count, current = found
    index = _page_index(response.url) or current or page
    if index < count:
        yield Request(urljoin(response.url, f"{prefix}{index + 1}"))


ADAPTER = ListingAdapter("ls_column", entries, next_pages, options=ItemSelector, problem=problem)
