"""Extraction in worker processes, awaited from the crawl's asyncio loop, so that a crawl uses more
than one core: Scrapy and the store keep the crawl's own process busy, extraction is the rest.

Each worker is a forkserver process at the end of a pipe, read by the crawl's event loop. The crawl's
thread writes a page and reads a result without any hand-over thread: ``ProcessPoolExecutor`` needed
two threads per call and cost the crawl's process 0.5–0.9 ms of CPU per page against 0.2–0.3 here
(30 KB pages, measured in an ad-hoc loop). At most :data:`IN_FLIGHT` pages wait in a worker's pipe,
the rest in this process; the worker answers from a thread of its own, so neither side can wait on
a full pipe while the other does.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections import deque

IN_FLIGHT = 8  # pages sent to a worker and not answered yet: it never waits for the next


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


def _serve(conn, parent: int) -> None:
    """A worker's life: run each call read from ``conn`` and send back ``(ok, result or error)``.
    Answers go out from a thread of their own, so the worker reads on while the crawl is busy
    elsewhere: a crawl writing a large page never waits on a worker waiting to write its answer."""
    exit_with(parent)
    answers: queue.SimpleQueue = queue.SimpleQueue()

    def send() -> None:
        while (answer := answers.get()) is not None:
            try:
                conn.send_bytes(answer)
            except OSError:  # the crawl is gone
                os._exit(0)

    sender = threading.Thread(target=send, name="answers", daemon=True)
    sender.start()
    while True:
        try:
            function, args, kwargs = pickle.loads(conn.recv_bytes())
        except EOFError:  # the crawl closed the pool, or is gone
            break
        try:
            answer = pickle.dumps((True, function(*args, **kwargs)), pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # the crawl's process raises it where the call was awaited
            answer = pickle.dumps((False, _portable(error)), pickle.HIGHEST_PROTOCOL)
        answers.put(answer)
    answers.put(None)
    sender.join()


def _portable(error: Exception) -> Exception:
    """``error`` if it survives pickling, else a RuntimeError that names it."""
    try:
        pickle.loads(pickle.dumps(error, pickle.HIGHEST_PROTOCOL))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")


class WorkerGone(Exception):
    """The worker process ended before it answered."""


class _Worker:
    """One worker process, its end of the pipe, and the calls sent to it or waiting to be."""

    def __init__(self, context) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, os.getpid()), daemon=True, name="crawler-extract")
        self.process.start()
        child.close()
        self.sent: deque[asyncio.Future] = deque()  # answers awaited, in the order they come back
        self.waiting: deque[tuple[asyncio.Future, bytes]] = deque()
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def gone(self) -> bool:
        """True once the worker failed or was closed."""
        return self.conn.closed

    @property
    def load(self) -> int:
        return len(self.sent) + len(self.waiting)

    def call(self, loop: asyncio.AbstractEventLoop, payload: bytes) -> asyncio.Future:
        if self.loop is not loop:  # asyncio.run() in a test makes a new loop per call
            if self.loop is not None and not self.loop.is_closed():
                self.loop.remove_reader(self.conn.fileno())
            loop.add_reader(self.conn.fileno(), self._readable)
            self.loop = loop
        future = loop.create_future()
        self.waiting.append((future, payload))
        self._send()
        return future

    def _send(self) -> None:
        while self.waiting and len(self.sent) < IN_FLIGHT:
            future, payload = self.waiting.popleft()
            try:
                self.conn.send_bytes(payload)
            except OSError:
                self.waiting.appendleft((future, payload))
                self.fail()
                return
            self.sent.append(future)

    def _readable(self) -> None:
        try:
            while self.sent and self.conn.poll():
                data = self.conn.recv_bytes()
                future = self.sent.popleft()
                try:
                    ok, value = pickle.loads(data)
                except Exception as error:
                    ok, value = False, RuntimeError(f"the worker's answer could not be read: {error!r}")
                if not future.done():
                    (future.set_result if ok else future.set_exception)(value)
        except (EOFError, OSError):
            self.fail()
            return
        if not self.sent and self.conn.poll():  # readable with nothing awaited: the worker ended
            self.fail()
            return
        self._send()

    def fail(self) -> None:
        """The worker is gone: every call sent to it or waiting fails with :class:`WorkerGone`."""
        self.close()
        for future in [*self.sent, *(future for future, _ in self.waiting)]:
            # A crawl stopped at once closes its loop first: nothing awaits these any more.
            if not future.done() and not future.get_loop().is_closed():
                future.set_exception(WorkerGone())
        self.sent.clear()
        self.waiting.clear()

    def close(self) -> None:
        if self.loop is not None and not self.loop.is_closed() and not self.conn.closed:
            self.loop.remove_reader(self.conn.fileno())
        if not self.conn.closed:
            self.conn.close()  # the worker reads EOF and returns
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


def _in_asyncio() -> asyncio.AbstractEventLoop | None:
    """The asyncio loop running this coroutine (Scrapy's default reactor), which can await a
    worker's result; None under another Twisted reactor, which cannot."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class ExtractionPool:
    """Runs extraction (:meth:`call` of a pure module-level function such as
    :func:`~crawler.extract.notice.extract_notice`) in ``processes`` worker processes once ``after``
    calls have run in this one (a short crawl does not pay for starting them), and in this process
    when ``processes`` is 0 or a worker has died. The results are the same either way."""

    def __init__(self, processes: int, after: int = 0):
        self.processes, self.after = processes, after
        self.calls = 0
        self.workers: list[_Worker] = []
        self.broken = False

    @property
    def started(self) -> bool:
        """True once worker processes were started."""
        return bool(self.workers)

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers."""
        return [worker.process.pid for worker in self.workers]

    async def call(self, function, *args, **kwargs):
        """``function(*args, **kwargs)`` (a module-level function, pure), in a worker when the pool has one."""
        self.calls += 1
        loop = _in_asyncio()
        if self.processes <= 0 or self.broken or self.calls <= self.after or loop is None:
            return function(*args, **kwargs)
        if not self.workers:
            # forkserver: workers start from a clean process, holding none of the crawl's sockets,
            # threads or its lock file; they exit when the crawl does, even when it was killed.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.extract", "crawler.records"])
            self.workers = [_Worker(context) for _ in range(self.processes)]
        if any(worker.gone for worker in self.workers):
            return self._without_workers(function, *args, **kwargs)
        payload = pickle.dumps((function, args, kwargs), pickle.HIGHEST_PROTOCOL)
        try:
            return await min(self.workers, key=lambda worker: worker.load).call(loop, payload)
        except WorkerGone:
            return self._without_workers(function, *args, **kwargs)

    def _without_workers(self, function, *args, **kwargs):
        """A worker was killed (out of memory, say): this call and the next run in this process."""
        self.broken = True
        self.close()
        return function(*args, **kwargs)

    def close(self) -> None:
        """Stop the worker processes."""
        for worker in self.workers:
            worker.fail()
        self.workers = []
