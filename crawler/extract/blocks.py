"""Turning an HTML element into lines of visible text, each knowing how much of it is link text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html as lxml_html

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
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")
# Links to files are part of a notice (its attachments), not navigation.
_FILE_LINK = re.compile(
    r"\.(?:pdf|docx?|xlsx?|et|wps|ofd|zip|rar|7z|txt|csv|pptx?|ceb)(?:$|[?#&])|downfile|download", re.I
)


@dataclass
class Line:
    """One line of visible text and how many of its characters sit inside links."""

    text: str
    link_chars: int = 0

    @property
    def link_ratio(self) -> float:
        length = len(self.text.replace(" ", ""))
        return self.link_chars / length if length else 0.0


def is_hidden(element) -> bool:
    """True for elements a browser would not show (display:none, hidden attribute)."""
    return element.get("hidden") is not None or bool(_HIDDEN_STYLE.search(element.get("style") or ""))


class _LineWriter:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.current = Line("")

    def write(self, text: str | None, in_link: bool) -> None:
        if not text:
            return
        text = _SPACE_RUN.sub(" ", text)
        if self.current.text.endswith(" ") and text.startswith(" "):
            text = text[1:]
        self.current.text += text
        if in_link:
            self.current.link_chars += len(text.replace(" ", ""))

    def cell_gap(self) -> None:
        if self.current.text.strip():
            self.current.text = self.current.text.rstrip() + " "

    def newline(self) -> None:
        text = self.current.text.strip()
        if text:
            self.lines.append(Line(text, min(self.current.link_chars, len(text.replace(" ", "")))))
        self.current = Line("")


def element_lines(element) -> list[Line]:
    """Visible text of ``element`` split into lines at block boundaries and ``<br>``."""
    writer = _LineWriter()

    def walk(node, in_link: bool) -> None:
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None or tag in INVISIBLE_TAGS or is_hidden(node):
            return
        tag = tag.lower()
        link = in_link or (tag == "a" and not _FILE_LINK.search(node.get("href") or ""))
        block = tag in BLOCK_TAGS
        if block:
            writer.newline()
        elif tag in CELL_TAGS:
            writer.cell_gap()
        writer.write(node.text, link)
        for child in node:
            walk(child, link)
            writer.write(child.tail, link)
        if block:
            writer.newline()

    walk(element, False)
    writer.newline()
    return writer.lines


def element_text(element) -> str:
    """Visible text of ``element``, one line per block."""
    return "\n".join(line.text for line in element_lines(element))


def parse_html(text: str):
    """Parse page text into an lxml tree (tolerant of broken markup and XML declarations)."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        return lxml_html.fromstring("<html><body></body></html>")
    return lxml_html.document_fromstring(text)
