"""A site whose template changed under the same URLs: real crawls through the local mirror, the
health it is left in, the run's exit code and reason, its source_broken event, and `sites --check`."""

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from crawler.spiders.notices import MAX_LISTED
from tests.conftest import FAST, ROOT, closed_port, crawl, host_map_args, recorded_detail_urls, run_cli

REDESIGN = ROOT / "tests" / "fixtures" / "redesign"  # www.cinn.cn's pages, same URLs, another template
SITE = "cinn"


def rows(db: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def health_line(db: Path) -> str:
    result = run_cli("sites", "--health", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if line.startswith(f"{SITE} "))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Four crawls into one database: the recorded template, the redesign (every known page asked
    again), the redesign once more, the recorded template back; each result with the health after it."""
    db = tmp_path_factory.mktemp("drift") / "notices.db"
    results = []
    for tree, extra in (
        (DEFAULT_TREE, ()),
        (REDESIGN, ("--revisit", "all")),
        (REDESIGN, ("--revisit", "all")),
        (DEFAULT_TREE, ("--revisit", "all")),
    ):
        result, _ = crawl(tree, db, SITE, extra=extra)
        results.append((result, health_line(db)))
    return db, results


def test_a_site_read_as_defined_is_ok(runs):
    _, results = runs
    result, health = results[0]
    assert result.returncode == 0, result.stdout + result.stderr
    assert health.split()[1] == "ok"


def test_a_redesigned_template_is_degraded_never_ok_and_the_run_says_why_in_one_line(runs):
    _, results = runs
    result, health = results[1]
    assert result.returncode == 3, result.stdout + result.stderr
    assert health.split()[1] == "degraded"
    assert "item_selector 'div.layCont_box_main_new' matched nothing" in health
    why = [line for line in result.stderr.splitlines() if line.startswith("exit 3: ")]
    assert len(why) == 1 and f"{SITE} degraded" in why[0] and "html_list" in why[0]
    assert "Not read as their definition says" in result.stdout


def test_a_fresh_crawl_of_the_redesign_stores_every_notice_with_right_titles_and_dates(tmp_path, runs):
    db, _ = runs
    fresh = tmp_path / "fresh.db"
    result, _ = crawl(REDESIGN, fresh, SITE)
    assert result.returncode == 3
    expected = {
        url: (title, published)
        for url, title, published in rows(db, "select url, title, published_at from notices where site = ?", SITE)
    }
    stored = {
        url: (title, published)
        for url, title, published in rows(fresh, "select url, title, published_at from notices where site = ?", SITE)
    }
    assert set(stored) == recorded_detail_urls(DEFAULT_TREE, SITE)
    assert stored == expected  # the same titles and dates as through the site's own selectors
    drifted = rows(fresh, "select role, count(*) from fetches where via = 'fallback' group by role order by role")
    assert drifted == [("detail", len(stored)), ("listing", 2)]


def test_reading_through_the_fallback_makes_no_new_version_and_one_source_broken_event(runs):
    db, _ = runs
    assert rows(db, "select count(*) from versions where version > 1") == [(0,)]
    events = rows(db, "select run_id, reason from events where kind = 'source_broken'")
    assert len(events) == 1 and events[0][0] == 2  # the redesign's first run, not its second
    assert events[0][1].startswith("degraded: ") and "matched nothing" in events[0][1]
    assert rows(db, "select count(*) from events where kind = 'changed'") == [(0,)]


def test_health_recovers_by_itself_when_the_template_returns(runs):
    _, results = runs
    assert results[2][1].split()[1] == "degraded"
    result, health = results[3]
    assert result.returncode == 0, result.stdout + result.stderr
    assert health.split()[1] == "ok"


def test_check_gives_a_verdict_and_its_exit_code():
    ok = run_cli("sites", "--check", SITE)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.rstrip().splitlines()[-1] == "verdict: ok"
    assert "via adapter" in ok.stdout and "fields: title=selector published_at=selector" in ok.stdout
    degraded = run_cli("sites", "--check", SITE, "--tree", str(REDESIGN))
    assert degraded.returncode == 3, degraded.stdout + degraded.stderr
    assert degraded.stdout.rstrip().splitlines()[-1].startswith("verdict: degraded (")
    assert "via FALLBACK" in degraded.stdout and "fields: title=GENERIC" in degraded.stdout


def test_check_of_a_site_that_lists_nothing_is_broken(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(REDESIGN / "www.cinn.cn", tree / "www.cinn.cn")
    for page in ("homeAjax_318.html", "homeAjax_318_1.html"):  # links to other hosts only
        path = tree / "www.cinn.cn" / page
        path.write_text(
            path.read_text(encoding="utf-8").replace('href="/20', 'href="https://www.example.com/20'), encoding="utf-8"
        )
    broken = run_cli("sites", "--check", SITE, "--tree", str(tree))
    assert broken.returncode == 4, broken.stdout + broken.stderr
    last = broken.stdout.rstrip().splitlines()[-1]
    assert last.startswith("verdict: broken (no notice found on 1 listing page(s)") and "fallback: no link" in last


def test_check_live_falls_back_to_the_recorded_tree_when_the_site_cannot_be_reached():
    unreachable = f"www.cinn.cn=http://127.0.0.1:{closed_port()}/www.cinn.cn"  # no test reaches the real site
    result = run_cli("sites", "--check", SITE, "--live", env={**os.environ, "CRAWLER_HOST_MAP": unreachable})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the live site could not be reached" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1] == "verdict: ok"


def test_the_cron_job_prints_one_line_saying_which_site_drifted_and_why(tmp_path):
    with serve_mirror(REDESIGN) as base:
        result = run_cli(
            "run",
            SITE,
            "--quiet",
            "--db",
            str(tmp_path / "data" / "notices.db"),
            *host_map_args(host_map_for(REDESIGN, base)),
            *FAST,
            env={**os.environ, "CRAWLER_CONFIG": ""},
        )
    assert result.returncode == 3, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and "exit 3" in lines[0] and f"{SITE} degraded: " in lines[0]
    assert "item_selector 'div.layCont_box_main_new' matched nothing" in lines[0]


def recorded_copy(tmp_path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(DEFAULT_TREE / "www.cinn.cn", tree / "www.cinn.cn")
    return tree


def test_a_listing_of_ten_thousand_links_costs_a_bounded_number_of_requests(tmp_path):
    tree, db = recorded_copy(tmp_path), tmp_path / "notices.db"
    rows = "".join(
        f'<div class="layCont_box_main_item"><a href="/2025/07-01/Zz{i:06d}.html"><h3>通知{i}</h3>'
        f"<p>2025年07月01日</p></a></div>"
        for i in range(10_000)
    )
    first = tree / "www.cinn.cn" / "homeAjax_318.html"
    first.write_text(
        first.read_text(encoding="utf-8").replace(
            '<div class="layCont_box_main_new">', f'<div class="layCont_box_main_new">{rows}'
        ),
        encoding="utf-8",
    )
    result, requests = crawl(tree, db, SITE)
    assert result.returncode == 3, result.stdout + result.stderr
    listed = [path for _, path in requests if "/Zz" in path]
    assert len(listed) == MAX_LISTED  # not 10,000
    assert "the page lists 10,006 notices: the first 500 read" in health_line(db)


def test_a_listing_dated_in_the_future_is_read_with_the_pages_own_dates_and_says_why(tmp_path):
    tree, db = tmp_path / "tree", tmp_path / "notices.db"
    shutil.copytree(DEFAULT_TREE / "www.cixidb.cn", tree / "www.cixidb.cn")
    for page in ("index.html", "2"):
        path = tree / "www.cixidb.cn" / "news/list/14/64" / page
        path.write_text(path.read_text(encoding="utf-8").replace("<em>2025-", "<em>2031-"), encoding="utf-8")
    result, _ = crawl(tree, db, "cixidb")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "every entry is dated in the future (first 2031-07-16): list dates ignored" in result.stderr
    published = {p[:4] for (p,) in rows(db, "select published_at from notices")}
    assert published == {"2025"} and rows(db, "select count(*) from notices") == [(23,)]
    assert rows(db, "select count(*) from listings where listing_date is not null") == [(0,)]
