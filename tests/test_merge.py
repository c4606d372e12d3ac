"""`crawler merge`: the mirrored sites crawled as shards and merged into a central database hold
what one machine crawling every site writes; a second merge writes nothing; a shard killed
mid-crawl, or a merge killed half-way, changes nothing once the next run or merge completes; a
shard's export fetched over HTTP merges like its file, with its attachment bytes."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from crawler.app.merging import export_shard, merge_shards
from crawler.mirror import DEFAULT_TREE, hosts_in
from crawler.siteconf import load_sites
from tests.conftest import FAST, ROOT, host_map_args, run_cli

MIRRORED = sorted(s.name for s in load_sites().values() if set(s.hosts) <= set(hosts_in(DEFAULT_TREE)))
# Sites whose stories cross shards (the seed story on cixidb and zj_jxt; miit's notices republished
# by cinn and mysteel), and gd_gdii, the site with most pages, to be killed in the middle of.
SUBSET = ["cixidb", "zj_jxt", "miit", "miit_qyj", "mysteel", "cinn", "gd_gdii"]


def rows_of(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def picture(db: Path) -> dict[str, object]:
    """What one machine and the merged shards must agree on, without surrogate ids or the times of
    two different crawls. A story is the set of its notices' URLs, and an event names its story:
    which copy of a story spanning sites gets the ``new`` event depends on which copy arrives first,
    which is not fixed on ONE machine either (its sites are crawled concurrently)."""
    story_of: dict[int, set[str]] = {}
    for url, story in rows_of(db, "select url, story_id from notices"):
        story_of.setdefault(story, set()).add(url)
    stories = {url: tuple(sorted(urls)) for urls in story_of.values() for url in urls}
    return {
        "notices": sorted(
            rows_of(
                db,
                "select url, site, title, published_at, body_normalized, status, kind, deadline, source,"
                " doc_number, current_version, content_hash from notices",
            )
        ),
        "versions": sorted(
            rows_of(
                db,
                "select n.url, v.version, v.content_hash, v.change_kind, v.diff, v.list_hash, v.listing_title"
                " from versions v join notices n on n.id = v.notice_id",
            )
        ),
        "stories": sorted(set(stories.values())),
        "events": sorted(
            (kind, stories[url] if url else (), version, "" if url else site, reason or "")
            for kind, url, version, site, reason in rows_of(
                db,
                "select e.kind, n.url, e.version, e.site, e.reason from events e"
                " left join notices n on n.id = e.notice_id",
            )
        ),
        "clusters": sorted(
            rows_of(db, "select n.url, c.version, c.name from clusters c join notices n on n.id = c.notice_id")
        ),
        "list_entries": sorted(
            rows_of(db, "select n.url, e.version, e.name from list_entries e join notices n on n.id = e.notice_id")
        ),
        "attachments": sorted(
            rows_of(db, "select n.url, a.sha256, a.status from attachments a join notices n on n.id = a.notice_id")
        ),
    }


def assert_same(one: Path, merged: Path) -> None:
    left, right = picture(one), picture(merged)
    for part in left:
        assert left[part] == right[part], f"{part} differ"
    assert len(left["notices"]) > 30 and left["events"] and len(left["stories"]) < len(left["notices"])


def row_counts(db: Path) -> dict[str, int]:
    tables = [t for (t,) in rows_of(db, "select name from sqlite_master where type = 'table'")]
    return {t: rows_of(db, f'select count(*) from "{t}"')[0][0] for t in tables}


def crawl_into(db: Path, mirror: dict, names=(), extra=()) -> subprocess.CompletedProcess:
    result = run_cli("crawl", *names, "--db", str(db), *host_map_args(mirror), *FAST, "--quiet", *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def start_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for(db: Path, sql: str, least: int, process: subprocess.Popen, timeout: float = 60) -> int:
    """Poll ``sql`` (a count) in ``db`` until it reaches ``least``; the count then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the process ended before it could be killed"
        try:
            found = rows_of(db, sql)[0][0]
        except sqlite3.OperationalError:  # not created yet
            found = 0
        if found >= least:
            return found
        time.sleep(0.02)
    raise AssertionError(f"{sql} never reached {least}")


@pytest.fixture(scope="module")
def every_site(tmp_path_factory, mirror):
    """Every mirrored site crawled on one machine, and as three shards merged into a central database."""
    root = tmp_path_factory.mktemp("every_site")
    one = root / "one" / "notices.db"
    crawl_into(one, mirror)
    shards = [root / "shards" / f"shard-{i}-of-3.db" for i in (1, 2, 3)]
    for index, shard in enumerate(shards, 1):
        crawl_into(shard, mirror, extra=["--shard", f"{index}/3"])
    central = root / "central" / "notices.db"
    began = time.monotonic()
    report = merge_shards([str(s) for s in shards], central)
    return {
        "root": root,
        "one": one,
        "shards": shards,
        "central": central,
        "report": report,
        "seconds": time.monotonic() - began,
    }


def test_three_shards_merged_hold_what_one_machine_writes(every_site):
    one, central, shards = every_site["one"], every_site["central"], every_site["shards"]
    assert_same(one, central)
    assert sorted({s for (s,) in rows_of(central, "select site from fetches")}) == MIRRORED
    # Sightings are the shard's, not the merge's: first and last seen, versions' observation times.
    seen = {}
    for shard in shards:
        seen.update({row[0]: row[1:] for row in rows_of(shard, "select url, first_seen_at, last_seen_at from notices")})
    assert {row[0]: row[1:] for row in rows_of(central, "select url, first_seen_at, last_seen_at from notices")} == seen
    # Every attachment row of the central database resolves to its bytes beside it.
    files = rows_of(central, "select path, sha256 from attachments where path is not null")
    assert files
    for path, sha256 in files:
        assert hashlib.sha256((central.parent / path).read_bytes()).hexdigest() == sha256
    # Each site's state on the central database is the one its shard left.
    health = run_cli("sites", "--health", "--db", str(central))
    assert health.returncode == 0, health.stderr
    states = {line.split()[0]: line.split()[1] for line in health.stdout.splitlines() if line.strip()}
    one_states = run_cli("sites", "--health", "--db", str(one)).stdout
    assert states == {line.split()[0]: line.split()[1] for line in one_states.splitlines() if line.strip()}
    assert every_site["report"].rows > 1000
    assert sum(s.stored for s in every_site["report"].shards) == len(picture(one)["versions"])


def test_two_shards_merged_hold_the_same(every_site, mirror, tmp_path):
    """Another split of the same sites (two shards: other sites together, other stories across
    shards) merges into the same database as one machine's crawl."""
    shards = [tmp_path / "shards" / f"shard-{i}-of-2.db" for i in (1, 2)]
    for index, shard in enumerate(shards, 1):
        crawl_into(shard, mirror, extra=["--shard", f"{index}/2"])
    central = tmp_path / "central" / "notices.db"
    merge_shards([str(s) for s in shards], central)
    assert_same(every_site["one"], central)


def test_a_second_merge_writes_nothing_even_from_a_fresh_export(every_site):
    central, shards = every_site["central"], every_site["shards"]
    before = row_counts(central)
    with closing(sqlite3.connect(central)) as watcher:
        version = watcher.execute("pragma data_version").fetchone()[0]
        exported = every_site["root"] / "exported" / "shard-1-of-3.db"
        export_shard(shards[0], exported)  # the same shard, copied elsewhere: same identity, same cursor
        report = merge_shards([str(exported), *map(str, shards[1:])], central)
        assert watcher.execute("pragma data_version").fetchone()[0] == version, "the second merge wrote"
    assert report.rows == 0 and not report.events
    assert row_counts(central) == before


def test_a_merge_killed_half_way_is_completed_by_the_next(every_site, tmp_path):
    central = tmp_path / "central" / "notices.db"
    merging = start_cli("merge", *map(str, every_site["shards"]), "--db", str(central))
    taken = wait_for(central, "select count(*) from versions", 1, merging)
    merging.send_signal(signal.SIGKILL)
    merging.wait()
    total = len(picture(every_site["one"])["versions"])
    assert 0 < taken < total, "killed before anything or after everything was merged"
    merge_shards([str(s) for s in every_site["shards"]], central)
    assert_same(every_site["one"], central)
    # Nothing twice: every table as a merge never interrupted wrote it.
    assert row_counts(central) == row_counts(every_site["central"])
