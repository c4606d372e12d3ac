"""When a known notice is due for another look: recent notices often, old ones rarely. (What the
spider knows of a site is read by :mod:`crawler.store.known`.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.records import KnownNotice

# (age of the notice up to, revisit interval)
SCHEDULE = (
    (timedelta(days=7), timedelta(hours=1)),
    (timedelta(days=30), timedelta(days=1)),
    (timedelta(days=365), timedelta(days=7)),
)
OLD_INTERVAL = timedelta(days=30)
REVISIT_MODES = ("due", "all", "none")


def _parse(moment: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(moment) if moment else None
    except ValueError:
        return None
    if parsed and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def is_due(notice: KnownNotice, mode: str, now: datetime | None = None) -> bool:
    """``all``: always; ``none``: never; ``due``: when the interval for the notice's age has passed
    since it was last seen (a notice never seen successfully is always due)."""
    if mode == "all":
        return True
    if mode == "none":
        return False
    now = now or datetime.now(UTC)
    last_seen = _parse(notice.last_seen_at)
    if last_seen is None:
        return True
    published = _parse(notice.published_at) or last_seen
    age = now - published
    interval = next((every for limit, every in SCHEDULE if age <= limit), OLD_INTERVAL)
    return now - last_seen >= interval
