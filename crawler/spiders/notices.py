"""NoticeSpider: reads a site's listings, follows its detail pages, and yields notices and fetches."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import scrapy
from scrapy.http import Response

from crawler.extract import extract_notice
from crawler.records import DetailPage, FetchOutcome, ListingPage, utc_now
from crawler.siteconf import SITES_DIR, select_sites
from crawler.spiders.cms import ADAPTERS
from crawler.spiders.outcomes import challenge_reason, describe_failure


class NoticeSpider(scrapy.Spider):
    """``scrapy crawl notices -a site=NAME``: one site definition per spider run."""

    name = "notices"

    def __init__(self, site: str | None = None, sites_dir: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if not site:
            raise ValueError("give the site to crawl: -a site=NAME (see `crawler sites`)")
        self.site = select_sites([site], SITES_DIR if sites_dir is None else sites_dir)[0]
        self.adapter = ADAPTERS[self.site.listing.adapter]
        self.allowed_domains = list(self.site.hosts)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        for key, value in spider.site.settings.items():
            crawler.settings.set(key, value, priority="spider")
        return spider

    async def start(self):
        for url in self.site.start_urls:
            yield self._request(url, self.parse_listing, role="listing", page=1)
        for url in self._missing_urls():
            yield self._request(url, self.parse_detail, role="revisit")

    def _missing_urls(self) -> list[str]:
        """Known notices of this site that have dropped out of its listing: their detail pages are
        fetched again, since only a 404/410 there lets a missing notice become removed."""
        path = Path(self.settings.get("CRAWLER_DB") or "")
        if not path.is_file():
            return []
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows = conn.execute("select url from notices where site = ? and status = 'missing'", [self.site.name])
            return [url for (url,) in rows]

    def _request(self, url: str, callback, role: str, page: int | None = None, entry=None, request=None):
        meta = {"role": role, "started": time.monotonic(), "page": page, "entry": entry}
        if request is not None:
            return request.replace(callback=callback, errback=self.fetch_failed, meta={**request.meta, **meta})
        return scrapy.Request(url, callback=callback, errback=self.fetch_failed, meta=meta)

    def _fetch(self, response: Response, outcome: str, error: str | None = None) -> FetchOutcome:
        started = response.meta.get("started")
        return FetchOutcome(
            site=self.site.name, url=response.url, role=response.meta.get("role", "detail"), outcome=outcome,
            status=response.status, error=error, fetched_at=utc_now(),
            elapsed_ms=int((time.monotonic() - started) * 1000) if started else None, bytes=len(response.body),
        )

    def parse_listing(self, response: Response):
        """Detail requests for every entry, the next listing pages, and the listing fetch itself."""
        page = response.meta.get("page") or 1
        problem = challenge_reason(response.body)
        if problem:
            yield self._fetch(response, "blocked" if "challenge" in problem else "error", problem)
            return
        entries = list(self.adapter.entries(response, self.site))
        for entry in entries:
            yield self._request(entry.url, self.parse_detail, role="detail", entry=entry)
        if page < self.site.listing.max_pages:
            for request in self.adapter.next_pages(response, self.site, page):
                yield self._request(request.url, self.parse_listing, role="listing", page=page + 1, request=request)
        fetch = self._fetch(response, "listed", None if entries else "no notice links found")
        yield ListingPage(self.site.name, fetch, [(e.url, e.date) for e in entries])

    def parse_detail(self, response: Response):
        """A notice from a detail page, unless the page is a challenge or holds no text."""
        problem = challenge_reason(response.body)
        if problem:
            yield self._fetch(response, "blocked" if "challenge" in problem else "empty", problem)
            return
        entry = response.meta.get("entry")
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        notice = extract_notice(
            response.url, response.body, self.site.hints, content_type=content_type,
            list_title=entry.title if entry else None,
            list_date=entry.date if entry else None,
        )
        if notice.error:
            yield self._fetch(response, "error", notice.error)
            return
        if len(notice.body_normalized) < 20 or not notice.title:
            yield self._fetch(response, "empty", "no notice text found on the page")
            return
        yield DetailPage(site=self.site.name, notice=notice, fetch=self._fetch(response, "stored"),
                         raw=response.body, content_type=content_type)

    def fetch_failed(self, failure):
        """Record a request that failed (network error, HTTP error status)."""
        request = failure.request
        status, outcome, error = describe_failure(failure)
        started = request.meta.get("started")
        yield FetchOutcome(
            site=self.site.name, url=request.url, role=request.meta.get("role", "detail"), outcome=outcome,
            status=status, error=error, fetched_at=utc_now(),
            elapsed_ms=int((time.monotonic() - started) * 1000) if started else None,
        )
