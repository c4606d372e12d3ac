"""The ``one_query`` facets alone: the same answer as Datasette's column facets, from one query."""

import asyncio
import random
import sqlite3

from datasette.app import Datasette
from datasette.plugins import pm

from crawler.datasette.facets import ranked

COLUMNS = ("site", "province", "status", "kind", "list_year")


def notices_db(path) -> None:
    """400 rows of the facet columns, with empty values, repeated counts and a numeric column."""
    rng = random.Random(21)
    sites = {f"site_{n:02d}": rng.choice(["浙江", "江苏", "全国", None]) for n in range(40)}
    with sqlite3.connect(path) as db:
        db.execute("create table notices (id integer primary key, site, province, status, kind, list_year)")
        for number in range(400):
            site = rng.choice(list(sites))
            db.execute(
                "insert into notices values (?, ?, ?, ?, ?, ?)",
                [
                    number,
                    site,
                    sites[site],
                    rng.choice(["live", "live", "live", "missing", "removed"]),
                    rng.choice(["list", "call", "policy", "other", "cluster_list", None]),
                    rng.choice([2023, 2024, 2025, None, None]),
                ],
            )
        db.execute("create view crossed as select a.site from notices a, notices b, notices c")


def served(path, facets: list, settings: dict | None = None) -> Datasette:
    metadata = {
        "databases": {
            "notices": {"tables": {"notices": {"facets": facets}, "crossed": {"facets": [{"one_query": "site"}]}}}
        }
    }
    return Datasette([str(path)], metadata=metadata, settings=settings or {})


def facets_of(datasette: Datasette, path: str) -> dict:
    async def fetch():
        return await datasette.client.get(path)

    answer = asyncio.run(fetch())
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()


def test_the_facets_counted_in_one_query_are_datasette_s_column_facets(tmp_path):
    assert "crawler.datasette.facets" in {p.__name__ for p in pm.get_plugins()}  # the entry point is installed
    db = tmp_path / "notices.db"
    notices_db(db)
    ours = served(db, [{"one_query": column} for column in COLUMNS])
    datasette_s = served(db, list(COLUMNS))
    for query in ("", "?status=live", "?province=浙江&status=missing", "?_facet_size=5", "?kind__isnull=1"):
        path = "/notices/notices.json" + query
        mine, theirs = facets_of(ours, path), facets_of(datasette_s, path)
        assert mine["facet_results"] == theirs["facet_results"], query
        assert list(mine["facet_results"]) == list(COLUMNS)
    narrowed = facets_of(ours, "/notices/notices.json?_facet_size=5")["facet_results"]
    assert narrowed["site"]["truncated"] and len(narrowed["site"]["results"]) == 5
    selected = facets_of(ours, "/notices/notices.json?status=live")["facet_results"]["status"]["results"]
    assert [value["value"] for value in selected if value["selected"]] == ["live"]


def test_facets_that_run_out_of_time_are_reported_as_timed_out(tmp_path):
    db = tmp_path / "notices.db"
    notices_db(db)
    datasette = served(db, [], {"facet_time_limit_ms": 5, "suggest_facets": False})
    page = facets_of(datasette, "/notices/crossed.json?_size=1&_nocount=1")
    assert page["facet_results"] == {} and len(page["rows"]) == 1
    html = asyncio.run(datasette.client.get("/notices/crossed?_size=1&_nocount=1")).text
    assert "These facets timed out: site" in html


def test_values_are_ranked_by_count_then_in_sqlite_s_order():
    counts = {"b": 2, "a": 2, 7: 2, b"x": 2, 2.5: 3, "c": 1}
    assert ranked(counts) == [(2.5, 3), (7, 2), ("a", 2), ("b", 2), (b"x", 2), ("c", 1)]
    with sqlite3.connect(":memory:") as db:
        db.execute("create table t (v)")
        db.executemany("insert into t values (?)", [(value,) for value, n in counts.items() for _ in range(n)])
        order = db.execute("select v, count(*) from t group by v order by count(*) desc, v").fetchall()
    assert ranked(counts) == order
