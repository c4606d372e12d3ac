"""AnswerGuard in a real Scrapy crawl over loopback: unsafe redirects and error pages served with 200
are refused with their reason (and a refused redirect is never followed); real pages pass."""

import pytest

from crawler.downloader.answer_guard import is_private_host, soft_404_reason
from crawler.extract.encoding import decode_html
from crawler.mirror import DEFAULT_TREE, SOFT_404_PAGES, FaultPlan, host_map_for, serve_mirror
from tests.downloader.probe import probe

HOST = "www.cixidb.cn"
PAGES = sorted(p.relative_to(DEFAULT_TREE / HOST).as_posix() for p in (DEFAULT_TREE / HOST / "news").glob("6*/*.html"))
# fault → (status recorded, words of the reason)
REFUSED = {
    "redirect_offsite": (302, "redirect off the site not followed (to www.example.com)"),
    "redirect_loopback": (302, "redirect to a private address refused (127.0.0.1)"),
    "redirect_private": (302, "redirect to a private address refused (10.0.0.1)"),
    "redirect_loop": (302, "redirect loop"),
    "soft404": (200, "soft 404: the page says"),
    "empty": (200, "empty 200 answer"),
}


@pytest.fixture(scope="module")
def guarded():
    """One page per fault, then a clean page, crawled in turn; (report, mirror request log)."""
    faults = list(REFUSED)
    rules = [(f"/{HOST}/{path}", fault, 0) for path, fault in zip(PAGES, faults)]
    urls = [f"https://{HOST}/{path}" for path in PAGES[: len(faults) + 1]]
    with serve_mirror(DEFAULT_TREE, faults=FaultPlan(rules=rules)) as base:
        report = probe(urls, host_map_for(DEFAULT_TREE, base))
        return dict(zip([*faults, "clean"], report["fetches"])), list(base.requests)


@pytest.mark.parametrize("fault", list(REFUSED))
def test_an_unsafe_answer_is_refused_with_its_reason(guarded, fault):
    fetch = guarded[0][fault]
    status, reason = REFUSED[fault]
    assert (fetch["exception"], fetch["outcome"], fetch["status"]) == ("RefusedAnswer", "error", status), fetch
    assert fetch["error"].startswith(reason), fetch


def test_a_refused_redirect_is_never_followed(guarded):
    paths = [path for _, path in guarded[1]]
    assert not [p for p in paths if p.startswith("/admin/")]  # the loopback redirect's target
    assert len(paths) == len(REFUSED) + 2  # one request per page, and the loop's second step


def test_a_real_page_passes(guarded):
    fetch = guarded[0]["clean"]
    assert (fetch["status"], fetch["outcome"], fetch["exception"]) == (200, None, None), fetch


def test_a_notice_that_mentions_a_missing_page_is_no_soft_404():
    html, _ = decode_html((DEFAULT_TREE / HOST / PAGES[0]).read_bytes(), "text/html")
    assert soft_404_reason(html.replace("</body>", "<p>原链接页面不存在，请见附件。</p></body>")) is None
    assert soft_404_reason(SOFT_404_PAGES[0].decode()) == "soft 404: the page says 页面不存在"


@pytest.mark.parametrize(
    "host, private",
    [
        ("127.0.0.1", True),
        ("10.0.0.1", True),
        ("192.168.1.5", True),
        ("169.254.169.254", True),
        ("[::1]", True),
        ("localhost", True),
        ("intranet.localhost", True),
        ("202.107.200.1", False),
        ("jxt.zj.gov.cn", False),
    ],
)
def test_private_hosts(host, private):
    assert is_private_host(host) is private
