"""The line walker: what counts as hidden, as a file link, and how whitespace is collapsed."""

import pytest
from lxml import etree

from crawler.extract.blocks import element_lines, is_file_link, is_hidden, parse_html


@pytest.mark.parametrize(
    "href, expected",
    [
        ("/module/download/downfile.jsp?classid=0&filename=2507161.pdf", True),
        ("/attach/0/名单.XLSX", True),
        ("/uploadfile/附件1.Docx#page=2", True),
        ("https://jxt.zj.gov.cn/DownLoad.aspx?id=3", True),
        ("/art/2025/7/16/art_1582900_32500.html", False),
        ("/col/col1582900/index.html?uid=4892867&pageNum=2", False),
        ("/pdfviewer/index.html", False),  # "pdf" in a folder name is no file
    ],
)
def test_file_links_are_told_from_navigation_whatever_their_case(href, expected):
    assert is_file_link(href) is expected


@pytest.mark.parametrize(
    "attributes, expected",
    [
        ('style="DISPLAY: NONE"', True),
        ('style="color:red; Visibility : Hidden"', True),
        ("hidden", True),
        ('style="display:block; overflow:hidden"', False),  # hidden overflow is shown
        ('style="border:none"', False),
        ("", False),
    ],
)
def test_hidden_elements(attributes, expected):
    element = etree.fromstring(f"<div {attributes}>text</div>", etree.HTMLParser()).find(".//div")
    assert is_hidden(element) is expected


def test_lines_collapse_ascii_whitespace_and_keep_other_spaces():
    tree = parse_html(
        "<html><body><div>\n  第一行\t 文字 \r\n 续</div><p>全角\u3000空格 <a href='/a.html'>链接\n文字</a></p>"
        "<p>附件：<a href='/f/名单.PDF'>名单</a></p><div style='display:none'>隐藏</div></body></html>"
    )
    lines = element_lines(tree)
    assert [line.text for line in lines] == ["第一行 文字 续", "全角\u3000空格 链接 文字", "附件：名单"]
    assert [line.link_chars for line in lines] == [0, 4, 0]  # a file link is not navigation
