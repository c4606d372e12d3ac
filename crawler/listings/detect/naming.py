"""What a starter definition is called: the page's title, the definition's name, the site's province."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsel import Selector

from crawler.listings.detect.links import clean_text
from crawler.rosters.places import gazetteer

_GENERIC_LABELS = ("www", "gov", "cn", "com", "net", "org", "edu")
# The province label of provincial hosts (``jxt.zj.gov.cn``); ambiguous short forms are left out.
_HOST_PROVINCES = {
    "beijing": "北京",
    "bj": "北京",
    "tianjin": "天津",
    "tj": "天津",
    "hebei": "河北",
    "shanxi": "山西",
    "nmg": "内蒙古",
    "liaoning": "辽宁",
    "ln": "辽宁",
    "jilin": "吉林",
    "jl": "吉林",
    "hlj": "黑龙江",
    "shanghai": "上海",
    "sh": "上海",
    "jiangsu": "江苏",
    "js": "江苏",
    "zhejiang": "浙江",
    "zj": "浙江",
    "anhui": "安徽",
    "ah": "安徽",
    "fujian": "福建",
    "fj": "福建",
    "jiangxi": "江西",
    "jx": "江西",
    "shandong": "山东",
    "sd": "山东",
    "henan": "河南",
    "hubei": "湖北",
    "hunan": "湖南",
    "guangdong": "广东",
    "gd": "广东",
    "gxzf": "广西",
    "hainan": "海南",
    "chongqing": "重庆",
    "cq": "重庆",
    "sichuan": "四川",
    "sc": "四川",
    "guizhou": "贵州",
    "yunnan": "云南",
    "yn": "云南",
    "xizang": "西藏",
    "shaanxi": "陕西",
    "gansu": "甘肃",
    "qinghai": "青海",
    "ningxia": "宁夏",
    "nx": "宁夏",
    "xinjiang": "新疆",
}


def page_title(document: Selector) -> str | None:
    """``site · column`` from the page's SiteName and ColumnName meta tags, else its <title>."""
    site = clean_text(document.css("meta[name=SiteName]::attr(content)").get())
    column = clean_text(document.css("meta[name=ColumnName]::attr(content)").get())
    if site and column:
        return f"{site} · {column}"
    return title_parts(clean_text(document.css("title::text").get())) or site or None


def title_parts(title: str) -> str:
    """A page title as ``publisher · column`` (``通知公告-湖南省工业和信息化厅`` → ``湖南省工业和信息化厅 · 通知公告``)."""
    if not title:
        return title
    parts = [p.strip() for p in re.split(r"\s*[-_|｜–—]+\s*|\s+", title) if p.strip()]
    if len(parts) >= 2:
        owner = [p for p in parts if re.search(r"(?:厅|局|委员会|委|部|办公室|政府|网|资讯|中心)$", p)]
        if owner:
            rest = [p for p in parts if p not in owner]
            return " · ".join([owner[-1], *rest]) if rest else owner[-1]
    return title


def site_name(url: str) -> str:
    """A definition name from the host: ``jxt.zj.gov.cn`` → ``zj_jxt``, ``news.mysteel.com`` →
    ``mysteel_news``."""
    host = (urlsplit(url).hostname or "").lower()
    labels = [label for label in host.split(".") if label and label not in _GENERIC_LABELS]
    name = "_".join(reversed(labels)) or "site"
    name = re.sub(r"[^a-z0-9_]+", "_", name).strip("_") or "site"
    return name if name[0].isalpha() else f"site_{name}"


def guess_province(url: str, title: str | None) -> str | None:
    """The province a page belongs to: the first one its title names (``浙江``), else the host's
    province label (``jxt.zj.gov.cn``); ``全国`` for a ministry's host (``www.miit.gov.cn``) and for
    other sites."""
    if title:
        # The gazetteer maps full and short names to the full name: its short names are the other keys.
        found = [
            (title.find(short), short)
            for short, full in gazetteer().provinces.items()
            if short != full and short in title
        ]
        if found:
            return min(found)[1]
    host = (urlsplit(url).hostname or "").lower()
    labels = [label for label in host.split(".") if label != "www"]
    if host.endswith(".gov.cn"):
        if len(labels) <= 3:  # www.gov.cn, miit.gov.cn: national
            return "全国"
        return _HOST_PROVINCES.get(labels[-3])
    return "全国" if host else None
