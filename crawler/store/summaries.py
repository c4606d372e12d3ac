"""Read-only summaries of a database for the commands that show what a crawl stored: the site
check (`crawler sites --check`) and the demo."""

from __future__ import annotations

import sqlite_utils


def listing_fetches(db: sqlite_utils.Database) -> list[dict]:
    """Every listing page fetched, in fetch order: its status, outcome, how it was read (``via``),
    drift or error, and how many distinct notices it listed in its run (``entries``)."""
    return list(
        db.query(
            "select f.url, f.status, f.outcome, f.via, f.drift, f.error, count(distinct l.notice_url) as entries"
            " from fetches f left join listings l on l.page_url = f.url and l.run_id = f.run_id"
            " where f.role = 'listing' group by f.id order by f.id"
        )
    )


def current_notices(db: sqlite_utils.Database) -> list[dict]:
    """Every notice with the fields of its current version that a check shows, newest first:
    ``chars`` is the length of its normalised body, ``attachments`` its version's JSON list."""
    return list(
        db.query(
            "select n.url, n.title, n.published_at, n.source, n.doc_number, n.issuer, n.kind, n.raw_sha256,"
            " length(n.body_normalized) as chars, v.attachments from notices n"
            " join versions v on v.notice_id = n.id and v.version = n.current_version order by n.published_at desc"
        )
    )


def attachment_files(db: sqlite_utils.Database) -> list[dict]:
    """Every attachment file row, in the order it was stored."""
    return list(db.query("select name, type, status, entries, reason, url from attachments order by id"))


def page_problems(db: sqlite_utils.Database) -> list[dict]:
    """Detail and file fetches that were not stored as expected (or were read through a fallback),
    one row per kind of problem: its first URL and how many pages (``pages``) it hit."""
    return list(
        db.query(
            "select status, outcome, coalesce(drift, error) as why, min(url) as url, count(*) as pages from fetches"
            " where role != 'listing' and (outcome not in ('stored', 'unchanged', 'downloaded') or drift is not null)"
            " group by status, outcome, why order by min(id)"
        )
    )


def stored_notices(db: sqlite_utils.Database) -> list[dict]:
    """Every notice's site, publish time, title and story, by site, newest first."""
    return list(db.query("select site, published_at, title, story_id from notices order by site, published_at desc"))
