"""The jpaas_querylist adapter (大汉 jpaas ``/queryList`` POST) on the recorded jx_gxt answers, and a
crawl of jx_gxt through the mirror that reads both answers by POST."""

import json
import sqlite3
from urllib.parse import parse_qs

import pytest
from scrapy import FormRequest
from scrapy.http import TextResponse

from crawler.listings import ADAPTERS, jpaas_querylist
from crawler.mirror import DEFAULT_TREE, serve_mirror
from crawler.siteconf import load_sites
from tests.conftest import FAST, host_map_args, recorded_detail_urls, run_cli

HOST = "gxt.jiangxi.gov.cn"
COLUMN = f"https://{HOST}/jxsgyhxxht/tzgg/index.html"


def site():
    return load_sites()["jx_gxt"]


def answer(page, body=None, request=None):
    """The recorded answer for ``page`` (or ``body``), as the response to ``request``."""
    request = request or jpaas_querylist._post(COLUMN, jpaas_querylist.form_for(COLUMN, site()), page, COLUMN)
    if body is None:
        body = (DEFAULT_TREE / HOST / f"queryList?current={page}").read_bytes()
    elif not isinstance(body, bytes):
        body = json.dumps(body, ensure_ascii=False).encode()
    return TextResponse(
        url=request.url, body=body, encoding="utf-8", request=request, headers={"Content-Type": "application/json"}
    )


def form_of(request):
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


def record(path, title="关于测试的通知", **extra):
    return {"source": {"title": title, "urls": json.dumps({"pc": path}), **extra}}


def test_the_adapter_is_registered_and_used_by_jx_gxt():
    assert ADAPTERS["jpaas_querylist"] is jpaas_querylist.ADAPTER
    assert site().listing.adapter == "jpaas_querylist"
    assert site().start_urls == (COLUMN,)


def test_start_request_posts_the_column_form_with_the_page_in_the_url():
    request = jpaas_querylist.start_request(COLUMN, site())
    assert isinstance(request, FormRequest) and request.method == "POST"
    assert request.url == f"https://{HOST}/queryList?current=1"
    assert form_of(request) == {
        "current": "1",
        "pageSize": "6",
        "webSiteCode[]": "jxsgyhxxht",
        "channelCode[]": "tzgg",
        "sort": "sortNum",
        "order": "desc",
    }
    assert request.headers[b"Referer"] == COLUMN.encode()
    assert request.headers[b"X-Requested-With"] == b"XMLHttpRequest"


def test_a_start_url_that_is_not_a_column_page_is_refused():
    with pytest.raises(ValueError):
        jpaas_querylist.start_request(f"https://{HOST}/index.html", site())


def test_entries_of_the_recorded_answers():
    first = list(jpaas_querylist.entries(answer(1), site()))
    second = list(jpaas_querylist.entries(answer(2), site()))
    assert len(first) == 6 and len(second) == 5
    assert first[0].url == f"https://{HOST}/jxsgyhxxht/tzgg/content/content_2084911550435391896.html"
    assert first[0].title == "关于公布2026年江西省专精特新中小企业名单的通知"
    assert first[0].date == "2026-08-05"
    assert {e.url for e in first + second} == recorded_detail_urls(DEFAULT_TREE, "jx_gxt")


def test_entries_read_urls_objects_show_titles_and_epoch_dates_and_skip_link_outs():
    body = {
        "data": {
            "results": [
                {
                    "source": {
                        "showTitle": "<b>关于 甲</b>",
                        "urls": {"pc": "/jxsgyhxxht/tzgg/content/content_2084911550435391896.html"},
                        "pubDate": 1785515400000,
                    }
                },  # 2026-07-31 16:30 UTC
                record("https://www.miit.gov.cn/zwgk/art_1.html"),  # a link-out: not a notice of this site
                record(""),
                {"source": {"title": "无链接"}},
                "junk",
            ]
        }
    }
    entries = list(jpaas_querylist.entries(answer(1, body), site()))
    assert [(e.title, e.date) for e in entries] == [("关于 甲", "2026-08-01")]


def test_entries_of_a_broken_answer_are_none():
    for body in (b"<html>412</html>", b"[]", b'{"data": null}', b'{"data": {"results": "x"}}'):
        assert list(jpaas_querylist.entries(answer(1, body), site())) == []


def test_next_page_is_the_same_post_for_page_plus_one_and_stops_at_the_total():
    (request,) = jpaas_querylist.next_pages(answer(1), site(), 1, depth=20)
    assert request.method == "POST" and request.url == f"https://{HOST}/queryList?current=2"
    form = form_of(request)
    assert form["current"] == "2" and form["channelCode[]"] == "tzgg" and form["pageSize"] == "6"
    assert request.headers[b"Referer"] == COLUMN.encode()
    assert list(jpaas_querylist.next_pages(answer(2), site(), 2, depth=20)) == []  # 11 notices, 6 a page


def test_paging_without_a_total_reads_on_while_pages_are_full():
    full = {"data": {"results": [record(f"/x/{i}") for i in range(6)]}}
    short = {"data": {"results": [record(f"/x/{i}") for i in range(5)]}}
    assert len(list(jpaas_querylist.next_pages(answer(1, full), site(), 1, depth=20))) == 1
    assert list(jpaas_querylist.next_pages(answer(1, short), site(), 1, depth=20)) == []
    pages = {"data": {"pages": 3, "results": [record("/x/1")]}}
    assert len(list(jpaas_querylist.next_pages(answer(2, pages), site(), 2, depth=20))) == 1
    assert list(jpaas_querylist.next_pages(answer(3, pages), site(), 3, depth=20)) == []


def test_next_page_form_comes_from_the_request_body_when_meta_is_gone():
    original = jpaas_querylist.start_request(COLUMN, site())
    bare = FormRequest(original.url, formdata=form_of(original))
    (request,) = jpaas_querylist.next_pages(answer(1, request=bare), site(), 1, depth=20)
    assert form_of(request)["current"] == "2" and form_of(request)["webSiteCode[]"] == "jxsgyhxxht"


def test_no_next_page_for_an_empty_or_broken_answer():
    for body in (b"<html></html>", b'{"data": {"total": 50, "results": []}}'):
        assert list(jpaas_querylist.next_pages(answer(1, body), site(), 1, depth=20)) == []


def test_crawl_posts_both_answers_and_stores_every_recorded_notice(tmp_path):
    db = tmp_path / "notices.db"
    with serve_mirror(DEFAULT_TREE) as base:
        result = run_cli(
            "crawl", "jx_gxt", "--db", str(db), *host_map_args({HOST: f"{base.rstrip('/')}/{HOST}"}), *FAST
        )
        requested = list(base.requests)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("POST", f"/{HOST}/queryList?current=1") in requested
    assert ("POST", f"/{HOST}/queryList?current=2") in requested
    assert not any("/tzgg/index" in path for _, path in requested)  # the column shell is not fetched
    with sqlite3.connect(db) as conn:
        urls = {u for (u,) in conn.execute("select url from notices where site = 'jx_gxt'")}
    assert urls == recorded_detail_urls(DEFAULT_TREE, "jx_gxt")
