"""`crawler prune`: the retention policy (``[retention]`` in crawler.toml, or one age for every
table) applied to the database, under the run lock, and the lines it prints."""

from __future__ import annotations

import logging
from dataclasses import fields
from pathlib import Path

from crawler.alerts.config import AlertConfig
from crawler.app.locks import run_lock
from crawler.app.sizes import human_size
from crawler.store import Store
from crawler.store.base import storage_errors
from crawler.store.retention import TABLES, Limits, Pruned, prune

log = logging.getLogger(__name__)


def configured_limits(config: AlertConfig, older_than: int | None = None) -> Limits:
    """``older_than`` days for every table when given; else each table's ``[retention]`` days,
    the defaults of :class:`~crawler.store.retention.Limits` where the configuration says none."""
    if older_than is not None:
        return Limits.every(older_than)
    known = {f.name for f in fields(Limits)}
    return Limits(**{key: value for key, value in config.retention.items() if key in known})


def prune_store(store: Store, limits: Limits, dry_run: bool = False, vacuum: bool = False) -> Pruned:
    """Apply ``limits`` to an open store (the caller holds the run lock)."""
    store.flush()
    with storage_errors(store.path):
        return prune(store.db, limits, dry_run=dry_run, vacuum=vacuum)


def prune_database(db_path: Path, limits: Limits, dry_run: bool = False, vacuum: bool = False) -> Pruned:
    """`crawler prune`: under the run lock beside ``db_path`` (a crawl running meanwhile makes it
    raise :class:`~crawler.app.locks.LockHeld`), apply ``limits``."""

    with run_lock(db_path.parent / ".crawler.lock"), Store(db_path) as store:
        return prune_store(store, limits, dry_run, vacuum)


def prune_if_configured(store: Store, config: AlertConfig) -> Pruned | None:
    """`crawler run`'s last step when ``[retention] auto = true``: prune with the configured limits
    (no VACUUM) and log what it deleted; None when not configured."""
    if not config.retention.get("auto"):
        return None
    pruned = prune_store(store, configured_limits(config))
    log.info("retention: %s", summary(pruned))
    return pruned


def summary(pruned: Pruned) -> str:
    """One line: rows deleted per table and the bytes freed."""
    rows = ", ".join(f"{table} {pruned.deleted[table]:,}" for table in TABLES)
    return f"deleted {sum(pruned.deleted.values()):,} row(s) ({rows}); {human_size(pruned.bytes_freed)} freed"


def lines(pruned: Pruned) -> list[str]:
    """What `crawler prune` prints: a line per table, then the bytes freed and the file's size."""
    verb = "would delete" if pruned.dry_run else "deleted"
    found = [f"{table:<12} {verb} {pruned.deleted[table]:>10,} row(s)" for table in TABLES]
    before, after = pruned.file_bytes
    if pruned.dry_run:
        tail = f"{human_size(pruned.bytes_freed)} would be freed (dry run: nothing deleted)"
    elif pruned.vacuumed:
        tail = f"{human_size(pruned.bytes_freed)} freed; VACUUM: file {human_size(before)} → {human_size(after)}"
    else:
        tail = (
            f"{human_size(pruned.bytes_freed)} freed inside the file ({human_size(after)}), reused before it grows;"
            " --vacuum shrinks it"
        )
    return [*found, tail]
