"""TRS WCM static lists: the adapter on recorded column pages (the crawl of each TRS site through the
mirror is in tests/test_sites.py)."""

import re

import pytest
from scrapy.http import HtmlResponse

from crawler.listings import ADAPTERS, trs_static
from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites

HUNAN = "https://gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/"
HUBEI = "https://jxt.hubei.gov.cn/fbjd/zc/qtzdgkwj/gsgg/"
# (site, column URL, first page, last page, entries on each)
COLUMNS = [
    ("hn_gxt", HUNAN, "index.html", "index_1.html", (5, 3)),
    ("hb_jxt", HUBEI, "index.shtml", "index_1.shtml", (4, 3)),
]


def page(url):
    path = DEFAULT_TREE / url.split("://", 1)[1]
    return HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8")


def test_trs_static_is_a_registered_adapter():
    assert ADAPTERS["trs_static"] is trs_static.ADAPTER
    assert {load_sites()[name].listing.adapter for name, *_ in COLUMNS} == {"trs_static"}


@pytest.mark.parametrize(("name", "column", "first", "last", "counts"), COLUMNS)
def test_list_pages_yield_their_detail_links_only(name, column, first, last, counts):
    site = load_sites()[name]
    assert site.start_urls == (column + first,)
    for filename, count in zip((first, last), counts):
        entries = list(trs_static.entries(page(column + filename), site))
        assert len(entries) == count and len({e.url for e in entries}) == count
        for entry in entries:
            assert site.is_detail_url(entry.url) and entry.url.startswith(column)
            stamp = re.search(r"/t(\d{4})(\d\d)(\d\d)_\d+\.", entry.url)
            assert entry.date == "-".join(stamp.groups()) and entry.title


def test_entries_keep_the_list_title_and_date():
    site = load_sites()["hn_gxt"]
    first = list(trs_static.entries(page(HUNAN + "index.html"), site))[0]
    assert first.url == HUNAN + "202608/t20260812_34071526.html"
    assert first.title == "关于2026年湖南省中小企业特色产业集群拟认定名单的公示" and first.date == "2026-08-12"


@pytest.mark.parametrize(("name", "column", "first", "last", "counts"), COLUMNS)
def test_next_page_comes_from_create_page_html_and_stops_at_the_last(name, column, first, last, counts):
    site = load_sites()[name]
    assert [r.url for r in trs_static.next_pages(page(column + first), site, 1, depth=20)] == [column + last]
    assert list(trs_static.next_pages(page(column + last), site, 2, depth=20)) == []


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            'var currentPage = 0;//所在页从0开始\nvar countPage = 7//共多少页\ncreatePageHTML(countPage, currentPage, "index", "html");',
            (7, 0, "index", "html"),
        ),
        ("createPageHTML(12, 3, 'index', 'shtml');", (12, 3, "index", "shtml")),
        ("createPageHTML('page_div', 9, 1, 'list', 'htm', 170);", (9, 1, "list", "htm")),
        (
            'function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}\ncreatePageHTML(2, 0, "index", "html");',
            (2, 0, "index", "html"),
        ),
        ('var countPage = 6;\ncreatePage(countPage, 0, "index", "html");', (6, 0, "index", "html")),  # Chongqing
        ("<p>no pager</p>", None),
    ],
)
def test_pager_forms(script, expected):
    assert trs_static.pager(script) == expected


def test_next_page_follows_the_url_page_index_and_the_extension():
    site = load_sites()["hn_gxt"]
    body = b'<html><body><script>createPageHTML(5, 0, "index", "htm");</script></body></html>'
    for url, following in [
        ("https://gxt.hunan.gov.cn/a/index.htm", "https://gxt.hunan.gov.cn/a/index_1.htm"),
        ("https://gxt.hunan.gov.cn/a/index_3.htm", "https://gxt.hunan.gov.cn/a/index_4.htm"),
        ("https://gxt.hunan.gov.cn/a/", "https://gxt.hunan.gov.cn/a/index_1.htm"),
    ]:
        response = HtmlResponse(url=url, body=body, encoding="utf-8")
        assert [r.url for r in trs_static.next_pages(response, site, 1, depth=20)] == [following]
    last = HtmlResponse(url="https://gxt.hunan.gov.cn/a/index_4.htm", body=body, encoding="utf-8")
    assert list(trs_static.next_pages(last, site, 5, depth=20)) == []
