"""BlockedSiteBackoff in a real Scrapy crawl over loopback: after an anti-bot answer, the site's
other requests in the run are not sent; each is dropped with SiteBlocked and recorded as blocked."""

import pytest

from crawler.mirror import CHALLENGE_PAGE, DEFAULT_TREE, FaultPlan, host_map_for, serve_mirror
from tests.conftest import copy_site
from tests.downloader.probe import probe

HOST = "www.cixidb.cn"
PAGES = ("news/627/627052.html", "news/627/627103.html", "news/627/627190.html")
URLS = [f"https://{HOST}/{path}" for path in PAGES]


def crawl(tree, rules, settings=None, retry_after=1):
    """The probe's report on URLS and the paths the mirror was asked for."""
    with serve_mirror(tree, faults=FaultPlan(rules=rules, retry_after=retry_after)) as base:
        report = probe(URLS, host_map_for(tree, base), settings)
        return report["fetches"], [path for _, path in base.requests]


def assert_skipped(fetches, why):
    for fetch in fetches:
        assert (fetch["exception"], fetch["outcome"], fetch["status"]) == ("SiteBlocked", "blocked", None), fetch
        assert fetch["error"] == f"skipped: the site blocked this run ({why})"


@pytest.mark.parametrize("fault, status", [("challenge", 412), ("http_429", 429)])
def test_an_anti_bot_status_stops_the_sites_other_requests(fault, status):
    fetches, asked = crawl(DEFAULT_TREE, [(f"/{HOST}/{PAGES[0]}", fault, 0)], {"RETRY_TIMES": 0})
    assert (fetches[0]["status"], fetches[0]["outcome"]) == (status, "blocked")
    assert_skipped(fetches[1:], f"HTTP {status}")
    assert asked == [f"/{HOST}/{PAGES[0]}"]


def test_a_challenge_page_served_with_200_stops_them_too(tmp_path):
    tree = copy_site(tmp_path, HOST)
    (tree / HOST / PAGES[0]).write_bytes(CHALLENGE_PAGE)
    fetches, asked = crawl(tree, [])
    assert fetches[0]["status"] == 200  # the spider records the page itself (as blocked: see test_outcomes)
    assert_skipped(fetches[1:], "challenge page")
    assert asked == [f"/{HOST}/{PAGES[0]}"]


def test_a_429_retried_after_its_retry_after_is_no_block():
    fetches, asked = crawl(DEFAULT_TREE, [(f"/{HOST}/{PAGES[0]}", "http_429", 1)], {"CRAWLER_RETRY_AFTER_MAX": 0.05})
    assert [f["status"] for f in fetches] == [200, 200, 200]
    assert asked == [f"/{HOST}/{PAGES[0]}", *(f"/{HOST}/{path}" for path in PAGES)]


def test_a_block_lasts_for_its_run_only():
    rules = [(f"/{HOST}/{PAGES[0]}", "challenge", 1)]  # the front lets the next run through
    with serve_mirror(DEFAULT_TREE, faults=FaultPlan(rules=rules)) as base:
        first = probe(URLS, host_map_for(DEFAULT_TREE, base), {"RETRY_TIMES": 0})["fetches"]
        second = probe(URLS, host_map_for(DEFAULT_TREE, base), {"RETRY_TIMES": 0})["fetches"]
    assert [f["outcome"] for f in first] == ["blocked"] * 3
    assert [f["status"] for f in second] == [200, 200, 200]
