"""Records that cross layers: what a fetch came to, a fetched detail page with its notice, and a
stored notice as the spider knows it before it fetches."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crawler.extract import Notice, SiteHints, extract_notice
from crawler.kinds import NoticeKind

SNAPSHOT_LEVEL = 6  # zlib level of the raw pages the store keeps


def utc_now() -> str:
    """The current time, ISO 8601 in UTC with its offset."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class FetchOutcome:
    """One request and what came of it. ``outcome`` is one of ``listed`` (a listing page read),
    ``stored`` / ``unchanged`` (a detail page, set by the store; an attachment checked on revisit),
    ``downloaded`` / ``replaced`` (an attachment read; found to be another file), ``empty`` (no notice text),
    ``blocked`` (anti-bot answer), ``missing`` (404/410), ``error`` (anything else). A listing or
    detail page read through a fallback has ``via = "fallback"`` and says why in ``drift``."""

    site: str
    url: str
    role: str
    outcome: str
    status: int | None = None
    error: str | None = None
    fetched_at: str = ""
    elapsed_ms: int | None = None
    bytes: int | None = None
    # How the page was read: ``definition`` (the adapter and selectors of the site definition) or
    # ``fallback`` (structure found the links, or generic extraction stood in for a selector that
    # matched nothing); ``drift`` names what of the definition failed.
    via: str | None = None
    drift: str | None = None


@dataclass
class AttachmentFile:
    """An attachment of a list notice and what its download came to: ``status`` is ``parsed``,
    ``empty``, ``unparsed``, ``refused`` (hostile or over the cap) or ``failed`` (not downloaded)."""

    name: str
    url: str
    status: str
    data: bytes = b""
    reason: str | None = None
    file_type: str | None = None
    entries: tuple = ()  # crawler.rosters.Entry
    etag: str | None = None  # validators of the download, for a conditional check on revisit
    last_modified: str | None = None


@dataclass
class DetailPage:
    """A detail page that yielded a notice, with the fetch it came from and its raw bytes."""

    site: str
    notice: Notice
    fetch: FetchOutcome
    raw: bytes = b""
    content_type: str | None = None
    validators: dict = field(default_factory=dict)  # etag, last_modified of the response
    kind: NoticeKind = field(default_factory=lambda: NoticeKind("other"))
    files: list[AttachmentFile] = field(default_factory=list)  # a list notice's downloaded attachments
    body_entries: list = field(default_factory=list)  # a list printed in the body (crawler.rosters.Entry)
    packed: tuple[str, bytes] | None = None  # pack_raw(raw), when it was computed beside the extraction
    listing_title: str | None = None  # the title the listing showed for the notice (kept with a new version)


def pack_raw(raw: bytes) -> tuple[str, bytes]:
    """A raw page as the store keeps it: its sha256 (hex) and its zlib-compressed bytes."""
    return hashlib.sha256(raw).hexdigest(), zlib.compress(raw, SNAPSHOT_LEVEL)


def extract_detail(
    url: str, body: bytes, hints: SiteHints | None, *, pack: bool, **kwargs
) -> tuple[Notice, tuple[str, bytes] | None]:
    """``extract_notice(url, body, hints, **kwargs)`` and, when ``pack``, ``pack_raw(body)``: the pure
    work on a detail page, which the crawl hands to a worker process in one call."""
    notice = extract_notice(url, body, hints, **kwargs)
    return notice, pack_raw(body) if pack and not notice.error else None


@dataclass
class ListingPage:
    """A listing page that was read, with the notices it lists as (url, list date or None)."""

    site: str
    fetch: FetchOutcome
    entries: list[tuple[str, str | None]]
    page: int | None = None  # 1 for the first listing page, 2 for the next …


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


@dataclass(frozen=True)
class KnownFile:
    """An attachment of a stored list notice's current version, as its last download left it."""

    url: str
    name: str
    sha256: str | None
    etag: str | None = None
    last_modified: str | None = None

    def conditional_headers(self) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the last download."""
        return _conditional(self.etag, self.last_modified)

    def same_bytes(self, body: bytes) -> bool:
        """True when ``body`` is the file last downloaded."""
        return bool(self.sha256) and hashlib.sha256(body).hexdigest() == self.sha256


@dataclass(frozen=True)
class KnownNotice:
    """A stored notice as the spider needs it (read by :mod:`crawler.store.known`)."""

    url: str
    status: str
    published_at: str | None
    last_seen_at: str | None
    etag: str | None
    last_modified: str | None
    files: tuple[KnownFile, ...] = ()  # a list notice's attachments: checked when its page is unchanged
    raw_sha256: str | None = None  # of the bytes of the last answer read

    def same_bytes(self, body: bytes) -> bool:
        """True when ``body`` is byte for byte the last answer read (a site without validators
        sends the same page again): nothing to extract."""
        return bool(self.raw_sha256) and hashlib.sha256(body).hexdigest() == self.raw_sha256

    def conditional_headers(self) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the last successful fetch."""
        return _conditional(self.etag, self.last_modified)
