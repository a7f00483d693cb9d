"""``storymap watch``: rebuild on every save and reload the browser tab.

One process serves the page on 127.0.0.1 and polls the story file and every route and
media file it names. On a change it rebuilds in the same process (imports, templates and
the gazetteer stay warm, so a rebuild takes tens of milliseconds), writes the page the
same way ``build`` does, and tells the open tabs through Server-Sent Events: ``reload``
after a good build, ``problem`` with the messages after a bad one. A bad edit never
touches the page on disk; the tab keeps the last good page and shows the problem over it.
The reader's chapter survives a reload, because it is in the address (``#chapter-id``).

Only the page, the video and sound files its last good build copied beside it, and the event
stream are served, nothing else from the disk, and only to
requests addressed to this machine's loopback (the ``Host`` a DNS-rebinding page would send is
refused, and the event stream answers only the page's own origin). Messages sent to the page
name files relative to the story's folder, never by an absolute path. Every connection has a
socket timeout, and at most ``MAX_CONNECTIONS`` are served at once: a new one closes the oldest
that has not yet sent its request, so idle connections cannot hold the server's threads.
A rebuild that fails in any way, a bug included, is a problem shown over the last good page.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import queue
import re
import socket
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from storymap.errors import Problem, StoryError, StorymapError

EVENTS_PATH = "/__storymap/events"
POLL_SECONDS = 0.015  # how often the files are looked at: a few stat calls
SETTLE_SECONDS = 0.02  # after a failed build, for a save in progress to finish ...
SETTLE_TRIES = 5  # ... as many times, while the files go on changing
IDLE_SECONDS = 5.0  # a connection that sends nothing for this long is closed
KEEPALIVE_SECONDS = 15.0  # a comment on a quiet event stream, so that it stays open
MAX_CONNECTIONS = 64  # served at once, event streams included
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


@dataclass
class Outcome:
    """What the last build attempt did."""

    ok: bool
    message: str  # "wrote …" or the problems, one a line
    seconds: float
    watched: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()  # of a good build, one a line, for stderr
    shown: str = ""  # the problems as the page shows them: paths relative to the story's folder
    trace: str = ""  # a failure that is a bug: its traceback, for the terminal only


@dataclass
class Watcher:
    """Builds ``story`` into ``out`` whenever one of its files changes."""

    story: Path
    out: Path
    options: dict[str, Any] = field(default_factory=dict)
    on_outcome: Callable[[Outcome], None] | None = None
    allow_outside: bool = False
    strict: bool = False  # warnings fail the build, as errors do
    _watched: tuple[Path, ...] = ()
    _stamps: dict[Path, tuple[int, int] | None] = field(default_factory=dict)
    _ids: tuple[str, ...] | None = None  # the chapter ids of the last good build
    # the video and sound files the last good build copied beside the page, by their address
    # relative to it: the only files served besides the page
    media: dict[str, Path] = field(default_factory=dict)
    last: Outcome | None = None

    def build(self) -> Outcome:
        """Build now, and tell ``on_outcome``. An output that is one of the story's own files
        raises :class:`~storymap.files.InputOverwriteError` here, before anything is served."""
        return self._told(self._attempt(first=True))

    def _told(self, outcome: Outcome) -> Outcome:
        if self.on_outcome:
            self.on_outcome(outcome)
        return outcome

    def _attempt(self, *, first: bool = False) -> Outcome:
        from storymap.build import load
        from storymap.files import InputOverwriteError

        started = time.perf_counter()
        # Stamps from before reading: a save during the build triggers another build.
        before = {path: _stamp(path) for path in (self.story, *self._watched)}
        try:
            journey = load(self.story, allow_outside=self.allow_outside)
            if self.strict and journey.warnings:
                raise StoryError(journey.warnings)
            journey.save(self.out, **self.options)
            watched = (self.story, *story_files(journey.story))
            ids = tuple(chapter.id for chapter in journey.story.chapters)
            warned = (*(str(w) for w in journey.warnings), *self._gone(ids))
        except StoryError as exc:
            outcome = self._failed(
                "\n".join(str(p) for p in exc.problems),
                "\n".join(str(self._relative_problem(p)) for p in exc.problems),
            )
        except InputOverwriteError as exc:
            if first:
                raise
            outcome = self._failed(str(exc))
        except (StorymapError, OSError) as exc:
            outcome = self._failed(str(exc))
        except Exception as exc:  # a bug, or a file that defeats a check: the server stays up
            what = f"the rebuild failed unexpectedly ({_one_line(exc)})"
            outcome = self._failed(
                f"{self.story}: {what}", f"{self.story.name}: {what}", traceback.format_exc()
            )
        else:
            outcome = Outcome(True, f"wrote {self.out}", 0.0, watched, warned)
            self._watched = watched
            self._ids = ids
            base = self.out.parent
            self.media = {copy.relative_to(base).as_posix(): copy for copy in journey.copied}
        outcome.seconds = time.perf_counter() - started
        if not outcome.ok:
            outcome.watched = self._watched or (self.story,)
        self._stamps = {path: before.get(path, _stamp(path)) for path in outcome.watched}
        self.last = outcome
        return outcome

    def _failed(self, message: str, shown: str | None = None, trace: str = "") -> Outcome:
        shown = _relative(message if shown is None else shown, self.story)
        return Outcome(False, message, 0.0, shown=shown, trace=trace)

    def _relative_problem(self, problem: Problem) -> Problem:
        file = problem.file
        if file:
            file = _relative_path(os.path.abspath(file), self.story)
        return Problem(file, problem.line, problem.path, problem.message)

    def _gone(self, ids: tuple[str, ...]) -> tuple[str, ...]:
        """A warning for each chapter id of the last good build that ``ids`` lacks: a link
        to it, perhaps already shared, now opens the title card."""
        now = set(ids)
        return tuple(
            f"{self.story}: chapter id '{gone}' is gone; links to "
            f"{self.out.name}#{gone} now open the title card"
            for gone in self._ids or ()
            if gone not in now
        )

    def changed(self) -> bool:
        """Whether a watched file was saved (or appeared, or went) since the last build."""
        return any(_stamp(path) != stamp for path, stamp in self._stamps.items())

    def poll(self) -> Outcome | None:
        """Rebuild if something changed; the outcome, or None when nothing did."""
        if not self.changed():
            return None
        outcome = self._attempt()
        for _ in range(SETTLE_TRIES):
            # Perhaps read halfway through a save: while the file goes on changing, the
            # finished file decides, and a half-written one is never reported.
            if outcome.ok:
                break
            time.sleep(SETTLE_SECONDS)
            if not self.changed():
                break
            outcome = self._attempt()
        return self._told(outcome)


def story_files(story: Any) -> tuple[Path, ...]:
    """The route and local media files a story names, resolved."""
    base = story.path.parent if story.path else Path.cwd()
    files: list[Path] = []
    for chapter in story.chapters:
        if chapter.route is not None:
            files.append(Path(chapter.route))
        for media in chapter.media:
            if "://" not in media.src:
                files.append((base / media.src).resolve())
    return tuple(dict.fromkeys(files))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _one_line(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` of an exception, on one line and at most ``limit`` characters."""
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


# An absolute POSIX path inside a message: not part of a URL, a field path or a word.
_ABSOLUTE = re.compile(r"(?<![\w:/.~-])/[^\s'\"`,;:()\[\]<>]+")


def _relative_path(path: str, story: Path) -> str:
    """``path`` (absolute) relative to the story's folder, the shorter way of two when the
    folder is reached through a symbolic link."""
    folders = {os.path.dirname(os.path.abspath(story)), str(Path(story).resolve().parent)}
    return min((os.path.relpath(path, folder) for folder in folders), key=len)


def _relative(text: str, story: Path) -> str:
    """``text`` with every absolute path in it made relative to the story's folder."""

    def replace(match: re.Match[str]) -> str:
        path = match.group(0)
        stripped = path.rstrip(".")
        return _relative_path(stripped, story) + path[len(stripped) :]

    return _ABSOLUTE.sub(replace, text)


class _Hub:
    """The open event streams, each a queue of (event, data)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: list[queue.Queue[tuple[str, str] | None]] = []

    def subscribe(self) -> queue.Queue[tuple[str, str] | None]:
        q: queue.Queue[tuple[str, str] | None] = queue.Queue()
        with self._lock:
            self._queues.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[tuple[str, str] | None]) -> None:
        with self._lock:
            if q in self._queues:
                self._queues.remove(q)

    def send(self, event: str, data: str) -> None:
        with self._lock:
            for q in self._queues:
                q.put((event, data))

    def close(self) -> None:
        with self._lock:
            for q in self._queues:
                q.put(None)


def _client_script() -> str:
    return resources.files("storymap").joinpath("static", "watch.js").read_text("utf-8")


class _HTTPServer(http.server.ThreadingHTTPServer):
    """A thread per connection, at most ``limit`` of them. A connection that has not sent its
    request yet is idle; when every slot is taken, a new connection closes the oldest idle one
    (or is itself closed when none is idle)."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type, limit: int) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self._idle: dict[socket.socket, None] = {}  # in the order they came

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with self._lock:
                oldest = next(iter(self._idle), None)
                if oldest is not None:
                    del self._idle[oldest]
            if oldest is not None:
                with contextlib.suppress(OSError):  # its thread reads the end and finishes
                    oldest.shutdown(socket.SHUT_RDWR)
            if oldest is None or not self._slots.acquire(timeout=1):
                self.shutdown_request(request)
                return
        with self._lock:
            self._idle[request] = None
        thread = threading.Thread(target=self._serve, args=(request, client_address), daemon=True)
        try:
            thread.start()
        except RuntimeError:  # no thread to be had
            self._done(request)

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            with contextlib.suppress(Exception):  # a client that went away, or sent garbage
                self.finish_request(request, client_address)
        finally:
            self._done(request)

    def _done(self, request: Any) -> None:
        with self._lock:
            self._idle.pop(request, None)
        self.shutdown_request(request)
        self._slots.release()

    def busy(self, request: Any) -> None:
        """``request`` has sent its request: no longer idle."""
        with self._lock:
            self._idle.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away is not the author's business


def _host_port(value: str) -> tuple[str, int | None] | None:
    """A ``Host`` header (or the part of an origin after ``http://``) as (name, port),
    lowercased, the port None when absent; None when it cannot be read."""
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value.partition("]")
        name += bracket
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
    else:
        name, _, port = value.partition(":")
    if not port:
        return name, None
    if not port.isascii() or not port.isdigit():
        return None
    return name, int(port)


class Server:
    """The watch server: the page with a live-reload script, and the event stream."""

    def __init__(
        self,
        watcher: Watcher,
        *,
        port: int = 8000,
        host: str = "127.0.0.1",
        idle_seconds: float = IDLE_SECONDS,
        keepalive_seconds: float = KEEPALIVE_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
    ):
        self.watcher = watcher
        self.hub = _Hub()
        self.stopping = threading.Event()
        self.page_name = watcher.out.name
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = idle_seconds  # on the socket: reading a request, writing an answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def parse_request(self) -> bool:
                ok = super().parse_request()
                server.httpd.busy(self.connection)
                return ok

            def do_GET(self) -> None:
                path = urllib.parse.unquote(self.path.split("?", 1)[0].split("#", 1)[0])
                if not server.addressed(self.headers.get("Host")):
                    self.send_error(421, "storymap watch answers only its own address")
                elif path == "/":
                    self.send_response(302)
                    self.send_header("Location", "/" + urllib.parse.quote(server.page_name))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif path == "/" + server.page_name:
                    self._page()
                elif path[1:] in server.watcher.media:
                    self._media(server.watcher.media[path[1:]])
                elif path == EVENTS_PATH:
                    if server.own_origin(self.headers.get("Origin")):
                        self._events()
                    else:
                        self.send_error(403, "storymap watch talks only to its own page")
                else:
                    self.send_error(404, "storymap watch serves only the page")

            def _page(self) -> None:
                try:
                    html = server.watcher.out.read_text(encoding="utf-8")
                except (OSError, ValueError):
                    html = (
                        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                        "<title>storymap watch</title></head><body>"
                        "<p>No page yet: the story has problems.</p></body></html>"
                    )
                script = f"<script>\n{_client_script()}\n</script>\n"
                html = html.replace("</body>", script + "</body>", 1)
                body = html.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _media(self, file: Path) -> None:
                """A video or sound file copied beside the page, whole or the one byte range
                asked for (a player seeks with ranges)."""
                import mimetypes

                try:
                    handle = open(file, "rb")  # noqa: SIM115 - closed below
                except OSError:
                    self.send_error(404, "storymap watch serves only the page")
                    return
                with handle:
                    size = os.fstat(handle.fileno()).st_size
                    start, end = 0, size - 1
                    asked = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
                    if asked and (asked.group(1) or asked.group(2)):
                        if asked.group(1):
                            start = int(asked.group(1))
                            end = min(int(asked.group(2) or end), size - 1)
                        else:
                            start = max(0, size - int(asked.group(2)))
                        if start > end:
                            self.send_response(416)
                            self.send_header("Content-Range", f"bytes */{size}")
                            self.send_header("Content-Length", "0")
                            self.end_headers()
                            return
                        self.send_response(206)
                        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                    else:
                        self.send_response(200)
                    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                    self.send_header("Content-Type", kind)
                    self.send_header("Accept-Ranges", "bytes")
                    self.send_header("Cache-Control", "no-store")
                    self.send_header("Content-Length", str(end - start + 1))
                    self.end_headers()
                    handle.seek(start)
                    with contextlib.suppress(OSError):
                        remaining = end - start + 1
                        while remaining > 0:
                            chunk = handle.read(min(1 << 16, remaining))
                            if not chunk:
                                break
                            self.wfile.write(chunk)
                            remaining -= len(chunk)

            def _events(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                q = server.hub.subscribe()
                try:
                    last = server.watcher.last
                    if last is not None and not last.ok:
                        self._send("problem", last.shown)
                    else:
                        self._send("hello", "")
                    while not server.stopping.is_set():
                        try:
                            item = q.get(timeout=keepalive_seconds)
                        except queue.Empty:
                            self.wfile.write(b": keep-alive\n\n")
                            self.wfile.flush()
                            continue
                        if item is None:
                            break
                        self._send(*item)
                except OSError:  # the tab went away, or stopped reading
                    pass
                finally:
                    server.hub.unsubscribe(q)

            def _send(self, event: str, data: str) -> None:
                payload = json.dumps(data)
                self.wfile.write(f"event: {event}\ndata: {payload}\n\n".encode())
                self.wfile.flush()

        self.httpd = _HTTPServer((host, port), Handler, max_connections)
        bound = self.httpd.server_address[0]
        self._names = {*LOOPBACK, f"[{bound}]" if ":" in bound else bound}

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def addressed(self, host: str | None) -> bool:
        """Whether a request's ``Host`` names this server: a loopback name or the bound
        address, with the bound port. A page that reaches it by a rebound name of its own
        sends that name, and is refused."""
        parsed = _host_port(host) if host else None
        if parsed is None:
            return False
        name, port = parsed
        return name in self._names and (port if port is not None else 80) == self.port

    def own_origin(self, origin: str | None) -> bool:
        """Whether an ``Origin`` is absent or that of the page as served here."""
        if origin is None:
            return True
        scheme, _, rest = origin.partition("://")
        return scheme.lower() == "http" and "/" not in rest and self.addressed(rest)

    @property
    def url(self) -> str:
        host = self.httpd.server_address[0]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/{urllib.parse.quote(self.page_name)}"

    def announce(self, outcome: Outcome) -> None:
        self.hub.send("reload" if outcome.ok else "problem", "" if outcome.ok else outcome.shown)

    def run(self, *, until: threading.Event | None = None) -> None:
        """Serve and watch until ``until`` is set (or forever); returns when stopped."""
        self._thread = threading.Thread(target=self._serve, name="storymap-watch", daemon=True)
        self._thread.start()
        try:
            while not (until and until.is_set()):
                outcome = self.watcher.poll()
                if outcome is not None:
                    self.announce(outcome)
                time.sleep(POLL_SECONDS)
        finally:
            self.stop()

    def _serve(self) -> None:
        """Answer requests until stopped: a loop that looks at ``stopping`` between them, so
        stopping never waits on a thread that has not begun (as ``shutdown()`` can)."""
        self.httpd.timeout = 0.1
        while not self.stopping.is_set():
            try:
                self.httpd.handle_request()
            except (OSError, ValueError):  # the socket closed under it: stopping
                if self.stopping.is_set():
                    return
                raise

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        self.hub.close()
        thread = getattr(self, "_thread", None)
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=2)
        self.httpd.server_close()
