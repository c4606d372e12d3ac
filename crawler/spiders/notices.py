"""NoticeSpider: reads a site's listings, follows its detail pages, and yields notices and fetches."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, timedelta

import scrapy
from scrapy.http import Response

from crawler.detail_pages import attachments_to_read, build_page
from crawler.downloader.outcomes import NotAPage, Outcome, describe_failure, not_a_page
from crawler.extract.pool import ExtractionPool
from crawler.listings import ADAPTERS, ListingEntry, fallback
from crawler.records import AttachmentFile, DetailPage, FetchOutcome, KnownFile, KnownNotice, ListingPage, utc_now
from crawler.roster_files import read_download
from crawler.siteconf import select_sites
from crawler.spiders.revisit import is_due
from crawler.store.known import gone_before, interrupted_before, load_known

LISTING_PRIORITY = 10
MAX_LISTED = 500  # entries read from one listing page; real pages list 10 to 150


class NoticeSpider(scrapy.Spider):
    """``scrapy crawl notices -a site=NAME``: one site definition per spider run."""

    name = "notices"

    def __init__(
        self, site: str | None = None, sites_dir: str | None = None, extraction: ExtractionPool | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.extraction = extraction or ExtractionPool(0)  # `crawler crawl` shares one among its sites
        if not site:
            raise ValueError("give the site to crawl: -a site=NAME (see `crawler sites`)")
        self.site = select_sites([site], sites_dir)[0]
        self.adapter = ADAPTERS[self.site.listing.adapter]
        self.allowed_domains = list(self.site.hosts)
        self.known: dict[str, KnownNotice] = {}
        self.gone_before: set[str] = set()
        self.resume = False

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        for key, value in spider.site.settings.items():
            crawler.settings.set(key, value, priority="spider")
        return spider

    async def start(self):
        self.known = load_known(self.settings.get("CRAWLER_DB"), self.site.name)
        self.gone_before = gone_before(self.settings.get("CRAWLER_DB"), self.site.name)
        self.resume = interrupted_before(
            self.settings.get("CRAWLER_DB"), self.site.name, self.settings.get("CRAWLER_RUN_ID")
        )
        self.revisit = self.settings.get("CRAWLER_REVISIT", "due")
        self.backfill = self.settings.getint("CRAWLER_BACKFILL", 0)
        self.attachment_maxsize = self.settings.getint("CRAWLER_ATTACHMENT_MAXSIZE")
        # The adapter makes the first request for a start URL (a GET, or another: jpaas's column API POST).
        for url in self.site.start_urls:
            request = self.adapter.start_request(url, self.site)
            yield self._request(url, self.parse_listing, role="listing", page=1, request=request)
        # Notices gone from the listing are fetched again: only a 404/410 lets them become removed.
        for notice in self.known.values():
            if notice.status == "missing":
                yield self._request(notice.url, self.parse_detail, role="revisit")

    def _detail_request(self, entry):
        """The request for a listed notice: plain for a new one, conditional for a known one that
        is due for revisit, none for a known one that is not."""
        known = self.known.get(entry.url)
        if known is None:
            if entry.url in self.gone_before and self.revisit != "all":
                return None  # listed before, answered 404/410: not news now
            return self._request(entry.url, self.parse_detail, role="detail", entry=entry)
        if not is_due(known, self.revisit):
            return None
        request = self._request(entry.url, self.parse_detail, role="revisit", entry=entry)
        request.meta["handle_httpstatus_list"] = [304]
        return request.replace(headers=known.conditional_headers())

    def _request(self, url: str, callback, role: str, page: int | None = None, entry=None, request=None):
        meta = {"role": role, "started": time.monotonic(), "page": page, "entry": entry}
        # Listing pages go before detail pages: a site that blocks us during the run has then shown
        # as much of its listing as it can.
        priority = LISTING_PRIORITY if role == "listing" else 0
        if request is not None:
            return request.replace(
                callback=callback, errback=self.fetch_failed, meta={**request.meta, **meta}, priority=priority
            )
        return scrapy.Request(url, callback=callback, errback=self.fetch_failed, meta=meta, priority=priority)

    def _fetch(self, response: Response, outcome: Outcome, error: str | None = None) -> FetchOutcome:
        started = response.meta.get("started")
        return FetchOutcome(
            site=self.site.name,
            url=response.url,
            role=response.meta.get("role", "detail"),
            outcome=outcome,
            status=response.status,
            error=error,
            fetched_at=utc_now(),
            elapsed_ms=int((time.monotonic() - started) * 1000) if started else None,
            bytes=len(response.body),
        )

    def parse_listing(self, response: Response):
        """Detail requests for every entry, the next listing pages, and the listing fetch itself."""
        page = response.meta.get("page") or 1
        problem = not_a_page(response.body)
        if problem is not None:
            outcome = Outcome.BLOCKED if problem is NotAPage.CHALLENGE else Outcome.ERROR
            yield self._fetch(response, outcome, problem.reason)
            return
        entries, drift = self._sane_entries(list(self.adapter.entries(response, self.site)))
        via = "definition"
        if not entries:
            # The definition's markup found nothing: say so, and find the notices by structure.
            drift = self._listing_drift(response)
            found = fallback.find_entries(response, self.site)
            drift = f"{drift}; fallback: {found.how}"
            if found.entries:
                entries, via = found.entries, "fallback"
            self.logger.warning("%s: listing %s: %s", self.site.name, response.url, drift)
        # Monitor mode reads on while a page still lists something new (or, after a run that never
        # finished, as deep as a first run); --backfill N reads N pages. Yielded first (and with a
        # higher priority) so listing pages are read before the detail pages they list.
        has_new = self.resume or any(
            entry.url not in self.known and entry.url not in self.gone_before for entry in entries
        )
        if (page < self.backfill) or (not self.backfill and page < self.site.listing.max_pages and has_new):
            for request in self.adapter.next_pages(
                response, self.site, page, self.backfill or self.site.listing.max_pages
            ):
                yield self._request(request.url, self.parse_listing, role="listing", page=page + 1, request=request)
        for entry in entries:
            request = self._detail_request(entry)
            if request is not None:
                yield request
        fetch = self._fetch(response, Outcome.LISTED, None if entries else drift)
        fetch.via, fetch.drift = via, drift
        yield ListingPage(self.site.name, fetch, [(e.url, e.date) for e in entries], page=page)

    @staticmethod
    def _sane_entries(entries: list[ListingEntry]) -> tuple[list[ListingEntry], str | None]:
        """A listing page's entries without what no list of notices holds, and why: at most
        ``MAX_LISTED`` of them (a page of thousands of links must not become thousands of requests),
        and no list dates when every one is in the future (the page's dates are not publish dates)."""
        why = []
        if len(entries) > MAX_LISTED:
            why.append(f"the page lists {len(entries):,} notices: the first {MAX_LISTED} read")
            entries = entries[:MAX_LISTED]
        tomorrow = (date.today() + timedelta(days=1)).isoformat()
        if entries and all(e.date and e.date[:10] > tomorrow for e in entries):
            why.append(f"every entry is dated in the future (first {entries[0].date[:10]}): list dates ignored")
            entries = [replace(e, date=None) for e in entries]
        return entries, "; ".join(why) or None

    def _listing_drift(self, response: Response) -> str:
        """Why the site's listing adapter found no entry: the adapter, and what it says was wrong
        (an unreadable answer, its item_selector matching nothing)."""
        why = f"listing adapter {self.site.listing.adapter} found no notice"
        problem = self.adapter.problem(response, self.site)
        return f"{why} ({problem})" if problem else why

    async def parse_detail(self, response: Response):
        """A notice from a detail page, unless the page is a challenge or holds no text."""
        known = self.known.get(response.url)
        unchanged = response.status == 304 or (known and known.same_bytes(response.body))
        if unchanged and not response.meta.get("files_changed"):
            yield self._fetch(response, Outcome.NOT_MODIFIED)
            if known and known.files:  # a list notice: its files may be replaced while its page stays the same
                yield self._check_file(known, list(known.files), response.meta.get("entry"))
            return
        problem = not_a_page(response.body)
        if problem is not None:
            outcome = Outcome.BLOCKED if problem is NotAPage.CHALLENGE else Outcome.EMPTY
            yield self._fetch(response, outcome, problem.reason)
            return
        entry = response.meta.get("entry")
        validators = {
            "etag": response.headers.get(b"ETag", b"").decode("latin-1") or None,
            "last_modified": response.headers.get(b"Last-Modified", b"").decode("latin-1") or None,
        }
        fetch = self._fetch(response, Outcome.STORED)
        # A page never stored before is compressed for the store beside its extraction (in the
        # worker process, when the crawl has one); a known page's text may well be unchanged.
        page = await build_page(
            self.site,
            fetch,
            response.body,
            response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
            listing_title=entry.title if entry else None,
            listing_date=entry.date if entry else None,
            extraction=self.extraction,
            pack=known is None,
            validators=validators,
        )
        if fetch.drift:
            self.logger.warning("%s: %s: %s", self.site.name, response.url, fetch.drift)
        if page is None:
            yield fetch
            return
        # A roster notice's attachments are read one at a time; the page goes to the store with all
        # of them, so a version holds its whole roster.
        yield self._next_attachment(page, attachments_to_read(page, self.site))

    def _next_attachment(self, page: DetailPage, pending: list):
        """The download of the next pending attachment of a list notice, or the finished page."""
        if not pending:
            return page
        attachment, rest = pending[0], pending[1:]
        meta = {
            "role": "attachment",
            "started": time.monotonic(),
            "detail": page,
            "attachment": attachment,
            "pending": rest,
            "download_maxsize": self.attachment_maxsize,
        }
        # dont_filter: two notices may link one file, and each needs its answer.
        return scrapy.Request(
            attachment.url,
            callback=self.parse_attachment,
            errback=self.attachment_failed,
            meta=meta,
            dont_filter=True,
            headers={"Referer": page.notice.url},
        )

    def _check_file(self, known: KnownNotice, pending: list[KnownFile], entry) -> scrapy.Request | None:
        """The conditional request for the next attachment of an unchanged list notice, or None
        when every one was checked."""
        if not pending:
            return None
        file, rest = pending[0], pending[1:]
        meta = {
            "role": "attachment",
            "started": time.monotonic(),
            "known": known,
            "file": file,
            "pending": rest,
            "entry": entry,
            "download_maxsize": self.attachment_maxsize,
            "handle_httpstatus_list": [304],
        }
        return scrapy.Request(
            file.url,
            callback=self.parse_file_check,
            errback=self.file_check_failed,
            meta=meta,
            dont_filter=True,
            headers={"Referer": known.url, **file.conditional_headers()},
        )

    def parse_file_check(self, response: Response):
        """An unchanged list notice's attachment: the same file (304, or the same bytes) checks the
        next one; another file reads the notice again, whole, into a new version if its list changed."""
        meta = response.meta
        if response.status == 304 or meta["file"].same_bytes(response.body):
            yield self._fetch(response, Outcome.UNCHANGED)
            request = self._check_file(meta["known"], meta["pending"], meta["entry"])
            if request is not None:
                yield request
            return
        yield self._fetch(response, Outcome.REPLACED, f"{meta['file'].name}: another file than the one last read")
        request = self._request(meta["known"].url, self.parse_detail, role="revisit", entry=meta["entry"])
        request.meta["files_changed"] = True
        yield request.replace(dont_filter=True)

    def file_check_failed(self, failure):
        """An attachment check that failed: recorded, and the next one checked (a failed check is no change)."""
        yield from self.fetch_failed(failure)
        meta = failure.request.meta
        request = self._check_file(meta["known"], meta["pending"], meta["entry"])
        if request is not None:
            yield request

    def parse_attachment(self, response: Response):
        """An attachment's bytes, parsed into the list of the notice that links it."""
        page, attachment = response.meta["detail"], response.meta["attachment"]
        file = read_download(attachment, response.body, self.site.province_name, self.attachment_maxsize)
        file.etag = response.headers.get(b"ETag", b"").decode("latin-1") or None
        file.last_modified = response.headers.get(b"Last-Modified", b"").decode("latin-1") or None
        page.files.append(file)
        outcome = {"failed": Outcome.ERROR, "refused": Outcome.REFUSED}.get(file.status, Outcome.DOWNLOADED)
        yield self._fetch(response, outcome, file.reason)
        yield self._next_attachment(page, response.meta["pending"])

    def attachment_failed(self, failure):
        """An attachment that could not be downloaded: recorded, and the notice goes on without it
        (the store keeps the earlier download's list, so this is no change of the notice)."""
        meta = failure.request.meta
        outcome = next(iter(self.fetch_failed(failure)))
        status = "refused" if outcome.outcome == Outcome.REFUSED else "failed"
        meta["detail"].files.append(
            AttachmentFile(meta["attachment"].name, meta["attachment"].url, status, reason=outcome.error)
        )
        yield outcome
        yield self._next_attachment(meta["detail"], meta["pending"])

    def fetch_failed(self, failure):
        """Record a request that failed (network error, HTTP error status)."""
        request = failure.request
        status, outcome, error = describe_failure(failure)
        started = request.meta.get("started")
        yield FetchOutcome(
            site=self.site.name,
            url=request.url,
            role=request.meta.get("role", "detail"),
            outcome=outcome,
            status=status,
            error=error,
            fetched_at=utc_now(),
            elapsed_ms=int((time.monotonic() - started) * 1000) if started else None,
        )
