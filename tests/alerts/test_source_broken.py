"""A site whose template changed reaches the subscribers who asked for source_broken: once, with its
state and the reason, through `crawler run` over real HTTP; the default subscription stays quiet."""

import os

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.alerts.receivers import HttpReceiver
from tests.conftest import FAST, ROOT, host_map_args, run_cli

REDESIGN = ROOT / "tests" / "fixtures" / "redesign"  # www.cinn.cn under the same URLs, another template


@pytest.fixture
def receiver():
    server = HttpReceiver()
    yield server
    server.close()


def run(tree, tmp_path, config) -> None:
    with serve_mirror(tree) as base:
        result = run_cli(
            "run",
            "cinn",
            "--db",
            str(tmp_path / "data" / "notices.db"),
            "--config",
            str(config),
            *host_map_args(host_map_for(tree, base)),
            *FAST,
            env={**os.environ},
        )
    assert result.returncode in (0, 3), result.stdout + result.stderr


def test_a_redesigned_site_is_one_source_broken_message_with_its_reason(tmp_path, receiver):
    port = receiver.server.server_address[1]
    config = tmp_path / "alerts.toml"
    config.write_text(
        f"""
[alerts]
retry_base_seconds = 0

[[subscriptions]]
name = "default"
channels = ["json://127.0.0.1:{port}/default"]

[[subscriptions]]
name = "site-watch"
events = ["source_broken"]
channels = ["json://127.0.0.1:{port}/watch"]
""",
        encoding="utf-8",
    )
    run(DEFAULT_TREE, tmp_path, config)
    assert receiver.on("/watch") == []
    for _ in range(2):  # still degraded on the second run: no second message
        run(REDESIGN, tmp_path, config)
    [message] = [r["json"] for r in receiver.on("/watch")]
    assert message["kind"] == "source_broken" and message["title"] == "【信息源异常】中国工业新闻网 · 政策"
    assert "站点 中国工业新闻网 · 政策（cinn）：网页结构与站点定义不符，已改用通用方式读取" in message["message"]
    assert "原因：degraded: " in message["message"] and "item_selector 'div.layCont_box_main_new'" in message["message"]
    assert "crawler sites --check cinn" in message["message"]
    assert not [r for r in receiver.on("/default") if r["json"]["kind"] == "source_broken"]
