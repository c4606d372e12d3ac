"""The project under Scrapyd: two real Scrapyd daemons on 127.0.0.1, each started eggless in its own
folder (tests/fixtures/scrapyd: the node's scrapyd.conf and scrapy.cfg), run the `shard` jobs of
`crawler fleet` against the bundled mirror; the central database it merges their exports into holds
what one unsharded crawl of the same sites stores."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest

from tests.conftest import FAST, ROOT, closed_port, host_map_args, run_cli

pytest.importorskip("scrapyd", reason="scrapyd is not installed (it is in the test extra: pip install -e '.[test]')")

NODE_FILES = ROOT / "tests" / "fixtures" / "scrapyd"
# The cross-site story (cixidb republishes zj_jxt's seed notice, whose attachment is a cluster list),
# two columns of one host (miit, miit_qyj: one politeness unit, so one shard) and two more bureaus.
SITES = ["zj_jxt", "cixidb", "miit", "miit_qyj", "js_gxt", "sh_sheitc"]


@contextmanager
def scrapyd_node(folder: Path):
    """A real Scrapyd daemon started in ``folder`` with the node files of tests/fixtures/scrapyd on a
    free port; yields its URL."""
    folder.mkdir()
    port = closed_port()
    conf = (NODE_FILES / "scrapyd.conf").read_text(encoding="utf-8")
    (folder / "scrapyd.conf").write_text(re.sub(r"(?m)^http_port = \d+$", f"http_port = {port}", conf))
    shutil.copy(NODE_FILES / "scrapy.cfg", folder)
    url = f"http://127.0.0.1:{port}"
    with open(folder / "scrapyd.out", "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "scrapyd", "--pidfile="], cwd=folder, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urlopen(f"{url}/daemonstatus.json", timeout=5) as answer:
                        if json.load(answer)["status"] == "ok":
                            break
                except (URLError, OSError):
                    pass
                assert process.poll() is None, (folder / "scrapyd.out").read_text(errors="replace")
                assert time.monotonic() < deadline, "scrapyd did not answer within 30 s"
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def contents(db: Path) -> dict:
    """What a crawl stored, without ids, times or run numbers: notices, their versions, events (a
    notice's by its story: the set of URLs of the notice and its copies), clusters and attachments."""
    with closing(sqlite3.connect(db)) as conn:
        url_of = dict(conn.execute("select id, url from notices"))
        story = defaultdict(set)
        for url, story_id in conn.execute("select url, story_id from notices"):
            story[story_id].add(url)
        story_of = {url: tuple(sorted(story[sid])) for url, sid in conn.execute("select url, story_id from notices")}
        versions = defaultdict(list)
        for notice_id, version, content_hash in conn.execute(
            "select notice_id, version, content_hash from versions order by notice_id, version"
        ):
            versions[url_of[notice_id]].append((version, content_hash))
        clusters, attachments = defaultdict(list), defaultdict(list)
        for notice_id, name in conn.execute("select notice_id, name from clusters order by notice_id, seq"):
            clusters[url_of[notice_id]].append(name)
        for notice_id, sha256 in conn.execute("select notice_id, sha256 from attachments"):
            attachments[url_of[notice_id]].append(sha256)
        return {
            "notices": {
                url: (title, body, status)
                for url, title, body, status in conn.execute("select url, title, body_normalized, status from notices")
            },
            "versions": dict(versions),
            "events": sorted(
                (kind, story_of[url_of[notice_id]] if notice_id else (site,))
                for kind, notice_id, site in conn.execute("select kind, notice_id, site from events")
            ),
            "clusters": dict(clusters),
            "attachments": {url: sorted(hashes) for url, hashes in attachments.items()},
        }


@pytest.fixture(scope="module")
def sites_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sites")
    for name in SITES:
        shutil.copy(ROOT / "crawler" / "sites" / f"{name}.toml", folder)
    return folder


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    root = tmp_path_factory.mktemp("nodes")
    with scrapyd_node(root / "a") as a, scrapyd_node(root / "b") as b:
        yield [a, b]


@pytest.fixture(scope="module")
def unsharded(tmp_path_factory, sites_dir, mirror) -> dict:
    """One `crawler crawl` of SITES into one database."""
    db = tmp_path_factory.mktemp("unsharded") / "notices.db"
    result = run_cli("--sites-dir", str(sites_dir), "crawl", "--db", str(db), *host_map_args(mirror), *FAST)
    assert result.returncode == 0, result.stderr
    return contents(db)


def fleet(nodes: list[str], db: Path, sites_dir: Path, mirror: dict, *extra: str) -> subprocess.CompletedProcess:
    host_map = ",".join(f"{host}={base}" for host, base in mirror.items())
    return run_cli(
        "fleet", *nodes, "--db", str(db), "-a", f"sites_dir={sites_dir}", "-a", f"host_map={host_map}", *FAST, *extra
    )


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory, nodes, sites_dir, mirror):
    """`crawler fleet` of SITES as 3 shards over the two nodes into a central database."""
    central = tmp_path_factory.mktemp("central") / "notices.db"
    started = time.monotonic()
    result = fleet(nodes, central, sites_dir, mirror, "--shards", "3", "--timeout", "120")
    return result, central, time.monotonic() - started


def test_fleet_runs_every_shard_on_its_node_and_merges_them(fleet_run, nodes):
    result, central, seconds = fleet_run
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for shard, node in ((1, nodes[0]), (2, nodes[1]), (3, nodes[0])):
        assert any(line.startswith(f"shard {shard}/3 on {node} job ") and "merged" in line for line in lines), lines
    print(f"fleet of 3 shards on 2 nodes: {seconds:.1f} s")


def test_merged_shards_equal_one_unsharded_crawl(fleet_run, unsharded):
    _, central, _ = fleet_run
    merged = contents(central)
    assert {url.split("/")[2] for url in merged["notices"]} >= {"jxt.zj.gov.cn", "www.cixidb.cn", "www.miit.gov.cn"}
    assert any(len(urls) > 1 for kind, urls in merged["events"]), "the cross-site story is missing"
    assert any(len(names) >= 17 for names in merged["clusters"].values()), "the cluster list is missing"
    for part in ("notices", "versions", "events", "clusters", "attachments"):
        assert merged[part] == unsharded[part], part


def test_exports_are_served_by_each_node_beside_the_job_summary(fleet_run, nodes):
    result, _, _ = fleet_run
    jobs = re.findall(r"^shard (\d)/3 on (\S+) job (\S+):", result.stdout, re.M)
    assert len(jobs) == 3
    for shard, node, job in jobs:
        with urlopen(f"{node}/items/crawler/shard/{job}.jl") as answer:
            summary = json.loads(answer.read().decode().splitlines()[-1])
        assert summary["shard"] == f"{shard}/3" and summary["export"] == f"{job}.db"
        with urlopen(f"{node}/items/crawler/shard/{job}.db") as answer:
            assert answer.read(16) == b"SQLite format 3\x00"


def test_a_second_fleet_run_changes_nothing_in_the_central_database(fleet_run, nodes, sites_dir, mirror):
    _, central, _ = fleet_run
    before = contents(central)
    result = fleet(nodes, central, sites_dir, mirror, "--shards", "3", "--timeout", "120")
    assert result.returncode == 0, result.stdout + result.stderr
    assert contents(central) == before


def test_a_shard_that_cannot_run_is_reported_and_the_others_still_merged(tmp_path, nodes, sites_dir, mirror):
    dead = f"http://127.0.0.1:{closed_port()}"
    central = tmp_path / "notices.db"
    result = fleet([nodes[0], dead], central, sites_dir, mirror, "--shard-db-dir", str(tmp_path / "shards"))
    assert result.returncode == 3, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"shard 2/2 on {dead}: NOT MERGED: could not schedule") for line in lines), lines
    assert any(line.startswith(f"shard 1/2 on {nodes[0]} job ") and "merged" in line for line in lines), lines
    with closing(sqlite3.connect(central)) as conn:
        assert conn.execute("select count(*) from notices").fetchone()[0] > 0


def test_a_job_that_fails_on_its_node_is_reported_with_its_log(tmp_path, nodes, mirror):
    central = tmp_path / "notices.db"
    shards = ("--shard-db-dir", str(tmp_path / "shards"), "--timeout", "60")
    result = fleet(nodes, central, tmp_path / "no-such-sites", mirror, *shards)
    assert result.returncode == 4, result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if "NOT MERGED: the job ended without its summary" in line]
    assert len(failed) == 2, result.stdout
    assert all(re.search(r"see http://127\.0\.0\.1:\d+/logs/crawler/shard/\S+\.log\)$", line) for line in failed)


def test_docs_show_the_node_files_the_test_runs():
    docs = (ROOT / "docs" / "scaling.md").read_text(encoding="utf-8")
    for name in ("scrapyd.conf", "scrapy.cfg"):
        assert (NODE_FILES / name).read_text(encoding="utf-8") in docs, f"docs/scaling.md does not show {name}"
