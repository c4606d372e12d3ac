"""Which of a site's extraction selectors found their element on a page: one that finds nothing
means the site's template changed, and generic extraction stands in for it."""

from __future__ import annotations

import re

from parsel import Selector

# ``::text`` and ``::attr(name)`` select strings of an element: the element is what must exist
# (a source line that is empty on one page is no drift).
_PSEUDO = re.compile(r"::(?:text|attr\([^)]*\))")
HINTED_FIELDS = ("title", "published_at", "source", "content")


def _finds_element(selector: Selector, css: str) -> bool:
    elements = _PSEUDO.sub("", css).strip()
    return not elements or bool(selector.css(elements))


def selector_report(selector: Selector, hints) -> dict[str, str]:
    """For each field the site's hints give a selector for: ``matched`` when it finds an element
    on the page (for ``content``, when one of its selectors does), else ``missed``."""
    report = {}
    for name in HINTED_FIELDS:
        configured = getattr(hints, name)
        if not configured:
            continue
        css = configured if isinstance(configured, tuple) else (configured,)
        report[name] = "matched" if any(_finds_element(selector, c) for c in css) else "missed"
    return report


def describe_misses(hints, report: dict[str, str]) -> str | None:
    """One line naming the selectors that matched nothing, e.g. ``title 'h1.t', content 'div.c'``."""
    missed = []
    for name in HINTED_FIELDS:
        if report.get(name) == "missed":
            configured = getattr(hints, name)
            css = ", ".join(configured) if isinstance(configured, tuple) else configured
            missed.append(f"{name} {css!r}")
    return ", ".join(missed) or None
