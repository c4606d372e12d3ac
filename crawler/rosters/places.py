"""Place names: the gazetteer of China's administrative divisions (current and former names, from
divisions.py), the split of a cluster name into province, prefecture, county and industry, and
an entry's place (adcode and point) from its province, prefecture and county."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.text import normalize_text
from crawler.rosters.divisions import division_table, divisions_by_code, former_names

_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "林区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
_CLUSTER_SUFFIXES = ("产业集群", "集群")


@dataclass(frozen=True)
class _County:
    name: str  # the current name, also when found by a former one
    city: str | None
    province: str
    adcode: str


@dataclass(frozen=True)
class _Gazetteer:
    provinces: dict[str, str]  # full or short name → full province name
    cities: dict[str, tuple[str, str]]  # full or short prefecture name → (full name, province)
    counties: dict[str, tuple[_County, ...]]  # full county-level name → its places
    counties_of: dict[str, dict[str, _County]]  # prefecture → full or short county name → county
    adcodes: dict[str, str]  # full province or prefecture name → adcode


@dataclass(frozen=True)
class Place:
    """Where an entry is: the most precise unit its names settle that has a point; ``level`` is
    that unit's (``county``, ``prefecture`` or ``province``; a municipality is a province)."""

    adcode: str
    name: str
    level: str
    latitude: float
    longitude: float


def _short(name: str) -> str:
    """``浙江省`` → ``浙江``, ``恩施土家族苗族自治州`` → ``恩施``; a one-character stem is no short form."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            for people in (
                "土家族苗族",
                "布依族苗族",
                "苗族侗族",
                "哈尼族彝族",
                "傣族景颇族",
                "藏族羌族",
                "蒙古族藏族",
                "朝鲜族",
                "哈萨克",
                "蒙古",
                "彝族",
                "白族",
                "傣族",
                "藏族",
                "回族",
                "壮族",
                "黎族",
                "傈僳族",
                "景颇族",
                "苗族",
                "侗族",
                "羌族",
            ):
                if stem.endswith(people) and len(stem) - len(people) >= 2:
                    stem = stem[: -len(people)]
                    break
            return stem
    return name


@lru_cache(maxsize=1)
def gazetteer() -> _Gazetteer:
    """Every province, prefecture and county-level division, indexed by full and short names;
    a former name (``许昌县``, ``莱芜市``) stands for its successor under the same parent, and
    makes a county name shared with other places ambiguous without its prefecture or province."""
    provinces, cities, counties, counties_of, adcodes, by_code = {}, {}, {}, {}, {}, {}

    def add_county(name: str, county: _County, short: bool = True) -> None:
        counties[name] = counties.get(name, ()) + (county,)
        if county.city:
            index = counties_of.setdefault(county.city, {})
            index.setdefault(name, county)
            if short:
                index.setdefault(_short(name), county)

    for unit in division_table():
        if unit.level == "province":
            provinces[unit.name] = provinces[_short(unit.name)] = unit.name
            adcodes[unit.name] = unit.adcode
            if unit.prefecture:  # a municipality: its own prefecture
                cities[unit.name] = cities[_short(unit.name)] = (unit.name, unit.name)
        elif unit.level == "prefecture":
            cities.setdefault(unit.name, (unit.name, unit.province))
            cities.setdefault(_short(unit.name), (unit.name, unit.province))
            adcodes[unit.name] = unit.adcode
        else:
            by_code[unit.adcode] = _County(unit.name, unit.prefecture, unit.province, unit.adcode)
            add_county(unit.name, by_code[unit.adcode])
    for former in former_names():
        unit = divisions_by_code()[former.adcode]
        if unit.level == "county":
            add_county(former.name, by_code[former.adcode], short=False)
        elif unit.level == "prefecture":
            cities.setdefault(former.name, (unit.name, unit.province))
    return _Gazetteer(provinces, cities, counties, counties_of, adcodes)


def _prefix(text: str, names) -> str | None:
    """The longest name in ``names`` that ``text`` starts with."""
    for size in range(min(len(text), 12), 1, -1):
        if text[:size] in names:
            return text[:size]
    return None


@lru_cache(maxsize=1)
def _full_names() -> frozenset[str]:
    g = gazetteer()
    return frozenset(g.provinces.values()) | frozenset(full for full, _ in g.cities.values())


def named_places(text: str) -> frozenset[str]:
    """The provinces and prefectures ``text`` names in full (``浙江省``, ``烟台市``, not ``浙江``): in a
    title, where the notice is about."""
    names, found, start = _full_names(), set(), 0
    text = normalize_text(text or "").replace(" ", "")
    while start < len(text):
        hit = _prefix(text[start:], names)
        if hit:
            found.add(hit)
        start += len(hit) if hit else 1
    return frozenset(found)


def province_name(text: str | None) -> str | None:
    """The full province name for ``浙江`` or ``浙江省``; None when it is none."""
    return gazetteer().provinces.get(normalize_text(text or "").replace(" ", "")) if text else None


def split_places(text: str, province: str | None = None) -> tuple[dict, str]:
    """The places ``text`` starts with (province, city, county) and the rest of it."""
    g = gazetteer()
    found = {"province": None, "city": None, "county": None}
    hit = _prefix(text, g.provinces)
    if hit and not (hit in g.cities and g.cities[hit][0] != g.provinces[hit]):
        found["province"], text = g.provinces[hit], text[len(hit) :]
    province = found["province"] or province_name(province)
    hit = _prefix(text, g.cities)
    county_hit = _prefix(text, g.counties)
    if hit and len(county_hit or "") <= len(hit) and (province is None or g.cities[hit][1] == province):
        (found["city"], found["province"]), text = g.cities[hit], text[len(hit) :]
        hit = _prefix(text, g.counties_of.get(found["city"], {}))
        if hit:
            found["county"], text = g.counties_of[found["city"]][hit].name, text[len(hit) :]
        return found, text
    hit = county_hit
    if hit:
        places = g.counties[hit]
        if province:
            places = tuple(p for p in places if p.province == province) or places
        if len(places) == 1:
            found.update(province=places[0].province, city=places[0].city)
        found["county"], text = places[0].name if len(places) == 1 else hit, text[len(hit) :]
    return found, text


def split_cluster_name(name: str, province: str | None = None) -> dict:
    """``杭州市滨江区具身智能机器人产业集群`` → province 浙江省, city 杭州市, county 滨江区, industry
    具身智能机器人. A county-level place with no prefecture in the name gets its prefecture from the
    divisions (``义乌市…`` → 金华市); ``province`` settles a county name several provinces share."""
    text = normalize_text(name or "").replace(" ", "").replace("\n", "")
    found, rest = split_places(text, province)
    if found["province"] is None:
        found["province"] = province_name(province)
    for suffix in _CLUSTER_SUFFIXES:
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)]
            break
    return {**found, "industry": rest or None}


def locate(province: str | None, city: str | None = None, county: str | None = None) -> Place | None:
    """The place of an entry with these columns (current, former or short names): its county when
    the names settle one, else its prefecture, else its province — the first of them with a point.
    A county name several places share settles none without its prefecture or province; a
    prefecture of another province than ``province`` is not trusted. None when nothing resolves."""
    g = gazetteer()
    province = g.provinces.get(province) if province else None
    prefecture = g.cities.get(city) if city else None
    if prefecture and province and prefecture[1] != province:
        prefecture = None
    unit = None
    if county and prefecture:
        unit = g.counties_of.get(prefecture[0], {}).get(county)
    elif county:
        places = [p for p in g.counties.get(county, ()) if province in (None, p.province)]
        unit = places[0] if len(places) == 1 else None
        if unit and unit.city:
            prefecture = g.cities[unit.city]
    province = province or (prefecture[1] if prefecture else unit.province if unit else None)
    codes = (
        unit.adcode if unit else None,
        g.adcodes[prefecture[0]] if prefecture else None,
        g.adcodes.get(province) if province else None,
    )
    for code in codes:
        division = divisions_by_code().get(code) if code else None
        if division and division.latitude is not None:
            return Place(division.adcode, division.name, division.level, division.latitude, division.longitude)
    return None
