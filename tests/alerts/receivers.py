"""Real receivers on 127.0.0.1 for alert tests: one HTTP server for webhooks and robots, and an
SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


class HttpReceiver:
    """Records every POST (path, query, headers, JSON or form body); answers like the real robot APIs, and fails
    the first ``fail_first[path_prefix]`` requests to a path with HTTP 500."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail_first: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                for prefix, remaining in receiver.fail_first.items():
                    if parts.path.startswith(prefix) and remaining > 0:
                        receiver.fail_first[prefix] = remaining - 1
                        self.send_response(500)
                        self.end_headers()
                        return
                form = self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
                receiver.requests.append(
                    {
                        "path": parts.path,
                        "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "headers": dict(self.headers),
                        "form": {k: v[0] for k, v in parse_qs(body.decode()).items()} if form else None,
                        "json": None if form else json.loads(body),
                    }
                )
                answer = json.dumps({"code": 0} if "open-apis" in parts.path else {"errcode": 0, "errmsg": "ok"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def on(self, prefix: str) -> list[dict]:
        return [r for r in self.requests if r["path"].startswith(prefix)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """An SMTP server on 127.0.0.1 keeping every message it accepts."""

    def __init__(self):
        self.messages: list[dict] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                receiver.messages.append(
                    {
                        "to": envelope.rcpt_tos,
                        "from": envelope.mail_from,
                        "data": envelope.content.decode("utf-8", "replace"),
                    }
                )
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self):
        self.controller.stop()
