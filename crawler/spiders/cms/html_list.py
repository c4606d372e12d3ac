"""Plain HTML listings: detail links recognised by the site's URL pattern, paging by 下一页 links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from parsel import Selector
from scrapy import Request

from crawler.extract.dates import find_date
from crawler.spiders.cms.entry import ListEntry

_NEXT_TEXT = re.compile(r"下一页|下页|后页|next|›|»|>>", re.I)


LIST_ROW = "ancestor::*[self::li or self::tr or self::dd or self::p][1]"  # the row of a list a link sits in


def page_links(selector: Selector, base_url: str, limit: int | None = None) -> Iterator[tuple[str, Selector]]:
    """(absolute URL, link) of the first ``limit`` (or every) followable link under ``selector``."""
    for link in selector.css("a[href]")[:limit]:
        href = link.attrib["href"].strip()
        if not href.startswith(("javascript:", "#", "mailto:")):
            yield urljoin(base_url, href), link


def link_title(link: Selector) -> str | None:
    """A link's title attribute, else its text, with whitespace collapsed."""
    return re.sub(r"\s+", " ", link.attrib.get("title") or "".join(link.css("::text").getall())).strip() or None


def row_text(link: Selector, row: str = LIST_ROW) -> str:
    """The text of the row (``row``: an XPath from the link) a link sits in; empty when none."""
    found = link.xpath(row)
    return " ".join(found.css("::text").getall()) if found else ""


def link_entries(selector: Selector, base_url: str, site) -> Iterator:
    """Every link under ``selector`` whose absolute URL is a detail page of ``site``."""
    for url, link in page_links(selector, base_url):
        if site.is_detail_url(url):
            yield ListEntry(url=url, title=link_title(link), date=find_date(row_text(link)))


def entries(response, site) -> Iterator:
    """Detail links on a listing page, within ``listing.item_selector`` when the site sets one."""
    scope = response.css(site.listing.item_selector) if site.listing.item_selector else [response.selector]
    for part in scope:
        yield from link_entries(part, response.url, site)


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """The listing page after ``page`` while ``page`` is below ``depth``: the link labelled 下一页 (or
    the link numbered page+1), restricted to ``listing.next_page_pattern`` when the site sets one."""
    if page >= depth:
        return
    pattern = site.listing.next_page_pattern
    numbered = None
    for link in response.css("a[href]"):
        href = link.attrib["href"].strip()
        if href.startswith(("javascript:", "#")):
            continue
        url = response.urljoin(href)
        if url == response.url or (pattern and not pattern.search(url)):
            continue
        text = "".join(link.css("::text").getall()).strip() or link.attrib.get("title", "")
        if _NEXT_TEXT.search(text):
            yield Request(url)
            return
        if text == str(page + 1) and numbered is None:
            numbered = url
    if numbered:
        yield Request(numbered)
