"""BlockedSiteBackoff, a downloader middleware: once a site answers with an anti-bot status or a
challenge page, the rest of its requests in this run are dropped with :class:`SiteBlocked` (and
recorded as ``blocked``) instead of hammering a site that has asked us to stop."""

from __future__ import annotations

import logging

from crawler.downloader.outcomes import BLOCKING_STATUSES, NotAPage, SiteBlocked, not_a_page

logger = logging.getLogger(__name__)


class BlockedSiteBackoff:
    """One instance per crawler, and a crawler crawls one site. ``why`` says what blocked it, once it is."""

    def __init__(self, retry_times: int = 0) -> None:
        self.why: str | None = None
        self.retry_times = retry_times

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("RETRY_TIMES") if crawler.settings.getbool("RETRY_ENABLED") else 0)

    def _asks_to_wait(self, request, response) -> bool:
        """A 429 with Retry-After that will be retried (after the wait it asks for): not a block yet."""
        return (
            response.status == 429
            and b"Retry-After" in response.headers
            and request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", self.retry_times)
        )

    def process_request(self, request):
        if self.why and not request.url.endswith("/robots.txt"):
            raise SiteBlocked(self.why)

    def process_response(self, request, response):
        if self.why is None:
            if response.status in BLOCKING_STATUSES and not self._asks_to_wait(request, response):
                self.why = f"HTTP {response.status}"
            elif response.status == 200 and not_a_page(response.body) is NotAPage.CHALLENGE:
                self.why = "challenge page"
            if self.why:
                logger.warning("%s blocked us (%s): skipping its other requests in this run", request.url, self.why)
        return response
