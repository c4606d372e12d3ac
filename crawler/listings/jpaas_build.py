"""JPaaS publish server (大汉/JPaaS 站群, used by 工信部, 市场监管总局, 住建部, 商务部 and others): a
column page is a shell whose list a script fetches from
``/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=...&webId=...&tplSetId=...
&pageType=column&tagId=...&editType=null&pageId=...``; the answer is JSON,
``{"success": true, "data": {"html": "<ul><li>...</li></ul>"}}``, whose ``data.html`` is the rendered
list. Later pages are asked for with ``paramJson={"pageNo":N,"pageSize":M}`` (bare ``pageNo``
parameters are ignored by the server). The answer has no paging fields of its own: the total, when
the template renders one, is in the html, as ``'count':'N'`` in the ``querydata`` attribute of the
pager element (id containing ``pagination``) or as 共 N 条 / 共 N 页 text; without one, a full page
means there may be another."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector
from scrapy import Request

from crawler.listings.contract import ListingAdapter
from crawler.listings.entry import ListingEntry
from crawler.listings.html_list import ItemSelector, link_entries
from crawler.listings.json_answer import json_answer

PARAM = "paramJson"
_QUERYDATA_COUNT = re.compile(r"""['"]?(?:count|total|totalCount)['"]?\s*:\s*['"]?(\d+)""")
_TEXT_COUNT = re.compile(r"共\s*(\d+)\s*条")
_TEXT_PAGES = re.compile(r"共\s*(\d+)\s*页")


def listing_html(response) -> str:
    """``data.html`` of a successful answer, else ''."""
    data = json_answer(response)
    if data.get("success") is False:
        return ""
    inner = data.get("data")
    html = inner.get("html") if isinstance(inner, dict) else None
    return html if isinstance(html, str) else ""


def _entries(html: str, base_url: str, site) -> list[ListingEntry]:
    if not html.strip():
        return []
    selector = Selector(text=html)
    item_selector = site.listing.options.item_selector
    scope = selector.css(item_selector) if item_selector else [selector]
    found: dict[str, ListingEntry] = {}
    for part in scope:
        for entry in link_entries(part, base_url, site):
            found.setdefault(entry.url, entry)
    return list(found.values())


def entries(response, site) -> Iterator[ListingEntry]:
    """Detail links in the rendered list (``data.html``), within ``item_selector`` when set;
    relative links are resolved against the site's own host (the answer's URL)."""
    yield from _entries(listing_html(response), response.url, site)


def problem(response, site) -> str | None:
    """Why an answer lists nothing when it is the definition's ``item_selector`` matching nothing in
    the rendered list."""
    selector, html = site.listing.options.item_selector, listing_html(response)
    if selector and html.strip() and not Selector(text=html).css(selector):
        return f"item_selector {selector!r} matched nothing in data.html"
    return None


def page_params(url: str) -> dict:
    """The decoded ``paramJson`` of ``url`` ({} when absent or not a JSON object)."""
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key == PARAM:
            try:
                params = json.loads(value)
            except ValueError:
                return {}
            return params if isinstance(params, dict) else {}
    return {}


def page_size(url: str, site) -> int:
    size = page_params(url).get("pageSize")
    try:
        size = int(size)
    except (TypeError, ValueError):
        return site.listing.per_page
    return size if size > 0 else site.listing.per_page


def page_url(url: str, page: int, size: int) -> str:
    """``url`` with ``paramJson`` asking for ``page`` (other paramJson keys kept, pageSize set to
    ``size`` when absent); the other parameters keep their order."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    params = {**page_params(url), "pageNo": page}
    params.setdefault("pageSize", size)
    value = json.dumps(params, ensure_ascii=False, separators=(",", ":"))
    if any(k == PARAM for k, _ in query):
        query = [(k, value if k == PARAM else v) for k, v in query]
    else:
        query.append((PARAM, value))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def total_pages(html: str, size: int) -> int | None:
    """Pages in the column from the pager in ``data.html``, or None when it names no total."""
    selector = Selector(text=html)
    for node in selector.xpath("//*[@querydata]"):
        if "pagination" not in (node.attrib.get("id") or "").lower():
            continue
        match = _QUERYDATA_COUNT.search(node.attrib["querydata"])
        if match:
            return max(1, math.ceil(int(match.group(1)) / size))
    text = " ".join(selector.css("::text").getall())
    match = _TEXT_PAGES.search(text)
    if match:
        return max(1, int(match.group(1)))
    match = _TEXT_COUNT.search(text)
    if match:
        return max(1, math.ceil(int(match.group(1)) / size))
    return None


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """The same API URL asking for page+1, while the pager's total says there is one (without a
    total: while this page was full) and ``page`` is below ``depth``; never after a page that listed
    nothing."""
    if page >= depth:
        return
    html = listing_html(response)
    listed = _entries(html, response.url, site)
    if not listed:
        return
    size = page_size(response.url, site)
    pages = total_pages(html, size)
    if (page >= pages) if pages is not None else (len(listed) < size):
        return
    yield Request(page_url(response.url, page + 1, size), headers={"Referer": response.url})


ADAPTER = ListingAdapter("jpaas_build", entries, next_pages, options=ItemSelector, problem=problem)
