"""Text normalisation: pinyin glosses, Traditional→Simplified, width and whitespace."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A gloss is a parenthesised pinyin reading with at least one tone mark, directly after a Han
# character: 規(guī), 區（qū）. Real parentheses such as (市、區) or (征求意见稿) never match.
_SYLLABLE = rf"[a-zü{_TONED}]*[{_TONED}][a-zü{_TONED}]*"
# Spaces on the line before a gloss go with it (spaces between Han text are dropped anyway).
_GLOSS = re.compile(rf"(?<=[{_HAN}])(?:[^\S\r\n]|[\u200b\ufeff])*[(（]\s*{_SYLLABLE}(?:\s+{_SYLLABLE})*\s*[)）]")

_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_CJK_TEXT = rf"{_HAN}，。、；：？！“”（）《》〔〕【】"
_SPACE_BETWEEN_HAN = re.compile(rf"(?<=[{_CJK_TEXT}])\s+(?=[{_CJK_TEXT}])")
_FULLWIDTH_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_FULLWIDTH_MARKS = str.maketrans(_FULLWIDTH_PUNCT)
# A run of marks touching Han text converts whole: in ``区):`` each mark then touches a converted one.
_ASCII_PUNCT_NEAR_HAN = re.compile(rf"(?<=[{_CJK_TEXT}])[,:;?!()]+|[,:;?!()]+(?=[{_CJK_TEXT}])")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def strip_pinyin_glosses(text: str) -> str:
    """Remove pinyin readings glossed after Han characters: ``規(guī)`` → ``規``."""
    return _GLOSS.sub("", text)


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified (OpenCC ``t2s``)."""
    return _t2s().convert(text)


_HALF_WIDTH = {code: code - 0xFEE0 for code in
               [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}


def unify_width(text: str) -> str:
    """Full-width letters and digits become ASCII; ASCII punctuation touching Han text becomes
    the Chinese full-width form, so ``县(市、区):`` and ``县（市、区）：`` read the same."""
    text = text.translate(_HALF_WIDTH)
    if not any(mark in text for mark in _FULLWIDTH_PUNCT):
        return text
    return _ASCII_PUNCT_NEAR_HAN.sub(lambda m: m.group().translate(_FULLWIDTH_MARKS), text)


def clean_whitespace(text: str) -> str:
    """Collapse spaces inside each line, drop spaces between Han characters and empty lines."""
    lines = []
    for line in text.splitlines():
        line = _SPACES.sub(" ", line).strip()
        line = _SPACE_BETWEEN_HAN.sub("", line)
        if line:
            lines.append(line)
    return "\n".join(lines)


def normalize_text(text: str) -> str:
    """The comparable form of a notice text: glosses removed, Simplified, widths and spaces unified."""
    # Full-width letters become ASCII before glosses are looked for: ``區(ｑū)`` is a gloss too.
    text = unicodedata.normalize("NFC", text).translate(_HALF_WIDTH)
    text = strip_pinyin_glosses(text)
    text = to_simplified(text)
    text = unify_width(text)
    return clean_whitespace(text)
