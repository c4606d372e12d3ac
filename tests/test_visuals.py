"""The map, the dashboard and the deadline calendar of `crawler serve`: one demo database, one real
Datasette, one headless Chromium (Playwright on Debian's chromium) for the whole module; nothing the
pages load may leave 127.0.0.1."""

import io
import json
import math
import sqlite3
import time
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta, timezone

import pytest
from icalendar import Calendar, Event

from crawler.app.serving import metadata_for
from tests.conftest import ROOT, run_cli
from tests.served import CHROMIUM, CHROMIUM_FLAGS, crawler_serve

BEIJING = timezone(timedelta(hours=8))
CHINA = {"latitude": (18.0, 54.0), "longitude": (73.0, 135.5)}
UNPLACED_CLUSTER = "火星县测试产业集群"
UNPLACED_ENTRY = "火星县测试有限公司"
VEGA_CHARTS = ("notices-per-month", "notices-by-province", "clusters-by-province-year", "list-stages")


def _calls(db: sqlite3.Connection) -> dict[str, dict]:
    """Three calls of the demo, each the only copy of its story: one due today (a date), one in ten
    days (a date and time), one due yesterday (closed), dated from today so the test never ages."""
    rows = db.execute(
        "select id, url, title from notices n where kind = 'call' and story_id = id"
        " and (select count(*) from notices m where m.story_id = n.id) = 1 order by id limit 3"
    ).fetchall()
    today = datetime.now(BEIJING).date()
    deadlines = {
        "today": today.isoformat(),
        "timed": f"{today + timedelta(days=10)}T17:30:00+08:00",
        "closed": (today - timedelta(days=1)).isoformat(),
    }
    return {key: {"id": i, "url": u, "title": t, "deadline": deadlines[key]} for key, (i, u, t) in zip(deadlines, rows)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`crawler demo` into notices.db; then known deadlines, and one cluster and one list entry
    whose place names no division (the demo's all resolve)."""
    db_path = tmp_path_factory.mktemp("visuals") / "notices.db"
    result = run_cli("demo", "--db", str(db_path))
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db_path) as db:
        calls = _calls(db)
        for call in calls.values():
            db.execute("update notices set deadline = ?, status = 'live' where id = ?", [call["deadline"], call["id"]])
        db.execute(
            "update clusters set name = ?, province = null, city = null, county = '火星县', adcode = null"
            " where id = (select min(id) from clusters where city is null)",
            [UNPLACED_CLUSTER],
        )
        db.execute(
            "update list_entries set name = ?, province = null, city = null, county = '火星县', adcode = null"
            " where id = (select min(id) from list_entries)",
            [UNPLACED_ENTRY],
        )
    return {"path": db_path, "calls": calls}


@pytest.fixture(scope="module")
def server(demo):
    with crawler_serve(demo["path"]) as base:
        yield base


def get(url: str) -> tuple[str, str]:
    """The body and content type of ``url``."""
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read().decode(), answer.headers["content-type"]


def rows(server: str, path: str, **params) -> list[dict]:
    query = urllib.parse.urlencode({"_shape": "array", **params})
    return json.loads(get(f"{server}/notices/{path}.json?{query}")[0])


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class Visit:
    """One page in a fresh browser context, with every request it made, every request that failed
    and every answer it got."""

    def __init__(self, browser, url: str, ready: str):
        self.context = browser.new_context(viewport={"width": 1200, "height": 800})
        self.page = self.context.new_page()
        self.requests, self.failed, self.answers, self.errors = [], [], {}, []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append((r.url, r.failure)))
        self.page.on("response", lambda r: self.answers.__setitem__(r.url, r.status))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_selector(ready, state="attached", timeout=30_000)
        self.page.wait_for_load_state("networkidle")

    def hosts(self) -> set[str]:
        return {urllib.parse.urlsplit(url).hostname for url in self.requests}


@pytest.fixture(scope="module")
def map_page(browser, server):
    visit = Visit(
        browser, f"{server}/notices/cluster_places", "#places-map .marker-cluster, #places-map .leaflet-marker-icon"
    )
    yield visit
    visit.context.close()


@pytest.fixture(scope="module")
def dashboard_page(browser, server):
    ready = ", ".join(f"#chart-{slug} svg .role-mark" for slug in VEGA_CHARTS)
    visit = Visit(browser, f"{server}/-/dashboards/overview", ready)
    for slug in VEGA_CHARTS:
        visit.page.wait_for_selector(f"#chart-{slug} svg .role-mark", state="attached", timeout=30_000)
    yield visit
    visit.context.close()


def colours(png: bytes) -> int:
    """How many distinct colours a screenshot holds."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len(image.getcolors(maxcolors=1 << 24))


def markers_shown(page) -> int:
    """The clusters the map shows: each group's count, and one per lone marker."""
    groups = sum(int(t) for t in page.locator("#places-map .marker-cluster").all_inner_texts())
    return groups + page.locator("#places-map .leaflet-marker-icon:not(.marker-cluster)").count()


def test_the_map_shows_the_clusters_as_markers_on_local_tiles(map_page, server):
    page = map_page.page
    assert page.locator("#places-map .leaflet-marker-icon").count() >= 10
    # Every placed cluster is on the map: the groups' counts and the lone markers add up to the
    # view's placed rows (markers are added in chunks: wait for the last).
    placed = [r for r in rows(server, "cluster_places", _size="max") if r["latitude"] is not None]
    deadline = time.monotonic() + 15
    while (shown := markers_shown(page)) != len(placed) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert shown == len(placed) > 200
    tiles = page.locator("#places-map img.leaflet-tile-loaded")
    assert tiles.count() >= 4
    for src in tiles.evaluate_all("tiles => tiles.map(t => t.src)"):
        assert src.startswith(f"{server}/-/tiles/basemap/") and map_page.answers[src] == 200
    assert colours(page.locator("#places-map").screenshot()) > 1000


def test_a_marker_names_its_cluster_list_year_and_stage_and_links_to_the_notice(map_page, server):
    page = map_page.page
    page.locator("#places-map .leaflet-marker-icon:not(.marker-cluster)").first.dispatch_event("click")
    popup = page.locator("#places-map .leaflet-popup-content")
    popup.wait_for()
    name, text, link = (
        popup.locator("strong").inner_text(),
        popup.inner_text(),
        popup.locator("a").get_attribute("href"),
    )
    row = next(
        r
        for r in rows(server, "cluster_places", _size="max")
        if r["name"] == name and link == f"notices/{r['notice_id']}"
    )
    assert row["list_title"] in text and f"{row['year']}年" in text
    assert {"draft": "公示", "final": "公布", "review": "复核"}[row["stage"]] in text
    # The link resolves from the map's page to the notice's row page.
    page_of_notice, _ = get(urllib.parse.urljoin(f"{server}/notices/cluster_places", link))
    assert row["url"] in page_of_notice


def test_the_dashboard_draws_every_chart_from_the_demo(dashboard_page, server):
    page = dashboard_page.page
    for slug in VEGA_CHARTS:
        assert page.locator(f"#chart-{slug} svg .role-mark > *").count() > 0, slug
    open_calls = rows(server, "open_calls")
    metric = page.locator("#chart-open-calls p").inner_text()
    assert metric == str(len({r["notice_id"] for r in open_calls}))
    assert page.locator("#chart-newest-lists tbody tr").count() == 12
    assert page.locator("#chart-site-health tbody tr").count() >= 10
    assert not dashboard_page.errors
    assert colours(page.screenshot(full_page=True)) > 1000


def test_nothing_the_pages_load_leaves_the_machine(map_page, dashboard_page):
    for visit in (map_page, dashboard_page):
        assert visit.hosts() == {"127.0.0.1"}, sorted(visit.requests)
        assert not visit.failed
        assert len(visit.requests) > 10


def test_open_calls_lists_the_calls_due_today_or_later_soonest_first(server, demo):
    calls = demo["calls"]
    found = rows(server, "open_calls")
    ids = [r["notice_id"] for r in found]
    assert calls["today"]["id"] in ids and calls["timed"]["id"] in ids
    assert calls["closed"]["id"] not in ids
    assert ids.index(calls["today"]["id"]) < ids.index(calls["timed"]["id"])
    by_id = {r["notice_id"]: r for r in found}
    assert (by_id[calls["today"]["id"]]["days_left"], by_id[calls["timed"]["id"]]["days_left"]) == (0, 10)
    assert [r["deadline"][:10] for r in found] == sorted(r["deadline"][:10] for r in found)
    today = datetime.now(BEIJING).date().isoformat()
    assert all(r["deadline"][:10] >= today for r in found)


def feed(server: str, **params) -> dict[str, Event]:
    """The VEVENTs of the deadline calendar, by UID (parsed back with icalendar)."""
    query = urllib.parse.urlencode(params)
    calendar = Calendar.from_ical(get(f"{server}/notices/open_calls_calendar.ics?{query}")[0])
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_deadline_calendar_is_icalendar_with_one_stable_event_per_call(server, demo):
    calls = demo["calls"]
    body, content_type = get(f"{server}/notices/open_calls_calendar.ics")
    assert content_type == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(body)
    assert (str(calendar["version"]), str(calendar["method"])) == ("2.0", "PUBLISH")
    assert "zhengce-watch" in str(calendar["prodid"])
    assert str(calendar["x-wr-calname"]) == "申报截止 — deadlines of open calls"
    vevents = calendar.walk("VEVENT")
    assert all("UID" in e and isinstance(e.decoded("dtstamp"), datetime) for e in vevents)  # RFC 5545 MUSTs
    events = {str(e["uid"]): e for e in vevents}
    assert len(events) == len(vevents) == len(rows(server, "open_calls"))

    # A date-only deadline is an all-day event (DTSTART;VALUE=DATE) on that day.
    due_today = events[calls["today"]["url"] + "#deadline"]
    day = date.fromisoformat(calls["today"]["deadline"])
    start, end = due_today.decoded("dtstart"), due_today.decoded("dtend")
    assert not isinstance(start, datetime) and (start, end) == (day, day + timedelta(days=1))
    assert "VALUE=DATE" in body
    assert str(due_today["summary"]) == "申报截止：" + calls["today"]["title"]
    assert calls["today"]["url"] in str(due_today["description"]) and str(due_today["url"]) == calls["today"]["url"]
    assert [a.decoded("trigger") for a in due_today.walk("VALARM")] == [timedelta(days=-3)]
    # A deadline with a time is an event at that moment.
    timed = events[calls["timed"]["url"] + "#deadline"]
    assert timed.decoded("dtstart") == datetime.fromisoformat(calls["timed"]["deadline"])
    assert timed.decoded("dtstart").utcoffset() == timedelta(0)
    assert calls["closed"]["url"] + "#deadline" not in events

    # A deadline moved by a new version keeps its UID: calendar apps update the event.
    moved = f"{datetime.now(BEIJING).date() + timedelta(days=12)}T09:00:00+08:00"
    with sqlite3.connect(demo["path"]) as db:
        db.execute("update notices set deadline = ? where id = ?", [moved, calls["timed"]["id"]])
    try:
        again = feed(server)
    finally:
        with sqlite3.connect(demo["path"]) as db:
            db.execute(
                "update notices set deadline = ? where id = ?", [calls["timed"]["deadline"], calls["timed"]["id"]]
            )
    assert set(again) == set(events)
    assert again[calls["timed"]["url"] + "#deadline"].decoded("dtstart") == datetime.fromisoformat(moved)

    # One province's calendar: ?province= (the notices' short name, e.g. 浙江).
    def calendar_of(province: str) -> set[str]:
        return {str(e["summary"]) for e in feed(server, province=province).values()}

    province = rows(server, "open_calls")[0]["province"]
    assert calendar_of(province) == {"申报截止：" + r["title"] for r in rows(server, "open_calls", province=province)}
    assert calendar_of("火星") == set()


def test_unplaced_entries_names_what_the_map_cannot_show(server):
    found = rows(server, "unplaced_entries")
    assert {(r["entry"], r["name"], r["county"]) for r in found} >= {
        ("cluster", UNPLACED_CLUSTER, "火星县"),
        ("list entry", UNPLACED_ENTRY, "火星县"),
    }
    mapped = rows(server, "cluster_places", _size="max")
    assert next(r for r in mapped if r["name"] == UNPLACED_CLUSTER)["latitude"] is None


def _angle(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Degrees of arc between two points (latitude, longitude)."""
    (lat1, lng1), (lat2, lng2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return math.degrees(2 * math.asin(math.sqrt(h)))


def test_clusters_that_name_a_city_are_placed_in_that_city(server):
    """Of the demo's clusters that name a city, at least 95% are placed inside China within one
    degree (of arc) of the city's point, and as many in that city: their division is the city or one
    of its counties."""
    cities = {
        (r["province"], r["name"]): r
        for r in json.loads(
            get(
                f"{server}/notices.json?_shape=array&sql="
                + urllib.parse.quote("select * from divisions where level in ('province', 'prefecture')")
            )[0]
        )
    }
    named = [r for r in rows(server, "cluster_places", _size="max") if r["city"]]
    assert len(named) > 200
    placed = [(r, cities.get((r["province"], r["city"]))) for r in named if r["latitude"] is not None]

    def near(r, city) -> bool:
        inside = all(low < r[axis] < high for axis, (low, high) in CHINA.items())
        return (
            city is not None
            and inside
            and _angle((r["latitude"], r["longitude"]), (city["latitude"], city["longitude"])) <= 1
        )

    def within(r, city) -> bool:
        return city is not None and r["adcode"].startswith(city["adcode"][: 2 if city["level"] == "province" else 4])

    assert sum(near(r, city) for r, city in placed) >= 0.95 * len(named)
    assert sum(within(r, city) for r, city in placed) >= 0.95 * len(named)


def test_serve_metadata_follows_the_database_name():
    """`crawler serve --db data/demo.db` serves the database as `demo`: the dashboard's charts read
    it, and links into it point at it."""
    metadata = metadata_for(ROOT / "data" / "demo.db")
    assert set(metadata["databases"]) == {"basemap", "demo"}
    dashboard = metadata["plugins"]["datasette-dashboards"]["overview"]
    assert {chart.get("db", "demo") for chart in dashboard["charts"].values()} == {"demo"}
    assert '<a href="/demo/notices/' in dashboard["charts"]["newest-lists"]["query"]
    assert "/demo/cluster_places" in metadata["description_html"] and "/notices/" not in metadata["description_html"]


def test_the_index_lists_the_notices_only_and_the_tiles_are_served(server):
    assert set(json.loads(get(f"{server}/.json")[0])) == {"notices"}
    with urllib.request.urlopen(f"{server}/-/tiles/basemap/3/6/3.png") as answer:
        assert answer.headers["content-type"] == "image/png" and len(answer.read()) > 1000
