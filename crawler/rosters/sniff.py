"""What a file is, from its bytes alone, and whether a zip is safe to open."""

from __future__ import annotations

import io
import re
import zipfile

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML = re.compile(rb"<(!doctype\s+html|html|head|body|table|meta|title|div|p)[\s>/]", re.IGNORECASE)
MAX_UNPACKED = 256_000_000  # bytes a zip may declare in all
MAX_XML = 8_000_000  # bytes of XML parts (sheets, document) an office file may declare
MAX_RATIO = 100  # a member over 1 MB packed tighter than this is a bomb
MAX_MEMBERS = 5000


def _ole_stream(data: bytes, name: str) -> bool:
    return name.encode("utf-16-le") in data


def _zip_names(data: bytes) -> list[str]:
    """Member names from the central directory, or from local headers when it is truncated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [
            m.decode("latin-1") for m in re.findall(rb"PK\x03\x04.{26}([\x20-\x7e]{1,200})", data[:200_000], re.DOTALL)
        ]


def _zip_type(data: bytes) -> str:
    names = _zip_names(data)
    if any(n.lower() == "ofd.xml" for n in names):
        return "ofd"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    return "zip"


def _is_text(head: bytes) -> bool:
    """Text in UTF-8 or GB18030 with no control characters (a character cut at the end is fine)."""
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:
                continue
            text = head[: exc.start].decode(encoding)
        return not any(ord(c) < 32 and c not in "\t\r\n\f" for c in text)
    return False


def sniff_type(data: bytes) -> str:
    """``xlsx``, ``xls``, ``docx``, ``doc``, ``wps``, ``et``, ``pdf``, ``ofd``, ``zip``, ``html``,
    ``text`` or ``unknown``: from the bytes, never the file name. OLE2 files are told apart by their
    stream names (Kingsoft's WpsCustomData / ETExtData, Excel's Workbook, Word's WordDocument)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data.startswith(_OLE2):
        for stream, kind in (
            ("WpsCustomData", "wps"),
            ("ETExtData", "et"),
            ("Workbook", "xls"),
            ("Book", "xls"),
            ("WordDocument", "doc"),
        ):
            if _ole_stream(data, stream):
                return kind
        return "unknown"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML.search(stripped[:512]) and stripped.startswith(b"<"):
        return "html"
    if head and _is_text(head):
        return "text"
    return "unknown"


def zip_hazard(data: bytes) -> str | None:
    """Why a zip must not be opened (too many members, too large unpacked, a bomb), or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None  # a damaged zip: its reader says so
    if len(members) > MAX_MEMBERS:
        return f"a zip of {len(members)} members"
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED:
        return f"a zip declaring {total} bytes unpacked, over the cap of {MAX_UNPACKED}"
    for member in members:
        if member.file_size > 1_000_000 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            return f"a zip bomb: {member.filename} unpacks {member.file_size} bytes from {member.compress_size}"
    xml = sum(m.file_size for m in members if m.filename.lower().endswith(".xml"))
    if xml > MAX_XML:
        return f"{xml} bytes of XML parts, over the cap of {MAX_XML}"
    return None
