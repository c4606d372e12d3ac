"""The schema as named migrations: a database written by an earlier commit opens, upgrades in place
and keeps every row; views follow their SQL; a database of a newer crawler is refused unwritten."""

import gzip
import hashlib
import sqlite3
from pathlib import Path

import pytest

from crawler.extract import Notice
from crawler.extract.text import normalize_text
from crawler.records import DetailPage, FetchOutcome
from crawler.store import Store
from crawler.store.migrations import NewerDatabaseError, migrations
from crawler.store.views import LIST_STAGES

FIXTURE = Path(__file__).parents[1] / "fixtures" / "db" / "notices-6765e6b.db.gz"


def old_database(tmp_path) -> Path:
    path = tmp_path / "notices.db"
    path.write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    return path


def row_counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "select name from sqlite_master where type in ('table', 'view')"
                " and name != '_sqlite_migrations' and name not like 'notices_fts_%'"
            )
        ]
        return {name: conn.execute(f'select count(*) from "{name}"').fetchone()[0] for name in tables}


def page(url, body, title="关于组织开展2026年工业互联网试点示范工作的通知", listing_title=None):
    notice = Notice(
        url=url,
        title=title,
        published_at="2026-06-30T10:00:00+08:00",
        source=None,
        body=body,
        body_normalized=normalize_text(body),
        title_normalized=normalize_text(title),
    )
    return DetailPage(
        "ah_jxt",
        notice,
        FetchOutcome("ah_jxt", url, "detail", "stored", status=200),
        raw=body.encode(),
        content_type="text/html; charset=utf-8",
        listing_title=listing_title,
    )


def test_a_database_of_commit_6765e6b_upgrades_in_place_and_keeps_every_row(tmp_path):
    path = old_database(tmp_path)
    before = row_counts(path)
    assert before["notices"] == 60 and before["deliveries"] == 5 and before["clusters"] and before["list_entries"]
    with Store(path) as store:
        assert {name: count for name, count in row_counts(path).items() if name in before} == before
        applied = [row["name"] for row in store.db.query("select name from _sqlite_migrations order by id")]
        assert applied == ["baseline", "versions_listing_title", "notices_deadline", "places", "shards"]
        assert "listing_title" in store.db["versions"].columns_dict
        known = store.db.execute("select id, url from notices where kind = 'other' order by id limit 1").fetchone()
        run = store.start_run(["ah_jxt"])
        assert store.save_page(run, page(known[1], "已修改的正文。\n第二段。", listing_title="列表标题")) == "stored"
        assert store.save_page(run, page("https://jxt.ah.gov.cn/new.html", "一则新的通知正文。")) == "stored"
        store.finish_run(run)
        versions = store.versions_of(known[0])
        assert [v["version"] for v in versions] == [1, 2] and versions[1]["listing_title"] == "列表标题"
        assert versions[0]["listing_title"] is None and versions[1]["diff"]
        search = "select count(*) from notices_fts where notices_fts match ?"
        assert store.db.execute(search, ["已修改的正文"]).fetchone()[0] == 1
    after = row_counts(path)
    assert after["notices"] == before["notices"] + 1 and after["versions"] == before["versions"] + 2
    assert all(after[name] >= count for name, count in before.items())


def test_an_up_to_date_database_is_opened_without_a_write(tmp_path):
    path = tmp_path / "notices.db"
    Store(path).close()
    with sqlite3.connect(path) as watcher:
        version = watcher.execute("pragma data_version").fetchone()[0]
        Store(path).close()
        assert watcher.execute("pragma data_version").fetchone()[0] == version  # no other connection wrote


def test_a_view_whose_sql_changed_is_replaced(tmp_path):
    path = tmp_path / "notices.db"
    with Store(path) as store:
        store.db.execute("drop view list_stages")
        store.db.execute("create view list_stages as select id as draft_id from notices")  # an earlier definition
    with Store(path) as store:
        sql = store.db.execute("select sql from sqlite_master where name = 'list_stages'").fetchone()[0]
        assert sql.endswith(LIST_STAGES.strip()) and "final_published_at" in store.db["list_stages"].columns_dict


def test_a_database_with_a_migration_this_code_does_not_know_is_refused_unwritten(tmp_path):
    path = tmp_path / "notices.db"
    with Store(path) as store:
        store.db["_sqlite_migrations"].insert(
            {
                "migration_set": migrations.name,
                "name": "from_a_newer_crawler",
                "applied_at": "2027-01-01 00:00:00+00:00",
            }
        )
        store.db.execute("drop view list_stages")  # would be created again by an open that writes
        store.db.execute("pragma wal_checkpoint(truncate)")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(NewerDatabaseError, match="from_a_newer_crawler"):
        Store(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    with sqlite3.connect(path) as conn:
        assert not conn.execute("select 1 from sqlite_master where name = 'list_stages'").fetchone()


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path):
    path = tmp_path / "notices.db"
    with Store(path) as store:
        store.db.execute("delete from _sqlite_migrations where name = 'versions_listing_title'")
        store.db.execute("delete from divisions")  # would be filled again by an open that writes
    with pytest.raises(sqlite3.OperationalError, match="duplicate column"):  # the column is there already
        Store(path)
    with sqlite3.connect(path) as conn:
        names = [name for (name,) in conn.execute("select name from _sqlite_migrations")]
        assert names == ["baseline", "notices_deadline", "places", "shards"]
        assert conn.execute("select count(*) from divisions").fetchone()[0] == 0


def test_the_store_is_a_context_manager_that_commits_and_closes(tmp_path):
    path = tmp_path / "notices.db"
    with Store(path, batch_seconds=3600) as store:
        store.save_page(store.start_run(["ah_jxt"]), page("https://jxt.ah.gov.cn/a.html", "正文。"))
        assert store.db.conn.in_transaction  # batched: not committed yet
    with pytest.raises(sqlite3.ProgrammingError):
        store.db.execute("select 1")
    with sqlite3.connect(path) as conn:
        assert conn.execute("select count(*) from notices").fetchone()[0] == 1


def test_the_entries_of_an_old_database_get_their_places_each_within_its_prefecture(tmp_path):
    path = old_database(tmp_path)
    with Store(path) as store:
        for table in ("clusters", "list_entries"):
            rows = list(
                store.db.query(
                    f"select e.city, e.county, e.adcode, d.name, d.level, d.prefecture, d.latitude"
                    f" from {table} e left join divisions d using (adcode)"
                )
            )
            assert rows and all(row["latitude"] is not None for row in rows)
            for row in rows:
                assert row["prefecture"] == row["city"]  # 仙桃市 (under its province directly) has none
                if row["county"]:
                    assert (row["level"], row["name"]) == ("county", row["county"])
        shipped = store.db.execute("select count(*) from divisions where latitude is not null").fetchone()[0]
        assert shipped > 3000


def test_a_release_with_other_divisions_replaces_the_table_and_places_every_entry_again(tmp_path):
    path = old_database(tmp_path)
    with Store(path) as store:
        placed = dict(store.db.execute("select id, adcode from clusters").fetchall())
        shipped = list(store.db.query("select * from divisions order by adcode"))
        # What an earlier release left: a point moved, a unit missing, entries placed otherwise or not at all.
        store.db.execute("update divisions set latitude = 0 where adcode = '330108'")
        store.db.execute("delete from divisions where adcode = '421004'")
        store.db.execute("update clusters set adcode = null where id in (select id from clusters limit 5)")
        store.db.execute("update clusters set adcode = '330000' where county = '滨江区'")
        store.db.execute("update places_source set sha256 = 'the files of an earlier release'")
    with Store(path) as store:
        assert list(store.db.query("select * from divisions order by adcode")) == shipped
        assert dict(store.db.execute("select id, adcode from clusters").fetchall()) == placed
    with sqlite3.connect(path) as watcher:
        version = watcher.execute("pragma data_version").fetchone()[0]
        Store(path).close()
        assert watcher.execute("pragma data_version").fetchone()[0] == version  # in step now: no write
