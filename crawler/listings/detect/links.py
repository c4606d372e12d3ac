"""A listing page's links: the Link record and the followable anchors of an HTML page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from parsel import Selector

# A date, or a year and month, in a list row or a record field.
DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2})?")
_SKIP_HREF = ("javascript:", "#", "mailto:", "tel:", "data:")
_TITLE_CHARS = 10  # link text this long reads as a notice title, not a menu entry
_ROW_TAGS = ("li", "tr", "dd", "dl", "p", "div", "article")


@dataclass(frozen=True)
class Link:
    """A link of the page: absolute URL, its title text, whether a date sits beside it, and its
    element in the page (None for links read from records, JSON or a feed)."""

    url: str
    text: str = ""
    dated: bool = False
    element: object | None = None

    @property
    def notice_like(self) -> bool:
        return len(self.text) >= _TITLE_CHARS or self.dated


def clean_text(text: str | None) -> str:
    """``text`` with each run of white space one space, stripped."""
    return re.sub(r"\s+", " ", text or "").strip()


def absolute(base_url: str, href: str) -> str:
    """``href`` resolved against ``base_url``, without its #fragment."""
    return urldefrag(urljoin(base_url, href))[0]


def _row_text(element) -> str:
    for ancestor in element.iterancestors():
        if ancestor.tag in _ROW_TAGS:
            return clean_text(" ".join(ancestor.itertext()))[:400]
    return ""


def html_links(selector: Selector, base_url: str, in_page: bool = True) -> list[Link]:
    """Every followable ``<a href>`` under ``selector``, resolved against ``base_url``."""
    links = []
    for anchor in selector.xpath("//a[@href]"):
        href = anchor.attrib["href"].strip()
        if not href or href.lower().startswith(_SKIP_HREF):
            continue
        element = anchor.root
        text = clean_text(anchor.attrib.get("title") or " ".join(element.itertext()))
        links.append(
            Link(
                url=absolute(base_url, href),
                text=text,
                dated=bool(DATE.search(_row_text(element))),
                element=element if in_page else None,
            )
        )
    return links
