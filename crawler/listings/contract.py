"""The listing-adapter contract: what a CMS family's module declares, and the defaults of its optional hooks.

A listing adapter reads the listing pages of one CMS family. Its module's docstring is the family's
format specification (URLs, markup or JSON answer, paging), its hooks are plain functions of the
module (testable on saved pages without a crawl), and the module ends by declaring itself, as an
``encodings`` module declares its ``CodecInfo``::

    ADAPTER = ListingAdapter("html_list", entries, next_pages, options=HtmlListOptions, problem=problem)

The hooks, called by the spider:

- ``entries(response, site)`` yields a :class:`~crawler.listings.entry.ListingEntry` per notice the
  answer lists.
- ``next_pages(response, site, page, depth)`` yields the requests for later listing pages: ``page``
  is the number of the page ``response`` is (1 for a start URL), ``depth`` the number of listing
  pages this run reads in all (``--backfill N``, else ``listing.max_pages``). An adapter asks for no
  page past ``depth`` and stops before it only where the site says there are no more pages; a family
  that asks for its later records all at once from the first page (Hanweb's dataproxy) asks for
  ``depth`` pages' worth, and a family of one page (a feed) reads what it holds. Whether a page is
  followed at all is the spider's call (monitor mode stops at a page with nothing new).
- ``start_request(url, site)``, optional: the first request for a start URL (default: a GET of it).
- ``problem(response, site)``, optional: why an answer lists nothing, in words, or None (default:
  None); the spider puts it in the listing's ``drift``.

``options`` is a frozen dataclass of the options the family reads from a definition's ``[listing]``
table besides those every adapter has (``adapter``, ``max_pages``, ``per_page``): each field a
name, a type and a default, documented in the dataclass. The site loader refuses any other key and
reads each value by its type: ``str``, ``int`` (positive), ``tuple[str, ...]`` (a non-empty list of
strings), ``re.Pattern`` (a regular expression, compiled) or :data:`Form` (a table of strings or
integers), any of them ``| None``. The hooks read them as ``site.listing.options.NAME``.

``name`` is the adapter's key in the registry (:data:`crawler.listings.ADAPTERS`) and a
definition's ``adapter``: it says what the adapter reads. ``former_names`` are names it had before,
still accepted in definitions (the loader logs a warning naming the new one)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.http import Response

from crawler.listings.entry import ListingEntry

if TYPE_CHECKING:
    from crawler.site import Site

Form = tuple[tuple[str, str], ...]  # a POST form, in the definition's order: [listing.form]


def get_start_url(url: str, site: Site) -> Request:
    """The default first request for a start URL: a GET of it."""
    return Request(url)


def no_problem(response: Response, site: Site) -> str | None:
    """The default explanation of an answer that lists nothing: none."""
    return None


@dataclass(frozen=True)
class NoOptions:
    """The options of an adapter that reads none of its own."""


@dataclass(frozen=True)
class ListingAdapter:
    """A listing adapter as its module declares it (see the module docstring for the contract)."""

    name: str
    entries: Callable[[Response, Site], Iterable[ListingEntry]]
    next_pages: Callable[[Response, Site, int, int], Iterable[Request]]
    options: type = NoOptions
    start_request: Callable[[str, Site], Request] = get_start_url
    problem: Callable[[Response, Site], str | None] = no_problem
    former_names: tuple[str, ...] = ()
