"""Retention: which rows of the tables that grow with every run (fetches, listings, site_health,
runs, sent deliveries, raw pages of superseded versions) are past their age and deleted, and what
is kept whatever its age because a command still reads it. Versions and events are never deleted."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

import sqlite_utils

# Presence compares a run's listing pages with the same pages of the site's five runs before it
# (crawler.store.runs): those five runs' listings are kept, whatever their age.
LISTING_RUNS_KEPT = 5


@dataclass(frozen=True)
class Limits:
    """Days each table's rows are kept (``[retention]`` in crawler.toml). A row is older than its
    limit by: ``fetched_at`` (fetches), its run's ``started_at`` (listings, runs), ``checked_at``
    (site_health), ``sent_at`` (sent deliveries), and for a raw page the ``valid_to`` of the
    version it was the page of: how long ago a newer version superseded it."""

    fetches_days: int = 90
    listings_days: int = 90
    site_health_days: int = 90
    deliveries_days: int = 90
    snapshots_days: int = 365
    runs_days: int = 365

    @classmethod
    def every(cls, days: int) -> Limits:
        """The same limit for every table (``crawler prune --older-than DAYS``)."""
        return cls(**{f.name: days for f in fields(cls)})


# Each table's deletion, in order (runs last: a run is deleted only once nothing refers to it),
# with the limit it uses, and what it keeps whatever its age.
RULES: tuple[tuple[str, str, str], ...] = (
    (
        "fetches",
        "fetches_days",
        # Kept: the latest fetch of each URL (a 404/410 of a page never stored is not news again;
        # a shard's merge and presence read it), each site's fetches from its last run whose
        # listing was read on (`crawler sites --health`: the runs failing since, the last
        # success, the site's last run that the next one checks for an interruption), every
        # listing fetch of a site never read (its failing runs), and each site's last error.
        """delete from fetches where fetched_at < :fetches_days
             and id not in (select max(id) from fetches where url is not null group by url)
             and id not in (select max(id) from fetches where outcome in ('error', 'blocked', 'empty') group by site)
             and not exists (select 1 from retention_read r where r.site = fetches.site and fetches.run_id >= r.run_id)
             and not (role = 'listing' and site not in (select site from retention_read))""",
    ),
    (
        "listings",
        "listings_days",
        # Kept: each site's last five runs' listings (see LISTING_RUNS_KEPT).
        """delete from listings where run_id in (select id from runs where started_at < :listings_days)
             and not exists (select 1 from retention_listed k where k.site = listings.site and k.run_id = listings.run_id)""",
    ),
    (
        "site_health",
        "site_health_days",
        # Kept: each site's last state (`--health`, and what the next run compares its state
        # with), and the state of every source_broken event's run (what its alert says).
        """delete from site_health where checked_at < :site_health_days
             and id not in (select max(id) from site_health group by site)
             and not exists (select 1 from events e where e.kind = 'source_broken'
                               and e.run_id = site_health.run_id and e.site = site_health.site)""",
    ),
    (
        "deliveries",
        "deliveries_days",
        # Only sent ones: pending, sending and failed deliveries are the outbox. Kept: the last
        # sent to each subscription's channel (a daily digest waits a day from it).
        """delete from deliveries where status = 'sent' and sent_at < :deliveries_days
             and (subscription, channel_key, sent_at) not in (select subscription, channel_key, max(sent_at)
                                                                from deliveries where status = 'sent'
                                                                group by subscription, channel_key)""",
    ),
    (
        "snapshots",
        "snapshots_days",
        # Only raw pages of versions superseded before the limit; never the page of a notice's
        # current version (`crawler reextract` reads it) or the last answer read for a notice.
        """delete from snapshots where sha256 in
               (select snapshot from versions where valid_to is not null and valid_to < :snapshots_days)
             and sha256 not in (select v.snapshot from versions v join notices n
                                  on n.id = v.notice_id and v.version = n.current_version
                                where v.snapshot is not null)
             and sha256 not in (select raw_sha256 from notices where raw_sha256 is not null)""",
    ),
    (
        "runs",
        "runs_days",
        # Only runs nothing refers to any more, and never a site's last run (whether it finished
        # decides how deep the next run reads).
        """delete from runs where started_at < :runs_days and status = 'finished'
             and id not in (select max(r.id) from runs r, json_each(r.sites) j group by j.value)
             and id not in (select run_id from versions where run_id is not null)
             and id not in (select run_id from events where run_id is not null)
             and id not in (select run_id from fetches where run_id is not null)
             and id not in (select run_id from listings where run_id is not null)
             and id not in (select run_id from site_health where run_id is not null)
             and id not in (select run_id from merged_runs where run_id is not null)""",
    ),
)
TABLES = tuple(table for table, _, _ in RULES)


@dataclass
class Pruned:
    """Rows deleted per table, and the bytes of the database's pages they freed (free pages the
    file reuses before it grows; ``file_bytes`` before and after, which shrink only by VACUUM)."""

    deleted: dict[str, int]
    bytes_freed: int
    file_bytes: tuple[int, int]
    dry_run: bool = False
    vacuumed: bool = False


def cutoffs(limits: Limits, now: datetime | None = None) -> dict[str, str]:
    """Each limit as the timestamp older rows are before, in the store's format (ISO 8601, UTC)."""
    now = now or datetime.now(UTC)
    return {
        f.name: (now - timedelta(days=getattr(limits, f.name))).isoformat(timespec="seconds") for f in fields(limits)
    }


def _file_bytes(db: sqlite_utils.Database) -> int:
    page_size = db.execute("pragma page_size").fetchone()[0]
    return db.execute("pragma page_count").fetchone()[0] * page_size


def _free_bytes(db: sqlite_utils.Database) -> int:
    page_size = db.execute("pragma page_size").fetchone()[0]
    return db.execute("pragma freelist_count").fetchone()[0] * page_size


def prune(db: sqlite_utils.Database, limits: Limits, dry_run: bool = False, vacuum: bool = False) -> Pruned:
    """Delete what is older than ``limits`` and not kept (see :data:`RULES`), in one write
    transaction; with ``dry_run`` the same deletions are made and rolled back, so the counts and
    bytes are those a real prune gives. With ``vacuum``, the file is then rewritten without its
    free pages (``VACUUM``: it needs as much free disk as the database, and writers wait)."""
    when = cutoffs(limits)
    size_before = _file_bytes(db)
    db.execute("BEGIN IMMEDIATE")
    try:
        free_before = _free_bytes(db)
        db.execute(
            "create temp table retention_read as select site, max(run_id) as run_id from fetches"
            " where role = 'listing' and outcome = 'listed' group by site"
        )
        db.execute(
            "create temp table retention_listed as select site, run_id from (select site, run_id, row_number()"
            " over (partition by site order by run_id desc) as n from (select distinct site, run_id from listings))"
            f" where n <= {LISTING_RUNS_KEPT}"
        )
        deleted = {table: db.execute(sql, {limit: when[limit]}).rowcount for table, limit, sql in RULES}
        db.execute("drop table temp.retention_read")
        db.execute("drop table temp.retention_listed")
        freed = _free_bytes(db) - free_before
        db.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    vacuumed = vacuum and not dry_run
    if vacuumed:
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Pruned(deleted, freed, (size_before, _file_bytes(db)), dry_run, vacuumed)
