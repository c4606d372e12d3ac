"""Fetches and snapshots: every request a crawl made and what came of it, and the raw answers
kept once each, content-addressed and compressed."""

from __future__ import annotations

import zlib
from dataclasses import asdict

from crawler.records import SNAPSHOT_LEVEL, DetailPage, FetchOutcome, utc_now


class Fetches:
    """The store's fetches and snapshots (a part of :class:`crawler.store.Store`)."""

    def record_fetch(self, run_id: int | None, fetch: FetchOutcome) -> None:
        """Record a request that produced no notice (a listing page, an error, a block). A 304 to
        a conditional revisit counts as ``unchanged`` only for a notice stored from an earlier
        successful fetch; anything else answering 304 is an error."""
        with self._transaction():
            if fetch.outcome == "not_modified":
                known = self.db.execute(
                    "select id from notices where url = ? and current_version is not null", [fetch.url]
                ).fetchone()
                if known:
                    fetch.outcome = "unchanged"
                    self._update("notices", known[0], {"last_seen_at": fetch.fetched_at or utc_now()})
                else:
                    fetch.outcome, fetch.error = "error", "304 Not Modified without an earlier successful fetch"
            self._insert_fetch(run_id, fetch)

    def _insert_fetch(self, run_id: int | None, fetch: FetchOutcome) -> None:
        row = asdict(fetch)
        row["fetched_at"] = row["fetched_at"] or utc_now()
        self._insert("fetches", {"run_id": run_id, **row})

    def _snapshot(self, page: DetailPage, digest: str | None, now: str) -> str | None:
        """Keep the raw response once, content-addressed by its sha256 ``digest`` and compressed."""
        if not page.raw:
            return None
        if not self.db.conn.execute("select 1 from snapshots where sha256 = ?", (digest,)).fetchone():
            compressed = page.packed[1] if page.packed else zlib.compress(page.raw, SNAPSHOT_LEVEL)
            self._insert(
                "snapshots",
                {
                    "sha256": digest,
                    "url": page.notice.url,
                    "content_type": page.content_type,
                    "size": len(page.raw),
                    "compressed": compressed,
                    "first_fetched_at": now,
                },
            )
        return digest

    def snapshot_bytes(self, sha256: str) -> bytes | None:
        """The raw response stored under ``sha256``."""
        row = next(self.db["snapshots"].rows_where("sha256 = ?", [sha256], limit=1), None)
        return zlib.decompress(row["compressed"]) if row else None
