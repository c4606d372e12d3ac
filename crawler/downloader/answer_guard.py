"""AnswerGuard, a downloader middleware: refuses answers that are not the page asked for — redirects
off the site's hosts, to loopback or private addresses, or round in a loop, and error pages served
with 200 (soft 404s, empty bodies) — so they are recorded with the reason and never parsed."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urljoin, urlsplit

from crawler.downloader.outcomes import RefusedAnswer
from crawler.extract.encoding import decode_html

REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
GUARDED_ROLES = frozenset(("listing", "detail", "revisit", "attachment"))  # requests whose 200 answers are checked

# Pages served with 200 that say the page is gone (error templates of the sites' CMSs).
_SOFT_404 = re.compile(
    "页面不存在|该信息已删除|信息已被删除|信息不存在|页面已删除|找不到(?:该|您要访问的)?页面|文章不存在|已被删除或已过期"
)
_GONE_WORDS = ("不存在", "删除", "找不到")  # each phrase above holds one of them
_GONE_BYTES = tuple(word.encode(encoding) for word in _GONE_WORDS for encoding in ("utf-8", "gb18030"))
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>|&\w+;|\s+", re.S | re.I)
SOFT_404_MAX_TEXT = 600  # characters of visible text: a real notice page has far more


def may_say_gone(body: bytes) -> bool:
    """False when the raw bytes (UTF-8 or GBK) hold none of the words every phrase that
    :func:`soft_404_reason` looks for holds: most pages need not be decoded to know they are no
    error page."""
    return any(phrase in body for phrase in _GONE_BYTES)


def soft_404_reason(text: str) -> str | None:
    """Why a 200 page is an error page in disguise ("the page says 页面不存在"), or None: the
    phrase must be there and the page must hold little else than its chrome."""
    found = _SOFT_404.search(text[:50000])
    if not found or len(_TAGS.sub("", text[:200000])) > SOFT_404_MAX_TEXT:
        return None
    return f"soft 404: the page says {found[0]}"


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
        elif response.status == 200 and request.meta.get("role") in GUARDED_ROLES:
            if not response.body.strip():
                raise RefusedAnswer("empty 200 answer", 200)
            if len(response.body) < 200_000 and may_say_gone(response.body):
                content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
                reason = soft_404_reason(decode_html(response.body, content_type)[0])
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
