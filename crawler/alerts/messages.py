"""Alert messages in Chinese, readable on a phone: Markdown for robots, HTML and text for email."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

KIND_LABELS = {"new": "新通知", "changed": "通知有变化", "removed": "通知已撤下", "cluster_list": "新集群名单",
               "source_broken": "信息源异常"}
_CLUSTER_COUNT = re.compile(r"等\s*(\d+)\s*个[^，。,]*?集群")
_CLUSTER_NAME = re.compile(r"([\u4e00-\u9fff（）()]{4,40}?(?:产业集群|集群))")
FIRST_ENTRIES = 5
LIST_ENTRIES = 20  # entries of a list a message carries; the rest are a link away
DIFF_LINES = 6


@dataclass
class Message:
    """One alert, in every form a channel may want."""

    title: str
    text: str
    markdown: str
    html: str
    data: dict = field(default_factory=dict)


def cluster_summary(body: str) -> tuple[int | None, list[str]]:
    """How many clusters a list notice names and the first of them, from its text:
    ``确定杭州市滨江区具身智能机器人产业集群等17个产业集群`` → (17, ['杭州市滨江区具身智能机器人产业集群'])."""
    count_match = _CLUSTER_COUNT.search(body or "")
    names: list[str] = []
    for match in _CLUSTER_NAME.finditer(body or ""):
        name = re.sub(r"^(?:确定|认定|将|以下|为|公布|拟|对)+", "", match.group(1))
        generic = "中小企业" in name or name.startswith(("年", "特色产业", "产业集群", "先进制造业"))
        if len(name) >= 6 and name not in names and not generic:
            names.append(name)
    return (int(count_match.group(1)) if count_match else None), names[:FIRST_ENTRIES]


def compose(event: dict) -> Message:
    """The message for one event: ``event`` has kind, title, url, issuer, published_at, sites
    (list of (site title, url)), diff, body_normalized, is_cluster_list, event_id, and for a list
    notice its ``clusters`` (names, in order), notice_id, version and ``datasette_url``."""
    kind = "cluster_list" if event.get("is_cluster_list") and event["kind"] == "new" else event["kind"]
    label = KIND_LABELS.get(kind, kind)
    title = f"【{label}】{event.get('title') or event.get('site') or ''}"
    facts = []
    if event.get("issuer") or event.get("source"):
        facts.append(("发布", event.get("issuer") or event.get("source")))
    if event.get("published_at"):
        facts.append(("日期", event["published_at"][:10]))
    sites = event.get("sites") or []
    if sites:
        facts.append(("来源网站", "；".join(name for name, _ in sites)))
    extra_lines: list[str] = []
    if event.get("is_cluster_list") and event.get("clusters"):
        names = event["clusters"]
        facts.append(("集群数", f"{len(names)} 个"))
        extra_lines.append("名单：" + "、".join(f"{i}. {n}" for i, n in enumerate(names[:LIST_ENTRIES], 1)))
        if len(names) > LIST_ENTRIES:
            where = (f"{event['datasette_url']}/notices/clusters?notice_id={event['notice_id']}"
                     f"&version={event['version']}" if event.get("datasette_url") else "crawler serve 的 clusters 表")
            extra_lines.append(f"……共 {len(names)} 个，全部见 {where}")
    elif event.get("is_cluster_list"):  # no list read from the attachments or body: what the text says
        count, names = cluster_summary(event.get("body_normalized") or "")
        if count:
            facts.append(("集群数", f"{count} 个"))
        if names:
            extra_lines.append("名单（前几项）：" + "、".join(names))
    if kind == "changed" and event.get("diff"):
        lines = event["diff"].splitlines()
        extra_lines.append("变化：")
        extra_lines.extend(lines[:DIFF_LINES])
        if len(lines) > DIFF_LINES:
            extra_lines.append(f"……另有 {len(lines) - DIFF_LINES} 处")
    if kind == "source_broken":
        extra_lines.append(f"站点 {event.get('site')} 的列表页条目骤减，可能改版或被拦截；已暂停判定撤下。")
    links = [(name, url) for name, url in sites] or ([("链接", event["url"])] if event.get("url") else [])
    text = "\n".join([title, *(f"{k}：{v}" for k, v in facts), *extra_lines, *(f"{n}：{u}" for n, u in links)])
    markdown = "\n\n".join([f"### {title}", *(f"**{k}**：{v}" for k, v in facts),
                            *(line if not line.startswith(("~", "+", "-")) else f"> {line}" for line in extra_lines),
                            *(f"[{n}]({u})" for n, u in links)])
    body_html = "".join(f"<p><b>{html.escape(k)}</b>：{html.escape(str(v))}</p>" for k, v in facts)
    body_html += "".join(f"<p>{html.escape(line)}</p>" for line in extra_lines)
    body_html += "".join(f'<p><a href="{html.escape(u)}">{html.escape(n)}</a></p>' for n, u in links)
    page = f"<html><body><h3>{html.escape(title)}</h3>{body_html}</body></html>"
    data = {"event_id": event.get("event_id"), "kind": kind, "url": event.get("url"),
            "notice_title": event.get("title"), "published_at": event.get("published_at")}
    if event.get("is_cluster_list") and event.get("clusters"):
        data["clusters"] = {"count": len(event["clusters"]), "first": event["clusters"][:LIST_ENTRIES]}
    return Message(title=title, text=text, markdown=markdown, html=page, data=data)


def compose_digest(messages: list[Message]) -> Message:
    """Several messages as one daily digest."""
    title = f"【每日汇总】{len(messages)} 条政策通知动态"
    return Message(
        title=title,
        text="\n\n".join([title, *(m.text for m in messages)]),
        markdown="\n\n---\n\n".join([f"### {title}", *(m.markdown for m in messages)]),
        html="<hr>".join(m.html for m in messages),
        data={"event_id": ",".join(str(m.data.get("event_id")) for m in messages), "kind": "digest",
              "url": messages[0].data.get("url") if messages else None},
    )
