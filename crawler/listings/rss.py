"""RSS and Atom feeds: a site's start URL is its feed, each item (RSS 2.0 ``<item>`` with ``<link>``,
``<title>``, ``<pubDate>``; RSS 1.0 the same in the RDF namespace; Atom ``<entry>`` with
``<link rel="alternate" href>``, ``<title>``, ``<published>``/``<updated>``) is one entry. A feed
is one page: there is nothing to page through.

Feeds are parsed with lxml and nothing else: no DTD is loaded, no entity is resolved, nothing is
fetched from the network, and a feed whose prolog declares entities (``<!ENTITY``, an XML bomb or
an external-entity probe; feeds have no use for them) is refused before parsing, and one that refers
to entities declared elsewhere (an external DTD, never loaded) after it. A feed that cannot
be read lists nothing; :func:`problem` says why and :func:`entries` logs it."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag

from lxml import etree
from scrapy import Request

from crawler.extract.dates import find_date
from crawler.listings.contract import ListingAdapter
from crawler.listings.entry import ListingEntry
from crawler.listings.json_answer import CHINA

log = logging.getLogger(__name__)

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[|>)", re.IGNORECASE)
_DATE_TAGS = ("pubDate", "published", "updated", "date", "issued", "modified", "created")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


class FeedError(ValueError):
    """A feed that cannot be read safely or at all."""


def parse_feed(body: bytes) -> etree._Element:
    """The root element of a feed document; :class:`FeedError` for anything unsafe or broken."""
    if not body or not body.strip():
        raise FeedError("empty feed answer")
    head = body[:65536]
    if _ENTITY_DECLARATION.search(head):
        raise FeedError("feed declares XML entities (refused: possible entity expansion or external entity)")
    doctype = _DOCTYPE.search(head)
    if doctype and doctype.group(1) == b"[":
        raise FeedError("feed has an internal DTD subset (refused)")
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"feed is not well-formed XML: {exc}") from None
    if root is None:
        raise FeedError("empty feed answer")
    # With no DTD loaded, a reference to an entity declared elsewhere (an external DTD) stays an
    # unexpanded entity node: refused too, it is never fetched.
    for node in root.iter(etree.Entity):
        raise FeedError(f"feed uses XML entities ({node.text}; refused: entities are never expanded or fetched)")
    return root


def _local(element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element, name: str) -> list:
    return [c for c in element if _local(c) == name]


def _text(element) -> str | None:
    if element is None:
        return None
    value = "".join(element.itertext())
    value = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", value))).strip()
    return value or None


def _items(root) -> list:
    """Every item (RSS 0.9x/2.0 under channel, RSS 1.0 at the root) or Atom entry."""
    name = _local(root)
    if name == "feed":
        return _children(root, "entry")
    if name == "rss":
        return [item for channel in _children(root, "channel") for item in _children(channel, "item")]
    if name == "RDF":
        return _children(root, "item")
    return []


def _link(item) -> str | None:
    """An item's link: Atom's alternate (or first plain) link href, RSS's <link> text, else a
    permalink <guid>."""
    links = _children(item, "link")
    for link in links:
        href = link.get("href")
        if href and link.get("rel", "alternate") == "alternate":
            return href.strip()
    for link in links:
        if link.get("href") is None and _text(link):
            return _text(link)
    for guid in _children(item, "guid"):
        if guid.get("isPermaLink", "true").lower() != "false" and _text(guid):
            return _text(guid)
    return None


def feed_date(value: str | None) -> str | None:
    """YYYY-MM-DD in China time from an RFC 822 (RSS), ISO 8601 (Atom) or plain date string."""
    if not value:
        return None
    value = value.strip()
    moment = None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is not None:
        if moment.tzinfo is not None:
            moment = moment.astimezone(CHINA)
        return moment.date().isoformat()
    found = find_date(value)
    return found[:10] if found else None


def _date(item) -> str | None:
    for name in _DATE_TAGS:
        for element in _children(item, name):
            found = feed_date(_text(element))
            if found:
                return found
    return None


def _read(response) -> tuple:
    """(root, None) for a readable RSS or Atom feed, (None, reason) for anything else."""
    try:
        root = parse_feed(response.body)
    except FeedError as exc:
        return None, str(exc)
    if _local(root) not in ("rss", "feed", "RDF"):
        return None, f"not an RSS or Atom feed (root element <{_local(root) or '?'}>)"
    return root, None


def problem(response, site) -> str | None:
    """What is wrong with a feed answer, in words, or None when it is a readable feed."""
    return _read(response)[1]


def entries(response, site) -> Iterator[ListingEntry]:
    """One entry per item whose link (absolute, without a #fragment) is a notice page of ``site``."""
    root, reason = _read(response)
    if reason:
        log.warning("%s: %s: %s", site.name, response.url, reason)
        return
    seen = set()
    for item in _items(root):
        link = _link(item)
        if not link:
            continue
        url = urldefrag(response.urljoin(link))[0]
        if url in seen or not site.is_detail_url(url):
            continue
        seen.add(url)
        title = _text(next(iter(_children(item, "title")), None))
        yield ListingEntry(url=url, title=title, date=_date(item))


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """Nothing: a feed is one page and lists what it holds (its newest items), whatever ``depth``
    asks for; a backfill reads no further back than the feed goes."""
    return iter(())


ADAPTER = ListingAdapter("rss", entries, next_pages, problem=problem)
