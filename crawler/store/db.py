"""Store: runs, fetches, snapshots, notices, versions and events in one SQLite file, one
transaction per item."""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import sqlite_utils

from crawler.extract.text import to_simplified
from crawler.rosters.places import named_places
from crawler.records import AttachmentFile, DetailPage, FetchOutcome, ListingPage, SNAPSHOT_LEVEL, utc_now
from crawler.siteconf import Site, province_name
from crawler.store import health
from crawler.store.rosters import ListRecord, list_diff, list_record, story_list
from crawler.store.schema import create_schema
from crawler.store.versions import containment, content_hash, loose_key, shingles, text_diff

STORY_WINDOW_DAYS = 7  # copies of a notice are published within a week of each other
STORY_MIN_CONTAINMENT = 0.8
NATIONAL = (None, "全国")  # a site of no one province: its copies may be any province's notice
REMOVAL_RUNS = 3  # runs a notice must be gone from its listing before a 404/410 makes it removed
BROKEN_SHARE = 0.5  # a listing with fewer entries than this share of its usual count is broken
LISTING_RUNS_KEPT = 10  # listing rows are kept for a site's last ten runs (presence looks back five)
# A delivery is due when it is not sent, its next attempt has come, and no live pass is sending it.
DUE = ("status != 'sent' and next_attempt_at <= :now"
       " and (status != 'sending' or claimed_at <= :stale)")
FILE_SUFFIXES = frozenset({"xlsx", "xls", "et", "docx", "doc", "wps", "pdf", "ofd", "zip", "html", "text"})


class Store:
    """Open (creating or upgrading) the database at ``path``. With ``batch_seconds`` > 0 the items
    written within that many seconds share one commit (a crawl's pipeline); each item is still
    atomic, in its own savepoint. Call :meth:`flush` to commit now."""

    def __init__(self, path: str | Path, batch_seconds: float = 0.0):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.files_dir = self.path.parent / "attachments"
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA busy_timeout = 30000")
        # WAL with synchronous=NORMAL: a commit is durable once the OS has it (a killed crawl loses
        # nothing committed); only a power cut can lose the last commits, never consistency.
        self.db.execute("PRAGMA synchronous = NORMAL")
        create_schema(self.db)
        self.batch_seconds = batch_seconds
        self._began = 0.0  # when the open write transaction began
        self._depth = 0  # items being written

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

    def register_sites(self, sites: list[Site]) -> None:
        """Record the site definitions the run uses."""
        with self._transaction():
            self.db["sites"].upsert_all(
                ({"name": s.name, "title": s.title, "kind": s.kind, "province": s.province,
                  "start_urls": json.dumps(list(s.start_urls)), "enabled": int(s.enabled)} for s in sites),
                pk="name",
            )

    def start_run(self, site_names: list[str]) -> int:
        """Open a run row and return its id."""
        with self._transaction():
            table = self.db["runs"].insert(
                {"started_at": utc_now(), "sites": json.dumps(site_names), "status": "running"}
            )
        return table.last_pk

    def record_listing(self, run_id: int | None, listing: ListingPage) -> None:
        """Record a listing page that was read and the notices it lists."""
        with self._transaction():
            self._insert_fetch(run_id, listing.fetch)
            self.db.conn.executemany(
                "INSERT INTO listings (run_id, site, page_url, page, notice_url, list_date) VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, listing.site, listing.fetch.url, listing.page, url, list_date)
                 for url, list_date in listing.entries])

    def _entries_by_page(self, site: str, run_id: int) -> dict[int | None, int]:
        """Notices listed on each listing page the run read, by page number."""
        return dict(self.db.execute("select page, count(distinct notice_url) from listings where run_id = ? and site = ?"
                                    " group by page", [run_id, site]).fetchall())

    def _listing_is_short(self, site: str, run_id: int) -> str | None:
        """Why the listing pages this run read are broken, when they hold far fewer entries than
        the same pages usually do (the median of the site's last five runs that read them); else
        None. Pages are compared with themselves: a monitor run reads only the first, which may
        list fewer than the rest."""
        now = self._entries_by_page(site, run_id)
        earlier = [self._entries_by_page(site, run) for (run,) in self.db.execute(
            "select distinct run_id from listings where site = ? and run_id < ? order by run_id desc limit 5",
            [site, run_id])]
        current = usual = 0
        for page, count in now.items():
            counts = sorted(history[page] for history in earlier if page in history)
            if counts:
                current, usual = current + count, usual + counts[len(counts) // 2]
        if usual and current < BROKEN_SHARE * usual:
            return f"the listing pages read hold {current} notice(s) where they usually hold {usual}"
        return None

    def _assess_sites(self, run_id: int, now: str) -> list[health.SiteState]:
        """Each site of the run: its state (kept in ``site_health``), and a ``source_broken`` event
        with the reason when it has just become broken or degraded."""
        row = self.db.execute("select sites from runs where id = ?", [run_id]).fetchone()
        names = json.loads(row[0]) if row and row[0] else []
        states = []
        for site in names:
            state = health.assess(self.db, run_id, site, self._listing_is_short(site, run_id))
            if health.record(self.db, run_id, state, now):
                self.db["events"].insert({"kind": "source_broken", "created_at": now, "run_id": run_id,
                                          "site": site, "reason": f"{state.state}: {state.reason}"})
            states.append(state)
        return states

    def _update_presence(self, run_id: int, now: str, states: dict[str, str]) -> None:
        """After a run: notices back in their listing are live; notices gone from it (within the
        dates the pages read cover) are missing, and removed after ``REMOVAL_RUNS`` runs once their
        page answers 404/410. A broken listing (empty, or far shorter than usual) is a broken
        source, not removals; one read through a fallback is no proof of absence either."""
        sites = [r[0] for r in self.db.execute(
            "select distinct site from fetches where run_id = ? and role = 'listing' and outcome = 'listed'", [run_id])]
        for site in sites:
            entries = dict(self.db.execute(
                "select notice_url, max(list_date) from listings where run_id = ? and site = ? group by notice_url",
                [run_id, site]).fetchall())
            if not entries or states.get(site) == "broken":
                continue
            by_fallback = self.db.execute("select 1 from fetches where run_id = ? and site = ? and role = 'listing'"
                                          " and via = 'fallback'", [run_id, site]).fetchone()
            dates = [d for d in entries.values() if d]
            oldest = min(dates) if dates else None
            # Only the columns needed here: a site's notices with their text would be hundreds of MB.
            for notice in self._rows("select id, url, status, missing_runs, published_at, current_version from notices"
                                     " where site = ? and status != 'removed'", [site]):
                if notice["url"] in entries:
                    if notice["status"] != "live" or notice["missing_runs"]:
                        self._update("notices", notice["id"], {"status": "live", "missing_runs": 0})
                    continue
                if by_fallback:
                    continue
                published = (notice["published_at"] or "")[:10]
                if oldest is None or not published or published <= oldest:
                    continue  # older than every entry on the pages read: out of view, not gone
                missing_runs = (notice["missing_runs"] or 0) + 1
                status = "missing"
                answer = self.db.execute(
                    "select status from fetches where run_id = ? and url = ? order by id desc limit 1",
                    [run_id, notice["url"]]).fetchone()
                if missing_runs >= REMOVAL_RUNS and answer and answer[0] in (404, 410):
                    status = "removed"
                    self.db["events"].insert({"kind": "removed", "notice_id": notice["id"],
                                              "version": notice["current_version"], "created_at": now,
                                              "run_id": run_id, "site": site})
                self._update("notices", notice["id"], {"status": status, "missing_runs": missing_runs})
            self.db.execute(
                "delete from listings where site = ? and run_id not in (select distinct run_id from listings"
                " where site = ? order by run_id desc limit ?)", [site, site, LISTING_RUNS_KEPT])

    def finish_run(self, run_id: int) -> dict:
        """Assess each site of the run, update which notices are still listed, close the run with
        its counts and return them."""
        with self._transaction():
            now = utc_now()
            states = self._assess_sites(run_id, now)
            self._update_presence(run_id, now, {s.site: s.state for s in states})
        counts = self.db.execute(
            """select
                 (select count(*) from fetches where run_id = :r and status is not null),
                 (select count(*) from events where run_id = :r and kind = 'new'),
                 (select count(*) from events where run_id = :r and kind = 'changed'),
                 (select count(*) from fetches where run_id = :r and outcome in ('error', 'blocked', 'empty'))""",
            {"r": run_id},
        ).fetchone()
        row = dict(zip(("pages_fetched", "new", "changed", "errors"), counts))
        with self._transaction():
            self.db["runs"].update(run_id, {"finished_at": utc_now(), "status": "finished", **row})
        return row

    def record_fetch(self, run_id: int | None, fetch: FetchOutcome) -> None:
        """Record a request that produced no notice (a listing page, an error, a block). A 304 to
        a conditional revisit counts as ``unchanged`` only for a notice stored from an earlier
        successful fetch; anything else answering 304 is an error."""
        with self._transaction():
            if fetch.outcome == "not_modified":
                known = self.db.execute("select id from notices where url = ? and current_version is not null",
                                        [fetch.url]).fetchone()
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
            self._insert("snapshots", {"sha256": digest, "url": page.notice.url, "content_type": page.content_type,
                                       "size": len(page.raw), "compressed": compressed, "first_fetched_at": now})
        return digest

    def _story_for(self, page: DetailPage, now: str) -> int | None:
        """The story of an earlier copy of this notice on another site: published within a week,
        with most of its text in common (Traditional, glosses and punctuation do not count), and
        nothing that tells them apart: two provinces' bureaus, or two document numbers (the formulaic
        notices every province publishes — 关于公布2026年X省专精特新中小企业名单的通知 — share most text),
        or titles naming different places."""
        notice = page.notice
        anchor = (notice.published_at or now)[:10]
        try:
            day = date.fromisoformat(anchor)
        except ValueError:
            return None
        low, high = (day - timedelta(days=STORY_WINDOW_DAYS)).isoformat(), (day + timedelta(days=STORY_WINDOW_DAYS + 1)).isoformat()
        fingerprint = None
        province = self.db.execute("select province from sites where name = ?", [page.site]).fetchone()
        province = province[0] if province and province[0] not in NATIONAL else None
        number = to_simplified(notice.doc_number).replace(" ", "") if notice.doc_number else None
        places = named_places(notice.title or "")
        for notice_id, story_id, body, other_province, other_number, other_title in self.db.execute(
            "select id, story_id, body_normalized, province, doc_number, title from notices where"
            " coalesce(published_at, first_seen_at) between ? and ? and site != ? order by id",
            [low, high, page.site],
        ):
            if province and other_province not in NATIONAL and other_province != province:
                continue
            if number and other_number and to_simplified(other_number).replace(" ", "") != number:
                continue
            other_places = named_places(other_title or "")
            if places and other_places and not places & other_places:
                continue  # 烟台市's list and 山东省's list
            fingerprint = fingerprint or shingles(notice.body_normalized)
            if containment(fingerprint, shingles(body or "")) >= STORY_MIN_CONTAINMENT:
                return story_id or notice_id
        return None

    def save_page(self, run_id: int | None, page: DetailPage) -> str:
        """Store a fetched notice: a new notice makes version 1 and a ``new`` event (unless it is a
        copy of a story already known from another site); a changed one a new version and a
        ``changed`` event (a ``minor`` change, punctuation or whitespace only, no event); an
        unchanged one only updates ``last_seen_at``. For a list notice, a change of its list (as a
        set: order and numbering do not count) is a change too. Returns the fetch outcome:
        ``stored`` or ``unchanged``. All of it is one transaction."""
        notice, now = page.notice, page.fetch.fetched_at or utc_now()
        digest = content_hash(notice)
        reason = None  # why an event is made, when a new version alone does not say
        with self._transaction():
            existing = self._first("select * from notices where url = ?", (notice.url,))
            before = existing and self._first("select * from versions where notice_id = ? and version = ?",
                                              (existing["id"], existing["current_version"]))
            record = self._list_record(page, before) if page.kind.is_list else None
            list_changed = bool(record and record.list_hash and before and before["list_hash"]
                                and before["list_hash"] != record.list_hash)
            validators = {k: page.validators.get(k) for k in ("etag", "last_modified")}
            kind = page.kind
            kind_fields = {"kind": kind.kind, "list_stage": kind.stage, "list_subject": kind.subject,
                           "list_level": kind.level, "list_year": kind.year}
            raw_sha256 = (page.packed[0] if page.packed else hashlib.sha256(page.raw).hexdigest()) if page.raw else None
            if existing and existing["content_hash"] == digest and not list_changed:
                self._update("notices", existing["id"], {"last_seen_at": now, "raw_sha256": raw_sha256,
                                                          **validators, **kind_fields})
                self._update("versions", before["id"], {"last_observed_at": now})
                if record and not before["list_hash"]:  # first (complete) download of this version's list
                    story = existing["story_id"] or existing["id"]
                    arrives = self._list_arrives(story, record)
                    self._save_list(existing["id"], before["version"], page, record, now)
                    if arrives:  # the story's alert said the list was not read: this one brings it
                        self._insert("events", {"kind": "changed", "notice_id": existing["id"],
                                                "version": before["version"], "created_at": now, "run_id": run_id,
                                                "site": page.site, "reason": f"名单首次读取：{len(record.entries)} 项"})
                page.fetch.outcome = "unchanged"
                self._insert_fetch(run_id, page.fetch)
                return "unchanged"
            snapshot = self._snapshot(page, raw_sha256, now)
            fields = {"title": notice.title, "published_at": notice.published_at, "source": notice.source,
                      "doc_number": notice.doc_number, "issuer": notice.issuer}
            current = {**fields, "last_seen_at": now, "last_changed_at": now, "content_hash": digest,
                       "body_normalized": notice.body_normalized, "raw_sha256": raw_sha256, **validators,
                       **kind_fields}
            if existing is None:
                story_id = self._story_for(page, now)
                province = self.db.execute("select province from sites where name = ?", [page.site]).fetchone()
                # The id is taken here (the transaction holds the write lock) so that a notice that
                # starts its own story is written once: every write of its text re-indexes it.
                notice_id = self.db.execute("select coalesce(max(id), 0) + 1 from notices").fetchone()[0]
                self._insert("notices",
                    {"id": notice_id, "url": notice.url, "site": page.site,
                     "province": province[0] if province else None, "first_seen_at": now, "current_version": 1,
                     "story_id": story_id or notice_id, "status": "live", "missing_runs": 0, **current}
                )
                version, change_kind, diff = 1, "new", None
                event = "new" if story_id is None else None
                if story_id is not None and self._list_arrives(story_id, record):
                    # A copy of a story alerted without its list, holding the list: the story changed.
                    event, reason = "changed", f"名单由本站副本读取：{len(record.entries)} 项"
            else:
                notice_id = existing["id"]
                version = existing["current_version"] + 1
                seen_before = self.db.execute(
                    "select 1 from versions where notice_id = ? and content_hash = ? and"
                    " coalesce(list_hash, '') = coalesce(?, list_hash, '')",
                    [notice_id, digest, record.list_hash if record else None]).fetchone()
                diff = text_diff(before["body_normalized"] or "", notice.body_normalized)
                if list_changed:
                    changes = list_diff(self._list_names(notice_id, before["version"]),
                                        [e["name_normalized"] for e in record.entries])
                    diff = f"{diff}\n{changes}" if diff else changes
                if seen_before:
                    change_kind, event = "restored", "changed"
                elif not list_changed and self._only_minor(before, notice):
                    change_kind, event = "minor", None
                else:
                    change_kind, event = "edit", "changed"
                self._update("versions", before["id"], {"valid_to": now})
                self._update("notices", notice_id, {**current, "current_version": version})
            self._insert("versions", {
                "notice_id": notice_id, "version": version, "content_hash": digest, "observed_at": now,
                "valid_from": now, "last_observed_at": now, **fields, "signed_at": notice.signed_at,
                "addressees": notice.addressees, "body": notice.body, "body_normalized": notice.body_normalized,
                "attachments": json.dumps([asdict(a) for a in notice.attachments], ensure_ascii=False),
                "index_table": json.dumps(notice.index, ensure_ascii=False) if notice.index else None,
                "dates": json.dumps(notice.dates, ensure_ascii=False), "encoding": notice.encoding,
                "change_kind": change_kind, "diff": diff, "run_id": run_id, "snapshot": snapshot,
            })
            if record:
                self._save_list(notice_id, version, page, record, now)
            if event:
                self._insert("events", {"kind": event, "notice_id": notice_id, "version": version,
                                        "created_at": now, "run_id": run_id, "site": page.site, "reason": reason})
            page.fetch.outcome = "stored"
            self._insert_fetch(run_id, page.fetch)
        return "stored"

    # --- lists ------------------------------------------------------------------------------------

    def _list_arrives(self, story_id: int, record: ListRecord | None) -> bool:
        """True when ``record`` is a whole list read for a story whose ``new`` or ``changed`` event
        went out (was routed) while none of its copies held a list: its message said the list was
        not read, and this list must reach the subscribers. (An event not yet routed will carry the
        story's list when its message is composed.)"""
        if not record or not record.entries or not record.list_hash:
            return False
        held = self.db.execute(
            "select exists(select 1 from notices n join clusters c on c.notice_id = n.id and c.version = n.current_version"
            " where n.story_id = :s) or exists(select 1 from notices n join list_entries l on l.notice_id = n.id"
            " and l.version = n.current_version where n.story_id = :s)", {"s": story_id}).fetchone()[0]
        alerted = self.db.execute("select exists(select 1 from events e join notices n on n.id = e.notice_id"
                                  " where n.story_id = ? and e.kind in ('new', 'changed') and e.routed_at is not null)",
                                  [story_id]).fetchone()[0]
        return bool(alerted and not held)

    def _file_path(self, file: AttachmentFile) -> Path | None:
        """Where an attachment's bytes live: data/attachments/<sha256[:2]>/<sha256>.<type>. The
        name comes from the content and the sniffed type only, never from the published name."""
        if not file.data:
            return None
        digest = hashlib.sha256(file.data).hexdigest()
        suffix = file.file_type if file.file_type in FILE_SUFFIXES else "bin"
        return self.files_dir / digest[:2] / f"{digest}.{suffix}"

    def _write_file(self, file: AttachmentFile) -> None:
        path = self._file_path(file)
        if path is None or path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(file.data)
        os.replace(partial, path)

    def _list_record(self, page: DetailPage, before: dict | None) -> ListRecord:
        earlier, earlier_entries = {}, {}
        if before:
            for row in self.db["attachments"].rows_where("notice_id = ? and version = ?",
                                                         [before["notice_id"], before["version"]]):
                earlier[row["url"]] = row
            for row in self._entries(before["notice_id"], before["version"]):
                if row["url"]:
                    earlier_entries.setdefault(row["url"], []).append(
                        {k: row[k] for k in ("source", "url", "seq", "name", "name_normalized", "province", "city",
                                             "county", "industry")})
        return list_record(page, earlier, earlier_entries)

    def stored_files(self, notice_id: int, version: int) -> list[tuple[dict, bytes | None]]:
        """A version's attachment rows with their kept bytes (None when not kept or gone)."""
        files = []
        for row in self.db["attachments"].rows_where("notice_id = ? and version = ?", [notice_id, version],
                                                     order_by="id"):
            path = self.path.parent / row["path"] if row["path"] else None
            files.append((row, path.read_bytes() if path and path.is_file() else None))
        return files

    def _entries(self, notice_id: int, version: int) -> list[dict]:
        """A version's list entries, from ``clusters`` or ``list_entries`` (whichever its kind chose)."""
        return [dict(r) for r in self.db.query(
            "select source, url, seq, name, name_normalized, province, city, county, industry from clusters"
            " where notice_id = :n and version = :v union all"
            " select source, url, seq, name, name_normalized, province, city, county, null from list_entries"
            " where notice_id = :n and version = :v order by seq", {"n": notice_id, "v": version})]

    def _list_names(self, notice_id: int, version: int) -> list[str]:
        return [row["name_normalized"] for row in self._entries(notice_id, version)]

    def _save_list(self, notice_id: int, version: int, page: DetailPage, record: ListRecord, now: str) -> None:
        """Record a version's attachments (their bytes under data/attachments/) and one row per entry
        of its list — in ``clusters`` for a cluster list, else in ``list_entries`` — replacing what an
        earlier, partial download recorded."""
        kind = page.kind
        for file in record.files:  # content-addressed: writing one twice is harmless
            self._write_file(file)
        self.db.execute("delete from attachments where notice_id = ? and version = ?", [notice_id, version])
        for table in ("clusters", "list_entries"):
            self.db.execute(f"delete from {table} where notice_id = ? and version = ?", [notice_id, version])
        province = self.db.execute("select province from sites where name = ?", [page.site]).fetchone()
        default_province = province_name(province[0] if province else None)
        counts: dict[str, int] = {}
        for entry in record.entries:
            counts[entry["url"] or ""] = counts.get(entry["url"] or "", 0) + 1
        self.db["attachments"].insert_all(
            ({"notice_id": notice_id, "version": version, "name": f.name, "url": f.url,
              "sha256": hashlib.sha256(f.data).hexdigest() if f.data else None, "size": len(f.data) or None,
              "type": f.file_type, "status": f.status, "reason": f.reason, "entries": counts.get(f.url, 0),
              "path": str(path.relative_to(self.path.parent)) if (path := self._file_path(f)) else None,
              "fetched_at": now, "etag": f.etag, "last_modified": f.last_modified} for f in record.files))
        rows = [{"notice_id": notice_id, "version": version, **entry, "province": entry["province"] or default_province,
                 "level": kind.level, "year": kind.year, "stage": kind.stage, "subject": kind.subject}
                for entry in record.entries]
        if not kind.is_cluster_list:  # firms and other entities: no industry to split from their names
            rows = [{k: v for k, v in row.items() if k != "industry"} for row in rows]
        self.db["clusters" if kind.is_cluster_list else "list_entries"].insert_all(rows)
        self.db["versions"].update(self.db.execute(
            "select id from versions where notice_id = ? and version = ?", [notice_id, version]).fetchone()[0],
            {"list_hash": record.list_hash})

    @staticmethod
    def _only_minor(before: dict, notice) -> bool:
        """True when title, publish time and attachments are the same and the bodies differ only in
        punctuation, whitespace or list numbering."""
        attachments = json.dumps([asdict(a) for a in notice.attachments], ensure_ascii=False)
        return (before["published_at"] == notice.published_at and before["attachments"] == attachments
                and loose_key(before["title"] or "") == loose_key(notice.title or "")
                and loose_key(before["body_normalized"] or "") == loose_key(notice.body_normalized))
    def run_report(self, run_id: int) -> dict:
        """What a run did, per site: fetch outcomes, its events (and ``copy`` for a notice that joined
        a story first seen on another site), failures."""
        sites: dict[str, dict] = {}
        for row in self.db.query(
            "select site, outcome, count(*) as n, sum(status is not null) as answered from fetches"
            " where run_id = ? group by site, outcome", [run_id]
        ):
            site = sites.setdefault(row["site"], {"outcomes": {}, "answered": 0, "events": [], "errors": []})
            site["outcomes"][row["outcome"]] = row["n"]
            site["answered"] += row["answered"] or 0
        for row in self.db.query(
            "select site, url, role, status, outcome, error from fetches where run_id = ?"
            " and outcome in ('error', 'blocked', 'empty', 'missing', 'refused') order by id", [run_id]
        ):
            sites[row["site"]]["errors"].append(row)
        for row in self.db.query(
            """select e.site, e.kind, e.version, n.title, n.url, n.published_at from events e
                 join notices n on n.id = e.notice_id where e.run_id = :r
               union all
               select n.site, 'copy' as kind, 1, n.title, n.url, n.published_at from versions v
                 join notices n on n.id = v.notice_id
                 where v.run_id = :r and v.version = 1 and n.story_id != n.id
               order by published_at desc""",
            {"r": run_id},
        ):
            sites.setdefault(row["site"], {"outcomes": {}, "answered": 0, "events": [], "errors": []})
            sites[row["site"]]["events"].append(row)
        return sites

    def find_notice(self, url_or_id: str) -> dict | None:
        """A notice by its id or URL."""
        if url_or_id.isdigit():
            return next(self.db["notices"].rows_where("id = ?", [int(url_or_id)], limit=1), None)
        return next(self.db["notices"].rows_where("url = ?", [url_or_id], limit=1), None)

    def versions_of(self, notice_id: int) -> list[dict]:
        """Every version of a notice, oldest first."""
        return list(self.db["versions"].rows_where("notice_id = ?", [notice_id], order_by="version"))

    def story_copies(self, notice: dict) -> list[dict]:
        """Every notice of the same story (copies on other sites), oldest first."""
        return list(self.db["notices"].rows_where("story_id = ?", [notice["story_id"]], order_by="id"))

    def snapshot_bytes(self, sha256: str) -> bytes | None:
        """The raw response stored under ``sha256``."""
        row = next(self.db["snapshots"].rows_where("sha256 = ?", [sha256], limit=1), None)
        return zlib.decompress(row["compressed"]) if row else None

    # --- outbox -----------------------------------------------------------------------------------

    def unrouted_events(self) -> list[dict]:
        """Events not yet matched against the subscriptions, with what matching needs."""
        return [dict(r) for r in self.db.query(
            """select e.id as event_id, e.kind, e.site, e.version, n.id as notice_id, n.title, n.url,
                      coalesce(n.province, s.province) as province, n.body_normalized
               from events e left join notices n on n.id = e.notice_id left join sites s on s.name = e.site
               where e.routed_at is null order by e.id""")]

    def route_event(self, event_id: int, deliveries: list[dict], now: str) -> None:
        """Queue one delivery per (subscription, channel) for an event, once, and mark it routed."""
        with self._transaction():
            self.db["deliveries"].insert_all(
                ({"event_id": event_id, "status": "pending", "attempts": 0, "created_at": now,
                  "next_attempt_at": now, **d} for d in deliveries), ignore=True)
            self.db["events"].update(event_id, {"routed_at": now})

    def due_deliveries(self, now: str, stale_before: str) -> list[dict]:
        """Deliveries not yet sent whose next attempt is due, and not being sent by another pass
        (unless that pass claimed them before ``stale_before``: it died before it could say)."""
        return list(self.db["deliveries"].rows_where(DUE, {"now": now, "stale": stale_before}, order_by="id"))

    def claim_deliveries(self, delivery_ids: list[int], now: str, stale_before: str) -> list[int]:
        """Take deliveries for sending: those of ``delivery_ids`` still due become ``sending``, in
        one write transaction, so two passes (two `crawler alert` at once) never send the same one.
        Returns the ids this pass took."""
        params = {"now": now, "stale": stale_before, **{f"id{i}": d for i, d in enumerate(delivery_ids)}}
        marks = ", ".join(f":id{i}" for i in range(len(delivery_ids)))
        with self._transaction():
            taken = [r[0] for r in self.db.execute(
                f"select id from deliveries where id in ({marks}) and {DUE}", params)]
            for delivery_id in taken:
                self.db.execute("update deliveries set status = 'sending', claimed_at = ? where id = ?",
                                [now, delivery_id])
        return taken

    def last_sent(self, subscription: str, channel_key: str) -> str | None:
        """When a (subscription, channel) last got a message."""
        row = self.db.execute("select max(sent_at) from deliveries where subscription = ? and channel_key = ?"
                              " and status = 'sent'", [subscription, channel_key]).fetchone()
        return row[0] if row else None

    def mark_sent(self, delivery_ids: list[int], now: str) -> None:
        """Record successful sends: they are never sent again."""
        with self._transaction():
            for delivery_id in delivery_ids:
                self.db.execute("update deliveries set status = 'sent', sent_at = ?, attempts = attempts + 1,"
                                " last_error = null where id = ?", [now, delivery_id])

    def mark_failed(self, delivery_ids: list[int], error: str, retry_at: str) -> None:
        """Record failed sends (the error carries no secret) and when to try again."""
        with self._transaction():
            for delivery_id in delivery_ids:
                self.db.execute("update deliveries set status = 'failed', attempts = attempts + 1,"
                                " last_error = ?, next_attempt_at = ? where id = ?", [error, retry_at, delivery_id])

    def event_context(self, event_id: int) -> dict:
        """What a message about an event says: the notice, its issuer and date, every site carrying
        its story, the version's diff, and the story's list (``clusters``: its names, ``list_*``: the
        copy holding it; see ``story_list``)."""
        event = dict(next(self.db.query("select * from events where id = ?", [event_id])))
        context = {"event_id": event_id, "kind": event["kind"], "site": event["site"], "reason": event["reason"]}
        if event["notice_id"] is None:  # about a site: its title and the state its run left it in
            site = self.db.execute("select title from sites where name = ?", [event["site"]]).fetchone()
            state = self.db.execute("select state from site_health where run_id = ? and site = ?",
                                    [event["run_id"], event["site"]]).fetchone()
            context.update(site_title=site[0] if site else None, state=state[0] if state else None)
            return context
        notice = next(self.db["notices"].rows_where("id = ?", [event["notice_id"]]))
        version = next(self.db["versions"].rows_where(
            "notice_id = ? and version = ?", [notice["id"], event["version"]]), {})
        copies = list(self.db.query(
            "select n.id, n.current_version, n.url, n.title, n.issuer, coalesce(s.title, n.site) as site_title,"
            " s.kind from notices n"
            " left join sites s on s.name = n.site where n.story_id = ? order by n.id",
            [notice["story_id"] or notice["id"]]))
        # The issuing bureau's own copy names the notice and its issuer best; else this copy's, in Simplified.
        primary = next((c for c in copies if c["kind"] == "bureau"), None)
        title = primary["title"] if primary else to_simplified(notice["title"] or "")
        context.update(title=title, url=primary["url"] if primary else notice["url"],
                       issuer=(primary or {}).get("issuer") or to_simplified(notice["issuer"] or "") or None,
                       source=notice["source"],
                       published_at=notice["published_at"], body_normalized=notice["body_normalized"],
                       diff=version.get("diff"), sites=[(c["site_title"], c["url"]) for c in copies],
                       notice_id=notice["id"], version=event["version"])
        held = story_list(self.db, copies, notice["id"], event["version"])
        context.update(clusters=held["names"] if held else [], list_notice_id=held and held["notice_id"],
                       list_version=held and held["version"], list_site=held and held["site_title"],
                       list_url=held and held["url"])
        return context

    def site_health(self) -> list[dict]:
        """Per site: its state after its last run and why (see :mod:`crawler.store.health`), when
        its listing was last read, how many runs since then could not read it, and the last error."""
        found, states = [], health.latest(self.db)
        for (site,) in self.db.execute("select distinct site from fetches where role = 'listing' order by site"):
            read_per_run = self.db.execute(
                "select max(outcome = 'listed') from fetches where site = ? and role = 'listing'"
                " group by run_id order by run_id desc", [site]).fetchall()
            failing = next((i for i, (ok,) in enumerate(read_per_run) if ok), len(read_per_run))
            last_ok = self.db.execute("select max(fetched_at) from fetches where site = ? and role = 'listing'"
                                      " and outcome = 'listed'", [site]).fetchone()[0]
            error = self.db.execute("select error from fetches where site = ? and outcome in"
                                    " ('error', 'blocked', 'empty') order by id desc limit 1", [site]).fetchone()
            found.append({"site": site, "last_success": last_ok, "failing_runs": failing,
                          "last_error": error[0] if error else None, "state": None, "reason": None,
                          **{k: v for k, v in states.get(site, {}).items() if k in ("state", "reason")}})
        return found
