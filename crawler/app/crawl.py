"""Running a crawl of several sites in one Scrapy process, and reporting what it found."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess, CrawlerRunner
from scrapy.settings import Settings
from twisted.internet.defer import Deferred, DeferredList
from twisted.python.failure import Failure

from crawler.extract.pool import ExtractionPool
from crawler.pipelines import StorePipeline
from crawler.shards import host_groups
from crawler.site import Site
from crawler.spiders.notices import NoticeSpider
from crawler.store import Store, health

log = logging.getLogger(__name__)

# Exit codes of `crawler crawl` and `crawler run` (README lists them for cron users).
EXIT_OK = 0
EXIT_PARTIAL = 3  # some sites could not be reached, or some alerts could not be sent
EXIT_FAILED = 4  # no site could be reached, or the database cannot be written (disk full, read-only)
EXIT_LOCKED = 5  # another run holds the lock
EXIT_CONFIG = 6  # the alert configuration is wrong; nothing was crawled


@dataclass
class CrawlReport:
    """A finished run: its id, totals and per-site details (see ``Store.run_report``)."""

    run_id: int
    totals: dict
    sites: dict
    site_titles: dict
    unreachable: list[tuple[str, str]]
    blocked: list[tuple[str, str]] = field(default_factory=list)  # read, then stopped by an anti-bot front
    failed: list[tuple[str, str]] = field(default_factory=list)  # read, but some pages could not be
    # answered, but not as the definition says: (site, "broken: …" or "degraded: …")
    drifted: list[tuple[str, str]] = field(default_factory=list)
    shard: tuple[int, int] | None = None  # (I, N) when the run crawled shard I of N

    @property
    def exit_code(self) -> int:
        if self.unreachable and len(self.unreachable) == len(self.site_titles):
            return EXIT_FAILED
        return EXIT_PARTIAL if self.unreachable or self.blocked or self.failed or self.drifted else EXIT_OK

    def why(self) -> str:
        """In one line, why the exit code is not 0: each site that was not read as it should be."""
        parts = [f"{name} unreachable ({reason})" for name, reason in self.unreachable]
        parts += [f"{name} blocked ({reason})" for name, reason in self.blocked]
        parts += [f"{name} failed ({reason})" for name, reason in self.failed]
        parts += [f"{name} {reason}" for name, reason in self.drifted]
        return "; ".join(parts)

    @property
    def noteworthy(self) -> bool:
        """Something new or changed, or a problem: what ``--quiet`` still prints."""
        return bool(
            self.totals["new"]
            or self.totals["changed"]
            or self.totals["errors"]
            or self.unreachable
            or self.blocked
            or self.failed
            or self.drifted
        )


class _NoTracebacks(logging.Filter):
    """Keeps log records to one line: network failures are reported in the run summary."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(level.upper())
    if level.upper() != "DEBUG":
        handler.addFilter(_NoTracebacks())
    root = logging.getLogger()
    kept = [h for h in root.handlers if getattr(h, "keep", False)]  # the log file of `crawler run`
    root.handlers[:] = [*kept, handler]
    root.setLevel(min([handler.level, *(h.level for h in kept)]))


def crawl_settings(db_path: Path, host_map: dict[str, str], overrides: dict[str, str], run_id: int | None) -> Settings:
    """The project's Scrapy settings with the database, host map, run and ``-s`` overrides applied."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("CRAWLER_DB", str(db_path), priority="cmdline")
    settings.set("HOST_MAP", dict(host_map), priority="cmdline")
    settings.set("CRAWLER_RUN_ID", run_id, priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def _crawl_in_turn(runner: CrawlerRunner, names: list[str], pool: ExtractionPool) -> Deferred:
    """Crawl the sites ``names`` one after another, each starting when the one before it ends (a
    crawl that failed is logged with its traceback, and the next one still starts, unless the
    database could not be written); fires when the last one ends."""

    def then(result, before: str, name: str):
        if runner.settings.get("CRAWLER_DB") in StorePipeline.failures:
            return None
        if isinstance(result, Failure):
            log.error("crawl of %s failed", before, exc_info=(result.type, result.value, result.getTracebackObject()))
        return runner.crawl(NoticeSpider, site=name, extraction=pool)

    done = runner.crawl(NoticeSpider, site=names[0], extraction=pool)
    for before, name in zip(names, names[1:]):
        done.addBoth(then, before, name)
    return done


def begin_run(sites: list[Site], db_path: Path) -> int:
    """Register ``sites`` in the database at ``db_path`` and start a run of them: its id."""
    with Store(db_path) as store:
        store.register_sites(sites)
        return store.start_run([s.name for s in sites])


def crawl_sites(runner: CrawlerRunner, sites: list[Site], pool: ExtractionPool) -> Deferred:
    """Schedule the crawl of ``sites`` on ``runner`` (a CrawlerProcess, or a CrawlerRunner inside a
    running reactor): concurrently, except that sites sharing a host are crawled one after another
    (:func:`host_groups`). Fires when every crawl has ended."""
    return DeferredList([_crawl_in_turn(runner, [site.name for site in group], pool) for group in host_groups(sites)])


def extraction_pool(settings: Settings) -> ExtractionPool:
    """The worker processes that extract detail pages, as the settings ask."""
    return ExtractionPool(
        settings.getint("CRAWLER_EXTRACT_PROCESSES"), settings.getint("CRAWLER_EXTRACT_PROCESS_AFTER")
    )


def run_crawl(
    sites: list[Site],
    db_path: Path,
    host_map: dict[str, str],
    overrides: dict[str, str] | None = None,
    log_level: str = "WARNING",
) -> CrawlReport:
    """Crawl ``sites`` into ``db_path`` in this process (:func:`crawl_sites`) and report the run.
    Raises :class:`~crawler.store.base.StorageError` when the database cannot be written (a full
    disk, a read-only file): before the crawl, or as soon as a write fails, which stops it."""
    run_id = begin_run(sites, db_path)
    settings = crawl_settings(db_path, host_map, overrides or {}, run_id)
    settings.set("LOG_LEVEL", log_level.upper(), priority="cmdline")
    _configure_logging(log_level)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    pool = extraction_pool(settings)
    process = CrawlerProcess(settings)
    crawl_sites(process, sites, pool)
    try:
        process.start()
    finally:
        pool.close()
    failure = StorePipeline.failures.pop(str(db_path), None)
    if failure is not None:
        raise failure
    return report_run(sites, db_path, run_id)


def report_run(sites: list[Site], db_path: Path, run_id: int) -> CrawlReport:
    """Finish the run ``run_id`` of ``sites`` and report it: totals, per site what it gave, and
    which sites were unreachable, blocked, failed or not read as their definition says."""
    with Store(db_path) as store:
        totals = store.finish_run(run_id)
        per_site = store.run_report(run_id)
        states = health.of_run(store.db, run_id)
    drifted = [(s.site, f"{s.state}: {s.reason}") for s in states.values() if s.state in health.DRIFT_STATES]
    unreachable, blocked, failed = [], [], []
    for site in sites:  # a site counts as failed when none of its listing pages could be read
        detail = per_site.get(site.name)
        if detail is None or not detail["outcomes"].get("listed"):
            errors = detail["errors"] if detail else []
            reason = errors[0]["error"] if errors else "no request got an answer"
            unreachable.append((site.name, f"{', '.join(site.hosts)}: {reason}"))
        elif detail["outcomes"].get("blocked"):  # listing read, then the site's anti-bot front stopped the run
            blocked.append((site.name, f"{', '.join(site.hosts)}: {detail['outcomes']['blocked']} request(s)"))
        elif detail["outcomes"].get("error") or detail["outcomes"].get("refused"):
            count = detail["outcomes"].get("error", 0) + detail["outcomes"].get("refused", 0)
            first = next((e["error"] for e in detail["errors"] if e["outcome"] in ("error", "refused")), "")
            failed.append((site.name, f"{count} page(s) could not be read, first: {first}"))
    return CrawlReport(
        run_id, totals, per_site, {s.name: s.title for s in sites}, unreachable, blocked, failed, drifted
    )


def format_report(report: CrawlReport, hint_demo: bool = True, list_events: bool = True) -> str:
    """The run summary printed after a crawl: totals, then per site its counts, its new and changed
    notices (unless ``list_events`` is false) and its first problems."""
    t = report.totals
    shard = f"shard {report.shard[0]}/{report.shard[1]}, " if report.shard else ""
    lines = [
        (
            f"{shard}run {report.run_id}: {len(report.site_titles)} site(s), {t['pages_fetched']} pages fetched, "
            f"{t['new']} new, {t['changed']} changed, {t['errors']} problem(s)"
        )
    ]
    for name, title in report.site_titles.items():
        detail = report.sites.get(name, {"outcomes": {}, "events": [], "errors": []})
        outcomes = detail["outcomes"]
        counts = ", ".join(f"{outcomes[k]} {k}" for k in sorted(outcomes))
        lines.append(f"{name} ({title}): {counts or 'nothing fetched'}")
        for event in detail["events"] if list_events else ():
            date = (event["published_at"] or "")[:10] or "?"
            lines.append(f"  {event['kind']:<8}{date}  {event['title']}")
            lines.append(f"  {'':<8}{'':<10}  {event['url']}")
        for error in detail["errors"][:5]:
            lines.append(f"  {error['outcome']:<8}{error['error'] or ''}  {error['url']}")
        if len(detail["errors"]) > 5:
            lines.append(f"  … and {len(detail['errors']) - 5} more problem(s); see the fetches table")
    if report.unreachable:
        lines.append("")
        lines.append("Could not reach or read these sites:")
        lines.extend(f"  {name} ({reason})" for name, reason in report.unreachable)
        if hint_demo:
            lines.append(
                "Check the network connection. To see the crawler work offline on the bundled "
                "mirror of these sites, run `make demo` (or `crawler demo`)."
            )
    if report.blocked:
        lines.append("")
        lines.append("Blocked by their anti-bot front after the listing was read (backed off for this run):")
        lines.extend(f"  {name} ({reason})" for name, reason in report.blocked)
    if report.failed:
        lines.append("")
        lines.append("Some pages could not be read (the next run reads these sites as deep as a first run):")
        lines.extend(f"  {name} ({reason})" for name, reason in report.failed)
    if report.drifted:
        lines.append("")
        lines.append("Not read as their definition says (the site changed? see `crawler sites --check NAME`):")
        lines.extend(f"  {name} {reason}" for name, reason in report.drifted)
    return "\n".join(lines)
