"""The API family of a JSON list answer and the listing options its answer shows.

Markers, strongest first: gkmlpt (``articles`` + ``classify``, ``/gkmlpt/content/`` links), the
jpaas build API (``data.html``, a rendered list), jpaas ``/queryList`` (``results[].source`` with
``urls`` ``{"pc": …}``, ``webSiteCode``/``channelCode``), else a record list with URL fields
(json_list; TRS field names such as ``docpuburl``/``doctitle`` make it "TRS JSON list")."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

from crawler.listings.detect.families import Family
from crawler.listings.detect.json_records import json_records, looks_like_url, record_dates, record_title, record_url
from crawler.listings.detect.links import Link
from crawler.listings.json_answer import json_int

_TRS_FIELDS = {"docpuburl", "doctitle", "chnldocurl", "docreltime", "docpubtime"}
_PAGE_PARAMS = ("page", "pageNumber", "pageNo", "current", "pageIndex", "curPage")


def json_family(url: str, data, links: list[Link]) -> Family:
    """The family of the JSON answer ``data`` fetched from ``url``, whose links are ``links``."""
    top = data if isinstance(data, dict) else {}
    inner = top.get("data") if isinstance(top.get("data"), dict) else {}
    path, records = json_records(data)
    if "articles" in top and ("classify" in top or any("/gkmlpt/" in link.url for link in links)):
        family = _gkmlpt(url, top, links)
    elif isinstance(inner.get("html"), str):
        family = _jpaas_build(url, top)
    elif (
        records
        and any(isinstance(r.get("urls"), str) for r in records)
        and any("webSiteCode" in r or "channelCode" in r for r in records)
    ):
        family = _jpaas_querylist(url, top, records)
    else:
        family = _record_roster(url, top, path, records)
    family.notes.append("title: a JSON answer names no publisher; write it")
    return family


def _positive(data, *paths: str) -> int | None:
    """The first positive whole number at one of the dotted ``paths`` of ``data``."""
    for path in paths:
        value = data
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        number = json_int(value)
        if number is not None and number > 0:
            return number
    return None


def _gkmlpt(url: str, top: dict, links: list[Link]) -> Family:
    family = Family(
        "gkmlpt", "gkmlpt", evidence=['JSON answer with "articles"' + (' and "classify"' if "classify" in top else "")]
    )
    if any("/gkmlpt/content/" in link.url for link in links):
        family.evidence.append("article links under /gkmlpt/content/")
    if "/gkmlpt/api/" in urlsplit(url).path:
        family.evidence.append("the URL is a /gkmlpt/api/ call")
    articles = top.get("articles") if isinstance(top.get("articles"), list) else []
    total = _positive(top, "total", "classify.post_count")
    if total and len(articles) < total:
        family.listing["per_page"] = len(articles)
    column = top["classify"].get("name") if isinstance(top.get("classify"), dict) else None
    host = urlsplit(url).hostname
    family.title = f"{host} · {column}" if column else host
    return family


def _jpaas_build(url: str, top: dict) -> Family:
    family = Family(
        "jpaas_build",
        "jpaas",
        evidence=[
            'JSON answer {"data": {"html": …}}: a rendered list' + (' with "success"' if "success" in top else "")
        ],
        title=urlsplit(url).hostname,
    )
    if "jpaas-publish-server" in url or "/page/build/unit" in url:
        family.evidence.append("the URL is a jpaas-publish-server build/unit call")
    params = dict(parse_qsl(urlsplit(url).query))
    try:
        size = json.loads(params.get("paramJson", "{}")).get("pageSize")
    except (ValueError, AttributeError):
        size = None
    if isinstance(size, int) and size > 0:
        family.listing["per_page"] = size
    return family


def _jpaas_querylist(url: str, top: dict, records: list[dict]) -> Family:
    family = Family(
        "jpaas_querylist",
        "jpaas queryList",
        title=urlsplit(url).hostname,
        evidence=['JSON answer with "results[].source": "urls" {"pc": …}, webSiteCode, channelCode'],
    )
    if urlsplit(url).path.rstrip("/").endswith("/queryList"):
        family.evidence.append("the URL is a /queryList call")
    record = records[0]
    if record.get("webSiteCode") and record.get("channelCode"):
        parts = urlsplit(url)
        column = f"/{record['webSiteCode']}/{record['channelCode']}/index.html"
        family.start_url = f"{parts.scheme}://{parts.netloc}{column}"
        family.notes.append(
            f"start_urls is the column page {column} "
            "(from the records' webSiteCode/channelCode): the adapter POSTs /queryList itself"
        )
    size = _positive(top, "data.size", "data.pageSize", "size", "pageSize")
    if size:
        family.listing["per_page"] = size
    return family


def _record_roster(url: str, top: dict, path: str, records: list[dict]) -> Family:
    """A JSON record list (TRS's or another platform's): where its records are and which fields hold what."""
    trs = sorted({k.lower() for r in records for k in r} & _TRS_FIELDS)
    family = Family("json_list", "TRS JSON list" if trs else "JSON list", title=urlsplit(url).hostname)
    if not records:
        family.evidence.append("a JSON answer without any record list holding links: the family cannot be told from it")
        return family
    family.evidence.append(
        f"JSON answer with {len(records)} records at {path!r}" + (f"; TRS fields {', '.join(trs)}" if trs else "")
    )
    listing = family.listing
    listing["records"] = path
    first_record = records[0]
    url_keys = [k for k in dict.fromkeys(k for r in records for k in r) if looks_like_url(first_record.get(k))]
    first = record_url(first_record)
    if first and first[0] in url_keys:
        url_keys.remove(first[0])
        url_keys.insert(0, first[0])
    listing["url_fields"] = url_keys or ([first[0]] if first else [])
    title = record_title(first_record)
    if title:
        listing["title_fields"] = [title[0]]
    dates = record_dates(first_record)
    if dates:
        listing["date_fields"] = sorted(dates, key=lambda k: not isinstance(first_record[k], str))
    query = [k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    page_param = next((k for k in _PAGE_PARAMS if k in query), None)
    if page_param:
        listing["page_param"] = page_param
    else:
        family.notes.append("the page parameter is not in the URL: set listing.page_param (default 'page')")
    size = _positive(top, "prepage", "pageSize", "rows", "size", "data.rows", "data.pageSize", "data.size", "page.size")
    if size:
        listing["per_page"] = size
    family.notes.append("a POST API needs its form in [listing.form]: it is not in the answer")
    return family
