"""`crawler alert`: route new events to the outbox and send what is due, or send a test message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from crawler.alerts.channels import ChannelError, parse_channel
from crawler.alerts.config import AlertConfig
from crawler.alerts.messages import Message
from crawler.alerts.outbox import OutboxReport, deliver, route
from crawler.store import Store

TEST_MESSAGE = Message(
    title="【测试】zhengce-watch 告警测试",
    text="这是一条测试消息。",
    markdown="这是一条**测试**消息。",
    html="<p>这是一条测试消息。</p>",
    data={"event_id": "test", "kind": "test"},
)


@dataclass(frozen=True)
class TestSend:
    """One channel's answer to the test message: ``error`` is None when it was sent."""

    label: str
    error: str | None


def deliver_pending(store: Store, config: AlertConfig) -> OutboxReport:
    """Match every event not yet routed against the subscriptions, then send every due delivery."""
    route(store, config, datetime.now(UTC))
    return deliver(store, config)


def send_test(config: AlertConfig, target: str) -> list[TestSend]:
    """Send the test message to every channel of the subscription named ``target``, or else to the
    channel URL ``target`` (a bad URL raises :class:`~crawler.alerts.channels.ChannelError`)."""
    named = [s for s in config.subscriptions if s.name == target]
    channels = list(named[0].channels) if named else [parse_channel(target)]
    sends = []
    for channel in channels:
        try:
            channel.send(TEST_MESSAGE)
        except ChannelError as exc:
            sends.append(TestSend(channel.label, str(exc)))
        else:
            sends.append(TestSend(channel.label, None))
    return sends
