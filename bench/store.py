"""Store benchmark: database bytes per notice and per version, and `crawler history` time.

Builds a database of N notices × V versions (default 5,000 × 5) through the real Store, each
version a real edit of a ~1,500-character notice with a ~25 KB raw page, then reports bytes per
notice and per version against the raw bytes stored (the baseline: what keeping every fetched page
and text uncompressed would cost), and the wall time of `crawler history` on one notice against
the start-up time of `crawler --version` measured in the same run.
Run with `make bench` (or `python bench/store.py --notices 500` for a quick look).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawler.extract import Notice
from crawler.extract.text import normalize_text
from crawler.records import DetailPage, FetchOutcome
from crawler.store import Store

PARAGRAPH = (
    "为促进中小企业和县域经济高质量发展，提升中小企业产业集群专业化、特色化、集群化发展水平，"
    "根据有关要求，经各县（市、区）自主申报、各设区市初审和专家综合评审，确定第{n}批名单。"
)
CHROME = "<div class='nav'>" + "<a href='/col/col{0}/index.html'>栏目{0}</a>" * 40 + "</div>"


def notice_version(number: int, version: int) -> tuple[Notice, bytes]:
    url = f"https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_{number}.html"
    body = "各市、县（市、区）经信局：\n" + "\n".join(PARAGRAPH.format(n=number * 10 + v) for v in range(version + 8))
    body += "\n浙江省经济和信息化厅\n2025年7月11日"
    title = f"关于公布第{number}批浙江省中小企业特色产业集群名单的通知"
    raw = f"<html><head><title>{title}</title></head><body>{CHROME * 6}<div id='zoom'>{body}</div></body></html>"
    notice = Notice(
        url=url,
        title=title,
        published_at="2025-07-16T15:51:00+08:00",
        source="浙江省经信厅",
        body=body,
        body_normalized=normalize_text(body),
        title_normalized=normalize_text(title),
    )
    return notice, raw.encode()


def build(path: Path, notices: int, versions: int) -> int:
    """Fill the database; returns the raw bytes that were stored (pages and texts)."""
    store = Store(path)
    raw_bytes = 0
    run = store.start_run(["bench"])
    for version in range(versions):
        for number in range(notices):
            notice, raw = notice_version(number, version)
            fetch = FetchOutcome("zj_jxt", notice.url, "detail", "stored", status=200)
            store.save_page(run, DetailPage("zj_jxt", notice, fetch, raw, "text/html"))
            raw_bytes += len(raw) + len(notice.body.encode()) + len(notice.body_normalized.encode())
    store.close()
    return raw_bytes


def wall(command: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    parser.add_argument("--versions", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        raw_bytes = build(path, args.notices, args.versions)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(folder).glob("bench.db*"))
        rows = args.notices * args.versions
        print(
            f"# store benchmark · {args.notices} notices × {args.versions} versions · built in {seconds:.0f} s "
            f"({rows / seconds:.0f} versions/s)"
        )
        print(
            f"database: {size / 1e6:.1f} MB · {size / args.notices / 1e3:.1f} KB per notice · "
            f"{size / rows / 1e3:.1f} KB per version"
        )
        print(f"raw bytes kept (baseline): {raw_bytes / 1e6:.1f} MB · database / raw = {size / raw_bytes:.2f}")
        crawler = [sys.executable, "-m", "crawler"]
        floor = wall([*crawler, "--version"])
        history = wall(
            [*crawler, "history", "https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_42.html", "--db", str(path)]
        )
        print(
            f"crawler history: {history * 1000:.0f} ms · start-up floor (crawler --version): {floor * 1000:.0f} ms"
            f" · ratio {history / floor:.2f}"
        )


if __name__ == "__main__":
    main()
