"""The jpaas_build adapter on the recorded JPaaS build/unit answers of the 工业和信息化部 通知 column."""

import json
import re
from urllib.parse import parse_qsl, unquote, urlsplit

from scrapy.http import TextResponse

from crawler.listings import ADAPTERS, jpaas_build
from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites

MIIT = DEFAULT_TREE / "www.miit.gov.cn"


def api_url(page):
    start = load_sites()["miit"].start_urls[0]
    return start if page == 1 else jpaas_build.page_url(start, page, 10)


def recorded(url):
    parts = urlsplit(url)
    return MIIT / (parts.path.lstrip("/") + "?" + unquote(parts.query))


def response_for(url, body=None):
    body = recorded(url).read_bytes() if body is None else body.encode()
    return TextResponse(url=url, body=body, encoding="utf-8", headers={"Content-Type": "application/json"})


def params_but_page(url):
    return [(k, v) for k, v in parse_qsl(urlsplit(url).query) if k != "paramJson"]


def answer(html, success=True):
    return json.dumps({"success": success, "data": {"html": html}}, ensure_ascii=False)


def li(n, date="2025-07-01"):
    return (
        f'<li class="cf"><a class="fl" href="/zwgk/zcwj/wjfb/tz/art/2025/art_{n:032x}.html" title="通知{n}">'
        f'通知{n}</a><span class="fr">{date}</span></li>'
    )


def test_the_adapter_is_registered_and_used_by_miit():
    assert ADAPTERS["jpaas_build"] is jpaas_build.ADAPTER
    assert load_sites()["miit"].listing.adapter == "jpaas_build"


def test_the_start_url_is_the_build_unit_api_asking_for_page_one():
    url = api_url(1)
    assert urlsplit(url).path == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert jpaas_build.page_params(url) == {"pageNo": 1, "pageSize": 10}
    assert recorded(url).is_file() and recorded(api_url(2)).is_file()


def test_entries_come_from_the_html_in_data_html_with_title_and_date():
    site = load_sites()["miit"]
    entries = list(jpaas_build.entries(response_for(api_url(1)), site))
    assert len(entries) == 10 and len({e.url for e in entries}) == 10
    first = entries[0]
    assert first.url == "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2025/art_0bd2793c0aa5667602f3f4e23127b7c4.html"
    assert first.title == "工业和信息化部办公厅关于开展2025年度中小企业特色产业集群申报工作的通知"
    assert first.date == "2025-07-08"
    assert all(site.is_detail_url(e.url) and re.fullmatch(r"2025-\d\d-\d\d", e.date) for e in entries)
    assert len(list(jpaas_build.entries(response_for(api_url(2)), site))) == 2


def test_links_outside_the_detail_pattern_are_left_out():
    site = load_sites()["miit"]
    html = (
        f'<ul>{li(1)}<li><a href="/zwgk/zcwj/wjfb/tz/index.html">通知</a></li>'
        f'<li><a href="javascript:void(0)">更多</a></li></ul>'
    )
    [entry] = jpaas_build.entries(response_for(api_url(1), answer(html)), site)
    assert entry.url.endswith(f"art_{1:032x}.html")


def test_next_page_is_the_same_api_url_with_page_no_plus_one():
    site = load_sites()["miit"]
    [request] = jpaas_build.next_pages(response_for(api_url(1)), site, 1, depth=20)
    assert request.url == api_url(2)
    assert jpaas_build.page_params(request.url) == {"pageNo": 2, "pageSize": 10}
    assert params_but_page(request.url) == params_but_page(api_url(1))  # webId, tagId, pageId ... unchanged


def test_it_stops_at_the_last_page():
    site = load_sites()["miit"]
    assert list(jpaas_build.next_pages(response_for(api_url(2)), site, 2, depth=20)) == []  # 'count':'12', 10 a page


def test_page_size_and_page_are_added_when_the_url_has_no_param_json():
    url = "https://www.miit.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?webId=w&pageId=p"
    assert jpaas_build.page_url(url, 3, 15) == url + "&paramJson=%7B%22pageNo%22%3A3%2C%22pageSize%22%3A15%7D"


def test_without_a_total_it_pages_on_while_a_page_is_full():
    site = load_sites()["miit"]
    full = answer("<ul>" + "".join(li(n) for n in range(1, 11)) + "</ul>")
    short = answer("<ul>" + "".join(li(n) for n in range(1, 10)) + "</ul>")
    assert [r.url for r in jpaas_build.next_pages(response_for(api_url(1), full), site, 1, depth=20)] == [api_url(2)]
    assert list(jpaas_build.next_pages(response_for(api_url(1), short), site, 1, depth=20)) == []


def test_a_total_in_text_decides():
    site = load_sites()["miit"]
    rows = "".join(li(n) for n in range(1, 11))
    more = answer(f'<ul>{rows}</ul><div class="page">共 25 条</div>')
    last = answer(f'<ul>{rows}</ul><div class="page">共 2 页</div>')
    assert len(list(jpaas_build.next_pages(response_for(api_url(2), more), site, 2, depth=20))) == 1
    assert list(jpaas_build.next_pages(response_for(api_url(2), last), site, 2, depth=20)) == []


def test_no_next_page_for_an_empty_failed_or_broken_answer():
    site = load_sites()["miit"]
    pager = "<div id=\"unit_pagination\" querydata=\"{'count':'99'}\"></div>"
    for body in (
        answer("<ul></ul>" + pager),
        answer("<ul>" + li(1) + "</ul>" + pager, success=False),
        '{"success": true, "data": null}',
        "<html>412</html>",
        "[]",
    ):
        response = response_for(api_url(1), body)
        assert list(jpaas_build.entries(response, site)) == []
        assert list(jpaas_build.next_pages(response, site, 1, depth=20)) == []
