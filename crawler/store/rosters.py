"""A list notice's roster as the store keeps it: the entries of a version (from its attachments, else
its body) with their places, the hash under which two versions hold the same list, the diff that
names what changed, which copy of a story holds the list its messages carry, the store's part that
writes them, and the ``divisions`` table their places point to."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from dataclasses import astuple, dataclass
from pathlib import Path

from sqlite_utils import Database

from crawler.records import AttachmentFile, DetailPage
from crawler.rosters.divisions import division_table, places_digest
from crawler.rosters.places import locate
from crawler.site import province_name

RENAME_RATIO = 0.6  # a dropped and an added name this alike (same place) are one cluster renamed
FILE_SUFFIXES = frozenset({"xlsx", "xls", "et", "docx", "doc", "wps", "pdf", "ofd", "zip", "html", "text"})
DIVISION_COLUMNS = {
    "adcode": str,
    "name": str,
    "level": str,
    "province": str,
    "prefecture": str,
    "latitude": float,
    "longitude": float,
    "point": str,
}


@dataclass
class RosterRecord:
    """What a version's list is: one row per entry (source = ``body`` or the attachment's name),
    the attachments as recorded, and the hash that compares lists as sets — None while an
    attachment was never downloaded, so that a list read in part is never compared."""

    entries: list[dict]
    files: list[AttachmentFile]
    list_hash: str | None


def roster_record(page: DetailPage, earlier: dict[str, dict], earlier_entries: dict[str, list[dict]]) -> RosterRecord:
    """The list of a fetched list notice. An attachment that could not be downloaded keeps what
    its earlier download gave (``earlier``: attachment rows by URL, ``earlier_entries``: their
    entries), so a failed download is never a change of the list."""
    entries: list[dict] = []
    files: list[AttachmentFile] = []
    opaque: list[str] = []  # files read as no list (unparsed, empty): compared by their bytes
    complete = True
    for file in page.files:
        if file.status == "failed" and earlier.get(file.url, {}).get("status", "failed") != "failed":
            row = earlier[file.url]
            files.append(
                AttachmentFile(
                    file.name,
                    file.url,
                    row["status"],
                    reason=f"kept from an earlier download; this one failed: {file.reason}",
                    file_type=row["type"],
                )
            )
            entries.extend(earlier_entries.get(file.url, []))
            if not earlier_entries.get(file.url) and row.get("sha256"):
                opaque.append(row["sha256"])
            continue
        files.append(file)
        complete = complete and file.status != "failed"
        if file.entries:
            entries.extend({"source": file.name, "url": file.url, **_entry(e)} for e in file.entries)
        elif file.data:
            opaque.append(hashlib.sha256(file.data).hexdigest())
    if not entries:  # no list in the attachments: the list printed in the body, if any
        entries = [{"source": "body", "url": None, **_entry(e)} for e in page.body_entries]
    # One list is often published twice (附件1 PDF, 附件2 Excel): each entry once, first as read.
    unique: dict[str, dict] = {}
    for entry in entries:
        unique.setdefault(entry["name_normalized"], entry)
    entries = list(unique.values())
    key = {"names": sorted({e["name_normalized"] for e in entries}), "files": sorted(opaque)}
    digest = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()
    return RosterRecord(entries, files, digest if complete else None)


def _entry(entry) -> dict:
    return {
        "seq": entry.seq,
        "name": entry.name,
        "name_normalized": entry.name_normalized,
        "province": entry.province,
        "city": entry.city,
        "county": entry.county,
        "industry": entry.industry,
    }


def adcode(province: str | None, city: str | None, county: str | None) -> str | None:
    """The ``divisions`` row of an entry with these columns (see :func:`crawler.rosters.places.locate`)."""
    place = locate(province, city, county)
    return place.adcode if place else None


def divisions_outdated(db: Database) -> bool:
    """True when the entries' places were not resolved with the shipped divisions.csv and
    former_names.csv (``places_source`` holds the digest of the files they were resolved with)."""
    if not db["places_source"].exists():
        return True
    held = db.execute("select sha256 from places_source").fetchone()
    return held is None or held[0] != places_digest()


def sync_places(db: Database) -> None:
    """Make ``divisions`` the shipped table and give every entry of ``clusters`` and
    ``list_entries`` the adcode its province, city and county resolve to with it (None when they
    settle no place); only rows whose adcode changes are written."""
    db["divisions"].create(DIVISION_COLUMNS, pk="adcode", if_not_exists=True)
    db.execute("delete from divisions")
    db["divisions"].insert_all(dict(zip(DIVISION_COLUMNS, astuple(d))) for d in division_table())
    db["places_source"].insert({"id": 1, "sha256": places_digest()}, pk="id", replace=True)
    for table in ("clusters", "list_entries"):
        rows = db.execute(f"select id, province, city, county, adcode from {table}").fetchall()
        changed = [(code, id_) for id_, *names, held in rows if (code := adcode(*names)) != held]
        db.conn.executemany(f"update {table} set adcode = ? where id = ?", changed)


def roster_diff(before: list[str], after: list[str]) -> str:
    """What changed between two lists of names, as a set: ``~ old → new`` for a renamed entry,
    ``- name`` for a dropped one, ``+ name`` for an added one; order and numbering do not count."""
    dropped = [n for n in dict.fromkeys(before) if n not in set(after)]
    added = [n for n in dict.fromkeys(after) if n not in set(before)]
    lines = []
    for old in list(dropped):
        match = max(added, key=lambda new: difflib.SequenceMatcher(None, old, new).ratio(), default=None)
        if match and difflib.SequenceMatcher(None, old, match).ratio() >= RENAME_RATIO:
            lines.append(f"~ 名单：{old} → {match}")
            dropped.remove(old)
            added.remove(match)
    lines += [f"- 名单：{n}" for n in dropped] + [f"+ 名单：{n}" for n in added]
    if lines:
        lines.insert(0, f"名单变化：{len(before)} → {len(after)} 项")
    return "\n".join(lines)


def story_roster(db: Database, copies: list[dict], notice_id: int, version: int) -> dict | None:
    """The cluster list a message about a story carries: that of the copy holding one — read from
    its attachments rather than its body, the bureau's rather than a republisher's, else the first
    copy's (the rule of the ``new_cluster_lists`` query). ``copies``: the story's notices in id order
    (``id``, ``current_version``, ``kind`` of their site, ``site_title``, ``url``); this notice's
    list is that of ``version``, the others' their current one. None when no copy holds a list
    yet. The result: ``names``, ``notice_id``, ``version``, ``site_title`` and ``url``."""
    best, best_rank = None, None
    for copy in copies:
        held = version if copy["id"] == notice_id else copy["current_version"]
        rows = db.execute(
            "select name, source from clusters where notice_id = ? and version = ? order by id", [copy["id"], held]
        ).fetchall()
        if not rows:
            continue
        from_attachment = any(row[1] != "body" for row in rows)
        rank = (from_attachment, copy.get("kind") == "bureau")
        if best_rank is None or rank > best_rank:
            best, best_rank = (
                {
                    "names": [row[0] for row in rows],
                    "notice_id": copy["id"],
                    "version": held,
                    "site_title": copy.get("site_title"),
                    "url": copy.get("url"),
                },
                rank,
            )
    return best


class Rosters:
    """The store's rosters: a list notice's attachments (their bytes under data/attachments/) and
    entries per version (a part of :class:`crawler.store.Store`)."""

    def _roster_arrives(self, story_id: int, record: RosterRecord | None) -> bool:
        """True when ``record`` is a whole list read for a story whose ``new`` or ``changed`` event
        went out (was routed) while none of its copies held a list: its message said the list was
        not read, and this list must reach the subscribers. (An event not yet routed will carry the
        story's list when its message is composed.)"""
        if not record or not record.entries or not record.list_hash:
            return False
        held = self.db.execute(
            "select exists(select 1 from notices n join clusters c on c.notice_id = n.id and c.version = n.current_version"
            " where n.story_id = :s) or exists(select 1 from notices n join list_entries l on l.notice_id = n.id"
            " and l.version = n.current_version where n.story_id = :s)",
            {"s": story_id},
        ).fetchone()[0]
        alerted = self.db.execute(
            "select exists(select 1 from events e join notices n on n.id = e.notice_id"
            " where n.story_id = ? and e.kind in ('new', 'changed') and e.routed_at is not null)",
            [story_id],
        ).fetchone()[0]
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

    def _roster_record(self, page: DetailPage, before: dict | None) -> RosterRecord:
        earlier, earlier_entries = {}, {}
        if before:
            for row in self.db["attachments"].rows_where(
                "notice_id = ? and version = ?", [before["notice_id"], before["version"]]
            ):
                earlier[row["url"]] = row
            for row in self._entries(before["notice_id"], before["version"]):
                if row["url"]:
                    earlier_entries.setdefault(row["url"], []).append(
                        {
                            k: row[k]
                            for k in (
                                "source",
                                "url",
                                "seq",
                                "name",
                                "name_normalized",
                                "province",
                                "city",
                                "county",
                                "industry",
                            )
                        }
                    )
        return roster_record(page, earlier, earlier_entries)

    def stored_files(self, notice_id: int, version: int) -> list[tuple[dict, bytes | None]]:
        """A version's attachment rows with their kept bytes (None when not kept or gone)."""
        files = []
        for row in self.db["attachments"].rows_where(
            "notice_id = ? and version = ?", [notice_id, version], order_by="id"
        ):
            path = self.path.parent / row["path"] if row["path"] else None
            files.append((row, path.read_bytes() if path and path.is_file() else None))
        return files

    def _entries(self, notice_id: int, version: int) -> list[dict]:
        """A version's list entries, from ``clusters`` or ``list_entries`` (whichever its kind chose)."""
        return [
            dict(r)
            for r in self.db.query(
                "select source, url, seq, name, name_normalized, province, city, county, industry from clusters"
                " where notice_id = :n and version = :v union all"
                " select source, url, seq, name, name_normalized, province, city, county, null from list_entries"
                " where notice_id = :n and version = :v order by seq",
                {"n": notice_id, "v": version},
            )
        ]

    def _roster_names(self, notice_id: int, version: int) -> list[str]:
        return [row["name_normalized"] for row in self._entries(notice_id, version)]

    def _save_roster(self, notice_id: int, version: int, page: DetailPage, record: RosterRecord, now: str) -> None:
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
            {
                "notice_id": notice_id,
                "version": version,
                "name": f.name,
                "url": f.url,
                "sha256": hashlib.sha256(f.data).hexdigest() if f.data else None,
                "size": len(f.data) or None,
                "type": f.file_type,
                "status": f.status,
                "reason": f.reason,
                "entries": counts.get(f.url, 0),
                "path": str(path.relative_to(self.path.parent)) if (path := self._file_path(f)) else None,
                "fetched_at": now,
                "etag": f.etag,
                "last_modified": f.last_modified,
            }
            for f in record.files
        )
        rows = [
            {
                "notice_id": notice_id,
                "version": version,
                **entry,
                "province": entry["province"] or default_province,
                "adcode": adcode(entry["province"] or default_province, entry["city"], entry["county"]),
                "level": kind.level,
                "year": kind.year,
                "stage": kind.stage,
                "subject": kind.subject,
            }
            for entry in record.entries
        ]
        if not kind.is_cluster_list:  # firms and other entities: no industry to split from their names
            rows = [{k: v for k, v in row.items() if k != "industry"} for row in rows]
        self.db["clusters" if kind.is_cluster_list else "list_entries"].insert_all(rows)
        self.db["versions"].update(
            self.db.execute(
                "select id from versions where notice_id = ? and version = ?", [notice_id, version]
            ).fetchone()[0],
            {"list_hash": record.list_hash},
        )
