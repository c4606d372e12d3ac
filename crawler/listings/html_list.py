"""Plain HTML listings: detail links recognised by the site's URL pattern, paging by 下一页 links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector
from scrapy import Request

from crawler.extract.dates import find_date
from crawler.listings.contract import ListingAdapter
from crawler.listings.entry import ListingEntry

_NEXT_TEXT = re.compile(r"下一页|下页|后页|next|›|»|>>", re.I)


@dataclass(frozen=True)
class ItemSelector:
    """The option of every adapter that reads a list out of an HTML page.

    ``item_selector``: a CSS selector for the part of the page holding the list (the page also links
    notices in its sidebar and rankings); unset, the whole page."""

    item_selector: str | None = None


@dataclass(frozen=True)
class HtmlListOptions(ItemSelector):
    """``[listing]`` options of ``html_list``: ``item_selector``, and ``next_page_pattern``, a regular
    expression the next page's URL must match (unset: any 下一页 link is followed)."""

    next_page_pattern: re.Pattern | None = None


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
            yield ListingEntry(url=url, title=link_title(link), date=find_date(row_text(link)))


def entries(response, site) -> Iterator:
    """Detail links on a listing page, within ``item_selector`` when the site sets one."""
    selector = site.listing.options.item_selector
    for part in response.css(selector) if selector else [response.selector]:
        yield from link_entries(part, response.url, site)


def problem(response, site) -> str | None:
    """Why a page lists nothing when it is the definition's ``item_selector`` matching nothing."""
    selector = site.listing.options.item_selector
    if selector and hasattr(response, "css") and not response.css(selector):
        return f"item_selector {selector!r} matched nothing"
    return None


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """The listing page after ``page`` while ``page`` is below ``depth``: the link labelled 下一页 (or
    the link numbered page+1), restricted to ``next_page_pattern`` when the site sets one."""
    if page >= depth:
        return
    pattern = site.listing.options.next_page_pattern
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


ADAPTER = ListingAdapter("html_list", entries, next_pages, options=HtmlListOptions, problem=problem)
