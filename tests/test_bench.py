"""The benchmark's generated site is a real Hanweb column: the crawler reads every notice of it, so
the benchmark measures the work of a real crawl."""

import sqlite3
import sys

from crawler.mirror import serve_mirror
from tests.conftest import FAST, ROOT, run_cli

sys.path.insert(0, str(ROOT / "bench"))
import hanweb_site  # noqa: E402 (bench/ is not a package)


def crawl_column(tmp_path, db) -> list:
    """`crawler crawl bench_hanweb` of the site written under tmp_path/tree, served by the mirror,
    into ``db``; the requests the mirror answered."""
    sites = hanweb_site.write_sites_dir(tmp_path / "sites")
    with serve_mirror(tmp_path / "tree") as base:
        result = run_cli(
            "--sites-dir",
            str(sites),
            "crawl",
            "bench_hanweb",
            "--db",
            str(db),
            "--host-map",
            f"{hanweb_site.HOST}={base}/{hanweb_site.HOST}",
            *FAST,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return list(base.requests)


def test_the_generated_site_is_crawled_whole_with_the_generated_titles(tmp_path):
    count = 100
    urls = hanweb_site.build_site(tmp_path / "tree", count)
    sizes = [(tmp_path / "tree" / hanweb_site.HOST / path.lstrip("/")).stat().st_size for path in urls["detail"]]
    assert 20 * 1024 <= min(sizes) and max(sizes) <= 40 * 1024  # 20–40 KB pages, as the issue asks
    db = tmp_path / "notices.db"
    requests = crawl_column(tmp_path, db)
    assert len([p for _, p in requests if "dataproxy" in p]) == len(urls["proxy"])
    expected = {n.url: n.title for n in map(hanweb_site.make_notice, range(count))}
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("select url, title from notices"))
        bodies = [b for (b,) in conn.execute("select body from versions")]
    assert stored == expected
    assert all(b.startswith("各市、县（市、区）经信局，有关单位：") and b.endswith("日") for b in bodies)


def test_the_growth_archive_is_the_history_a_monitor_keeps_and_a_new_column_crawls_into_it(tmp_path):
    """bench/archive.py: N notices through the real store, copies joined to their stories, every
    notice findable as a copy, the runs closed; the growth benchmark's crawl of the generated column
    into it stores each new notice once with its one event, and touches no archived notice."""
    import archive

    db = tmp_path / "archive.db"
    archive.build(db, 600)
    with sqlite3.connect(db) as conn:
        notices, stories, sites = conn.execute(
            "select count(*), count(distinct story_id), count(distinct site) from notices"
        ).fetchone()
        assert notices == 600 and sites > 30
        assert 0.005 * notices < notices - stories < archive.COPY_SHARE * notices  # copies that joined a story
        assert conn.execute("select count(*) from versions where version = 2").fetchone()[
            0
        ]  # edits due by the last day
        assert conn.execute("select count(*) from runs where status != 'finished'").fetchone()[0] == 0
        keyless = (
            "select count(*) from notices n where not exists (select 1 from story_keys k where k.notice_id = n.id)"
        )
        assert conn.execute(keyless).fetchone()[0] == 0
        archived = conn.execute("select max(id), max(last_seen_at) from notices").fetchone()
    count = 60
    hanweb_site.build_site(tmp_path / "tree", count)
    crawl_column(tmp_path, db)
    with sqlite3.connect(db) as conn:
        new = conn.execute("select count(*), count(distinct story_id) from notices where id > ?", [archived[0]])
        assert new.fetchone() == (count, count)
        events = conn.execute("select kind, count(*) from events where notice_id > ? group by kind", [archived[0]])
        assert dict(events.fetchall()) == {"new": count}
        touched = "select count(*) from notices where id <= ? and (status != 'live' or last_seen_at > ?)"
        assert conn.execute(touched, list(archived)).fetchone()[0] == 0
