"""A generated Hanweb jcms site of N notices on disk, and the static server that serves it.

The pages are built from the recorded zj_jxt pages (tests/fixtures/sites/jxt.zj.gov.cn): the same
head, styles, navigation, share bar, footer and scripts, around a generated notice of 1–19 KB of
text, so each detail page weighs 20–40 KB. The column page carries the first 15 records in its
``<script type="text/xml">`` block and a ``jpage`` call (perPage 15, groupSize 3); the later records
are ``dataproxy.jsp?startrecord=..&endrecord=..&perpage=15`` answers of 45 records each, written
twice: under the query-string name the project's mirror (``crawler/mirror.py``) resolves, and as
``dataproxy/<startrecord>.xml``, which nginx reaches through a rewrite on ``$arg_startrecord``.

nginx cannot answer POST on a static file (it says 405); the site's config turns that 405 into an
internal redirect, which nginx makes as a GET (``error_page 405 =200 $uri``), so the dataproxy
POSTs get their file with status 200. Without nginx (``--server mirror`` or nginx absent), the
project's own threaded mirror serves the same tree; it answers POST like GET.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sites" / "jxt.zj.gov.cn"
HOST = "jxt.zj.gov.cn"
COLUMN = 1582900
PER_PAGE, GROUP = 15, 3
FIRST_ID = 100000
NEWEST = datetime(2025, 7, 16, 9, 30)

# The bench site: zj_jxt's definition with a listing deep enough to hold every generated notice.
SITE_TOML = f"""name = "bench_hanweb"
title = "bench · generated Hanweb jcms column"
kind = "bureau"
province = "浙江"
start_urls = ["https://{HOST}/col/col{COLUMN}/index.html"]

[listing]
adapter = "hanweb_jcms"
max_pages = 100000
per_page = {PER_PAGE}

[detail]
url_pattern = '^https?://jxt\\.zj\\.gov\\.cn/art/\\d{{4}}/\\d{{1,2}}/\\d{{1,2}}/art_\\d+_\\d+\\.html$'

[extract]
title = "meta[name=ArticleTitle]::attr(content)"
published_at = "meta[name=PubDate]::attr(content)"
source = "meta[name=ContentSource]::attr(content)"
"""

SUBJECTS = [
    "工业企业技术改造",
    "中小企业数字化转型",
    "制造业高质量发展",
    "绿色低碳工厂",
    "工业互联网平台",
    "首台（套）装备",
    "小微企业园",
    "专精特新中小企业",
    "未来工厂",
    "工业设计中心",
    "服务型制造",
    "企业技术中心",
    "软件和信息技术服务业",
    "新材料首批次应用",
    "智能制造",
    "产业链协同创新",
]
CALLS = [
    "关于组织开展{year}年度{subject}申报工作的通知",
    "关于做好{year}年{subject}项目入库工作的通知",
    "浙江省经济和信息化厅关于开展{year}年{subject}评价工作的通知",
    "关于征集{year}年{subject}典型案例的通知",
    "关于举办{year}年{subject}专题培训班的通知",
    "《关于加快推进{subject}的若干措施》政策解读",
]
LISTS = ["关于{year}年浙江省{subject}拟认定名单的公示", "关于公布{year}年度浙江省{subject}名单的通知"]
SENTENCES = [
    "为深入贯彻落实省委、省政府关于推动制造业高质量发展的决策部署，加快构建现代化产业体系，现就有关事项通知如下。",
    "各设区市经信局要高度重视，加强组织领导，认真做好企业动员、材料审核和推荐上报等工作。",
    "申报单位应在浙江省内依法注册、具有独立法人资格，近三年未发生重大安全、质量、环保事故，无严重失信行为。",
    "请各地于规定时间前通过浙江省经济和信息化厅业务系统完成网上填报，并将纸质材料一式两份报送我厅相关处室。",
    "我厅将会同有关部门组织专家进行评审，对评审通过的项目予以公示，公示无异议后正式发布。",
    "项目实施期一般不超过两年，实施期满后由所在地经信部门组织验收，验收结果作为后续政策支持的重要依据。",
    "对弄虚作假、骗取财政资金的单位，一经查实，取消其申报资格，三年内不得申报省级相关项目，并按规定追究责任。",
    "联系人及电话：产业发展处，0571-87052{n:03d}；业务系统技术支持，0571-87057{n:03d}。",
    "各地要结合本地实际，制定具体实施方案，明确目标任务、工作措施和责任分工，确保各项工作落到实处。",
    "鼓励企业加大研发投入，加强关键核心技术攻关，推动产业基础高级化和产业链现代化。",
    "支持龙头企业牵头组建创新联合体，带动上下游中小企业协同发展，形成大中小企业融通发展的良好生态。",
    "本通知自发布之日起施行，有效期{n}年。此前有关规定与本通知不一致的，以本通知为准。",
]
COMPANIES = ["杭州", "宁波", "温州", "湖州", "嘉兴", "绍兴", "金华", "衢州", "舟山", "台州", "丽水"]


@dataclass
class Notice:
    number: int  # 0 = newest
    article_id: int
    published: datetime
    title: str
    paragraphs: list[str]
    is_roster: bool

    @property
    def path(self) -> str:
        d = self.published
        return f"/art/{d.year}/{d.month}/{d.day}/art_{COLUMN}_{self.article_id}.html"

    @property
    def url(self) -> str:
        return f"https://{HOST}{self.path}"


def make_notice(number: int) -> Notice:
    """Notice ``number`` (0 = newest), the same every time: seeded by its number."""
    rng = random.Random(number)
    published = NEWEST - timedelta(hours=6 * number + rng.randrange(6))
    subject = rng.choice(SUBJECTS)
    is_roster = rng.random() < 0.04
    title = rng.choice(LISTS if is_roster else CALLS).format(year=published.year, subject=subject)
    title = f"{title}（第{number + 1}号）" if rng.random() < 0.5 else title
    target = rng.randrange(1_000, 16_000)  # bytes of notice text, so pages weigh 20–40 KB
    paragraphs = ["各市、县（市、区）经信局，有关单位："]
    size = 0
    while size < target:
        text = "".join(rng.choice(SENTENCES).format(n=rng.randrange(1000)) for _ in range(rng.randrange(2, 5)))
        paragraphs.append(text)
        size += len(text.encode())
    if is_roster:
        paragraphs.append("附件：名单")
        paragraphs.extend(
            f"{i + 1}. {rng.choice(COMPANIES)}市{subject}示范企业{rng.randrange(10000)}有限公司"
            for i in range(rng.randrange(10, 30))
        )
    paragraphs += ["浙江省经济和信息化厅", f"{published.year}年{published.month}月{published.day}日"]
    return Notice(number, FIRST_ID + 10 * number, published, title, paragraphs, is_roster)


class Templates:
    """The recorded detail and column pages, cut into the parts the generated pages reuse."""

    MARKS = ("@TITLE@", "@MAKETIME@", "@PUBDATE@", "@PATH@", "@ARTICLE@", "@SHARE@")

    def __init__(self) -> None:
        detail = (FIXTURE / "art/2025/3/27/art_1582900_27818.html").read_text(encoding="utf-8")
        old_title = re.search(r'<meta name="ArticleTitle" content="([^"]+)"', detail)[1]
        detail = re.sub(r'http://service\.weibo\.com/share/share\.php\?[^"]*', "@SHARE@", detail)
        for old, mark in (
            (old_title, "@TITLE@"),
            ("2025-03-27 17:46:26", "@MAKETIME@"),
            ("2025-03-27 17:46", "@PUBDATE@"),
            ("/art/2025/3/27/art_1582900_27818.html", "@PATH@"),
            ("27818", "@ARTICLE@"),
        ):
            detail = detail.replace(old, mark)
        head, rest = detail.split('<meta name="ContentStart">', 1)
        _, tail = rest.split('<meta name="ContentEnd">', 1)
        self.detail_head, self.detail_tail = head, tail
        column = (FIXTURE / f"col/col{COLUMN}/index.html").read_text(encoding="utf-8")
        start, end = column.index("<recordset>") + len("<recordset>"), column.index("</recordset>")
        self.column_head, self.column_tail = column[:start], column[end:]

    def detail(self, notice: Notice, edit: int = 0) -> bytes:
        paragraphs = list(notice.paragraphs)
        if edit:  # a real edit: a date moved and a sentence added, as a corrected notice does
            paragraphs[1] = (
                paragraphs[1] + f"（{edit}次修订：申报截止时间延长至{notice.published.year}年12月{edit + 10}日。）"
            )
        share = (
            "http://service.weibo.com/share/share.php?url="
            + quote(notice.url, safe="")
            + "&title="
            + quote(notice.title, safe="")
            + "&appkey=&pic=&searchPic=true"
        )
        values = (
            notice.title,
            notice.published.strftime("%Y-%m-%d %H:%M:%S"),
            notice.published.strftime("%Y-%m-%d %H:%M"),
            notice.path,
            str(notice.article_id),
            share,
        )
        head, tail = self.detail_head, self.detail_tail
        for mark, value in zip(self.MARKS, values):
            head, tail = head.replace(mark, value), tail.replace(mark, value)
        style = "text-indent: 2em; line-height: 2em; font-family: 仿宋_GB2312, 仿宋; font-size: 16pt;"
        body = "\n".join(f'<p style="{style}">{p}</p>' for p in paragraphs)
        return (head + '<meta name="ContentStart">\n' + body + '\n<meta name="ContentEnd">' + tail).encode()

    @staticmethod
    def record(notice: Notice) -> str:
        short = notice.title if len(notice.title) <= 36 else notice.title[:36] + "..."
        return (
            f'<record><![CDATA[\n<p class="lb-list"><a href="{notice.path}" title="{notice.title}" '
            f'target="_blank">{short}</a><span>{notice.published:%Y-%m-%d}</span></p>]]></record>\n'
        )

    def column(self, notices: list[Notice], total: int) -> bytes:
        head = self.column_head
        tail = re.sub(r"totalRecord:\d+", f"totalRecord:{total}", self.column_tail)
        tail = re.sub(r"groupSize:\d+", f"groupSize:{GROUP}", tail)
        return (head + "\n" + "".join(self.record(n) for n in notices) + tail).encode()

    def dataproxy(self, notices: list[Notice], total: int) -> bytes:
        pages = -(-total // PER_PAGE)
        records = "".join(self.record(n) for n in notices)
        return (
            f"<datastore>\n<totalrecord>{total}</totalrecord>\n<totalpage>{pages}</totalpage>\n"
            f"<recordset>\n{records}</recordset>\n</datastore>\n"
        ).encode()


def build_site(tree: Path, count: int) -> dict:
    """Write the site of ``count`` notices under ``tree/<host>/``; returns what a floor spider
    needs to fetch the same URLs: {"listing": [...], "proxy": [...], "detail": [...]} (real paths)."""
    templates = Templates()
    root = tree / HOST
    notices = [make_notice(i) for i in range(count)]
    (root / f"col/col{COLUMN}").mkdir(parents=True, exist_ok=True)
    (root / f"col/col{COLUMN}/index.html").write_bytes(templates.column(notices[:PER_PAGE], count))
    shutil.copy(FIXTURE / "robots.txt", root / "robots.txt")
    proxy_dir = root / "module/jpage"
    (proxy_dir / "dataproxy").mkdir(parents=True, exist_ok=True)
    proxies = []
    for start in range(PER_PAGE + 1, count + 1, GROUP * PER_PAGE):
        end = min(start + GROUP * PER_PAGE - 1, count)
        body = templates.dataproxy(notices[start - 1 : end], count)
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": PER_PAGE})
        (proxy_dir / f"dataproxy.jsp?{query}").write_bytes(body)
        (proxy_dir / "dataproxy" / f"{start}.xml").write_bytes(body)
        proxies.append(f"/module/jpage/dataproxy.jsp?{query}")
    for notice in notices:
        path = root / notice.path.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(templates.detail(notice))
    return {"listing": [f"/col/col{COLUMN}/index.html"], "proxy": proxies, "detail": [n.path for n in notices]}


def edit_notices(tree: Path, count: int, share: float, edit: int = 1) -> list[str]:
    """Rewrite ``share`` of the ``count`` notices with an edit (new bytes, new mtime); their URLs."""
    templates = Templates()
    step = max(1, round(1 / share))
    edited = []
    for number in range(step // 2, count, step):
        notice = make_notice(number)
        (tree / HOST / notice.path.lstrip("/")).write_bytes(templates.detail(notice, edit))
        edited.append(notice.url)
    return edited


def write_sites_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench_hanweb.toml").write_text(SITE_TOML, encoding="utf-8")
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, deadline: float = 10.0) -> None:
    limit = time.monotonic() + deadline
    while time.monotonic() < limit:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


NGINX_CONF = """worker_processes 1;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ text/html html; text/xml xml jsp; text/plain txt; }}
    default_type text/html;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        # Hanweb's dataproxy.jsp: the answer for a record range is dataproxy/<startrecord>.xml.
        location ~ ^/(?<site>[^/]+)/module/jpage/dataproxy\\.jsp$ {{
            rewrite ^ /$site/module/jpage/dataproxy/$arg_startrecord.xml last;
        }}
        location / {{
            # nginx refuses POST on a static file with 405; redirect that internally (as a GET).
            error_page 405 =200 $uri;
        }}
    }}
}}
"""


class StaticServer:
    """nginx (when installed) or the project's mirror, serving ``tree`` on a free local port."""

    def __init__(self, tree: Path, kind: str = "auto", validators: bool = True) -> None:
        self.tree, self.port, self.validators = tree, free_port(), validators
        nginx = shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")
        self.kind = ("nginx" if nginx else "mirror") if kind == "auto" else kind
        self.nginx = nginx
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/{HOST}"

    def __enter__(self) -> StaticServer:
        if self.kind == "nginx":
            if not self.nginx:
                raise RuntimeError("nginx not found: apt-get install -y nginx, or use --server mirror")
            prefix = self.tree.parent / "nginx"
            prefix.mkdir(exist_ok=True)
            conf = prefix / "nginx.conf"
            text = NGINX_CONF.format(prefix=prefix, port=self.port, root=self.tree)
            if not self.validators:  # no ETag, If-Modified-Since ignored: every answer is a whole 200
                text = text.replace("    sendfile on;", "    sendfile on;\n    etag off;\n    if_modified_since off;")
            conf.write_text(text)
            command = [self.nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"]
        else:
            if not self.validators:
                raise RuntimeError("the mirror always sends validators; serving without them needs nginx")
            command = [sys.executable, "-m", "crawler.mirror", str(self.tree), "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM if self.kind == "mirror" else signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
