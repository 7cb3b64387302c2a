"""A real HTTP endpoint for webhook tests: http.server on 127.0.0.1 in a thread.

pytest plugin (conftest.py: ``pytest_plugins``). The fixture ``webhook_receiver`` records every
POST (path, headers with lower-case names, body, arrival time) and answers 200, or the statuses scripted for a path:
``webhook_receiver.script("/down", 500)`` answers 500 for ever, ``script("/flaky", 500, 200)``
answers 500 once and then 200 (the last status repeats). Use ``webhook_receiver.url("/path")``
as an organisation's webhook_url.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    status: int  # what the receiver answered
    received_at: float  # time.monotonic()


class WebhookReceiver:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._requests: list[ReceivedRequest] = []
        self._scripts: dict[str, list[int]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # http.server's hook name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._record(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                payload = b'{"ok": true}' if status < 300 else b'{"ok": false}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):  # quiet: the test reads `requests`
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True)

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def url(self, path: str = "/hook") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def script(self, path: str, *statuses: int) -> None:
        """Answer POSTs to `path` with these statuses in turn; the last one repeats."""
        with self._lock:
            self._scripts[path] = list(statuses)

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            script = self._scripts.get(path) or [200]
            status = script.pop(0) if len(script) > 1 else script[0]
            self._requests.append(ReceivedRequest(path, headers, body, status, time.monotonic()))
            self._lock.notify_all()
            return status

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    def wait_for(self, count: int, timeout: float, path: str | None = None) -> bool:
        """Wait until at least `count` requests (to `path`, if given) have arrived."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while sum(1 for r in self._requests if path is None or r.path == path) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True


@pytest.fixture
def webhook_receiver():
    """A running webhook endpoint on 127.0.0.1, stopped after the test."""
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
