"""A listing page read: its kind (feed, JSON answer or HTML), parsed, and the links it offers."""

from __future__ import annotations

import json
import re

from lxml import etree
from parsel import Selector

from crawler.extract.encoding import decode_html
from crawler.listings.detect.json_records import json_links
from crawler.listings.detect.links import Link, absolute, clean_text, html_links

_HANWEB_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_FEED_START = re.compile(r"(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S)


def hanweb_records(text: str) -> list[str]:
    """The CDATA records of a Hanweb jcms datastore in a page's text."""
    return _HANWEB_RECORD.findall(text)


def read_page(body: bytes) -> tuple[str, str, object]:
    """(``"feed"`` | ``"json"`` | ``"html"``, decoded text, parsed document: an lxml feed root, the
    JSON value or a parsel Selector)."""
    text, _ = decode_html(body)
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    if _FEED_START.match(head):
        root = _parse_feed(body)
        if root is not None:
            return "feed", text, root
    if head[:1] in ("{", "["):
        try:
            return "json", text, json.loads(text)
        except ValueError:
            pass
    return "html", text, Selector(text=text or "<html></html>")


def _parse_feed(body: bytes):
    if re.search(rb"<!ENTITY", body[:65536], re.I):
        return None  # feeds have no use for entity declarations: never expand one
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)
    try:
        return etree.fromstring(body.lstrip(), parser)
    except etree.XMLSyntaxError:
        return None


def local_name(tag) -> str:
    """An XML tag without its namespace; "" for comments and processing instructions."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _feed_links(root, base_url: str) -> list[Link]:
    links = []
    for item in root.iter():
        if local_name(item.tag) not in ("item", "entry"):
            continue
        href, title = None, ""
        for child in item:
            name = local_name(child.tag)
            if name == "link":
                if child.get("href") and child.get("rel", "alternate") == "alternate":
                    href = child.get("href")
                elif (child.text or "").strip() and href is None:
                    href = child.text.strip()
            elif name == "title":
                title = clean_text("".join(child.itertext()))
        if href:
            links.append(Link(url=absolute(base_url, href), text=title, dated=True))
    return links


def links_of(url: str, kind: str, text: str, parsed) -> list[Link]:
    """The links of a page read by :func:`read_page`: its feed items, its JSON records, or its
    anchors and those of its Hanweb records."""
    if kind == "feed":
        return _feed_links(parsed, url)
    if kind == "json":
        return json_links(parsed, url)
    links = html_links(parsed, url)
    for record in hanweb_records(text):
        links.extend(html_links(Selector(text=record), url, in_page=False))
    return links


def page_links(url: str, body: bytes) -> list[Link]:
    """The links a listing page offers: its anchors, its Hanweb records, its JSON records or its
    feed items (what :func:`~crawler.listings.detect.detect` learns from; tests compare
    patterns against these)."""
    return links_of(url, *read_page(body))
