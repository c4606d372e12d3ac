"""`crawler demo`: the main job offline, against the bundled recording of the sites, and what it stored."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawler.app.crawl import CrawlReport, run_crawl
from crawler.mirror import DEFAULT_TREE, host_map_for, hosts_in, resolve, serve_mirror
from crawler.siteconf import load_sites
from crawler.store import Store, summaries

QUICK = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


@dataclass
class DemoResult:
    """The crawl's report (without the unrecorded pages), the listed pages the recording leaves
    out, and every notice now stored (``site``, ``published_at``, ``title``, ``story_id``)."""

    report: CrawlReport
    unrecorded: list[str]
    notices: list[dict]

    @property
    def stories(self) -> int:
        """Stored stories: a notice republished on other sites is one story."""
        return len({notice["story_id"] for notice in self.notices})


def run_demo(
    db_path: Path, tree: Path = DEFAULT_TREE, on_mirror: Callable[[int, str], None] | None = None
) -> DemoResult:
    """Serve the recorded site ``tree``, call ``on_mirror(hosts, base URL)`` once it listens, and
    crawl every site it records into ``db_path``."""
    mirrored = [s for s in load_sites().values() if set(s.hosts) <= set(hosts_in(tree))]
    with serve_mirror(tree) as base:
        host_map = host_map_for(tree, base)
        if on_mirror is not None:
            on_mirror(len(host_map), base)
        report = run_crawl(mirrored, db_path, host_map, QUICK)
    # A listed page the recording leaves out (on purpose: the tests read it as a notice taken down)
    # answers 404 like a removed notice; it is no problem of the run, so it is set apart.
    unrecorded = []
    for detail in report.sites.values():
        for error in list(detail["errors"]):
            url = urlsplit(error["url"])
            if error["outcome"] == "missing" and not resolve(
                tree, f"/{url.netloc}{url.path}" + (f"?{url.query}" if url.query else "")
            ):
                detail["errors"].remove(error)
                unrecorded.append(error["url"])
    with closing(Store(db_path)) as store:
        notices = summaries.stored_notices(store.db)
    return DemoResult(report, unrecorded, notices)
