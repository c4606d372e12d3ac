"""The outbox: every (event, subscription, channel) is queued once, sent at most once when it
succeeds, retried with backoff when it fails; one channel down never holds up the others."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from crawler.alerts.channels import Channel, ChannelError
from crawler.alerts.config import AlertConfig
from crawler.alerts.messages import Message, compose, compose_digest
from crawler.alerts.rules import is_cluster_list, matches
from crawler.store import Store

logger = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)
DIGEST_EVERY = timedelta(hours=24)
CLAIM_LEASE = timedelta(minutes=15)  # a delivery claimed longer ago belongs to a pass that died mid-send


@dataclass
class OutboxReport:
    """What one pass did: sends that worked, sends that failed (label, error), still waiting."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    waiting: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def route(store: Store, config: AlertConfig, now: datetime) -> int:
    """Queue deliveries for every event not routed yet; returns how many were queued."""
    queued = 0
    for event in store.unrouted_events():
        rows = [
            {"subscription": s.name, "channel_key": c.key, "channel": c.label, "digest": s.digest}
            for s in config.subscriptions
            if matches(s, event)
            for c in s.channels
        ]
        store.route_event(event["event_id"], rows, _stamp(now))
        queued += len(rows)
    return queued


def _message(store: Store, config: AlertConfig, event_id: int) -> Message:
    context = store.event_context(event_id)
    context["is_cluster_list"] = is_cluster_list(context.get("title"))
    context["datasette_url"] = config.datasette_url
    return compose(context)


def _retry_at(config: AlertConfig, attempts: int, now: datetime) -> str:
    delay = timedelta(seconds=config.retry_base_seconds * 2 ** max(attempts, 0))
    return _stamp(now + min(delay, MAX_BACKOFF))


def _stale(now: datetime) -> str:
    return _stamp(now - CLAIM_LEASE)


def deliver(store: Store, config: AlertConfig, now: datetime | None = None) -> OutboxReport:
    """Send every due delivery: immediate ones one by one, daily ones as one digest per
    (subscription, channel) once a day. Each send is claimed first (another pass running at the
    same time skips it) and its result recorded before the next."""
    now = now or _now()
    channels: dict[str, Channel] = {c.key: c for s in config.subscriptions for c in s.channels}
    report = OutboxReport()
    digests: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for delivery in store.due_deliveries(_stamp(now), _stale(now)):
        channel = channels.get(delivery["channel_key"])
        if channel is None:
            report.waiting += 1  # its channel is no longer configured; kept for when it returns
            continue
        if delivery["digest"] == "daily":
            digests[(delivery["subscription"], channel.key)].append(delivery)
            continue
        if store.claim_deliveries([delivery["id"]], _stamp(now), _stale(now)):
            _send(store, config, channel, [delivery], _message(store, config, delivery["event_id"]), now, report)
    for (subscription, key), deliveries in digests.items():
        last = store.last_sent(subscription, key)
        if last and datetime.fromisoformat(last) > now - DIGEST_EVERY:
            report.waiting += len(deliveries)
            continue
        taken = set(store.claim_deliveries([d["id"] for d in deliveries], _stamp(now), _stale(now)))
        deliveries = [d for d in deliveries if d["id"] in taken]
        if not deliveries:
            continue
        message = compose_digest([_message(store, config, d["event_id"]) for d in deliveries])
        _send(store, config, channels[key], deliveries, message, now, report)
    return report


def _send(
    store: Store,
    config: AlertConfig,
    channel: Channel,
    deliveries: list[dict],
    message: Message,
    now: datetime,
    report: OutboxReport,
) -> None:
    ids = [d["id"] for d in deliveries]
    try:
        channel.send(message)
    except ChannelError as exc:
        store.mark_failed(ids, str(exc), _retry_at(config, max(d["attempts"] for d in deliveries), now))
        report.failed.append((channel.label, str(exc)))
        logger.warning("alert to %s failed: %s", channel.label, exc)
        return
    store.mark_sent(ids, _stamp(now))
    report.sent.append((channel.label, message.title))
    logger.info("alert sent to %s: %s", channel.label, message.title)


def preview(store: Store, config: AlertConfig) -> list[tuple[str, str, str]]:
    """What a pass would send now, without sending or writing: (subscription, channel, title)."""
    channels = {c.key: c for s in config.subscriptions for c in s.channels}
    planned = [
        (d["subscription"], d["channel"], _message(store, config, d["event_id"]).title)
        for d in store.due_deliveries(_stamp(_now()), _stale(_now()))
        if d["channel_key"] in channels
    ]
    for event in store.unrouted_events():
        for subscription in config.subscriptions:
            if matches(subscription, event):
                title = _message(store, config, event["event_id"]).title
                planned.extend((subscription.name, c.label, title) for c in subscription.channels)
    return planned
