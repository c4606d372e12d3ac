"""TRS WCM (拓尔思) static column lists: each column page is a published file, the first
``index.html`` (or ``index.shtml``/``index.htm``), page N+1 ``index_N.html``. The pager is written
by a script call ``createPageHTML(countPage, currentPage, "index", "html")``, whose arguments are
number literals or variables set just above it (``var countPage = 5//共多少页``); ``currentPage`` is
0-based. Newer templates put the pager's element id first (``createPageHTML('page_div', 5, 0,
'index', 'html', 98)``), and some call it ``createPage`` (Chongqing's portal); every form is read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from scrapy import Request

from crawler.listings.contract import ListingAdapter
from crawler.listings.html_list import ItemSelector, link_entries, problem

_CALL = re.compile(r"(?<![\w.])createPage(?:HTML)?\s*\(([^()]*)\)")
_DEFINITION = re.compile(r"function\s+$")
_ARG = re.compile(r"""\s*(?:'([^']*)'|"([^"]*)"|([\w.$-]+))\s*""")


def entries(response, site) -> Iterator:
    """Detail links of the list, within ``item_selector`` when the site sets one (the
    column page also links notices in its sidebar and rankings)."""
    selector = site.listing.options.item_selector
    for part in response.css(selector) if selector else [response.selector]:
        yield from link_entries(part, response.url, site)


def _variables(text: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r"\bvar\s+(\w+)\s*=\s*(\d+)", text)}


def pager(text: str) -> tuple[int, int | None, str, str] | None:
    """``(countPage, currentPage or None, page name, extension)`` from the page's createPageHTML
    call, or None when the page has no such call (a column of one page may have none)."""
    variables = _variables(text)
    for match in _CALL.finditer(text):
        if _DEFINITION.search(text[max(0, match.start() - 20) : match.start()]):
            continue  # the function's own definition, when the script is inline
        args = []
        for raw in match.group(1).split(","):
            arg = _ARG.fullmatch(raw)
            if not arg:
                break
            quoted = arg.group(1) if arg.group(1) is not None else arg.group(2)
            args.append(("str", quoted) if quoted is not None else ("word", arg.group(3)))
        else:
            if len(args) >= 5 and args[0][0] == "str":
                args = args[1:]  # the pager element id comes first in newer templates
            if len(args) < 4:
                continue

            def number(arg):
                kind, value = arg
                if kind == "word" and value.isdigit():
                    return int(value)
                return variables.get(value) if kind == "word" else None

            count = number(args[0])
            if count is None:
                continue
            name = args[2][1] or "index"
            ext = (args[3][1] or "html").lstrip(".")
            return count, number(args[1]), name, ext
    return None


def next_pages(response, site, page: int, depth: int) -> Iterator[Request]:
    """The next static page of the column while there is one (by the createPageHTML call's
    countPage) and ``page`` is below ``depth``: ``index_{N}.{ext}`` after the page with index N-1
    (``index.{ext}`` being index 0)."""
    found = pager(response.text)
    if page >= depth or found is None:
        return
    count, current, name, ext = found
    filename = urlsplit(response.url).path.rsplit("/", 1)[-1]
    numbered = re.fullmatch(rf"{re.escape(name)}(?:_(\d+))?\.{re.escape(ext)}", filename)
    if numbered:  # the URL is the authority on which page this is
        index = int(numbered.group(1) or 0)
    elif current is not None:
        index = current
    else:
        index = page - 1
    if index + 1 < count:
        yield Request(urljoin(response.url, f"{name}_{index + 1}.{ext}"))


ADAPTER = ListingAdapter("trs_static", entries, next_pages, options=ItemSelector, problem=problem)
