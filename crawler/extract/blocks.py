"""Turning an HTML element into lines of visible text, each knowing how much of it is link text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

BLOCK_TAGS = frozenset(
    "address article aside blockquote body br center dd details div dl dt figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody tfoot thead "
    "tr ul".split()
)
CELL_TAGS = frozenset(("td", "th"))
INVISIBLE_TAGS = frozenset(
    "script style noscript template iframe object embed select option button input textarea "
    "svg canvas map head title meta link".split()
)
# Matched against lowered text: case-insensitive patterns cost several times more on every element.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
_ASCII_SPACE = " \t\r\n\f\v"
_SPACE_RUN = re.compile(f"[{_ASCII_SPACE}]+")
_FILE_EXTENSION = re.compile(r"\.(?:pdf|docx?|xlsx?|et|wps|ofd|zip|rar|7z|txt|csv|pptx?|ceb)(?:$|[?#&])")


def is_file_link(href: str) -> bool:
    """True for a link to a file (.pdf, .docx …, or a download script): part of a notice (its
    attachments), not navigation."""
    href = href.lower()
    return "down" in href and ("download" in href or "downfile" in href) or bool(_FILE_EXTENSION.search(href))


@dataclass
class Line:
    """One line of visible text, how many of its characters sit inside links, and how many data
    cells it joins (a table row; 0 for any other line)."""

    text: str
    link_chars: int = 0
    cells: int = 0

    @property
    def link_ratio(self) -> float:
        length = len(self.text.replace(" ", ""))
        return self.link_chars / length if length else 0.0


def is_hidden(element) -> bool:
    """True for elements a browser would not show (display:none, hidden attribute)."""
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    if not style:
        return False
    style = style.lower()
    return ("none" in style or "hidden" in style) and bool(_HIDDEN_STYLE.search(style))


def _is_data_cell(cell) -> bool:
    """A table cell holding a value (short text, no nested table, not several sentences), not a
    layout cell holding an article: paragraphs inside a data cell do not break its row into lines."""
    if cell.find(".//table") is not None:
        return False
    text = "".join(cell.itertext()).strip()
    return len(text) <= 200 and text.count("。") < 2


def element_lines(element) -> list[Line]:
    """Visible text of ``element`` split into lines at block boundaries and ``<br>``; a table row
    of data cells is one line, its cells separated by a space. Whitespace runs become one space."""
    return lines_and_start(element, None)[0]


def lines_and_start(element, inner) -> tuple[list[Line], int | None]:
    """:func:`element_lines` of ``element`` and the index of the first line written inside its
    descendant ``inner`` (None when ``inner`` is not walked); ``inner`` is read even when hidden."""
    lines: list[Line] = []
    start = None
    current = ""  # the line being written
    link_chars = cells = 0

    def write(text: str, in_link: bool) -> None:
        nonlocal current, link_chars
        # Indentation between tags is most of what is written: it becomes one space without a regex.
        if not text.strip(_ASCII_SPACE):
            if not current.endswith(" "):
                current += " "
            return
        if " " in text or not text.isprintable():  # else no ASCII space of any kind to collapse
            text = _SPACE_RUN.sub(" ", text)
        if text[0] == " " and current.endswith(" "):
            text = text[1:]
        current += text
        if in_link:
            link_chars += len(text.replace(" ", ""))

    def newline() -> None:
        nonlocal current, link_chars, cells
        text = current.strip()
        if text:
            lines.append(Line(text, min(link_chars, len(text.replace(" ", ""))), cells))
        current, link_chars, cells = "", 0, 0

    def walk(node, in_link: bool, in_cell: bool) -> None:
        nonlocal current, cells, start
        tag = node.tag
        # Hidden text is left out, except when it is what was asked for: the walked element
        # itself, or ``inner`` (the article a script reveals).
        if (
            not isinstance(tag, str)
            or tag in INVISIBLE_TAGS
            or (is_hidden(node) and node is not element and node is not inner)
        ):
            return
        tag = tag.lower()
        link = in_link or (tag == "a" and not is_file_link(node.get("href") or ""))
        if tag in CELL_TAGS:
            if current.strip():
                current = current.rstrip() + " "
            in_cell = _is_data_cell(node)
            cells += in_cell
        block = tag in BLOCK_TAGS and (not in_cell or tag == "br")
        if block:
            if current:
                newline()
        elif in_cell and tag in BLOCK_TAGS and current.strip():
            current = current.rstrip() + " "
        if node is inner:
            start = len(lines)
        if node.text:
            write(node.text, link)
        for child in node:
            walk(child, link, in_cell)
            if child.tail:
                write(child.tail, link)
        if block and current:
            newline()

    walk(element, False, False)
    if current:
        newline()
    return lines, start


def element_text(element) -> str:
    """Visible text of ``element``, one line per block."""
    return "\n".join(line.text for line in element_lines(element))


MAX_MARKUP = 400_000  # characters of markup read: real notice pages are far smaller; keeps one page under 2 s
_BINARY_MAGIC = (
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP or Office document"),
    (b"\xd0\xcf\x11\xe0", "Office document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"Rar!", "RAR archive"),
    (b"\x1f\x8b", "gzip data"),
)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]{200,}")
_SCRIPT_BODY = re.compile(r"(<(script|style)\b[^>]*>).*?(</\2\s*>)", re.S | re.I)


def binary_format(body: bytes) -> str | None:
    """What a non-HTML body is (``PDF document`` …), or None for text."""
    head = body[:4096].lstrip()
    for magic, name in _BINARY_MAGIC:
        if head.startswith(magic):
            return name
    if head.count(b"\x00") > 4:
        return "binary data"
    return None


def bounded_markup(text: str) -> tuple[str, str | None]:
    """The markup with inline images and script bodies emptied, cut at :data:`MAX_MARKUP`
    characters; the second value says when and where it was cut."""
    if len(text) <= MAX_MARKUP:
        return text, None
    text = _SCRIPT_BODY.sub(r"\1\3", _DATA_URI.sub("data:,", text))
    if len(text) <= MAX_MARKUP:
        return text, None
    cut = text.rfind("<", 0, MAX_MARKUP)
    note = f"page markup is {len(text) / 1e6:.1f} MB; only its first {MAX_MARKUP // 1000} KB were read"
    return text[: cut if cut > 0 else MAX_MARKUP], note


_PARSER = etree.HTMLParser(remove_comments=False, remove_pis=True, no_network=True)


def parse_html(text: str):
    """Parse page text into an lxml tree (tolerant of broken markup and XML declarations)."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    root = etree.fromstring(text, _PARSER) if text.strip() else None
    return root if root is not None else etree.fromstring("<html><body></body></html>", _PARSER)


def drop(element) -> None:
    """Remove ``element`` and its content from the tree, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
