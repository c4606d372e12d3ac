"""JSON list APIs: column pages whose list a script fills from a JSON answer of records instead of
publishing it as static pages. The answers differ in where the records are and what their fields
are called, which a site definition says. The TRS WCM sites have two common families:

- the TRS WAS search front behind Fujian's sites, ``POST /fjdzapp/search`` (formerly
  ``/was5/web/search``) with ``channelid``, ``classsql=chnlid=<column>``, ``sortfield``, ``page`` and
  ``prepage``, answering ``{"data": [{"doctitle", "docpuburl", "chnldocurl", "docreltime", …}],
  "pageCount": N, …}``;
- TRS 海贝 (IGS) ``GET /igs/front/search/list.html?…&pageNumber=N&pageSize=M`` answering
  ``{"page": {"content": [{"DOCTITLE", "DOCPUBURL", "PUBDATE", …}], "total", "totalPages"}}``.

Other platforms answer the same way with their own names, such as Gansu's province platform
(``GET /common/search/<channelId>?…&page=N`` answering ``{"data": {"results": [{"title", "url",
"publishedTimeStr", …}]}}``).

A site definition names the API in its start URL, and in ``[listing]`` (:class:`JsonListOptions`)
where the records are, the record fields holding link, title and date where they differ from the
usual TRS names, the page parameter and, for a POST API, the form. The page number always goes into
the URL's query as well: the recorded-site mirror tells pages apart by URL only (POST bodies are not
looked at).

A broken answer (an HTML error page instead of JSON, JSON without a record list) lists nothing;
:func:`problem` says what was wrong and :func:`entries` logs it."""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from scrapy import FormRequest, Request

from crawler.listings.contract import Form, ListingAdapter
from crawler.listings.entry import ListingEntry
from crawler.listings.json_answer import first_date, json_answer, json_int

log = logging.getLogger(__name__)

URL_FIELDS = ("docpuburl", "DOCPUBURL", "chnldocurl", "CHNLDOCURL", "docPubUrl", "url", "URL", "link")
TITLE_FIELDS = ("doctitle", "DOCTITLE", "_doctitle", "title", "TITLE", "docTitle", "FileName")
DATE_FIELDS = (
    "docreltime",
    "DOCRELTIME",
    "pubDate",
    "PUBDATE",
    "pubdate",
    "docpubtime",
    "DOCPUBTIME",
    "trs_time",
    "pubtime",
    "time",
    "publishTime",
    "createTime",
)
# Where the records usually are, when the definition does not say.
RECORD_PATHS = (
    "data",
    "datas",
    "docs",
    "page.content",
    "data.list",
    "data.data",
    "data.records",
    "list",
    "records",
    "result.list",
    "content",
)
_PAGES_FIELDS = (
    "pageCount",
    "pagecount",
    "totalPages",
    "totalPage",
    "pages",
    "page.totalPages",
    "data.pageCount",
    "data.pages",
)
_TOTAL_FIELDS = (
    "total",
    "totalCount",
    "count",
    "recordCount",
    "totalElements",
    "page.total",
    "page.totalElements",
    "data.total",
    "data.totalCount",
)
_HEADERS = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json, text/javascript, */*; q=0.01"}
_JSONP = re.compile(r"^\s*[\w$.]+\s*\((.*)\)\s*;?\s*$", re.DOTALL)
REFERER_META = "json_list_referer"  # the column page, kept in a listing request's meta for the next page


@dataclass(frozen=True)
class JsonListOptions:
    """``[listing]`` options of ``json_list``.

    ``records``: the dotted path of the record list in the answer (``data``, ``page.content``);
    unset, the usual places (``RECORD_PATHS``) are tried. ``url_fields``, ``title_fields``,
    ``date_fields``: the record fields (dotted paths) holding a notice's link, title and date, the
    first usable one wins. ``page_param``: the query (and form) parameter of the page number.
    ``form``: the form of a POST API (``[listing.form]``, in file order; unset: the API is a GET)."""

    records: str | None = None
    url_fields: tuple[str, ...] = URL_FIELDS
    title_fields: tuple[str, ...] = TITLE_FIELDS
    date_fields: tuple[str, ...] = DATE_FIELDS
    page_param: str = "page"
    form: Form = ()


def _document(response):
    """The decoded answer (a dict, or a list of records), or None when it is not JSON. A JSONP
    wrapper ``callback({...})`` is taken off."""
    data = json_answer(response)
    if data:
        return data
    try:
        text = response.text
    except AttributeError:
        return None
    for candidate in (text, (_JSONP.match(text) or [None, None])[1]):
        if candidate is None:
            continue
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, (dict, list)):
            return value
    return None


def _at(data, path: str):
    """The value at a dotted ``path`` of ``data`` (``page.content``), or None."""
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def records(data, site) -> list[dict] | None:
    """The records of an answer: at the ``records`` option, else at the first usual place holding a
    list; None when the answer has no record list at all (an empty list is a list)."""
    if isinstance(data, list):
        found = data
    else:
        paths = (site.listing.options.records,) if site.listing.options.records else RECORD_PATHS
        found = next((v for v in (_at(data, p) for p in paths) if isinstance(v, list)), None)
    if found is None:
        return None
    return [r for r in found if isinstance(r, dict)]


def problem(response, site) -> str | None:
    """What is wrong with a listing answer, in words, or None when it holds a record list."""
    data = _document(response)
    if data is None:
        kind = response.headers.get(b"Content-Type", b"").decode("latin-1") if hasattr(response, "headers") else ""
        head = re.sub(r"\s+", " ", (getattr(response, "text", "") or "")[:60]).strip()
        return f"list answer is not JSON (Content-Type {kind or 'unknown'}; starts {head!r})"
    if records(data, site) is None:
        where = site.listing.options.records or " / ".join(RECORD_PATHS[:4]) + " …"
        return f"JSON list answer has no record list at {where}"
    return None


def _text(record: dict, fields: tuple[str, ...]) -> str | None:
    for key in fields:
        value = _at(record, key)
        if isinstance(value, str):
            value = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", value))).strip()
            if value:
                return value
    return None


def _date(record: dict, fields: tuple[str, ...]) -> str | None:
    flat = {key: _at(record, key) for key in fields}
    return first_date(flat, fields)


def entries(response, site) -> Iterator[ListingEntry]:
    """One entry per record whose link (absolute, without a #fragment) is a notice page of
    ``site``; link-outs to other sites fail the detail pattern and are left out."""
    data = _document(response)
    found = records(data, site) if data is not None else None
    if found is None:
        log.warning("%s: %s: %s", site.name, response.url, problem(response, site))
        return
    options = site.listing.options
    seen = set()
    for record in found:
        link = _text(record, options.url_fields)
        if not link or link.lower().startswith(("javascript:", "mailto:")):
            continue
        url = urldefrag(response.urljoin(link))[0]
        if url in seen or not site.is_detail_url(url):
            continue
        seen.add(url)
        yield ListingEntry(url=url, title=_text(record, options.title_fields), date=_date(record, options.date_fields))


def page_url(url: str, param: str, page: int) -> str:
    """``url`` with its ``param`` query parameter set to ``page`` (added last when missing), the
    other parameters kept in their order."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == param for k, _ in query):
        query = [(k, str(page) if k == param else v) for k, v in query]
    else:
        query.append((param, str(page)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _request(url: str, site, page: int, referer: str) -> Request:
    options = site.listing.options
    target = page_url(url, options.page_param, page)
    headers = {**_HEADERS, "Referer": referer}
    if options.form:
        form = {**dict(options.form), options.page_param: str(page)}
        return FormRequest(target, formdata=form, headers=headers, meta={REFERER_META: referer})
    return Request(target, headers=headers, meta={REFERER_META: referer})


def start_request(url: str, site) -> Request:
    """The first listing request for a start URL: page 1 of the API (a POST of the form when the
    definition has one)."""
    return _request(url, site, 1, url)


def has_more(data, site, page: int, listed: int) -> bool:
    """Whether a page past ``page`` exists: by the answer's page count, else its total over the
    page size (``listing.per_page``), else while pages come back full."""
    if isinstance(data, dict):
        for key in _PAGES_FIELDS:
            pages = json_int(_at(data, key))
            if pages is not None:
                return page < pages
        for key in _TOTAL_FIELDS:
            total = json_int(_at(data, key))
            if total is not None:
                return page < math.ceil(total / max(site.listing.per_page, 1))
    return listed >= site.listing.per_page


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """The same API request for page+1 while there is one (and this page listed something), up to
    page ``depth``."""
    data = _document(response)
    found = records(data, site) if data is not None else None
    if page >= depth or not found or not has_more(data, site, page, len(found)):
        return
    request = getattr(response, "request", None)
    referer = (request.meta.get(REFERER_META) if request is not None else None) or response.url
    yield _request(response.url, site, page + 1, referer)


ADAPTER = ListingAdapter(
    "json_list",
    entries,
    next_pages,
    options=JsonListOptions,
    start_request=start_request,
    problem=problem,
    former_names=("trs_json",),
)
