"""Shards: the sites split by a stable hash of their politeness unit, `--shard I/N` on `crawl` and
`run` (a shard's run sends no alert), clear errors for a bad I/N, and a shard killed mid-crawl,
run again, exported and merged from a URL."""

from __future__ import annotations

import hashlib
import http.server
import os
import random
import signal
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import click
import pytest

from crawler.app.merging import export_shard
from crawler.shards import host_groups, parse_shard, shard_sites
from crawler.siteconf import load_sites
from tests.conftest import FAST, closed_port, copy_site, crawl, host_map_args, run_cli
from tests.test_merge import SUBSET, assert_same, crawl_into, rows_of, start_cli, wait_for

SITES = list(load_sites().values())


def test_parse_shard_reads_i_of_n_and_refuses_anything_else():
    assert parse_shard("2/3") == (2, 3)
    assert parse_shard(" 1 / 1 ") == (1, 1)
    for bad, says in (("0/3", "from 1 to N"), ("4/3", "from 1 to N"), ("x", "is not I/N"), ("1/0", "at least 1")):
        with pytest.raises(click.BadParameter, match=says):
            parse_shard(bad)


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_every_site_is_in_exactly_one_shard_and_sites_sharing_a_host_together(count):
    shards = [shard_sites(SITES, index, count) for index in range(1, count + 1)]
    names = [site.name for shard in shards for site in shard]
    assert sorted(names) == sorted(site.name for site in SITES)  # each once: a partition
    shard_of = {site.name: index for index, shard in enumerate(shards) for site in shard}
    for group in host_groups(SITES):
        assert len({shard_of[site.name] for site in group}) == 1, [s.name for s in group]
    assert shard_of["miit"] == shard_of["miit_qyj"]  # both on www.miit.gov.cn
    if count > 1:
        assert sum(1 for shard in shards if shard) > 1  # the hash spreads the sites


def test_shards_are_stable_across_calls_and_site_order():
    shuffled = SITES[:]
    random.Random(20).shuffle(shuffled)
    for index in (1, 2, 3):
        first = {site.name for site in shard_sites(SITES, index, 3)}
        assert first == {site.name for site in shard_sites(shuffled, index, 3)}
        assert first == {site.name for site in shard_sites(SITES, index, 3)}
    # A fixed point so that a change of the hash (which would move sites between machines) is seen.
    assert [s.name for s in shard_sites(SITES, 2, 3) if s.name in ("cixidb", "zj_jxt")] == ["cixidb"]


def test_crawl_refuses_a_bad_shard_with_a_clear_message(tmp_path):
    result = run_cli("crawl", "--shard", "4/3", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "--shard" in result.stderr and "from 1 to N" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_crawl_shard_crawls_only_its_sites(tmp_path):
    tree = copy_site(tmp_path, "www.cixidb.cn", "jxt.zj.gov.cn")
    db = tmp_path / "shard-2-of-3.db"
    result, _ = crawl(tree, db, "cixidb", "zj_jxt", extra=["--shard", "2/3"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("shard 2/3, run 1: 1 site(s)")
    with sqlite3.connect(db) as conn:
        assert {row[0] for row in conn.execute("select distinct site from fetches")} == {"cixidb"}


def test_run_shard_crawls_and_sends_no_alert(tmp_path):
    """A shard's `run` leaves its events undelivered (the central database decides alerts): no
    delivery row, no event routed, even with a channel configured that would fail."""
    from crawler.mirror import host_map_for, serve_mirror

    tree = copy_site(tmp_path, "www.cixidb.cn", "jxt.zj.gov.cn")
    db = tmp_path / "shards" / "shard-2-of-3.db"
    env = {**os.environ, "CRAWLER_ALERT_URLS": f"json://127.0.0.1:{closed_port()}/hook", "CRAWLER_CONFIG": ""}
    with serve_mirror(tree) as base:
        result = run_cli(
            "run", "cixidb", "zj_jxt", "--shard", "2/3", "--db", str(db),
            *host_map_args(host_map_for(tree, base)), *FAST, env=env,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no alert sent (a shard" in result.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from events where kind = 'new'").fetchone()[0] > 0
        assert conn.execute("select count(*) from deliveries").fetchone()[0] == 0
        assert conn.execute("select count(*) from events where routed_at is not null").fetchone()[0] == 0
        assert {row[0] for row in conn.execute("select distinct site from fetches")} == {"cixidb"}
    log = (db.parent / "logs" / "shard-2-of-3.log").read_text(encoding="utf-8")
    assert "shard 2/3: 1 site(s) (cixidb)" in log and "alerts are not sent from a shard" in log


@contextmanager
def served(directory: Path):
    """``directory`` over HTTP on 127.0.0.1; yields its base URL."""
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(directory), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_shard_killed_mid_crawl_rerun_and_merged_from_a_url_holds_what_one_machine_writes(tmp_path, mirror):
    """Shard 1 of 2 (gd_gdii, miit, miit_qyj, mysteel, zj_jxt) is SIGKILLed once it stored some
    fetches, run again, exported and fetched over HTTP (its attachment bytes inside the export);
    shard 2 (cinn, cixidb: copies of stories whose originals are on shard 1) is merged from its
    file. Merged, they equal one machine's crawl of the same sites."""
    one = tmp_path / "one" / "notices.db"
    crawl_into(one, mirror, SUBSET)
    first, second = tmp_path / "shard-1-of-2.db", tmp_path / "shard-2-of-2.db"
    slow = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    crawling = start_cli("crawl", *SUBSET, "--shard", "1/2", "--db", str(first), *host_map_args(mirror), *slow)
    wait_for(first, "select count(*) from fetches where role != 'listing'", 5, crawling)
    crawling.send_signal(signal.SIGKILL)
    crawling.wait()
    assert rows_of(first, "select status from runs") == [("running",)]  # killed mid-run
    crawl_into(first, mirror, SUBSET, extra=["--shard", "1/2"])
    crawl_into(second, mirror, SUBSET, extra=["--shard", "2/2"])
    export = tmp_path / "exports" / "shard-1-of-2.db"
    export_shard(first, export)
    assert not (export.parent / "attachments").exists()  # the export carries the bytes itself
    central = tmp_path / "central" / "notices.db"
    with served(export.parent) as base:
        merged = run_cli("merge", f"{base}/shard-1-of-2.db", str(second), "--db", str(central))
    assert merged.returncode == 0, merged.stderr
    assert_same(one, central)
    files = rows_of(central, "select path, sha256 from attachments where path is not null")
    assert files
    for path, sha256 in files:
        assert hashlib.sha256((central.parent / path).read_bytes()).hexdigest() == sha256
