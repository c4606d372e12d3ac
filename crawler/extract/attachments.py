"""Attachment links of a notice: files published with it (名单 xlsx, 公告 pdf, 申报表 docx …)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

FILE_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "et", "wps", "ofd", "zip", "rar", "7z", "txt", "csv", "ppt", "pptx", "ceb")
_EXTENSION = re.compile(r"\.(" + "|".join(FILE_TYPES) + r")$", re.I)
_DOWNLOAD_SCRIPT = re.compile(r"downfile|download|attach|fujian", re.I)
_NAME_LABEL = re.compile(r"^(?:相关)?附件\s*\d*\s*[:：.、]?\s*")


@dataclass(frozen=True)
class Attachment:
    """A file linked from a notice."""

    name: str
    url: str
    file_type: str | None = None


def _file_type(url: str, name: str) -> str | None:
    parts = urlsplit(url)
    candidates = [unquote(parts.path), name]
    for values in parse_qs(parts.query).values():
        candidates.extend(unquote(v) for v in values)
    for candidate in candidates:
        match = _EXTENSION.search(candidate.strip())
        if match:
            return match.group(1).lower()
    return None


def find_attachments(elements, base_url: str) -> list[Attachment]:
    """File links among the ``<a>`` elements of ``elements``, absolute, once each, in page order."""
    found: dict[str, Attachment] = {}
    for element in elements:
        for link in element.iter("a"):
            href = (link.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            url = urljoin(base_url, href)
            name = _NAME_LABEL.sub("", re.sub(r"\s+", " ", "".join(link.itertext())).strip())
            file_type = _file_type(url, name)
            if file_type is None and not (_DOWNLOAD_SCRIPT.search(urlsplit(url).path) and name):
                continue
            if url not in found:
                found[url] = Attachment(name or unquote(urlsplit(url).path.rsplit("/", 1)[-1]), url, file_type)
    return list(found.values())
