"""What makes a version: the content hash of a normalised notice, the looser key under which a
change is only ``minor``, and a readable sentence-then-character diff for Chinese text."""

from __future__ import annotations

import difflib
import hashlib
import json
import re

from crawler.extract import Notice

# List numbering that opens a line or sentence: 一、 （一） (1) 1. 1、 ①
_NUMBERING = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]\d+[)）]|\d+[.．、](?!\d)|[①-⑳])\s*")
_PUNCTUATION_AND_SPACE = re.compile(r"[\s\u3000\W_]+")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")


def content_hash(notice: Notice) -> str:
    """sha256 of the normalised title, publish time, body and attachment list. Page chrome, the
    raw spelling (Traditional, glosses, widths) and the attachments' order do not count, nor do
    fields read from these (the kind, the application deadline): a new reading of them alone makes
    no version."""
    payload = {
        "title": notice.title_normalized or "",
        "published_at": notice.published_at or "",
        "body": notice.body_normalized,
        "attachments": sorted((a.name, a.url) for a in notice.attachments),
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def loose_key(text: str) -> str:
    """Text without list numbering, punctuation and whitespace: two versions with the same loose
    key differ only in those, which is a ``minor`` change."""
    lines = (_NUMBERING.sub("", line) for line in (text or "").splitlines())
    return _PUNCTUATION_AND_SPACE.sub("", "".join(lines))


def shingles(text: str, size: int = 3) -> set[str]:
    """Character ``size``-grams of a text's loose key: the fingerprint that finds copies of one
    notice on several sites."""
    key = loose_key(text)
    return {key[i : i + size] for i in range(max(len(key) - size + 1, 1))} if key else set()


def containment(first: set[str], second: set[str]) -> float:
    """Share of the smaller fingerprint found in the larger one (1.0 when one text holds the other)."""
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def sentences(text: str) -> list[str]:
    """Sentences of a notice: split after 。！？； and at line breaks."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def _comparable(sentence: str) -> str:
    return _NUMBERING.sub("", sentence)


def _inline(before: str, after: str) -> str:
    """One sentence pair marked at character level: ``等[-17-]{+18+}个``."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    parts = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(before[a1:a2])
        else:
            if a2 > a1:
                parts.append(f"[-{before[a1:a2]}-]")
            if b2 > b1:
                parts.append(f"{{+{after[b1:b2]}+}}")
    return "".join(parts)


def text_diff(before: str, after: str) -> str:
    """A readable diff of two normalised bodies: removed sentences as ``- …``, added as ``+ …``,
    and a changed sentence as ``~ …`` with its characters marked ``[-old-]{+new+}``. List
    numbering is ignored when sentences are compared, so renumbering alone shows nothing."""
    old, new = sentences(before), sentences(after)
    matcher = difflib.SequenceMatcher(
        None, [_comparable(s) for s in old], [_comparable(s) for s in new], autojunk=False
    )
    out: list[str] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = old[a1:a2], new[b1:b2]
        while removed and added:
            first, second = removed.pop(0), added.pop(0)
            if difflib.SequenceMatcher(None, first, second, autojunk=False).ratio() >= 0.5:
                out.append(f"~ {_inline(_comparable(first), _comparable(second))}")
            else:
                out.extend((f"- {first}", f"+ {second}"))
        out.extend(f"- {s}" for s in removed)
        out.extend(f"+ {s}" for s in added)
    return "\n".join(out)
