"""`crawler run`, the job for cron: one run at a time (an OS file lock), a rotating log file, the
crawl, then the alerts, and an exit code that says how it went."""

from __future__ import annotations

import logging
from contextlib import closing
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path

from crawler.alerts.config import ConfigError, load_config
from crawler.alerts.outbox import OutboxReport
from crawler.app.alerting import deliver_pending
from crawler.app.crawl import EXIT_OK, EXIT_PARTIAL, LOG_FORMAT, CrawlReport, run_crawl
from crawler.app.locks import run_lock
from crawler.app.prune import prune_if_configured
from crawler.downloader.host_map import HostMapError, host_map_from_env, parse_host_map
from crawler.shards import shard_sites
from crawler.siteconf import SiteDefinitionError, select_sites
from crawler.store import Store
from crawler.store.base import StorageError, storage_errors

log = logging.getLogger(__name__)

LOG_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5


class BadConfiguration(ValueError):
    """The alert configuration, a site definition or the host map is wrong; nothing was crawled."""


@dataclass
class JobResult:
    """A finished cron job: the crawl's report, what the alert pass did, and the log file. A shard's
    job (``shard`` = (I, N)) sends no alerts: its events wait for the central database's merge."""

    report: CrawlReport
    outbox: OutboxReport
    log_file: Path
    shard: tuple[int, int] | None = None

    @property
    def exit_code(self) -> int:
        """The crawl's exit code; 3 when it is 0 but some alerts could not be sent."""
        if self.report.exit_code != EXIT_OK:
            return self.report.exit_code
        return EXIT_PARTIAL if self.outbox.failed else EXIT_OK


class _LogFile(RotatingFileHandler):
    """The run's log file. A line that cannot be written (a full disk) is skipped quietly: the run
    stops on the full disk and says so itself, in one line."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def log_to_file(directory: Path, name: str = "crawler.log") -> Path:
    """Also log everything (INFO and up) to ``directory/name``, rotated at 5 MB, 5 kept."""
    path = directory / name
    with storage_errors(path):
        directory.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(logging.INFO)
    handler.keep = True  # survives the console set-up of a crawl
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    return path


def run_job(
    names: tuple[str, ...],
    db_path: Path,
    host_map: tuple[str, ...],
    overrides: dict[str, str],
    log_level: str = "WARNING",
    config_path: Path | None = None,
    shard: tuple[int, int] | None = None,
) -> JobResult:
    """The cron job: under the run lock beside ``db_path`` (:class:`~crawler.app.locks.LockHeld` when another run has
    it), read the alert configuration, the sites and the host map (:class:`BadConfiguration`),
    log to ``logs/crawler.log`` beside the database, crawl, then route and send the alerts.

    With ``shard`` = (I, N), only the sites of shard I of N (:func:`crawler.shards.shard_sites`),
    under a lock and into a log file of that database's own (several shards may keep their
    databases in one folder), and no alerts: the central database decides them after
    ``crawler merge``, so the shard's events stay undelivered.

    When the database cannot be written (a full disk, a read-only file) the crawl stops and
    :class:`~crawler.store.base.StorageError` is raised (its message also goes to the log file,
    when that can be written); no alert is sent."""
    lock_name, log_name = ".crawler.lock", "crawler.log"
    if shard:
        lock_name, log_name = f".{db_path.stem}.lock", f"{db_path.stem}.log"
    with run_lock(db_path.parent / lock_name):
        try:
            config = load_config(config_path)
            sites = select_sites(names)
            mapping = {**host_map_from_env(), **parse_host_map(host_map)}
        except (ConfigError, SiteDefinitionError, HostMapError) as exc:
            raise BadConfiguration(str(exc)) from None
        if shard:
            sites = shard_sites(sites, *shard)
        log_file = log_to_file(db_path.parent / "logs", log_name)
        if shard:
            log.info(
                "shard %d/%d: %d site(s) (%s) into %s; alerts are not sent from a shard (the central"
                " database sends them after `crawler merge`)",
                *shard,
                len(sites),
                ", ".join(s.name for s in sites),
                db_path,
            )
        try:
            report = run_crawl(sites, db_path, mapping, overrides, log_level)
        except StorageError as exc:
            _to_log_file_only(str(exc))
            raise
        report.shard = shard
        if shard:
            return JobResult(report, OutboxReport(), log_file, shard)
        with closing(Store(db_path)) as store:
            outbox = deliver_pending(store, config)
            prune_if_configured(store, config)  # [retention] auto = true
    return JobResult(report, outbox, log_file)


def _to_log_file_only(message: str) -> None:
    """Write ``message`` as an ERROR to the log file alone: the command prints it on stderr."""
    record = log.makeRecord(log.name, logging.ERROR, __file__, 0, message, None, None)
    for handler in logging.getLogger().handlers:
        if getattr(handler, "keep", False):
            handler.handle(record)
