"""`crawler backup` and `crawler restore`: where a backup goes, timing, and the one line each prints."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawler.app.locks import LockHeld, run_lock
from crawler.app.sizes import human_size
from crawler.store import Store
from crawler.store.backups import BackupCopy, BackupError, backup_database, restore_database
from crawler.store.base import StorageReadOnly, storage_error


@dataclass(frozen=True)
class BackupResult:
    """A backup or restore made, and how long it took."""

    copy: BackupCopy
    seconds: float

    def line(self) -> str:
        copy = self.copy
        files = f"{copy.files_copied} attachment file(s) copied, {copy.files_present} already there"
        if copy.files_missing:
            files += f", {copy.files_missing} missing from the source's attachments folder"
        return (
            f"{copy.path}  {human_size(copy.size)}  {len(copy.counts)} tables  {copy.rows:,} rows  {files}"
            f"  {self.seconds:.2f} s"
        )


def backup_path(dest: str, now: datetime | None = None) -> Path:
    """``dest`` itself, or ``dest/notices-YYYYmmddTHHMMSSZ.db`` when it is a folder (one that
    exists, or one named with a trailing slash, which must exist)."""
    path = Path(dest)
    if path.is_dir() or dest.endswith(os.sep):
        if not path.is_dir():
            raise BackupError(f"no folder {path} for the backup; create it first")
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        return path / f"notices-{stamp}.db"
    return path


@contextmanager
def _storage_failures(path: Path):
    """Raise the :class:`StorageError` that a :class:`BackupError` of the block, writing ``path``,
    stands for: the SQLite or OS error it was raised from (a full disk, a read-only file), or a
    folder it could not write in; any other failure as it is."""
    try:
        yield
    except BackupError as exc:
        typed = storage_error(exc.__context__, path) if exc.__context__ is not None else None
        if typed is None and path.parent.is_dir() and not os.access(path.parent, os.W_OK | os.X_OK):
            typed = StorageReadOnly(path, "its folder cannot be written")
        if typed is None:
            raise
        raise typed from exc


def make_backup(db_path: Path, dest: str, force: bool = False) -> BackupResult:
    """Back the database up to ``dest`` (a file, or a folder for a dated file); :class:`BackupError`
    with one line when it cannot be made, a :class:`StorageError` when ``dest``'s disk is full or
    its folder read-only."""
    began = time.monotonic()
    target = backup_path(dest)
    with _storage_failures(target):
        copy = backup_database(db_path, target, force=force)
    return BackupResult(copy, time.monotonic() - began)


def restore_backup(backup: Path, db_path: Path) -> BackupResult:
    """Restore ``backup`` into ``db_path`` under the cron run lock (a `crawler run` starting
    meanwhile exits 5), then open it as the crawl does, which upgrades an older backup's schema.
    A :class:`StorageError` when ``db_path`` cannot be written (it is left as it was)."""
    began = time.monotonic()
    try:
        with run_lock(db_path.parent / ".crawler.lock"):
            with _storage_failures(db_path):
                copy = restore_database(backup, db_path)
            Store(db_path).close()
    except LockHeld as exc:
        raise BackupError(f"{exc}; restore once it has finished (and stop cron meanwhile)") from None
    return BackupResult(copy, time.monotonic() - began)
