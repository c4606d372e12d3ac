"""Clusters a notice's running text mentions (``确定杭州市滨江区具身智能机器人产业集群等17个产业集群``):
the count it states, and the names in it that are cluster names — a place, an industry and 产业集群 —
never phrases such as 加快提升集群 or 中小企业特色产业集群."""

from __future__ import annotations

import re

from crawler.extract.text import normalize_text
from crawler.rosters.places import split_places

SUFFIX = "产业集群"
_COUNT = re.compile(r"等\s*(\d+)\s*个[^，。,；;]*?集群")
_RUN = re.compile(r"[\u4e00-\u9fff（）()]{1,30}$")  # the words right before a 产业集群
_INDUSTRY = re.compile(r"[\u4e00-\u9fff（）()、·]{2,20}")
# An industry names a product or a trade; these make it a phrase about clusters in general.
_GENERIC = (
    "的",
    "中小企业",
    "特色",
    "先进制造",
    "战略性新兴",
    "集群",
    "本地区",
    "本地",
    "全省",
    "全市",
    "名单",
    "认定",
    "申报",
    "培育",
    "复核",
    "公示",
    "公布",
    "各地",
    "我省",
    "我市",
    "有关",
    "重点",
    "相关",
    "以上",
    "下列",
)
_VERBS = (
    "要",
    "将",
    "把",
    "对",
    "为",
    "在",
    "是",
    "等",
    "及",
    "和",
    "与",
    "加快",
    "加强",
    "提升",
    "推动",
    "推进",
    "建立",
    "健全",
    "打造",
    "支持",
    "促进",
    "发展",
    "引导",
    "做强",
    "做大",
    "壮大",
    "聚焦",
    "围绕",
    "确定",
)


def is_cluster_name(name: str, province: str | None = None) -> bool:
    """True for a name that is a place (province, prefecture or county), an industry and 产业集群:
    ``杭州市滨江区具身智能机器人产业集群``; false for ``加快提升集群``, ``各地要制定和完善本地区集群``
    or ``浙江省中小企业特色产业集群``."""
    return _is_cluster_name(normalize_text(name or "").replace(" ", "").replace("\n", ""), province)


def _is_cluster_name(text: str, province: str | None) -> bool:
    if not text.endswith(SUFFIX):
        return False
    places, rest = split_places(text[: -len(SUFFIX)], province)
    return (
        any(places.values())
        and bool(_INDUSTRY.fullmatch(rest))
        and not rest.startswith(_VERBS)
        and not any(word in rest for word in _GENERIC)
    )


def cluster_names_in_text(text: str, province: str | None = None) -> list[str]:
    """Every cluster name the text mentions, once each, in order: for each 产业集群 the longest run
    of words before it that makes a cluster name (``确定杭州市…产业集群`` gives ``杭州市…产业集群``)."""
    text = normalize_text(text or "")
    names: list[str] = []
    for match in re.finditer(SUFFIX, text):
        run = _RUN.search(text, max(0, match.start() - 30), match.start())
        words = run.group(0) if run else ""
        for start in range(len(words) - 1):
            candidate = words[start:] + SUFFIX
            if _is_cluster_name(candidate, province):
                if candidate not in names:
                    names.append(candidate)
                break
    return names


def stated_count(text: str) -> int | None:
    """The number of clusters the text says the list holds (``等17个产业集群`` → 17), if it says."""
    match = _COUNT.search(normalize_text(text or ""))
    return int(match.group(1)) if match else None
