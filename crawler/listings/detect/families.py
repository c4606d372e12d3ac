"""A page's CMS family told by its markers: the Family record, and the markers of feeds and HTML pages.

Markers, strongest first:

- RSS/Atom: the document's root is ``<rss>``, ``<feed>`` or ``<rdf:RDF>``.
- HTML: Hanweb jcms (``<script type="text/xml">`` records in a ``<datastore>``, ``dataproxy.jsp``,
  ``jpage(``, ``jcms_files``), the shells of jpaas, jpaas queryList and gkmlpt (their API paths in
  the page; the list itself is not on it), Anhui's ``Ls.pagination`` platform, TRS WCM static
  columns (``createPageHTML(`` and ``countPage``, ``t20250717_5731942.html`` links), NFCMS (南方
  CMS of Guangdong's sites: ``nfcms`` in the page or ``/content/post_N.html`` links, read with the
  plain-list adapter), else a plain list (html_list).

JSON answers are told apart in :mod:`~crawler.listings.detect.json_families`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from parsel import Selector

from crawler.listings.detect.links import Link, clean_text
from crawler.listings.detect.naming import page_title, title_parts
from crawler.listings.detect.page import hanweb_records, local_name

_TRS_DETAIL = re.compile(r"/t(?:19|20)\d{6}_\d+(?:_\d+)?\.s?html?$")


@dataclass
class Family:
    """A page's family as its markers tell it, and what they say of the site definition."""

    adapter: str  # a name in crawler.listings.ADAPTERS
    label: str  # the family as people name it: "Hanweb jcms datastore", "TRS", "NFCMS", "plain list" …
    evidence: list[str] = field(default_factory=list)
    listing: dict = field(default_factory=dict)  # [listing] options read from the page
    notes: list[str] = field(default_factory=list)  # what the definition still needs by hand
    title: str | None = None
    start_url: str | None = None  # where it is not the page's own URL


def feed_family(root, links: list[Link]) -> Family:
    """RSS 2.0, Atom or RSS 1.0 by the feed's root element, titled by its first <title>."""
    name = local_name(root.tag)
    channel = next((c for c in root.iter() if local_name(c.tag) == "title"), None)
    return Family(
        "rss",
        {"rss": "RSS", "feed": "Atom"}.get(name, "RSS 1.0"),
        evidence=[f"<{'rdf:RDF' if name == 'RDF' else name}> feed with {len(links)} items"],
        listing={"max_pages": 1},
        title=title_parts(clean_text("".join(channel.itertext()))) if channel is not None else None,
    )


def html_family(text: str, links: list[Link], document: Selector) -> Family:
    """The family of an HTML page by the markers in its text and the forms of its links."""
    family = _html_markers(text, links)
    family.title = page_title(document)
    return family


def _html_markers(text: str, links: list[Link]) -> Family:
    records = hanweb_records(text)
    hanweb = []
    if re.search(r"<script[^>]+type=[\"']text/xml[\"'][^>]*>\s*<datastore>", text, re.I):
        hanweb.append(f'<script type="text/xml"> with <datastore> ({len(records)} records)')
    for marker in ("dataproxy.jsp", "jpage(", "jcms_files", "/jrobot/search.do"):
        if marker in text:
            hanweb.append(marker)
    if hanweb and (records or "dataproxy.jsp" in text or len(hanweb) >= 2):
        family = Family("hanweb_jcms", "Hanweb jcms datastore", evidence=hanweb)
        total = re.search(r"totalRecord\s*:\s*['\"]?(\d+)", text)
        per_page = re.search(r"perPage\s*:\s*['\"]?(\d+)", text)
        if total:
            family.evidence.append(f"totalRecord:{total.group(1)}")
        if per_page:
            family.listing["per_page"] = int(per_page.group(1))
        return family
    if "jpaas-publish-server" in text or "/page/build/unit" in text:
        return Family(
            "jpaas_build",
            "jpaas",
            evidence=[
                "jpaas-publish-server build/unit call in the page: a shell whose list is a JSON API; "
                "start_urls should be that build/unit URL (with paramJson), not given whole here"
            ],
        )
    if re.search(r"['\"/]queryList\b", text) and re.search(r"webSiteCode|channelCode", text):
        return Family(
            "jpaas_querylist",
            "jpaas queryList",
            evidence=[
                "a /queryList script with webSiteCode/channelCode: a jpaas column shell (the list is a POST API)"
            ],
        )
    if re.search(r"/gkmlpt/(?:api|index)", text):
        return Family(
            "gkmlpt",
            "gkmlpt",
            evidence=[
                "/gkmlpt/ paths in the page: a gkmlpt directory shell; start_urls should be its JSON API "
                "/gkmlpt/api/all/<category>?page=1&sid=<site>, which this page does not give"
            ],
        )
    if re.search(r"\bLs\.pagination\s*\(", text):
        family = Family("ls_column", "Ls.pagination", evidence=["Ls.pagination( call"])
        count = re.search(r"Ls\.pagination[\s\S]{0,600}?pageCount\s*:\s*['\"]?(\d+)", text)
        if count:
            family.evidence.append(f"pageCount:{count.group(1)}")
        size = re.search(r"Ls\.pagination[\s\S]{0,600}?pageSize\s*:\s*['\"]?(\d+)", text)
        if size:
            family.listing["per_page"] = int(size.group(1))
        if re.search(r"ls\.min\.js|ls-page-container", text):
            family.evidence.append("ls.min.js / ls-page-container")
        return family
    trs_links = sum(1 for link in links if _TRS_DETAIL.search(urlsplit(link.url).path))
    call = re.search(r"(?<![\w.])(createPage(?:HTML)?)\s*\(", text)
    if call:
        family = Family("trs_static", "TRS", evidence=[f"{call[1]}( pager call"])
        count = re.search(r"\bcountPage\s*=\s*(\d+)", text)
        if count:
            family.evidence.append(f"countPage = {count.group(1)}")
        if trs_links:
            family.evidence.append(f"{trs_links} TRS-form links (t<yyyymmdd>_<id>)")
        return family
    nfcms = re.search(r"nfcms", text, re.I)
    posts = sum(1 for link in links if re.search(r"/content/post_\d+\.html$", urlsplit(link.url).path))
    if nfcms or posts >= 2:
        family = Family("html_list", "NFCMS")
        if nfcms:
            family.evidence.append("'nfcms' in the page")
        if posts:
            family.evidence.append(f"{posts} links of the NFCMS form /content/post_<id>.html")
        family.evidence.append("no adapter of its own: read as a plain list")
        return family
    if trs_links >= 2:
        return Family(
            "trs_static",
            "TRS",
            evidence=[
                f"{trs_links} TRS-form links (t<yyyymmdd>_<id>) but no createPageHTML call: "
                "trs_static reads this first page only"
            ],
        )
    return Family(
        "html_list",
        "plain list",
        evidence=["no CMS marker (datastore, createPageHTML, Ls.pagination, jpaas, gkmlpt, NFCMS)"],
    )
