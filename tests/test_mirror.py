import http.client
import urllib.error
import urllib.request

import pytest

from crawler.mirror import FaultPlan, host_map_for, parse_faults, resolve, serve_mirror


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "example.gov.cn" / "col").mkdir(parents=True)
    (tmp_path / "example.gov.cn" / "col" / "index.html").write_text("<html>列表</html>", encoding="utf-8")
    (tmp_path / "example.gov.cn" / "list.jsp?page=2").write_text("<datastore/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return tmp_path


def test_paths_resolve_to_recorded_files(tree):
    assert resolve(tree, "/example.gov.cn/col/").name == "index.html"
    assert resolve(tree, "/example.gov.cn/list.jsp?page=2").name == "list.jsp?page=2"
    assert resolve(tree, "/example.gov.cn/../secret.txt") is None
    assert resolve(tree, "/../../etc/passwd") is None
    assert resolve(tree, "/example.gov.cn/missing.html") is None


def test_the_mirror_serves_over_http_and_404s_the_rest(tree):
    with serve_mirror(tree) as base:
        assert host_map_for(tree, base) == {"example.gov.cn": f"{base}/example.gov.cn"}
        with urllib.request.urlopen(f"{base}/example.gov.cn/col/index.html") as answer:
            assert answer.read().decode() == "<html>列表</html>"
        request = urllib.request.Request(f"{base}/example.gov.cn/list.jsp?page=2", data=b"col=1")
        with urllib.request.urlopen(request) as answer:
            assert answer.read() == b"<datastore/>"
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{base}/example.gov.cn/nothing.html")
        assert error.value.code == 404


def fetch(url: str, timeout: float = 5):
    """(status, headers, body) of a GET, whatever its status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_no_faults_means_the_plain_mirror(tree):
    with serve_mirror(tree) as base:
        assert fetch(f"{base}/example.gov.cn/col/index.html")[0] == 200
        assert base.faults == []


def test_a_burst_fails_n_times_then_serves_the_page_and_is_logged(tree):
    plan = FaultPlan(rules=[("/example.gov.cn/col/*", "http_503", 2)])
    with serve_mirror(tree, faults=plan) as base:
        statuses = [fetch(f"{base}/example.gov.cn/col/index.html")[0] for _ in range(3)]
        assert statuses == [503, 503, 200]
        assert base.faults == [("/example.gov.cn/col/index.html", "http_503")] * 2


def test_faults_answer_as_government_sites_fail(tree):
    spec = "re:/index\\.html$=soft404,*/list.jsp*=http_429;retry_after=7"
    with serve_mirror(tree, faults=spec) as base:
        status, _, body = fetch(f"{base}/example.gov.cn/col/index.html")
        assert status == 200 and ("页面不存在" in body.decode() or "该信息已删除" in body.decode())
        status, headers, _ = fetch(f"{base}/example.gov.cn/list.jsp?page=2")
        assert status == 429 and headers["Retry-After"] == "7"


@pytest.mark.parametrize(
    "fault, location",
    [
        ("redirect_offsite", "http://www.example.com/"),
        ("redirect_private", "http://10.0.0.1/"),
        ("redirect_loopback", "http://127.0.0.1:"),
    ],
)
def test_redirect_faults_point_where_they_say(tree, fault, location):
    with serve_mirror(tree, faults=FaultPlan(rules=[("*", fault, 0)])) as base:
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.build_opener(NoRedirects).open(f"{base}/example.gov.cn/col/index.html")
        assert answer.value.code == 302 and answer.value.headers["Location"].startswith(location)


def test_a_gbk_page_labelled_utf8_and_a_truncated_body(tree):
    plan = FaultPlan(rules=[("*/col/*", "gbk_as_utf8", 0), ("*/list.jsp*", "truncated", 0)])
    with serve_mirror(tree, faults=plan) as base:
        status, headers, body = fetch(f"{base}/example.gov.cn/col/index.html")
        assert "charset=utf-8" in headers["Content-Type"] and body.decode("gbk") == "<html>列表</html>"
        with pytest.raises(http.client.IncompleteRead):
            fetch(f"{base}/example.gov.cn/list.jsp?page=2")


def test_random_faults_are_reproducible_with_a_seed(tree):
    def run():
        with serve_mirror(tree, faults=FaultPlan(rate=0.5, seed=3, random_faults=("http_500", "empty"))) as base:
            for _ in range(20):
                fetch(f"{base}/example.gov.cn/col/index.html")
            return list(base.faults)

    first = run()
    assert first == run() and 3 < len(first) < 17


def test_unknown_faults_are_refused():
    with pytest.raises(ValueError, match="unknown fault"):
        parse_faults("*=http_999")
