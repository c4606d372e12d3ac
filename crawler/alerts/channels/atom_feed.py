"""An Atom feed file for feed readers, newest entry first, the last 100 kept.

atom:///path/to/feed.xml
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from crawler.alerts.channels.channel import Channel, ChannelError
from crawler.alerts.messages import Message

SCHEMES = ("atom",)
FEED_ENTRIES = 100
_ATOM = "http://www.w3.org/2005/Atom"


def label(url: str) -> str:
    """Validate an atom URL; its label is the file's path."""
    path = urlsplit(url).path
    if not path:
        raise ChannelError("atom URL needs a file path: atom:///srv/feeds/notices.xml")
    return f"atom://{path}"


def send(channel: Channel, message: Message) -> None:
    """Add ``message`` as the feed's newest entry (the file is replaced atomically)."""
    path = Path(unquote(urlsplit(channel.url).path))
    ElementTree.register_namespace("", _ATOM)
    if path.is_file():
        feed = ElementTree.parse(path).getroot()
    else:
        feed = ElementTree.Element(f"{{{_ATOM}}}feed")
        ElementTree.SubElement(feed, f"{{{_ATOM}}}title").text = "zhengce-watch"
        ElementTree.SubElement(feed, f"{{{_ATOM}}}id").text = f"urn:zhengce-watch:{path.name}"
        ElementTree.SubElement(feed, f"{{{_ATOM}}}updated")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    feed.find(f"{{{_ATOM}}}updated").text = now
    entry = ElementTree.Element(f"{{{_ATOM}}}entry")
    ElementTree.SubElement(entry, f"{{{_ATOM}}}title").text = message.title
    ElementTree.SubElement(entry, f"{{{_ATOM}}}id").text = f"urn:zhengce-watch:event:{message.data.get('event_id')}"
    ElementTree.SubElement(entry, f"{{{_ATOM}}}updated").text = now
    ElementTree.SubElement(entry, f"{{{_ATOM}}}link", href=message.data.get("url") or "")
    ElementTree.SubElement(entry, f"{{{_ATOM}}}content", type="text").text = message.text
    entries = feed.findall(f"{{{_ATOM}}}entry")
    position = list(feed).index(entries[0]) if entries else len(feed)
    feed.insert(position, entry)
    for old in feed.findall(f"{{{_ATOM}}}entry")[FEED_ENTRIES:]:
        feed.remove(old)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    ElementTree.ElementTree(feed).write(temporary, encoding="utf-8", xml_declaration=True)
    temporary.replace(path)
