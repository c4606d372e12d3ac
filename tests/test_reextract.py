"""`crawler reextract` on the demo: a real crawl of every recorded site over 127.0.0.1, then every
stored page extracted again from its snapshot the way the crawl built it."""

import shutil
import sqlite3

import pytest

from crawler.extract import extract_notice
from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites
from tests.conftest import run_cli

# A page whose headline its template writes in by script: the static page shows no heading but an
# empty one and a generic <title> (文章详情-…), so its title is the one its listing shows.
NO_HEADING = "https://www.sheitc.sh.gov.cn/zcfg/20260630/3e6d8e25a1812e5fba0f9d6ca3e7330c.html"
LISTED_TITLE = "关于印发《上海市促进工业软件高质量发展若干措施》的通知"

# What a user sees of the crawl, which re-extraction must leave as it is.
VIEWS = {
    "notices": "select url, site, title, published_at, source, status, current_version, kind, doc_number, issuer,"
    " content_hash, etag, last_modified, deadline from notices order by url",
    "versions": "select n.url, v.version, v.content_hash, v.title, v.listing_title, v.published_at, v.change_kind,"
    " v.deadline from versions v join notices n on n.id = v.notice_id order by n.url, v.version",
    "events": "select kind, notice_id, version, site, reason from events order by id",
    "clusters": "select notice_id, version, name from clusters order by 1, 2, 3",
    "list_entries": "select notice_id, version, name from list_entries order by 1, 2, 3",
    "attachments": "select notice_id, version, url, sha256, status from attachments order by 1, 2, 3",
    "site_health": "select * from site_health order by site",
}


def query(db, sql, *args):
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, args)]


def seen(db) -> dict[str, list[dict]]:
    return {name: query(db, sql) for name, sql in VIEWS.items()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's database after `crawler demo`, and what it holds."""
    db = tmp_path_factory.mktemp("reextract") / "notices.db"
    result = run_cli("demo", "--db", str(db))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return db, seen(db)


def test_reextracting_every_page_of_the_demo_changes_no_version_and_makes_no_event(demo, tmp_path):
    db = tmp_path / "notices.db"
    shutil.copy(demo[0], db)
    before = demo[1]
    result = run_cli("reextract", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"0 notice(s) changed, {len(before['notices'])} unchanged, 0 without a saved page\n"
    after = seen(db)
    for name in VIEWS:  # titles, versions, events, rosters; the validators a revisit asks with are kept
        assert after[name] == before[name], name
    assert any(row["etag"] for row in after["notices"])
    runs = query(
        db,
        "select r.id, (select count(*) from fetches f where f.run_id = r.id and f.role = 'reextract') as n"
        " from runs r order by r.id desc limit 1",
    )
    assert runs[0]["n"] == len(before["notices"])  # one fetch per page, in a run of its own


def test_a_page_without_a_clear_heading_keeps_the_title_its_listing_showed(demo):
    row = query(
        demo[0],
        "select n.title, v.listing_title from notices n join versions v on v.notice_id = n.id where n.url = ?",
        NO_HEADING,
    )
    assert row == [{"title": LISTED_TITLE, "listing_title": LISTED_TITLE}]
    # Without the listing's title the page reads as its generic <title>: re-extraction must pass it.
    page = (DEFAULT_TREE / "www.sheitc.sh.gov.cn/zcfg/20260630/3e6d8e25a1812e5fba0f9d6ca3e7330c.html").read_bytes()
    hints = load_sites()["sh_sheitc"].hints
    assert extract_notice(NO_HEADING, page, hints, listing_title=LISTED_TITLE).title == LISTED_TITLE
    assert extract_notice(NO_HEADING, page, hints).title == "文章详情"


def test_a_version_saved_before_listing_titles_were_kept_reextracts_without_one(demo, tmp_path):
    """A database written before ``versions.listing_title`` existed: re-extraction works as it did
    then, which is right for every page but the one whose title only its listing gives."""
    db = tmp_path / "notices.db"
    shutil.copy(demo[0], db)
    with sqlite3.connect(db) as conn:
        conn.execute("update versions set listing_title = null")
    result = run_cli("reextract", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"1 notice(s) changed, {len(demo[1]['notices']) - 1} unchanged")
    changed = query(
        db, "select n.url, v.title from versions v join notices n on n.id = v.notice_id where v.version = 2"
    )
    assert changed == [{"url": NO_HEADING, "title": "文章详情"}]


def test_deadlines_read_again_fill_in_where_missing_and_make_no_version(demo, tmp_path):
    db = tmp_path / "notices.db"
    shutil.copy(demo[0], db)
    calls = query(db, "select count(*) as n from notices where kind = 'call' and deadline is not null")[0]["n"]
    assert calls >= 200  # the recorded calls state their deadlines
    assert query(db, "select count(*) as n from notices where kind != 'call' and deadline is not null")[0]["n"] == 0
    with sqlite3.connect(db) as conn:
        conn.execute("update notices set deadline = null")
        conn.execute("update versions set deadline = null")
    result = run_cli("reextract", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("0 notice(s) changed,")
    assert seen(db) == demo[1]
