"""The `.ics` renderer alone: rows to RFC 5545 events, rows it cannot read, and Datasette's use of it."""

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta

from datasette.app import Datasette
from datasette.plugins import pm
from icalendar import Calendar, Event

from crawler.datasette import calendar as renderer

COLUMNS = ["event_uid", "event_name", "event_dtstart", "event_dtend"]
NOW = datetime(2026, 12, 3, 13, 0, 5, 123456, tzinfo=UTC)


def events_of(rows: list[tuple], columns: list[str] = COLUMNS) -> tuple[Calendar, dict[str, Event]]:
    """The calendar of ``rows`` as a calendar app reads it back, and its events by UID."""
    calendar = Calendar.from_ical(renderer.calendar_of(columns, rows, "Deadlines", now=NOW).to_ical())
    return calendar, {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_a_date_is_an_all_day_event_and_a_time_with_an_offset_a_moment_in_utc():
    _, events = events_of(
        [
            ("day", "A", "2026-12-10", None),
            ("timed", "B", "2026-12-10T17:30:00+08:00", None),
            ("utc", "C", "2026-12-10T09:30:00Z", None),
            ("floating", "D", "2026-12-10T17:30:00", None),
        ]
    )
    day = events["day"]
    assert day.decoded("dtstart") == date(2026, 12, 10) and not isinstance(day.decoded("dtstart"), datetime)
    assert day.decoded("dtend") == date(2026, 12, 11)  # no event_dtend: the day itself
    moment = datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
    for uid in ("timed", "utc"):
        assert events[uid].decoded("dtstart") == moment and events[uid].decoded("dtstart").utcoffset() == timedelta(0)
        assert "DTEND" not in events[uid]  # no event_dtend: a moment
    assert events["floating"].decoded("dtstart") == datetime(2026, 12, 10, 17, 30)  # no offset: wall-clock time
    assert events["floating"].decoded("dtstart").tzinfo is None


def test_every_event_has_a_uid_and_the_rendering_time_as_dtstamp():
    calendar, events = events_of([("a", "A", "2026-12-10", None)], COLUMNS)
    assert events["a"].decoded("dtstamp") == NOW.replace(microsecond=0)
    assert (str(calendar["prodid"]), str(calendar["method"]), str(calendar["x-wr-calname"])) == (
        renderer.PRODID,
        "PUBLISH",
        "Deadlines",
    )
    _, without_uid = events_of([("A", "2026-12-10")], ["event_name", "event_dtstart"])
    _, again = events_of([("A", "2026-12-10")], ["event_name", "event_dtstart"])
    assert list(without_uid) == list(again) and list(without_uid)[0].endswith("@zhengce-watch")


def test_an_end_is_kept_when_it_is_of_the_start_s_kind_and_after_it():
    _, events = events_of(
        [
            ("days", "A", "2026-12-10", "2026-12-13"),
            ("hours", "B", "2026-12-10T09:00:00+08:00", "2026-12-10T11:00:00+08:00"),
        ]
    )
    assert events["days"].decoded("dtend") == date(2026, 12, 13)
    assert events["hours"].decoded("dtend") == datetime(2026, 12, 10, 3, 0, tzinfo=UTC)


def test_rows_that_are_not_events_are_left_out_and_counted_not_fatal(caplog):
    calendar, events = events_of(
        [
            ("ok", "A", "2026-12-10", None),
            ("no date", "B", None, None),
            ("not a date", "C", "2026-12-2x", None),
            ("no such day", "D", "2026-02-30", None),
            ("words", "E", "下周五", None),
            ("end before start", "F", "2026-12-10", "2026-12-09"),
            ("date and time mixed", "G", "2026-12-10", "2026-12-11T09:00:00+08:00"),
        ]
    )
    assert list(events) == ["ok"]
    assert str(calendar["x-zhengce-skipped-rows"]) == "6"
    assert sum("left out" in r.getMessage() for r in caplog.records) == 6
    clean, _ = events_of([("ok", "A", "2026-12-10", None)])
    assert "X-ZHENGCE-SKIPPED-ROWS" not in clean


def test_optional_columns_become_url_location_last_modified_and_a_reminder():
    full = {
        "event_uid": "full",
        "event_name": "申报截止：A",
        "event_dtstart": "2026-12-10",
        "event_description": "经信厅\nhttps://x.gov.cn/1",
        "event_url": "https://x.gov.cn/1",
        "event_location": "杭州",
        "event_last_modified": "2026-12-01 08:00:00",
        "event_alarm_days": 3,
    }
    bare = {"event_uid": "bare", "event_name": "B", "event_dtstart": "2026-12-10"}
    columns = list(full)
    _, events = events_of([[row.get(c) for c in columns] for row in (full, bare)], columns)
    event = events["full"]
    assert (str(event["url"]), str(event["location"])) == ("https://x.gov.cn/1", "杭州")
    assert str(event["description"]) == "经信厅\nhttps://x.gov.cn/1"
    assert event.decoded("last-modified") == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # no offset: UTC, as SQLite writes
    [alarm] = event.walk("VALARM")
    assert (str(alarm["action"]), alarm.decoded("trigger"), str(alarm["description"])) == (
        "DISPLAY",
        timedelta(days=-3),
        "申报截止：A",
    )
    assert not {"URL", "LOCATION", "DESCRIPTION", "LAST-MODIFIED"} & set(events["bare"])
    assert not events["bare"].walk("VALARM")


def test_only_queries_with_a_name_and_a_start_are_calendars(tmp_path):
    assert renderer.can_render_calendar(["event_name", "event_dtstart"])
    assert not renderer.can_render_calendar(["event_name", "deadline"])
    assert "crawler.datasette.calendar" in {p.__name__ for p in pm.get_plugins()}  # the entry point is installed

    db_path = tmp_path / "cal.db"
    with sqlite3.connect(db_path) as db:
        db.execute("create table deadlines (event_uid, event_name, event_dtstart)")
        db.execute("insert into deadlines values ('a', 'A', '2026-12-10'), ('b', 'B', 'soon')")
        db.execute("create table notes (title, deadline)")
    datasette = Datasette([str(db_path)])

    async def fetch(path: str):
        return await datasette.client.get(path)

    feed = asyncio.run(fetch("/cal/deadlines.ics"))
    assert (feed.status_code, feed.headers["content-type"]) == (200, renderer.CONTENT_TYPE)
    calendar = Calendar.from_ical(feed.text)
    assert str(calendar["x-wr-calname"]) == "deadlines" and len(calendar.walk("VEVENT")) == 1
    assert "/cal/deadlines.ics" in asyncio.run(fetch("/cal/deadlines")).text
    assert ".ics" not in asyncio.run(fetch("/cal/notes")).text
    refused = asyncio.run(fetch("/cal/notes.ics"))
    assert refused.status_code == 400 and "event_name" in refused.text
