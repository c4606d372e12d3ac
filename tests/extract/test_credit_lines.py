"""Credit lines at the edges of an article (no SiteHints): editor, source, print-edition, photo and
copyright lines after the text, bylines before it, a credit in brackets closing the last paragraph;
and titles on pages whose ``<title>`` is a column's name or carries a ``-新华网`` suffix. The pages
(tests/fixtures/extract/unrecorded/) are hand-made whole templates with invented articles."""

import re
from pathlib import Path

import pytest

from crawler.extract import extract_notice
from crawler.extract.blocks import Line
from crawler.extract.credits import is_byline, trim_tail_credits

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "extract" / "unrecorded"
LAST_PARAGRAPH = "下一步，将持续推进数字乡村建设，让数字红利更多惠及山区群众。"


def extract(name: str, url: str):
    return extract_notice(url, (PAGES / name).read_bytes())


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_not_in_body(notice, *texts: str) -> None:
    body = compact(notice.body)
    leaked = [text for text in texts if compact(text) in body]
    assert not leaked, f"{leaked} leaked into body {notice.body!r}"


def test_a_republished_report_ends_at_its_text_not_at_its_print_edition_and_editors():
    """人民网 reprinting 人民日报: the reporters' line, the print edition, the editors and the
    公众号 line close the article container; the 资金来源 sentence inside the text stays."""
    notice = extract(
        "republished_report_print_edition.html", "http://finance.people.com.cn/n1/2024/0612/c1004-40253367.html"
    )
    assert notice.title == "大规模设备更新取得阶段性进展"
    assert notice.published_at == "2024-06-12T06:12:00+08:00"
    assert notice.body.startswith("6月11日，国务院新闻办举行“推动高质量发展”系列主题新闻发布会")
    assert notice.body.endswith("关键工序数控化率分别超过90%、75%。")
    assert "刘明远表示，资金来源方面将坚持“政府引导、市场主导”" in notice.body
    assert_not_in_body(
        notice,
        "本报记者 陆晓楠",
        "《人民日报》（2024年06月12日02版）",
        "责编：王震",
        "关注公众号",
        "推荐阅读",
        "热点排行",
        "版权所有",
    )


def test_a_notice_keeps_its_source_line_inside_and_its_signature_at_the_end():
    """A 通报 with a table followed by ``资料来源：…`` inside the text and its 落款 (issuer and
    date) at the end: both stay; the 信息来源 and 关键字 lines after the 落款 go."""
    notice = extract(
        "notice_source_table_signature.html", "http://fgw.huzhou.gov.cn/art/2024/4/19/art_1229203_59013.html"
    )
    assert notice.title == "关于2024年一季度全市重大项目推进情况的通报"
    lines = notice.body.splitlines()
    assert lines[0] == "各区县发展改革局，南太湖新区、湖州莫干山高新区经发局，市级有关单位："
    assert "资料来源：湖州市重大项目管理平台" in lines
    assert lines[-2:] == ["湖州市发展和改革委员会", "2024年4月18日"]
    assert (notice.issuer, notice.signed_at) == ("湖州市发展和改革委员会", "2024-04-18")
    assert_not_in_body(notice, "信息来源：项目推进处", "关键字", "打印本页", "相关信息", "浙ICP备")


def test_a_byline_above_the_text_and_a_print_credit_closing_it_are_trimmed():
    """A magazine feature opens with ``半月谈记者 …`` and closes its last paragraph with
    ``（刊于《半月谈》2024年第11期）``, then an editor's line split over two lines (``[`` and
    ``责编：刘洋 ]``). A photo caption ending in the photographer's name inside the text stays."""
    notice = extract(
        "magazine_byline_appended_credit.html",
        "http://www.banyuetan.org/dyp/detail/20240603/1000200033136171717378212369004741_1.html",
    )
    assert notice.title == "丽水：山里的“数字”新农事"
    assert notice.body.startswith("浙西南的丽水，九山半水半分田。")
    assert notice.body.endswith("让数字红利更多惠及山区群众，为山区共同富裕探索新路。")
    assert "在遂昌县一处茶园，村民正在直播销售高山云雾茶 叶子 摄" in notice.body.splitlines()
    assert_not_in_body(notice, "半月谈记者", "韦一帆", "刊于《半月谈》", "责编", "相关阅读", "热门文章")


def test_a_wire_photo_page_loses_its_photo_credit_and_widget_scraps_and_its_title_suffix():
    """新华网-style: the headline is a ``<div>``, ``<title>`` reads ``headline-新华网`` and a
    hidden share widget repeats it; after the text come ``新华社发（张 涛摄）``, the album and
    like buttons' text (``图集``, ``+1``) and ``【纠错】 责任编辑： 王 静``."""
    notice = extract(
        "wire_photo_title_suffix.html", "http://www.news.cn/local/20240508/c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5/c.html"
    )
    assert notice.title == "黑龙江友谊：智慧农机助力春耕生产"
    assert notice.published_at == "2024-05-08T16:42:10+08:00"
    assert notice.body.splitlines()[0] == "5月7日，在黑龙江省友谊县一处农场，无人驾驶插秧机在田间作业。"
    assert notice.body.endswith("截至目前，全县已完成水稻插秧面积12万亩。")
    assert_not_in_body(notice, "新华社发", "+1", "纠错", "责任编辑", "热门推荐")


def test_a_title_that_only_names_the_column_gives_way_to_the_headline_above_the_text():
    """``<title>`` is ``学会动态``, the name of a menu entry, a breadcrumb step and the sidebar's
    heading (a ``div.title``); the headline is a styled ``<div>`` without a class, just above
    the date line and the text."""
    notice = extract("column_name_title_plain_div.html", "http://www.chinawater.org.cn/xhdt/202405/t20240516_1.html")
    assert notice.title == "2024年水利青年科技论坛在南京召开"
    assert notice.published_at == "2024-05-16T00:00:00+08:00"
    assert notice.body.startswith("5月14日至15日，由中国水利学会主办")
    assert notice.body.endswith("12名青年科技工作者获此称号。")


@pytest.mark.parametrize(
    "credits",
    [
        ["《 人民日报 》（ 2020年03月02日 04 版）", "(责编：胡永秋、杨光宇)"],
        ["《光明日报》（2023年03月02日03版）"],
        ["[", "责编：张倩 ]"],
        ["责任编辑：孙重远"],
        ["（本文来源：经济日报）"],
        ["来源 | 中国经济网"],
        ["返回人民网财经，查看更多"],
        ["关注公众号：人民网财经"],
        ["【纠错】 责任编辑： 焦鹏"],
        ["关键字：CPI"],
        ["新华社发（刘满仓摄）"],
        ["本作品为“科普中国-科学原理一点通”原创，转载时务请注明出处。"],
        ["中青报·中青网记者 魏其濛 来源：中国青年报"],
        ["图集", "+1", "图片均来自网络"],
        ["图/视觉中国", "转自《北京科技报》"],
    ],
)
def test_credit_lines_after_the_text_are_trimmed(credits):
    lines = [Line("近日，记者从市发展改革委获悉，全市重大项目建设进展顺利。"), Line(LAST_PARAGRAPH)]
    assert [line.text for line in trim_tail_credits(lines + [Line(text) for text in credits])] == [
        line.text for line in lines
    ]


@pytest.mark.parametrize("ending", ["（刊于《半月谈》2019年第24期）", "（本文来源：人民日报）", "(责任编辑：李明)"])
def test_a_credit_in_brackets_closing_the_last_paragraph_is_cut_from_it(ending):
    trimmed = trim_tail_credits([Line("第一段。"), Line(LAST_PARAGRAPH + ending)])
    assert [line.text for line in trimmed] == ["第一段。", LAST_PARAGRAPH]


@pytest.mark.parametrize(
    "tail",
    [
        ["特此通知。", "湖州市发展和改革委员会", "2024年4月18日"],  # 落款
        ["来源：市统计局", "二、下步工作", "各地要对照年度计划推进。"],  # a 来源 line inside the text
        ["全面推进城乡厕所新建改建工作。（钟才文）"],  # an author's sign-off in the paragraph
        ["此复"],  # a closing formula of two characters
        ["资料来源：县统计局、县财政局"],  # the data's sources are the text's own
        ["联系人：陈敏，电话：0572-2398120（编辑部）"],  # a bracket naming a department
    ],
)
def test_text_that_only_looks_like_a_credit_is_kept(tail):
    lines = [Line(LAST_PARAGRAPH), *map(Line, tail)]
    assert trim_tail_credits(lines) == lines


def test_a_closing_formula_before_a_credit_line_is_text_not_a_scrap():
    lines = [Line(LAST_PARAGRAPH), Line("特此通知"), Line("信息来源：市发展改革委")]
    assert [line.text for line in trim_tail_credits(lines)] == [LAST_PARAGRAPH, "特此通知"]


@pytest.mark.parametrize(
    "text",
    [
        "半月谈记者 史卫燕",
        "执笔/叨叨姐、胡一刀&李小飞刀",
        "本报记者 王 磊 通讯员 刘 洋",
        "□ 新京报记者 彭冲 山东冠县报道",
        "文/张三",
        "新华社记者 李四 摄",
    ],
)
def test_byline_shapes_are_bylines(text):
    assert is_byline(text)


@pytest.mark.parametrize(
    "text",
    [
        "记者从市发展改革委获悉",
        "本报讯（记者叶婉）近日，项目正式启动。",
        "各区县人民政府：",
        "一、总体情况",
        "湖州市发展和改革委员会",
    ],
)
def test_sentences_and_headings_are_not_bylines(text):
    assert not is_byline(text)
