"""storymap watch: rebuild on save, reload the tab, keep the chapter, show a bad edit."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from storymap.watch import Server, Watcher

MINI = Path(__file__).parent / "fixtures" / "mini"
READY = "() => window.storymap && storymap.app"


@pytest.fixture
def watching(tmp_path: Path):
    folder = tmp_path / "story"
    shutil.copytree(MINI, folder)
    watcher = Watcher(folder / "story.yaml", tmp_path / "out" / "page.html", {"tiles": None})
    assert watcher.build().ok
    server = Server(watcher, port=0)
    stop = threading.Event()
    thread = threading.Thread(target=server.run, kwargs={"until": stop}, daemon=True)
    thread.start()
    yield folder / "story.yaml", watcher, server
    stop.set()
    thread.join(timeout=5)


def edit(story: Path, old: str, new: str) -> None:
    text = story.read_text(encoding="utf-8")
    assert old in text, old
    story.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_save_read_halfway_is_not_reported_when_the_finished_file_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storymap.watch as watch

    folder = tmp_path / "story"
    shutil.copytree(MINI, folder)
    story = folder / "story.yaml"
    told = []
    watcher = Watcher(story, tmp_path / "page.html", {"tiles": None}, on_outcome=told.append)
    assert watcher.build().ok
    whole = story.read_text(encoding="utf-8").replace("title:", "title: Edited", 1)
    story.write_text(whole[: len(whole) // 3], encoding="utf-8")  # the editor is mid-save
    # While the watcher waits after the failed build, the editor finishes writing.
    monkeypatch.setattr(watch.time, "sleep", lambda _: story.write_text(whole, encoding="utf-8"))
    outcome = watcher.poll()
    assert outcome is not None and outcome.ok
    assert [o.ok for o in told] == [True, True]  # the half-written file was never reported
    assert "Edited" in (tmp_path / "page.html").read_text(encoding="utf-8")
    story.write_text(whole.replace("by: trolley", "by: rocket"), encoding="utf-8")
    monkeypatch.setattr(watch.time, "sleep", lambda _: None)  # this time the save was whole
    assert not watcher.poll().ok and not told[-1].ok


def test_watcher_rebuilds_what_changed_and_keeps_the_good_page(tmp_path: Path) -> None:
    folder = tmp_path / "story"
    shutil.copytree(MINI, folder)
    watcher = Watcher(folder / "story.yaml", tmp_path / "page.html", {"tiles": None})
    first = watcher.build()
    assert first.ok and watcher.poll() is None
    assert folder / "media" / "dot.png" in first.watched  # media files are watched too
    good = (tmp_path / "page.html").read_bytes()
    edit(folder / "story.yaml", "by: trolley", "by: rocket")
    bad = watcher.poll()
    assert bad is not None and not bad.ok
    assert "journey.1.by: unknown mode 'rocket'" in bad.message
    assert (tmp_path / "page.html").read_bytes() == good
    edit(folder / "story.yaml", "by: rocket", "by: trolley")
    assert watcher.poll().ok
    (folder / "media" / "dot.png").write_bytes((folder / "media" / "dot.png").read_bytes())
    time.sleep(0.01)
    (folder / "media" / "dot.png").touch()
    assert watcher.poll() is not None, "saving an image rebuilds too"


def test_the_tab_reloads_keeps_its_chapter_and_shows_a_bad_edit(page, watching) -> None:
    story, watcher, server = watching
    page.open(server.url + "#khasan")
    page.wait_for_function(READY)
    assert page.locator(".sm-view h2").inner_text() == "Over the bridge"
    page.evaluate("window.__before_reload = true")
    edit(story, "title: Over the bridge", "title: Across the bridge")
    page.wait_for_function("() => !window.__before_reload", timeout=20_000)
    page.wait_for_function(READY)
    assert page.locator(".sm-view h2").inner_text() == "Across the bridge"
    assert page.evaluate("storymap.app.current") == 1
    # The chapter's id comes from its place, so a new title keeps the address.
    assert page.evaluate("location.hash") == "#khasan"
    on_disk = watcher.out.read_bytes()
    edit(story, "by: trolley", "by: rocket")
    overlay = page.locator(".sm-watch-overlay")
    overlay.wait_for(timeout=20_000)
    assert "journey.1.by: unknown mode 'rocket'" in overlay.inner_text()
    assert watcher.out.read_bytes() == on_disk, "the last good page stays on disk"
    assert page.locator(".sm-view h2").inner_text() == "Across the bridge"
    edit(story, "by: rocket", "by: trolley")
    page.wait_for_function("() => !document.querySelector('.sm-watch-overlay')", timeout=20_000)
    page.wait_for_function(READY)


def test_a_rebuild_that_fails_unexpectedly_shows_one_line_and_clears(
    page, watching, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    build = importlib.import_module("storymap.build")  # storymap.build is also a function
    story, watcher, server = watching
    real_load = build.load

    def load(path, **kwargs):  # a bug, or a file no check foresaw
        if "Boom" in Path(path).read_text(encoding="utf-8"):
            raise RecursionError(f"maximum recursion depth exceeded in {story.parent}/deep.json")
        return real_load(path, **kwargs)

    monkeypatch.setattr(build, "load", load)
    page.open(server.url + "#khasan")
    page.wait_for_function(READY)
    edit(story, "title: Over the bridge", "title: Boom")
    overlay = page.locator(".sm-watch-overlay")
    overlay.wait_for(timeout=20_000)
    assert overlay.locator("pre").inner_text() == (
        "story.yaml: the rebuild failed unexpectedly "
        "(RecursionError: maximum recursion depth exceeded in deep.json)"
    ), "one line: no traceback, no absolute path"
    assert page.locator(".sm-view h2").inner_text() == "Over the bridge", "the last good page"
    page.evaluate("window.__before_reload = true")
    edit(story, "title: Boom", "title: Across the bridge")
    page.wait_for_function("() => !window.__before_reload", timeout=20_000)
    page.wait_for_function(READY)
    assert page.locator(".sm-watch-overlay").count() == 0
    assert page.locator(".sm-view h2").inner_text() == "Across the bridge"


def test_a_page_named_with_a_space_and_other_letters_opens(page, tmp_path: Path) -> None:
    folder = tmp_path / "story"
    shutil.copytree(MINI, folder)
    watcher = Watcher(folder / "story.yaml", tmp_path / "моя карта.html", {"tiles": None})
    assert watcher.build().ok
    server = Server(watcher, port=0)
    stop = threading.Event()
    thread = threading.Thread(target=server.run, kwargs={"until": stop}, daemon=True)
    thread.start()
    try:
        page.open(server.url.rsplit("/", 1)[0] + "/")  # redirected to the page
        page.wait_for_function(READY)
        assert page.evaluate("decodeURIComponent(location.pathname)") == "/моя карта.html"
        page.evaluate("window.__before_reload = true")
        edit(folder / "story.yaml", "title: Over the bridge", "title: Across the bridge")
        page.wait_for_function("() => !window.__before_reload", timeout=20_000)
        page.wait_for_function(READY)
    finally:
        stop.set()
        thread.join(timeout=5)


def test_a_chapter_id_that_is_gone_is_warned_about(tmp_path: Path) -> None:
    folder = tmp_path / "story"
    shutil.copytree(MINI, folder)
    story = folder / "story.yaml"
    watcher = Watcher(story, tmp_path / "page.html", {"tiles": None})
    assert watcher.build().warnings == ()
    edit(story, "title: Over the bridge", "title: Across the bridge")
    assert watcher.poll().warnings == (), "a new title keeps every id"
    edit(story, "id: start", "id: border")
    edit(story, "by: trolley", "by: rocket")
    assert not watcher.poll().ok
    edit(story, "by: rocket", "by: trolley")
    edit(story, "  - at: moscow\n", "  - at: moscow\n    id: home\n")
    outcome = watcher.poll()
    assert outcome.ok, outcome.message
    assert outcome.warnings == tuple(
        f"{story}: chapter id '{gone}' is gone; links to page.html#{gone} now open the title card"
        for gone in ("start", "moscow")
    ), "compared with the last good build, not the failed one"
    assert watcher.poll() is None
    edit(story, "title: Home", "title: Home again")
    assert watcher.poll().warnings == (), "warned once, against the last good build"


def test_watch_prints_the_warning_on_stderr(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "storymap", "watch", "--port", "0", "--tiles", "none"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(30, process.kill)  # a missing line fails the test, never hangs it
    watchdog.start()
    try:
        for line in process.stdout:
            if line.startswith("storymap watch: http://127.0.0.1:"):
                break
        edit(tmp_path / "data" / "story.yaml", "  - at: khasan\n", "  - at: khasan\n    id: x\n")
        warning = process.stderr.readline()
        rebuilt = process.stdout.readline()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        watchdog.cancel()
        process.kill()
    assert rebuilt.startswith("built in "), rebuilt
    assert warning == (
        "warning: data/story.yaml: chapter id 'khasan' is gone; links to story.html#khasan now "
        "open the title card\n"
    )
    assert err.splitlines() == ["storymap watch: stopped"]


def test_only_the_page_is_served(watching) -> None:
    import urllib.error
    import urllib.request

    _, _, server = watching
    base = server.url.rsplit("/", 1)[0]
    with urllib.request.urlopen(server.url) as response:
        assert b"/__storymap/events" in response.read()
    for path in ("/story.yaml", "/../story.yaml", "/media/dot.png", "/etc/passwd"):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(base + path)
        assert info.value.code == 404


def test_ctrl_c_stops_with_one_line_and_status_130(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "storymap", "watch", "--port", "0", "--tiles", "none"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("storymap watch: http://127.0.0.1:"):
                break
        assert lines[0].startswith("built in ") and "output/story.html" in lines[0]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 130, "the status of an interrupted command, as the README says"
    assert err == "storymap watch: stopped\n", "one line, no traceback"
    assert (tmp_path / "output" / "story.html").is_file()


def test_watch_writes_into_a_new_folder_and_refuses_its_own_story(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "data")
    command = [sys.executable, "-m", "storymap", "watch", "--port", "0", "--tiles", "none"]
    process = subprocess.Popen(
        [*command, "-o", "site/maps/"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("built in ") and "wrote site/maps/story.html" in first
        assert process.stdout.readline().startswith("storymap watch: http://127.0.0.1:")
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    finally:
        process.kill()
    assert (tmp_path / "site" / "maps" / "story.html").is_file()
    story = (tmp_path / "data" / "story.yaml").read_bytes()
    refused = subprocess.run(
        [*command, "-o", "./data/story.yaml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert refused.stderr == (
        "storymap watch: -o data/story.yaml would overwrite the story (data/story.yaml); "
        "choose another -o\n"
    )
    assert (tmp_path / "data" / "story.yaml").read_bytes() == story
