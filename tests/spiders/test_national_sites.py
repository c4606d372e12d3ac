"""National sites: the 工业和信息化部 notices column (read through the JPaaS build/unit API by the
jpaas_build adapter) and two republishers of industry-policy notices (plain HTML, html_list). A real
crawl of each through the mirror stores every recorded notice, clean of page chrome and of the
republishers' disclaimers, after reading list page 2."""

import re
import sqlite3
from urllib.parse import unquote, urlsplit

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from crawler.siteconf import load_sites
from tests.conftest import FAST, host_map_args, recorded_detail_urls, run_cli

MIIT_API = ("/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=buildstatic"
            "&webId=8d828e408d90447786ddbe128d495e9e&tplSetId=209741b2109044b5b7695700b2bec37e&pageType=column"
            "&tagId=右侧内容&editType=null&pageId=3e3ad1a3bec74939890a0d3e54815141&paramJson=")
# (site, kind, real URL path (and decoded query) of list page 2, number of listed items)
SITES = [
    ("miit", "bureau", MIIT_API + '{"pageNo":2,"pageSize":10}', 12),
    ("mysteel", "republisher", "/article/p-323-------------2.html", 12),
    ("cinn", "republisher", "/homeAjax_318_1.html", 12),
]
ADAPTER = {"miit": "jpaas_build", "mysteel": "html_list", "cinn": "html_list"}
CHROME = ("免责声明", "转载", "版权", "相关阅读", "相关文件", "ICP备", "公网安备", "网站标识码", "当前位置",
          "【打印", "关闭窗口", "分享到", "下一页", "发布时间", "来源：", "字号", "热门排行", "24小时排行",
          "Mysteel", "主办单位")


def crawl(name, tmp_path):
    db = tmp_path / "notices.db"
    with serve_mirror(DEFAULT_TREE) as base:
        result = run_cli("crawl", name, "--db", str(db), *host_map_args(host_map_for(DEFAULT_TREE, base)), *FAST)
        requested = [unquote(path) for method, path in base.requests]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select n.url, n.title, n.published_at, n.source, v.body from notices n "
                            "join versions v on v.notice_id = n.id where n.site = ?", (name,)).fetchall()
    return rows, requested


@pytest.mark.parametrize(("name", "kind", "page_two", "listed"), SITES)
def test_site_definition(name, kind, page_two, listed):
    site = load_sites()[name]
    assert site.kind == kind and site.province == "全国" and site.listing.adapter == ADAPTER[name]
    assert (DEFAULT_TREE / site.hosts[0] / "robots.txt").is_file()
    assert (DEFAULT_TREE / site.hosts[0] / page_two.lstrip("/")).is_file()


@pytest.mark.parametrize(("name", "kind", "page_two", "listed"), SITES)
def test_crawl_stores_every_recorded_notice_clean(name, kind, page_two, listed, tmp_path):
    expected = recorded_detail_urls(DEFAULT_TREE, name)
    assert len(expected) >= listed - 1 >= 10  # at most one listed item has no recorded page
    rows, requested = crawl(name, tmp_path)
    host = load_sites()[name].hosts[0]
    assert f"/{host}{page_two}" in requested  # list page 2 was read
    assert {r[0] for r in rows} == expected and len(rows) == len(expected)
    for url, title, published_at, source, body in rows:
        assert urlsplit(url).hostname == host
        assert title and "工业和信息化部" in title and "_" not in title and "-我的" not in title, (url, title)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", published_at), (url, published_at)
        assert source, url
        lines = body.splitlines()
        assert re.fullmatch(r"工信\w*〔2025〕\d+号", lines[0]), (url, lines[0])  # opens with the 文号
        assert re.fullmatch(r"工业和信息化部(办公厅)?", lines[-2]) and re.fullmatch(r"2025年\d+月\d+日", lines[-1]), url
        assert title not in body, url
        for chrome in CHROME:
            assert chrome not in body, (url, chrome)
