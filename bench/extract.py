"""Extraction benchmark: crawler's extractor against trafilatura and readability-lxml, one process.

Page sets: the fixture corpus (tests/fixtures/extract/<template>/<page>.html + .json gold); the
project's set of real pages (bench/realset/pages, gold written by reading each page), whole and by
part: government pages, and the pages held out while rules were written (split "test"); and, when it
sits beside the checkout, the shared measuring set (../shared/eval/extraction/pages). Extractors:
ours, trafilatura, readability-lxml and GNE (each skipped when not installed). For each extractor: body F1 over character bigrams (the measuring set's metric), title exact, date
(YYYY-MM-DD) exact, boilerplate leak rate, pages/s (CPU time inside the extractor), and our pages/s
over trafilatura's. Last, the CPU time of our extractor on hostile pages (empty, binary, 10 MB).
Run with `make bench`.
"""

from __future__ import annotations

import json
import os
import platform
import re
import time
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REALSET = ROOT / "bench" / "realset" / "pages"
# name: (folder, which of its pages by their gold, or None for all)
SETS = {
    "fixtures": (ROOT / "tests" / "fixtures" / "extract", None),
    "realset": (REALSET, None),
    "realset government": (REALSET, lambda gold: ".gov.cn" in (gold.get("url") or "")),
    "realset held out": (REALSET, lambda gold: gold.get("split") == "test"),
    "shared": (ROOT.parent / "shared" / "eval" / "extraction" / "pages", None),
}


def _compact(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _bigrams(text: str) -> Counter:
    chars = "".join(ch for ch in unicodedata.normalize("NFKC", text or "").lower() if ch.isalnum())
    return Counter([chars]) if len(chars) == 1 else Counter(chars[i : i + 2] for i in range(len(chars) - 1))


def body_f1(got: str, gold: str) -> float:
    """F1 over the multisets of character bigrams of the normalised texts."""
    a, b = _bigrams(got), _bigrams(gold)
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def load(directory: Path, wanted=None) -> list[tuple[bytes, dict]]:
    """(page bytes, gold) for every page with a gold JSON beside it (that ``wanted(gold)`` accepts)."""
    pages = []
    for gold_path in sorted(directory.rglob("*.json")):
        html = gold_path.with_suffix(".html")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if html.exists() and (wanted is None or wanted(gold)):
            pages.append((html.read_bytes(), gold))
    return pages


def ours(body: bytes, url: str) -> dict:
    from crawler.extract import extract_notice

    notice = extract_notice(url, body)
    return {"title": notice.title, "body": notice.body, "published_at": notice.published_at}


def trafilatura_extract(body: bytes, url: str) -> dict:
    import trafilatura

    from crawler.extract.encoding import decode_html

    result = trafilatura.extract(decode_html(body)[0], url=url or None, output_format="json", with_metadata=True)
    data = json.loads(result) if result else {}
    return {"title": data.get("title"), "body": data.get("text") or "", "published_at": data.get("date")}


def readability_extract(body: bytes, url: str) -> dict:
    from readability import Document

    from crawler.extract.blocks import element_text, parse_html
    from crawler.extract.encoding import decode_html

    document = Document(decode_html(body)[0])
    return {"title": document.short_title(), "body": element_text(parse_html(document.summary())), "published_at": None}


def gne_extract(body: bytes, url: str) -> dict:
    from gne import GeneralNewsExtractor

    from crawler.extract.dates import find_date
    from crawler.extract.encoding import decode_html

    result = GeneralNewsExtractor().extract(decode_html(body)[0])
    return {
        "title": result.get("title"),
        "body": result.get("content") or "",
        "published_at": find_date(result.get("publish_time") or ""),
    }  # its dates come in many forms


EXTRACTORS = {
    "crawler": ours,
    "trafilatura": trafilatura_extract,
    "readability": readability_extract,
    "gne": gne_extract,
}


def measure(function, pages) -> dict:
    """Quality and speed of one extractor over one page set."""
    f1s, titles, dates, leaks, strings, elapsed = [], [], [], 0, 0, 0.0
    for body, gold in pages:
        started = time.process_time()
        try:
            got = function(body, gold.get("url") or "")
        except Exception:  # noqa: BLE001 — a reference tool failing on a page scores zero there
            got = {"title": None, "body": "", "published_at": None}
        elapsed += time.process_time() - started
        f1s.append(body_f1(got["body"], gold["body"]))
        if gold.get("title"):
            titles.append(_compact(got["title"]) == _compact(gold["title"]))
        gold_date = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", gold.get("published_at") or "")
        if gold_date:
            wanted = f"{gold_date[1]}-{int(gold_date[2]):02d}-{int(gold_date[3]):02d}"
            dates.append((got["published_at"] or "")[:10] == wanted)
        body_text = _compact(got["body"])
        for text in gold.get("must_not_contain") or ():
            strings += 1
            leaks += _compact(text) in body_text
    mean = lambda values: sum(values) / len(values) if values else float("nan")  # noqa: E731
    return {
        "f1": mean(f1s),
        "title": mean(titles),
        "date": mean(dates),
        "leak": leaks / strings if strings else 0.0,
        "pages_per_s": len(pages) / elapsed if elapsed else float("inf"),
    }


def hostile_pages() -> dict[str, bytes]:
    """Pages that must give empty fields or an error quickly."""
    paragraph = "<p>各市经信局：现将有关事项通知如下，请认真贯彻落实。</p>\n"
    return {
        "empty": b"",
        "random 1 MB": os.urandom(1_000_000),
        "pdf": b"%PDF-1.7\n" + os.urandom(500_000),
        "10 MB paragraphs": ("<html><body>" + paragraph * 200_000).encode(),
        "10 MB table": ("<html><body><table>" + "<tr><td>1</td><td>浙江某某公司</td></tr>" * 250_000).encode(),
        "deep nesting": b"<html><body>" + b"<div>" * 50_000 + b"</div>" * 50_000,
    }


def main() -> None:
    available = {}
    for name, function in EXTRACTORS.items():
        try:
            function(b"<html><body><p>test</p></body></html>", "")
            available[name] = function
        except ImportError as missing:
            print(f"({name} not installed: {missing}; pip install trafilatura lxml_html_clean readability-lxml gne)")
    print(f"# extraction benchmark · {date.today()} · {platform.machine()} · Python {platform.python_version()}")
    for set_name, (directory, wanted) in SETS.items():
        pages = load(directory, wanted) if directory.is_dir() else []
        if not pages:
            print(f"\n{set_name}: no pages at {directory}")
            continue
        print(f"\n{set_name} ({len(pages)} pages, {directory})")
        print(f"{'extractor':<13}{'body F1':>9}{'title':>8}{'date':>8}{'leak':>8}{'pages/s':>10}")
        results = {}
        for name, function in available.items():  # the second round is warm; keep its speed
            first, second = measure(function, pages), measure(function, pages)
            results[name] = {**first, "pages_per_s": max(first["pages_per_s"], second["pages_per_s"])}
        for name, r in results.items():
            print(
                f"{name:<13}{r['f1']:>9.3f}{r['title']:>8.2f}{r['date']:>8.2f}{r['leak']:>8.3f}{r['pages_per_s']:>10.1f}"
            )
        if "trafilatura" in results:
            ratio = results["crawler"]["pages_per_s"] / results["trafilatura"]["pages_per_s"]
            print(f"speed ratio crawler / trafilatura: {ratio:.2f}x")
    print()
    slowest = 0.0
    for name, body in hostile_pages().items():
        started = time.process_time()
        ours(body, "")
        spent = time.process_time() - started
        slowest = max(slowest, spent)
        print(f"hostile page {name:<18}{spent:6.2f} s CPU")
    print(f"slowest hostile page: {slowest:.2f} s CPU (target: under 2 s)")


if __name__ == "__main__":
    main()
