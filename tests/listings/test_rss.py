"""The rss adapter (RSS 2.0 / RSS 1.0 / Atom feeds) on the recorded ndrc_xwfb feed and on broken or
hostile feeds (XML bombs, external entities); the crawl of ndrc_xwfb through the mirror is in
tests/test_sites.py."""

import logging
import re

import pytest
from scrapy.http import TextResponse, XmlResponse

from crawler.listings import ADAPTERS, rss
from crawler.mirror import DEFAULT_TREE
from crawler.siteconf import load_sites
from tests.conftest import recorded_detail_urls

HOST = "www.ndrc.gov.cn"
TREE = DEFAULT_TREE / HOST
FEED = f"https://{HOST}/xwdt/xwfb/rss.xml"
COLUMN = f"https://{HOST}/xwdt/xwfb/"


def site():
    return load_sites()["ndrc_xwfb"]


def feed(body=None, cls=XmlResponse, url=FEED):
    if body is None:
        body = (TREE / "xwdt/xwfb/rss.xml").read_bytes()
    elif isinstance(body, str):
        body = body.encode("utf-8")
    return cls(url=url, body=body, encoding="utf-8")


def rss_doc(items: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


# --- the adapter ---------------------------------------------------------------------------


def test_the_adapter_is_registered_and_used_by_ndrc_xwfb():
    assert ADAPTERS["rss"] is rss.ADAPTER
    assert site().listing.adapter == "rss" and site().kind == "bureau" and site().province == "全国"
    assert site().start_urls == (FEED,)
    assert (TREE / "robots.txt").is_file()


def test_entries_of_the_recorded_feed():
    entries = list(rss.entries(feed(), site()))
    assert len(entries) == 11  # 12 items, one a link-out to www.gov.cn
    assert entries[0].url == f"{COLUMN}202608/t20260812_1408512.html"
    assert entries[0].title == "国家发展改革委办公厅关于公布第五批国家级战略性新兴产业集群名单的通知"
    assert entries[0].date == "2026-08-12"
    assert entries[1].url.endswith("_1408340_ext.html")
    assert {e.url for e in entries} == recorded_detail_urls(DEFAULT_TREE, "ndrc_xwfb")
    assert all(not e.url.startswith("https://www.gov.cn") for e in entries)


def test_a_feed_has_no_next_page():
    assert list(rss.next_pages(feed(), site(), 1, depth=20)) == []


def test_rss_item_forms_dates_and_links():
    items = "".join(
        [
            # RFC 822 in UTC: 2026-07-31 17:00 UTC is 2026-08-01 in China
            (
                f"<item><title> 甲 \n 通知 </title><link> {COLUMN}202608/t20260801_1.html </link>"
                "<pubDate>Fri, 31 Jul 2026 17:00:00 GMT</pubDate></item>"
            ),
            # no <link>: a permalink <guid>; a plain date string as some CMSs write it
            f"<item><title>乙</title><guid>{COLUMN}202607/t20260730_2.html</guid><pubDate>2026-07-30 09:15:11.0</pubDate></item>",
            # a relative link; the date in dc:date
            (
                '<item xmlns:dc="http://purl.org/dc/elements/1.1/"><title>丙</title><link>/xwdt/xwfb/202607/t20260729_3.html#p</link>'
                "<dc:date>2026-07-29T08:00:00+08:00</dc:date></item>"
            ),
            f"<item><title>重复</title><link>{COLUMN}202608/t20260801_1.html</link></item>",
            f'<item><title>非永久</title><guid isPermaLink="false">{COLUMN}202607/t20260728_4.html</guid></item>',
            "<item><title>无链接</title></item>",
            "<item><title>外链</title><link>https://www.gov.cn/zhengce/content/202607/content_1.htm</link></item>",
        ]
    )
    entries = list(rss.entries(feed(rss_doc(items)), site()))
    assert [(e.url.rsplit("/", 1)[1], e.title, e.date) for e in entries] == [
        ("t20260801_1.html", "甲 通知", "2026-08-01"),
        ("t20260730_2.html", "乙", "2026-07-30"),
        ("t20260729_3.html", "丙", "2026-07-29"),
    ]


def test_atom_entries():
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>发布</title><updated>2026-08-01T00:00:00Z</updated>
<entry><title type="html">&lt;b&gt;甲&lt;/b&gt; 通知</title>
  <link rel="self" href="{COLUMN}self.xml"/><link rel="alternate" href="{COLUMN}202607/t20260731_1.html"/>
  <published>2026-07-31T16:30:00Z</published><updated>2026-08-02T01:00:00+08:00</updated></entry>
<entry><title>乙</title><link href="/xwdt/xwfb/202607/t20260730_2.html"/><updated>2026-07-30T10:00:00+08:00</updated></entry>
<entry><title>无链接</title><link rel="enclosure" href="{COLUMN}a.pdf"/></entry>
</feed>"""
    entries = list(rss.entries(feed(atom), site()))
    assert [(e.url.rsplit("/", 1)[1], e.title, e.date) for e in entries] == [
        ("t20260731_1.html", "甲 通知", "2026-08-01"),  # published 16:30 UTC is the next day in China
        ("t20260730_2.html", "乙", "2026-07-30"),
    ]


def test_rss_1_0_items():
    rdf = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="{COLUMN}"><title>t</title></channel>
<item rdf:about="{COLUMN}202607/t20260701_1.html"><title>甲</title><link>{COLUMN}202607/t20260701_1.html</link>
<dc:date>2026-07-01</dc:date></item></rdf:RDF>"""
    assert [(e.title, e.date) for e in rss.entries(feed(rdf), site())] == [("甲", "2026-07-01")]


def test_a_feed_in_gbk_is_read_by_its_declaration():
    body = rss_doc(f"<item><title>关于印发的通知</title><link>{COLUMN}202607/t20260701_1.html</link></item>")
    body = body.replace("UTF-8", "GBK").encode("gbk")
    assert [e.title for e in rss.entries(feed(body), site())] == ["关于印发的通知"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Wed, 12 Aug 2026 18:30:00 +0800", "2026-08-12"),
        ("Wed, 12 Aug 2026 18:30:00 GMT", "2026-08-13"),
        ("2026-08-12T18:30:00Z", "2026-08-13"),
        ("2026-08-12T10:30:00+08:00", "2026-08-12"),
        ("2026-10-04 01:39:11.0", "2026-10-04"),
        ("2026年8月12日", "2026-08-12"),
        ("", None),
        ("soon", None),
    ],
)
def test_feed_dates(value, expected):
    assert rss.feed_date(value) == expected


# --- broken and hostile feeds: no entries, no crash, a clear error -------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title>
<link>https://www.ndrc.gov.cn/xwdt/xwfb/202607/t20260701_1.html</link></item></channel></rss>"""

EXTERNAL_ENTITY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&xxe;</title>
<link>https://www.ndrc.gov.cn/xwdt/xwfb/202607/t20260701_1.html</link></item></channel></rss>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://127.0.0.1:1/evil.dtd">
<rss version="2.0"><channel><item><title>&xxe;</title>
<link>https://www.ndrc.gov.cn/xwdt/xwfb/202607/t20260701_1.html</link></item></channel></rss>"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/x.dtd"> %remote;]>
<rss version="2.0"><channel></channel></rss>"""

BROKEN = [
    ("", "empty feed"),
    ("   \n ", "empty feed"),
    (BILLION_LAUGHS, "declares XML entities"),
    (EXTERNAL_ENTITY, "declares XML entities"),
    (PARAMETER_ENTITY, "declares XML entities"),
    (EXTERNAL_DTD, "uses XML entities"),  # the external DTD is never loaded
    ('<?xml version="1.0"?><rss version="2.0"><channel><item><title>cut', "not well-formed"),
    (
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        "not an RSS or Atom feed",
    ),
    ("<html><head><title>502</title></head><body><br><p>nginx</body></html>", "not well-formed"),
    ('<html><body><a href="/xwdt/xwfb/202607/t20260701_1.html">x</a></body></html>', "not an RSS or Atom feed"),
    ('{"data": []}', "not well-formed"),
]


@pytest.mark.parametrize(("body", "reason"), BROKEN)
def test_a_broken_or_hostile_feed_lists_nothing_and_says_why(body, reason, caplog):
    response = feed(body, cls=TextResponse)
    with caplog.at_level(logging.WARNING, logger="crawler.listings.rss"):
        assert list(rss.entries(response, site())) == []
    assert reason in rss.problem(response, site())
    assert any("ndrc_xwfb" in r.getMessage() and reason in r.getMessage() for r in caplog.records)
    assert list(rss.next_pages(response, site(), 1, depth=20)) == []


def test_an_empty_feed_is_a_valid_feed_with_nothing_in_it(caplog):
    with caplog.at_level(logging.WARNING, logger="crawler.listings.rss"):
        assert list(rss.entries(feed(rss_doc("")), site())) == []
        assert (
            list(rss.entries(feed('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'), site())) == []
        )
    assert rss.problem(feed(rss_doc("")), site()) is None and not caplog.records


def test_the_parser_itself_never_expands_or_fetches_entities():
    """Below the prolog check: the lxml parser resolves no entity and loads no DTD, so even an entity
    declared in a way the check missed could not be expanded or fetched."""
    parser = rss._parser()
    doc = b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]><r>&e;</r>'
    root = rss.etree.fromstring(doc, parser=parser)
    assert "".join(root.itertext()) == "&e;"  # the reference stays an unexpanded entity node
    with pytest.raises(rss.FeedError, match="uses XML entities"):
        rss.parse_feed(b'<!DOCTYPE rss SYSTEM "x.dtd"><rss version="2.0"><channel><title>&e;</title></channel></rss>')


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_hostile_feeds_in_utf16_are_refused_too(doc):
    """UTF-16 hides the declarations from the byte-level prolog check; the parser still expands
    nothing and the feed is refused."""
    body = re.sub(r"<\?xml[^>]*\?>", '<?xml version="1.0" encoding="UTF-16"?>', doc).encode("utf-16")
    response = feed(body, cls=TextResponse)
    assert list(rss.entries(response, site())) == []
    assert rss.problem(response, site())
