"""A list notice's list in the store: compared as a set, its diff naming what was renamed, dropped
or added, and a failed download never read as a change."""

from pathlib import Path

import yaml

from crawler.extract import Notice
from crawler.kinds import classify
from crawler.records import AttachmentFile, DetailPage, FetchOutcome
from crawler.rosters import Entry
from crawler.rosters.rows import make_entry
from crawler.store import Store
from crawler.store.rosters import roster_diff, roster_record

TITLE = "浙江省经济和信息化厅关于公布2025年浙江省中小企业特色产业集群名单的通知"
NAMES = ["杭州市滨江区具身智能机器人产业集群", "宁波市北仑区汽车零部件产业集群", "湖州市长兴县新能源电池产业集群"]


def entries(names):
    return tuple(
        Entry(seq=i, name=n, name_normalized=n, province="浙江省", city=None, county=None, industry=None, extra={})
        for i, n in enumerate(names, 1)
    )


def page(*files, body_entries=()):
    notice = Notice(
        url="https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html",
        title=TITLE,
        published_at="2025-07-16T15:51:00+08:00",
        source=None,
        body="各设区市经信局：……",
        body_normalized="各设区市经信局：……",
    )
    return DetailPage(
        "zj_jxt",
        notice,
        FetchOutcome("zj_jxt", notice.url, "detail", "stored"),
        kind=classify(TITLE),
        files=list(files),
        body_entries=list(body_entries),
    )


def pdf(names, data=b"%PDF-1.4 one"):
    return AttachmentFile(
        "名单.pdf", "https://jxt.zj.gov.cn/f.pdf", "parsed", data=data, file_type="pdf", entries=entries(names)
    )


def test_a_reordered_or_renumbered_list_has_the_same_hash():
    first = roster_record(page(pdf(NAMES)), {}, {})
    again = roster_record(page(pdf(list(reversed(NAMES)), data=b"%PDF-1.4 two")), {}, {})
    assert first.list_hash == again.list_hash and len(first.entries) == 3
    assert first.entries[0]["source"] == "名单.pdf" and first.entries[0]["seq"] == 1


def test_a_renamed_cluster_changes_the_hash_and_the_diff_names_both():
    renamed = [*NAMES[:2], "湖州市长兴县新能源储能产业集群"]
    assert roster_record(page(pdf(NAMES)), {}, {}).list_hash != roster_record(page(pdf(renamed)), {}, {}).list_hash
    diff = roster_diff(NAMES, renamed)
    assert "~ 名单：湖州市长兴县新能源电池产业集群 → 湖州市长兴县新能源储能产业集群" in diff
    assert "名单变化：3 → 3 项" in diff and "+" not in diff.replace("→", "")


def test_dropped_and_added_entries_are_named_apart():
    diff = roster_diff(NAMES, [NAMES[0], "温州市乐清市电气产业集群"])
    assert "- 名单：湖州市长兴县新能源电池产业集群" in diff or "- 名单：宁波市北仑区汽车零部件产业集群" in diff
    assert "温州市乐清市电气产业集群" in diff
    assert roster_diff(NAMES, list(reversed(NAMES))) == ""


def test_the_body_list_counts_only_when_no_attachment_holds_one():
    body = entries(["嘉兴市海宁市经编产业集群"])
    assert [e["source"] for e in roster_record(page(pdf(NAMES), body_entries=body), {}, {}).entries] == ["名单.pdf"] * 3
    assert [e["source"] for e in roster_record(page(body_entries=body), {}, {}).entries] == ["body"]


def test_a_failed_download_keeps_the_earlier_list_or_leaves_the_list_unjudged():
    failed = AttachmentFile("名单.pdf", "https://jxt.zj.gov.cn/f.pdf", "failed", reason="HTTP 503")
    assert roster_record(page(failed), {}, {}).list_hash is None  # never read: not compared
    earlier_row = {"status": "parsed", "type": "pdf", "sha256": "ab" * 32}
    earlier_entries = [
        {"source": "名单.pdf", "url": failed.url, **{k: v for k, v in e.items() if k not in ("source", "url")}}
        for e in roster_record(page(pdf(NAMES)), {}, {}).entries
    ]
    kept = roster_record(page(failed), {failed.url: earlier_row}, {failed.url: earlier_entries})
    assert kept.list_hash == roster_record(page(pdf(NAMES)), {}, {}).list_hash
    assert "HTTP 503" in kept.files[0].reason and kept.files[0].status == "parsed"


def test_an_unparsed_attachment_is_compared_by_its_bytes():
    doc = AttachmentFile(
        "名单.doc",
        "https://jxt.zj.gov.cn/f.doc",
        "unparsed",
        data=b"\xd0\xcf\x11\xe0 one",
        reason="LibreOffice is not installed",
        file_type="doc",
    )
    other = AttachmentFile(doc.name, doc.url, "unparsed", data=b"\xd0\xcf\x11\xe0 two", file_type="doc")
    assert roster_record(page(doc), {}, {}).list_hash != roster_record(page(other), {}, {}).list_hash


def test_a_draft_list_links_to_the_final_list_and_dropped_entries_are_found(tmp_path):
    queries = yaml.safe_load((Path(__file__).parents[2] / "crawler/datasette/metadata.yml").read_text(encoding="utf-8"))
    dropped_sql = queries["databases"]["notices"]["queries"]["dropped_in_review"]["sql"]
    store = Store(tmp_path / "notices.db")
    try:
        for number, title, day, names in [
            (1, "关于2025年浙江省中小企业特色产业集群拟认定名单的公示", "2025-06-20", NAMES),
            (2, "浙江省经济和信息化厅关于公布2025年浙江省中小企业特色产业集群名单的通知", "2025-07-16", NAMES[:2]),
        ]:
            url = f"https://jxt.zj.gov.cn/art/2025/{number}.html"
            notice = Notice(
                url=url,
                title=title,
                published_at=f"{day}T10:00:00+08:00",
                source=None,
                body=f"{title}。各设区市经信局：附件{number}",
                body_normalized=f"{title}。各设区市经信局：附件{number}",
            )
            store.save_page(
                None,
                DetailPage(
                    "zj_jxt",
                    notice,
                    FetchOutcome("zj_jxt", url, "detail", "stored"),
                    kind=classify(title),
                    files=[pdf(names)],
                ),
            )
        stages = list(store.db.query("select draft_id, final_id, list_subject, list_year from list_stages"))
        assert stages == [{"draft_id": 1, "final_id": 2, "list_subject": "中小企业特色产业集群", "list_year": 2025}]
        dropped = [r["name"] for r in store.db.query(dropped_sql)]
        assert dropped == [NAMES[2]]
        first_seen = {
            r["name_normalized"]: r["first_notice_id"] for r in store.db.query("select * from cluster_first_seen")
        }
        assert first_seen == {name: 1 for name in NAMES}
    finally:
        store.close()


def test_a_saved_list_places_each_entry_and_leaves_an_ambiguous_one_unplaced(tmp_path):
    published = [
        ("杭州市滨江区具身智能机器人产业集群", None),
        ("许昌县发制品产业集群", None),  # 许昌县 is 建安区 since 2016
        ("鼓楼区软件产业集群", "福建省"),
        ("鼓楼区软件产业集群（二）", None),  # 鼓楼区: 福州, 南京, 徐州, 开封
    ]
    found = tuple(make_entry(i, name, province) for i, (name, province) in enumerate(published, 1))
    file = AttachmentFile(
        "名单.xlsx", "https://jxt.zj.gov.cn/f.xlsx", "parsed", data=b"x", file_type="xlsx", entries=found
    )
    with Store(tmp_path / "notices.db") as store:
        store.save_page(None, page(file))
        rows = [dict(r) for r in store.db.query("select name, county, adcode from clusters order by seq")]
    assert [(r["county"], r["adcode"]) for r in rows] == [
        ("滨江区", "330108"),
        ("建安区", "411003"),
        ("鼓楼区", "350102"),
        ("鼓楼区", None),
    ]
    assert rows[1]["name"] == "许昌县发制品产业集群"
