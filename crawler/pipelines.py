"""StorePipeline: hands every item of a crawl to the store, which alone writes the database."""

from __future__ import annotations

from crawler.records import DetailPage, FetchOutcome, ListingPage
from crawler.store import Store


class StorePipeline:
    """Writes ``DetailPage``, ``ListingPage`` and ``FetchOutcome`` items to ``CRAWLER_DB`` under
    ``CRAWLER_RUN_ID``."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("CRAWLER_DB")
        run_id = crawler.settings.get("CRAWLER_RUN_ID")
        self.run_id = int(run_id) if run_id is not None else None
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.store = Store(self.db_path)
        self.store.register_sites([self.crawler.spider.site])

    def close_spider(self):
        self.store.close()

    def process_item(self, item):
        if isinstance(item, DetailPage):
            self.store.save_page(self.run_id, item)
        elif isinstance(item, ListingPage):
            self.store.record_listing(self.run_id, item)
        elif isinstance(item, FetchOutcome):
            self.store.record_fetch(self.run_id, item)
        return item
