"""Hanweb jpaas (大汉 "ucap") columns: the column page ``/<webSiteCode>/<channelCode>/index.html`` is
an empty shell whose list script POSTs a form to ``/queryList`` (``current``, ``pageSize``,
``webSiteCode[]``, ``channelCode[]``, ``sort=sortNum``, ``order=desc``) and renders the JSON answer
``{"data": {"results": [{"source": {"title", "showTitle", "pubDate", "urls": "{\\"pc\\": \\"/…\\"}",
…}}, …]}}``. The site's start URL is the column page; :func:`start_request` turns it into that POST
(the shell itself lists nothing, so it is not fetched).

The API is POST-only with the page in the form body, so every request also carries the page as
``?current=N`` in its URL: the recorded-site mirror ignores bodies and tells pages apart by URL."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy import FormRequest, Request

from crawler.listings.contract import ListingAdapter
from crawler.listings.entry import ListingEntry
from crawler.listings.json_answer import first_date, json_answer, json_int

API_PATH = "/queryList"
FORM_META = "jpaas_form"  # the POST form of a listing request, kept in its meta for the next page
_DATE_FIELDS = ("pubDate", "publishDate", "pubTime", "createTime", "createDate")
_TOTAL_FIELDS = ("total", "totalCount", "totalRecord", "totalElements", "count")
_PAGES_FIELDS = ("pages", "totalPage", "totalPages", "pageCount")
_HEADERS = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json, text/javascript, */*; q=0.01"}


def column_codes(url: str) -> tuple[str, str]:
    """(webSiteCode, channelCode) of a column page URL ``/<webSiteCode>/<channelCode>/…``."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if len(segments) < 2 or "." in segments[1]:
        raise ValueError(f"not a jpaas column URL /<webSiteCode>/<channelCode>/…: {url}")
    return segments[0], segments[1]


def api_url(url: str, page: int) -> str:
    """The ``/queryList`` URL of ``url``'s host with the page number as its query."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, API_PATH, urlencode({"current": page}), ""))


def form_for(url: str, site) -> dict[str, str]:
    """The list form the column page's script posts for page 1."""
    website, channel = column_codes(url)
    return {
        "current": "1",
        "pageSize": str(site.listing.per_page),
        "webSiteCode[]": website,
        "channelCode[]": channel,
        "sort": "sortNum",
        "order": "desc",
    }


def _post(url: str, form: dict[str, str], page: int, referer: str) -> FormRequest:
    form = {**form, "current": str(page)}
    return FormRequest(
        api_url(url, page),
        formdata=form,
        headers={**_HEADERS, "Referer": referer},
        meta={FORM_META: form, "jpaas_referer": referer},
    )


def start_request(url: str, site) -> Request:
    """The first listing request for a start URL: page 1 of the column's ``/queryList`` POST."""
    return _post(url, form_for(url, site), 1, url)


def _answer(response) -> dict:
    """The ``data`` object of the JSON answer, or {} for anything else (an HTML error page)."""
    data = json_answer(response).get("data")
    return data if isinstance(data, dict) else {}


def _results(data: dict) -> list[dict]:
    results = data.get("results")
    if not isinstance(results, list):
        return []
    return [r.get("source") if isinstance(r.get("source"), dict) else r for r in results if isinstance(r, dict)]


def _link(source: dict) -> str | None:
    """The PC page path of a record: ``urls`` is a JSON string (or object) ``{"pc": …}``."""
    urls = source.get("urls")
    if isinstance(urls, str):
        try:
            urls = json.loads(urls)
        except ValueError:
            return urls.strip() or None
    if isinstance(urls, dict):
        link = urls.get("pc") or urls.get("mobile")
        return link.strip() if isinstance(link, str) and link.strip() else None
    link = source.get("url")
    return link.strip() if isinstance(link, str) and link.strip() else None


def _title(source: dict) -> str | None:
    for key in ("title", "showTitle"):
        value = source.get(key)
        if isinstance(value, str):
            value = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", value)).strip()
            if value:
                return value
    return None


def entries(response, site) -> Iterator[ListingEntry]:
    """One entry per record whose PC URL is a notice page of ``site`` (link-out records fail the
    detail pattern and are left out)."""
    for source in _results(_answer(response)):
        link = _link(source)
        if not link:
            continue
        url = response.urljoin(link)
        if site.is_detail_url(url):
            yield ListingEntry(url=url, title=_title(source), date=first_date(source, _DATE_FIELDS))


def _form(response) -> dict[str, str] | None:
    """The form that asked for ``response``: from its request's meta, else its body."""
    request = getattr(response, "request", None)
    if request is None:
        return None
    form = request.meta.get(FORM_META)
    if isinstance(form, dict):
        return dict(form)
    if request.body:
        return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    return None


def has_more(data: dict, page: int, page_size: int) -> bool:
    """Whether a page past ``page`` exists: by the answer's page count or total when it gives one,
    else while pages come back full."""
    for key in _PAGES_FIELDS:
        pages = json_int(data.get(key))
        if pages is not None:
            return page < pages
    for key in _TOTAL_FIELDS:
        total = json_int(data.get(key))
        if total is not None:
            return page < math.ceil(total / max(page_size, 1))
    return len(_results(data)) >= page_size


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """The same POST for page+1 while there is one (and this page listed something), up to page
    ``depth``."""
    data = _answer(response)
    form = _form(response)
    if page >= depth or not _results(data) or not form:
        return
    size = json_int(form.get("pageSize")) or site.listing.per_page
    if not has_more(data, page, size):
        return
    request = getattr(response, "request", None)
    referer = (request.meta.get("jpaas_referer") if request is not None else None) or response.url
    yield _post(response.url, form, page + 1, referer)


ADAPTER = ListingAdapter("jpaas_querylist", entries, next_pages, start_request=start_request)
