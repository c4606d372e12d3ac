"""RetryBackoff: a retried request waits as its answer's Retry-After asks (capped), else an
exponential backoff, in a real Scrapy crawl over loopback; it is not built when retries do not wait."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from crawler.downloader.retry_backoff import retry_after_seconds
from crawler.mirror import DEFAULT_TREE, FaultPlan, host_map_for, serve_mirror
from tests.downloader.probe import probe

HOST = "www.cixidb.cn"
PAGES = ("news/627/627052.html", "news/627/627103.html")
URLS = [f"https://{HOST}/{path}" for path in PAGES]
RETRY_BACKOFF = "crawler.downloader.retry_backoff.RetryBackoff"


def crawl(rules, settings, retry_after=1, urls=URLS[:1]):
    """The probe's report on ``urls`` and the paths the mirror was asked for."""
    with serve_mirror(DEFAULT_TREE, faults=FaultPlan(rules=rules, retry_after=retry_after)) as base:
        report = probe(urls, host_map_for(DEFAULT_TREE, base), settings)
        return report, [path for _, path in base.requests]


def test_retry_after_in_seconds_or_as_an_http_date():
    now = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90.0
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_429_waits_as_long_as_its_retry_after_asks():
    report, asked = crawl(
        [(f"/{HOST}/{PAGES[0]}", "http_429", 1)],
        {"CRAWLER_RETRY_BACKOFF": 0, "CRAWLER_RETRY_AFTER_MAX": 5},
        retry_after=1,
    )
    fetch = report["fetches"][0]
    assert fetch["status"] == 200 and len(asked) == 2
    assert 1.0 <= fetch["seconds"] < 4, fetch


def test_a_long_retry_after_is_capped():
    report, asked = crawl(
        [(f"/{HOST}/{PAGES[0]}", "http_429", 1)],
        {"CRAWLER_RETRY_BACKOFF": 0, "CRAWLER_RETRY_AFTER_MAX": 0.4},
        retry_after=60,
    )
    fetch = report["fetches"][0]
    assert fetch["status"] == 200 and len(asked) == 2
    assert 0.4 <= fetch["seconds"] < 5, fetch


def test_errors_and_statuses_without_retry_after_back_off_exponentially():
    rules = [(f"/{HOST}/{PAGES[0]}", "http_503", 2), (f"/{HOST}/{PAGES[1]}", "reset", 1)]
    report, asked = crawl(rules, {"CRAWLER_RETRY_BACKOFF": 0.25}, urls=URLS)
    http_503, reset = report["fetches"]
    assert http_503["status"] == reset["status"] == 200 and len(asked) == 5
    assert 0.75 <= http_503["seconds"] < 4, http_503  # 0.25 s, then 0.5 s
    assert 0.25 <= reset["seconds"] < 3, reset


def test_a_request_that_is_not_retried_does_not_wait():
    report, asked = crawl([(f"/{HOST}/{PAGES[0]}", "http_503", 0)], {"CRAWLER_RETRY_BACKOFF": 5, "RETRY_TIMES": 0})
    fetch = report["fetches"][0]
    assert (fetch["status"], fetch["outcome"], len(asked)) == (503, "error", 1)
    assert fetch["seconds"] < 2, fetch


@pytest.mark.parametrize(
    "settings, built",
    [
        ({}, True),
        ({"CRAWLER_RETRY_BACKOFF": 0}, True),  # a Retry-After is still waited for
        ({"CRAWLER_RETRY_BACKOFF": 0, "CRAWLER_RETRY_AFTER_MAX": 0}, False),
        ({"RETRY_ENABLED": False}, False),
    ],
)
def test_it_is_not_configured_when_retries_do_not_wait(settings, built):
    report, _ = crawl([], settings)
    assert (RETRY_BACKOFF in report["middlewares"]) is built, report["middlewares"]
    assert report["fetches"][0]["status"] == 200
    assert {
        "crawler.downloader.answer_guard.AnswerGuard",
        "crawler.downloader.blocked_sites.BlockedSiteBackoff",
    } <= set(report["middlewares"])
