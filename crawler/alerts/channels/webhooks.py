"""Our JSON webhook and the DingTalk, WeCom and Feishu group robots with their signatures. Written on
the standard library: a robot's endpoint must be overridable (self-hosted proxies, and our tests'
receivers on 127.0.0.1), and every answer is checked here, code by code.

  json://host[:port]/path  jsons://…            POST {title, message, markdown, kind, url, …}
  dingtalk://ACCESS_TOKEN?secret=SEC            钉钉 group robot (secret: 加签)
  wecombot://KEY                                企业微信 group robot
  feishu://HOOK_TOKEN?secret=SEC                飞书 group robot (secret: 签名校验)
Robots take ``&endpoint=http(s)://…`` to post somewhere other than the vendor's host.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from crawler.alerts.channels.channel import Channel, ChannelError, url_hash
from crawler.alerts.messages import Message

SCHEMES = ("json", "jsons", "dingtalk", "wecombot", "feishu")
ENDPOINTS = {
    "dingtalk": "https://oapi.dingtalk.com/robot/send",
    "wecombot": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    "feishu": "https://open.feishu.cn/open-apis/bot/v2/hook/",
}
TIMEOUT = 20


def label(url: str) -> str:
    """Validate a webhook or robot URL; its label names it by host and a hash (a webhook's path
    often is its token: /hooks/T0/B0/XXXX)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = parse_qs(parts.query)
    if scheme in ("json", "jsons"):
        if not parts.hostname:
            raise ChannelError(f"{scheme} webhook URL has no host")
        netloc = f"{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        return f"{scheme}://{netloc}/hook-{url_hash(url)}"
    token = parts.netloc or parts.path.strip("/")
    if not token:
        raise ChannelError(f"{scheme} URL needs its robot's token")
    if "secret" in query and not query["secret"][0]:
        raise ChannelError(f"{scheme} URL has an empty secret")
    endpoint = query.get("endpoint", [ENDPOINTS[scheme]])[0]
    if urlsplit(endpoint).scheme not in ("http", "https"):
        raise ChannelError(f"{scheme} endpoint must be an http(s) URL")
    return f"{scheme}://robot-{url_hash(url)}"


def send(channel: Channel, message: Message) -> None:
    """POST ``message`` in the shape the channel's receiver expects."""
    _SENDERS[channel.scheme](channel, message)


def _post_json(url: str, payload: dict, label: str) -> dict:
    """POST ``payload``; failures name the channel by ``label``, never by ``url`` (whose path or
    query may be a token)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            body = answer.read()
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code} from {label}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelError(f"could not reach {label}: {reason}") from None
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return {}


def _send_json(channel: Channel, message: Message) -> None:
    parts = urlsplit(channel.url)
    scheme = "https" if channel.scheme == "jsons" else "http"
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    target = f"{scheme}://{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    _post_json(
        target,
        {
            "version": "1.0",
            "type": "info",
            "title": message.title,
            "message": message.text,
            "markdown": message.markdown,
            **message.data,
        },
        channel.label,
    )


def _robot_query(channel: Channel) -> tuple[str, dict, str | None]:
    parts = urlsplit(channel.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    token = unquote(parts.netloc or parts.path.strip("/"))
    return token, query, query.get("secret")


def _check_code(answer: dict, key: str, channel: Channel) -> None:
    code = answer.get(key, answer.get("StatusCode", 0))
    if code not in (0, None):
        raise ChannelError(
            f"{channel.label} refused the message: {key} {code} {answer.get('errmsg') or answer.get('msg') or ''}".strip()
        )


def _send_dingtalk(channel: Channel, message: Message) -> None:
    token, query, secret = _robot_query(channel)
    params = {"access_token": token}
    if secret:
        timestamp = str(int(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        params.update(timestamp=timestamp, sign=base64.b64encode(digest).decode())
    url = f"{query.get('endpoint', ENDPOINTS['dingtalk'])}?{urlencode(params, quote_via=quote)}"
    answer = _post_json(
        url, {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.markdown}}, channel.label
    )
    _check_code(answer, "errcode", channel)


def _send_wecom(channel: Channel, message: Message) -> None:
    token, query, _ = _robot_query(channel)
    url = f"{query.get('endpoint', ENDPOINTS['wecombot'])}?{urlencode({'key': token})}"
    answer = _post_json(url, {"msgtype": "markdown", "markdown": {"content": message.markdown[:4000]}}, channel.label)
    _check_code(answer, "errcode", channel)


def _send_feishu(channel: Channel, message: Message) -> None:
    token, query, secret = _robot_query(channel)
    payload: dict = {
        "msg_type": "interactive",
        "card": {
            "header": {"title": {"tag": "plain_text", "content": message.title}},
            "elements": [{"tag": "markdown", "content": message.markdown}],
        },
    }
    if secret:
        timestamp = str(int(time.time()))
        digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
        payload.update(timestamp=timestamp, sign=base64.b64encode(digest).decode())
    answer = _post_json(query.get("endpoint", ENDPOINTS["feishu"]).rstrip("/") + "/" + token, payload, channel.label)
    _check_code(answer, "code", channel)


_SENDERS = {
    "json": _send_json,
    "jsons": _send_json,
    "dingtalk": _send_dingtalk,
    "wecombot": _send_wecom,
    "feishu": _send_feishu,
}
