"""Listing adapters on recorded listing pages (parsing only; the crawl tests cover the wire)."""

from urllib.parse import parse_qs, urlsplit

from scrapy.http import HtmlResponse, XmlResponse

from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites
from crawler.spiders.cms import hanweb_jcms, html_list

ZJ = DEFAULT_TREE / "jxt.zj.gov.cn"
CIXIDB = DEFAULT_TREE / "www.cixidb.cn"


def response(cls, url, path):
    return cls(url=url, body=path.read_bytes(), encoding="utf-8")


def test_jcms_column_page_yields_its_inline_records():
    site = load_sites()["zj_jxt"]
    page = response(HtmlResponse, site.start_urls[0], ZJ / "col/col1582900/index.html")
    entries = list(hanweb_jcms.entries(page, site))
    assert len(entries) == 15
    assert entries[0].url == "https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html"
    assert entries[0].date == "2025-07-16" and "特色产业集群" in entries[0].title


def test_jcms_asks_dataproxy_for_later_records_with_the_column_parameters():
    site = load_sites()["zj_jxt"]
    page = response(HtmlResponse, site.start_urls[0], ZJ / "col/col1582900/index.html")
    requests = list(hanweb_jcms.next_pages(page, site, 1, depth=20))
    assert [r.url for r in requests] == [
        "https://jxt.zj.gov.cn/module/jpage/dataproxy.jsp?startrecord=16&endrecord=22&perpage=15"]
    request = requests[0]
    assert request.method == "POST" and request.headers[b"Referer"] == site.start_urls[0].encode()
    form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
    assert form["columnid"] == "1582900" and form["webid"] == "1585" and form["unitid"] == "5024951"
    assert form["webname"] == "浙江省经济和信息化厅" and form["col"] == "1" and form["permissiontype"] == "0"
    assert list(hanweb_jcms.next_pages(page, site, 2, depth=20)) == []


def test_jcms_dataproxy_answer_yields_the_remaining_records():
    site = load_sites()["zj_jxt"]
    url = "https://jxt.zj.gov.cn/module/jpage/dataproxy.jsp?startrecord=16&endrecord=22&perpage=15"
    answer = response(XmlResponse, url, ZJ / "module/jpage/dataproxy.jsp?startrecord=16&endrecord=22&perpage=15")
    entries = list(hanweb_jcms.entries(answer, site))
    assert len(entries) == 7 and all(site.is_detail_url(e.url) for e in entries)


def test_plain_list_takes_only_detail_links_of_the_list_and_follows_next_page():
    site = load_sites()["cixidb"]
    page = response(HtmlResponse, site.start_urls[0], CIXIDB / "news/list/14/64/index.html")
    entries = list(html_list.entries(page, site))
    assert len(entries) == 12 and len({e.url for e in entries}) == 12
    assert entries[0].url == "https://www.cixidb.cn/news/627/627509.html" and entries[0].date == "2025-07-16"
    assert [r.url for r in html_list.next_pages(page, site, 1, depth=20)] == ["https://www.cixidb.cn/news/list/14/64/2"]
    second = response(HtmlResponse, "https://www.cixidb.cn/news/list/14/64/2", CIXIDB / "news/list/14/64/2")
    assert [r.url for r in html_list.next_pages(second, site, 2, depth=20)] == ["https://www.cixidb.cn/news/list/14/64/3"]
    assert urlsplit(entries[-1].url).path.startswith("/news/6")
