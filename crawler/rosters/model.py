"""The records a parsed list gives: one Entry per row, and the ParsedRoster of a whole file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One row of a published list: a cluster's name as published, its places and other columns."""

    seq: int
    name: str
    name_normalized: str
    province: str | None
    city: str | None
    county: str | None
    industry: str | None
    extra: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class ParsedRoster:
    """What one attachment came to: ``parsed``, ``empty``, ``unparsed`` or ``refused`` (with a reason)."""

    status: str
    reason: str | None
    file_type: str
    entries: tuple[Entry, ...] = ()
