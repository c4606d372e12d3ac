"""An archive of N notices, as a monitor of every defined site holds after months or years, built
through the real :class:`crawler.store.Store` for the growth benchmark (bench/growth.py).

The archive grows in time, not in density: every site publishes at the same pace whatever N is
(``PER_DAY`` notices a day over all sites), so an archive of N notices covers N / PER_DAY days
ending on the generated column's newest day. Each notice is a real recorded notice's text
reshuffled: its sentences are drawn from the ~600 recorded pages under tests/fixtures/sites, its
title from theirs, its site (and so province) from the 41 site definitions. On top of that:

- ``COPY_SHARE`` of the notices are republished copies of another site's notice of the day before
  (the same text with a republisher's line added); those on a site of the same province or a
  national one join that notice's story (about three in ten), the others are two provinces' notices;
- ``EDIT_SHARE`` of the notices are edited once, some days later: a second version;
- one run a day: the fetch row of each page stored that day, and each site's first listing page
  (15 notices) read that day.

The column the benchmark crawls (``bench_hanweb``) holds its own share of the archive too, dated
before every notice its listing shows, as a column's older history is.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from pathlib import Path

from crawler.extract import Notice, extract_notice
from crawler.extract.text import normalize_text
from crawler.kinds import classify
from crawler.records import DetailPage, FetchOutcome, ListingPage, pack_raw
from crawler.siteconf import load_sites
from crawler.store import Store
from crawler.store.versions import sentences

ROOT = Path(__file__).resolve().parent.parent
VERSION = 1  # of what an archive holds: a change to the rows written below makes it 2 (bench/growth.py caches by it)
PER_DAY = 110  # notices a day over all the defined sites: about 40,000 a year (README, "Size")
COPY_SHARE = 0.05
EDIT_SHARE = 0.08
LISTED = 15
NEWEST = datetime(2025, 7, 16, 9, 30)  # bench/hanweb_site.py's newest notice
COLUMN_DAYS = 251  # the generated column of 1,000 notices spans 250 days back from NEWEST


def corpus() -> tuple[list[str], list[str]]:
    """Sentences (12 characters or more) and titles of the recorded pages, deduplicated, in a fixed order."""
    found_sentences: dict[str, None] = {}
    titles: dict[str, None] = {}
    for path in sorted((ROOT / "tests/fixtures/sites").rglob("*.*htm*")):
        if "/col/" in str(path) or "index" in path.name:
            continue
        notice = extract_notice("https://" + str(path.relative_to(ROOT / "tests/fixtures/sites")), path.read_bytes())
        if notice.error or len(notice.body_normalized) < 200:
            continue
        if notice.title:
            titles[notice.title] = None
        for sentence in sentences(notice.body_normalized):
            if len(sentence) >= 12:
                found_sentences[sentence] = None
    return list(found_sentences), list(titles)


class ArchiveWriter:
    """Writes the archive into a Store, day by day."""

    def __init__(self, store: Store, count: int, seed: int = 21) -> None:
        self.store, self.count, self.rng = store, count, random.Random(seed)
        self.sentences, self.titles = corpus()
        sites = load_sites()
        self.sites = sorted(sites)
        store.register_sites(list(sites.values()))
        self.written = 0
        self.recent: dict[str, list[str]] = {}  # site: its newest URLs, newest first
        self.edits: dict[str, list[tuple[str, str, str]]] = {}  # day: (site, url, title) to edit then
        self.copyable: list[tuple[str, str, str]] = []  # yesterday's (site, title, body)

    def body(self) -> str:
        lines = ["各有关单位："]
        for _ in range(self.rng.randrange(6, 40)):
            lines.append("".join(self.rng.choice(self.sentences) for _ in range(self.rng.randrange(1, 3))))
        return "\n".join(lines)

    def page(self, site: str, url: str, title: str, body: str, when: datetime, run: int) -> DetailPage:
        text = f"{title}\n{body}"
        notice = Notice(
            url=url,
            title=title,
            published_at=when.strftime("%Y-%m-%dT%H:%M:00+08:00"),
            source=site,
            body=text,
            body_normalized=normalize_text(text),
            title_normalized=normalize_text(title),
        )
        raw = f"<html><head><title>{title}</title></head><body><div id='zoom'>{body}</div></body></html>".encode()
        fetched = (when - timedelta(hours=8) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        fetch = FetchOutcome(site, url, "detail", "stored", status=200, fetched_at=fetched, bytes=len(raw))
        return DetailPage(site, notice, fetch, raw, "text/html", kind=classify(title), packed=pack_raw(raw))

    def notice_url(self, site: str, when: datetime) -> str:
        self.written += 1
        return f"https://{site}.example.gov.cn/art/{when:%Y/%m/%d}/art_{self.written}.html"

    def day(self, when: datetime, sites: list[str], per_site: dict[str, int]) -> None:
        """One day: its run, the notices each site published, yesterday's copies, the edits due, the listings."""
        run = self.store.start_run(sites)
        today: list[tuple[str, str, str]] = []
        for site in sites:
            for i in range(per_site.get(site, 0)):
                at = when + timedelta(minutes=7 * i + self.rng.randrange(7))
                origin = site
                if self.copyable and self.rng.random() < COPY_SHARE:
                    origin, title, body = self.rng.choice(self.copyable)
                    body = f"来源：{origin}\n{body}"
                if not self.copyable or origin == site:
                    title = re.sub(r"\d{4}年", f"{at.year}年", self.rng.choice(self.titles))
                    body = self.body()
                url = self.notice_url(site, at)
                self.store.save_page(run, self.page(site, url, title, body, at, run))
                self.recent.setdefault(site, []).insert(0, url)
                del self.recent[site][LISTED:]
                today.append((site, title, body))
                if self.rng.random() < EDIT_SHARE:
                    later = (at + timedelta(days=self.rng.randrange(1, 20))).date().isoformat()
                    self.edits.setdefault(later, []).append((site, url, title, body, at))
        for site, url, title, body, at in self.edits.pop(when.date().isoformat(), []):
            edited = body + f"\n（更正：截止时间延长至{at.year}年{at.month}月{min(at.day + 5, 28)}日。）"
            self.store.save_page(run, self.page(site, url, title, edited, when + timedelta(hours=9), run))
        for site in sites:
            if self.recent.get(site):
                listing_url = f"https://{site}.example.gov.cn/col/index.html"
                fetch = FetchOutcome(site, listing_url, "listing", "listed", status=200, fetched_at=when.isoformat())
                entries = [(u, when.date().isoformat()) for u in self.recent[site]]
                self.store.record_listing(run, ListingPage(site, fetch, entries, page=1))
        self.copyable = today
        return run


def build(path: Path, count: int, column_site: str = "bench_hanweb", progress=None) -> dict:
    """Write an archive of ``count`` notices into a new database at ``path``; returns what it holds."""
    store = Store(path)
    writer = ArchiveWriter(store, count)
    others = [s for s in writer.sites if s != column_site]
    share = count // (len(others) + 1)  # the crawled column's own older history
    days = max(1, round((count - share) / PER_DAY))
    rng = writer.rng
    # The column's history: before every notice of the generated column.
    column_start = NEWEST - timedelta(days=COLUMN_DAYS)
    for i in range(share):
        when = column_start - timedelta(hours=8 * (share - i))
        url = f"https://jxt.zj.gov.cn/art/{when:%Y/%-m/%-d}/art_1582900_{i + 1}.html"
        run = store.start_run([column_site])
        store.save_page(run, writer.page(column_site, url, rng.choice(writer.titles), writer.body(), when, run))
    remaining = count - share
    runs = []
    for d in range(days):
        when = (NEWEST - timedelta(days=days - d)).replace(hour=8, minute=0)
        todays = min(remaining, PER_DAY if d < days - 1 else remaining)
        per_site: dict[str, int] = {}
        for _ in range(todays):
            site = rng.choice(others)
            per_site[site] = per_site.get(site, 0) + 1
        remaining -= todays
        runs.append(writer.day(when, others, per_site))
        if progress and d % 30 == 0:
            progress(d, days)
    # Presence and health of the last ten days as the runs left them; the earlier runs are closed
    # as finished without them (presence over every site each day would take hours to build).
    for run in runs[-10:]:
        store.finish_run(run)
    store.flush()
    with store.db.conn:
        store.db.execute("update runs set status = 'finished', finished_at = started_at where status = 'running'")
    store.close()
    return {"notices": count, "days": days}
