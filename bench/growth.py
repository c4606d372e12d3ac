"""Growth benchmark: what a new page costs as the archive grows, the bytes a notice takes, and how
fast Datasette searches, at 200 / 1,000 / 20,000 / 200,000 archived notices (issue 21).

For each size it copies an archive of that many notices (bench/archive.py: the history a monitor of
every defined site keeps, built once through the real Store and cached under ``--archives``, keyed
by the archive builder and the schema's migrations), then measures, each as its own process tree
under bench/rusage.py:

  (b) new    ``crawler crawl`` of a generated Hanweb column of 1,000 new notices (bench/hanweb_site.py,
             served by nginx or the project's mirror) into the archive: CPU per new page, and its
             ratio to the same crawl into the 200-notice archive, measured in the same run;
  (c) cron   the same crawl again, as cron runs it (nothing new): CPU of the run;

three rounds (``--rounds``) of every size in turn, so that a slower minute of a shared machine falls
on every size, each size's median kept;

then the database's bytes per notice (file and WAL, after the crawl), and, with ``crawler serve`` on
the last round's copy, the wall time of Datasette's full-text search (``?_search=``), the LIKE search (the canned
query ``short_search``), every canned query and the map's view (median of three after one warm-up).
Every crawl must store the 1,000 new notices with one ``new`` event each and nothing else; a run
that does not is reported, not measured.

Run with ``make bench`` (after bench/crawl.py) or ``python bench/growth.py [--sizes 1000,20000]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests"))

import archive  # noqa: E402 (bench/ on the path first)
import hanweb_site  # noqa: E402
from crawl import SPEED, crawl_command, db_counts, every_page, measured  # noqa: E402
from served import crawler_serve  # noqa: E402

from crawler.store import Store, copykeys  # noqa: E402

BASE = 200
NEW = 1_000
# The archive's text comes from recorded list notices: 专精特新 is in 68% of its notices, 产业集群 名单
# in 88% (the worst case), 汽车零部件 in 18%, 质量标杆 in 6%. Each search counts its matches and computes
# the table's facets, as the search box does; the HTML page is the one a user sees.
SEARCHES = {
    "full-text search ?_search=专精特新": "/notices/notices.json?_search=专精特新&_size=50",
    "full-text search ?_search=产业集群 名单": "/notices/notices.json?_search=产业集群+名单&_size=50",
    "full-text search ?_search=汽车零部件": "/notices/notices.json?_search=汽车零部件&_size=50",
    "full-text search ?_search=质量标杆": "/notices/notices.json?_search=质量标杆&_size=50",
    "search page (HTML) ?_search=专精特新": "/notices/notices?_search=专精特新",
    "table page (HTML), nothing searched": "/notices/notices",
    "LIKE search (short_search, 集群)": "/notices/short_search.json?term=集群",
    "map view cluster_places": "/notices/cluster_places.json?_size=max",
}
PARAMS = {"year": "2025", "province": "浙江", "term": "名单", "terms": "产业集群 名单"}


def archive_key() -> str:
    """What an archive's rows depend on: the builder's version and the rule of the copy keys it keeps
    (a later migration is applied to the cached archive before it is measured)."""
    rule = (copykeys.RUN, copykeys.STEP, copykeys.KEEP, copykeys.ALL_KEYS_BELOW, copykeys.TINY, copykeys.SPAN)
    return hashlib.sha256(repr((archive.VERSION, rule)).encode()).hexdigest()[:12]


def cached_archive(folder: Path, count: int) -> Path:
    """The archive of ``count`` notices, built once for this key, at the current schema."""
    path = folder / f"archive-{count}-{archive_key()}.db"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        for stale in folder.glob(partial.name + "*"):
            stale.unlink()
        started = time.perf_counter()
        print(f"  building the archive of {count:,} notices (cached as {path})", flush=True)

        def progress(day: int, days: int) -> None:
            print(f"    day {day:,} of {days:,}, {time.perf_counter() - started:.0f} s", flush=True)

        archive.build(partial, count, progress=progress)
        conn = sqlite3.connect(partial)
        conn.execute("pragma journal_mode=delete")  # one file, no WAL left beside it
        conn.close()
        partial.rename(path)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    Store(path).close()  # migrations added since it was built, so that no crawl measured applies them
    conn = sqlite3.connect(path)
    conn.execute("pragma wal_checkpoint(truncate)")  # every row in the one file that is copied
    conn.close()
    return path


def canned_queries() -> list[str]:
    metadata = yaml.safe_load((BENCH.parent / "crawler/datasette/metadata.yml").read_text(encoding="utf-8"))
    return sorted(metadata["databases"]["notices"]["queries"])


def timed_get(url: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            body = answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    seconds = time.perf_counter() - started
    note = ""
    if url.split("?")[0].endswith(".json"):
        try:
            data = json.loads(body)
            if isinstance(data, dict):
                note = f"{len(data.get('rows', []))} rows"
                if data.get("filtered_table_rows_count") is not None:
                    note += f" of {data['filtered_table_rows_count']:,}, {len(data.get('facet_results', {}))} facets"
                if data.get("error"):
                    note, status = data["error"][:80], 500
        except ValueError:
            pass
    return seconds, status, note


def search_times(db: Path) -> list[tuple[str, float, int, str]]:
    """(what, median seconds of three after a warm-up, HTTP status, rows) of each search and canned query."""
    results = []
    with crawler_serve(db, timeout=180) as base:
        paths = dict(SEARCHES)
        for name in canned_queries():
            suffix = ".ics" if name.endswith("_calendar") else ".json"
            paths[f"canned query {name}"] = f"/notices/{name}{suffix}?" + urllib.parse.urlencode(PARAMS)
        paths = {what: path.replace("/notices/", f"/{db.stem}/", 1) for what, path in paths.items()}
        for what, path in paths.items():
            url = base + urllib.parse.quote(path, safe="/?=&+.%_")
            timed_get(url)
            runs = [timed_get(url) for _ in range(3)]
            results.append((what, statistics.median(r[0] for r in runs), runs[-1][1], runs[-1][2]))
    return results


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def measure(count: int, source: Path, sites: Path, base: str, work: Path) -> dict:
    db = work / f"growth-{count}.db"
    for old in work.glob(db.name + "*"):
        old.unlink()
    shutil.copy(source, db)
    with sqlite3.connect(db) as conn:
        archived = conn.execute("select count(*) from notices").fetchone()[0]
    before = db_counts(db)
    cpu, wall, peak, code = measured(crawl_command(sites, db, base, *every_page(NEW)), work / f"new-{count}.log")
    after = db_counts(db)
    added = {"versions": after["versions"] - before["versions"], "events": after["events"] - before["events"]}
    ok = code == 0 and added == {"versions": NEW, "events": NEW}
    if not ok:
        print((work / f"new-{count}.log").read_text(errors="replace")[-3000:])
    cron_cpu, cron_wall, _, cron_code = measured(crawl_command(sites, db, base), work / f"cron-{count}.log")
    with sqlite3.connect(db) as conn:
        notices = conn.execute("select count(*) from notices").fetchone()[0]
        conn.execute("pragma wal_checkpoint(truncate)")
    size = db_bytes(db)
    return {
        "archived": archived,
        "ok": ok,
        "exit": code,
        "added": added,
        "cpu": cpu,
        "wall": wall,
        "peak_mb": peak,
        "ms_per_page": 1000 * cpu / NEW,
        "cron_cpu": cron_cpu,
        "cron_exit": cron_code,
        "notices": notices,
        "bytes": size,
        "db": db,
    }


def median_run(runs: list[dict]) -> dict:
    """The run of median CPU per new page (and the median cron run), with the last run's searches and
    every run's CPU per page under ``spread``."""
    middle = sorted(runs, key=lambda r: r["ms_per_page"])[len(runs) // 2]
    return middle | {
        "cron_cpu": statistics.median(r["cron_cpu"] for r in runs),
        "ok": all(r["ok"] for r in runs),
        "search": runs[-1].get("search", []),
        "spread": [r["ms_per_page"] for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,20000,200000", help="archive sizes besides the baseline of 200")
    parser.add_argument("--archives", type=Path, default=BENCH / "results" / "archives")
    parser.add_argument("--server", choices=("auto", "nginx", "mirror"), default="auto")
    parser.add_argument("--no-search", action="store_true", help="skip the Datasette timings")
    parser.add_argument("--rounds", type=int, default=3, help="crawls of every size, interleaved (median kept)")
    args = parser.parse_args()
    sizes = [BASE, *(int(s) for s in args.sizes.split(",") if s)]
    print(f"# growth benchmark · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · archive key {archive_key()}")
    print(f"{NEW:,} new notices of a generated Hanweb column crawled into archives of {', '.join(map(str, sizes))}")
    archives = {n: cached_archive(args.archives, n) for n in sizes}
    runs = {n: [] for n in sizes}
    with tempfile.TemporaryDirectory(prefix="growth-") as folder:
        work = Path(folder)
        work.chmod(0o755)  # nginx's workers run as another user when started by root
        tree, sites = work / "site" / "tree", hanweb_site.write_sites_dir(work / "sites")
        hanweb_site.build_site(tree, NEW)
        with hanweb_site.StaticServer(tree, args.server) as server:
            print(f"server: {server.kind}; every crawl: {' '.join(SPEED)} {' '.join(every_page(NEW))}")
            for round_ in range(1, args.rounds + 1):  # every size once per round: a slower minute hits them all
                for n in sizes:
                    result = measure(n, archives[n], sites, server.base, work)
                    runs[n].append(result)
                    flag = (
                        "" if result["ok"] else f"  ! exit {result['exit']}, wrote {result['added']}: see new-{n}.log"
                    )
                    print(
                        f"  round {round_} · archive {result['archived']:>7,}: new page {result['ms_per_page']:6.2f} ms CPU"
                        f" · cron run {result['cron_cpu']:5.2f} s CPU · {result['bytes'] / result['notices'] / 1024:5.1f} KB"
                        f" per notice · peak {result['peak_mb']:.0f} MB{flag}",
                        flush=True,
                    )
                    if round_ == args.rounds and not args.no_search:
                        result["search"] = search_times(result["db"])
                    for old in work.glob(result["db"].name + "*"):
                        old.unlink()
    results = [median_run(runs[n]) for n in sizes]
    base = results[0]
    print(
        "\n| archived notices | CPU per new page (each round) | × 200 | cron run CPU | × 200 | DB bytes per notice"
        " | slowest search |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        slowest = max(r.get("search", []), key=lambda s: s[1], default=None)
        print(
            f"| {r['archived']:,} | {r['ms_per_page']:.2f} ms ({' / '.join(f'{x:.1f}' for x in r['spread'])}) | "
            f"{r['ms_per_page'] / base['ms_per_page']:.2f}× | "
            f"{r['cron_cpu']:.2f} s | {r['cron_cpu'] / base['cron_cpu']:.2f}× | {r['bytes'] / r['notices'] / 1024:.1f} KB | "
            + (f"{slowest[1] * 1000:.0f} ms ({slowest[0]}) |" if slowest else "– |")
        )
    for r in results:
        if r.get("search"):
            print(f"\nDatasette at {r['archived']:,} archived notices (median of 3, wall):")
            for what, seconds, status, note in r["search"]:
                mark = "" if status == 200 and seconds < 0.5 else "  !"
                print(f"  {seconds * 1000:7.0f} ms  {status}  {what}  {note}{mark}")
    if not all(r["ok"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
