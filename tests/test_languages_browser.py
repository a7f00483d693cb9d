"""The page in the story's language, in Chromium: a Russian page shows no English word of the
interface, and an Arabic one runs right to left."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storymap.build import build

ROOT = Path(__file__).parent.parent
LANGUAGES = ROOT / "tests" / "fixtures" / "languages"
READY = "() => window.storymap && storymap.app"
SETTLED = "(i) => storymap.app.current === i && !storymap.app.moving"

# The interface's text: what is shown outside the story's own words, and the accessible names,
# titles and values of every element.
INTERFACE_TEXT = """() => {
    const texts = [];
    const story = document.querySelectorAll('.sm-story h1, .sm-story h2, .sm-text, .sm-subtitle,'
        + ' .sm-byline, .sm-sources li, .sm-label, .sm-town-name, .leaflet-control-attribution');
    const skip = new Set(story);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest('script, style')) continue;
        if ([...skip].some((s) => s.contains(parent))) continue;
        if (!parent.checkVisibility()) continue;
        texts.push(node.textContent);
    }
    const named = '[aria-label], [title], [alt], [aria-valuetext]';
    for (const node of document.querySelectorAll(named)) {
        for (const name of ['aria-label', 'title', 'alt', 'aria-valuetext']) {
            if (node.hasAttribute(name)) texts.push(node.getAttribute(name));
        }
    }
    return texts;
}"""


def english_words() -> set[str]:
    """The words of the English interface, placeholders left out."""
    strings = json.loads((ROOT / "storymap" / "i18n" / "en.json").read_text(encoding="utf-8"))
    words: set[str] = set()
    for key, value in strings.items():
        if key in ("months", "_language"):
            continue
        texts = value.values() if isinstance(value, dict) else [value]
        for text in texts:
            words |= set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}", " ", text)))
    words |= set(strings["months"])
    return words


@pytest.fixture(scope="module")
def russian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ru") / "ru.html"
    build(LANGUAGES / "ru.yaml", out, tiles="OpenStreetMap.Mapnik")
    return out


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ar") / "ar.html"
    build(LANGUAGES / "ar.yaml", out)
    return out


def test_a_russian_page_shows_no_english_word_of_the_interface(page, russian: Path) -> None:
    page.open(russian)
    page.wait_for_function(READY)
    assert page.evaluate("document.documentElement.lang") == "ru"
    seen: list[str] = []
    seen += page.evaluate(INTERFACE_TEXT)  # the title card
    assert page.locator(".sm-progress").inner_text() == "Начало"
    page.locator(".sm-next").click()
    page.locator(".sm-next").click()
    page.wait_for_function(SETTLED, arg=1)
    assert page.locator(".sm-progress").inner_text() == "2 / 4"
    assert page.locator(".sm-live").inner_text() == "Глава 2 из 4: Владимир"
    page.locator(".sm-toc summary").click()  # the chapter list
    seen += page.evaluate(INTERFACE_TEXT)
    page.locator(".sm-toc summary").click()
    page.locator(".sm-play").click()  # playing: the pause button and the scrubber's value
    page.wait_for_function("() => storymap.app.playing")
    page.wait_for_function(
        "() => document.querySelector('.sm-scrubber').hasAttribute('aria-valuetext')"
    )
    assert page.locator(".sm-play").inner_text() == "❚❚ Пауза"
    seen += page.evaluate(INTERFACE_TEXT)
    page.evaluate("storymap.app.pause()")
    page.locator(".leaflet-marker-icon[title^='Остановка 2:']").click()  # its popup
    page.wait_for_selector(".leaflet-popup")
    seen += page.evaluate(INTERFACE_TEXT)
    text = " ".join(seen)
    assert "Остановка" in text and "Все главы" in text and "Условные обозначения" in text
    assert "Приблизить" in text and "Закрыть" in text and "Слои" in text
    found = set(re.findall(r"[A-Za-z]{2,}", text)) & english_words()
    assert not found, f"English words on a Russian page: {sorted(found)}"


def test_numbers_in_the_page_follow_the_language(page, russian: Path) -> None:
    page.open(russian)
    page.wait_for_function(READY)
    formatted = page.evaluate(
        "() => [storymap.i18n.distance(7203.4), storymap.i18n.number(1.5, 1),"
        " storymap.i18n.speed(38.2), storymap.i18n.date('2021-02-24')]"
    )
    assert formatted == ["7\u00a0203 км", "1,5", "38 км/ч", "24 февраля 2021 г."]
    scale = page.locator(".leaflet-control-scale-line").first.inner_text()
    assert re.fullmatch(r"[\d\u00a0]+ (км|м)", scale), scale


def test_an_arabic_page_runs_right_to_left(page, arabic: Path) -> None:
    page.open(arabic)
    page.wait_for_function(READY)
    page.evaluate("storymap.app.go(1)")
    page.wait_for_function(SETTLED, arg=1)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('.sm-view')).direction") == "rtl"
    panel = page.locator("main.sm-panel").bounding_box()
    map_box = page.locator(".sm-map").bounding_box()
    assert panel["x"] + panel["width"] <= map_box["x"] + 1, "the panel is on the map's left"
    assert panel["x"] == 0
    # The navigation is mirrored: the previous button on the right, the next one to its left.
    prev, nxt = page.locator(".sm-prev").bounding_box(), page.locator(".sm-next").bounding_box()
    assert nxt["x"] < prev["x"]
    # Map controls change sides: zoom at the top left, the scale at the bottom right.
    zoom = page.locator(".leaflet-control-zoom").bounding_box()
    assert zoom["x"] < map_box["x"] + map_box["width"] / 2
    scale = page.locator(".leaflet-control-scale").bounding_box()
    assert scale["x"] > map_box["x"] + map_box["width"] / 2
    assert page.locator(".sm-progress").inner_text() == "2 من 4"
    kicker = page.locator(".sm-view .sm-kicker")
    assert kicker.inner_text() == "المحطة 2 من 4 · محطة مصر، الإسكندرية"
    assert kicker.evaluate("n => getComputedStyle(n).textAlign") in ("start", "right")
    assert page.locator(".sm-next").get_attribute("aria-label") == "الفصل التالي"


def test_an_arabic_page_on_a_phone_keeps_its_sheet_whole(page_factory, arabic: Path) -> None:
    page = page_factory(viewport={"width": 390, "height": 844})
    page.open(arabic)
    page.wait_for_function(READY)
    panel = page.locator("main.sm-panel").bounding_box()
    assert panel["x"] == 0 and panel["width"] == 390
    assert page.locator(".sm-map").bounding_box()["width"] == 390


def test_an_arabic_article_scrolls_on_the_maps_left(page, tmp_path: Path) -> None:
    """The scroll layout, right to left: the article on the map's left, the current section's
    bar on its right (where its lines begin), and scrolling still follows the chapters."""
    out = tmp_path / "ar-scroll.html"
    build(LANGUAGES / "ar.yaml", out, tiles=None, layout="scroll")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.open(out.as_uri() + "#2")
    page.wait_for_function(SETTLED, arg=1)
    story = page.locator(".sm-story").bounding_box()
    map_box = page.locator(".sm-map").bounding_box()
    assert story["x"] + story["width"] <= map_box["x"] + 1, "the article on the map's left"
    assert map_box["x"] + map_box["width"] >= 1279, "the map reaches the window's right edge"
    bar = page.evaluate("getComputedStyle(document.querySelector('.sm-view')).boxShadow")
    assert "-4px 0px 0px" in bar, bar
    page.locator("section.sm-chapter").nth(2).evaluate(
        "node => window.scrollTo(0, node.getBoundingClientRect().top + scrollY - innerHeight * 0.4)"
    )
    page.wait_for_function(SETTLED, arg=2)
