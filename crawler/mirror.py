"""Local mirror: serves recorded site trees on 127.0.0.1 under their real URL paths (tests, demo).

A tree holds one folder per host (``<tree>/jxt.zj.gov.cn/col/col1229123/index.html``). The mirror
answers ``/<host>/<path>`` with that file, so one server stands in for every host and the host map
entry of a host is ``HOST=http://127.0.0.1:PORT/HOST``. A URL with a query string is the file named
``<path>?<query>``; a path ending in ``/`` is its ``index.html``; POST bodies are not looked at.
A file ``<name>.status`` beside a recorded file holds the HTTP status to answer it with (a recorded
412 challenge page, say). Answers carry ETag and Last-Modified and honour conditional requests.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import threading
from contextlib import contextmanager
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
    kind = mimetypes.guess_type(name)[0]
    if kind and not name.endswith((".jsp", ".aspx", ".do", ".php")):
        return kind
    head = body.lstrip()[:100].lower()
    if head.startswith((b"<?xml", b"<datastore")):
        return "text/xml"
    if head.startswith((b"{", b"[")):
        return "application/json"
    return "text/html" if head.startswith(b"<") else "application/octet-stream"


class _Handler(BaseHTTPRequestHandler):
    server_version = "zhengce-watch-mirror"
    tree: Path
    log: list

    def _serve(self, with_body: bool) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.log.append((self.command, self.path))
        found = resolve(self.tree, self.path)
        if found is None:
            self._answer(404, b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
                         {"Content-Type": "text/html"}, with_body)
            return
        body = found.read_bytes()
        sidecar = found.with_name(found.name + ".status")
        status = int(sidecar.read_text().strip()) if sidecar.is_file() else 200
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = formatdate(found.stat().st_mtime, usegmt=True)
        headers = {"Content-Type": content_type(found, body), "ETag": etag, "Last-Modified": modified}
        if status == 200 and (self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == modified):
            self._answer(304, b"", headers, False)
            return
        self._answer(status, body, headers, with_body)

    def _answer(self, status: int, body: bytes, headers: dict, with_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(True)

    def do_POST(self) -> None:  # noqa: N802
        self._serve(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        return


def hosts_in(tree: Path) -> list[str]:
    """The hosts recorded in ``tree`` (its top-level folders)."""
    return sorted(p.name for p in tree.iterdir() if p.is_dir())


def host_map_for(tree: Path, base_url: str) -> dict[str, str]:
    """Host map entries that send every host of ``tree`` to the mirror at ``base_url``."""
    return {host: f"{base_url.rstrip('/')}/{host}" for host in hosts_in(tree)}


class MirrorURL(str):
    """The mirror's base URL; ``.requests`` is its log of (method, path) requests, in order."""

    requests: list


@contextmanager
def serve_mirror(tree: Path = DEFAULT_TREE, port: int = 0):
    """Serve ``tree`` on 127.0.0.1 in a background thread; yields the base URL (a str whose
    ``requests`` attribute logs every request)."""
    log: list = []
    handler = type("MirrorHandler", (_Handler,), {"tree": Path(tree), "log": log})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = MirrorURL(f"http://127.0.0.1:{server.server_address[1]}")
    base.requests = log
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """``python -m crawler.mirror [TREE] [--port N]``: serve a tree until interrupted."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("tree", nargs="?", type=Path, default=DEFAULT_TREE)
    parser.add_argument("--port", type=int, default=8800)
    args = parser.parse_args()
    with serve_mirror(args.tree, args.port) as base:
        entries = ",".join(f"{h}={u}" for h, u in host_map_for(args.tree, base).items())
        print(f"serving {args.tree} at {base}\nCRAWLER_HOST_MAP={entries}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
