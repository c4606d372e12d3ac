"""Bad input gives empty fields or a clear error, never an exception (its time is in bench/)."""

import os

import pytest

from crawler.extract import extract_notice

PARAGRAPH = "<p>各市经信局：现将有关事项通知如下，请认真贯彻落实。</p>\n"
CASES = {
    "empty": b"",
    "whitespace": b"  \n\t ",
    "random bytes": os.urandom(300_000),
    "pdf": b"%PDF-1.7\n" + os.urandom(100_000),
    "xlsx": b"PK\x03\x04" + os.urandom(100_000),
    "unclosed tags": b"<html><body><div><p>unclosed <b>bold <table><tr><td>cell</div>" * 200,
    "deep nesting": b"<html><body>" + b"<div>" * 50_000 + "正文。".encode() + b"</div>" * 50_000,
    "10 MB of paragraphs": ("<html><head><title>通知</title></head><body>" + PARAGRAPH * 200_000).encode(),
    "10 MB table": (
        "<html><body><table>" + "<tr><td>1</td><td>浙江某某公司</td><td>杭州市</td></tr>" * 200_000
    ).encode(),
    "10 MB inline image": (
        '<html><body><p>通知正文，请查收。</p><img src="data:image/png;base64,' + "A" * 10_000_000 + '"></body></html>'
    ).encode(),
    "script only": b"<html><head><script>" + b"var a = 1;" * 100_000 + b"</script></head></html>",
    "gbk with nul bytes": "<html><body><p>通知</p>".encode("gbk") + b"\x00" * 100,
}


@pytest.mark.parametrize("name", CASES)
def test_bad_pages_never_raise(name):
    notice = extract_notice("https://jxt.zj.gov.cn/art/2025/7/16/art_1_2.html", CASES[name])
    assert isinstance(notice.body, str) and isinstance(notice.attachments, list)


@pytest.mark.parametrize("name", ["pdf", "xlsx", "random bytes"])
def test_binary_bodies_are_named_as_errors(name):
    notice = extract_notice("https://example.gov.cn/a", CASES[name])
    assert notice.error and notice.error.startswith("not an HTML page") and notice.body == ""


def test_a_huge_page_says_it_was_cut():
    notice = extract_notice("https://example.gov.cn/a", CASES["10 MB of paragraphs"])
    assert "only its first" in notice.error and notice.body.startswith("各市经信局")


def test_inline_images_do_not_count_against_the_size_limit():
    notice = extract_notice("https://example.gov.cn/a", CASES["10 MB inline image"])
    assert notice.error is None and notice.body == "通知正文，请查收。"
