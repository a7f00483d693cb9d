"""Telling the story in Chromium: the panel, keyboard, deep links, playback and accessibility."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storymap.build import build

ROOT = Path(__file__).parent.parent
FLAGSHIP = ROOT / "data" / "story.yaml"
PHONE = {"width": 390, "height": 844}

# Is the map's centre inside the bounds of chapter i (its leg and its stop), or of the journey?
CENTRE_INSIDE = """(i) => {
    const app = storymap.app;
    const c = app.map.getCenter();
    let b;
    if (i < 0) {
        b = L.latLngBounds(app.data.bounds);
    } else {
        const ch = app.data.chapters[i];
        b = L.latLngBounds([[ch.place.lat, ch.place.lon]]);
        if (ch.leg) b.extend(L.latLngBounds(ch.leg.path));
    }
    b = b.pad(0.05);
    const ne = b.getNorthEast(), sw = b.getSouthWest();  // at least ~1 km across
    b = L.latLngBounds([[sw.lat - 0.005, sw.lng - 0.005], [ne.lat + 0.005, ne.lng + 0.005]]);
    return b.contains(c);
}"""
READY_APP = "() => window.storymap && storymap.app"
SETTLED = "(i) => storymap.app.current === i && !storymap.app.moving"


@pytest.fixture(scope="module")
def flagship(flagship_built) -> Path:
    return flagship_built.page


def settle_on(page, index: int) -> None:
    page.wait_for_function(SETTLED, arg=index)
    assert page.evaluate(CENTRE_INSIDE, index), f"the map is framed on chapter {index}"


def test_next_and_previous_move_the_map(page, flagship: Path) -> None:
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    assert page.locator(".sm-progress").inner_text() == "Start"
    assert page.locator(".sm-prev").is_disabled()
    for i in range(6):
        page.locator(".sm-next").click()
        settle_on(page, i)
        assert page.locator(".sm-progress").inner_text() == f"{i + 1} / 6"
        title = page.evaluate("(i) => storymap.app.data.chapters[i].title", i)
        assert page.locator(".sm-view h2").inner_text() == title
        assert page.locator(".sm-live").inner_text() == f"Chapter {i + 1} of 6: {title}"
    assert page.locator(".sm-next").is_disabled()
    # The current leg is highlighted and the rest of the route dimmed.
    assert page.locator("path.sm-leg-current").count() == 1
    opacities = page.eval_on_selector_all(
        "path.sm-leg", "els => els.map(e => getComputedStyle(e).strokeOpacity)"
    )
    assert sorted(opacities) == ["0.3", "0.3", "0.3", "0.3", "1"]
    assert page.locator(".sm-stop-current").count() == 1
    page.locator(".sm-prev").click()
    settle_on(page, 4)


def test_arrow_keys_home_and_end(page, flagship: Path) -> None:
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    page.keyboard.press("ArrowRight")
    settle_on(page, 0)
    page.keyboard.press("ArrowRight")
    settle_on(page, 1)
    page.keyboard.press("ArrowLeft")
    settle_on(page, 0)
    page.keyboard.press("End")
    settle_on(page, 5)
    page.keyboard.press("Home")
    settle_on(page, -1)
    assert page.locator(".sm-card h1").is_visible()


def test_clicking_a_stop_or_the_list_opens_its_chapter(page, flagship: Path) -> None:
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    page.open_stop(4)
    page.wait_for_function("() => storymap.app.current === 3")
    assert page.locator(".sm-view h2").inner_text().startswith("Pushing a trolley")
    page.locator(".sm-toc summary").click()
    page.locator(".sm-toc-item[data-index='1']").click()
    settle_on(page, 1)
    assert page.evaluate("location.hash") == "#train"


def test_deep_links_open_their_chapter(page, flagship: Path) -> None:
    page.open(flagship.as_uri() + "#trolley")
    page.wait_for_function("() => window.storymap && storymap.app")
    settle_on(page, 3)
    page.wait_for_load_state("load")
    # The browser's own jump to the fragment is set aside: the chapter opens at its top, its
    # kicker and heading in view under the panel's bar, and the address keeps the fragment.
    assert page.evaluate("document.querySelector('.sm-panel').scrollTop") == 0
    kicker = page.locator(".sm-view .sm-kicker").bounding_box()
    bar = page.locator(".sm-next").bounding_box()
    assert kicker["y"] >= bar["y"] + bar["height"]
    assert page.evaluate("location.hash") == "#trolley"
    page.open(flagship.as_uri() + "#2")
    page.wait_for_function("() => window.storymap && storymap.app")
    settle_on(page, 1)
    before = page.evaluate("history.length")
    page.keyboard.press("ArrowRight")
    settle_on(page, 2)
    page.keyboard.press("ArrowRight")
    settle_on(page, 3)
    assert page.evaluate("location.hash") == "#trolley"
    assert page.evaluate("history.length") == before, "replaceState: no history entries"


def test_deep_link_and_navigation_inside_an_iframe(page, flagship: Path, http_server) -> None:
    site = flagship.parent
    (site / "host.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><title>Host</title></head><body>"
        "<h1>An article</h1><p>Before the map.</p>"
        "<iframe id='map' title='Story map' src='story.html#vladivostok' "
        "style='width:900px;height:600px;border:0'></iframe>"
        "<p>After the map.</p></body></html>",
        encoding="utf-8",
    )
    base = http_server(site)
    page.open(base + "host.html")
    frame = page.frame_locator("#map")
    frame.locator(".sm-view h2").wait_for()
    assert frame.locator(".sm-view h2").inner_text() == "By bus to Vladivostok airport"
    inner = page.frames[1]
    inner.wait_for_function(SETTLED, arg=4)
    assert inner.evaluate(CENTRE_INSIDE, 4)
    frame.locator(".sm-next").click()
    inner.wait_for_function(SETTLED, arg=5)
    assert inner.evaluate("location.hash") == "#moscow"
    assert page.evaluate("location.hash") == "", "the host page's address is untouched"
    # A host that changes the iframe's fragment moves the story.
    page.evaluate("document.getElementById('map').src = 'story.html#departure'")
    page.frames[1].wait_for_function(SETTLED, arg=0)


def test_playback_passes_through_every_leg_to_the_end(page, flagship: Path) -> None:
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    page.evaluate(
        """() => {
            window.seen = {legs: [], chapters: [], drawing: [], ended: false};
            document.addEventListener('storymap:leg', e => {
                seen.legs.push(e.detail.index);
                // As each leg begins: its line being drawn, and the vehicle on it.
                seen.drawing.push([document.querySelectorAll('.sm-leg-progress').length,
                                   document.querySelectorAll('.sm-vehicle').length]);
            });
            document.addEventListener('storymap:chapter', e => seen.chapters.push(e.detail.index));
            document.addEventListener('storymap:playend', () => { seen.ended = true; });
            storymap.app.setSpeed(30);
        }"""
    )
    page.locator(".sm-play").click()
    assert page.locator(".sm-play").get_attribute("aria-pressed") == "true"
    page.wait_for_function("() => seen.ended", timeout=30_000)
    seen = page.evaluate("seen")
    assert seen["legs"] == [1, 2, 3, 4, 5]
    assert seen["drawing"] == [[1, 1]] * 5
    assert seen["chapters"][:5] == [0, 1, 2, 3, 4] or seen["chapters"][:5] == [1, 2, 3, 4, 5]
    assert page.evaluate("storymap.app.current") == 5
    assert page.locator(".sm-play").get_attribute("aria-pressed") == "false"
    assert page.locator(".sm-vehicle").count() == 0
    assert page.locator("path.sm-leg").count() == 5, "every leg is back when playback ends"


def test_pause_resume_and_scrub(page, flagship: Path) -> None:
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    page.evaluate("storymap.app.setSpeed(4)")
    page.locator(".sm-play").click()
    page.wait_for_function("() => storymap.app.current >= 1")
    page.locator(".sm-play").click()  # pause
    assert page.evaluate("storymap.app.playing") is False
    value = page.locator(".sm-scrubber").input_value()
    page.wait_for_timeout(300)
    assert page.locator(".sm-scrubber").input_value() == value, "paused means still"
    # Scrub to the last leg: the flight is being drawn and its chapter is shown.
    page.locator(".sm-scrubber").fill("950")
    page.wait_for_function("() => storymap.app.current === 5")
    assert page.locator(".sm-leg-progress-flight").count() == 1
    assert "Leg 5 of 5, Flight" in page.locator(".sm-scrubber").get_attribute("aria-valuetext")
    page.locator(".sm-play").click()  # resume to the end
    page.wait_for_function("() => !storymap.app.playing && !document.querySelector('.sm-vehicle')")


def test_pace_is_bounded(page, flagship: Path) -> None:
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    plan = page.evaluate("storymap.app.plan.map(s => [s.index, s.seconds])")
    seconds = dict(plan)
    assert seconds[3] >= 2.5, "a one-kilometre push is not over in a frame"
    assert seconds[5] <= 9, "a 6,400 km flight does not take minutes"
    assert seconds[5] > seconds[2] > seconds[3], "longer legs take longer"


def test_reduced_motion_jumps_instead_of_flying(page_factory, flagship: Path) -> None:
    page = page_factory(reduced_motion="reduce")
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    page.locator(".sm-next").click()
    assert page.evaluate("storymap.app.moving") is False, "no flight: the map is already there"
    assert page.evaluate(CENTRE_INSIDE, 0)
    page.evaluate("storymap.app.seek(0.1)")
    drawn = page.evaluate(
        "() => { const l = [...document.querySelectorAll('.sm-leg-progress')]; return l.length; }"
    )
    assert drawn == 1
    full = page.evaluate(
        """() => {
            const app = storymap.app, i = app.current;
            let n = 0;
            app.map.eachLayer(l => { if (l.options && l.options.className &&
                l.options.className.startsWith('sm-leg-progress')) n = l.getLatLngs().length; });
            return n === app.data.chapters[i].leg.path.length;
        }"""
    )
    assert full, "with reduced motion a leg is shown whole, not drawn"


def test_phone_shows_a_bottom_sheet(page_factory, flagship: Path) -> None:
    page = page_factory(viewport=PHONE, is_mobile=True, has_touch=True)
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    panel = page.locator(".sm-panel").bounding_box()
    map_box = page.locator(".leaflet-container").bounding_box()
    assert panel["x"] == 0 and panel["width"] == PHONE["width"]
    assert panel["y"] > PHONE["height"] * 0.4
    assert abs(panel["y"] + panel["height"] - PHONE["height"]) < 1
    assert map_box["y"] + map_box["height"] <= panel["y"] + 1, "the map sits above the sheet"
    page.locator(".sm-next").tap()
    settle_on(page, 0)


def test_tab_order_and_visible_focus(page, flagship: Path) -> None:
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                """() => {
                    const el = document.activeElement;
                    const style = getComputedStyle(el);
                    return [el.className || el.tagName, style.outlineStyle !== 'none'];
                }"""
            )
        )
    names = [name for name, _ in order]
    assert names[:5] == ["sm-next", "sm-play", "sm-scrubber", "SUMMARY", "sm-begin"]
    assert all(visible for _, visible in order), order


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")


def serious_violations(page) -> list[str]:
    page.add_script_tag(content=axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, PHONE], ids=["desktop", "phone"]
)
def test_axe_finds_no_serious_violation(page_factory, flagship: Path, viewport) -> None:
    page = page_factory(viewport=viewport)
    page.open(flagship)
    page.wait_for_function("() => window.storymap && storymap.app")
    assert serious_violations(page) == [], "title card"
    page.evaluate("storymap.app.go(3, {animate: false})")
    assert serious_violations(page) == [], "a chapter"


def test_long_story_list_is_built_only_when_opened(page, tmp_path: Path) -> None:
    shutil.copy(FLAGSHIP, tmp_path / "story.yaml")
    target = build(tmp_path / "story.yaml", tmp_path / "page.html", tiles=None).page
    page.open(target)
    page.wait_for_function("() => window.storymap && storymap.app")
    assert page.locator(".sm-toc-item").count() == 0
    page.locator(".sm-toc summary").click()
    page.locator(".sm-toc-item").first.wait_for()
    assert page.locator(".sm-toc-item").count() == 6


def test_clicking_a_leg_opens_its_chapter(page, flagship: Path) -> None:
    page.open(flagship)
    page.wait_for_function(READY_APP)
    # Frame the train leg, then open another chapter without moving the map.
    page.evaluate("storymap.app.go(1, {animate: false}); storymap.app.go(2, {camera: false})")
    x, y = page.evaluate(
        """() => {
            const path = storymap.app.legs[1].line.getElement();
            // the middle of a dash (the train's pattern repeats every 20 px), on screen
            const at = Math.floor(path.getTotalLength() / 2 / 20) * 20 + 5;
            const p = path.getPointAtLength(at), m = path.getScreenCTM();
            return [p.x * m.a + m.e, p.y * m.d + m.f];
        }"""
    )
    assert page.evaluate("storymap.app.current") == 2
    page.mouse.click(x, y)
    page.wait_for_function("() => storymap.app.current === 1")
    assert (
        page.locator(".leaflet-popup-content .sm-chapter h2")
        .inner_text()
        .startswith("32 hours by train")
    )


def test_the_camera_follows_the_vehicle(page, flagship: Path) -> None:
    page.open(flagship)
    page.wait_for_function(READY_APP)
    page.evaluate(
        """() => {
            window.outside = 0; window.frames_ = 0;
            const check = () => {
                const v = document.querySelector('.sm-vehicle');
                if (v && !storymap.app.moving) {
                    const m = storymap.app.map.getContainer().getBoundingClientRect();
                    const r = v.getBoundingClientRect();
                    window.frames_++;
                    if (r.right < m.left || r.left > m.right || r.bottom < m.top
                        || r.top > m.bottom) window.outside++;
                }
                if (storymap.app.playing || !window.started) requestAnimationFrame(check);
            };
            document.addEventListener('storymap:leg', () => { window.started = true; });
            requestAnimationFrame(check);
            storymap.app.setSpeed(8);
        }"""
    )
    page.locator(".sm-play").click()
    page.wait_for_function("() => window.started && !storymap.app.playing", timeout=30_000)
    frames, outside = page.evaluate("[window.frames_, window.outside]")
    assert frames > 20
    assert outside == 0, "the vehicle never leaves the map"


UNICODE_STORY = """\
title: Ids in any script
places:
  tumangang: {name: Tumangang, lat: 42.4134, lon: 130.6279}
  хасан: {name: Хасан, lat: 42.4296, lon: 130.6462}
  café: {name: A café, lat: 43.399, lon: 132.148}
  tokyo: {name: Tokyo, lat: 35.68, lon: 139.77}
journey:
  - at: tumangang
    title: At the border station
  - at: хасан
    by: trolley
    title: Over the bridge
  - at: café
    by: bus
    title: Coffee
  - at: tokyo
    id: 東京
    by: flight
    title: On to Tokyo
"""


@pytest.fixture
def unicode_site(tmp_path: Path, http_server) -> str:
    """The address of a page whose chapter ids are хасан, café and 東京, served over HTTP."""
    (tmp_path / "story.yaml").write_text(UNICODE_STORY, encoding="utf-8")
    build(tmp_path / "story.yaml", tmp_path / "page.html", tiles=None)
    return http_server(tmp_path) + "page.html"


@pytest.mark.parametrize(
    ("fragment", "index"),
    [
        ("#%D1%85%D0%B0%D1%81%D0%B0%D0%BD", 1),  # as a browser copies it
        ("#хасан", 1),  # as a person types it
        ("#caf%C3%A9", 2),
        ("#cafe%CC%81", 2),  # é written as e and a combining accent
        ("#東京", 3),
        ("#3", 2),
    ],
)
def test_deep_links_to_ids_in_any_script(page, unicode_site: str, fragment, index) -> None:
    page.open(unicode_site + fragment)
    page.wait_for_function(READY_APP)
    page.wait_for_function(SETTLED, arg=index)
    title = page.evaluate("(i) => storymap.app.data.chapters[i].title", index)
    assert page.locator(".sm-view h2").inner_text() == title


def test_navigating_writes_ids_in_any_script_to_the_address(page, unicode_site: str) -> None:
    page.open(unicode_site)
    page.wait_for_function(READY_APP)
    hashes = []
    for i in range(4):
        page.keyboard.press("ArrowRight")
        page.wait_for_function(SETTLED, arg=i)
        hashes.append(page.evaluate("location.hash"))
    assert hashes == [
        "#tumangang",
        "#%D1%85%D0%B0%D1%81%D0%B0%D0%BD",
        "#caf%C3%A9",
        "#%E6%9D%B1%E4%BA%AC",
    ]
    # The address the page wrote opens the same chapter again.
    page.open(page.evaluate("location.href"))
    page.wait_for_function(READY_APP)
    page.wait_for_function(SETTLED, arg=3)


@pytest.mark.parametrize("fragment", ["#%", "#%E0%A4%A", "#caf%C3", "#nowhere"])
def test_a_malformed_or_unknown_fragment_opens_the_title_card(
    page, unicode_site: str, fragment: str
) -> None:
    page.open(unicode_site + fragment)
    page.wait_for_function(READY_APP)
    assert page.evaluate("storymap.app.current") == -1
    assert page.locator(".sm-progress").inner_text() == "Start"
    # A malformed fragment set later leaves the chapter as it is, and moving on still works.
    page.keyboard.press("ArrowRight")
    page.wait_for_function(SETTLED, arg=0)
    page.evaluate("location.hash = '%'")
    page.evaluate("location.hash = 'хасан'")
    page.wait_for_function(SETTLED, arg=1)
    page.settle()
    assert page.errors == []  # no uncaught error (the fixture checks it again at the end)
