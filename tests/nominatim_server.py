"""A local server on 127.0.0.1 that answers like Nominatim, scripted per query.

``/search?q=…&format=json`` answers a JSON list of places (empty when it knows none), as
Nominatim does. A test can script the next answers for a query (an HTTP status with headers,
a stall longer than the client's timeout, a body that is not JSON, a gzip bomb, an answer that
trickles in a byte at a time) with :meth:`script`::

    server.script("Lemuria", status(500), stall(1.0))  # then the usual answer
    server.script("Broken", then=status(500))  # always 500

Every request is recorded with its arrival time (``time.monotonic()``), path, parameters and
User-Agent.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")

KNOWN = {
    "lemuria": {"lat": "36.4000", "lon": "25.4000", "display_name": "Lemuria, Aegean Sea"},
    "cibola": {"lat": "5.0000", "lon": "-61.0000", "display_name": "Cibola, Guyana"},
    "xanadu": {"lat": "27.8000", "lon": "99.7000", "display_name": "Xanadu, Yunnan"},
    "avalon": {"lat": "51.1500", "lon": "-2.7100", "display_name": "Avalon, Somerset"},
}


@dataclass(frozen=True)
class Reply:
    """One scripted answer. ``body=None`` is Nominatim's answer for the query."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    stall: float = 0.0  # seconds to wait before answering
    trickle: float = 0.0  # seconds between the bytes of an answer that never ends


OK = Reply()


def status(code: int, **headers: str) -> Reply:
    """An HTTP error; ``status(429, Retry_After="3")`` sends ``Retry-After: 3``."""
    return Reply(code, {k.replace("_", "-"): v for k, v in headers.items()}, b"{}")


def stall(seconds: float) -> Reply:
    """The usual answer, but only after ``seconds``: longer than the client waits."""
    return Reply(stall=seconds)


def gzip_bomb(size: int) -> Reply:
    """A valid JSON answer of ``size`` bytes once decompressed, sent gzipped (a thousandth of
    that on the wire), whether the client asked for gzip or not."""
    body = gzip.compress(b"[" + b" " * (size - 2) + b"]", compresslevel=9)
    return Reply(200, {"Content-Encoding": "gzip"}, body)


def trickle(interval: float) -> Reply:
    """An answer that promises a megabyte and sends one byte every ``interval`` seconds, until
    the client gives up (or the server closes)."""
    return Reply(trickle=interval)


def garbage(body: bytes = b"<html><body>Service temporarily moved</body></html>") -> Reply:
    return Reply(200, {"Content-Type": "text/html"}, body)


@dataclass(frozen=True)
class Request:
    at: float
    path: str
    params: dict[str, str]
    user_agent: str | None

    @property
    def query(self) -> str:
        return self.params.get("q", "")


class _Handler(BaseHTTPRequestHandler):
    server: NominatimServer

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        request = Request(time.monotonic(), url.path, params, self.headers.get("User-Agent"))
        self.server.requests.append(request)
        reply = self.server.next_reply(request.query)
        if reply.stall and self.server.closing.wait(reply.stall):
            return
        if reply.trickle:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                while not self.server.closing.wait(reply.trickle):
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:
                pass  # the client gave up: as it should
            return
        body = reply.body
        if body is None:
            place = self.server.places.get(" ".join(request.query.casefold().split()))
            body = json.dumps([dict(place, place_id=1)] if place else []).encode()
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json", **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class NominatimServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, places: dict[str, dict[str, str]] | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.places = {k: dict(v) for k, v in (KNOWN if places is None else places).items()}
        self.requests: list[Request] = []
        self.closing = threading.Event()
        self._script: dict[str, deque[Reply]] = {}
        self._then: dict[str, Reply] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True)

    @property
    def domain(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"

    @property
    def queries(self) -> list[str]:
        return [r.query for r in self.requests]

    def script(self, query: str, *replies: Reply, then: Reply | None = None) -> None:
        """Answer the next requests for ``query`` with ``replies``, then with ``then``."""
        key = query.casefold()
        with self._lock:
            self._script.setdefault(key, deque()).extend(replies)
            if then is not None:
                self._then[key] = then

    def next_reply(self, query: str) -> Reply:
        key = query.casefold()
        with self._lock:
            queue = self._script.get(key)
            return queue.popleft() if queue else self._then.get(key, OK)

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a stalled answer closes the connection: expected

    def __enter__(self) -> NominatimServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.closing.set()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
