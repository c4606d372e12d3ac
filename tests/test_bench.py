"""The benchmark's generated site is a real Hanweb column: the crawler reads every notice of it, so
the benchmark measures the work of a real crawl."""

import sqlite3
import sys

from crawler.mirror import serve_mirror
from tests.conftest import FAST, ROOT, run_cli

sys.path.insert(0, str(ROOT / "bench"))
import hanweb_site  # noqa: E402 (bench/ is not a package)


def test_the_generated_site_is_crawled_whole_with_the_generated_titles(tmp_path):
    count = 100
    urls = hanweb_site.build_site(tmp_path / "tree", count)
    sizes = [(tmp_path / "tree" / hanweb_site.HOST / path.lstrip("/")).stat().st_size for path in urls["detail"]]
    assert 20 * 1024 <= min(sizes) and max(sizes) <= 40 * 1024  # 20–40 KB pages, as the issue asks
    sites = hanweb_site.write_sites_dir(tmp_path / "sites")
    db = tmp_path / "notices.db"
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
        assert len([p for _, p in base.requests if "dataproxy" in p]) == len(urls["proxy"])
    expected = {n.url: n.title for n in map(hanweb_site.make_notice, range(count))}
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("select url, title from notices"))
        bodies = [b for (b,) in conn.execute("select body from versions")]
    assert stored == expected
    assert all(b.startswith("各市、县（市、区）经信局，有关单位：") and b.endswith("日") for b in bodies)
