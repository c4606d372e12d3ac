"""Local mirror: serves recorded site trees on 127.0.0.1 under their real URL paths (tests, demo).

A tree holds one folder per host (``<tree>/jxt.zj.gov.cn/col/col1229123/index.html``). The mirror
answers ``/<host>/<path>`` with that file, so one server stands in for every host and the host map
entry of a host is ``HOST=http://127.0.0.1:PORT/HOST``. A URL with a query string is the file named
``<path>?<query>``; a path ending in ``/`` is its ``index.html``; POST bodies are not looked at.
A file ``<name>.status`` beside a recorded file holds the HTTP status to answer it with (a recorded
412 challenge page, say). Answers carry ETag and Last-Modified and honour conditional requests.

``faults`` (a :class:`FaultPlan`, or its text form, see :func:`parse_faults`) makes the mirror answer
some requests the ways government sites fail: per path (glob, or ``re:`` regex) for the first N
requests of each path, and/or at random with a seed and a rate. Every injected fault is logged.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import mimetypes
import random
import re
import socket
import struct
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_TREE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sites"


def resolve(tree: Path, raw_path: str) -> Path | None:
    """The recorded file for a request path ``/<host>/<path>[?query]``, or None."""
    parts = urlsplit(raw_path)
    path = unquote(parts.path)
    if path.endswith("/"):
        path += "index.html"
    name = path.lstrip("/") + (f"?{unquote(parts.query)}" if parts.query else "")
    candidate = (tree / name).resolve()
    root = tree.resolve()
    if root not in candidate.parents or len(candidate.relative_to(root).parts) < 2 or not candidate.is_file():
        return None  # outside the tree, or not inside a host folder
    return candidate


def content_type(path: Path, body: bytes) -> str:
    """The type by file extension; for server scripts (.jsp, .aspx) and extension-less paths,
    sniffed from the first bytes (XML data or HTML)."""
    name = path.name.split("?")[0]
    guessed = mimetypes.guess_type(name)[0]
    if guessed and not name.endswith((".jsp", ".aspx", ".do", ".php")):
        return guessed
    head = body.lstrip()[:100].lower()
    if head.startswith((b"<?xml", b"<datastore")):
        return "text/xml"
    if head.startswith((b"{", b"[")):
        return "application/json"
    return "text/html" if head.startswith(b"<") else "application/octet-stream"


FAULTS = (
    "http_500",
    "http_502",
    "http_503",
    "reset",
    "slow",
    "truncated",
    "empty",
    "soft404",
    "redirect_loop",
    "redirect_offsite",
    "redirect_loopback",
    "redirect_private",
    "huge",
    "gbk_as_utf8",
    "utf8_as_gbk",
    "challenge",
    "http_429",
)
HUGE_BYTES = 10 * 1024 * 1024
_SOFT_404 = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
    '<link rel="stylesheet" href="/css/common.css"></head><body><div class="header"><div class="logo">'
    '<img src="/images/logo.png" alt=""></div><ul class="nav"><li><a href="/">首页</a></li><li><a href="/col/xxgk/">'
    '信息公开</a></li><li><a href="/col/zwfw/">政务服务</a></li><li><a href="/col/hdjl/">互动交流</a></li></ul></div>'
    '<div class="error-page"><div class="error-img"></div><p class="error-tip">{message}</p>'
    '<p>您可以：<a href="/">返回首页</a> 或 <a href="javascript:history.back()">返回上一页</a></p></div>'
    '<div class="footer"><p>主办单位：省工业和信息化厅　网站标识码：3300000001</p><p>ICP备案号：浙ICP备05000000号</p>'
    "</div></body></html>"
)
SOFT_404_PAGES = (
    _SOFT_404.format(title="页面不存在", message="对不起，您访问的页面不存在或已被删除！").encode(),
    _SOFT_404.format(title="提示信息", message="该信息已删除或已过期，请浏览其他信息。").encode(),
)
CHALLENGE_PAGE = (
    b'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b'<meta id="9DhefwqGPrzGxEp9hPaoag" content="ZKKs6Q"><script type="text/javascript">'
    b"$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=51286;$_ts.cd=\"qEyrrrAlq\";</script>"
    b'<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.7bd8ae1.js" r="m">'
    b"</script></head><body></body></html>"
)
_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([\w-]+)", re.I)


@dataclass
class FaultPlan:
    """Which requests the mirror answers with a fault.

    ``rules``: (pattern, fault, times): requests whose path (``/<host>/<path>[?query]``) matches the
    glob (or the regular expression after ``re:``) get ``fault`` — the first ``times`` requests of
    each such path only, then the real answer (a burst), or every one with ``times`` 0. Besides,
    each other request for a recorded file gets a fault drawn from ``random_faults`` with probability ``rate``
    (robots.txt excepted), from a generator seeded with ``seed``. ``slow_seconds`` is how long a
    slow answer takes; ``retry_after`` the seconds a 429 asks for.
    """

    rules: list = field(default_factory=list)
    rate: float = 0.0
    seed: int = 0
    random_faults: tuple = FAULTS
    slow_seconds: float = 3.0
    retry_after: int = 1

    def __post_init__(self) -> None:
        unknown = {rule[1] for rule in self.rules} - set(FAULTS) | set(self.random_faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s) {sorted(unknown)}; known: {', '.join(FAULTS)}")
        self._random = random.Random(self.seed)
        self._seen: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()

    def fault_for(self, path: str, recorded: bool) -> str | None:
        """The fault to inject into this request, or None for the real answer."""
        with self._lock:
            for number, (pattern, fault, times) in enumerate(self.rules):
                matches = (
                    re.search(pattern[3:], path) if pattern.startswith("re:") else fnmatch.fnmatchcase(path, pattern)
                )
                if matches:
                    count = self._seen[(number, path)] = self._seen.get((number, path), 0) + 1
                    if not times or count <= times:
                        return fault
            if recorded and self.rate and not path.endswith("/robots.txt") and self._random.random() < self.rate:
                return self._random.choice(self.random_faults)
        return None


def parse_faults(text: str) -> FaultPlan:
    """``"PATTERN=FAULT[:TIMES],...;rate=0.2;seed=7;random_faults=http_500,reset"`` → a :class:`FaultPlan`
    (``;``-separated parts; the part without ``name=`` before the first ``=`` sign holds the rules)."""
    options: dict = {"rules": []}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, _, value = part.partition("=")
        if name in ("rate", "slow_seconds"):
            options[name] = float(value)
        elif name in ("seed", "retry_after"):
            options[name] = int(value)
        elif name == "random_faults":
            options["random_faults"] = tuple(f.strip() for f in value.split(",") if f.strip())
        else:
            for rule in filter(None, (r.strip() for r in part.split(","))):
                pattern, _, fault = rule.rpartition("=")
                fault, _, times = fault.partition(":")
                options["rules"].append((pattern, fault, int(times or 0)))
    return FaultPlan(**options)


class _Handler(BaseHTTPRequestHandler):
    server_version = "zhengce-watch-mirror"
    tree: Path
    log: list
    faults: FaultPlan | None = None
    fault_log: list

    def _serve(self, with_body: bool) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.log.append((self.command, self.path))
        found = resolve(self.tree, self.path)
        fault = self.faults.fault_for(self.path, found is not None) if self.faults else None
        if self.faults and "loop=1" in urlsplit(self.path).query:
            fault = "redirect_loop"  # the second step of a loop goes back to the first
        if fault:
            self.fault_log.append((self.path, fault))
            self._inject(fault, found, with_body)
            return
        if found is None:
            self._answer(
                404,
                b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
                {"Content-Type": "text/html"},
                with_body,
            )
            return
        body = found.read_bytes()
        sidecar = found.with_name(found.name + ".status")
        status = int(sidecar.read_text().strip()) if sidecar.is_file() else 200
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = formatdate(found.stat().st_mtime, usegmt=True)
        headers = {"Content-Type": content_type(found, body), "ETag": etag, "Last-Modified": modified}
        if status == 200 and (
            self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == modified
        ):
            self._answer(304, b"", headers, False)
            return
        self._answer(status, body, headers, with_body)

    def _answer(self, status: int, body: bytes, headers: dict, with_body: bool, length: int | None = None) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _inject(self, fault: str, found: Path | None, with_body: bool) -> None:
        """Answer with ``fault`` instead of the recorded file."""
        body = found.read_bytes() if found else b"<html><body><p>page</p></body></html>"
        mime = content_type(found, body) if found else "text/html"
        html = {"Content-Type": "text/html; charset=utf-8"}
        here = f"http://127.0.0.1:{self.server.server_address[1]}"
        if fault.startswith("http_5"):
            self._answer(int(fault[5:]), b"<html><body><h1>Service Unavailable</h1></body></html>", html, with_body)
        elif fault == "http_429":
            self._answer(
                429,
                b"<html><body>Too Many Requests</body></html>",
                {**html, "Retry-After": str(self.faults.retry_after)},
                with_body,
            )
        elif fault == "challenge":
            self._answer(412, CHALLENGE_PAGE, html, with_body)
        elif fault == "empty":
            self._answer(200, b"", html, with_body)
        elif fault == "soft404":
            self._answer(200, SOFT_404_PAGES[len(self.fault_log) % 2], html, with_body)
        elif fault == "huge":
            filler = "<p>" + "本页内容过大，" * 60 + "</p>\n"
            page = (
                "<html><head><title>超大页面</title></head><body>" + filler * (HUGE_BYTES // len(filler.encode()) + 1)
            ).encode()
            self._answer(200, page[:HUGE_BYTES], html, with_body)
        elif fault.startswith("redirect_"):
            back = re.sub(r"[?&]loop=1$", "", self.path)
            there = self.path + ("&" if "?" in self.path else "?") + "loop=1"
            target = {
                "redirect_loop": f"{here}{back if back != self.path else there}",
                "redirect_offsite": "http://www.example.com/index.html",
                "redirect_loopback": f"{here}/admin/",
                "redirect_private": "http://10.0.0.1/admin/",
            }[fault]
            self._answer(302, b"", {"Location": target, "Content-Type": "text/html"}, with_body)
        elif fault in ("gbk_as_utf8", "utf8_as_gbk"):
            self._answer(200, *_relabel(body, mime, to_gbk=fault == "gbk_as_utf8"), with_body)
        elif fault == "truncated":
            self._answer(200, body[: len(body) // 2], {"Content-Type": mime}, with_body, length=len(body) + 100)
            self.close_connection = True
        elif fault == "slow":
            time.sleep(self.faults.slow_seconds)
            self._answer(200, body, {"Content-Type": mime}, with_body)
        elif fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:  # the client gave up (a slow answer) or the socket was reset on purpose
            self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(True)

    def do_POST(self) -> None:  # noqa: N802
        self._serve(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        return


def _relabel(body: bytes, mime: str, to_gbk: bool) -> tuple[bytes, dict]:
    """The page in GBK labelled UTF-8 (``to_gbk``), or in UTF-8 labelled GBK: header and meta both lie."""
    if not mime.startswith(("text/", "application/json", "application/xml")):
        return body, {"Content-Type": mime}  # a binary file has no charset to lie about
    text = None
    for codec in ("utf-8", "gb18030"):
        try:
            text = body.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    text = text if text is not None else body.decode("utf-8", "replace")
    claimed, real = ("utf-8", "gb18030") if to_gbk else ("gbk", "utf-8")
    data = _CHARSET.sub(lambda m: m[0][: m.start(1) - m.start(0)] + claimed.encode(), text.encode(real, "replace"))
    return data, {"Content-Type": f"{mime.split(';')[0]}; charset={claimed}"}


def hosts_in(tree: Path) -> list[str]:
    """The hosts recorded in ``tree`` (its top-level folders)."""
    return sorted(p.name for p in tree.iterdir() if p.is_dir())


def host_map_for(tree: Path, base_url: str) -> dict[str, str]:
    """Host map entries that send every host of ``tree`` to the mirror at ``base_url``."""
    return {host: f"{base_url.rstrip('/')}/{host}" for host in hosts_in(tree)}


class MirrorURL(str):
    """The mirror's base URL; ``.requests`` is its log of (method, path) requests, in order, and
    ``.faults`` the (path, fault) of every fault it injected."""

    requests: list
    faults: list


@contextmanager
def serve_mirror(tree: Path = DEFAULT_TREE, port: int = 0, faults: FaultPlan | str | None = None):
    """Serve ``tree`` on 127.0.0.1 in a background thread; yields the base URL (a str whose
    ``requests`` attribute logs every request and ``faults`` every injected fault)."""
    log: list = []
    fault_log: list = []
    plan = parse_faults(faults) if isinstance(faults, str) else faults
    handler = type(
        "MirrorHandler", (_Handler,), {"tree": Path(tree), "log": log, "faults": plan, "fault_log": fault_log}
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = MirrorURL(f"http://127.0.0.1:{server.server_address[1]}")
    base.requests = log
    base.faults = fault_log
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """``python -m crawler.mirror [TREE] [--port N] [--faults SPEC]``: serve a tree until interrupted
    (``--faults "*/art/*=http_503:2;rate=0.1;seed=1"``: see ``parse_faults``)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("tree", nargs="?", type=Path, default=DEFAULT_TREE)
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--faults", default=None, help=f"faults to inject; known: {', '.join(FAULTS)}")
    args = parser.parse_args()
    with serve_mirror(args.tree, args.port, args.faults) as base:
        entries = ",".join(f"{h}={u}" for h, u in host_map_for(args.tree, base).items())
        print(f"serving {args.tree} at {base}\nCRAWLER_HOST_MAP={entries}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
