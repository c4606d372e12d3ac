"""Concurrency: while crawls write, Datasette (`crawler serve`) answers every query and two
`crawler alert` processes deliver over and over at the same time: no "database is locked", every
event routed, every delivery sent exactly once, and a last `crawler alert` finds nothing to send."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.app.serving import metadata_for
from crawler.mirror import host_map_for, serve_mirror
from crawler.store import Store
from tests.alerts.receivers import HttpReceiver
from tests.conftest import ROOT, copy_site, host_map_args
from tests.served import free_port

SITES = {
    "zj_jxt": "jxt.zj.gov.cn",
    "cixidb": "www.cixidb.cn",
    "js_gxt": "gxt.jiangsu.gov.cn",
    "sd_gxt": "gxt.shandong.gov.cn",
    "ah_jxt": "jx.ah.gov.cn",
}
# Slow enough that the readers and the alert passes overlap many writes.
PACED = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_ENABLED=False"]
EDITED_PAGE = ("www.cixidb.cn/news/627/627509.html", "等17個", "等18個")
ALERTERS = 2
RECEIVER_LATENCY = 0.05  # seconds a webhook takes to answer, as a real one does: sends overlap
LOCKED = "database is locked"


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler", *args]


@pytest.fixture
def datasette(tmp_path):
    """`crawler serve` on a new, empty database; yields (database, base URL, stderr file)."""
    db = tmp_path / "notices.db"
    Store(db).close()
    port, log = free_port(), tmp_path / "serve.log"
    with open(log, "wb") as errors:
        process = subprocess.Popen(
            cli("serve", "--db", str(db), "--port", str(port)),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield db, base, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # `crawler serve` and its Datasette child
        process.wait(timeout=30)


def reader_urls(db: Path, base: str) -> list[str]:
    """Table pages, every canned query and full-text searches, as JSON and as HTML."""
    queries = metadata_for(db)["databases"][db.stem].get("queries", {})
    search = urllib.parse.quote("集群")
    paths = [
        "notices.json?_size=20",
        "versions.json?_size=5&_sort_desc=id",
        "events.json?_size=50",
        "deliveries.json?_size=50",
        "fetches.json?_size=20&_sort_desc=id",
        "clusters.json",
        f"notices.json?_search={search}",
        f"notices?_search={search}",
        "notices",
        *(f"{name}.json" for name in queries),
        *queries,
    ]
    return [f"{base}/{db.stem}/{path}" for path in paths]


class Loop(threading.Thread):
    """Calls ``step`` over and over until stopped; keeps what went wrong."""

    def __init__(self, step):
        super().__init__(daemon=True)
        self.step, self.stopping, self.problems, self.rounds = step, threading.Event(), [], 0

    def run(self):
        while not self.stopping.is_set():
            problem = self.step()
            self.rounds += 1
            if problem:
                self.problems.append(problem)

    def stop(self):
        self.stopping.set()
        self.join(timeout=120)


def test_datasette_and_alerts_work_while_crawls_write_and_every_delivery_goes_once(datasette, tmp_path, tally):
    db, base, serve_log = datasette
    tree = copy_site(tmp_path, *SITES.values())
    receiver = HttpReceiver()
    handler = receiver.server.RequestHandlerClass
    answer = handler.do_POST

    def slow_answer(self):
        time.sleep(RECEIVER_LATENCY)
        answer(self)

    handler.do_POST = slow_answer
    hook = f"json://127.0.0.1:{receiver.server.server_address[1]}"
    config = tmp_path / "alerts.toml"
    config.write_text(
        '[[subscriptions]]\nname = "everything"\n'
        'events = ["new", "changed", "removed", "source_broken"]\n'
        f'channels = ["{hook}/everything"]\n',
        encoding="utf-8",
    )
    # The built-in cluster-list subscription sends too: a cluster list is two deliveries.
    env = {**{k: v for k, v in os.environ.items() if k != "CRAWLER_CONFIG"}, "CRAWLER_ALERT_URLS": f"{hook}/clusters"}
    alert = cli("alert", "--db", str(db), "--config", str(config))

    urls = reader_urls(db, base)
    reads = itertools.count()

    def read():
        url = urls[next(reads) % len(urls)]
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            return f"{url}: HTTP {exc.code} {exc.read()[:300]!r}"
        except OSError as exc:
            return f"{url}: {exc}"
        return None

    def deliver():
        result = subprocess.run(alert, check=False, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
        if result.returncode != 0 or LOCKED in result.stderr:
            return f"crawler alert exit {result.returncode}: {result.stdout[-500:]} {result.stderr[-1500:]}"
        return None

    readers, alerters = [Loop(read) for _ in range(2)], [Loop(deliver) for _ in range(ALERTERS)]
    try:
        with serve_mirror(tree) as mirror:
            crawl = cli(
                "crawl", *SITES, "--db", str(db), *host_map_args(host_map_for(tree, mirror)), *PACED, "--revisit", "all"
            )
            for loop in (*readers, *alerters):
                loop.start()
            first = subprocess.run(
                crawl, check=False, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
            )
            page, before, after = EDITED_PAGE
            path = tree / page
            path.write_text(path.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
            second = subprocess.run(
                crawl, check=False, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
            )
        rounds = [loop.rounds for loop in alerters]
        deadline = time.monotonic() + 60  # each alert pass runs at least twice more after the crawls
        while any(loop.rounds < r + 2 for loop, r in zip(alerters, rounds)) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        for loop in (*readers, *alerters):
            loop.stop()
    sent_before_last = len(receiver.requests)
    last = subprocess.run(alert, check=False, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    receiver.close()

    for result in (first, second):
        assert result.returncode == 0, result.stdout[-1000:] + result.stderr[-2000:]
        assert LOCKED not in result.stderr
    assert LOCKED not in serve_log.read_text(errors="replace")
    problems = [p for loop in (*readers, *alerters) for p in loop.problems]
    assert not problems, "\n".join(problems[:10])
    assert sum(loop.rounds for loop in readers) > 50 and all(loop.rounds >= 3 for loop in alerters)

    store = Store(db)
    try:
        events = store.db.execute("select count(*) from events").fetchone()[0]
        unrouted = store.db.execute("select count(*) from events where routed_at is null").fetchone()[0]
        changed = store.db.execute("select count(*) from events where kind = 'changed'").fetchone()[0]
        deliveries = [dict(r) for r in store.db.query("select id, event_id, subscription, status from deliveries")]
    finally:
        store.close()
    hits = Counter((r["path"], str(r["json"].get("event_id"))) for r in receiver.requests)
    paths = {"everything": "/everything", "default": "/clusters"}
    expected = Counter((paths[d["subscription"]], str(d["event_id"])) for d in deliveries)
    duplicates = sum(n - 1 for n in hits.values() if n > 1)
    survived = sum(1 for key, n in expected.items() if hits.get(key) == n)
    tally.add("concurrency", duplicate_deliveries=duplicates, survived=survived)

    assert events > 50 and changed >= 1 and unrouted == 0
    assert all(d["status"] == "sent" for d in deliveries)
    assert duplicates == 0, [key for key, n in hits.items() if n > 1][:10]
    assert hits == expected  # every delivery reached its receiver once, and nothing else did
    assert last.returncode == 0 and last.stdout.strip().endswith("0 sent, 0 failed, 0 waiting"), last.stdout
    assert len(receiver.requests) == sent_before_last


def test_a_delivery_claimed_by_one_pass_is_not_taken_by_another_until_its_claim_is_stale(tmp_path):
    first, second = Store(tmp_path / "notices.db"), Store(tmp_path / "notices.db")

    def at(minutes: int) -> str:
        return (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)).isoformat()

    try:
        event = first.db["events"].insert({"kind": "new", "created_at": at(0)}).last_pk
        first.route_event(
            event, [{"subscription": "s", "channel_key": "k", "channel": "json", "digest": "immediate"}], at(0)
        )
        (delivery,) = [d["id"] for d in second.due_deliveries(at(0), at(-15))]
        assert first.claim_deliveries([delivery], at(0), at(-15)) == [delivery]
        assert second.claim_deliveries([delivery], at(1), at(-14)) == []
        assert second.due_deliveries(at(1), at(-14)) == []
        # The first pass died mid-send: once its claim is stale, the delivery is due again.
        assert second.claim_deliveries([delivery], at(20), at(5)) == [delivery]
        second.mark_sent([delivery], at(20))
        assert first.claim_deliveries([delivery], at(60), at(45)) == []
    finally:
        first.close()
        second.close()
