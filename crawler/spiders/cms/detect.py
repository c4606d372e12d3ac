"""Naming a listing page's CMS family and learning a starter site definition from it (no network).

:func:`detect` reads one page (HTML, a JSON list answer or a feed) and its URL, and returns a
:class:`Detection`: the listing adapter of the family and a human label, the markers it went by,
the detail-URL pattern learned from the page's own links, and the listing options it could read
(item selector, pager pattern, page size, JSON record fields). :func:`starter_toml` prints it as a
site definition for ``crawler/sites/``: a start, to be checked with ``crawler sites --check``.

Markers, strongest first:

- RSS/Atom: the document's root is ``<rss>``, ``<feed>`` or ``<rdf:RDF>``.
- JSON answers: gkmlpt (``articles`` + ``classify``, ``/gkmlpt/content/`` links), the jpaas build
  API (``data.html``, a rendered list), jpaas ``/queryList`` (``results[].source`` with ``urls``
  ``{"pc": …}``, ``webSiteCode``/``channelCode``), else a record list with URL fields (trs_json;
  TRS field names such as ``docpuburl``/``doctitle`` make it "TRS JSON list").
- HTML: Hanweb jcms (``<script type="text/xml">`` records in a ``<datastore>``, ``dataproxy.jsp``,
  ``jpage(``, ``jcms_files``), the shells of jpaas, jpaas queryList and gkmlpt (their API paths in
  the page; the list itself is not on it), Anhui's ``Ls.pagination`` platform, TRS WCM static
  columns (``createPageHTML(`` and ``countPage``, ``t20250717_5731942.html`` links), NFCMS (南方
  CMS of Guangdong's sites: ``nfcms`` in the page or ``/content/post_N.html`` links, read with the
  plain-list adapter), else a plain list (html_list).

The detail pattern is learned from the same-site links that repeat one URL shape with notice-like
titles (long link text or a date beside it): digit runs become ``\\d{1,2}`` (months, days),
``\\d{4}``/``\\d{6}``/``\\d{8}`` (dates) or ``\\d+``, hash-like ids a character class of their
length, the rest stays literal; shapes of other links in the same list block join it as an
alternative."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.extract.encoding import decode_html

_TRS_DETAIL = re.compile(r"/t(?:19|20)\d{6}_\d+(?:_\d+)?\.s?html?$")
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2})?")
_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后页|next|›|»|>>)$", re.I)
_SKIP_HREF = ("javascript:", "#", "mailto:", "tel:", "data:")
_TITLE_CHARS = 10  # link text this long reads as a notice title, not a menu entry
_TRS_FIELDS = {"docpuburl", "doctitle", "chnldocurl", "docreltime", "docpubtime"}
# Record fields that usually hold a notice's link, title and date, in the order they are preferred.
_URL_KEYS = ("docpuburl", "url", "chnldocurl", "link", "href", "puburl", "post_url", "urls")
_PAGE_PARAMS = ("page", "pageNumber", "pageNo", "current", "pageIndex", "curPage")
_PROVINCES = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
              "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西",
              "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾")
# The province label of provincial hosts (``jxt.zj.gov.cn``); ambiguous short forms are left out.
_HOST_PROVINCES = {
    "beijing": "北京", "bj": "北京", "tianjin": "天津", "tj": "天津", "hebei": "河北", "shanxi": "山西", "nmg": "内蒙古",
    "liaoning": "辽宁", "ln": "辽宁", "jilin": "吉林", "jl": "吉林", "hlj": "黑龙江", "shanghai": "上海", "sh": "上海",
    "jiangsu": "江苏", "js": "江苏", "zhejiang": "浙江", "zj": "浙江", "anhui": "安徽", "ah": "安徽", "fujian": "福建",
    "fj": "福建", "jiangxi": "江西", "jx": "江西", "shandong": "山东", "sd": "山东", "henan": "河南", "hubei": "湖北",
    "hunan": "湖南", "guangdong": "广东", "gd": "广东", "gxzf": "广西", "hainan": "海南", "chongqing": "重庆", "cq": "重庆",
    "sichuan": "四川", "sc": "四川", "guizhou": "贵州", "yunnan": "云南", "yn": "云南", "xizang": "西藏",
    "shaanxi": "陕西", "gansu": "甘肃", "qinghai": "青海", "ningxia": "宁夏", "nx": "宁夏", "xinjiang": "新疆",
}


@dataclass(frozen=True)
class Link:
    """A link of the page: absolute URL, its title text, whether a date sits beside it, and its
    element in the page (None for links read from records, JSON or a feed)."""

    url: str
    text: str = ""
    dated: bool = False
    element: object | None = None

    @property
    def notice_like(self) -> bool:
        return len(self.text) >= _TITLE_CHARS or self.dated


@dataclass(frozen=True)
class Detection:
    """What :func:`detect` made of a listing page."""

    url: str
    adapter: str  # one of crawler.siteconf.ADAPTERS
    label: str  # the family as people name it: "Hanweb jcms datastore", "TRS", "NFCMS", "plain list" …
    evidence: tuple[str, ...]
    url_pattern: str | None = None
    detail_links: tuple[str, ...] = ()
    item_selector: str | None = None
    next_page_pattern: str | None = None
    title: str | None = None
    start_url: str | None = None
    listing: dict = field(default_factory=dict)  # further [listing] options: per_page, records, url_fields …
    notes: tuple[str, ...] = ()  # what the definition still needs by hand

    @property
    def family(self) -> str:
        return f"{self.adapter} ({self.label})"


# --- page parsing -------------------------------------------------------------------------------

def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _row_text(element) -> str:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("li", "tr", "dd", "dl", "p", "div", "article"):
            return _clean(" ".join(ancestor.itertext()))[:400]
    return ""


def html_links(selector: Selector, base_url: str, in_page: bool = True) -> list[Link]:
    """Every followable ``<a href>`` under ``selector``, resolved against ``base_url``."""
    links = []
    for anchor in selector.xpath("//a[@href]"):
        href = anchor.attrib["href"].strip()
        if not href or href.lower().startswith(_SKIP_HREF):
            continue
        element = anchor.root
        text = _clean(anchor.attrib.get("title") or " ".join(element.itertext()))
        links.append(Link(url=urldefrag(urljoin(base_url, href))[0], text=text,
                          dated=bool(_DATE.search(_row_text(element))), element=element if in_page else None))
    return links


def page_links(url: str, body: bytes) -> list[Link]:
    """The links a listing page offers: its anchors, its Hanweb records, its JSON records or its
    feed items (what :func:`detect` learns from; tests compare patterns against these)."""
    return _links(url, *_read(url, body))


def _links(url: str, kind: str, text: str, parsed) -> list[Link]:
    if kind == "feed":
        return _feed_links(parsed, url)
    if kind == "json":
        return _json_links(parsed, url)[0]
    links = html_links(parsed, url)
    for record in _RECORD.findall(text):
        links.extend(html_links(Selector(text=record), url, in_page=False))
    return links


def _read(url: str, body: bytes):
    """(``"feed"`` | ``"json"`` | ``"html"``, decoded text, parsed document)."""
    text, _ = decode_html(body)
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    if re.match(r"(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", head, re.S):
        root = _parse_feed(body)
        if root is not None:
            return "feed", text, root
    if head[:1] in ("{", "["):
        try:
            return "json", text, json.loads(text)
        except ValueError:
            pass
    return "html", text, Selector(text=text or "<html></html>")


def _parse_feed(body: bytes):
    if re.search(rb"<!ENTITY", body[:65536], re.I):
        return None  # feeds have no use for entity declarations: never expand one
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)
    try:
        return etree.fromstring(body.lstrip(), parser)
    except etree.XMLSyntaxError:
        return None


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _feed_links(root, base_url: str) -> list[Link]:
    links = []
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        href, title = None, ""
        for child in item:
            name = _local(child.tag)
            if name == "link":
                if child.get("href") and child.get("rel", "alternate") == "alternate":
                    href = child.get("href")
                elif (child.text or "").strip() and href is None:
                    href = child.text.strip()
            elif name == "title":
                title = _clean("".join(child.itertext()))
        if href:
            links.append(Link(url=urldefrag(urljoin(base_url, href))[0], text=title, dated=True))
    return links


# --- JSON answers --------------------------------------------------------------------------------

def _record_lists(data, path: str = ""):
    """(dotted path, list of dict records) for every list of objects in a JSON document."""
    if isinstance(data, list):
        records = [r for r in data if isinstance(r, dict)]
        if records:
            yield path, records
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _record_lists(value, f"{path}.{key}" if path else key)


def _looks_like_url(value) -> bool:
    return isinstance(value, str) and bool(re.match(r"(?:https?:)?//[^/\s]+/\S|/[^/\s]\S*$", value.strip()))


def _record_url(record: dict) -> tuple[str, str] | None:
    """(field, URL) of a record's link: a known link field first, else any URL-valued field; a
    jpaas ``urls`` field holds JSON text ``{"pc": "/…"}``."""
    keys = sorted(record, key=lambda k: _URL_KEYS.index(k.lower()) if k.lower() in _URL_KEYS else len(_URL_KEYS))
    for key in keys:
        value = record[key]
        if key.lower() == "urls" and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
            if isinstance(value, dict):
                value = value.get("pc") or next(iter(value.values()), None)
        if _looks_like_url(value):
            return key, value.strip()
    return None


def _record_title(record: dict) -> tuple[str, str] | None:
    named = [k for k in record if "title" in k.lower() and isinstance(record[k], str) and record[k].strip()]
    if named:
        key = min(named, key=lambda k: (k.lower() != "title", k.lower().startswith("sub"), len(k)))
        return key, record[key]
    texts = [k for k in record if isinstance(record[k], str) and re.search(r"[\u4e00-\u9fff]{6}", record[k])]
    return (texts[0], record[texts[0]]) if texts else None


def _record_dates(record: dict) -> list[str]:
    return [k for k, v in record.items() if isinstance(v, str) and _DATE.match(v.strip())
            or (isinstance(v, (int, float)) and not isinstance(v, bool) and re.search(r"time|date", k, re.I)
                and v > 10**9)]


def _json_records(data) -> tuple[str, list[dict]]:
    """The record list of a JSON list answer (the one with the most linked records), each record
    taken from its ``source`` object where it has one (jpaas), and its dotted path."""
    best, best_path, best_count = [], "", 0
    for path, records in _record_lists(data):
        flat = [r["source"] if isinstance(r.get("source"), dict) else r for r in records]
        count = sum(1 for r in flat if _record_url(r))
        if count > best_count:
            best, best_path, best_count = flat, path, count
    return best_path, best


def _json_links(data, base_url: str) -> tuple[list[Link], str, list[dict]]:
    if isinstance(data, dict) and isinstance(data.get("data"), dict) and isinstance(data["data"].get("html"), str):
        return html_links(Selector(text=data["data"]["html"] or "<html></html>"), base_url, in_page=False), "", []
    path, records = _json_records(data)
    links = []
    for record in records:
        found = _record_url(record)
        if found:
            title = _record_title(record)
            links.append(Link(url=urldefrag(urljoin(base_url, found[1]))[0], text=_clean(title[1] if title else ""),
                              dated=bool(_record_dates(record))))
    return links, path, records


def _number(data, *keys) -> int | None:
    for key in keys:
        value = data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and value.isdigit() and int(value) > 0:
            return int(value)
    return None


def _detect_json(url: str, data) -> dict:
    links, path, records = _json_links(data, url)
    found: dict = {"links": links, "evidence": [], "listing": {}, "notes": []}
    evidence, listing, notes = found["evidence"], found["listing"], found["notes"]
    top = data if isinstance(data, dict) else {}
    if "articles" in top and ("classify" in top or any("/gkmlpt/" in link.url for link in links)):
        found["adapter"], found["label"] = "gkmlpt", "gkmlpt"
        evidence.append('JSON answer with "articles"' + (' and "classify"' if "classify" in top else ""))
        if any("/gkmlpt/content/" in link.url for link in links):
            evidence.append("article links under /gkmlpt/content/")
        if "/gkmlpt/api/" in urlsplit(url).path:
            evidence.append("the URL is a /gkmlpt/api/ call")
        articles = top.get("articles") if isinstance(top.get("articles"), list) else []
        total = _number(top, "total", "classify.post_count")
        if total and len(articles) < total:
            listing["per_page"] = len(articles)
        column = (top.get("classify") or {}).get("name") if isinstance(top.get("classify"), dict) else None
        found["column"] = column
        return found
    inner = top.get("data") if isinstance(top.get("data"), dict) else {}
    if isinstance(inner.get("html"), str):
        found["adapter"], found["label"] = "jpaas_build", "jpaas"
        evidence.append('JSON answer {"data": {"html": …}}: a rendered list'
                        + (' with "success"' if "success" in top else ""))
        if "jpaas-publish-server" in url or "/page/build/unit" in url:
            evidence.append("the URL is a jpaas-publish-server build/unit call")
        params = dict(parse_qsl(urlsplit(url).query))
        try:
            size = json.loads(params.get("paramJson", "{}")).get("pageSize")
        except (ValueError, AttributeError):
            size = None
        if isinstance(size, int) and size > 0:
            listing["per_page"] = size
        return found
    if records and any(isinstance(r.get("urls"), str) for r in records) and \
            any("webSiteCode" in r or "channelCode" in r for r in records):
        found["adapter"], found["label"] = "jpaas_querylist", "jpaas queryList"
        evidence.append('JSON answer with "results[].source": "urls" {"pc": …}, webSiteCode, channelCode')
        if urlsplit(url).path.rstrip("/").endswith("/queryList"):
            evidence.append("the URL is a /queryList call")
        record = records[0]
        if record.get("webSiteCode") and record.get("channelCode"):
            parts = urlsplit(url)
            column = f"/{record['webSiteCode']}/{record['channelCode']}/index.html"
            found["start_url"] = f"{parts.scheme}://{parts.netloc}{column}"
            notes.append(f"start_urls is the column page {column} "
                         "(from the records' webSiteCode/channelCode): the adapter POSTs /queryList itself")
        size = _number(top, "data.size", "data.pageSize", "size", "pageSize")
        if size:
            listing["per_page"] = size
        return found
    found["adapter"] = "trs_json"
    keys = {k.lower() for r in records for k in r}
    trs = sorted(keys & _TRS_FIELDS)
    found["label"] = "TRS JSON list" if trs else "JSON list"
    if not records:
        evidence.append("a JSON answer without any record list holding links: the family cannot be told from it")
        return found
    evidence.append(f"JSON answer with {len(records)} records at {path!r}"
                    + (f"; TRS fields {', '.join(trs)}" if trs else ""))
    listing["records"] = path
    url_keys = [k for k in dict.fromkeys(k for r in records for k in r) if _looks_like_url(records[0].get(k))]
    first = _record_url(records[0])
    if first and first[0] in url_keys:
        url_keys.remove(first[0])
        url_keys.insert(0, first[0])
    listing["url_fields"] = url_keys or ([first[0]] if first else [])
    title = _record_title(records[0])
    if title:
        listing["title_fields"] = [title[0]]
    dates = _record_dates(records[0])
    if dates:
        listing["date_fields"] = sorted(dates, key=lambda k: not isinstance(records[0][k], str))
    query = [k for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    page_param = next((k for k in _PAGE_PARAMS if k in query), None)
    if page_param:
        listing["page_param"] = page_param
    else:
        notes.append("the page parameter is not in the URL: set listing.page_param (default 'page')")
    size = _number(top, "prepage", "pageSize", "rows", "size", "data.rows", "data.pageSize", "data.size", "page.size")
    if size:
        listing["per_page"] = size
    notes.append("a POST API needs its form in [listing.form]: it is not in the answer")
    return found


# --- HTML markers ------------------------------------------------------------------------------

def _html_markers(text: str, links: list[Link]) -> tuple[str, str, list[str], dict]:
    """(adapter, label, evidence, listing options) from the markers in an HTML page."""
    evidence: list[str] = []
    listing: dict = {}
    records = _RECORD.findall(text)
    hanweb = []
    if re.search(r"<script[^>]+type=[\"']text/xml[\"'][^>]*>\s*<datastore>", text, re.I):
        hanweb.append(f'<script type="text/xml"> with <datastore> ({len(records)} records)')
    for marker in ("dataproxy.jsp", "jpage(", "jcms_files", "/jrobot/search.do"):
        if marker in text:
            hanweb.append(marker)
    if hanweb and (records or "dataproxy.jsp" in text or len(hanweb) >= 2):
        evidence.extend(hanweb)
        total = re.search(r"totalRecord\s*:\s*['\"]?(\d+)", text)
        per_page = re.search(r"perPage\s*:\s*['\"]?(\d+)", text)
        if total:
            evidence.append(f"totalRecord:{total.group(1)}")
        if per_page:
            listing["per_page"] = int(per_page.group(1))
        return "hanweb_jcms", "Hanweb jcms datastore", evidence, listing
    if "jpaas-publish-server" in text or "/page/build/unit" in text:
        evidence.append("jpaas-publish-server build/unit call in the page: a shell whose list is a JSON API; "
                        "start_urls should be that build/unit URL (with paramJson), not given whole here")
        return "jpaas_build", "jpaas", evidence, listing
    if re.search(r"['\"/]queryList\b", text) and re.search(r"webSiteCode|channelCode", text):
        evidence.append("a /queryList script with webSiteCode/channelCode: a jpaas column shell "
                        "(the list is a POST API)")
        return "jpaas_querylist", "jpaas queryList", evidence, listing
    if re.search(r"/gkmlpt/(?:api|index)", text):
        evidence.append("/gkmlpt/ paths in the page: a gkmlpt directory shell; start_urls should be its JSON API "
                        "/gkmlpt/api/all/<category>?page=1&sid=<site>, which this page does not give")
        return "gkmlpt", "gkmlpt", evidence, listing
    if re.search(r"\bLs\.pagination\s*\(", text):
        evidence.append("Ls.pagination( call")
        count = re.search(r"Ls\.pagination[\s\S]{0,600}?pageCount\s*:\s*['\"]?(\d+)", text)
        if count:
            evidence.append(f"pageCount:{count.group(1)}")
        size = re.search(r"Ls\.pagination[\s\S]{0,600}?pageSize\s*:\s*['\"]?(\d+)", text)
        if size:
            listing["per_page"] = int(size.group(1))
        if re.search(r"ls\.min\.js|ls-page-container", text):
            evidence.append("ls.min.js / ls-page-container")
        return "ls_column", "Ls.pagination", evidence, listing
    trs_links = sum(1 for link in links if _TRS_DETAIL.search(urlsplit(link.url).path))
    if re.search(r"(?<![\w.])createPageHTML\s*\(", text):
        evidence.append("createPageHTML( pager call")
        count = re.search(r"\bcountPage\s*=\s*(\d+)", text)
        if count:
            evidence.append(f"countPage = {count.group(1)}")
        if trs_links:
            evidence.append(f"{trs_links} TRS-form links (t<yyyymmdd>_<id>)")
        return "trs_static", "TRS", evidence, listing
    nfcms = re.search(r"nfcms", text, re.I)
    posts = sum(1 for link in links if re.search(r"/content/post_\d+\.html$", urlsplit(link.url).path))
    if nfcms or posts >= 2:
        if nfcms:
            evidence.append("'nfcms' in the page")
        if posts:
            evidence.append(f"{posts} links of the NFCMS form /content/post_<id>.html")
        evidence.append("no adapter of its own: read as a plain list")
        return "html_list", "NFCMS", evidence, listing
    if trs_links >= 2:
        evidence.append(f"{trs_links} TRS-form links (t<yyyymmdd>_<id>) but no createPageHTML call: "
                        "trs_static reads this first page only")
        return "trs_static", "TRS", evidence, listing
    evidence.append("no CMS marker (datastore, createPageHTML, Ls.pagination, jpaas, gkmlpt, NFCMS)")
    return "html_list", "plain list", evidence, listing


# --- learning the detail URL pattern -----------------------------------------------------------

_DATE_LIKE = re.compile(r"(?:19|20)\d{2}(?:(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])?)?")


def _tokens(target: str) -> list[tuple]:
    """A URL path (and query) as tokens: ("L", text) literal, ("D", digits, attached) a digit run
    (attached: glued to letters before it, as in ``col6278``), ("X", text) a hash-like id."""
    tokens: list[tuple] = []
    for run in re.findall(r"[0-9A-Za-z]+|[^0-9A-Za-z]+", target):
        if run.isdigit():
            tokens.append(("D", run, False))
        elif re.fullmatch(r"[A-Za-z]+\d+", run):
            letters = re.match(r"[A-Za-z]+", run).group(0)
            tokens += [("L", letters), ("D", run[len(letters):], True)]
        elif len(run) >= 6 and (re.search(r"\d", run) and re.search(r"[A-Za-z]", run)
                                or re.search(r"[a-z]", run) and re.search(r"[A-Z]", run)):
            tokens.append(("X", run))
        else:
            tokens.append(("L", run))
    return tokens


def _shape(tokens: list[tuple]) -> tuple:
    return tuple(t if t[0] == "L" else (t[0], t[2]) if t[0] == "D" else ("X",) for t in tokens)


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _digits(values: list[str], whole_segment: bool, constant_segment: bool) -> str:
    """A digit run's expression: a date part by its length (a month or day ``\\d{1,2}``, a year
    or yyyymm(dd) exactly), a number in a folder name that every link shares (``xxgk_71033``,
    ``tzgg83``) literally, any other number ``\\d+``."""
    lengths = {len(v) for v in values}
    if len(lengths) == 1 and max(lengths) in (4, 6, 8) and all(_DATE_LIKE.fullmatch(v) for v in values):
        return rf"\d{{{max(lengths)}}}"
    if constant_segment and not whole_segment:
        return values[0]
    return r"\d{1,2}" if max(lengths) <= 2 else r"\d+"


def _id_class(values: list[str]) -> str:
    chars = set("".join(values))
    if chars <= set("0123456789abcdef"):
        cls = "[0-9a-f]"
    elif chars <= set("0123456789ABCDEF"):
        cls = "[0-9A-F]"
    elif chars <= set("0123456789abcdefghijklmnopqrstuvwxyz"):
        cls = "[0-9a-z]"
    else:
        cls = "[0-9A-Za-z]"
    lengths = sorted({len(v) for v in values})
    return f"{cls}{{{lengths[0]}}}" if len(lengths) == 1 else f"{cls}{{{lengths[0]},{lengths[-1]}}}"


def _escape(text: str) -> str:
    return re.escape(text).replace("\\-", "-")


def _group_regex(targets: list[str]) -> str:
    """One regular expression for paths of one shape: literals kept, varying parts generalised.
    A folder every link shares keeps its numbers; the last segment (the notice's own name) never."""
    token_lists = [_tokens(t) for t in targets]
    segments = [t.split("/") for t in targets]
    constant = {i for i in range(len(segments[0]) - 1) if len({s[i] for s in segments}) == 1}
    parts, segment = [], 0
    for i, token in enumerate(token_lists[0]):
        if token[0] == "L":
            parts.append(_escape(token[1]))
            segment += token[1].count("/")
            continue
        values = [tokens[i][1] for tokens in token_lists]
        if token[0] == "X":
            parts.append(_id_class(values))
            continue
        before = token_lists[0][i - 1][1] if i else "/"
        after = token_lists[0][i + 1][1] if i + 1 < len(token_lists[0]) else "/"
        whole = before.endswith("/") and after.startswith(("/", ".", "?"))
        parts.append(_digits(values, whole, segment in constant))
    return "".join(parts)


def _join_alternatives(regexes: list[str]) -> str:
    """``a/b/x|a/c/x`` as ``a/(?:b|c)/x`` (by path segments), for a readable pattern."""
    if len(regexes) == 1:
        return regexes[0]
    split = [r.split("/") for r in regexes]
    prefix = 0
    while all(len(s) > prefix + 1 for s in split) and len({s[prefix] for s in split}) == 1:
        prefix += 1
    suffix = 0
    while all(len(s) > prefix + suffix + 1 for s in split) and len({s[-1 - suffix] for s in split}) == 1:
        suffix += 1
    middles = sorted({"/".join(s[prefix:len(s) - suffix]) for s in split})
    tail = split[0][len(split[0]) - suffix:] if suffix else []
    return "/".join([*split[0][:prefix], f"(?:{'|'.join(middles)})", *tail])


def _same_site(url: str, host: str) -> bool:
    return urlsplit(url).netloc.lower() == host


def learn_pattern(url: str, links: list[Link]) -> tuple[str | None, list[Link], list[str]]:
    """(detail pattern, the links it was learned from, evidence) for a page at ``url``."""
    host = urlsplit(url).netloc.lower()
    own = _target(url)
    groups: dict[tuple, list[Link]] = defaultdict(list)
    for link in links:
        target = _target(link.url)
        if not _same_site(link.url, host) or target in (own, "/") or target.endswith("/"):
            continue
        groups[_shape(_tokens(target))].append(link)

    def score(members: list[Link]) -> tuple[int, int]:
        return (len({m.url for m in members if m.notice_like}), len({m.url for m in members}))

    ranked = sorted(groups.items(), key=lambda item: score(item[1]), reverse=True)
    if not ranked or score(ranked[0][1])[0] < 1:
        return None, [], ["no same-site links with notice-like titles: no detail pattern learned"]
    primary = ranked[0][1]
    chosen = [primary]
    container = _container([m.element for m in primary if m.element is not None])
    for _, members in ranked[1:]:
        notice = [m for m in members if m.notice_like]
        if not notice:
            continue
        if all(m.element is None for m in primary) and all(m.element is None for m in members):
            chosen.append(members)  # records, JSON or feed items: every item is a notice
        elif container is not None and any(m.element is not None and _inside(m.element, container) for m in notice):
            chosen.append(members)  # another link form in the same list block
    regexes = [_group_regex(sorted({_target(m.url) for m in members})) for members in chosen]
    scheme = urlsplit(url).scheme
    scheme = "https?" if scheme in ("http", "https") else re.escape(scheme)  # a file:// page without its real URL
    pattern = f"^{scheme}://{re.escape(host)}{_join_alternatives(regexes)}$"
    compiled = re.compile(pattern)
    learned = [link for link in links if compiled.search(link.url)]
    sources = {m.url for members in chosen for m in members}
    evidence = [f"detail pattern learned from {len(sources)} links in {len(chosen)} URL form(s)"]
    stray = {link.url for link in links if compiled.search(link.url) and not link.notice_like}
    if stray:
        evidence.append(f"the pattern also matches {len(stray)} link(s) without a notice title, "
                        f"e.g. {sorted(stray)[0]}")
    return pattern, learned, evidence


# --- the list block and the pager --------------------------------------------------------------

def _inside(element, container) -> bool:
    return any(ancestor is container for ancestor in element.iterancestors())


def _item_container(element, elements: set):
    """The element whose repeated children (two or more with the same tag holding detail links)
    hold ``element``: the list block."""
    child = element
    for parent in list(element.iterancestors())[:8]:
        siblings = [c for c in parent if c.tag == child.tag]
        holding = [c for c in siblings if any(e is c or _inside(e, c) for e in elements)]
        if len(holding) >= 2:
            return parent
        child = parent
    return None


def _container(elements: list):
    """The list block holding most of ``elements`` (None when they sit in no repeated block)."""
    if not elements:
        return None
    pool = set(elements)
    counts: Counter = Counter()
    found = {}
    for element in elements:
        block = _item_container(element, pool)
        if block is not None:
            counts[id(block)] += 1
            found[id(block)] = block
    if not counts:
        return None
    return found[counts.most_common(1)[0][0]]


def _css_of(element) -> str | None:
    tag = element.tag if isinstance(element.tag, str) else "*"
    if element.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", element.get("id")):
        return f"{tag}#{element.get('id')}"
    classes = [c for c in (element.get("class") or "").split() if re.fullmatch(r"-?[A-Za-z_][\w-]*", c)]
    return f"{tag}.{classes[0]}" if classes else None


def item_selector(document: Selector, container) -> str | None:
    """A CSS selector for the list block: its own id or first class, else its nearest ancestor's;
    made unique on the page with an ancestor's selector when it is not."""
    for element in [container, *list(container.iterancestors())[:4]]:
        selector = _css_of(element)
        if selector is None:
            continue
        if len(document.css(selector)) == 1:
            return selector
        for ancestor in element.iterancestors():
            outer = _css_of(ancestor)
            if outer and len(document.css(f"{outer} {selector}")) == 1:
                return f"{outer} {selector}"
        return selector
    return None


def next_page_pattern(url: str, links: list[Link]) -> tuple[str | None, str | None]:
    """(pattern for the listing's later pages, the next page's URL) from the page's 下一页 link (or
    the link labelled 2); the last number in its path becomes ``\\d+``."""
    host = urlsplit(url).netloc.lower()
    candidates = [link for link in links if _same_site(link.url, host) and link.url != url]
    nxt = next((link for link in candidates if _NEXT_TEXT.match(link.text)), None) or \
        next((link for link in candidates if link.text == "2"), None)
    if nxt is None:
        return None, None
    target = _target(nxt.url)
    match = None
    for match in re.finditer(r"\d+", target):
        pass
    if match is None:
        return None, nxt.url
    head, tail = target[:match.start()], target[match.end():]
    required = f"{_escape(head)}\\d+{_escape(tail)}$"
    if head and head[-1] in "_-" and not re.search(required, _target(url)):
        optional = f"{_escape(head[:-1])}(?:{_escape(head[-1])}\\d+)?{_escape(tail)}$"
        if re.search(optional, _target(url)) or re.search(optional, _target(url) + "index.html"):
            return optional, nxt.url
    return required, nxt.url


# --- title, name, province ---------------------------------------------------------------------

def _page_title(document: Selector) -> str | None:
    site = _clean(document.css("meta[name=SiteName]::attr(content)").get())
    column = _clean(document.css("meta[name=ColumnName]::attr(content)").get())
    if site and column:
        return f"{site} · {column}"
    return _title_parts(_clean(document.css("title::text").get())) or site or None


def _title_parts(title: str) -> str:
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


_GENERIC_LABELS = ("www", "gov", "cn", "com", "net", "org", "edu")


def site_name(url: str) -> str:
    """A definition name from the host: ``jxt.zj.gov.cn`` → ``zj_jxt``, ``news.mysteel.com`` →
    ``mysteel_news``."""
    host = (urlsplit(url).hostname or "").lower()
    labels = [label for label in host.split(".") if label and label not in _GENERIC_LABELS]
    name = "_".join(reversed(labels)) or "site"
    name = re.sub(r"[^a-z0-9_]+", "_", name).strip("_") or "site"
    return name if name[0].isalpha() else f"site_{name}"


def guess_province(url: str, title: str | None) -> str | None:
    """The province a page belongs to: named in its title, else the host's province label
    (``jxt.zj.gov.cn``); ``全国`` for a ministry's host (``www.miit.gov.cn``) and for other sites."""
    if title:
        found = [(title.find(p), p) for p in _PROVINCES if p in title]
        if found:
            return min(found)[1]
    host = (urlsplit(url).hostname or "").lower()
    labels = [label for label in host.split(".") if label != "www"]
    if host.endswith(".gov.cn"):
        if len(labels) == 3:
            return "全国"
        return _HOST_PROVINCES.get(labels[-3])
    return "全国" if host else None


# --- detect ------------------------------------------------------------------------------------

def detect(url: str, body: bytes) -> Detection:
    """Name the CMS family of the listing page ``body`` (fetched from ``url``) and learn what a
    site definition for it needs."""
    kind, text, parsed = _read(url, body)
    notes: list[str] = []
    start_url = url
    listing: dict = {}
    selector = next_pattern = None
    if kind == "feed":
        links = _feed_links(parsed, url)
        root = _local(parsed.tag)
        label = {"rss": "RSS", "feed": "Atom"}.get(root, "RSS 1.0")
        adapter, evidence = "rss", [f"<{'rdf:RDF' if root == 'RDF' else root}> feed with {len(links)} items"]
        channel = next((c for c in parsed.iter() if _local(c.tag) == "title"), None)
        title = _title_parts(_clean("".join(channel.itertext()))) if channel is not None else None
        listing["max_pages"] = 1
    elif kind == "json":
        found = _detect_json(url, parsed)
        links, adapter, label = found["links"], found["adapter"], found["label"]
        evidence, listing, notes = found["evidence"], found["listing"], found["notes"]
        start_url = found.get("start_url", url)
        column = found.get("column")
        title = f"{urlsplit(url).hostname} · {column}" if column else urlsplit(url).hostname
        notes.append("title: a JSON answer names no publisher; write it")
    else:
        links = _links(url, kind, text, parsed)
        adapter, label, evidence, listing = _html_markers(text, links)
        title = _page_title(parsed)
    pattern, learned, learned_evidence = learn_pattern(url, links)
    evidence = [*evidence, *learned_evidence]
    if kind == "html" and pattern and adapter in ("html_list", "trs_static", "ls_column"):
        elements = [link.element for link in learned if link.element is not None]
        block = _container(elements)
        if block is not None:
            selector = item_selector(parsed, block)
            if selector:
                evidence.append(f"the detail links repeat in {selector}")
        if adapter == "html_list":
            next_pattern, next_url = next_page_pattern(url, links)
            evidence.append(f"next page {next_url}" if next_url else "no 下一页 link: only the first page is read")
    if pattern is None:
        notes.append("detail.url_pattern: no notice links were recognised on this page; write it")
    if urlsplit(url).scheme not in ("http", "https"):
        notes.append("the page's real URL is unknown (give --url): start_urls is a placeholder, url_pattern holds "
                     "the file's own path and kind is a guess")
    return Detection(url=url, adapter=adapter, label=label, evidence=tuple(evidence), url_pattern=pattern,
                     detail_links=tuple(dict.fromkeys(link.url for link in learned)), item_selector=selector,
                     next_page_pattern=next_pattern, title=title, start_url=start_url, listing=listing,
                     notes=tuple(notes))


# --- the starter definition --------------------------------------------------------------------

def _toml_string(value: str) -> str:
    """A TOML string: a literal '…' for regular expressions (no escapes), else a basic "…"."""
    if "'" not in value and "\n" not in value and not re.search(r"[\x00-\x1f]", value):
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def describe(detection: Detection) -> list[str]:
    """The family, its evidence and what is left to do, as lines (the CLI prints them as comments)."""
    lines = [f"family: {detection.family}"]
    lines += [f"evidence: {item}" for item in detection.evidence]
    lines += [f"to do: {item}" for item in detection.notes]
    return lines


def starter_toml(detection: Detection, name: str | None = None) -> str:
    """A complete site definition for ``crawler/sites/NAME.toml`` from a detection: unchecked."""
    start = detection.start_url or detection.url
    real = urlsplit(start).scheme in ("http", "https") and urlsplit(start).hostname
    name = name or (site_name(start) if real else "site")
    host = (urlsplit(start).hostname or "").lower()
    kind = "bureau" if host.endswith(".gov.cn") else "republisher"
    province = guess_province(start if real else "", detection.title)
    title = detection.title or host or name
    lines = [
        f"# Generated by `crawler sites detect` from {detection.url}",
        "# UNCHECKED: review every field, then run `crawler sites --check " + name + "`.",
        "",
        f"name = {_toml_string(name)}",
        f"title = {json.dumps(title, ensure_ascii=False)}",
        f"kind = \"{kind}\"",
    ]
    lines.append(f"province = \"{province}\"" if province else '# province = ""  # not guessed from the host or title')
    lines.append(f"start_urls = [{json.dumps(start if real else 'https://example.invalid/', ensure_ascii=False)}]")
    lines += ["", "[listing]", f"adapter = \"{detection.adapter}\"  # {detection.label}"]
    if detection.item_selector:
        lines.append(f"item_selector = {_toml_string(detection.item_selector)}")
    if detection.next_page_pattern:
        lines.append(f"next_page_pattern = {_toml_string(detection.next_page_pattern)}")
    options = {"max_pages": 3, **detection.listing}
    for key in ("max_pages", "per_page", "records", "url_fields", "title_fields", "date_fields", "page_param"):
        if key in options and options[key] not in (None, "", []):
            lines.append(f"{key} = {_toml_value(options[key])}")
    lines += ["", "[detail]"]
    if detection.url_pattern:
        lines.append(f"url_pattern = {_toml_string(detection.url_pattern)}")
    else:
        lines.append("url_pattern = '^$'  # nothing learned: write the detail pages' URL pattern")
    lines += ["", "# [extract]: selectors for title, published_at, source, content; `crawler template FILE...`",
              "# prints the chrome lines from a few saved detail pages."]
    return "\n".join(lines) + "\n"
