"""Learning a site's template: text blocks that repeat across many of its pages are chrome."""

from __future__ import annotations

from collections import Counter

from crawler.extract.blocks import element_lines, parse_html
from crawler.extract.encoding import decode_html
from crawler.extract.text import normalize_text

MIN_LENGTH = 15  # shorter repeated lines are often notice text (落款 organisations, 附件 labels)


def repeated_lines(pages: list[bytes], min_share: float = 0.6, min_pages: int = 3) -> list[str]:
    """Normalised lines of at least ``MIN_LENGTH`` characters found on at least ``min_share`` of
    ``pages`` (and on no fewer than ``min_pages``), most frequent first: the site's template text.
    Feed them to a site definition as ``[extract] chrome``."""
    counts: Counter[str] = Counter()
    for body in pages:
        tree = parse_html(decode_html(body)[0])
        root = tree.find("body")
        seen = {normalize_text(line.text) for line in element_lines(root if root is not None else tree)}
        counts.update(text for text in seen if len(text) >= MIN_LENGTH)
    needed = max(min_pages, min_share * len(pages))
    return [text for text, count in counts.most_common() if count >= needed]
