from crawler.extract.encoding import decode_html

TEXT = "<html><head>{meta}</head><body><p>浙江省经济和信息化厅关于公布名单的通知</p></body></html>"


def test_gbk_page_that_claims_utf8_decodes_correctly():
    page = TEXT.format(meta='<meta charset="utf-8">').encode("gbk")
    text, codec = decode_html(page)
    assert "浙江省经济和信息化厅" in text and codec == "gb18030"


def test_gbk_page_without_declaration():
    text, _ = decode_html(TEXT.format(meta="").encode("gb2312"))
    assert "关于公布名单的通知" in text


def test_utf8_page_that_claims_gbk_in_the_header():
    text, codec = decode_html(TEXT.format(meta="").encode("utf-8"), "text/html; charset=gbk")
    assert "浙江省经济和信息化厅" in text and codec == "utf-8"


def test_gb18030_only_characters_survive():
    page = TEXT.format(meta='<meta charset="gb2312">').replace("名单", "名单𠀀").encode("gb18030")
    assert "名单𠀀" in decode_html(page)[0]
