"""`crawler prune` on a database of real crawls: two mirrored sites crawled six times over
127.0.0.1 (one notice edited, then reverted; one listing gone), runs 1–3 aged 400 days and 4–6 100
days, then pruned. What is past its age goes; what the crawler still reads stays, so the next run,
`--health`, `history` and `reextract` see no difference."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.conftest import FAST, ROOT, closed_port, edit_page, host_map_args, run_cli

HOSTS = ("www.cixidb.cn", "gxt.qinghai.gov.cn")
SITES = ("cixidb", "qh_gxt")
SEED = "www.cixidb.cn/news/627/627509.html"  # its count of clusters is edited 17 → 18, then back
SEED_URL = f"https://{SEED}"
LISTING = "gxt.qinghai.gov.cn/zwgk/tzgg/index.html"  # gone (404) from run 5 on: qh_gxt is failing since
AGED_RUNS = 3  # runs 1–3 happened 400 days ago, runs 4–6 100 days ago
DAY_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"

# What pruning must leave row for row.
KEPT = {
    "versions": "select * from versions order by id",
    "events": "select * from events order by id",
    "notices": "select id, url, status, missing_runs, current_version, raw_sha256 from notices order by id",
}


def rows(db, sql, *args):
    with closing(sqlite3.connect(db)) as conn:
        return [tuple(row) for row in conn.execute(sql, args)]


def count(db, sql, *args):
    return rows(db, sql, *args)[0][0]


def edit(tree, relative, old, new):
    def replaced(text: str) -> str:
        assert old in text
        return text.replace(old, new)

    edit_page(tree / relative, replaced)


def crawl(tree, db, command, *extra, exit_code=0):
    with serve_mirror(tree) as base:
        result = run_cli(
            command,
            *SITES,
            "--db",
            str(db),
            *host_map_args(host_map_for(tree, base)),
            *FAST,
            "--revisit",
            "all",
            *extra,
        )
    assert result.returncode == exit_code, result.stdout[-2000:] + result.stderr[-2000:]
    return result


def build(tree: str, db: str, host_map: str) -> None:
    """Six runs of the sites into ``db``, the notice edited before run 2 and reverted before run 3
    (its third version is its first page again), qh_gxt's listing gone from run 5 on: the
    crawl's own functions (crawler.app.crawl), one run after another in one reactor, as `crawler
    crawl --revisit all` makes them (six processes would take three times as long)."""
    from scrapy.crawler import CrawlerRunner
    from scrapy.utils.reactor import install_reactor

    from crawler.app.crawl import begin_run, crawl_settings, crawl_sites, extraction_pool, report_run
    from crawler.siteconf import select_sites

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import defer, reactor

    sites = select_sites(list(SITES))
    overrides = {"CRAWLER_REVISIT": "all", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}
    edits = {2: ("等17個", "等18個"), 3: ("等18個", "等17個")}

    @defer.inlineCallbacks
    def runs():
        try:
            for run in range(1, 7):
                if run in edits:  # a later Last-Modified too: runs come within a second of each other
                    edit(Path(tree), SEED, *edits[run])
                    os.utime(Path(tree) / SEED, (time.time() + 60 * run,) * 2)
                if run == 5:
                    (Path(tree) / LISTING).unlink()
                run_id = begin_run(sites, Path(db))
                settings = crawl_settings(Path(db), json.loads(host_map), overrides, run_id)
                pool = extraction_pool(settings)
                try:
                    yield crawl_sites(CrawlerRunner(settings), sites, pool)
                finally:
                    pool.close()
                report = report_run(sites, Path(db), run_id)
                assert report.exit_code == (0 if run < 5 else 3), report.why()
        finally:
            reactor.stop()

    reactor.callWhenRunning(runs)
    reactor.run()


def age(db, days: int, first_run: int, last_run: int) -> None:
    """Move everything of runs ``first_run`` to ``last_run`` ``days`` into the past (and the end
    of the versions those runs superseded)."""
    shift = f"strftime('{DAY_FORMAT}', {{0}}, '-{days} days')"
    with closing(sqlite3.connect(db)) as conn, conn:
        during = "valid_to between (select started_at from runs where id = ?) and (select finished_at from runs where id = ?)"
        conn.execute(f"update versions set valid_to = {shift.format('valid_to')} where {during}", [first_run, last_run])
        for table, columns in (
            ("fetches", ("fetched_at",)),
            ("site_health", ("checked_at",)),
            ("events", ("created_at",)),
        ):
            for column in columns:
                conn.execute(
                    f"update {table} set {column} = {shift.format(column)} where run_id between ? and ?",
                    [first_run, last_run],
                )
        conn.execute(
            f"update runs set started_at = {shift.format('started_at')}, finished_at = {shift.format('finished_at')}"
            " where id between ? and ?",
            [first_run, last_run],
        )


def cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def aged(tmp_path_factory):
    """The database after six crawls, runs 1–3 aged 400 days and runs 4–6 100 days, and the
    snapshot hash of each version of the edited notice."""
    root = tmp_path_factory.mktemp("prune")
    tree, db = root / "sites", root / "notices.db"
    for host in HOSTS:
        shutil.copytree(DEFAULT_TREE / host, tree / host)
    with serve_mirror(tree) as base:
        mapping = json.dumps(host_map_for(tree, base))
        call = f"from tests.test_prune import build; build({str(tree)!r}, {str(db)!r}, {mapping!r})"
        result = subprocess.run([sys.executable, "-c", call], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert count(db, "select count(*) from runs where status = 'finished'") == 6
    age(db, 400, 1, AGED_RUNS)
    age(db, 100, AGED_RUNS + 1, 6)
    # Alerts of the new and changed notices: sent to a feed (those of run 1 400 days ago, the
    # changes 100 days ago), failing to a webhook nobody answers (retried: the outbox).
    config = root / "alerts.toml"
    subscriptions = (("feed", f"atom://{root / 'feed.xml'}"), ("down", f"json://127.0.0.1:{closed_port()}/hook"))
    config.write_text(
        "".join(
            f'[[subscriptions]]\nname = "{name}"\nchannels = ["{url}"]\nevents = ["new", "changed"]\n\n'
            for name, url in subscriptions
        ),
        encoding="utf-8",
    )
    CliRunner().invoke(main, ["alert", "--db", str(db), "--config", str(config)])
    with closing(sqlite3.connect(db)) as conn, conn:
        for days, runs in ((400, "= 1"), (100, "> 1")):
            conn.execute(
                f"update deliveries set sent_at = strftime('{DAY_FORMAT}', sent_at, '-{days} days')"
                f" where event_id in (select id from events where run_id {runs})"
            )
    outbox = "select subscription, status, count(*) from deliveries group by 1, 2 order by 1, 2"
    assert [row[:2] for row in rows(db, outbox)] == [("down", "failed"), ("feed", "sent")]
    versions = rows(
        db,
        "select v.version, v.snapshot from versions v join notices n on n.id = v.notice_id where n.url = ?",
        SEED_URL,
    )
    assert [v for v, _ in versions] == [1, 2, 3] and versions[0][1] == versions[2][1]
    return tree, db, dict(versions)


@pytest.fixture
def pruned_copy(aged, tmp_path):
    tree, db, snapshots = aged
    copy = tmp_path / "notices.db"
    shutil.copy(db, copy)
    return tree, copy, snapshots


def table_counts(db):
    tables = ("fetches", "listings", "site_health", "deliveries", "snapshots", "runs", "versions", "events")
    return {table: count(db, f"select count(*) from {table}") for table in tables}


def test_dry_run_deletes_nothing_and_counts_what_prune_then_deletes(pruned_copy):
    _, db, _ = pruned_copy
    before = table_counts(db)
    dry = cli("prune", "--db", db, "--dry-run").splitlines()
    assert table_counts(db) == before
    real = cli("prune", "--db", db).splitlines()
    assert [line.replace("would delete", "deleted") for line in dry[:-1]] == real[:-1]
    deleted = {line.split()[0]: int(line.split()[2].replace(",", "")) for line in real[:-1]}
    assert deleted["fetches"] > 0 and deleted["listings"] > 0 and deleted["snapshots"] == 1
    assert {table: before[table] - table_counts(db)[table] for table in deleted} == deleted


def test_prune_deletes_old_rows_and_keeps_what_the_crawler_reads(pruned_copy):
    tree, db, snapshots = pruned_copy
    kept = {name: rows(db, sql) for name, sql in KEPT.items()}
    health = cli("sites", "--health", "--db", db)
    history = cli("history", SEED_URL, "--db", db)
    listings = "select site, run_id, count(*) from listings group by site, run_id order by site, run_id"
    listed = rows(db, listings)
    old_fetches = count(db, "select count(*) from fetches")
    urls = rows(db, "select distinct url from fetches order by url")
    failed = count(db, "select count(*) from deliveries where subscription = 'down'")

    cli("prune", "--db", db)

    # Every fetch is older than 90 days: left are each URL's latest, each site's last error, and
    # each site's fetches from its last run whose listing was read (cixidb: 6, qh_gxt: 4).
    left = rows(db, "select id, run_id, site, url, outcome from fetches")
    assert rows(db, "select distinct url from fetches order by url") == urls  # a 404 never stored stays known
    assert len(left) < old_fetches / 2
    since = {"cixidb": 6, "qh_gxt": 4}
    for fetch_id, run_id, site, url, outcome in left:
        latest = count(db, "select max(id) from fetches where url = ?", url)
        assert fetch_id == latest or outcome in ("error", "blocked", "empty") or run_id >= since[site]
    # Listings: those of the runs before each site's last five.
    # Listings: those of the runs before each site's last five that read it (qh_gxt's listing was
    # last read in run 4: its runs 1–4 are kept).
    assert rows(db, listings) == [row for row in listed if row[:2] != ("cixidb", 1)] != listed
    assert rows(db, "select site, run_id from site_health order by site") == [("cixidb", 6), ("qh_gxt", 6)]
    # Deliveries: the sent ones older than 90 days but the last sent on each channel; the outbox stays.
    assert rows(db, "select status, count(*) from deliveries where subscription = 'down'") == [("failed", failed)]
    assert rows(
        db,
        "select e.run_id, d.status from deliveries d join events e on e.id = d.event_id"
        " where d.subscription = 'feed' order by e.run_id",
    ) == [(2, "sent"), (3, "sent")]
    stored = {sha for (sha,) in rows(db, "select sha256 from snapshots")}
    assert snapshots[2] not in stored  # superseded 400 days ago
    assert snapshots[1] == snapshots[3] in stored  # the reverted text's page is the current version's
    # Never touched: versions, events, notices; every current version's raw page.
    assert {name: rows(db, sql) for name, sql in KEPT.items()} == kept
    current = rows(
        db,
        "select v.snapshot from versions v join notices n on n.id = v.notice_id and v.version = n.current_version"
        " where v.snapshot is not null and v.snapshot not in (select sha256 from snapshots)",
    )
    assert current == []
    # What the commands read is unchanged.
    assert cli("sites", "--health", "--db", db) == health
    assert cli("history", SEED_URL, "--db", db) == history
    assert cli("reextract", "--db", db).startswith("0 notice(s) changed")

    # The next run (`crawler run`, pruning after it with [retention] auto) sees nothing new,
    # changed or gone: presence still has the listings it compares with.
    config = tree.parent / "crawler.toml"
    config.write_text("[retention]\nauto = true\nfetches_days = 0\n", encoding="utf-8")
    run_6 = "select count(*) from fetches where run_id = 6 and site = 'cixidb'"  # (qh_gxt's: kept, failing since 4)
    recent = count(db, run_6)
    fetched = set(rows(db, "select url from fetches where run_id = 6"))
    crawl(tree, db, "run", "--config", str(config), exit_code=3)  # qh_gxt's listing is still gone
    events = "select id, kind, notice_id, version, created_at, run_id, site, reason from events order by id"
    assert [row[:8] for row in kept["events"]] == rows(db, events)  # the alert pass has routed them since
    assert rows(db, "select id, notice_id, version, content_hash from versions order by id") == [
        row[:4] for row in kept["versions"]
    ]
    assert rows(db, "select id, url, status, missing_runs, current_version from notices order by id") == [
        row[:5] for row in kept["notices"]
    ]
    assert 0 == count(db, run_6) < recent
    # Nothing fetched that the run before pruning did not: a page that answered 404 stays known.
    last = "select url from fetches where run_id = (select max(id) from runs)"  # run 7 was reextract's
    assert set(rows(db, last)) == fetched


def test_a_wrong_retention_setting_names_the_file_and_line(tmp_path, pruned_copy):
    _, db, _ = pruned_copy
    config = tmp_path / "crawler.toml"
    config.write_text('[alerts]\nretry_base_seconds = 60\n\n[retention]\nfetches_days = "soon"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["prune", "--db", str(db), "--config", str(config)])
    assert result.exit_code == 1
    assert f"{config}:5: [retention] fetches_days must be a number of days" in result.output
