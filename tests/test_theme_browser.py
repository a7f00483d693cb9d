"""The dark theme in Chromium: `theme: auto` follows the reader's setting, `light` and `dark`
hold whatever it is; the panel, the offline basemap and the legs change with it, print stays
light, and an axe audit finds no serious violation in dark."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_story_browser import serious_violations

from storymap.build import build
from storymap.model import MODES
from storymap.render import DARK_CONTRAST, DARK_LAND, DARK_SEA, contrast, dark_colour

ROOT = Path(__file__).parent.parent
CSS = ROOT / "storymap" / "static" / "story.css"
DESKTOP = {"width": 1280, "height": 800}
READY = "() => window.storymap && storymap.app"

# Relative luminance (WCAG) of an element's computed colour, read in the page.
STYLE = """(selector) => {
    const el = document.querySelector(selector);
    const style = getComputedStyle(el);
    function lum(text) {
        const [r, g, b] = text.match(/[\\d.]+/g).slice(0, 3).map(Number).map(c => {
            c /= 255;
            return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    }
    return {background: lum(style.backgroundColor), color: lum(style.color),
            fill: style.fill.startsWith('rgb') ? lum(style.fill) : null};
}"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The flagship with each theme, built with no tiles."""
    out = {}
    for theme in ("auto", "light", "dark"):
        folder = tmp_path_factory.mktemp(theme) / "data"
        shutil.copytree(ROOT / "data", folder)
        story = folder / "story.yaml"
        text = story.read_text(encoding="utf-8")
        story.write_text(f"theme: {theme}\n{text}", encoding="utf-8")
        out[theme] = build(story, folder / "story.html", tiles=None).page
    return out


def open_page(page_factory, target: Path, scheme: str, **options):
    page = page_factory(viewport=DESKTOP, color_scheme=scheme, reduced_motion="reduce", **options)
    page.open(target)
    page.wait_for_function(READY)
    return page


def looks(page) -> dict:
    return {
        "panel": page.evaluate(STYLE, ".sm-panel"),
        "land": page.evaluate(STYLE, "path.sm-bm-land"),
        "sea": page.evaluate(STYLE, "path.sm-bm-sea"),
        "scheme": page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--sm-scheme').trim()"
        ),
        "train": page.evaluate(
            "() => storymap.app.legs[1].line.getElement().getAttribute('stroke')"
        ),
    }


def assert_dark(seen: dict) -> None:
    assert seen["scheme"] == "dark"
    assert seen["panel"]["background"] < 0.02, seen  # #161b22
    assert seen["panel"]["color"] > 0.6, seen  # #e4e7eb
    assert seen["land"]["fill"] < 0.05, seen
    assert seen["sea"]["fill"] < seen["land"]["fill"], seen
    assert seen["train"] == dark_colour(MODES["train"].color)


def assert_light(seen: dict) -> None:
    assert seen["scheme"] == "light"
    assert seen["panel"]["background"] > 0.95, seen
    assert seen["panel"]["color"] < 0.05, seen
    assert seen["land"]["fill"] > 0.8, seen
    assert seen["train"] == MODES["train"].color


def test_auto_follows_a_dark_setting(page_factory, pages) -> None:
    page = open_page(page_factory, pages["auto"], "dark")
    assert page.evaluate("document.documentElement.hasAttribute('data-theme')") is False
    assert_dark(looks(page))
    # The legend and the badges are drawn in the same colours as the legs.
    legend = page.evaluate(
        "[...document.querySelectorAll('.sm-legend line')].map(l => l.getAttribute('stroke'))"
    )
    names = page.evaluate("storymap.app.data.modeList.map(m => m.name)")
    assert legend == [dark_colour(MODES[name].color) for name in names]


def test_auto_follows_a_light_setting_and_a_change_of_it(page_factory, pages) -> None:
    page = open_page(page_factory, pages["auto"], "light")
    assert_light(looks(page))
    page.emulate_media(color_scheme="dark")
    page.wait_for_function(
        "(c) => storymap.app.legs[1].line.getElement().getAttribute('stroke') === c",
        arg=dark_colour(MODES["train"].color),
    )
    assert_dark(looks(page))
    page.emulate_media(color_scheme="light")
    page.wait_for_function(
        "(c) => storymap.app.legs[1].line.getElement().getAttribute('stroke') === c",
        arg=MODES["train"].color,
    )
    assert_light(looks(page))


def test_theme_light_stays_light_under_a_dark_setting(page_factory, pages) -> None:
    page = open_page(page_factory, pages["light"], "dark")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert_light(looks(page))


def test_theme_dark_is_dark_under_a_light_setting(page_factory, pages) -> None:
    page = open_page(page_factory, pages["dark"], "light")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert_dark(looks(page))


def test_print_stays_light(page_factory, pages) -> None:
    page = open_page(page_factory, pages["dark"], "dark")
    page.emulate_media(media="print")
    panel = page.evaluate(STYLE, ".sm-panel")
    assert panel["background"] > 0.95 and panel["color"] < 0.05, panel


@pytest.mark.parametrize("theme", ["auto", "dark"])
def test_axe_finds_no_serious_violation_in_dark(page_factory, pages, theme: str) -> None:
    page = open_page(page_factory, pages[theme], "dark")
    assert serious_violations(page) == [], "title card"
    page.evaluate("storymap.app.go(3, {animate: false})")
    page.wait_for_function("() => !storymap.app.moving")
    assert serious_violations(page) == [], "a chapter"


def test_the_scroll_layouts_cards_are_dark_on_a_phone(page_factory, pages, tmp_path) -> None:
    """On a phone the scroll layout's chapters are cards over the map: in dark they are dark,
    their words light, and the axe audit stays clean."""
    out = build(
        pages["dark"].parent / "story.yaml", tmp_path / "scroll.html", tiles=None, layout="scroll"
    ).page
    page = page_factory(
        viewport={"width": 390, "height": 844},
        color_scheme="dark",
        reduced_motion="reduce",
        is_mobile=True,
        has_touch=True,
    )
    page.open(out.as_uri() + "#trolley")
    page.wait_for_function("() => storymap.app.current === 3 && !storymap.app.moving")
    card = page.evaluate(STYLE, ".sm-story > .sm-view")
    assert card["background"] < 0.02 and card["color"] > 0.6, card
    assert serious_violations(page) == []


# --- the stylesheet and the colours, without a browser ------------------------------------------


def dark_properties() -> tuple[dict[str, str], dict[str, str]]:
    """The custom properties story.css sets for `theme: dark`, and for `auto` under a dark
    setting."""
    text = CSS.read_text(encoding="utf-8")
    found: tuple[dict[str, str], dict[str, str]] = ({}, {})
    selectors = (r':root\[data-theme="dark"\]', r':root:not\(\[data-theme="light"\]\)')
    for out, selector in zip(found, selectors, strict=True):
        for block in re.findall(selector + r" \{([^}]*)\}", text):
            out.update(re.findall(r"(--[\w-]+):\s*([^;]+);", block))
    return found


def test_both_dark_blocks_set_the_same_colours() -> None:
    dark, auto = dark_properties()
    assert dark == auto
    assert dark["--sm-scheme"] == "dark"
    assert dark["--sm-bm-land"] == DARK_LAND
    assert dark["--sm-bm-sea"] == DARK_SEA
    assert "--sm-locator-mark" in dark


@pytest.mark.parametrize("mode", sorted(MODES))
def test_each_mode_stands_out_from_the_dark_ground(mode: str) -> None:
    light = MODES[mode].color
    dark = dark_colour(light)
    for ground in (DARK_LAND, DARK_SEA):
        assert contrast(dark, ground) >= DARK_CONTRAST, (mode, dark, ground)
    # Only as much lighter as it must be: it still reads on light raster tiles.
    assert contrast(dark, "#f2efe9") >= 2.5, (mode, dark)
