"""Email over SMTP, as plain text with an HTML alternative.

mailto://user:pass@host[:port]?to=a@b.cn[,c@d.cn]&from=x@y.cn[&mode=starttls|ssl|plain]
mailtos://…                                   the same over SSL
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from crawler.alerts.channels.channel import Channel, ChannelError
from crawler.alerts.messages import Message

SCHEMES = ("mailto", "mailtos")
TIMEOUT = 20


def label(url: str) -> str:
    """Validate a mailto URL; its label names the SMTP host and the first recipient."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if not parts.hostname or not query.get("to"):
        raise ChannelError("mailto URL needs an SMTP host and ?to=address")
    if query.get("mode", ["starttls"])[0] not in ("starttls", "ssl", "plain"):
        raise ChannelError("mailto mode must be starttls, ssl or plain")
    return f"{parts.scheme.lower()}://{parts.hostname}:{parts.port or ''}?to={query['to'][0]}"


def send(channel: Channel, message: Message) -> None:
    """Send ``message`` as one email to every ``to`` address."""
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
        raise ChannelError(
            f"email via {parts.hostname}:{port} failed: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    if refused:
        raise ChannelError(f"email refused for {', '.join(refused)}")
