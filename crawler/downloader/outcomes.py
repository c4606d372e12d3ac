"""What a fetch came to: the outcome recorded for it, why an answer is no page at all (a challenge,
an empty body), the exceptions our middlewares drop requests with, and failures described."""

from __future__ import annotations

import enum
import re

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed


class Outcome(enum.StrEnum):
    """What one request came to; the value is what ``fetches.outcome`` holds (a public column)."""

    LISTED = "listed"  # a listing page read
    STORED = "stored"  # a detail page gave a new notice or version (set by the store)
    NOT_MODIFIED = "not_modified"  # a 304 or the same bytes again; the store records it as unchanged
    UNCHANGED = "unchanged"  # a detail page with nothing new; an attachment found the same on revisit
    DOWNLOADED = "downloaded"  # an attachment read
    REPLACED = "replaced"  # an attachment found to be another file than the one last read
    EMPTY = "empty"  # a detail page without notice text
    BLOCKED = "blocked"  # an anti-bot status or challenge page, or not sent after one
    MISSING = "missing"  # 404/410
    REFUSED = "refused"  # larger than the download cap
    ERROR = "error"  # anything else


BLOCKING_STATUSES = frozenset((403, 412, 418, 429, 521))
MISSING_STATUSES = frozenset((404, 410))


def status_outcome(status: int) -> Outcome:
    """``missing`` for 404/410, ``blocked`` for anti-bot statuses, else ``error``."""
    if status in MISSING_STATUSES:
        return Outcome.MISSING
    if status in BLOCKING_STATUSES:
        return Outcome.BLOCKED
    return Outcome.ERROR


class NotAPage(enum.Enum):
    """Why a 200 answer is no page at all; ``reason`` is the text recorded for humans."""

    EMPTY = "empty body"
    CHALLENGE = "anti-bot challenge page"

    @property
    def reason(self) -> str:
        return self.value


# Script-only challenge pages of the anti-bot services Chinese government sites use:
# 瑞数 (a `$_ts` object), 加速乐 (`__jsl_clearance` cookie), and generic WAF answers.
# All are looked for in lower-cased bytes; fixed strings as substrings, faster than one pattern.
_CHALLENGE_MARKS = (
    b"__jsl_clearance",
    b"_waf_",
    b"waf.js",
    "访问过于频繁".encode(),
    "请输入验证码".encode(),
    b"captcha",
)
_RUISHU = re.compile(rb"\$_ts\s*=")
_CHALLENGE_TITLE = re.compile(r"<title>\s*(?:405|412|access denied|安全验证)".encode())


def not_a_page(body: bytes) -> NotAPage | None:
    """Why a 200 answer is not a page at all (an anti-bot challenge, an empty body), or None."""
    if not body or body.isspace():
        return NotAPage.EMPTY
    head = body[:20000].lower()
    if (
        any(mark in head for mark in _CHALLENGE_MARKS)
        or (b"$_ts" in head and _RUISHU.search(head))
        or _CHALLENGE_TITLE.search(head)
    ):
        return NotAPage.CHALLENGE
    return None


class RefusedAnswer(IgnoreRequest):
    """An answer a downloader middleware would not pass on (an unsafe redirect, a soft-404 page):
    recorded as an ``error`` with its ``reason`` and HTTP ``status``."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.reason, self.status = reason, status


class SiteBlocked(IgnoreRequest):
    """A request not sent because its site blocked us earlier in this run (``why``: ``HTTP 412``,
    ``challenge page``): recorded as ``blocked``."""

    def __init__(self, why: str):
        super().__init__(f"skipped: the site blocked this run ({why})")
        self.why = why


def _connection_lost(failure: Failure) -> bool:
    """The site closed the connection before its answer (Scrapy wraps Twisted's ResponseFailed)."""
    if failure.check(ConnectionLost, ConnectionDone):
        return True
    cause = failure.value.__cause__
    return (
        failure.check(DownloadFailedError) is not None
        and isinstance(cause, ResponseFailed)
        and any(reason.check(ConnectionLost) for reason in cause.reasons)
    )


def describe_failure(failure: Failure) -> tuple[int | None, Outcome, str]:
    """(HTTP status or None, outcome, one-line error) for a request's errback."""
    error = failure.value
    if failure.check(RefusedAnswer):
        return error.status, Outcome.ERROR, error.reason
    if failure.check(SiteBlocked):
        return None, Outcome.BLOCKED, str(error)
    if failure.check(HttpError):
        status = error.response.status
        return status, status_outcome(status), f"HTTP {status}"
    if failure.check(CannotResolveHostError):
        return None, Outcome.ERROR, "DNS lookup failed (no network, or the host name is wrong)"
    if failure.check(DownloadConnectionRefusedError):
        return None, Outcome.ERROR, "connection refused"
    if failure.check(DownloadTimeoutError):
        return None, Outcome.ERROR, "timed out"
    if failure.check(DownloadCancelledError, CancelledError):
        limit = failure.request.meta.get("download_maxsize") if hasattr(failure, "request") else None
        return None, Outcome.REFUSED, f"larger than the download cap{f' of {limit:,} bytes' if limit else ''}"
    if _connection_lost(failure):
        return None, Outcome.ERROR, "connection lost (reset by the site before an answer)"
    if failure.check(ResponseDataLossError):
        return None, Outcome.ERROR, "truncated response (connection closed before the whole body arrived)"
    return None, Outcome.ERROR, f"{type(error).__name__}: {error}".strip()
