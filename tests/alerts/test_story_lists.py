"""The alert about a story carries the list of whichever copy holds it: the seed's republished copy
(cixidb, read first) brings the 17 clusters of the Zhejiang bureau's original, never phrases cut
from the text; a list not read yet says so, and the list read later comes in a `changed` message.
Real crawls of the mirrored sites, real SQLite, `crawler alert` posting to a receiver on 127.0.0.1."""

import json
import os
import re
import sqlite3

import pytest

from crawler.mirror import DEFAULT_TREE
from tests.alerts.receivers import HttpReceiver
from tests.conftest import ROOT, copy_site, crawl, run_cli

CIXIDB, ZJ = "www.cixidb.cn", "jxt.zj.gov.cn"
SEED_COPY = "https://www.cixidb.cn/news/627/627509.html"
ORIGINAL = "https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html"
ORIGINAL_PAGE = "art/2025/7/16/art_1582900_28196.html"
ORIGINAL_PDF = (
    DEFAULT_TREE / ZJ / ("module/download/downfile.jsp?classid=0&filename=6042fb38cea96a6e558070f7b5613d8f.pdf")
)
GOLD = ROOT / "tests/fixtures/rosters/zhejiang_2025.pdf.gold.json"  # hand-written, for the PDF generate.py recorded
FRAGMENTS = ("加快提升集群", "各地要制定和完善本地区集群", "建立健全集群", "各地要注意总结提炼集群", "名单（前几项）")


def original_names() -> list[str]:
    """The 17 names of the Zhejiang original's attachment, in published order."""
    assert ORIGINAL_PDF.read_bytes() == (ROOT / "tests/fixtures/rosters/zhejiang_2025.pdf").read_bytes()
    return [row["name"] for row in json.loads(GOLD.read_text(encoding="utf-8"))]


@pytest.fixture
def receiver():
    server = HttpReceiver()
    yield server
    server.close()


def alert(db, receiver, cwd) -> list[dict]:
    """`crawler alert` with the default subscription sending to ``receiver``; the JSON posted."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "CRAWLER_CONFIG"},
        "CRAWLER_ALERT_URLS": f"json://127.0.0.1:{receiver.server.server_address[1]}/hook",
    }
    before = len(receiver.on("/hook"))
    result = run_cli("alert", "--db", str(db), env=env, cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    return [r["json"] for r in receiver.on("/hook")[before:]]


def crawl_ok(tree, db, *names, extra=()):
    result, _ = crawl(tree, db, *names, extra=extra)
    assert result.returncode in (0, 3), result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def listed(message: dict) -> list[str]:
    """The names on the message's 名单 line, without their numbers."""
    line = next((line for line in message["message"].splitlines() if line.startswith("名单：")), "名单：")
    return [re.sub(r"^\d+\. ", "", item) for item in line.removeprefix("名单：").split("、")]


def seed_message(messages: list[dict]) -> dict:
    [message] = [m for m in messages if "2025年浙江省中小企业特色产业集群名单" in m["title"]]
    return message


def test_the_republished_copy_alert_names_the_17_clusters_of_the_bureau_original(tmp_path, receiver):
    tree, db = copy_site(tmp_path, CIXIDB, ZJ), tmp_path / "data" / "notices.db"
    crawl_ok(tree, db, "cixidb")  # the republisher first: the story's `new` event is its copy's
    crawl_ok(tree, db, "zj_jxt")
    with sqlite3.connect(db) as conn:
        on = conn.execute(
            "select n.url from events e join notices n on n.id = e.notice_id where e.kind = 'new'"
            " and n.story_id = (select story_id from notices where url = ?)",
            [ORIGINAL],
        ).fetchall()
        copies = conn.execute(
            "select count(*) from notices where story_id = (select story_id from notices where url = ?)", [ORIGINAL]
        ).fetchone()[0]
    assert on == [(SEED_COPY,)] and copies == 2
    message = seed_message(alert(db, receiver, tmp_path))
    assert message["kind"] == "cluster_list"
    assert listed(message) == original_names()
    assert "集群数：17 个\n" in message["message"] and "名单出处：浙江省经济和信息化厅 · 通知公告" in message["message"]
    assert message["clusters"] == {"count": 17, "first": original_names(), "read": True, "from": ORIGINAL}
    for fragment in (*FRAGMENTS, "名单尚未读取"):
        assert fragment not in message["message"] and fragment not in message["markdown"]


def test_a_list_not_read_yet_says_so_and_its_arrival_is_a_changed_message_naming_the_entries(tmp_path, receiver):
    """The bureau's page first published without its attachment (the text only announces it); the
    link added later brings the list, as a `changed` message."""
    tree, db = copy_site(tmp_path, ZJ), tmp_path / "data" / "notices.db"
    page = tree / ZJ / ORIGINAL_PAGE
    html = page.read_text(encoding="utf-8")
    link = re.search(r'<a href="/module/download/downfile\.jsp\?classid=0&filename=6042[^"]*"[^>]*>([^<]*)</a>', html)
    page.write_text(html.replace(link[0], link[1]), encoding="utf-8")
    crawl_ok(tree, db, "zj_jxt")
    first = seed_message(alert(db, receiver, tmp_path))
    assert (
        first["kind"] == "cluster_list"
        and "名单尚未读取；正文提及：杭州市滨江区具身智能机器人产业集群" in first["message"]
    )
    assert "集群数：17 个（据正文）" in first["message"] and "名单：" not in first["message"]
    assert first["clusters"] == {
        "count": 17,
        "first": ["杭州市滨江区具身智能机器人产业集群"],
        "read": False,
        "from": None,
    }
    for fragment in FRAGMENTS:
        assert fragment not in first["message"]

    page.write_text(html, encoding="utf-8")
    crawl_ok(tree, db, "zj_jxt", extra=("--revisit", "all"))
    later = seed_message(alert(db, receiver, tmp_path))
    assert later["kind"] == "changed" and later["title"].startswith("【通知有变化】")
    assert listed(later) == original_names() and "集群数：17 个\n" in later["message"]
    assert "名单变化：0 → 17 项" in later["message"] and f"+ 名单：{original_names()[0]}" in later["message"]
    assert "名单尚未读取" not in later["message"]


def test_a_list_whose_download_failed_comes_in_a_changed_message_once_read(tmp_path, receiver):
    tree, db = copy_site(tmp_path, ZJ), tmp_path / "data" / "notices.db"
    pdf = tree / ZJ / ORIGINAL_PDF.relative_to(DEFAULT_TREE / ZJ)
    pdf.unlink()  # 404 on the first read
    crawl_ok(tree, db, "zj_jxt")
    assert "名单尚未读取" in seed_message(alert(db, receiver, tmp_path))["message"]
    pdf.write_bytes(ORIGINAL_PDF.read_bytes())
    crawl_ok(tree, db, "zj_jxt", extra=("--revisit", "all"))
    later = [m for m in alert(db, receiver, tmp_path) if "2025年浙江省中小企业特色产业集群名单" in m["title"]]
    assert [m["kind"] for m in later] == ["changed"] and listed(later[0]) == original_names()
    assert "变化：名单首次读取：17 项" in later[0]["message"]


def test_the_bureau_copy_arriving_after_the_alert_brings_its_list_in_a_changed_message(tmp_path, receiver):
    tree, db = copy_site(tmp_path, CIXIDB, ZJ), tmp_path / "data" / "notices.db"
    crawl_ok(tree, db, "cixidb")
    assert "名单尚未读取" in seed_message(alert(db, receiver, tmp_path))["message"]
    crawl_ok(tree, db, "zj_jxt")
    later = [m for m in alert(db, receiver, tmp_path) if "2025年浙江省中小企业特色产业集群名单" in m["title"]]
    assert [m["kind"] for m in later] == ["changed"] and listed(later[0]) == original_names()
