"""A list notice revisited through real crawls of the mirrored Zhejiang bureau: its attachments are
asked for conditionally while its page stays the same, and a replaced file is a new version."""

import io
import sqlite3

import openpyxl

from tests.conftest import copy_site, crawl

HOST = "jxt.zj.gov.cn"
PAGE = "art/2025/7/14/art_1582900_28189.html"  # 专精特新 拟认定名单, the list in an xlsx
XLSX = "module/download/downfile.jsp?classid=0&filename=8e2ae49219345de2168ab924b8c30484.xlsx"


def rows(db, sql, *args):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def rename_first_firm(path) -> tuple[str, str]:
    """Replace the xlsx with one whose first firm is renamed; (old name, new name)."""
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    cell = next(c for row in book.active.iter_rows() for c in row if str(c.value or "").endswith("有限公司"))
    old = cell.value
    cell.value = old.replace("有限公司", "科技有限公司")
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return old, cell.value


def requests_of(requests, relative) -> int:
    return sum(path == f"/{HOST}/{relative}" for _, path in requests)


def test_a_replaced_attachment_behind_an_unchanged_page_is_one_new_version(tmp_path):
    tree, db = copy_site(tmp_path, HOST), tmp_path / "notices.db"
    first, _ = crawl(tree, db, "zj_jxt")
    assert first.returncode == 0, first.stdout + first.stderr
    events = rows(db, "select count(*) from events")[0][0]

    again, requests = crawl(tree, db, "zj_jxt", extra=("--revisit", "all"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert requests_of(requests, PAGE) == 1 and requests_of(requests, XLSX) == 1  # each asked once, conditionally
    assert rows(db, "select count(*) from events")[0][0] == events
    assert rows(db, "select outcome, status from fetches where run_id = 2 and url like '%.xlsx'") == [
        ("unchanged", 304)
    ]

    old, new = rename_first_firm(tree / HOST / XLSX)
    changed, requests = crawl(tree, db, "zj_jxt", extra=("--revisit", "all"))
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert requests_of(requests, PAGE) == 2 and requests_of(requests, XLSX) == 2  # checked, then read whole
    found = rows(
        db,
        "select e.kind, v.version, v.diff from events e join versions v on v.notice_id = e.notice_id"
        " and v.version = e.version where e.run_id = 3",
    )
    assert len(found) == 1 and found[0][:2] == ("changed", 2)
    assert f"~ 名单：{old} → {new}" in found[0][2]
    assert (new,) in rows(
        db,
        "select name from list_entries l join notices n on n.id = l.notice_id"
        " and l.version = n.current_version where n.url like ?",
        f"%{PAGE}",
    )
    assert rows(db, "select outcome from fetches where run_id = 3 and url like '%.xlsx' order by id") == [
        ("replaced",),
        ("downloaded",),
    ]
