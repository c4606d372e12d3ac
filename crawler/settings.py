"""Scrapy settings: polite defaults for government sites (robots.txt, AutoThrottle, a named UA)."""

import os

BOT_NAME = "zhengce-watch"
# The notice spider, and the shard job Scrapyd runs (an app-level spider: it starts crawls of its own).
SPIDER_MODULES = ["crawler.spiders", "crawler.app.shard_job"]
NEWSPIDER_MODULE = "crawler.spiders"

# Sites should know who is crawling and how to reach them: set CRAWLER_CONTACT to your page or mail.
CRAWLER_CONTACT = os.environ.get("CRAWLER_CONTACT", "https://github.com/zhengce-watch/zhengce-watch")
USER_AGENT = f"zhengce-watch/0.1 (+{CRAWLER_CONTACT}; policy-notice monitor)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
# Before each retry: CRAWLER_RETRY_BACKOFF × 2^(retries so far) seconds, or a 429/503's Retry-After
# up to CRAWLER_RETRY_AFTER_MAX (crawler/downloader/retry_backoff.py; both 0: retries do not wait).
CRAWLER_RETRY_BACKOFF = 2.0
CRAWLER_RETRY_AFTER_MAX = 120.0
# A page larger than this is refused and recorded (attachments have their own cap, below).
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

DOWNLOAD_HANDLERS = {
    "http": "crawler.downloader.host_map.HostMapDownloadHandler",
    "https": "crawler.downloader.host_map.HostMapDownloadHandler",
}
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for the output of every callback (default 100), for
# pipelines that wait on I/O. Ours writes SQLite synchronously and a callback yields one or two
# items: one task does the same work, without creating 100 tasks per page.
CONCURRENT_ITEMS = 1
# Extraction runs in this many worker processes (one when the machine has a second core), started
# once a run has extracted CRAWLER_EXTRACT_PROCESS_AFTER pages itself: a short run never pays for them.
CRAWLER_EXTRACT_PROCESSES = 1 if (os.cpu_count() or 1) > 1 else 0
CRAWLER_EXTRACT_PROCESS_AFTER = 50
# The crawl's items are committed together every this many seconds (each one stays atomic): one
# commit per page costs more than the page. A killed crawl loses at most these seconds of work,
# which the next run fetches again.
CRAWLER_STORE_BATCH_SECONDS = 1.0
DOWNLOADER_MIDDLEWARES = {
    "crawler.downloader.retry_backoff.RetryBackoff": 560,  # answers and errors reach it before RetryMiddleware (550)
    "crawler.downloader.answer_guard.AnswerGuard": 650,  # before RedirectMiddleware (600): refused redirects are not followed
    "crawler.downloader.blocked_sites.BlockedSiteBackoff": 950,
}

# Where notices go and which hosts are mirrored; the `crawler` command sets both from its options.
CRAWLER_DB = os.environ.get("CRAWLER_DB", "data/notices.db")
HOST_MAP = os.environ.get("CRAWLER_HOST_MAP", "")
CRAWLER_RUN_ID = None
# Known detail pages: `due` by the age schedule (crawler/spiders/revisit.py), `all`, or `none`.
CRAWLER_REVISIT = os.environ.get("CRAWLER_REVISIT", "due")
# Listing pages to read whatever they hold (0: monitor mode, stop at a page with nothing new).
CRAWLER_BACKFILL = 0
# Largest attachment of a list notice downloaded (bytes); a larger one is refused, with the reason.
CRAWLER_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024
