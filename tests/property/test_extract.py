"""Extraction properties: any bytes, with or without a content type, give a Notice and never raise."""

from hypothesis import example, given
from hypothesis import strategies as st

from crawler.extract import Notice, SiteHints, extract_notice

URL = "https://jxt.zj.gov.cn/art/2025/7/16/art_1229123_2.html"
TAGS = [
    "<html>",
    "<head>",
    "<title>",
    "</title>",
    '<meta charset="gbk">',
    "<body>",
    '<div class="content">',
    "</div>",
    "<p>",
    "</p>",
    "<table>",
    "<tr>",
    "<td>",
    "</td>",
    '<a href="/a.xlsx">',
    "</a>",
    "<br>",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    '<?xml version="1.0"?>',
    "&amp;",
    "&#x0;",
    "&#1234567;",
    "<",
    ">",
    '"',
    "发布时间：",
    "2025年7月16日",
    "来源：",
    "浙江省经信厅",
    "附件：",
    "名单",
    "各市经信局：",
    "规(guī)",
    "\x00",
    "\ufeff",
    "\r\n",
]
markup = st.lists(st.sampled_from(TAGS) | st.text(max_size=8), max_size=40).map("".join)
encoded_markup = st.tuples(markup, st.sampled_from(["utf-8", "gb18030", "utf-16", "big5", "latin-1"])).map(
    lambda pair: pair[0].encode(pair[1], errors="replace")
)
page_bytes = st.one_of(st.binary(max_size=2000), encoded_markup)
content_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "text/html",
            "text/html; charset=gbk",
            "text/html; charset=utf-8",
            "text/html; charset=nonsense",
            "application/pdf",
            "text/html; charset=",
            "text/html; charset=utf-16",
        ]
    ),
    st.text(max_size=30),
)


def assert_notice(notice):
    assert isinstance(notice, Notice)
    assert isinstance(notice.body, str) and isinstance(notice.body_normalized, str)
    assert isinstance(notice.attachments, list)
    assert notice.published_at is None or notice.published_at.endswith("+08:00")


@given(page_bytes)
def test_extraction_never_raises_without_a_content_type(body):
    assert_notice(extract_notice(URL, body))


@given(page_bytes, content_types)
def test_extraction_never_raises_with_any_content_type(body, content_type):
    assert_notice(extract_notice(URL, body, content_type=content_type))


@given(
    encoded_markup,
    st.sampled_from(["p", "div.content", "td", "a::attr(href)", "title::text"]),
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.text(max_size=20)),
)
@example(b"<title><html>", "title::text", None, None)  # a ::text selector as the content or drop hint
def test_extraction_never_raises_with_hints_and_list_fields(body, css, listing_title, listing_date):
    hints = SiteHints(title=css, published_at=css, source=css, content=(css,), drop=("script",))
    notice = extract_notice(URL, body, hints, listing_title=listing_title, listing_date=listing_date)
    assert isinstance(notice, Notice)
