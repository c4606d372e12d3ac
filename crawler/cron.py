"""What makes `crawler run` safe under cron: one run at a time, a rotating log file, alerts after
the crawl, and an exit code that says how it went."""

from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from crawler.crawl import LOG_FORMAT

LOG_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5


class LockHeld(RuntimeError):
    """Another run holds the lock."""


@contextmanager
def run_lock(path: Path):
    """Hold an exclusive lock on ``path`` for the block. The OS releases it when the process ends,
    so a run that was killed never blocks the next one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockHeld(f"another run is in progress (pid {holder}, lock {path})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def log_to_file(directory: Path) -> Path:
    """Also log everything (INFO and up) to ``directory/crawler.log``, rotated at 5 MB, 5 kept."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "crawler.log"
    handler = RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(logging.INFO)
    handler.keep = True  # survives the console set-up of a crawl
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    return path
