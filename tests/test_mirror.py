import urllib.error
import urllib.request

import pytest

from crawler.mirror import host_map_for, resolve, serve_mirror


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
