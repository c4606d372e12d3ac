"""Four more provincial bureau sites (河北, 福建, 江西, 上海) on the html_list, trs_static and
jpaas_querylist adapters: a real crawl of each through the mirror stores every recorded notice, clean,
after reading list page 2."""

import re
import sqlite3
from urllib.parse import urlsplit

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from crawler.siteconf import load_sites
from tests.conftest import FAST, host_map_args, recorded_detail_urls, run_cli

# (site, adapter, real URL path of list page 2, issuer that signs the notices)
SITES = [
    ("hebei_gxt", "html_list", "/hbgyhxxht/xwzx32/tzgg83/index_2.html", "河北省工业和信息化厅"),
    ("fj_gxt", "trs_static", "/zwgk/gsgg/index_1.htm", "福建省工业和信息化厅"),
    ("jx_gxt", "jpaas_querylist", "/queryList?current=2", "江西省工业和信息化厅"),
    ("sh_sheitc", "html_list", "/zcfg/index_2.html", "上海市经济和信息化委员会"),
]
CHROME = ("网站标识码", "ICP备", "公网安备", "【打印", "关闭", "分享到", "扫一扫", "当前位置", "字体", "字号",
          "主办", "createPageHTML", "下一页", "发布时间", "信息来源", "来源：", "无障碍")


def crawl(name, tmp_path):
    db = tmp_path / "notices.db"
    with serve_mirror(DEFAULT_TREE) as base:
        result = run_cli("crawl", name, "--db", str(db), *host_map_args(host_map_for(DEFAULT_TREE, base)), *FAST)
        requested = [path for method, path in base.requests]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select n.url, n.title, n.published_at, n.source, v.body from notices n "
                            "join versions v on v.notice_id = n.id where n.site = ?", (name,)).fetchall()
    return rows, requested


@pytest.mark.parametrize(("name", "adapter", "page_two", "issuer"), SITES)
def test_site_definition(name, adapter, page_two, issuer):
    site = load_sites()[name]
    assert site.kind == "bureau" and site.listing.adapter == adapter and site.province
    assert (DEFAULT_TREE / site.hosts[0] / "robots.txt").is_file()
    assert (DEFAULT_TREE / site.hosts[0] / page_two.lstrip("/")).is_file()


@pytest.mark.parametrize(("name", "adapter", "page_two", "issuer"), SITES)
def test_crawl_stores_every_recorded_notice_clean(name, adapter, page_two, issuer, tmp_path):
    expected = recorded_detail_urls(DEFAULT_TREE, name)
    assert len(expected) >= 10
    rows, requested = crawl(name, tmp_path)
    host = load_sites()[name].hosts[0]
    assert f"/{host}{page_two}" in requested  # list page 2 was read
    assert {r[0] for r in rows} == expected and len(rows) == len(expected)
    for url, title, published_at, source, body in rows:
        assert title and len(body) > 100, url
        assert title.startswith("关于") and "_" not in title and "-" not in title, (url, title)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", published_at), url
        y, m, d = (int(x) for x in published_at[:10].split("-"))
        assert body.endswith(f"{issuer}\n{y}年{m}月{d}日"), url  # ends with the 落款
        assert title not in body.splitlines()[0], url
        assert re.search(r"〔20\d\d〕\d+号", body.splitlines()[0]), url  # opens with the 文号
        for chrome in CHROME:
            assert chrome not in body, (url, chrome)
        assert urlsplit(url).hostname == host
