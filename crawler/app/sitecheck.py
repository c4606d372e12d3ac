"""``crawler sites --check NAME``: crawl one site definition (from the live site, or its recorded
tree) into a scratch database and show, page by page, how the definition read it, with a verdict."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from crawler.app.crawl import run_crawl
from crawler.extract import extract_notice
from crawler.extract.hints import HINTED_FIELDS
from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from crawler.site import Site
from crawler.store import Store, health, summaries

VERDICT_EXIT = {"ok": 0, "degraded": 3, "broken": 4}
_QUICK = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


@dataclass
class CheckResult:
    """What a check printed and its verdict (``ok``, ``degraded`` or ``broken``)."""

    lines: list[str]
    verdict: str
    reason: str | None
    state: str | None = None  # the site's health state (failing: the site gave no answer)

    @property
    def exit_code(self) -> int:
        return VERDICT_EXIT[self.verdict]


def _verdict(state: health.SiteState | None) -> tuple[str, str | None]:
    if state is None:
        return "broken", "the site was not crawled"
    if state.state in VERDICT_EXIT:
        return state.state, state.reason
    return "broken", f"{state.state}: {state.reason}"  # failing or blocked: not read as defined


def _listing_lines(store: Store) -> Iterator[str]:
    for row in summaries.listing_fetches(store.db):
        path = {"definition": "adapter", "fallback": "FALLBACK"}.get(row["via"], "-")
        yield f"listing {row['status'] or '-'} {row['outcome']:<8}{row['entries']:>4} entries  via {path:<9}{row['url']}"
        if row["drift"] or row["error"]:
            yield f"        {row['drift'] or row['error']}"


def _field_sources(notice) -> str:
    """Which fields the site's selectors gave and which generic extraction did."""
    parts = []
    for name in HINTED_FIELDS:
        state = notice.selectors.get(name)
        parts.append(f"{name}={'selector' if state == 'matched' else 'GENERIC' if state == 'missed' else 'generic'}")
    return " ".join(parts)


def _detail_lines(store: Store, site: Site) -> Iterator[str]:
    for row in summaries.current_notices(store.db):
        attachments = len(json.loads(row["attachments"] or "[]"))
        yield (f"detail  {row['published_at'] or '?':<26}{row['chars']:>6} chars  {attachments} att  {row['title']}")
        raw = store.snapshot_bytes(row["raw_sha256"]) if row["raw_sha256"] else None
        if raw is not None:  # the saved page, extracted again: which fields the selectors gave
            yield f"        fields: {_field_sources(extract_notice(row['url'], raw, site.hints))}"
        yield (
            f"        kind={row['kind']} source={row['source']} doc={row['doc_number']} issuer={row['issuer']}"
            f"  {row['url']}"
        )


def _other_lines(store: Store) -> Iterator[str]:
    for row in summaries.attachment_files(store.db):
        yield (
            f"file    {row['status']:<8} {row['type'] or '-':<5}{row['entries']:>4} entries  {row['name']}"
            f"{'  (' + row['reason'] + ')' if row['reason'] else ''}  {row['url']}"
        )
    for row in summaries.page_problems(store.db):
        more = f" (and {row['pages'] - 1} more page(s))" if row["pages"] > 1 else ""
        yield f"problem {row['status'] or '-'} {row['outcome']}: {row['why']}  {row['url']}{more}"


def _crawl_and_report(site: Site, db_path: Path, host_map: dict[str, str], backfill: int) -> CheckResult:
    """One crawl in a process of its own (Twisted's reactor runs once per process, and a check may
    need two: the live site, then the recorded tree)."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as worker:
        return worker.submit(_crawl_here, site, db_path, host_map, backfill).result()


def _crawl_here(site: Site, db_path: Path, host_map: dict[str, str], backfill: int) -> CheckResult:
    report = run_crawl([site], db_path, host_map, {**_QUICK, "CRAWLER_BACKFILL": str(backfill)}, "ERROR")
    store = Store(db_path)
    try:
        lines = [*_listing_lines(store), *_detail_lines(store, site), *_other_lines(store)]
        state = health.of_run(store.db, report.run_id).get(site.name)
    finally:
        store.close()
    return CheckResult(lines, *_verdict(state), state=state.state if state else None)


def check_site(
    site: Site, live: bool = False, tree: Path | None = None, backfill: int = 0, host_map: dict[str, str] | None = None
) -> CheckResult:
    """Crawl ``site`` into a scratch database: from the live site when ``live`` (through
    ``host_map``, when given; the recorded tree when the site cannot be reached), else from the
    recorded ``tree``."""
    tree = tree or DEFAULT_TREE
    with tempfile.TemporaryDirectory() as folder:
        lead = []
        if live:
            result = _crawl_and_report(site, Path(folder) / "live.db", host_map or {}, backfill)
            if result.state != "failing":
                result.lines.insert(0, f"checked against the live site ({', '.join(site.hosts)})")
                return result
            lead = [f"the live site could not be reached ({result.reason}); checking the recorded tree instead"]
        missing = [h for h in site.hosts if not (tree / h).is_dir()]
        if missing:
            return CheckResult(
                [*lead, f"no recorded tree for {', '.join(missing)} under {tree}"], "broken", "nothing to check against"
            )
        with serve_mirror(tree) as base:
            result = _crawl_and_report(site, Path(folder) / "check.db", host_map_for(tree, base), backfill)
        result.lines[:0] = [*lead, f"checked against the recorded tree {tree}"]
        return result
