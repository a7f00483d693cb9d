"""A long expedition stays light: a 1,000-chapter page is a few thousand DOM nodes, its
chapter list is built only when opened, and moving through it works."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from storymap.build import build

MODES = ["walk", "bus", "car", "train", "ferry"]


def expedition(folder: Path, chapters: int) -> Path:
    lines = ["title: A long expedition", "places:"]
    for i in range(chapters):
        lat = 40 + 5 * math.sin(i / 40)
        lon = -100 + i * 0.05
        lines.append(f"  p{i}: {{name: Camp {i}, lat: {lat:.4f}, lon: {lon:.4f}}}")
    lines.append("journey:")
    for i in range(chapters):
        lines.append(f"  - at: p{i}")
        lines.append(f"    title: Day {i + 1}")
        lines.append(f"    text: We walked on, *day {i + 1}*.")
        if i:
            lines.append(f"    by: {MODES[i % len(MODES)]}")
    path = folder / "story.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def long_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("expedition")
    journey = build(expedition(folder, 1000), folder / "page.html", tiles=None)
    assert len(journey.story.chapters) == 1000 and len(journey.legs) == 999
    return journey.page


def test_a_thousand_chapters_stay_light(page, long_page: Path) -> None:
    page.open(long_page)
    page.wait_for_function("() => window.storymap && storymap.app")
    assert page.locator(".sm-stop:not(.sm-stop-group)").count() == 1000
    assert page.locator("path.sm-leg").count() == 999
    assert page.locator(".sm-badge, .sm-label").count() == 0, "no badge or label per stop"
    assert page.locator(".sm-toc-item").count() == 0, "the list waits until it is opened"
    # What the script draws stays a few thousand nodes; the story's own HTML is a few per
    # chapter, and all but the chapter shown are left out of the layout.
    drawn = "document.querySelectorAll('body *:not(.sm-story, .sm-story *)').length"
    assert page.evaluate(drawn) < 5000
    assert page.evaluate("document.querySelectorAll('.sm-story *').length") < 8 * 1000
    assert page.locator(".sm-story > :not([hidden])").count() == 1
    page.evaluate("storymap.app.go(499, {animate: false})")
    assert page.locator(".sm-view h2").inner_text() == "Day 500"
    assert page.locator("path.sm-leg-current").count() == 1
    assert page.locator(".sm-stop-current").count() == 1
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => storymap.app.current === 500")
    assert page.locator(".sm-stop-current").count() == 1, "the previous stop is no longer lit"
    page.locator(".sm-toc summary").click()
    page.locator(".sm-toc-item").nth(999).wait_for(state="attached")
    assert page.locator(".sm-toc-item").count() == 1000
