"""AnswerGuard, a downloader middleware: refuses answers that are not the page asked for — redirects
off the site's hosts, to loopback or private addresses, or round in a loop, and error pages served
with 200 (soft 404s, empty bodies) — so they are recorded with the reason and never parsed."""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urljoin, urlsplit

from crawler.extract.encoding import decode_html
from crawler.downloader.outcomes import RefusedAnswer, may_say_gone, soft_404_reason

logger = logging.getLogger(__name__)
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))


def is_private_host(host: str) -> bool:
    """True for loopback, private, link-local and other non-public addresses (and ``localhost``):
    only the host map may send a request there, never a site's redirect."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def _on_hosts(host: str, domains: list[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


class AnswerGuard:
    """Placed above RedirectMiddleware in the answer chain, so a refused redirect is never followed."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if response.status in REDIRECT_STATUSES and b"Location" in response.headers:
            self._check_redirect(request, response)
        elif response.status == 200 and request.meta.get("role") in ("listing", "detail", "revisit", "attachment"):
            if not response.body.strip():
                raise RefusedAnswer("empty 200 answer", 200)
            if len(response.body) < 200_000 and may_say_gone(response.body):
                reason = soft_404_reason(decode_html(response.body, response.headers.get(b"Content-Type", b"").decode("latin-1"))[0])
                if reason:
                    raise RefusedAnswer(reason, 200)
        return response

    def _check_redirect(self, request, response) -> None:
        target = urljoin(request.url, response.headers[b"Location"].decode("latin-1"))
        host = (urlsplit(target).hostname or "").lower()
        status = response.status
        if is_private_host(host):
            raise RefusedAnswer(f"redirect to a private address refused ({host})", status)
        domains = list(getattr(self.crawler.spider, "allowed_domains", None) or [])
        if domains and not _on_hosts(host, domains):
            raise RefusedAnswer(f"redirect off the site not followed (to {host})", status)
        seen = {*request.meta.get("redirect_urls", ()), request.url}
        if target in seen:
            raise RefusedAnswer(f"redirect loop ({len(seen)} step(s))", status)
