"""Which of a site's extraction selectors found their element: a recorded page read with its own
selectors, and the same page after a redesign."""

from crawler.extract import extract_notice
from crawler.extract.hints import describe_misses
from crawler.siteconf import load_sites
from tests.conftest import ROOT

RECORDED = ROOT / "tests/fixtures/sites/www.cinn.cn/2025/07-14/CFR7OFWU.html"
REDESIGNED = ROOT / "tests/fixtures/redesign/www.cinn.cn/2025/07-14/CFR7OFWU.html"
URL = "https://www.cinn.cn/2025/07-14/CFR7OFWU.html"


def test_selectors_that_find_their_elements_are_matched():
    hints = load_sites()["cinn"].hints
    notice = extract_notice(URL, RECORDED.read_bytes(), hints)
    assert notice.selectors == {
        "title": "matched",
        "published_at": "matched",
        "source": "matched",
        "content": "matched",
    }
    assert describe_misses(hints, notice.selectors) is None


def test_selectors_lost_in_a_redesign_are_missed_and_generic_extraction_stands_in():
    hints = load_sites()["cinn"].hints
    before = extract_notice(URL, RECORDED.read_bytes(), hints)
    after = extract_notice(URL, REDESIGNED.read_bytes(), hints)
    assert set(after.selectors.values()) == {"missed"}
    assert describe_misses(hints, after.selectors).startswith("title 'div.layCont_box_main_title > h1', published_at")
    assert (after.title, after.published_at, after.source) == (before.title, before.published_at, before.source)
    assert after.body_normalized == before.body_normalized


def test_an_attribute_selector_needs_its_element_not_its_text():
    hints = load_sites()["hn_gxt"].hints  # meta[name=ArticleTitle]::attr(content) and friends
    page = b'<html><head><meta name="ArticleTitle" content=""><title>t</title></head><body><p>x</p></body></html>'
    notice = extract_notice("https://gxt.hunan.gov.cn/a.html", page, hints)
    assert notice.selectors["title"] == "matched" and notice.selectors["published_at"] == "missed"
