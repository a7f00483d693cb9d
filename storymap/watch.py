"""``storymap watch``: rebuild on every save and reload the browser tab.

One process serves the page on 127.0.0.1 and polls the story file and every route and
media file it names. On a change it rebuilds in the same process (imports, templates and
the gazetteer stay warm, so a rebuild takes tens of milliseconds), writes the page the
same way ``build`` does, and tells the open tabs through Server-Sent Events: ``reload``
after a good build, ``problem`` with the messages after a bad one. A bad edit never
touches the page on disk; the tab keeps the last good page and shows the problem over it.
The reader's chapter survives a reload, because it is in the address (``#chapter-id``).

Only the page and the event stream are served, nothing else from the disk.
"""

from __future__ import annotations

import http.server
import json
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from storymap.errors import StoryError, StorymapError

EVENTS_PATH = "/__storymap/events"
POLL_SECONDS = 0.015  # how often the files are looked at: a few stat calls
SETTLE_SECONDS = 0.02  # after a failed build, for a save in progress to finish


@dataclass
class Outcome:
    """What the last build attempt did."""

    ok: bool
    message: str  # "wrote …" or the problems, one a line
    seconds: float
    watched: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()  # of a good build, one a line, for stderr


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
        except StoryError as exc:
            outcome = Outcome(False, "\n".join(str(p) for p in exc.problems), 0.0)
        except InputOverwriteError as exc:
            if first:
                raise
            outcome = Outcome(False, str(exc), 0.0)
        except (StorymapError, OSError) as exc:
            outcome = Outcome(False, str(exc), 0.0)
        else:
            watched = (self.story, *story_files(journey.story))
            ids = tuple(chapter.id for chapter in journey.story.chapters)
            warned = (*(str(w) for w in journey.warnings), *self._gone(ids))
            outcome = Outcome(True, f"wrote {self.out}", 0.0, watched, warned)
            self._watched = watched
            self._ids = ids
        outcome.seconds = time.perf_counter() - started
        if not outcome.ok:
            outcome.watched = self._watched or (self.story,)
        self._stamps = {path: before.get(path, _stamp(path)) for path in outcome.watched}
        self.last = outcome
        return outcome

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
        if not outcome.ok:
            # Perhaps read halfway through a save: if the file changes again meanwhile, the
            # finished file decides, and the half-written one is never reported.
            time.sleep(SETTLE_SECONDS)
            if self.changed():
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
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


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


class Server:
    """The watch server: the page with a live-reload script, and the event stream."""

    def __init__(self, watcher: Watcher, *, port: int = 8000, host: str = "127.0.0.1"):
        self.watcher = watcher
        self.hub = _Hub()
        self.stopping = threading.Event()
        self.page_name = watcher.out.name
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/":
                    self.send_response(302)
                    self.send_header("Location", "/" + server.page_name)
                    self.end_headers()
                elif path == "/" + server.page_name:
                    self._page()
                elif path == EVENTS_PATH:
                    self._events()
                else:
                    self.send_error(404, "storymap watch serves only the page")

            def _page(self) -> None:
                try:
                    html = server.watcher.out.read_text(encoding="utf-8")
                except OSError:
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

            def _events(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                q = server.hub.subscribe()
                try:
                    last = server.watcher.last
                    if last is not None and not last.ok:
                        self._send("problem", last.message)
                    else:
                        self._send("hello", "")
                    while not server.stopping.is_set():
                        try:
                            item = q.get(timeout=15)
                        except queue.Empty:
                            self.wfile.write(b": keep-alive\n\n")
                            self.wfile.flush()
                            continue
                        if item is None:
                            break
                        self._send(*item)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    server.hub.unsubscribe(q)

            def _send(self, event: str, data: str) -> None:
                payload = json.dumps(data)
                self.wfile.write(f"event: {event}\ndata: {payload}\n\n".encode())
                self.wfile.flush()

        self.httpd = http.server.ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self._serving = False

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/{self.page_name}"

    def announce(self, outcome: Outcome) -> None:
        self.hub.send("reload" if outcome.ok else "problem", "" if outcome.ok else outcome.message)

    def run(self, *, until: threading.Event | None = None) -> None:
        """Serve and watch until ``until`` is set (or forever); returns when stopped."""
        thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1})
        thread.daemon = True
        self._serving = True
        thread.start()
        try:
            while not (until and until.is_set()):
                outcome = self.watcher.poll()
                if outcome is not None:
                    self.announce(outcome)
                time.sleep(POLL_SECONDS)
        finally:
            self.stop()
            thread.join(timeout=2)

    def stop(self) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        self.hub.close()
        if self._serving:
            self.httpd.shutdown()
        self.httpd.server_close()
