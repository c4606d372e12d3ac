"""StorePipeline: hands every item of a crawl to the store, which alone writes the database."""

from __future__ import annotations

from twisted.internet.task import LoopingCall

from crawler.records import DetailPage, FetchOutcome, ListingPage
from crawler.store import Store


class StorePipeline:
    """Writes ``DetailPage``, ``ListingPage`` and ``FetchOutcome`` items to ``CRAWLER_DB`` under
    ``CRAWLER_RUN_ID``. The sites crawled by one process share one connection, whose items are
    committed together every ``CRAWLER_STORE_BATCH_SECONDS`` (each item stays atomic); separate
    connections in one thread would wait on each other's write lock."""

    _shared: dict[str, _SharedStore] = {}  # by database path

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
            self._shared[self.db_path] = _SharedStore(Store(self.db_path, batch_seconds=self.batch_seconds))
        shared = self._shared[self.db_path]
        shared.users += 1
        self.store = shared.store
        self.store.register_sites([self.crawler.spider.site])

    def close_spider(self):
        shared = self._shared[self.db_path]
        shared.users -= 1
        if shared.users:
            self.store.flush()
            return
        del self._shared[self.db_path]
        shared.close()

    def process_item(self, item):
        if isinstance(item, DetailPage):
            self.store.save_page(self.run_id, item)
        elif isinstance(item, ListingPage):
            self.store.record_listing(self.run_id, item)
        elif isinstance(item, FetchOutcome):
            self.store.record_fetch(self.run_id, item)
        return item


class _SharedStore:
    """One store for the spiders of a process, flushed every ``batch_seconds`` so that an idle
    crawl does not hold the write lock either."""

    def __init__(self, store: Store) -> None:
        self.store, self.users = store, 0
        self.flusher = None
        if store.batch_seconds > 0:
            self.flusher = LoopingCall(store.flush)
            self.flusher.start(store.batch_seconds, now=False)

    def close(self) -> None:
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        self.store.close()
