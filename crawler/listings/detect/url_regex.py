"""URL paths generalised into regular expressions: tokens, shapes, one expression per shape.

Digit runs become ``\\d{1,2}`` (months, days), ``\\d{4}``/``\\d{6}``/``\\d{8}`` (dates) or ``\\d+``,
hash-like ids a character class of their length; the rest stays literal."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_DATE_LIKE = re.compile(r"(?:19|20)\d{2}(?:(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])?)?")


def target(url: str) -> str:
    """The path (``/`` when empty) and query of ``url``: what a pattern is learned from."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def escape(text: str) -> str:
    """``re.escape`` leaving hyphens bare, for readable patterns."""
    return re.escape(text).replace("\\-", "-")


def tokens(path: str) -> list[tuple]:
    """A URL path (and query) as tokens: ("L", text) literal, ("D", digits, attached) a digit run
    (attached: glued to letters before it, as in ``col6278``), ("X", text) a hash-like id."""
    found: list[tuple] = []
    for run in re.findall(r"[0-9A-Za-z]+|[^0-9A-Za-z]+", path):
        if run.isdigit():
            found.append(("D", run, False))
        elif re.fullmatch(r"[A-Za-z]+\d+", run):
            letters = re.match(r"[A-Za-z]+", run).group(0)
            found += [("L", letters), ("D", run[len(letters) :], True)]
        elif len(run) >= 6 and (
            re.search(r"\d", run)
            and re.search(r"[A-Za-z]", run)
            or re.search(r"[a-z]", run)
            and re.search(r"[A-Z]", run)
        ):
            found.append(("X", run))
        else:
            found.append(("L", run))
    return found


def shape(path_tokens: list[tuple]) -> tuple:
    """The tokens with their varying values dropped: paths of one shape share it."""
    return tuple(t if t[0] == "L" else (t[0], t[2]) if t[0] == "D" else ("X",) for t in path_tokens)


def _digits(values: list[str], whole_segment: bool, constant_segment: bool) -> str:
    """A digit run's expression: a date part by its length (a month or day ``\\d{1,2}``, a year
    or yyyymm(dd) exactly), a number in a folder name that every link shares (``xxgk_71033``,
    ``tzgg83``) literally, any other number ``\\d+``."""
    lengths = {len(v) for v in values}
    if len(lengths) == 1 and max(lengths) in (4, 6, 8) and all(_DATE_LIKE.fullmatch(v) for v in values):
        return rf"\d{{{max(lengths)}}}"
    if constant_segment and not whole_segment:
        return values[0]
    return r"\d{1,2}" if max(lengths) <= 2 else r"\d+"


def _id_class(values: list[str]) -> str:
    chars = set("".join(values))
    if chars <= set("0123456789abcdef"):
        cls = "[0-9a-f]"
    elif chars <= set("0123456789ABCDEF"):
        cls = "[0-9A-F]"
    elif chars <= set("0123456789abcdefghijklmnopqrstuvwxyz"):
        cls = "[0-9a-z]"
    else:
        cls = "[0-9A-Za-z]"
    lengths = sorted({len(v) for v in values})
    return f"{cls}{{{lengths[0]}}}" if len(lengths) == 1 else f"{cls}{{{lengths[0]},{lengths[-1]}}}"


def group_regex(paths: list[str]) -> str:
    """One regular expression for paths of one shape: literals kept, varying parts generalised.
    A folder every link shares keeps its numbers; the last segment (the notice's own name) never."""
    token_lists = [tokens(p) for p in paths]
    segments = [p.split("/") for p in paths]
    constant = {i for i in range(len(segments[0]) - 1) if len({s[i] for s in segments}) == 1}
    parts, segment = [], 0
    for i, token in enumerate(token_lists[0]):
        if token[0] == "L":
            parts.append(escape(token[1]))
            segment += token[1].count("/")
            continue
        values = [path_tokens[i][1] for path_tokens in token_lists]
        if token[0] == "X":
            parts.append(_id_class(values))
            continue
        before = token_lists[0][i - 1][1] if i else "/"
        after = token_lists[0][i + 1][1] if i + 1 < len(token_lists[0]) else "/"
        whole = before.endswith("/") and after.startswith(("/", ".", "?"))
        parts.append(_digits(values, whole, segment in constant))
    return "".join(parts)


def join_alternatives(regexes: list[str]) -> str:
    """``a/b/x|a/c/x`` as ``a/(?:b|c)/x`` (by path segments), for a readable pattern."""
    if len(regexes) == 1:
        return regexes[0]
    split = [r.split("/") for r in regexes]
    prefix = 0
    while all(len(s) > prefix + 1 for s in split) and len({s[prefix] for s in split}) == 1:
        prefix += 1
    suffix = 0
    while all(len(s) > prefix + suffix + 1 for s in split) and len({s[-1 - suffix] for s in split}) == 1:
        suffix += 1
    middles = sorted({"/".join(s[prefix : len(s) - suffix]) for s in split})
    tail = split[0][len(split[0]) - suffix :] if suffix else []
    return "/".join([*split[0][:prefix], f"(?:{'|'.join(middles)})", *tail])
