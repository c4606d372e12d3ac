"""Faults injected by the mirror into real crawls: each is recorded with its reason, retried when it
is transient, never becomes a version or an event, and a clean run afterwards recovers every notice."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from crawler.mirror import FAULTS, FaultPlan, host_map_for, serve_mirror
from tests.conftest import FAST, copy_site, host_map_args, run_cli

HOST = "www.cixidb.cn"
# Fast and small in tests: short waits before retries, a timeout the slow answer overruns.
QUICK = [
    *FAST,
    "-s",
    "CRAWLER_RETRY_BACKOFF=0.02",
    "-s",
    "CRAWLER_RETRY_AFTER_MAX=1",
    "-s",
    "DOWNLOAD_TIMEOUT=1.5",
    "-s",
    "REDIRECT_MAX_TIMES=5",
]
SLOW = 2.5
# One detail page per fault: (fault, times it is injected before the real answer (0: always),
# outcome recorded, words of the reason, whether the notice is stored in the end).
PER_PAGE = [
    ("http_500", 0, "error", "HTTP 500", False),
    ("http_502", 0, "error", "HTTP 502", False),
    ("http_503", 2, "stored", None, True),  # a burst shorter than the retries
    ("reset", 0, "error", "connection lost", False),
    ("slow", 0, "error", "timed out", False),
    ("truncated", 0, "error", "truncated", False),
    ("empty", 0, "error", "empty 200 answer", False),
    ("soft404", 0, "error", "soft 404", False),
    ("redirect_loop", 0, "error", "redirect loop", False),
    ("redirect_offsite", 0, "error", "redirect off the site", False),
    ("redirect_loopback", 0, "error", "private address", False),
    ("redirect_private", 0, "error", "private address", False),
    ("huge", 0, "refused", "larger than the download cap", False),
    ("gbk_as_utf8", 0, "stored", None, True),
    ("utf8_as_gbk", 0, "stored", None, True),
    ("http_429", 1, "stored", None, True),  # Retry-After honoured, then the page
]


def query(db: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def pages(tree: Path) -> list[str]:
    return sorted(p.relative_to(tree / HOST).as_posix() for p in (tree / HOST / "news").glob("6*/*.html"))


def crawl(tree: Path, db: Path, faults: FaultPlan | None, *names: str, extra=()):
    """A real `crawler crawl` with the mirror injecting ``faults``; (result, injected (path, fault)s)."""
    with serve_mirror(tree, faults=faults) as base:
        result = run_cli(
            "crawl", *(names or ("cixidb",)), "--db", str(db), *host_map_args(host_map_for(tree, base)), *QUICK, *extra
        )
        return result, list(base.faults)


def state(db: Path) -> dict:
    """What a run leaves that faults must not touch: notices with their content, versions, events."""
    return {
        "notices": dict(
            query(
                db,
                "select n.url, n.title || '|' || coalesce(n.published_at, '') || '|' || v.content_hash"
                " from notices n join versions v on v.notice_id = n.id and v.version = n.current_version",
            )
        ),
        "versions": query(db, "select notice_id, version, content_hash from versions order by 1, 2"),
        "events": query(db, "select kind, notice_id, version from events order by 2, 1, 3"),
    }


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """A clean crawl of cixidb: its tree, database and state."""
    root = tmp_path_factory.mktemp("baseline")
    tree = copy_site(root, HOST)
    result, injected = crawl(tree, root / "clean.db", None)
    assert result.returncode == 0 and not injected, result.stdout + result.stderr
    return tree, root / "clean.db", state(root / "clean.db")


def plan_per_page(tree: Path) -> tuple[FaultPlan, dict[str, tuple]]:
    """Each fault of PER_PAGE on its own detail page; the real URL of each page → its row."""
    chosen = dict(zip(pages(tree), PER_PAGE))
    rules = [(f"/{HOST}/{path}", row[0], row[1]) for path, row in chosen.items()]
    return FaultPlan(rules=rules, slow_seconds=SLOW), {f"https://{HOST}/{path}": row for path, row in chosen.items()}


@pytest.fixture(scope="module")
def faulty_first_crawl(baseline, tmp_path_factory):
    """A first crawl with one fault on each of 16 detail pages, then a clean one."""
    tree, _, _ = baseline
    db = tmp_path_factory.mktemp("first") / "notices.db"
    plan, rows = plan_per_page(tree)
    result, injected = crawl(tree, db, plan)
    after_faults = state(db)
    fetches = query(db, "select url, outcome, error, status from fetches")
    recovery, _ = crawl(tree, db, None)
    return {
        "result": result,
        "injected": injected,
        "rows": rows,
        "fetches": fetches,
        "after_faults": after_faults,
        "recovery": recovery,
        "recovered": state(db),
    }


@pytest.fixture(scope="module")
def faulty_revisit(baseline, tmp_path_factory):
    """The same faults answering a second crawl of known notices (every one revisited)."""
    tree, clean_db, _ = baseline
    db = tmp_path_factory.mktemp("revisit") / "notices.db"
    shutil.copy(clean_db, db)
    plan, rows = plan_per_page(tree)
    result, injected = crawl(tree, db, plan, extra=["--revisit", "all", "--backfill", "3"])
    run = query(db, "select max(id) from runs")[0][0]
    fetches = query(db, "select url, outcome, error, status from fetches where run_id = ?", [run])
    return {"result": result, "injected": injected, "rows": rows, "fetches": fetches, "state": state(db)}


def outcomes_of(crawled: dict, url: str) -> list[tuple]:
    """(outcome, error) of every fetch of ``url`` (a loop is recorded on the URL it came back to)."""
    return [
        (outcome, error or "") for u, outcome, error, _ in crawled["fetches"] if u == url or u.startswith(url + "?")
    ]


@pytest.mark.parametrize("fault", [row[0] for row in PER_PAGE])
def test_each_fault_on_a_new_notice_is_recorded_with_its_reason(faulty_first_crawl, baseline, fault):
    crawled = faulty_first_crawl
    url, (_, times, outcome, reason, stored) = next((u, r) for u, r in crawled["rows"].items() if r[0] == fault)
    assert any(f == fault for _, f in crawled["injected"])
    recorded = outcomes_of(crawled, url)
    assert recorded and recorded[-1][0] == outcome, recorded
    assert reason is None or reason.lower() in recorded[-1][1].lower(), recorded
    assert (url in crawled["after_faults"]["notices"]) is stored
    if stored:  # what is stored is what a clean crawl stores: no mojibake, nothing half-read
        assert crawled["after_faults"]["notices"][url] == baseline[2]["notices"][url]


def test_a_faulty_run_names_its_faults_in_the_summary(faulty_first_crawl):
    result = faulty_first_crawl["result"]
    assert result.returncode == 3, result.stdout + result.stderr  # a partial failure, for cron
    assert "problem(s)" in result.stdout and "more problem(s); see the fetches table" in result.stdout, result.stdout
    assert "soft 404" in result.stdout or "redirect" in result.stdout or "HTTP 50" in result.stdout, result.stdout


def test_transient_faults_are_retried_and_lasting_ones_given_up(faulty_first_crawl):
    counts: dict[str, int] = {}
    for _path, fault in faulty_first_crawl["injected"]:
        counts[fault] = counts.get(fault, 0) + 1
    assert counts["http_500"] == counts["reset"] == counts["truncated"] == 3  # first try + 2 retries
    assert counts["http_503"] == 2 and counts["http_429"] == 1
    assert counts["soft404"] == counts["redirect_offsite"] == counts["huge"] == 1  # not retried


def test_the_next_clean_run_recovers_every_notice(faulty_first_crawl, baseline, tally):
    crawled, clean = faulty_first_crawl, baseline[2]
    assert crawled["recovery"].returncode == 0, crawled["recovery"].stdout + crawled["recovery"].stderr
    assert crawled["recovered"]["notices"] == clean["notices"]
    assert len(crawled["recovered"]["versions"]) == len(clean["versions"])
    assert len(crawled["recovered"]["events"]) == len(clean["events"])
    tally.add("faults", faults_injected=len(crawled["injected"]), survived=len(crawled["injected"]))


@pytest.mark.parametrize("fault", [row[0] for row in PER_PAGE])
def test_a_known_notice_answering_a_fault_gets_no_version_or_event(faulty_revisit, baseline, fault):
    crawled = faulty_revisit
    url, (_, _, outcome, reason, _) = next((u, r) for u, r in crawled["rows"].items() if r[0] == fault)
    recorded = outcomes_of(crawled, url)
    expected = "unchanged" if outcome == "stored" else outcome
    assert recorded and recorded[-1][0] == expected, recorded
    assert reason is None or reason.lower() in recorded[-1][1].lower(), recorded
    assert crawled["state"] == baseline[2]


def test_a_challenge_blocks_the_site_for_the_run_and_nothing_changes(baseline, tmp_path, tally):
    tree, clean_db, clean = baseline
    db = tmp_path / "notices.db"
    shutil.copy(clean_db, db)
    result, injected = crawl(
        tree, db, FaultPlan(rules=[(f"/{HOST}/news/6*", "challenge", 0)]), extra=["--revisit", "all", "--backfill", "3"]
    )
    assert result.returncode == 3 and "Blocked by their anti-bot front" in result.stdout, result.stdout
    assert (
        query(db, "select count(*) from fetches where outcome = 'blocked' and status = 412")[0][0] == len(injected) > 0
    )
    assert query(
        db, "select count(*) from fetches where outcome = 'blocked' and error like 'skipped: the site blocked%'"
    )[0][0]
    assert state(db) == clean
    tally.add("faults", faults_injected=len(injected), survived=len(injected))


def test_a_listing_answering_faults_is_recorded_and_makes_no_event(baseline, tmp_path, tally):
    tree, clean_db, clean = baseline
    db = tmp_path / "notices.db"
    shutil.copy(clean_db, db)
    injected = []
    for fault in ("soft404", "empty", "http_500", "redirect_offsite"):
        result, faults = crawl(tree, db, FaultPlan(rules=[(f"/{HOST}/news/list/*", fault, 0)]))
        assert result.returncode in (3, 4), result.stdout
        injected += faults
    assert state(db) == clean
    errors = {e for (e,) in query(db, "select error from fetches where role = 'listing' and outcome = 'error'")}
    assert {"empty 200 answer", "HTTP 500"} <= errors and any("soft 404" in e for e in errors)
    tally.add("faults", faults_injected=len(injected), survived=len(injected))


RANDOM_FAULTS = tuple(f for f in FAULTS if f not in ("challenge", "slow", "huge"))  # each has its own test above
RANDOM_RATE, RANDOM_RUNS = 0.5, 7
HARMLESS = ("gbk_as_utf8", "utf8_as_gbk", "http_429")  # read right, or retried until answered
SITES = {
    "cixidb": HOST,
    "zj_jxt": "jxt.zj.gov.cn",
    "js_gxt": "gxt.jiangsu.gov.cn",
    "hn_gxt": "gxt.hunan.gov.cn",
    "sd_gxt": "gxt.shandong.gov.cn",
    "hb_jxt": "jxt.hubei.gov.cn",
    "shaanxi_gxt": "gxt.shaanxi.gov.cn",
    "henan_gxt": "gxt.henan.gov.cn",
    "sc_jxt": "jxt.sc.gov.cn",
    "hebei_gxt": "gxt.hebei.gov.cn",
}


def test_random_faults_over_several_runs_lose_nothing(tmp_path, tally):
    """Runs of ten sites with half of all answers faulty (fixed seeds), then one clean monitor-mode
    run: everything a clean first crawl stores is there, and nothing more."""
    tree = copy_site(tmp_path, *SITES.values())
    clean_db = tmp_path / "clean.db"
    result, _ = crawl(tree, clean_db, None, *SITES)
    assert result.returncode == 0, result.stdout + result.stderr
    clean = state(clean_db)
    clean_hashes = {h for _, _, h in clean["versions"]}
    db, injected = tmp_path / "notices.db", 0
    for seed in range(1, RANDOM_RUNS + 1):
        plan = FaultPlan(rate=RANDOM_RATE, seed=seed, random_faults=RANDOM_FAULTS)
        result, faults = crawl(tree, db, plan, *SITES, extra=["--revisit", "all", "--backfill", "3"])
        injected += len(faults)
        harmful = [f for f in faults if f[1] not in HARMLESS]
        assert result.returncode in ((3, 4) if harmful else (0, 3)), result.stdout + result.stderr
        stored = {h for _, _, h in state(db)["versions"]}
        assert stored <= clean_hashes, "a faulty answer became a version"
    result, faults = crawl(tree, db, None, *SITES, extra=["--revisit", "all"])
    assert result.returncode == 0 and not faults, result.stdout + result.stderr
    recovered = state(db)
    lost = len(set(clean["notices"]) - set(recovered["notices"]))
    false_versions = max(0, len(recovered["versions"]) - len(clean["versions"]))
    false_events = max(0, len(recovered["events"]) - len(clean["events"]))
    tally.add(
        "faults",
        faults_injected=injected,
        survived=injected,
        notices_lost=lost,
        false_versions=false_versions,
        false_events=false_events,
    )
    assert injected >= 450
    assert (lost, false_versions, false_events) == (0, 0, 0)
    assert recovered["notices"] == clean["notices"]
