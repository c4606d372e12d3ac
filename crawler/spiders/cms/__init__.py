"""Listing adapters, one per CMS family. Each module has ``entries(response, site)`` yielding
:class:`ListEntry` and ``next_pages(response, site, page, depth)`` yielding the requests for later
listing pages: ``page`` is the number of the page ``response`` is (1 for a start URL), ``depth`` the
number of listing pages this run reads in all (``--backfill N``, else ``listing.max_pages``). An
adapter asks for no page past ``depth`` and stops before it only where the site says there are no
more pages; a family that asks for its later records all at once from the first page (Hanweb's
dataproxy) asks for ``depth`` pages' worth, and a family of one page (a feed) reads what it holds.
Whether a page is followed at all is the spider's call (monitor mode stops at a page with nothing
new). Optional: ``start_request(url, site)``, the first request for a start URL, and
``problem(response, site)``, why an answer lists nothing."""

from __future__ import annotations

from types import ModuleType

from crawler.spiders.cms import gkmlpt, hanweb_jcms, html_list, jpaas_build, trs_static
from crawler.spiders.cms import jpaas_querylist
from crawler.spiders.cms import ls_column
from crawler.spiders.cms import rss, trs_json
from crawler.spiders.cms.entry import ListEntry

ADAPTERS: dict[str, ModuleType] = {"gkmlpt": gkmlpt, "hanweb_jcms": hanweb_jcms, "html_list": html_list, "jpaas_querylist": jpaas_querylist,
                                 "jpaas_build": jpaas_build, "ls_column": ls_column, "rss": rss, "trs_json": trs_json, "trs_static": trs_static}

__all__ = ["ADAPTERS", "ListEntry"]
