"""Shared test fixtures: the bundled mirror of the recorded sites, and running the real CLI."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from crawler.siteconf import load_sites
from tests.reliability.tally import TALLY

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


def run_cli(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``python -m crawler ARGS`` in a fresh process, as a user or cron would."""
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_map_args(mapping: dict[str, str]) -> list[str]:
    return [arg for host, base in mapping.items() for arg in ("--host-map", f"{host}={base}")]


def copy_site(root: Path, *hosts: str) -> Path:
    """A private copy of the recorded trees of ``hosts`` under ``root/sites``, to edit in a test."""
    tree = root / "sites"
    for host in hosts:
        shutil.copytree(DEFAULT_TREE / host, tree / host)
    return tree


def edit_page(page: Path, change) -> None:
    """Change a recorded page by ``change(text)``, keeping its encoding (UTF-8, or GBK where the site is GBK)."""
    raw = page.read_bytes()
    encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        encoding = "gbk"
        text = raw.decode(encoding)
    page.write_bytes(change(text).encode(encoding))


def crawl(tree: Path, db: Path, *names: str, extra=()) -> tuple[subprocess.CompletedProcess, list[tuple[str, str]]]:
    """``crawler crawl NAMES`` into ``db`` with every host of ``tree`` served by the mirror; the
    result and the (method, path) requests the mirror answered."""
    with serve_mirror(tree) as base:
        result = run_cli("crawl", *names, "--db", str(db), *host_map_args(host_map_for(tree, base)), *FAST, *extra)
        return result, list(base.requests)


def recorded_detail_urls(tree: Path, site_name: str) -> set[str]:
    """Real URLs of every recorded page of ``site_name`` that its detail pattern accepts."""
    site = load_sites()[site_name]
    scheme = urlsplit(site.start_urls[0]).scheme
    urls = set()
    for host in site.hosts:
        for path in (tree / host).rglob("*"):
            url = f"{scheme}://{host}/{path.relative_to(tree / host).as_posix()}"
            if path.is_file() and site.is_detail_url(url):
                urls.add(url)
    return urls


@pytest.fixture(scope="session")
def mirror():
    """The bundled recorded sites served on 127.0.0.1; yields the host map."""
    with serve_mirror(DEFAULT_TREE) as base:
        yield host_map_for(DEFAULT_TREE, base)


def pytest_sessionfinish(session):
    """(an xdist worker) Hand this worker's reliability figures to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["reliability"] = json.dumps({suite: vars(row) for suite, row in TALLY.rows.items()})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """(the xdist controller) Add up the reliability figures of a worker that finished."""
    for suite, figures in json.loads(getattr(node, "workeroutput", {}).get("reliability", "{}")).items():
        TALLY.add(suite, **figures)


def pytest_terminal_summary(terminalreporter):
    """The reliability table, when the fault and crash suites ran."""
    if TALLY.rows:
        terminalreporter.section("reliability")
        for text in TALLY.table():
            terminalreporter.write_line(text)
