"""A cluster list from an attachment's bytes or a notice's body: the public entry points."""

from __future__ import annotations

import zipfile

import lxml.html

from crawler.extract.text import normalize_text
from crawler.rosters import readers
from crawler.rosters.model import Entry, ParsedRoster
from crawler.rosters.rows import (
    clean_cell,
    entries_from_grid,
    entries_from_lines,
    header_columns,
)
from crawler.rosters.sniff import sniff_type, zip_hazard

_READERS = {
    "xlsx": readers.read_xlsx,
    "xls": readers.read_xls,
    "docx": readers.read_docx,
    "pdf": readers.read_pdf,
    "html": readers.read_html,
    "text": readers.read_text,
}
# Kingsoft and OFD files are converted by LibreOffice into a type read here.
_CONVERSIONS = {"doc": "docx", "wps": "docx", "et": "xlsx", "ofd": "pdf"}


def _starts_table(grid: list[list]) -> bool:
    return any(header_columns([clean_cell(c) for c in row]) for row in grid[:5])


def join_continued(grids: list[list[list]]) -> list[list[list]]:
    """Tables with no header row of their own continue the table before (a table split across
    PDF pages); a table that repeats its header starts a grid that is skipped as a repeat."""
    joined: list[list[list]] = []
    for grid in grids:
        if joined and not _starts_table(grid):
            joined[-1] = joined[-1] + grid
        else:
            joined.append(list(grid))
    return joined


def entries_from_content(
    grids: list[list[list]], lines: list[str], province: str | None, shown: str | None = None
) -> list[Entry]:
    """The entries of a document's tables, numbered 1… through all of them; else of its lines.
    With ``shown`` (a page's extracted body) a table counts only when most of its names are in
    it, so a sidebar or ranking table of the page chrome is no list."""
    entries: list[Entry] = []
    for grid in join_continued(grids):
        found = entries_from_grid(grid, province, start=len(entries) + 1)
        if shown is None or sum(e.name_normalized in shown for e in found) * 2 > len(found):
            entries.extend(found)
    return entries or entries_from_lines(lines, province)


def parse_attachment(
    data: bytes, name: str = "", province: str | None = None, max_bytes: int = 20_000_000
) -> ParsedRoster:
    """The list in an attachment, whatever its type claims: never raises. ``name`` is only used
    in reasons; the type comes from the bytes."""
    file_type = sniff_type(data)
    label = f"{name or 'the file'} ({file_type})"
    if len(data) > max_bytes:
        return ParsedRoster("refused", f"{len(data)} bytes, over the size cap of {max_bytes}", file_type, ())
    if file_type in ("xlsx", "docx", "ofd", "zip"):
        hazard = zip_hazard(data)
        if hazard:
            return ParsedRoster("refused", hazard, file_type, ())
    read_type, content = file_type, data
    try:
        if file_type in _CONVERSIONS:
            read_type = _CONVERSIONS[file_type]
            content = readers.convert(data, file_type, read_type)
            hazard = zip_hazard(content) if read_type in ("xlsx", "docx") else None
            if hazard:
                return ParsedRoster("refused", hazard, file_type, ())
        if read_type not in _READERS:
            return ParsedRoster("unparsed", f"{label}: no list reader for this type", file_type, ())
        grids, lines = _READERS[read_type](content)
        entries = entries_from_content(grids, lines, province)
    except readers.Unreadable as exc:
        return ParsedRoster("unparsed", str(exc), file_type, ())
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        return ParsedRoster("unparsed", f"{label} is damaged or truncated: {exc}", file_type, ())
    except Exception as exc:  # noqa: BLE001 — any library's failure on a hostile file is a status
        return ParsedRoster("unparsed", f"{label} could not be read: {type(exc).__name__}: {exc}", file_type, ())
    if not entries:
        return ParsedRoster("empty", f"no list found in {label}", file_type, ())
    return ParsedRoster("parsed", None, file_type, tuple(entries))


def entries_from_body(body: str, html: str | None = None, province: str | None = None) -> list[Entry]:
    """The list printed in a notice's body: its HTML tables when ``html`` is given (only those
    whose names are in ``body``, when there is one), else the numbered lines or table rows (cells
    separated by a space) of ``body``."""
    grids = []
    if html and html.strip():
        try:
            grids = readers.html_tables(lxml.html.document_fromstring(html))
        except (ValueError, lxml.etree.ParserError):
            grids = []
    shown = normalize_text(body).replace(" ", "").replace("\n", "") if body and body.strip() else None
    return entries_from_content(grids, (body or "").splitlines(), province, shown)
