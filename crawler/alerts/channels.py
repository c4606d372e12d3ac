"""Channels: where a message goes. JSON webhook, email (SMTP), DingTalk, WeCom and Feishu group
robots with their signatures, and an Atom feed file. Written on the standard library rather than
Apprise: the robots' endpoints must be overridable (self-hosted proxies, and our tests' receivers on
127.0.0.1), and every send's answer is checked here, code by code.

URL forms (``${NAME}`` in the configuration reads a secret from the environment):
  json://host[:port]/path  jsons://…            POST a JSON document
  mailto://user:pass@host[:port]?to=a@b.cn[,c@d.cn]&from=x@y.cn[&mode=starttls|ssl|plain]
  dingtalk://ACCESS_TOKEN?secret=SEC            钉钉 group robot (secret: 加签)
  wecombot://KEY                                企业微信 group robot
  feishu://HOOK_TOKEN?secret=SEC                飞书 group robot (secret: 签名校验)
  atom:///path/to/feed.xml                      an Atom feed file for feed readers
Robots take ``&endpoint=http(s)://…`` to post somewhere other than the vendor's host.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit
from xml.etree import ElementTree

from crawler.alerts.messages import Message

ENDPOINTS = {
    "dingtalk": "https://oapi.dingtalk.com/robot/send",
    "wecombot": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    "feishu": "https://open.feishu.cn/open-apis/bot/v2/hook/",
}
TIMEOUT = 20


class ChannelError(ValueError):
    """A channel URL that cannot be used, or a send that failed (message without secrets)."""


@dataclass(frozen=True)
class Channel:
    """A parsed channel URL. ``label`` is safe to log and store: it carries no secret."""

    scheme: str
    url: str
    label: str

    @property
    def key(self) -> str:
        """A stable id for the channel that reveals nothing of its secrets."""
        return hashlib.sha256(self.url.encode()).hexdigest()[:16]

    def send(self, message: Message) -> None:
        """Deliver ``message``; raise ChannelError when the receiver did not accept it."""
        _SENDERS[self.scheme](self, message)


def parse_channel(url: str) -> Channel:
    """Validate a channel URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = parse_qs(parts.query)
    if scheme in ("json", "jsons"):
        if not parts.hostname:
            raise ChannelError(f"{scheme} webhook URL has no host")
        # A webhook's path often is its token (/hooks/T0/B0/XXXX): the label names it by a hash.
        netloc = f"{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        return Channel(scheme, url, f"{scheme}://{netloc}/hook-{hashlib.sha256(url.encode()).hexdigest()[:8]}")
    if scheme in ("mailto", "mailtos"):
        if not parts.hostname or not query.get("to"):
            raise ChannelError("mailto URL needs an SMTP host and ?to=address")
        if query.get("mode", ["starttls"])[0] not in ("starttls", "ssl", "plain"):
            raise ChannelError("mailto mode must be starttls, ssl or plain")
        return Channel(scheme, url, f"{scheme}://{parts.hostname}:{parts.port or ''}?to={query['to'][0]}")
    if scheme in ("dingtalk", "wecombot", "feishu"):
        token = parts.netloc or parts.path.strip("/")
        if not token:
            raise ChannelError(f"{scheme} URL needs its robot's token")
        if "secret" in query and not query["secret"][0]:
            raise ChannelError(f"{scheme} URL has an empty secret")
        endpoint = query.get("endpoint", [ENDPOINTS[scheme]])[0]
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise ChannelError(f"{scheme} endpoint must be an http(s) URL")
        return Channel(scheme, url, f"{scheme}://robot-{hashlib.sha256(url.encode()).hexdigest()[:8]}")
    if scheme == "atom":
        if not parts.path:
            raise ChannelError("atom URL needs a file path: atom:///srv/feeds/notices.xml")
        return Channel(scheme, url, f"atom://{parts.path}")
    raise ChannelError(f"unknown channel {scheme or url!r} (json, jsons, mailto, mailtos, dingtalk, wecombot, feishu, atom)")


def _post_json(url: str, payload: dict, label: str) -> dict:
    """POST ``payload``; failures name the channel by ``label``, never by ``url`` (whose path or
    query may be a token)."""
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"})
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
    _post_json(target, {"version": "1.0", "type": "info", "title": message.title, "message": message.text,
                        "markdown": message.markdown, **message.data}, channel.label)


def _robot_query(channel: Channel) -> tuple[str, dict, str | None]:
    parts = urlsplit(channel.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    token = unquote(parts.netloc or parts.path.strip("/"))
    return token, query, query.get("secret")


def _check_code(answer: dict, key: str, channel: Channel) -> None:
    code = answer.get(key, answer.get("StatusCode", 0))
    if code not in (0, None):
        raise ChannelError(f"{channel.label} refused the message: {key} {code} {answer.get('errmsg') or answer.get('msg') or ''}".strip())


def _send_dingtalk(channel: Channel, message: Message) -> None:
    token, query, secret = _robot_query(channel)
    params = {"access_token": token}
    if secret:
        timestamp = str(int(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        params.update(timestamp=timestamp, sign=base64.b64encode(digest).decode())
    url = f"{query.get('endpoint', ENDPOINTS['dingtalk'])}?{urlencode(params, quote_via=quote)}"
    answer = _post_json(url, {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.markdown}}, channel.label)
    _check_code(answer, "errcode", channel)


def _send_wecom(channel: Channel, message: Message) -> None:
    token, query, _ = _robot_query(channel)
    url = f"{query.get('endpoint', ENDPOINTS['wecombot'])}?{urlencode({'key': token})}"
    answer = _post_json(url, {"msgtype": "markdown", "markdown": {"content": message.markdown[:4000]}}, channel.label)
    _check_code(answer, "errcode", channel)


def _send_feishu(channel: Channel, message: Message) -> None:
    token, query, secret = _robot_query(channel)
    payload: dict = {"msg_type": "interactive", "card": {
        "header": {"title": {"tag": "plain_text", "content": message.title}},
        "elements": [{"tag": "markdown", "content": message.markdown}],
    }}
    if secret:
        timestamp = str(int(time.time()))
        digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
        payload.update(timestamp=timestamp, sign=base64.b64encode(digest).decode())
    answer = _post_json(query.get("endpoint", ENDPOINTS["feishu"]).rstrip("/") + "/" + token, payload, channel.label)
    _check_code(answer, "code", channel)


def _send_email(channel: Channel, message: Message) -> None:
    parts = urlsplit(channel.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    mode = "ssl" if channel.scheme == "mailtos" else query.get("mode", "starttls")
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    email = EmailMessage()
    email["Subject"] = message.title
    email["From"] = query.get("from") or (user if "@" in user else f"zhengce-watch@{parts.hostname}")
    email["To"] = query["to"]
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    port = parts.port or (465 if mode == "ssl" else 587 if mode == "starttls" else 25)
    try:
        if mode == "ssl":
            smtp = smtplib.SMTP_SSL(parts.hostname, port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(parts.hostname, port, timeout=TIMEOUT)
        with smtp:
            if mode == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if user and password:
                smtp.login(user, password)
            refused = smtp.send_message(email)
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(f"email via {parts.hostname}:{port} failed: {type(exc).__name__}: {str(exc)[:200]}") from None
    if refused:
        raise ChannelError(f"email refused for {', '.join(refused)}")


_ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 100


def _send_atom(channel: Channel, message: Message) -> None:
    path = Path(unquote(urlsplit(channel.url).path))
    ElementTree.register_namespace("", _ATOM)
    if path.is_file():
        feed = ElementTree.parse(path).getroot()
    else:
        feed = ElementTree.Element(f"{{{_ATOM}}}feed")
        ElementTree.SubElement(feed, f"{{{_ATOM}}}title").text = "zhengce-watch"
        ElementTree.SubElement(feed, f"{{{_ATOM}}}id").text = f"urn:zhengce-watch:{path.name}"
        ElementTree.SubElement(feed, f"{{{_ATOM}}}updated")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    feed.find(f"{{{_ATOM}}}updated").text = now
    entry = ElementTree.Element(f"{{{_ATOM}}}entry")
    ElementTree.SubElement(entry, f"{{{_ATOM}}}title").text = message.title
    ElementTree.SubElement(entry, f"{{{_ATOM}}}id").text = f"urn:zhengce-watch:event:{message.data.get('event_id')}"
    ElementTree.SubElement(entry, f"{{{_ATOM}}}updated").text = now
    ElementTree.SubElement(entry, f"{{{_ATOM}}}link", href=message.data.get("url") or "")
    ElementTree.SubElement(entry, f"{{{_ATOM}}}content", type="text").text = message.text
    entries = feed.findall(f"{{{_ATOM}}}entry")
    position = list(feed).index(entries[0]) if entries else len(feed)
    feed.insert(position, entry)
    for old in feed.findall(f"{{{_ATOM}}}entry")[FEED_ENTRIES:]:
        feed.remove(old)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    ElementTree.ElementTree(feed).write(temporary, encoding="utf-8", xml_declaration=True)
    temporary.replace(path)


_SENDERS = {"json": _send_json, "jsons": _send_json, "mailto": _send_email, "mailtos": _send_email,
            "dingtalk": _send_dingtalk, "wecombot": _send_wecom, "feishu": _send_feishu, "atom": _send_atom}
