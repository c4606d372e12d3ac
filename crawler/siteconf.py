"""Site definitions: TOML files in crawler/sites/, loaded and validated into :class:`Site` records."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler.extract import SiteHints
from crawler.extract.text import normalize_text

SITES_DIR = Path(__file__).parent / "sites"
KINDS = ("bureau", "republisher")
# Listing formats with an adapter in crawler/spiders/cms/.
ADAPTERS = ("gkmlpt", "hanweb_jcms", "html_list", "jpaas_build", "jpaas_querylist", "ls_column", "rss", "trs_json", "trs_static")

_MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
_REGIONS = {"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区", "宁夏": "宁夏回族自治区",
            "新疆": "新疆维吾尔自治区", "香港": "香港特别行政区", "澳门": "澳门特别行政区"}


def province_name(short: str | None) -> str | None:
    """The full name of a site's province (``浙江`` → ``浙江省``); None for national sites."""
    if not short or short == "全国":
        return None
    if short.endswith(("省", "市", "自治区", "特别行政区")):
        return short
    if short in _MUNICIPALITIES:
        return short + "市"
    return _REGIONS.get(short, short + "省")


class SiteDefinitionError(ValueError):
    """A site definition that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Listing:
    """How a site's listing pages are read."""

    adapter: str
    max_pages: int = 3
    next_page_pattern: re.Pattern | None = None
    item_selector: str | None = None
    per_page: int = 15
    # JSON list APIs (trs_json): where the records are, which record fields hold the link, title and
    # date (empty: the adapter's defaults), the page parameter, and the POST form (empty: GET).
    records: str | None = None
    url_fields: tuple[str, ...] = ()
    title_fields: tuple[str, ...] = ()
    date_fields: tuple[str, ...] = ()
    page_param: str = "page"
    form: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Site:
    """One crawlable site (or site column) and everything the crawler needs to know about it."""

    name: str
    title: str
    kind: str
    province: str | None
    start_urls: tuple[str, ...]
    listing: Listing
    detail_pattern: re.Pattern
    hints: SiteHints = SiteHints()
    enabled: bool = True
    settings: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def hosts(self) -> tuple[str, ...]:
        """Hosts of the start URLs: the crawl stays on these."""
        return tuple(dict.fromkeys(urlsplit(u).hostname for u in self.start_urls))

    @property
    def province_name(self) -> str | None:
        """The full name of the site's province (``浙江`` → ``浙江省``); None for a national site."""
        return province_name(self.province)

    def is_detail_url(self, url: str) -> bool:
        """True when ``url`` is one of this site's notice pages."""
        return bool(self.detail_pattern.search(url))

    def to_json(self) -> dict:
        """The public description printed by ``crawler sites --json``."""
        return {"name": self.name, "title": self.title, "kind": self.kind, "province": self.province,
                "start_urls": list(self.start_urls), "enabled": self.enabled}


_TOP_FIELDS = {"name", "title", "kind", "province", "start_urls", "enabled", "listing", "detail", "extract", "scrapy"}
_LISTING_FIELDS = {"adapter", "max_pages", "next_page_pattern", "item_selector", "per_page",
                   "records", "url_fields", "title_fields", "date_fields", "page_param", "form"}
_DETAIL_FIELDS = {"url_pattern"}
_EXTRACT_FIELDS = {"title", "published_at", "source", "content", "drop", "chrome"}


class _Reader:
    """Typed access to one table of a definition, with errors that name the file and the field."""

    def __init__(self, path: Path, table: dict, prefix: str, allowed: set[str]):
        self.path, self.table, self.prefix = path, table, prefix
        unknown = sorted(set(table) - allowed)
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

    def table_of(self, key: str, allowed: set[str], required: bool = False) -> "_Reader":
        value = self.get(key, dict, {}, required=required)
        return _Reader(self.path, value, f"{self.prefix}{key}.", allowed)


def _form(listing: _Reader) -> tuple[tuple[str, str], ...]:
    """``listing.form``: a table of form fields with string or integer values, in file order."""
    form = listing.get("form", dict, {})
    for key, value in form.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            listing.fail(f"form.{key}", "must be a string or an integer")
    return tuple((key, str(value)) for key, value in form.items())


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
    listing = top.table_of("listing", _LISTING_FIELDS, required=True)
    adapter = listing.get("adapter", str, required=True)
    if adapter not in ADAPTERS:
        listing.fail("adapter", f"must be one of {', '.join(ADAPTERS)}, got {adapter!r}")
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
        listing=Listing(
            adapter=adapter,
            max_pages=listing.get("max_pages", int, 3),
            next_page_pattern=listing.pattern("next_page_pattern"),
            item_selector=listing.get("item_selector", str),
            per_page=listing.get("per_page", int, 15),
            records=listing.get("records", str),
            url_fields=tuple(listing.get("url_fields", list, [])),
            title_fields=tuple(listing.get("title_fields", list, [])),
            date_fields=tuple(listing.get("date_fields", list, [])),
            page_param=listing.get("page_param", str, "page"),
            form=_form(listing),
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
