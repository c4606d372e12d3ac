"""Alerts end to end: a real crawl of a mirrored site, real receivers on 127.0.0.1, `crawler run`."""

import base64
import hashlib
import hmac
import os
import re
import shutil
import sqlite3
from email import message_from_string, policy

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.alerts.receivers import HttpReceiver, SmtpReceiver
from tests.conftest import FAST, host_map_args, run_cli

HOST = "www.cixidb.cn"
KEPT = ("627509", "627488", "627471")  # the seed (a cluster list) and two other notices
DT_SECRET, FS_SECRET = "SECdingtalk0123456789", "feishu-secret-9876"
DT_TOKEN, WECOM_KEY, FS_TOKEN = "dingtalk-token-abc", "wecom-key-def", "feishu-token-ghi"


def three_notice_site(root):
    """The cixidb mirror with a listing of three notices, one page."""
    tree = root / "sites"
    shutil.copytree(DEFAULT_TREE / HOST, tree / HOST)
    listing = tree / HOST / "news/list/14/64/index.html"
    html = listing.read_text(encoding="utf-8")
    html = re.sub(
        r'<p><a href="/news/\d+/(\d+)\.html".*?</p>', lambda m: m[0] if m[1] in KEPT else "", html, flags=re.S
    )
    listing.write_text(html.replace('href="/news/list/14/64/2"', 'href="#"'), encoding="utf-8")
    return tree


@pytest.fixture
def receivers():
    http, smtp = HttpReceiver(), SmtpReceiver()
    yield http, smtp
    http.close()
    smtp.close()


def write_config(path, http, smtp):
    path.write_text(
        f"""
[alerts]
retry_base_seconds = 0

[[subscriptions]]
name = "default"
channels = ["json://127.0.0.1:{http.server.server_address[1]}/hook"]

[[subscriptions]]
name = "every-new-notice"
events = ["new"]
channels = [
  "mailto://127.0.0.1:{smtp.port}?to=analyst@example.cn&from=watch@example.cn&mode=plain",
  "dingtalk://{DT_TOKEN}?secret=${{DT_SECRET}}&endpoint={http.base}/robot/send",
  "wecombot://{WECOM_KEY}?endpoint={http.base}/cgi-bin/webhook/send",
  "feishu://{FS_TOKEN}?secret=${{FS_SECRET}}&endpoint={http.base}/open-apis/bot/v2/hook/",
]
""",
        encoding="utf-8",
    )


def crawler_run(tree, db, config):
    env = {**os.environ, "DT_SECRET": DT_SECRET, "FS_SECRET": FS_SECRET}
    with serve_mirror(tree) as base:
        return run_cli(
            "run",
            "cixidb",
            "--db",
            str(db),
            "--config",
            str(config),
            *host_map_args(host_map_for(tree, base)),
            *FAST,
            env=env,
        )


def test_alerts_reach_every_channel_once_and_a_failed_one_on_the_next_run(tmp_path, receivers):
    http, smtp = receivers
    tree, db, config = three_notice_site(tmp_path), tmp_path / "data" / "notices.db", tmp_path / "crawler.toml"
    write_config(config, http, smtp)
    http.fail_first["/robot/send"] = 1  # DingTalk is down for one request

    first = crawler_run(tree, db, config)
    assert first.returncode == 3, first.stdout + first.stderr  # an alert could not be sent
    hook = http.on("/hook")
    assert len(hook) == 1 and "集群" in hook[0]["json"]["title"] and hook[0]["json"]["kind"] == "cluster_list"
    assert "17 个" in hook[0]["json"]["message"] and "杭州市滨江区具身智能机器人产业集群" in hook[0]["json"]["message"]
    # Only the republished copy is crawled: its list is not read, and the message says so, in Simplified.
    assert "名单尚未读取" in hook[0]["json"]["message"] and "加快提升集群" not in hook[0]["json"]["message"]
    assert "发布：浙江省经济和信息化厅" in hook[0]["json"]["message"]
    assert len(smtp.messages) == 3 and len(http.on("/cgi-bin/webhook/send")) == 3
    assert len(http.on("/open-apis/bot/v2/hook/")) == 3 and len(http.on("/robot/send")) == 2

    second = crawler_run(tree, db, config)
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(http.on("/robot/send")) == 3  # the failed one, once
    assert (len(hook), len(smtp.messages), len(http.on("/cgi-bin/webhook/send")), len(http.on("/open-apis"))) == (
        1,
        3,
        3,
        3,
    )
    titles = sorted(r["json"]["markdown"]["title"] for r in http.on("/robot/send"))
    assert len(set(titles)) == 3

    third = crawler_run(tree, db, config)
    assert third.returncode == 0 and len(http.requests) == 1 + 3 + 3 + 3 and len(smtp.messages) == 3

    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from deliveries where status = 'sent'").fetchone()[0] == 1 + 4 * 3
    stored = db.read_bytes() + b"".join(p.read_bytes() for p in db.parent.glob("notices.db-*"))
    logged = (db.parent / "logs" / "crawler.log").read_text(encoding="utf-8")
    for secret in (DT_SECRET, FS_SECRET, DT_TOKEN, WECOM_KEY, FS_TOKEN):
        assert secret.encode() not in stored and secret not in logged


def test_payloads_have_each_robots_shape_and_signature(tmp_path, receivers):
    http, smtp = receivers
    tree, db, config = three_notice_site(tmp_path), tmp_path / "data" / "notices.db", tmp_path / "crawler.toml"
    write_config(config, http, smtp)
    assert crawler_run(tree, db, config).returncode == 0
    for request in http.on("/robot/send"):
        query = request["query"]
        expected = base64.b64encode(
            hmac.new(DT_SECRET.encode(), f"{query['timestamp']}\n{DT_SECRET}".encode(), hashlib.sha256).digest()
        ).decode()
        assert query["access_token"] == DT_TOKEN and query["sign"] == expected
        assert request["json"]["msgtype"] == "markdown" and request["json"]["markdown"]["text"].startswith("### 【")
    for request in http.on("/cgi-bin/webhook/send"):
        assert request["query"]["key"] == WECOM_KEY and request["json"]["msgtype"] == "markdown"
        assert "来源网站" in request["json"]["markdown"]["content"]
    for request in http.on("/open-apis/bot/v2/hook/"):
        body = request["json"]
        expected = base64.b64encode(
            hmac.new(f"{body['timestamp']}\n{FS_SECRET}".encode(), b"", hashlib.sha256).digest()
        ).decode()
        assert request["path"].endswith(FS_TOKEN) and body["sign"] == expected and body["msg_type"] == "interactive"
    mail = message_from_string(smtp.messages[0]["data"], policy=policy.default)
    assert smtp.messages[0]["to"] == ["analyst@example.cn"] and mail["Subject"].startswith("【")
    assert {part.get_content_type() for part in mail.walk()} >= {"text/plain", "text/html"}


@pytest.mark.parametrize(
    ("channel", "complaint"),
    [
        ('"smoke://signal"', "unknown channel"),
        ('"mailto://smtp.example.cn?from=a@b.cn"', "needs an SMTP host and ?to=address"),
        ('"dingtalk://TOKEN?secret=${NO_SUCH_SECRET}"', "NO_SUCH_SECRET is not set"),
    ],
)
def test_a_bad_config_names_file_and_line_and_nothing_is_crawled(tmp_path, channel, complaint):
    config = tmp_path / "crawler.toml"
    config.write_text(
        f'# alerts\n\n[[subscriptions]]\nname = "x"\nevents = ["new"]\nchannels = [{channel}]\n', encoding="utf-8"
    )
    db = tmp_path / "data" / "notices.db"
    result = run_cli("run", "--db", str(db), "--config", str(config))
    assert result.returncode == 6
    assert f"{config}:6:" in result.stderr and complaint in result.stderr
    assert not db.exists()
