"""Merging shard databases into the central one (``crawler merge``): each database's identity, the
central database's cursor per shard, a shard read as the merge replays it (its versions with their
raw pages and attachment bytes), the site-local rows copied as they are (runs, fetches, listings,
site health, removals, sightings), and a shard's self-contained export.

What has cross-site logic (stories, ``new``/``changed`` events, lists) is not copied but replayed:
the merge hands each shard version, rebuilt from its raw page, to the central ``save_page``, the
code one machine runs; see :mod:`crawler.app.merging`."""

from __future__ import annotations

import sqlite3
import uuid
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from crawler.records import DetailPage, utc_now

CURSOR_COLUMNS = ("version_id", "fetch_id", "listing_id", "site_health_id", "event_id")
# Events a shard makes without looking at other sites: copied. ``new`` and ``changed`` are the
# central database's to decide (stories span shards): the replay makes them.
SITE_LOCAL_EVENTS = ("removed", "source_broken")
# What a later fetch of a notice changes without a version: copied from the shard's notice row.
SIGHTING_COLUMNS = ("status", "missing_runs", "last_seen_at", "etag", "last_modified", "raw_sha256")
LISTING_RUNS_KEPT = 10  # as the crawl keeps them (crawler.store.runs)


def create_merge_tables(db: sqlite_utils.Database) -> None:
    """``store_identity`` (with this database's random id), ``merge_cursors`` and ``merged_runs``."""
    db["store_identity"].create({"id": int, "store_id": str, "created_at": str}, pk="id", if_not_exists=True)
    if not db.execute("select 1 from store_identity").fetchone():
        db["store_identity"].insert({"id": 1, "store_id": uuid.uuid4().hex, "created_at": utc_now()})
    db["merge_cursors"].create(
        {"store_id": str, "source": str, "sites": str, **dict.fromkeys(CURSOR_COLUMNS, int), "merged_at": str},
        pk="store_id",
        if_not_exists=True,
    )
    db["merged_runs"].create(
        {"store_id": str, "shard_run": int, "run_id": int}, pk=("store_id", "shard_run"), if_not_exists=True
    )


def store_identity(db: sqlite3.Connection) -> str:
    """The random id written once into a database (it travels with every copy of the file)."""
    return db.execute("select store_id from store_identity").fetchone()[0]


def export_copy(source: Path, dest: Path) -> None:
    """A consistent copy of the database ``source`` at ``dest`` (``VACUUM INTO``: one read
    transaction, so a crawl may go on writing), with the bytes of every attachment file the source
    keeps beside it (``<dir>/attachments/…``) in a table ``attachment_files(sha256, bytes)``: a
    file that can travel alone. ``dest`` appears only once complete."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".part")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as conn:
        conn.execute("VACUUM INTO ?", [str(partial)])
    with closing(sqlite3.connect(partial)) as conn:
        conn.execute("create table if not exists attachment_files (sha256 text primary key, bytes blob)")
        for sha256, path in conn.execute(
            "select distinct sha256, path from attachments where sha256 is not null and path is not null"
        ).fetchall():
            file = source.parent / path
            if file.is_file():
                conn.execute("insert or ignore into attachment_files values (?, ?)", [sha256, file.read_bytes()])
        conn.commit()
    partial.replace(dest)


@dataclass
class PendingVersion:
    """A shard version the central database has not taken yet: what orders the replay."""

    observed_at: str
    version_id: int
    shard: ShardFile


class ShardFile:
    """A shard database, read-only: its identity, sites, runs, the versions after a cursor and what
    rebuilding each of them needs. Attachment bytes come from its ``attachment_files`` table (an
    export) or else from the files beside it."""

    def __init__(self, path: Path, source: str):
        self.path, self.source = path, source
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.conn.row_factory = sqlite3.Row
        self.identity = store_identity(self.conn)
        self.has_files = bool(
            self.conn.execute("select 1 from sqlite_master where name = 'attachment_files'").fetchone()
        )

    def close(self) -> None:
        self.conn.close()

    def site_names(self) -> list[str]:
        """The sites this shard crawled."""
        return [row[0] for row in self.conn.execute("select distinct site from notices union select site from fetches")]

    def pending(self, after_version: int) -> Iterator[PendingVersion]:
        """The shard's versions after ``after_version``, in the order the shard stored them."""
        for observed_at, version_id in self.conn.execute(
            "select observed_at, id from versions where id > ? order by id", [after_version]
        ).fetchall():
            yield PendingVersion(observed_at or "", version_id, self)

    def version_run(self, version_id: int) -> int | None:
        """The shard run that stored the version."""
        return self.conn.execute("select run_id from versions where id = ?", [version_id]).fetchone()[0]

    def version_page(self, version_id: int) -> dict | None:
        """What a version is rebuilt from: ``version`` (its row), ``notice`` (its notice's row),
        ``raw`` and ``content_type`` (its snapshot's), and ``files`` (its attachment rows with their
        bytes, None when not kept). None when the version has no snapshot."""
        version = self.conn.execute("select * from versions where id = ?", [version_id]).fetchone()
        snapshot = (
            version
            and version["snapshot"]
            and self.conn.execute(
                "select content_type, compressed from snapshots where sha256 = ?", [version["snapshot"]]
            ).fetchone()
        )
        if not snapshot:
            return None
        notice = self.conn.execute("select * from notices where id = ?", [version["notice_id"]]).fetchone()
        files = [
            (dict(row), self._file_bytes(row))
            for row in self.conn.execute(
                "select * from attachments where notice_id = ? and version = ? order by id",
                [version["notice_id"], version["version"]],
            )
        ]
        return {
            "version": dict(version),
            "notice": dict(notice),
            "raw": zlib.decompress(snapshot["compressed"]),
            "content_type": snapshot["content_type"],
            "files": files,
        }

    def _file_bytes(self, row: sqlite3.Row) -> bytes | None:
        if not row["sha256"]:
            return None
        if self.has_files:
            found = self.conn.execute("select bytes from attachment_files where sha256 = ?", [row["sha256"]]).fetchone()
            if found:
                return found[0]
        path = self.path.parent / row["path"] if row["path"] else None
        return path.read_bytes() if path and path.is_file() else None

    def completed_lists(self) -> list[tuple[str, int, str, int, int | None]]:
        """Each notice whose current version's list is whole (``list_hash`` set): its URL, the
        version, the list hash, the version's row id and the run that last fetched the notice."""
        return self.conn.execute(
            "select n.url, v.version, v.list_hash, v.id,"
            " (select f.run_id from fetches f where f.url = n.url order by f.id desc limit 1)"
            " from notices n join versions v on v.notice_id = n.id and v.version = n.current_version"
            " where v.list_hash is not null"
        ).fetchall()


def _columns(db: sqlite_utils.Database, table: str, schema: str = "main") -> list[str]:
    return [row[1] for row in db.execute(f"pragma {schema}.table_info({table})")]


class Merges:
    """The central database's side of a merge (a part of :class:`crawler.store.Store`)."""

    def identity(self) -> str:
        """This database's random id."""
        return store_identity(self.db.conn)

    def merge_cursor(self, store_id: str) -> dict:
        """How far the shard ``store_id`` was merged: the last row id taken of each of its tables
        (0 for a shard never merged)."""
        row = self._first("select * from merge_cursors where store_id = ?", [store_id])
        return {column: (row or {}).get(column) or 0 for column in CURSOR_COLUMNS}

    def _advance(self, store_id: str, source: str, **cursor: int) -> None:
        """Move the shard's cursor forward (within the caller's transaction); writes nothing when it
        is already there."""
        held = self.merge_cursor(store_id)
        if all(held[k] >= v for k, v in cursor.items()):
            return
        self.db.conn.execute(
            "insert into merge_cursors (store_id, source) values (?, ?) on conflict(store_id) do nothing",
            [store_id, source],
        )
        values = {k: max(held[k], v) for k, v in cursor.items()}
        assignments = ", ".join(f"{k} = ?" for k in values)
        self.db.conn.execute(
            f"update merge_cursors set {assignments}, source = ?, merged_at = ? where store_id = ?",
            [*values.values(), source, utc_now(), store_id],
        )

    def merged_run(self, store_id: str, shard_run: int | None) -> int | None:
        """The central run a shard's run became."""
        if shard_run is None:
            return None
        row = self.db.conn.execute(
            "select run_id from merged_runs where store_id = ? and shard_run = ?", [store_id, shard_run]
        ).fetchone()
        return row[0] if row else None

    def take_shard_runs(self, shard: ShardFile) -> int:
        """Copy the shard's site definitions, and each of its runs as a central run (a new one
        mapped in ``merged_runs``, a known one brought up to date: a run still going at the last
        merge has finished since). One transaction; returns the runs inserted or updated."""
        written = 0
        with self._attached(shard.path), self._transaction():
            columns = [c for c in _columns(self.db, "sites") if c in _columns(self.db, "sites", "shard")]
            names = ", ".join(columns)
            self.db.execute(
                f"insert into main.sites ({names}) select {names} from shard.sites where true on conflict(name)"
                f" do update set ({names}) = ({', '.join(f'excluded.{c}' for c in columns)})"
                f" where ({', '.join(f'sites.{c}' for c in columns)}) is not"
                f" ({', '.join(f'excluded.{c}' for c in columns)})"
            )
            kept = ("started_at", "finished_at", "sites", "status", "pages_fetched", "errors")
            for run in self._rows(f"select id, {', '.join(kept)} from shard.runs order by id", []):
                values = {k: run[k] for k in kept}
                central = self.merged_run(shard.identity, run["id"])
                if central is None:
                    central = self._insert("runs", values)
                    self._insert("merged_runs", {"store_id": shard.identity, "shard_run": run["id"], "run_id": central})
                    written += 1
                elif self._first(
                    f"select 1 from runs where id = ? and ({', '.join(kept)}) is not ({', '.join('?' * len(kept))})",
                    [central, *values.values()],
                ):
                    self._update("runs", central, values)
                    written += 1
        return written

    def replay_version(self, shard: ShardFile, version_id: int, page: DetailPage | None, run_id: int | None) -> str:
        """Store a shard version rebuilt as ``page`` like a crawled page (:meth:`save_page`: stories,
        events and lists decided here), and advance the shard's version cursor past it, in one
        transaction. The fetch row ``save_page`` writes is dropped: the shard's own fetch rows are
        copied as they are (:meth:`take_shard_rows`). ``page`` None (no snapshot, or no notice by
        today's extractor) only advances the cursor. Returns ``stored``, ``unchanged`` or ``skipped``."""
        with self._transaction():
            outcome = "skipped"
            if page is not None:
                mark = self.db.conn.execute("select coalesce(max(id), 0) from fetches").fetchone()[0]
                outcome = self.save_page(run_id, page)
                self.db.conn.execute("delete from fetches where id > ?", [mark])
            self._advance(shard.identity, shard.source, version_id=version_id)
        return outcome

    def lists_to_complete(self, shard: ShardFile) -> list[tuple[int, int | None]]:
        """Versions whose list the shard read whole after the central database took them (an
        attachment that failed, then downloaded on a revisit): (shard version id, shard run)."""
        incomplete = {
            (url, version)
            for url, version in self.db.execute(
                "select n.url, v.version from notices n join versions v on v.notice_id = n.id"
                " and v.version = n.current_version where v.list_hash is null and n.kind in ('cluster_list', 'list')"
            )
        }
        return [
            (version_id, run)
            for url, version, _, version_id, run in shard.completed_lists()
            if (url, version) in incomplete
        ]

    def take_shard_rows(self, shard: ShardFile) -> dict[str, int]:
        """Copy what the shard wrote without looking at other sites since its cursor, with its run
        ids mapped: fetches, listings (the last ten runs of each site kept, as a crawl keeps them),
        site health, ``removed`` and ``source_broken`` events (not yet routed: the central database
        routes them); then bring each notice's sighting (status, last seen, validators) and each
        version's last observation to the shard's, and the merged runs' counts of events to the
        central ones. One transaction; returns the rows written per table."""
        counts: dict[str, int] = {}
        with self._attached(shard.path), self._transaction():
            cursor = self.merge_cursor(shard.identity)
            run = "(select m.run_id from merged_runs m where m.store_id = :store and m.shard_run = t.run_id)"
            highest = {}
            for table, key in (("fetches", "fetch_id"), ("listings", "listing_id"), ("site_health", "site_health_id")):
                names = [c for c in _columns(self.db, table) if c not in ("id", "run_id")]
                names = [c for c in names if c in _columns(self.db, table, "shard")]
                listed = ", ".join(f'"{c}"' for c in names)
                copied = self.db.conn.execute(
                    f"insert into main.{table} (run_id, {listed}) select {run}, {', '.join(f't.{c}' for c in names)}"
                    f" from shard.{table} t where t.id > :after order by t.id",
                    {"store": shard.identity, "after": cursor[key]},
                ).rowcount
                counts[table] = copied
                highest[key] = self.db.execute(f"select coalesce(max(id), 0) from shard.{table}").fetchone()[0]
            counts["events"] = self.db.conn.execute(
                f"insert into main.events (kind, notice_id, version, created_at, run_id, site, reason)"
                f" select t.kind, (select n.id from main.notices n join shard.notices s on s.url = n.url"
                f" where s.id = t.notice_id), t.version, t.created_at, {run}, t.site, t.reason"
                f" from shard.events t where t.id > :after and t.kind in {SITE_LOCAL_EVENTS}"
                f" order by t.id",
                {"store": shard.identity, "after": cursor["event_id"]},
            ).rowcount
            highest["event_id"] = self.db.execute("select coalesce(max(id), 0) from shard.events").fetchone()[0]
            if counts["listings"]:
                for (site,) in self.db.execute("select distinct site from shard.listings").fetchall():
                    self.db.execute(
                        "delete from main.listings where site = ? and run_id not in (select distinct run_id"
                        " from main.listings where site = ? order by run_id desc limit ?)",
                        [site, site, LISTING_RUNS_KEPT],
                    )
            sighting = ", ".join(SIGHTING_COLUMNS)
            counts["notices"] = self.db.conn.execute(
                f"update main.notices set ({sighting}) = ({', '.join(f's.{c}' for c in SIGHTING_COLUMNS)})"
                f" from shard.notices s where s.url = notices.url"
                f" and ({', '.join(f'notices.{c}' for c in SIGHTING_COLUMNS)}) is not"
                f" ({', '.join(f's.{c}' for c in SIGHTING_COLUMNS)})"
            ).rowcount
            counts["versions"] = self.db.conn.execute(
                "update main.versions set last_observed_at = x.last_observed_at from"
                " (select n.url, v.version, v.last_observed_at from shard.versions v"
                " join shard.notices n on n.id = v.notice_id) x join main.notices c on c.url = x.url"
                " where versions.notice_id = c.id and versions.version = x.version"
                " and versions.last_observed_at is not x.last_observed_at"
            ).rowcount
            counts["runs"] = self.db.conn.execute(
                "update main.runs set (new, changed) = (select count(e.kind = 'new' or null),"
                " count(e.kind = 'changed' or null) from main.events e where e.run_id = runs.id)"
                " where id in (select run_id from merged_runs where store_id = ?) and (new, changed) is not"
                " (select count(e.kind = 'new' or null), count(e.kind = 'changed' or null)"
                " from main.events e where e.run_id = runs.id)",
                [shard.identity],
            ).rowcount
            self._advance(shard.identity, shard.source, **highest)
        return counts

    @contextmanager
    def _attached(self, path: Path):
        """The shard at ``path`` attached as ``shard`` for the block (only read)."""
        self.flush()
        self.db.execute("attach database ? as shard", [str(path)])
        try:
            yield
        finally:
            self.flush()
            self.db.execute("detach database shard")
