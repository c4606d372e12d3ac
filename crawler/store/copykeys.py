"""Copy keys: a few numbers per notice under which its copies on other sites are found without
reading the text of every notice of the week (``story_keys``, read by the store's story matching).

A key is the CRC-32 of a 12-character run of the text's loose key (no punctuation, spacing or
numbering) that starts at an anchor: a character whose code point is a multiple of 8 (about one
character in six of Chinese notice text). Anchors depend on the text alone, not on where a run
sits, so two copies of a passage give it the same keys whatever surrounds it. A notice keeps its
keys whose CRC is a multiple of 4 (about one key per 23 characters), or all of them while its loose
key is shorter than ``ALL_KEYS_BELOW`` characters; a new notice is looked up under all of its keys,
and a candidate must share a quarter of the keys the smaller of the two has (:func:`may_hold`)
before its text is read and the story rule (80% of the smaller text's 3-grams) decides.

Where keys cannot be trusted, texts are compared as before, one by one: a text too short to have
keys (under ``TINY`` characters) keeps the key 0, which every look-up includes; a new text under
``SCAN_BELOW`` characters, too short to share enough of a long text's kept quarter, is compared
with every notice of its week."""

from __future__ import annotations

import re
import zlib
from datetime import date
from functools import lru_cache

from crawler.store.versions import loose_key

RUN = 12
STEP = 8  # an anchor is a character whose code point is a multiple of STEP
KEEP = 4  # a notice keeps the keys that are multiples of KEEP …
ALL_KEYS_BELOW = 640  # … or all of them while its loose key is shorter than this
TINY = 64  # a loose key shorter than this has too few keys: it is always a candidate
SCAN_BELOW = 150  # a new text shorter than this is compared with every notice of its week
ALWAYS = 0  # the key of a notice too short to have keys
SPAN = 16  # rows are kept by spans of 16 days, then by key: a new notice's rows sit together

_ANCHOR = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(STEP * 4, 0xFFFF, STEP) if not 0xD800 <= c < 0xE000) + "]"
)


@lru_cache(maxsize=4)
def _all_keys(text: str) -> tuple[tuple[int, ...], int] | None:
    """Every key of ``text``, sorted, and the length of its loose key; None for a text too short to
    have keys. A stored page is looked up, then keeps its keys: computed once."""
    key = loose_key(text)
    if len(key) < TINY:
        return None
    data = key.encode("utf-32-le")  # four bytes a character: a run is a slice of the bytes
    width, last = 4 * RUN, len(key) - RUN
    # 0 is ALWAYS's: a run whose CRC is 0 gets the key KEEP, on both sides.
    keys = {
        zlib.crc32(data[4 * i : 4 * i + width]) or KEEP for i in (m.start() for m in _ANCHOR.finditer(key)) if i <= last
    }
    return tuple(sorted(keys)), len(key)


def lookup_keys(text: str) -> list[int] | None:
    """Every key of ``text`` (with ``ALWAYS``), under which its copies are looked up; None for a
    text shorter than ``SCAN_BELOW``, which is compared with every notice of its week instead: a
    long text keeps a quarter of its keys, too few of them in a short passage it holds."""
    keys = _all_keys(text)
    if keys is None or keys[1] < SCAN_BELOW:
        return None
    return [ALWAYS, *keys[0]]


def kept_keys(text: str) -> tuple[list[int], bool]:
    """The keys a notice keeps for ``text`` and whether they are all its keys: those that are
    multiples of ``KEEP`` (all of them for a short text), or ``[ALWAYS]`` for a text too short to
    have keys."""
    keys = _all_keys(text)
    if keys is None:
        return [ALWAYS], True
    keys, length = keys
    if length < ALL_KEYS_BELOW:
        return list(keys), True
    return [k for k in keys if k % KEEP == 0] or [ALWAYS], False


def may_hold(shared: int, kept: int, every: bool, looked_up: tuple[int, int]) -> bool:
    """Whether a notice that keeps ``kept`` keys (``every``: all of its keys) and shares ``shared``
    of them with a text looked up under ``looked_up`` keys (all of them, and those a long text
    keeps: :func:`key_counts`) may share the story rule's 80% with it. A short notice (it keeps all
    its keys) needs an eighth of its keys: texts sharing 80% of their 3-grams in a few sentences of
    another share as few as a fifth of their 12-character runs, which are cut where the texts part;
    one run of boilerplate is not enough. Two long texts need a quarter of the kept keys of the
    smaller one (copies share nearly all), or any when the smaller one keeps fewer than 12."""
    if every:
        return shared >= kept / 8
    smaller = min(kept, looked_up[1])
    return shared >= (smaller / 4 if smaller >= 12 else 1)


def key_counts(keys: list[int]) -> tuple[int, int]:
    """How many keys a text looked up under ``keys`` has: all of them, and those a long text keeps."""
    return len(keys) - 1, sum(1 for k in keys if k and k % KEEP == 0)


def story_day(published_at: str | None, first_seen_at: str | None) -> int | None:
    """The day a notice is matched on (its publish time, else when it was first seen), as a day number."""
    try:
        return date.fromisoformat((published_at or first_seen_at or "")[:10]).toordinal()
    except ValueError:
        return None


def create_table(db) -> None:
    """``story_keys``: one row per kept key of each notice, with its story day, how many keys it keeps
    and whether they are all of its keys. Rows are ordered by span of days, then key: a look-up reads
    the rows of its keys in the one or two spans its week touches, and the rows a new notice adds
    sit together (ordered by key alone, each key of each new notice would change another page)."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS story_keys (span INTEGER NOT NULL, key INTEGER NOT NULL, day INTEGER NOT NULL,"
        " notice_id INTEGER NOT NULL, kept INTEGER NOT NULL, every INTEGER NOT NULL,"
        " PRIMARY KEY (span, key, day, notice_id)) WITHOUT ROWID"
    )


def key_rows(notice_id: int, text: str | None, day: int | None) -> list[tuple[int, int, int, int, int, int]]:
    """The ``story_keys`` rows of a notice (none without a day)."""
    if day is None:
        return []
    keys, every = kept_keys(text or "")
    return [(day // SPAN, key, day, notice_id, len(keys), int(every)) for key in keys]


def spans(low: int, high: int) -> list[int]:
    """The spans the days ``low`` to ``high`` touch."""
    return list(range(low // SPAN, high // SPAN + 1))


INSERT = "INSERT OR IGNORE INTO story_keys (span, key, day, notice_id, kept, every) VALUES (?, ?, ?, ?, ?, ?)"
DELETE = "DELETE FROM story_keys WHERE span = ? AND key = ? AND day = ? AND notice_id = ?"


def fill_table(db) -> None:
    """Keys for every notice (a database written before story_keys), a thousand notices at a time."""
    last = 0
    while True:
        rows = db.execute(
            "select id, body_normalized, published_at, first_seen_at from notices where id > ? order by id limit 1000",
            [last],
        ).fetchall()
        if not rows:
            return
        for notice_id, text, published_at, first_seen_at in rows:
            db.conn.executemany(INSERT, key_rows(notice_id, text, story_day(published_at, first_seen_at)))
        last = rows[-1][0]
