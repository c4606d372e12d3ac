"""The gkmlpt adapter on the recorded JSON answers, and a crawl of both gkmlpt sites through the mirror."""

import json
import re
import sqlite3

import pytest
from scrapy.http import TextResponse

from crawler.listings import ADAPTERS, gkmlpt
from crawler.mirror import DEFAULT_TREE, serve_mirror
from crawler.siteconf import load_sites
from tests.conftest import FAST, host_map_args, recorded_detail_urls, run_cli

GDII = DEFAULT_TREE / "gdii.gd.gov.cn"
SZ = DEFAULT_TREE / "gxj.sz.gov.cn"
GDII_API = "https://gdii.gd.gov.cn/gkmlpt/api/all/2902?page={}&sid=200009"
SZ_API = "https://gxj.sz.gov.cn/gkmlpt/api/all/3115?page={}&sid=755024"
SITES = {"gd_gdii": (GDII, GDII_API), "sz_gxj": (SZ, SZ_API)}
CHROME = (
    "当前位置",
    "索引号",
    "发布机构",
    "【打印】",
    "关闭窗口",
    "分享到",
    "相关链接",
    "网站标识码",
    "ICP备",
    "公网安备",
    "欢迎访问",
    "_CONFIG",
    "字号",
)


def api_response(site_name, page):
    tree, api = SITES[site_name]
    url = api.format(page)
    path = tree / "gkmlpt/api/all" / url.rsplit("/", 1)[1]
    return TextResponse(url=url, body=path.read_bytes(), encoding="utf-8", headers={"Content-Type": "application/json"})


def test_the_adapter_is_registered():
    assert ADAPTERS["gkmlpt"] is gkmlpt.ADAPTER
    assert {load_sites()[n].listing.adapter for n in SITES} == {"gkmlpt"}


def test_first_page_yields_every_listed_notice_with_title_and_date():
    site = load_sites()["gd_gdii"]
    entries = list(gkmlpt.entries(api_response("gd_gdii", 1), site))
    assert len(entries) == 100 and len({e.url for e in entries}) == 100
    first = entries[0]
    assert first.url == "https://gdii.gd.gov.cn/gkmlpt/content/4/4931/post_4931205.html"
    assert first.title == "广东省工业和信息化厅关于组织申报2026年省级先进制造业集群促进机构的通知"
    assert first.date == "2026-07-29"  # display_publish_time (Unix seconds) in China time, not the 成文日期
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", e.date) for e in entries)
    by_url = {e.url: e for e in entries}
    assert by_url["https://gdii.gd.gov.cn/gkmlpt/content/4/4915/post_4915026.html"].date == "2026-06-23"


def test_external_jump_entries_are_left_out():
    site = load_sites()["gd_gdii"]
    answer = json.loads(api_response("gd_gdii", 2).text)
    assert any(a["type"] == "url" for a in answer["articles"])
    entries = list(gkmlpt.entries(api_response("gd_gdii", 2), site))
    assert len(entries) == len(answer["articles"]) - 1
    assert all(site.is_detail_url(e.url) for e in entries)


def test_protocol_relative_urls_and_anchors_are_made_absolute_and_plain():
    site = load_sites()["sz_gxj"]
    body = json.dumps(
        {
            "total": 1,
            "articles": [
                {
                    "title": " 某 通知 ",
                    "url": "//gxj.sz.gov.cn/gkmlpt/content/12/12956/post_12956819.html#3115",
                    "display_publish_time": 0,
                    "created_at": "2026-08-27 17:30:00",
                }
            ],
        }
    )
    response = TextResponse(url=SZ_API.format(1), body=body.encode(), encoding="utf-8")
    [entry] = gkmlpt.entries(response, site)
    assert entry.url == "https://gxj.sz.gov.cn/gkmlpt/content/12/12956/post_12956819.html"
    assert entry.title == "某 通知" and entry.date == "2026-08-27"


@pytest.mark.parametrize("site_name", SITES)
def test_next_page_is_the_same_api_url_with_page_plus_one_and_stops_at_the_last(site_name):
    site = load_sites()[site_name]
    api = SITES[site_name][1]
    first = api_response(site_name, 1)
    assert json.loads(first.text)["total"] > 100
    assert [r.url for r in gkmlpt.next_pages(first, site, 1, depth=20)] == [api.format(2)]
    assert list(gkmlpt.next_pages(api_response(site_name, 2), site, 2, depth=20)) == []  # the last page


def test_no_next_page_for_an_empty_or_broken_answer():
    site = load_sites()["sz_gxj"]
    empty = TextResponse(url=SZ_API.format(1), body=b'{"total": 0, "articles": []}', encoding="utf-8")
    broken = TextResponse(url=SZ_API.format(1), body=b"<html>502 Bad Gateway</html>", encoding="utf-8")
    assert (
        list(gkmlpt.next_pages(empty, site, 1, depth=20)) == []
        and list(gkmlpt.next_pages(broken, site, 1, depth=20)) == []
    )
    assert list(gkmlpt.entries(broken, site)) == []


def test_page_url_keeps_the_other_parameters():
    assert gkmlpt.page_url(GDII_API.format(1), 3) == GDII_API.format(3)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of each gkmlpt site through the bundled mirror; (database, {site: result})."""
    db = tmp_path_factory.mktemp("gkmlpt") / "notices.db"
    results = {}
    with serve_mirror(DEFAULT_TREE) as base:
        for name in SITES:
            host = load_sites()[name].hosts[0]
            results[name] = run_cli("crawl", name, "--db", str(db), *host_map_args({host: f"{base}/{host}"}), *FAST)
    return db, results


def rows(db, sql, *args):
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]


@pytest.mark.parametrize("site_name", SITES)
def test_crawl_stores_every_recorded_notice_from_both_api_pages(crawled, site_name):
    db, results = crawled
    result = results[site_name]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    recorded = recorded_detail_urls(DEFAULT_TREE, site_name)
    assert len(recorded) >= 6
    stored = rows(
        db,
        "select n.url, n.title, n.published_at, n.doc_number, v.body from notices n "
        "join versions v on v.notice_id = n.id where n.site = ?",
        site_name,
    )
    assert {r["url"] for r in stored} == recorded
    listings = {r["url"] for r in rows(db, "select url from fetches where role = 'listing'")}
    assert SITES[site_name][1].format(2) in listings  # the second API page was read
    tree = SITES[site_name][0]
    for row in stored:
        html = (tree / row["url"].split(".gov.cn/", 1)[1]).read_text(encoding="utf-8")
        assert row["title"] and row["title"] in html, row["url"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", row["published_at"]), row["url"]
        published = re.search(r"发布日期：</td><td class=\"td-value\">([\d-]+)<", html)[1]
        assert row["published_at"][:10] == published, row["url"]
        number = re.search(r"文号：</td><td class=\"td-value\">([^<]*)<", html)[1]
        assert row["doc_number"] == (number or None), row["url"]
        assert len(row["body"]) > 50 and row["body"].rstrip().endswith("日"), row["url"]
        for chrome in CHROME:
            assert chrome not in row["body"], (row["url"], chrome)


def test_crawl_fields_of_a_known_notice(crawled):
    [row] = rows(
        crawled[0],
        "select * from notices where url = ?",
        "https://gdii.gd.gov.cn/gkmlpt/content/4/4915/post_4915026.html",
    )
    assert row["doc_number"] == "粤工信融资函〔2026〕39号"
    assert row["published_at"] == "2026-06-23T17:05:00+08:00"
    assert row["issuer"] == "广东省工业和信息化厅"
