"""Reading each file type into grids of cells (sheets, tables) and text lines. Library errors
propagate; ``parse_attachment`` turns them into a status."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import lxml.html

from crawler.extract.encoding import decode_html

MAX_SHEETS, MAX_ROWS, MAX_COLUMNS, MAX_PAGES = 20, 5000, 60, 50
CONVERT_SECONDS = 120
_BLOCKS = ("p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article")


class Unreadable(Exception):
    """A file this machine cannot read (its reason is the message)."""


def read_xlsx(data: bytes) -> tuple[list[list[list]], list[str]]:
    """Every sheet's rows (a merged cell's value sits in its top-left cell, the rest are blank)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [
            list(sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True))
            for sheet in book.worksheets[:MAX_SHEETS]
        ], []
    finally:
        book.close()


def read_xls(data: bytes) -> tuple[list[list[list]], list[str]]:
    """Every sheet's rows of an Excel 97–2003 workbook."""
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    grids = []
    for index in range(min(book.nsheets, MAX_SHEETS)):
        sheet = book.sheet_by_index(index)
        grids.append([sheet.row_values(r)[:MAX_COLUMNS] for r in range(min(sheet.nrows, MAX_ROWS))])
    return grids, []


def read_docx(data: bytes) -> tuple[list[list[list]], list[str]]:
    """Tables (a merged cell repeats its text) and paragraph lines; a paragraph in Word's own
    numbering (no number in its text) gets its number written in."""
    import docx

    document = docx.Document(io.BytesIO(data))
    grids = [
        [[cell.text for cell in row.cells][:MAX_COLUMNS] for row in table.rows[:MAX_ROWS]] for table in document.tables
    ]
    lines, number = [], 0
    for paragraph in document.paragraphs:
        numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
        numbered = numbered or (paragraph.style is not None and "List Number" in (paragraph.style.name or ""))
        number = number + 1 if numbered else 0
        lines.append(f"{number}.{paragraph.text}" if numbered else paragraph.text)
    return grids, lines


def read_pdf(data: bytes) -> tuple[list[list[list]], list[str]]:
    """Ruled tables of every page, in order, and the text lines of every page."""
    import pdfplumber

    grids, lines = [], []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages[:MAX_PAGES]:
            grids.extend(page.extract_tables())
            lines.extend((page.extract_text() or "").splitlines())
            page.close()
    return grids, lines


def html_tables(root) -> list[list[list[str]]]:
    """The innermost tables of a page as grids, colspan and rowspan cells repeated."""
    grids = []
    for table in root.iter("table"):
        if table.find(".//table") is not None:
            continue
        grid, pending = [], {}  # pending: column → (rows left, text) of a rowspan
        for tr in table.iter("tr"):
            row, column = [], 0
            cells = iter(tr.xpath("./td|./th"))
            while True:
                if column in pending:
                    left, text = pending[column]
                    row.append(text)
                    pending[column] = (left - 1, text)
                    if left <= 1:
                        del pending[column]
                    column += 1
                    continue
                cell = next(cells, None)
                if cell is None:
                    break
                text = cell.text_content()
                for _ in range(_span(cell, "colspan")):
                    if _span(cell, "rowspan") > 1:
                        pending[column] = (_span(cell, "rowspan") - 1, text)
                    row.append(text)
                    column += 1
            grid.append(row[:MAX_COLUMNS])
        grids.append(grid[:MAX_ROWS])
    return grids


def _span(cell, attribute: str) -> int:
    try:
        return max(1, min(int(cell.get(attribute) or 1), MAX_COLUMNS))
    except ValueError:
        return 1


def html_lines(root) -> list[str]:
    """A page's text, one line per block, table cells separated by one space."""
    for element in root.iter(*_BLOCKS, "td", "th"):
        element.tail = (" " if element.tag in ("td", "th") else "\n") + (element.tail or "")
    return root.text_content().splitlines()


def read_html(data: bytes) -> tuple[list[list[list]], list[str]]:
    """Tables and text lines of an HTML page."""
    text, _ = decode_html(data)
    if not text.strip():
        return [], []
    root = lxml.html.document_fromstring(text)
    for junk in root.xpath("//script|//style"):
        junk.drop_tree()
    return html_tables(root), html_lines(root)


def read_text(data: bytes) -> tuple[list[list[list]], list[str]]:
    """A CSV or tab-separated file as a grid; other text as lines."""
    text, _ = decode_html(data)
    lines = text.splitlines()
    sample = "\n".join(lines[:50])
    for delimiter in ("\t", ","):
        if sample.count(delimiter) >= len(lines[:50]):
            return [list(csv.reader(lines[:MAX_ROWS], delimiter=delimiter))], []
    return [], lines


def convert(data: bytes, source: str, target: str) -> bytes:
    """Another format's bytes by LibreOffice (``soffice --headless --convert-to``) in a temp dir."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise Unreadable("LibreOffice is not installed")
    with tempfile.TemporaryDirectory() as work:
        path = Path(work, f"list.{source}")
        path.write_bytes(data)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{work}/profile",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                work,
                str(path),
            ],
            capture_output=True,
            timeout=CONVERT_SECONDS,
            check=False,
        )
        out = Path(work, f"list.{target}")
        if not out.exists():
            raise Unreadable(f"LibreOffice could not convert this {source} file")
        return out.read_bytes()
