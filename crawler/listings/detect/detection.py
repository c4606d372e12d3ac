"""The Detection record and :func:`detect`: a listing page's family, detail pattern and listing options."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.listings.detect.families import feed_family, html_family
from crawler.listings.detect.json_families import json_family
from crawler.listings.detect.list_block import item_selector, list_block
from crawler.listings.detect.page import links_of, read_page
from crawler.listings.detect.patterns import learn_pattern, next_page_pattern

# The adapters that read an HTML page's list within its item_selector option.
SELECTOR_ADAPTERS = ("html_list", "trs_static", "ls_column")


@dataclass(frozen=True)
class Detection:
    """What :func:`detect` made of a listing page."""

    url: str
    adapter: str  # a name in crawler.listings.ADAPTERS
    label: str  # the family as people name it: "Hanweb jcms datastore", "TRS", "NFCMS", "plain list" …
    evidence: tuple[str, ...]
    url_pattern: str | None = None
    detail_links: tuple[str, ...] = ()
    item_selector: str | None = None
    next_page_pattern: str | None = None
    title: str | None = None
    start_url: str | None = None
    listing: dict = field(default_factory=dict)  # further [listing] options: per_page, records, url_fields …
    notes: tuple[str, ...] = ()  # what the definition still needs by hand

    @property
    def family(self) -> str:
        return f"{self.adapter} ({self.label})"


def detect(url: str, body: bytes) -> Detection:
    """Name the CMS family of the listing page ``body`` (fetched from ``url``) and learn what a
    site definition for it needs."""
    kind, text, parsed = read_page(body)
    links = links_of(url, kind, text, parsed)
    if kind == "feed":
        family = feed_family(parsed, links)
    elif kind == "json":
        family = json_family(url, parsed, links)
    else:
        family = html_family(text, links, parsed)
    pattern, learned, learned_evidence = learn_pattern(url, links)
    evidence, notes = [*family.evidence, *learned_evidence], family.notes
    selector = next_pattern = None
    if kind == "html" and pattern and family.adapter in SELECTOR_ADAPTERS:
        block = list_block([link.element for link in learned if link.element is not None])
        if block is not None:
            selector = item_selector(parsed, block)
            if selector:
                evidence.append(f"the detail links repeat in {selector}")
        if family.adapter == "html_list":
            next_pattern, next_url = next_page_pattern(url, links)
            evidence.append(f"next page {next_url}" if next_url else "no 下一页 link: only the first page is read")
    if pattern is None:
        notes.append("detail.url_pattern: no notice links were recognised on this page; write it")
    if urlsplit(url).scheme not in ("http", "https"):
        notes.append(
            "the page's real URL is unknown (give --url): start_urls is a placeholder, url_pattern holds "
            "the file's own path and kind is a guess"
        )
    return Detection(
        url=url,
        adapter=family.adapter,
        label=family.label,
        evidence=tuple(evidence),
        url_pattern=pattern,
        detail_links=tuple(dict.fromkeys(link.url for link in learned)),
        item_selector=selector,
        next_page_pattern=next_pattern,
        title=family.title,
        start_url=family.start_url or url,
        listing=family.listing,
        notes=tuple(notes),
    )
