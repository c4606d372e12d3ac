"""Attachment links of a notice: files published with it (名单 xlsx, 公告 pdf, 申报表 docx …)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

FILE_TYPES = (
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "et",
    "wps",
    "ofd",
    "zip",
    "rar",
    "7z",
    "txt",
    "csv",
    "ppt",
    "pptx",
    "ceb",
)
_EXTENSION = re.compile(r"\.(" + "|".join(FILE_TYPES) + r")$", re.I)
_DOWNLOAD_SCRIPT = re.compile(r"downfile|download|attach|fujian", re.I)
# "附件1：", "相关附件:", and list numbers "1." "2、" "（3）" before a file name.
_NAME_LABEL = re.compile(r"^(?:(?:相关)?附件\s*\d*\s*[:：.、]?\s*)?(?:\d{1,2}\s*[.、．]\s*|[（(]\d{1,2}[)）]\s*)?")


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


_ATTACHMENT_BLOCK_NAMES = re.compile(r"attach|fujian|fj|xgfj|file|enclosure|appendix", re.I)


def attachment_blocks(container) -> list:
    """The article container and the 附件 blocks printed right after it (one of the next three
    siblings of the container, its parent or its grandparent, labelled 附件 or named like one)."""
    blocks = [container]
    ancestor = container
    for _ in range(3):
        if ancestor is None:
            break
        for sibling in list(ancestor.itersiblings())[:3]:
            if not isinstance(sibling.tag, str):
                continue
            names = f"{sibling.get('class') or ''} {sibling.get('id') or ''}"
            text = "".join(sibling.itertext()).strip()
            if text.startswith(("附件", "相关附件", "附件下载")) or _ATTACHMENT_BLOCK_NAMES.search(names):
                blocks.append(sibling)
        ancestor = ancestor.getparent()
    return blocks


def _file_name(url: str) -> str:
    """The file's name from the URL: a query value that names a file (``filename=a.zip``), else
    the last path segment."""
    parts = urlsplit(url)
    for values in parse_qs(parts.query).values():
        for value in values:
            if _EXTENSION.search(unquote(value)):
                return unquote(value).rsplit("/", 1)[-1]
    return unquote(parts.path.rsplit("/", 1)[-1])


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
                found[url] = Attachment(name or _file_name(url), url, file_type)
    return list(found.values())
