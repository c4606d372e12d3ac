"""Extraction in worker processes, awaited from the crawl's asyncio loop, so that a crawl uses more
than one core: Scrapy and the store keep the crawl's own process busy, extraction is the rest."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from crawler.extract.notice import Notice, extract_notice


def exit_with(pid: int) -> None:
    """In a worker process: exit once process ``pid`` (the crawl) is gone. A killed crawl cannot
    stop its workers, which would otherwise wait for work forever."""

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(pid, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its pid reused by another user)
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-crawl", daemon=True).start()


def _in_asyncio() -> bool:
    """True when an asyncio loop runs this coroutine (Scrapy's default reactor), which can await a
    worker's result; another Twisted reactor cannot."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class ExtractionPool:
    """Runs :func:`extract_notice` in ``processes`` worker processes once ``after`` pages have been
    extracted in this one (a short crawl does not pay for starting them), and in this process when
    ``processes`` is 0 or a worker has died. The results are the same either way."""

    def __init__(self, processes: int, after: int = 0):
        self.processes, self.after = processes, after
        self.extracted = 0
        self.executor: ProcessPoolExecutor | None = None
        self.broken = False

    @property
    def started(self) -> bool:
        """True once worker processes were started."""
        return self.executor is not None

    async def extract(self, *args, **kwargs) -> Notice:
        """``extract_notice(*args, **kwargs)``, in a worker process when the pool has one."""
        self.extracted += 1
        if self.processes <= 0 or self.broken or self.extracted <= self.after or not _in_asyncio():
            return extract_notice(*args, **kwargs)
        if self.executor is None:
            # forkserver: workers start from a clean process, holding none of the crawl's sockets,
            # threads or its lock file; they exit when the crawl does, even when it was killed.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.extract"])
            self.executor = ProcessPoolExecutor(self.processes, mp_context=context, initializer=exit_with,
                                                initargs=(os.getpid(),))
        try:
            return await asyncio.wrap_future(self.executor.submit(extract_notice, *args, **kwargs))
        except BrokenProcessPool:  # a worker was killed (out of memory, say): go on without workers
            self.broken = True
            return extract_notice(*args, **kwargs)

    def close(self) -> None:
        """Stop the worker processes."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
