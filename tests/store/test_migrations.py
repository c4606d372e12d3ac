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
        assert applied == [m.name for m in migrations._migrations]  # every one, in order
        assert applied[:2] == ["baseline", "versions_listing_title"] and "story_keys" in applied
        assert "listing_title" in store.db["versions"].columns_dict
        # Every old notice can be found as a copy: its keys are there.
        keyless = store.db.execute(
            "select count(*) from notices n where not exists (select 1 from story_keys k where k.notice_id = n.id)"
        ).fetchone()[0]
        assert keyless == 0
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
        assert sorted(names) == sorted(m.name for m in migrations._migrations if m.name != "versions_listing_title")
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


# The oldest schema this product wrote: store v1 (13d96f9, unchanged until e456b58), written by 7570eb8,
# the first commit with a site to crawl: three crawls of cixidb, one notice edited in the second and
# restored in the third (make_7570eb8.sh). Its tables: sites, runs, notices, versions, fetches, events.
OLDEST = Path(__file__).parents[1] / "fixtures" / "db" / "notices-7570eb8.db.gz"
EDITED_URL = "https://www.cixidb.cn/news/626/626281.html"


def oldest_database(tmp_path) -> Path:
    path = tmp_path / "notices.db"
    path.write_bytes(gzip.decompress(OLDEST.read_bytes()))
    return path


def every_row(path) -> dict[str, list[tuple]]:
    """Every row of every table (all its columns), in rowid order, keyed by table name."""
    with sqlite3.connect(path) as conn:
        tables = [name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")]
        return {name: conn.execute(f'select * from "{name}" order by rowid').fetchall() for name in tables}


def columns_of(path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as conn:
        tables = [name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")]
        return {name: [row[1] for row in conn.execute(f'pragma table_info("{name}")')] for name in tables}


def quoted(name: str) -> str:
    return f'"{name}"'


def kept_rows(path, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """The rows of the tables in ``columns``, only those columns, in rowid order."""
    with sqlite3.connect(path) as conn:
        return {
            name: conn.execute(f'select {", ".join(map(quoted, names))} from "{name}" order by rowid').fetchall()
            for name, names in columns.items()
        }


def cixidb_page(url, body, **kwargs):
    made = page(url, body, **kwargs)
    made.site = made.fetch.site = "cixidb"
    return made


def test_a_database_of_the_oldest_schema_upgrades_in_place_and_keeps_every_row_and_value(tmp_path):
    path = oldest_database(tmp_path)
    old_columns = columns_of(path)
    before = every_row(path)
    assert set(before) == {"sites", "runs", "notices", "versions", "fetches", "events"}
    assert {name: len(rows) for name, rows in before.items()} == {
        "sites": 1,
        "runs": 3,
        "notices": 23,
        "versions": 25,
        "fetches": 81,
        "events": 25,
    }
    with sqlite3.connect(path) as conn:
        assert conn.execute("pragma user_version").fetchone()[0] == 1  # store v1's own mark
        kinds = conn.execute(
            "select v.version, v.change_kind from versions v join notices n on n.id = v.notice_id"
            " where n.url = ? order by v.version",
            [EDITED_URL],
        ).fetchall()
        assert kinds == [(1, "new"), (2, "edit"), (3, "restored")]
        bodies = dict(conn.execute("select id, body from versions"))
    with Store(path) as store:
        applied = [row["name"] for row in store.db.query("select name from _sqlite_migrations order by id")]
        assert applied == [m.name for m in migrations._migrations] and not migrations.pending(store.db)
        assert {"listing_title", "deadline"} <= set(store.db["versions"].columns_dict)
        assert kept_rows(path, old_columns) == before  # every row, every value of every table that existed
        assert {id_: hashlib.sha256(body.encode()).hexdigest() for id_, body in bodies.items()} == {
            row["id"]: hashlib.sha256(row["body"].encode()).hexdigest()
            for row in store.db.query("select id, body from versions")
        }
        search = "select count(*) from notices_fts where notices_fts match ?"
        for (title,) in store.db.execute("select title from notices").fetchall():  # titles are indexed
            assert store.db.execute(search, [f'"{title[:6]}"']).fetchone()[0] >= 1, title
        notice_id, current = store.db.execute(
            "select id, current_version from notices where url = ?", [EDITED_URL]
        ).fetchone()
        run = store.start_run(["cixidb"])
        changed = cixidb_page(EDITED_URL, "已修改的正文。\n第二段。", listing_title="列表标题")
        new = cixidb_page("https://www.cixidb.cn/news/700/700001.html", "一则新的通知正文。")
        assert store.save_page(run, changed) == "stored" and store.save_page(run, new) == "stored"
        store.finish_run(run)
        versions = store.versions_of(notice_id)
        assert [v["version"] for v in versions] == [1, 2, 3, current + 1]
        assert versions[-1]["listing_title"] == "列表标题" and versions[-1]["diff"]
        assert all(v["listing_title"] is None for v in versions[:-1])
        assert store.db.execute(search, ["已修改的正文"]).fetchone()[0] == 1
        assert store.db.execute(search, ["一则新的通知"]).fetchone()[0] == 1
        keys = store.db.execute("select count(*), count(search_key), sum(search_key = id) from notices").fetchone()
        assert keys == (24, 24, 24)  # the search box's key, for the upgraded notices and the new one
    after = kept_rows(path, old_columns)
    assert len(after["notices"]) == 24 and len(after["versions"]) == 27 and len(after["runs"]) == 4
    assert all(len(after[name]) >= len(rows) for name, rows in before.items())


def test_reextract_runs_on_a_database_of_the_oldest_schema_and_skips_its_pages_saved_without_a_snapshot(tmp_path):
    from tests.conftest import run_cli

    path = oldest_database(tmp_path)
    old_columns = columns_of(path)
    before = every_row(path)
    result = run_cli("reextract", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "0 notice(s) changed, 0 unchanged, 23 without a saved page\n"  # v1 kept no raw page
    assert {name: rows for name, rows in kept_rows(path, old_columns).items() if name != "runs"} == {
        name: rows for name, rows in before.items() if name != "runs"
    }
    assert kept_rows(path, old_columns)["runs"][:3] == before["runs"]  # reextract opens a run of its own


def test_the_text_of_a_notice_of_the_oldest_schema_is_found_by_full_text_search(tmp_path):
    path = oldest_database(tmp_path)
    with Store(path) as store:
        assert (
            store.db.execute(
                "select count(*) from notices_fts where notices_fts match ?", ['"请各推荐单位"']
            ).fetchone()[0]
            == 1
        )
