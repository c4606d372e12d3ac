"""Hanweb jcms sites beyond Zhejiang: a real crawl of each through the mirror, with the column page's
inline records and the dataproxy.jsp answer for page 2."""

import re
import sqlite3

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from crawler.siteconf import load_sites
from tests.conftest import FAST, host_map_args, recorded_detail_urls, run_cli

# (site, column path, the dataproxy request for page 2, records on the column page, records in all)
SITES = [
    ("js_gxt", "/gxt.jiangsu.gov.cn/col/col6278/index.html",
     "/gxt.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=18&perpage=15", 15, 18),
    ("sd_gxt", "/gxt.shandong.gov.cn/col/col15201/index.html",
     "/gxt.shandong.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=15&perpage=12", 12, 15),
    ("yt_gxj", "/jxw.yantai.gov.cn/col/col2208/index.html",
     "/jxw.yantai.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=11&endrecord=13&perpage=10", 10, 13),
]
CHROME = ("网站标识码", "ICP备", "公网安备", "打印", "关闭窗口", "分享到", "当前位置", "字号", "字体", "主办",
          "浏览次数", "发布日期", "索引号", "jpage", "微博")


def test_the_sites_use_the_hanweb_adapter():
    sites = load_sites()
    for name, column, *_ in SITES:
        site = sites[name]
        assert site.listing.adapter == "hanweb_jcms" and site.kind == "bureau"
        assert site.start_urls == ("https:/" + column,)


@pytest.mark.parametrize(("name", "column", "page_two", "inline", "total"), SITES)
def test_recorded_column_matches_its_pager(name, column, page_two, inline, total):
    text = (DEFAULT_TREE / column.lstrip("/")).read_text(encoding="utf-8")
    assert text.count("<record>") == inline and f"totalRecord:{total}," in text
    answer = (DEFAULT_TREE / page_two.lstrip("/")).read_text(encoding="utf-8")
    assert answer.count("<record>") == total - inline and f"<totalrecord>{total}</totalrecord>" in answer


@pytest.mark.parametrize(("name", "column", "page_two", "inline", "total"), SITES)
def test_crawl_stores_every_recorded_notice_clean(name, column, page_two, inline, total, tmp_path):
    db = tmp_path / "notices.db"
    expected = recorded_detail_urls(DEFAULT_TREE, name)
    assert len(expected) >= max(5, total - 1)  # every listed record has a page, but at most one
    with serve_mirror(DEFAULT_TREE) as base:
        result = run_cli("crawl", name, "--db", str(db), *host_map_args(host_map_for(DEFAULT_TREE, base)), *FAST)
        requests = list(base.requests)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert ("GET", column) in requests
    assert ("POST", page_two) in requests  # page 2 came from dataproxy.jsp, by POST
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select n.url, n.title, n.published_at, n.source, v.body from notices n "
                            "join versions v on v.notice_id = n.id where n.site = ?", (name,)).fetchall()
    assert {r[0] for r in rows} == expected and len(rows) == len(expected)
    for url, title, published_at, source, body in rows:
        assert title and source and len(body) > 100, url
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", published_at), url
        y, m, d = re.search(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/", url).groups()
        assert published_at[:10] == f"{y}-{int(m):02d}-{int(d):02d}", url
        assert title not in body.splitlines()[0], url
        for chrome in CHROME:
            assert chrome not in body, (url, chrome)
        assert re.search(r"(厅|局)\n20\d\d年\d{1,2}月\d{1,2}日$", body), url  # ends with the 落款
