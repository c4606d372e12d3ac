"""Attachments of a list notice: which are downloaded, and what a download came to."""

from pathlib import Path

import pytest

from crawler.extract.attachments import Attachment
from crawler.mirror import CHALLENGE_PAGE
from crawler.roster_files import read_download, wanted_attachments

ROSTERS = Path(__file__).resolve().parent / "fixtures" / "rosters"
LIST_FILE = Attachment("名单.docx", "https://jxt.ah.gov.cn/files/mingdan.docx", "docx")


@pytest.mark.parametrize("body, reason", [(CHALLENGE_PAGE, "anti-bot challenge page"), (b"  \n", "empty body")])
def test_a_challenge_or_an_empty_answer_is_a_failed_download_never_an_empty_list(body, reason):
    file = read_download(LIST_FILE, body, "安徽", 1_000_000)
    assert (file.status, file.reason, file.entries, file.data) == ("failed", reason, (), b"")


def test_a_list_file_is_read_into_entries():
    file = read_download(LIST_FILE, (ROSTERS / "anhui_2025_numbered.docx").read_bytes(), "安徽", 10_000_000)
    assert file.status == "parsed" and file.entries


def test_only_list_files_on_the_sites_hosts_are_downloaded():
    attachments = [
        LIST_FILE,
        Attachment("图片.jpg", "https://jxt.ah.gov.cn/files/a.jpg", "jpg"),
        Attachment("外链.xlsx", "https://www.example.com/b.xlsx", "xlsx"),
        LIST_FILE,
    ]
    assert wanted_attachments(attachments, ("jxt.ah.gov.cn",)) == [LIST_FILE]
