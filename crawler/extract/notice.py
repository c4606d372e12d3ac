"""A notice page as fields: ``extract_notice(url, body, hints)`` → :class:`Notice`."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from crawler.extract.attachments import Attachment, attachment_blocks, find_attachments
from crawler.extract.blocks import (
    INVISIBLE_TAGS,
    Line,
    binary_format,
    bounded_markup,
    drop,
    lines_and_start,
    parse_html,
)
from crawler.extract.boilerplate import body_lines, main_container
from crawler.extract.credits import is_byline, trim_tail_credits
from crawler.extract.dates import as_datetime, find_date, parse_date, split_date
from crawler.extract.deadlines import application_deadline
from crawler.extract.encoding import decode_html
from crawler.extract.fields import addressees, doc_number, index_table, signature
from crawler.extract.hints import selector_report
from crawler.extract.text import normalize_line, normalize_text, strip_pinyin_glosses


@dataclass(frozen=True)
class SiteHints:
    """Per-site CSS selectors (parsel syntax, ``::text`` and ``::attr()`` allowed) that take
    precedence over the general methods; any may be left empty."""

    title: str | None = None
    published_at: str | None = None
    source: str | None = None
    content: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    chrome: frozenset[str] = frozenset()  # normalised lines learned as the site's template text


@dataclass
class Notice:
    """The fields of one notice page, boilerplate removed."""

    url: str
    title: str | None
    published_at: str | None
    source: str | None
    body: str
    body_normalized: str
    attachments: list[Attachment] = field(default_factory=list)
    title_normalized: str | None = None
    issuer: str | None = None
    signed_at: str | None = None
    doc_number: str | None = None
    addressees: str | None = None
    # The application deadline the text states (申报截止时间, 请于…前报送): ISO 8601 date, or date-time
    # with +08:00; kept by the store for calls only (crawler/detail_pages.py).
    deadline: str | None = None
    index: dict[str, str] | None = None
    dates: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    error: str | None = None
    # Per field with a site selector: ``matched`` or ``missed`` (generic extraction stood in).
    selectors: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-ready fields; attachments as ``{name, url, file_type}``."""
        return asdict(self)


_META_DATE = (
    "PubDate",
    "pubdate",
    "publishdate",
    "publish_date",
    "article:published_time",
    "og:release_date",
    "firstpublishedtime",
    "dc.date",
    "date",
)
_META_SOURCE = ("ContentSource", "source", "dc.publisher")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|--|\s[-–—－]\s)\s*")
_SOURCE_LABEL = re.compile(
    r"(?:信息来源|来源单位|发布机构|发文机关|稿件来源|文章来源|稿源|来源|來源)\s*[:：]\s*"
    r"(?P<value>[^\s|｜丨/]{2,40}?)(?=\s|$|[|｜丨/]|发布|時間|时间|日期|作者|浏览|字号|【|\[)"
)
_DATE_LABEL = re.compile(
    r"(?:发布时间|发布日期|發布時間|发表于|发表时间|发布于|更新时间|发文日期|日期|时间|時間)\s*[:：]"
)
# Article properties that Founder (方正) newspaper CMSs keep in a comment: <!--enpproperty <date>…</date>
_PROPERTY_DATE = re.compile(r"enpproperty.*?<date>([^<]+)</date>", re.S)
_META_LINE_WORDS = re.compile(r"来源|來源|发布|發布|时间|時間|日期|浏览|瀏覽|字号|字體|字体|作者|点击|阅读|打印|分享")
_URL_DATE = (
    re.compile(r"/(?P<y>20\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),
    re.compile(r"/t(?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})_"),
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})/(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>20\d{2})-?(?P<m>\d{2})-?(?P<d>\d{2})/"),
)


def _meta(tree, names: tuple[str, ...]) -> str | None:
    wanted = {name.lower() for name in names}
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        content = (meta.get("content") or "").strip()
        if key in wanted and content and key not in found:
            found[key] = content
    for name in names:
        if name.lower() in found:
            return found[name.lower()]
    return None


def _hint(selector: Selector, css: str | None) -> str | None:
    if not css:
        return None
    values = [v.strip() for v in selector.css(css).getall()]
    text = " ".join(v for v in values if v)
    if "<" in text:
        text = re.sub(r"\s+", " ", "".join(Selector(text=text).css("::text").getall())).strip()
    return text or None


def _clean_title(text: str | None) -> str | None:
    if not text:
        return None
    text = strip_pinyin_glosses(re.sub(r"\s+", " ", text)).strip()
    return text or None


_TITLE_NAMES = re.compile(r"title|heading|headline|biaoti|(^|[-_ ])(tit|bt)($|[-_ 0-9])", re.I)
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_NOT_CANDIDATES = frozenset(("title", "head", "meta", "html", "body"))
_BLOCKS_OF_BOLD = frozenset(("p", "div", "td", "th", "center"))
_LONGEST_COLUMN_NAME = 10  # 通知公告, 学会动态, 政策解读: a menu entry; headlines are longer
# 一、申报条件 · （二） · 1. — a section heading of the text, not the notice's headline.
_SECTION_NUMBER = re.compile(r"^[（(]?[一二三四五六七八九十\d]{1,3}[、.．)）]")
_BREADCRUMB = re.compile(
    r"^(?:当前位置|您现在的位置|您当前的位置|您的位置|您所在的位置|所在位置|当前页面)\s*[:：]"
    r"|^(?:首页|网站首页|主页)\s*[>＞»›]|[>＞»›][^>＞»›]+[>＞»›]"
)
# A link to a site's home page: its text (or its image's alt) is the site's name.
_HOME_HREF = re.compile(r"^(?:(?:https?:)?//[^/?#]+)?(?:/|\./|\.\./)*(?:index\.[a-z]+)?/?$", re.I)


def _bold_block(bold):
    """The block (``p``, ``div``, ``td`` …) whose whole text is the bold element ``bold``
    (through font/span wrappers): a headline written as ``<p><strong>…</strong></p>``."""
    element, parent = bold, bold.getparent()
    while (
        parent is not None and len(parent) == 1 and not (parent.text or "").strip() and not (element.tail or "").strip()
    ):
        if parent.tag in _BLOCKS_OF_BOLD:
            return parent
        if parent.tag not in ("font", "span", "strong", "b"):
            return None
        element, parent = parent, parent.getparent()
    return None


def _heading_candidates(tree) -> list:
    """Elements that may hold the notice title: h1–h6, elements named like titles, and blocks
    whose whole text is bold (not a numbered section heading nor a line ending in a colon)."""
    found = []
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in _NOT_CANDIDATES:
            continue
        bold = tag in ("strong", "b")
        if bold:
            element = _bold_block(element)
            if element is None:
                continue
        elif tag not in _HEADING_TAGS and not _TITLE_NAMES.search(
            f"{element.get('class') or ''} {element.get('id') or ''}"
        ):
            continue
        text = re.sub(r"\s+", " ", "".join(element.itertext())).strip()
        if 4 <= len(text) <= 120 and not (bold and (_SECTION_NUMBER.match(text) or text[-1] in "：:。；;，,")):
            found.append((element, text))
    return found


def _site_names(tree) -> frozenset[str]:
    """What the page calls its site: the SiteName / og:site_name metas and the text (or image
    alt) of links to the home page (the logo, the breadcrumb's first step)."""
    names = set()
    for meta in tree.iter("meta"):
        if (meta.get("name") or meta.get("property") or "").lower() in ("sitename", "og:site_name", "application-name"):
            names.add((meta.get("content") or "").strip())
    for link in tree.iter("a"):
        href = (link.get("href") or "#").strip()
        # Most links lead to pages: a home link ends with "/" or names an index (cheap tests first).
        if (href.endswith("/") or "index." in href) and _HOME_HREF.match(href):
            names.add(re.sub(r"\s+", " ", "".join(link.itertext())).strip())
            names.update((image.get("alt") or "").strip() for image in link.iter("img"))
    names.discard("")
    return frozenset(names)


def _is_page_chrome(text: str, site_names: frozenset[str]) -> bool:
    """A breadcrumb (``首页 > 通知公告 >``, ``中国科普网 > 时政新闻 >``) or the site's own name: never a title."""
    return text in site_names or bool(_BREADCRUMB.search(text))


def _agreement(text: str, reference: str) -> float | None:
    """How well ``text`` agrees with the reference title: its share found in the reference times
    (0.5 + the share of the reference it covers); None below 60% or 4 characters."""
    match = SequenceMatcher(None, text, reference, autojunk=False).find_longest_match()
    precision, coverage = match.size / len(text), match.size / len(reference)
    return precision * (0.5 + coverage) if match.size >= 4 and precision >= 0.6 else None


def _lines_like(reference: str, head_lines: list[Line], site_names: frozenset[str]) -> list[str]:
    """Lines before the article text (or at its top) that may show the reference title in any tag
    (``<div class="wzbt">``): neither a link, a table row, a breadcrumb nor the site name, and
    sharing the first or last four characters of one of the reference's parts (a cheap test
    before comparing them)."""
    probes = {probe for part in re.split(r"[-_|｜\s]+", reference) if len(part) >= 4 for probe in (part[:4], part[-4:])}
    return [
        line.text
        for line in head_lines
        if 4 <= len(line.text) <= 120
        and line.link_ratio <= 0.5
        and line.cells < 2
        and any(probe in line.text for probe in probes)
        and not _is_page_chrome(line.text, site_names)
    ]


def _title(
    tree, page_title: str, listing_title: str | None, container, page_lines: list[Line], text_start: int | None
) -> str | None:
    """The notice's own title: the ``ArticleTitle`` meta; else the heading, or the page line up to
    the top of the article text (which starts at ``page_lines[text_start]``), that best agrees
    with the list title or ``<title>`` (scored by how much of it the text covers); else the
    heading nearest the article text; else the list title; else ``<title>`` without its site
    suffix; else, when ``<title>`` is only the site's or the column's name, the headline-like line
    just above the article text. Breadcrumbs, the site's own name and its columns' names are never
    the title; a heading repeating ``<title>`` with its site suffix counts without the suffix."""
    meta = _meta(tree, ("ArticleTitle",))
    if meta:
        return re.sub(r"<[^>]+>", "", meta)
    head_lines = page_lines if text_start is None else page_lines[: text_start + 4]
    site_names = _site_names(tree) | _column_names(head_lines)
    suffix = _title_suffix(page_title, site_names)
    candidates = [
        (element, _without_suffix(text, suffix))
        for element, text in _heading_candidates(tree)
        if not _is_page_chrome(text, site_names)
    ]
    reference = listing_title or page_title
    ranked = []
    if reference:
        for element, text in candidates:
            score = _agreement(text, reference)
            if score is not None:
                ranked.append((score + (0.1 if element.tag == "h1" else 0), len(text), text))
        for text in _lines_like(reference, head_lines, site_names):
            score = _agreement(text, reference)
            if score is not None:
                ranked.append((score, len(text), text))
    if ranked:
        return max(ranked)[2]
    nearby = _heading_near(tree, container, candidates)
    if nearby:
        return nearby
    if listing_title:
        return listing_title
    return _page_title_head(page_title, site_names) or _line_above_text(page_lines, text_start, site_names)


def _column_names(head_lines: list[Line]) -> frozenset[str]:
    """Names of the site's columns shown before the article text: short entries of a menu (two
    link lines or more in a row) and breadcrumb steps. A ``<title>`` holding only the column's
    name (``学会动态``) is then no headline, nor is a sidebar heading repeating it."""
    names = set()
    for index, line in enumerate(head_lines):
        if (
            len(line.text) <= _LONGEST_COLUMN_NAME
            and line.link_ratio > 0.5
            and any(
                0 <= other < len(head_lines) and head_lines[other].link_ratio > 0.5 for other in (index - 1, index + 1)
            )
        ):
            names.add(line.text)
        elif len(line.text) <= 100 and _BREADCRUMB.search(line.text):
            names.update(step.strip() for step in re.split(r"[>＞»›]", re.split(r"[:：]", line.text)[-1]))
    return frozenset(name for name in names if 2 <= len(name) <= _LONGEST_COLUMN_NAME)


def _title_suffix(page_title: str, site_names: frozenset[str]) -> str | None:
    """What ``<title>`` adds after the headline (``-新华网``, ``_通知公告_某市人民政府``): a heading
    ending with it is a copy of ``<title>`` (a share widget's), read without it."""
    head = _page_title_head(page_title, site_names)
    if not head or head == page_title or not page_title.startswith(head):
        return None
    suffix = page_title[len(head) :]
    return suffix if len(suffix.strip()) >= 2 and len(suffix) <= 20 else None


def _without_suffix(text: str, suffix: str | None) -> str:
    """``text`` without ``<title>``'s site suffix when it ends with it after a headline."""
    return text[: -len(suffix)] if suffix and text.endswith(suffix) and len(text) >= len(suffix) + 4 else text


def _page_title_head(page_title: str, site_names: frozenset[str] = frozenset()) -> str | None:
    """``<title>`` without the site suffix or the site's name: ``标题_栏目_网站`` → ``标题``;
    ``标题-纪检`` → ``标题``; ``网站 | 标题`` → ``标题``; ``网站`` → None."""
    parts = [p for p in _TITLE_SEPARATORS.split(page_title) if p and p not in site_names]
    if not parts:
        return None
    head, _, suffix = parts[0].rpartition("-")
    return head if head and len(suffix) <= 12 and len(head) >= 4 else parts[0]


def _line_above_text(page_lines: list[Line], text_start: int | None, site_names: frozenset[str]) -> str | None:
    """The nearest of the four lines above the article text that reads as a headline: no
    sentence, 4–120 characters, neither a date/source line, a date badge, a link, a breadcrumb
    nor the site's name."""
    if text_start is None:
        return None
    for line in reversed(page_lines[max(text_start - 4, 0) : text_start]):
        text = line.text
        if (
            len(text) < 4
            or line.link_ratio > 0.5
            or _is_meta_line(text)
            or split_date(text)
            or _is_page_chrome(text, site_names)
        ):
            continue
        return text if len(text) <= 120 and "。" not in text else None
    return None


def _heading_near(tree, container, candidates) -> str | None:
    """The title-like element closest to where the article text starts (at most ~150 characters of
    text away, before it or at the top of it), skipping headings that carry a date."""
    offsets, total = {}, 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        if event == "start":
            offsets[element] = total
            if isinstance(element.tag, str) and element.tag not in INVISIBLE_TAGS:
                total += len((element.text or "").strip())
        else:
            total += len((element.tail or "").strip())
    start = offsets.get(container, 0)
    best, best_distance = None, 150
    for element, text in candidates:
        if find_date(text) or element is container:
            continue
        begin = offsets.get(element, 0)
        distance = max(start - (begin + len(text)), 0) if begin < start else begin - start
        if distance < best_distance:
            best, best_distance = text, distance
    return best


def _title_line_index(lines: list[Line], title: str | None) -> int | None:
    """Index of the line showing the title: the first such line followed closely by a date,
    else the first such line."""
    if not title:
        return None
    key = normalize_text(title).replace(" ", "")
    found = []
    for index, line in enumerate(lines):
        if not 0.8 * len(key) <= len(line.text) <= 2 * len(title) + 60:
            continue
        text = normalize_line(line.text).replace(" ", "")
        if text and (
            text == key or text.startswith(key) or (len(text) >= 6 and text in key and len(text) >= 0.8 * len(key))
        ):
            found.append(index)
    for index in found:
        if any(find_date(line.text) for line in lines[index : index + 4]):
            return index
    return found[0] if found else None


# The heading of a list of other notices placed between a headline and its text.
_RELATED_HEADING = re.compile(
    r"^\s*(?:关联稿件|关联文件|相关链接|相关阅读|相关文章|相关新闻|相关文件|相关稿件|延伸阅读|推荐阅读)\s*[:：]?\s*$"
)


def _near_title(page_lines: list[Line], title_index: int | None, title: str | None) -> tuple[list[str], list[str]]:
    """The two lines before the title line (where a date badge may stand beside the headline), and
    the title line's remainder and the lines after it: where pages show date and source."""
    if title_index is None:
        return [], [line.text for line in page_lines[:8]]
    first = page_lines[title_index].text
    rest = first[len(title) :] if title and first.startswith(title) else ""
    before = [line.text for line in page_lines[max(title_index - 2, 0) : title_index]]
    after = []
    for line in page_lines[title_index + 1 : title_index + 8]:
        if _RELATED_HEADING.match(line.text):
            break  # a list of related notices begins: the dates from here on are its items'
        after.append(line.text)
    return before, [rest, *after]


def _badge_date(texts: list[str], position: int) -> str | None:
    """The date of a badge split over two elements that starts at ``texts[position]``: written on
    one line (inline pieces) or on this line and the next (block pieces)."""
    following = texts[position + 1] if position + 1 < len(texts) else ""
    return split_date(texts[position]) or (split_date(f"{texts[position]} {following}") if following else None)


def _page_dates(
    tree, url: str, before: list[str], near: list[str], page_text: str, index: dict | None
) -> dict[str, str]:
    """Every publish date the page states, by where it says it: ``meta`` (PubDate and similar),
    ``index`` (the index table's 发布日期), ``visible`` (beside the title, the first there: a
    full date after the headline, or a date badge split over two elements just before or after
    it, which a related-links list further down cannot outrun), ``labelled`` (after
    发布时间 and similar anywhere), ``url`` (/2025/7/16/, t20250716_)."""
    found: dict[str, str] = {}
    meta = _meta(tree, _META_DATE) or _PROPERTY_DATE.search(page_text_comments(tree))
    if meta and (value := parse_date(meta if isinstance(meta, str) else meta.group(1))):
        found["meta"] = value
    for key in ("发布日期", "公开日期", "生成日期"):  # 生成日期: when a 信息公开 platform published it
        if index and index.get(key) and (value := find_date(index[key])):
            found.setdefault("index", value)
    window = [*before, *near]
    for position, text in enumerate(window):
        if len(text) > 200:
            continue
        value = (find_date(text) if position >= len(before) else None) or _badge_date(window, position)
        if value:
            found["visible"] = value
            break
    labelled = _DATE_LABEL.search(page_text)
    if labelled and (value := find_date(page_text[labelled.end() : labelled.end() + 40])):
        found["labelled"] = value
    path = urlsplit(url or "").path
    for pattern in _URL_DATE:
        match = pattern.search(path)
        if match and (value := find_date(f"{match['y']}-{match['m']}-{match['d']}")):
            found["url"] = value
            break
    return found


def _best_publish_date(dates: dict[str, str]) -> str | None:
    """The publish time: the first by trust (site selector, the date shown by the title, the index
    table, metadata, a labelled date, the URL, the list); when a later one names the same day
    with a time of day, that time is kept."""
    ranked = [dates[k] for k in ("site", "visible", "index", "meta", "labelled", "url", "list") if k in dates]
    if not ranked:
        return None
    best = ranked[0]
    if "T" not in best:
        best = next((d for d in ranked if d[:10] == best[:10] and "T" in d), best)
    return best


def page_text_comments(tree) -> str:
    """The text of the page's HTML comments (some CMSs keep article properties there)."""
    return "\n".join(c.text or "" for c in tree.iter(etree.Comment))


def _source(tree, near: list[str], page_text: str) -> str | None:
    meta = _meta(tree, _META_SOURCE)
    if meta:
        return meta
    for text in [*near, page_text]:
        match = _SOURCE_LABEL.search(strip_pinyin_glosses(text))
        if match:
            return match["value"]
    return None


def _is_meta_line(text: str) -> bool:
    return (
        len(text) <= 120
        and "。" not in text
        and (bool(find_date(text) and len(text) <= 60) or bool(_META_LINE_WORDS.search(text) and len(text) <= 80))
    )


def _trim_head(lines: list[Line], title: str | None) -> list[Line]:
    """Drop the title, breadcrumbs, date/source lines, date badges (``21`` ``2024-02``) and bylines
    (``半月谈记者 史卫燕``) that open the container. A table row (two data cells or more) is notice
    data even when it names a date (处罚决定日期)."""
    index = _title_line_index(lines[:8], title)
    if index is not None and not any("。" in line.text or len(line.text) > 100 for line in lines[:index]):
        lines = lines[index + 1 :]
    while lines:
        first = lines[0].text
        if lines[0].cells < 2 and (_is_meta_line(first) or split_date(first) or is_byline(first)):
            lines = lines[1:]
        elif len(lines) > 1 and split_date(f"{lines[0].text} {lines[1].text}"):
            lines = lines[2:]
        else:
            break
    return lines


def extract_notice(
    url: str,
    body: bytes,
    hints: SiteHints | None = None,
    content_type: str | None = None,
    listing_title: str | None = None,
    listing_date: str | None = None,
) -> Notice:
    """Extract a :class:`Notice` from a page's raw bytes. Pure: no network, no database."""
    hints = hints or SiteHints()
    binary = binary_format(body)
    if binary:
        return Notice(
            url=url,
            title=None,
            published_at=None,
            source=None,
            body="",
            body_normalized="",
            error=f"not an HTML page ({binary})",
        )
    text, encoding = decode_html(body, content_type)
    text, error = bounded_markup(text)
    tree = parse_html(text)
    selector = Selector(root=tree, type="html")
    selectors = selector_report(selector, hints)
    # A selector ending in ::text or ::attr() selects strings, not elements: nothing to drop or read.
    for css in hints.drop:
        for found in selector.css(css):
            if isinstance(found.root, etree._Element) and found.root.getparent() is not None:
                drop(found.root)

    page_title = re.sub(r"\s+", " ", tree.findtext(".//title") or "").strip()
    containers = [
        found.root for css in hints.content for found in selector.css(css) if isinstance(found.root, etree._Element)
    ]
    container = main_container(tree, containers)
    body_element = tree.find("body")
    page_lines, text_start = lines_and_start(body_element if body_element is not None else tree, container)
    title = _clean_title(
        _hint(selector, hints.title) or _title(tree, page_title, listing_title, container, page_lines, text_start)
    )
    page_text = "\n".join(line.text for line in page_lines)
    before, near = _near_title(page_lines, _title_line_index(page_lines, title), title)

    index, index_element = index_table(tree)
    if index_element is not None and any(a is container for a in index_element.iterancestors()):
        drop(index_element)  # inside the article: it is metadata, not notice text

    dates = _page_dates(tree, url, before, near, page_text, index)
    hinted_date = _hint(selector, hints.published_at)
    if hinted_date and (value := parse_date(hinted_date)):
        dates["site"] = value
    if listing_date:
        dates["list"] = listing_date
    published = _best_publish_date(dates)
    hinted_source = _hint(selector, hints.source)
    source_match = _SOURCE_LABEL.search(strip_pinyin_glosses(hinted_source)) if hinted_source else None
    source = source_match["value"] if source_match else hinted_source
    source = _clean_title(source or _source(tree, near, page_text))

    attachments = find_attachments(attachment_blocks(container), url)
    lines = trim_tail_credits(_trim_head(body_lines(container, hints.chrome), title))
    body_text = "\n".join(line.text for line in lines)
    issuer, signed_at = signature(lines)
    if signed_at:
        dates["signed"] = signed_at
    published_at = as_datetime(published) if published else None
    body_normalized = normalize_text(body_text)
    return Notice(
        url=url,
        title=title,
        published_at=published_at,
        source=source,
        body=body_text,
        body_normalized=body_normalized,
        attachments=attachments,
        title_normalized=normalize_text(title) if title else None,
        issuer=issuer,
        signed_at=signed_at,
        doc_number=doc_number(lines, index),
        addressees=addressees(lines),
        deadline=application_deadline(body_normalized, published_at),
        index=index,
        dates=dates,
        encoding=encoding,
        error=error,
        selectors=selectors,
    )
