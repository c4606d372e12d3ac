"""Every other channel goes through Apprise (https://github.com/caronc/apprise): Server酱
``schan://SENDKEY``, PushPlus ``pushplus://TOKEN``, ntfy, Bark, Gotify, Telegram ``tgram://``, Slack,
Matrix, Teams, ``form://``/``xml://`` webhooks and the rest of its list.

One Apprise object per send, called synchronously; its result is the outbox's sent or failed (the
outbox retries, so Apprise's own retries stay off). Apprise's log, and that of urllib3 beneath it,
are kept out of ours, since their lines may carry a token; what Apprise says about a failure reaches
the outbox with every piece of the URL that the channel's label does not show replaced by ``****``.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import apprise
from apprise.plugins import url_to_dict

from crawler.alerts.channels.channel import Channel, ChannelError, url_hash
from crawler.alerts.messages import Message

ASSET = apprise.AppriseAsset()  # no plugin paths, no persistent storage
REASON_CHARS = 300
_SEPARATORS = re.compile(r"[/:@,;+\s]+")

for _name in (apprise.LOGGER_NAME, "urllib3"):  # urllib3 names each request's path at DEBUG: /bot<TOKEN>/…
    logging.getLogger(_name).propagate = False
    logging.getLogger(_name).addHandler(logging.NullHandler())


def knows(url: str) -> bool:
    """True when Apprise has a service for ``url``: by its scheme, or a vendor's https URL it
    recognises (a Discord webhook …)."""
    return urlsplit(url).scheme.lower() in apprise.NotificationManager() or url_to_dict(url) is not None


def label(url: str) -> str:
    """Validate ``url`` with Apprise; the label is its privacy form of the scheme and host part
    (tokens shown as ``t...n`` or ``****``) and a hash for the rest, which may be a token too."""
    shown = urlsplit(_service(url).url(privacy=True))
    return f"{shown.scheme}://{shown.netloc}/apprise-{url_hash(url)}"


def send(channel: Channel, message: Message) -> None:
    """Deliver ``message`` through Apprise: Markdown to a service that takes Markdown (Slack, Rocket.Chat,
    or any URL with ``?format=markdown``), text to the others (Apprise makes HTML of it where a
    service wants HTML)."""
    service = _service(channel.url)
    notifier = apprise.Apprise(asset=ASSET)
    notifier.add(service)
    markdown = service.resolve_format() == apprise.NotifyFormat.MARKDOWN  # its own, or the URL's ?format=
    body = (
        message.markdown.removeprefix(f"### {message.title}") if markdown else message.text.removeprefix(message.title)
    ).lstrip("\n") or message.title
    kind = apprise.NotifyType.WARNING if message.data.get("kind") == "source_broken" else apprise.NotifyType.INFO
    try:
        result = notifier.notify(
            body=body,
            title=message.title,
            notify_type=kind,
            body_format=apprise.NotifyFormat.MARKDOWN if markdown else apprise.NotifyFormat.TEXT,
        )
    except Exception as exc:  # a service's failure is a False result; anything raised is Apprise's own
        raise ChannelError(f"{channel.label}: {type(exc).__name__}: {redact(str(exc), channel)}") from None
    if not result:
        reasons = "; ".join(dict.fromkeys(entry.message for entry in result.logs())) or "no reason given"
        raise ChannelError(f"{channel.label} did not take the message: {redact(reasons, channel)[:REASON_CHARS]}")


def redact(text: str, channel: Channel) -> str:
    """``text`` without any piece of the channel's URL (user, password, host, path segment, query
    value) that its label does not show."""
    return _redact(text, channel.url, urlsplit(channel.label).netloc)


def _redact(text: str, url: str, shown: str) -> str:
    parts = urlsplit(url)
    pieces = [parts.netloc, *parts.path.split("/"), *(value for _, value in parse_qsl(parts.query))]
    secrets = {
        piece
        for chunk in pieces
        for piece in _SEPARATORS.split(unquote(chunk))
        if len(piece) >= 3 and piece not in shown
    }
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "****").replace(quote(secret, safe=""), "****")
    return text


def _service(url: str) -> apprise.NotifyBase:
    """Apprise's service object for ``url``; ChannelError (without secrets) when it cannot be used."""
    scheme = urlsplit(url).scheme.lower()
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as said:
        try:
            service = apprise.Apprise.instantiate(url, asset=ASSET, suppress_exceptions=False)
        except Exception as exc:  # each plugin raises its own kind for a URL it cannot use
            service, reason = None, str(exc)
        else:
            reason = " ".join(said.getvalue().split()) or "a service not available on this system"
    if service is None:
        raise ChannelError(f"{scheme}:// URL is not usable: {_redact(reason, url, '')[:REASON_CHARS]}")
    return service
