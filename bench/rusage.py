"""``python bench/rusage.py OUT.json COMMAND...``: run COMMAND, wait for it and for every process it
started (worker processes included, even those that outlive it: this process is their subreaper),
and write their CPU seconds (user + sys, from the OS), the exit code, the peak memory of the
process tree (summed PSS, sampled from /proc every 50 ms) and the largest single process's peak
RSS (from the OS) to OUT.json."""

from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys
import threading
import time

PR_SET_CHILD_SUBREAPER = 36


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def pss(pid: int | str) -> int:
    """Proportional set size of a process in bytes: its resident memory, pages shared with other
    processes (a forked worker's copy of the modules) counted by share, so a tree's sum is real."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def tree_pss(root: int) -> int:
    """Memory of ``root`` and its descendants now (summed PSS)."""
    return sum(pss(pid) for pid in descendants(root))


def main() -> None:
    out, command = sys.argv[1], sys.argv[2:]
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss(os.getpid()) - pss("self"))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    wall = time.perf_counter() - started
    while True:  # orphaned workers were re-parented to us: wait for them too
        try:
            os.wait()
        except ChildProcessError:
            break
    done.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "cpu": usage.ru_utime + usage.ru_stime,
                "wall": wall,
                "exit": code,
                "peak_mb": peak / 2**20,
                "max_process_rss_mb": usage.ru_maxrss / 1024,
            },
            handle,
        )


if __name__ == "__main__":
    main()
