"""Runs and presence: the sites a run uses, the listing pages it read, and, as it finishes, each
site's state and which notices are still listed."""

from __future__ import annotations

import json

from crawler.records import ListingPage, utc_now
from crawler.site import Site
from crawler.store import health

REMOVAL_RUNS = 3  # runs a notice must be gone from its listing before a 404/410 makes it removed
BROKEN_SHARE = 0.5  # a listing with fewer entries than this share of its usual count is broken
LISTING_RUNS_KEPT = 10  # listing rows are kept for a site's last ten runs (presence looks back five)


class Runs:
    """The store's runs, listings and presence (a part of :class:`crawler.store.Store`)."""

    def register_sites(self, sites: list[Site]) -> None:
        """Record the site definitions the run uses."""
        with self._transaction():
            self.db["sites"].upsert_all(
                (
                    {
                        "name": s.name,
                        "title": s.title,
                        "kind": s.kind,
                        "province": s.province,
                        "start_urls": json.dumps(list(s.start_urls)),
                        "enabled": int(s.enabled),
                    }
                    for s in sites
                ),
                pk="name",
            )

    def start_run(self, site_names: list[str]) -> int:
        """Open a run row and return its id."""
        with self._transaction():
            table = self.db["runs"].insert(
                {"started_at": utc_now(), "sites": json.dumps(site_names), "status": "running"}
            )
        return table.last_pk

    def record_listing(self, run_id: int | None, listing: ListingPage) -> None:
        """Record a listing page that was read and the notices it lists."""
        with self._transaction():
            self._insert_fetch(run_id, listing.fetch)
            self.db.conn.executemany(
                "INSERT INTO listings (run_id, site, page_url, page, notice_url, listing_date) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (run_id, listing.site, listing.fetch.url, listing.page, url, listing_date)
                    for url, listing_date in listing.entries
                ],
            )

    def finish_run(self, run_id: int) -> dict:
        """Assess each site of the run, update which notices are still listed, close the run with
        its counts and return them."""
        with self._transaction():
            now = utc_now()
            states = self._assess_sites(run_id, now)
            self._update_presence(run_id, now, {s.site: s.state for s in states})
        counts = self.db.execute(
            """select
                 (select count(*) from fetches where run_id = :r and status is not null),
                 (select count(*) from events where run_id = :r and kind = 'new'),
                 (select count(*) from events where run_id = :r and kind = 'changed'),
                 (select count(*) from fetches where run_id = :r and outcome in ('error', 'blocked', 'empty'))""",
            {"r": run_id},
        ).fetchone()
        row = dict(zip(("pages_fetched", "new", "changed", "errors"), counts))
        with self._transaction():
            self.db["runs"].update(run_id, {"finished_at": utc_now(), "status": "finished", **row})
        return row

    def _entries_by_page(self, site: str, run_id: int) -> dict[int | None, int]:
        """Notices listed on each listing page the run read, by page number."""
        return dict(
            self.db.execute(
                "select page, count(distinct notice_url) from listings where run_id = ? and site = ? group by page",
                [run_id, site],
            ).fetchall()
        )

    def _listing_is_short(self, site: str, run_id: int) -> str | None:
        """Why the listing pages this run read are broken, when they hold far fewer entries than
        the same pages usually do (the median of the site's last five runs that read them); else
        None. Pages are compared with themselves: a monitor run reads only the first, which may
        list fewer than the rest."""
        now = self._entries_by_page(site, run_id)
        earlier = [
            self._entries_by_page(site, run)
            for (run,) in self.db.execute(
                "select distinct run_id from listings where site = ? and run_id < ? order by run_id desc limit 5",
                [site, run_id],
            )
        ]
        current = usual = 0
        for page, count in now.items():
            counts = sorted(history[page] for history in earlier if page in history)
            if counts:
                current, usual = current + count, usual + counts[len(counts) // 2]
        if usual and current < BROKEN_SHARE * usual:
            return f"the listing pages read hold {current} notice(s) where they usually hold {usual}"
        return None

    def _assess_sites(self, run_id: int, now: str) -> list[health.SiteState]:
        """Each site of the run: its state (kept in ``site_health``), and a ``source_broken`` event
        with the reason when it has just become broken or degraded."""
        row = self.db.execute("select sites from runs where id = ?", [run_id]).fetchone()
        names = json.loads(row[0]) if row and row[0] else []
        states = []
        for site in names:
            state = health.assess(self.db, run_id, site, self._listing_is_short(site, run_id))
            if health.record(self.db, run_id, state, now):
                self.db["events"].insert(
                    {
                        "kind": "source_broken",
                        "created_at": now,
                        "run_id": run_id,
                        "site": site,
                        "reason": f"{state.state}: {state.reason}",
                    }
                )
            states.append(state)
        return states

    def _update_presence(self, run_id: int, now: str, states: dict[str, str]) -> None:
        """After a run: notices back in their listing are live; notices gone from it (within the
        dates the pages read cover) are missing, and removed after ``REMOVAL_RUNS`` runs once their
        page answers 404/410. A broken listing (empty, or far shorter than usual) is a broken
        source, not removals; one read through a fallback is no proof of absence either."""
        sites = [
            r[0]
            for r in self.db.execute(
                "select distinct site from fetches where run_id = ? and role = 'listing' and outcome = 'listed'",
                [run_id],
            )
        ]
        for site in sites:
            entries = dict(
                self.db.execute(
                    "select notice_url, max(listing_date) from listings where run_id = ? and site = ? group by notice_url",
                    [run_id, site],
                ).fetchall()
            )
            if not entries or states.get(site) == "broken":
                continue
            by_fallback = self.db.execute(
                "select 1 from fetches where run_id = ? and site = ? and role = 'listing' and via = 'fallback'",
                [run_id, site],
            ).fetchone()
            dates = [d for d in entries.values() if d]
            oldest = min(dates) if dates else None
            # Only the columns needed here: a site's notices with their text would be hundreds of MB.
            for notice in self._rows(
                "select id, url, status, missing_runs, published_at, current_version from notices"
                " where site = ? and status != 'removed'",
                [site],
            ):
                if notice["url"] in entries:
                    if notice["status"] != "live" or notice["missing_runs"]:
                        self._update("notices", notice["id"], {"status": "live", "missing_runs": 0})
                    continue
                if by_fallback:
                    continue
                published = (notice["published_at"] or "")[:10]
                if oldest is None or not published or published <= oldest:
                    continue  # older than every entry on the pages read: out of view, not gone
                missing_runs = (notice["missing_runs"] or 0) + 1
                status = "missing"
                answer = self.db.execute(
                    "select status from fetches where run_id = ? and url = ? order by id desc limit 1",
                    [run_id, notice["url"]],
                ).fetchone()
                if missing_runs >= REMOVAL_RUNS and answer and answer[0] in (404, 410):
                    status = "removed"
                    self.db["events"].insert(
                        {
                            "kind": "removed",
                            "notice_id": notice["id"],
                            "version": notice["current_version"],
                            "created_at": now,
                            "run_id": run_id,
                            "site": site,
                        }
                    )
                self._update("notices", notice["id"], {"status": status, "missing_runs": missing_runs})
            self.db.execute(
                "delete from listings where site = ? and run_id not in (select distinct run_id from listings"
                " where site = ? order by run_id desc limit ?)",
                [site, site, LISTING_RUNS_KEPT],
            )
