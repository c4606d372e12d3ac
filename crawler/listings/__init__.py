"""Listing adapters, one module per CMS family, and their registry: :data:`ADAPTERS`, the one place
adapter names live (site definitions, the site loader, the spider and ``crawler sites detect`` read
it). What an adapter module declares is in :mod:`crawler.listings.contract`."""

from __future__ import annotations

from crawler.listings import (
    gkmlpt,
    hanweb_jcms,
    html_list,
    jpaas_build,
    jpaas_querylist,
    json_list,
    ls_column,
    rss,
    trs_static,
)
from crawler.listings.contract import ListingAdapter
from crawler.listings.entry import ListingEntry

ADAPTERS: dict[str, ListingAdapter] = {
    module.ADAPTER.name: module.ADAPTER
    for module in (gkmlpt, hanweb_jcms, html_list, jpaas_build, jpaas_querylist, json_list, ls_column, rss, trs_static)
}
# Names adapters had before, still accepted in site definitions: old name → current name.
FORMER_NAMES: dict[str, str] = {old: adapter.name for adapter in ADAPTERS.values() for old in adapter.former_names}

__all__ = ["ADAPTERS", "FORMER_NAMES", "ListingEntry", "ListingAdapter"]
