"""Re-running extraction on stored snapshots, offline: new versions only where the result changed."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.extract import SiteHints, extract_notice
from crawler.extract.encoding import decode_html
from crawler.kinds import classify
from crawler.rosters import entries_from_body
from crawler.records import AttachmentFile, DetailPage, FetchOutcome, utc_now
from crawler.settings import CRAWLER_ATTACHMENT_MAXSIZE
from crawler.siteconf import load_sites
from crawler.spiders.files import read_download, wanted_attachments
from crawler.store import Store


def _list_page(store: Store, page: DetailPage, notice: dict, hosts: tuple[str, ...], province: str | None) -> None:
    """A list notice's entries read again from its body and its kept attachments. An attachment
    with no kept file counts as a failed download: the store keeps what was read from it before,
    or leaves the list unjudged until a crawl downloads it."""
    html = decode_html(page.raw, page.content_type)[0]
    page.body_entries = entries_from_body(page.notice.body, html, province=province)
    kept = {row["url"]: (row, data) for row, data in store.stored_files(notice["id"], notice["current_version"])}
    for attachment in wanted_attachments(list(page.notice.attachments), hosts):
        row, data = kept.get(attachment.url, (None, None))
        if data:
            page.files.append(read_download(attachment, data, province, CRAWLER_ATTACHMENT_MAXSIZE))
        elif row and row["status"] in ("failed", "refused"):  # never downloaded: as recorded then
            page.files.append(AttachmentFile(attachment.name, attachment.url, row["status"], reason=row["reason"]))
        else:
            page.files.append(AttachmentFile(attachment.name, attachment.url, "failed", reason="file not kept"))


def reextract(db_path: Path) -> dict[str, int]:
    """Extract every notice again from the snapshot of its current version with today's
    extractor and site definitions; store the result like a fetch (one run, role ``reextract``).
    Returns counts of ``unchanged``, ``stored`` (a new version) and ``skipped`` (no snapshot)."""
    sites = load_sites()
    counts = {"unchanged": 0, "stored": 0, "skipped": 0}
    store = Store(db_path)
    try:
        run_id = store.start_run([])  # it reads no site: its fetches say role 'reextract'
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
            page = DetailPage(notice["site"], extracted, fetch, raw, content_type,
                              kind=classify(extracted.title, extracted.issuer))
            if page.kind.is_list:
                _list_page(store, page, notice, site.hosts if site else (), site.province_name if site else None)
            outcome = store.save_page(run_id, page)
            counts[outcome] += 1
        store.finish_run(run_id)
    finally:
        store.close()
    return counts
