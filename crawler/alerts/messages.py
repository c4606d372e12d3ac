"""Alert messages in Chinese, readable on a phone: Markdown for robots, HTML and text for email."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from crawler.rosters import cluster_names_in_text, stated_count

KIND_LABELS = {
    "new": "新通知",
    "changed": "通知有变化",
    "removed": "通知已撤下",
    "cluster_list": "新集群名单",
    "source_broken": "信息源异常",
}
FIRST_ENTRIES = 5  # cluster names a message quotes from the text while the list is not read
LIST_ENTRIES = 20  # entries of a list a message carries; the rest are a link away
NOT_READ = "名单尚未读取"
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
    """What a list notice's text says of its list while the list itself is not read: the count
    it states and the first cluster names it mentions (a place, an industry and 产业集群 only):
    ``确定杭州市滨江区具身智能机器人产业集群等17个产业集群`` → (17, ['杭州市滨江区具身智能机器人产业集群'])."""
    return stated_count(body), cluster_names_in_text(body)[:FIRST_ENTRIES]


def _roster_lines(event: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """The facts and lines a cluster list message carries: the story's list (from whichever copy
    holds it), or that it is not read yet with what the text says."""
    names = event.get("clusters") or []
    if not names:
        count, mentioned = cluster_summary(event.get("body_normalized") or "")
        facts = [("集群数", f"{count} 个（据正文）")] if count else []
        return facts, [NOT_READ + (f"；正文提及：{'、'.join(mentioned)}" if mentioned else "")]
    facts = [("集群数", f"{len(names)} 个")]
    list_id = event.get("list_notice_id") or event.get("notice_id")
    if event.get("list_site") and list_id != event.get("notice_id"):
        facts.append(("名单出处", event["list_site"]))
    lines = ["名单：" + "、".join(f"{i}. {n}" for i, n in enumerate(names[:LIST_ENTRIES], 1))]
    if len(names) > LIST_ENTRIES:
        version = event.get("list_version") or event.get("version")
        where = (
            f"{event['datasette_url']}/notices/clusters?notice_id={list_id}&version={version}"
            if event.get("datasette_url")
            else "crawler serve 的 clusters 表"
        )
        lines.append(f"……共 {len(names)} 个，全部见 {where}")
    return facts, lines


SOURCE_STATES = {
    "degraded": "网页结构与站点定义不符，已改用通用方式读取（数据照常入库）",
    "broken": "未能从网页读到任何通知",
}


def _source_lines(event: dict) -> list[str]:
    """What a ``source_broken`` message says: which site, what state its last run left it in, why
    (the adapter or selector that failed), and what to run."""
    site = event.get("site")
    state = SOURCE_STATES.get(event.get("state"), "读取异常")
    lines = [f"站点 {event.get('site_title') or site}（{site}）：{state}。"]
    if event.get("reason"):
        lines.append(f"原因：{event['reason']}")
    lines.append(f"检查：crawler sites --check {site}；在此期间不会据此判定通知已撤下。")
    return lines


def compose(event: dict) -> Message:
    """The message for one event: ``event`` has kind, title, url, issuer, published_at, sites
    (list of (site title, url)), diff, body_normalized, is_cluster_list, event_id, notice_id, version,
    and for a list notice its story's list: ``clusters`` (names, in order; empty while no copy's
    list is read), ``list_notice_id``, ``list_version``, ``list_site`` and ``list_url`` of the copy
    holding it, and ``datasette_url``."""
    kind = "cluster_list" if event.get("is_cluster_list") and event["kind"] == "new" else event["kind"]
    label = KIND_LABELS.get(kind, kind)
    title = f"【{label}】{event.get('title') or event.get('site_title') or event.get('site') or ''}"
    facts = []
    if event.get("issuer") or event.get("source"):
        facts.append(("发布", event.get("issuer") or event.get("source")))
    if event.get("published_at"):
        facts.append(("日期", event["published_at"][:10]))
    sites = event.get("sites") or []
    if sites:
        facts.append(("来源网站", "；".join(name for name, _ in sites)))
    extra_lines: list[str] = []
    if event.get("is_cluster_list"):
        roster_facts, extra_lines = _roster_lines(event)
        facts.extend(roster_facts)
    if kind == "changed" and event.get("reason"):
        extra_lines.append(f"变化：{event['reason']}")
    if kind == "changed" and event.get("diff"):
        lines = event["diff"].splitlines()
        extra_lines.append("变化：")
        extra_lines.extend(lines[:DIFF_LINES])
        if len(lines) > DIFF_LINES:
            extra_lines.append(f"……另有 {len(lines) - DIFF_LINES} 处")
    if kind == "source_broken":
        extra_lines.extend(_source_lines(event))
    links = [(name, url) for name, url in sites] or ([("链接", event["url"])] if event.get("url") else [])
    text = "\n".join([title, *(f"{k}：{v}" for k, v in facts), *extra_lines, *(f"{n}：{u}" for n, u in links)])
    markdown = "\n\n".join(
        [
            f"### {title}",
            *(f"**{k}**：{v}" for k, v in facts),
            *(line if not line.startswith(("~", "+", "-")) else f"> {line}" for line in extra_lines),
            *(f"[{n}]({u})" for n, u in links),
        ]
    )
    body_html = "".join(f"<p><b>{html.escape(k)}</b>：{html.escape(str(v))}</p>" for k, v in facts)
    body_html += "".join(f"<p>{html.escape(line)}</p>" for line in extra_lines)
    body_html += "".join(f'<p><a href="{html.escape(u)}">{html.escape(n)}</a></p>' for n, u in links)
    page = f"<html><body><h3>{html.escape(title)}</h3>{body_html}</body></html>"
    data = {
        "event_id": event.get("event_id"),
        "kind": kind,
        "url": event.get("url"),
        "notice_title": event.get("title"),
        "published_at": event.get("published_at"),
    }
    if event.get("is_cluster_list") and event.get("clusters"):
        data["clusters"] = {
            "count": len(event["clusters"]),
            "first": event["clusters"][:LIST_ENTRIES],
            "read": True,
            "from": event.get("list_url"),
        }
    elif event.get("is_cluster_list"):
        count, mentioned = cluster_summary(event.get("body_normalized") or "")
        data["clusters"] = {"count": count, "first": mentioned, "read": False, "from": None}
    return Message(title=title, text=text, markdown=markdown, html=page, data=data)


def compose_digest(messages: list[Message]) -> Message:
    """Several messages as one daily digest."""
    title = f"【每日汇总】{len(messages)} 条政策通知动态"
    return Message(
        title=title,
        text="\n\n".join([title, *(m.text for m in messages)]),
        markdown="\n\n---\n\n".join([f"### {title}", *(m.markdown for m in messages)]),
        html="<hr>".join(m.html for m in messages),
        data={
            "event_id": ",".join(str(m.data.get("event_id")) for m in messages),
            "kind": "digest",
            "url": messages[0].data.get("url") if messages else None,
        },
    )
