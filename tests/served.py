"""A real `crawler serve` on a free port of 127.0.0.1, and the Chromium this machine has, for the
tests and for the README's screenshots (docs/img/make_screenshots.py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless Chromium as root in a machine without a network: no sandbox, no GPU, and none of the
# background requests (updates, sync, field trials) that would leave 127.0.0.1.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    """Whether ``url`` answers at all (any HTTP status)."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def crawler_serve(db: Path, timeout: float = 60) -> Iterator[str]:
    """`crawler serve --db DB` on a free port, once Datasette answers: its base URL. Stopped (with
    its Datasette) on exit; what it wrote to stderr is in the message when it does not start."""
    port = free_port()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "serve", "--db", str(db), "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while not answers(f"{base}/-/versions.json"):
                if process.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    raise RuntimeError(f"crawler serve did not answer on {base}: {errors.read().decode()[-2000:]}")
                time.sleep(0.1)
            yield base
        finally:
            os.killpg(process.pid, signal.SIGTERM)  # `crawler serve` and its Datasette child
            process.wait(timeout=30)
