"""`crawler merge`: shard databases (or their exports, fetched over HTTP) gathered into the central
database, the one store, so that it holds what one machine crawling every site would have written.

Each shard's versions since its cursor are replayed in order of observation across the shards:
rebuilt from the shard's raw page and attachment bytes, as `crawler reextract` rebuilds a page,
and handed to the central store's ``save_page``, which decides stories, ``new``/``changed``
events and lists as it does for a crawl. What a site does alone (runs, fetches, listings, site
health, removals, sightings) is copied. A version replayed again is ``unchanged`` (no version, no
event), and cursors kept in the central database (per shard identity, which survives copying the
file) make a second merge take nothing; every page and its cursor commit together, so a merge
killed half-way is completed by the next."""

from __future__ import annotations

import asyncio
import heapq
import json
import logging
import shutil
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from crawler.app.locks import run_lock
from crawler.detail_pages import attachments_to_read, build_page
from crawler.downloader.outcomes import Outcome
from crawler.extract.pool import ExtractionPool
from crawler.records import AttachmentFile, DetailPage, FetchOutcome
from crawler.roster_files import read_download
from crawler.settings import CRAWLER_ATTACHMENT_MAXSIZE
from crawler.site import Site
from crawler.siteconf import load_sites
from crawler.store import Store
from crawler.store.base import StorageError
from crawler.store.merges import PendingVersion, ShardFile, export_copy

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 300  # seconds for a shard file fetched over HTTP
BATCH_SECONDS = 2.0  # replayed pages committed together (each page with its cursor stays atomic)


class MergeError(ValueError):
    """A source that cannot be merged (missing, not a database, the central database itself)."""


@dataclass
class ShardMerge:
    """What one shard gave: its identity and sites, the versions replayed (``stored``: a new version
    centrally, ``unchanged``, ``skipped``: no snapshot or no notice), lists completed later, and the
    rows copied per table."""

    source: str
    store_id: str
    sites: list[str]
    stored: int = 0
    unchanged: int = 0
    skipped: int = 0
    lists: int = 0
    runs: int = 0
    copied: dict[str, int] = field(default_factory=dict)

    @property
    def replayed(self) -> int:
        return self.stored + self.unchanged + self.skipped


@dataclass
class MergeReport:
    """A finished merge: per shard what it gave, the events it made centrally and how long it took."""

    central_db: Path
    shards: list[ShardMerge]
    events: dict[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        """Rows written in all: versions replayed, lists completed, runs, and rows copied."""
        return sum(s.replayed + s.lists + s.runs + sum(s.copied.values()) for s in self.shards)

    def summary(self) -> str:
        lines = []
        for s in self.shards:
            copied = ", ".join(f"{n} {table}" for table, n in s.copied.items() if n) or "nothing new"
            lines.append(
                f"{s.source} (shard {s.store_id[:8]}, {len(s.sites)} site(s)): {s.stored} version(s) stored,"
                f" {s.unchanged} unchanged, {s.skipped} skipped, {s.lists} list(s) completed; copied {copied}"
            )
        events = ", ".join(f"{n} {kind}" for kind, n in sorted(self.events.items())) or "no event"
        lines.append(
            f"merged {len(self.shards)} shard(s) into {self.central_db} in {self.seconds:.1f} s: {events}"
            " (undelivered: `crawler alert` sends them)"
        )
        return "\n".join(lines)


@contextmanager
def _local_copy(source: str, workdir: Path) -> Iterator[Path]:
    """The shard file of ``source``: the path itself, or an http(s) URL downloaded into ``workdir``."""
    if source.startswith(("http://", "https://")):
        target = workdir / f"shard-{len(list(workdir.iterdir()))}.db"
        try:
            with urllib.request.urlopen(source, timeout=DOWNLOAD_TIMEOUT) as answer, open(target, "wb") as out:
                shutil.copyfileobj(answer, out)
        except OSError as exc:
            raise MergeError(f"could not download {source}: {exc}") from None
        yield target
        return
    path = Path(source)
    if not path.is_file():
        raise MergeError(f"no shard database at {source}")
    yield path


def _open_shard(path: Path, source: str) -> ShardFile:
    """The shard, brought to this crawler's schema first (an older shard gains its identity)."""
    try:
        with Store(path):
            pass
        return ShardFile(path, source)
    except StorageError:  # readable but not writable (a full disk, a read-only file): it cannot be upgraded
        raise
    except Exception as exc:  # a file that is no SQLite database, or a newer one
        raise MergeError(f"{source} is not a shard database this crawler can read: {exc}") from None


def _files(material: dict, page: DetailPage, site: Site | None) -> list[AttachmentFile]:
    """A roster notice's attachments as the shard read them: parsed again from the bytes it kept;
    one it never downloaded (or refused) as recorded then."""
    kept = {row["url"]: (row, data) for row, data in material["files"]}
    files = []
    for attachment in attachments_to_read(page, site):
        row, data = kept.get(attachment.url, (None, None))
        if data:
            file = read_download(attachment, data, site.province_name if site else None, CRAWLER_ATTACHMENT_MAXSIZE)
            file.etag, file.last_modified = row["etag"], row["last_modified"]
        elif row and row["status"] in ("failed", "refused"):
            file = AttachmentFile(attachment.name, attachment.url, row["status"], reason=row["reason"])
        else:
            file = AttachmentFile(attachment.name, attachment.url, "failed", reason="file not kept")
        files.append(file)
    return files


async def _rebuild(
    shard: ShardFile, version_id: int, sites: dict[str, Site], extraction: ExtractionPool
) -> DetailPage | None:
    """A shard version as the crawl's pipeline handed it to the store: its raw page extracted with
    the title and date its listing showed, its attachments from the bytes the shard kept."""
    material = shard.version_page(version_id)
    if material is None:
        return None
    notice, version = material["notice"], material["version"]
    site = sites.get(notice["site"])
    fetch = FetchOutcome(
        site=notice["site"],
        url=notice["url"],
        role="merge",
        outcome=Outcome.STORED,
        fetched_at=version["observed_at"],
        bytes=len(material["raw"]),
    )
    page = await build_page(
        site,
        fetch,
        material["raw"],
        material["content_type"],
        listing_title=version["listing_title"],
        listing_date=json.loads(version["dates"] or "{}").get("list"),
        extraction=extraction,
        validators={"etag": notice["etag"], "last_modified": notice["last_modified"]},
    )
    if page is not None:
        page.files = _files(material, page, site)
    return page


async def _replay(store: Store, shards: list[ShardFile], merges: dict[str, ShardMerge]) -> None:
    sites = load_sites()
    extraction = ExtractionPool(0)
    cursors = {shard.identity: store.merge_cursor(shard.identity)["version_id"] for shard in shards}
    # One sequence per shard in the order it stored its versions, interleaved by observation time:
    # the order one machine would have stored them in (as far as the clocks tell).
    pending: Iterator[PendingVersion] = heapq.merge(
        *(shard.pending(cursors[shard.identity]) for shard in shards), key=lambda p: p.observed_at
    )
    for item in pending:
        shard = item.shard
        page = await _rebuild(shard, item.version_id, sites, extraction)
        run_id = store.merged_run(shard.identity, shard.version_run(item.version_id))
        outcome = store.replay_version(shard, item.version_id, page, run_id)
        setattr(merges[shard.identity], outcome, getattr(merges[shard.identity], outcome) + 1)
    for shard in shards:  # lists read whole after their version was merged: as a revisit stores them
        for version_id, shard_run in store.lists_to_complete(shard):
            page = await _rebuild(shard, version_id, sites, extraction)
            if page is not None:
                store.replay_version(shard, version_id, page, store.merged_run(shard.identity, shard_run))
                merges[shard.identity].lists += 1


def merge_shards(sources: list[str], central_db: Path) -> MergeReport:
    """Merge the shard databases ``sources`` (paths, or http(s) URLs of exports, downloaded to a
    temporary file first) into ``central_db`` (created when missing), under a lock of the central
    database's own. A source given twice (the same identity) is merged once. Raises
    :class:`MergeError` for a source that cannot be merged, and
    :class:`crawler.app.locks.LockHeld` when another merge into ``central_db`` is running."""
    began = time.monotonic()
    central_db.parent.mkdir(parents=True, exist_ok=True)
    with (
        run_lock(central_db.parent / f".{central_db.stem}-merge.lock"),
        ExitStack() as stack,
        closing(Store(central_db, batch_seconds=BATCH_SECONDS)) as store,
    ):
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="crawler-merge-")))
        central_id = store.identity()
        shards: list[ShardFile] = []
        for source in sources:
            path = stack.enter_context(_local_copy(source, workdir))
            if path.resolve() == central_db.resolve():
                raise MergeError(f"{source} is the central database itself")
            shard = _open_shard(path, source)
            stack.callback(shard.close)
            if shard.identity == central_id:
                raise MergeError(f"{source} is a copy of the central database {central_db}, not a shard")
            if any(s.identity == shard.identity for s in shards):
                log.warning("%s is the same shard as another source; merged once", source)
                continue
            shards.append(shard)
        merges = {s.identity: ShardMerge(s.source, s.identity, s.site_names()) for s in shards}
        last_event = store.db.execute("select coalesce(max(id), 0) from events").fetchone()[0]
        for shard in shards:
            merges[shard.identity].runs = store.take_shard_runs(shard)
        asyncio.run(_replay(store, shards, merges))
        store.flush()
        for shard in shards:
            merges[shard.identity].copied = store.take_shard_rows(shard)
        events = dict(
            store.db.execute("select kind, count(*) from events where id > ? group by kind", [last_event]).fetchall()
        )
    report = MergeReport(central_db, list(merges.values()), events, time.monotonic() - began)
    log.info("%s", report.summary())
    return report


def export_shard(shard_db: Path, dest: Path) -> None:
    """A self-contained copy of the shard database ``shard_db`` at ``dest``, to be fetched and
    merged elsewhere: consistent while a crawl writes (SQLite's ``VACUUM INTO``), with the bytes of
    its attachment files inside (table ``attachment_files``), and the shard's identity, so that
    merging every new export of one shard continues from where the last one stopped."""
    if not shard_db.is_file():
        raise MergeError(f"no shard database at {shard_db}")
    with Store(shard_db):  # this crawler's schema, and the shard's identity
        pass
    export_copy(shard_db, dest)
