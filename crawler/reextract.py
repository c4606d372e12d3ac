"""Re-running extraction on stored snapshots, offline: new versions only where the result changed."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.extract import SiteHints, extract_notice
from crawler.records import DetailPage, FetchOutcome, utc_now
from crawler.siteconf import load_sites
from crawler.store import Store


def reextract(db_path: Path) -> dict[str, int]:
    """Extract every notice again from the snapshot of its current version with today's
    extractor and site definitions; store the result like a fetch (one run, role ``reextract``).
    Returns counts of ``unchanged``, ``stored`` (a new version) and ``skipped`` (no snapshot)."""
    sites = load_sites()
    counts = {"unchanged": 0, "stored": 0, "skipped": 0}
    store = Store(db_path)
    try:
        run_id = store.start_run(["reextract"])
        for notice in list(store.db["notices"].rows):
            current = next(store.db["versions"].rows_where(
                "notice_id = ? and version = ?", [notice["id"], notice["current_version"]], limit=1), None)
            raw = store.snapshot_bytes(current["snapshot"]) if current and current["snapshot"] else None
            if raw is None:
                counts["skipped"] += 1
                continue
            content_type = next(store.db["snapshots"].rows_where("sha256 = ?", [current["snapshot"]]))["content_type"]
            site = sites.get(notice["site"])
            list_date = json.loads(current["dates"] or "{}").get("list")
            extracted = extract_notice(notice["url"], raw, site.hints if site else SiteHints(),
                                       content_type=content_type, list_date=list_date)
            fetch = FetchOutcome(site=notice["site"], url=notice["url"], role="reextract", outcome="stored",
                                 fetched_at=utc_now(), bytes=len(raw))
            outcome = store.save_page(run_id, DetailPage(notice["site"], extracted, fetch, raw, content_type))
            counts[outcome] += 1
        store.finish_run(run_id)
    finally:
        store.close()
    return counts
