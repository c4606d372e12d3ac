"""A full disk or a read-only database stops the run with exit 4 and one line, keeps every committed
row, and the run after the fault is gone completes the work. The faults are real: a small tmpfs
filled up, and a tmpfs remounted read-only (which root cannot write either)."""

import hashlib
import os
import sqlite3
import subprocess

import pytest

from crawler.mirror import host_map_for, serve_mirror
from tests.conftest import FAST, copy_site, crawl, host_map_args, run_cli

HOSTS = ("gxt.nx.gov.cn", "jxt.xizang.gov.cn", "gxt.hlj.gov.cn")
FIRST, ALL = ("nx_gxt",), ("nx_gxt", "xz_jxt", "hlj_gxt")


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs of this test's own (skipped where mounting is not allowed)."""
    point = tmp_path / "disk"
    point.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(point)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs is not allowed here")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=True)


def run_job(tree, db, *names):
    with serve_mirror(tree) as base:
        return run_cli("run", *names, "--db", str(db), *host_map_args(host_map_for(tree, base)), *FAST)


def rows(db, sql):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def notice_urls(db):
    return {url for (url,) in rows(db, "select url from notices")}


def assert_one_line(stderr, words):
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0] and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr


def test_a_full_disk_stops_the_run_with_exit_4_and_the_next_run_completes_the_work(tmp_path, small_disk):
    tree = copy_site(tmp_path, *HOSTS)
    reference = tmp_path / "reference" / "notices.db"  # the same two runs without the fault
    assert crawl(tree, reference, *FIRST)[0].returncode == 0
    assert run_job(tree, reference, *ALL).returncode == 0
    db = small_disk / "data" / "notices.db"
    assert crawl(tree, db, *FIRST)[0].returncode == 0
    before = notice_urls(db)
    events_before = rows(db, "select id, kind, notice_id from events order by id")
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (free - 100_000))  # room for the run to start, not for all it reads

    failed = run_job(tree, db, *ALL)

    assert failed.returncode == 4, (failed.stdout, failed.stderr)
    assert_one_line(failed.stderr, "disk full (database or disk is full); what was stored before is kept")
    assert failed.stdout == ""  # no alert pass, no report of a half run
    assert rows(db, "pragma integrity_check") == [("ok",)]
    assert before <= notice_urls(db) < notice_urls(reference)
    assert rows(
        db,
        "select count(*) from notices n left join versions v"
        " on v.notice_id = n.id and v.version = n.current_version where v.notice_id is null",
    ) == [(0,)]
    events = rows(db, "select id, kind, notice_id from events order by id")
    assert events[: len(events_before)] == events_before
    stored = {n for (n,) in rows(db, "select id from notices")}
    assert all(kind == "new" and notice in stored for _, kind, notice in events[len(events_before) :])

    filler.unlink()
    again = run_job(tree, db, *ALL)

    assert again.returncode == 0, again.stderr
    assert notice_urls(db) == notice_urls(reference)
    assert rows(db, "select kind, count(*) from events group by kind") == rows(
        reference, "select kind, count(*) from events group by kind"
    )


@pytest.mark.parametrize("command", ["crawl", "run", "alert"])
def test_a_read_only_database_stops_before_the_crawl_with_exit_4_and_is_left_unchanged(tmp_path, small_disk, command):
    tree = copy_site(tmp_path, *HOSTS)
    db = small_disk / "data" / "notices.db"
    assert crawl(tree, db, *FIRST)[0].returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()

    if command == "alert":
        result = run_cli("alert", "--db", str(db), env={**os.environ, "CRAWLER_ALERT_URLS": "json://127.0.0.1:9/x"})
    else:
        with serve_mirror(tree) as base:
            result = run_cli(command, *ALL, "--db", str(db), *host_map_args(host_map_for(tree, base)), *FAST)
            assert base.requests == []  # stopped before the crawl

    assert result.returncode == 4, (result.stdout, result.stderr)
    assert_one_line(result.stderr, "read-only")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
