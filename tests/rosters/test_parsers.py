"""Every fixture format gives its gold list: xlsx, xls, docx (a table, Word-numbered paragraphs),
pdf (a table over two pages, a text-only list), a body HTML table in Traditional characters, a
numbered list in a body; and the type always comes from the bytes."""

import json
from pathlib import Path

import pytest

from crawler.rosters import entries_from_body, parse_attachment, sniff_type

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rosters"
SITES = Path(__file__).parents[1] / "fixtures" / "sites"
SEED_PDF = SITES / "jxt.zj.gov.cn/module/download/downfile.jsp?classid=0&filename=6042fb38cea96a6e558070f7b5613d8f.pdf"
ATTACHMENTS = {
    "zhejiang_2025.pdf": "pdf",
    "zhejiang_review_2pages.pdf": "pdf",
    "hubei_2025_text.pdf": "pdf",
    "jiangsu_2025.xlsx": "xlsx",
    "guangdong_2025.xls": "xls",
    "shandong_2025.docx": "docx",
    "anhui_2025_numbered.docx": "docx",
    "fujian_2025_traditional.html": "html",
}


def gold(name: str) -> list[dict]:
    return json.loads((FIXTURES / f"{name}.gold.json").read_text())


def accuracy(expected: list[dict], entries) -> float:
    """Share of gold entries matched exactly on seq, name, city, county and industry."""
    got = {(e.seq, e.name, e.city, e.county, e.industry) for e in entries}
    hits = sum((g["seq"], g["name"], g["city"], g["county"], g["industry"]) in got for g in expected)
    return hits / len(expected)


@pytest.mark.parametrize("name", sorted(ATTACHMENTS))
def test_attachment_gives_its_gold_list(name):
    parsed = parse_attachment((FIXTURES / name).read_bytes(), name)
    assert (parsed.status, parsed.reason, parsed.file_type) == ("parsed", None, ATTACHMENTS[name])
    assert accuracy(gold(name), parsed.entries) >= 0.98
    assert len(parsed.entries) == len(gold(name))


@pytest.mark.parametrize("name", sorted(ATTACHMENTS))
def test_type_comes_from_the_bytes_not_the_name(name):
    data = (FIXTURES / name).read_bytes()
    assert sniff_type(data) == ATTACHMENTS[name]
    misnamed = parse_attachment(data, "名单.txt" if ATTACHMENTS[name] != "text" else "名单.xlsx")
    assert misnamed.file_type == ATTACHMENTS[name] and misnamed.entries == parse_attachment(data, name).entries


def test_seed_notice_pdf_on_the_mirror_is_the_17_cluster_list():
    parsed = parse_attachment(SEED_PDF.read_bytes(), "2025年浙江省中小企业特色产业集群名单.pdf", province="浙江省")
    assert parsed.status == "parsed" and [e.seq for e in parsed.entries] == list(range(1, 18))
    first = parsed.entries[0]
    assert (first.name, first.province, first.city, first.county, first.industry) == (
        "杭州市滨江区具身智能机器人产业集群",
        "浙江省",
        "杭州市",
        "滨江区",
        "具身智能机器人",
    )
    assert SEED_PDF.read_bytes() == (FIXTURES / "zhejiang_2025.pdf").read_bytes()


def test_other_columns_are_kept_by_header_text():
    entries = parse_attachment((FIXTURES / "jiangsu_2025.xlsx").read_bytes()).entries
    assert entries[0].extra == {"主导产业": "电子信息", "牵头单位": "昆山市工业和信息化局"}
    assert entries[-1].extra == {"主导产业": "眼镜"}


def test_region_column_fills_places_a_name_lacks():
    entry = parse_attachment((FIXTURES / "jiangsu_2025.xlsx").read_bytes()).entries[5]
    assert (entry.name, entry.city, entry.county, entry.industry) == (
        "锂电新能源产业集群",
        "常州市",
        "溧阳市",
        "锂电新能源",
    )


def test_traditional_names_are_kept_as_published_and_normalised_to_simplified():
    entries = entries_from_body("", (FIXTURES / "fujian_2025_traditional.html").read_text())
    assert entries[0].name == "福州市長樂區紡織化纖產業集群"
    assert entries[0].name_normalized == "福州市长乐区纺织化纤产业集群"
    assert accuracy(gold("fujian_2025_traditional.html"), entries) >= 0.98


def test_body_table_printed_as_text_rows_gives_the_list():
    body = (FIXTURES / "fujian_2025_traditional.body.txt").read_text()
    assert accuracy(gold("fujian_2025_traditional.html"), entries_from_body(body)) >= 0.98


def test_numbered_list_in_a_body_gives_the_list_and_skips_numbered_prose():
    entries = entries_from_body((FIXTURES / "sichuan_2025_body.txt").read_text(), province="四川省")
    assert accuracy(gold("sichuan_2025_body.txt"), entries) >= 0.98 and len(entries) == 9
    assert {e.province for e in entries} == {"四川省"}


def test_body_without_a_list_gives_no_entries():
    body = "各市经信局：\n为促进中小企业发展，现将有关事项通知如下：\n一、各集群要聚焦特色优势产业。\n1.请于3月31日前报送。"
    assert entries_from_body(body, "<html><body><p>无表格</p></body></html>") == []


def test_a_page_table_outside_the_body_is_no_list():
    html = (
        "<html><body><div id='side'><table><tr><th>序号</th><th>名称</th><th>价格</th></tr>"
        "<tr><td>1</td><td>西本钢材指数</td><td>3500</td></tr><tr><td>2</td><td>FTZ指数</td><td>1.2</td></tr>"
        "</table></div><div id='zoom'><p>1.义乌市小商品制造产业集群</p><p>2.永康市五金产业集群</p></div></body></html>"
    )
    entries = entries_from_body("1.义乌市小商品制造产业集群\n2.永康市五金产业集群", html)
    assert [(e.seq, e.name, e.city) for e in entries] == [
        (1, "义乌市小商品制造产业集群", "金华市"),
        (2, "永康市五金产业集群", "金华市"),
    ]
