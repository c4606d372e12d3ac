"""The SQLite schema of notices.db: tables, indexes and the schema version, created on open."""

from __future__ import annotations

import sqlite_utils

SCHEMA_VERSION = 7


VERSION_COLUMNS = {
    "id": int, "notice_id": int, "version": int, "content_hash": str, "observed_at": str,
    "last_observed_at": str, "title": str, "published_at": str, "source": str, "issuer": str,
    "signed_at": str, "doc_number": str, "addressees": str, "body": str, "body_normalized": str,
    "attachments": str, "index_table": str, "dates": str, "encoding": str, "change_kind": str,
    "diff": str, "run_id": int, "valid_from": str, "valid_to": str, "snapshot": str, "list_hash": str,
}
NOTICE_COLUMNS = {
    "id": int, "url": str, "site": str, "province": str, "title": str, "published_at": str, "source": str,
    "doc_number": str, "issuer": str, "status": str, "first_seen_at": str, "last_seen_at": str,
    "last_changed_at": str, "current_version": int, "content_hash": str, "story_id": int,
    "body_normalized": str, "missing_runs": int, "etag": str, "last_modified": str,
    "kind": str, "list_stage": str, "list_subject": str, "list_level": str, "list_year": int,
    "raw_sha256": str,  # sha256 of the bytes of the last answer read: the same bytes are not read again
}
ATTACHMENT_COLUMNS = {
    "id": int, "notice_id": int, "version": int, "name": str, "url": str, "sha256": str, "size": int,
    "type": str, "status": str, "reason": str, "entries": int, "path": str, "fetched_at": str,
    "etag": str, "last_modified": str,  # validators of the download: a revisit asks for the file conditionally
}
CLUSTER_COLUMNS = {
    "id": int, "notice_id": int, "version": int, "seq": int, "name": str, "name_normalized": str,
    "province": str, "city": str, "county": str, "industry": str, "level": str, "year": int, "stage": str,
    "subject": str, "source": str, "url": str,
}
# Entries of the other lists (专精特新 firms, 单项冠军 …): the same, without an industry.
LIST_ENTRY_COLUMNS = {k: v for k, v in CLUSTER_COLUMNS.items() if k != "industry"}
# Each 公示 (draft) list with the 公布 (final) list of the same programme, province and year that
# followed it.
LIST_STAGES = """
select d.id as draft_id, d.title as draft_title, d.published_at as draft_published_at,
       f.id as final_id, f.title as final_title, f.published_at as final_published_at,
       d.kind, d.list_subject, d.province, d.list_year
from notices d left join notices f on f.id = (
  select f2.id from notices f2
  where f2.kind = d.kind and f2.list_stage = 'final' and f2.list_subject is d.list_subject
    and f2.province is d.province and f2.list_year is d.list_year and f2.published_at >= d.published_at
  order by f2.published_at limit 1)
where d.kind in ('cluster_list', 'list') and d.list_stage = 'draft'
"""
# Each cluster (normalised name + province) with the first list that named it.
CLUSTER_FIRST_SEEN = """
select c.name_normalized, c.province, min(c.year) as first_year,
       min(coalesce(n.published_at, n.first_seen_at)) as first_published_at,
       (select c2.notice_id from clusters c2 join notices n2 on n2.id = c2.notice_id
         where c2.name_normalized = c.name_normalized and coalesce(c2.province, '') = coalesce(c.province, '')
         order by coalesce(n2.published_at, n2.first_seen_at) limit 1) as first_notice_id,
       count(distinct c.notice_id) as lists
from clusters c join notices n on n.id = c.notice_id and c.version = n.current_version
group by c.name_normalized, c.province
"""


def _add_missing_columns(db: sqlite_utils.Database, table: str, columns: dict) -> None:
    existing = db[table].columns_dict
    for name, kind in columns.items():
        if name not in existing:
            db[table].add_column(name, kind)


_FTS_UPDATE_TRIGGER = """CREATE TRIGGER "notices_au" AFTER UPDATE OF "title", "body_normalized" ON "notices" BEGIN
  INSERT INTO "notices_fts" ("notices_fts", rowid, "title", "body_normalized") VALUES('delete', old.rowid, old."title", old."body_normalized");
  INSERT INTO "notices_fts" (rowid, "title", "body_normalized") VALUES (new.rowid, new."title", new."body_normalized");
END"""


def _index_text_updates_only(db: sqlite_utils.Database) -> None:
    """The full-text index follows a notice's title and text only: sqlite-utils' update trigger
    re-indexes the whole text on any update (``last_seen_at`` on every revisit)."""
    row = db.execute("select sql from sqlite_master where type = 'trigger' and name = 'notices_au'").fetchone()
    if row and row[0] != _FTS_UPDATE_TRIGGER:
        db.execute('DROP TRIGGER "notices_au"')
        db.execute(_FTS_UPDATE_TRIGGER)


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
         "error": str, "fetched_at": str, "elapsed_ms": int, "bytes": int, "via": str, "drift": str},
        pk="id", foreign_keys=[("run_id", "runs", "id")], if_not_exists=True,
    )
    # One row per site and run: how the run read the site (crawler sites --health reads the last).
    db["site_health"].create(
        {"id": int, "run_id": int, "site": str, "state": str, "reason": str, "checked_at": str},
        pk="id", foreign_keys=[("run_id", "runs", "id")], if_not_exists=True,
    )
    db["events"].create(
        {"id": int, "kind": str, "notice_id": int, "version": int, "created_at": str, "run_id": int,
         "site": str, "reason": str},
        pk="id", foreign_keys=[("notice_id", "notices", "id"), ("run_id", "runs", "id")],
        if_not_exists=True,
    )
    db["deliveries"].create(
        {"id": int, "event_id": int, "subscription": str, "channel_key": str, "channel": str, "digest": str,
         "status": str, "attempts": int, "last_error": str, "next_attempt_at": str, "created_at": str,
         "sent_at": str, "claimed_at": str},
        pk="id", foreign_keys=[("event_id", "events", "id")], defaults={"status": "pending", "attempts": 0},
        if_not_exists=True,
    )
    db["attachments"].create(ATTACHMENT_COLUMNS, pk="id",
        foreign_keys=[("notice_id", "notices", "id")], if_not_exists=True)
    db["clusters"].create(CLUSTER_COLUMNS, pk="id",
        foreign_keys=[("notice_id", "notices", "id")], if_not_exists=True)
    db["list_entries"].create(LIST_ENTRY_COLUMNS, pk="id",
        foreign_keys=[("notice_id", "notices", "id")], if_not_exists=True)
    db.create_view("cluster_first_seen", CLUSTER_FIRST_SEEN, ignore=True)
    db.create_view("list_stages", LIST_STAGES, ignore=True)
    _add_missing_columns(db, "versions", VERSION_COLUMNS)
    _add_missing_columns(db, "notices", NOTICE_COLUMNS)
    _add_missing_columns(db, "attachments", ATTACHMENT_COLUMNS)
    _add_missing_columns(db, "events", {"routed_at": str, "reason": str})  # reason: why a source is broken
    _add_missing_columns(db, "fetches", {"via": str, "drift": str})
    _add_missing_columns(db, "deliveries", {"claimed_at": str})  # a pass sending it (status 'sending')
    _add_missing_columns(db, "listings", {"page": int})  # which listing page: a first page may list fewer
    db["notices"].create_index(["url"], unique=True, if_not_exists=True)
    db["notices"].create_index(["site"], if_not_exists=True)
    db["versions"].create_index(["notice_id", "version"], unique=True, if_not_exists=True)
    db["fetches"].create_index(["run_id"], if_not_exists=True)
    db["fetches"].create_index(["url"], if_not_exists=True)
    db["events"].create_index(["run_id"], if_not_exists=True)
    db["site_health"].create_index(["site", "run_id"], if_not_exists=True)
    db["notices"].create_index(["story_id"], if_not_exists=True)
    db["listings"].create_index(["run_id", "site"], if_not_exists=True)
    db["deliveries"].create_index(["event_id", "subscription", "channel_key"], unique=True, if_not_exists=True)
    db["deliveries"].create_index(["status", "next_attempt_at"], if_not_exists=True)
    db["attachments"].create_index(["notice_id", "version"], if_not_exists=True)
    db["attachments"].create_index(["sha256"], if_not_exists=True)
    db["clusters"].create_index(["notice_id", "version"], if_not_exists=True)
    db["clusters"].create_index(["name_normalized", "province"], if_not_exists=True)
    db["list_entries"].create_index(["notice_id", "version"], if_not_exists=True)
    db["list_entries"].create_index(["name_normalized"], if_not_exists=True)
    db["notices"].create_index(["kind"], if_not_exists=True)
    # Copies of a story are looked for by day (Store._story_for): an index on the same expression.
    db.execute("CREATE INDEX IF NOT EXISTS idx_notices_story_day ON notices(coalesce(published_at, first_seen_at))")
    if not db["notices_fts"].exists():
        # Chinese has no spaces: trigram matching finds any term of three characters or more.
        db["notices"].enable_fts(["title", "body_normalized"], tokenize="trigram", create_triggers=True)
    _index_text_updates_only(db)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
