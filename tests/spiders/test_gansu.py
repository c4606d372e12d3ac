"""甘肃省工业和信息化厅 (gansu_gxt): the column's JSON list answers (/common/search/<channelId>) read with
the trs_json adapter; a real crawl through the mirror stores every recorded notice clean after reading
answer 2; and the site's 瑞数 front (HTTP 412 with a `$_ts` script) leaves it `blocked`, with nothing stored."""

import re
import sqlite3
from urllib.parse import parse_qsl, urlsplit

import pytest
from scrapy.http import TextResponse

from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites
from crawler.spiders.cms import ADAPTERS, trs_json
from tests.conftest import copy_site, crawl, recorded_detail_urls

NAME = "gansu_gxt"
HOST = "gxt.gansu.gov.cn"
ISSUER = "甘肃省工业和信息化厅"
API_PATH = "/common/search/3f6b2c1d8e9a4b7c9d0e1f2a3b4c5d6e"
CHROME = ("网站标识码", "ICP备", "公网安备", "当前位置", "发布日期", "来源：", "浏览次数", "字号", "分享到", "打印",
          "关闭窗口", "热点信息", "扫一扫", "友情链接", "主办单位", "网站地图", "无障碍", "长者模式", "搜索",
          "Content Start", "Content End", "doZoom", "readCount")
# A 瑞数 (Ruishu) first answer as the front serves it: HTTP 412, a token in <meta r='m'>, an inline $_ts
# script and an external one that computes the cookie. Every value here is made up.
RUISHU_412 = (
    "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
    "<meta id=\"Yb3kqW9vT0xc\" content=\"{qnJ7u.Rk2EoXa1dHfP0mQ4lVz8sWcT6yBgN3iKe5rLxUhO9pYjA_tS7fMbDwGvC\" r='m'>"
    "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=58213;"
    "$_ts.cd=\"qxrErrAlDGWAcqqtqGqbraEcqqlfcaqVcqEDqqEuqGAqDq3ErsJoHqllDGWsqqqoqGqbraEcqqlfcaqVcqEDqqEu\";"
    "if($_ts.lcd)$_ts.lcd();</script>"
    "<script type=\"text/javascript\" charset=\"utf-8\" src=\"/Xq7fRk2pLw9d/Nc3vB8tZ.b1e4a7f0.js\" r='m'></script>"
    "</head><body></body></html>")


def site():
    return load_sites()[NAME]


def api_file(page: int):
    """The recorded answer for list page ``page``, named as the mirror serves it (``path?query``)."""
    query = urlsplit(site().start_urls[0]).query.replace("page=1", f"page={page}")
    return DEFAULT_TREE / HOST / f"{API_PATH.lstrip('/')}?{query}"


def test_definition_reads_the_platform_list_api_with_trs_json():
    gansu = site()
    assert gansu.kind == "bureau" and gansu.province == "甘肃" and gansu.province_name == "甘肃省"
    assert gansu.listing.adapter == "trs_json" and ADAPTERS["trs_json"] is trs_json
    assert gansu.listing.records == "data.results" and gansu.listing.url_fields == ("url",)
    start = urlsplit(gansu.start_urls[0])
    assert start.hostname == HOST and start.path == API_PATH
    query = dict(parse_qsl(start.query, keep_blank_values=True))
    assert query["_isJson"] == "true" and query["page"] == "1" and int(query["_pageSize"]) == gansu.listing.per_page
    assert gansu.settings["CONCURRENT_REQUESTS"] == gansu.settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert gansu.settings["DOWNLOAD_DELAY"] >= 2
    robots = (DEFAULT_TREE / HOST / "robots.txt").read_text(encoding="utf-8")
    assert not re.search(r"(?m)^Disallow:\s*/(?:common|gxt)?/?\s*$", robots)
    assert api_file(1).is_file() and api_file(2).is_file()
    assert (DEFAULT_TREE / HOST / "gxt/c107573/infolist.shtml").is_file()  # the column page (a script shell)


def test_the_recorded_answers_list_every_recorded_notice_and_leave_out_the_link_out():
    gansu = site()
    request = trs_json.start_request(gansu.start_urls[0], gansu)
    assert request.method == "GET" and request.url == gansu.start_urls[0]
    listed = []
    for page in (1, 2):
        url = trs_json.page_url(gansu.start_urls[0], "page", page)
        response = TextResponse(url=url, body=api_file(page).read_bytes(), encoding="utf-8",
                                headers={"Content-Type": "application/json"})
        entries = list(trs_json.entries(response, gansu))
        listed += entries
        follow = list(trs_json.next_pages(response, gansu, page, depth=20))
        assert [r.url for r in follow] == ([trs_json.page_url(url, "page", 2)] if page == 1 else [])
    assert {e.url for e in listed} == recorded_detail_urls(DEFAULT_TREE, NAME) and len(listed) == 12
    assert all(e.title.startswith("关于") and re.fullmatch(r"2026-0[678]-\d\d", e.date) for e in listed)
    assert not [e for e in listed if "miit.gov.cn" in e.url]  # the ministry link-out in answer 1


def test_crawl_through_the_mirror_stores_every_recorded_notice_clean(tmp_path):
    expected = recorded_detail_urls(DEFAULT_TREE, NAME)
    assert len(expected) >= 10
    db = tmp_path / "notices.db"
    result, requests = crawl(DEFAULT_TREE, db, NAME)
    requested = [path for _, path in requests]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    listings = [p for p in requested if p.startswith(f"/{HOST}{API_PATH}")]
    assert [p.rsplit("page=", 1)[1] for p in listings] == ["1", "2"]  # list page 2 read, no page 3
    assert not [p for p in requested if "miit.gov.cn" in p or "/guestweb4/" in p]
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select n.url, n.title, n.published_at, n.source, v.body, n.kind from notices n "
                            "join versions v on v.notice_id = n.id where n.site = ?", (NAME,)).fetchall()
        outcomes = {o for (o,) in conn.execute("select distinct outcome from fetches where site = ?", (NAME,))}
    assert {r[0] for r in rows} == expected and len(rows) == len(expected)
    assert "blocked" not in outcomes
    kinds = {}
    for url, title, published_at, source, body, kind in rows:
        kinds[title] = kind
        assert urlsplit(url).hostname == HOST
        assert title.startswith("关于") and " - " not in title and "通知公告" not in title, (url, title)
        assert re.fullmatch(r"2026-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", published_at), url
        assert source == ISSUER and len(body) > 150, url
        y, m, d = (int(x) for x in published_at[:10].split("-"))
        assert body.endswith(f"{ISSUER}\n{y}年{m}月{d}日"), url  # ends with the 落款
        assert re.fullmatch(r"甘工信[发函]〔2026〕\d+号", body.splitlines()[0]), url  # opens with the 文号
        assert title not in body, url
        for chrome in CHROME:
            assert chrome not in body, (url, chrome)
    assert kinds["关于公示2026年甘肃省中小企业特色产业集群名单的通知"] == "cluster_list"
    assert kinds["关于公布2026年甘肃省专精特新中小企业名单的通知"] == "list"


@pytest.mark.parametrize("where", ["first list answer", "detail pages"])
def test_the_ruishu_412_front_is_recorded_as_blocked_and_nothing_is_stored(tmp_path, where):
    tree, db = copy_site(tmp_path, HOST), tmp_path / "notices.db"
    host_tree = tree / HOST
    if where == "first list answer":
        targets = [host_tree / api_file(1).relative_to(DEFAULT_TREE / HOST)]
    else:  # the list answers pass, every notice page is challenged (an expired cookie, say)
        targets = [host_tree / urlsplit(u).path.lstrip("/") for u in recorded_detail_urls(DEFAULT_TREE, NAME)]
    for target in targets:
        target.write_text(RUISHU_412, encoding="utf-8")
        target.with_name(target.name + ".status").write_text("412")
    # The definition keeps one request in flight at a time, so the back-off is seen request by request.
    result, requests = crawl(tree, db, NAME, extra=("-s", "RETRY_TIMES=0"))
    assert "Traceback" not in result.stderr
    paths = [path for _, path in requests]
    details = [p for p in paths if re.search(r"/gxt/c107573/\d{6}/\d+\.shtml$", p)]
    if where == "first list answer":
        assert result.returncode == 4, result.stdout + result.stderr  # the only site, unreachable: total failure
        assert f"{NAME} ({HOST}: HTTP 412)" in result.stdout
        assert details == [] and not [p for p in paths if p.endswith("page=2")]
    else:
        # The listing was read, then the site blocked: a partial failure, named in the summary with
        # every notice page as blocked; the crawler backed off after the first challenge.
        assert result.returncode == 3, result.stdout + result.stderr
        assert re.search(rf"{NAME} \(.*\): 12 blocked", result.stdout), result.stdout
        assert f"{NAME} ({HOST}: 12 request(s))" in result.stdout
        assert len(details) == 1
    with sqlite3.connect(db) as conn:
        fetches = conn.execute("select outcome, status from fetches where site = ?", (NAME,)).fetchall()
        assert ("blocked", 412) in fetches
        if where == "detail pages":  # the challenged pages, then the ones skipped without a request
            assert fetches.count(("blocked", 412)) == len(details)
            assert fetches.count(("blocked", None)) == 12 - len(details)
        assert conn.execute("select count(*) from notices where site = ?", (NAME,)).fetchone()[0] == 0
        assert conn.execute("select count(*) from events where site = ?", (NAME,)).fetchone()[0] == 0
