import pytest

from crawler.downloader.host_map import HostMapError, mapped_url, parse_host_map


def test_entries_from_options_and_environment_form():
    assert parse_host_map(
        "jxt.zj.gov.cn=http://127.0.0.1:8800/jxt.zj.gov.cn, www.cixidb.cn=http://127.0.0.1:8801/"
    ) == {
        "jxt.zj.gov.cn": "http://127.0.0.1:8800/jxt.zj.gov.cn",
        "www.cixidb.cn": "http://127.0.0.1:8801",
    }


@pytest.mark.parametrize("entry", ["jxt.zj.gov.cn", "=http://127.0.0.1", "jxt.zj.gov.cn=127.0.0.1:80"])
def test_malformed_entries_are_refused(entry):
    with pytest.raises(HostMapError, match="HOST=BASE_URL"):
        parse_host_map([entry])


def test_mapped_url_keeps_path_and_query():
    mapping = {"jxt.zj.gov.cn": "http://127.0.0.1:8800/jxt.zj.gov.cn"}
    assert mapped_url("https://jxt.zj.gov.cn/module/jpage/dataproxy.jsp?startrecord=16&perpage=15", mapping) == (
        "http://127.0.0.1:8800/jxt.zj.gov.cn/module/jpage/dataproxy.jsp?startrecord=16&perpage=15"
    )
    assert mapped_url("https://www.miit.gov.cn/", mapping) is None
