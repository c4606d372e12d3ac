from datetime import UTC, datetime, timedelta

from crawler.records import KnownNotice
from crawler.spiders.revisit import is_due

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def notice(published_days_ago, seen_hours_ago, etag=None, modified=None):
    return KnownNotice(
        "https://example.gov.cn/a.html",
        "live",
        (NOW - timedelta(days=published_days_ago)).isoformat(),
        (NOW - timedelta(hours=seen_hours_ago)).isoformat(),
        etag,
        modified,
    )


def test_recent_notices_are_due_hourly_and_old_ones_monthly():
    assert is_due(notice(2, 1.5), "due", NOW) and not is_due(notice(2, 0.5), "due", NOW)
    assert is_due(notice(20, 25), "due", NOW) and not is_due(notice(20, 5), "due", NOW)
    assert is_due(notice(200, 24 * 8), "due", NOW) and not is_due(notice(200, 24 * 3), "due", NOW)
    assert is_due(notice(900, 24 * 31), "due", NOW) and not is_due(notice(900, 24 * 20), "due", NOW)


def test_modes_all_and_none():
    assert is_due(notice(900, 0.1), "all", NOW) and not is_due(notice(1, 100), "none", NOW)


def test_conditional_headers_come_from_the_last_successful_fetch():
    assert notice(1, 1, '"abc"', "Sat, 28 Nov 2026 10:00:00 GMT").conditional_headers() == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Sat, 28 Nov 2026 10:00:00 GMT",
    }
    assert notice(1, 1).conditional_headers() == {}
