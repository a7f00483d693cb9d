"""The picture of the journey in the page, for print: an inline SVG in the title card that says
what it shows, draws every leg in its mode's colour and every stop, stays compact and
deterministic, and keeps the flagship page within its size budget."""

from __future__ import annotations

import gzip
import importlib.util
import re
from pathlib import Path

import pytest
from conftest import FLAGSHIP_STORY

import storymap
from storymap.picture import LAND, SEA
from storymap.svg import SIZE, print_map

BENCH_SIZE = Path(__file__).resolve().parent.parent / "bench" / "bench_size.py"
FIGURE = re.compile(
    r'<figure class="sm-print-map" role="img" aria-label="([^"]*)" data-key="[0-9a-f]+">'
    r"(.*?)</figure>"
)


def _bench_size():
    spec = importlib.util.spec_from_file_location("bench_size", BENCH_SIZE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def flagship_page(flagship_journey) -> str:
    return flagship_journey.render()


def points(d: str) -> list[list[tuple[int, int]]]:
    """The points of each subpath of path data made of ``M x y`` and relative ``l`` moves."""
    parts = []
    for sub in re.findall(r"M[^M]*", d):
        numbers = [int(n) for n in re.findall(r"-?\d+", sub)]
        x, y = numbers[0], numbers[1]
        part = [(x, y)]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            part.append((x, y))
        parts.append(part)
    return parts


def stops(label: str) -> list[int]:
    """The stop numbers a marker names: "2–4, 6" is 2, 3, 4 and 6."""
    found = []
    for run in label.split(", "):
        first, _, last = run.partition("–")
        found += range(int(first), int(last or first) + 1)
    return found


def test_the_title_card_holds_the_picture_with_its_description(flagship_page) -> None:
    figures = FIGURE.findall(flagship_page)
    assert len(figures) == 1
    label, svg = figures[0]
    assert label == "Map of the journey: Embassy of Russia, Pyongyang to Moscow, 6 stops"
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 400" ')
    assert 'aria-hidden="true"' in svg.split(">", 1)[0]
    # Above the chapters: in the title card, after the journey's length, before the intro.
    card = flagship_page[flagship_page.index('<header class="sm-card">') :]
    card = card[: card.index("</header>")]
    assert card.index('class="sm-total"') < card.index("sm-print-map") < card.index("sm-text")


def test_every_leg_is_drawn_in_its_modes_colour_and_dash(flagship_journey, flagship_page) -> None:
    svg = FIGURE.search(flagship_page).group(2)
    for leg in flagship_journey.legs:
        stroke = re.search(rf'<path stroke="{leg.mode.color}"[^>]*>', svg)
        assert stroke is not None, leg.mode.name
        assert ("stroke-dasharray" in stroke.group(0)) == (leg.mode.dash is not None)
    assert f'fill="{LAND}"' in svg and f'fill="{SEA}"' in svg
    # Every stop is numbered once, those within a marker's width of each other as one ("2–5").
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert labels[0] == "1" and labels[-1] == "6"
    assert sorted(n for label in labels for n in stops(label)) == list(range(1, 7))


def test_the_picture_is_compact(flagship_page) -> None:
    svg = FIGURE.search(flagship_page).group(2)
    paths = re.findall(r' d="([^"]*)"', svg)
    assert paths
    for d in paths:
        assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+z?)+", d), d[:80]
    # No number anywhere with more than one decimal.
    assert not re.search(r"\d\.\d\d", svg)
    assert len(svg) < 12_000
    assert len(gzip.compress(svg.encode(), 9)) < 4_000


def test_the_flagship_page_stays_within_its_size_budget(flagship_page) -> None:
    budget = _bench_size()
    data = flagship_page.encode("utf-8")
    assert len(data) < budget.TARGET_RAW
    assert len(gzip.compress(data, compresslevel=9)) < budget.TARGET_GZIP
    # What the picture adds to the page once compressed.
    without = FIGURE.sub("", flagship_page).encode("utf-8")
    added = len(gzip.compress(data, 9)) - len(gzip.compress(without, 9))
    assert 0 < added < 4_000


def test_the_same_story_gives_the_same_picture(flagship_journey) -> None:
    first = print_map(flagship_journey.story, flagship_journey.route)
    again = storymap.load(FLAGSHIP_STORY)
    second = print_map(again.story, again.route)
    assert first == second


def test_a_rebuild_reuses_the_picture_until_what_it_shows_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from storymap.build import Journey
    from storymap.routes import build_legs

    journey = storymap.load(FLAGSHIP_STORY)
    target = tmp_path / "story.html"
    journey.save(target)
    first = target.read_text(encoding="utf-8")

    def no_drawing(*args, **kwargs):
        raise AssertionError("the picture was drawn again")

    monkeypatch.setattr("storymap.svg.scene", no_drawing)
    # The text changed, not the journey: the same picture, not drawn again.
    story = journey.story
    chapter = replace(story.chapters[1], title="Another title")
    edited = replace(story, chapters=(story.chapters[0], chapter, *story.chapters[2:]))
    Journey(edited, journey.legs).save(target)
    again = target.read_text(encoding="utf-8")
    assert FIGURE.findall(again) == FIGURE.findall(first)
    assert "Another title" in again
    # A stop moved, or the basemap left out: the picture is drawn anew.
    moved = story.places[story.chapters[2].at]
    places = {**story.places, moved.id: replace(moved, lat=moved.lat + 0.5)}
    elsewhere = replace(story, places=places)
    with pytest.raises(AssertionError, match="drawn again"):
        Journey(elsewhere, build_legs(elsewhere)).save(target)
    with pytest.raises(AssertionError, match="drawn again"):
        journey.save(target, basemap=False)
    monkeypatch.undo()
    Journey(elsewhere, build_legs(elsewhere)).save(target)
    assert FIGURE.findall(target.read_text(encoding="utf-8")) != FIGURE.findall(first)


def test_without_the_basemap_the_journey_alone(flagship_journey) -> None:
    page = flagship_journey.render(basemap=False)
    svg = FIGURE.search(page).group(2)
    assert f'fill="{LAND}"' not in svg and f'fill="{SEA}"' not in svg
    for leg in flagship_journey.legs:
        assert f'<path stroke="{leg.mode.color}"' in svg


ACROSS = """\
title: Across the date line
places:
  tokyo: {name: Tokyo, lat: 35.6895, lon: 139.6917, source: test value}
  anchorage: {name: Anchorage, lat: 61.2181, lon: -149.9003, source: test value}
journey:
  - at: tokyo
    title: Leaving Tokyo
  - at: anchorage
    by: flight
    title: Anchorage
  - at: tokyo
    by: flight
    title: Back
"""


def test_a_journey_across_180_is_one_line_inside_the_picture(tmp_path: Path) -> None:
    story = tmp_path / "across.yaml"
    story.write_text(ACROSS, encoding="utf-8")
    journey = storymap.load(story)
    picture = print_map(journey.story, journey.route)
    assert picture.label == "Map of the journey: from Tokyo and back, 3 stops"
    width, height = SIZE
    (flights,) = re.findall(r'<path stroke="#475569"[^>]* d="([^"]*)"', picture.svg)
    lines = points(flights)  # one path for the mode, a subpath for each leg
    assert len(lines) == 2
    for line in lines:
        assert len(line) > 5
        assert all(0 <= x <= width and 0 <= y <= height for x, y in line)
        # From Tokyo in the west of the picture to Anchorage in its east, or back.
        xs = [x for x, _ in line]
        assert max(xs) - min(xs) > width / 2


def test_one_stop(tmp_path: Path) -> None:
    story = tmp_path / "one.yaml"
    story.write_text(
        "title: Here\nplaces:\n  a: {name: Aa, lat: 10, lon: 20, source: test}\n"
        "journey:\n  - at: a\n    title: Only\n",
        encoding="utf-8",
    )
    journey = storymap.load(story)
    picture = print_map(journey.story, journey.route)
    assert picture.label == "Map of the journey: Aa, 1 stop"
    assert re.findall(r"<text[^>]*>([^<]*)</text>", picture.svg) == ["1"]
