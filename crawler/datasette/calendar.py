"""The `.ics` output renderer of `crawler serve`: a query's rows as an iCalendar (RFC 5545) feed.

Any table or query with the columns ``event_name`` and ``event_dtstart`` (datasette-ics's names)
gets an ``.ics`` link; each row becomes one VEVENT:

- ``event_uid``: UID. Keep it across changes and a calendar app updates the event instead of
  adding another; without it, a hash of the name and the start.
- ``event_name``: SUMMARY.
- ``event_dtstart``: ``YYYY-MM-DD`` is an all-day event (``DTSTART;VALUE=DATE``). A date and time
  with an offset (``2026-12-13T17:30:00+08:00``, ``…Z``) is an event at that moment, written in
  UTC; one without an offset is a floating (wall-clock) time.
- ``event_dtend``, optional: of the start's kind and after it. Without it an all-day event lasts
  its day (DTEND the next day) and a timed one is a moment.
- ``event_description``, ``event_url``, ``event_location``, optional: DESCRIPTION, URL, LOCATION.
- ``event_last_modified``, optional: LAST-MODIFIED, when the row's content last changed (a date
  and time; one without an offset is read as UTC, as SQLite writes it).
- ``event_alarm_days``, optional: a DISPLAY reminder this many days before the start.

DTSTAMP, which RFC 5545 requires in every VEVENT, is the time of rendering: the feed says
``METHOD:PUBLISH``, and in an object with a METHOD, DTSTAMP is when the object was created
(RFC 5545 3.8.7.2). When the event's data last changed is LAST-MODIFIED.

An offset is written as UTC (the same moment) rather than as a TZID: icalendar names a fixed
offset ``TZID="UTC+08:00"`` with no VTIMEZONE, which RFC 5545 does not allow.

A row that cannot be read as an event (a date that is not one, an end not after its start or of
another kind, an alarm that is not a number of days) is left out rather than failing the feed:
it is logged, and the calendar's ``X-ZHENGCE-SKIPPED-ROWS`` says how many were left out.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime, timedelta

from datasette import hookimpl
from icalendar import Alarm, Calendar, Event

logger = logging.getLogger(__name__)

PRODID = "-//zhengce-watch//Datasette calendar renderer//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"
REQUIRED_COLUMNS = {"event_name", "event_dtstart"}
OPTIONAL_TEXT = {"event_description": "description", "event_url": "url", "event_location": "location"}


def _moment(value: object) -> date | datetime:
    """A date (``YYYY-MM-DD``) or a date and time (ISO 8601); one with an offset in UTC.
    Raises ValueError for anything else."""
    text = "" if value is None else str(value).strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC) if moment.tzinfo else moment


def _all_day(moment: date | datetime) -> bool:
    return not isinstance(moment, datetime)


def _same_kind(start: date | datetime, end: date | datetime) -> bool:
    """Both dates, both UTC date-times or both floating date-times (RFC 5545 wants DTEND of DTSTART's kind)."""
    if _all_day(start) or _all_day(end):
        return _all_day(start) and _all_day(end)
    return (start.tzinfo is None) == (end.tzinfo is None)


def _uid(row: dict, start: date | datetime) -> str:
    if row.get("event_uid") not in (None, ""):
        return str(row["event_uid"])
    digest = hashlib.sha256(f"{row.get('event_name')}\n{start.isoformat()}".encode()).hexdigest()
    return f"{digest[:32]}@zhengce-watch"


def event_of(row: dict, stamp: datetime) -> Event:
    """The VEVENT of one row (column name → value), stamped ``stamp``. Raises ValueError when the
    row cannot be read as an event."""
    start = _moment(row["event_dtstart"])
    if row.get("event_dtend") not in (None, ""):
        end = _moment(row["event_dtend"])
        if not _same_kind(start, end) or end <= start:
            raise ValueError(f"event_dtend {row['event_dtend']!r} is not after event_dtstart {row['event_dtstart']!r}")
    else:
        end = start + timedelta(days=1) if _all_day(start) else None
    event = Event()
    event.add("uid", _uid(row, start))
    event.add("dtstamp", stamp)
    event.add("summary", "" if row["event_name"] is None else str(row["event_name"]))
    event.add("dtstart", start)
    if end is not None:
        event.add("dtend", end)
    for column, name in OPTIONAL_TEXT.items():
        if row.get(column) not in (None, ""):
            event.add(name, str(row[column]))
    if row.get("event_last_modified") not in (None, ""):
        changed = _moment(row["event_last_modified"])
        if _all_day(changed):
            raise ValueError(f"event_last_modified {row['event_last_modified']!r} is a date, not a date and time")
        event.add("last-modified", changed if changed.tzinfo else changed.replace(tzinfo=UTC))
    if row.get("event_alarm_days") not in (None, ""):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event["summary"])
        alarm.add("trigger", -timedelta(days=int(row["event_alarm_days"])))
        event.add_component(alarm)
    return event


def calendar_of(columns: list[str], rows: list, title: str | None, now: datetime | None = None) -> Calendar:
    """The VCALENDAR of a query's rows (sequences in the order of ``columns``), named ``title``."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if title:
        calendar.add("x-wr-calname", title)
    skipped = 0
    for values in rows:
        row = dict(zip(columns, values))
        try:
            calendar.add_component(event_of(row, stamp))
        except ValueError as error:
            skipped += 1
            logger.warning("calendar %s: row %r left out: %s", title or "", row.get("event_uid"), error)
    if skipped:
        calendar.add("x-zhengce-skipped-rows", str(skipped))
    return calendar


async def _title(datasette, database: str, query_name: str | None, table: str | None, request) -> str | None:
    """The canned query's or the table's title (metadata.yml), else its name."""
    if query_name:
        query = await datasette.get_canned_query(database, query_name, request.actor if request else None)
        return (query or {}).get("title") or query_name
    if table:
        return datasette.metadata("title", database=database, table=table, fallback=False) or table
    return None


async def render_calendar(datasette, columns, rows, database, query_name, table, request) -> dict:
    # Datasette calls a renderer for its extension without asking can_render first.
    if not can_render_calendar(columns):
        return {
            "body": "Not a calendar: .ics needs the columns event_name and event_dtstart.",
            "status_code": 400,
            "content_type": "text/plain; charset=utf-8",
        }
    title = await _title(datasette, database, query_name, table, request)
    return {"body": calendar_of(columns, rows, title).to_ical(), "content_type": CONTENT_TYPE}


def can_render_calendar(columns) -> bool:
    return REQUIRED_COLUMNS <= set(columns)


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "ics", "render": render_calendar, "can_render": can_render_calendar}
