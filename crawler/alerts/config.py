"""Alert configuration: subscriptions from a TOML file, validated with file and line in every error."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from crawler.alerts.channels import Channel, ChannelError, parse_channel
from crawler.store.retention import Limits

EVENT_KINDS = ("new", "changed", "removed", "cluster_list", "source_broken")
DIGESTS = ("immediate", "daily")
DEFAULT_PATHS = (Path("crawler.toml"), Path("data/alerts.toml"))
# [retention]: days each table's rows are kept (crawler.store.retention.Limits), and ``auto``.
RETENTION_DAYS = tuple(f.name for f in fields(Limits))
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Subscription:
    """Who gets which events, where, and how often."""

    name: str
    channels: tuple[Channel, ...]
    events: tuple[str, ...] = ("cluster_list",)
    sites: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    regex: re.Pattern | None = None
    digest: str = "immediate"


@dataclass
class AlertConfig:
    """All subscriptions, the retry policy, and where the configuration came from."""

    subscriptions: list[Subscription] = field(default_factory=list)
    retry_base_seconds: int = 300
    path: Path | None = None
    datasette_url: str | None = None  # where `crawler serve` is reachable, for links to whole lists
    retention: dict = field(default_factory=dict)  # [retention], checked: *_days ints, ``auto`` a bool


def _expand(value: str, where: str) -> str:
    """``${NAME}`` references to the environment (where secrets belong) are filled in."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(f"{where}: environment variable {name} is not set (a secret is missing)")
        return os.environ[name]

    return _ENV_REFERENCE.sub(fill, value)


def _line_of(text: str, key: str, occurrence_after: int = 0) -> int:
    """1-based line of ``key =`` at or after line ``occurrence_after`` (best effort, for messages)."""
    lines = text.splitlines()
    for number in range(occurrence_after, len(lines)):
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[number]):
            return number + 1
    return occurrence_after + 1


def default_subscription(extra_channels: list[Channel]) -> Subscription:
    """New cluster lists (特色产业集群 and similar 名单 notices) and their changes."""
    return Subscription(name="default", channels=tuple(extra_channels), events=("cluster_list",))


def resolve_path(explicit: Path | None) -> Path | None:
    """``--config``, else ``CRAWLER_CONFIG``, else ``crawler.toml`` or ``data/alerts.toml`` if present."""
    if explicit:
        return explicit
    if os.environ.get("CRAWLER_CONFIG"):
        return Path(os.environ["CRAWLER_CONFIG"])
    return next((p for p in DEFAULT_PATHS if p.is_file()), None)


def load_config(explicit: Path | None = None) -> AlertConfig:
    """Read and validate the configuration; ``CRAWLER_ALERT_URLS`` channels join the default
    subscription."""
    env_urls = [u.strip() for u in os.environ.get("CRAWLER_ALERT_URLS", "").split(",") if u.strip()]
    extra = []
    for url in env_urls:
        try:
            extra.append(parse_channel(_expand(url, "CRAWLER_ALERT_URLS")))
        except ChannelError as exc:
            raise ConfigError(f"CRAWLER_ALERT_URLS: {exc}") from None
    path = resolve_path(explicit)
    config = AlertConfig(path=path)
    subscriptions: list[Subscription] = []
    default_declared = False
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"{path}: no such configuration file")
        text = path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        alerts = data.get("alerts", {})
        config.retry_base_seconds = int(alerts.get("retry_base_seconds", config.retry_base_seconds))
        config.datasette_url = (alerts.get("datasette_url") or "").rstrip("/") or None
        config.retention = _retention(path, text, data.get("retention", {}))
        headers = [i for i, line in enumerate(text.splitlines()) if line.strip() == "[[subscriptions]]"]
        for index, table in enumerate(data.get("subscriptions", [])):
            start = headers[index] if index < len(headers) else 0
            subscriptions.append(
                _subscription(path, text, start, table, extra if table.get("name") == "default" else [])
            )
            default_declared |= table.get("name") == "default"
    if not default_declared:
        subscriptions.insert(0, default_subscription(extra))
    config.subscriptions = [s for s in subscriptions if s.channels]
    return config


def _retention(path: Path, text: str, table: dict) -> dict:
    """The ``[retention]`` table, checked: ``auto`` true or false, each ``*_days`` 0 or more."""
    start = next((i for i, line in enumerate(text.splitlines()) if line.strip() == "[retention]"), 0)
    for key, value in table.items():
        where = f"{path}:{_line_of(text, key, start)}"
        if key == "auto":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: [retention] auto must be true or false, got {value!r}")
        elif key not in RETENTION_DAYS:
            raise ConfigError(
                f"{where}: [retention] unknown field {key!r} (allowed: auto, {', '.join(RETENTION_DAYS)})"
            )
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where}: [retention] {key} must be a number of days (0 or more), got {value!r}")
    return dict(table)


def _subscription(path: Path, text: str, start: int, table: dict, extra: list[Channel]) -> Subscription:
    def where(key: str) -> str:
        return f"{path}:{_line_of(text, key, start)}"

    allowed = {"name", "channels", "events", "sites", "provinces", "keywords", "regex", "digest"}
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{where(key)}: unknown field {key!r} (allowed: {', '.join(sorted(allowed))})")
    name = table.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{path}:{start + 1}: a subscription needs a name")
    channels = []
    for url in table.get("channels", []):
        try:
            channels.append(parse_channel(_expand(str(url), where("channels"))))
        except ChannelError as exc:
            raise ConfigError(f"{where('channels')}: subscription {name!r}: {exc}") from None
    events = tuple(table.get("events", ["cluster_list"]))
    for kind in events:
        if kind not in EVENT_KINDS:
            raise ConfigError(f"{where('events')}: unknown event kind {kind!r} (known: {', '.join(EVENT_KINDS)})")
    digest = table.get("digest", "immediate")
    if digest not in DIGESTS:
        raise ConfigError(f"{where('digest')}: digest must be immediate or daily, got {digest!r}")
    pattern = None
    if table.get("regex"):
        try:
            pattern = re.compile(table["regex"])
        except re.error as exc:
            raise ConfigError(f"{where('regex')}: invalid regular expression: {exc}") from None
    return Subscription(
        name=name,
        channels=tuple(channels) + tuple(extra),
        events=events,
        sites=tuple(table.get("sites", [])),
        provinces=tuple(table.get("provinces", [])),
        keywords=tuple(table.get("keywords", [])),
        regex=pattern,
        digest=digest,
    )
