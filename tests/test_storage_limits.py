"""A full disk or a read-only database stops the run with exit 4 and one line, keeps every committed
row, and the run after the fault is gone completes the work. The faults are real: a small tmpfs
filled up, and a tmpfs remounted read-only (which root cannot write either)."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing

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
    with closing(sqlite3.connect(db)) as conn:  # closed now: no -wal or -shm file left behind
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


# --- merge, reextract, prune, backup and restore: the same exit 4, one line, nothing lost ---

OLD_FETCHES = 300  # copies of each fetch of the first run, aged: a prune that needs more room than is left


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Databases to put on the small disk: ``central`` (nx_gxt crawled twice), ``shard`` (xz_jxt and
    hlj_gxt) and ``backup`` (a copy of the shard)."""
    root = tmp_path_factory.mktemp("stores")
    tree = copy_site(root, *HOSTS)
    central, shard = root / "central" / "notices.db", root / "shard" / "notices.db"
    for _ in range(2):
        assert crawl(tree, central, *FIRST, extra=["--revisit", "all"])[0].returncode == 0
    assert crawl(tree, shard, *ALL[1:])[0].returncode == 0
    return {"central": central, "shard": shard, "backup": place(shard, root / "backup")}


def place(db, folder):
    """A copy of ``db`` (and its attachment files) as ``folder/notices.db``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "notices.db"
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    if (db.parent / "attachments").is_dir():
        shutil.copytree(db.parent / "attachments", folder / "attachments")
    return target


def fill(disk, room=100_000):
    """Fill ``disk`` up to ``room`` bytes free; the filler file, to delete when space returns."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    filler = disk / "filler"
    filler.write_bytes(b"\0" * max(free - room, 0))
    return filler


def age_fetches(db):
    """Add OLD_FETCHES older fetches of every page of the first run (ids below the real ones, so
    each URL's latest fetch stays the real one): rows that `prune --older-than 0` deletes."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(
            "with recursive n(k) as (select 1 union all select k + 1 from n where k < ?)"
            " insert into fetches (id, run_id, site, url, role, status, outcome, fetched_at, bytes, via)"
            " select -(k * 100000 + f.id), f.run_id, f.site, f.url, f.role, f.status, f.outcome,"
            " '2000-01-01T00:00:00+00:00', f.bytes, f.via from fetches f, n where f.run_id = 1",
            [OLD_FETCHES],
        )


def kept(db):
    """What no failed command may lose: every notice, version and event, by id."""
    return {
        "notices": set(rows(db, "select id, url from notices")),
        "versions": set(rows(db, "select id, notice_id, version, content_hash from versions")),
        "events": set(rows(db, "select id, kind, notice_id, version from events")),
    }


def counts(db):
    names = [n for (n,) in rows(db, "select name from sqlite_master where type = 'table' and name not like 'sqlite%'")]
    return {name: rows(db, f'select count(*) from "{name}"')[0][0] for name in names}


COMMANDS = {
    "merge": lambda db, stores: ("merge", str(stores["shard"]), "--db", str(db)),
    "reextract": lambda db, stores: ("reextract", "--db", str(db)),
    "prune": lambda db, stores: ("prune", "--older-than", "0", "--db", str(db)),
    "prune --vacuum": lambda db, stores: ("prune", "--older-than", "0", "--vacuum", "--db", str(db)),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_full_disk_stops_merge_reextract_and_prune_with_exit_4_and_the_next_run_completes(
    tmp_path, small_disk, stores, command
):
    args = COMMANDS[command]
    reference = place(stores["central"], tmp_path / "reference")  # the same command without the fault
    db = place(stores["central"], small_disk / "data")
    room = 100_000
    if command == "prune":
        age_fetches(reference)
        age_fetches(db)
    elif command == "prune --vacuum":  # room for the deletions, not for the file VACUUM writes again
        room = db.stat().st_size // 2
    assert run_cli(*args(reference, stores)).returncode == 0
    before, counted = kept(db), counts(db)
    filler = fill(small_disk, room)

    failed = run_cli(*args(db, stores))

    assert failed.returncode == 4, (failed.stdout, failed.stderr)
    assert_one_line(failed.stderr, "disk full (database or disk is full); what was stored before is kept")
    assert failed.stdout == ""
    filler.unlink()  # space returns (SQLite reads a WAL database only where it can write its -shm file)
    assert rows(db, "pragma integrity_check") == [("ok",)]
    after = kept(db)
    assert all(before[table] <= after[table] for table in before)
    if command == "prune":  # the deletions were undone: nothing is lost, nothing deleted
        assert counts(db) == counted
    if command == "prune --vacuum":  # the deletions were committed, only the VACUUM failed
        assert after == before and counts(db) == counts(reference)

    again = run_cli(*args(db, stores))

    assert again.returncode == 0, again.stderr
    assert kept(db) == kept(reference) and counts(db).keys() == counts(reference).keys()
    if command != "reextract":  # (reextract's run reads none of the first run's fetches again)
        assert counts(db) == counts(reference)
    if command == "prune --vacuum":
        assert "VACUUM: file" in again.stdout


def test_no_room_even_for_the_shm_file_is_a_full_disk_too(small_disk, stores):
    db = place(stores["central"], small_disk / "data")
    before = kept(db)
    filler = fill(small_disk, 0)

    failed = run_cli("reextract", "--db", str(db))

    assert failed.returncode == 4, (failed.stdout, failed.stderr)
    assert_one_line(failed.stderr, "disk full (disk I/O error")
    filler.unlink()
    assert kept(db) == before
    assert run_cli("reextract", "--db", str(db)).returncode == 0


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_read_only_database_stops_merge_reextract_and_prune_with_exit_4_unchanged(small_disk, stores, command):
    db = place(stores["central"], small_disk / "data")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()

    failed = run_cli(*COMMANDS[command](db, stores))

    assert failed.returncode == 4, (failed.stdout, failed.stderr)
    assert_one_line(failed.stderr, "read-only")
    assert str(db.parent) in failed.stderr and failed.stdout == ""
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert run_cli(*COMMANDS[command](db, stores)).returncode == 0


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_backup_to_a_full_or_read_only_folder_exits_4_and_leaves_nothing(small_disk, stores, fault):
    folder = small_disk / "backups"
    folder.mkdir()
    filler = fill(small_disk) if fault == "full" else None
    if fault == "read-only":
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)

    failed = run_cli("backup", f"{folder}/", "--db", str(stores["central"]))

    assert failed.returncode == 4, (failed.stdout, failed.stderr)
    assert_one_line(failed.stderr, "disk full" if fault == "full" else "read-only")
    assert str(folder) in failed.stderr
    assert list(folder.iterdir()) == []
    if filler:
        filler.unlink()
    else:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert run_cli("backup", f"{folder}/", "--db", str(stores["central"])).returncode == 0


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_restore_into_a_full_or_read_only_database_exits_4_and_leaves_it_as_it_was(small_disk, stores, fault):
    db = place(stores["central"], small_disk / "data")
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    filler = fill(small_disk) if fault == "full" else None
    if fault == "read-only":
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)

    failed = run_cli("restore", str(stores["backup"]), "--db", str(db))

    assert failed.returncode == 4, (failed.stdout, failed.stderr)
    assert_one_line(failed.stderr, "disk full" if fault == "full" else "read-only")
    if filler:
        filler.unlink()
    else:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert run_cli("restore", str(stores["backup"]), "--db", str(db)).returncode == 0
    assert counts(db) == counts(stores["backup"])
