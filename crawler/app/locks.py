"""The run lock: one run (or merge, backup, restore, prune) at a time on a database, an OS file lock
that a killed process never leaves behind."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from crawler.store.base import storage_errors


class LockHeld(RuntimeError):
    """Another run holds the lock."""


@contextmanager
def run_lock(path: Path):
    """Hold an exclusive lock on ``path`` for the block. The OS releases it when the process ends,
    so a run that was killed never blocks the next one."""
    with storage_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockHeld(f"another run is in progress (pid {holder}, lock {path})") from None
        with storage_errors(path):  # unbuffered: nothing left to fail when the file closes
            os.ftruncate(handle.fileno(), 0)
            os.pwrite(handle.fileno(), str(os.getpid()).encode(), 0)
        yield
