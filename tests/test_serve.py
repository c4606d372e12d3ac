"""`crawler serve`: Datasette on a crawled database, opened in headless Chromium."""

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import yaml
from datasette.utils import escape_fts

from crawler.app.serving import METADATA
from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.conftest import FAST, ROOT, host_map_args, run_cli
from tests.served import CHROMIUM, CHROMIUM_FLAGS, answers, crawler_serve, free_port

SEED_TITLE = "2025年浙江省中小企業特色產業集群名單公布"
ZJ_SEED = "https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html"
CIXIDB_SEED = "https://www.cixidb.cn/news/627/627509.html"
FIRST = "杭州市滨江区具身智能机器人产业集群"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A crawl of copies of the cixidb and Zhejiang bureau mirrors, then one of cixidb with the seed
    notice edited."""
    base = tmp_path_factory.mktemp("serve")
    tree, db = base / "sites", base / "notices.db"
    for host in ("www.cixidb.cn", "jxt.zj.gov.cn"):
        shutil.copytree(DEFAULT_TREE / host, tree / host)
    page = tree / "www.cixidb.cn/news/627/627509.html"
    with serve_mirror(tree) as mirror:
        args = [
            "crawl",
            "cixidb",
            "--db",
            str(db),
            *host_map_args(host_map_for(tree, mirror)),
            *FAST,
            "--revisit",
            "all",
        ]
        assert run_cli(*args, "zj_jxt").returncode == 0
        page.write_text(page.read_text(encoding="utf-8").replace("等17個", "等18個"), encoding="utf-8")
        assert run_cli(*args).returncode == 0
    return db


@pytest.fixture(scope="module")
def server(database):
    with crawler_serve(database) as base:
        yield base


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_stopping_serve_stops_datasette(database, signum):
    """`kill`, systemd and supervisors signal `crawler serve` alone: its Datasette must go with it,
    not keep the port and the database."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "serve", "--db", str(database), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/-/versions.json"
    deadline = time.monotonic() + 60
    while not answers(url):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    process.send_signal(signum)
    assert process.wait(timeout=20) == 0
    deadline = time.monotonic() + 10
    while answers(url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not answers(url)


def browse(url: str, tmp_path) -> str:
    """The DOM of ``url`` after headless Chromium rendered it."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_notices_table_lists_the_seed_notice(server, tmp_path):
    page = browse(f"{server}/notices/notices", tmp_path)
    assert SEED_TITLE in page and "Current state of every notice" in page


def test_full_text_search_finds_the_seed_notice_in_simplified_chinese(server, tmp_path):
    page = browse(f"{server}/notices/notices?_search=产业集群", tmp_path)
    assert SEED_TITLE in page
    assert "河北省第二轮中央生态环境保护督察整改任务销号公示" not in page


def test_the_search_box_finds_every_match_through_the_search_index(server, database):
    """The search box asks for `search_key in (matches)`, which SQLite answers from an index: the same
    notices, count and facets as the full-text index gives."""
    url = f"{server}/notices/notices.json?_search=" + urllib.parse.quote("产业集群") + "&_size=max"
    with urllib.request.urlopen(url) as answer:
        page = json.loads(answer.read())
    sql, params = page["query"]["sql"], page["query"]["params"]
    assert "search_key in (select rowid from notices_fts" in sql
    with sqlite3.connect(database) as db:
        matches = {row[0] for row in db.execute("select rowid from notices_fts where notices_fts match '产业集群'")}
        db.create_function("escape_fts", 1, escape_fts)
        plan = " ".join(row[3] for row in db.execute("explain query plan " + sql, params))
    assert len(matches) >= 2 and {row[page["columns"].index("id")] for row in page["rows"]} == matches
    assert page["filtered_table_rows_count"] == len(matches)
    assert sum(value["count"] for value in page["facet_results"]["site"]["results"]) == len(matches)
    assert "USING INDEX idx_notices_search (search_key=?)" in plan


@pytest.mark.parametrize("name", ["recent_changes", "new_notices_feed", "latest_notices"])
def test_the_newest_first_queries_read_an_index_instead_of_sorting_every_row(database, name):
    """Each shows the newest 50 or 100 rows: read newest first from an index, it stops there, however
    many years the database holds."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    sql = metadata["databases"]["notices"]["queries"][name]["sql"]
    with sqlite3.connect(database) as db:
        plan = [row[3] for row in db.execute("explain query plan " + sql)]
    assert not any("TEMP B-TREE" in step for step in plan) and any("USING INDEX" in step for step in plan), plan


def test_newest_matches_finds_the_seed_notice_without_counting_every_match(server):
    rows = query(server, "newest_matches", terms="产业集群 名单")
    assert SEED_TITLE in [row["title"] for row in rows]
    published = [row["published_at"] or "" for row in rows]
    assert published == sorted(published, reverse=True)
    other = [row["title"] for row in query(server, "newest_matches", terms="生态环境保护督察整改")]
    assert other == ["河北省第二轮中央生态环境保护督察整改任务销号公示"]
    assert not query(server, "newest_matches", terms="") and not query(server, "newest_matches", terms='集群"')


def test_recent_changes_query_shows_the_diff(server, tmp_path):
    page = browse(f"{server}/notices/recent_changes", tmp_path)
    assert SEED_TITLE in page and "等1[-7-]{+8+}个产业集群" in page


def test_atom_feed_of_new_notices(server):
    with urllib.request.urlopen(f"{server}/notices/new_notices_feed.atom") as answer:
        feed = answer.read().decode()
    assert "<feed" in feed and SEED_TITLE in feed


def query(server, name, **params) -> list[dict]:
    url = f"{server}/notices/{name}.json?_shape=objects&" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url) as answer:
        return json.loads(answer.read())["rows"]


def test_cluster_queries_give_the_seed_list_as_rows(server):
    lists = query(server, "new_cluster_lists")
    seed = next(r for r in lists if r["url"] == ZJ_SEED)
    assert (seed["clusters"], seed["list_stage"], seed["list_year"]) == (17, "final", 2025)
    # The republished copy (its text edited since: version 2) shows its story's count, the original's.
    copy = next(r for r in lists if r["url"] == CIXIDB_SEED)
    assert (copy["clusters"], copy["list_site"], copy["site"]) == (17, "zj_jxt", "cixidb")
    by_year = query(server, "clusters_by_province_year")
    assert {"province": "浙江省", "year": 2025, "stage": "final", "clusters": 17} == {
        k: v for k, v in by_year[0].items() if k in ("province", "year", "stage", "clusters")
    }
    first = query(server, "new_clusters_this_year", year="2025")
    assert {"cluster": FIRST, "city": "杭州市", "county": "滨江区", "industry": "具身智能机器人"} in [
        {k: r[k] for k in ("cluster", "city", "county", "industry")} for r in first
    ]
    assert query(server, "new_clusters_this_year", year="2019") == []


def test_the_clusters_table_offers_city_and_industry_facets(server, tmp_path):
    page = browse(f"{server}/notices/clusters?_facet=city", tmp_path)
    assert FIRST in page and "杭州市" in page and "One row per entry of a list notice" in page
