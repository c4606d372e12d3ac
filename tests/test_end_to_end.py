"""The whole path: a real Scrapy crawl over HTTP on 127.0.0.1 of the mirrored sites into SQLite."""

import os
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.conftest import FAST, ROOT, host_map_args, recorded_detail_urls, run_cli

SITES = ("zj_jxt", "cixidb")
SEED_URL = "https://www.cixidb.cn/news/627/627509.html"
CHROME = (
    "法律提示",
    "相关链接",
    "相關(guān)鏈接",
    "新闻排行",
    "新聞排行",
    "日排行",
    "总排行",
    "ICP备",
    "公网安备",
    "网站标识码",
    "【打印】",
    "关闭窗口",
    "分享到",
)


def query(db, sql, *args):
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, args)]


@pytest.fixture(scope="module")
def crawled(mirror, tmp_path_factory):
    """Two crawls of both sites into one database, with the row counts after each."""
    db = tmp_path_factory.mktemp("e2e") / "notices.db"
    args = ["crawl", *SITES, "--db", str(db), *host_map_args(mirror), *FAST]
    first = run_cli(*args)
    after_first = {t: query(db, f"select count(*) as n from {t}")[0]["n"] for t in ("notices", "versions", "events")}
    second = run_cli(*args, "--revisit", "all")  # every known page asked again (conditionally)
    return db, first, after_first, second


def test_first_crawl_succeeds_and_reports_new_notices(crawled):
    _, first, _, _ = crawled
    assert first.returncode == 0, first.stdout + first.stderr
    assert "2025年浙江省中小企業特色產業集群名單公布" in first.stdout
    assert "Traceback" not in first.stderr


@pytest.mark.parametrize("site", SITES)
def test_every_recorded_notice_is_stored_once(crawled, site):
    db = crawled[0]
    stored = [r["url"] for r in query(db, "select url from notices where site = ?", site)]
    assert len(stored) == len(set(stored))
    assert set(stored) == recorded_detail_urls(DEFAULT_TREE, site)
    per_notice = query(
        db,
        "select n.url, (select count(*) from versions v where v.notice_id = n.id) as versions"
        " from notices n where n.site = ?",
        site,
    )
    assert all(r["versions"] == 1 for r in per_notice)


def test_one_new_event_per_story_and_the_seed_shares_a_story_with_the_bureau_original(crawled):
    db = crawled[0]
    stories = query(db, "select count(distinct story_id) as n from notices")[0]["n"]
    news = query(db, "select count(*) as n from events where kind = 'new'")[0]["n"]
    assert news == stories
    seed = query(db, "select story_id from notices where url = ?", SEED_URL)[0]["story_id"]
    copies = query(db, "select site, url from notices where story_id = ? order by id", seed)
    assert {c["site"] for c in copies} == {"zj_jxt", "cixidb"}
    assert "https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html" in {c["url"] for c in copies}
    assert (
        query(
            db,
            "select count(*) as n from events e join notices n on n.id = e.notice_id"
            " where e.kind = 'new' and n.story_id = ?",
            seed,
        )[0]["n"]
        == 1
    )


def test_stored_fields_are_complete_and_clean(crawled):
    db = crawled[0]
    rows = query(
        db,
        "select n.url, n.title, n.published_at, n.source, v.body, v.body_normalized "
        "from notices n join versions v on v.notice_id = n.id",
    )
    for row in rows:
        assert row["title"] and len(row["body"]) > 50, row["url"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", row["published_at"]), row["url"]
        assert row["source"], row["url"]
        for chrome in CHROME:
            assert chrome not in row["body"], (row["url"], chrome)
        assert "\ufffd" not in row["body"] + row["title"], row["url"]
        assert not re.search(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)", row["body_normalized"]), row["url"]
        art = re.search(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/", row["url"])
        if art:
            assert row["published_at"][:10] == f"{art[1]}-{int(art[2]):02d}-{int(art[3]):02d}", row["url"]


def test_seed_notice_fields(crawled):
    db = crawled[0]
    row = query(
        db,
        "select n.*, v.body, v.body_normalized from notices n join versions v on v.notice_id = n.id where n.url = ?",
        SEED_URL,
    )[0]
    assert row["site"] == "cixidb" and row["status"] == "live" and row["current_version"] == 1
    assert row["title"] == "2025年浙江省中小企業特色產業集群名單公布"
    assert row["published_at"] == "2025-07-16T15:51:00+08:00"
    assert row["source"] == "浙江省經信廳"
    assert row["body"].startswith("各市、縣(市、區(qū))經(jīng)信局") and row["body"].endswith("2025年7月11日")
    assert "确定杭州市滨江区具身智能机器人产业集群等17个产业集群" in row["body_normalized"]


def test_gbk_page_without_charset_is_stored_without_mojibake(crawled):
    row = query(crawled[0], "select title from notices where url = ?", "https://www.cixidb.cn/news/627/627402.html")[0]
    assert row["title"] == "山西省冶金行业安全生产标准化二级企业名单"


def test_a_listed_page_that_is_gone_is_recorded_as_missing_not_stored(crawled):
    db = crawled[0]
    missing = query(db, "select url, status, outcome from fetches where role = 'detail' and status = 404")
    assert {r["outcome"] for r in missing} == {"missing"} and missing
    assert not query(
        db, f"select 1 from notices where url in ({', '.join('?' * len(missing))})", *[r["url"] for r in missing]
    )


def test_second_crawl_adds_no_version_and_no_event(crawled):
    db, _, after_first, second = crawled
    assert second.returncode == 0, second.stdout + second.stderr
    after_second = {t: query(db, f"select count(*) as n from {t}")[0]["n"] for t in ("notices", "versions", "events")}
    assert after_second == after_first
    run = query(db, "select max(id) as id from runs")[0]["id"]
    outcomes = {
        r["outcome"]
        for r in query(db, "select outcome from fetches where run_id = ? and role in ('detail', 'revisit')", run)
    }
    assert query(db, "select count(*) as n from fetches where run_id = ? and status = 304", run)[0]["n"] > 0
    assert outcomes == {"unchanged"}  # monitor mode: page 1 lists nothing new, so later pages are not read
    assert "0 new, 0 changed" in second.stdout


def test_a_rotating_sidebar_makes_no_version_but_an_edit_does(tmp_path):
    tree = tmp_path / "sites"
    shutil.copytree(DEFAULT_TREE / "www.cixidb.cn", tree / "www.cixidb.cn")
    page = tree / "www.cixidb.cn/news/627/627509.html"
    db = tmp_path / "notices.db"
    with serve_mirror(tree) as base:
        args = ["crawl", "cixidb", "--db", str(db), *host_map_args(host_map_for(tree, base)), *FAST, "--revisit", "all"]
        assert run_cli(*args).returncode == 0
        html = page.read_text(encoding="utf-8")
        rotated = html.replace("上海建筑鋼市日記", "廣州建筑鋼市日記").replace("2025-07-16河北省", "2025-07-17河北省")
        assert rotated != html
        page.write_text(rotated, encoding="utf-8")
        assert run_cli(*args).returncode == 0
        assert query(db, "select count(*) as n from versions")[0]["n"] == 23
        page.write_text(rotated.replace("等17個產(chǎn)業(yè)集群", "等18個產(chǎn)業(yè)集群"), encoding="utf-8")
        third = run_cli(*args)
    assert "1 changed" in third.stdout
    versions = query(
        db,
        "select v.version, v.change_kind, v.diff from versions v join notices n on n.id = v.notice_id "
        "where n.url = ? order by v.version",
        SEED_URL,
    )
    assert [(v["version"], v["change_kind"]) for v in versions] == [(1, "new"), (2, "edit")]
    assert "等1[-7-]{+8+}个产业集群" in versions[1]["diff"]
    assert query(db, "select kind, version from events where kind = 'changed'") == [{"kind": "changed", "version": 2}]


def test_scrapy_crawl_command_uses_the_same_site_definitions(mirror, tmp_path):
    db = tmp_path / "notices.db"
    env = {**os.environ, "CRAWLER_DB": str(db), "CRAWLER_HOST_MAP": ",".join(f"{h}={b}" for h, b in mirror.items())}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "notices",
            "-a",
            "site=cixidb",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    urls = {r["url"] for r in query(db, "select url from notices")}
    assert urls == recorded_detail_urls(DEFAULT_TREE, "cixidb")


def test_history_shows_versions_and_copies(crawled):
    result = run_cli("history", SEED_URL, "--db", str(crawled[0]))
    assert result.returncode == 0, result.stderr
    assert "same notice on zj_jxt: https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html" in result.stdout
    assert "v1  new" in result.stdout
    assert run_cli("history", "https://nowhere.example/1.html", "--db", str(crawled[0])).returncode == 1
