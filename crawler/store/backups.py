"""Backups of notices.db: a consistent copy taken while a crawl writes, checked against the source at
the copy's own snapshot, with the attachment files it refers to; and the restore of such a copy."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

# Pages copied per step of the online backup. The copy runs inside one read transaction of the
# source, which in WAL mode never blocks a writer; steps only keep each call short.
STEP_PAGES = 1024


class BackupError(Exception):
    """A backup or a restore that could not be made; the message is one line saying why."""


@dataclass(frozen=True)
class BackupCopy:
    """A verified copy: its path and size, each table's row count (the same in the source at the
    copy's snapshot), and the attachment files it refers to: copied now, already there, missing
    from the source's folder."""

    path: Path
    size: int
    counts: dict[str, int]
    files_copied: int
    files_present: int
    files_missing: int

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def partial_path(dest: Path) -> Path:
    """Where a copy is written before it is renamed to ``dest``."""
    return dest.with_name(dest.name + ".partial")


def backup_database(source: Path, dest: Path, force: bool = False) -> BackupCopy:
    """Copy the database at ``source`` to ``dest`` (a file path) with SQLite's online backup API,
    while other processes read and write it, then check the copy and bring the attachment files
    it refers to into ``dest``'s folder (``attachments/…`` beside it, as beside notices.db).

    The source is read in one read transaction: the row counts, the attachment paths and every
    page copied come from the same snapshot, so the copy's counts must equal them exactly. The
    copy is written to ``DEST.partial`` and renamed only once checked: ``dest`` is either absent
    or whole. An existing ``dest`` is refused unless ``force``."""
    if not source.is_file():
        raise BackupError(f"no database at {source}; run `crawler crawl` (or `crawler demo`) first")
    if dest.exists() and not force:
        raise BackupError(f"{dest} exists; give --force to replace it, or a folder for a dated file")
    if not dest.parent.is_dir():
        raise BackupError(f"no folder {dest.parent} for the backup; create it first")
    if not os.access(dest.parent, os.W_OK | os.X_OK):
        raise BackupError(f"cannot write in {dest.parent}: permission denied")
    partial = partial_path(dest)
    _remove_database_files(partial)  # what a killed backup left
    try:
        with closing(_read_only(source)) as src:
            src.execute("BEGIN")
            counts = table_counts(src)  # the first read fixes the snapshot the backup copies
            referenced = attachment_paths(src)
            with closing(sqlite3.connect(partial, isolation_level=None)) as copy:
                src.backup(copy, pages=STEP_PAGES)
                src.execute("ROLLBACK")
                _check_copy(copy, counts)
        _fsync(partial)
        files = copy_attachment_files(source.parent, dest.parent, referenced)
        os.replace(partial, dest)
        _fsync(dest.parent)
    except (sqlite3.Error, OSError) as exc:
        _remove_database_files(partial)
        raise BackupError(f"backup to {dest} failed: {_reason(exc)}") from None
    except BaseException:
        _remove_database_files(partial)
        raise
    return BackupCopy(dest, dest.stat().st_size, counts, *files)


def restore_database(source: Path, target: Path) -> BackupCopy:
    """Load the backup at ``source`` into the database at ``target`` (created when absent) with
    the online backup API, in one write transaction: a process that has ``target`` open (``crawler
    serve``) reads the restored data at its next query, and no ``-wal``/``-shm`` file is left over
    from the replaced database. The backup is checked first (``integrity_check``); the attachment
    files it refers to are copied from its folder into ``target``'s when missing there."""
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(_read_only(source)) as src:
            src.execute("BEGIN")
            counts = table_counts(src)
            _check_integrity(src, source)
            referenced = attachment_paths(src)
            with closing(sqlite3.connect(target, isolation_level=None)) as live:
                live.execute("PRAGMA busy_timeout = 30000")
                src.backup(live, pages=-1)  # one step: readers see the old data or the restored, never a mix
            src.execute("ROLLBACK")
        files = copy_attachment_files(source.parent, target.parent, referenced)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"cannot restore {source}: {_reason(exc)}") from None
    except OSError as exc:
        raise BackupError(f"cannot restore into {target}: {_reason(exc)}") from None
    return BackupCopy(target, target.stat().st_size, counts, *files)


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """The row count of every table (virtual tables such as the full-text index too, not their
    shadow tables or SQLite's own), by name."""
    names = [
        name
        for (name,) in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'"
            " order by name"
        )
    ]
    return {name: conn.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def attachment_paths(conn: sqlite3.Connection) -> list[str]:
    """The attachment files the database refers to, relative to its folder (``attachments/…``)."""
    if not conn.execute("select 1 from sqlite_master where name = 'attachments'").fetchone():
        return []
    return [path for (path,) in conn.execute("select distinct path from attachments where path is not null")]


def copy_attachment_files(source_dir: Path, dest_dir: Path, paths: list[str]) -> tuple[int, int, int]:
    """Copy each file of ``paths`` (relative, content-addressed, so one present is the same bytes)
    from ``source_dir`` to ``dest_dir`` unless it is there already, each through a ``.part`` file:
    (copied, already there, missing from the source)."""
    copied = present = missing = 0
    for relative in paths:
        target = dest_dir / relative
        if target.exists():
            present += 1
            continue
        origin = source_dir / relative
        if not origin.is_file():
            missing += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        shutil.copyfile(origin, part)
        os.replace(part, target)
        copied += 1
    return copied, present, missing


def _read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError(f"{path} fails its integrity check: {result[0]}")


def _check_copy(copy: sqlite3.Connection, counts: dict[str, int]) -> None:
    """The copy passes ``integrity_check`` and holds, table by table, the rows counted in the source."""
    _check_integrity(copy, Path("the copy"))
    found = table_counts(copy)
    if found != counts:
        differ = sorted(name for name in counts.keys() | found.keys() if counts.get(name) != found.get(name))
        raise BackupError(f"the copy's row counts differ from the source's in {', '.join(differ)}")


def _remove_database_files(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    if isinstance(exc, sqlite3.OperationalError) and str(exc) in ("disk I/O error", "database or disk is full"):
        return f"{exc} (is the disk full?)"
    return str(exc) or type(exc).__name__
