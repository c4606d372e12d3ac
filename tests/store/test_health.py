"""A site's state after a run, from what the run's fetches say: ok only when the site was read as
its definition says; a source_broken event when it has just become broken or degraded."""

import pytest

from crawler.records import FetchOutcome, ListingPage
from crawler.store import Store, health

SITE = "cixidb"
LISTING = "https://www.cixidb.cn/news/list/14/64/"
DETAIL = "https://www.cixidb.cn/news/627/6275{:02d}.html"


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "notices.db")
    yield store
    store.close()


def listing(store, run, entries=3, via="definition", drift=None):
    fetch = FetchOutcome(
        SITE, LISTING, "listing", "listed", status=200, via=via, drift=drift, error=None if entries else drift
    )
    store.record_listing(run, ListingPage(SITE, fetch, [(DETAIL.format(i), "2025-07-16") for i in range(entries)], 1))


def detail(store, run, number, outcome, via="definition", drift=None, status=200, error=None):
    store.record_fetch(
        run,
        FetchOutcome(SITE, DETAIL.format(number), "detail", outcome, status=status, via=via, drift=drift, error=error),
    )


def finish(store, fill) -> tuple[health.SiteState, list]:
    run = store.start_run([SITE])
    fill(run)
    store.finish_run(run)
    events = store.db.execute("select reason from events where run_id = ? and kind = 'source_broken'", [run]).fetchall()
    return health.of_run(store.db, run)[SITE], [reason for (reason,) in events]


def test_a_site_read_as_defined_is_ok(store):
    state, events = finish(store, lambda run: (listing(store, run), detail(store, run, 0, "stored")))
    assert (state.state, state.reason, events) == ("ok", None, [])


def test_a_listing_read_through_the_fallback_is_degraded_with_the_adapter_named(store):
    drift = "listing adapter html_list found no notice; fallback: 3 link(s) matching the detail url_pattern"
    state, events = finish(
        store, lambda run: (listing(store, run, via="fallback", drift=drift), detail(store, run, 0, "stored"))
    )
    assert state.state == "degraded" and "html_list" in state.reason
    assert events == [f"degraded: {state.reason}"]


def test_a_detail_selector_that_matches_nothing_is_degraded(store):
    drift = "extract selectors matched nothing (generic extraction used): title 'div.t > h2'"
    state, _ = finish(store, lambda run: (listing(store, run), detail(store, run, 0, "stored", "fallback", drift)))
    assert state.state == "degraded" and "title 'div.t > h2'" in state.reason


def test_a_listing_with_no_entry_is_broken(store):
    drift = "listing adapter html_list found no notice; fallback: no link matching the detail url_pattern"
    state, events = finish(store, lambda run: listing(store, run, entries=0, drift=drift))
    assert state.state == "broken" and state.reason.startswith("no notice found on 1 listing page(s)")
    assert len(events) == 1


def test_detail_pages_that_all_fail_to_extract_are_broken(store):
    def fill(run):
        listing(store, run)
        for number in range(3):
            detail(store, run, number, "empty", error="no notice text found on the page")

    state, _ = finish(store, fill)
    assert state.state == "broken" and state.reason.startswith("none of 3 detail page(s) gave a notice")


def test_answers_refused_before_extraction_are_no_drift(store):
    def fill(run):  # an empty body and a 500: the site's trouble, not its template's
        listing(store, run)
        detail(store, run, 0, "empty", via=None, error="empty body")
        detail(store, run, 1, "error", via=None, status=500, error="HTTP 500")

    state, events = finish(store, fill)
    assert (state.state, events) == ("ok", [])


def test_unreachable_and_blocked_sites_are_named_so(store):
    failing, _ = finish(
        store,
        lambda run: store.record_fetch(
            run, FetchOutcome(SITE, LISTING, "listing", "error", error="connection refused")
        ),
    )
    blocked, _ = finish(
        store,
        lambda run: store.record_fetch(
            run, FetchOutcome(SITE, LISTING, "listing", "blocked", status=412, error="HTTP 412")
        ),
    )
    assert (failing.state, failing.reason) == ("failing", "connection refused")
    assert (blocked.state, blocked.reason) == ("blocked", "HTTP 412")


def test_source_broken_is_sent_once_per_change_of_state_and_health_recovers(store):
    drift = "listing adapter html_list found no notice; fallback: 3 link(s) matching the detail url_pattern"
    states, events = [], []
    for via in ("definition", "fallback", "fallback", "definition", "fallback"):
        state, sent = finish(
            store, lambda run, via=via: listing(store, run, via=via, drift=drift if via == "fallback" else None)
        )
        states.append(state.state)
        events.append(len(sent))
    assert states == ["ok", "degraded", "degraded", "ok", "degraded"]
    assert events == [0, 1, 0, 0, 1]
    assert store.site_health()[0]["state"] == "degraded"
