"""Video and sound in Chromium: YouTube and Vimeo players load only when pressed, from their
privacy-enhanced hosts; local sound plays, embedded or from its copy beside the page."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from test_video import item, story_with, write_mp4, write_wav

from storymap.build import build
from storymap.media import MAX_EMBEDDED_BYTES
from storymap.watch import Server, Watcher

VIDEO_HOSTS = re.compile(r"youtube|youtu\.be|ytimg|googlevideo|vimeo|vimeocdn", re.IGNORECASE)
VIDEOS = "\n".join(
    [
        item("https://youtu.be/dQw4w9WgXcQ?t=90", "caption: The bridge", "credit: A traveller"),
        item("https://vimeo.com/76979871", "caption: Khasan station"),
    ]
)


def record_video_hosts(page) -> list[str]:
    """Every request the page makes, seen first by a route of the page's own: those to a video
    site are recorded and aborted; the rest go on to the offline rules."""
    asked: list[str] = []

    def handle(route, request) -> None:
        if VIDEO_HOSTS.search(request.url):
            asked.append(request.url)
            route.abort("blockedbyclient")
        else:
            route.fallback()

    page.page.route("**/*", handle)
    return asked


def open_chapter(page, url: str) -> None:
    page.open(url)
    page.wait_for_function("() => window.storymap && storymap.app && !storymap.app.moving")
    page.locator("#khasan").wait_for()


@pytest.mark.parametrize(
    ("caption", "player"),
    [
        (
            "The bridge",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=90",
        ),
        ("Khasan station", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
    ],
)
def test_a_video_loads_nothing_before_its_play_button_is_pressed(
    page, http_server, tmp_path: Path, caption: str, player: str
) -> None:
    story = story_with(tmp_path / "s", VIDEOS)
    build(story, tmp_path / "site" / "page.html", tiles=None)
    base = http_server(tmp_path / "site")
    asked = record_video_hosts(page)
    open_chapter(page, base + "page.html#khasan")
    play = page.get_by_role("button", name=f"Play video: {caption}")
    play.wait_for()
    page.wait_for_timeout(300)
    page.settle()
    assert asked == []  # no thumbnail, no script, nothing from the video's site
    assert page.locator("#khasan iframe").count() == 0
    play.click()
    frame = page.locator("#khasan iframe.sm-embed-frame")
    frame.wait_for(state="attached")
    assert frame.get_attribute("src") == player
    assert frame.get_attribute("title") == f"Video: {caption}"
    allow = frame.get_attribute("allow")
    assert allow == "autoplay; encrypted-media; picture-in-picture; fullscreen"
    assert frame.get_attribute("referrerpolicy") == "strict-origin-when-cross-origin"
    assert frame.get_attribute("loading") == "lazy"
    page.wait_for_function("n => n > 0", arg=len(asked))  # the player was asked for, then
    assert all(url.startswith(player.split("?")[0]) for url in asked)
    assert page.get_by_role("button", name=f"Play video: {caption}").count() == 0
    page.clear_errors()  # the player's request was aborted on purpose

    # Leaving the chapter stops it: the player goes back to its placeholder.
    page.evaluate("storymap.app.next()")
    page.wait_for_function("() => !document.querySelector('#khasan iframe')")
    page.evaluate("storymap.app.prev()")
    page.get_by_role("button", name=f"Play video: {caption}").wait_for()
    page.clear_errors()


def test_without_javascript_a_video_is_a_link_to_it(page_factory, tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", VIDEOS)
    target = build(story, tmp_path / "page.html", tiles=None).page
    page = page_factory(java_script_enabled=False)
    asked = record_video_hosts(page)
    page.open(target)
    link = page.get_by_role("link", name="Video on YouTube: The bridge")
    assert link.get_attribute("href") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90s"
    vimeo = page.get_by_role("link", name="Video on Vimeo: Khasan station")
    assert vimeo.get_attribute("href") == "https://vimeo.com/76979871"
    assert page.locator("iframe, .sm-embed-play").count() == 0
    assert asked == []
    page.page.close()  # the fixture's last look (a frame's callback) cannot run without script


def test_a_popup_shows_the_placeholder_not_a_second_player(page, tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", VIDEOS)
    target = build(story, tmp_path / "page.html", tiles=None).page
    asked = record_video_hosts(page)
    open_chapter(page, f"{target.as_uri()}#khasan")
    page.get_by_role("button", name="Play video: The bridge").click()
    page.locator("#khasan iframe").wait_for(state="attached")
    count = len(asked)
    page.open_stop(2)
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_role("button", name="Play video: The bridge").wait_for()
    assert popup.locator("iframe").count() == 0
    page.wait_for_timeout(200)
    assert len(asked) == count
    page.clear_errors()


PLAYS = """async selector => {
  const player = document.querySelector(selector);
  await player.play();
  const began = player.currentTime;
  await new Promise(resolve => setTimeout(resolve, 400));
  return {began, now: player.currentTime, ready: player.readyState,
          error: player.error && player.error.code, src: player.currentSrc};
}"""


def test_an_embedded_sound_plays(page, tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("media/tone.wav", "caption: The wheels"))
    write_wav(tmp_path / "s" / "media" / "tone.wav", seconds=2)
    target = build(story, tmp_path / "page.html", tiles=None).page
    open_chapter(page, f"{target.as_uri()}#khasan")
    audio = page.locator("#khasan audio")
    assert audio.get_attribute("aria-label") == "The wheels"
    page.locator("#khasan h2").click()  # the reader's gesture, which lets a page play sound
    played = page.evaluate(PLAYS, "#khasan audio")
    assert played["error"] is None and played["ready"] >= 2
    assert played["now"] > played["began"]
    assert played["src"].startswith("data:audio/wav;base64,")
    assert page.locator("#khasan figcaption").last.inner_text() == "The wheels"


def test_a_large_sound_plays_from_its_copy_beside_the_page(
    page, http_server, tmp_path: Path
) -> None:
    story = story_with(tmp_path / "s", item("media/long.wav", "caption: The whole crossing"))
    wav = write_wav(tmp_path / "s" / "media" / "long.wav", seconds=70)
    assert wav.stat().st_size > MAX_EMBEDDED_BYTES
    journey = build(story, tmp_path / "site" / "page.html", tiles=None)
    assert journey.copied == (tmp_path / "site" / "page_files" / "long.wav",)
    base = http_server(tmp_path / "site")
    open_chapter(page, base + "page.html#khasan")
    assert page.locator("#khasan audio").get_attribute("src") == "page_files/long.wav"
    page.locator("#khasan h2").click()
    played = page.evaluate(PLAYS, "#khasan audio")
    assert played["src"] == base + "page_files/long.wav"
    assert played["error"] is None and played["ready"] >= 2
    assert played["now"] > played["began"]


def test_watch_serves_the_copies_beside_the_page(page, tmp_path: Path) -> None:
    story = story_with(tmp_path / "s", item("media/long.wav", "caption: The whole crossing"))
    write_wav(tmp_path / "s" / "media" / "long.wav", seconds=70)
    write_mp4(tmp_path / "s" / "media" / "other.mp4", 100)  # beside it, never named: not served
    watcher = Watcher(story, tmp_path / "out" / "page.html", {"tiles": None})
    assert watcher.build().ok
    assert list(watcher.media) == ["page_files/long.wav"]
    server = Server(watcher, port=0)
    stop = threading.Event()
    thread = threading.Thread(target=server.run, kwargs={"until": stop}, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.port}/"
        open_chapter(page, base + "page.html#khasan")
        page.locator("#khasan h2").click()
        played = page.evaluate(PLAYS, "#khasan audio")
        assert played["src"] == base + "page_files/long.wav"
        assert played["error"] is None and played["now"] > played["began"]
        missing = page.request.get(base + "page_files/other.mp4")
        assert missing.status == 404
        part = page.request.get(base + "page_files/long.wav", headers={"Range": "bytes=0-11"})
        assert part.status == 206 and part.body()[:4] == b"RIFF" and len(part.body()) == 12
    finally:
        stop.set()
        thread.join(timeout=5)
