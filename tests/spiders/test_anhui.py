"""安徽省经济和信息化厅 (jx.ah.gov.cn) on Anhui's province-wide platform: the ``ls_column`` adapter on
the recorded column pages (list page 2 is the dynamic ``/content/column/<id>?pageIndex=2``); the crawl
of the site through the mirror is in tests/test_sites.py."""

from scrapy.http import HtmlResponse

from crawler.listings import ADAPTERS, ls_column
from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites

NAME = "ah_jxt"
HOST = "jx.ah.gov.cn"
FIRST = "https://jx.ah.gov.cn/sy/wjgg/index.html"
SECOND = "https://jx.ah.gov.cn/content/column/40511251?pageIndex=2"


def page(url):
    path = DEFAULT_TREE / url.split("://", 1)[1]
    return HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8")


def test_site_definition_uses_the_ls_column_adapter():
    site = load_sites()[NAME]
    assert ADAPTERS["ls_column"] is ls_column.ADAPTER
    assert site.kind == "bureau" and site.province == "安徽" and site.listing.adapter == "ls_column"
    assert site.start_urls == (FIRST,) and site.hosts == (HOST,)
    assert (DEFAULT_TREE / HOST / "robots.txt").is_file()
    assert site.is_detail_url("https://jx.ah.gov.cn/sy/wjgg/41478523.html")
    assert site.is_detail_url("https://jx.ah.gov.cn/public/22061/41431977.html")
    assert not site.is_detail_url("https://jx.ah.gov.cn/xwzx/gzdt/41466180.html")
    assert not site.is_detail_url(SECOND)


def test_list_pages_yield_the_column_entries_only():
    site = load_sites()[NAME]
    first = list(ls_column.entries(page(FIRST), site))
    second = list(ls_column.entries(page(SECOND), site))
    assert (len(first), len(second)) == (10, 3)
    assert len({e.url for e in first + second}) == 13
    assert first[0].url == "https://jx.ah.gov.cn/sy/wjgg/41478523.html"
    assert first[0].title == "关于公布2026年度安徽省中小企业特色产业集群名单的通知" and first[0].date == "2026-11-20"
    # the MIIT link-out and the sidebar's 热点关注 articles are not notices of this column
    assert all(e.url.startswith("https://jx.ah.gov.cn/") and "/xwzx/" not in e.url for e in first + second)


def test_next_page_comes_from_the_ls_pagination_call_and_stops_at_the_last():
    site = load_sites()[NAME]
    assert ls_column.pager(page(FIRST).text) == ("https://jx.ah.gov.cn/content/column/40511251?pageIndex=", 2, 1)
    assert [r.url for r in ls_column.next_pages(page(FIRST), site, 1, depth=20)] == [SECOND]
    assert list(ls_column.next_pages(page(SECOND), site, 2, depth=20)) == []


def test_pager_variants():
    site = load_sites()[NAME]
    relative = (
        '<ul class="doc_list"></ul><script>Ls.pagination("#page_123", function(pageIndex){ '
        "location.href='/content/column/123?pageIndex=' + pageIndex;},{currPage: (2+1),pageCount:5});</script>"
    )
    response = HtmlResponse(
        url="https://jx.ah.gov.cn/content/column/123?pageIndex=3", body=relative.encode(), encoding="utf-8"
    )
    assert [r.url for r in ls_column.next_pages(response, site, 3, depth=20)] == [
        "https://jx.ah.gov.cn/content/column/123?pageIndex=4"
    ]
    rendered = '<div class="pagination" id="page_123"><a paged="1">1</a><a paged="2">2</a><a paged="3">尾页</a></div>'
    response = HtmlResponse(url="https://jx.ah.gov.cn/sy/wjgg/index.html", body=rendered.encode(), encoding="utf-8")
    assert [r.url for r in ls_column.next_pages(response, site, 1, depth=20)] == [
        "https://jx.ah.gov.cn/content/column/123?pageIndex=2"
    ]
    assert (
        list(ls_column.next_pages(HtmlResponse(url=FIRST, body=b"<html></html>", encoding="utf-8"), site, 1, depth=20))
        == []
    )
