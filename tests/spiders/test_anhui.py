"""安徽省经济和信息化厅 (jx.ah.gov.cn) on Anhui's province-wide platform: the ``ls_column`` adapter on
the recorded column pages, and a real crawl through the mirror that reads list page 2 (the dynamic
``/content/column/<id>?pageIndex=2``) and stores every recorded notice, clean."""

import re
import sqlite3
from datetime import date

from scrapy.http import HtmlResponse

from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites
from crawler.spiders.cms import ADAPTERS, ls_column
from tests.conftest import crawl, recorded_detail_urls

NAME = "ah_jxt"
HOST = "jx.ah.gov.cn"
FIRST = "https://jx.ah.gov.cn/sy/wjgg/index.html"
SECOND = "https://jx.ah.gov.cn/content/column/40511251?pageIndex=2"
ISSUER = "安徽省经济和信息化厅"
CHROME = ("网站标识码", "ICP备", "公网安备", "【打印", "关闭", "分享到", "微信", "当前位置", "字体", "浏览次数",
          "主办", "Ls.", "pagination", "发布时间", "信息来源", "索引号", "信息分类", "有效性", "无障碍", "长辈版",
          "相关文章", "网站地图", "热点关注")


def page(url):
    path = DEFAULT_TREE / url.split("://", 1)[1]
    return HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8")


def test_site_definition_uses_the_ls_column_adapter():
    site = load_sites()[NAME]
    assert ADAPTERS["ls_column"] is ls_column
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
    relative = ('<ul class="doc_list"></ul><script>Ls.pagination("#page_123", function(pageIndex){ '
                "location.href='/content/column/123?pageIndex=' + pageIndex;},{currPage: (2+1),pageCount:5});</script>")
    response = HtmlResponse(url="https://jx.ah.gov.cn/content/column/123?pageIndex=3", body=relative.encode(), encoding="utf-8")
    assert [r.url for r in ls_column.next_pages(response, site, 3, depth=20)] == ["https://jx.ah.gov.cn/content/column/123?pageIndex=4"]
    rendered = ('<div class="pagination" id="page_123"><a paged="1">1</a><a paged="2">2</a><a paged="3">尾页</a></div>')
    response = HtmlResponse(url="https://jx.ah.gov.cn/sy/wjgg/index.html", body=rendered.encode(), encoding="utf-8")
    assert [r.url for r in ls_column.next_pages(response, site, 1, depth=20)] == ["https://jx.ah.gov.cn/content/column/123?pageIndex=2"]
    assert list(ls_column.next_pages(HtmlResponse(url=FIRST, body=b"<html></html>", encoding="utf-8"), site, 1, depth=20)) == []


def test_crawl_stores_every_recorded_notice_clean(tmp_path):
    expected = recorded_detail_urls(DEFAULT_TREE, NAME)
    assert len(expected) >= 10
    db = tmp_path / "notices.db"
    result, requests = crawl(DEFAULT_TREE, db, NAME)
    requested = [path for _, path in requests]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"/{HOST}/content/column/40511251?pageIndex=2" in requested  # list page 2 was read
    assert f"/{HOST}/robots.txt" in requested
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select n.url, n.title, n.published_at, n.source, v.body, v.attachments from notices n "
                            "join versions v on v.notice_id = n.id where n.site = ?", (NAME,)).fetchall()
    assert {r[0] for r in rows} == expected and len(rows) == len(expected)
    for url, title, published_at, source, body, attachments in rows:
        assert title and title.startswith("关于") and "_" not in title, (url, title)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", published_at), (url, published_at)
        assert source and len(body) > 200, url
        signed = re.search(rf"{ISSUER}\n(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日$", body)
        assert signed, (url, body[-60:])  # ends with the 落款
        assert date(*map(int, signed.groups())) <= date.fromisoformat(published_at[:10]), url
        assert title not in body.splitlines()[0], url
        for chrome in CHROME:
            assert chrome not in body, (url, chrome)
    by_url = {r[0]: r for r in rows}
    cluster = by_url["https://jx.ah.gov.cn/sy/wjgg/41478523.html"]
    assert cluster[4].splitlines()[0] == "皖经信中小企函〔2026〕312号"
    assert "芜湖市鸠江区机器人及智能装备产业集群" in cluster[4] and ".xlsx" in cluster[5]
    listed = by_url["https://jx.ah.gov.cn/sy/wjgg/41452806.html"]
    assert "专精特新" in listed[1] and "铜陵某某铜基材料有限公司" in listed[4]
    public = by_url["https://jx.ah.gov.cn/public/22061/41168915.html"]
    assert public[2].startswith("2026-08-11T15:20") and public[4].endswith(f"{ISSUER}\n2026年8月5日")
