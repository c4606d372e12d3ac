"""What a failed or suspicious fetch came to: error text, blocked answers, challenge pages."""

from __future__ import annotations

import re

from scrapy.exceptions import (
    CannotResolveHostError,
    IgnoreRequest,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure

BLOCKING_STATUSES = frozenset((403, 412, 418, 429, 521))
MISSING_STATUSES = frozenset((404, 410))
# Script-only challenge pages of the anti-bot services Chinese government sites use:
# 瑞数 (a `$_ts` object), 加速乐 (`__jsl_clearance` cookie), and generic WAF answers.
# All are looked for in lower-cased bytes; fixed strings as substrings, faster than one pattern.
_CHALLENGE_MARKS = (b"__jsl_clearance", b"_waf_", b"waf.js", "访问过于频繁".encode(), "请输入验证码".encode(), b"captcha")
_RUISHU = re.compile(rb"\$_ts\s*=")
_CHALLENGE_TITLE = re.compile(r"<title>\s*(?:405|412|access denied|安全验证)".encode())


class RefusedAnswer(IgnoreRequest):
    """An answer a downloader middleware would not pass on (an unsafe redirect, a soft-404 page),
    with what to record for it."""

    def __init__(self, reason: str, status: int | None = None, outcome: str = "error"):
        super().__init__(reason)
        self.reason, self.status, self.outcome = reason, status, outcome


# Pages served with 200 that say the page is gone (error templates of the sites' CMSs).
_SOFT_404 = re.compile("页面不存在|该信息已删除|信息已被删除|信息不存在|页面已删除|找不到(?:该|您要访问的)?页面|文章不存在|已被删除或已过期")
_GONE_WORDS = ("不存在", "删除", "找不到")  # each phrase above holds one of them
_GONE_BYTES = tuple(word.encode(encoding) for word in _GONE_WORDS for encoding in ("utf-8", "gb18030"))
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>|&\w+;|\s+", re.S | re.I)
SOFT_404_MAX_TEXT = 600  # characters of visible text: a real notice page has far more


def may_say_gone(body: bytes) -> bool:
    """False when the raw bytes (UTF-8 or GBK) hold none of the words every phrase that
    :func:`soft_404_reason` looks for holds: most pages need not be decoded to know they are no
    error page."""
    return any(phrase in body for phrase in _GONE_BYTES)


def soft_404_reason(text: str) -> str | None:
    """Why a 200 page is an error page in disguise ("the page says 页面不存在"), or None: the
    phrase must be there and the page must hold little else than its chrome."""
    found = _SOFT_404.search(text[:50000])
    if not found or len(_TAGS.sub("", text[:200000])) > SOFT_404_MAX_TEXT:
        return None
    return f"soft 404: the page says {found[0]}"


def status_outcome(status: int) -> str:
    """``missing`` for 404/410, ``blocked`` for anti-bot statuses, else ``error``."""
    if status in MISSING_STATUSES:
        return "missing"
    if status in BLOCKING_STATUSES:
        return "blocked"
    return "error"


def challenge_reason(body: bytes) -> str | None:
    """Why a 200 answer is not a page at all (an anti-bot challenge, an empty body), or None."""
    if not body or body.isspace():
        return "empty body"
    head = body[:20000].lower()
    if (any(mark in head for mark in _CHALLENGE_MARKS) or (b"$_ts" in head and _RUISHU.search(head))
            or _CHALLENGE_TITLE.search(head)):
        return "anti-bot challenge page"
    return None


def describe_failure(failure: Failure) -> tuple[int | None, str, str]:
    """(HTTP status or None, outcome, one-line error) for a request's errback."""
    error = failure.value
    if failure.check(RefusedAnswer):
        return error.status, error.outcome, error.reason
    if failure.check(HttpError):
        status = error.response.status
        return status, status_outcome(status), f"HTTP {status}"
    if failure.check(IgnoreRequest) and str(error).startswith("skipped: the site blocked"):
        return None, "blocked", str(error)
    if failure.check(CannotResolveHostError):
        return None, "error", "DNS lookup failed (no network, or the host name is wrong)"
    if failure.check(DownloadConnectionRefusedError):
        return None, "error", "connection refused"
    if failure.check(DownloadTimeoutError):
        return None, "error", "timed out"
    if failure.check(DownloadCancelledError, CancelledError):
        limit = failure.request.meta.get("download_maxsize") if hasattr(failure, "request") else None
        return None, "refused", f"larger than the download cap{f' of {limit:,} bytes' if limit else ''}"
    if failure.check(ConnectionLost, ConnectionDone) or (
            failure.check(DownloadFailedError) and "ConnectionLost" in str(error)):
        return None, "error", "connection lost (reset by the site before an answer)"
    if failure.check(ResponseDataLossError):
        return None, "error", "truncated response (connection closed before the whole body arrived)"
    return None, "error", f"{type(error).__name__}: {error}".strip()
