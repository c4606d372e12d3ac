"""The json_list adapter (TRS JSON list APIs) on the recorded fj_fgw answers and on broken answers,
and its [listing] fields; the crawl of fj_fgw through the mirror is in tests/test_sites.py."""

import json
import logging
import re
from urllib.parse import parse_qs

import pytest
from scrapy import FormRequest
from scrapy.http import HtmlResponse, TextResponse

from crawler.listings import ADAPTERS, json_list
from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import SiteDefinitionError, load_sites, parse_site
from tests.conftest import recorded_detail_urls

HOST = "fgw.fujian.gov.cn"
TREE = DEFAULT_TREE / HOST
API = f"https://{HOST}/fjdzapp/search"
COLUMN = f"https://{HOST}/zwgk/fgzd/sfgwgfxwj/"


def site():
    return load_sites()["fj_fgw"]


def answer(page=1, body=None, url=None, content_type="application/json", request=None):
    """The recorded answer for ``page`` (or ``body``) as the response to the page's request."""
    request = request or json_list._request(API, site(), page, API)
    if body is None:
        body = (TREE / f"fjdzapp/search?page={page}").read_bytes()
    elif not isinstance(body, bytes):
        body = json.dumps(body, ensure_ascii=False).encode()
    return TextResponse(
        url=url or request.url, body=body, encoding="utf-8", request=request, headers={"Content-Type": content_type}
    )


def form_of(request):
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


def notice(path, title="关于测试的通知", **extra):
    return {"doctitle": title, "docpuburl": f"https://{HOST}/zwgk/fgzd/sfgwgfxwj/{path}", **extra}


# --- the adapter ---------------------------------------------------------------------------


def test_the_adapter_is_registered_and_used_by_fj_fgw():
    assert ADAPTERS["json_list"] is json_list.ADAPTER
    assert site().listing.adapter == "json_list" and site().kind == "bureau" and site().province == "福建"
    assert site().start_urls == (API,)
    assert (TREE / "robots.txt").is_file()
    assert not re.search(r"(?m)^Disallow:\s*/fjdzapp", (TREE / "robots.txt").read_text())


def test_start_request_posts_the_column_form_with_the_page_in_the_url():
    request = json_list.start_request(API, site())
    assert isinstance(request, FormRequest) and request.method == "POST"
    assert request.url == f"{API}?page=1"
    assert form_of(request) == {
        "channelid": "229105",
        "sortfield": "-docorder,-docreltime",
        "classsql": "chnlid=9375",
        "classcol": "publishyear",
        "classnum": "100",
        "classsort": "0",
        "cache": "true",
        "prepage": "6",
        "page": "1",
    }
    assert request.headers[b"X-Requested-With"] == b"XMLHttpRequest"


def test_entries_of_the_recorded_answers():
    first = list(json_list.entries(answer(1), site()))
    second = list(json_list.entries(answer(2), site()))
    assert len(first) == 6 and len(second) == 5  # page 2 also lists a link-out to www.fujian.gov.cn
    assert first[0].url == f"{COLUMN}202608/t20260806_7162418.htm"
    assert first[0].title == "福建省发展和改革委员会关于公布第三批福建省先进制造业集群培育名单的通知"
    assert first[0].date == "2026-08-06"
    # the record whose docpuburl is empty is listed by its chnldocurl
    assert f"{COLUMN}202607/t20260716_7157114.htm" in {e.url for e in first}
    assert {e.url for e in first + second} == recorded_detail_urls(DEFAULT_TREE, "fj_fgw")
    assert all(re.fullmatch(r"2026-\d\d-\d\d", e.date) for e in first + second)


def test_entries_strip_markup_unescape_resolve_relative_links_and_skip_duplicates_and_link_outs():
    body = {
        "data": [
            notice("202607/t20260701_1.htm", title="<em>关于</em> &amp; 印发\n的通知", docreltime=1782885600000),
            notice("202607/t20260701_1.htm#top"),  # the same notice again
            {
                "doctitle": "相对链接",
                "docpuburl": "/zwgk/fgzd/sfgwgfxwj/202607/t20260702_2.htm",
                "docreltime": "2026/07/02",
            },
            {"doctitle": "外链", "docpuburl": "https://www.fujian.gov.cn/zwgk/202607/t20260702_3.htm"},
            {"doctitle": "脚本链接", "docpuburl": "javascript:void(0)"},
            {"doctitle": "无链接"},
            "junk",
            42,
            None,
        ]
    }
    entries = list(json_list.entries(answer(1, body), site()))
    assert [(e.url.rsplit("/", 1)[1], e.title, e.date) for e in entries] == [
        ("t20260701_1.htm", "关于 & 印发 的通知", "2026-07-01"),  # epoch milliseconds, China time
        ("t20260702_2.htm", "相对链接", "2026-07-02"),
    ]


def test_default_fields_and_record_paths_read_trs_igs_answers(tmp_path):
    """A TRS 海贝 (IGS) answer: page.content[] with upper-case DOCTITLE/DOCPUBURL/PUBDATE, no
    [listing] field names needed."""
    text = (
        site()
        .path.read_text(encoding="utf-8")
        .split("[listing]")[0]
        .replace('name = "fj_fgw"', 'name = "igs_demo"')
        .replace("/fjdzapp/search", "/igs/front/search/list.html?index=demo&pageSize=2")
    )
    text += (
        '[listing]\nadapter = "json_list"\npage_param = "pageNumber"\nper_page = 2\n\n[detail]\n'
        "url_pattern = '/zwgk/fgzd/sfgwgfxwj/\\d{6}/t\\d{8}_\\d+\\.htm$'\n"
    )
    path = tmp_path / "igs_demo.toml"
    path.write_text(text, encoding="utf-8")
    demo = parse_site(path)
    start = json_list.start_request(demo.start_urls[0], demo)
    assert start.method == "GET" and start.url.endswith("index=demo&pageSize=2&pageNumber=1")
    body = {
        "page": {
            "total": 5,
            "totalPages": 3,
            "content": [
                {"DOCTITLE": "甲", "DOCPUBURL": f"{COLUMN}202607/t20260701_1.htm", "PUBDATE": "2026-07-01 10:00:00"},
                {"DOCTITLE": "乙", "DOCPUBURL": f"{COLUMN}202607/t20260702_2.htm", "PUBDATE": "2026-07-02T09:00:00"},
            ],
        }
    }
    response = answer(1, body, request=start)
    assert [(e.title, e.date) for e in json_list.entries(response, demo)] == [
        ("甲", "2026-07-01"),
        ("乙", "2026-07-02"),
    ]
    (request,) = json_list.next_pages(response, demo, 1, depth=20)
    assert request.method == "GET" and request.url.endswith("pageNumber=2")
    assert list(json_list.next_pages(answer(3, body, request=start), demo, 3, depth=20)) == []


def test_next_page_is_the_same_post_for_page_plus_one_and_stops_at_the_page_count():
    (request,) = json_list.next_pages(answer(1), site(), 1, depth=20)
    assert request.method == "POST" and request.url == f"{API}?page=2"
    form = form_of(request)
    assert form["page"] == "2" and form["classsql"] == "chnlid=9375" and form["prepage"] == "6"
    assert list(json_list.next_pages(answer(2), site(), 2, depth=20)) == []  # pageCount 2


def test_paging_by_total_or_while_pages_come_back_full():
    six = [notice(f"202607/t20260701_{i}.htm") for i in range(6)]
    assert len(list(json_list.next_pages(answer(1, {"count": 13, "data": six}), site(), 2, depth=20))) == 1
    assert list(json_list.next_pages(answer(3, {"count": 13, "data": six}), site(), 3, depth=20)) == []
    assert len(list(json_list.next_pages(answer(1, {"data": six}), site(), 1, depth=20))) == 1
    assert list(json_list.next_pages(answer(1, {"data": six[:5]}), site(), 1, depth=20)) == []
    assert len(list(json_list.next_pages(answer(1, six), site(), 1, depth=20))) == 1  # a bare list of records


def test_jsonp_answers_are_unwrapped():
    body = (
        b'jQuery1124_17({"pageCount": 1, "data": [{"doctitle": "\xe7\x94\xb2", "docpuburl": "'
        + f"{COLUMN}202607/t20260701_1.htm".encode()
        + b'"}]});'
    )
    assert [e.title for e in json_list.entries(answer(1, body), site())] == ["甲"]


# --- broken answers: no entries, no crash, a clear error -----------------------------------------

BROKEN = [
    (b"", "not JSON"),
    (b'{"data": [{"doctitle": "x", ', "not JSON"),  # cut off
    (b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "not JSON"),
    ("<html><head><title>访问过于频繁</title></head><body>请稍后再试</body></html>".encode(), "not JSON"),
    (b"{'count':'2','data':[{'doctitle':'x'}]}", "not JSON"),  # was5's quirky single quotes
    (b'{"data": null, "pageCount": 0}', "no record list at data"),
    (b'{"data": "none"}', "no record list at data"),
    (b'{"result": {"code": 500, "msg": "error"}}', "no record list at data"),
    (b"[]", None),
    (b'"just a string"', "not JSON"),
    (b"null", "not JSON"),
]


@pytest.mark.parametrize(("body", "reason"), BROKEN)
def test_a_broken_answer_lists_nothing_pages_no_further_and_says_why(body, reason, caplog):
    kind = "text/html" if body.startswith(b"<") else "application/json"
    response = answer(1, body, content_type=kind)
    with caplog.at_level(logging.WARNING, logger="crawler.listings.json_list"):
        assert list(json_list.entries(response, site())) == []
    assert list(json_list.next_pages(response, site(), 1, depth=20)) == []
    problem = json_list.problem(response, site())
    if reason is None:
        assert problem is None and not caplog.records  # an empty list is a valid, empty answer
    else:
        assert reason in problem
        assert any("fj_fgw" in r.getMessage() and reason in r.getMessage() for r in caplog.records)


def test_html_served_instead_of_json_names_its_content_type():
    response = HtmlResponse(
        url=f"{API}?page=1",
        body=b"<html><body>error</body></html>",
        encoding="utf-8",
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    assert list(json_list.entries(response, site())) == []
    assert "text/html" in json_list.problem(response, site())


def test_a_good_answer_has_no_problem():
    assert json_list.problem(answer(1), site()) is None
    assert json_list.problem(answer(1, {"data": []}), site()) is None


# --- the [listing] fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ('records = "data"', "records = 3"),
        ('url_fields = ["docpuburl", "chnldocurl"]', 'url_fields = "docpuburl"'),
        ('page_param = "page"', "page_param = 2"),
        ('prepage = "6"', "prepage = [6]"),
        ('cache = "true"', "cache = true"),
    ],
)
def test_wrong_listing_fields_name_the_file_and_the_field(tmp_path, change, field):
    text = site().path.read_text(encoding="utf-8")
    path = tmp_path / "fj_fgw.toml"
    path.write_text(text.replace(change, field), encoding="utf-8")
    with pytest.raises(SiteDefinitionError) as error:
        parse_site(path)
    key = field.split(" =")[0]
    assert str(path) in str(error.value) and key in str(error.value)


def test_integer_form_values_are_sent_as_strings(tmp_path):
    path = tmp_path / "fj_fgw.toml"
    path.write_text(site().path.read_text(encoding="utf-8").replace('prepage = "6"', "prepage = 6"), encoding="utf-8")
    assert dict(parse_site(path).listing.options.form)["prepage"] == "6"
