"""Crash consistency: a crawl (and `crawler run`) killed with SIGKILL at random moments leaves a
file that passes every consistency check, and the next run completes it to exactly what one clean
crawl stores: every notice, the same content, no extra version or event."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.mirror import host_map_for, serve_mirror
from tests.conftest import FAST, copy_site, host_map_args, run_cli

SITES = {"zj_jxt": "jxt.zj.gov.cn", "cixidb": "www.cixidb.cn", "js_gxt": "gxt.jiangsu.gov.cn"}
SEED = 20260808
SERIES = 4  # each starts from an empty file: kills land in start-up and first writes again
KILLS_PER_SERIES = 6
POLL = 0.01


def query(db: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(sql, params).fetchall()


def count(db: Path, sql: str, params=()) -> int:
    return query(db, sql, params)[0][0]


def notice_count(db: Path) -> int:
    """Notices stored so far (0 before the schema exists)."""
    if not db.exists():
        return 0
    try:
        return count(db, "select count(*) from notices")
    except sqlite3.OperationalError:
        return 0


def entries_per_version(db: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(notice url, list_hash) → (attachment rows, list entry rows) of every version whose list was saved."""
    return {
        (url, list_hash): (files, entries)
        for url, list_hash, files, entries in query(
            db,
            """
        select n.url, v.list_hash,
               (select count(*) from attachments a where a.notice_id = v.notice_id and a.version = v.version),
               (select count(*) from clusters c where c.notice_id = v.notice_id and c.version = v.version)
               + (select count(*) from list_entries l where l.notice_id = v.notice_id and l.version = v.version)
        from versions v join notices n on n.id = v.notice_id where v.list_hash is not null""",
        )
    }


def problems(db: Path, reference: Path) -> list[str]:
    """Everything wrong with a file a killed crawl left behind (empty when it is consistent)."""
    if not db.exists():
        return []
    found = []
    integrity = query(db, "pragma integrity_check")
    if integrity != [("ok",)]:
        return [f"integrity_check: {integrity[:3]}"]
    if not query(db, "select 1 from sqlite_master where name = 'notices'"):
        return []  # killed before the schema was written
    checks = {
        "notice without its current version": """
            select n.url from notices n where n.current_version is null or not exists (
              select 1 from versions v where v.notice_id = n.id and v.version = n.current_version)""",
        "version numbers with a gap or a duplicate": """
            select notice_id from versions group by notice_id
            having min(version) != 1 or max(version) != count(*) or count(distinct version) != count(*)""",
        "current version not the newest": """
            select n.url from notices n
            where n.current_version != (select max(version) from versions v where v.notice_id = n.id)""",
        "version without its notice": "select id from versions where notice_id not in (select id from notices)",
        "duplicate event": """
            select notice_id, version, kind from events where notice_id is not null
            group by notice_id, version, kind having count(*) > 1""",
        "event without its version": """
            select e.id from events e where e.notice_id is not null and not exists (
              select 1 from versions v where v.notice_id = e.notice_id and v.version = e.version)""",
        "version without its snapshot": """
            select id from versions where snapshot is not null and snapshot not in (select sha256 from snapshots)""",
        "list rows without their version": """
            select notice_id, version from (select notice_id, version from attachments union
              select notice_id, version from clusters union select notice_id, version from list_entries) r
            where not exists (select 1 from versions v where v.notice_id = r.notice_id and v.version = r.version)""",
        "duplicate delivery": """
            select event_id, subscription, channel_key from deliveries group by 1, 2, 3 having count(*) > 1""",
    }
    for what, sql in checks.items():
        rows = query(db, sql)
        if rows:
            found.append(f"{what}: {rows[:3]}")
    expected = entries_per_version(reference)
    for key, rows in entries_per_version(db).items():
        if key in expected and rows != expected[key]:
            found.append(f"half-written list {key[0]}: {rows} rows, a clean crawl has {expected[key]}")
    for (path,) in query(db, "select path from attachments where path is not null"):
        if not (db.parent / path).is_file():
            found.append(f"attachment row without its file: {path}")
    return found


def state(db: Path) -> dict:
    return {
        "notices": dict(query(db, "select url, content_hash from notices")),
        "versions": dict(
            query(db, "select n.url, count(*) from versions v join notices n on n.id = v.notice_id group by n.url")
        ),
        "events": dict(query(db, "select kind, count(*) from events group by kind")),
    }


def compare(final: dict, reference: dict) -> dict[str, int]:
    """Notices lost (missing, or with other content), versions and events beyond the clean crawl's."""
    lost = sum(1 for url, digest in reference["notices"].items() if final["notices"].get(url) != digest)
    false_versions = sum(max(0, n - reference["versions"].get(url, 0)) for url, n in final["versions"].items())
    false_events = sum(max(0, n - reference["events"].get(kind, 0)) for kind, n in final["events"].items())
    return {"notices_lost": lost, "false_versions": false_versions, "false_events": false_events}


@pytest.fixture(scope="module")
def mirror_tree(tmp_path_factory):
    tree = copy_site(tmp_path_factory.mktemp("crash"), *SITES.values())
    with serve_mirror(tree) as base:
        yield host_map_args(host_map_for(tree, base))


@pytest.fixture(scope="module")
def reference(mirror_tree, tmp_path_factory):
    """One clean, uninterrupted crawl of the sites, and how long it took."""
    db = tmp_path_factory.mktemp("reference") / "notices.db"
    started = time.monotonic()
    result = run_cli("crawl", *SITES, "--db", str(db), *mirror_tree, *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    assert notice_count(db) > 30
    return db, time.monotonic() - started


def command(job: str, db: Path, host_map: list[str]) -> list[str]:
    return [sys.executable, "-m", "crawler", job, *SITES, "--db", str(db), *host_map, *FAST]


def environment(feed: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CRAWLER_CONFIG"}
    return {**env, "CRAWLER_ALERT_URLS": f"atom://{feed}"}


def kill_at_random(
    args: list[str], db: Path, env: dict, cwd: Path, rng: random.Random, total: int, duration: float
) -> tuple[str | None, float]:
    """Start ``args`` and SIGKILL it at a random moment: once the file holds a random number of
    notices, or after a random share of ``duration`` (how long a whole run lasts: start-up, schema,
    first writes, revisits, the end of the run). Returns how the moment was chosen (None when the
    process finished first) and how long the process ran."""
    stored = notice_count(db)
    if stored < total and rng.random() < 0.6:
        target = rng.randint(stored + 1, total)
        moment = f"at {target} notices"
    else:
        target, delay = None, rng.uniform(0.05, 0.95) * duration
        moment = f"after {delay:.2f} s"
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    try:
        while process.poll() is None:
            if target is None and time.monotonic() - started >= delay:
                break
            if target is not None and notice_count(db) >= target:
                break
            time.sleep(POLL)
        if process.poll() is not None:
            return None, time.monotonic() - started
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return moment, time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_crawl_killed_at_random_moments_leaves_a_consistent_file_and_the_next_run_completes_it(
    mirror_tree, reference, tmp_path, tally
):
    rng = random.Random(SEED)
    reference, reference_seconds = reference
    expected = state(reference)
    total = len(expected["notices"])
    kills = survived = 0
    figures = {"notices_lost": 0, "false_versions": 0, "false_events": 0}
    failures = []
    for series in range(SERIES):
        # The last series runs the cron job (`crawler run`, crawl then alerts) instead of `crawl`.
        job = "run" if series == SERIES - 1 else "crawl"
        folder = tmp_path / f"series{series}"
        folder.mkdir()
        db = folder / "notices.db"
        env = environment(folder / "feed.xml")
        done, duration = 0, reference_seconds
        while done < KILLS_PER_SERIES:
            moment, ran = kill_at_random(command(job, db, mirror_tree), db, env, folder, rng, total, duration)
            if moment is None:
                duration = ran  # a whole run (now shorter: less is new); the next moment falls within it
                continue
            done += 1
            kills += 1
            found = problems(db, reference)
            if found:
                failures.append(f"{job} killed {moment} (series {series}): {found}")
            else:
                survived += 1
        final = subprocess.run(
            command(job, db, mirror_tree), check=False, cwd=folder, env=env, capture_output=True, text=True, timeout=300
        )
        assert final.returncode == 0, f"{job} after the kills: exit {final.returncode}\n{final.stderr[-1500:]}"
        failures.extend(f"after the kills of series {series}: {p}" for p in problems(db, reference))
        for name, value in compare(state(db), expected).items():
            figures[name] += value
        if job == "run":  # every event routed, every delivery sent (or claimed by a pass killed mid-send:
            # it is sent again once its claim is stale, see crawler.alerts.outbox.CLAIM_LEASE)
            unsent = count(db, "select count(*) from deliveries where status not in ('sent', 'sending')")
            assert unsent == 0 and count(db, "select count(*) from events where routed_at is null") == 0
    tally.add("crash", kills=kills, survived=survived, **figures)
    assert kills >= 20
    assert not failures, "\n".join(failures)
    assert figures == {"notices_lost": 0, "false_versions": 0, "false_events": 0}
