"""甘肃省工业和信息化厅 (gansu_gxt): the column's JSON list answers (/common/search/<channelId>) read with
the json_list adapter, and the site's 瑞数 front (HTTP 412 with a `$_ts` script), which leaves it
`blocked`, with nothing stored. The crawl of the recorded site is in tests/test_sites.py."""

import re
import sqlite3
from urllib.parse import parse_qsl, urlsplit

import pytest
from scrapy.http import TextResponse

from crawler.listings import ADAPTERS, json_list
from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites
from tests.conftest import copy_site, crawl, recorded_detail_urls

NAME = "gansu_gxt"
HOST = "gxt.gansu.gov.cn"
API_PATH = "/common/search/3f6b2c1d8e9a4b7c9d0e1f2a3b4c5d6e"
# A 瑞数 (Ruishu) first answer as the front serves it: HTTP 412, a token in <meta r='m'>, an inline $_ts
# script and an external one that computes the cookie. Every value here is made up.
RUISHU_412 = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta id="Yb3kqW9vT0xc" content="{qnJ7u.Rk2EoXa1dHfP0mQ4lVz8sWcT6yBgN3iKe5rLxUhO9pYjA_tS7fMbDwGvC" r=\'m\'>'
    "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=58213;"
    '$_ts.cd="qxrErrAlDGWAcqqtqGqbraEcqqlfcaqVcqEDqqEuqGAqDq3ErsJoHqllDGWsqqqoqGqbraEcqqlfcaqVcqEDqqEu";'
    "if($_ts.lcd)$_ts.lcd();</script>"
    '<script type="text/javascript" charset="utf-8" src="/Xq7fRk2pLw9d/Nc3vB8tZ.b1e4a7f0.js" r=\'m\'></script>'
    "</head><body></body></html>"
)


def site():
    return load_sites()[NAME]


def api_file(page: int):
    """The recorded answer for list page ``page``, named as the mirror serves it (``path?query``)."""
    query = urlsplit(site().start_urls[0]).query.replace("page=1", f"page={page}")
    return DEFAULT_TREE / HOST / f"{API_PATH.lstrip('/')}?{query}"


def test_definition_reads_the_platform_list_api_with_json_list():
    gansu = site()
    assert gansu.kind == "bureau" and gansu.province == "甘肃" and gansu.province_name == "甘肃省"
    assert gansu.listing.adapter == "json_list" and ADAPTERS["json_list"] is json_list.ADAPTER
    assert gansu.listing.options.records == "data.results" and gansu.listing.options.url_fields == ("url",)
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
    request = json_list.start_request(gansu.start_urls[0], gansu)
    assert request.method == "GET" and request.url == gansu.start_urls[0]
    listed = []
    for page in (1, 2):
        url = json_list.page_url(gansu.start_urls[0], "page", page)
        response = TextResponse(
            url=url, body=api_file(page).read_bytes(), encoding="utf-8", headers={"Content-Type": "application/json"}
        )
        entries = list(json_list.entries(response, gansu))
        listed += entries
        follow = list(json_list.next_pages(response, gansu, page, depth=20))
        assert [r.url for r in follow] == ([json_list.page_url(url, "page", 2)] if page == 1 else [])
    assert {e.url for e in listed} == recorded_detail_urls(DEFAULT_TREE, NAME) and len(listed) == 12
    assert all(e.title.startswith("关于") and re.fullmatch(r"2026-0[678]-\d\d", e.date) for e in listed)
    assert not [e for e in listed if "miit.gov.cn" in e.url]  # the ministry link-out in answer 1


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
