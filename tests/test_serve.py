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


def search_plans(database, sql: str, params: dict) -> dict[str, list[str]]:
    """SQLite's plans for the search box's page, count and facets (Datasette's and facets.py's forms)."""
    where = sql.split(" where ", 1)[1].split(" order by ")[0]
    queries = {
        "page": sql,
        "count": f"select count(*) from notices where {where}",
        "facets": f"select site, province, status, kind, count(*) from (select * from notices where {where})"
        " group by site, province, status, kind",
    }
    with sqlite3.connect(database) as db:
        db.create_function("escape_fts", 1, escape_fts)
        return {
            name: [row[3] for row in db.execute("explain query plan " + query, params)]
            for name, query in queries.items()
        }


def test_the_search_box_finds_every_match_through_the_search_index(server, database):
    """The search box asks for `search_key in (matches)`: the page reads the newest notices from an
    index and stops at its page, the count and the facets read one small index each, never a row
    of a notice (the same notices, count and facets as the full-text index gives)."""
    url = f"{server}/notices/notices.json?_search=" + urllib.parse.quote("产业集群") + "&_size=max"
    with urllib.request.urlopen(url) as answer:
        page = json.loads(answer.read())
    sql, params = page["query"]["sql"], page["query"]["params"]
    assert "search_key in (select rowid from notices_fts" in sql
    with sqlite3.connect(database) as db:
        matches = {row[0] for row in db.execute("select rowid from notices_fts where notices_fts match '产业集群'")}
    assert len(matches) >= 2 and {row[page["columns"].index("id")] for row in page["rows"]} == matches
    assert page["filtered_table_rows_count"] == len(matches)
    assert sum(value["count"] for value in page["facet_results"]["site"]["results"]) == len(matches)
    plans = search_plans(database, sql, params)
    assert "SCAN notices USING INDEX idx_notices_newest" in plans["page"], plans
    assert "SCAN notices USING COVERING INDEX idx_notices_newest" in plans["count"], plans
    assert "SCAN notices USING COVERING INDEX idx_notices_facets" in plans["facets"], plans
    assert not any("TEMP B-TREE" in step for steps in plans.values() for step in steps), plans


def test_a_notice_written_without_the_search_key_is_found_by_the_search_box(database, tmp_path):
    """A row another tool inserts (sqlite-utils, a hand-written INSERT) gets its key from a trigger."""
    copy = tmp_path / "notices.db"
    shutil.copy(database, copy)
    with sqlite3.connect(copy) as db:
        db.execute(
            "insert into notices (url, site, title, body_normalized, status)"
            " values ('https://example.gov.cn/1.html', 'cixidb', '琥珀湾数字孪生产业集群培育名单', '正文', 'live')"
        )
        key, notice_id = db.execute("select search_key, id from notices where url like 'https://example%'").fetchone()
    assert key == notice_id is not None
    with crawler_serve(copy) as base:
        url = f"{base}/notices/notices.json?_search=" + urllib.parse.quote("琥珀湾") + "&_shape=objects"
        with urllib.request.urlopen(url) as answer:
            rows = json.loads(answer.read())["rows"]
    assert [row["id"] for row in rows] == [notice_id]


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
