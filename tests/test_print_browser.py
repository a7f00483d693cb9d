"""The picture of the journey in print, in real Chromium: on paper it stands where the live map
cannot, above the chapters, drawn in the legs' colours, with every chapter's text after it; on
screen it is not shown, with the script or without."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from storymap.picture import LAND

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def shown(page, selector: str) -> list[bool]:
    return page.locator(selector).evaluate_all(
        "els => els.map(e => getComputedStyle(e).display !== 'none'"
        " && e.getBoundingClientRect().height > 0)"
    )


def folded(text: str) -> str:
    return " ".join(text.split())


def near(image: np.ndarray, colour: str, within: int = 40) -> int:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int(np.all(np.abs(image - rgb) <= within, axis=-1).sum())


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_on_screen_the_picture_is_not_shown(page_factory, flagship_built, script, viewport) -> None:
    page = page_factory(java_script_enabled=script, viewport=viewport)
    page.open(flagship_built.page)
    if script:
        page.wait_for_function("() => window.storymap && storymap.app")
    assert page.locator("figure.sm-print-map").count() == 1
    assert shown(page, ".sm-print-map") == [False]
    assert page.locator(".sm-print-map").get_attribute("role") == "img"


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
def test_print_shows_the_picture_above_every_chapter(page_factory, flagship_built, script) -> None:
    page = page_factory(java_script_enabled=script, viewport=DESKTOP)
    page.open(flagship_built.page.as_uri() + "#" + flagship_built.story.chapters[2].id)
    if script:
        page.wait_for_function("() => window.storymap && storymap.app")
    page.emulate_media(media="print")
    story = flagship_built.story

    figure = page.locator("figure.sm-print-map")
    assert shown(page, ".sm-print-map") == [True]
    box = figure.bounding_box()
    article = page.locator(".sm-story").bounding_box()
    assert box is not None and article is not None
    assert box["width"] > 0.9 * article["width"] and box["height"] > 0.4 * box["width"]
    label = figure.get_attribute("aria-label")
    assert label.startswith("Map of the journey: ") and label.endswith(", 6 stops")
    first = page.locator(".sm-story > section").first.bounding_box()
    assert box["y"] + box["height"] <= first["y"], "above the chapters"

    # Drawn: the land, and the legs in their modes' colours, as paper shows them.
    strokes = figure.locator("path").evaluate_all("els => els.map(e => getComputedStyle(e).stroke)")
    image = np.asarray(Image.open(io.BytesIO(figure.screenshot())).convert("RGB")).astype(int)
    assert near(image, LAND, 2) > 0.2 * image.shape[0] * image.shape[1]
    for leg in flagship_built.legs:
        colour = leg.mode.color
        rgb = "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))
        assert rgb in strokes, leg.mode.name
        if leg.length_km > 100:  # the shorter ones lie under their stops' marker
            assert near(image, colour) >= 8, leg.mode.name

    # Every chapter's text follows it; the live map and its controls do not print.
    sections = page.locator(".sm-story > section")
    assert shown(page, ".sm-story > section") == [True] * len(story.chapters)
    assert sections.locator("h2").all_inner_texts() == [c.title for c in story.chapters]
    for chapter in story.chapters:
        if chapter.text:
            text = folded(page.locator(f"section[id='{chapter.id}'] .sm-text").inner_text())
            assert len(text) > 20 and page.locator(f"section[id='{chapter.id}']").is_visible()
    assert not any(shown(page, ".sm-map, .leaflet-container, .sm-nav, .sm-begin"))

    # The page prints, to a PDF of more than one page.
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 2

    page.emulate_media(media="screen")
    assert shown(page, ".sm-print-map") == [False]
