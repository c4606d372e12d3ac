"""Finding a notice's main text on a page and stripping the page chrome around and inside it.

A cascade: site selectors, then structural markers that government CMSs leave around the article,
then paragraph scoring over the DOM (punctuation and text length, discounted by link density and by
class names such as ``share`` or ``footer``), then a lexicon pass over the lines that removes
disclaimers, related-link lists, rankings, print/close controls and footers.
"""

from __future__ import annotations

import re

from crawler.extract.blocks import CELL_TAGS, INVISIBLE_TAGS, Line, drop, element_lines, is_hidden
from crawler.extract.fields import names_two_index_labels
from crawler.extract.text import normalize_line

# Comment pairs and containers that government CMSs put around the article text.
_MARKER_COMMENTS = (("ZJEG_RSS.content.begin", "ZJEG_RSS.content.end"),)
_MARKER_XPATH = (
    "//*[@id='zoom' or @id='UCAP-CONTENT' or contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]"
)

_NEGATIVE_NAMES = re.compile(
    r"(^|[-_ ])(share|bdshare|jiathis|print|close|fontsize|font-size|zihao|comment|comments|related|"
    r"relate|xgxw|xgwz|footer|foot|copyright|nav|navbar|menu|breadcrumb|crumb|position|location|"
    r"sidebar|side|aside|rank|ranking|paihang|hot|toolbar|tool|tools|ad|ads|advert|banner|login|search|"
    r"pager|pagination|page-nav|next|prev|qrcode|ewm)($|[-_ 0-9])",
    re.I,
)
_POSITIVE_NAMES = re.compile(
    r"content|article|zoom|detail|body|text|main|news|wenzhang|zhengwen|xl|txt|editor|con",
    re.I,
)
_SENTENCE_PUNCT = re.compile(r"[，。；：、！？,;]")
_SCORED_TAGS = frozenset(("div", "td", "article", "section", "main", "body", "font", "span", "table", "tbody", "tr"))

# Lines that are page furniture wherever they appear (matched on the normalised, Simplified text).
_FURNITURE = re.compile(
    r"^(法律提示|免责声明|版权声明|声明：|特别声明|郑重声明|版权所有|copyright|©|"
    r"转载请|本文来源于|本网转载|凡注明|责任编辑|编辑：|校对|审核：|打印本页|【打印】|\[打印\]|打印|"
    r"关闭窗口|【关闭】|\[关闭\]|关闭|字号|【字体|字体：|分享到|扫一扫|扫描二维码|手机扫码|"
    r"当前位置|您现在的位置|所在位置|首页\s*[>＞»]|上一篇|下一篇|上一条|下一条|返回顶部|"
    r"网站标识码|主办单位|承办单位|技术支持|联系我们|网站地图|浏览次数|阅读次数|点击数|访问量|"
    r"(浙|京|沪|苏|粤|鲁|皖|闽|赣|豫|鄂|湘|冀|川|陕|甘|津|渝|黑|吉|辽|蒙|晋|桂|琼|贵|云|藏|青|宁|新)ICP)",
    re.I,
)
_FURNITURE_ANYWHERE = re.compile(
    r"ICP备|公网安备|网站标识码|转载需经授权|未经授权.{0,10}转载|保留一切追诉|版权所有|郑重声明|"
    r"如有侵权|侵权请联系|转载请注明|本文转载自|本网转载|本网站转载|转载.{0,20}仅供参考|仅供参考.{0,20}转载|"
    r"不良信息举报|举报电话|返回页首|返回顶部|发送给朋友|打印本文|打印本页|关闭窗口|展开全文|"
    r"第\s*\d+\s*页\s*/\s*共\s*\d+\s*页"
)
# Headings that open a block of chrome: the heading and the link list under it go together.
_SECTION_HEADINGS = re.compile(
    r"^(相关链接|相关阅读|相关新闻|相关报道|相关文章|相关文件|相关信息|相关政策|延伸阅读|推荐阅读|热点推荐|热门文章|"
    r"新闻排行|热点排行|点击排行|排行榜|日排行|周排行|总排行|月排行|猜你喜欢|更多|精彩推荐|图片新闻|"
    r"全国主要城市行情地图|网友评论|我要评论|发表评论)"
)


# A line made only of page controls: 【打印】【关闭】, pdf下载 word下载, 字号：大 中 小, 收藏 分享 …
_CONTROLS_ONLY = re.compile(
    r"^(?:[\s【】\[\]|｜/]*(?:(?:pdf|word|doc|docx|wps|ofd)\s*(?:版)?下载|打印|打印本页|关闭|关闭窗口|收藏|分享|"
    r"纠错|我要纠错|字号|字体|大|中|小|默认|返回|顶部|返回顶部|保存|复制链接|微信|微博|QQ空间)[\s【】\[\]|｜/:：]*)+$",
    re.I,
)
_OPENING_MARKS = re.compile(r"^[\s【\[〔（(<《]+")


def is_furniture(text: str) -> bool:
    """True for a line that is page furniture (disclaimer, copyright, print/close, ICP …)."""
    bare = _OPENING_MARKS.sub("", text)
    return bool(
        _FURNITURE.match(bare) and len(bare) <= 200 or _FURNITURE_ANYWHERE.search(bare) or _CONTROLS_ONLY.match(bare)
    )


def _names(element) -> str:
    return f"{element.get('id') or ''} {element.get('class') or ''}"


def _marker_container(tree):
    """The element between ``<!--ZJEG_RSS.content.begin-->`` style comments, or a known CMS
    article container, when it holds real text."""
    for begin, end in _MARKER_COMMENTS:
        starts = tree.xpath(f"//comment()[contains(., '{begin}')]")
        if starts and tree.xpath(f"//comment()[contains(., '{end}')]"):
            parent = starts[0].getparent()
            if parent is not None and len("".join(parent.itertext()).strip()) >= 20:
                return parent
    for element in tree.xpath(_MARKER_XPATH):
        if len("".join(element.itertext()).strip()) >= 50:
            return element
    return None


def _visible_length(element) -> int:
    """Characters of text under ``element``, whitespace left out."""
    return len("".join("".join(element.itertext()).split()))


def _paragraph_score(text: str) -> float:
    return 1 + len(_SENTENCE_PUNCT.findall(text)) + min(len(text) / 100, 3)


def _data_table_score(table) -> float:
    """The score of a grid of short data cells (a 名单, a 公示表, a label/value table) as one block:
    half a paragraph per filled cell, whatever the cells' length. 0 for a layout table (a nested
    table, a cell holding an article), a table of fewer than two rows of two cells, and the
    政府信息公开 index table (the notice's metadata, not its text)."""
    if table.find(".//table") is not None:
        return 0.0
    rows = [[cell for cell in row if cell.tag in CELL_TAGS] for row in table.iter("tr")]
    if sum(len(cells) >= 2 for cells in rows) < 2:  # looked at before any cell's text: most tables are layout
        return 0.0
    score, text = 0.0, []
    for cell in (cell for cells in rows for cell in cells):
        value = "".join(cell.itertext()).strip()
        if len(value) > 200 or value.count("。") >= 2:
            return 0.0
        if value:
            score += _paragraph_score(value) / 2
            text.append(value)
    return 0.0 if names_two_index_labels("".join(text)) else score


def _credit(scores: dict, element, score: float) -> None:
    """Add ``score`` to ``element`` and, halved at each step, to two of its ancestors; text inside
    a hidden element credits nothing above it (the page does not show it there)."""
    share = 1.0
    for _ in range(3):
        if element is None:
            break
        scores[element] = scores.get(element, 0.0) + score * share
        if is_hidden(element):
            break
        element, share = element.getparent(), share / 2


def _in_hidden(element) -> bool:
    """Whether ``element`` or one of its ancestors is hidden."""
    return is_hidden(element) or any(is_hidden(ancestor) for ancestor in element.iterancestors())


def _scored_container(tree):
    """The element that collects most paragraph score (readability-style, tuned for Chinese
    punctuation), discounted by its link density. A data table scores as one block. A hidden
    element (``display:none``, ``visibility:hidden``, or inside one) counts half: it wins only
    when it holds clearly more text than anything shown, as an article a script reveals does; a
    hidden copy or tab beside the shown text, a hidden menu or pop-up does not."""
    scores: dict = {}
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in INVISIBLE_TAGS:
            continue
        if element.tag == "table":
            score = _data_table_score(element)
            if score:
                _credit(scores, element, score)
            continue
        own = (element.text or "") + "".join((child.tail or "") for child in element if isinstance(child.tag, str))
        if element.tag in ("p", "pre", "td") or len(own.strip()) >= 20:
            text = "".join(element.itertext()).strip() if element.tag in ("p", "pre") else own.strip()
            if len(text) < 10 or is_furniture(text):
                continue
            _credit(scores, element if element.tag not in ("p", "pre") else element.getparent(), _paragraph_score(text))
    best, best_score = None, 0.0
    for element, score in sorted(scores.items(), key=lambda item: item[1], reverse=True):
        if score * 1.25 <= best_score:
            break  # the discounts below only lower a score: no later element can win
        if element.tag not in _SCORED_TAGS:
            continue
        if _in_hidden(element):
            score *= 0.5
        names = _names(element)
        if _NEGATIVE_NAMES.search(names):
            score *= 0.3
        elif _POSITIVE_NAMES.search(names):
            score *= 1.25
        linked = sum(_visible_length(a) for a in element.iter("a"))
        score *= max(0.0, 1 - linked / (_visible_length(element) or 1))
        if score > best_score:
            best, best_score = element, score
    return best


def main_container(tree, selectors: list | None = None):
    """The element holding the notice text: the first matching site selector, a CMS marker, or
    the best-scored element; the body of the page as a last resort."""
    for found in selectors or ():
        if found is not None and len("".join(found.itertext()).strip()) >= 10:
            return found
    for find in (_marker_container, _scored_container, lambda root: root.find("body")):
        found = find(tree)  # one after another: scoring the page is the costly step
        if found is not None:
            return found
    return tree


def _drop_chrome_elements(container) -> None:
    """Remove elements inside the container that are page furniture by their names or visibility."""
    for element in list(container.iter()):
        if element is container or not isinstance(element.tag, str) or element.getparent() is None:
            continue
        if is_hidden(element) or (element.tag != "a" and _NEGATIVE_NAMES.search(_names(element))):
            text = "".join(element.itertext())
            if len(_SENTENCE_PUNCT.findall(text)) < 5 or is_hidden(element):
                drop(element)


_BULLET = re.compile(r"^[·•●○■□◆◇▪▶►>\-]")


def _is_link_list_line(line: Line, normalized: str) -> bool:
    """A list item under a chrome heading: a bullet or link line, or a short line without a sentence."""
    return (
        line.link_ratio > 0.3
        or bool(_BULLET.match(normalized))
        or (len(normalized) <= 40 and not re.search(r"[。；]", normalized))
    )


def clean_lines(lines: list[Line], chrome: frozenset[str] = frozenset()) -> list[Line]:
    """Drop furniture lines, the site's learned template lines (``chrome``, normalised) and chrome
    sections (a heading such as 相关链接 and the link list under it)."""
    kept: list[Line] = []
    in_section = False
    for line in lines:
        # The lexicon is Simplified; long lines are prose and only need the raw "anywhere" check.
        normalized = normalize_line(line.text) if len(line.text) <= 200 else line.text
        if _SECTION_HEADINGS.match(normalized) and len(normalized) <= 30:
            in_section = True
            continue
        if in_section:
            if _is_link_list_line(line, normalized):
                continue
            in_section = False
        if is_furniture(normalized) or (chrome and normalize_line(line.text) in chrome):
            continue
        kept.append(line)
    return _densest_run(kept)


def _line_value(line: Line) -> float:
    """How much a line looks like article text: its plain characters minus its link text."""
    return len(line.text.replace(" ", "")) - 2 * line.link_chars


def _densest_run(lines: list[Line]) -> list[Line]:
    """The contiguous run of lines with the greatest total value (maximum subarray), without its
    link-list lines: link lists and teasers before or after the article fall away, short lines and
    an inline block of links inside it do not cut it."""
    best_sum, best = 0.0, (0, 0)
    running, start = 0.0, 0
    for index, line in enumerate(lines):
        if running <= 0:
            running, start = 0.0, index
        running += _line_value(line)
        if running > best_sum:
            best_sum, best = running, (start, index + 1)
    return [line for line in lines[best[0] : best[1]] if line.link_ratio <= 0.5]


def body_lines(container, chrome: frozenset[str] = frozenset()) -> list[Line]:
    """Lines of the notice text inside ``container`` with its chrome removed."""
    _drop_chrome_elements(container)
    return clean_lines(element_lines(container), chrome)
