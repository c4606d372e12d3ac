"""Listing adapters, one per CMS family. Each module has ``entries(response, site)`` yielding
:class:`ListEntry` and ``next_pages(response, site, page)`` yielding requests for later pages."""

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
