"""Channels: where a message goes. Ours for the URLs that need our payload shape, signatures or
endpoint overrides (``json://`` webhook, ``dingtalk://``, ``wecombot://``, ``feishu://`` robots,
``mailto://`` email, ``atom://`` feed file); every other URL goes to Apprise (``schan://``,
``pushplus://``, ``ntfy://``, ``tgram://``, ``form://`` …). ``${NAME}`` in the configuration reads a
secret from the environment before a URL gets here."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.alerts.channels import atom_feed, mail, via_apprise, webhooks
from crawler.alerts.channels.channel import Channel, ChannelError

NATIVE = {scheme: module for module in (webhooks, mail, atom_feed) for scheme in module.SCHEMES}


def parse_channel(url: str) -> Channel:
    """Validate a channel URL: one of ours by its scheme, else one Apprise knows; ChannelError
    (naming the scheme, never the URL's secrets) for anything else."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in NATIVE:
        module = NATIVE[scheme]
    elif via_apprise.knows(url):
        module = via_apprise
    else:
        raise ChannelError(
            f"unknown channel {scheme + '://' if scheme else 'URL without a scheme'}: neither one of "
            f"ours ({', '.join(NATIVE)}) nor a service Apprise knows "
            "(https://github.com/caronc/apprise/wiki)"
        )
    return Channel(scheme, url, module.label(url), module.send)


__all__ = ["NATIVE", "Channel", "ChannelError", "parse_channel"]
