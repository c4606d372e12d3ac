"""Extraction speed: crawler's extract_notice against trafilatura on the same pages, same run.

Pages: every recorded detail page under tests/fixtures/sites, plus the shared measuring set when it
sits beside the checkout (../shared/eval/extraction/pages). Prints pages/s of each and the ratio.
Run with `make bench` (installs trafilatura into .venv first).
"""

from __future__ import annotations

import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pages() -> list[Path]:
    found = [p for p in (ROOT / "tests" / "fixtures" / "sites").rglob("*.html") if "/art/" in str(p) or "/news/" in str(p)]
    shared = ROOT.parent / "shared" / "eval" / "extraction" / "pages"
    if shared.is_dir():
        found += sorted(shared.glob("*.html"))
    return found


def timed(label: str, function, bodies: list[bytes], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for body in bodies:
            function(body)
        best = min(best, time.process_time() - started)
    rate = len(bodies) / best
    print(f"{label:<14}{rate:9.1f} pages/s (CPU, best of {rounds})")
    return rate


def main() -> None:
    from crawler.extract import extract_notice

    try:
        import trafilatura
    except ImportError:
        sys.exit("trafilatura is not installed: pip install trafilatura")
    files = pages()
    bodies = [p.read_bytes() for p in files]
    texts = [b.decode("utf-8", errors="replace") for b in bodies]
    print(f"{date.today()} · {platform.processor() or platform.machine()} · Python {platform.python_version()} · {len(files)} pages")
    ours = timed("crawler", lambda body: extract_notice("https://example.gov.cn/a.html", body), bodies)
    text_iter = iter(texts * 3)
    theirs = timed("trafilatura", lambda _: trafilatura.extract(next(text_iter), output_format="json", with_metadata=True), bodies)
    print(f"ratio crawler/trafilatura: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
