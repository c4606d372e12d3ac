"""List parsing properties: any bytes or text give a status or entries, never an exception."""

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from crawler.rosters import ParsedRoster, entries_from_body, parse_attachment, sniff_type

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rosters"
SEEDS = [
    (FIXTURES / name).read_bytes()
    for name in (
        "jiangsu_2025.xlsx",
        "anhui_2025_numbered.docx",
        "guangdong_2025.xls",
        "hubei_2025_text.pdf",
        "fujian_2025_traditional.html",
        "sichuan_2025_body.txt",
    )
]
STATUSES = {"parsed", "empty", "unparsed", "refused", "failed"}
FILE_TYPES = {"xlsx", "xls", "docx", "doc", "wps", "et", "pdf", "ofd", "zip", "html", "text", "unknown"}
MAGIC = [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-1.7\n", b"<html>", b"\xef\xbb\xbf", b""]


@st.composite
def damaged_files(draw):
    """A real list file cut short or with a few bytes overwritten: the readers' hardest input."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data) - 1))
        data[at : at + 4] = draw(st.binary(min_size=1, max_size=4))
    return bytes(data[: draw(st.integers(0, len(data)))])


files = st.one_of(
    st.binary(max_size=3000),
    st.tuples(st.sampled_from(MAGIC), st.binary(max_size=2000)).map(b"".join),
    damaged_files(),
)
LIST_LINES = [
    "序号 名称 地区",
    "1 杭州市萧山区汽车零部件产业集群 杭州市",
    "2、温州市乐清市电气产业集群",
    "（一）宁波市",
    "三、",
    "附件：",
    "\t",
    "  ",
    "1",
    "二十",
    "名单",
    "合计",
]
bodies = st.one_of(
    st.text(max_size=300), st.lists(st.sampled_from(LIST_LINES) | st.text(max_size=10), max_size=20).map("\n".join)
)
HTML_PARTS = [
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<th>",
    '<td rowspan="3">',
    '<td colspan="99999">',
    '<td rowspan="-1">',
    '<td rowspan="x">',
    "序号",
    "名称",
    "产业集群",
    "<html>",
    '<?xml version="1.0"?>',
    "\x00",
    "<!--",
    "&#0;",
]
html = st.one_of(
    st.none(),
    st.text(max_size=200),
    st.lists(st.sampled_from(HTML_PARTS) | st.text(max_size=6), max_size=40).map("".join),
)


@given(files)
def test_sniffing_never_raises_and_names_a_known_type(data):
    assert sniff_type(data) in FILE_TYPES


@given(files, st.sampled_from([None, "浙江省", "浙江"]))
def test_parsing_an_attachment_never_raises(data, province):
    parsed = parse_attachment(data, "名单.xlsx", province)
    assert isinstance(parsed, ParsedRoster) and parsed.status in STATUSES
    assert (parsed.status == "parsed") == bool(parsed.entries)


@given(bodies, html, st.sampled_from([None, "浙江省"]))
def test_entries_from_a_body_never_raise(body, page, province):
    assert isinstance(entries_from_body(body, page, province), list)
