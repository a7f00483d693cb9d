"""storymap watch under abuse: any failure of a rebuild, forged addresses, idle connections,
page names of any letters, and no absolute path sent to the page. Real files, real sockets."""

from __future__ import annotations

import http.client
import importlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storymap.watch import IDLE_SECONDS, KEEPALIVE_SECONDS, MAX_CONNECTIONS, Server, Watcher

MINI = Path(__file__).parent / "fixtures" / "mini"
TITLE = b"Across the Tumen"
BUILD = importlib.import_module("storymap.build")  # storymap.build is also a function


def edit(story: Path, old: str, new: str) -> None:
    text = story.read_text(encoding="utf-8")
    assert old in text, old
    story.write_text(text.replace(old, new, 1), encoding="utf-8")


Serve = Callable[..., tuple[Path, Watcher, Server]]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """``serve(out_name="page.html", **server_options)``: the mini story watched and served
    on 127.0.0.1 in this process, as (story, watcher, server)."""
    stops: list[tuple[threading.Event, threading.Thread]] = []

    def start(out_name: str = "page.html", **options) -> tuple[Path, Watcher, Server]:
        folder = tmp_path / "story"
        shutil.copytree(MINI, folder)
        watcher = Watcher(folder / "story.yaml", tmp_path / "out" / out_name, {"tiles": None})
        assert watcher.build().ok
        server = Server(watcher, port=0, **options)
        stop = threading.Event()
        thread = threading.Thread(target=server.run, kwargs={"until": stop}, daemon=True)
        thread.start()
        stops.append((stop, thread))
        return folder / "story.yaml", watcher, server

    yield start
    for stop, thread in stops:
        stop.set()
        thread.join(timeout=5)


def get(
    server: Server, path: str, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    """A raw GET with exactly the given Host (none when it is ""), and Origin if given."""
    headers = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        if value:
            connection.putheader(name, value)
    connection.endheaders()
    return connection.getresponse()


class Events:
    """An open event stream of the server, read event by event."""

    def __init__(self, server: Server) -> None:
        self.response = get(server, "/__storymap/events")
        assert self.response.status == 200
        self.comments = 0

    def next(self) -> tuple[str, str]:
        event = data = None
        while True:
            line = self.response.readline().decode("utf-8")
            assert line, "the stream ended"
            line = line.rstrip("\n")
            if line.startswith(":"):
                self.comments += 1
            elif line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: "):
                data = json.loads(line[len("data: ") :])
            elif not line and event is not None:
                return event, data

    def close(self) -> None:
        self.response.close()


# 1. Any failure of a rebuild --------------------------------------------------------------


def test_a_rebuild_that_raises_anything_is_a_problem_and_the_server_stays_up(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    story, watcher, server = serve()
    good = watcher.out.read_bytes()
    real_load = BUILD.load

    def load(path, **kwargs):
        if "Boom" in Path(path).read_text(encoding="utf-8"):
            raise RuntimeError(f"cannot go on\nat {story.parent / 'deep' / 'file.geojson'}")
        return real_load(path, **kwargs)

    monkeypatch.setattr(BUILD, "load", load)
    events = Events(server)
    try:
        assert events.next() == ("hello", "")
        edit(story, "title: Over the bridge", "title: Boom")
        event, shown = events.next()
        assert event == "problem"
        assert shown == (
            "story.yaml: the rebuild failed unexpectedly "
            "(RuntimeError: cannot go on at deep/file.geojson)"
        ), "one line, no traceback, no absolute path"
        outcome = watcher.last
        assert not outcome.ok and outcome.shown == shown
        assert outcome.message.startswith(f"{story}: the rebuild failed unexpectedly")
        assert "\n" not in outcome.message
        assert outcome.trace.startswith("Traceback") and "RuntimeError" in outcome.trace
        assert watcher.out.read_bytes() == good, "the last good page stays"
        with urllib.request.urlopen(server.url, timeout=10) as response:
            assert TITLE in response.read(), "the server still serves it"
        edit(story, "title: Boom", "title: Over the bridge again")
        assert events.next() == ("reload", "")
        assert watcher.last.ok and b"Over the bridge again" in watcher.out.read_bytes()
    finally:
        events.close()


def test_a_new_tab_is_told_the_problem_of_the_last_rebuild(serve: Serve) -> None:
    story, watcher, server = serve()
    edit(story, "by: trolley", "by: rocket")
    deadline = time.monotonic() + 10
    while watcher.last.ok and time.monotonic() < deadline:
        time.sleep(0.02)
    events = Events(server)
    try:
        event, shown = events.next()
    finally:
        events.close()
    assert event == "problem"
    assert shown.startswith("story.yaml:48: journey.1.by: unknown mode 'rocket'")
    assert str(story.parent) not in shown


def _watch(cwd: Path, *args: str, prelude: str = "") -> tuple[subprocess.Popen, Server | None]:
    code = f"{prelude}\nfrom storymap.cli import main\nraise SystemExit(main())"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "watch", "--port", "0", "--tiles", "none", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process


def _port_of(process: subprocess.Popen) -> int:
    for line in process.stdout:
        if line.startswith("storymap watch: http://127.0.0.1:"):
            return int(line.split(":")[3].split("/")[0])
    raise AssertionError("no address printed")


def _until(stream, last: str) -> list[str]:
    lines = []
    for line in stream:
        lines.append(line.rstrip("\n"))
        if last in line:
            return lines
    raise AssertionError(f"{last!r} never came: {lines}")


def _served(port: int) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/story.html", timeout=10) as response:
        return response.read()


def test_a_hostile_route_file_never_stops_watch(tmp_path: Path) -> None:
    """A GeoJSON route nested 100,000 deep: whatever the loader makes of it, the terminal says
    so, the tab is told in lines without traceback or absolute path, and the server stays."""
    shutil.copytree(MINI, tmp_path / "data")
    story = tmp_path / "data" / "story.yaml"
    process = _watch(tmp_path)
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        port = _port_of(process)
        page = _served(port)
        events = Events(_Address(port))
        assert events.next() == ("hello", "")
        (tmp_path / "data" / "deep.geojson").write_text("[" * 100_000 + "]" * 100_000)
        edit(story, "    duration: 1h\n", "    duration: 1h\n    route: deep.geojson\n")
        event, shown = events.next()
        told = _until(process.stderr, "the last good page stays")
        assert event == "problem"
        assert "deep.geojson" in shown or "RecursionError" in shown
        assert "Traceback" not in shown and str(tmp_path) not in shown
        assert told[-1].startswith("storymap: ")
        if "Traceback" in "\n".join(told):
            assert "bug in storymap; please report it" in told[-1]
        assert _served(port) == page, "the last good page, still served"
        edit(story, "    route: deep.geojson\n", "")
        assert events.next() == ("reload", "")
        assert process.stdout.readline().startswith("built in ")
        events.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        watchdog.cancel()
        process.kill()
    assert process.returncode == 130
    assert err == "storymap watch: stopped\n"


class _Address:
    """What :class:`Events` needs of a server that runs in another process."""

    def __init__(self, port: int) -> None:
        self.port = port


def test_a_bug_in_a_rebuild_prints_its_traceback_and_asks_for_a_report(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "data")
    story = tmp_path / "data" / "story.yaml"
    prelude = (
        "import importlib\n"
        "b = importlib.import_module('storymap.build')\n"
        "real = b.load\n"
        "def load(path, **kw):\n"
        "    if 'Boom' in open(path, encoding='utf-8').read():\n"
        "        raise KeyError('chapters')\n"
        "    return real(path, **kw)\n"
        "b.load = load\n"
    )
    process = _watch(tmp_path, prelude=prelude)
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        port = _port_of(process)
        edit(story, "title: Home", "title: Boom")
        told = _until(process.stderr, "the last good page stays")
        assert _served(port).count(TITLE) >= 1
        edit(story, "title: Boom", "title: Home")
        assert process.stdout.readline().startswith("built in ")
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    finally:
        watchdog.cancel()
        process.kill()
    assert told[0] == "Traceback (most recent call last):"
    assert told[-3] == "KeyError: 'chapters'"
    assert told[-2:] == [
        "data/story.yaml: the rebuild failed unexpectedly (KeyError: 'chapters')",
        "storymap: this is a bug in storymap; please report it with the traceback above and "
        "the file you saved; the last good page stays",
    ]


# 2. Host and Origin ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",
        "localhost.evil.example:{port}",
        "127.0.0.1.nip.io:{port}",
        "localhost:{other}",
        "127.0.0.1",
        "localhost:{port}x",
        "[::1",
        "",
    ],
)
@pytest.mark.parametrize("path", ["/page.html", "/__storymap/events", "/"])
def test_a_request_for_another_host_gets_nothing(serve: Serve, host: str, path: str) -> None:
    _, _, server = serve()
    host = host.format(port=server.port, other=server.port + 1)
    response = get(server, path, {"Host": host})
    body = response.read()
    assert response.status == 421
    assert TITLE not in body and b"event:" not in body
    assert response.getheader("Location") is None


@pytest.mark.parametrize(
    "host", ["localhost:{port}", "LocalHost:{port}", "127.0.0.1:{port}", "[::1]:{port}"]
)
def test_the_loopback_names_are_answered(serve: Serve, host: str) -> None:
    _, _, server = serve()
    response = get(server, "/page.html", {"Host": host.format(port=server.port)})
    assert response.status == 200 and TITLE in response.read()


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example:{port}",
        "http://localhost:{other}",
        "https://localhost:{port}",
        "null",
        "http://localhost:{port}/x",
    ],
)
def test_the_event_stream_refuses_another_origin(serve: Serve, origin: str) -> None:
    _, _, server = serve()
    origin = origin.format(port=server.port, other=server.port + 1)
    response = get(
        server, "/__storymap/events", {"Host": f"localhost:{server.port}", "Origin": origin}
    )
    assert response.status == 403
    assert b"event:" not in response.read()


def test_the_event_stream_answers_its_own_page(serve: Serve) -> None:
    _, _, server = serve()
    for origin in (f"http://localhost:{server.port}", f"http://127.0.0.1:{server.port}", ""):
        response = get(
            server, "/__storymap/events", {"Host": f"localhost:{server.port}", "Origin": origin}
        )
        assert response.status == 200
        assert response.readline() == b"event: hello\n"
        response.close()


# 3. Timeouts and a cap ---------------------------------------------------------------------


def test_the_defaults_are_a_few_seconds_and_a_few_dozen_connections() -> None:
    assert 1 <= IDLE_SECONDS <= 10 and 5 <= KEEPALIVE_SECONDS <= 30 and MAX_CONNECTIONS == 64


def test_an_idle_connection_is_closed(serve: Serve) -> None:
    _, _, server = serve(idle_seconds=0.5)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as idle:
        started = time.monotonic()
        assert idle.recv(1024) == b"", "closed without an answer"
        assert time.monotonic() - started < 5
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
        slow.sendall(b"GET /page.html HTTP/1.1\r\n")  # and the headers never come
        assert slow.recv(1024) == b""


def test_a_thousand_idle_connections_hold_a_bounded_number_of_threads(serve: Serve) -> None:
    _, _, server = serve()  # the real defaults: idle connections would stay 5 s
    before = threading.active_count()
    idle = []
    try:
        for _ in range(1000):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        time.sleep(0.3)
        bound = before + MAX_CONNECTIONS + 4  # and a few that gave back their slot, ending
        assert threading.active_count() <= bound
        response = get(server, "/page.html")
        assert response.status == 200 and TITLE in response.read(), "a real request is answered"
        assert threading.active_count() <= bound
    finally:
        for connection in idle:
            connection.close()


def test_a_long_open_event_stream_outlives_the_idle_timeout(serve: Serve) -> None:
    story, _, server = serve(idle_seconds=0.3, keepalive_seconds=0.2)
    events = Events(server)
    try:
        assert events.next() == ("hello", "")
        time.sleep(1.5)  # five idle timeouts
        edit(story, "title: Over the bridge", "title: Across the bridge")
        assert events.next() == ("reload", "")
        assert events.comments >= 3, "keep-alive comments while nothing happened"
    finally:
        events.close()


# 4. Page names with spaces and any letters --------------------------------------------------


@pytest.mark.parametrize("name", ["my map.html", "карта.html", "a%b #1?.html"])
def test_a_page_of_any_name_is_served(serve: Serve, name: str) -> None:
    _, watcher, server = serve(name)
    assert server.url.endswith("/" + urllib.parse.quote(name))
    with urllib.request.urlopen(server.url, timeout=10) as response:
        assert response.status == 200 and TITLE in response.read()
    response = get(server, "/")
    assert response.status == 302
    assert response.getheader("Location") == "/" + urllib.parse.quote(name)
    with urllib.request.urlopen(server.url.rsplit("/", 1)[0] + "/", timeout=10) as response:
        assert TITLE in response.read(), "the redirect leads to the page"


# 5. No absolute path in what the page is told -----------------------------------------------


def test_problems_sent_to_the_page_name_files_relative_to_the_story(serve: Serve) -> None:
    story, watcher, server = serve()
    outside = story.parent.parent / "elsewhere" / "track.geojson"
    events = Events(server)
    try:
        assert events.next() == ("hello", "")
        edit(story, "    duration: 1h\n", f"    duration: 1h\n    route: {outside}\n")
        event, shown = events.next()
    finally:
        events.close()
    assert event == "problem"
    assert shown.startswith(
        "story.yaml:51: journey.1.route: route file '../elsewhere/track.geojson'"
    )
    assert str(story.parent.parent) not in shown
    assert str(outside) in watcher.last.message, "the terminal keeps the full path"
