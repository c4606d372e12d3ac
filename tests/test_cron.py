"""`crawler run` under cron: never two at once, and a killed run does not block the next."""

import os
import signal
import subprocess
import sys
import time

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.conftest import ROOT, host_map_args

SLOW = ["-s", "DOWNLOAD_DELAY=0.3", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]


def start_run(db, mapping):
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "run", "cixidb", "--db", str(db), "--quiet", *host_map_args(mapping), *SLOW],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_runs_started_together_one_crawls_one_exits_with_the_lock_code(tmp_path):
    db = tmp_path / "data" / "notices.db"
    with serve_mirror(DEFAULT_TREE) as base:
        mapping = host_map_for(DEFAULT_TREE, base)
        runs = [start_run(db, mapping), start_run(db, mapping)]
        results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 5], results
    locked = next(r for r in results if r[0] == 5)
    assert "another run is in progress" in locked[2]


def test_a_killed_run_leaves_no_lock_behind(tmp_path):
    db = tmp_path / "data" / "notices.db"
    lock = db.parent / ".crawler.lock"
    with serve_mirror(DEFAULT_TREE) as base:
        mapping = host_map_for(DEFAULT_TREE, base)
        victim = start_run(db, mapping)
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock.read_text().strip() == str(victim.pid)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        follower = start_run(db, mapping)
        code = follower.wait(timeout=300)
    assert code == 0, follower.communicate()
