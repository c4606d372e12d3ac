"""Driving a fleet of Scrapyd nodes: one ``shard`` job per shard, then the central merge of their exports.

Shard I of N runs on node (I-1) mod len(nodes), so a shard always lands on the same node and its
database (``--shard-db-dir``/shard-I-of-N.db on that node) keeps its incremental state between runs.
Scrapyd's HTTP API is spoken with the standard library: ``schedule.json``, ``listjobs.json``,
``cancel.json``; each job's summary and export are read from the node's ``/items/`` files.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from crawler.app.crawl import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL
from crawler.app.locks import LockHeld
from crawler.app.merging import MergeError, MergeReport, merge_shards

SPIDER = "shard"
POLL_SECONDS = 2.0
HTTP_TIMEOUT = 30


class ScrapydError(Exception):
    """A Scrapyd node that could not be reached, or that answered ``"status": "error"``."""


@dataclass
class ShardJob:
    """One shard's job: where it ran, how it ended, and what its summary (the feed's line) says."""

    shard: int
    count: int
    node: str
    job: str = ""
    state: str = "unscheduled"  # pending, running, finished, or unscheduled / lost / timed out
    problem: str = ""  # why this shard is not merged, or what its run did not read
    summary: dict = field(default_factory=dict)
    merged: bool = False

    @property
    def label(self) -> str:
        return f"shard {self.shard}/{self.count} on {self.node}" + (f" job {self.job}" if self.job else "")

    def items_url(self, project: str, suffix: str) -> str:
        return f"{self.node}/items/{project}/{SPIDER}/{self.job}.{suffix}"

    def logs_url(self, project: str) -> str:
        return f"{self.node}/logs/{project}/{SPIDER}/{self.job}.log"


@dataclass
class FleetReport:
    """Every shard's job, and the merge of those whose export was there."""

    jobs: list[ShardJob]
    merge: MergeReport | None

    @property
    def exit_code(self) -> int:
        if not any(job.merged for job in self.jobs):
            return EXIT_FAILED
        return EXIT_PARTIAL if any(job.problem for job in self.jobs) else EXIT_OK

    def lines(self) -> list[str]:
        """One line per shard, then the merge's."""
        out = []
        for job in self.jobs:
            totals = job.summary.get("totals") or {}
            done = (
                f"{len(job.summary.get('sites', []))} site(s), {totals.get('pages_fetched', 0)} pages fetched, "
                f"{totals.get('new', 0)} new, {totals.get('changed', 0)} changed"
            )
            if job.merged:
                out.append(f"{job.label}: {done}, merged" + (f"; {job.problem}" if job.problem else ""))
            else:
                out.append(f"{job.label}: NOT MERGED: {job.problem}")
        out.extend(self.merge.summary().splitlines() if self.merge else ["nothing merged"])
        return out


def _call(node: str, endpoint: str, params: dict | list, post: bool = False) -> dict:
    """Scrapyd's JSON answer to ``endpoint``; a ScrapydError when it is not ``ok``."""
    query = urlencode(params, doseq=True)
    url = f"{node}/{endpoint}"
    request = Request(url, data=query.encode()) if post else Request(f"{url}?{query}")
    try:
        with urlopen(request, timeout=HTTP_TIMEOUT) as answer:
            data = json.load(answer)
    except (URLError, OSError, ValueError) as exc:
        raise ScrapydError(f"{url}: {getattr(exc, 'reason', exc)}") from None
    if data.get("status") != "ok":
        raise ScrapydError(f"{url}: {data.get('message', data)}")
    return data


def _fetch(url: str, method: str = "GET") -> bytes | None:
    """The body at ``url`` (empty for a HEAD), or None when the node has no such file (or cannot be
    reached)."""
    try:
        with urlopen(Request(url, method=method), timeout=HTTP_TIMEOUT) as answer:
            return answer.read()
    except (URLError, OSError):
        return None


def schedule(job: ShardJob, project: str, shard_db_dir: str, args: dict, settings: dict) -> None:
    """Schedule ``job`` on its node (``schedule.json``); records its id, or the reason it failed."""
    job.job = f"{time.strftime('%Y%m%dT%H%M%S')}-{job.shard}of{job.count}-{uuid.uuid4().hex[:6]}"
    db = str(PurePosixPath(shard_db_dir) / f"shard-{job.shard}-of-{job.count}.db")
    every = {"CRAWLER_DB": db, **settings}
    params = [
        ("project", project),
        ("spider", SPIDER),
        ("jobid", job.job),
        ("shard", f"{job.shard}/{job.count}"),
        *args.items(),
        *(("setting", f"{key}={value}") for key, value in every.items()),
    ]
    try:
        _call(job.node, "schedule.json", params, post=True)
    except ScrapydError as exc:
        job.state, job.problem, job.job = "unscheduled", f"could not schedule: {exc}", ""
    else:
        job.state = "pending"


def wait(jobs: list[ShardJob], project: str, timeout: float) -> None:
    """Poll each node's ``listjobs.json`` until every scheduled job has finished, or ``timeout``
    seconds have passed (the jobs still going are then cancelled and reported)."""
    deadline = time.monotonic() + timeout
    waiting = [job for job in jobs if job.state in ("pending", "running")]
    while waiting:
        for node in sorted({job.node for job in waiting}):
            try:
                listed = _call(node, "listjobs.json", {"project": project})
            except ScrapydError as exc:  # a node down for a moment: asked again at the next poll
                for job in (j for j in waiting if j.node == node):
                    job.problem = f"node unreachable while waiting: {exc}"
                continue
            states = {entry["id"]: state for state in ("pending", "running", "finished") for entry in listed[state]}
            for job in (j for j in waiting if j.node == node):
                if job.job in states:
                    job.state, job.problem = states[job.job], ""
                else:  # a node restarted since: Scrapyd keeps its job list in memory
                    job.state, job.problem = "lost", "the node no longer lists this job (restarted?)"
        waiting = [job for job in waiting if job.state in ("pending", "running")]
        if waiting and time.monotonic() >= deadline:
            for job in waiting:
                try:
                    _call(job.node, "cancel.json", {"project": project, "job": job.job}, post=True)
                except ScrapydError:
                    pass
                job.state, job.problem = "timed out", f"still {job.state} after {timeout:g} s: cancelled"
            return
        if waiting:
            time.sleep(POLL_SECONDS)


def collect(job: ShardJob, project: str) -> str | None:
    """The URL of a finished job's export, after reading its summary; None (with the reason in
    ``job.problem``) when the job wrote no summary or no export."""
    if job.state != "finished":
        return None
    feed = _fetch(job.items_url(project, "jl"))
    lines = (feed or b"").decode("utf-8", "replace").splitlines()
    if not lines:
        job.problem = f"the job ended without its summary (it failed: see {job.logs_url(project)})"
        return None
    job.summary = json.loads(lines[-1])
    if not job.summary.get("export"):
        job.problem = f"no export: {job.summary.get('export_error', 'not written')}"
        return None
    url = f"{job.node}/items/{project}/{SPIDER}/{job.summary['export']}"
    if _fetch(url, "HEAD") is None:
        job.problem = f"its export is missing at {url}"
        return None
    if job.summary.get("exit_code"):
        job.problem = f"exit {job.summary['exit_code']}: {job.summary.get('why', '')}"
    return url


def run_fleet(
    nodes: list[str],
    shards: int,
    central_db: Path,
    project: str = "crawler",
    shard_db_dir: str = "data/shards",
    timeout: float = 3600,
    args: dict | None = None,
    settings: dict | None = None,
) -> FleetReport:
    """Crawl ``shards`` shards on the Scrapyd ``nodes`` and merge their exports into ``central_db``."""
    nodes = [node.rstrip("/") for node in nodes]
    jobs = [ShardJob(i, shards, nodes[(i - 1) % len(nodes)]) for i in range(1, shards + 1)]
    for job in jobs:
        schedule(job, project, shard_db_dir, args or {}, settings or {})
    wait(jobs, project, timeout)
    sources = {url: job for job in jobs if (url := collect(job, project))}
    merge = None
    while sources and merge is None:
        try:
            merge = merge_shards(list(sources), central_db)
        except MergeError as exc:  # raised before anything is merged, naming the source: merge the others
            failed = next((url for url in sources if url in str(exc)), None)
            if failed is None:
                raise
            sources.pop(failed).problem = f"its export could not be merged: {exc}"
        except LockHeld as exc:  # the exports stay on the nodes: the next fleet run merges them
            for job in sources.values():
                job.problem = f"not merged now: {exc}"
            sources = {}
    for job in sources.values():
        job.merged = True
    return FleetReport(jobs, merge)
