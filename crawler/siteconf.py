"""Site definitions: TOML files in crawler/sites/, loaded and validated into :class:`Site` records."""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import fields
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Any, get_args, get_type_hints
from urllib.parse import urlsplit

from crawler.extract import SiteHints
from crawler.extract.text import normalize_text
from crawler.listings import ADAPTERS, FORMER_NAMES, ListingAdapter
from crawler.listings.contract import Form
from crawler.site import KINDS, Listing, Site

log = logging.getLogger(__name__)

SITES_DIR = Path(__file__).parent / "sites"


class SiteDefinitionError(ValueError):
    """A site definition that cannot be used; the message names the file and the field."""


_TOP_FIELDS = {
    "name",
    "title",
    "kind",
    "province",
    "start_urls",
    "enabled",
    "live_checked",
    "listing",
    "detail",
    "extract",
    "scrapy",
}
_LISTING_FIELDS = {"adapter", "max_pages", "per_page"}  # every adapter's; the others are an adapter's own options
_DETAIL_FIELDS = {"url_pattern"}
_EXTRACT_FIELDS = {"title", "published_at", "source", "content", "drop", "chrome"}


class _Reader:
    """Typed access to one table of a definition, with errors that name the file and the field."""

    def __init__(self, path: Path, table: dict, prefix: str, allowed: set[str] | None):
        self.path, self.table, self.prefix = path, table, prefix
        unknown = sorted(set(table) - allowed) if allowed is not None else []
        if unknown:
            self.fail(unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def fail(self, key: str, message: str):
        raise SiteDefinitionError(f"{self.path}: field '{self.prefix}{key}': {message}")

    def get(self, key: str, kind: type, default=None, required: bool = False):
        if key not in self.table:
            if required:
                self.fail(key, "is required")
            return default
        value = self.table[key]
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                self.fail(key, "must be a list of non-empty strings")
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                self.fail(key, "must be a positive integer")
        elif not isinstance(value, kind):
            self.fail(key, f"must be a {kind.__name__}, got {type(value).__name__}")
        return value

    def pattern(self, key: str, required: bool = False) -> re.Pattern | None:
        source = self.get(key, str, required=required)
        if source is None:
            return None
        try:
            return re.compile(source)
        except re.error as exc:
            self.fail(key, f"invalid regular expression: {exc}")

    def table_of(self, key: str, allowed: set[str] | None, required: bool = False) -> _Reader:
        value = self.get(key, dict, {}, required=required)
        return _Reader(self.path, value, f"{self.prefix}{key}.", allowed)


def _form(listing: _Reader, key: str) -> Form:
    """A form option (``listing.form``): a table of fields with string or integer values, in file order."""
    form = listing.get(key, dict, {})
    for name, value in form.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            listing.fail(f"{key}.{name}", "must be a string or an integer")
    return tuple((name, str(value)) for name, value in form.items())


def _strings(listing: _Reader, key: str) -> tuple[str, ...]:
    """A list option: non-empty, of non-empty strings (left out, the adapter's default)."""
    value = listing.get(key, list)
    if not value:
        listing.fail(key, "must not be empty (leave it out for the adapter's default)")
    return tuple(value)


# How each type an adapter option may have (see crawler.listings.contract) is read from TOML.
_OPTION_READERS = {
    str: lambda listing, key: listing.get(key, str),
    int: lambda listing, key: listing.get(key, int),
    tuple[str, ...]: _strings,
    re.Pattern: lambda listing, key: listing.pattern(key),
    Form: _form,
}


def _option_type(hint) -> Any:
    """The type an option's reader goes by: its annotation without ``| None``."""
    if isinstance(hint, UnionType):
        (hint,) = (arg for arg in get_args(hint) if arg is not type(None))
    return hint


def _adapter(path: Path, listing: _Reader) -> ListingAdapter:
    """The registered adapter ``listing.adapter`` names; a former name is accepted with a warning."""
    name = listing.get("adapter", str, required=True)
    if name in FORMER_NAMES:
        _warn_former_name(path, name, FORMER_NAMES[name])
        name = FORMER_NAMES[name]
    if name not in ADAPTERS:
        listing.fail("adapter", f"must be one of {', '.join(sorted(ADAPTERS))}, got {name!r}")
    return ADAPTERS[name]


@cache
def _warn_former_name(path: Path, old: str, new: str) -> None:
    """Say once per process that a definition names its adapter by a former name."""
    log.warning(
        "%s: field 'listing.adapter': %r is the former name of adapter %r; write adapter = %r", path, old, new, new
    )


def _options(listing: _Reader, adapter: ListingAdapter):
    """The adapter's own options from ``[listing]``: every other key is refused, naming the options
    the adapter has (and the adapter whose option it is, if any); each value is read by its type."""
    declared = [option.name for option in fields(adapter.options)]
    for key in listing.table:
        if key in _LISTING_FIELDS or key in declared:
            continue
        owners = sorted(
            other.name for other in ADAPTERS.values() if key in {option.name for option in fields(other.options)}
        )
        whose = f" (an option of {', '.join(owners)})" if owners else ""
        listing.fail(
            key,
            f"not an option of adapter {adapter.name}{whose}; its options: "
            f"{', '.join(declared) or 'none'}; every adapter's: {', '.join(sorted(_LISTING_FIELDS))}",
        )
    hints = get_type_hints(adapter.options)
    return adapter.options(
        **{key: _OPTION_READERS[_option_type(hints[key])](listing, key) for key in declared if key in listing.table}
    )


def parse_site(path: Path) -> Site:
    """Load and validate one site definition file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteDefinitionError(f"{path}: not valid TOML: {exc}") from None
    top = _Reader(path, data, "", _TOP_FIELDS)
    name = top.get("name", str, required=True)
    if not re.fullmatch(r"[a-z0-9_]+", name):
        top.fail("name", "use lower-case letters, digits and underscores")
    kind = top.get("kind", str, required=True)
    if kind not in KINDS:
        top.fail("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    start_urls = top.get("start_urls", list, required=True)
    for url in start_urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            top.fail("start_urls", f"not an absolute http(s) URL: {url!r}")
    listing = top.table_of("listing", None, required=True)
    adapter = _adapter(path, listing)
    detail = top.table_of("detail", _DETAIL_FIELDS, required=True)
    hints = top.table_of("extract", _EXTRACT_FIELDS)
    overrides = top.get("scrapy", dict, {})
    for key in overrides:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
            top.fail(f"scrapy.{key}", "Scrapy setting names are upper-case")
    return Site(
        name=name,
        title=top.get("title", str, required=True),
        kind=kind,
        province=top.get("province", str),
        start_urls=tuple(start_urls),
        enabled=top.get("enabled", bool, True),
        live_checked=top.get("live_checked", bool, False),
        listing=Listing(
            adapter=adapter.name,
            max_pages=listing.get("max_pages", int, 3),
            per_page=listing.get("per_page", int, 15),
            options=_options(listing, adapter),
        ),
        detail_pattern=detail.pattern("url_pattern", required=True),
        hints=SiteHints(
            title=hints.get("title", str),
            published_at=hints.get("published_at", str),
            source=hints.get("source", str),
            content=tuple(hints.get("content", list, [])),
            drop=tuple(hints.get("drop", list, [])),
            chrome=frozenset(normalize_text(line) for line in hints.get("chrome", list, [])),
        ),
        settings=dict(overrides),
        path=path,
    )


def sites_dir() -> Path:
    """Where the site definitions are: ``CRAWLER_SITES_DIR`` (``crawler --sites-dir``) when set,
    else the bundled ``crawler/sites``."""
    configured = os.environ.get("CRAWLER_SITES_DIR")
    return Path(configured) if configured else SITES_DIR


def load_sites(directory: Path | None = None) -> dict[str, Site]:
    """Every site definition in ``directory`` (default: :func:`sites_dir`), by name."""
    directory = Path(directory) if directory else sites_dir()
    if not directory.is_dir():
        raise SiteDefinitionError(f"{directory}: no such directory of site definitions")
    sites: dict[str, Site] = {}
    for path in sorted(directory.glob("*.toml")):
        site = parse_site(path)
        if site.name in sites:
            raise SiteDefinitionError(f"{path}: field 'name': {site.name!r} is also used by {sites[site.name].path}")
        sites[site.name] = site
    return sites


def select_sites(names: list[str] | tuple[str, ...], directory: Path | None = None) -> list[Site]:
    """The named sites, or every enabled site when no name is given."""
    sites = load_sites(directory)
    if not names:
        return [s for s in sites.values() if s.enabled]
    unknown = [n for n in names if n not in sites]
    if unknown:
        raise SiteDefinitionError(f"unknown site {unknown[0]!r}; known sites: {', '.join(sorted(sites))}")
    return [sites[n] for n in names]
