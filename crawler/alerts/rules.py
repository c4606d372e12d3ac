"""Which events a subscription wants: event kinds, sites, provinces, keywords, a regex."""

from __future__ import annotations

import re

from crawler.alerts.config import Subscription
from crawler.extract.text import normalize_text

# Lists of clusters and similar 名单 notices: 特色产业集群名单公布, 先进制造业集群公示, 集群复核结果 …
CLUSTER_LIST = re.compile(r"集群.{0,24}(名单|公布|公示|通告|复核结果)|(名单|公布|公示).{0,24}集群")
# …but not the calls that precede them: 关于组织开展…集群申报和复核工作的通知.
CALL = re.compile(r"申报|开展|组织|征集|推荐|培训")


def is_cluster_list(title: str | None) -> bool:
    """True for a notice that publishes or revises a list of industrial clusters."""
    text = normalize_text(title or "")
    return bool(CLUSTER_LIST.search(text)) and not CALL.search(text)


def matches(subscription: Subscription, event: dict) -> bool:
    """True when ``event`` (kind, site, province, title, body_normalized) is wanted by ``subscription``.
    ``cluster_list`` stands for new cluster lists and their changes."""
    kind = event["kind"]
    cluster = is_cluster_list(event.get("title"))
    if kind not in subscription.events and not (
            "cluster_list" in subscription.events and cluster and kind in ("new", "changed")):
        return False
    if subscription.sites and event.get("site") not in subscription.sites:
        return False
    if subscription.provinces and event.get("province") not in subscription.provinces:
        return False
    text = normalize_text(f"{event.get('title') or ''}\n{event.get('body_normalized') or ''}")
    if subscription.keywords and not any(normalize_text(k) in text for k in subscription.keywords):
        return False
    return not subscription.regex or bool(subscription.regex.search(text))
