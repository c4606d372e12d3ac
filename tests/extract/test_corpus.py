"""Every field of every page of the fixture corpus against its gold (tests/fixtures/extract/)."""

import json
import re
from pathlib import Path

import pytest

from crawler.extract import extract_notice

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "extract"
PAGES = sorted(p for p in CORPUS.glob("*/*.json") if not p.parent.name.startswith("_"))
FIELDS = (
    "title",
    "published_at",
    "source",
    "doc_number",
    "addressees",
    "issuer",
    "signed_at",
    "body",
    "attachments",
    "index",
)
REQUIRED_SHARE = 0.97


def _space(text):
    return "\n".join(re.sub(r"[\s\u3000\xa0]+", " ", line).strip() for line in (text or "").split("\n")) or None


def comparable(field, value):
    """The field as compared: whitespace runs as one space; attachments as (name, url, type)."""
    if field == "attachments":
        return sorted((_space(a["name"]), a["url"], a.get("file_type")) for a in value or [])
    if field == "index":
        return {k: _space(v) for k, v in value.items()} if value else None
    return _space(value) if isinstance(value, str) else value


@pytest.fixture(scope="module")
def extracted():
    results = {}
    for gold_path in PAGES:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        notice = extract_notice(gold["url"], gold_path.with_suffix(".html").read_bytes()).to_dict()
        results[gold_path.relative_to(CORPUS).as_posix()] = (gold, notice)
    return results


def test_the_corpus_is_large_and_varied():
    assert len(PAGES) >= 60 and len({p.parent.name for p in PAGES}) >= 12


@pytest.mark.parametrize("field", FIELDS)
def test_each_field_is_exact_on_nearly_every_page(extracted, field):
    wrong = {
        name: (comparable(field, gold.get(field)), comparable(field, got.get(field)))
        for name, (gold, got) in extracted.items()
        if comparable(field, gold.get(field)) != comparable(field, got.get(field))
    }
    share = 1 - len(wrong) / len(extracted)
    detail = "\n".join(f"{name}: gold {g!r:.200} got {o!r:.200}" for name, (g, o) in sorted(wrong.items()))
    assert share >= REQUIRED_SHARE, f"{field} exact on {share:.1%} of pages\n{detail}"


@pytest.mark.parametrize("page", [p.relative_to(CORPUS).as_posix() for p in PAGES])
def test_no_boilerplate_leaks_into_the_body(extracted, page):
    gold, got = extracted[page]
    compact = re.sub(r"\s+", "", got["body"])
    leaked = [text for text in gold.get("must_not_contain", []) if re.sub(r"\s+", "", text) in compact]
    assert not leaked
