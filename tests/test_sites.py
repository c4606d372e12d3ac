"""Every site definition in crawler/sites/ against its recorded tree (tests/fixtures/sites/<host>/): one
real crawl of all of them through the local mirror (real Scrapy over 127.0.0.1, every recorded host
mapped to the mirror, the definitions unchanged), then, site by site, that the listing was read as
defined and every recorded notice stored clean; and each definition's provenance (its doc and its
``live_checked`` field). A definition added later is covered without editing this file; ``EXPECT``
only adds what is known about a site's tree."""

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import unquote, urlsplit

import pytest
from scrapy.http import HtmlResponse

from crawler.mirror import DEFAULT_TREE, resolve
from crawler.siteconf import load_sites
from tests.conftest import ROOT, crawl, recorded_detail_urls, run_cli

SITES = load_sites()
DOCS = ROOT / "docs" / "sites"

# Page furniture that never belongs in a stored notice, whatever the site.
CHROME = (
    "网站标识码",
    "ICP备",
    "公网安备",
    "【打印",
    "关闭窗口",
    "分享到",
    "扫一扫",
    "当前位置",
    "当前的位置",
    "字体",
    "字号",
    "浏览次数",
    "浏览量",
    "发布时间",
    "发布日期",
    "信息来源",
    "来源：",
    "索引号",
    "索 引 号",
    "所属机构",
    "发布机构",
    "有 效 性",
    "无障碍",
    "长辈版",
    "长者模式",
    "相关文章",
    "相关链接",
    "相關(guān)鏈接",
    "相关阅读",
    "网站地图",
    "热点关注",
    "热点信息",
    "热门排行",
    "24小时排行",
    "新闻排行",
    "新聞排行",
    "日排行",
    "总排行",
    "友情链接",
    "主办单位",
    "欢迎访问",
    "移动版",
    "免责声明",
    "法律提示",
    "下一页",
    "createPageHTML",
    "pagination",
    "Ls.",
    "jpage",
    "doZoom",
    "readCount",
    "Content Start",
    "Content End",
    "_CONFIG",
)
# Dates in detail URLs: ``y`` (4 or 2 digits), ``m`` and optionally ``d``.
TRS_STAMP = r"/t(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)_\d+"
HANWEB_ART = r"/art/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"
MIIT_API = (
    "/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=buildstatic"
    "&webId=8d828e408d90447786ddbe128d495e9e&tplSetId=209741b2109044b5b7695700b2bec37e&pageType=column"
    "&tagId=右侧内容&editType=null&pageId=3e3ad1a3bec74939890a0d3e54815141&paramJson="
)
MINISTRY = dict(
    title=r"工业和信息化部",
    opens=r"工信\w*〔2025〕\d+号",
    signer=r"工业和信息化部(?:办公厅)?",
    chrome=("转载", "版权", "相关文件", "Mysteel", "主办"),
)


@dataclass(frozen=True)
class Known:
    """A recorded notice whose stored fields are checked one by one."""

    url: str
    title: str | None = None
    kind: str | None = None
    published: str | None = None  # how published_at starts
    opens: str | None = None  # the body's first line
    ends: str | None = None  # how the body ends
    contains: tuple[str, ...] = ()
    attachment: str | None = None  # part of a stored attachment's URL
    clusters: int | None = None  # cluster rows read from it
    roster: int | None = None  # roster rows (名单 entries other than clusters) read from it


@dataclass(frozen=True)
class Expect:
    """What a site's recorded tree gives when crawled; the defaults hold for any site."""

    pages: dict = field(default_factory=lambda: {"listed": 2})  # outcomes of its listing fetches
    asked: tuple[str, ...] = ()  # "METHOD /path?query" of listing requests made exactly once (page 2 …)
    missing: int = 0  # listed notice pages the tree leaves out on purpose (answered 404)
    title: str | None = None  # every title matches (re.search)
    opens: str | None = None  # every body's first line: its 文号, stored as doc_number
    signer: str | None = None  # every body ends with this line and a date (the 落款) …
    signed: str = "that day"  # … of its publication day ("that day") or no later ("by then")
    after_signing: str = ""  # what follows the 落款 date
    url_date: str | None = None  # the date in each detail URL, which is its publication date
    repeats_title: bool = False  # bodies may open with the title (press releases)
    chrome: tuple[str, ...] = ()  # words of this site's chrome besides CHROME
    known: tuple[Known, ...] = ()


EXPECT = {
    "ah_jxt": Expect(
        asked=("GET /content/column/40511251?pageIndex=2",),
        title=r"^关于",
        signer="安徽省经济和信息化厅",
        signed="by then",
        chrome=("有效性", "信息分类", "微信", "主办", "关闭"),
        known=(
            Known(
                "https://jx.ah.gov.cn/sy/wjgg/41478523.html",
                kind="cluster_list",
                opens="皖经信中小企函〔2026〕312号",
                published="2026-11-20",
                title="关于公布2026年度安徽省中小企业特色产业集群名单的通知",
                contains=("芜湖市鸠江区机器人及智能装备产业集群",),
                attachment=".xlsx",
                clusters=8,
            ),
            Known(
                "https://jx.ah.gov.cn/sy/wjgg/41452806.html",
                title="关于2026年度安徽省专精特新中小企业拟认定名单的公示",
                contains=("铜陵某某铜基材料有限公司",),
                roster=10,
            ),
            Known(
                "https://jx.ah.gov.cn/public/22061/41168915.html",
                published="2026-08-11T15:20",
                ends="安徽省经济和信息化厅\n2026年8月5日",
            ),
        ),
    ),
    "bj_jxj": Expect(
        asked=("GET /jxdt/tzgg/index_1.html",),
        title=r"^关于",
        opens=r"京经信[发函]〔2026〕\d+号",
        signer="北京市经济和信息化局",
        url_date=TRS_STAMP,
        chrome=("打印", "关闭", "主办"),
        known=(
            Known(
                "https://jxj.beijing.gov.cn/jxdt/tzgg/202607/t20260729_4812630.html",
                kind="cluster_list",
                title="关于2026年度北京市中小企业特色产业集群拟认定名单的公示",
                contains=("北京市海淀区集成电路设计产业集群",),
                clusters=7,
            ),
            Known(
                "https://jxj.beijing.gov.cn/jxdt/tzgg/202607/t20260724_4809215.html",
                kind="list",
                attachment=".docx",
                roster=12,
            ),
        ),
    ),
    "cinn": Expect(
        asked=("GET /homeAjax_318_1.html",), missing=1, url_date=r"/(?P<y>\d{4})/(?P<m>\d\d)-(?P<d>\d\d)/", **MINISTRY
    ),
    "cixidb": Expect(
        pages={"listed": 2, "missing": 1},
        asked=("GET /news/list/14/64/2",),
        missing=1,
        known=(
            Known(
                "https://www.cixidb.cn/news/627/627402.html",
                title="山西省冶金行业安全生产标准化二级企业名单",
                roster=10,
            ),
        ),
    ),  # a GBK page without any charset declaration
    "cq_jjxxw": Expect(
        asked=("GET /zwgk_213/gsgg/index_1.html",),
        title=r"^关于",
        signer="重庆市经济和信息化委员会",
        url_date=TRS_STAMP,
        chrome=("打印", "关闭", "主办", "搜索", "渝快办"),
        known=(
            Known(
                "https://jjxxw.cq.gov.cn/zwgk_213/gsgg/202606/t20260605_15731284.html",
                kind="cluster_list",
                title="关于2026年重庆市中小企业特色产业集群拟认定名单的公示",
                attachment=".xlsx",
                clusters=8,
                contains=("重庆市璧山区新能源汽车电驱动系统产业集群",),
            ),
            Known(
                "https://jjxxw.cq.gov.cn/zwgk_213/gsgg/202606/t20260622_15766619.html",
                kind="list",
                roster=10,
                contains=("重庆某某光电技术有限公司",),
            ),
        ),
    ),
    "fj_fgw": Expect(
        asked=("POST /fjdzapp/search?page=1", "POST /fjdzapp/search?page=2"),
        title=r"^福建省发展和改革委员会",
        opens=r"闽发改\w*〔2026〕\d+号",
        signer=r"福建省发展和改革委员会(?:\n福建省\w+)?",  # one is signed jointly
        after_signing="\n（此件主动公开）",
        url_date=TRS_STAMP,
        known=(
            Known(
                "https://fgw.fujian.gov.cn/zwgk/fgzd/sfgwgfxwj/202608/t20260806_7162418.htm",
                clusters=8,
                contains=("新型显示产业集群", "集成电路产业集群", "氟新材料产业集群"),
            ),
        ),
    ),
    "fj_gxt": Expect(
        asked=("GET /zwgk/gsgg/index_1.htm",),
        title=r"^关于",
        opens=r"闽工信\w〔2026〕\d+号",
        signer="福建省工业和信息化厅",
        url_date=TRS_STAMP,
        chrome=("关闭", "主办"),
    ),
    "gansu_gxt": Expect(
        asked=(
            "GET /common/search/3f6b2c1d8e9a4b7c9d0e1f2a3b4c5d6e?_isAgg=true&_isJson=true&_pageSize=7"
            "&_template=index&_rangeTimeGte=&_channelName=&page=2",
        ),
        title=r"^关于",
        opens=r"甘工信[发函]〔2026〕\d+号",
        signer="甘肃省工业和信息化厅",
        url_date=r"/c107573/(?P<y>\d{4})(?P<m>\d\d)/",
        chrome=("打印", "关闭", "搜索", "通知公告"),
        known=(
            Known(
                "https://gxt.gansu.gov.cn/gxt/c107573/202608/174351346.shtml",
                kind="cluster_list",
                clusters=6,
                title="关于公示2026年甘肃省中小企业特色产业集群名单的通知",
            ),
            Known(
                "https://gxt.gansu.gov.cn/gxt/c107573/202608/174355912.shtml",
                kind="list",
                roster=8,
                title="关于公布2026年甘肃省专精特新中小企业名单的通知",
            ),
        ),
    ),
    "gd_gdii": Expect(
        asked=("GET /gkmlpt/api/all/2902?page=2&sid=200009",),
        title=r"^广东省工业和信息化厅",
        signer="广东省工业和信息化厅",
        signed="by then",
    ),
    "guizhou_gxt": Expect(
        asked=("GET /gxdt/tzgg/index_1.html",),
        title=r"^关于",
        opens=r"黔工信\w+〔2026〕\d+号",
        signer="贵州省工业和信息化厅",
        url_date=TRS_STAMP,
        chrome=("打印", "关闭", "主办", "搜索"),
        known=(
            Known(
                "https://gxt.guizhou.gov.cn/gxdt/tzgg/202608/t20260814_86154203.html",
                kind="cluster_list",
                title="关于2026年贵州省中小企业特色产业集群拟认定名单的公示",
                clusters=8,
                contains=("黔南州福泉市磷化工产业集群",),
            ),
            Known(
                "https://gxt.guizhou.gov.cn/gxdt/tzgg/202608/t20260810_86139876.html",
                kind="list",
                attachment=".xlsx",
                roster=12,
                contains=("贵阳某某航空零部件有限公司",),
            ),
        ),
    ),
    "gx_gxt": Expect(
        asked=("GET /wzsy/tzgg_6719901/tzgg/index-2.shtml",),
        title=r"^关于",
        opens=r"桂工信\w+〔2026〕\d+号",
        signer="广西壮族自治区工业和信息化厅",
        chrome=("主办", "微信", "打印", "大 中 小"),
        known=(
            Known(
                "https://gxt.gxzf.gov.cn/wzsy/tzgg_6719901/tzgg/t27968514.shtml",
                kind="cluster_list",
                title="关于2026年广西壮族自治区中小企业特色产业集群拟认定名单的公示",
                published="2026-09-10T16:20",
                contains=("南宁市横州市茉莉花茶产业集群",),
                clusters=8,
            ),
            Known(
                "https://gxt.gxzf.gov.cn/wzsy/tzgg_6719901/tzgg/t27955207.shtml",
                kind="list",
                opens="桂工信中小〔2026〕352号",
                attachment=".xlsx",
                roster=12,
            ),
            Known(
                "https://gxt.gxzf.gov.cn/wzsy/tzgg_6719901/tzgg/t27920915.shtml",
                contains=("河池某某锌业有限公司",),
                roster=6,
            ),
        ),
    ),
    "hainan_gxt": Expect(
        asked=(
            "GET /common/search/0f1e2d3c4b5a69788796a5b4c3d2e1f0?sort=publishedTime&_isAgg=true&_isJson=true"
            "&_pageSize=5&_template=iitb&_rangeTimeGte=&_channelName=&page=2",
        ),
        title=r"^关于",
        opens=r"琼工信\w+〔2026〕\d+号",
        signer="海南省工业和信息化厅",
        url_date=r"/tzgg/(?P<y>\d{4})(?P<m>\d\d)/",
        chrome=("主办", "关闭", "打印", "相关信息"),
        known=(
            Known(
                "https://iitb.hainan.gov.cn/iitb/tzgg/202609/d6d8c8104b275f34feb476c35e7e8ad8.shtml",
                kind="cluster_list",
                title="关于2026年海南省中小企业特色产业集群拟认定名单的公示",
                contains=("三亚市崖州区南繁种业产业集群",),
                clusters=6,
            ),
            Known(
                "https://iitb.hainan.gov.cn/iitb/tzgg/202608/4b0614774b94d84632ee03da3194b8b0.shtml",
                kind="list",
                contains=("三亚某某深海装备有限公司",),
                ends="海南省工业和信息化厅\n2026年8月26日",
                roster=10,
            ),
        ),
    ),
    "hb_jxt": Expect(
        asked=("GET /fbjd/zc/qtzdgkwj/gsgg/index_1.shtml",),
        signer=r"湖北省经济和信息化厅(?:办公室)?",
        url_date=TRS_STAMP,
        known=(
            Known(
                "https://jxt.hubei.gov.cn/fbjd/zc/qtzdgkwj/gsgg/202507/t20250704_5703215.shtml",
                kind="cluster_list",
                clusters=10,
            ),
        ),
    ),
    "hebei_gxt": Expect(
        asked=("GET /hbgyhxxht/xwzx32/tzgg83/index_2.html",),
        title=r"^关于",
        opens=r"冀工信\w〔2026〕\d+号",
        signer="河北省工业和信息化厅",
        url_date=r"/tzgg83/(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)\d{11}/",
        chrome=("关闭", "主办"),
    ),
    "henan_gxt": Expect(
        asked=("GET /xxgk/tzgg/index_2.html",),
        title=r"^关于",
        opens=r"豫工信\w〔2026〕\d+号",
        signer="河南省工业和信息化厅",
        url_date=r"/(?P<y>\d{4})/(?P<m>\d\d)-(?P<d>\d\d)/",
        chrome=("主办",),
    ),
    "hlj_gxt": Expect(
        asked=(
            "GET /common/search/a1b2c3d4e5f60718293a4b5c6d7e8f90?_isAgg=true&_isJson=true&_pageSize=5"
            "&_template=index&_rangeTimeGte=&_channelName=&page=2",
        ),
        title=r"^关于",
        opens=r"黑工信\w+〔2026〕\d+号",
        signer="黑龙江省工业和信息化厅",
        url_date=r"/c106958/(?P<y>\d{4})(?P<m>\d\d)/",
        chrome=("主办", "关闭", "打印", "日期："),
        known=(
            Known(
                "https://gxt.hlj.gov.cn/gxt/c106958/202609/c00_31976452.shtml",
                kind="cluster_list",
                title="关于2026年黑龙江省中小企业特色产业集群拟认定名单的公示",
                published="2026-09-08T10:12",
                opens="黑工信企业函〔2026〕212号",
                contains=("佳木斯市桦南县紫苏精深加工产业集群",),
                clusters=7,
            ),
            Known(
                "https://gxt.hlj.gov.cn/gxt/c106958/202608/c00_31970318.shtml",
                kind="list",
                contains=("鸡西某某石墨科技有限公司",),
                roster=10,
            ),
            Known("https://gxt.hlj.gov.cn/gxt/c106958/202606/c00_31949681.shtml", kind="list", roster=6),
        ),
    ),
    "hn_gxt": Expect(
        asked=("GET /gxt/xxgk_71033/tzgg/index_1.html",),
        signer="湖南省工业和信息化厅",
        url_date=TRS_STAMP,
        known=(
            Known(
                "https://gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/202608/t20260812_34071526.html",
                title="关于2026年湖南省中小企业特色产业集群拟认定名单的公示",
                kind="cluster_list",
                clusters=8,
            ),
        ),
    ),
    "jl_gxt": Expect(
        asked=("GET /xxgk/tzgg/index_1.html",),
        title=r"^关于",
        signer="吉林省工业和信息化厅",
        url_date=TRS_STAMP,
        chrome=("关闭", "打印", "主办"),
        known=(
            Known(
                "https://gxt.jl.gov.cn/xxgk/tzgg/202608/t20260818_3268415.html",
                kind="list",
                opens="吉工信中小〔2026〕214号",
                contains=("长春某某光电科技有限公司",),
                attachment=".xlsx",
                roster=12,
            ),
            Known(
                "https://gxt.jl.gov.cn/xxgk/tzgg/202608/t20260811_3266032.html",
                title="关于2026年度吉林省中小企业特色产业集群拟认定名单的公示",
                kind="cluster_list",
                contains=("延边朝鲜族自治州敦化市医药产业集群",),
                clusters=6,
            ),
        ),
    ),
    "js_gxt": Expect(
        asked=(
            "GET /col/col6278/index.html",
            "POST /module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=18&perpage=15",
        ),
        signer="江苏省工业和信息化厅",
        signed="by then",
        url_date=HANWEB_ART,
        chrome=("微博", "主办"),
    ),
    "jx_gxt": Expect(
        asked=("POST /queryList?current=1", "POST /queryList?current=2"),
        title=r"^关于",
        opens=r"赣工信\w〔2026〕\d+号",
        signer="江西省工业和信息化厅",
        chrome=("关闭", "主办"),
    ),
    "ln_gxt": Expect(
        asked=("GET /gxt/tztg/index_1.shtml",),
        title=r"^关于",
        signer="辽宁省工业和信息化厅",
        url_date=r"/tztg/(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)\d{11}/",
        chrome=("关闭", "打印", "主办"),
        known=(
            Known(
                "https://gxt.ln.gov.cn/gxt/tztg/2026081415203617482/index.shtml",
                kind="list",
                opens="辽工信改革〔2026〕58号",
                contains=("沈阳某某数控机床有限公司",),
                attachment=".xlsx",
                roster=10,
            ),
            Known(
                "https://gxt.ln.gov.cn/gxt/tztg/2026080709413052716/index.shtml",
                title="关于2026年度辽宁省中小企业特色产业集群拟认定名单的公示",
                kind="cluster_list",
                contains=("沈阳市铁西区工业机器人产业集群",),
                clusters=8,
            ),
        ),
    ),
    "miit": Expect(
        asked=("GET " + MIIT_API + '{"pageNo":2,"pageSize":10}',), url_date=r"/art/(?P<y>\d{4})/", **MINISTRY
    ),
    "miit_qyj": Expect(
        asked=(
            "GET "
            + MIIT_API.replace("3e3ad1a3bec74939890a0d3e54815141", "5c1e0f3a9b7d4e2f8a6c0d1b3e5f7a90")
            + '{"pageNo":2,"pageSize":6}',
        ),
        title=r"^工业和信息化部",
        opens=r"工信\w+〔2026〕\d+号",
        signer=r"工业和信息化部(?:办公厅)?",
        url_date=r"/art/(?P<y>\d{4})/",
        chrome=("主办", "微信", "关闭"),
        known=(
            Known(
                "https://www.miit.gov.cn/jgsj/qyj/wjfb/art/2026/art_eadcc3f137d790f3b9e4cad27bcf804c.html",
                kind="cluster_list",
                title="工业和信息化部关于公布2026年度中小企业特色产业集群名单的通知",
                contains=("北京市顺义区航空零部件产业集群",),
                attachment=".pdf",
                clusters=10,
            ),
            Known(
                "https://www.miit.gov.cn/jgsj/qyj/wjfb/art/2026/art_7c807088111cc068a6cf1b7cf905409b.html",
                kind="list",
                contains=("株洲某某轨道交通装备有限公司",),
                roster=8,
            ),
        ),
    ),
    "mysteel": Expect(
        asked=("GET /article/p-323-------------2.html",),
        url_date=r"/a/(?P<y>\d\d)(?P<m>\d\d)(?P<d>\d\d)\d\d/",
        **MINISTRY,
    ),
    "ndrc_xwfb": Expect(
        pages={"listed": 1},
        asked=("GET /xwdt/xwfb/rss.xml",),
        title=r"^(?:国家发展改革委|\d+年\d+月)",
        url_date=TRS_STAMP,
        repeats_title=True,
        chrome=("English",),
        known=(
            Known(
                "https://www.ndrc.gov.cn/xwdt/xwfb/202608/t20260812_1408512.html",
                title="国家发展改革委办公厅关于公布第五批国家级战略性新兴产业集群名单的通知",
                contains=("第五批国家级战略性新兴产业集群", "专精特新中小企业"),
                ends="2026年8月12日",
            ),
        ),
    ),
    "nmg_gxt": Expect(
        asked=("GET /zwgk/fdzdgknr/tzgg/index_1.html",),
        title=r"^关于",
        signer="内蒙古自治区工业和信息化厅",
        signed="by then",  # dated on its 成文日期, at most a day before publication
        url_date=TRS_STAMP,
        chrome=("关闭", "打印", "主办", "主题分类", "成文日期", "公文时效", "相关文件"),
        known=(
            Known(
                "https://gxt.nmg.gov.cn/zwgk/fdzdgknr/tzgg/202608/t20260820_2547113.html",
                title="关于公布2026年度内蒙古自治区中小企业特色产业集群名单的通知",
                kind="cluster_list",
                published="2026-08-20T16:12",
                contains=("呼和浩特市和林格尔县乳制品产业集群",),
                ends="内蒙古自治区工业和信息化厅\n2026年8月19日",
                attachment=".xlsx",
                clusters=8,
            ),
            Known(
                "https://gxt.nmg.gov.cn/zwgk/fdzdgknr/tzgg/202608/t20260814_2545870.html",
                kind="list",
                contains=("包头某某稀土材料有限公司",),
                roster=10,
            ),
        ),
    ),
    "nx_gxt": Expect(
        asked=("GET /zwgk/fdzdgknr/zcfg/gxtwj/index_1.html",),
        title=r"^关于",
        opens=r"宁工信[发函]〔2026〕\d+号",
        signer="宁夏回族自治区工业和信息化厅",
        url_date=TRS_STAMP,
        chrome=("打印", "关闭", "主办", "搜索"),
        known=(
            Known(
                "https://gxt.nx.gov.cn/zwgk/fdzdgknr/zcfg/gxtwj/202608/t20260811_5296102.html",
                kind="cluster_list",
                clusters=6,
                contains=("中卫市中宁县枸杞精深加工产业集群",),
            ),
            Known(
                "https://gxt.nx.gov.cn/zwgk/fdzdgknr/zcfg/gxtwj/202608/t20260814_5297731.html",
                kind="list",
                attachment=".xlsx",
                roster=10,
            ),
        ),
    ),
    "qh_gxt": Expect(
        asked=("GET /zwgk/tzgg/index_2.html",),
        title=r"^关于",
        opens=r"青工信\w〔2026〕\d+号",
        signer="青海省工业和信息化厅",
        url_date=r"/system/(?P<y>\d{4})/(?P<m>\d\d)/(?P<d>\d\d)/",
        chrome=("打印", "关闭", "主办", "搜索"),
        known=(
            Known(
                "https://gxt.qinghai.gov.cn/zwgk/system/2026/08/14/030118426.shtml",
                kind="cluster_list",
                clusters=6,
                contains=("海西州格尔木市盐湖化工产业集群",),
            ),
            Known(
                "https://gxt.qinghai.gov.cn/zwgk/system/2026/08/11/030117953.shtml",
                kind="list",
                roster=8,
                contains=("西宁某某锂电材料有限公司",),
            ),
        ),
    ),
    "sc_jxt": Expect(
        asked=("GET /scjxt/ggtz/common_list_2.shtml",),
        title=r"^关于",
        opens=r"川经信\w+〔2026〕\d+号",
        signer="四川省经济和信息化厅",
        url_date=r"/ggtz/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/",
        chrome=("主办",),
    ),
    "sd_gxt": Expect(
        asked=(
            "GET /col/col15201/index.html",
            "POST /module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=15&perpage=12",
        ),
        signer="山东省工业和信息化厅",
        signed="by then",
        url_date=HANWEB_ART,
        chrome=("微博", "主办"),
    ),
    "sh_sheitc": Expect(
        asked=("GET /zcfg/index_2.html",),
        title=r"^关于",
        opens=r"沪经信\w〔2026〕\d+号",
        signer="上海市经济和信息化委员会",
        url_date=r"/zcfg/(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)/",
        chrome=("关闭", "主办"),
    ),
    "shaanxi_gxt": Expect(
        asked=("GET /webfile/tzgg/index_1.html",),
        title=r"^关于",
        opens=r"陕工信[发函]〔2026〕\d+号",
        signer="陕西省工业和信息化厅",
        url_date=TRS_STAMP,
        chrome=("主办",),
    ),
    "shanxi_gxt": Expect(
        asked=("GET /xwdt/tzgg/index_1.shtml",),
        title=r"^关于",
        opens=r"晋工信\w+字〔2026〕\d+号",
        signer="山西省工业和信息化厅",
        url_date=TRS_STAMP,
        chrome=("打印", "关闭", "主办", "编辑时间"),
        known=(
            Known(
                "https://gxt.shanxi.gov.cn/xwdt/tzgg/202607/t20260728_10171846.shtml",
                kind="cluster_list",
                title="关于2026年山西省中小企业特色产业集群拟认定名单的公示",
                contains=("晋城市泽州县光机电产业集群",),
                clusters=7,
            ),
            Known(
                "https://gxt.shanxi.gov.cn/xwdt/tzgg/202607/t20260721_10165302.shtml",
                kind="list",
                attachment=".pdf",
                roster=9,
            ),
        ),
    ),
    "sz_gxj": Expect(
        asked=("GET /gkmlpt/api/all/3115?page=2&sid=755024",),
        title=r"^深圳市工业和信息化局",
        signer="深圳市工业和信息化局",
        signed="by then",
    ),
    "tj_gxj": Expect(
        asked=("GET /ZWXX5652/TZGG5657/index_1.html",),
        title=r"^关于",
        opens=r"津工信\w+〔2026〕\d+号",
        signer="天津市工业和信息化局",
        url_date=TRS_STAMP,
        chrome=("打印", "关闭", "主办", "发布日期"),
        known=(
            Known(
                "https://gyxxh.tj.gov.cn/ZWXX5652/TZGG5657/202607/t20260730_7104852.html",
                kind="cluster_list",
                title="关于2026年天津市中小企业特色产业集群拟认定名单的公示",
                attachment=".xlsx",
                clusters=8,
            ),
            Known(
                "https://gyxxh.tj.gov.cn/ZWXX5652/TZGG5657/202607/t20260723_7098316.html",
                kind="list",
                contains=("天津某某海洋装备有限公司",),
                roster=10,
            ),
        ),
    ),
    "xj_gxt": Expect(
        asked=("GET /gxt/tzgg/common_list_2.shtml",),
        title=r"^关于",
        opens=r"新工信\w+〔2026〕\d+号",
        signer="新疆维吾尔自治区工业和信息化厅",
        url_date=r"/tzgg/(?P<y>\d{4})(?P<m>\d\d)/",
        chrome=("主办", "关闭", "长者模式"),
        known=(
            Known(
                "https://gxt.xinjiang.gov.cn/gxt/tzgg/202608/b8ad78ebb950ef8e9d01204115795104.shtml",
                kind="cluster_list",
                title="关于公布2026年新疆维吾尔自治区中小企业特色产业集群名单的通知",
                contains=("伊犁哈萨克自治州霍城县薰衣草精深加工产业集群",),
                clusters=6,
            ),
        ),
    ),
    "xjbt_gxj": Expect(
        asked=("GET /xxgk/tzgg/index_2.shtml",),
        title=r"^关于",
        opens=r"兵工信[发函]〔2026〕\d+号",
        signer="新疆生产建设兵团工业和信息化局",
        url_date=r"/c/(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)/",
        chrome=("主办", "关闭", "兵团政务网"),
        known=(
            Known(
                "https://btgxj.xjbt.gov.cn/c/2026-08-14/8489217.shtml",
                kind="list",
                title="关于2026年兵团专精特新中小企业拟认定名单的公示",
                contains=("石河子某某化工有限公司",),
                roster=8,
            ),
        ),
    ),
    "xz_jxt": Expect(
        asked=("GET /xzweb/list?id=5&pageNum=2",),
        title=r"^关于",
        opens=r"藏经信[发函]〔2026〕\d+号",
        signer="西藏自治区经济和信息化厅",
        chrome=("打印", "关闭", "主办", "搜索", "藏文版"),
        known=(
            Known(
                "http://jxt.xizang.gov.cn/xzweb/detail?id=28406",
                kind="cluster_list",
                clusters=5,
                contains=("日喀则市桑珠孜区青稞精深加工产业集群",),
            ),
            Known(
                "http://jxt.xizang.gov.cn/xzweb/detail?id=28431",
                kind="list",
                roster=8,
                contains=("拉萨某某藏药股份有限公司",),
            ),
        ),
    ),
    "yn_gxt": Expect(
        asked=("GET /html/tongzhigonggao/2.html",),
        title=r"^关于",
        opens=r"云工信\w+〔2026〕\d+号",
        signer="云南省工业和信息化厅",
        url_date=r"/html/(?P<y>\d{4})/tongzhigonggao_(?P<m>\d\d)(?P<d>\d\d)/",
        chrome=("打印", "关闭", "主办", "搜索", "浏览次数"),
        known=(
            Known(
                "https://gxt.yn.gov.cn/html/2026/tongzhigonggao_0818/195263.html",
                kind="cluster_list",
                title="关于2026年云南省中小企业特色产业集群拟认定名单的公示",
                clusters=8,
                contains=("普洱市思茅区咖啡精深加工产业集群",),
            ),
            Known(
                "https://gxt.yn.gov.cn/html/2026/tongzhigonggao_0812/195021.html",
                kind="list",
                roster=10,
                contains=("红河某某锡业科技有限公司",),
            ),
        ),
    ),
    "yt_gxj": Expect(
        asked=(
            "GET /col/col2208/index.html",
            "POST /module/web/jpage/dataproxy.jsp?startrecord=11&endrecord=13&perpage=10",
        ),
        title=r"^关于",
        signer="烟台市工业和信息化局",
        signed="by then",
        url_date=HANWEB_ART,
        chrome=("微博", "主办"),
    ),
    "zj_jxt": Expect(
        asked=("POST /module/jpage/dataproxy.jsp?startrecord=16&endrecord=22&perpage=15",),
        missing=1,
        url_date=HANWEB_ART,
        known=(
            Known(
                "https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html",
                kind="cluster_list",
                clusters=17,
                title="浙江省经济和信息化厅关于公布2025年浙江省中小企业特色产业集群名单的通知",
                published="2025-07-16T15:51",
                ends="2025年7月11日",
            ),
        ),
    ),
}
KNOWN = [(name, known) for name, expect in EXPECT.items() for known in expect.known]


def recorded(name: str) -> bool:
    return all((DEFAULT_TREE / host).is_dir() for host in SITES[name].hosts)


def expect(name: str) -> Expect:
    if not recorded(name):
        pytest.fail(
            f"{name} has no recorded tree: record its site under tests/fixtures/sites/"
            f"{'/, '.join(SITES[name].hosts)}/ (see README, 'adding a province')"
        )
    return EXPECT.get(name, Expect())


def query(db, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of every recorded site into one database: (database, result, requests by host)."""
    db = tmp_path_factory.mktemp("sites") / "notices.db"
    result, requests = crawl(DEFAULT_TREE, db, *[name for name in SITES if recorded(name)])
    by_host: dict[str, list[str]] = {}
    for method, path in requests:
        host, _, rest = unquote(path).lstrip("/").partition("/")
        by_host.setdefault(host, []).append(f"{method} /{rest}")
    return db, result, by_host


@pytest.mark.parametrize("name", SITES)
def test_every_definition_has_a_recorded_tree_and_a_doc_that_says_whether_it_was_checked_live(name):
    expect(name)
    for host in SITES[name].hosts:
        assert (DEFAULT_TREE / host / "robots.txt").is_file(), f"{host}: the tree has no robots.txt"
    doc = DOCS / f"{name}.md"
    assert doc.is_file(), f"{name}: no docs/sites/{name}.md saying what is real and what is assumed"
    checked = "yes" if SITES[name].live_checked else "no"
    assert f"\nChecked against the live site: {checked}" in doc.read_text(encoding="utf-8"), doc
    assert re.search(r"(?m)^live_checked = (true|false)$", SITES[name].path.read_text(encoding="utf-8")), name


def test_sites_json_says_whether_each_definition_was_checked_live():
    result = run_cli("sites", "--json")
    assert result.returncode == 0, result.stderr
    listed = {site["name"]: site for site in json.loads(result.stdout)}
    assert {name: site["live_checked"] for name, site in listed.items()} == {
        name: site.live_checked for name, site in SITES.items()
    }


def test_the_crawl_of_every_recorded_site_succeeds(crawled):
    _, result, _ = crawled
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", SITES)
def test_the_listing_is_read_as_defined_with_no_fetch_error(crawled, name):
    exp = expect(name)
    db, _, by_host = crawled
    site = SITES[name]
    assert query(db, "select state, reason from site_health where site = ?", name) == [("ok", None)]
    fetches = query(db, "select role, outcome, url from fetches where site = ?", name)
    assert Counter(o for role, o, _ in fetches if role == "listing") == Counter(exp.pages)
    details = Counter(o for role, o, _ in fetches if role == "detail")
    assert details == +Counter(stored=len(recorded_detail_urls(DEFAULT_TREE, name)), missing=exp.missing)
    assert {o for role, o, _ in fetches if role not in ("listing", "detail")} <= {"downloaded"}  # attachments
    assert {urlsplit(url).hostname for *_, url in fetches} <= set(site.hosts)  # no link-out followed
    asked = [request for host in site.hosts for request in by_host.get(host, [])]
    for host in site.hosts:  # once per crawler: the sites on one host are crawled one after another
        sharing = [other for other in SITES.values() if host in other.hosts and recorded(other.name)]
        assert by_host[host].count("GET /robots.txt") == len(sharing), host
    for request in exp.asked:
        assert asked.count(request) == 1, (request, [r for r in asked if "robots" not in r][:5])


@pytest.mark.parametrize("name", SITES)
def test_every_recorded_notice_is_stored_once_and_clean(crawled, name):
    exp = expect(name)
    db = crawled[0]
    site = SITES[name]
    rows = query(
        db,
        "select n.url, n.title, n.published_at, n.source, n.doc_number, v.body from notices n "
        "join versions v on v.notice_id = n.id where n.site = ?",
        name,
    )
    expected = recorded_detail_urls(DEFAULT_TREE, name)
    assert len(expected) >= 6, f"{name}: record at least two listing pages' worth of notices"
    assert sorted(r[0] for r in rows) == sorted(expected)  # each once, one version each
    signed = re.compile(rf"(?:^|\n)(?:{exp.signer})\n(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日{exp.after_signing}$")
    for url, title, published_at, source, doc_number, body in rows:
        assert title and source and len(body) > 80, url
        assert "\ufffd" not in title + body, url  # decoded right, whatever the page's encoding
        assert not re.search(r"_| - |\|", title), (url, title)  # not the page's <title> with the site name
        assert exp.title is None or re.search(exp.title, title), (url, title)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", published_at), (url, published_at)
        lines = body.splitlines()
        assert exp.repeats_title or title not in lines[0], url
        if exp.opens:
            assert re.fullmatch(exp.opens, lines[0]) and doc_number == lines[0], (url, lines[0], doc_number)
        if exp.signer:
            match = signed.search(body)
            assert match, (url, body[-60:])  # ends with the 落款
            on = date(*map(int, match.groups()))
            published = date.fromisoformat(published_at[:10])
            assert on == published if exp.signed == "that day" else on <= published, (url, on, published)
        if exp.url_date:
            parts = re.search(exp.url_date, url).groupdict()
            stamp = "-".join([("20" + parts["y"])[-4:], *(parts[k].zfill(2) for k in ("m", "d") if parts.get(k))])
            assert published_at.startswith(stamp), (url, published_at)
        for word in CHROME + exp.chrome:
            assert word not in body, (url, word)
        assert_fields_read_from_the_metas_the_definition_names(site, url, title, published_at, source)


def assert_fields_read_from_the_metas_the_definition_names(site, url, title, published_at, source):
    """Where the definition reads a field from a ``<meta>``, the stored field is that meta's value."""
    page = resolve(DEFAULT_TREE, "/" + url.split("://", 1)[1])
    response = HtmlResponse(url=url, body=page.read_bytes())
    hints = {
        "title": (site.hints.title, title),
        "published_at": (site.hints.published_at, published_at),
        "source": (site.hints.source, source),
    }
    for field_name, (selector, stored) in hints.items():
        if selector and selector.startswith("meta["):
            meta = response.css(selector).get().strip()
            if field_name == "published_at":
                assert stored.startswith(meta.replace(" ", "T")[:16]), (url, stored, meta)
            else:
                assert stored == meta, (url, field_name, stored, meta)


@pytest.mark.parametrize(("name", "known"), KNOWN, ids=[f"{n}:{k.url.rsplit('/', 1)[1]}" for n, k in KNOWN])
def test_known_notice_fields_and_rosters(crawled, name, known):
    db = crawled[0]
    [(notice_id, title, kind, published_at, body, attachments)] = query(
        db,
        "select n.id, n.title, n.kind, n.published_at, v.body, v.attachments from notices n join versions v "
        "on v.notice_id = n.id where n.site = ? and n.url = ?",
        name,
        known.url,
    )
    assert known.title is None or title == known.title
    assert known.kind is None or kind == known.kind
    assert known.published is None or published_at.startswith(known.published), published_at
    assert known.opens is None or body.splitlines()[0] == known.opens
    assert known.ends is None or body.endswith(known.ends), body[-60:]
    for text in known.contains:
        assert text in body, text
    assert known.attachment is None or known.attachment in (attachments or ""), attachments
    for table, rows in (("clusters", known.clusters), ("list_entries", known.roster)):
        if rows is not None:
            assert query(db, f"select count(*) from {table} where notice_id = ?", notice_id) == [(rows,)], table


def test_sites_sharing_a_host_are_crawled_one_after_another(crawled):
    db = crawled[0]
    by_host: dict[str, list[str]] = {}
    for name, site in SITES.items():
        for host in site.hosts:
            by_host.setdefault(host, []).append(name)
    shared = {host: names for host, names in by_host.items() if len(names) > 1}
    assert shared, "no two recorded sites share a host: this test checks nothing"
    for host, names in shared.items():
        spans = sorted(
            query(db, "select min(fetched_at), max(fetched_at), site from fetches where site = ?", name)[0]
            for name in names
        )
        for (_, end, before), (start, _, after) in zip(spans, spans[1:]):
            assert end <= start, f"{host}: {before} and {after} were crawled at the same time"


# The 31 provincial-level divisions of the mainland, and the Xinjiang Production and Construction Corps.
PROVINCES = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 重庆 四川 贵州 云南"
    " 西藏 陕西 甘肃 青海 宁夏 新疆"
).split()


def test_every_provincial_level_division_and_the_corps_has_a_bureau_definition():
    bureaus = [site for site in SITES.values() if site.kind == "bureau" and site.enabled]
    covered = {site.province for site in bureaus}
    assert [p for p in PROVINCES if p not in covered] == []
    assert any("兵团" in site.title for site in bureaus), "新疆生产建设兵团 has no bureau definition"
    assert any(site.province == "全国" and "中小企业局" in site.title for site in bureaus), "MIIT's SME bureau"
