"""ExtractionPool: extraction in a worker process gives the notices extraction in the crawl's own
process gives, and a crawl goes on in-process when its worker dies."""

import asyncio
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest

from crawler.extract import extract_notice
from crawler.extract.pool import ExtractionPool
from crawler.records import extract_detail
from crawler.siteconf import load_sites
from tests.conftest import DEFAULT_TREE, ROOT, copy_site, crawl


def _pages() -> list[tuple[str, str, bytes]]:
    """(site, url, bytes) of the recorded detail pages of a bureau and of a republisher."""
    pages = []
    for name in ("zj_jxt", "cixidb"):
        site = load_sites()[name]
        host = site.hosts[0]
        for path in sorted((DEFAULT_TREE / host).rglob("*.htm*")):
            url = f"https://{host}/{path.relative_to(DEFAULT_TREE / host).as_posix()}"
            if site.is_detail_url(url):
                pages.append((name, url, path.read_bytes()))
    return pages


def test_a_worker_process_extracts_what_this_process_extracts():
    pages = _pages()
    assert len(pages) >= 6
    sites = load_sites()

    async def both():
        pool = ExtractionPool(1, after=0)
        try:
            results = [await pool.call(extract_notice, url, body, sites[name].hints) for name, url, body in pages]
            assert pool.started
        finally:
            pool.close()
        return results

    in_worker = asyncio.run(both())
    here = [extract_notice(url, body, sites[name].hints) for name, url, body in pages]
    assert in_worker == here
    assert all(n.title and len(n.body_normalized) > 100 for n in here)


def test_the_first_pages_of_a_run_are_extracted_in_process():
    pool = ExtractionPool(1, after=3)
    name, url, body = _pages()[0]
    hints = load_sites()[name].hints
    for _ in range(3):
        asyncio.run(pool.call(extract_notice, url, body, hints))
    assert not pool.started  # a short run never starts a worker
    asyncio.run(pool.call(extract_notice, url, body, hints))
    assert pool.started
    pool.close()


def test_a_killed_worker_makes_the_pool_extract_in_process():
    name, url, body = _pages()[0]
    hints = load_sites()[name].hints
    expected = extract_notice(url, body, hints)

    async def run():
        pool = ExtractionPool(1, after=0)
        try:
            assert await pool.call(extract_notice, url, body, hints) == expected
            for pid in pool.pids:
                os.kill(pid, signal.SIGKILL)
            # The pool notices the dead worker on this or the next call, and goes on without it.
            results = [await pool.call(extract_notice, url, body, hints) for _ in range(3)]
            assert pool.broken
            return results
        finally:
            pool.close()

    assert asyncio.run(run()) == [expected] * 3


class _Unpicklable(Exception):
    def __init__(self, code: int, detail: str):  # pickle cannot build it again from its args
        super().__init__(f"{code}: {detail}")


def _raise_unpicklable(code: int):
    raise _Unpicklable(code, "no such page")


def test_an_error_in_the_worker_is_raised_where_the_call_was_awaited():
    async def run():
        pool = ExtractionPool(1, after=0)
        try:
            with pytest.raises(ValueError, match="invalid literal"):
                await pool.call(int, "not a number")
            with pytest.raises(RuntimeError, match="_Unpicklable: 404: no such page"):
                await pool.call(_raise_unpicklable, 404)
            return await pool.call(int, "42"), pool.broken
        finally:
            pool.close()

    assert asyncio.run(run()) == (42, False)  # the worker lives on


def test_pages_larger_than_the_pipe_go_both_ways_with_many_in_flight():
    """Neither side may wait on a full pipe while the other does: pages of 0.7 MB holding 0.6 MB of text, all sent at once."""
    name, url, body = _pages()[0]
    hints = load_sites()[name].hints
    paragraphs = "".join(f"<p>第{n}条 通知正文，企业名单与说明。</p>" for n in range(12_000)).encode()
    large = body.replace(
        b'<div id="zoom" class="article-content">', b'<div id="zoom" class="article-content">' + paragraphs
    )
    assert len(large) > 700_000 and not extract_notice(url, large, hints).error

    async def run():
        pool = ExtractionPool(1, after=0)
        try:
            results.extend(
                await asyncio.gather(*(pool.call(extract_detail, url, large, hints, pack=True) for _ in range(12)))
            )
        finally:
            pool.close()

    results = []
    # A deadlock blocks a thread in a write, where no asyncio timeout reaches: watch from outside.
    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the crawl's process and the worker wait on each other"
    notice, (digest, compressed) = results[0]
    assert all(result == results[0] for result in results)
    assert zlib.decompress(compressed) == large and digest == hashlib.sha256(large).hexdigest()
    assert notice == extract_notice(url, large, hints) and len(notice.body) > 200_000


def _stored(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select n.url, n.title, n.published_at, n.content_hash, v.body, v.attachments"
            " from notices n join versions v on v.notice_id = n.id order by n.url"
        ).fetchall()
        snapshots = conn.execute("select sha256, compressed from snapshots order by sha256").fetchall()
    # The raw pages kept, compressed in the worker or by the store: each one whole.
    assert all(hashlib.sha256(zlib.decompress(data)).hexdigest() == digest for digest, data in snapshots)
    return rows + [digest for digest, _ in snapshots]


def test_a_crawl_stores_the_same_notices_with_and_without_the_worker(tmp_path):
    tree = copy_site(tmp_path, "jxt.zj.gov.cn", "www.cixidb.cn")
    with_worker, without = tmp_path / "worker.db", tmp_path / "inprocess.db"
    first, _ = crawl(tree, with_worker, "zj_jxt", "cixidb", extra=("-s", "CRAWLER_EXTRACT_PROCESS_AFTER=0"))
    second, _ = crawl(tree, without, "zj_jxt", "cixidb", extra=("-s", "CRAWLER_EXTRACT_PROCESSES=0"))
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    stored = _stored(with_worker)
    assert len(stored) >= 6 and stored == _stored(without)


WORKER_HOLDER = """
import asyncio, sys, time
from crawler.extract import extract_notice
from crawler.extract.pool import ExtractionPool
pool = ExtractionPool(1)
asyncio.run(pool.call(extract_notice, "https://a.gov.cn/1.html", b"<html><body><p>" + "通知正文。".encode() * 20 + b"</p></body></html>"))
print(*pool.pids, flush=True)
time.sleep(600)
"""


def test_workers_exit_when_the_crawl_is_killed():
    holder = subprocess.Popen([sys.executable, "-c", WORKER_HOLDER], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    workers = [int(pid) for pid in holder.stdout.readline().split()]
    assert workers and all(_alive(pid) for pid in workers)
    holder.kill()  # SIGKILL: nothing in the crawl's process runs any more
    holder.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_a_pool_closed_after_its_event_loop_closes_quietly():
    """A crawl stopped at once (a second Ctrl-C) closes its loop with pages still in the worker."""
    loop = asyncio.new_event_loop()
    pool = ExtractionPool(1, after=0)
    task = loop.create_task(pool.call(time.sleep, 3))
    loop.run_until_complete(asyncio.sleep(0.5))  # sent to the worker, not answered
    workers = pool.pids
    loop.close()
    pool.close()
    assert workers and not pool.started and not any(_alive(pid) for pid in workers)
    assert not task.done()  # it will never run again: the loop is gone


def test_under_another_twisted_reactor_it_extracts_in_process():
    """Without an asyncio loop (a reactor other than Scrapy's default) there is nothing to await a
    worker with: the coroutine completes at once, in this process."""
    name, url, body = _pages()[0]
    hints = load_sites()[name].hints
    pool = ExtractionPool(1, after=0)
    coroutine = pool.call(extract_notice, url, body, hints)
    try:
        coroutine.send(None)
    except StopIteration as done:
        result = done.value
    assert result == extract_notice(url, body, hints) and not pool.started
