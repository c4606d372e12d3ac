"""Which events a subscription wants: event kinds, sites, provinces, keywords, a regex."""

from __future__ import annotations

from crawler.alerts.config import Subscription
from crawler.extract.text import normalize_text
from crawler.kinds import classify


def is_cluster_list(title: str | None) -> bool:
    """True for a notice that publishes or revises a list of industrial clusters: a 特色产业集群
    list, or another list of clusters (先进制造业集群 …) — not the call that precedes one."""
    return classify(title).is_cluster_list


def matches(subscription: Subscription, event: dict) -> bool:
    """True when ``event`` (kind, site, province, title, body_normalized) is wanted by ``subscription``.
    ``cluster_list`` stands for new cluster lists and their changes."""
    kind = event["kind"]
    cluster = is_cluster_list(event.get("title"))
    if kind not in subscription.events and not (
        "cluster_list" in subscription.events and cluster and kind in ("new", "changed")
    ):
        return False
    if subscription.sites and event.get("site") not in subscription.sites:
        return False
    if subscription.provinces and event.get("province") not in subscription.provinces:
        return False
    text = normalize_text(f"{event.get('title') or ''}\n{event.get('body_normalized') or ''}")
    if subscription.keywords and not any(normalize_text(k) in text for k in subscription.keywords):
        return False
    return not subscription.regex or bool(subscription.regex.search(text))
