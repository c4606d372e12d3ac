"""What a listing says about one notice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListingEntry:
    """A notice as a listing shows it: its URL and, where the list has them, title and date."""

    url: str
    title: str | None = None
    date: str | None = None
