"""TRS WCM static lists: the adapter on recorded column pages, and a real crawl of each TRS site
through the mirror."""

import re
import sqlite3

import pytest
from scrapy.http import HtmlResponse

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from crawler.siteconf import load_sites
from crawler.spiders.cms import ADAPTERS, trs_static
from tests.conftest import FAST, host_map_args, recorded_detail_urls, run_cli

HUNAN = "https://gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/"
HUBEI = "https://jxt.hubei.gov.cn/fbjd/zc/qtzdgkwj/gsgg/"
# (site, column URL, first page, last page, entries on each)
COLUMNS = [("hn_gxt", HUNAN, "index.html", "index_1.html", (5, 3)),
           ("hb_jxt", HUBEI, "index.shtml", "index_1.shtml", (4, 3))]
CHROME = ("网站标识码", "ICP备", "公网安备", "【打印】", "关闭窗口", "分享到", "相关链接", "当前位置", "字号", "字体",
          "主办", "createPageHTML")


def page(url):
    path = DEFAULT_TREE / url.split("://", 1)[1]
    return HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8")


def test_trs_static_is_a_registered_adapter():
    assert ADAPTERS["trs_static"] is trs_static
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
        ('var currentPage = 0;//所在页从0开始\nvar countPage = 7//共多少页\ncreatePageHTML(countPage, currentPage, "index", "html");',
         (7, 0, "index", "html")),
        ("createPageHTML(12, 3, 'index', 'shtml');", (12, 3, "index", "shtml")),
        ("createPageHTML('page_div', 9, 1, 'list', 'htm', 170);", (9, 1, "list", "htm")),
        ('function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}\ncreatePageHTML(2, 0, "index", "html");',
         (2, 0, "index", "html")),
        ("<p>no pager</p>", None),
    ],
)
def test_pager_forms(script, expected):
    assert trs_static.pager(script) == expected


def test_next_page_follows_the_url_page_index_and_the_extension():
    site = load_sites()["hn_gxt"]
    body = '<html><body><script>createPageHTML(5, 0, "index", "htm");</script></body></html>'.encode()
    for url, following in [("https://gxt.hunan.gov.cn/a/index.htm", "https://gxt.hunan.gov.cn/a/index_1.htm"),
                           ("https://gxt.hunan.gov.cn/a/index_3.htm", "https://gxt.hunan.gov.cn/a/index_4.htm"),
                           ("https://gxt.hunan.gov.cn/a/", "https://gxt.hunan.gov.cn/a/index_1.htm")]:
        response = HtmlResponse(url=url, body=body, encoding="utf-8")
        assert [r.url for r in trs_static.next_pages(response, site, 1, depth=20)] == [following]
    last = HtmlResponse(url="https://gxt.hunan.gov.cn/a/index_4.htm", body=body, encoding="utf-8")
    assert list(trs_static.next_pages(last, site, 5, depth=20)) == []


@pytest.mark.parametrize("name", ["hn_gxt", "hb_jxt"])
def test_crawl_stores_every_recorded_notice_clean(name, tmp_path):
    db = tmp_path / "notices.db"
    expected = recorded_detail_urls(DEFAULT_TREE, name)
    assert len(expected) >= 6
    with serve_mirror(DEFAULT_TREE) as base:
        result = run_cli("crawl", name, "--db", str(db), *host_map_args(host_map_for(DEFAULT_TREE, base)), *FAST)
        requested = [path for method, path in base.requests]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    column = load_sites()[name].start_urls[0].rsplit("/", 1)[0].split("://", 1)[1]
    assert any(p.endswith(f"{column}/index_1." + p.rsplit(".", 1)[-1]) for p in requested)
    assert not any("index_2." in p for p in requested)  # countPage = 2: no third page asked
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select n.url, n.title, n.published_at, n.source, v.body from notices n "
                            "join versions v on v.notice_id = n.id where n.site = ?", (name,)).fetchall()
    assert {r[0] for r in rows} == expected and len(rows) == len(expected)
    for url, title, published_at, source, body in rows:
        assert title and source and len(body) > 100, url
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", published_at), url
        stamp = re.search(r"/t(\d{4})(\d\d)(\d\d)_", url)
        assert published_at[:10] == "-".join(stamp.groups()), url
        assert not body.startswith(title) and title not in body.splitlines()[0], url
        for chrome in CHROME:
            assert chrome not in body, (url, chrome)
        assert re.search(r"(厅|办公室)\n20\d\d年\d{1,2}月\d{1,2}日$", body), url  # ends with the 落款
