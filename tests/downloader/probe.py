"""A real Scrapy crawl through the project's downloader components, for the tests in this folder.

``python -m tests.downloader.probe SPEC_JSON`` crawls the spec's ``urls`` one after the other (each
request sent once the one before it is answered or has failed) with the project settings, its
``host_map`` and ``settings`` overrides, and prints one JSON object: ``middlewares`` (the classes of
the downloader middlewares the crawler built) and ``fetches``, one per URL: ``url``, ``status``,
``outcome`` and ``error`` (from :func:`describe_failure` for a failure, null for an answer),
``exception`` (the failure's class name) and ``seconds`` from the first request to the end.
:func:`probe` runs it and returns that object.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.downloader.outcomes import describe_failure

ROOT = Path(__file__).resolve().parents[2]


def probe(urls: list[str], host_map: dict[str, str], settings: dict | None = None, role: str = "detail") -> dict:
    """Crawl ``urls`` in a fresh process (Twisted's reactor runs once per process) and return its report."""
    spec = {"urls": urls, "host_map": host_map, "settings": settings or {}, "role": role}
    result = subprocess.run(
        [sys.executable, "-m", "tests.downloader.probe", json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


class ProbeSpider(scrapy.Spider):
    """Requests the spec's URLs in turn, with the spec's ``role`` in their meta, and reports each."""

    name = "probe"

    def __init__(self, spec: dict, report: dict, **kwargs):
        super().__init__(**kwargs)
        self.spec, self.report = spec, report
        self.allowed_domains = sorted({urlsplit(url).hostname for url in spec["urls"]})

    async def start(self):
        self.report["middlewares"] = [
            f"{type(m).__module__}.{type(m).__name__}" for m in self.crawler.engine.downloader.middleware.middlewares
        ]
        yield self._request(0)

    def _request(self, index: int) -> scrapy.Request:
        meta = {"role": self.spec["role"], "index": index, "started": time.monotonic()}
        return scrapy.Request(
            self.spec["urls"][index], callback=self.answered, errback=self.failed, meta=meta, dont_filter=True
        )

    def _record(self, meta: dict, **fetch):
        fetch["seconds"] = time.monotonic() - meta["started"]
        self.report["fetches"].append(fetch)
        if meta["index"] + 1 < len(self.spec["urls"]):
            yield self._request(meta["index"] + 1)

    def answered(self, response):
        yield from self._record(
            response.meta, url=response.url, status=response.status, outcome=None, error=None, exception=None
        )

    def failed(self, failure):
        status, outcome, error = describe_failure(failure)
        yield from self._record(
            failure.request.meta,
            url=failure.request.url,
            status=status,
            outcome=str(outcome),
            error=error,
            exception=type(failure.value).__name__,
        )


def main() -> None:
    spec = json.loads(sys.argv[1])
    report: dict = {"middlewares": [], "fetches": []}
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    quiet = {
        "SPIDER_MODULES": [],
        "ITEM_PIPELINES": {},
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "HOST_MAP": spec["host_map"],
    }
    for key, value in {**quiet, **spec["settings"]}.items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(ProbeSpider, spec=spec, report=report)
    process.start()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
