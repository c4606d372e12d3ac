"""The store's side of a merge: each database's identity (random, written once, carried by every
copy and export), and replay idempotency at page level: a shard version replayed again, past its
cursor, is ``unchanged`` and writes no version, event or fetch."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from crawler.app.merging import MergeError, _rebuild, export_shard, merge_shards
from crawler.extract.pool import ExtractionPool
from crawler.siteconf import load_sites
from crawler.store import Store
from crawler.store.merges import ShardFile
from tests.conftest import copy_site, crawl


@pytest.fixture(scope="module")
def shard(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("shard")
    db = root / "shard.db"
    result, _ = crawl(copy_site(root, "www.cixidb.cn"), db, "cixidb")
    assert result.returncode == 0, result.stderr
    return db


def counts(db: Path) -> dict[str, int]:
    with closing(sqlite3.connect(db)) as conn:
        tables = [t for (t,) in conn.execute("select name from sqlite_master where type = 'table'")]
        return {t: conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}


def test_every_database_has_an_identity_of_its_own_that_its_export_keeps(shard, tmp_path):
    with Store(shard) as store:
        identity = store.identity()
    with Store(tmp_path / "other.db") as other:
        assert other.identity() != identity and len(identity) == 32
    export_shard(shard, tmp_path / "export.db")
    with closing(ShardFile(tmp_path / "export.db", "export")) as copy:
        assert copy.identity == identity


def test_a_version_replayed_again_is_unchanged_and_writes_nothing(shard, tmp_path):
    central = tmp_path / "central.db"
    merge_shards([str(shard)], central)
    before = counts(central)
    with Store(central) as store, closing(ShardFile(shard, str(shard))) as source:
        version_id = source.conn.execute("select min(id) from versions").fetchone()[0]
        page = _replay_one(source, version_id)
        assert store.replay_version(source, version_id, page, None) == "unchanged"
    after = counts(central)
    assert after == before


def _replay_one(source: ShardFile, version_id: int):
    return asyncio.run(_rebuild(source, version_id, load_sites(), ExtractionPool(0)))


def test_the_central_database_or_its_copy_is_refused_as_a_shard(shard, tmp_path):
    central = tmp_path / "central.db"
    merge_shards([str(shard)], central)
    with pytest.raises(MergeError, match="central database itself"):
        merge_shards([str(central)], central)
    export_shard(central, tmp_path / "copy" / "central.db")
    with pytest.raises(MergeError, match="copy of the central database"):
        merge_shards([str(tmp_path / "copy" / "central.db")], central)
    with pytest.raises(MergeError, match="no shard database"):
        merge_shards([str(tmp_path / "nowhere.db")], central)
