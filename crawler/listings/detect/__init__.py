"""Naming a listing page's CMS family and learning a starter site definition from it.

:func:`detect` reads one page (HTML, a JSON list answer or a feed) and its URL, and returns a
:class:`Detection`: the listing adapter of the family and a human label, the markers it went by,
the detail-URL pattern learned from the page's own links, and the listing options it could read
(item selector, pager pattern, page size, JSON record fields). :func:`starter_toml` prints it as a
site definition for ``crawler/sites/``: a start, to be checked with ``crawler sites --check``.
:func:`listing_page` gets the page for ``crawler sites detect``; nothing else here uses the network.

The steps, one module each: ``page`` (the page read into links: ``links``, ``json_records``),
``families`` and ``json_families`` (the family by its markers), ``patterns`` (the detail and
next-page patterns: ``url_regex``, ``list_block``), ``naming`` (title, name, province),
``detection`` (all of it), ``starter`` (the TOML) and ``fetch``."""

from crawler.listings.detect.detection import Detection, detect
from crawler.listings.detect.fetch import PageUnavailable, fetch_listing_page, listing_page
from crawler.listings.detect.page import page_links
from crawler.listings.detect.starter import describe, starter_toml

__all__ = [
    "Detection",
    "PageUnavailable",
    "describe",
    "detect",
    "fetch_listing_page",
    "listing_page",
    "page_links",
    "starter_toml",
]
