"""Listing adapters: the contract every registered adapter declares, the spider calling its hooks,
and the adapters on recorded listing pages (parsing only; the crawl tests cover the wire)."""

import asyncio
import dataclasses
import inspect
import re
import sys
from types import UnionType
from typing import get_args, get_type_hints
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from crawler.listings import ADAPTERS, FORMER_NAMES, ListingAdapter, hanweb_jcms, html_list
from crawler.listings.contract import Form
from crawler.listings.detect.detection import SELECTOR_ADAPTERS
from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites, parse_site
from crawler.spiders.notices import NoticeSpider

ZJ = DEFAULT_TREE / "jxt.zj.gov.cn"
CIXIDB = DEFAULT_TREE / "www.cixidb.cn"
HOOKS = {
    "entries": ["response", "site"],
    "next_pages": ["response", "site", "page", "depth"],
    "start_request": ["url", "site"],
    "problem": ["response", "site"],
}
# A value of each option type the contract allows, as a definition writes it, and as it is read.
SAMPLES = {
    str: ('"x"', "x"),
    int: ("2", 2),
    tuple[str, ...]: ('["a", "b"]', ("a", "b")),
    re.Pattern: ("'a+'", re.compile("a+")),
    Form: ('{k = "v", n = 1}', (("k", "v"), ("n", "1"))),
}
BASE = """name = "demo"
title = "示例"
kind = "bureau"
start_urls = ["https://example.gov.cn/col/index.html"]

[detail]
url_pattern = '/art/'

[listing]
adapter = "{adapter}"
"""


def response(cls, url, path):
    return cls(url=url, body=path.read_bytes(), encoding="utf-8")


def option_type(hint):
    return next(arg for arg in get_args(hint) if arg is not type(None)) if isinstance(hint, UnionType) else hint


# --- the contract and the registry ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_every_registered_adapter_declares_the_contract_in_a_module_named_for_it(name):
    adapter = ADAPTERS[name]
    assert isinstance(adapter, ListingAdapter) and adapter.name == name
    module = sys.modules[adapter.entries.__module__]
    assert module.__name__ == f"crawler.listings.{name}" and module.ADAPTER is adapter
    assert len(module.__doc__ or "") > 60  # the module's docstring is the family's format specification
    for hook, parameters in HOOKS.items():
        assert list(inspect.signature(getattr(adapter, hook)).parameters) == parameters, hook
    assert dataclasses.is_dataclass(adapter.options) and adapter.options.__dataclass_params__.frozen
    adapter.options()  # every option has a default


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_every_declared_option_is_read_from_a_definition_by_its_type(name, tmp_path):
    adapter = ADAPTERS[name]
    hints = get_type_hints(adapter.options)
    written, expected = [], {}
    for option in dataclasses.fields(adapter.options):
        text, value = SAMPLES[option_type(hints[option.name])]
        written.append(f"{option.name} = {text}")
        expected[option.name] = value
    path = tmp_path / "demo.toml"
    path.write_text(BASE.format(adapter=name) + "\n".join(written) + "\n", encoding="utf-8")
    assert parse_site(path).listing.options == adapter.options(**expected)


def test_adapter_names_are_registered_once_and_former_names_point_at_them():
    assert FORMER_NAMES == {"trs_json": "json_list"}
    assert not set(FORMER_NAMES) & set(ADAPTERS)
    assert {site.listing.adapter for site in load_sites().values()} == set(ADAPTERS)  # every adapter is in use
    for name in SELECTOR_ADAPTERS:  # the names detect uses for selector-read pages
        assert "item_selector" in {option.name for option in dataclasses.fields(ADAPTERS[name].options)}


def test_the_spider_makes_every_sites_first_request_with_its_adapters_hook():
    """Adapters without a start_request hook get the contract's default, a GET of the start URL;
    a jpaas column and a JSON list API get theirs (a POST)."""

    async def first_requests(spider):
        return [request async for request in spider.start()]

    posted = set()
    for name, site in load_sites().items():
        spider = NoticeSpider.from_crawler(Crawler(NoticeSpider), site=name)
        requests = asyncio.run(first_requests(spider))  # no database: only the start URLs' requests
        adapter = ADAPTERS[site.listing.adapter]
        assert [r.url for r in requests] == [adapter.start_request(url, site).url for url in site.start_urls]
        assert all(r.callback == spider.parse_listing and r.meta["page"] == 1 for r in requests)
        posted |= {name for r in requests if r.method == "POST"}
    assert posted == {"jx_gxt", "fj_fgw"}


def test_the_spiders_drift_says_what_the_adapters_problem_hook_says():
    """An adapter's problem hook explains an empty listing (html_list: its item_selector); one
    without the hook adds nothing to the spider's words."""
    cinn = NoticeSpider(site="cinn")
    empty = HtmlResponse(url=cinn.site.start_urls[0], body=b"<html><body><p>moved</p></body></html>")
    assert cinn._listing_drift(empty) == (
        "listing adapter html_list found no notice (item_selector 'div.layCont_box_main_new' matched nothing)"
    )
    gd = NoticeSpider(site="gd_gdii")
    answer = TextResponse(url=gd.site.start_urls[0], body=b'{"articles": []}', encoding="utf-8")
    assert gd._listing_drift(answer) == "listing adapter gkmlpt found no notice"


# --- the adapters on recorded pages ----------------------------------------------------------------


def test_jcms_column_page_yields_its_inline_records():
    site = load_sites()["zj_jxt"]
    page = response(HtmlResponse, site.start_urls[0], ZJ / "col/col1582900/index.html")
    entries = list(hanweb_jcms.entries(page, site))
    assert len(entries) == 15
    assert entries[0].url == "https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html"
    assert entries[0].date == "2025-07-16" and "特色产业集群" in entries[0].title


def test_jcms_asks_dataproxy_for_later_records_with_the_column_parameters():
    site = load_sites()["zj_jxt"]
    page = response(HtmlResponse, site.start_urls[0], ZJ / "col/col1582900/index.html")
    requests = list(hanweb_jcms.next_pages(page, site, 1, depth=20))
    assert [r.url for r in requests] == [
        "https://jxt.zj.gov.cn/module/jpage/dataproxy.jsp?startrecord=16&endrecord=22&perpage=15"
    ]
    request = requests[0]
    assert request.method == "POST" and request.headers[b"Referer"] == site.start_urls[0].encode()
    form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
    assert form["columnid"] == "1582900" and form["webid"] == "1585" and form["unitid"] == "5024951"
    assert form["webname"] == "浙江省经济和信息化厅" and form["col"] == "1" and form["permissiontype"] == "0"
    assert list(hanweb_jcms.next_pages(page, site, 2, depth=20)) == []


def test_jcms_dataproxy_answer_yields_the_remaining_records():
    site = load_sites()["zj_jxt"]
    url = "https://jxt.zj.gov.cn/module/jpage/dataproxy.jsp?startrecord=16&endrecord=22&perpage=15"
    answer = response(XmlResponse, url, ZJ / "module/jpage/dataproxy.jsp?startrecord=16&endrecord=22&perpage=15")
    entries = list(hanweb_jcms.entries(answer, site))
    assert len(entries) == 7 and all(site.is_detail_url(e.url) for e in entries)


def test_plain_list_takes_only_detail_links_of_the_list_and_follows_next_page():
    site = load_sites()["cixidb"]
    page = response(HtmlResponse, site.start_urls[0], CIXIDB / "news/list/14/64/index.html")
    entries = list(html_list.entries(page, site))
    assert len(entries) == 12 and len({e.url for e in entries}) == 12
    assert entries[0].url == "https://www.cixidb.cn/news/627/627509.html" and entries[0].date == "2025-07-16"
    assert [r.url for r in html_list.next_pages(page, site, 1, depth=20)] == ["https://www.cixidb.cn/news/list/14/64/2"]
    second = response(HtmlResponse, "https://www.cixidb.cn/news/list/14/64/2", CIXIDB / "news/list/14/64/2")
    assert [r.url for r in html_list.next_pages(second, site, 2, depth=20)] == [
        "https://www.cixidb.cn/news/list/14/64/3"
    ]
    assert urlsplit(entries[-1].url).path.startswith("/news/6")
