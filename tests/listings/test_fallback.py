"""The structural fallback on listing pages whose configured markup finds nothing: recorded pages
changed the way redesigns change them, and hostile pages that must cost little and say why."""

import json
import re
from dataclasses import replace
from datetime import date

from scrapy.http import HtmlResponse, TextResponse

from crawler.listings import fallback, html_list
from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites

LISTING = DEFAULT_TREE / "www.cixidb.cn" / "news/list/14/64/index.html"
URL = "https://www.cixidb.cn/news/list/14/64/"
TODAY = date(2026, 12, 3)


def page(html: str, url: str = URL) -> HtmlResponse:
    return HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")


def recorded() -> str:
    return LISTING.read_text(encoding="utf-8")


def cixidb():
    return load_sites()["cixidb"]


def listed_by_adapter() -> list[str]:
    return [e.url for e in html_list.entries(page(recorded()), cixidb())]


def test_a_renamed_list_block_is_read_by_the_detail_url_pattern():
    html = recorded().replace('class="warmlist"', 'class="news-list-2026"')
    site = cixidb()
    assert list(html_list.entries(page(html), site)) == []  # the definition's markup finds nothing
    found = fallback.find_entries(page(html), site, TODAY)
    urls = [e.url for e in found.entries]
    assert set(listed_by_adapter()) <= set(urls) and len(urls) == len(set(urls))
    assert "matching the detail url_pattern" in found.how


def test_new_url_shapes_are_found_as_repeated_link_and_date_rows():
    html = re.sub(r'href="/news/(\d{3})/(\d{6})\.html"', r'href="/article/2026/\2.shtml"', recorded())
    found = fallback.find_entries(page(html), cixidb(), TODAY)
    assert len(found.entries) == 12 and all(e.url.endswith(".shtml") for e in found.entries)
    first = found.entries[0]
    assert (first.url, first.date, first.title) == (
        "https://www.cixidb.cn/article/2026/627509.shtml",
        "2025-07-16",
        "2025年浙江省中小企业特色产业集群名单公布",
    )
    assert "update it" in found.how  # the definition's url_pattern must follow


def test_links_to_other_hosts_only_are_not_notices_of_the_site():
    html = re.sub(r'href="/news/', 'href="https://www.example.com/news/', recorded())
    found = fallback.find_entries(page(html), cixidb(), TODAY)
    assert found.entries == [] and found.how.startswith("no link matching the detail url_pattern")


def test_a_page_of_ten_thousand_links_is_cut_to_a_bounded_number_and_says_so():
    rows = "\n".join(
        f'<li><a href="/news/{600 + i % 100}/{600000 + i}.html">通知{i}</a><span>2025-07-01</span></li>'
        for i in range(10_000)
    )
    html = f"<html><head><title>列表</title></head><body><ul>{rows}</ul></body></html>"
    found = fallback.find_entries(page(html), cixidb(), TODAY)
    assert len(found.entries) == fallback.MAX_ENTRIES
    assert f"took the first {fallback.MAX_ENTRIES} of 10,000" in found.how


def test_rows_dated_in_the_future_are_no_list():
    html = re.sub(r'href="/news/(\d{3})/(\d{6})\.html"', r'href="/article/2026/\2.shtml"', recorded())
    html = re.sub(r"<em>2025-(\d\d-\d\d)</em>", r"<em>2031-\1</em>", html)
    found = fallback.find_entries(page(html), cixidb(), TODAY)
    assert found.entries == [] and "12 row(s) dated in the future ignored" in found.how


def test_links_in_a_json_answer_are_found_in_its_text():
    site = replace(cixidb(), listing=replace(cixidb().listing, adapter="json_list", options=None))
    records = [
        {"link": f"https:\\/\\/www.cixidb.cn\\/news\\/627\\/62750{i}.html", "title": f"通知{i}"} for i in range(3)
    ]
    body = json.dumps({"result": {"rows": records}}).replace("\\\\/", "\\/").encode()
    answer = TextResponse(
        url="https://www.cixidb.cn/api/list?page=1",
        body=body,
        encoding="utf-8",
        headers={"Content-Type": "application/json"},
    )
    found = fallback.find_entries(answer, site, TODAY)
    assert [e.url for e in found.entries] == [f"https://www.cixidb.cn/news/627/62750{i}.html" for i in range(3)]
