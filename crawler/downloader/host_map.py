"""Host mapping: requests for a real host are sent to a local mirror; responses keep the real URL.

It is a download handler rather than a downloader middleware so that everything above it (robots.txt,
cookies, per-host download slots, redirects, the HTTP cache, the spider and the store) only ever sees
the real URL; only the bytes on the wire go to the mirror.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Request, Response


class HostMapError(ValueError):
    """A ``HOST=BASE_URL`` entry that cannot be used."""


def parse_host_map(entries: list[str] | tuple[str, ...] | str | None) -> dict[str, str]:
    """``["jxt.zj.gov.cn=http://127.0.0.1:8000/jxt.zj.gov.cn"]`` (or one comma-separated string)
    → ``{"jxt.zj.gov.cn": "http://127.0.0.1:8000/jxt.zj.gov.cn"}``."""
    if isinstance(entries, str):
        entries = entries.split(",")
    mapping: dict[str, str] = {}
    for entry in entries or ():
        entry = entry.strip()
        if not entry:
            continue
        host, sep, base = entry.partition("=")
        parts = urlsplit(base.strip())
        if not sep or not host.strip() or parts.scheme not in ("http", "https") or not parts.netloc:
            raise HostMapError(
                f"host map entry {entry!r} is not HOST=BASE_URL (e.g. jxt.zj.gov.cn=http://127.0.0.1:8000)"
            )
        mapping[host.strip().lower()] = base.strip().rstrip("/")
    return mapping


def host_map_from_env() -> dict[str, str]:
    """The mapping in ``CRAWLER_HOST_MAP``."""
    return parse_host_map(os.environ.get("CRAWLER_HOST_MAP", ""))


def mapped_url(url: str, mapping: dict[str, str]) -> str | None:
    """The mirror URL for ``url``, or None when its host is not mapped."""
    parts = urlsplit(url)
    base = mapping.get((parts.hostname or "").lower())
    if base is None:
        return None
    return base + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class HostMapDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler that downloads mapped hosts from their mirror (``HOST_MAP`` setting).

    With an empty map it downloads every request as Scrapy's own handler does. It never raises
    ``NotConfigured``: Scrapy does not fall back to its default handler then, it leaves the scheme
    unsupported."""

    def __init__(self, crawler):
        super().__init__(crawler)
        setting = crawler.settings.get("HOST_MAP")
        self._mapping = dict(setting) if isinstance(setting, dict) else parse_host_map(setting)
        self._reverse = {base: host for host, base in self._mapping.items()}

    async def download_request(self, request: Request) -> Response:
        target = mapped_url(request.url, self._mapping)
        if target is None:
            return await super().download_request(request)
        response = await super().download_request(request.replace(url=target))
        location = response.headers.get(b"Location")
        if location:
            response.headers[b"Location"] = self._unmap(location.decode("latin-1"), request.url)
        return response.replace(url=request.url, request=request)

    def _unmap(self, location: str, real_url: str) -> str:
        for base, host in self._reverse.items():
            if location.startswith(base):
                real = urlsplit(real_url)
                return f"{real.scheme}://{host}{location[len(base) :]}"
        return location
