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
_FULLWIDTH_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_FULLWIDTH_MARKS = str.maketrans(_FULLWIDTH_PUNCT)
# A run of marks touching Han text converts whole: in ``区):`` each mark then touches a converted one.
_ASCII_PUNCT_NEAR_HAN = re.compile(rf"(?<=[{_CJK_TEXT}])[,:;?!()]+|[,:;?!()]+(?=[{_CJK_TEXT}])")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_TONE_MARK = re.compile(f"[{_TONED}]")


def strip_pinyin_glosses(text: str) -> str:
    """Remove pinyin readings glossed after Han characters: ``規(guī)`` → ``規``."""
    return _GLOSS.sub("", text) if _TONE_MARK.search(text) else text


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified (OpenCC ``t2s``)."""
    return _t2s().convert(text)


_HALF_WIDTH = {code: code - 0xFEE0 for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_FULL_WIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def _half_width(text: str) -> str:
    return text.translate(_HALF_WIDTH) if _FULL_WIDTH_ALNUM.search(text) else text


def unify_width(text: str) -> str:
    """Full-width letters and digits become ASCII; ASCII punctuation touching Han text becomes
    the Chinese full-width form, so ``县(市、区):`` and ``县（市、区）：`` read the same."""
    text = _half_width(text)
    if not any(mark in text for mark in _FULLWIDTH_PUNCT):
        return text
    return _ASCII_PUNCT_NEAR_HAN.sub(lambda m: m.group().translate(_FULLWIDTH_MARKS), text)


_SPACE_RUN = re.compile(r"[^\S\n]+")
_CJK_CHAR = re.compile(f"[{_CJK_TEXT}]")


def _drop_space_between_han(text: str) -> str:
    """Remove each run of spaces that has Han text (or Chinese punctuation) on both sides."""

    def keep_or_drop(match: re.Match) -> str:
        start, end = match.span()
        if start and end < len(text) and _CJK_CHAR.match(text, start - 1) and _CJK_CHAR.match(text, end):
            return ""
        return match.group()

    # Looking at the few space runs is faster than a lookbehind tried at every character.
    return _SPACE_RUN.sub(keep_or_drop, text)


def clean_whitespace(text: str) -> str:
    """Collapse spaces inside each line, drop spaces between Han characters and empty lines."""
    # Every line break becomes \n first, so the patterns can run over the whole text at once.
    text = _drop_space_between_han(_SPACES.sub(" ", "\n".join(text.splitlines())))
    return "\n".join(line for line in map(str.strip, text.split("\n")) if line)


def normalize_text(text: str) -> str:
    """The comparable form of a notice text: glosses removed, Simplified, widths and spaces unified."""
    # Full-width letters become ASCII before glosses are looked for: ``區(ｑū)`` is a gloss too.
    text = _half_width(unicodedata.normalize("NFC", text))
    text = strip_pinyin_glosses(text)
    text = to_simplified(text) if not text.isascii() else text
    text = unify_width(text)
    return clean_whitespace(text)


@lru_cache(maxsize=16384)
def normalize_line(line: str) -> str:
    """:func:`normalize_text` of one line, remembered: a site's chrome lines recur on every page."""
    return normalize_text(line)
