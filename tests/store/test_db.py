import sqlite3
import time

import pytest

from crawler.extract import Attachment, Notice
from crawler.extract.text import normalize_text
from crawler.records import DetailPage, FetchOutcome
from crawler.store import Store

URL = "https://jxt.zj.gov.cn/art/2025/7/16/art_1229123_58924123.html"
BODY = "各市、县（市、区）经信局：\n确定杭州市滨江区具身智能机器人产业集群等17个产业集群。\n浙江省经济和信息化厅\n2025年7月11日"


def page(body=BODY, title="2025年浙江省中小企业特色产业集群名单公布", attachments=()):
    notice = Notice(
        url=URL,
        title=title,
        published_at="2025-07-16T15:51:00+08:00",
        source="浙江省经信厅",
        body=body,
        body_normalized=normalize_text(body),
        attachments=list(attachments),
        title_normalized=normalize_text(title),
    )
    return DetailPage("zj_jxt", notice, FetchOutcome("zj_jxt", URL, "detail", "stored", status=200))


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "notices.db")
    yield store
    store.close()


def rows(store, sql):
    return [tuple(r) for r in store.db.execute(sql).fetchall()]


def test_a_new_notice_makes_version_one_and_a_new_event(store):
    run = store.start_run(["zj_jxt"])
    assert store.save_page(run, page()) == "stored"
    assert rows(store, "select version, change_kind from versions") == [(1, "new")]
    assert rows(store, "select kind, version, run_id from events") == [("new", 1, run)]
    notice = next(store.db["notices"].rows)
    assert notice["url"] == URL and notice["current_version"] == 1 and notice["status"] == "live"


def test_the_same_notice_again_makes_no_version_and_no_event(store):
    store.save_page(1, page())
    assert store.save_page(2, page()) == "unchanged"
    assert store.db["versions"].count == 1 and store.db["events"].count == 1
    assert rows(store, "select outcome from fetches order by id") == [("stored",), ("unchanged",)]


def test_a_traditional_copy_with_glosses_is_the_same_version(store):
    store.save_page(1, page())
    republished = "各市、縣(市、區(qū))經(jīng)信局:\n確定杭州市濱江區(qū)具身智能機器人產業集群等17個產業集群。\n浙江省經濟和信息化廳\n2025年7月11日"
    assert store.save_page(2, page(body=republished)) == "unchanged"


def test_an_edit_makes_version_two_with_a_diff_and_a_changed_event(store):
    store.save_page(1, page())
    store.save_page(2, page(body=BODY.replace("17个", "18个")))
    version = store.db.execute("select version, change_kind, diff from versions where version = 2").fetchone()
    assert (
        version[:2] == (2, "edit") and version[2] == "~ 确定杭州市滨江区具身智能机器人产业集群等1[-7-]{+8+}个产业集群。"
    )
    assert rows(store, "select kind, version from events order by id") == [("new", 1), ("changed", 2)]
    assert next(store.db["notices"].rows)["current_version"] == 2


def test_going_back_to_an_earlier_text_is_restored(store):
    store.save_page(1, page())
    store.save_page(2, page(body=BODY + "\n补充说明。"))
    store.save_page(3, page())
    assert rows(store, "select version, change_kind from versions order by version") == [
        (1, "new"),
        (2, "edit"),
        (3, "restored"),
    ]


def test_a_new_attachment_is_a_change(store):
    store.save_page(1, page())
    file = Attachment(
        "2025年浙江省中小企业特色产业集群名单.xlsx",
        "https://jxt.zj.gov.cn/module/download/downfile.jsp?filename=a.xlsx",
        "xlsx",
    )
    assert store.save_page(2, page(attachments=[file])) == "stored"


def test_public_schema_names(store):
    expected = {
        "notices": {
            "id",
            "url",
            "site",
            "title",
            "published_at",
            "source",
            "status",
            "first_seen_at",
            "last_seen_at",
            "current_version",
        },
        "versions": {
            "notice_id",
            "version",
            "content_hash",
            "observed_at",
            "title",
            "published_at",
            "body",
            "body_normalized",
            "change_kind",
            "diff",
        },
        "events": {"id", "kind", "notice_id", "version", "created_at"},
        "fetches": {"url", "status", "outcome", "fetched_at"},
    }
    for table, columns in expected.items():
        assert columns <= set(store.db[table].columns_dict), table


def test_a_failing_write_leaves_no_half_notice(store):
    store.db.execute("create trigger fail before insert on events begin select raise(abort, 'disk full'); end")
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        store.save_page(1, page())
    assert store.db["notices"].count == 0 and store.db["versions"].count == 0 and store.db["fetches"].count == 0


def test_reopening_keeps_rows(tmp_path):
    store = Store(tmp_path / "notices.db")
    store.save_page(1, page())
    store.close()
    again = Store(tmp_path / "notices.db")
    assert again.db["notices"].count == 1
    again.close()


def test_an_older_file_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "create table notices (id integer primary key, url text not null, site text not null, title text,"
            " published_at text, source text, status text default 'live', first_seen_at text, last_seen_at text,"
            " last_changed_at text, current_version integer, content_hash text)"
        )
        conn.execute("insert into notices (url, site, title) values ('https://a.gov.cn/1.html', 'zj_jxt', '旧通知')")
    store = Store(path)
    assert {"doc_number", "issuer"} <= set(store.db["notices"].columns_dict)
    assert [r["title"] for r in store.db["notices"].rows] == ["旧通知"]
    store.close()


def test_punctuation_or_whitespace_only_change_is_minor_without_event(store):
    store.save_page(1, page())
    store.save_page(2, page(body=BODY.replace("：", ":").replace("。", "．")))
    assert rows(store, "select version, change_kind from versions order by version") == [(1, "new"), (2, "minor")]
    assert rows(store, "select kind from events") == [("new",)]


def test_renumbering_a_list_is_minor_and_shows_no_sentence_in_the_diff(store):
    numbered = "各市经信局：\n一、加强组织领导。\n二、做好服务保障。"
    store.save_page(1, page(body=numbered))
    store.save_page(2, page(body=numbered.replace("一、", "1. ").replace("二、", "2. ")))
    assert rows(store, "select change_kind, diff from versions where version = 2") == [("minor", "")]


def test_the_raw_page_is_kept_once_compressed_and_the_version_points_at_it(store):
    first = page()
    first.raw = "<html><body><p>各市经信局：</p></body></html>".encode() * 50
    store.save_page(1, first)
    snapshot = next(store.db["snapshots"].rows)
    assert snapshot["size"] == len(first.raw) and len(snapshot["compressed"]) < snapshot["size"]
    assert rows(store, "select snapshot from versions") == [(snapshot["sha256"],)]


def test_full_text_search_finds_chinese_terms_of_three_characters(store):
    store.save_page(1, page())
    hits = rows(
        store, "select n.url from notices_fts f join notices n on n.rowid = f.rowid where notices_fts match '具身智能'"
    )
    assert hits == [(URL,)]


def test_listing_rows_are_kept_for_the_last_ten_runs_only(store):
    from crawler.records import ListingPage

    for _ in range(12):
        run = store.start_run(["zj_jxt"])
        fetch = FetchOutcome(
            "zj_jxt", "https://jxt.zj.gov.cn/col/col1582900/index.html", "listing", "listed", status=200
        )
        store.record_listing(run, ListingPage("zj_jxt", fetch, [(URL, "2025-07-16")]))
        store.finish_run(run)
    kept = rows(store, "select distinct run_id from listings order by run_id")
    assert kept == [(r,) for r in range(3, 13)]


def other_page(number: int):
    """A distinct notice (its own URL and text)."""
    item = page(body=f"{BODY}\n第{number}号通知另有一段正文，说明申报的具体事项。")
    url = URL.replace(".html", f"_{number}.html")
    item.notice.url = item.fetch.url = url
    return item


def test_a_batch_commits_its_items_together_and_a_failed_item_alone_is_undone(tmp_path):
    path = tmp_path / "notices.db"
    store = Store(path, batch_seconds=3600)
    reader = sqlite3.connect(path)
    store.save_page(1, other_page(1))
    store.save_page(1, other_page(2))
    assert reader.execute("select count(*) from notices").fetchone()[0] == 0  # not committed yet
    store.db.execute(
        "create trigger fail after insert on versions when new.body like '%第3号%'"
        " begin select raise(abort, 'disk full'); end"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        store.save_page(1, other_page(3))
    store.save_page(1, other_page(4))
    store.flush()
    assert [r[0] for r in reader.execute("select url from notices order by id")] == [
        other_page(n).notice.url for n in (1, 2, 4)
    ]
    assert reader.execute("select count(*) from versions").fetchone()[0] == 3
    assert reader.execute("select count(*) from fetches").fetchone()[0] == 3  # the failed page left nothing
    store.close()
    reader.close()


def test_a_batch_commits_once_its_time_is_up(tmp_path):
    path = tmp_path / "notices.db"
    store = Store(path, batch_seconds=0.2)
    reader = sqlite3.connect(path)
    store.save_page(1, other_page(1))
    time.sleep(0.3)
    store.save_page(1, other_page(2))  # the batch began more than 0.2 s ago: both are committed now
    assert reader.execute("select count(*) from notices").fetchone()[0] == 2
    store.close()
    reader.close()


def test_full_text_index_follows_title_and_text_but_not_bookkeeping(store):
    store.save_page(1, page())
    search = "select count(*) from notices_fts where notices_fts match ?"
    segments = "select count(*) from notices_fts_data"
    before = store.db.execute(segments).fetchone()[0]
    store.save_page(2, page())  # unchanged: last_seen_at and the validators are written
    assert store.db.execute(segments).fetchone()[0] == before  # the index was not written
    store.save_page(3, page(title="2025年浙江省中小企业特色产业集群名单调整", body=BODY.replace("17个", "18个")))
    assert store.db.execute(search, ["名单调整"]).fetchone()[0] == 1
    assert store.db.execute(search, ["名单公布"]).fetchone()[0] == 0


def test_an_older_file_gets_the_index_trigger_for_text_only(tmp_path):
    path = tmp_path / "old.db"
    store = Store(path)
    store.db.execute("drop trigger notices_au")
    store.db.execute("create trigger notices_au after update on notices begin select 1; end")  # as sqlite-utils made it
    store.db["_sqlite_migrations"].drop()  # a file of a commit before schema changes were migrations
    for view in store.db.view_names():
        store.db[view].drop()
    store.db.execute("drop trigger notices_search_key")
    for index in ("idx_notices_newest", "idx_notices_facets"):
        store.db.execute(f"drop index {index}")
    for table, column in (
        ("versions", "listing_title"),
        ("notices", "deadline"),
        ("versions", "deadline"),
        ("clusters", "adcode"),
        ("list_entries", "adcode"),
        ("notices", "search_key"),
    ):  # what the migrations added
        store.db.execute(f"alter table {table} drop column {column}")
    store.db["divisions"].drop()
    store.db["places_source"].drop()
    store.close()
    store = Store(path)
    sql = store.db.execute("select sql from sqlite_master where name = 'notices_au'").fetchone()[0]
    assert 'AFTER UPDATE OF "title", "body_normalized" ON "notices"' in sql
    store.close()


def test_a_listing_is_broken_when_its_pages_list_far_fewer_than_the_same_pages_did(store):
    """A Hanweb column lists 15 notices on its first page and 45 on each later one: a monitor run
    that reads only the first page is not a broken source; a first page listing 3 is."""
    from crawler.records import ListingPage

    column = "https://jxt.zj.gov.cn/col/col1582900/index.html"
    proxy = "https://jxt.zj.gov.cn/module/jpage/dataproxy.jsp?startrecord={}&endrecord={}&perpage=15"

    def read(pages: dict[int, int]) -> list:
        run = store.start_run(["zj_jxt"])
        number = 0
        for page_number, count in pages.items():
            url = (
                column
                if page_number == 1
                else proxy.format(15 + 45 * (page_number - 2) + 1, 15 + 45 * (page_number - 1))
            )
            entries = [(URL.replace(".html", f"_{number + i}.html"), "2025-07-16") for i in range(count)]
            number += count
            fetch = FetchOutcome("zj_jxt", url, "listing", "listed", status=200)
            store.record_listing(run, ListingPage("zj_jxt", fetch, entries, page=page_number))
        store.finish_run(run)
        return rows(store, f"select kind from events where run_id = {run}")

    assert read({1: 15, 2: 45, 3: 45}) == []  # a first run reads every page
    assert read({1: 15}) == []  # monitor mode: the first page only, as long as it usually is
    assert read({1: 15}) == []
    assert read({1: 3}) == [("source_broken",)]
    assert read({1: 15, 2: 30}) == [] and read({1: 2, 2: 45}) == []  # the pages read, together


def test_current_pages_give_each_notice_with_its_current_version_and_snapshot(store):
    first = page()
    first.raw, first.content_type, first.listing_title = b"<html>v1</html>", "text/html; charset=gbk", "名单公布"
    store.save_page(1, first)
    second = page(body=BODY.replace("17个", "18个"))
    second.raw, second.content_type, second.listing_title = b"<html>v2</html>", "text/html", "名单（更新）"
    store.save_page(2, second)
    unchanged = page(body=BODY.replace("17个", "18个"))
    unchanged.listing_title = "另一个标题"  # a sighting of the same version keeps the version's listing title
    store.save_page(3, unchanged)
    [current] = list(store.current_pages())
    assert current["notice"]["url"] == URL and current["version"]["version"] == 2
    assert current["version"]["listing_title"] == "名单（更新）" and current["version"]["dates"] is not None
    assert current["raw"] == b"<html>v2</html>" and current["content_type"] == "text/html"
    assert [v["listing_title"] for v in store.versions_of(current["notice"]["id"])] == ["名单公布", "名单（更新）"]
