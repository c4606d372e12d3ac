"""RetryBackoff, a downloader middleware: waits before Scrapy's RetryMiddleware retries a request —
as long as a 429/503 answer's ``Retry-After`` asks (capped), else an exponential backoff — without
blocking the reactor."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet import reactor
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RetryBackoff:
    """Sits just below RetryMiddleware (it sees answers and errors first) and delays the ones that
    will be retried: ``CRAWLER_RETRY_BACKOFF`` × 2^(retries so far) seconds, or the answer's
    ``Retry-After`` up to ``CRAWLER_RETRY_AFTER_MAX``. Not built (``NotConfigured``) when nothing is
    retried (``RETRY_ENABLED`` off) or both waits are 0."""

    def __init__(self, settings):
        self.max_retries = settings.getint("RETRY_TIMES")
        self.codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.exceptions = tuple(
            load_object(e) if isinstance(e, str) else e for e in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.base = settings.getfloat("CRAWLER_RETRY_BACKOFF")
        self.cap = settings.getfloat("CRAWLER_RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off: no retry to wait for")
        if settings.getfloat("CRAWLER_RETRY_BACKOFF") <= 0 and settings.getfloat("CRAWLER_RETRY_AFTER_MAX") <= 0:
            raise NotConfigured("CRAWLER_RETRY_BACKOFF and CRAWLER_RETRY_AFTER_MAX are 0: retries do not wait")
        return cls(settings)

    def _will_retry(self, request) -> bool:
        if request.meta.get("dont_retry"):
            return False
        return request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.max_retries)

    def _backoff(self, request) -> float:
        return self.base * 2 ** request.meta.get("retry_times", 0)

    async def _wait(self, seconds: float, request, why: str) -> None:
        if seconds > 0:
            logger.info("retrying %s in %.1f s (%s)", request.url, seconds, why)
            await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))

    async def process_response(self, request, response):
        if response.status in self.codes and self._will_retry(request):
            asked = retry_after_seconds(response.headers.get(b"Retry-After")) if response.status in (429, 503) else None
            delay = min(asked, self.cap) if asked is not None else self._backoff(request)
            await self._wait(delay, request, f"HTTP {response.status}")
        return response

    async def process_exception(self, request, exception):
        if isinstance(exception, self.exceptions) and self._will_retry(request):
            await self._wait(self._backoff(request), request, type(exception).__name__)
        return None
