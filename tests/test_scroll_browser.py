"""The scroll layout in Chromium: the article scrolls, the map follows the chapter in the middle.

The page is opened directly and inside an iframe of a host page served on 127.0.0.1; each
chapter is scrolled to the middle of the window as a reader would, and the keyboard, deep
links, the chapter list and playback move the article along.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from commands import run
from test_story_browser import CENTRE_INSIDE, PHONE, READY_APP, SETTLED, serious_violations

import storymap

ROOT = Path(__file__).parent.parent
FLAGSHIP = ROOT / "data" / "story.yaml"
DESKTOP = {"width": 1280, "height": 800}
CHAPTERS = 6

# Scroll the document so that chapter i's section begins at 40% of the window's height, as a
# reader's scrolling would; the band that counts as the middle is 45–50%.
SCROLL_TO_MIDDLE = """(i) => {
    const node = storymap.app.story.parts[i + 1];
    const top = scrollY + node.getBoundingClientRect().top - innerHeight * 0.4;
    window.scrollTo({top: i < 0 ? 0 : top, behavior: 'instant'});
    return scrollY;
}"""
# Where chapter i's section is: its top against its reading place, and whether it crosses
# the middle of the window.
PLACE_OF = """(i) => {
    const node = storymap.app.story.parts[i + 1];
    const r = node.getBoundingClientRect();
    return {top: r.top, reading: parseFloat(getComputedStyle(node).scrollMarginTop),
            middle: r.top < innerHeight * 0.5 && r.bottom > innerHeight * 0.45,
            scrollY: scrollY, current: node.classList.contains('sm-view')};
}"""
# On a phone the article covers the lower part of the map (app.inset()): the chapter is
# framed in the part left in sight, whose centre is what CENTRE_INSIDE then looks at.
SEEN_CENTRE_INSIDE = CENTRE_INSIDE.replace(
    "const c = app.map.getCenter();",
    """const size = app.map.getSize(), inset = app.inset() || {t: 0, b: 0, l: 0, r: 0};
    const c = app.map.containerPointToLatLng(
        [(inset.l + size.x - inset.r) / 2, (inset.t + size.y - inset.b) / 2]);""",
)
RECORD_CHAPTERS = """() => {
    window.seen = [];
    document.addEventListener('storymap:chapter', e => seen.push(e.detail.index));
}"""


def page_data(page: Path) -> dict:
    import json

    text = page.read_text(encoding="utf-8")
    found = re.search(r"storymap\.init\(\w+, (\{.*\})\);", text)
    assert found, "the page hands its data to storymap.init"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def scrolled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scroll") / "story.html"
    return storymap.build(FLAGSHIP, out, layout="scroll").page


def open_ready(page, target) -> None:
    page.open(target)
    page.wait_for_function(READY_APP)


def in_place(frame, i: int) -> None:
    """Chapter i is current, the map has come to it, and its section is in the middle."""
    frame.wait_for_function(SETTLED, arg=i)
    assert frame.evaluate(SEEN_CENTRE_INSIDE, i), f"the map is framed on chapter {i}"
    place = frame.evaluate(PLACE_OF, i)
    assert place["middle"] and place["current"], place


def scroll_through(frame) -> None:
    """Scroll each chapter's section to the middle, then back to the title card."""
    frame.evaluate(RECORD_CHAPTERS)
    centres = []
    for i in range(CHAPTERS):
        frame.evaluate(SCROLL_TO_MIDDLE, i)
        in_place(frame, i)
        centres.append(frame.evaluate("() => storymap.app.map.getCenter().toString()"))
        chapter_id = frame.evaluate("(i) => storymap.app.data.chapters[i].id", i)
        assert frame.evaluate("location.hash") == "#" + chapter_id
    assert len(set(centres)) == CHAPTERS, "the map moved at every chapter"
    assert frame.evaluate("seen") == list(range(CHAPTERS)), "one chapter event each, in order"
    frame.evaluate(SCROLL_TO_MIDDLE, -1)
    frame.wait_for_function(SETTLED, arg=-1)
    assert frame.evaluate(SEEN_CENTRE_INSIDE, -1)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_scrolling_a_section_to_the_middle_makes_it_the_chapter(
    page_factory, scrolled: Path, viewport
) -> None:
    page = page_factory(viewport=viewport)
    open_ready(page, scrolled)
    assert page.evaluate("storymap.app.pageLayout") == "scroll"
    assert page.locator(".sm-chapter:visible").count() == CHAPTERS, "every chapter is in the page"
    assert page.evaluate("document.scrollingElement.scrollHeight > 3 * innerHeight")
    map_box = page.locator(".leaflet-container").bounding_box()
    card = page.locator(".sm-card").bounding_box()
    if viewport is PHONE:
        assert map_box["width"] == PHONE["width"], "a full-bleed map on a phone"
        assert card["y"] < map_box["y"] + map_box["height"], "the cards lie over the map"
    else:
        assert card["x"] >= map_box["x"] + map_box["width"] - 1, "the article beside the map"
    scroll_through(page)
    # The map stays where it is while the article scrolls.
    assert page.locator(".leaflet-container").bounding_box() == map_box


def test_scrolling_inside_an_iframe(page, scrolled: Path, http_server) -> None:
    site = scrolled.parent
    # The iframe sits below the host window's middle: an observer of the host's window,
    # rather than the frame's own, would never see a section there.
    (site / "host.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><title>Host</title></head><body style='margin:0'>"
        "<h1 style='height:480px;margin:0'>An article</h1>"
        "<iframe id='map' title='Story map' src='story.html#vladivostok' "
        "style='display:block;width:900px;height:600px;border:0'></iframe>"
        "<p style='height:1200px'>After the map.</p></body></html>",
        encoding="utf-8",
    )
    base = http_server(site)
    page.open(base + "host.html")
    page.frame_locator("#map").locator(".sm-card h1").wait_for()
    inner = page.frames[1]
    inner.wait_for_function(READY_APP)
    in_place(inner, 4)
    inner.wait_for_function("() => location.hash === '#vladivostok'")
    assert page.evaluate("scrollY") == 0, "the deep link scrolled the frame, not the host page"
    scroll_through(inner)
    assert page.evaluate("scrollY") == 0, "scrolling the story leaves the host page where it is"
    page.frame_locator("#map").locator(".sm-next").click()
    in_place(inner, 0)
    page.frame_locator("#map").locator(".sm-next").click()
    in_place(inner, 1)
    assert page.evaluate("scrollY") == 0, "the story's buttons scroll its own document only"
    assert page.evaluate("location.hash") == ""


def test_deep_links_scroll_to_their_chapter(page, scrolled: Path) -> None:
    page.open(scrolled.as_uri() + "#trolley")
    page.wait_for_function(READY_APP)
    in_place(page, 3)
    place = page.evaluate(PLACE_OF, 3)
    assert place["scrollY"] > 0
    assert abs(place["top"] - place["reading"]) < 2, "the chapter begins at its reading place"
    page.wait_for_function("() => location.hash === '#trolley'")
    page.open(scrolled.as_uri() + "#6")
    page.wait_for_function(READY_APP)
    in_place(page, 5)


def test_keyboard_and_chapter_list_scroll_the_article(page, scrolled: Path) -> None:
    open_ready(page, scrolled)
    page.evaluate(RECORD_CHAPTERS)
    page.keyboard.press("ArrowRight")
    in_place(page, 0)
    page.keyboard.press("ArrowRight")
    in_place(page, 1)
    page.keyboard.press("End")
    in_place(page, 5)
    page.keyboard.press("ArrowLeft")
    in_place(page, 4)
    page.keyboard.press("Home")
    in_place(page, -1)
    assert page.evaluate("scrollY") == 0
    # The observer did not re-trigger flights while the script scrolled past other chapters.
    assert page.evaluate("seen") == [0, 1, 5, 4, -1]
    page.locator(".sm-toc summary").click()
    page.locator(".sm-toc-item[data-index='2']").click()
    in_place(page, 2)
    assert page.evaluate("location.hash") == "#bus-to-border"
    page.locator(".sm-card .sm-begin").evaluate("b => b.click()")
    in_place(page, 0)


def test_playback_advances_and_scrolls_the_article(page, scrolled: Path) -> None:
    open_ready(page, scrolled)
    page.evaluate(
        """() => {
            window.seen = {chapters: [], scrolled: [], ended: false};
            document.addEventListener('storymap:chapter', e => seen.chapters.push(e.detail.index));
            document.addEventListener('storymap:playend', () => { seen.ended = true; });
            addEventListener('scroll', () => seen.scrolled.push(scrollY));
            storymap.app.setSpeed(4);  // slow enough for smooth scrolling between chapters
        }"""
    )
    page.locator(".sm-play").click()
    page.wait_for_function("() => storymap.app.current === 2")
    assert page.evaluate("storymap.app.playing"), "playing on while the article scrolls along"
    page.wait_for_function("() => seen.ended", timeout=30_000)
    seen = page.evaluate("seen")
    assert seen["chapters"][-5:] == [1, 2, 3, 4, 5], seen["chapters"]
    assert seen["chapters"] == sorted(seen["chapters"]), "never back: the observer did not fight"
    steps = seen["scrolled"]
    assert len(steps) > 10, "scrolled smoothly, in many steps"
    assert steps == sorted(steps), "always down the article"
    page.wait_for_function("() => !storymap.app.scroller.on")
    in_place(page, 5)


def test_a_reader_who_scrolls_during_playback_takes_over(page, scrolled: Path) -> None:
    open_ready(page, scrolled)
    page.evaluate("storymap.app.setSpeed(2)")
    page.locator(".sm-play").click()
    page.wait_for_function("() => storymap.app.current === 1 && !storymap.app.scroller.on")
    page.evaluate(SCROLL_TO_MIDDLE, 4)
    in_place(page, 4)
    assert page.evaluate("storymap.app.playing") is False


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_violation(page_factory, scrolled: Path, viewport) -> None:
    page = page_factory(viewport=viewport)
    open_ready(page, scrolled)
    assert serious_violations(page) == [], "title card"
    page.evaluate("storymap.app.go(3, {animate: false})")
    page.wait_for_function(SETTLED, arg=3)
    assert serious_violations(page) == [], "a chapter"


def test_panel_stays_the_default(flagship_built) -> None:
    assert page_data(flagship_built.page)["layout"] == "panel"


def test_layout_option_overrides_the_story(tmp_path: Path) -> None:
    text = FLAGSHIP.read_text(encoding="utf-8")
    (tmp_path / "story.yaml").write_text("layout: scroll\n" + text, encoding="utf-8")
    for args, expected in [
        ((), "scroll"),
        (("--layout", "panel"), "panel"),
        (("--layout", "scroll"), "scroll"),
    ]:
        proc = run("build", "story.yaml", "-o", "page.html", "--tiles", "none", *args, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert page_data(tmp_path / "page.html")["layout"] == expected, args
    proc = run("build", "story.yaml", "--layout", "sideways", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--layout: invalid choice: 'sideways'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_watch_takes_the_layout_option(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "storymap", "watch", "--port", "0", "--tiles", "none"]
        + ["--layout", "scroll"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    watchdog = threading.Timer(30, process.kill)  # a missing line fails the test, never hangs it
    watchdog.start()
    try:
        for line in process.stdout:
            if line.startswith("storymap watch: http://127.0.0.1:"):
                break
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    finally:
        watchdog.cancel()
        process.kill()
    assert page_data(tmp_path / "output" / "story.html")["layout"] == "scroll"
