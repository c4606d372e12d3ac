"""A channel: a parsed URL, a label safe to log and store, and the sender that delivers to it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from crawler.alerts.messages import Message


class ChannelError(ValueError):
    """A channel URL that cannot be used, or a send that failed (message without secrets)."""


@dataclass(frozen=True)
class Channel:
    """A parsed channel URL. ``label`` is safe to log and store: it carries no secret."""

    scheme: str
    url: str
    label: str
    sender: Callable[[Channel, Message], None] = field(compare=False, repr=False)

    @property
    def key(self) -> str:
        """A stable id for the channel that reveals nothing of its secrets."""
        return hashlib.sha256(self.url.encode()).hexdigest()[:16]

    def send(self, message: Message) -> None:
        """Deliver ``message``; raise ChannelError when the receiver did not accept it."""
        self.sender(self, message)


def url_hash(url: str) -> str:
    """Eight hex digits naming a URL in a label without showing its tokens."""
    return hashlib.sha256(url.encode()).hexdigest()[:8]
