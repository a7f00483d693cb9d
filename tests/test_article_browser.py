"""The story as HTML: readable with JavaScript off, printed as an article, in real Chromium."""

from __future__ import annotations

import html.parser

import pytest

from storymap.render import leg_summary
from storymap.text import date_label, markdown_html

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(markdown: str | None) -> str:
    """The words of a chapter's Markdown, as a reader sees them, spaces folded."""
    parser = _Text()
    parser.feed(markdown_html(markdown))
    return " ".join("".join(parser.parts).split())


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def flagship(flagship_built):
    return flagship_built


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_without_javascript_the_whole_story_is_there(page_factory, flagship, viewport) -> None:
    page = page_factory(java_script_enabled=False, viewport=viewport)
    page.open(flagship.page)
    story = flagship.story
    card = page.locator(".sm-story > header.sm-card")
    assert card.locator("h1").inner_text() == story.title
    assert card.locator(".sm-subtitle").inner_text() == story.subtitle
    assert folded(card.locator(".sm-text").inner_text()) == plain(story.intro)
    assert card.locator(".sm-sources li").count() == len(story.sources)
    assert page.locator(".sm-begin, .sm-nav").count() == 0, "no controls that need the script"
    sections = page.locator(".sm-story > section.sm-chapter")
    assert sections.evaluate_all("els => els.map(e => e.id)") == [c.id for c in story.chapters]
    for chapter in story.chapters:
        section = page.locator(f"section[id='{chapter.id}']")
        assert section.is_visible(), chapter.id
        assert section.locator("h2").inner_text() == chapter.title
        if chapter.date:
            assert section.locator(".sm-date").inner_text() == date_label(chapter.date)
        if chapter.text:
            assert folded(section.locator(".sm-text").inner_text()) == plain(chapter.text)
        alts = section.locator(".sm-media img").evaluate_all("els => els.map(e => e.alt)")
        assert alts == [m.alt for m in chapter.media if not m.src.startswith("http")]
    legs = page.locator(".sm-story .sm-leg").all_inner_texts()
    assert legs == [leg_summary(story, leg) for leg in flagship.legs]
    assert all(" from " in leg and " km" in leg for leg in legs)
    # The article is the page: the empty map is not shown, the text is not squeezed aside.
    assert not page.locator(".sm-map").is_visible()
    box = sections.first.bounding_box()
    assert box is not None and box["width"] >= min(viewport["width"] - 40, 600)
    assert page.blocked == []


def test_with_javascript_one_part_is_shown_at_a_time(page, flagship) -> None:
    page.open(flagship.page.as_uri() + "#" + flagship.story.chapters[2].id)
    page.wait_for_function("() => window.storymap && storymap.app")
    shown = page.locator(".sm-story > :not([hidden])")
    assert shown.count() == 1
    assert shown.get_attribute("id") == flagship.story.chapters[2].id
    assert page.locator(".sm-view h2").inner_text() == flagship.story.chapters[2].title
    # The panel is read before the map, and the leg's summary has its mode's icon.
    order = page.evaluate(
        "() => document.querySelector('main.sm-panel').compareDocumentPosition("
        "document.querySelector('.sm-map')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert order
    assert page.locator(".sm-view .sm-leg .sm-icon svg").count() == 1
    assert page.locator("section.sm-chapter").count() == len(flagship.story.chapters)


def _shown(page, selector: str) -> list[bool]:
    return page.locator(selector).evaluate_all(
        "els => els.map(e => getComputedStyle(e).display !== 'none'"
        " && e.getBoundingClientRect().height > 0)"
    )


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_print_shows_every_chapter_and_no_controls(
    page_factory, flagship, script: bool, viewport
) -> None:
    page = page_factory(java_script_enabled=script, viewport=viewport)
    page.open(flagship.page.as_uri() + "#" + flagship.story.chapters[1].id)
    if script:
        page.wait_for_function("() => window.storymap && storymap.app")
        assert _shown(page, ".sm-story > section").count(True) == 1, "on screen, one at a time"
    page.emulate_media(media="print")
    chapters = flagship.story.chapters
    assert _shown(page, ".sm-story > header, .sm-story > section") == [True] * (len(chapters) + 1)
    texts = page.locator(".sm-story > section h2").all_inner_texts()
    assert texts == [c.title for c in chapters]
    assert _shown(page, ".sm-sources li") == [True] * len(flagship.story.sources)
    hidden = ".sm-map, .sm-nav, .sm-toc, .sm-begin, .leaflet-control-container, .sm-play"
    if script:
        assert page.locator(hidden).count() >= 5
    assert not any(_shown(page, hidden)), "no map, buttons or controls on paper"
    # The article flows down the page rather than scrolling inside a panel.
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height > viewport["height"]
    page.emulate_media(media="screen")
    if script:
        assert _shown(page, ".sm-story > section").count(True) == 1, "back on screen as before"
