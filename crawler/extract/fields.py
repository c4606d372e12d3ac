"""Fields inside a notice's text: 文号, 主送, 落款 (issuer and date), and the 政府信息公开 index table."""

from __future__ import annotations

import re

from crawler.extract.blocks import Line, element_lines
from crawler.extract.dates import find_date, find_date_span
from crawler.extract.text import strip_pinyin_glosses, to_simplified

_HAN = r"\u4e00-\u9fff"
DOC_NUMBER = re.compile(
    rf"[{_HAN}A-Za-z]{{1,16}}\s*[〔\[［【(（]\s*(?:19|20)\d{{2}}\s*[〕\]］】)）]\s*第?\s*\d{{1,5}}\s*[号號]"
)
# Labels of the 政府信息公开 metadata table; spaces inside a label are common (索  引 号).
_INDEX_LABELS = (
    "索引号",
    "主题分类",
    "信息分类",
    "体裁分类",
    "组配分类",
    "服务对象分类",
    "分类",
    "发布机构",
    "发文机关",
    "发文单位",
    "成文日期",
    "生成日期",
    "发文日期",
    "发文字号",
    "文号",
    "文件编号",
    "发布日期",
    "公开日期",
    "有效性",
    "有效期",
    "效力状态",
    "生效日期",
    "废止日期",
    "标题",
    "名称",
    "主题词",
    "关键词",
    "公开方式",
    "公开范围",
    "公开时限",
    "信息来源",
    "所属机构",
    "责任部门",
)
# Labels found only in index tables (a page's date/source line has 发布日期 and 信息来源 too).
_STRONG_LABELS = frozenset(
    (
        "索引号",
        "主题分类",
        "信息分类",
        "体裁分类",
        "组配分类",
        "发布机构",
        "发文机关",
        "成文日期",
        "生成日期",
        "发文字号",
        "文号",
        "文件编号",
        "有效性",
        "有效期",
        "效力状态",
    )
)
_INDEX_LABEL = re.compile(
    "(" + "|".join(r"\s*".join(label) for label in sorted(_INDEX_LABELS, key=len, reverse=True)) + r")\s*[:：]?\s*"
)
_ADDRESSEE_WORDS = re.compile(r"各|有关|局|厅|委|办|单位|部门|公司|政府|企业|机构|协会|学校|银行|中心|院|所|会")
_ISSUER_END = re.compile(
    r"(厅|部|局|委|委员会|办|办公室|办公厅|院|府|政府|中心|公司|协会|联合会|商会|会|署|室|处|科|站|组|小组|集团)$"
)
_SENTENCE_MARKS = re.compile(r"[。；;，,：:？?！!]")


def names_two_index_labels(text: str) -> bool:
    """Whether ``text`` holds two labels only index tables have. A label may have spaces inside
    (索  引 号): without spaces, each is a plain substring, much faster to look for than the
    pattern that reads the labels."""
    squeezed = "".join(text.split())
    return sum(label in squeezed for label in _STRONG_LABELS) >= 2


def index_table(container_root) -> tuple[dict[str, str] | None, object | None]:
    """The 政府信息公开 index table (索引号, 发布机构, 成文日期, 发文字号 …) as label → value, and the
    element holding it, or (None, None). The smallest element naming three or more labels wins."""
    page_text = "".join(container_root.itertext())
    if not names_two_index_labels(page_text):
        return None, None
    page_labels = {re.sub(r"\s+", "", m.group(1)) for m in _INDEX_LABEL.finditer(page_text)}
    if len(page_labels & _STRONG_LABELS) < 2:
        return None, None
    best, best_size = None, None
    for element in container_root.iter("table", "div", "ul", "dl", "section"):
        text = "".join(element.itertext())
        if len(text) > 1500 or not names_two_index_labels(text):
            continue
        labels = {re.sub(r"\s+", "", m.group(1)) for m in _INDEX_LABEL.finditer(text)}
        if len(labels) >= 3 and len(labels & _STRONG_LABELS) >= 2 and (best_size is None or len(text) < best_size):
            best, best_size = element, len(text)
    if best is None:
        return None, None
    text = "\n".join(line.text for line in element_lines(best))
    matches = list(_INDEX_LABEL.finditer(text))
    table: dict[str, str] = {}
    for match, following in zip(matches, [*matches[1:], None]):
        value = text[match.end() : following.start() if following else len(text)]
        key = re.sub(r"\s+", "", match.group(1))
        table.setdefault(key, re.sub(r"\s+", " ", value).strip() or None)
    return table, best


def doc_number(lines: list[Line], index: dict | None) -> str | None:
    """The 文号: the index table's 发文字号/文号, else a line near the top that is only a 文号
    (a 文号 cited inside a sentence is a reference to another document, not this one's)."""
    for key in ("发文字号", "文号"):
        if index and index.get(key):
            match = DOC_NUMBER.search(index[key])
            if match:
                return re.sub(r"\s+", "", match.group())
    for line in lines[:6]:
        # The pattern backtracks at every Han character: a line without 号 cannot hold a 文号.
        if "号" not in line.text and "號" not in line.text:
            continue
        match = DOC_NUMBER.search(line.text)
        if match and len(line.text) <= len(match.group()) + 8:
            return re.sub(r"\s+", "", match.group())
    return None


def addressees(lines: list[Line]) -> str | None:
    """The 主送 line that opens the notice (``各市、县（市、区）经信局：``), without its colon."""
    for line in lines[:4]:
        text = strip_pinyin_glosses(line.text).strip()
        if DOC_NUMBER.fullmatch(text.replace(" ", "")):
            continue
        if re.search(r"[:：]$", text) and len(text) <= 150 and "。" not in text and _ADDRESSEE_WORDS.search(text):
            return text[:-1].strip()
        return None
    return None


def _is_issuer_line(text: str) -> bool:
    text = to_simplified(text.strip())
    if not text or len(text) > 60 or _SENTENCE_MARKS.search(text) or find_date(text):
        return False
    return all(_ISSUER_END.search(part) for part in text.split())


def _signature_at(texts: list[str], position: int) -> tuple[str | None, str | None] | None:
    """(issuer, date) when line ``position`` is a 落款 date line (a date alone, or an organisation
    and a date), with the organisation lines above it; else None."""
    text = texts[position]
    span = find_date_span(text)
    if not span or text[span[2] :].strip(" 　)）") or len(text) > 60:
        return None
    prefix = text[: span[1]].strip()
    if prefix and not _is_issuer_line(prefix):
        return None
    organisations = [prefix] if prefix else []
    above = position - 1
    while above >= 0 and len(organisations) < 4 and _is_issuer_line(texts[above]):
        organisations.insert(0, texts[above])
        above -= 1
    return " ".join(" ".join(part.split()) for part in organisations) or None, span[0][:10]


def signature(lines: list[Line]) -> tuple[str | None, str | None]:
    """The 落款: (issuing organisations joined by one space, signing date ``YYYY-MM-DD``), or
    (None, None). Looked for in the last lines first; else the last organisation-and-date pair
    anywhere, as in a notice that prints the document it issues (印发…办法) after its 落款."""
    texts = [strip_pinyin_glosses(line.text).strip() for line in lines]
    for position in range(len(texts) - 1, max(len(texts) - 6, -1), -1):
        found = _signature_at(texts, position)
        if found:
            return found
    for position in range(len(texts) - 1, 0, -1):
        found = _signature_at(texts, position)
        if found and found[0]:
            return found
    return None, None
