import pytest

from crawler.extract.dates import as_datetime, find_date, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年07月16日15:51 來源:浙江省經信廳", "2025-07-16T15:51:00+08:00"),
        ("发布时间：2025-07-16 15:51:03", "2025-07-16T15:51:03+08:00"),
        ("发布日期：2025/7/16", "2025-07-16"),
        ("浙江省经济和信息化厅\n二〇二五年七月十一日", "2025-07-11"),
        ("二〇二四年十二月三十一日", "2024-12-31"),
        ("2025.03.05", "2025-03-05"),
    ],
)
def test_common_chinese_forms(text, expected):
    assert find_date(text) == expected


def test_impossible_dates_are_skipped():
    assert find_date("2025-02-30 then 2025-03-01") == "2025-03-01"


def test_dateparser_reads_other_forms():
    assert parse_date("July 3, 2024").startswith("2024-07-03")


def test_bare_dates_become_midnight_in_china():
    assert as_datetime("2025-07-11") == "2025-07-11T00:00:00+08:00"


def test_no_date():
    assert parse_date("各市经信局") is None
