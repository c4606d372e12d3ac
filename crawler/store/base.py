"""The store's connection: opening (and upgrading) the database, one transaction per item, and the
plain SQL helpers the other parts of the store write with."""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from crawler.store.migrations import upgrade


class StorageError(RuntimeError):
    """The database (or a file beside it: attachments, the log) cannot be written; the run stops.
    Every transaction committed before stays; the one that failed is undone."""

    advice = ""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {self.what} ({reason}); what was stored before is kept: {self.advice}")


class StorageFull(StorageError):
    """No space left (or a file-size or quota limit) where the store writes."""

    what, advice = "disk full", "free space and run again"


class StorageReadOnly(StorageError):
    """The database, its folder or its file system is read-only."""

    what, advice = "read-only", "make it writable and run again"


_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


def storage_error(exc: BaseException, path: Path) -> StorageError | None:
    """The :class:`StorageError` that ``exc``, raised while writing ``path``, stands for: SQLite's
    "database or disk is full" (or no room to make its -shm file) and "attempt to write a readonly
    database" (or "unable to open" in a folder that cannot be written), or an OS error
    ENOSPC/EDQUOT/EFBIG or EROFS/EACCES/EPERM; None for any other error."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, sqlite3.Error):
        extended = getattr(exc, "sqlite_errorcode", None) or 0
        code = extended & 0xFF
        if code == sqlite3.SQLITE_FULL:
            return StorageFull(path, str(exc))
        if extended == sqlite3.SQLITE_IOERR_SHMSIZE:  # "disk I/O error": no room for the -shm file
            return StorageFull(path, f"{exc}: no room for its -shm file")
        if code == sqlite3.SQLITE_READONLY:
            return StorageReadOnly(path, str(exc))
        if code == sqlite3.SQLITE_CANTOPEN and not os.access(path.parent, os.W_OK):  # no -wal/-shm beside it
            return StorageReadOnly(path, f"{exc}: its folder cannot be written")
        return None
    if isinstance(exc, OSError):
        reason, where = exc.strerror or str(exc), Path(exc.filename) if exc.filename else path
        if exc.errno in _FULL_ERRNOS:
            return StorageFull(where, reason)
        if exc.errno in _READ_ONLY_ERRNOS:
            return StorageReadOnly(where, reason)
    return None


@contextmanager
def storage_errors(path: Path):
    """Raise the :class:`StorageError` that an error of the block stands for (see :func:`storage_error`)."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        typed = storage_error(exc, path)
        if typed is None:
            raise
        raise typed from exc


class StoreBase:
    """Open (creating or upgrading) the database at ``path``. With ``batch_seconds`` > 0 the items
    written within that many seconds share one commit (a crawl's pipeline); each item is still
    atomic, in its own savepoint. Call :meth:`flush` to commit now, :meth:`close` (or leave a
    ``with`` block) to commit and close. A write that fails for want of space or of write
    permission raises :class:`StorageFull` or :class:`StorageReadOnly` (the item is undone)."""

    def __init__(self, path: str | Path, batch_seconds: float = 0.0):
        self.path = Path(path)
        with storage_errors(self.path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(self.path)
        self.files_dir = self.path.parent / "attachments"
        try:
            with storage_errors(self.path):
                self.db.execute("PRAGMA busy_timeout = 30000")
                # WAL with synchronous=NORMAL: a commit is durable once the OS has it (a killed crawl loses
                # nothing committed); only a power cut can lose the last commits, never consistency.
                self.db.execute("PRAGMA synchronous = NORMAL")
                upgrade(self.db)
        except BaseException:
            self.db.close()
            raise
        self.batch_seconds = batch_seconds
        self._began = 0.0  # when the open write transaction began
        self._depth = 0  # items being written

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Commit what is pending and close the connection (closed also when the commit fails)."""
        try:
            self.flush()
        finally:
            self.db.close()

    def flush(self) -> None:
        """Commit the items written so far."""
        if self.db.conn.in_transaction and not self._depth:
            with storage_errors(self.path):
                self.db.execute("COMMIT")

    @contextmanager
    def _transaction(self):
        """One item's writes: a savepoint inside a write transaction that took the write lock as it
        began (``BEGIN IMMEDIATE``), waiting up to the busy timeout for another writer. A deferred
        one that reads before it writes (``save_page``) would fail at once with "database is
        locked" when another process (``crawler alert``, a second crawl) wrote in between. The
        transaction commits after the item, or once ``batch_seconds`` have passed since it began;
        a failed item is undone alone. Nested, it is a savepoint of the item."""
        if self._depth:
            with self.db.atomic():
                yield
            return
        if not self.db.conn.in_transaction:
            with storage_errors(self.path):
                self.db.execute("BEGIN IMMEDIATE")
            self._began = time.monotonic()
        self._depth += 1
        try:
            with storage_errors(self.path), self.db.atomic():
                yield
        finally:
            self._depth -= 1
            if self.batch_seconds <= 0 or time.monotonic() - self._began >= self.batch_seconds:
                self.flush()

    # --- plain SQL for the writes of every page (sqlite-utils looks the table up on each call) ---

    def _insert(self, table: str, row: dict) -> int:
        """Insert ``row`` into ``table``; its rowid."""
        columns = ", ".join(f'"{name}"' for name in row)
        sql = f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(row))})'
        return self.db.conn.execute(sql, tuple(row.values())).lastrowid

    def _update(self, table: str, row_id: int, values: dict) -> None:
        """Set ``values`` on the row of ``table`` whose id is ``row_id``."""
        assignments = ", ".join(f'"{name}" = ?' for name in values)
        self.db.conn.execute(f'UPDATE "{table}" SET {assignments} WHERE id = ?', (*values.values(), row_id))

    def _rows(self, sql: str, params) -> list[dict]:
        """The rows of a query, as dicts."""
        cursor = self.db.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def _first(self, sql: str, params) -> dict | None:
        """The first row of a query (``sql`` without a limit), as a dict, or None."""
        rows = self._rows(f"{sql} limit 1", params)
        return rows[0] if rows else None
