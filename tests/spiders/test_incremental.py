"""Monitor mode and blocked sites, counted from the mirror's own request log."""

import re
import sqlite3

from tests.conftest import copy_site, crawl

HOST = "www.cixidb.cn"
NEW = ("627509", "627488")  # the two newest entries on the first listing page


def test_monitor_mode_fetches_only_the_new_notices_and_the_pages_it_needs(tmp_path):
    tree, db = copy_site(tmp_path, HOST), tmp_path / "notices.db"
    listing = tree / HOST / "news/list/14/64/index.html"
    full = listing.read_text(encoding="utf-8")
    listing.write_text(re.sub(rf'<p><a href="/news/627/({"|".join(NEW)})\.html".*?</p>', "", full), encoding="utf-8")
    first, _ = crawl(tree, db, "cixidb")
    assert first.returncode == 0
    with sqlite3.connect(db) as conn:
        known = conn.execute("select count(*) from notices").fetchone()[0]
    listing.write_text(full, encoding="utf-8")  # two new notices appear on top
    second, requests = crawl(tree, db, "cixidb")
    assert second.returncode == 0 and "2 new" in second.stdout
    details = sorted(path for _, path in requests if re.search(r"/news/\d{3}/\d{6}\.html$", path))
    assert details == [f"/{HOST}/news/627/{n}.html" for n in sorted(NEW)]
    listings = [path for _, path in requests if "/news/list/" in path]
    assert listings == [f"/{HOST}/news/list/14/64/", f"/{HOST}/news/list/14/64/2"]  # page 2 held nothing new: stop
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from notices").fetchone()[0] == known + 2


def test_backfill_reads_deeper_and_revisit_all_asks_conditionally(tmp_path):
    tree, db = copy_site(tmp_path, HOST), tmp_path / "notices.db"
    assert crawl(tree, db, "cixidb")[0].returncode == 0
    result, requests = crawl(tree, db, "cixidb", extra=("--backfill", "3", "--revisit", "all"))
    assert result.returncode == 0 and "0 new, 0 changed" in result.stdout
    assert f"/{HOST}/news/list/14/64/3" in [path for _, path in requests]
    with sqlite3.connect(db) as conn:
        run = conn.execute("select max(id) from runs").fetchone()[0]
        answers = dict(
            conn.execute(
                "select status, count(*) from fetches where run_id = ? and role = 'revisit' group by status", [run]
            ).fetchall()
        )
    assert answers == {304: 23}


def test_a_site_answering_412_with_a_challenge_is_blocked_and_the_others_finish(tmp_path):
    tree, db = copy_site(tmp_path, HOST, "jxt.zj.gov.cn"), tmp_path / "notices.db"
    listing = tree / HOST / "news/list/14/64/index.html"
    listing.write_text(
        "<html><head><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;</script>"
        "<script src='/4QbVtADbnLVIc/c.FxJzG50F.js'></script></head><body></body></html>",
        encoding="utf-8",
    )
    listing.with_name("index.html.status").write_text("412")
    result, requests = crawl(tree, db, "zj_jxt", "cixidb", extra=("-s", "RETRY_TIMES=0"))
    assert result.returncode == 3, result.stdout
    assert "cixidb (www.cixidb.cn: HTTP 412)" in result.stdout
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select site, outcome, status from fetches where site = 'cixidb'").fetchall()
        assert ("cixidb", "blocked", 412) in rows
        assert conn.execute("select count(*) from notices where site = 'cixidb'").fetchone()[0] == 0
        assert conn.execute("select count(*) from events where site = 'cixidb'").fetchone()[0] == 0
        assert conn.execute("select count(*) from notices where site = 'zj_jxt'").fetchone()[0] == 21
    assert not [path for _, path in requests if path.startswith(f"/{HOST}/news/6")]


def test_a_page_sent_again_byte_for_byte_is_not_read_again(tmp_path):
    """Without validators (the site sends none, or ignores them) a revisit gets the whole page:
    the same bytes are recorded unchanged without being extracted, other bytes are read."""
    tree, db = copy_site(tmp_path, HOST), tmp_path / "notices.db"
    assert crawl(tree, db, "cixidb")[0].returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("update notices set etag = null, last_modified = null")  # as from a site without validators
        stored = conn.execute("select count(*) from notices").fetchone()[0]
    touched = tree / HOST / "news/627/627509.html"
    touched.write_bytes(touched.read_bytes().replace(b"</body>", b"<!-- 2026-11-28 --></body>"))
    result, _ = crawl(tree, db, "cixidb", extra=("--revisit", "all"))
    assert result.returncode == 0 and "0 new, 0 changed" in result.stdout
    with sqlite3.connect(db) as conn:
        run = conn.execute("select max(id) from runs").fetchone()[0]
        revisits = conn.execute(
            "select url, status, outcome from fetches where run_id = ? and role = 'revisit'", [run]
        ).fetchall()
        assert len(revisits) >= 10 and {(s, o) for _, s, o in revisits} == {(200, "unchanged")}
        assert f"https://{HOST}/news/627/627509.html" in [url for url, _, _ in revisits]
        # Only the page whose bytes changed went through extraction and the store, which keeps
        # the validators of the answer it read; the others were never read.
        read_again = [url for (url,) in conn.execute("select url from notices where etag is not null")]
        assert read_again == [f"https://{HOST}/news/627/627509.html"]
        assert conn.execute("select count(*) from versions").fetchone()[0] == stored
