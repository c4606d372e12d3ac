"""A list notice's list as the store keeps it: the entries of a version (from its attachments, else
its body), the hash under which two versions hold the same list, the diff that names what changed,
and which copy of a story holds the list its messages carry."""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass

from sqlite_utils import Database

from crawler.records import AttachmentFile, DetailPage

RENAME_RATIO = 0.6  # a dropped and an added name this alike (same place) are one cluster renamed


@dataclass
class ListRecord:
    """What a version's list is: one row per entry (source = ``body`` or the attachment's name),
    the attachments as recorded, and the hash that compares lists as sets — None while an
    attachment was never downloaded, so that a list read in part is never compared."""

    entries: list[dict]
    files: list[AttachmentFile]
    list_hash: str | None


def list_record(page: DetailPage, earlier: dict[str, dict], earlier_entries: dict[str, list[dict]]) -> ListRecord:
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
            files.append(AttachmentFile(file.name, file.url, row["status"], reason=f"kept from an earlier "
                                        f"download; this one failed: {file.reason}", file_type=row["type"]))
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
    return ListRecord(entries, files, digest if complete else None)


def _entry(entry) -> dict:
    return {"seq": entry.seq, "name": entry.name, "name_normalized": entry.name_normalized,
            "province": entry.province, "city": entry.city, "county": entry.county, "industry": entry.industry}


def list_diff(before: list[str], after: list[str]) -> str:
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


def story_list(db: Database, copies: list[dict], notice_id: int, version: int) -> dict | None:
    """The cluster list a message about a story carries: that of the copy holding one — read from
    its attachments rather than its body, the bureau's rather than a republisher's, else the first
    copy's (the rule of the ``new_cluster_lists`` query). ``copies``: the story's notices in id order
    (``id``, ``current_version``, ``kind`` of their site, ``site_title``, ``url``); this notice's
    list is that of ``version``, the others' their current one. None when no copy holds a list
    yet. The result: ``names``, ``notice_id``, ``version``, ``site_title`` and ``url``."""
    best, best_rank = None, None
    for copy in copies:
        held = version if copy["id"] == notice_id else copy["current_version"]
        rows = db.execute("select name, source from clusters where notice_id = ? and version = ? order by id",
                          [copy["id"], held]).fetchall()
        if not rows:
            continue
        from_attachment = any(row[1] != "body" for row in rows)
        rank = (from_attachment, copy.get("kind") == "bureau")
        if best_rank is None or rank > best_rank:
            best, best_rank = {"names": [row[0] for row in rows], "notice_id": copy["id"], "version": held,
                               "site_title": copy.get("site_title"), "url": copy.get("url")}, rank
    return best
