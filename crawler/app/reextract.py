"""Re-running extraction on stored snapshots, offline: new versions only where the result changed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from crawler.detail_pages import attachments_to_read, build_page
from crawler.downloader.outcomes import Outcome
from crawler.extract.pool import ExtractionPool
from crawler.records import AttachmentFile, DetailPage, FetchOutcome, utc_now
from crawler.roster_files import read_download
from crawler.settings import CRAWLER_ATTACHMENT_MAXSIZE
from crawler.site import Site
from crawler.siteconf import load_sites
from crawler.store import Store


def _kept_files(store: Store, page: DetailPage, site: Site | None, notice: dict) -> None:
    """A roster notice's attachments read again from the files kept with its current version. An
    attachment with no kept file counts as a failed download: the store keeps what was read from
    it before, or leaves the roster unjudged until a crawl downloads it."""
    kept = {row["url"]: (row, data) for row, data in store.stored_files(notice["id"], notice["current_version"])}
    for attachment in attachments_to_read(page, site):
        row, data = kept.get(attachment.url, (None, None))
        if data:
            page.files.append(
                read_download(attachment, data, site.province_name if site else None, CRAWLER_ATTACHMENT_MAXSIZE)
            )
        elif row and row["status"] in ("failed", "refused"):  # never downloaded: as recorded then
            page.files.append(AttachmentFile(attachment.name, attachment.url, row["status"], reason=row["reason"]))
        else:
            page.files.append(AttachmentFile(attachment.name, attachment.url, "failed", reason="file not kept"))


async def _reextract(store: Store, sites: dict[str, Site]) -> dict[str, int]:
    counts = {"unchanged": 0, "stored": 0, "skipped": 0, "refused": 0}
    extraction = ExtractionPool(0)
    run_id = store.start_run([])  # it reads no site: its fetches say role 'reextract'
    for stored in store.current_pages():
        notice, version, raw = stored["notice"], stored["version"], stored["raw"]
        if raw is None:
            counts["skipped"] += 1
            continue
        site = sites.get(notice["site"])
        fetch = FetchOutcome(
            site=notice["site"],
            url=notice["url"],
            role="reextract",
            outcome=Outcome.STORED,
            fetched_at=utc_now(),
            bytes=len(raw),
        )
        # The listing's title and date as the crawl passed them (no title for a version stored
        # before versions kept it); the validators the notice holds stay its own.
        page = await build_page(
            site,
            fetch,
            raw,
            stored["content_type"],
            listing_title=version["listing_title"],
            listing_date=json.loads(version["dates"] or "{}").get("list"),
            extraction=extraction,
            validators={"etag": notice["etag"], "last_modified": notice["last_modified"]},
        )
        if page is None:  # no longer read as a notice: the stored version stays
            store.record_fetch(run_id, fetch)
            counts["refused"] += 1
            continue
        _kept_files(store, page, site, notice)
        counts[store.save_page(run_id, page)] += 1
    store.finish_run(run_id)
    return counts


def reextract(db_path: Path) -> dict[str, int]:
    """Extract every notice again from the snapshot of its current version with today's
    extractor and site definitions, as the crawl does (with the title and date its listing
    showed); store the result like a fetch (one run, role ``reextract``). Returns counts of
    ``unchanged``, ``stored`` (a new version), ``skipped`` (no snapshot) and ``refused`` (the
    page no longer holds a notice by today's extractor: the stored version stays)."""
    with Store(db_path) as store:
        return asyncio.run(_reextract(store, load_sites()))
