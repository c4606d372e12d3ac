"""The detail-URL pattern and the next-page pattern learned from a listing page's links.

The detail pattern is learned from the same-site links that repeat one URL shape with notice-like
titles (long link text or a date beside it); shapes of other links in the same list block join it
as an alternative."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

from crawler.listings.detect.links import Link
from crawler.listings.detect.list_block import inside, list_block
from crawler.listings.detect.url_regex import escape, group_regex, join_alternatives, shape, target, tokens

_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后页|next|›|»|>>)$", re.I)


def _same_site(url: str, host: str) -> bool:
    return urlsplit(url).netloc.lower() == host


def learn_pattern(url: str, links: list[Link]) -> tuple[str | None, list[Link], list[str]]:
    """(detail pattern, the links it was learned from, evidence) for a page at ``url``."""
    host = urlsplit(url).netloc.lower()
    own = target(url)
    groups: dict[tuple, list[Link]] = defaultdict(list)
    for link in links:
        path = target(link.url)
        if not _same_site(link.url, host) or path in (own, "/") or path.endswith("/"):
            continue
        groups[shape(tokens(path))].append(link)

    def score(members: list[Link]) -> tuple[int, int]:
        return (len({m.url for m in members if m.notice_like}), len({m.url for m in members}))

    ranked = sorted(groups.items(), key=lambda item: score(item[1]), reverse=True)
    if not ranked or score(ranked[0][1])[0] < 1:
        return None, [], ["no same-site links with notice-like titles: no detail pattern learned"]
    primary = ranked[0][1]
    chosen = [primary]
    container = list_block([m.element for m in primary if m.element is not None])
    for _, members in ranked[1:]:
        notice = [m for m in members if m.notice_like]
        if not notice:
            continue
        if all(m.element is None for m in primary) and all(m.element is None for m in members):
            chosen.append(members)  # records, JSON or feed items: every item is a notice
        elif container is not None and any(m.element is not None and inside(m.element, container) for m in notice):
            chosen.append(members)  # another link form in the same list block
    regexes = [group_regex(sorted({target(m.url) for m in members})) for members in chosen]
    scheme = urlsplit(url).scheme
    scheme = "https?" if scheme in ("http", "https") else re.escape(scheme)  # a file:// page without its real URL
    pattern = f"^{scheme}://{re.escape(host)}{join_alternatives(regexes)}$"
    compiled = re.compile(pattern)
    learned = [link for link in links if compiled.search(link.url)]
    sources = {m.url for members in chosen for m in members}
    evidence = [f"detail pattern learned from {len(sources)} links in {len(chosen)} URL form(s)"]
    stray = {link.url for link in links if compiled.search(link.url) and not link.notice_like}
    if stray:
        evidence.append(
            f"the pattern also matches {len(stray)} link(s) without a notice title, e.g. {sorted(stray)[0]}"
        )
    return pattern, learned, evidence


def next_page_pattern(url: str, links: list[Link]) -> tuple[str | None, str | None]:
    """(pattern for the listing's later pages, the next page's URL) from the page's 下一页 link (or
    the link labelled 2); the last number in its path becomes ``\\d+``."""
    host = urlsplit(url).netloc.lower()
    candidates = [link for link in links if _same_site(link.url, host) and link.url != url]
    nxt = next((link for link in candidates if _NEXT_TEXT.match(link.text)), None) or next(
        (link for link in candidates if link.text == "2"), None
    )
    if nxt is None:
        return None, None
    path = target(nxt.url)
    numbers = list(re.finditer(r"\d+", path))
    if not numbers:
        return None, nxt.url
    head, tail = path[: numbers[-1].start()], path[numbers[-1].end() :]
    required = f"{escape(head)}\\d+{escape(tail)}$"
    own = target(url)
    if head and head[-1] in "_-" and not re.search(required, own):
        optional = f"{escape(head[:-1])}(?:{escape(head[-1])}\\d+)?{escape(tail)}$"
        if re.search(optional, own) or re.search(optional, own + "index.html"):
            return optional, nxt.url
    return required, nxt.url
