"""`crawler sites --health`: each defined site's state after its last run, and why."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.store import Store


@dataclass(frozen=True)
class SiteHealth:
    """A site's state (``ok``, ``degraded``, ``broken``, ``failing for N run(s)``, ``blocked …``;
    None when it was never crawled), when its listing was last read, and why it is not ``ok``."""

    name: str
    state: str | None
    last_success: str | None = None
    why: str | None = None


def site_health(store: Store, names: list[str]) -> list[SiteHealth]:
    """The health of each site in ``names``, in that order."""
    rows = {row["site"]: row for row in store.site_health()}
    found = []
    for name in names:
        row = rows.get(name)
        if row is None:
            found.append(SiteHealth(name, None))
            continue
        state = row["state"] or ("failing" if row["failing_runs"] else "ok")
        if state in ("failing", "blocked") and row["failing_runs"]:
            state = f"{state} for {row['failing_runs']} run(s)"
        why = row["reason"] or (row["last_error"] if not state.startswith("ok") else None)
        found.append(SiteHealth(name, state, row["last_success"], why))
    return found
