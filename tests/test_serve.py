"""`crawler serve`: Datasette on a crawled database, opened in headless Chromium."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.conftest import FAST, ROOT, host_map_args, run_cli

SEED_TITLE = "2025年浙江省中小企業特色產業集群名單公布"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """Two crawls of a copy of the cixidb mirror, the seed notice edited in between."""
    base = tmp_path_factory.mktemp("serve")
    tree, db = base / "sites", base / "notices.db"
    shutil.copytree(DEFAULT_TREE / "www.cixidb.cn", tree / "www.cixidb.cn")
    page = tree / "www.cixidb.cn/news/627/627509.html"
    with serve_mirror(tree) as mirror:
        args = ["crawl", "cixidb", "--db", str(db), *host_map_args(host_map_for(tree, mirror)), *FAST, "--revisit", "all"]
        assert run_cli(*args).returncode == 0
        page.write_text(page.read_text(encoding="utf-8").replace("等17個", "等18個"), encoding="utf-8")
        assert run_cli(*args).returncode == 0
    return db


@pytest.fixture(scope="module")
def server(database):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--db", str(database), "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


def browse(url: str, tmp_path) -> str:
    """The DOM of ``url`` after headless Chromium rendered it."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_notices_table_lists_the_seed_notice(server, tmp_path):
    page = browse(f"{server}/notices/notices", tmp_path)
    assert SEED_TITLE in page and "Current state of every notice" in page


def test_full_text_search_finds_the_seed_notice_in_simplified_chinese(server, tmp_path):
    page = browse(f"{server}/notices/notices?_search=产业集群", tmp_path)
    assert SEED_TITLE in page
    assert "河北省第二轮中央生态环境保护督察整改任务销号公示" not in page


def test_recent_changes_query_shows_the_diff(server, tmp_path):
    page = browse(f"{server}/notices/recent_changes", tmp_path)
    assert SEED_TITLE in page and "等1[-7-]{+8+}个产业集群" in page


def test_atom_feed_of_new_notices(server):
    with urllib.request.urlopen(f"{server}/notices/new_notices_feed.atom") as answer:
        feed = answer.read().decode()
    assert "<feed" in feed and SEED_TITLE in feed
