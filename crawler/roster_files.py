"""Which attachments of a roster notice are downloaded, and what a download came to (its roster read)."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.downloader.outcomes import not_a_page
from crawler.extract.attachments import Attachment
from crawler.records import AttachmentFile
from crawler.rosters import parse_attachment

# Files that may hold a list; archives, slides and images are left alone.
LIST_FILE_TYPES = frozenset({"xlsx", "xls", "et", "docx", "doc", "wps", "pdf", "ofd", "csv", "txt", None})
MAX_FILES = 10  # per notice


def wanted_attachments(attachments: list[Attachment], hosts: tuple[str, ...]) -> list[Attachment]:
    """The attachments worth downloading for their list: on the site's own hosts (a link leaving
    the site is not followed), of a type that may hold a list, at most ``MAX_FILES``."""
    wanted, seen = [], set()
    for attachment in attachments:
        host = (urlsplit(attachment.url).hostname or "").lower()
        on_site = any(host == h or host.endswith("." + h) for h in hosts)
        if on_site and attachment.file_type in LIST_FILE_TYPES and attachment.url not in seen:
            wanted.append(attachment)
            seen.add(attachment.url)
    return wanted[:MAX_FILES]


def read_download(attachment: Attachment, body: bytes, province: str | None, max_bytes: int) -> AttachmentFile:
    """The downloaded bytes of an attachment, checked and parsed into list entries. A challenge or
    an empty answer is a failed download, never an empty list."""
    problem = not_a_page(body)
    if problem is not None:
        return AttachmentFile(attachment.name, attachment.url, "failed", reason=problem.reason)
    parsed = parse_attachment(body, attachment.name, province=province, max_bytes=max_bytes)
    keep = parsed.status != "refused"
    return AttachmentFile(
        attachment.name,
        attachment.url,
        parsed.status,
        data=body if keep else b"",
        reason=parsed.reason,
        file_type=parsed.file_type,
        entries=tuple(parsed.entries),
    )
