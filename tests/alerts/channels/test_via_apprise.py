"""Apprise channels end to end: `crawler run` and `crawler alert` over the mirror, real HTTP receivers
on 127.0.0.1 speaking form posts, ntfy and Bark, the outbox's once-only and retry, secrets kept out."""

import os
import sqlite3

import pytest

from crawler.alerts.channels import parse_channel
from crawler.alerts.channels.via_apprise import redact
from crawler.alerts.rules import is_cluster_list
from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.alerts.receivers import HttpReceiver
from tests.alerts.test_delivery import three_notice_site
from tests.conftest import FAST, host_map_args, run_cli

FORM_PASSWORD, NTFY_TOKEN, BARK_KEY = "form-pass-7f3a91", "tk_ntfysecret4242", "barkdevice5150key"
HOOK_PATH = "hook-path-token-0c0c"  # a webhook's path is often its token
SECRETS = (FORM_PASSWORD, NTFY_TOKEN, BARK_KEY, HOOK_PATH)


@pytest.fixture
def http():
    receiver = HttpReceiver()
    yield receiver
    receiver.close()


def clean_env(**extra):
    """The environment of a user without any configuration, plus ``extra``."""
    return {**{k: v for k, v in os.environ.items() if k not in ("CRAWLER_CONFIG", "CRAWLER_ALERT_URLS")}, **extra}


def apprise_config(path, http):
    port = http.server.server_address[1]
    path.write_text(
        f"""
[alerts]
retry_base_seconds = 0

[[subscriptions]]
name = "default"
channels = [
  "form://watch:${{FORM_PASSWORD}}@127.0.0.1:{port}/hook/{HOOK_PATH}",
  "ntfy://${{NTFY_TOKEN}}@127.0.0.1:{port}/clusters",
  "bark://127.0.0.1:{port}/${{BARK_KEY}}",
]
""",
        encoding="utf-8",
    )


def test_every_new_cluster_list_reaches_a_form_hook_once_and_a_second_run_sends_nothing(tmp_path, http):
    db = tmp_path / "data" / "notices.db"
    env = clean_env(CRAWLER_ALERT_URLS=f"form://127.0.0.1:{http.server.server_address[1]}/hook")
    with serve_mirror(DEFAULT_TREE) as base:
        env["CRAWLER_HOST_MAP"] = ",".join(f"{h}={b}" for h, b in host_map_for(DEFAULT_TREE, base).items())
        first = run_cli("run", "--db", str(db), *FAST, env=env, cwd=tmp_path)
        posts = list(http.on("/hook"))
        second = run_cli("run", "--db", str(db), *FAST, env=env, cwd=tmp_path)
    assert "0 failed" in first.stdout and "0 alert(s) sent, 0 failed" in second.stdout, first.stdout + second.stdout
    with sqlite3.connect(db) as conn:
        titles = [
            t
            for (t,) in conn.execute(
                "select n.title from events e join notices n on n.id = e.notice_id where e.kind = 'new'"
            )
            if is_cluster_list(t)
        ]
        sent = conn.execute("select count(*), count(distinct event_id) from deliveries where status = 'sent'")
        sent = sent.fetchone()
    assert len(titles) >= 2 and sent == (len(titles), len(titles))
    assert len(posts) == len(titles)  # one post per new cluster list notice (each copy of a story says its own)
    for post in posts:
        assert post["form"]["title"].startswith("【新集群名单】") and post["form"]["message"].startswith("发布：")
    assert http.on("/hook") == posts  # the second run sent nothing


def test_form_ntfy_and_bark_get_each_alert_once_a_failed_send_is_retried_and_no_secret_leaks(tmp_path, http):
    tree, db, config = three_notice_site(tmp_path), tmp_path / "data" / "notices.db", tmp_path / "crawler.toml"
    apprise_config(config, http)
    http.fail_first["/hook"] = 1  # the form hook answers 500 once
    env = clean_env(FORM_PASSWORD=FORM_PASSWORD, NTFY_TOKEN=NTFY_TOKEN, BARK_KEY=BARK_KEY)

    def crawler_run():
        with serve_mirror(tree) as base:
            return run_cli(
                "run",
                "cixidb",
                "--db",
                str(db),
                "--config",
                str(config),
                "--log-level",
                "DEBUG",
                *host_map_args(host_map_for(tree, base)),
                *FAST,
                env=env,
                cwd=tmp_path,
            )

    first = crawler_run()
    assert first.returncode == 3, first.stdout + first.stderr  # an alert could not be sent
    assert "alert failed  form://watch:****@127.0.0.1:" in first.stdout and "error=500" in first.stdout
    assert len(http.on("/hook")) == 0 and len(http.on("/push")) == 1
    ntfy = [r for r in http.requests if r["path"] == "/"]
    assert len(ntfy) == 1 and ntfy[0]["json"]["topic"] == "clusters"
    assert ntfy[0]["headers"]["Authorization"] == f"Bearer {NTFY_TOKEN}"
    assert ntfy[0]["json"]["title"].startswith("【新集群名单】") and "名单尚未读取" in ntfy[0]["json"]["message"]
    push = http.on("/push")[0]["json"]
    assert push["device_key"] == BARK_KEY and push["title"] == ntfy[0]["json"]["title"]
    with sqlite3.connect(db) as conn:
        error, channel = conn.execute("select last_error, channel from deliveries where status = 'failed'").fetchone()
    assert "error=500" in error and channel.startswith("form://watch:****@127.0.0.1:")

    second = crawler_run()
    assert second.returncode == 0, second.stdout + second.stderr
    hook = http.on("/hook")
    assert len(hook) == 1 and hook[0]["path"] == f"/hook/{HOOK_PATH}"
    assert hook[0]["form"]["title"] == ntfy[0]["json"]["title"]
    assert hook[0]["headers"]["Authorization"].startswith("Basic ")  # the password went where it belongs
    third = crawler_run()
    assert third.returncode == 0 and len(http.requests) == 3

    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from deliveries where status = 'sent'").fetchone()[0] == 3
    stored = db.read_bytes() + b"".join(p.read_bytes() for p in db.parent.glob("notices.db-*"))
    logged = (db.parent / "logs" / "crawler.log").read_text(encoding="utf-8")
    printed = "".join(r.stdout + r.stderr for r in (first, second, third))
    assert "alert sent to ntfy://t...2@127.0.0.1:" in logged
    for secret in SECRETS:
        assert secret.encode() not in stored and secret not in logged and secret not in printed, secret


def test_alert_test_reaches_apprise_urls_in_the_format_each_takes(tmp_path, http):
    port = http.server.server_address[1]
    for url in (f"form://127.0.0.1:{port}/hook", f"ntfy://127.0.0.1:{port}/clusters?format=markdown"):
        result = run_cli("alert", "--test", url, env=clean_env(), cwd=tmp_path)
        assert result.returncode == 0 and "sent to " in result.stdout, result.stdout + result.stderr
    form, ntfy = http.on("/hook")[0]["form"], http.on("/")[-1]["json"]
    assert form["title"] == ntfy["title"] == "【测试】zhengce-watch 告警测试"
    assert form["message"] == "这是一条测试消息。" and ntfy["message"] == "这是一条**测试**消息。"
    dead = run_cli("alert", "--test", f"form://watch:{FORM_PASSWORD}@127.0.0.1:9/hook", env=clean_env(), cwd=tmp_path)
    assert dead.returncode == 1 and "failed: form://watch:****@127.0.0.1:9/apprise-" in dead.stderr
    assert "Connection error" in dead.stderr and FORM_PASSWORD not in dead.stdout + dead.stderr


def test_what_apprise_says_keeps_only_what_the_label_shows():
    channel = parse_channel(f"ntfy://{NTFY_TOKEN}@127.0.0.1:9/{BARK_KEY}?priority=high")
    assert channel.label.startswith("ntfy://t...2@127.0.0.1:9/apprise-")
    said = f"POST http://127.0.0.1:9/{BARK_KEY} (Bearer {NTFY_TOKEN}) failed"
    assert redact(said, channel) == "POST http://127.0.0.1:9/**** (Bearer ****) failed"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("smoke://signal", "unknown channel smoke://: neither one of ours (json, jsons, dingtalk"),
        ("schan://", "schan:// URL is not usable: An invalid ServerChan API Token"),
        (f"pushplus://{NTFY_TOKEN[:5]}", "pushplus:// URL is not usable: The Pushplus token (****) is invalid"),
    ],
)
def test_a_url_apprise_cannot_use_is_refused_when_the_configuration_loads(tmp_path, url, complaint):
    result = run_cli("alert", "--db", str(tmp_path / "n.db"), env=clean_env(CRAWLER_ALERT_URLS=url), cwd=tmp_path)
    assert result.returncode == 1 and f"CRAWLER_ALERT_URLS: {complaint}" in result.stderr, result.stderr
    assert NTFY_TOKEN[:5] not in result.stderr and "Traceback" not in result.stderr
