"""The locator map in Chromium: at a chapter framed much closer than the journey (the
flagship's trolley chapter, a kilometre at the Tumen), a small map of the whole journey in a
corner of the map, clear of the controls, the legend and the stops, hidden from screen readers
and letting clicks through; none on the title card, at a chapter framed wide, or on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from mapcheck import fmt, open_story, overlap, snapshot, visit

from storymap.build import build

ROOT = Path(__file__).parent.parent
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TITLE_CARD = -1
TROLLEY = 3  # "Pushing a trolley over the Tumen into Khasan"
CORNER = 16  # px: how near the map's corner it sits

LOCATOR = """() => {
    const el = document.querySelector('.sm-locator');
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    const under = document.elementFromPoint(x, y);
    return {
        shown: style.display !== 'none' && style.visibility === 'visible' && r.width > 0,
        rect: {left: r.left, top: r.top, right: r.right, bottom: r.bottom},
        hidden: el.getAttribute('aria-hidden'),
        legs: el.querySelectorAll('path.sm-locator-route').length,
        land: el.querySelectorAll('path.sm-locator-land').length,
        marks: el.querySelectorAll('.sm-locator-mark > *').length,
        clickThrough: !!under && !el.contains(under),
        underMap: !!under && !!under.closest('.leaflet-container'),
    };
}"""


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("locator")
    return build(ROOT / "data" / "story.yaml", folder / "story.html", tiles=None).page


def at(page_factory, target: Path, index: int, viewport: dict = DESKTOP):
    page = page_factory(viewport=viewport, reduced_motion="reduce")
    open_story(page, target)
    visit(page, index)
    return page, page.evaluate(LOCATOR)


def clear_of_everything(page, locator: dict) -> list[str]:
    snap = snapshot(page)
    found = []
    for control in snap["controls"]:
        if "sm-locator" not in control["name"] and overlap(locator["rect"], control["rect"]):
            found.append(f"the control {control['name']!r} {fmt(control['rect'])}")
    for kind in ("stops", "badges", "labels", "towns"):
        for item in snap[kind]:
            if item["onMap"] and overlap(locator["rect"], item["rect"]):
                found.append(f"{kind[:-1]} {item['text']!r} {fmt(item['rect'])}")
    return found


def test_shown_at_the_trolley_chapter(page_factory, offline: Path) -> None:
    page, locator = at(page_factory, offline, TROLLEY)
    assert locator["shown"], locator
    r = locator["rect"]
    width, height = r["right"] - r["left"], r["bottom"] - r["top"]
    assert 100 <= width <= 200 and 50 <= height <= 200, fmt(r)
    box = snapshot(page)["map"]
    assert r["left"] - box["left"] <= CORNER and r["top"] - box["top"] <= CORNER, fmt(r)
    assert locator["hidden"] == "true"
    assert locator["legs"] == 1 and locator["land"] == 1 and locator["marks"] >= 1, locator
    assert locator["clickThrough"] and locator["underMap"], "a click there reaches the map"
    assert clear_of_everything(page, locator) == []


def test_shown_with_tiles_too(page_factory, flagship_built) -> None:
    page, locator = at(page_factory, flagship_built.page, TROLLEY)
    assert locator["shown"], locator
    assert clear_of_everything(page, locator) == []


def test_hidden_on_the_title_card(page_factory, offline: Path) -> None:
    page, locator = at(page_factory, offline, TROLLEY)
    assert locator["shown"]
    visit(page, TITLE_CARD)
    assert not page.evaluate(LOCATOR)["shown"]


def test_hidden_at_a_chapter_framed_wide(page_factory, offline: Path) -> None:
    page, _ = at(page_factory, offline, TITLE_CARD)
    wide = page.evaluate(
        "[...storymap.app.data.chapters.keys()]"
        ".filter(i => !storymap.locator.isClose(storymap.app, i))"
    )
    assert wide == [5]  # the flight to Moscow spans the journey
    visit(page, 5)
    assert not page.evaluate(LOCATOR)["shown"]


def test_clear_of_everything_at_every_close_chapter(page_factory, offline: Path) -> None:
    page, _ = at(page_factory, offline, TITLE_CARD)
    for index in range(5):  # the train across North Korea, the buses, the trolley…
        visit(page, index)
        locator = page.evaluate(LOCATOR)
        assert locator["shown"], index
        assert clear_of_everything(page, locator) == [], index


def test_hidden_on_a_phone(page_factory, offline: Path) -> None:
    page, locator = at(page_factory, offline, TROLLEY, PHONE)
    assert locator is None or not locator["shown"], locator


def test_follows_a_chapter_opened_from_the_map(page_factory, offline: Path) -> None:
    """A chapter opened without moving the map (a click on its stop) sets the locator too."""
    page, _ = at(page_factory, offline, TITLE_CARD)
    page.evaluate(f"storymap.app.go({TROLLEY}, {{camera: false}})")
    assert page.evaluate(LOCATOR)["shown"]
    page.evaluate("storymap.app.go(-1, {camera: false})")
    assert not page.evaluate(LOCATOR)["shown"]
