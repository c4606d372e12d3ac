"""The application deadline a call for applications states (申报截止时间为…, 请于…前报送), as ISO 8601.

A notice's text is read sentence by sentence (split at 。；！ and line breaks) and each date in it
(``2025年3月31日``, ``2025-03-31``, ``3月31日``, ``三月三十一日``, ``8月底``, with an optional time
``17:00`` / ``17时`` / ``下午5点``) is a deadline when it is written in one of the forms a deadline
takes:

* by: ``（请）于 DATE（之/以）前 … 报送/申报/提交/推荐/完成审核 …``
* label: ``申报截止时间为 DATE``, ``截止日期：DATE``, ``报送截至 DATE``
* stop: ``DATE 截止``, ``… 至 DATE 止``
* range: ``申报时间：DATE 至 DATE``, ``即日起至 DATE，登录系统填报``: the end of the range
* heading: a sentence holding only a label (``三、截止时间``) followed by one starting with the date
* within: ``请于通知印发之日起30日内报送``: so many calendar days after the publication

and its clause says that something is submitted, applied for or recommended to the issuer
(申报, 报送, 提交, 报名, 填报, 推荐, 审核, 登录系统 …; the label 截止时间 says it by itself,
and so does ``逾期不予受理`` in the sentence). A date in a clause about a 公示 period, an
objection, a validity, or a project's work (开工, 竣工, 销售, 完成监察任务: no submission verb)
is none; nor is a date followed by 后/以后/起.

When a notice states several application deadlines (企业网上申报截止8月10日, 各设区市推荐截止8月25日),
the earliest is *the* deadline: it is the first submission step the notice asks of anyone, every
later step (the city's recommendation, the province's report) builds on it, and a firm reading
the notice is out once it has passed. A date before the publication is a reference to the past,
never the deadline. A year-less date takes the publication's year, and the next year when it
would fall before the publication. ``24:00`` means the whole day: the date alone is given.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from crawler.extract.dates import CHINA_TZ

_HAN_NUMERAL = "〇○零一二三四五六七八九十"
_HAN_VALUE = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DATE = re.compile(
    r"(?<!\d)(?:(?P<y>20\d{2})\s*年\s*)?(?P<m>1[0-2]|0?[1-9])\s*月\s*(?:(?P<d>3[01]|[12]\d|0?[1-9])\s*[日号]|(?P<end>底|末))"
    r"|(?<!\d)(?P<iy>20\d{2})[-/.](?P<im>1[0-2]|0?[1-9])[-/.](?P<id>3[01]|[12]\d|0?[1-9])(?!\d)"
    rf"|(?:(?P<hy>[〇○零一二三四五六七八九]{{4}})\s*年\s*)?(?P<hm>[{_HAN_NUMERAL}]{{1,2}})\s*月\s*(?P<hd>[{_HAN_NUMERAL}]{{1,3}})\s*日"
)
# What may follow a date: a weekday, then a time of day (17:00, 17时30分, 下午5点).
_TIME = re.compile(
    r"(?:\s*[（(]?(?:星期|周|礼拜)[一二三四五六日天][）)]?)?"
    r"(?:\s*(?P<half>上午|下午|中午|晚上)?\s*(?P<H>\d{1,2})\s*(?:[:：]\s*(?P<M>\d{2})|[时点](?:\s*(?P<M2>\d{1,2})\s*分|整)?))?"
)
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_CLAUSE_BREAK = re.compile(r"[，,]")
# Clauses that go on with the same subject and the same deadline: ``…前完成初审，并将材料报送…``.
_CONTINUES = re.compile(r"^(?:并|同时|且|再|统一|汇总)")
_SUBMITS = re.compile(
    r"申报|报送|提交|报名|填报|推荐|上报|报至|报到|寄送|寄至|发送|送达|递交|交至|入库|受理|申请|登录|自评|审核|初审|"
    r"征集|报(?=[我省市区县州盟厅局委部])"
)
_NOT_APPLICATION = re.compile(
    r"公示|异议|反映|投诉|举报|有效期|施行|实施期|执行期|建设期|开工|竣工|完工|建成|验收|投产|销售|注册|成立|"
    r"累计|已有|已完成|结束"
)
_AFTER_DATE = re.compile(r"^\s*(?:后|以后|之后|起)")
_BY = re.compile(r"^\s*(?:之前|以前|前)")
_STOP = re.compile(r"^\s*(?:截止|截至|为止|止)")
_LABEL = re.compile(r"(?:截止|截至)\s*(?:时间|日期|期限)?\s*(?:为|是|到|至)?\s*[:：]?\s*$")
_LABEL_NOUN = re.compile(r"截止\s*(?:时间|日期|期限)\s*(?:为|是)?\s*[:：]?\s*$")
_RANGE = re.compile(r"(?:至|到|—|－|-|~|～)\s*$")
_RANGE_END = re.compile(r"^\s*(?:至|到|—|－|-|~|～)")
_RANGE_START = re.compile(
    r"(?:\d\s*[日号]|即日|之日)\s*(?:起)?\s*(?:\d{1,2}\s*(?:[:：]\s*\d{2}|[时点]))?\s*(?:起)?\s*$"
)
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十\d]+[、.．)）]\s*)?[^，,]{0,8}(?:截止|申报|报送|提交|报名|申请)(?:时间|日期|期限)\s*[:：]?\s*$"
)
_LATE = re.compile(r"逾期")
# A deadline counted from the notice: 请于通知印发之日起30日内报送 (calendar days; working days are
# left alone, they need the holiday calendar).
_WITHIN = re.compile(
    rf"(?:印发|发布|下发|公布|发文)之日起\s*(?P<n>\d{{1,3}}|[{_HAN_NUMERAL}]{{1,3}})\s*(?:个)?(?:自然)?日内"
)


def _han(text: str) -> int:
    """A number in Arabic digits or a Han numeral: a year written digit by digit (二〇二五) or a
    number up to 99 (三十一)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_HAN_VALUE[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_HAN_VALUE[tens] if tens else 1) * 10 + (_HAN_VALUE[units] if units else 0)


def _day(match: re.Match, published: date | None) -> date | None:
    """The day a date match names; a year-less day is placed by ``published``."""
    if match["hm"]:
        year, month, day = (_han(match["hy"]) if match["hy"] else None), _han(match["hm"]), _han(match["hd"])
    elif match["im"]:
        year, month, day = int(match["iy"]), int(match["im"]), int(match["id"])
    else:
        year, month, day = (int(match["y"]) if match["y"] else None), int(match["m"]), int(match["d"] or 0)
    if year is None and published is None:
        return None
    for candidate in (year,) if year else (published.year, published.year + 1):
        try:
            found = date(candidate, month, day or calendar.monthrange(candidate, month)[1])
        except ValueError:
            continue
        if year or found >= published:
            return found
    return None


def _time(match: re.Match | None) -> tuple[int, int] | None:
    """(hour, minute) of a time match; None for none, for 24:00 (the whole day) and for nonsense."""
    if not match or match["H"] is None:
        return None
    hour, minute = int(match["H"]), int(match["M"] or match["M2"] or 0)
    if match["half"] in ("下午", "晚上") and hour < 12:
        hour += 12
    return (hour, minute) if hour < 24 and minute < 60 else None


def _clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The clause of ``sentence`` around ``start:end`` (between commas and colons), carried on over
    the clauses that continue it (``并将…报送``)."""
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, start)), default=0)
    right = len(sentence)
    for brk in _CLAUSE_BREAK.finditer(sentence, end):
        if not _CONTINUES.match(sentence[brk.end() :].lstrip()):
            right = brk.start()
            break
    return left, right


def _is_deadline(sentence: str, start: int, end: int, previous: str) -> bool:
    """Whether the date at ``sentence[start:end]`` (its time of day included) is written as an
    application deadline; ``previous`` is the sentence before (a heading such as 截止时间)."""
    left, right = _clause_bounds(sentence, start, end)
    if _BY.fullmatch(sentence[end:right].strip()) and right < len(sentence):
        # 于8月29日前，通过平台报送: what is due by then is said in the next clause.
        right = _clause_bounds(sentence, right + 1, right + 1)[1]
    before, after = sentence[left:start], sentence[end:right]
    clause = before + after
    if _NOT_APPLICATION.search(clause) or _AFTER_DATE.match(after):
        return False
    submits, late = bool(_SUBMITS.search(clause)), bool(_LATE.search(sentence))
    if _BY.match(after) or _STOP.match(after):
        return submits or late
    if _LABEL.search(before):
        return submits or late or bool(_LABEL_NOUN.search(before))
    if _RANGE.search(before) and _RANGE_START.search(_RANGE.sub("", before)):
        # A time window (即日起至…, 3月1日至3月31日): what is done in it may follow in the sentence.
        return bool(_SUBMITS.search(sentence)) or late or bool(_HEADING.search(previous))
    if start == 0 and _HEADING.search(previous):
        return not _RANGE_END.match(after)
    return False


def application_deadline(text: str, published: str | None) -> str | None:
    """The application deadline ``text`` (a notice's normalised body) states, as ``YYYY-MM-DD`` or,
    with a time of day, ``YYYY-MM-DDTHH:MM:SS+08:00``; None when it states none. ``published``
    (ISO 8601) places year-less dates and rules out dates before it."""
    day_published = date.fromisoformat(published[:10]) if published else None
    found: list[tuple[date, tuple[int, int] | None]] = []
    previous = ""
    for sentence_match in _SENTENCE.finditer(text or ""):
        sentence = sentence_match.group().strip()
        for match in _WITHIN.finditer(sentence):
            left, right = _clause_bounds(sentence, match.start(), match.end())
            clause = sentence[left:right]
            if day_published and _SUBMITS.search(clause) and not _NOT_APPLICATION.search(clause):
                found.append((day_published + timedelta(days=_han(match["n"])), None))
        for match in _DATE.finditer(sentence):
            day = _day(match, day_published)
            if day is None or (day_published and day < day_published):
                continue
            time = _TIME.match(sentence, match.end())
            if _is_deadline(sentence, match.start(), time.end(), previous):
                found.append((day, _time(time)))
        previous = sentence
    if not found:
        return None
    day, time = min(found, key=lambda item: (item[0], item[1] or (24, 0)))
    if time is None:
        return day.isoformat()
    return datetime(day.year, day.month, day.day, *time, tzinfo=CHINA_TZ).isoformat()
