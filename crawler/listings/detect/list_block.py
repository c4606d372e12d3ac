"""The list block of an HTML page (the element whose repeated children hold the detail links) and its selector."""

from __future__ import annotations

import re
from collections import Counter

from parsel import Selector


def inside(element, container) -> bool:
    """Whether ``element`` is a descendant of ``container``."""
    return any(ancestor is container for ancestor in element.iterancestors())


def _item_container(element, elements: set):
    """The element whose repeated children (two or more with the same tag holding detail links)
    hold ``element``: the list block."""
    child = element
    for parent in list(element.iterancestors())[:8]:
        siblings = [c for c in parent if c.tag == child.tag]
        holding = [c for c in siblings if any(e is c or inside(e, c) for e in elements)]
        if len(holding) >= 2:
            return parent
        child = parent
    return None


def list_block(elements: list):
    """The list block holding most of ``elements`` (None when they sit in no repeated block)."""
    if not elements:
        return None
    pool = set(elements)
    counts: Counter = Counter()
    found = {}
    for element in elements:
        block = _item_container(element, pool)
        if block is not None:
            counts[id(block)] += 1
            found[id(block)] = block
    if not counts:
        return None
    return found[counts.most_common(1)[0][0]]


def _css_of(element) -> str | None:
    tag = element.tag if isinstance(element.tag, str) else "*"
    if element.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", element.get("id")):
        return f"{tag}#{element.get('id')}"
    classes = [c for c in (element.get("class") or "").split() if re.fullmatch(r"-?[A-Za-z_][\w-]*", c)]
    return f"{tag}.{classes[0]}" if classes else None


def item_selector(document: Selector, container) -> str | None:
    """A CSS selector for the list block: its own id or first class, else its nearest ancestor's;
    made unique on the page with an ancestor's selector when it is not."""
    for element in [container, *list(container.iterancestors())[:4]]:
        selector = _css_of(element)
        if selector is None:
            continue
        if len(document.css(selector)) == 1:
            return selector
        for ancestor in element.iterancestors():
            outer = _css_of(ancestor)
            if outer and len(document.css(f"{outer} {selector}")) == 1:
                return f"{outer} {selector}"
        return selector
    return None
