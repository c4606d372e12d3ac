"""China's administrative divisions as shipped: divisions.csv (every province, prefecture and
county-level unit, its adcode, parents and a point: its seat, else a point inside it) and former_names.csv (older and
common names paired with the current unit), both written by ``scripts/build_divisions.py``."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files


@dataclass(frozen=True)
class Division:
    """One unit: ``level`` is ``province``, ``prefecture`` or ``county``; ``prefecture`` is the
    prefecture it is in or is (a municipality is its districts' prefecture), None for a province
    and for a county-level unit under its province directly; no point when no polygon was known.
    ``point`` says where the point is: ``seat`` (the unit's seat, a province's or prefecture's
    capital's), ``inside`` (a point inside the unit when no trustworthy seat was known), None
    without a point."""

    adcode: str
    name: str
    level: str
    province: str
    prefecture: str | None
    latitude: float | None
    longitude: float | None
    point: str | None


@dataclass(frozen=True)
class FormerName:
    """A name no longer current (``许昌县``) or a common short form (``黔南州``), named under
    ``parent`` (its prefecture, else its province), and the current unit it stands for."""

    name: str
    parent: str
    adcode: str
    source: str


def _rows(name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files("crawler.rosters").joinpath(name).read_text(encoding="utf-8"))))


@lru_cache(maxsize=1)
def division_table() -> tuple[Division, ...]:
    """Every unit of divisions.csv, in adcode order."""
    return tuple(
        Division(
            row["adcode"],
            row["name"],
            row["level"],
            row["province"],
            row["prefecture"] or None,
            float(row["latitude"]) if row["latitude"] else None,
            float(row["longitude"]) if row["longitude"] else None,
            row["point"] or None,
        )
        for row in _rows("divisions.csv")
    )


@lru_cache(maxsize=1)
def divisions_by_code() -> dict[str, Division]:
    return {division.adcode: division for division in division_table()}


@lru_cache(maxsize=1)
def former_names() -> tuple[FormerName, ...]:
    """Every row of former_names.csv."""
    return tuple(
        FormerName(row["former_name"], row["parent"], row["adcode"], row["source"]) for row in _rows("former_names.csv")
    )


@lru_cache(maxsize=1)
def places_digest() -> str:
    """sha256 of the two shipped CSVs together: a database whose places were resolved with other
    files (an earlier or later release) is resolved again."""
    digest = hashlib.sha256()
    for name in ("divisions.csv", "former_names.csv"):
        digest.update(files("crawler.rosters").joinpath(name).read_bytes())
    return digest.hexdigest()
