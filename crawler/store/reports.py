"""Reports: what a run did per site, and each site's health across runs."""

from __future__ import annotations

from crawler.store import health


class Reports:
    """The store's reports (a part of :class:`crawler.store.Store`)."""

    def run_report(self, run_id: int) -> dict:
        """What a run did, per site: fetch outcomes, its events (and ``copy`` for a notice that joined
        a story first seen on another site), failures."""
        sites: dict[str, dict] = {}
        for row in self.db.query(
            "select site, outcome, count(*) as n, sum(status is not null) as answered from fetches"
            " where run_id = ? group by site, outcome",
            [run_id],
        ):
            site = sites.setdefault(row["site"], {"outcomes": {}, "answered": 0, "events": [], "errors": []})
            site["outcomes"][row["outcome"]] = row["n"]
            site["answered"] += row["answered"] or 0
        for row in self.db.query(
            "select site, url, role, status, outcome, error from fetches where run_id = ?"
            " and outcome in ('error', 'blocked', 'empty', 'missing', 'refused') order by id",
            [run_id],
        ):
            sites[row["site"]]["errors"].append(row)
        for row in self.db.query(
            """select e.site, e.kind, e.version, n.title, n.url, n.published_at from events e
                 join notices n on n.id = e.notice_id where e.run_id = :r
               union all
               select n.site, 'copy' as kind, 1, n.title, n.url, n.published_at from versions v
                 join notices n on n.id = v.notice_id
                 where v.run_id = :r and v.version = 1 and n.story_id != n.id
               order by published_at desc""",
            {"r": run_id},
        ):
            sites.setdefault(row["site"], {"outcomes": {}, "answered": 0, "events": [], "errors": []})
            sites[row["site"]]["events"].append(row)
        return sites

    def site_health(self) -> list[dict]:
        """Per site: its state after its last run and why (see :mod:`crawler.store.health`), when
        its listing was last read, how many runs since then could not read it, and the last error."""
        found, states = [], health.latest(self.db)
        for (site,) in self.db.execute("select distinct site from fetches where role = 'listing' order by site"):
            read_per_run = self.db.execute(
                "select max(outcome = 'listed') from fetches where site = ? and role = 'listing'"
                " group by run_id order by run_id desc",
                [site],
            ).fetchall()
            failing = next((i for i, (ok,) in enumerate(read_per_run) if ok), len(read_per_run))
            last_ok = self.db.execute(
                "select max(fetched_at) from fetches where site = ? and role = 'listing' and outcome = 'listed'", [site]
            ).fetchone()[0]
            error = self.db.execute(
                "select error from fetches where site = ? and outcome in"
                " ('error', 'blocked', 'empty') order by id desc limit 1",
                [site],
            ).fetchone()
            found.append(
                {
                    "site": site,
                    "last_success": last_ok,
                    "failing_runs": failing,
                    "last_error": error[0] if error else None,
                    "state": None,
                    "reason": None,
                    **{k: v for k, v in states.get(site, {}).items() if k in ("state", "reason")},
                }
            )
        return found
