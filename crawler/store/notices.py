"""Notices and versions: storing a fetched page as a new notice, a new version or a sighting, and
reading notices back with their versions and snapshots."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import asdict

import sqlite_utils

from crawler.extract.deadlines import application_deadline
from crawler.records import DetailPage, utc_now
from crawler.store.rosters import roster_diff
from crawler.store.versions import content_hash, loose_key, text_diff


def backfill_deadlines(db: sqlite_utils.Database) -> None:
    """Give the call notices of a database written before deadlines were read theirs, from the
    text it stores: each version's from its own body and publish time, the notice's from its
    current version (part of the migration ``notices_deadline``). No version is made."""
    rows = db.execute(
        "select v.id, v.notice_id, v.version, v.body_normalized, v.published_at, n.current_version"
        " from versions v join notices n on n.id = v.notice_id where n.kind = 'call'"
    ).fetchall()
    for version_id, notice_id, version, body, published_at, current_version in rows:
        deadline = application_deadline(body or "", published_at)
        db.execute("update versions set deadline = ? where id = ?", [deadline, version_id])
        if version == current_version:
            db.execute("update notices set deadline = ? where id = ?", [deadline, notice_id])


class Notices:
    """The store's notices and versions (a part of :class:`crawler.store.Store`)."""

    def save_page(self, run_id: int | None, page: DetailPage) -> str:
        """Store a fetched notice: a new notice makes version 1 and a ``new`` event (unless it is a
        copy of a story already known from another site); a changed one a new version and a
        ``changed`` event (a ``minor`` change, punctuation or whitespace only, no event); an
        unchanged one only updates ``last_seen_at`` (and its kind and deadline, which are read from
        the same text and so make no version by themselves). For a list notice, a change of its list (as a
        set: order and numbering do not count) is a change too. Returns the fetch outcome:
        ``stored`` or ``unchanged``. All of it is one transaction."""
        notice, now = page.notice, page.fetch.fetched_at or utc_now()
        digest = content_hash(notice)
        reason = None  # why an event is made, when a new version alone does not say
        with self._transaction():
            existing = self._first("select * from notices where url = ?", (notice.url,))
            before = existing and self._first(
                "select * from versions where notice_id = ? and version = ?",
                (existing["id"], existing["current_version"]),
            )
            record = self._roster_record(page, before) if page.kind.is_roster else None
            roster_changed = bool(
                record
                and record.list_hash
                and before
                and before["list_hash"]
                and before["list_hash"] != record.list_hash
            )
            validators = {k: page.validators.get(k) for k in ("etag", "last_modified")}
            kind = page.kind
            kind_fields = {
                "kind": kind.kind,
                "list_stage": kind.stage,
                "list_subject": kind.subject,
                "list_level": kind.level,
                "list_year": kind.year,
            }
            raw_sha256 = (page.packed[0] if page.packed else hashlib.sha256(page.raw).hexdigest()) if page.raw else None
            if existing and existing["content_hash"] == digest and not roster_changed:
                # The deadline is read from the same text: a better reading of it (or of the kind)
                # updates the current version in place, never making a version of its own.
                self._update(
                    "notices",
                    existing["id"],
                    {
                        "last_seen_at": now,
                        "raw_sha256": raw_sha256,
                        "deadline": notice.deadline,
                        **validators,
                        **kind_fields,
                    },
                )
                self._update("versions", before["id"], {"last_observed_at": now, "deadline": notice.deadline})
                if record and not before["list_hash"]:  # first (complete) download of this version's list
                    story = existing["story_id"] or existing["id"]
                    arrives = self._roster_arrives(story, record)
                    self._save_roster(existing["id"], before["version"], page, record, now)
                    if arrives:  # the story's alert said the list was not read: this one brings it
                        self._insert(
                            "events",
                            {
                                "kind": "changed",
                                "notice_id": existing["id"],
                                "version": before["version"],
                                "created_at": now,
                                "run_id": run_id,
                                "site": page.site,
                                "reason": f"名单首次读取：{len(record.entries)} 项",
                            },
                        )
                page.fetch.outcome = "unchanged"
                self._insert_fetch(run_id, page.fetch)
                return "unchanged"
            snapshot = self._snapshot(page, raw_sha256, now)
            fields = {
                "title": notice.title,
                "published_at": notice.published_at,
                "source": notice.source,
                "doc_number": notice.doc_number,
                "issuer": notice.issuer,
                "deadline": notice.deadline,
            }
            current = {
                **fields,
                "last_seen_at": now,
                "last_changed_at": now,
                "content_hash": digest,
                "body_normalized": notice.body_normalized,
                "raw_sha256": raw_sha256,
                **validators,
                **kind_fields,
            }
            if existing is None:
                story_id = self._story_for(page, now)
                province = self.db.execute("select province from sites where name = ?", [page.site]).fetchone()
                # The id is taken here (the transaction holds the write lock) so that a notice that
                # starts its own story is written once: every write of its text re-indexes it.
                notice_id = self.db.execute("select coalesce(max(id), 0) + 1 from notices").fetchone()[0]
                self._insert(
                    "notices",
                    {
                        "id": notice_id,
                        "search_key": notice_id,  # the search box's key (crawler/store/migrations.py)
                        "url": notice.url,
                        "site": page.site,
                        "province": province[0] if province else None,
                        "first_seen_at": now,
                        "current_version": 1,
                        "story_id": story_id or notice_id,
                        "status": "live",
                        "missing_runs": 0,
                        **current,
                    },
                )
                self._keep_copy_keys(notice_id, None, {**current, "first_seen_at": now})
                version, change_kind, diff = 1, "new", None
                event = "new" if story_id is None else None
                if story_id is not None and self._roster_arrives(story_id, record):
                    # A copy of a story alerted without its list, holding the list: the story changed.
                    event, reason = "changed", f"名单由本站副本读取：{len(record.entries)} 项"
            else:
                notice_id = existing["id"]
                version = existing["current_version"] + 1
                seen_before = self.db.execute(
                    "select 1 from versions where notice_id = ? and content_hash = ? and"
                    " coalesce(list_hash, '') = coalesce(?, list_hash, '')",
                    [notice_id, digest, record.list_hash if record else None],
                ).fetchone()
                diff = text_diff(before["body_normalized"] or "", notice.body_normalized)
                if roster_changed:
                    changes = roster_diff(
                        self._roster_names(notice_id, before["version"]), [e["name_normalized"] for e in record.entries]
                    )
                    diff = f"{diff}\n{changes}" if diff else changes
                if seen_before:
                    change_kind, event = "restored", "changed"
                elif not roster_changed and self._only_minor(before, notice):
                    change_kind, event = "minor", None
                else:
                    change_kind, event = "edit", "changed"
                self._update("versions", before["id"], {"valid_to": now})
                self._update("notices", notice_id, {**current, "current_version": version})
                self._keep_copy_keys(notice_id, existing, current)
            self._insert(
                "versions",
                {
                    "notice_id": notice_id,
                    "version": version,
                    "content_hash": digest,
                    "observed_at": now,
                    "valid_from": now,
                    "last_observed_at": now,
                    **fields,
                    "signed_at": notice.signed_at,
                    "addressees": notice.addressees,
                    "body": notice.body,
                    "body_normalized": notice.body_normalized,
                    "attachments": json.dumps([asdict(a) for a in notice.attachments], ensure_ascii=False),
                    "index_table": json.dumps(notice.index, ensure_ascii=False) if notice.index else None,
                    "dates": json.dumps(notice.dates, ensure_ascii=False),
                    "encoding": notice.encoding,
                    "change_kind": change_kind,
                    "diff": diff,
                    "run_id": run_id,
                    "snapshot": snapshot,
                    "listing_title": page.listing_title,
                },
            )
            if record:
                self._save_roster(notice_id, version, page, record, now)
            if event:
                self._insert(
                    "events",
                    {
                        "kind": event,
                        "notice_id": notice_id,
                        "version": version,
                        "created_at": now,
                        "run_id": run_id,
                        "site": page.site,
                        "reason": reason,
                    },
                )
            page.fetch.outcome = "stored"
            self._insert_fetch(run_id, page.fetch)
        return "stored"

    @staticmethod
    def _only_minor(before: dict, notice) -> bool:
        """True when title, publish time and attachments are the same and the bodies differ only in
        punctuation, whitespace or list numbering."""
        attachments = json.dumps([asdict(a) for a in notice.attachments], ensure_ascii=False)
        return (
            before["published_at"] == notice.published_at
            and before["attachments"] == attachments
            and loose_key(before["title"] or "") == loose_key(notice.title or "")
            and loose_key(before["body_normalized"] or "") == loose_key(notice.body_normalized)
        )

    def find_notice(self, url_or_id: str) -> dict | None:
        """A notice by its id or URL."""
        if url_or_id.isdigit():
            return next(self.db["notices"].rows_where("id = ?", [int(url_or_id)], limit=1), None)
        return next(self.db["notices"].rows_where("url = ?", [url_or_id], limit=1), None)

    def versions_of(self, notice_id: int) -> list[dict]:
        """Every version of a notice, oldest first."""
        return list(self.db["versions"].rows_where("notice_id = ?", [notice_id], order_by="version"))

    def current_pages(self) -> Iterator[dict]:
        """Every notice in id order, as ``notice`` (its row), ``version`` (the row of its current
        version, None if it has none), ``raw`` (the bytes of that version's snapshot, None when
        there is none) and ``content_type`` (the snapshot's). Each is read when reached, so the
        caller may store pages between them."""
        for (notice_id,) in self.db.execute("select id from notices order by id").fetchall():
            notice = self._first("select * from notices where id = ?", [notice_id])
            version = self._first(
                "select * from versions where notice_id = ? and version = ?", [notice_id, notice["current_version"]]
            )
            snapshot = (
                version
                and version["snapshot"]
                and self._first(
                    "select content_type, compressed from snapshots where sha256 = ?", [version["snapshot"]]
                )
            )
            yield {
                "notice": notice,
                "version": version,
                "raw": zlib.decompress(snapshot["compressed"]) if snapshot else None,
                "content_type": snapshot["content_type"] if snapshot else None,
            }
