"""A detail page's record built from its bytes, the same way for a crawl and for `crawler reextract`."""

from __future__ import annotations

from crawler.downloader.outcomes import Outcome
from crawler.extract import SiteHints
from crawler.extract.attachments import Attachment
from crawler.extract.encoding import decode_html
from crawler.extract.hints import describe_misses
from crawler.extract.pool import ExtractionPool
from crawler.kinds import classify
from crawler.records import DetailPage, FetchOutcome, extract_detail
from crawler.roster_files import wanted_attachments
from crawler.rosters import entries_from_body
from crawler.site import Site

MIN_TEXT = 20  # characters of normalised body text below which a page holds no notice


async def build_page(
    site: Site | None,
    fetch: FetchOutcome,
    raw: bytes,
    content_type: str | None,
    *,
    listing_title: str | None,
    listing_date: str | None,
    extraction: ExtractionPool,
    pack: bool = False,
    validators: dict | None = None,
) -> DetailPage | None:
    """The record of the detail page ``fetch.url`` answered with ``raw``: its notice extracted (by
    ``extraction``, in a worker when it has one) with the site's hints and the title and date its
    listing showed, classified (its application deadline kept for a call only), and for a roster
    notice the roster printed in its body. ``site`` is None for a notice whose site is no longer
    defined (reextract): no hints then.

    Sets ``fetch.via`` and ``fetch.drift`` (whether the site's selectors found their elements).
    Returns None when the page holds no notice (extraction failed, too little text, no title);
    ``fetch.outcome`` (``error`` or ``empty``) and ``fetch.error`` then say why. ``pack``: also
    compress the page for the store beside its extraction (a page not stored before)."""
    hints = site.hints if site else SiteHints()
    notice, packed = await extraction.call(
        extract_detail,
        fetch.url,
        raw,
        hints,
        pack=pack,
        content_type=content_type,
        listing_title=listing_title,
        listing_date=listing_date,
    )
    missed = describe_misses(hints, notice.selectors)
    fetch.via, fetch.drift = (
        ("fallback", f"extract selectors matched nothing (generic extraction used): {missed}")
        if missed
        else ("definition", None)
    )
    if notice.error or len(notice.body_normalized) < MIN_TEXT or not notice.title:
        fetch.outcome = Outcome.ERROR if notice.error else Outcome.EMPTY
        fetch.error = notice.error or "no notice text found on the page"
        return None
    kind = classify(notice.title, notice.issuer)
    if kind.kind != "call":
        # A deadline is a call's: a list's dates are its 公示 and objection windows, a policy's are
        # standing rules of its programme, news only reports them.
        notice.deadline = None
    page = DetailPage(
        site=fetch.site,
        notice=notice,
        fetch=fetch,
        raw=raw,
        content_type=content_type,
        validators=validators or {},
        kind=kind,
        packed=packed,
        listing_title=listing_title,
    )
    if page.kind.is_roster:
        page.body_entries = entries_from_body(
            notice.body, decode_html(raw, content_type)[0], province=site.province_name if site else None
        )
    return page


def attachments_to_read(page: DetailPage, site: Site | None) -> list[Attachment]:
    """The attachments of a roster notice whose files are read for its roster (none for another
    notice): on the site's own hosts, of a type that may hold a roster."""
    if not page.kind.is_roster:
        return []
    return wanted_attachments(list(page.notice.attachments), site.hosts if site else ())
