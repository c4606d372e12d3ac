"""The page `crawler sites detect` reads: fetched politely from an http(s) URL, or a saved file."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname
from urllib.robotparser import RobotFileParser

from crawler.settings import USER_AGENT

_HEADERS = {"User-Agent": USER_AGENT, "Accept": "text/html,application/json,application/xml;q=0.9,*/*;q=0.8"}
_MB = 1024 * 1024


class PageUnavailable(Exception):
    """A page that cannot be read; the message is one line saying why, and what to do instead."""


def _get(url: str, seconds: float, limit: int) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=_HEADERS), timeout=seconds) as answer:
        body = answer.read(limit + 1)
    if len(body) > limit:
        raise PageUnavailable(f"{url}: larger than {limit // _MB} MB; not a listing page")
    return body


def _robots_allow(url: str, timeout: float, limit: int) -> bool:
    try:
        rules = _get(urljoin(url, "/robots.txt"), min(timeout, 10.0), limit).decode("utf-8", "replace").splitlines()
    except urllib.error.HTTPError:
        return True  # no robots.txt (or none readable): nothing is disallowed
    robots = RobotFileParser()
    robots.parse(rules)
    return not rules or robots.can_fetch(USER_AGENT, url)


def fetch_listing_page(url: str, timeout: float = 30.0, limit: int = 8 * _MB) -> bytes:
    """One page: the crawler's User-Agent, robots.txt obeyed, a timeout, the crawl's 8 MB cap; any
    failure is a :class:`PageUnavailable`."""
    try:
        if not _robots_allow(url, timeout, limit):
            raise PageUnavailable(
                f"{url}: robots.txt of the site disallows it for the crawler; "
                "save the page from a browser and give the file (with --url)"
            )
        return _get(url, timeout, limit)
    except urllib.error.HTTPError as exc:
        raise PageUnavailable(
            f"{url}: HTTP {exc.code} {exc.reason}"
            + (
                " (an anti-bot challenge? save the page from a browser and give the file)"
                if exc.code in (403, 412, 429)
                else ""
            )
        ) from None
    except urllib.error.URLError as exc:
        raise PageUnavailable(f"{url}: cannot be fetched: {exc.reason}") from None
    except TimeoutError:
        raise PageUnavailable(f"{url}: no answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise PageUnavailable(f"{url}: cannot be fetched: {exc}") from None


def listing_page(url_or_file: str, page_url: str | None = None) -> tuple[str, bytes]:
    """(URL, body) of the page to read: an http(s) URL fetched with :func:`fetch_listing_page`, else
    a saved file (a path or a file:// URI); the URL is ``page_url`` when given, else the one fetched
    or the file's file:// URI."""
    if url_or_file.startswith(("http://", "https://")):
        body = fetch_listing_page(url_or_file)
        return page_url or url_or_file, body
    is_uri = url_or_file.startswith("file://")
    path = Path(url2pathname(urlsplit(url_or_file).path)) if is_uri else Path(url_or_file)
    if not path.is_file():
        raise PageUnavailable(f"{url_or_file}: no such file (give a saved page or an http(s) URL)")
    body = path.read_bytes()
    return page_url or path.resolve().as_uri(), body
