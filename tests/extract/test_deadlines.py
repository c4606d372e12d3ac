"""Application deadlines of calls for applications: the forms one by one, then the deadline stored
for every recorded page that is a call or mentions 截止/截至, against labels made by reading them
(tests/fixtures/extract/deadlines.json)."""

import gzip
import json
from pathlib import Path

import pytest

from crawler.extract import extract_notice
from crawler.extract.deadlines import application_deadline
from crawler.kinds import classify
from crawler.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOLD = FIXTURES / "extract" / "deadlines.json"
OLD_DATABASE = FIXTURES / "db" / "notices-6765e6b.db.gz"
PUBLISHED = "2025-02-20T10:00:00+08:00"


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("申报截止时间为2025年3月31日17:00。", "2025-03-31T17:00:00+08:00"),
        ("截止日期：2025年3月31日。", "2025-03-31"),
        ("请于4月15日前将申报材料报送我厅。", "2025-04-15"),
        ("申报时间：2025年3月1日至3月31日。", "2025-03-31"),
        ("即日起至2025年4月30日，申请单位登录系统填报申请材料。", "2025-04-30"),
        ("申报材料请于2025年3月31日（星期一）下午5点前提交。", "2025-03-31T17:00:00+08:00"),
        ("网上申报截至2025年3月31日24:00。", "2025-03-31"),  # 24:00: the whole day
        ("材料报送截止日期：二〇二五年三月三十一日。", "2025-03-31"),
        ("请于三月二十日前报送推荐文件。", "2025-03-20"),
        ("请各市于1月10日前报送。", "2026-01-10"),  # year-less and before the publication: next year
        ("请于8月底前将材料报送我局。", "2025-08-31"),
        ("请各地于通知印发之日起30日内将申报材料报送我厅。", "2025-03-22"),
        ("三、截止时间。\n2025年6月30日。", "2025-06-30"),
        ("二、申报时间。2025年3月1日至3月31日，逾期不予受理。", "2025-03-31"),
        ("请各地于2025年4月10日前，通过平台报送推荐案例。", "2025-04-10"),
        # Several steps: the first one the notice asks of anyone.
        ("企业网上申报截止时间为2025年3月20日，各市推荐截止时间为2025年3月31日。", "2025-03-20"),
        ("企业于2025年3月1日至3月20日登录平台填报，各市于3月31日前完成审核并报送我厅。", "2025-03-20"),
        # Dates that are no application deadline.
        ("拟认定名单公示期为2025年3月1日至3月7日，如有异议请于3月7日前反映。", None),
        ("项目应于2025年12月31日前建成投产。", None),
        ("截至2025年6月底，全省已累计培育专精特新企业1000家。", None),
        ("申报产品应于2024年1月1日以后实现首次销售。", None),
        ("各地要于2025年11月底前完成监察任务。", None),
        ("本通知自2025年4月1日起施行，有效期至2027年3月31日。", None),
        ("请于2024年12月31日前报送。", None),  # before the publication: a reference to the past
        ("请于活动结束后10个工作日内报送工作总结。", None),
        ("", None),
    ],
)
def test_deadline_forms(text, deadline):
    assert application_deadline(text, PUBLISHED) == deadline


def test_a_year_less_date_without_a_publication_date_gives_no_deadline():
    assert application_deadline("请于4月15日前报送。", None) is None
    assert application_deadline("请于2025年4月15日前报送。", None) == "2025-04-15"


def _url(path: str) -> str:
    parts = Path(path).parts
    return "https://" + "/".join(parts[1:]) if parts[0] == "sites" else f"https://fixtures.invalid/{path}"


def stored_deadline(path: str) -> str | None:
    """The deadline a crawl keeps for the page: the extracted one, for a call only."""
    notice = extract_notice(_url(path), (FIXTURES / path).read_bytes())
    return notice.deadline if classify(notice.title, notice.issuer).kind == "call" else None


def test_deadlines_agree_with_the_labelled_corpus():
    """Precision: of the deadlines stored, how many are exactly the labelled one; recall: of the
    labelled deadlines, how many are stored exactly. The 300 pages hold about 130 distinct deadline
    sentences (the generated trees repeat a few templates: gkmlpt 120 pages, Hanweb and TRS trees
    a dozen each), so one broken form costs several points. A wrong deadline misleads whoever plans
    by it, a missing one only sends them to the text: precision is held higher than recall."""
    pages = json.loads(GOLD.read_text(encoding="utf-8"))["pages"]
    assert len(pages) >= 290
    stored = {path: stored_deadline(path) for path in pages}
    labelled = {path: entry["deadline"] for path, entry in pages.items()}
    given = [path for path, value in stored.items() if value]
    wanted = [path for path, value in labelled.items() if value]
    right = [path for path in given if stored[path] == labelled[path]]
    precision, recall = len(right) / len(given), len(right) / len(wanted)
    wrong = {path: (stored[path], labelled[path]) for path in pages if stored[path] != labelled[path]}
    print(
        f"deadlines: {len(pages)} pages, {len(wanted)} labelled deadlines, {len(given)} stored, {len(right)} exact:"
        f" precision {precision:.3f}, recall {recall:.3f}; wrong: {wrong}"
    )
    assert precision >= 0.97, wrong
    assert recall >= 0.90, wrong


def test_a_notice_other_than_a_call_keeps_no_deadline_though_its_text_states_one():
    path = "sites/www.miit.gov.cn/jgsj/qyj/wjfb/art/2026/art_babc9a0753ef4eec99d4a1dae8bfbf16.html"
    notice = extract_notice(_url(path), (FIXTURES / path).read_bytes())
    assert notice.deadline == "2026-08-20"  # 报名截止时间 of a contest, read by extraction …
    assert stored_deadline(path) is None  # … but a contest notice is no call: nothing stored


def test_a_database_from_before_deadlines_gets_its_calls_deadlines_from_their_stored_text(tmp_path):
    path = tmp_path / "notices.db"
    path.write_bytes(gzip.decompress(OLD_DATABASE.read_bytes()))
    with Store(path) as store:
        calls = store.db.execute(
            "select n.deadline, v.deadline, v.body_normalized, n.published_at from notices n join versions v"
            " on v.notice_id = n.id and v.version = n.current_version where n.kind = 'call'"
        ).fetchall()
        others = store.db.execute("select count(*) from notices where kind != 'call' and deadline is not null")
        assert others.fetchone()[0] == 0
    assert calls and all(row[0] == row[1] == application_deadline(row[2], row[3]) for row in calls)
    assert sum(row[0] is not None for row in calls) >= len(calls) // 2
