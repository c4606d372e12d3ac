"""What a fetch came to, typed: the outcomes the fetches table holds, challenge and empty answers as
verdicts, and failures described by their exception type, never by their message text."""

import pytest
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.downloader.outcomes import (
    NotAPage,
    Outcome,
    RefusedAnswer,
    SiteBlocked,
    describe_failure,
    not_a_page,
    status_outcome,
)
from crawler.mirror import CHALLENGE_PAGE, DEFAULT_TREE

NOTICE_PAGE = DEFAULT_TREE / "www.cixidb.cn" / "news" / "627" / "627052.html"


def test_outcome_values_are_the_strings_of_the_public_fetches_outcome_column():
    assert {o.value for o in Outcome} == {
        "listed",
        "stored",
        "not_modified",
        "unchanged",
        "downloaded",
        "replaced",
        "empty",
        "blocked",
        "missing",
        "refused",
        "error",
    }
    assert Outcome("blocked") is Outcome.BLOCKED and Outcome.BLOCKED == "blocked" and f"{Outcome.ERROR}" == "error"


@pytest.mark.parametrize(
    "status, outcome",
    [
        (404, Outcome.MISSING),
        (410, Outcome.MISSING),
        (403, Outcome.BLOCKED),
        (412, Outcome.BLOCKED),
        (429, Outcome.BLOCKED),
        (500, Outcome.ERROR),
    ],
)
def test_an_error_status_has_its_outcome(status, outcome):
    assert status_outcome(status) is outcome


@pytest.mark.parametrize(
    "body",
    [
        CHALLENGE_PAGE,  # 瑞数: a `$_ts` object and its script
        (
            b"<html><script>document.cookie=('__jsl_clearance_s=1700000000.1|0|abc');location.href=location.pathname"
            b"</script></html>"
        ),  # 加速乐
        "<html><head><title>提示</title></head><body>访问过于频繁，请稍后再试</body></html>".encode(),
        b"<html><head><title>412 Precondition Failed</title></head><body></body></html>",
    ],
)
def test_challenge_pages_are_a_challenge_verdict(body):
    verdict = not_a_page(body)
    assert verdict is NotAPage.CHALLENGE and verdict.reason == "anti-bot challenge page"


@pytest.mark.parametrize("body", [b"", b" \r\n\t"])
def test_an_empty_answer_is_an_empty_verdict(body):
    verdict = not_a_page(body)
    assert verdict is NotAPage.EMPTY and verdict.reason == "empty body"


def test_a_notice_page_is_a_page():
    assert not_a_page(NOTICE_PAGE.read_bytes()) is None


def test_a_request_dropped_for_a_blocked_site_is_recorded_blocked_with_its_reason():
    assert describe_failure(Failure(SiteBlocked("HTTP 412"))) == (
        None,
        Outcome.BLOCKED,
        "skipped: the site blocked this run (HTTP 412)",
    )
    assert issubclass(SiteBlocked, IgnoreRequest)  # Scrapy drops it quietly, and the errback records it


def test_the_outcome_is_decided_by_the_exception_type_not_its_text():
    lookalike = IgnoreRequest("skipped: the site blocked this run (HTTP 412)")
    assert describe_failure(Failure(lookalike))[1] is Outcome.ERROR


def test_a_refused_answer_is_an_error_with_its_reason_and_status():
    assert describe_failure(Failure(RefusedAnswer("redirect loop (2 step(s))", 302))) == (
        302,
        Outcome.ERROR,
        "redirect loop (2 step(s))",
    )
