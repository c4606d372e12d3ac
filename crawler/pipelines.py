"""StorePipeline: hands every item of a crawl to the store, which alone writes the database."""

from __future__ import annotations

import logging

from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from crawler.records import DetailPage, FetchOutcome, ListingPage
from crawler.store import Store
from crawler.store.base import StorageError

log = logging.getLogger(__name__)


class StorePipeline:
    """Writes ``DetailPage``, ``ListingPage`` and ``FetchOutcome`` items to ``CRAWLER_DB`` under
    ``CRAWLER_RUN_ID``. The sites crawled by one process share one connection, whose items are
    committed together every ``CRAWLER_STORE_BATCH_SECONDS`` (each item stays atomic); separate
    connections in one thread would wait on each other's write lock.

    When the store cannot write (:class:`~crawler.store.base.StorageError`: a full disk, a
    read-only file), every crawl sharing it is closed at once and the error is kept in
    :attr:`failures` for the process to report; later items are dropped unwritten."""

    _shared: dict[str, _SharedStore] = {}  # by database path
    failures: dict[str, StorageError] = {}  # by database path: why its crawls were stopped

    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("CRAWLER_DB")
        self.batch_seconds = crawler.settings.getfloat("CRAWLER_STORE_BATCH_SECONDS")
        run_id = crawler.settings.get("CRAWLER_RUN_ID")
        self.run_id = int(run_id) if run_id is not None else None
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        if self.db_path not in self._shared:
            store = Store(self.db_path, batch_seconds=self.batch_seconds)
            self._shared[self.db_path] = _SharedStore(store, lambda: self._stopping_on_failure(store.flush))
        shared = self._shared[self.db_path]
        shared.users += 1
        shared.crawlers.append(self.crawler)
        self.store = shared.store
        self._stopping_on_failure(lambda: self.store.register_sites([self.crawler.spider.site]))

    def close_spider(self):
        shared = self._shared[self.db_path]
        shared.users -= 1
        shared.crawlers.remove(self.crawler)
        if shared.users:
            self._stopping_on_failure(self.store.flush)
            return
        del self._shared[self.db_path]
        self._stopping_on_failure(shared.close)

    def process_item(self, item):
        if self.db_path in self.failures:
            return item
        if isinstance(item, DetailPage):
            self._stopping_on_failure(lambda: self.store.save_page(self.run_id, item))
        elif isinstance(item, ListingPage):
            self._stopping_on_failure(lambda: self.store.record_listing(self.run_id, item))
        elif isinstance(item, FetchOutcome):
            self._stopping_on_failure(lambda: self.store.record_fetch(self.run_id, item))
        return item

    def _stopping_on_failure(self, write) -> None:
        """Call ``write``; when the store cannot write, keep the error and close every crawl that
        shares this store (the first error is the one reported)."""
        try:
            write()
        except StorageError as exc:
            if self.db_path in self.failures:
                return
            self.failures[self.db_path] = exc
            log.info("stopping the crawl: %s", exc)
            shared = self._shared.get(self.db_path)
            for crawler in [*shared.crawlers] if shared else [self.crawler]:
                if crawler.engine is not None and crawler.engine.running:
                    deferred_from_coro(crawler.engine.close_spider_async(reason="storage_failed"))


class _SharedStore:
    """One store for the spiders of a process, flushed every ``batch_seconds`` so that an idle
    crawl does not hold the write lock either."""

    def __init__(self, store: Store, flush) -> None:
        self.store, self.users = store, 0
        self.crawlers = []  # the crawls writing to it
        self.flusher = None
        if store.batch_seconds > 0:
            self.flusher = LoopingCall(flush)
            self.flusher.start(store.batch_seconds, now=False)

    def close(self) -> None:
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        self.store.close()
