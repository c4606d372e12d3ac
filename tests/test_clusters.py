"""Cluster lists as data, through real crawls of the mirrored Zhejiang bureau: the seed notice's
17-cluster PDF becomes 17 rows; a renamed cluster is one change naming both names, a re-ordered
list none; hostile attachments are refused with a reason and nothing lands outside data/attachments/."""

import hashlib
import io
import sqlite3
import zipfile

import pytest

from crawler.alerts.messages import compose
from crawler.alerts.rules import is_cluster_list
from crawler.store import Store
from tests.conftest import copy_site, crawl
from tests.fixtures.rosters.generate import table_pdf

HOST = "jxt.zj.gov.cn"
SEED = "art/2025/7/16/art_1582900_28196.html"
SEED_URL = f"https://{HOST}/{SEED}"
PDF = "module/download/downfile.jsp?classid=0&filename=6042fb38cea96a6e558070f7b5613d8f.pdf"
FIRST = "杭州市滨江区具身智能机器人产业集群"


def list_pdf(rows: list[tuple[str, str]]) -> bytes:
    """The seed's attachment in the bureau's layout with ``rows`` of (设区市, 集群名称)."""
    return table_pdf(
        ("附件", "2025年浙江省中小企业特色产业集群名单"),
        ["序号", "设区市", "集群名称"],
        [[str(i), city, name] for i, (city, name) in enumerate(rows, 1)],
        "",
    )


class Site:
    """A private copy of the recorded jxt.zj.gov.cn, served on 127.0.0.1, crawled into one DB."""

    def __init__(self, root):
        self.root, self.tree, self.db = root, copy_site(root, HOST), root / "data" / "notices.db"

    def path(self, relative):
        return self.tree / HOST / relative

    def crawl(self, *extra):
        result, _ = crawl(self.tree, self.db, "zj_jxt", extra=("--revisit", "all", *extra))
        assert result.returncode in (0, 3), result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        return result

    def rows(self, sql, *args):
        with sqlite3.connect(self.db) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql, args)]

    def clusters(self):
        return self.rows(
            "select c.* from clusters c join notices n on n.id = c.notice_id and"
            " c.version = n.current_version where n.url = ? order by c.seq",
            SEED_URL,
        )


@pytest.fixture
def site(tmp_path):
    return Site(tmp_path)


def test_the_seed_notice_attachment_gives_its_17_clusters(site):
    site.crawl()
    notice = site.rows("select * from notices where url = ?", SEED_URL)[0]
    assert (notice["kind"], notice["list_stage"], notice["list_year"], notice["list_level"]) == (
        "cluster_list",
        "final",
        2025,
        "省级",
    )
    clusters = site.clusters()
    assert len(clusters) == 17 and [c["seq"] for c in clusters] == list(range(1, 18))
    first = clusters[0]
    assert (first["name"], first["city"], first["county"], first["industry"]) == (
        FIRST,
        "杭州市",
        "滨江区",
        "具身智能机器人",
    )
    assert {c["province"] for c in clusters} == {"浙江省"} and all(c["city"] and c["industry"] for c in clusters)
    assert {c["source"] for c in clusters} == {"2025年浙江省中小企业特色产业集群名单.pdf"}
    attachment = site.rows("select * from attachments where notice_id = ?", notice["id"])[0]
    assert (attachment["status"], attachment["type"], attachment["entries"]) == ("parsed", "pdf", 17)
    kept = site.db.parent / attachment["path"]
    assert kept.read_bytes() == site.path(PDF).read_bytes()
    assert attachment["sha256"] == hashlib.sha256(kept.read_bytes()).hexdigest()
    assert kept.parent.parent == site.db.parent / "attachments"
    # The alert carries the count and the entries.
    store = Store(site.db)
    try:
        event = site.rows("select id from events where notice_id = ? and kind = 'new'", notice["id"])[0]
        context = store.event_context(event["id"])
    finally:
        store.close()
    context["is_cluster_list"] = is_cluster_list(context["title"])
    message = compose(context)
    assert "集群数：17 个" in message.text and f"1. {FIRST}" in message.text
    assert message.data["clusters"]["count"] == 17 and message.data["clusters"]["first"][0] == FIRST


def test_a_renamed_cluster_is_one_change_naming_both_and_a_reordered_list_is_none(site):
    site.crawl()
    rows = [(c["city"], c["name"]) for c in site.clusters()]
    events = len(site.rows("select * from events"))
    versions = len(site.rows("select * from versions"))

    site.path(PDF).write_bytes(list_pdf(list(reversed(rows))))  # re-ordered and renumbered
    site.crawl()
    assert len(site.rows("select * from events")) == events and len(site.rows("select * from versions")) == versions
    assert site.clusters()[0]["name"] == FIRST  # the version's list is still the first one read

    old_name = rows[5][1]
    new_name = old_name.replace("产业集群", "智造产业集群")
    renamed = [*rows[:5], (rows[5][0], new_name), *rows[6:]]
    site.path(PDF).write_bytes(list_pdf(renamed))
    site.crawl()
    changed = site.rows(
        "select e.kind, v.diff, v.change_kind from events e join versions v on v.notice_id = e.notice_id"
        " and v.version = e.version order by e.id desc limit 1"
    )
    assert len(site.rows("select * from events")) == events + 1
    assert changed[0]["kind"] == "changed" and changed[0]["change_kind"] == "edit"
    assert f"~ 名单：{old_name} → {new_name}" in changed[0]["diff"]
    assert [c["name"] for c in site.clusters()][5] == new_name and len(site.clusters()) == 17


def zip_bomb() -> bytes:
    """An xlsx whose one sheet inflates to 64 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):
                member.write(chunk)
    return out.getvalue()


def test_hostile_attachments_are_refused_with_a_reason_and_nothing_lands_outside_attachments(site):
    links = {
        "module/download/downfile.jsp?classid=0&filename=bomb.xlsx": ("名单.xlsx", zip_bomb()),
        "module/download/downfile.jsp?classid=0&filename=big.pdf": ("名单（全文）.pdf", b"%PDF-1.4\n" + b"0" * 400_000),
        "module/download/downfile.jsp?classid=0&filename=page.pdf": (
            "名单（扫描件）.pdf",
            "<html><head><title>下载</title></head><body><p>文件不存在或已删除</p></body></html>".encode(),
        ),
        "module/download/downfile.jsp?classid=0&filename=evil.xlsx": (
            "../../../evil.xlsx",
            site.path(PDF).read_bytes(),
        ),
    }
    page = site.path(SEED)
    html = page.read_text(encoding="utf-8")
    extra = "".join(
        f'<p>附件{i}：<a href="/{path}">{name}</a></p>' for i, (path, (name, _)) in enumerate(links.items(), 2)
    )
    page.write_text(html.replace('<meta name="ContentEnd">', extra + '<meta name="ContentEnd">'), encoding="utf-8")
    for path, (_, data) in links.items():
        site.path(path).write_bytes(data)
    before = {p for p in site.root.rglob("*")}
    site.crawl("-s", "CRAWLER_ATTACHMENT_MAXSIZE=300000")
    written = {p for p in site.root.rglob("*")} - before
    attachments = site.db.parent / "attachments"
    assert all(
        p == site.db.parent or p.is_relative_to(attachments) or p.name.startswith("notices.db") for p in written
    ), sorted(map(str, written))
    assert not (site.root / "evil.xlsx").exists() and not list(site.root.parent.glob("evil*"))
    rows = {
        r["name"]: r
        for r in site.rows(
            "select a.* from attachments a join notices n on n.id = a.notice_id where n.url = ?", SEED_URL
        )
    }
    assert rows["名单.xlsx"]["status"] == "refused" and rows["名单.xlsx"]["reason"]
    assert rows["名单（全文）.pdf"]["status"] == "refused" and "cap" in rows["名单（全文）.pdf"]["reason"]
    assert rows["名单（扫描件）.pdf"]["type"] == "html" and rows["名单（扫描件）.pdf"]["entries"] == 0
    assert rows["../../../evil.xlsx"]["path"].startswith("attachments/")
    for row in rows.values():
        if row["path"]:
            assert (site.db.parent / row["path"]).resolve().is_relative_to(attachments.resolve())
    assert len(site.clusters()) == 17  # the good PDF's list, once: the copy under the evil name adds nothing
    fetches = {r["url"].rsplit("=", 1)[1]: r for r in site.rows("select * from fetches where role = 'attachment'")}
    assert fetches["big.pdf"]["outcome"] == "refused"
