"""The store's connection: opening (and upgrading) the database, one transaction per item, and the
plain SQL helpers the other parts of the store write with."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from crawler.store.migrations import upgrade


class StoreBase:
    """Open (creating or upgrading) the database at ``path``. With ``batch_seconds`` > 0 the items
    written within that many seconds share one commit (a crawl's pipeline); each item is still
    atomic, in its own savepoint. Call :meth:`flush` to commit now, :meth:`close` (or leave a
    ``with`` block) to commit and close."""

    def __init__(self, path: str | Path, batch_seconds: float = 0.0):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.files_dir = self.path.parent / "attachments"
        self.db = sqlite_utils.Database(self.path)
        try:
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
        """Commit what is pending and close the connection."""
        self.flush()
        self.db.close()

    def flush(self) -> None:
        """Commit the items written so far."""
        if self.db.conn.in_transaction and not self._depth:
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
            self.db.execute("BEGIN IMMEDIATE")
            self._began = time.monotonic()
        self._depth += 1
        try:
            with self.db.atomic():
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
