"""The baseline schema of notices.db: the tables, columns and indexes every database had when
schema changes began to be recorded as migrations. Frozen: a later change is a named step in
:mod:`crawler.store.migrations`, never an edit here."""

from __future__ import annotations

import sqlite_utils

VERSION_COLUMNS = {
    "id": int,
    "notice_id": int,
    "version": int,
    "content_hash": str,
    "observed_at": str,
    "last_observed_at": str,
    "title": str,
    "published_at": str,
    "source": str,
    "issuer": str,
    "signed_at": str,
    "doc_number": str,
    "addressees": str,
    "body": str,
    "body_normalized": str,
    "attachments": str,
    "index_table": str,
    "dates": str,
    "encoding": str,
    "change_kind": str,
    "diff": str,
    "run_id": int,
    "valid_from": str,
    "valid_to": str,
    "snapshot": str,
    "list_hash": str,
}
NOTICE_COLUMNS = {
    "id": int,
    "url": str,
    "site": str,
    "province": str,
    "title": str,
    "published_at": str,
    "source": str,
    "doc_number": str,
    "issuer": str,
    "status": str,
    "first_seen_at": str,
    "last_seen_at": str,
    "last_changed_at": str,
    "current_version": int,
    "content_hash": str,
    "story_id": int,
    "body_normalized": str,
    "missing_runs": int,
    "etag": str,
    "last_modified": str,
    "kind": str,
    "list_stage": str,
    "list_subject": str,
    "list_level": str,
    "list_year": int,
    "raw_sha256": str,  # sha256 of the bytes of the last answer read: the same bytes are not read again
}
ATTACHMENT_COLUMNS = {
    "id": int,
    "notice_id": int,
    "version": int,
    "name": str,
    "url": str,
    "sha256": str,
    "size": int,
    "type": str,
    "status": str,
    "reason": str,
    "entries": int,
    "path": str,
    "fetched_at": str,
    "etag": str,
    "last_modified": str,  # validators of the download: a revisit asks for the file conditionally
}
CLUSTER_COLUMNS = {
    "id": int,
    "notice_id": int,
    "version": int,
    "seq": int,
    "name": str,
    "name_normalized": str,
    "province": str,
    "city": str,
    "county": str,
    "industry": str,
    "level": str,
    "year": int,
    "stage": str,
    "subject": str,
    "source": str,
    "url": str,
}
# Entries of the other rosters (专精特新 firms, 单项冠军 …): the same, without an industry.
LIST_ENTRY_COLUMNS = {k: v for k, v in CLUSTER_COLUMNS.items() if k != "industry"}

_FTS_UPDATE_TRIGGER = """CREATE TRIGGER "notices_au" AFTER UPDATE OF "title", "body_normalized" ON "notices" BEGIN
  INSERT INTO "notices_fts" ("notices_fts", rowid, "title", "body_normalized") VALUES('delete', old.rowid, old."title", old."body_normalized");
  INSERT INTO "notices_fts" (rowid, "title", "body_normalized") VALUES (new.rowid, new."title", new."body_normalized");
END"""


def _add_missing_columns(db: sqlite_utils.Database, table: str, columns: dict) -> None:
    existing = db[table].columns_dict
    for name, kind in columns.items():
        if name not in existing:
            db[table].add_column(name, kind)


def _index_text_updates_only(db: sqlite_utils.Database) -> None:
    """The full-text index follows a notice's title and text only: sqlite-utils' update trigger
    re-indexes the whole text on any update (``last_seen_at`` on every revisit)."""
    row = db.execute("select sql from sqlite_master where type = 'trigger' and name = 'notices_au'").fetchone()
    if row and row[0] != _FTS_UPDATE_TRIGGER:
        db.execute('DROP TRIGGER "notices_au"')
        db.execute(_FTS_UPDATE_TRIGGER)


def _create_tables(db: sqlite_utils.Database) -> None:
    db["sites"].create(
        {"name": str, "title": str, "kind": str, "province": str, "start_urls": str, "enabled": int},
        pk="name",
        if_not_exists=True,
    )
    db["runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "sites": str,
            "status": str,
            "pages_fetched": int,
            "new": int,
            "changed": int,
            "errors": int,
        },
        pk="id",
        if_not_exists=True,
    )
    db["notices"].create(
        NOTICE_COLUMNS,
        pk="id",
        not_null={"url", "site"},
        defaults={"status": "live"},
        if_not_exists=True,
    )
    db["versions"].create(
        VERSION_COLUMNS,
        pk="id",
        not_null={"notice_id", "version", "content_hash"},
        foreign_keys=[("notice_id", "notices", "id"), ("run_id", "runs", "id")],
        if_not_exists=True,
    )
    db["listings"].create(
        {"id": int, "run_id": int, "site": str, "page_url": str, "notice_url": str, "listing_date": str},
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
        if_not_exists=True,
    )
    db["snapshots"].create(
        {"sha256": str, "url": str, "content_type": str, "size": int, "compressed": bytes, "first_fetched_at": str},
        pk="sha256",
        if_not_exists=True,
    )
    db["fetches"].create(
        {
            "id": int,
            "run_id": int,
            "site": str,
            "url": str,
            "role": str,
            "status": int,
            "outcome": str,
            "error": str,
            "fetched_at": str,
            "elapsed_ms": int,
            "bytes": int,
            "via": str,
            "drift": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
        if_not_exists=True,
    )
    # One row per site and run: how the run read the site (crawler sites --health reads the last).
    db["site_health"].create(
        {"id": int, "run_id": int, "site": str, "state": str, "reason": str, "checked_at": str},
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
        if_not_exists=True,
    )
    db["events"].create(
        {
            "id": int,
            "kind": str,
            "notice_id": int,
            "version": int,
            "created_at": str,
            "run_id": int,
            "site": str,
            "reason": str,
        },
        pk="id",
        foreign_keys=[("notice_id", "notices", "id"), ("run_id", "runs", "id")],
        if_not_exists=True,
    )
    db["deliveries"].create(
        {
            "id": int,
            "event_id": int,
            "subscription": str,
            "channel_key": str,
            "channel": str,
            "digest": str,
            "status": str,
            "attempts": int,
            "last_error": str,
            "next_attempt_at": str,
            "created_at": str,
            "sent_at": str,
            "claimed_at": str,
        },
        pk="id",
        foreign_keys=[("event_id", "events", "id")],
        defaults={"status": "pending", "attempts": 0},
        if_not_exists=True,
    )
    db["attachments"].create(
        ATTACHMENT_COLUMNS, pk="id", foreign_keys=[("notice_id", "notices", "id")], if_not_exists=True
    )
    db["clusters"].create(CLUSTER_COLUMNS, pk="id", foreign_keys=[("notice_id", "notices", "id")], if_not_exists=True)
    db["list_entries"].create(
        LIST_ENTRY_COLUMNS, pk="id", foreign_keys=[("notice_id", "notices", "id")], if_not_exists=True
    )


def _create_indexes(db: sqlite_utils.Database) -> None:
    for table, columns, unique in (
        ("notices", ["url"], True),
        ("notices", ["site"], False),
        ("versions", ["notice_id", "version"], True),
        ("fetches", ["run_id"], False),
        ("fetches", ["url"], False),
        ("events", ["run_id"], False),
        ("site_health", ["site", "run_id"], False),
        ("notices", ["story_id"], False),
        ("listings", ["run_id", "site"], False),
        ("deliveries", ["event_id", "subscription", "channel_key"], True),
        ("deliveries", ["status", "next_attempt_at"], False),
        ("attachments", ["notice_id", "version"], False),
        ("attachments", ["sha256"], False),
        ("clusters", ["notice_id", "version"], False),
        ("clusters", ["name_normalized", "province"], False),
        ("list_entries", ["notice_id", "version"], False),
        ("list_entries", ["name_normalized"], False),
        ("notices", ["kind"], False),
    ):
        db[table].create_index(columns, unique=unique, if_not_exists=True)
    # Copies of a story are looked for by day (the store's story matching): an index on the same expression.
    db.execute("CREATE INDEX IF NOT EXISTS idx_notices_story_day ON notices(coalesce(published_at, first_seen_at))")


def create_baseline(db: sqlite_utils.Database) -> None:
    """Bring a database of any earlier commit (or an empty one) to the baseline: create every
    missing table, column and index; existing rows are left alone."""
    _create_tables(db)
    _add_missing_columns(db, "versions", VERSION_COLUMNS)
    _add_missing_columns(db, "notices", NOTICE_COLUMNS)
    _add_missing_columns(db, "attachments", ATTACHMENT_COLUMNS)
    _add_missing_columns(db, "events", {"routed_at": str, "reason": str})  # reason: why a source is broken
    _add_missing_columns(db, "fetches", {"via": str, "drift": str})
    _add_missing_columns(db, "deliveries", {"claimed_at": str})  # a pass sending it (status 'sending')
    _add_missing_columns(db, "listings", {"page": int})  # which listing page: a first page may list fewer
    _create_indexes(db)
    if not db["notices_fts"].exists():
        # Chinese has no spaces: trigram matching finds any term of three characters or more.
        db["notices"].enable_fts(["title", "body_normalized"], tokenize="trigram", create_triggers=True)
    _index_text_updates_only(db)
