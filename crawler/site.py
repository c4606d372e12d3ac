"""What a site definition is, as records: :class:`Site` and its :class:`Listing`, and province
names. The loader that reads and checks the TOML files is :mod:`crawler.siteconf`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.extract import SiteHints
from crawler.rosters import places

KINDS = ("bureau", "republisher")


def province_name(short: str | None) -> str | None:
    """The full name of a site's province (``浙江`` → ``浙江省``, ``广西`` → ``广西壮族自治区``), from the
    gazetteer the roster reader uses; None for a national site."""
    return None if short == "全国" else places.province_name(short)


@dataclass(frozen=True)
class Listing:
    """How a site's listing pages are read: the adapter of its CMS family (a name in
    :data:`crawler.listings.ADAPTERS`), the listing pages a first run reads, the records a page
    holds where the answer does not say, and the adapter's own ``options`` (an instance of its
    ``options`` dataclass, filled by the site loader)."""

    adapter: str
    max_pages: int = 3
    per_page: int = 15
    options: Any = None


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
    live_checked: bool = False  # read against the live site by someone, not only its recorded tree
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
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "province": self.province,
            "start_urls": list(self.start_urls),
            "enabled": self.enabled,
            "live_checked": self.live_checked,
        }
