"""The generic cascade on templates no site definition describes (no SiteHints): a notice that is
mostly a short table beside long menus, headlines in unusual tags, a date split over two elements,
article text a script reveals. The pages (tests/fixtures/extract/unrecorded/) are hand-made in the
markup of government CMSs, with invented notices; each test names the rule it guards."""

import re
from pathlib import Path

import pytest

from crawler.extract import extract_notice

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "extract" / "unrecorded"


def extract(name: str, url: str):
    return extract_notice(url, (PAGES / name).read_bytes())


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_in_body(notice, *texts: str) -> None:
    body = compact(notice.body)
    missing = [text for text in texts if compact(text) not in body]
    assert not missing, f"missing {missing} from body {notice.body!r}"


def assert_not_in_body(notice, *texts: str) -> None:
    body = compact(notice.body)
    leaked = [text for text in texts if compact(text) in body]
    assert not leaked, f"{leaked} leaked into body {notice.body!r}"


def test_a_cluster_list_table_wins_over_a_sixty_link_menu():
    """A 名单 of five rows whose cells are too short to score as paragraphs: the table scores as
    one block (half a paragraph per cell), and the menu's links count for nothing."""
    notice = extract("cluster_list_menu.html", "https://jxj.huzhou.gov.cn/col/col1229004/art/content_5781234.html")
    assert notice.title == "2024年度湖州市特色产业集群名单"
    assert notice.published_at == "2024-03-12T00:00:00+08:00"
    assert notice.body.splitlines() == [
        "序号 集群名称 所在地",
        "1 吴兴区童装产业集群 湖州市吴兴区",
        "2 南浔区电机产业集群 湖州市南浔区",
        "3 德清县地理信息产业集群 湖州市德清县",
        "4 长兴县新能源电池产业集群 湖州市长兴县",
        "5 安吉县绿色家居产业集群 湖州市安吉县",
    ]
    assert_not_in_body(notice, "领导信息", "小微企业园", "双随机一公开", "网上调查", "主办单位", "建议使用")


def test_a_one_row_penalty_table_keeps_its_header_row_that_names_a_date():
    """A 行政处罚 disclosure of one row on a GBK table-layout page: the table beats the date
    line's cell and the table-built side menu, and its header row (处罚决定日期) is table data, not
    a date line to trim."""
    notice = extract("penalty_one_row_gbk.html", "http://jxj.jiaxing.gov.cn/zfxxgk/xzcf/content_31402.jhtml")
    assert notice.encoding in ("gbk", "gb18030")
    assert notice.title == "嘉兴市经济和信息化局行政处罚决定书（嘉经信罚〔2024〕2号）"
    assert notice.published_at == "2024-01-18T00:00:00+08:00"
    assert len(notice.body.splitlines()) == 2
    assert_in_body(
        notice,
        "行政相对人名称",
        "处罚决定日期",
        "处罚机关",
        "嘉兴市恒泰新材料有限公司",
        "91330402MA2BC3KX7P",
        "嘉经信罚〔2024〕2号",
        "罚款人民币叁万元",
        "2024年1月16日",
    )
    assert_not_in_body(notice, "信息公开年报", "双随机抽查", "最新公开", "无线电台执照", "版权所有", "发布时间")


def test_a_label_value_table_is_kept_whole_not_its_longest_cell():
    """Seven label/value rows, one value a long sentence that outscores everything alone: the
    cell's table is taken whole. The headline is a bold paragraph (``<title>`` is generic) and
    the date a badge of two blocks before it (``21`` over ``2024-02``), not the table's
    处罚决定日期."""
    notice = extract("label_value_table.html", "https://credit.sx.gov.cn/sgs/xzcf/detail?id=88213")
    assert notice.title == "绍兴市经济和信息化局行政处罚决定信息公示（永盛印染）"
    assert notice.published_at == "2024-02-21T00:00:00+08:00"
    assert notice.body.splitlines()[0] == "行政相对人名称 绍兴市柯桥区永盛印染有限公司"
    assert len(notice.body.splitlines()) == 7
    assert_in_body(
        notice,
        "91330621MA288K5Q2D",
        "绍经信罚决字〔2024〕3号",
        "违法事实",
        "未对各类能源消费实行分类计量和统计",
        "第八十四条",
        "责令限期改正，并处罚款人民币贰万元",
        "处罚决定日期 2024年02月19日",
    )
    assert_not_in_body(notice, "行政强制", "失信黑名单", "信用动态", "打印", "浙ICP备")


def test_an_h5_headline_under_a_breadcrumb_in_the_same_block():
    """The headline is an ``<h5>`` and ``<title>`` only names the column; the breadcrumb above
    it, in an ``<h3>`` at the very top of the article block, is nearer the text but never a title.
    A hidden 政策解读 block, longer than the notice, stays hidden: the notice is what is shown."""
    notice = extract("h5_headline_breadcrumb.html", "https://jxj.yichang.gov.cn/tzgg/20240408.html")
    assert notice.title == "关于组织开展2024年度宜昌市级企业技术中心认定工作的通知"
    assert notice.published_at == "2024-04-08T16:20:00+08:00"
    assert notice.body.startswith("各县市区经济和信息化局（科技和经信局），宜昌高新区经发局，各有关企业：")
    assert notice.body.endswith("宜昌市经济和信息化局\n2024年4月8日")
    assert_not_in_body(
        notice,
        "您现在的位置",
        "发布时间",
        "关于组织开展2024年度宜昌市级企业技术中心认定工作的通知",
        "政策解读",
        "出台的背景是什么",
        "相关文章",
        "工业设计大赛",
        "专题专栏",
        "鄂ICP备",
    )


def test_a_div_headline_wins_over_the_site_name_in_the_header():
    """``<title>`` is only the site's name, which the logo ``<h1>`` (a link to the home page) and
    the breadcrumb's first step hold too; the headline is a ``<div>`` with a class nobody listed,
    the line just above the date line and the text."""
    notice = extract("div_headline_site_name.html", "http://www.kepu.gov.cn/szxw/content_80731.html")
    assert notice.title == "四部门联合印发《中小企业数字化转型城市试点实施方案》"
    assert notice.published_at == "2024-03-05T09:12:36+08:00"
    assert notice.body.startswith("记者3月5日从工业和信息化部获悉")
    assert notice.body.endswith("以城市为载体带动更多中小企业加快数字化转型步伐。")
    assert_not_in_body(notice, "中国科普网", "时政新闻", "热点新闻", "科普资讯", "扩大内需", "京ICP备")


def test_a_split_date_badge_beats_the_dates_of_related_links():
    """The page's date is ``<span class="day">21</span><span class="ym">2024年02月</span>`` beside
    the headline; the first full date after the short text is a related link's (2024-01-12). The
    headline is a ``<div>`` and ``<title>`` reads 标题-栏目-网站."""
    notice = extract("split_date_related_links.html", "https://jxj.qz.gov.cn/art/content_7123.html")
    assert notice.title == "关于2024年第一批衢州市专精特新中小企业拟认定名单的公示"
    assert notice.published_at == "2024-02-21T00:00:00+08:00"
    assert notice.body.startswith("根据《优质中小企业梯度培育管理暂行办法》")
    assert_in_body(
        notice, "拟认定衢州市恒远机械制造有限公司等28家企业", "附件：2024年第一批衢州市专精特新中小企业拟认定名单"
    )
    assert_not_in_body(
        notice,
        "相关链接",
        "衢州市优质中小企业梯度培育",
        "第二批专精特新",
        "最新发布",
        "经信工作会议",
        "政策解读",
        "浙ICP备",
    )


def test_article_text_a_script_reveals_is_content_and_hidden_chrome_is_not():
    """The article block is ``visibility:hidden`` until a script shows it, with a date badge at
    its top: it is the page's text. The hidden pop-up and reprint notice inside it and the hidden
    submenus stay out."""
    notice = extract("hidden_article_text.html", "https://gxt.fujian.gov.cn/zwgk/tzgg/content_40123.html")
    assert notice.title == "关于开展2024年度工业互联网平台“进园区、进企业”对接活动的通知"
    assert notice.published_at == "2024-03-01T00:00:00+08:00"
    assert notice.body.startswith("各设区市工业和信息化局，平潭综合实验区经济发展局：")
    assert_in_body(notice, "每季度至少举办一场对接活动", "联系人：陈伟，联系电话：0591-87654321。")
    assert_not_in_body(
        notice, "2024-03", "扫一扫", "未经授权不得复制", "厅局要闻", "节能与综合利用", "相关文章", "闽ICP备"
    )


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_every_unrecorded_page_has_a_title_a_date_and_a_body(name):
    notice = extract(name, "https://example.gov.cn/content_1.html")
    assert notice.title and notice.published_at and notice.body and notice.error is None


def test_a_disclosure_page_is_dated_by_its_table_not_by_a_related_item_or_its_meta():
    """信息公开 page: 生成日期 in the index table; a 关联稿件 list with a later date stands between
    the headline and the text; the PubDate meta holds a later edit."""
    page = Path(__file__).resolve().parent.parent / "fixtures/extract/unrecorded/xxgk_generated_date_related_first.html"
    notice = extract_notice("https://www.ningchuan.gov.cn/zwgk/tjsj/202404/t20240426_8590.html", page.read_bytes())
    assert notice.title == "宁川县2023年国民经济和社会发展统计公报"
    assert notice.published_at == "2024-04-26T00:00:00+08:00"
    assert "图解" not in notice.body and notice.body.splitlines()[-1].startswith("注：本公报中部分数据")
