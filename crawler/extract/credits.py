"""Credit lines at the edges of an article's text: bylines above it; editor, source, print-edition,
photo-credit and copyright lines below it. Only the edges are trimmed: a ``来源`` sentence inside
the text and a notice's 落款 (issuer and date) are text."""

from __future__ import annotations

import re
from functools import lru_cache

from crawler.extract.blocks import Line
from crawler.extract.text import to_simplified

_NAMES = r"[\u4e00-\u9fffA-Za-z·•]{1,6}(?:\s*[、&＆和/\s]\s*[\u4e00-\u9fffA-Za-z·•]{1,6}){0,7}"
_REPORTER = r"(?:特约记者|见习记者|实习记者|首席记者|记者|通讯员|实习生|特约撰稿人?|撰稿人?|评论员)"
_WRITER = r"(?:执笔|作者|撰文|撰稿|文/图|图/文|文图|文|图|摄影|口述|整理|编译)"
# 半月谈记者 史卫燕 · 本报记者 王 磊 通讯员 刘 洋 · □ 新京报记者 彭冲 山东冠县报道 · 执笔/叨叨姐、胡一刀&李小飞刀 ·
# 文/张三 · 中青报·中青网记者 魏其濛 来源：中国青年报. A reporter's title is followed by a space (记者从…获悉
# is a sentence); a writer's label by a slash, colon or space.
_BYLINE = re.compile(
    rf"^[□■◎●▲]?\s*(?:[\u4e00-\u9fff·•]{{0,12}}{_REPORTER}\s+|{_WRITER}\s*[/／:：|丨\s]\s*){_NAMES}"
    rf"(?:\s+(?:{_REPORTER}|{_WRITER}[/／:：]?)\s*{_NAMES})*"
    r"(?:\s*摄|\s+[\u4e00-\u9fff]{2,8}报道)?(?:\s*来源\s*[:：]\s*\S{2,20})?$"
)
_CREDIT_LABELS = (
    "责编|责任编辑|编辑|本期编辑|值班编辑|实习编辑|见习编辑|网络编辑|编审|审核|审校|审稿|校对|终审|初审|复审|签发|"
    "选稿|监制|统筹|策划|制作|美编|主编|作者|撰稿|撰文|记者|通讯员|摄影|摄像|视频|图片|设计|海报|"
    "来源|本文来源|稿件来源|文章来源|信息来源|新闻来源|内容来源|图片来源|出处|转自|摘自|原载|刊于|"
    "关键字|关键词|标签|tags?"
)
_CREDIT_LINE = re.compile(
    # 责编：张倩 ] · 来源 | 人民日报 · 关键字：CPI · (责编：胡永秋、杨光宇)
    rf"^(?:{_CREDIT_LABELS})\s*[:：/|｜丨]"
    # 《 人民日报 》（ 2024年05月10日 04 版） · 《光明日报》（2023年03月02日03版）
    r"|^《[^》]{2,20}》\s*[（(]?\s*(?:19|20)\d{2}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2}\s*日?"
    r"\s*(?:第?\s*\d{1,3}\s*版)?\s*[)）]?$"
    # 转自《北京科技报》 · 刊于《半月谈》2019年第24期 · 本文原载于《…》
    r"|^(?:本文)?(?:刊于|刊发于|原载于?|载于|发表于|转载自|转自|摘自|选自|来源于)\s*《"
    # 新华社发（刘满仓摄） · （张三 摄） · 新华社记者 李四 摄
    r"|^(?:[\u4e00-\u9fff·]{0,10}发)?\s*[（(][^（）()]{1,24}?摄\s*[)）]$"
    # 图片均来自网络 · 图片来源于网络 · 图/视觉中国
    r"|^(?:图片|配图)均?(?:来自|来源于|由)|^图\s*[/／|丨]"
    # 本作品为“科普中国-科学原理一点通”原创，转载时务请注明出处。
    r"|^本(?:作品|文|稿件?|篇)(?:为|系|是|由).{0,40}(?:原创|独家|首发|授权)|转载.{0,10}(?:注明|标明)(?:出处|来源)"
    # 返回人民网财经，查看更多 · 关注公众号：人民网财经
    r"|^返回.{1,16}[，,]?\s*查看更多|^(?:欢迎|请)?关注.{0,16}(?:公众号|微信|微博|客户端|视频号|抖音|头条号)",
    re.I,
)
# Page controls that share a line with an editor's name: 【纠错】 责任编辑： 焦鹏.
_CONTROLS = re.compile(r"^(?:[【\[]\s*(?:纠错|我要纠错|打印|关闭|收藏|分享)\s*[】\]]\s*)+")
_OPENING_MARKS = re.compile(r"^[\s【\[〔（(<]+")
# A credit in brackets at the very end of the last paragraph: …书写益阳新的传奇。（刊于《半月谈》2019年第24期）
# A label needs its colon or a space: （编辑部） is no credit.
_APPENDED_CREDIT = re.compile(
    r"\s*[（(]\s*(?:(?:本文)?(?:刊于|刊发于|原载于?|载于|发表于|转载自|转自|摘自|选自|来源于)\s*"
    r"|(?:本文来源|稿件来源|文章来源|来源|责编|责任编辑|编辑)\s*[:：\s]\s*)[^（）()]{1,40}[)）]\s*$"
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_LONGEST_CREDIT = 80


@lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    """A short line in Simplified characters with its space runs as one space: the spaces between
    a byline's title and names are what tell it from a sentence, so they are kept."""
    return to_simplified(_SPACES.sub(" ", text).strip())


def is_byline(text: str) -> bool:
    """True for a line naming only the article's reporters or writers (``半月谈记者 史卫燕``,
    ``执笔/…``, ``本报记者 王磊 通讯员 刘洋``)."""
    return len(text) <= 60 and bool(_BYLINE.match(_plain(text)))


def _is_credit(line: Line) -> bool:
    """A line of credits: editors, source, print edition, photo credit, copyright, a byline."""
    if len(line.text) > _LONGEST_CREDIT or line.cells >= 2:
        return False
    bare = _CONTROLS.sub("", _plain(line.text))
    bare = _OPENING_MARKS.sub("", bare)
    return bool(bare) and (bool(_CREDIT_LINE.search(bare)) or bool(_BYLINE.match(bare)))


def _is_scrap(line: Line) -> bool:
    """Widget leftovers between the text and its credit lines: two characters (``图集``, ``+1``, a
    lone ``[``) or a few without a Han one (``Play``); never a table row nor a closing formula
    such as 特此通知."""
    size = len(line.text.replace(" ", ""))
    return line.cells < 2 and (size <= 2 or size <= 6 and not _HAN.search(line.text))


def _credit_run_start(lines: list[Line]) -> int:
    """Where the run of credit lines closing ``lines`` starts (scraps inside it go with it); the
    length of ``lines`` when they end with no credit line. The first line is never in the run."""
    start, credits = len(lines), 0
    while start > 1:
        if _is_credit(lines[start - 1]):
            credits += 1
        elif not _is_scrap(lines[start - 1]):
            break
        start -= 1
    return start if credits else len(lines)


def trim_tail_credits(lines: list[Line]) -> list[Line]:
    """``lines`` without the run of credit lines at their end and without a bracketed source or
    print credit closing the last paragraph. Nothing before the last line of text is touched."""
    end = _credit_run_start(lines)
    last = lines[end - 1] if end else None
    if last is not None and last.cells < 2 and (match := _APPENDED_CREDIT.search(last.text)) and match.start():
        kept = last.text[: match.start()]
        return [*lines[: end - 1], Line(kept, min(last.link_chars, len(kept.replace(" ", ""))), last.cells)]
    return lines[:end]
