"""Guangdong gkmlpt (政府信息公开目录管理平台): the directory is a Vue page fed by a JSON API,
``/gkmlpt/api/all/{category}?page=N&sid=SITE``, answering ``{"classify": {..., "post_count"},
"articles": [{"id", "title", "url", "display_publish_time", "date", ...}], "total", "offset"}``
with up to 100 articles per page; notices are ``/gkmlpt/content/{a}/{b}/post_{id}.html``."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from scrapy import Request

from crawler.listings.contract import ListingAdapter
from crawler.listings.entry import ListingEntry
from crawler.listings.json_answer import first_date, json_answer, json_int

# Publication time first (发布日期), then the document date (成文日期) as a last resort.
_DATE_FIELDS = ("display_publish_time", "publish_time", "create_time", "created_at", "date")
_PAGE_SIZE_FIELDS = ("page_size", "pagesize", "per_page", "size", "limit")


def entries(response, site) -> Iterator[ListingEntry]:
    """One entry per article whose URL (absolute, without its #category anchor) is a notice page
    of ``site``; external jump entries (``type: "url"``) fail the pattern and are left out."""
    for article in json_answer(response).get("articles") or []:
        if not isinstance(article, dict):
            continue
        raw = article.get("url") or article.get("post_url")
        if not isinstance(raw, str) or not raw.strip():
            continue
        url = urldefrag(response.urljoin(raw.strip()))[0]
        if not site.is_detail_url(url):
            continue
        title = article.get("title")
        title = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", title)).strip() if isinstance(title, str) else None
        yield ListingEntry(url=url, title=title or None, date=first_date(article, _DATE_FIELDS))


def total_pages(data: dict, site) -> int:
    """Pages in the category: ``total`` (or ``classify.post_count``) over the page size (the
    answer's own, else ``listing.per_page``)."""
    total = json_int(data.get("total"))
    if total is None:
        total = json_int((data.get("classify") or {}).get("post_count"))
    if not total:
        return 1
    size = (
        next((json_int(data.get(k)) for k in _PAGE_SIZE_FIELDS if json_int(data.get(k))), None) or site.listing.per_page
    )
    return max(1, math.ceil(total / size))


def page_url(url: str, page: int) -> str:
    """``url`` with its ``page`` parameter set to ``page``, the other parameters in their order."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "page" for k, _ in query):
        query = [(k, str(page) if k == "page" else v) for k, v in query]
    else:
        query.insert(0, ("page", str(page)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """The same API URL for page+1 while there is one (and this page listed something), up to page
    ``depth``."""
    data = json_answer(response)
    if page >= depth or not data.get("articles") or page >= total_pages(data, site):
        return
    yield Request(page_url(response.url, page + 1), headers={"Referer": response.url})


ADAPTER = ListingAdapter("gkmlpt", entries, next_pages)
