"""The outbox on a real store and a real receiver: digests, change messages, unknown channels."""

from datetime import UTC, datetime, timedelta

import pytest

from crawler.alerts.channels import parse_channel
from crawler.alerts.config import AlertConfig, Subscription
from crawler.alerts.outbox import deliver, route
from crawler.extract import Notice
from crawler.extract.text import normalize_text
from crawler.records import DetailPage, FetchOutcome
from crawler.store import Store
from tests.alerts.receivers import HttpReceiver

BODY = "各市经信局：\n确定杭州市滨江区具身智能机器人产业集群等17个产业集群为2025年浙江省中小企业特色产业集群。\n浙江省经济和信息化厅\n2025年7月11日"


def save(store, number, body=BODY, title="2025年浙江省中小企业特色产业集群名单公布"):
    url = f"https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_{number}.html"
    notice = Notice(
        url=url,
        title=title,
        published_at="2025-07-16T15:51:00+08:00",
        source="浙江省经信厅",
        body=body,
        body_normalized=normalize_text(body),
        title_normalized=normalize_text(title),
        issuer="浙江省经济和信息化厅",
    )
    store.save_page(None, DetailPage("zj_jxt", notice, FetchOutcome("zj_jxt", url, "detail", "stored", status=200)))


@pytest.fixture
def setup(tmp_path):
    store, receiver = Store(tmp_path / "n.db"), HttpReceiver()
    hook = parse_channel(f"json://127.0.0.1:{receiver.server.server_address[1]}/hook")
    yield store, receiver, hook
    store.close()
    receiver.close()


def test_a_daily_digest_groups_events_and_waits_a_day(setup):
    store, receiver, hook = setup
    config = AlertConfig([Subscription("daily", (hook,), events=("new",), digest="daily")], retry_base_seconds=0)
    now = datetime.now(UTC)
    save(store, 1)
    save(store, 2, body=BODY.replace("17个", "9个"), title="关于公布第二批名单的通知")
    route(store, config, now)
    assert len(deliver(store, config, now).sent) == 1
    assert receiver.on("/hook")[0]["json"]["title"] == "【每日汇总】2 条政策通知动态"
    save(store, 3, title="关于公布第三批名单的通知")
    route(store, config, now)
    assert deliver(store, config, now + timedelta(hours=2)).waiting == 1 and len(receiver.requests) == 1
    assert len(deliver(store, config, now + timedelta(hours=25)).sent) == 1 and len(receiver.requests) == 2


def test_a_change_message_carries_the_diff_excerpt(setup):
    store, receiver, hook = setup
    config = AlertConfig([Subscription("changes", (hook,), events=("changed",))], retry_base_seconds=0)
    save(store, 1)
    save(store, 1, body=BODY.replace("17个", "18个"))
    now = datetime.now(UTC)
    route(store, config, now)
    deliver(store, config, now)
    message = receiver.on("/hook")[0]["json"]
    assert message["title"].startswith("【通知有变化】") and "等1[-7-]{+8+}个产业集群" in message["message"]


def test_a_delivery_whose_channel_left_the_config_waits(setup):
    store, receiver, hook = setup
    config = AlertConfig([Subscription("all", (hook,), events=("new",))])
    save(store, 1)
    now = datetime.now(UTC)
    route(store, config, now)
    report = deliver(store, AlertConfig([]), now)
    assert (report.sent, report.waiting) == ([], 1) and receiver.requests == []


def test_a_cluster_list_message_carries_the_count_the_first_20_entries_and_a_link_to_the_rest(setup):
    from crawler.kinds import classify
    from crawler.records import AttachmentFile
    from crawler.rosters import Entry

    store, receiver, hook = setup
    config = AlertConfig([Subscription("lists", (hook,))], retry_base_seconds=0, datasette_url="http://127.0.0.1:8001")
    title = "浙江省经济和信息化厅关于公布2025年浙江省中小企业特色产业集群名单的通知"
    names = [f"{city}产业集群" for city in (f"杭州市滨江区第{i}号智能装备" for i in range(1, 26))]
    entries = tuple(Entry(i, n, n, "浙江省", "杭州市", "滨江区", n[6:-4], {}) for i, n in enumerate(names, 1))
    url = "https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_1.html"
    notice = Notice(
        url=url,
        title=title,
        published_at="2025-07-16T15:51:00+08:00",
        source=None,
        body=BODY,
        body_normalized=normalize_text(BODY),
        title_normalized=title,
        issuer="浙江省经济和信息化厅",
    )
    files = [
        AttachmentFile("名单.xlsx", "https://jxt.zj.gov.cn/f.xlsx", "parsed", b"PK", file_type="xlsx", entries=entries)
    ]
    store.save_page(
        None,
        DetailPage(
            "zj_jxt",
            notice,
            FetchOutcome("zj_jxt", url, "detail", "stored", status=200),
            kind=classify(title),
            files=files,
        ),
    )
    now = datetime.now(UTC)
    route(store, config, now)
    deliver(store, config, now)
    message = receiver.on("/hook")[0]["json"]
    assert message["title"].startswith("【新集群名单】") and "集群数：25 个" in message["message"]
    assert f"20. {names[19]}" in message["message"] and names[20] not in message["message"]
    assert "……共 25 个，全部见 http://127.0.0.1:8001/notices/clusters?notice_id=1&version=1" in message["message"]
