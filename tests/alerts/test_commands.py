"""`crawler alert`: --test, --dry-run, the Atom feed file, and CRAWLER_ALERT_URLS without a config."""

import os
import sqlite3
from xml.etree import ElementTree

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.alerts.receivers import HttpReceiver
from tests.conftest import FAST, host_map_args, run_cli


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("alerts") / "notices.db"
    with serve_mirror(DEFAULT_TREE) as base:
        args = ["crawl", "zj_jxt", "cixidb", "--db", str(db), *host_map_args(host_map_for(DEFAULT_TREE, base)), *FAST]
        assert run_cli(*args).returncode == 0
    return db


def env_with(urls):
    return {**{k: v for k, v in os.environ.items() if k != "CRAWLER_CONFIG"}, "CRAWLER_ALERT_URLS": urls}


def test_test_message_reaches_a_webhook_and_a_dead_one_is_reported(tmp_path):
    receiver = HttpReceiver()
    try:
        ok = run_cli("alert", "--test", f"json://127.0.0.1:{receiver.server.server_address[1]}/hook", cwd=tmp_path)
        assert ok.returncode == 0 and receiver.on("/hook")[0]["json"]["title"].startswith("【测试】")
    finally:
        receiver.close()
    dead = run_cli("alert", "--test", "json://127.0.0.1:9/hook", cwd=tmp_path)
    assert dead.returncode == 1 and "could not reach" in dead.stderr


def test_dry_run_shows_the_cluster_list_alerts_and_writes_nothing(crawled, tmp_path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(crawled.read_bytes())
    result = run_cli("alert", "--dry-run", "--db", str(copy), env=env_with("json://127.0.0.1:9/hook"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "【新集群名单】浙江省经济和信息化厅关于公布2025年浙江省中小企业特色产业集群名单的通知" in result.stdout
    assert "1 message(s) would be sent" in result.stdout
    with sqlite3.connect(copy) as conn:
        assert conn.execute("select count(*) from deliveries").fetchone()[0] == 0
        assert conn.execute("select count(*) from events where routed_at is not null").fetchone()[0] == 0


def test_atom_feed_file_gets_one_entry_per_cluster_list_once(crawled, tmp_path):
    copy, feed = tmp_path / "copy.db", tmp_path / "feeds" / "clusters.xml"
    copy.write_bytes(crawled.read_bytes())
    for _ in range(2):
        result = run_cli("alert", "--db", str(copy), env=env_with(f"atom://{feed}"), cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
    entries = ElementTree.parse(feed).getroot().findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1 and "集群" in entries[0].findtext("{http://www.w3.org/2005/Atom}title")
