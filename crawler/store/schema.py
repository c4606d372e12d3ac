"""The SQLite schema of notices.db: tables, indexes and the schema version, created on open."""

from __future__ import annotations

import sqlite_utils

SCHEMA_VERSION = 3


VERSION_COLUMNS = {
    "id": int, "notice_id": int, "version": int, "content_hash": str, "observed_at": str,
    "last_observed_at": str, "title": str, "published_at": str, "source": str, "issuer": str,
    "signed_at": str, "doc_number": str, "addressees": str, "body": str, "body_normalized": str,
    "attachments": str, "index_table": str, "dates": str, "encoding": str, "change_kind": str,
    "diff": str, "run_id": int, "valid_from": str, "valid_to": str, "snapshot": str,
}
NOTICE_COLUMNS = {
    "id": int, "url": str, "site": str, "province": str, "title": str, "published_at": str, "source": str,
    "doc_number": str, "issuer": str, "status": str, "first_seen_at": str, "last_seen_at": str,
    "last_changed_at": str, "current_version": int, "content_hash": str, "story_id": int,
    "body_normalized": str, "missing_runs": int, "etag": str, "last_modified": str,
}


def _add_missing_columns(db: sqlite_utils.Database, table: str, columns: dict) -> None:
    existing = db[table].columns_dict
    for name, kind in columns.items():
        if name not in existing:
            db[table].add_column(name, kind)


def create_schema(db: sqlite_utils.Database) -> None:
    """Create every table, column and index that is missing; existing rows are left alone."""
    db.execute("PRAGMA journal_mode=WAL")
    db["sites"].create(
        {"name": str, "title": str, "kind": str, "province": str, "start_urls": str, "enabled": int},
        pk="name", if_not_exists=True,
    )
    db["runs"].create(
        {"id": int, "started_at": str, "finished_at": str, "sites": str, "status": str,
         "pages_fetched": int, "new": int, "changed": int, "errors": int},
        pk="id", if_not_exists=True,
    )
    db["notices"].create(
        NOTICE_COLUMNS, pk="id", not_null={"url", "site"}, defaults={"status": "live"}, if_not_exists=True,
    )
    db["versions"].create(VERSION_COLUMNS,
        pk="id", not_null={"notice_id", "version", "content_hash"},
        foreign_keys=[("notice_id", "notices", "id"), ("run_id", "runs", "id")], if_not_exists=True,
    )
    db["listings"].create(
        {"id": int, "run_id": int, "site": str, "page_url": str, "notice_url": str, "list_date": str},
        pk="id", foreign_keys=[("run_id", "runs", "id")], if_not_exists=True,
    )
    db["snapshots"].create(
        {"sha256": str, "url": str, "content_type": str, "size": int, "compressed": bytes, "first_fetched_at": str},
        pk="sha256", if_not_exists=True,
    )
    db["fetches"].create(
        {"id": int, "run_id": int, "site": str, "url": str, "role": str, "status": int, "outcome": str,
         "error": str, "fetched_at": str, "elapsed_ms": int, "bytes": int},
        pk="id", foreign_keys=[("run_id", "runs", "id")], if_not_exists=True,
    )
    db["events"].create(
        {"id": int, "kind": str, "notice_id": int, "version": int, "created_at": str, "run_id": int,
         "site": str},
        pk="id", foreign_keys=[("notice_id", "notices", "id"), ("run_id", "runs", "id")],
        if_not_exists=True,
    )
    db["deliveries"].create(
        {"id": int, "event_id": int, "subscription": str, "channel_key": str, "channel": str, "digest": str,
         "status": str, "attempts": int, "last_error": str, "next_attempt_at": str, "created_at": str,
         "sent_at": str},
        pk="id", foreign_keys=[("event_id", "events", "id")], defaults={"status": "pending", "attempts": 0},
        if_not_exists=True,
    )
    _add_missing_columns(db, "versions", VERSION_COLUMNS)
    _add_missing_columns(db, "notices", NOTICE_COLUMNS)
    _add_missing_columns(db, "events", {"routed_at": str})
    db["notices"].create_index(["url"], unique=True, if_not_exists=True)
    db["notices"].create_index(["site"], if_not_exists=True)
    db["versions"].create_index(["notice_id", "version"], unique=True, if_not_exists=True)
    db["fetches"].create_index(["run_id"], if_not_exists=True)
    db["fetches"].create_index(["url"], if_not_exists=True)
    db["events"].create_index(["run_id"], if_not_exists=True)
    db["notices"].create_index(["story_id"], if_not_exists=True)
    db["listings"].create_index(["run_id", "site"], if_not_exists=True)
    db["deliveries"].create_index(["event_id", "subscription", "channel_key"], unique=True, if_not_exists=True)
    db["deliveries"].create_index(["status", "next_attempt_at"], if_not_exists=True)
    if not db["notices_fts"].exists():
        # Chinese has no spaces: trigram matching finds any term of three characters or more.
        db["notices"].enable_fts(["title", "body_normalized"], tokenize="trigram", create_triggers=True)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
