"""Fields inside the notice text: 文号, 主送, 落款 and the index table, on recorded pages."""

from crawler.extract import extract_notice
from crawler.extract.blocks import Line
from crawler.extract.fields import addressees, doc_number, signature
from crawler.mirror import DEFAULT_TREE

ZJ = DEFAULT_TREE / "jxt.zj.gov.cn/art/2025"


def lines(*texts):
    return [Line(t) for t in texts]


def test_a_doc_number_line_at_the_top_is_the_doc_number():
    body = lines("工信部企业函〔2024〕267号", "各省、自治区、直辖市工业和信息化主管部门：", "为贯彻落实……")
    assert doc_number(body, None) == "工信部企业函〔2024〕267号"
    assert addressees(body) == "各省、自治区、直辖市工业和信息化主管部门"


def test_a_doc_number_cited_in_a_sentence_is_not_this_notice():
    body = lines(
        "各市经信局：",
        "根据《关于印发〈优质中小企业梯度培育管理暂行办法〉的通知》（工信部企业〔2022〕63号），现将有关事项通知如下。",
    )
    assert doc_number(body, None) is None


def test_signature_with_several_issuers_and_a_han_numeral_date():
    body = lines("特此通知。", "工业和信息化部\u3000国家发展改革委", "财政部", "二〇二五年七月十一日")
    assert signature(body) == ("工业和信息化部 国家发展改革委 财政部", "2025-07-11")


def test_signature_on_one_line_and_none_without_a_date():
    assert signature(lines("特此通知。", "浙江省经济和信息化厅 2025年7月11日")) == (
        "浙江省经济和信息化厅",
        "2025-07-11",
    )
    assert signature(lines("一、出台背景", "中小企业是我省制造业的主体。")) == (None, None)


def test_information_disclosure_page_fields():
    page = ZJ / "7/10/art_1582900_28174.html"
    notice = extract_notice("https://jxt.zj.gov.cn/art/2025/7/10/art_1582900_28174.html", page.read_bytes())
    assert notice.doc_number == "浙经信产数〔2025〕174号"
    assert notice.index["索引号"] == "002482241/2025-00174" and notice.index["有效性"] == "有效"
    assert "索引号" not in notice.body and notice.body.startswith("各市、县（市、区）经信局，有关省属企业：")
    assert notice.addressees == "各市、县（市、区）经信局，有关省属企业"
    assert (notice.issuer, notice.signed_at) == ("浙江省经济和信息化厅", "2025-07-08")
    assert notice.dates["index"] == "2025-07-10" and notice.dates["signed"] == "2025-07-08"


def test_traditional_republished_copy_has_simplified_matching_for_its_issuer():
    page = DEFAULT_TREE / "www.cixidb.cn/news/627/627509.html"
    notice = extract_notice("https://www.cixidb.cn/news/627/627509.html", page.read_bytes())
    assert notice.issuer == "浙江省經濟和信息化廳" and notice.signed_at == "2025-07-11"
    assert notice.addressees == "各市、縣(市、區)經信局(寧波不發)"
