"""BlockedSiteBackoff, a downloader middleware: once a site answers with an anti-bot status or a
challenge page, the rest of its requests in this run are skipped (and recorded as ``blocked``)
instead of hammering a site that has asked us to stop."""

from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest

from crawler.downloader.outcomes import BLOCKING_STATUSES, challenge_reason

logger = logging.getLogger(__name__)
SKIP_PREFIX = "skipped: the site blocked this run"


class BlockedSiteBackoff:
    """One instance per crawler, and a crawler crawls one site."""

    def __init__(self, retry_times: int = 0) -> None:
        self.reason: str | None = None
        self.retry_times = retry_times

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("RETRY_TIMES") if crawler.settings.getbool("RETRY_ENABLED") else 0)

    def _asks_to_wait(self, request, response) -> bool:
        """A 429 with Retry-After that will be retried (after the wait it asks for): not a block yet."""
        return (response.status == 429 and b"Retry-After" in response.headers
                and request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.retry_times))

    def process_request(self, request):
        if self.reason and not request.url.endswith("/robots.txt"):
            raise IgnoreRequest(f"{SKIP_PREFIX} ({self.reason})")

    def process_response(self, request, response):
        if self.reason is None:
            if response.status in BLOCKING_STATUSES and not self._asks_to_wait(request, response):
                self.reason = f"HTTP {response.status}"
            elif response.status == 200 and challenge_reason(response.body) == "anti-bot challenge page":
                self.reason = "challenge page"
            if self.reason:
                logger.warning("%s blocked us (%s): skipping its other requests in this run", request.url, self.reason)
        return response
