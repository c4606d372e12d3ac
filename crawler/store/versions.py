"""What makes a version: the content hash of a normalised notice, and a readable diff between two."""

from __future__ import annotations

import difflib
import hashlib
import json

from crawler.extract import Notice


def content_hash(notice: Notice) -> str:
    """sha256 of the normalised title, publish time, body and attachment list. Page chrome, the
    raw spelling (Traditional, glosses, widths) and the attachments' order do not count."""
    payload = {
        "title": notice.title_normalized or "",
        "published_at": notice.published_at or "",
        "body": notice.body_normalized,
        "attachments": sorted((a.name, a.url) for a in notice.attachments),
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def text_diff(before: str, after: str) -> str:
    """A unified line diff of two normalised bodies."""
    return "\n".join(
        difflib.unified_diff(before.splitlines(), after.splitlines(), "before", "after", lineterm="", n=1)
    )
