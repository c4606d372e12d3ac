"""``scrapy crawl shard -a shard=I/N``: one shard's sites crawled in one job, as Scrapyd runs it.

Scrapyd runs only ``scrapy crawl SPIDER -a NAME=VALUE -s NAME=VALUE``. This spider fetches nothing
itself: its ``start()`` crawls the shard's sites with the same runner as ``crawler crawl --shard I/N``
(:func:`crawler.app.crawl.crawl_sites`: concurrently, sites sharing a host one after another), each
site a NoticeSpider crawler on this process's reactor, into the shard's database (``CRAWLER_DB``).
When they have all ended it exports the shard for the central merge
(:func:`crawler.app.merging.export_shard`) beside the job's feed, so Scrapyd serves it at
``/items/<project>/shard/<job>.db``, and yields one item, the feed's one line: what the run gave.

Spider arguments: ``shard`` (``I/N``, 1-based; default ``1/1``: every enabled site), ``host_map``
(``HOST=BASE_URL`` entries, comma-separated, as ``CRAWLER_HOST_MAP``), ``sites_dir`` (the site
definitions, as ``crawler --sites-dir``), ``export`` (where to write the export when the job has no
file feed). Every ``-s`` setting of the job is passed on to the sites' crawlers.
"""

from __future__ import annotations

import os
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerRunner
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.defer import maybe_deferred_to_future
from w3lib.url import file_uri_to_path

from crawler.app.crawl import begin_run, crawl_settings, crawl_sites, extraction_pool, report_run
from crawler.app.merging import export_shard
from crawler.downloader.host_map import parse_host_map
from crawler.shards import parse_shard, shard_sites
from crawler.siteconf import select_sites

# Settings of this job that are its own, not the sites' crawlers': its feed (the sites' crawlers
# would overwrite it with their notices) and the values the runner sets from the job's arguments.
_JOB_ONLY = {"FEEDS", "CRAWLER_DB", "HOST_MAP", "CRAWLER_RUN_ID", "ITEM_PIPELINES"}


class ShardSpider(scrapy.Spider):
    """Crawls the sites of shard ``I/N`` (see the module's docstring); yields one summary item."""

    name = "shard"
    # The summary item goes to the feed only: the store's pipeline is for the sites' crawlers.
    custom_settings = {"ITEM_PIPELINES": {}}

    def __init__(
        self,
        shard: str = "1/1",
        host_map: str = "",
        sites_dir: str | None = None,
        export: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.shard = shard
        self.index, self.count = parse_shard(shard)
        self.host_map_arg = parse_host_map(host_map)
        self.export_arg = Path(export) if export else None
        if sites_dir:  # the sites' spiders read the definitions from there too
            os.environ["CRAWLER_SITES_DIR"] = str(Path(sites_dir).resolve())

    async def start(self):
        db_path = Path(self.settings.get("CRAWLER_DB"))
        db_path.parent.mkdir(parents=True, exist_ok=True)
        host_map = {**parse_host_map(self.settings.get("HOST_MAP") or ""), **self.host_map_arg}
        sites = shard_sites(select_sites([]), self.index, self.count)
        summary = {"shard": self.shard, "db": str(db_path), "sites": [s.name for s in sites]}
        if sites:
            run_id = begin_run(sites, db_path)
            settings = crawl_settings(db_path, host_map, self._passed_on_settings(), run_id)
            pool = extraction_pool(settings)
            try:
                await maybe_deferred_to_future(crawl_sites(CrawlerRunner(settings), sites, pool))
            finally:
                pool.close()
            report = report_run(sites, db_path, run_id)
            summary.update(run_id=run_id, totals=report.totals, exit_code=report.exit_code, why=report.why())
        else:
            summary.update(run_id=None, totals={}, exit_code=0, why="")
        summary.update(self._export(db_path))
        self.logger.info("shard %s: %s", self.shard, summary)
        yield summary

    def _passed_on_settings(self) -> dict:
        """The job's ``-s`` settings (Scrapyd's LOG_FILE among them), for the sites' crawlers."""
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        return {
            name: self.settings[name]
            for name in self.settings
            if name not in _JOB_ONLY and (self.settings.getpriority(name) or 0) >= cmdline
        }

    def _export_path(self) -> Path | None:
        """Where the export goes: the ``export`` argument, else the job's file feed with ``.db``."""
        if self.export_arg:
            return self.export_arg
        for uri in self.settings.getdict("FEEDS"):
            if str(uri).startswith("file://"):
                return Path(file_uri_to_path(str(uri))).with_suffix(".db")
            if "://" not in str(uri):
                return Path(uri).with_suffix(".db")
        return None

    def _export(self, db_path: Path) -> dict:
        dest = self._export_path()
        if dest is None:
            return {"export": None, "export_error": "no feed and no -a export=PATH: nothing exported"}
        if not db_path.exists():
            return {"export": None, "export_error": f"no shard database at {db_path}"}
        if dest.resolve() == db_path.resolve():
            return {"export": None, "export_error": f"the export would overwrite the shard database {db_path}"}
        export_shard(db_path, dest)
        return {"export": dest.name, "export_bytes": dest.stat().st_size}
