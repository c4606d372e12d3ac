"""Schema changes of notices.db as named migrations (sqlite-utils' ``Migrations``), applied in order,
each once, recorded in ``_sqlite_migrations``. To add a column or a table, append a function here;
never edit one that has shipped. ``sqlite-utils migrate notices.db crawler/store/migrations.py --list``
shows which ran.

Places (``places``): ``divisions`` holds the divisions.csv this crawler ships (every province,
prefecture and county-level unit with a point) and ``clusters.adcode``/``list_entries.adcode`` what
each entry's province, city and county resolve to with it. When a release ships a different CSV
(better points, new units, more former names), opening the database replaces the table's rows and
resolves every entry again, in the same transaction as the migrations: the table is always the
running crawler's, and an entry is placed as that crawler would place it today."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from crawler.store.rosters import divisions_outdated, sync_places
from crawler.store.schema import create_baseline
from crawler.store.views import replace_views, views_outdated

migrations = Migrations("zhengce-watch")


class NewerDatabaseError(RuntimeError):
    """The database was upgraded by a newer version of the crawler than this one."""


@migrations(name="baseline")
def baseline(db: sqlite_utils.Database) -> None:
    """The schema as it stood when migrations began; a database of any earlier commit gains what it lacks."""
    create_baseline(db)


@migrations(name="versions_listing_title")
def versions_listing_title(db: sqlite_utils.Database) -> None:
    """``versions.listing_title``: the title the listing showed, which re-extraction passes again."""
    db["versions"].add_column("listing_title", str)


@migrations(name="notices_deadline")
def notices_deadline(db: sqlite_utils.Database) -> None:
    """``notices.deadline`` and ``versions.deadline``: the application deadline of a call for applications;
    the calls already stored get theirs from their stored text."""
    from crawler.store.notices import backfill_deadlines  # the store's reading of deadlines, kept with it

    db["notices"].add_column("deadline", str)
    db["versions"].add_column("deadline", str)
    backfill_deadlines(db)


@migrations(name="places")
def places(db: sqlite_utils.Database) -> None:
    """``clusters.adcode`` and ``list_entries.adcode``: the entry's place, a row of the new table
    ``divisions`` (adcode, name, level, province, prefecture, latitude, longitude, point: ``seat`` or
    ``inside``); existing rows are placed."""
    db["clusters"].add_column("adcode", str)
    db["list_entries"].add_column("adcode", str)
    sync_places(db)


@migrations(name="shards")
def shards(db: sqlite_utils.Database) -> None:
    """What merging shard databases needs (``crawler merge``): ``store_identity``, one row with a
    random id written once, which names this database wherever its file is copied or fetched;
    ``merge_cursors``, per merged shard (by its identity) how far its rows were taken; and
    ``merged_runs``, the central run each run of a shard became."""
    from crawler.store.merges import create_merge_tables  # the merge's tables, kept with it

    create_merge_tables(db)


@migrations(name="old_notices_filled")
def old_notices_filled(db: sqlite_utils.Database) -> None:
    """Notices written before the columns the baseline gave them (store v1 kept a notice's text on
    its versions only): the text of the current version, which full-text search indexes; the
    province of their site; a story of their own; and their kind, read from the title as a crawl
    reads it."""
    from crawler.kinds import classify  # a notice's kind, as the crawl decides it

    db.execute(
        "update notices set body_normalized = (select v.body_normalized from versions v"
        " where v.notice_id = notices.id and v.version = notices.current_version) where body_normalized is null"
    )
    db.execute(
        "update notices set province = (select s.province from sites s where s.name = notices.site)"
        " where province is null"
    )
    db.execute("update notices set story_id = id where story_id is null")
    for notice_id, title, issuer in db.execute("select id, title, issuer from notices where kind is null").fetchall():
        kind = classify(title, issuer)
        db.execute(
            "update notices set kind = ?, list_stage = ?, list_subject = ?, list_level = ?, list_year = ? where id = ?",
            [kind.kind, kind.stage, kind.subject, kind.level, kind.year, notice_id],
        )


@migrations(name="story_keys")
def story_keys(db: sqlite_utils.Database) -> None:
    """``story_keys``: the keys under which the store finds earlier copies of a notice on other sites
    (crawler.store.copykeys), so that matching a new notice reads a few rows instead of the text of
    every notice of its week; every stored notice gets its keys."""
    from crawler.store.copykeys import create_table, fill_table  # the keys' rule, kept with it

    create_table(db)
    fill_table(db)


@migrations(name="list_stage_index")
def list_stage_index(db: sqlite_utils.Database) -> None:
    """An index for the lists' stages (the ``list_stages`` view, the maps and ``dropped_in_review``):
    the 公布 list that followed a 公示 one was found by reading every list notice's row to its end
    (its stage columns come after its text), for every 公示 list."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_notices_list_stage"
        " ON notices(kind, list_stage, list_subject, province, list_year, published_at)"
    )


@migrations(name="versions_run_index")
def versions_run_index(db: sqlite_utils.Database) -> None:
    """An index of the versions by run: a run's report (the copies it stored) read every version's
    row to its end, its run coming after its text. And one of the notices by publish time, newest
    first in Datasette's table and searches and in the LIKE search, which then stop at their page."""
    db["versions"].create_index(["run_id"], if_not_exists=True)
    db["notices"].create_index(["published_at"], if_not_exists=True)


@migrations(name="search_index")
def search_index(db: sqlite_utils.Database) -> None:
    """``notices.search_key`` (the notice's id again, computed, never stored) and an index from it to
    the columns Datasette's table page sorts and facets by. The search box (``fts_pk`` in
    metadata.yml) asks for ``search_key in (matches)``: SQLite then counts, sorts and facets the
    matches in this small index instead of reading each match's row, most of it text (bench/growth.py).
    ``rowid in (matches)`` cannot use an index. And an index of the facet columns, which the table's
    facets, counted together (crawler/datasette/facets.py), read when nothing is searched."""
    db.execute("ALTER TABLE notices ADD COLUMN search_key INTEGER GENERATED ALWAYS AS (id) VIRTUAL")
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_notices_search"
        " ON notices(search_key, published_at, site, province, status, kind)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_notices_facets ON notices(site, province, status, kind)")


@migrations(name="newest_first_indexes")
def newest_first_indexes(db: sqlite_utils.Database) -> None:
    """Indexes of the versions by when they were seen and of the notices by when they were first
    stored: the canned queries ``recent_changes`` and ``new_notices_feed`` (the Atom feed) read every
    row and sorted it to show the newest 100 or 50 (620 and 470 ms at 200,000 notices; 7 and 1 ms)."""
    db["versions"].create_index(["observed_at"], if_not_exists=True)
    db["notices"].create_index(["first_seen_at"], if_not_exists=True)


@migrations(name="search_key_column")
def search_key_column(db: sqlite_utils.Database) -> None:
    """``notices.search_key`` stored (the id again, set by the store; a trigger sets it for a row
    written without it) and indexes that end with it: by publish time, and by the facet columns.
    SQLite's planner takes no index holding a computed column for covering, so counting the search
    box's matches read every notice's row, and an index that begins with the key made it gather
    every match before sorting and grouping (0.8 s for a term in most of 200,000 notices). Now the
    page reads the newest notices in order and stops at its 50 matches; the count and the facets
    read one small index each, testing every entry against the matches (bench/growth.py)."""
    for index in ("idx_notices_search", "idx_notices_facets", "idx_notices_published_at"):
        db.execute(f"DROP INDEX IF EXISTS {index}")
    db.execute("ALTER TABLE notices DROP COLUMN search_key")  # computed: nothing stored to rewrite
    db.execute("ALTER TABLE notices ADD COLUMN search_key INTEGER")
    db.execute("UPDATE notices SET search_key = id")
    db.execute(
        "CREATE TRIGGER IF NOT EXISTS notices_search_key AFTER INSERT ON notices WHEN new.search_key IS NULL"
        " BEGIN UPDATE notices SET search_key = new.id WHERE id = new.id; END"
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_notices_newest ON notices(published_at, search_key)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_notices_facets ON notices(site, province, status, kind, search_key)")


def upgrade(db: sqlite_utils.Database) -> None:
    """Apply the pending migrations, take up the shipped divisions and replace outdated views, in one
    write transaction; a database already up to date is not written. Raises
    :class:`NewerDatabaseError`, before any write, when the database holds migrations this code does
    not know."""
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise NewerDatabaseError(
            f"{db.conn.execute('pragma database_list').fetchone()[2] or 'the database'} was upgraded by a newer"
            f" crawler (migrations {', '.join(unknown)}); this one will not write it: install the newer version"
        )
    db.enable_wal()
    if not migrations.pending(db) and not views_outdated(db) and not divisions_outdated(db):
        return
    db.execute("BEGIN IMMEDIATE")  # another process opening the same file waits, then finds nothing pending
    try:
        migrations.apply(db)
        if divisions_outdated(db):
            sync_places(db)
        replace_views(db)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
