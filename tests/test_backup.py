"""`crawler backup` and `crawler restore`: a consistent, checked copy taken while a crawl writes and
`crawler serve` reads; DEST whole or absent; a restored database crawled again as if never moved."""

from __future__ import annotations

import json
import re
import resource
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

from crawler.app.backup import make_backup, restore_backup
from crawler.mirror import DEFAULT_TREE
from crawler.store.backups import BackupError
from tests.conftest import FAST, ROOT, crawl, host_map_args, run_cli
from tests.served import crawler_serve

LOAD_SITES = ("bj_jxj", "gd_gdii")  # 115 notices
LINE = re.compile(r"^(\S+)  \S+ [KMG]?B  (\d+) tables  ([\d,]+) rows  (\d+) attachment file\(s\) copied, (\d+) already")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    """notices.db after a crawl of zj_jxt (21 notices, 3 attachment files)."""
    db = tmp_path_factory.mktemp("crawled") / "notices.db"
    result, _ = crawl(DEFAULT_TREE, db, "zj_jxt")
    assert result.returncode == 0, result.stderr[-2000:]
    return db


def copy_of(db: Path, folder: Path) -> Path:
    """A private copy of ``db`` (and its attachment files) as ``folder/notices.db``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "notices.db"
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    for path in (db.parent / "attachments").rglob("*"):
        if path.is_file():
            (folder / path.relative_to(db.parent)).parent.mkdir(parents=True, exist_ok=True)
            (folder / path.relative_to(db.parent)).write_bytes(path.read_bytes())
    return target


def scalar(db: Path, sql: str):
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchone()[0]


def served_count(base: str, sql: str) -> int:
    url = f"{base}/notices.json?_shape=array&sql=" + urllib.parse.quote(sql)
    with urllib.request.urlopen(url, timeout=10) as answer:
        return next(iter(json.loads(answer.read())[0].values()))


@pytest.fixture(scope="module")
def under_load(crawled, mirror, tmp_path_factory):
    """A copy of ``crawled`` served by `crawler serve` while a crawl of LOAD_SITES writes into it,
    backed up again each time the crawl has committed more notices: (database, backup lines, how
    many backups ended while the crawl was still writing, the served base URL)."""
    folder = tmp_path_factory.mktemp("load")
    db = copy_of(crawled, folder / "live")
    backups = folder / "backups"
    backups.mkdir()
    with crawler_serve(db) as served:
        load = subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", *LOAD_SITES, "--db", str(db), "--revisit", "all"]
            + host_map_args(mirror)
            + FAST,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines, during, seen = [], 0, 21
        deadline = time.monotonic() + 120
        while load.poll() is None and time.monotonic() < deadline:
            stored = scalar(db, "select count(*) from notices")
            if stored == seen:  # nothing new committed since the last backup
                time.sleep(0.02)
                continue
            lines.append(make_backup(db, str(backups / f"b{len(lines)}.db")).line())
            during += load.poll() is None  # the crawl was still writing when this backup ended
            seen = stored
        assert load.wait(timeout=120) == 0, load.stderr.read()[-2000:]
        yield db, lines, during, served, scalar(db, "select count(*) from notices")


def test_backup_under_a_crawl_and_serve_is_whole_and_matches_its_snapshot(under_load):
    db, lines, during, served, final = under_load
    assert during >= 2, f"only {during} backup(s) taken while the crawl wrote: {lines}"
    notices = []
    for line in lines:
        path, tables, rows, copied, present = LINE.match(line).groups()
        copy = Path(path)
        with closing(sqlite3.connect(copy)) as conn:
            assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
            assert conn.execute("pragma foreign_key_check").fetchall() == []
            names = [n for (n,) in conn.execute("select name from sqlite_master where type = 'table'")]
            counted = {n: conn.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}
            # every notice's current version is in the copy: no half of a notice's transaction
            assert not conn.execute(
                "select count(*) from notices n where not exists (select 1 from versions v"
                " where v.notice_id = n.id and v.version = n.current_version)"
            ).fetchone()[0]
            paths = [p for (p,) in conn.execute("select path from attachments where path is not null")]
        assert int(rows.replace(",", "")) == sum(c for n, c in counted.items() if not n.startswith("sqlite_"))
        assert int(tables) == sum(not n.startswith("sqlite_") for n in names)
        assert paths and all((copy.parent / p).is_file() for p in paths)
        notices.append(counted["notices"])
    assert not list(copy.parent.glob("*.partial*"))
    # each backup a later state of the crawl, the first well before its end
    assert notices == sorted(set(notices)) and notices[0] < final == 21 + 115, (notices, final)
    print(f"{during} of {len(lines)} backups ended while the crawl wrote; notices in each: {notices}")


def test_a_destination_that_cannot_take_the_copy_is_left_absent(crawled, tmp_path):
    dest = tmp_path / "out" / "notices.db"
    dest.parent.mkdir()

    def small_files():  # a disk that fills after 512 KB: the copy fails half-way through
        resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 1024, 512 * 1024))

    full = subprocess.run(
        [sys.executable, "-m", "crawler", "backup", str(dest), "--db", str(crawled)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=small_files,
    )
    assert full.returncode == 1 and full.stderr.count("\n") == 1 and "Traceback" not in full.stderr, full.stderr
    assert "backup to" in full.stderr and "failed" in full.stderr
    assert list(dest.parent.iterdir()) == []  # neither DEST nor DEST.partial

    with pytest.raises(BackupError, match="no folder"):
        make_backup(crawled, str(tmp_path / "nowhere" / "notices.db"))

    dest.write_bytes(b"an older backup")
    kept = run_cli("backup", str(dest), "--db", str(crawled))
    assert kept.returncode == 1 and "--force" in kept.stderr and dest.read_bytes() == b"an older backup"
    make_backup(crawled, str(dest), force=True)
    assert scalar(dest, "select count(*) from notices") == 21

    with pytest.raises(BackupError, match="no database at"):
        make_backup(tmp_path / "absent.db", str(tmp_path))
    assert not list(tmp_path.glob("notices-*"))


def test_restore_of_a_backup_taken_mid_crawl_then_crawl_again_makes_no_new_versions_or_events(under_load, tmp_path):
    db, lines, _, served, final = under_load
    backup = Path(LINE.match(lines[0])[1])  # taken while the crawl wrote; the database has moved on since
    tables = ("notices", "versions", "events", "runs")
    counts = {t: scalar(backup, f"select count(*) from {t}") for t in tables}
    assert served_count(served, "select count(*) from notices") == final > counts["notices"]

    restored = run_cli("restore", str(backup), "--db", str(db))
    assert restored.returncode == 0, restored.stderr
    assert served_count(served, "select count(*) from notices") == counts["notices"]  # no restart needed
    elsewhere = tmp_path / "elsewhere" / "notices.db"  # a new machine: the attachment files come along
    restore_backup(backup, elsewhere)
    with closing(sqlite3.connect(backup)) as conn:
        paths = [p for (p,) in conn.execute("select path from attachments where path is not null")]
        before = conn.execute("select notice_id, count(*) from versions group by notice_id").fetchall()
        events = conn.execute("select notice_id, kind, count(*) from events group by 1, 2").fetchall()
    assert paths and all((elsewhere.parent / p).is_file() for p in paths)
    for target in (db, elsewhere):
        assert {t: scalar(target, f"select count(*) from {t}") for t in tables} == counts
        assert scalar(target, "pragma integrity_check") == "ok"

    health = run_cli("sites", "--health", "--db", str(db))
    assert health.returncode == 0 and re.search(r"zj_jxt\s+ok", health.stdout), health.stdout
    again, _ = crawl(DEFAULT_TREE, db, "zj_jxt", "bj_jxj", extra=["--revisit", "all"])  # every page read again
    assert again.returncode == 0, again.stderr[-2000:]
    with closing(sqlite3.connect(db)) as conn:
        ids = ",".join(str(notice_id) for notice_id, _ in before)
        after = conn.execute(
            f"select notice_id, count(*) from versions where notice_id in ({ids}) group by notice_id"
        ).fetchall()
        events_after = conn.execute(
            f"select notice_id, kind, count(*) from events where notice_id in ({ids}) group by 1, 2"
        ).fetchall()
    assert after == before and events_after == events  # nothing the backup held changed again
    assert scalar(db, "select count(*) from runs") == counts["runs"] + 1
