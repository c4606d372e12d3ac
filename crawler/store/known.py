"""What the spider knows of a site before it crawls: its stored notices (with their validators and
attachments), the listed pages that were gone, and whether its last run was cut short. Read-only,
from a connection of its own; a database that does not exist yet knows nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from crawler.records import KnownFile, KnownNotice


@contextmanager
def _read_only(db_path: str | Path | None) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to the database, or None when there is no database yet."""
    path = Path(db_path or "")
    if not path.is_file():
        yield None
        return
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        yield conn


def _known_files(conn: sqlite3.Connection, site: str) -> dict[str, tuple[KnownFile, ...]]:
    """The downloadable attachments of the current version of each list notice of ``site``, by
    notice URL (a file refused as hostile or too large is not asked for again)."""
    columns = {row[1] for row in conn.execute("pragma table_info(attachments)")}
    if not {"sha256", "etag", "last_modified"} <= columns:
        return {}
    files: dict[str, list[KnownFile]] = {}
    for url, *file in conn.execute(
        "select n.url, a.url, a.name, a.sha256, a.etag, a.last_modified from attachments a"
        " join notices n on n.id = a.notice_id and a.version = n.current_version"
        " where n.site = ? and a.status != 'refused' order by a.id",
        [site],
    ):
        files.setdefault(url, []).append(KnownFile(*file))
    return {url: tuple(found) for url, found in files.items()}


def load_known(db_path: str | Path | None, site: str) -> dict[str, KnownNotice]:
    """The site's stored notices by URL, read-only (empty when there is no database yet)."""
    with _read_only(db_path) as conn:
        columns = {row[1] for row in conn.execute("pragma table_info(notices)")} if conn else set()
        if not columns:
            return {}
        validators = "etag, last_modified" if {"etag", "last_modified"} <= columns else "null, null"
        raw = "raw_sha256" if "raw_sha256" in columns else "null"
        rows = conn.execute(
            f"select url, status, published_at, last_seen_at, {validators}, {raw} from notices n where site = ?", [site]
        )
        files = _known_files(conn, site)
        return {row[0]: KnownNotice(*row[:6], files=files.get(row[0], ()), raw_sha256=row[6]) for row in rows}


def gone_before(db_path: str | Path | None, site: str) -> set[str]:
    """URLs the site's listings showed in earlier runs that were never stored because their page
    answered 404/410: not news the next time either. (A page that failed otherwise is tried again.)"""
    with _read_only(db_path) as conn:
        if not conn or not conn.execute("select 1 from sqlite_master where name = 'listings'").fetchone():
            return set()
        rows = conn.execute(
            """select l.notice_url from listings l
               where l.site = ? and not exists (select 1 from notices n where n.url = l.notice_url)
                 and (select f.status from fetches f where f.url = l.notice_url order by f.id desc limit 1)
                     in (404, 410)""",
            [site],
        )
        return {url for (url,) in rows}


def interrupted_before(db_path: str | Path | None, site: str, run_id: int | None) -> bool:
    """True when the site's last run before ``run_id`` never finished (killed, say) or failed to
    fetch some of its pages: the listing pages it read or missed may hold notices it never stored,
    so this run reads as deep as a first one."""
    with _read_only(db_path) as conn:
        if not conn or not conn.execute("select 1 from sqlite_master where name = 'runs'").fetchone():
            return False
        row = conn.execute(
            """select id, status from runs r where (? is null or r.id < ?)
                 and exists (select 1 from json_each(r.sites) where value = ?)
               order by r.id desc limit 1""",
            [run_id, run_id, site],
        ).fetchone()
        if not row:
            return False
        failed = conn.execute(
            "select 1 from fetches where run_id = ? and site = ? and outcome in ('error', 'blocked') limit 1",
            [row[0], site],
        ).fetchone()
        return row[1] != "finished" or bool(failed)
