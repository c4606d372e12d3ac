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

    _shared: dict[str, tuple[Store, LoopingCall | None, list[int]]] = {}  # db path → store, flusher, users

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
            flusher = None
            if self.batch_seconds > 0:  # an idle crawl does not hold the write lock either
                flusher = LoopingCall(store.flush)
                flusher.start(self.batch_seconds, now=False)
            self._shared[self.db_path] = (store, flusher, [0])
        self.store, _, users = self._shared[self.db_path]
        users[0] += 1
        self.store.register_sites([self.crawler.spider.site])

    def close_spider(self):
        store, flusher, users = self._shared[self.db_path]
        users[0] -= 1
        if users[0]:
            store.flush()
            return
        del self._shared[self.db_path]
        if flusher is not None and flusher.running:
            flusher.stop()
        store.close()

    def process_item(self, item):
        if isinstance(item, DetailPage):
            self.store.save_page(self.run_id, item)
        elif isinstance(item, ListingPage):
            self.store.record_listing(self.run_id, item)
        elif isinstance(item, FetchOutcome):
            self.store.record_fetch(self.run_id, item)
        return item
