"""Crawl benchmark: the full pipeline against a bare Scrapy spider on the same generated site, in one run.

For each N (1,000 / 5,000 / 20,000 notices; ``--quick``: 1,000 only) it writes a Hanweb jcms site of
N notices (bench/hanweb_site.py) to a temporary folder, serves it with nginx (or the project's mirror,
``--server mirror``) and measures each run as a separate process tree under bench/rusage.py: CPU time
(user + sys of the command and every process it started, from the OS) and peak memory (summed PSS):

  (a) floor      bench/floor_spider.py: a bare Scrapy spider fetching the same URLs (column page,
                 dataproxy POSTs, detail pages), doing nothing with the answers;
  (b) crawl      ``crawler crawl`` with the full pipeline into a new database (``--breakdown``: also
                 (b1) with extraction in the crawl's own process and (b2) without the store);
  (c) unchanged  ``crawler crawl`` again, as cron runs it: the first listing page, the notices due;
  (c+) every page ``--revisit all`` and every listing page: each notice asked again conditionally
                 (nginx answers 304), nothing changed;
  (d) 1% edited  the same after rewriting 1% of the notices with a real edit (N ≤ 5,000);
  (c') no validators (N = 1,000) every page again from a server that sends no ETag and ignores
                 If-Modified-Since: every page comes back whole and only its hash can skip it.

Every run gets ``-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=0 -s CONCURRENT_REQUESTS_PER_DOMAIN=32
-s CONCURRENT_REQUESTS=32``. Rows written to ``versions`` and ``events`` are counted per run.
Then (e) extraction against trafilatura on generated pages, (f) the store benchmark (bench/store.py)
and, with ``--profile``, py-spy profiles of a first crawl and an every-page recrawl (N = 1,000).
Run with ``make bench`` (full) or ``python bench/crawl.py --quick``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import hanweb_site  # noqa: E402 (bench/ on the path first)

PYTHON = sys.executable
SPEED = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=32",
    "-s",
    "CONCURRENT_REQUESTS=32",
]
FORM = {
    "col": "1",
    "appid": "1",
    "webid": "1585",
    "path": "/",
    "columnid": "1582900",
    "sourceContentType": "1",
    "unitid": "5024951",
    "webname": "浙江省经济和信息化厅",
    "permissiontype": "0",
}


@dataclass
class Run:
    label: str
    n: int
    pages: int
    cpu: float  # user + sys seconds, process and children
    wall: float
    peak_mb: float
    versions_written: int = 0
    events_written: int = 0
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def cpu_per_page_ms(self) -> float:
        return 1000 * self.cpu / self.pages if self.pages else float("nan")

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall if self.wall else float("nan")


def measured(command: list[str], log: Path) -> tuple[float, float, float, int]:
    """Run ``command`` under bench/rusage.py; its (CPU seconds user+sys of the command and every
    process it started, wall seconds, peak memory MB of that process tree (summed PSS), exit code)."""
    result = log.with_suffix(".rusage.json")
    with open(log, "wb") as out:
        subprocess.run(
            [PYTHON, str(BENCH / "rusage.py"), str(result), *command],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=BENCH.parent,
        )
    usage = json.loads(result.read_text())
    return usage["cpu"], usage["wall"], usage["peak_mb"], usage["exit"]


def db_counts(db: Path) -> dict:
    if not db.exists():
        return {"versions": 0, "events": 0, "fetches_last_run": 0}
    with sqlite3.connect(db) as conn:
        last = conn.execute("select max(run_id) from fetches").fetchone()[0]
        return {
            "versions": conn.execute("select count(*) from versions").fetchone()[0],
            "events": conn.execute("select count(*) from events").fetchone()[0],
            "fetches_last_run": conn.execute("select count(*) from fetches where run_id = ?", (last,)).fetchone()[0],
            "outcomes": dict(
                conn.execute(
                    "select outcome || ' ' || coalesce(status, ''), count(*) from fetches where run_id = ? group by 1",
                    (last,),
                ).fetchall()
            ),
        }


def crawl_command(sites: Path, db: Path, base: str, *extra: str) -> list[str]:
    return [
        PYTHON,
        "-m",
        "crawler",
        "--sites-dir",
        str(sites),
        "crawl",
        "bench_hanweb",
        "--db",
        str(db),
        "--host-map",
        f"{hanweb_site.HOST}={base}",
        "--quiet",
        *SPEED,
        *extra,
    ]


def run_crawl(label: str, n: int, sites: Path, db: Path, base: str, work: Path, *extra: str, exits=(0,)) -> Run:
    before = db_counts(db)
    log = work / f"{label.split()[0]}-{n}.log"
    cpu, wall, rss, code = measured(crawl_command(sites, db, base, *extra), log)
    after = db_counts(db)
    if code not in exits:
        print(f"  ! {label} exited {code}; see {log}:\n{log.read_text()[-2000:]}")
    return Run(
        label,
        n,
        after["fetches_last_run"],
        cpu,
        wall,
        rss,
        after["versions"] - before["versions"],
        after["events"] - before["events"],
        extra={"outcomes": after["outcomes"]},
    )


def run_floor(n: int, urls: dict, base: str, work: Path) -> Run:
    spec = {
        "get": [base + p for p in urls["listing"] + urls["detail"]],
        "post": [[base + p, FORM] for p in urls["proxy"]],
    }
    path = work / f"urls-{n}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    log = work / f"floor-{n}.log"
    cpu, wall, rss, code = measured([PYTHON, str(BENCH / "floor_spider.py"), str(path), *SPEED], log)
    answers = int(log.read_text().rsplit("answers", 1)[-1].split()[0]) if "answers" in log.read_text() else 0
    if code or answers != len(spec["get"]) + len(spec["post"]):
        print(f"  ! floor: exit {code}, {answers} answers of {len(spec['get']) + len(spec['post'])}; see {log}")
    return Run("(a) floor: bare Scrapy", n, answers, cpu, wall, rss)


def start_up(work: Path) -> Run:
    cpu, wall, rss, _ = measured([PYTHON, "-m", "crawler", "--version"], work / "version.log")
    return Run("start-up: crawler --version", 0, 1, cpu, wall, rss)


def every_page(n: int) -> tuple[str, ...]:
    """Crawl options that read every listing page of the N-notice site (N / 15 pages of the column,
    fetched 3 pages per dataproxy answer) and revisit every notice."""
    return "--revisit", "all", "--backfill", str(-(-n // hanweb_site.PER_PAGE) + 1)


def bench_size(n: int, work: Path, server_kind: str, profile: bool, quick: bool, breakdown: bool = False) -> list[Run]:
    runs: list[Run] = []
    tree, sites = work / f"site-{n}" / "tree", hanweb_site.write_sites_dir(work / "sites")
    started = time.perf_counter()
    urls = hanweb_site.build_site(tree, n)
    size = sum(f.stat().st_size for f in (tree / hanweb_site.HOST / "art").rglob("*.html"))
    print(
        f"\n## N = {n:,}: site written in {time.perf_counter() - started:.1f} s, "
        f"{len(urls['proxy'])} dataproxy answers, detail pages {size / n / 1024:.1f} KB on average"
    )
    db = work / f"site-{n}" / "notices.db"
    with hanweb_site.StaticServer(tree, server_kind) as server:
        print(f"server: {server.kind} at {server.base}")
        runs.append(run_floor(n, urls, server.base, work))
        _show(runs[-1])
        runs.append(run_crawl("(b) crawl: full pipeline", n, sites, db, server.base, work))
        _show(runs[-1])
        if breakdown:  # the same first crawl without parts of the pipeline, each into a new database
            for label, setting in (
                ("(b1) extraction in-process", "CRAWLER_EXTRACT_PROCESSES=0"),
                ("(b2) no store (items dropped)", "ITEM_PIPELINES={}"),
            ):
                # Without a store nothing is recorded, so the crawl says it read nothing (exit 4).
                part = run_crawl(
                    label,
                    n,
                    sites,
                    work / f"site-{n}" / f"{label[1:3]}.db",
                    server.base,
                    work,
                    "-s",
                    setting,
                    exits=(0, 4),
                )
                part.pages = part.pages or runs[0].pages  # without a store no fetch is recorded
                runs.append(part)
                _show(runs[-1])
        # What cron runs: the first listing page (nothing new on it: stop) and the notices due by age.
        runs.append(run_crawl("(c) recrawl, unchanged", n, sites, db, server.base, work))
        _show(runs[-1])
        # Every listing page and every notice again (conditional requests: nginx answers 304).
        deep = every_page(n)
        runs.append(run_crawl("(c+) recrawl, unchanged, every page", n, sites, db, server.base, work, *deep))
        _show(runs[-1])
        if n <= 5000:
            edited = hanweb_site.edit_notices(tree, n, 0.01)
            run = run_crawl("(d) recrawl, 1% edited, every page", n, sites, db, server.base, work, *deep)
            run.note = f"{len(edited)} notices edited"
            runs.append(run)
            _show(runs[-1])
    if n == 1000 and server_kind != "mirror":
        with hanweb_site.StaticServer(tree, server_kind, validators=False) as server:
            runs.append(run_crawl("(c') every page, no validators", n, sites, db, server.base, work, *every_page(n)))
            _show(runs[-1])
        if profile:
            runs.append(profile_crawl(n, tree, sites, work, server_kind))
            _show(runs[-1])
    shutil.rmtree(tree.parent / "nginx", ignore_errors=True)
    return runs


def _show(run: Run) -> None:
    print(
        f"  {run.label:<42} {run.pages:>6} pages  {run.cpu:7.1f} s CPU  {run.cpu_per_page_ms:6.2f} ms/page  "
        f"{run.pages_per_s:7.1f} pages/s  {run.peak_mb:6.0f} MB  +{run.versions_written} versions "
        f"+{run.events_written} events {run.note}",
        flush=True,
    )


# --- profile ---------------------------------------------------------------------------------------


def profile_crawl(n: int, tree: Path, sites: Path, work: Path, server_kind: str) -> Run:
    """A first crawl, then an unchanged recrawl of every page, each under py-spy (100 Hz, the
    extraction worker included; threads waiting on a lock or a socket show as samples too); writes
    the collapsed stacks (speedscope opens them) to bench/results/ and prints the top functions by
    own and by inclusive samples."""
    spy = shutil.which("py-spy") or str(Path(PYTHON).with_name("py-spy"))
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    db = work / f"profile-{n}.db"
    run = None
    for name, extra in (("crawl", ()), ("recrawl-unchanged", every_page(n))):
        raw = results / f"profile-{name}-{n}.txt"
        with hanweb_site.StaticServer(tree, server_kind) as server:
            command = [
                spy,
                "record",
                "--subprocesses",
                "--format",
                "raw",
                "-r",
                "100",
                "-o",
                str(raw),
                "--",
                *crawl_command(sites, db, server.base, *extra),
            ]
            cpu, wall, rss, code = measured(command, work / f"profile-{name}.log")
        if code:
            print(f"  ! py-spy exited {code}: {(work / f'profile-{name}.log').read_text()[-1500:]}")
            continue
        print(f"\n### profile of `crawler crawl` ({name}) at N = {n:,} (py-spy, {raw.relative_to(BENCH.parent)})")
        print(top_of_profile(raw))
        run = run or Run(
            "profile run (py-spy attached; not a measurement)", n, db_counts(db)["fetches_last_run"], cpu, wall, rss
        )
    return run or Run("profile (py-spy)", n, 0, 0, 0, 0, note="failed")


def _frame_name(frame: str) -> str:
    """``parse (crawler/x.py:12)`` → ``parse (crawler/x.py)``: one name per function."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    path = path.replace(str(BENCH.parent) + "/", "")
    return f"{name} ({path})"


def top_of_profile(raw: Path, count: int = 15) -> str:
    own, inclusive, callers, total = Counter(), Counter(), {}, 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        frames = [_frame_name(f) for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        weight = int(samples)
        total += weight
        own[frames[-1]] += weight
        nearest = next((f for f in reversed(frames[:-1]) if "(crawler/" in f), None)
        if nearest and "(crawler/" not in frames[-1]:
            callers.setdefault(frames[-1], Counter())[nearest] += weight
        for name in set(frames):
            inclusive[name] += weight
    lines = [f"{total} samples", "", f"{'own %':>6} {'incl %':>7}  function (own time: top {count})"]
    for name, samples in own.most_common(count):
        lines.append(f"{100 * samples / total:6.1f} {100 * inclusive[name] / total:7.1f}  {name}")
        for caller, weight in (callers.get(name) or Counter()).most_common(2):
            lines.append(f"{'':15}  ← {100 * weight / total:4.1f}% from {caller}")
    lines += ["", f"{'incl %':>7}  function (inclusive, project code and its direct library calls: top {count})"]
    ours = [(name, s) for name, s in inclusive.most_common() if "(crawler/" in name or "(bench/" in name]
    for name, samples in ours[:count]:
        lines.append(f"{100 * samples / total:7.1f}  {name}")
    return "\n".join(lines)


# --- extraction and store ---------------------------------------------------------------------------


def bench_extraction(work: Path, pages: int = 200) -> dict:
    """Ours against trafilatura on ``pages`` generated detail pages (CPU time inside each extractor)."""
    import extract as extraction_bench

    from crawler.extract.text import normalize_line

    templates = hanweb_site.Templates()
    notices = [hanweb_site.make_notice(i * 7) for i in range(pages)]
    bodies = [(templates.detail(n), n.url) for n in notices]
    result = {}
    for name in ("crawler", "trafilatura"):
        function = extraction_bench.EXTRACTORS[name]
        try:
            function(b"<html><body><p>test</p></body></html>", "")
        except ImportError as missing:
            result[name] = None
            print(f"  ({name} not installed: {missing})")
            continue
        best = 0.0
        for _ in range(3):  # later rounds are warm; keep the best
            normalize_line.cache_clear()  # but not by remembering the lines of the same pages
            started = time.process_time()
            for body, url in bodies:
                function(body, url)
            best = max(best, len(bodies) / (time.process_time() - started))
        result[name] = best
    # The same through the command a user runs: `crawler extract FILE...` on the same pages.
    folder = work / "extract-pages"
    folder.mkdir(exist_ok=True)
    files = []
    for i, (body, _) in enumerate(bodies):
        files.append(folder / f"{i}.html")
        files[-1].write_bytes(body)
    cpu, wall, _, code = measured([PYTHON, "-m", "crawler", "extract", *map(str, files)], work / "extract.log")
    result["cli_cpu"], result["cli_wall"], result["pages"] = cpu, wall, len(files)
    return result


def bench_store(notices: int, versions: int) -> dict:
    import store as store_bench

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        raw_bytes = store_bench.build(path, notices, versions)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(folder).glob("bench.db*"))
        crawler = [PYTHON, "-m", "crawler"]
        floor = store_bench.wall([*crawler, "--version"])
        history = store_bench.wall([*crawler, "history", store_bench.notice_version(42, 0)[0].url, "--db", str(path)])
    return {
        "notices": notices,
        "versions": versions,
        "build_s": seconds,
        "bytes": size,
        "raw_bytes": raw_bytes,
        "per_notice": size / notices,
        "per_version": size / (notices * versions),
        "history_s": history,
        "startup_s": floor,
    }


# --- report ------------------------------------------------------------------------------------------


def machine() -> str:
    import scrapy

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    ram = next(
        (
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {ram / 1024:.1f} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Scrapy {scrapy.__version__}"
    )


def verdicts(runs: list[Run], extraction: dict | None) -> list[str]:
    lines = []
    by = {(r.label.split()[0], r.n): r for r in runs}
    for n in sorted({r.n for r in runs if r.n}):
        floor, crawl = by.get(("(a)", n)), by.get(("(b)", n))
        if floor and crawl:
            if not (floor.pages and crawl.pages):
                lines.append(f"N={n}: no pages fetched; see the errors above")
                continue
            cpu_ratio = crawl.cpu_per_page_ms / floor.cpu_per_page_ms
            wall_ratio = crawl.pages_per_s / floor.pages_per_s
            lines.append(
                f"N={n}: pipeline CPU/page = {cpu_ratio:.2f}× floor (target ≤ 2): "
                f"{'met' if cpu_ratio <= 2 else 'NOT met'}; pages/s = {wall_ratio:.2f}× floor (target ≥ 0.8): "
                f"{'met' if wall_ratio >= 0.8 else 'NOT met'}"
            )
        for key, what in (("(c)", "unchanged recrawl (cron's)"), ("(c+)", "unchanged recrawl of every page")):
            same = by.get((key, n))
            if same and crawl:
                ratio = same.cpu / crawl.cpu
                ok = same.versions_written == 0 and same.events_written == 0 and ratio <= 0.3
                lines.append(
                    f"N={n}: {what} wrote {same.versions_written} versions, {same.events_written} events; "
                    f"CPU {ratio:.2f}× first crawl (target 0 rows, ≤ 0.3): {'met' if ok else 'NOT met'}"
                )
    peak = {r.n: r.peak_mb for r in runs if r.label.startswith("(b)")}
    if 20000 in peak and 5000 in peak:
        ok = peak[20000] <= 300 and peak[20000] < 2 * peak[5000]
        lines.append(
            f"peak memory: {peak[20000]:.0f} MB at 20,000, {peak[5000]:.0f} MB at 5,000 "
            f"(target ≤ 300 MB and < 2×): {'met' if ok else 'NOT met'}"
        )
    if extraction and extraction.get("trafilatura"):
        ratio = extraction["crawler"] / extraction["trafilatura"]
        lines.append(
            f"extraction: {ratio:.2f}× trafilatura's pages/s (target ≥ 3): {'met' if ratio >= 3 else 'NOT met'}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 1,000 only, store at 500 × 5")
    parser.add_argument("--sizes", default=None, help="comma-separated N (default 1000,5000,20000)")
    parser.add_argument("--server", choices=["auto", "nginx", "mirror"], default="auto")
    parser.add_argument("--profile", action="store_true", help="also profile one crawl with py-spy")
    parser.add_argument(
        "--breakdown", action="store_true", help="also crawl the first N without the worker, and without the store"
    )
    parser.add_argument("--json", type=Path, default=None, help="write every number to this file")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1000] if args.quick else [1000, 5000, 20000])
    print(f"# crawl benchmark · {time.strftime('%Y-%m-%d %H:%M %Z')}\n{machine()}")
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other processes on the machine "
        "share its cores; the CPU times below are this benchmark's own)"
    )
    everything = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crawl-bench-") as folder:
        work = Path(folder)
        work.chmod(0o755)  # nginx's workers run as another user when started by root
        runs = [start_up(work)]
        _show(runs[0])
        for n in sizes:
            first = n == sizes[0]
            runs += bench_size(n, work, args.server, args.profile and first, args.quick, args.breakdown and first)
            print(f"load average after N = {n:,}: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("\n## (e) extraction on generated pages")
        extraction = bench_extraction(work)
        if extraction.get("trafilatura"):
            print(
                f"  crawler {extraction['crawler']:.1f} pages/s · trafilatura {extraction['trafilatura']:.1f} pages/s "
                f"· ratio {extraction['crawler'] / extraction['trafilatura']:.2f}×"
            )
        print(
            f"  `crawler extract` on {extraction['pages']} files: {extraction['cli_cpu']:.1f} s CPU, "
            f"{extraction['cli_wall']:.1f} s wall (start-up included)"
        )
    store_size = (500, 5) if args.quick else (5000, 5)
    print(f"\n## (f) store at {store_size[0]:,} notices × {store_size[1]} versions")
    store = bench_store(*store_size)
    print(
        f"  {store['bytes'] / 1e6:.1f} MB · {store['per_notice'] / 1024:.1f} KB per notice · "
        f"{store['per_version'] / 1024:.1f} KB per version · raw kept {store['raw_bytes'] / 1e6:.1f} MB "
        f"(db/raw {store['bytes'] / store['raw_bytes']:.2f}) · built in {store['build_s']:.0f} s"
    )
    print(f"  crawler history: {store['history_s'] * 1000:.0f} ms (start-up floor {store['startup_s'] * 1000:.0f} ms)")
    print("\n## (g) peak memory of the crawl against N (summed PSS of its processes)")
    for run in runs:
        if run.label.startswith(("(a)", "(b)", "(c)")):
            print(f"  N={run.n:>6}  {run.label:<42} {run.peak_mb:6.0f} MB")
    print("\n## against the targets of issue 9")
    for line in verdicts(runs, extraction):
        print("  " + line)
    print(f"\nwhole benchmark: {time.perf_counter() - everything:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "runs": [
                        {**r.__dict__, "cpu_per_page_ms": r.cpu_per_page_ms, "pages_per_s": r.pages_per_s} for r in runs
                    ],
                    "extraction": extraction,
                    "store": store,
                },
                indent=1,
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
