"""How a run read each site: ``ok`` only when the site was read as its definition says; else a
word for what is wrong, with the reason, from the run's fetches."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

# Worst first: the first that applies is the site's state.
STATES = ("failing", "blocked", "broken", "degraded", "ok")
DRIFT_STATES = ("broken", "degraded")  # the site answers, but not as its definition says
DETAIL_ROLES = ("detail", "revisit")


@dataclass(frozen=True)
class SiteState:
    """One site's state after a run, and why it is not ``ok``."""

    site: str
    state: str
    reason: str | None = None


def _fetches(db: sqlite_utils.Database, run_id: int, site: str) -> list[dict]:
    cursor = db.execute(
        "select role, outcome, status, error, via, drift from fetches where run_id = ? and site = ? order by id",
        [run_id, site],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def assess(db: sqlite_utils.Database, run_id: int, site: str, short: str | None = None) -> SiteState:
    """The state of ``site`` after run ``run_id``; ``short`` says why its listing is far shorter
    than usual, when it is."""
    rows = _fetches(db, run_id, site)
    listing = [r for r in rows if r["role"] == "listing"]
    read = [r for r in listing if r["outcome"] == "listed"]
    blocked = next((r for r in rows if r["outcome"] == "blocked"), None)
    if not read:
        if blocked:
            return SiteState(site, "blocked", blocked["error"])
        first = next((r["error"] for r in listing if r["error"]), None)
        return SiteState(site, "failing", first or "no listing page got an answer")
    listed = db.execute(
        "select count(distinct notice_url) from listings where run_id = ? and site = ?", [run_id, site]
    ).fetchone()[0]
    if not listed:
        why = next((r["drift"] or r["error"] for r in read if r["drift"] or r["error"]), None)
        return SiteState(site, "broken", f"no notice found on {len(read)} listing page(s): {why}")
    if short:
        return SiteState(site, "broken", short)
    details = [r for r in rows if r["role"] in DETAIL_ROLES and r["status"] == 200]
    extracted = [r for r in details if r["outcome"] in ("stored", "unchanged", "not_modified")]
    # Pages that were extracted and gave no notice (not answers refused before extraction: an
    # empty body or a challenge says nothing about the site's template).
    unreadable = [r for r in details if r["outcome"] in ("empty", "error") and r["via"]]
    if unreadable and not extracted:
        first = unreadable[0]
        return SiteState(
            site, "broken", f"none of {len(details)} detail page(s) gave a notice: {first['drift'] or first['error']}"
        )
    if blocked:
        return SiteState(site, "blocked", f"after the listing was read: {blocked['error']}")
    drifted = [r for r in rows if r["via"] == "fallback" or r["drift"]]
    if drifted:
        listings = sum(r["role"] == "listing" for r in drifted)
        pages = f"{listings} listing and {len(drifted) - listings} detail page(s)"
        return SiteState(site, "degraded", f"{pages} read through a fallback; first: {drifted[0]['drift']}")
    return SiteState(site, "ok")


def record(db: sqlite_utils.Database, run_id: int, state: SiteState, now: str) -> bool:
    """Keep ``state`` for the run; True when the site has newly become broken or degraded (its
    previous run's state was another one), which makes a ``source_broken`` event."""
    before = db.execute(
        "select state from site_health where site = ? and run_id < ? order by run_id desc limit 1", [state.site, run_id]
    ).fetchone()
    db.execute(
        "insert into site_health (run_id, site, state, reason, checked_at) values (?, ?, ?, ?, ?)",
        [run_id, state.site, state.state, state.reason, now],
    )
    return state.state in DRIFT_STATES and (before is None or before[0] != state.state)


def latest(db: sqlite_utils.Database) -> dict[str, dict]:
    """Each site's state after its last run, by site."""
    cursor = db.execute(
        "select site, state, reason, run_id, checked_at from site_health where id in"
        " (select max(id) from site_health group by site)"
    )
    names = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(names, row)) for row in cursor}


def of_run(db: sqlite_utils.Database, run_id: int) -> dict[str, SiteState]:
    """The states the sites of run ``run_id`` were left in, by site."""
    return {
        site: SiteState(site, state, reason)
        for site, state, reason in db.execute(
            "select site, state, reason from site_health where run_id = ? order by id", [run_id]
        )
    }
