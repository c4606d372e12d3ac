"""Hostile or broken attachments never raise and never hang: zip bombs and oversized files are
refused before any library opens them, damaged or foreign files get a status and a reason."""

import io
import random
import struct
import time
import zipfile
from pathlib import Path

import pytest

from crawler.rosters import parse_attachment, readers, sniff_type

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rosters"
GIB = 1 << 30


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s uncompressed size rewritten in its local and central headers."""
    buffer = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    struct.pack_into("<I", buffer, info.header_offset + 22, size)
    at = 0
    while (at := buffer.find(b"PK\x01\x02", at + 1)) != -1:
        length = struct.unpack_from("<H", buffer, at + 28)[0]
        if buffer[at + 46 : at + 46 + length].decode() == member:
            struct.pack_into("<I", buffer, at + 24, size)
    return bytes(buffer)


def office_zip(kind: str, member: str, payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{kind}/_rels/x.rels", "<Relationships/>")
        archive.writestr(member, payload)
    return out.getvalue()


def timed(data: bytes, name: str, **options):
    start = time.monotonic()
    parsed = parse_attachment(data, name, **options)
    assert time.monotonic() - start < 10
    return parsed


def test_xlsx_declaring_a_gigabyte_of_zeros_is_refused():
    bomb = declare_size(office_zip("xl", "xl/worksheets/sheet1.xml", bytes(8 << 20)), "xl/worksheets/sheet1.xml", GIB)
    assert sniff_type(bomb) == "xlsx"
    parsed = timed(bomb, "名单.xlsx")
    assert parsed.status == "refused" and "over the cap" in parsed.reason and parsed.entries == ()


def test_docx_inflating_zeros_a_thousandfold_is_refused():
    bomb = office_zip("word", "word/document.xml", bytes(64 << 20))
    assert sniff_type(bomb) == "docx" and len(bomb) < 1 << 20
    parsed = timed(bomb, "名单.docx")
    assert parsed.status == "refused" and "bomb" in parsed.reason


def test_data_over_the_cap_is_refused():
    parsed = timed(b"%PDF-1.4\n" + b"0" * 400_000, "名单（全文）.pdf", max_bytes=100_000)
    assert (parsed.status, parsed.file_type) == ("refused", "pdf") and "cap" in parsed.reason


def test_html_error_page_named_pdf_is_html_with_no_list():
    page = "<html><head><title>下载</title></head><body><p>文件不存在或已删除</p></body></html>".encode()
    parsed = timed(page, "名单（扫描件）.pdf")
    assert (parsed.file_type, parsed.status, parsed.entries) == ("html", "empty", ())


def test_html_list_page_named_pdf_is_parsed_as_html():
    page = (FIXTURES / "fujian_2025_traditional.html").read_bytes()
    parsed = timed(page, "名单.pdf")
    assert (parsed.file_type, parsed.status, len(parsed.entries)) == ("html", "parsed", 10)


def test_truncated_xlsx_is_unparsed_with_a_reason():
    data = (FIXTURES / "jiangsu_2025.xlsx").read_bytes()
    parsed = timed(data[: len(data) // 2], "名单.xlsx")
    assert (parsed.file_type, parsed.status) == ("xlsx", "unparsed") and parsed.reason


@pytest.mark.parametrize("name", ["hubei_2025_text.pdf", "shandong_2025.docx", "guangdong_2025.xls"])
def test_truncated_files_never_raise(name):
    data = (FIXTURES / name).read_bytes()
    for size in (10, len(data) // 3, len(data) - 100):
        assert timed(data[:size], name).status in ("unparsed", "empty", "parsed")


def test_random_bytes_are_unknown_and_unparsed():
    noise = random.Random(7).randbytes(50_000)
    assert sniff_type(noise) == "unknown"
    parsed = timed(noise, "名单.xlsx")
    assert parsed.status == "unparsed" and parsed.reason


def test_empty_data_never_raises():
    assert timed(b"", "名单.pdf").status in ("unparsed", "empty")


def ole2(stream: str) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + stream.encode("utf-16-le") + bytes(100)


@pytest.mark.parametrize(
    "stream, kind", [("WordDocument", "doc"), ("Workbook", "xls"), ("WpsCustomData", "wps"), ("ETExtData", "et")]
)
def test_ole2_files_are_told_apart_by_stream_names(stream, kind):
    assert sniff_type(ole2(stream)) == kind


def test_zip_types_are_told_apart_by_member_names():
    ofd = io.BytesIO()
    with zipfile.ZipFile(ofd, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("名单.txt", "1.义乌市小商品产业集群")
    assert (sniff_type(ofd.getvalue()), sniff_type(plain.getvalue())) == ("ofd", "zip")
    assert sniff_type("1.义乌市小商品产业集群\n".encode("gb18030")) == "text"


@pytest.mark.parametrize("stream, kind", [("WordDocument", "doc"), ("WpsCustomData", "wps"), ("ETExtData", "et")])
def test_kingsoft_and_word_97_files_need_libreoffice(monkeypatch, stream, kind):
    monkeypatch.setattr(readers.shutil, "which", lambda name: None)
    parsed = timed(ole2(stream), f"名单.{kind}")
    assert (parsed.file_type, parsed.status, parsed.reason) == (kind, "unparsed", "LibreOffice is not installed")


def test_workbook_with_too_much_sheet_xml_is_refused_before_reading():
    noise = random.Random(3)
    rows = "".join(f'<row r="{i}"><c><v>{noise.random()}</v></c></row>' for i in range(200_000))
    sheet = b"<worksheet><sheetData>" + rows.encode()
    data = office_zip("xl", "xl/worksheets/sheet1.xml", sheet + b"</sheetData></worksheet>")
    parsed = timed(data, "名单.xlsx")
    assert parsed.status == "refused" and "XML" in parsed.reason
