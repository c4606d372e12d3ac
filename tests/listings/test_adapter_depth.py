"""Every listing adapter reads as deep as the run asks: ``--backfill N`` reads N listing pages
whatever they hold, a first monitor run ``listing.max_pages``. Each CMS family gets a generated
9-page column (the markup of its recorded site, longer) crawled by the real CLI through the mirror
on 127.0.0.1; a feed, one page by nature, is read whole."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import pytest

from crawler.listings.json_answer import CHINA
from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from crawler.siteconf import SITES_DIR, load_sites
from tests.conftest import FAST, host_map_args, run_cli

PER_PAGE, PAGES, COUNT = 4, 9, 34  # eight full pages and a last of two
MAX_PAGES = 4  # the generated definitions' max_pages: a first monitor run reads this many
HANWEB_PER_PAGE, HANWEB_GROUP, HANWEB_COUNT = 8, 3, 70  # the column: 9 pages of 8
LAST_DAY = date(2026, 8, 12)
SUBJECTS = (
    "工业互联网平台",
    "中小企业数字化转型",
    "绿色低碳工厂",
    "智能制造",
    "首台（套）装备",
    "工业设计",
    "企业技术中心",
    "服务型制造",
    "产业链协同创新",
    "新材料首批次应用",
)


@dataclass(frozen=True)
class Notice:
    number: int  # 0 = newest
    url: str
    title: str
    day: date


@dataclass
class Column:
    """A generated column: its notices newest first, how many a listing page shows, and the
    listing requests (method, unquoted mirror path) a run that reads ``k`` pages makes."""

    site: str
    notices: list[Notice]
    per_page: int
    listing: Callable[[int], list[tuple[str, str]]]
    first_holds: int = 1  # listing pages the first answer shows (a Hanweb column page: a jpage group)
    one_page: bool = False  # a feed

    def stored(self, pages: int) -> set[str]:
        """The notices a run that reads ``pages`` listing pages finds."""
        shown = len(self.notices) if self.one_page else max(pages, self.first_holds) * self.per_page
        return {n.url for n in self.notices[:shown]}


def notices(count: int, url: Callable[[int, date], str], first: int = 0) -> list[Notice]:
    """``count`` notices numbered from ``first``, one a day back from LAST_DAY."""
    made = []
    for number in range(first, first + count):
        day = LAST_DAY - timedelta(days=number)
        title = f"关于开展2026年第{number + 1}批{SUBJECTS[number % len(SUBJECTS)]}工作的通知"
        made.append(Notice(number, url(number, day), title, day))
    return made


def epoch(day: date) -> int:
    """Unix seconds of ``day`` at midnight, China time (gkmlpt's dates)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=CHINA).timestamp())


def write(path: Path, body: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)


def splice(text: str, start: str, end: str, inner: str) -> str:
    """``text`` with what lies between the first ``start`` and the ``end`` after it replaced."""
    head, rest = text.split(start, 1)
    return head + start + inner + rest[rest.index(end) :]


def file_for(tree: Path, url: str) -> Path:
    """Where the mirror looks for ``url``: ``<host>/<path>[?<query>]``, unquoted."""
    parts = urlsplit(url)
    name = unquote(parts.path).lstrip("/") + (f"?{unquote(parts.query)}" if parts.query else "")
    return tree / parts.hostname / name


def mirror_path(url: str) -> str:
    parts = urlsplit(url)
    return unquote(f"/{parts.hostname}{parts.path}" + (f"?{parts.query}" if parts.query else ""))


def write_details(tree: Path, column: list[Notice], template: str, old_title: str) -> None:
    """A page for every notice: a recorded notice page of the site with its title replaced."""
    text = (DEFAULT_TREE / template).read_text(encoding="utf-8")
    assert old_title in text, template
    for notice in column:
        write(file_for(tree, notice.url), text.replace(old_title, notice.title))


def define(defs: Path, name: str, edits: tuple[tuple[str, str], ...] = ()) -> None:
    """The bundled definition of ``name``, with max_pages set to MAX_PAGES and ``edits`` applied."""
    text = (SITES_DIR / f"{name}.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^max_pages = \d+$", f"max_pages = {MAX_PAGES}", text)
    for pattern, replacement in edits:
        text, count = re.subn(pattern, replacement, text)
        assert count == 1, (name, pattern)
    write(defs / f"{name}.toml", text)


def robots(tree: Path, host: str) -> None:
    shutil.copy(DEFAULT_TREE / host / "robots.txt", tree / host / "robots.txt")


def numbered(paths: Callable[[int], tuple[str, str]]) -> Callable[[int], list[tuple[str, str]]]:
    """The listing requests of a page-numbered family: pages 1 to k, while the column has them."""
    return lambda k: [paths(page) for page in range(1, min(k, PAGES) + 1)]


def by_page(column: list[Notice], size: int = PER_PAGE) -> list[list[Notice]]:
    return [column[i : i + size] for i in range(0, len(column), size)]


# Hanweb jcms (jxt.zj.gov.cn): the column page holds the first jpage group (perPage × groupSize
# records) in its <script type="text/xml"> block; dataproxy.jsp answers any record range by POST.
ZJ, ZJ_COLUMN = "jxt.zj.gov.cn", "https://jxt.zj.gov.cn/col/col1582900/index.html"
ZJ_PROXY = "https://jxt.zj.gov.cn/module/jpage/dataproxy.jsp"
ZJ_DETAIL = (
    f"{ZJ}/art/2025/3/27/art_1582900_27818.html",
    "浙江省经济和信息化厅关于组织开展2025年全国质量标杆典型经验征集工作的通知",
)


def zj_url(number: int, day: date) -> str:
    return f"https://{ZJ}/art/{day.year}/{day.month}/{day.day}/art_1582900_{29000 + number}.html"


def zj_record(notice: Notice) -> str:
    path = urlsplit(notice.url).path
    return (
        f'<record><![CDATA[\n<p class="lb-list"><a href="{path}" title="{notice.title}" target="_blank">'
        f"{notice.title}</a><span>{notice.day}</span></p>]]></record>\n"
    )


def write_zj_column(tree: Path, column: list[Notice]) -> None:
    total, group = len(column), HANWEB_PER_PAGE * HANWEB_GROUP
    page = (DEFAULT_TREE / ZJ / "col/col1582900/index.html").read_text(encoding="utf-8")
    page = splice(page, "<recordset>", "</recordset>", "\n" + "".join(zj_record(n) for n in column[:group]))
    for name, value in (("totalRecord", total), ("perPage", HANWEB_PER_PAGE), ("groupSize", HANWEB_GROUP)):
        page, count = re.subn(rf"{name}:\d+", f"{name}:{value}", page)
        assert count == 1, name
    write(file_for(tree, ZJ_COLUMN), page)
    proxy = file_for(tree, ZJ_PROXY).parent
    for old in proxy.glob("dataproxy.jsp?*"):
        old.unlink()
    pages = -(-total // HANWEB_PER_PAGE)
    for start in range(group + 1, total + 1, group):  # each group, and every shorter range a crawl may ask
        for end in range(start, min(start + group - 1, total) + 1):
            records = "".join(zj_record(n) for n in column[start - 1 : end])
            query = urlencode({"startrecord": start, "endrecord": end, "perpage": HANWEB_PER_PAGE})
            write(
                proxy / f"dataproxy.jsp?{query}",
                f"<datastore>\n<totalrecord>{total}</totalrecord>\n"
                f"<totalpage>{pages}</totalpage>\n<recordset>\n{records}</recordset>\n</datastore>\n",
            )


def zj_listing(k: int, total: int = HANWEB_COUNT) -> list[tuple[str, str]]:
    """The column page, then dataproxy POSTs of one group each from the first record past the
    inline group up to min(total, k × perPage)."""
    group, last = HANWEB_PER_PAGE * HANWEB_GROUP, min(total, k * HANWEB_PER_PAGE)
    posts = [
        (
            "POST",
            mirror_path(f"{ZJ_PROXY}?startrecord={s}&endrecord={min(s + group - 1, last)}&perpage={HANWEB_PER_PAGE}"),
        )
        for s in range(group + 1, last + 1, group)
    ]
    return [("GET", mirror_path(ZJ_COLUMN)), *posts]


def build_hanweb(tree: Path, defs: Path) -> Column:
    column = notices(HANWEB_COUNT, zj_url)
    write_zj_column(tree, column)
    write_details(tree, column, *ZJ_DETAIL)
    robots(tree, ZJ)
    define(defs, "zj_jxt")
    return Column("zj_jxt", column, HANWEB_PER_PAGE, zj_listing, first_holds=HANWEB_GROUP)


def build_gkmlpt(tree: Path, defs: Path) -> Column:
    api = "https://gdii.gd.gov.cn/gkmlpt/api/all/2902?page={}&sid=200009"
    column = notices(
        COUNT, lambda n, d: f"https://gdii.gd.gov.cn/gkmlpt/content/4/{4935 - n}/post_{4935000 - n * 997}.html"
    )
    for page, shown in enumerate(by_page(column), 1):
        articles = [
            {
                "id": int(n.url.rsplit("_", 1)[1][:-5]),
                "title": n.title,
                "type": "normal",
                "url": n.url,
                "post_url": n.url.replace("/gkmlpt/content/4/", "/zwgk/tzgg1011/content/"),
                "identifier": f"006939756/2026-{900 - n.number:05d}",
                "document_number": "",
                "publisher": "广东省工业和信息化厅",
                "keywords": "",
                "abstract": "",
                "date": epoch(n.day),
                "create_time": epoch(n.day) + 36000,
                "display_publish_time": epoch(n.day) + 36000,
                "created_at": f"{n.day} 10:00:00",
                "classify_main": 2902,
                "classify_main_name": "通知公告",
                "attachment": [],
                "relation": "[]",
                "is_expired": 0,
                "is_abolished": 0,
            }
            for n in shown
        ]
        answer = {
            "classify": {"id": 2902, "name": "通知公告", "post_count": COUNT, "jump_url": ""},
            "articles": articles,
            "total": COUNT,
            "offset": (page - 1) * PER_PAGE,
        }
        write(file_for(tree, api.format(page)), json.dumps(answer, ensure_ascii=False))
    write_details(
        tree,
        column,
        "gdii.gd.gov.cn/gkmlpt/content/4/4698/post_4698155.html",
        "广东省工业和信息化厅关于开展2025年工业互联网标杆示范案例征集工作的通知",
    )
    robots(tree, "gdii.gd.gov.cn")
    define(defs, "gd_gdii", ((r"(?m)^per_page = \d+$", f"per_page = {PER_PAGE}"),))
    return Column("gd_gdii", column, PER_PAGE, numbered(lambda p: ("GET", mirror_path(api.format(p)))))


def build_html_list(tree: Path, defs: Path) -> Column:
    base = "https://www.cixidb.cn/news/list/14/64/"
    url = lambda p: base if p == 1 else f"{base}{p}"  # noqa: E731
    column = notices(COUNT, lambda n, d: f"https://www.cixidb.cn/news/627/{627600 - n * 3}.html")
    template = (DEFAULT_TREE / "www.cixidb.cn/news/list/14/64/index.html").read_text(encoding="utf-8")
    for page, shown in enumerate(by_page(column), 1):
        rows = "".join(
            f'\n            <p><a href="{urlsplit(n.url).path}" target="_blank" title="{n.title}">'
            f"{n.title}</a><em>{n.day}</em></p>"
            for n in shown
        )
        pager = (
            ['<a class="disabled">首页</a>', '<a class="disabled">上一页</a>']
            if page == 1
            else [f'<a href="{urlsplit(url(1)).path}">首页</a>', f'<a href="{urlsplit(url(page - 1)).path}">上一页</a>']
        )
        pager += [
            f'<span class="cur">{p}</span>' if p == page else f'<a href="{urlsplit(url(p)).path}">{p}</a>'
            for p in range(1, PAGES + 1)
        ]
        pager += [
            '<a class="disabled">下一页</a>'
            if page == PAGES
            else f'<a href="{urlsplit(url(page + 1)).path}">下一页</a>',
            f'<a href="{urlsplit(url(PAGES)).path}">尾页</a>',
            f'<span class="total">共{PAGES}页</span>',
        ]
        text = splice(template, '<div class="warmlist">', "\n        </div>", rows)
        text = splice(
            text,
            '<div class="pages" id="PagerList">',
            "\n        </div>",
            "".join(f"\n                {a}" for a in pager),
        )
        write(file_for(tree, url(page) if page > 1 else f"{base}index.html"), text)
    write_details(
        tree,
        column,
        "www.cixidb.cn/news/626/626281.html",
        "工业和信息化部办公厅关于开展2025年度钢铁行业智能制造标杆企业遴选工作的通知",
    )
    robots(tree, "www.cixidb.cn")
    define(defs, "cixidb")
    return Column("cixidb", column, PER_PAGE, numbered(lambda p: ("GET", mirror_path(url(p)))))


def build_trs_static(tree: Path, defs: Path) -> Column:
    base = "https://gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/"
    url = lambda p: f"{base}index.html" if p == 1 else f"{base}index_{p - 1}.html"  # noqa: E731
    column = notices(COUNT, lambda n, d: f"{base}{d:%Y%m}/t{d:%Y%m%d}_{34080000 - n * 991}.html")
    template = (DEFAULT_TREE / "gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/index.html").read_text(encoding="utf-8")
    for page, shown in enumerate(by_page(column), 1):
        rows = "".join(
            f'<tr><td>{n.number + 1}</td><td class="tit"><a href="./{n.url[len(base) :]}" '
            f'title="{n.title}" target="_blank">{n.title}</a></td><td>{n.day}</td></tr>\n'
            for n in shown
        )
        text = splice(template, "<tbody>\n", "</tbody>", rows)
        text = re.sub(r"var currentPage = \d+;", f"var currentPage = {page - 1};", text)
        text = re.sub(r"var countPage = \d+", f"var countPage = {PAGES}", text)
        write(file_for(tree, url(page)), text)
    write_details(
        tree,
        column,
        "gxt.hunan.gov.cn/gxt/xxgk_71033/tzgg/202607/t20260709_33934857.html",
        "关于征集2026年湖南省中小企业数字化转型典型案例的通知",
    )
    robots(tree, "gxt.hunan.gov.cn")
    define(defs, "hn_gxt")
    return Column("hn_gxt", column, PER_PAGE, numbered(lambda p: ("GET", mirror_path(url(p)))))


def build_ls_column(tree: Path, defs: Path) -> Column:
    later = "https://jx.ah.gov.cn/content/column/40511251?pageIndex={}"  # the same template, rendered dynamically
    url = lambda p: "https://jx.ah.gov.cn/sy/wjgg/index.html" if p == 1 else later.format(p)  # noqa: E731
    column = notices(COUNT, lambda n, d: f"https://jx.ah.gov.cn/sy/wjgg/{41500000 - n * 9973}.html")
    for page, shown in enumerate(by_page(column), 1):
        template = file_for(DEFAULT_TREE, url(min(page, 2)))
        rows = "".join(
            f'<li class="{"odd" if i % 2 == 0 else "even"}"><a href="{n.url}" target="_blank" '
            f'title="{n.title}">{n.title}</a><span class="date">{n.day}</span></li>\n'
            for i, n in enumerate(shown)
        )
        text = splice(template.read_text(encoding="utf-8"), '<ul class="doc_list list-40511251">\n', "</ul>", rows)
        text, count = re.subn(
            r"\{currPage: \(\d\+1\),pageCount:\d+,pageSize:\d+\}",
            f"{{currPage: ({page - 1}+1),pageCount:{PAGES},pageSize:{PER_PAGE}}}",
            text,
        )
        assert count == 1
        write(file_for(tree, url(page)), text)
    write_details(
        tree, column, "jx.ah.gov.cn/public/22061/41168915.html", "关于印发安徽省工业企业技术改造投资项目管理办法的通知"
    )
    robots(tree, "jx.ah.gov.cn")
    define(defs, "ah_jxt", ((r"(?m)^per_page = \d+$", f"per_page = {PER_PAGE}"),))
    return Column("ah_jxt", column, PER_PAGE, numbered(lambda p: ("GET", mirror_path(url(p)))))


def build_jpaas_querylist(tree: Path, defs: Path) -> Column:
    api = "https://gxt.jiangxi.gov.cn/queryList?current={}"
    column = notices(
        COUNT,
        lambda n, d: (
            f"https://gxt.jiangxi.gov.cn/jxsgyhxxht/tzgg/content/content_{2084950000000000000 - n * 3917482615}.html"
        ),
    )
    for page, shown in enumerate(by_page(column), 1):
        results = [
            {
                "id": n.url[-24:-5],
                "source": {
                    "id": n.url[-24:-5],
                    "title": n.title,
                    "showTitle": n.title,
                    "pubDate": f"{n.day} 09:00:00",
                    "webSiteCode": "jxsgyhxxht",
                    "channelCode": "tzgg",
                    "urls": json.dumps({"pc": urlsplit(n.url).path}, separators=(",", ":")),
                },
            }
            for n in shown
        ]
        answer = {
            "code": 200,
            "msg": "success",
            "data": {"current": page, "size": PER_PAGE, "total": COUNT, "results": results},
        }
        write(file_for(tree, api.format(page)), json.dumps(answer, ensure_ascii=False))
    write_details(
        tree,
        column,
        "gxt.jiangxi.gov.cn/jxsgyhxxht/tzgg/content/content_2084876293249626227.html",
        "关于做好2026年江西省中小企业服务月活动的通知",
    )
    robots(tree, "gxt.jiangxi.gov.cn")
    define(defs, "jx_gxt", ((r"(?m)^per_page = \d+$", f"per_page = {PER_PAGE}"),))
    return Column("jx_gxt", column, PER_PAGE, numbered(lambda p: ("POST", mirror_path(api.format(p)))))


def build_json_list(tree: Path, defs: Path) -> Column:
    api = "https://fgw.fujian.gov.cn/fjdzapp/search?page={}"
    base = "https://fgw.fujian.gov.cn/zwgk/fgzd/sfgwgfxwj/"
    column = notices(COUNT, lambda n, d: f"{base}{d:%Y%m}/t{d:%Y%m%d}_{7170000 - n * 613}.htm")
    for page, shown in enumerate(by_page(column), 1):
        data = [
            {
                "docid2": n.url.rsplit("_", 1)[1][:-4],
                "doctitle": n.title,
                "docpeople": "",
                "docreltime": f"{n.day} 16:20:00",
                "docpuburl": n.url,
                "chnldocurl": n.url,
                "chnlname": "省发改委政策文件",
                "fileno": f"闽发改产业〔2026〕{400 - n.number}号",
                "publishyear": "2026",
                "docabstract": "",
            }
            for n in shown
        ]
        answer = {
            "searchword": "",
            "page": page,
            "prepage": PER_PAGE,
            "count": COUNT,
            "pageCount": PAGES,
            "searchtime": "0.02",
            "classsql": "chnlid=9375",
            "data": data,
        }
        write(file_for(tree, api.format(page)), json.dumps(answer, ensure_ascii=False))
    write_details(
        tree,
        column,
        "fgw.fujian.gov.cn/zwgk/fgzd/sfgwgfxwj/202605/t20260527_7144084.htm",
        "福建省发展和改革委员会关于延长《福建省招标投标活动异议投诉处理办法》有效期的通知",
    )
    robots(tree, "fgw.fujian.gov.cn")
    define(
        defs,
        "fj_fgw",
        ((r"(?m)^per_page = \d+$", f"per_page = {PER_PAGE}"), (r'(?m)^prepage = "\d+"', f'prepage = "{PER_PAGE}"')),
    )
    return Column("fj_fgw", column, PER_PAGE, numbered(lambda p: ("POST", mirror_path(api.format(p)))))


def build_jpaas_build(tree: Path, defs: Path) -> Column:
    start = load_sites()["miit"].start_urls[0].replace("%22pageSize%22%3A10", f"%22pageSize%22%3A{PER_PAGE}")
    api = lambda p: start.replace("%22pageNo%22%3A1", f"%22pageNo%22%3A{p}")  # noqa: E731
    column = notices(
        COUNT,
        lambda n, d: (
            "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2026/art_"
            + hashlib.md5(f"miit-{n}".encode()).hexdigest()
            + ".html"
        ),
    )
    for page, shown in enumerate(by_page(column), 1):
        items = "".join(
            f'<li class="cf"><a class="fl" href="{urlsplit(n.url).path}" target="_blank" '
            f'title="{n.title}">{n.title}</a><span class="fr">{n.day}</span></li>'
            for n in shown
        )
        pager = (
            f"""<div class="page" id="unit_pagination" """
            f"""querydata="{{'count':'{COUNT}','pageSize':'{PER_PAGE}','pageNo':'{page}'}}"></div>"""
        )
        html = f'<div class="page-content"><ul>{items}</ul></div>{pager}'
        answer = {"success": True, "message": "", "data": {"html": html}}
        write(file_for(tree, api(page)), json.dumps(answer, ensure_ascii=False))
    write_details(
        tree,
        column,
        "www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2025/art_02d78a7a73fc7f018941b47fd1259087.html",
        "工业和信息化部办公厅关于开展2025年度智能制造系统解决方案揭榜挂帅项目申报工作的通知",
    )
    robots(tree, "www.miit.gov.cn")
    define(
        defs,
        "miit",
        (
            (r"(?m)^per_page = \d+$", f"per_page = {PER_PAGE}"),
            (re.escape(load_sites()["miit"].start_urls[0]), start.replace("\\", "\\\\")),
        ),
    )
    return Column("miit", column, PER_PAGE, numbered(lambda p: ("GET", mirror_path(api(p)))))


def build_rss(tree: Path, defs: Path) -> Column:
    feed = "https://www.ndrc.gov.cn/xwdt/xwfb/rss.xml"
    column = notices(
        COUNT, lambda n, d: f"https://www.ndrc.gov.cn/xwdt/xwfb/{d:%Y%m}/t{d:%Y%m%d}_{1408600 - n * 37}.html"
    )
    items = "".join(
        f"<item>\n<title><![CDATA[{n.title}]]></title>\n<link>{n.url}</link>\n"
        f'<guid isPermaLink="true">{n.url}</guid>\n<pubDate>{n.day:%a, %d %b %Y} 18:30:00 +0800</pubDate>\n'
        f"<description><![CDATA[{n.title}……]]></description>\n</item>\n"
        for n in column
    )
    text = (DEFAULT_TREE / "www.ndrc.gov.cn/xwdt/xwfb/rss.xml").read_text(encoding="utf-8")
    write(file_for(tree, feed), text[: text.index("<item>")] + items + "</channel>\n</rss>\n")
    write_details(
        tree,
        column,
        "www.ndrc.gov.cn/xwdt/xwfb/202606/t20260603_1406771.html",
        "国家发展改革委关于做好2026年国家物流枢纽建设工作的通知",
    )
    robots(tree, "www.ndrc.gov.cn")
    define(defs, "ndrc_xwfb")
    return Column("ndrc_xwfb", column, COUNT, lambda k: [("GET", mirror_path(feed))], one_page=True)


FAMILIES = {
    "hanweb_jcms": build_hanweb,
    "gkmlpt": build_gkmlpt,
    "html_list": build_html_list,
    "trs_static": build_trs_static,
    "ls_column": build_ls_column,
    "jpaas_querylist": build_jpaas_querylist,
    "json_list": build_json_list,
    "jpaas_build": build_jpaas_build,
    "rss": build_rss,
}
RUNS = {"monitor": (), "backfill 3": ("--backfill", "3"), "backfill 20": ("--backfill", "20")}
DEPTH = {"monitor": MAX_PAGES, "backfill 3": 3, "backfill 20": 20}


@dataclass
class Run:
    output: str
    returncode: int
    requests: list[tuple[str, str]]  # (method, unquoted path) the mirror answered
    db: Path


def crawl(tree: Path, defs: Path | None, db: Path, names, *extra: str) -> Run:
    """``crawler [--sites-dir DEFS] crawl NAMES`` with every host of ``tree`` served by the mirror."""
    with serve_mirror(tree) as base:
        chosen = ("--sites-dir", str(defs)) if defs else ()
        result = run_cli(
            *chosen, "crawl", *names, "--db", str(db), *host_map_args(host_map_for(tree, base)), *FAST, *extra
        )
        requests = [(method, unquote(path)) for method, path in base.requests]
    return Run(result.stdout + result.stderr, result.returncode, requests, db)


@pytest.fixture(scope="module")
def columns(tmp_path_factory):
    """Every family's generated column in one tree, crawled once per run mode (a fresh database
    each): {"columns": {family: Column}, "runs": {mode: Run}}."""
    root = tmp_path_factory.mktemp("depth")
    tree, defs = root / "sites", root / "defs"
    built = {family: build(tree, defs) for family, build in FAMILIES.items()}
    names = [column.site for column in built.values()]
    runs = {
        mode: crawl(tree, defs, root / f"{mode.replace(' ', '_')}.db", names, *extra) for mode, extra in RUNS.items()
    }
    return {"columns": built, "runs": runs}


def listing_requests(run: Run, column: Column) -> list[tuple[str, str]]:
    """The requests of ``run`` for the column's listing: all on its host but robots.txt and notices."""
    host, pages = urlsplit(column.notices[0].url).hostname, {mirror_path(n.url) for n in column.notices}
    return sorted(
        (method, path)
        for method, path in run.requests
        if path.startswith(f"/{host}/") and not path.endswith("/robots.txt") and path not in pages
    )


def stored(run: Run, site: str) -> set[str]:
    with sqlite3.connect(run.db) as conn:
        return {url for (url,) in conn.execute("select url from notices where site = ?", [site])}


def check(columns, family: str, mode: str) -> None:
    """The run of ``mode`` asked for the column's listing pages up to its depth, no more, no fewer,
    and stored the notices they list."""
    column, run = columns["columns"][family], columns["runs"][mode]
    assert run.returncode == 0, run.output[-3000:]
    assert listing_requests(run, column) == sorted(column.listing(DEPTH[mode]))
    assert stored(run, column.site) == column.stored(DEPTH[mode])


@pytest.mark.parametrize("family", FAMILIES)
def test_backfill_20_reads_every_page_of_a_9_page_column(columns, family):
    check(columns, family, "backfill 20")


@pytest.mark.parametrize("family", FAMILIES)
def test_backfill_3_reads_exactly_3_pages_whatever_max_pages_says(columns, family):
    check(columns, family, "backfill 3")


@pytest.mark.parametrize("family", FAMILIES)
def test_a_first_monitor_run_reads_max_pages(columns, family):
    check(columns, family, "monitor")


def test_backfill_stores_a_whole_hanweb_column_and_the_next_monitor_run_adds_only_the_new_notice(tmp_path):
    """The issue's measurement: ``crawler crawl zj_jxt --backfill 20`` on a 9-page column of 70
    notices, 8 a page, stored 24 of them (the adapter stopped at max_pages × perPage records)."""
    tree, db = tmp_path / "sites", tmp_path / "notices.db"
    column = notices(HANWEB_COUNT, zj_url, first=1)
    write_zj_column(tree, column)
    write_details(tree, column, *ZJ_DETAIL)
    robots(tree, ZJ)
    backfill = crawl(tree, None, db, ["zj_jxt"], "--backfill", "20")
    assert backfill.returncode == 0, backfill.output[-3000:]
    assert stored(backfill, "zj_jxt") == {n.url for n in column} and len(column) == 70
    assert re.search(r"\b70 new, 0 changed", backfill.output)

    newest = notices(1, zj_url)  # one notice more, on top of the column
    write_zj_column(tree, newest + column)
    write_details(tree, newest, *ZJ_DETAIL)
    monitor = crawl(tree, None, db, ["zj_jxt"])
    assert monitor.returncode == 0, monitor.output[-3000:]
    assert re.search(r"\b1 new, 0 changed", monitor.output)
    assert stored(monitor, "zj_jxt") == {n.url for n in newest + column}
    pages = {mirror_path(n.url) for n in newest + column}
    assert [path for _, path in monitor.requests if path in pages] == [mirror_path(newest[0].url)]
    # max_pages 3 of 8 records: the 24 the column page itself holds, so no dataproxy call.
    assert [(m, p) for m, p in monitor.requests if p not in pages and not p.endswith("/robots.txt")] == [
        ("GET", mirror_path(ZJ_COLUMN))
    ]
